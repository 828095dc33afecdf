//! The hostile-input suite (docs/security.md): each case sent over mutual TLS as an attacker
//! would, each asserting the exact refusal, that nothing was stored, and that the simulator
//! still answers afterwards.

mod common;

use std::time::Duration;

use common::{document_count, ix, Sim};
use sha_simulator::compose::cda::DocumentSpec;
use sha_simulator::compose::kit::{Kit, Organisation};
use sha_simulator::compose::{Part, QueryBuilder};
use sha_simulator::persons::TestPersons;
use sha_simulator::wire::frame::{FrameDocument, FrameText};
use sha_simulator::wire::mime;
use sha_simulator::wire::soap::SoapVersion;

fn person() -> &'static sha_simulator::persons::TestPerson {
    TestPersons::builtin().get("aikuinen").expect("test person")
}

async fn still_up(sim: &Sim) {
    let r = sim
        .actor("liittymisvelvoite-atj", &Organisation::testila().controller)
        .query(ix::KOOSTE, QueryBuilder::new().client(&person().hetu))
        .await;
    assert!(r.accepted(), "the simulator still answers: {:?}", r.codes);
}

/// A clienthood document for the test person, dated a minute before the simulator's now.
fn clienthood(sim: &Sim) -> DocumentSpec {
    Kit::new(Organisation::testila(), sim.clock().now() - time::Duration::minutes(1)).clienthood(person())
}

/// The wrapper's document carrying `spec`'s CDA with one textual edit.
fn edited(spec: &DocumentSpec, from: &str, to: &str) -> FrameDocument {
    let cda = String::from_utf8(spec.cda_bytes()).expect("utf-8");
    assert!(cda.contains(from), "{from} not in the CDA");
    let parts = vec![Part::new(&spec.id, "text/xml", cda.replacen(from, to, 1).into_bytes())];
    FrameDocument::repeating(&spec.document(), FrameText::Mime(mime::write(&parts)))
}

/// Sends SOAP text as liittymisvelvoite-atj; returns (HTTP status, body).
async fn send(sim: &Sim, body: String) -> (u16, String) {
    let r = sim.client("liittymisvelvoite-atj").send(SoapVersion::V11, body).await.expect("sent");
    (r.status, r.body)
}

fn store_text(sim: &Sim, fd: FrameDocument) -> String {
    sim.actor("liittymisvelvoite-atj", &Organisation::testila().controller)
        .request(ix::STORE, Some(sha_simulator::document::DocumentKind::Asiakkuus))
        .document(fd)
        .soap(SoapVersion::V11)
}

/// Asserts the answer carries `code` (as a fault or an acknowledgement detail), nothing was
/// stored, and the simulator still answers.
async fn refused(sim: &Sim, what: &str, (status, body): (u16, String), code: &str) {
    assert!(
        body.contains(&format!(">{code}<")) || body.contains(&format!("\"{code}\"")),
        "{what}: expected {code}, got HTTP {status}: {}",
        &body[..body.len().min(1500)]
    );
    assert!(!body.contains("typeCode=\"AA\""), "{what}: accepted");
    assert_eq!(document_count(sim).await, 0, "{what}: something was stored");
    still_up(sim).await;
}

#[tokio::test]
async fn hostile_xml_is_refused_quickly_and_by_name() {
    let sim = Sim::start().await;
    let base = store_text(&sim, clienthood(&sim).clinical_document());
    // 100 000 attributes on one element (about 1 MB): refused at the limit, not parsed pairwise.
    let attrs: String = (0..100_000).map(|i| format!(" a{i}=\"\"")).collect();
    let t = std::time::Instant::now();
    let r = send(&sim, base.replacen("<soap:Body>", &format!("<soap:Body><x{attrs}/>"), 1)).await;
    assert!(t.elapsed() < Duration::from_secs(20), "took {:?}", t.elapsed());
    refused(&sim, "attribute flood", r, "SHA-T004").await;
    let decls: String = (0..10_000).map(|i| format!(" xmlns:p{i}=\"urn:{i}\"")).collect();
    let r = send(&sim, base.replacen("<soap:Body>", &format!("<soap:Body{decls}>"), 1)).await;
    refused(&sim, "namespace flood", r, "SHA-T004").await;
    let r = send(&sim, base.replacen("<soap:Body>", "<soap:Body>\u{0}", 1)).await;
    refused(&sim, "NUL character", r, "SHA-T002").await;
    let r = send(&sim, base.replacen("version=\"1.0\"", "version=\"1.1\"", 1)).await;
    refused(&sim, "XML 1.1", r, "SHA-T002").await;
    let header = "<soap:Header><sec:Security xmlns:sec=\"urn:x\" soap:mustUnderstand=\"1\"/></soap:Header>";
    let r = send(&sim, base.replacen("<soap:Body>", &format!("{header}<soap:Body>"), 1)).await;
    assert!(r.1.contains("soap:MustUnderstand"), "{}", r.1);
    refused(&sim, "mustUnderstand", r, "SHA-T012").await;
}

#[tokio::test]
async fn a_message_means_one_thing_or_is_refused() {
    let sim = Sim::start().await;
    let spec = clienthood(&sim);
    let base = store_text(&sim, spec.clinical_document());
    let other = TestPersons::builtin().get("aikuinen_mies").expect("second person").hetu.clone();
    // Two clients in the CDA.
    let cda = String::from_utf8(spec.cda_bytes()).expect("utf-8");
    let start = cda.find("<recordTarget").expect("recordTarget");
    let end = cda.find("</recordTarget>").expect("end") + "</recordTarget>".len();
    let second = cda[start..end].replace(&person().hetu, &other);
    let r = send(&sim, store_text(&sim, edited(&spec, "</recordTarget>", &format!("</recordTarget>{second}")))).await;
    refused(&sim, "two recordTargets", r, "SHA-M010").await;
    // Two custodians.
    let cs = cda.find("<custodian").expect("custodian");
    let ce = cda.find("</custodian>").expect("end") + "</custodian>".len();
    let r = send(&sim, store_text(&sim, edited(&spec, "</custodian>", &format!("</custodian>{}", &cda[cs..ce])))).await;
    refused(&sim, "two custodians", r, "SHA-M010").await;
    // Two documents in the wrapper.
    let ss = base.find("<subject").expect("subject");
    let se = base.find("</subject>").expect("end") + "</subject>".len();
    let r = send(&sim, base.replacen("</subject>", &format!("</subject>{}", &base[ss..se]), 1)).await;
    refused(&sim, "two subjects", r, "SHA-M010").await;
    // Two interaction ids.
    let is = base.find("<interactionId").expect("interactionId");
    let ie = is + base[is..].find("/>").expect("end") + 2;
    let r = send(&sim, base.replacen(&base[is..ie], &format!("{0}{0}", &base[is..ie]), 1)).await;
    refused(&sim, "two interactionIds", r, "SHA-M010").await;
    // Two acting organisations, and none.
    let ps = base.find("<authorOrPerformer").expect("performer");
    let pe = base.find("</authorOrPerformer>").expect("end") + "</authorOrPerformer>".len();
    let performer = &base[ps..pe];
    let r = send(&sim, base.replacen(performer, &format!("{performer}{performer}"), 1)).await;
    refused(&sim, "two authorOrPerformers", r, "SHA-M010").await;
    let r = send(&sim, base.replacen(performer, "", 1)).await;
    refused(&sim, "no authorOrPerformer", r, "SHA-M002").await;
    // Acting as another registered controller than the system's own.
    let kyla = Organisation::testikyla().controller;
    let r =
        send(&sim, base.replacen(performer, &performer.replace(&Organisation::testila().controller, &kyla), 1)).await;
    refused(&sim, "acting as another controller", r, "SHA-R401").await;
    // A second part with the document's Content-ID (another client's CDA under the same id).
    let twin = cda.replace(&person().hetu, &other);
    let parts = vec![
        Part::new(&spec.id, "text/xml", cda.clone().into_bytes()),
        Part::new(&spec.id, "text/xml", twin.into_bytes()),
    ];
    let fd = FrameDocument::repeating(&spec.document(), FrameText::Mime(mime::write(&parts)));
    let r = send(&sim, store_text(&sim, fd)).await;
    refused(&sim, "duplicate Content-ID", r, "SHA-R708").await;
}

#[tokio::test]
async fn identifiers_are_oids_and_json_keys_are_unique() {
    let sim = Sim::start().await;
    let spec = clienthood(&sim);
    for (what, bad) in [
        ("path as id", "../../../../etc/x".to_string()),
        ("markup in id", "2.25.1\" onmouseover=\"alert(1)".to_string()),
        ("20 000 arcs", format!("1.2.{}", vec!["1"; 20_000].join("."))),
    ] {
        let mut s = spec.clone();
        s.id = bad.clone();
        s.set_id = bad;
        let r = send(&sim, store_text(&sim, s.clinical_document())).await;
        refused(&sim, what, r, "SHA-R006").await;
    }
    // A structured form naming a key twice: one reader would see one client, another the other.
    let json = spec.parts.iter().find(|p| p.media_type == "application/json").expect("clienthood JSON");
    let text = String::from_utf8(json.bytes.clone()).expect("utf-8");
    let twice = text.replacen('{', "{\"asiakkuusasiakirja\": {}, ", 1);
    let mut s = spec.clone();
    for p in s.parts.iter_mut().filter(|p| p.media_type == "application/json") {
        p.bytes = twice.clone().into_bytes();
    }
    let r = send(&sim, store_text(&sim, s.clinical_document())).await;
    refused(&sim, "duplicate JSON key", r, "SHA-R705").await;
}

#[tokio::test]
async fn display_forms_with_active_content_are_refused_by_name() {
    let sim = Sim::start().await;
    let spec = clienthood(&sim);
    for (what, html) in [
        (
            "tab in javascript:",
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><a href="java&#x09;script:alert(1)">x</a></div>"#,
        ),
        (
            "formaction",
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><button formaction="javascript:alert(1)">x</button></div>"#,
        ),
        (
            "meta refresh",
            r#"<html xmlns="http://www.w3.org/1999/xhtml"><head><meta http-equiv="refresh" content="0;url=https://evil.example/"/></head><body/></html>"#,
        ),
        (
            "base href",
            r#"<html xmlns="http://www.w3.org/1999/xhtml"><head><base href="https://evil.example/"/></head><body/></html>"#,
        ),
        (
            "external image",
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><img src="https://tracker.example/p.png"/></div>"#,
        ),
        ("CSS url", r#"<div xmlns="http://www.w3.org/1999/xhtml" style="background:url(javascript:alert(1))">x</div>"#),
        ("vbscript", r#"<div xmlns="http://www.w3.org/1999/xhtml"><a href="vbscript:msgbox(1)">x</a></div>"#),
    ] {
        let mut s = spec.clone();
        for p in s.parts.iter_mut().filter(|p| p.media_type == "application/xhtml+xml") {
            p.bytes = html.as_bytes().to_vec();
        }
        let r = send(&sim, store_text(&sim, s.clinical_document())).await;
        refused(&sim, what, r, "SHA-R704").await;
    }
}

#[tokio::test]
async fn an_ambiguous_certificate_is_refused_and_journalled_as_presented() {
    let sim = Sim::start().await;
    // A certificate from the trusted CA naming two CNs.
    let certs = &sim.running.certs;
    let issuer_key =
        rcgen::KeyPair::from_pem(&std::fs::read_to_string(certs.service_ca_key()).expect("key")).expect("key");
    let issuer_pem = std::fs::read_to_string(certs.service_ca_cert()).expect("cert");
    let issuer =
        rcgen::CertificateParams::from_ca_cert_pem(&issuer_pem).expect("ca").self_signed(&issuer_key).expect("issuer");
    let mut p = rcgen::CertificateParams::default();
    p.distinguished_name.push(rcgen::DnType::CommonName, "liittymisvelvoite-atj");
    p.distinguished_name.push(rcgen::DnType::CustomDnType(vec![2, 5, 4, 3]), "tallentava-atj");
    p.distinguished_name.push(rcgen::DnType::CustomDnType(vec![2, 5, 4, 5]), Organisation::testila().controller);
    p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    p.use_authority_key_identifier_extension = true;
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = p.signed_by(&key, &issuer, &issuer_key).expect("cert");
    let dir = tempfile::tempdir().expect("tmp");
    let (cp, kp) = (dir.path().join("two.pem"), dir.path().join("two.key"));
    std::fs::write(&cp, format!("{}{issuer_pem}", cert.pem())).expect("write");
    std::fs::write(&kp, key.serialize_pem()).expect("write");
    let client =
        sha_simulator::client::SoapClient::new(&sim.endpoint(), &certs.ca_cert(), Some((&cp, &kp))).expect("client");
    let body = store_text(&sim, clienthood(&sim).clinical_document());
    let r = client.send(SoapVersion::V11, body).await.expect("handshake passes");
    refused(&sim, "two CNs", (r.status, r.body), "SHA-M011").await;
    let j = sim.admin_json("/admin/journal?limit=5").await;
    let presented =
        j["entries"].as_array().expect("entries").iter().find(|e| e["ack_codes"][0] == "SHA-M011").expect("journalled");
    let subject = presented["certificate"].as_str().expect("subject");
    assert!(subject.contains("liittymisvelvoite-atj") && subject.contains("tallentava-atj"), "{subject}");
}

#[tokio::test]
async fn a_certificate_holds_a_bounded_number_of_connections() {
    let sim = Sim::start_with(|o| o.connections_per_certificate = 2).await;
    let open = |sim: &Sim| {
        let c = &sim.running.certs;
        let cfg = sha_simulator::client::tls_config(
            &c.ca_cert(),
            Some((&c.system_cert("liittymisvelvoite-atj"), &c.system_key("liittymisvelvoite-atj"))),
        )
        .expect("tls");
        let addr = sim.running.sha_addr;
        async move {
            let tcp = tokio::net::TcpStream::connect(addr).await.expect("tcp");
            let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
            tokio_rustls::TlsConnector::from(std::sync::Arc::new(cfg)).connect(name, tcp).await
        }
    };
    let first = open(&sim).await.expect("first");
    let second = open(&sim).await.expect("second");
    // The third completes its handshake and is then closed without an answer.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    if let Ok(mut third) = open(&sim).await {
        let _ = third.write_all(b"GET /sha?wsdl HTTP/1.1\r\nHost: localhost\r\n\r\n").await;
        let mut buf = [0u8; 64];
        let n = tokio::time::timeout(Duration::from_secs(10), third.read(&mut buf))
            .await
            .expect("closed in time")
            .unwrap_or(0);
        assert_eq!(n, 0, "the third connection was served: {}", String::from_utf8_lossy(&buf[..n]));
    }
    let j = sim.admin_json("/admin/journal?outcome=tls_refused&limit=5").await;
    assert!(j["entries"].as_array().expect("entries").iter().any(|e| e["ack_codes"][0] == "SHA-T013"), "{j}");
    drop((first, second));
    // Slots come back when connections close.
    tokio::time::sleep(Duration::from_millis(300)).await;
    still_up(&sim).await;
}
