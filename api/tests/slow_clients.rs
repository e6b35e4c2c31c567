//! Slow and idle clients do not exhaust the API: 200 idle connections (half with an unfinished
//! request head), 40 uploads that trickle or stall, and an oversized body, against the real
//! server on a local port, while `/health` and `/api` keep answering. Part of `make fault-tests`
//! (it was in the whole-stack `faults.rs`, but needs no worker).
mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::Server;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_bodies_and_idle_connections_do_not_exhaust_the_api() {
    let server = Server::start(|c| {
        c.request_timeout = Duration::from_secs(5);
        c.max_upload_bytes = 1024 * 1024;
        c.ops.header_read_timeout = Duration::from_secs(2);
        c.ops.body_read_timeout = Duration::from_secs(2);
        c.ops.max_in_flight = 32;
    })
    .await;
    let addr = server.addr().to_string();
    let started = Instant::now();
    // Idle connections, half of them with a request head that never ends.
    let mut idle = Vec::new();
    for i in 0..200 {
        let mut s = TcpStream::connect(&addr).unwrap();
        if i % 2 == 1 {
            s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n").unwrap();
        }
        idle.push(s);
    }
    // Slow uploads: half trickle a byte a second (bounded by the request timeout), half stall
    // after the head (bounded by the body timeout).
    let mut slow = Vec::new();
    for i in 0..40 {
        let mut s = TcpStream::connect(&addr).unwrap();
        s.write_all(
            b"POST /api/documents/upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 900000\r\n\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.pdf\"\r\n\r\n%PDF-",
        )
        .unwrap();
        slow.push((i % 2 == 0, s));
    }
    let tricklers: Vec<_> = slow
        .into_iter()
        .map(|(trickle, mut s)| {
            std::thread::spawn(move || {
                s.set_read_timeout(Some(Duration::from_millis(100)))
                    .unwrap();
                let t = Instant::now();
                let mut buf = [0u8; 512];
                loop {
                    match s.read(&mut buf) {
                        Ok(0) => return (t.elapsed(), String::new()),
                        Ok(n) => {
                            return (t.elapsed(), String::from_utf8_lossy(&buf[..n]).to_string());
                        }
                        Err(_) if t.elapsed() > Duration::from_secs(20) => {
                            return (t.elapsed(), "no answer".into());
                        }
                        Err(_) => {
                            if trickle && t.elapsed().as_millis() % 1000 < 100 {
                                let _ = s.write_all(b"x");
                            }
                        }
                    }
                }
            })
        })
        .collect();

    // Meanwhile /health stays fast and /api answers (200, or 503 when shedding) at once.
    let mut health_max = Duration::ZERO;
    let mut api_codes = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let (code, _) = server.get("/health").await;
        assert_eq!(code, 200);
        health_max = health_max.max(t.elapsed());
        let t = Instant::now();
        let (code, body) = server.get("/api/funds").await;
        assert!(code == 200 || code == 503, "{code} {body}");
        assert!(
            t.elapsed() < Duration::from_secs(1),
            "/api/funds took {:?}",
            t.elapsed()
        );
        api_codes.push(code);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        health_max < Duration::from_millis(100),
        "/health max {health_max:?}"
    );

    let mut answers = Vec::new();
    for t in tricklers {
        let (took, head) = t.join().unwrap();
        assert!(
            took < Duration::from_secs(8),
            "a slow upload held on for {took:?}: {head}"
        );
        answers.push(head.split("\r\n").next().unwrap_or("closed").to_string());
    }
    for line in &answers {
        assert!(
            line.is_empty() || line.contains(" 408 ") || line.contains(" 503 "),
            "{answers:?}"
        );
    }
    // The server closed the idle connections once the head timeout passed.
    let mut closed = 0;
    for mut s in idle {
        s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        let mut buf = [0u8; 256];
        let gone = loop {
            match s.read(&mut buf) {
                Ok(0) => break true,
                Ok(_) => continue,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    break false;
                }
                Err(_) => break true,
            }
        };
        closed += usize::from(gone);
    }
    assert_eq!(closed, 200, "idle connections left open");
    // A body over the limit is refused up front, and nothing was stored.
    // A body over the limit is cut off at the limit with 413, not read to its end.
    let mut s = TcpStream::connect(&addr).unwrap();
    let mut writer = s.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let _ = writer.write_all(
            b"POST /api/documents/upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 3145728\r\n\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n\r\n%PDF-",
        );
        let _ = writer.write_all(&vec![b'x'; 3 * 1024 * 1024]);
    });
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut head = [0u8; 64];
    let n = s.read(&mut head).unwrap_or(0);
    let head = String::from_utf8_lossy(&head[..n]).to_string();
    assert!(head.starts_with("HTTP/1.1 413"), "{head:?}");
    drop(s);
    let _ = sender.join();
    assert_eq!(server.get("/api/funds").await.0, 200);
    let docs: i64 = sqlx::query_scalar("SELECT count(*) FROM documents")
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert_eq!(docs, 0);
    let mut tally = std::collections::BTreeMap::<String, usize>::new();
    for a in &answers {
        *tally
            .entry(if a.is_empty() {
                "closed".into()
            } else {
                a.clone()
            })
            .or_default() += 1;
    }
    println!(
        "checked: 200 idle/half-head connections closed by the server, 40 slow uploads ended within the timeouts ({tally:?}); \
         /health max {health_max:?} meanwhile, /api answered {:?} within 1 s; an oversized body was cut off with 413; nothing stored; {:?} in all",
        api_codes.iter().fold(
            std::collections::BTreeMap::<u16, usize>::new(),
            |mut m, c| {
                *m.entry(*c).or_default() += 1;
                m
            }
        ),
        started.elapsed()
    );
    server.stop();
}
