//! CPU seconds a process (and, for Postgres, every backend it ever forked) has used, read from
//! /proc, so a benchmark can say where the machine's CPU went.
use std::path::Path;

/// Clock ticks per second of /proc's counters (`getconf CLK_TCK`; 100 on Linux).
fn ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// (ppid, utime + stime, cutime + cstime) in ticks; the fields after the command's ")".
fn stat(pid: u32) -> Option<(u32, u64, u64)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // rest starts at field 3 (state): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
    let n = |i: usize| f.get(i - 3).and_then(|v| v.parse::<u64>().ok());
    Some((n(4)? as u32, n(14)? + n(15)?, n(16)? + n(17)?))
}

/// CPU seconds of one process (its threads; not its children).
pub fn process_seconds(pid: u32) -> f64 {
    stat(pid).map_or(0.0, |(_, own, _)| own as f64) / ticks_per_second()
}

/// CPU seconds of a server that forks a process per connection: the parent, the children it
/// has reaped (counted in its cutime/cstime) and the children alive now.
pub fn tree_seconds(parent: u32) -> f64 {
    let Some((_, own, reaped)) = stat(parent) else {
        return 0.0;
    };
    let live: u64 = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(stat)
        .filter(|(ppid, _, _)| *ppid == parent)
        .map(|(_, t, _)| t)
        .sum();
    (own + reaped + live) as f64 / ticks_per_second()
}

/// The postmaster's pid, from `postmaster.pid` in the server's data directory.
pub fn postmaster_pid(data_directory: &Path) -> Option<u32> {
    std::fs::read_to_string(data_directory.join("postmaster.pid"))
        .ok()?
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()
}
