//! End to end for LP documents: a capital call notice and the later quarterly report that lists
//! the same call make one transaction with two sources; documents about many funds, or that name
//! no fund, create none and can be linked by hand.
mod common;

use std::time::Duration;

use chrono::NaiveDate;
use common::Stack;
use pdfium_render::prelude::*;
use serde_json::Value;
use shared::domain::DocumentStatus;

/// One line of text at a position (PDF points from the bottom-left), Helvetica.
struct Text<'a> {
    x: f32,
    y: f32,
    size: f32,
    text: &'a str,
}

/// Writes a one-page PDF with the given lines, through the process's PDFium binding.
fn write_pdf(lines: &[Text]) -> Vec<u8> {
    let pdfium = shared::testing::init_pdfium();
    let mut doc = pdfium.create_new_pdf().expect("new pdf");
    let font = doc.fonts_mut().helvetica();
    let mut page = doc
        .pages_mut()
        .create_page_at_end(PdfPagePaperSize::new_portrait(
            PdfPagePaperStandardSize::USLetterAnsiA,
        ))
        .expect("page");
    for l in lines {
        page.objects_mut()
            .create_text_object(
                PdfPoints::new(l.x),
                PdfPoints::new(l.y),
                l.text,
                font,
                PdfPoints::new(l.size),
            )
            .expect("text object");
    }
    doc.save_to_bytes().expect("save pdf")
}

fn money(v: f64) -> String {
    let cents = (v * 100.0).round() as i64;
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("${grouped}.{:02}", cents % 100)
}

/// A capital call notice for `amount`, due on `due`, with an investment and a fee component.
fn call_notice(fund: &str, due: NaiveDate, amount: f64, commitment: f64) -> Vec<u8> {
    let notice = due - chrono::Duration::days(20);
    let fee = 125_000.0;
    let owned = [
        format!("Notice Date: {}", notice.format("%B %-d, %Y")),
        format!("Payment Due Date: {}", due.format("%B %-d, %Y")),
        format!("Re: {fund} - Capital Call No. 1"),
        money(amount - fee),
        money(fee),
        money(amount),
        money(commitment),
    ];
    let mut lines = vec![
        Text {
            x: 72.0,
            y: 720.0,
            size: 16.0,
            text: "Notice of Capital Call",
        },
        Text {
            x: 72.0,
            y: 698.0,
            size: 12.0,
            text: fund,
        },
        Text {
            x: 72.0,
            y: 670.0,
            size: 10.0,
            text: "To: Harbour Street Pension Plan",
        },
        Text {
            x: 72.0,
            y: 652.0,
            size: 10.0,
            text: &owned[0],
        },
        Text {
            x: 72.0,
            y: 638.0,
            size: 10.0,
            text: &owned[1],
        },
        Text {
            x: 72.0,
            y: 620.0,
            size: 10.0,
            text: &owned[2],
        },
        Text {
            x: 72.0,
            y: 600.0,
            size: 10.0,
            text: "Dear Limited Partner,",
        },
        Text {
            x: 72.0,
            y: 570.0,
            size: 11.0,
            text: "Purpose of Capital Call",
        },
        Text {
            x: 72.0,
            y: 552.0,
            size: 10.0,
            text: "Description",
        },
        Text {
            x: 420.0,
            y: 552.0,
            size: 10.0,
            text: "Amount",
        },
        Text {
            x: 72.0,
            y: 538.0,
            size: 10.0,
            text: "New investment in Arcadia Payments",
        },
        Text {
            x: 420.0,
            y: 538.0,
            size: 10.0,
            text: &owned[3],
        },
        Text {
            x: 72.0,
            y: 524.0,
            size: 10.0,
            text: "Management fee for the quarter",
        },
        Text {
            x: 420.0,
            y: 524.0,
            size: 10.0,
            text: &owned[4],
        },
        Text {
            x: 72.0,
            y: 510.0,
            size: 10.0,
            text: "Total Capital Call",
        },
        Text {
            x: 420.0,
            y: 510.0,
            size: 10.0,
            text: &owned[5],
        },
        Text {
            x: 72.0,
            y: 480.0,
            size: 11.0,
            text: "Commitment Summary",
        },
        Text {
            x: 72.0,
            y: 464.0,
            size: 10.0,
            text: "Total Commitment",
        },
        Text {
            x: 420.0,
            y: 464.0,
            size: 10.0,
            text: &owned[6],
        },
    ];
    lines.push(Text {
        x: 72.0,
        y: 430.0,
        size: 10.0,
        text: "Please wire your contribution in immediately available funds by the due date.",
    });
    write_pdf(&lines)
}

fn ground_truth(rel: &str) -> Value {
    shared::testing::json(rel)
}

async fn upload_done(stack: &Stack, name: &str, bytes: Vec<u8>) -> (i64, Value) {
    let (code, up) = stack.upload(name, bytes, None).await;
    assert_eq!(code, 202, "{name}: {up}");
    let id = up["document_id"].as_i64().expect("document id");
    let status = stack.wait_done(id, Duration::from_secs(60)).await;
    assert_eq!(
        status["status"],
        DocumentStatus::Completed.as_str(),
        "{name}: {status}"
    );
    (id, status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_in_a_notice_and_in_the_next_report_is_one_transaction_with_two_sources() {
    let mut stack = Stack::start(|_| {}).await;
    stack.start_worker();
    let truth = ground_truth("reports/dev01_grid_iso.json");
    let fund = truth["fund"]["name"].as_str().unwrap();
    let first = &truth["capital_calls"][0];
    let booked: NaiveDate = first["date"].as_str().unwrap().parse().unwrap();
    let amount = first["amount"].as_f64().unwrap();
    // The notice's due date is two days before the report books the call.
    let due = booked - chrono::Duration::days(2);
    let commitment = 50_000_000.0;

    let (notice_id, status) = upload_done(
        &stack,
        "notice.pdf",
        call_notice(fund, due, amount, commitment),
    )
    .await;
    assert_eq!(status["document_type"], "capital_call_notice", "{status}");
    assert_eq!(
        status["investor"], "Harbour Street Pension Plan",
        "{status}"
    );
    let fund_id = status["fund_id"]
        .as_i64()
        .expect("the notice names its fund");
    let (_, tx) = stack
        .get(&format!("/api/documents/{notice_id}/transactions"))
        .await;
    let items = tx["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{tx}");
    assert_eq!(items[0]["type"], "capital_call");
    assert_eq!(items[0]["date"], due.to_string());
    assert_eq!(items[0]["amount"].as_f64(), Some(amount));
    assert_eq!(
        items[0]["components"].as_array().map(Vec::len),
        Some(2),
        "{tx}"
    );

    let pdf = shared::testing::pdf("reports/dev01_grid_iso.pdf");
    let (report_id, status) = upload_done(&stack, "dev01.pdf", pdf).await;
    assert_eq!(status["fund_id"].as_i64(), Some(fund_id), "{status}");
    assert_eq!(status["document_type"], "quarterly_report");

    let (_, calls) = stack
        .get(&format!(
            "/api/funds/{fund_id}/transactions?type=capital_calls&limit=500"
        ))
        .await;
    let calls = calls["items"].as_array().unwrap().clone();
    let n_truth = truth["capital_calls"].as_array().unwrap().len();
    assert_eq!(calls.len(), n_truth, "the shared call is listed once");
    let shared_call: Vec<&Value> = calls
        .iter()
        .filter(|c| c["amount"].as_f64() == Some(amount))
        .collect();
    assert_eq!(shared_call.len(), 1, "{calls:?}");
    let sources: Vec<i64> = std::iter::once(shared_call[0]["document_id"].as_i64().unwrap())
        .chain(
            shared_call[0]["also_in"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_i64),
        )
        .collect();
    assert_eq!(sources.len(), 2, "two sources: {:?}", shared_call[0]);
    assert!(sources.contains(&notice_id) && sources.contains(&report_id));

    let as_of = truth["fund"]["report_date"].as_str().unwrap();
    let (_, m) = stack
        .get(&format!("/api/funds/{fund_id}/metrics?as_of={as_of}"))
        .await;
    for key in ["pic", "dpi", "tvpi"] {
        let want = truth["expected"][key].as_f64().unwrap();
        let got = m[key].as_f64().unwrap_or(f64::NAN);
        assert!(
            (got - want).abs() < 1e-4 * want.abs().max(1.0),
            "{key}: {got} vs {want}"
        );
    }

    let (code, p) = stack
        .get(&format!("/api/funds/{fund_id}/position?as_of={as_of}"))
        .await;
    assert_eq!(code, 200, "{p}");
    let pic = truth["expected"]["pic"].as_f64().unwrap();
    assert_eq!(p["commitment"].as_f64(), Some(commitment), "{p}");
    assert!(
        (p["contributed_to_date"].as_f64().unwrap() - pic).abs() < 0.01,
        "{p}"
    );
    let recallable = p["recallable_to_date"].as_f64().unwrap_or(0.0);
    let unfunded = p["unfunded_commitment"].as_f64().unwrap();
    assert!(
        (unfunded - (commitment - pic + recallable)).abs() < 0.01,
        "{p}"
    );
    let derived: Vec<&str> = p["sources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["derived"] == true)
        .filter_map(|s| s["key"].as_str())
        .collect();
    assert!(derived.contains(&"unfunded_commitment"), "{p}");

    // Deleting the notice leaves the report's copy counted on its own.
    let (code, _) = stack
        .send_delete(&format!("/api/documents/{notice_id}"))
        .await;
    assert_eq!(code, 204);
    let (_, m) = stack
        .get(&format!("/api/funds/{fund_id}/metrics?as_of={as_of}"))
        .await;
    assert!((m["pic"].as_f64().unwrap() - pic).abs() < 0.01, "{m}");
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_about_many_funds_or_no_fund_create_none() {
    let mut stack = Stack::start(|_| {}).await;
    stack.start_worker();
    let mut ids = Vec::new();
    for rel in [
        "real/OregonPERS_OPERF_Private_Equity_Portfolio_2021Q1.pdf",
        "real/CalPERS_PE_Annual_Program_Review_2024-03-31_Item5b.pdf",
        "real/TEMPLATE_GPFundSolutions_Capital_Call_Notice_1_example_filled.pdf",
    ] {
        let truth = ground_truth(&rel.replace(".pdf", ".json"));
        let (id, status) = upload_done(&stack, rel, shared::testing::pdf(rel)).await;
        assert_eq!(
            status["document_type"], truth["document_type"],
            "{rel}: {status}"
        );
        assert!(status["fund_id"].is_null(), "{rel}: {status}");
        ids.push((id, truth));
    }
    let (_, funds) = stack.get("/api/funds").await;
    assert_eq!(funds.as_array().map(Vec::len), Some(0), "{funds}");

    // The portfolio table's rows are served (and exported), not turned into funds.
    let (oregon, truth) = &ids[0];
    let want_rows = truth["funds"].as_array().unwrap().len();
    let (_, rows) = stack
        .get(&format!("/api/documents/{oregon}/portfolio"))
        .await;
    assert_eq!(rows["items"].as_array().map(Vec::len), Some(want_rows));

    // A notice with no fund name says so, and a person can link it.
    let (template, _) = &ids[2];
    let (_, doc) = stack.get(&format!("/api/documents/{template}")).await;
    let warned = doc["warnings"].as_array().unwrap().iter().any(|w| {
        w["message"]
            .as_str()
            .unwrap_or("")
            .contains("choose its fund")
    });
    assert!(warned, "{doc}");
    let (code, fund) = stack
        .post_json(
            "/api/funds",
            serde_json::json!({ "name": "Acme Growth Fund II" }),
        )
        .await;
    assert_eq!(code, 201, "{fund}");
    let fid = fund["id"].as_i64().unwrap();
    let (code, linked) = stack
        .post_json(
            &format!("/api/documents/{template}/fund"),
            serde_json::json!({ "fund_id": fid }),
        )
        .await;
    assert_eq!(code, 200, "{linked}");
    assert_eq!(linked["fund_id"].as_i64(), Some(fid));
    let (code, _) = stack
        .post_json(
            &format!("/api/documents/{template}/fund"),
            serde_json::json!({ "fund_id": 999_999 }),
        )
        .await;
    assert_eq!(code, 404);
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn funds_made_from_junk_names_are_cleaned_up_and_their_documents_kept() {
    let mut stack = Stack::start(|_| {}).await;
    stack.start_worker();
    let rel = "reports/dev02_plain_us_cents.pdf";
    let (id, status) = upload_done(&stack, "dev02.pdf", shared::testing::pdf(rel)).await;
    let real_fund = status["fund_id"].as_i64().unwrap();
    // What an older extractor did: a fund named after a page label, holding a document.
    let (notice, _) = upload_done(
        &stack,
        "template.pdf",
        shared::testing::pdf(
            "real/TEMPLATE_GPFundSolutions_Capital_Call_Notice_1_example_filled.pdf",
        ),
    )
    .await;
    let junk: i64 = sqlx::query_scalar("INSERT INTO funds (name) VALUES ('To: Joe') RETURNING id")
        .fetch_one(&stack.db)
        .await
        .unwrap();
    sqlx::query("UPDATE documents SET fund_id = $1 WHERE id = $2")
        .bind(junk)
        .bind(notice)
        .execute(&stack.db)
        .await
        .unwrap();
    // A fund a person created and chose at upload is never junk, whatever its name.
    let (code, chosen) = stack
        .post_json("/api/funds", serde_json::json!({ "name": "IRR" }))
        .await;
    assert_eq!(code, 201, "{chosen}");

    let found = shared::db::funds::junk_funds(&stack.db).await.unwrap();
    let ids: Vec<i64> = found.iter().map(|f| f.id).collect();
    assert_eq!(ids, vec![junk], "{found:?}");
    shared::db::funds::remove_junk_fund(&stack.db, &found[0])
        .await
        .unwrap();

    let (code, _) = stack.get(&format!("/api/funds/{junk}")).await;
    assert_eq!(code, 404);
    let (_, doc) = stack.get(&format!("/api/documents/{notice}")).await;
    assert!(doc["fund_id"].is_null(), "{doc}");
    assert!(
        doc["warnings"]
            .to_string()
            .contains("does not read as a fund"),
        "{doc}"
    );
    let (_, doc) = stack.get(&format!("/api/documents/{id}")).await;
    assert_eq!(doc["fund_id"].as_i64(), Some(real_fund));
    stack.stop().await;
}
