//! The deployment test (käyttöönottokoe) as a flow, through the real binaries: refused before the
//! system's connection test has passed, then run in production mode against a running simulator,
//! ending with Kela's report (subject line, two-business-day deadline, problems to fill in).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn harness(suite: &str, reports: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sha-harness"))
        .arg("run")
        .args(["--suite", suite, "--system", "liittymisvelvoite-atj", "--customer", "Testilän kaupunki"])
        .arg("--report-dir")
        .arg(reports)
        .arg("--features")
        .arg(root().join("features"))
        .arg("--systems")
        .arg(root().join("testdata/systems.toml"))
        .arg("--testdata")
        .arg(root().join("testdata"))
        .args(extra)
        .output()
        .expect("harness runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deployment_test_follows_the_connection_test_runs_in_production_and_writes_kelas_report() {
    let reports = tempfile::tempdir().expect("tmp");
    // Before the connection test: refused, naming what to run first.
    let o = harness("kayttoonottokoe", reports.path(), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--suite yhteystestaus --system liittymisvelvoite-atj"), "{}", text(&o));

    // The connection test passes and is recorded.
    let o = harness("yhteystestaus", reports.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(reports.path().join("yhteystestaus-liittymisvelvoite-atj.json").is_file());

    // The deployment test against a running simulator, whose journal shows production mode.
    let certs = tempfile::tempdir().expect("tmp");
    let registry = sha_simulator::registry::Registry::load(&root().join("testdata/systems.toml")).expect("registry");
    let mut opts = sha_simulator::server::Options::new(registry, certs.path().to_path_buf());
    opts.data = sha_simulator::server::DataLocation::Temporary;
    opts.key_algorithm = sha_simulator::pki::KeyAlgorithm::Rsa(2048);
    opts.listen = "127.0.0.1:0".parse().expect("addr");
    opts.admin_listen = "127.0.0.1:0".parse().expect("addr");
    let sim = sha_simulator::server::start(opts).await.expect("simulator");
    let port = sim.sha_addr.port();
    let admin_url = format!("http://{}", sim.admin_addr);
    let endpoint = format!("https://localhost:{port}/sha");
    let certs_dir = certs.path().to_string_lossy().into_owned();
    // The harness runs as its own process while this runtime keeps serving the simulator.
    let (dir, admin_arg) = (reports.path().to_path_buf(), admin_url.clone());
    let o = tokio::task::spawn_blocking(move || {
        harness("kayttoonottokoe", &dir, &["--simulator", &endpoint, "--admin", &admin_arg, "--certs", &certs_dir])
    })
    .await
    .expect("harness process");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let journal: serde_json::Value =
        reqwest::get(format!("{admin_url}/admin/journal?limit=5")).await.expect("journal").json().await.expect("json");
    let seq = journal["entries"][0]["seq"].as_u64().expect("an entry");
    let entry: serde_json::Value =
        reqwest::get(format!("{admin_url}/admin/journal/{seq}")).await.expect("entry").json().await.expect("json");
    let request = entry["request"].as_str().unwrap_or_default();
    assert!(request.contains("<processingCode code=\"P\""), "production mode: {request}");

    // Kela's report: subject, deadline, production mode, every case, problems to fill in.
    let report =
        std::fs::read_to_string(reports.path().join("kayttoonottokoe-liittymisvelvoite-atj.md")).expect("report");
    let today = time::OffsetDateTime::now_utc().date();
    let due = sha_harness::report::kela::business_days_after(today, 2);
    let due = format!("{}.{}.{}", due.day(), u8::from(due.month()), due.year());
    assert!(report.contains("SHA käyttöönottokoe + Testilän kaupunki"), "{report}");
    assert!(report.contains(&format!("viimeistään **{due}**")), "{report}");
    assert!(report.contains("processingCode P") && report.contains("## Avoimet ongelmat ja korjaukset"));
    for case in ["SHA-KOK-001", "SHA-KOK-007", "SHA-KOK-008"] {
        assert!(report.contains(case), "{case} in {report}");
    }
    sim.shutdown().await.expect("shutdown");
}
