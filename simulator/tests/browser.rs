//! The archivist view in a real browser: headless Debian chromium driven over
//! WebDriver (chromedriver). A trainer's walk-through: seed a fixture, search
//! a client, open a document and read its metadata, check the journal page.
//! Screenshots go to target/screenshots/ (and docs/img/ with SHA_SCREENSHOTS=docs).
//!
//! Needs `chromium` and `chromium-driver` (Debian), which `.ci/run` installs. Without
//! them the test fails in CI and is skipped with a notice elsewhere.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{ix, Sim};
use fantoccini::{ClientBuilder, Locator};
use sha_simulator::compose::kit::Organisation;
use sha_simulator::compose::QueryBuilder;
use sha_simulator::persons::TestPersons;

struct Driver(Child);
impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn find(bin: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| std::env::split_paths(&paths).map(|p| p.join(bin)).find(|p| p.is_file()))
}

async fn start_driver() -> Option<(Driver, u16)> {
    let (Some(driver), Some(_)) = (find("chromedriver"), find("chromium")) else {
        assert!(std::env::var_os("CI").is_none(), "CI must have chromium and chromium-driver (.ci/run installs them)");
        eprintln!("NOTE: browser test skipped: install Debian's chromium and chromium-driver to run it");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let d = Driver(child);
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some((d, port));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start listening");
}

async fn shot(c: &fantoccini::Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join(format!("{name}.png")), &png).expect("write");
    if std::env::var("SHA_SCREENSHOTS").as_deref() == Ok("docs") {
        let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/img");
        std::fs::create_dir_all(&docs).expect("dir");
        std::fs::write(docs.join(format!("{name}.png")), &png).expect("write");
    }
}

#[tokio::test]
async fn trainer_walks_through_the_archivist_view_in_a_browser() {
    let Some((_driver, port)) = start_driver().await else { return };
    let sim = Sim::start().await;
    // Some journal traffic to look at: one accepted query, one refused store.
    let ctrl = Organisation::testila().controller;
    let child = TestPersons::builtin().get("perhe_lapsi").expect("child");

    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--window-size=1280,900"]}),
    );
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("browser session");

    // Dashboard → seed the family fixture with the button.
    c.goto(&sim.admin("/ui")).await.expect("dashboard");
    shot(&c, "dashboard-empty").await;
    c.find(Locator::Id("seed-perhe")).await.expect("seed button").click().await.expect("click");
    // The seed redirects to the first client's page.
    let found = c.wait().for_element(Locator::Id("client-name")).await;
    if found.is_err() {
        shot(&c, "failed-after-seed").await;
        panic!(
            "client page: {found:?}; the browser is at {:?}: {}",
            c.current_url().await,
            c.source().await.unwrap_or_default()
        );
    }
    let name = found.expect("client page").text().await.expect("text");
    assert!(name.contains("110685-915C"), "{name}");

    // Search another client of the family with the form.
    c.goto(&sim.admin("/ui/asiakas")).await.expect("search page");
    c.find(Locator::Id("hetu")).await.expect("hetu field").send_keys(&child.hetu).await.expect("type");
    c.find(Locator::Id("search-button")).await.expect("button").click().await.expect("search");
    let name = c.wait().for_element(Locator::Id("client-name")).await.expect("results").text().await.expect("text");
    assert!(name.contains(&child.hetu) && name.contains(&child.family_name), "{name}");
    let page = c.source().await.expect("source");
    assert!(page.contains("mitätöity") && page.contains("korvattu"), "versions and invalidations are visible");
    shot(&c, "asiakas").await;

    // Open a document and read its metadata.
    c.find(Locator::Css("a.doc-link")).await.expect("document link").click().await.expect("open");
    let table =
        c.wait().for_element(Locator::Id("metadata")).await.expect("metadata table").text().await.expect("text");
    assert!(
        table.contains("Rekisterinpitäjä") && table.contains("Testilän kaupunki") && table.contains(&child.hetu),
        "{table}"
    );
    let versions = c.find(Locator::Id("versions")).await.expect("versions").text().await.expect("text");
    assert!(versions.contains("v."));
    shot(&c, "asiakirja").await;

    // English switch.
    c.find(Locator::Id("lang-switch")).await.expect("switch").click().await.expect("click");
    let table = c.wait().for_element(Locator::Id("metadata")).await.expect("metadata").text().await.expect("text");
    assert!(table.contains("Controller"), "{table}");

    // Journal: a refused message and its rule.
    let a = sim.actor("katseleva-atj", &ctrl);
    let kit = sha_simulator::compose::kit::Kit::new(Organisation::testila(), sim.clock().now());
    let _ = a.store(&kit.clienthood(child)).await;
    let _ = a.query(ix::KOOSTE, QueryBuilder::new().client(&child.hetu)).await;
    c.goto(&sim.admin("/ui/journal")).await.expect("journal");
    let j = c.find(Locator::Id("journal")).await.expect("journal table").text().await.expect("text");
    assert!(j.contains("SHA-R402"), "{j}");
    shot(&c, "sanomaloki").await;
    c.find(Locator::Css("a.journal-link")).await.expect("entry link").click().await.expect("open");
    let resp = c.wait().for_element(Locator::Id("response")).await.expect("response").text().await.expect("text");
    assert!(resp.contains("acknowledgement"), "{resp}");
    shot(&c, "sanoma").await;

    c.goto(&sim.admin("/ui")).await.expect("dashboard");
    let count = c.find(Locator::Id("count-documents")).await.expect("count").text().await.expect("text");
    assert!(!count.contains(" 0"), "{count}");
    shot(&c, "dashboard").await;
    c.close().await.expect("close");
}
