//! Runtime tables (`--tables DIR`): a changed table in the directory changes what the
//! simulator does without a rebuild, and a table that does not parse stops the start with its
//! file, line and reason. Each case runs the real binary as a separate process, because the
//! tables are read once per process.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use sha_simulator::client::SoapClient;
use sha_simulator::persons::TestPersons;
use sha_simulator::pki::CertPaths;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sha-simulator"))
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A tables directory holding `name` as the embedded copy with `from` replaced by `to`.
fn changed_table(dir: &Path, name: &str, from: &str, to: &str) {
    let original = std::fs::read_to_string(common::testdata().join(name)).expect("table");
    assert!(original.contains(from), "{name} no longer holds {from:?}: update this test");
    std::fs::write(dir.join(name), original.replacen(from, to, 1)).expect("write");
}

fn validate_phase2_sample(tables: Option<&Path>) -> Output {
    let mut cmd = bin();
    if let Some(t) = tables {
        cmd.arg("--tables").arg(t);
    }
    cmd.arg("validate")
        .arg(common::testdata().join("documents/valid/04-vaihe2-asiakaskertomusmerkinta"))
        .args(["--at", "2026-10-01T12:00:00Z", "--strict-signature", "false"])
        .output()
        .expect("runs")
}

#[test]
fn a_changed_dates_table_changes_validation() {
    // Embedded: phase II content ends on 31.8.2026.
    let out = validate_phase2_sample(None);
    assert!(text(&out).contains("SHA-D001"), "{}", text(&out));
    // The user moves the last day to the end of 2027: the same document passes that rule.
    let dir = tempfile::tempdir().expect("tmp");
    changed_table(dir.path(), "dates.toml", "date = \"2026-08-31\"", "date = \"2027-12-31\"");
    let out = validate_phase2_sample(Some(dir.path()));
    assert!(!text(&out).contains("SHA-D001"), "{}", text(&out));
    assert!(text(&out).contains("tables: "), "the run names the tables directory: {}", text(&out));
}

#[test]
fn a_table_that_does_not_parse_stops_the_start_naming_file_and_line() {
    let dir = tempfile::tempdir().expect("tmp");
    changed_table(dir.path(), "dates.toml", "[[date]]\nkey = \"act_in_force\"", "[[date]]\nkey = act_in_force");
    for args in
        [vec!["validate", "Cargo.toml"], vec!["serve", "--listen", "127.0.0.1:1", "--admin-listen", "127.0.0.1:1"]]
    {
        let out = bin().arg("--tables").arg(dir.path()).args(&args).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        let t = text(&out);
        assert!(t.contains("dates.toml") && t.contains("line 7"), "{args:?}: {t}");
        assert!(!t.contains("panicked"), "{t}");
    }
    // A missing directory is named too.
    let out = bin().args(["--tables", "/nonexistent/tables", "validate", "Cargo.toml"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("/nonexistent/tables"), "{}", text(&out));
}

async fn serve(tables: Option<&Path>, data: &Path, certs: &Path) -> (common::ServeProcess, u16) {
    let global: Vec<&std::ffi::OsStr> = match tables {
        Some(t) => vec!["--tables".as_ref(), t.as_os_str()],
        None => vec![],
    };
    let server = common::ServeProcess::start(&global, data, certs);
    server.wait_up().await;
    let port = server.port;
    (server, port)
}

async fn store_clienthood(port: u16, certs: &Path) -> Vec<String> {
    let client = SoapClient::for_system(
        &format!("https://localhost:{port}/sha"),
        &CertPaths::new(certs),
        "liittymisvelvoite-atj",
    )
    .expect("client");
    let p = TestPersons::builtin().get("aikuinen").expect("person");
    let (_, msg) = common::testila_clienthood_message(p, time::OffsetDateTime::now_utc());
    let ack = client.exchange(&msg).await.expect("answer");
    if ack.accepted() {
        Vec::new()
    } else {
        ack.codes.clone()
    }
}

#[tokio::test]
async fn a_changed_profiles_table_changes_what_the_archive_accepts() {
    let certs = tempfile::tempdir().expect("tmp");
    // Embedded: the joining-obligation profile is in use today.
    {
        let data = tempfile::tempdir().expect("tmp");
        let (_server, port) = serve(None, data.path(), certs.path()).await;
        assert_eq!(store_clienthood(port, certs.path()).await, Vec::<String>::new());
    }
    // A table in which the profile opens only in 2030: the same message is refused by date.
    let dir = tempfile::tempdir().expect("tmp");
    changed_table(
        dir.path(),
        "profiles.toml",
        "phase = \"liittymisvelvoite\"\nusable_from = \"2024-01-01\"",
        "phase = \"liittymisvelvoite\"\nusable_from = \"2030-01-01\"",
    );
    let data = tempfile::tempdir().expect("tmp");
    let (_server, port) = serve(Some(dir.path()), data.path(), certs.path()).await;
    assert_eq!(store_clienthood(port, certs.path()).await, vec!["SHA-D003".to_string()]);
}
