//! The archivist view's pages over HTTP (no browser): every page renders, in
//! Finnish and English, shows what the archive holds, and escapes what it shows.

mod common;

use common::{ix, Sim};
use sha_simulator::compose::kit::Organisation;
use sha_simulator::compose::QueryBuilder;
use sha_simulator::persons::TestPersons;

async fn page(sim: &Sim, path: &str) -> (u16, String) {
    let r = reqwest::get(sim.admin(path)).await.expect("ui reachable");
    (r.status().as_u16(), r.text().await.expect("text"))
}

#[tokio::test]
async fn pages_show_a_seeded_family_with_versions_invalidations_and_journal() {
    let sim = Sim::start().await;
    let (status, dash) = page(&sim, "/ui").await;
    assert_eq!(status, 200);
    assert!(dash.contains("Yleiskuva") && dash.contains("perhe") && dash.contains("Simulaattorin kello"));
    let c = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let r = c.post(sim.admin("/ui/seed/perhe")).send().await.expect("seed");
    assert_eq!(r.status().as_u16(), 303);
    let child = TestPersons::builtin().get("perhe_lapsi").expect("child");
    let ctrl = Organisation::testila().controller;
    let (status, client) = page(&sim, &format!("/ui/asiakas?hetu={}&controller={ctrl}", child.hetu)).await;
    assert_eq!(status, 200);
    assert!(client.contains(&child.given_names), "client name shown");
    assert!(
        client.contains("Asiakkuudet")
            && client.contains("mitätöity")
            && client.contains("korvattu")
            && client.contains("voimassa")
    );
    // Open a document and see its metadata and its versions.
    let href = client
        .split("href=\"/ui/asiakirja/")
        .nth(1)
        .and_then(|s| s.split('?').next())
        .expect("a document link")
        .to_string();
    let (status, doc) = page(&sim, &format!("/ui/asiakirja/{href}")).await;
    assert_eq!(status, 200);
    assert!(doc.contains("Rekisterinpitäjä") && doc.contains("Testilän kaupunki") && doc.contains("Versiot"));
    let (status, en) = page(&sim, &format!("/ui/asiakirja/{href}?lang=en")).await;
    assert_eq!(status, 200);
    assert!(en.contains("Controller") && en.contains("Versions") && en.contains("lang=\"en\""));
    // The journal page shows a message with its ack's rule.
    let a = sim.actor("katseleva-atj", &ctrl);
    let _ = a
        .store(&sha_simulator::compose::kit::Kit::new(Organisation::testila(), sim.clock().now()).clienthood(child))
        .await;
    let _ = a.query(ix::KOOSTE, QueryBuilder::new().client(&child.hetu)).await;
    let (status, j) = page(&sim, "/ui/journal").await;
    assert_eq!(status, 200);
    assert!(j.contains("SHA-R402"));
    let seq = j.split("href=\"/ui/journal/").nth(1).and_then(|s| s.split('?').next()).expect("entry link").to_string();
    let (status, entry) = page(&sim, &format!("/ui/journal/{seq}")).await;
    assert_eq!(status, 200);
    assert!(entry.contains("Pyyntö") && entry.contains("Vastaus") && entry.contains("QUQI_IN200002FI01"));
    let (status, _) = page(&sim, "/ui/journal/999999").await;
    assert_eq!(status, 404);
    let (status, _) = page(&sim, "/ui/asiakirja/no-such-id").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn stored_xhtml_is_shown_without_its_scripts() {
    let sim = Sim::start().await;
    sim.clock().set(time::macros::datetime!(2022-06-01 12:00 UTC), false);
    let kit =
        sha_simulator::compose::kit::Kit::new(Organisation::testila(), time::macros::datetime!(2022-06-01 10:00 UTC));
    let p = TestPersons::builtin().get("aikuinen").expect("p");
    let mut hood = kit.clienthood(p);
    // A display form with a script would be refused on store (SHA-R704); names with markup are fine and must be escaped.
    hood.given_names = "<b>Aino</b>".into();
    let a = sim.actor("liittyva2-atj", &kit.org.controller);
    a.store_ok(&hood).await;
    let (_, page_text) = page(&sim, &format!("/ui/asiakas?hetu={}&controller={}", p.hetu, kit.org.controller)).await;
    assert!(page_text.contains("&lt;b&gt;Aino&lt;/b&gt;"), "names are escaped");
    assert!(!page_text.contains("<b>Aino</b>"));
    // The document page: a strict policy, and the stored XHTML only in a sandboxed frame whose
    // own answer is sandboxed too.
    let r = reqwest::get(sim.admin(&format!("/ui/asiakirja/{}", hood.id))).await.expect("page");
    let csp = r.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(csp.contains("default-src 'none'") && !csp.contains("script-src"), "{csp}");
    let text = r.text().await.expect("text");
    let frame = text.find("<iframe class=\"xhtml\" sandbox=\"\"").expect("a sandboxed XHTML frame");
    let src = text[frame..].split("src=\"").nth(1).and_then(|x| x.split('"').next()).expect("src").to_string();
    let part = reqwest::get(sim.admin(&src)).await.expect("part");
    let csp = part.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(csp.starts_with("sandbox") && csp.contains("default-src 'none'"), "{csp}");
}

#[tokio::test]
async fn structured_forms_show_as_named_trees_and_the_disclosure_log_is_listed() {
    use sha_simulator::compose::kit::Kit;
    use sha_simulator::document::DocumentModel;
    let sim = Sim::start().await;
    sim.clock().set(time::macros::datetime!(2026-11-20 12:00 UTC), true);
    let home = Kit::new(Organisation::hyvinvointialue(), time::macros::datetime!(2026-11-20 10:00 UTC));
    let other = Kit::new(Organisation::toinen_hyvinvointialue(), time::macros::datetime!(2026-11-20 10:00 UTC));
    let p = TestPersons::builtin().get("lapsi").expect("p");
    let a = sim.actor("hyvinvointialue-atj", &home.org.controller);
    let case = a.open_case(&home, p).await;
    let doc = home.client_document(p, &case, DocumentModel::Liittymisvelvoite);
    a.store_ok(&doc).await;
    a.store_ok(&home.informing(p)).await;
    a.store_ok(&home.consent(p, true)).await;
    let b = sim.actor("toinen-hva-atj", &other.org.controller);
    b.store_ok(&other.clienthood(p)).await;
    let r = b.query(ix::Q_METADATA, QueryBuilder::new().client(&p.hetu).flag("disclosure", true)).await;
    assert!(r.accepted(), "{:?}", r.codes);
    let (_, client) = page(&sim, &format!("/ui/asiakas?hetu={}&controller={}", p.hetu, home.org.controller)).await;
    assert!(client.contains("Luovutusloki") && client.contains("luovutuslupa"), "the disclosure log is listed");
    let (_, d) = page(&sim, &format!("/ui/asiakirja/{}", doc.id)).await;
    assert!(
        d.contains("class=\"structured\"") && d.contains("Lastensuojelun palvelu- tai tukitoimipäätös"),
        "structured form as a named tree"
    );
}
