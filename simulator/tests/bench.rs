//! The `bench` command end to end: its targets run as their own processes, the simulator stores
//! the real-format load (every answer an AA), and the report gives each target's CPU per message
//! and memory. The figures themselves are not asserted — these machines are shared and noisy —
//! only that they were measured.

mod common;

use std::process::Command;

/// The report's row for `target`, split into its columns.
fn row<'a>(report: &'a str, target: &str) -> Vec<&'a str> {
    report
        .lines()
        .find(|l| l.split_whitespace().next() == Some(target))
        .unwrap_or_else(|| panic!("no {target} row in:\n{report}"))
        .split_whitespace()
        .collect()
}

#[test]
fn bench_measures_the_bare_server_and_the_simulator_as_their_own_processes() {
    let out = Command::new(env!("CARGO_BIN_EXE_sha-simulator"))
        .args(["bench", "--quick", "--targets", "bare,simulator", "--duration", "2", "--connections", "2"])
        .arg("--systems")
        .arg(common::testdata().join("systems.toml"))
        .output()
        .expect("bench runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}{}", String::from_utf8_lossy(&out.stderr));
    assert!(report.contains("a structured decision in the real format"), "{report}");
    for target in ["bare", "simulator"] {
        // target ok errors req/s p50 p95 p99 cpu gen rss…
        let r = row(&report, target);
        let ok: u64 = r[1].parse().expect("ok count");
        assert!(ok > 0, "{target}: nothing acknowledged\n{report}");
        assert_eq!(r[2], "0", "{target}: errors (for the simulator: answers other than AA)\n{report}");
        let cpu: f64 = r[7].parse().unwrap_or_else(|_| panic!("{target}: CPU per message not measured\n{report}"));
        assert!(cpu > 0.0, "{report}");
        let _: f64 = r[8].parse().unwrap_or_else(|_| panic!("{target}: generator CPU not measured\n{report}"));
        assert!(r[9].contains('→') && r[10] == "(peak", "{target}: RSS not measured\n{report}");
    }
    let last = report.lines().last().unwrap_or_default();
    assert!(last.starts_with("ratios: simulator/bare=0.") || last.starts_with("ratios: simulator/bare=1."), "{last}");
}
