//! The harness's own feature runs: the whole catalogue against the reference
//! client (every scenario passes), a selection against the faulty client (the
//! scenarios that should fail, fail), the adapter mode against a wiremock
//! adapter and against the reference adapter in a second process, and the
//! manual mode with a simulated tester. Runs with `harness = false` so cucumber
//! owns the output.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use sha_harness::context::SimulatorTarget;
use sha_harness::report::{self, RunReport, Status};
use sha_harness::runner::{run, RunOptions, SutChoice};
use sha_simulator::registry::Registry;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn registry() -> Registry {
    Registry::load(&root().join("testdata/systems.toml")).expect("registry")
}

fn options(tags: Option<&str>, sut: SutChoice, simulator: SimulatorTarget) -> RunOptions {
    RunOptions {
        features: root().join("features"),
        tags: tags.map(str::to_string),
        sut,
        simulator,
        registry: registry(),
        system: None,
        progress: false,
        testdata: root().join("testdata"),
        production: false,
        seed: None,
    }
}

fn status(r: &RunReport, id: &str) -> Status {
    r.scenario(id).unwrap_or_else(|| panic!("scenario {id} did not run")).status
}

fn failures(r: &RunReport) -> String {
    r.scenarios
        .iter()
        .filter(|s| s.status != Status::Passed)
        .map(|s| {
            format!(
                "{} {}: {}",
                s.id,
                s.name,
                s.steps.iter().find_map(|x| x.error.clone()).unwrap_or_else(|| "skipped".into())
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn whole_catalogue_passes_with_the_reference_client() {
    let r = run(options(None, SutChoice::Builtin, SimulatorTarget::Embedded)).await.expect("run");
    let (p, f, s) = r.counts();
    assert!(r.all_passed(), "{f} failed, {s} skipped:\n{}", failures(&r));
    assert!(p >= 80, "the catalogue has {p} scenarios");
    let by_suite = |tag: &str| r.scenarios.iter().filter(|x| x.tags.iter().any(|t| t == tag)).count();
    assert!(by_suite("yhteystestaus") >= 8);
    assert!(by_suite("yhteistestaus") >= 70);
    assert!(by_suite("liittymisvelvoite") >= 30);
    assert!(by_suite("kayttoonottokoe") >= 5);
    // The structure suite covers every Sosmeta structure, and the coverage table lists each.
    assert_eq!(by_suite("rakenteiset"), 202);
    let coverage = report::structure_coverage(&r);
    assert_eq!(coverage.len(), 202);
    assert!(coverage.iter().all(|c| c.status == Status::Passed));
    // Every scenario has a test-case id and evidence from the simulator.
    for sc in &r.scenarios {
        assert!(sc.id.starts_with("SHA-"), "{} has no test-case id", sc.name);
        assert!(!sc.evidence.journal.is_empty(), "{} has no journal evidence", sc.id);
    }
    // Every report names every test case.
    let junit = report::junit::render(&r);
    let html = report::html::render(&r);
    let fi = report::finnish::render(&r, "1.2.246.10.99990001.10.0", "liittyvä");
    let json = report::json(&r);
    for sc in &r.scenarios {
        for (name, text) in [("junit", &junit), ("html", &html), ("fi", &fi), ("json", &json)] {
            assert!(text.contains(&sc.id), "{name} report lacks {}", sc.id);
        }
    }
    assert!(sha_simulator::xml::parse(junit.as_bytes(), Default::default()).is_ok(), "JUnit is well-formed XML");
    assert!(fi.starts_with("# Testiraportti"));
    println!("catalogue: {p} scenarios passed with the reference client");
}

async fn faulty_client_fails_the_scenarios_it_should() {
    let tags = "@SHA-LIITTYVA-001 or @SHA-LIITTYVA2-001 or @SHA-LIITTYVA-006 or @SHA-TALLENTAVA-002 or @SHA-YT-001 or @SHA-VIRHE-007 \
                or @SHA-LV-020 or @SHA-LV-030 or @SHA-LV-016";
    let r = run(options(Some(tags), SutChoice::BuiltinFaulty, SimulatorTarget::Embedded)).await.expect("run");
    assert_eq!(r.scenarios.len(), 9);
    // Forgets the disclosure marker; names the organiser's unit instead of its own.
    for id in ["SHA-LV-020", "SHA-LV-030"] {
        assert_eq!(status(&r, id), Status::Failed, "{id} should fail with the faulty client");
    }
    assert_eq!(status(&r, "SHA-LV-016"), Status::Failed, "without the marker the refusal never comes");
    // Clean first document and harness-driven connectivity: unaffected.
    assert_eq!(status(&r, "SHA-LIITTYVA-001"), Status::Passed, "{}", failures(&r));
    assert_eq!(status(&r, "SHA-YT-001"), Status::Passed);
    assert_eq!(status(&r, "SHA-VIRHE-007"), Status::Passed);
    // Omits the service unit and reuses an id; versions as another controller; reuses an id.
    for id in ["SHA-LIITTYVA2-001", "SHA-LIITTYVA-006", "SHA-TALLENTAVA-002"] {
        assert_eq!(status(&r, id), Status::Failed, "{id} should fail with the faulty client");
    }
    let why =
        r.scenario("SHA-LIITTYVA2-001").and_then(|s| s.steps.iter().find_map(|x| x.error.clone())).unwrap_or_default();
    assert!(why.contains("SHA-R101") || why.contains("SHA-R601"), "{why}");
    assert!(!r.all_passed());
}

async fn adapter_claims_are_not_trusted() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    // An adapter that says "done" but never sends anything: the simulator saw nothing, so the scenario fails.
    let liar = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/actions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"status": "done"})))
        .mount(&liar)
        .await;
    let r = run(options(Some("@SHA-LIITTYVA-001"), SutChoice::Adapter(liar.uri(), 2), SimulatorTarget::Embedded))
        .await
        .expect("run");
    assert_eq!(status(&r, "SHA-LIITTYVA-001"), Status::Failed);
    let why = failures(&r);
    assert!(why.contains("received no message"), "{why}");
    let requests = liar.received_requests().await.expect("recorded");
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).expect("json");
    assert_eq!(body["request"]["action"], "store");
    assert_eq!(body["request"]["document"], "asiakkuus");
    assert_eq!(body["client"]["hetu"], "010181-900C");
    assert_eq!(body["test_case"], "SHA-LIITTYVA-001");

    // An adapter that cannot do the action says so, and the scenario fails with its reason.
    let unable = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/actions"))
        .respond_with(
            ResponseTemplate::new(422)
                .set_body_json(serde_json::json!({"status": "unsupported", "reason": "ei tuettu"})),
        )
        .mount(&unable)
        .await;
    let r = run(options(Some("@SHA-LIITTYVA-001"), SutChoice::Adapter(unable.uri(), 2), SimulatorTarget::Embedded))
        .await
        .expect("run");
    assert!(failures(&r).contains("ei tuettu"), "{}", failures(&r));
}

struct Process(Child);
impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A simulator outside the harness run (the run reaches it by URL).
struct External {
    sim: sha_simulator::server::Running,
    certs: tempfile::TempDir,
    endpoint: String,
    admin: String,
}

impl External {
    fn target(&self) -> SimulatorTarget {
        SimulatorTarget::External {
            endpoint: self.endpoint.clone(),
            admin: self.admin.clone(),
            certs: self.certs.path().to_path_buf(),
        }
    }
}

async fn external_simulator() -> External {
    let certs = tempfile::tempdir().expect("tmp");
    let mut o = sha_simulator::server::Options::new(registry(), certs.path().to_path_buf());
    o.data = sha_simulator::server::DataLocation::Temporary;
    o.listen = "127.0.0.1:0".parse().expect("addr");
    o.admin_listen = "127.0.0.1:0".parse().expect("addr");
    let sim = sha_simulator::server::start(o).await.expect("simulator");
    let endpoint = format!("https://localhost:{}/sha", sim.sha_addr.port());
    let admin = format!("http://{}", sim.admin_addr);
    External { sim, certs, endpoint, admin }
}

async fn adapter_mode_works_against_a_real_second_process() {
    // The simulator (external to the harness run) and the reference adapter in its own process.
    let ext = external_simulator().await;
    let (endpoint, admin, certs) = (ext.endpoint.clone(), ext.admin.clone(), ext.certs.path().to_path_buf());
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
    let _adapter = Process(
        Command::new(env!("CARGO_BIN_EXE_sha-harness"))
            .args([
                "reference-adapter",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--simulator",
                &endpoint,
                "--admin",
                &admin,
            ])
            .arg("--certs")
            .arg(&certs)
            .arg("--systems")
            .arg(root().join("testdata/systems.toml"))
            .stdout(Stdio::null())
            .spawn()
            .expect("reference adapter starts"),
    );
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let tags = "(@yhteistestaus and @liittyva) or @liittymisvelvoite";
    let r = run(options(Some(tags), SutChoice::Adapter(url, 20), ext.target())).await.expect("run");
    assert!(r.scenarios.len() >= 40, "{} scenarios", r.scenarios.len());
    assert!(r.all_passed(), "{}", failures(&r));
    ext.sim.shutdown().await.expect("shutdown");
}

async fn english_phrasing_runs() {
    let mut o = options(None, SutChoice::Builtin, SimulatorTarget::Embedded);
    o.features = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/features/english.feature");
    let r = run(o).await.expect("run");
    assert_eq!(r.scenarios.len(), 3);
    assert!(r.all_passed(), "{}", failures(&r));
}

async fn a_seeded_run_varies_and_still_passes() {
    // Authors, social services and structured document types drawn from the tables (--seed).
    let mut o = options(Some("@liittymisvelvoite or @kayttoonottokoe"), SutChoice::Builtin, SimulatorTarget::Embedded);
    o.seed = Some(2026);
    let r = run(o).await.expect("run");
    assert!(r.scenarios.len() >= 40);
    assert!(r.all_passed(), "{}", failures(&r));
    assert_eq!(r.seed, Some(2026));
    assert!(report::finnish::render(&r, "1.2.3", "liittymisvelvoite").contains("| Vaihtelun siemen (--seed) | 2026 |"));
}

async fn the_no_change_check_sees_a_change() {
    let mut o = options(None, SutChoice::Builtin, SimulatorTarget::Embedded);
    o.features = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/features/muutos.feature");
    let r = run(o).await.expect("run");
    assert_eq!(status(&r, "SHA-ITSE-001"), Status::Failed);
    assert!(failures(&r).contains("arkiston sisältö muuttui"), "{}", failures(&r));
}

/// Replaces what differs between runs: new OIDs, journal numbers, durations, the run's date.
fn normalise(text: &str, started: &str) -> String {
    let rules = [
        (r"2\.25\.\d+", "2.25.<oid>"),
        (r":\d{15,}", ":<id>"),
        (r"#\d+", "#<n>"),
        (r"journal: \[[\d, ]*\]", "journal: [<n>]"),
        (r#"time="[\d.]+""#, r#"time="<s>""#),
        (r"\d+ ms", "<n> ms"),
    ];
    let mut out = text.replace(started, "<date>");
    for (re, to) in rules {
        out = regex::Regex::new(re).expect("regex").replace_all(&out, to).into_owned();
    }
    out
}

async fn reports_match_their_golden_files() {
    let mut o = options(None, SutChoice::Builtin, SimulatorTarget::Embedded);
    o.features = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/features/raportti.feature");
    let r = run(o).await.expect("run");
    assert_eq!(r.counts(), (2, 1, 0), "{}", failures(&r));
    let golden = root().join("testdata/golden");
    let update = std::env::var_os("SHA_UPDATE_GOLDEN").is_some();
    let mut differ = Vec::new();
    for (file, text) in [
        ("junit.xml", sha_harness::report::junit::render(&r)),
        ("raportti.html", sha_harness::report::html::render(&r)),
        ("testiraportti.md", sha_harness::report::finnish::render(&r, "1.2.246.10.99990001.10.0", "liittymisvelvoite")),
    ] {
        let got = normalise(&text, &r.started);
        let path = golden.join(file);
        if update {
            std::fs::write(&path, &got).expect("write golden");
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        if got != want {
            let line = got.lines().zip(want.lines()).position(|(a, b)| a != b).unwrap_or(0);
            differ.push(format!(
                "{file} differs from {} at line {}:\n  got:  {}\n  want: {}",
                path.display(),
                line + 1,
                got.lines().nth(line).unwrap_or(""),
                want.lines().nth(line).unwrap_or("")
            ));
        }
    }
    assert!(differ.is_empty(), "{}\n(run with SHA_UPDATE_GOLDEN=1 after checking the change)", differ.join("\n"));
}

async fn manual_mode_passes_when_the_tester_acts() {
    let ext = external_simulator().await;
    let endpoint = ext.endpoint.clone();
    let sim = &ext.sim;
    // The "tester" records the clienthood in "their system" a moment after the instruction appears.
    let certs_path = sim.certs.clone();
    let clock = sim.state.clock.clone();
    let tester = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(3)).await;
        // The scenario moved the simulator's clock to 2022; the tester's system is dated accordingly.
        let now = clock.now();
        let p = sha_simulator::persons::TestPersons::builtin().get("aikuinen").expect("person").clone();
        let kit = sha_simulator::compose::kit::Kit::new(
            sha_simulator::compose::kit::Organisation::testila(),
            now - time::Duration::minutes(1),
        );
        let doc = kit.clienthood(&p);
        let msg = sha_simulator::compose::RequestBuilder::for_operation(
            sha_simulator::interactions::Operation::Store,
            Some(doc.kind),
            "1.2.246.10.99990001.10.0",
            now,
        )
        .acting_organisation("1.2.246.10.99990001.10.0")
        .document(doc.clinical_document())
        .build();
        let client =
            sha_simulator::client::SoapClient::for_system(&endpoint, &certs_path, "liittyva-atj").expect("client");
        client.exchange(&msg).await.expect("sent")
    });
    let r = run(options(Some("@SHA-LIITTYVA-001"), SutChoice::Manual(30), ext.target())).await.expect("run");
    let sent = tester.await.expect("tester");
    assert!(sent.accepted(), "{:?}", sent.codes);
    assert_eq!(status(&r, "SHA-LIITTYVA-001"), Status::Passed, "{}", failures(&r));
    ext.sim.shutdown().await.expect("shutdown");
}

async fn manual_mode_waits_for_the_tester() {
    // Nobody acts: the scenario fails after the timeout with a clear message.
    let r =
        run(options(Some("@SHA-LIITTYVA-001"), SutChoice::Manual(2), SimulatorTarget::Embedded)).await.expect("run");
    assert_eq!(status(&r, "SHA-LIITTYVA-001"), Status::Failed);
    assert!(failures(&r).contains("ei vastaanottanut"), "{}", failures(&r));
}

/// A named test of this custom runner.
type NamedTest = (&'static str, std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>);

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let tests: Vec<NamedTest> = vec![
        (
            "whole_catalogue_passes_with_the_reference_client",
            Box::pin(whole_catalogue_passes_with_the_reference_client()),
        ),
        ("faulty_client_fails_the_scenarios_it_should", Box::pin(faulty_client_fails_the_scenarios_it_should())),
        ("adapter_claims_are_not_trusted", Box::pin(adapter_claims_are_not_trusted())),
        (
            "adapter_mode_works_against_a_real_second_process",
            Box::pin(adapter_mode_works_against_a_real_second_process()),
        ),
        ("manual_mode_waits_for_the_tester", Box::pin(manual_mode_waits_for_the_tester())),
        ("manual_mode_passes_when_the_tester_acts", Box::pin(manual_mode_passes_when_the_tester_acts())),
        ("english_phrasing_runs", Box::pin(english_phrasing_runs())),
        ("the_no_change_check_sees_a_change", Box::pin(the_no_change_check_sees_a_change())),
        ("a_seeded_run_varies_and_still_passes", Box::pin(a_seeded_run_varies_and_still_passes())),
        ("reports_match_their_golden_files", Box::pin(reports_match_their_golden_files())),
    ];
    let mut failed = 0;
    let total = tests.len();
    for (name, t) in tests {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rt.block_on(t)));
        match r {
            Ok(()) => println!("test {name} ... ok"),
            Err(_) => {
                println!("test {name} ... FAILED");
                failed += 1;
            }
        }
    }
    println!("{} passed, {} failed", total - failed, failed);
    if failed > 0 {
        std::process::exit(1);
    }
}
