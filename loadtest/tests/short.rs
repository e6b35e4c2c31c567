//! The short load run in CI: any failed request, timeout or pool overrun breaks the build.
use std::process::Command;

#[test]
fn short_load_run_has_no_failures_and_stays_within_the_pools() {
    let out = Command::new(env!("CARGO_BIN_EXE_fundlens-loadtest"))
        .arg("--short")
        .output()
        .expect("run fundlens-loadtest");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the short load run failed: {stdout}");
    assert!(stdout.contains("RESULT: PASS"));
}
