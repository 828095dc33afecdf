//! `sha-harness --tables DIR`: the embedded simulator and the built-in client read the user's
//! tables, so a corrected date changes a scenario's verdict without a rebuild; a broken table
//! stops the run with its file and line. Each case is a separate process (tables are read once).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(tables: Option<&Path>, out: &Path) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sha-harness"));
    if let Some(t) = tables {
        cmd.arg("--tables").arg(t);
    }
    cmd.arg("run")
        .arg("--features")
        .arg(root().join("features/yhteistestaus/kellomaailmat.feature"))
        .args(["--tags", "@SHA-MAAILMA-2025-01"])
        .arg("--systems")
        .arg(root().join("testdata/systems.toml"))
        .arg("--report-dir")
        .arg(out)
        .output()
        .expect("harness runs")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn a_corrected_profile_date_changes_the_verdict_and_a_broken_table_stops_the_run() {
    let out = tempfile::tempdir().expect("tmp");
    // Embedded tables: in July 2025 the phase I profile is out of use (SHA-D003), as the scenario expects.
    let o = run(None, out.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    // A user's profiles.toml keeps phase I in use until the end of 2025: the scenario now fails.
    let tables = tempfile::tempdir().expect("tmp");
    let original = std::fs::read_to_string(root().join("testdata/profiles.toml")).expect("profiles.toml");
    let from = "name = \"liittyva\"\nphase = \"I\"\nusable_from = \"2018-01-01\"\nusable_until = \"2022-12-31\"";
    assert!(original.contains(from), "profiles.toml changed shape: update this test");
    let changed = original.replacen(from, &from.replace("2022-12-31", "2025-12-31"), 1);
    std::fs::write(tables.path().join("profiles.toml"), changed).expect("write");
    let o = run(Some(tables.path()), out.path());
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let junit = std::fs::read_to_string(out.path().join("junit.xml")).expect("junit");
    assert!(junit.contains("SHA-MAAILMA-2025-01") && junit.contains("<failure"), "{junit}");

    // A table that does not parse: exit 2 naming the file and line, no scenario runs.
    std::fs::write(tables.path().join("profiles.toml"), "[[profile]\nname = 1\n").expect("write");
    let o = run(Some(tables.path()), out.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("profiles.toml") && t.contains("line 1"), "{t}");
}

#[test]
fn persons_from_a_file_are_used_and_must_be_test_ids() {
    let out = tempfile::tempdir().expect("tmp");
    let dir = tempfile::tempdir().expect("tmp");
    // The vendor's own test id for the catalogue's "aikuinen" (individual number 9xx).
    let hetu = sha_simulator::hetu::synthetic(4_242);
    let file = dir.path().join("henkilot.toml");
    // The least a vendor writes: the catalogue's key, the hetu and the names.
    let person = |h: &str| {
        format!(
            "[[person]]\nkey = \"aikuinen\"\nhetu = \"{h}\"\nfamily_name = \"Toimittaja\"\ngiven_names = \"Testi\"\n"
        )
    };
    std::fs::write(&file, person(&hetu)).expect("write");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sha-harness"));
    let o = cmd
        .arg("run")
        .arg("--persons")
        .arg(&file)
        .arg("--features")
        .arg(root().join("features/yhteistestaus/kellomaailmat.feature"))
        .args(["--tags", "@SHA-MAAILMA-2026-04"])
        .arg("--systems")
        .arg(root().join("testdata/systems.toml"))
        .arg("--report-dir")
        .arg(out.path())
        .output()
        .expect("harness runs");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("replaced aikuinen"), "{}", text(&o));
    let report = std::fs::read_to_string(out.path().join("testiraportti.md")).expect("report");
    assert!(report.contains(&hetu), "the scenario ran with the file's person: {report}");
    assert!(!report.contains("010181-900C"), "not with the built-in one");

    // A real person's id (individual number below 900) is refused before anything runs.
    std::fs::write(&file, person("010181-123A")).expect("write");
    let o = Command::new(env!("CARGO_BIN_EXE_sha-harness"))
        .arg("run")
        .arg("--persons")
        .arg(&file)
        .arg("--systems")
        .arg(root().join("testdata/systems.toml"))
        .output()
        .expect("harness runs");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("010181-123A") && text(&o).contains("900"), "{}", text(&o));
}
