//! Messages written by hand from SPEC §6 in the shape of real SHA test messages
//! (testdata/handwritten): a vendor's own organisation registered through the admin
//! API, each wrapper and document pair judged by the validation-service stand-in
//! (an empty 200), then sent whole over mutual TLS and accepted (AA) — clienthood,
//! case, structured client plan, in that order. None of it comes from the composer.

mod common;

use base64::Engine as _;
use common::Sim;
use serde_json::json;

fn file(name: &str) -> String {
    let p = common::testdata().join("handwritten").join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

const PAIRS: [(&str, &str, &str, &str); 3] = [
    ("asiakkuus-kehys.xml", "asiakkuus.xml", "SP1", "1.2.246.10.12345678.95.2026.1.1"),
    ("asia-kehys.xml", "asia.xml", "SP2", "1.2.246.10.12345678.95.2026.1.2"),
    ("suunnitelma-kehys.xml", "suunnitelma.xml", "SP17", "1.2.246.10.12345678.95.2026.1.3"),
];

async fn register(sim: &Sim) {
    let r = reqwest::Client::new()
        .post(sim.admin("/admin/systems"))
        .json(&json!({
            "name": "esimerkki-atj",
            "organisation": "1.2.246.10.12345678.10.0",
            "description": "Esimerkin hyvinvointialueen asiakastietojärjestelmä",
            "controllers": [{"oid": "1.2.246.10.12345678.10.0", "profile": "liittymisvelvoite"}]
        }))
        .send()
        .await
        .expect("admin reachable");
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
}

async fn shark(sim: &Sim, frame: &str, document: &str, sp: &str, query: &str) -> (u16, String) {
    let body = json!({
        "messageId": "1234567890",
        "palveluPyynto": sp,
        "level": "1",
        "siirtokehysXml": frame,
        // As Kela's published client sends it: a UTF-16 declaration on a JSON (Unicode) string.
        "asiakirjaXml": format!("<?xml version=\"1.0\" encoding=\"utf-16\"?> {}", document.trim_start_matches("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")),
    });
    let r = reqwest::Client::new()
        .post(sim.admin(&format!("/shark-validointi/validoi/asiakirja/tulos{query}")))
        .json(&body)
        .send()
        .await
        .expect("reachable");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

/// The whole message: the frame with the package in place of its placeholder, in a SOAP envelope.
fn whole_message(frame: &str, document: &str, id: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(document.as_bytes());
    let lines: Vec<&str> = b64.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).expect("ascii")).collect();
    let package = file("paketti.mime").replace("{DOCUMENT_ID}", id).replace("{CDA_BASE64}", &lines.join("\r\n"));
    let start = frame.find("<mimeEncode>").expect("placeholder");
    let end = frame.find("</mimeEncode>").expect("placeholder end") + "</mimeEncode>".len();
    let framed = format!("{}{}{}", &frame[..start], package, &frame[end..]);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">\r\n<soapenv:Header/>\r\n<soapenv:Body>\r\n{framed}</soapenv:Body>\r\n</soapenv:Envelope>\r\n"
    )
}

#[test]
fn the_documents_carry_exactly_their_content_files() {
    for (doc, content) in [
        ("asiakkuus", "xhtml"),
        ("asiakkuus", "json"),
        ("asia", "xhtml"),
        ("asia", "json"),
        ("suunnitelma", "xhtml"),
        ("suunnitelma", "json"),
    ] {
        let want = base64::engine::general_purpose::STANDARD.encode(file(&format!("{doc}.{content}")));
        let text: String = file(&format!("{doc}.xml")).split_whitespace().collect();
        assert!(text.contains(&want), "{doc}.xml does not carry {doc}.{content}");
    }
}

#[tokio::test]
async fn hand_written_real_shape_messages_pass_validation_and_are_accepted() {
    let sim = Sim::start().await;
    register(&sim).await;
    for (frame, doc, sp, _) in PAIRS {
        let (status, body) = shark(&sim, &file(frame), &file(doc), sp, "").await;
        assert_eq!((status, body.as_str()), (200, ""), "{doc}: the validation service found errors");
        // Warnings never fail a pair; asked for, they come as a JSON body naming the open register.
        let (status, body) = shark(&sim, &file(frame), &file(doc), sp, "?varoitukset=1").await;
        assert_eq!(status, 200);
        assert!(body.contains("SHA-R205"), "{doc}: {body}");
    }
    let client = sim.client("esimerkki-atj");
    for (frame, doc, _, id) in PAIRS {
        let msg = whole_message(&file(frame), &file(doc), id);
        let r = client.send(sha_simulator::wire::soap::SoapVersion::V11, msg).await.expect("sent");
        let a = sha_simulator::client::Answer::parse(r.status, &r.body);
        assert!(a.accepted(), "{doc}: {:?} {:?}", a.codes, a.texts);
        assert!(
            a.codes.iter().all(|c| c == "SHA-R205" || c == "SHA-S011"),
            "{doc}: only open-register warnings: {:?}",
            a.codes
        );
    }
    // What was read from the real header fields.
    let plan = sim.admin_json("/admin/documents/1.2.246.10.12345678.95.2026.1.3").await;
    let m = &plan["metadata"];
    assert_eq!(plan["kind"]["client"], "liittymisvelvoite");
    assert_eq!(m["case_id"], "1.2.246.10.12345678.96.2026.1", "the case id with a nullFlavor still counts");
    assert_eq!(m["service_unit"], "1.2.246.10.87654321.10.4711");
    assert_eq!(m["service_task"]["code"], "24");
    assert_eq!(m["document_type"]["code"], "15007");
    assert_eq!(m["general_type"]["code"], "15");
    assert_eq!(m["process_phase"]["code"], "3");
    assert_eq!(m["organiser"], "1.2.246.10.12345678.10.0");
    assert_eq!(m["content_specification"], "1.2.246.537.6.1506.15007.2024.11.28");
    // The archivist sees the real header fields under their Finnish names, with the names the
    // document gave to organisations the simulator's SOTE extract does not hold.
    let page = reqwest::get(sim.admin("/ui/asiakirja/1.2.246.10.12345678.95.2026.1.3"))
        .await
        .expect("ui")
        .text()
        .await
        .expect("page");
    for want in [
        "Perhekeskus Esimerkki (1.2.246.10.87654321.10.4711)",
        "Esimerkin hyvinvointialue (1.2.246.10.12345678.10.0)",
        "15007 Lapsiperheiden palvelujen asiakassuunnitelma",
        "1.2.246.537.6.1506.15007.2024.11.28",
        "Kokonaissäilytysaika",
        "3 Asiakkuuden suunnittelu",
    ] {
        assert!(page.contains(want), "the document page lacks {want}");
    }
    let hood = sim.admin_json("/admin/documents/1.2.246.10.12345678.95.2026.1.1").await;
    assert_eq!(hood["kind"], "asiakkuus");
    assert_eq!(hood["metadata"]["client_relationship"], "1.2.246.10.12345678.97.1");
}

#[tokio::test]
async fn a_pair_that_disagrees_or_is_ambiguous_is_refused_with_its_code() {
    let sim = Sim::start().await;
    let frame = file("suunnitelma-kehys.xml").replace(
        "<setId root=\"1.2.246.10.12345678.95.2026.1.3\" />",
        "<setId root=\"1.2.246.10.12345678.95.2026.9.9\" />",
    );
    let (status, body) = shark(&sim, &frame, &file("suunnitelma.xml"), "SP17", "").await;
    assert_eq!(status, 400, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    let d = v["description"].as_str().expect("description");
    assert!(d.starts_with("1: SHA-R002") && d.contains("setId"), "{d}");
    // The wrong service request for the document.
    let (status, body) = shark(&sim, &file("suunnitelma-kehys.xml"), &file("suunnitelma.xml"), "SP1", "").await;
    assert_eq!(status, 400);
    assert!(body.contains("SHA-M009"), "{body}");
    // A document naming two clients is ambiguous: refused, not read as its first.
    let two = file("suunnitelma.xml").replacen(
        "</recordTarget>",
        "</recordTarget>\r\n\t<recordTarget><patientRole><id root=\"1.2.246.21\" extension=\"150275-901P\"/></patientRole></recordTarget>",
        1,
    );
    let (status, body) = shark(&sim, &file("suunnitelma-kehys.xml"), &two, "SP17", "").await;
    assert_eq!(status, 400);
    assert!(body.contains("SHA-M010") && body.contains("recordTarget"), "{body}");
    // A request that is not the service's JSON names the field.
    let r = reqwest::Client::new()
        .post(sim.admin("/shark-validointi/validoi/asiakirja/tulos"))
        .json(&json!({"siirtokehysXml": "<x/>"}))
        .send()
        .await
        .expect("reachable");
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap_or_default().contains("asiakirjaXml"));
}

/// The README's first example: the ready-made store message is accepted by a fresh simulator,
/// refused as a duplicate the second time, and what it stored is in the kooste.
#[tokio::test]
async fn the_readme_store_message_is_accepted_once_and_shows_in_the_kooste() {
    let sim = Sim::start().await;
    let client = sim.client("liittymisvelvoite-atj");
    let read = |name: &str| {
        std::fs::read_to_string(common::testdata().join("messages").join(name)).expect("testdata/messages fixture")
    };
    let store = read("asiakkuus-tallennus.xml");
    let v11 = sha_simulator::wire::soap::SoapVersion::V11;
    let first = sha_simulator::client::Answer::parse(200, &client.send(v11, store.clone()).await.expect("sent").body);
    assert!(first.accepted() && first.codes.is_empty(), "{:?} {:?}", first.codes, first.texts);
    let again = sha_simulator::client::Answer::parse(200, &client.send(v11, store).await.expect("sent").body);
    assert!(!again.accepted() && again.codes.contains(&"SHA-R601".to_string()), "{:?}", again.codes);
    let kooste = client.send(v11, read("kooste-query.xml")).await.expect("sent");
    assert!(kooste.body.contains("<clienthoods count=\"1\">"), "{}", kooste.body);
    assert!(kooste.body.contains("1.2.246.10.99990001.10.0.95.2026.1"), "{}", kooste.body);
}

/// Every operation docs/messages.md shows, as the ready-made messages in testdata/messages,
/// against a fresh simulator in order: validate (nothing stored), store, each query, fetch,
/// invalidate, and the queries again.
#[tokio::test]
async fn every_operation_in_testdata_messages_gets_its_answer() {
    let sim = Sim::start().await;
    let client = sim.client("liittymisvelvoite-atj");
    let v11 = sha_simulator::wire::soap::SoapVersion::V11;
    let send = |name: &'static str| {
        let client = &client;
        async move {
            let body = std::fs::read_to_string(common::testdata().join("messages").join(name)).expect("fixture");
            let r = client.send(v11, body).await.expect("sent");
            (sha_simulator::client::Answer::parse(r.status, &r.body), r.body)
        }
    };
    let id = "1.2.246.10.99990001.10.0.95.2026.1";
    let (a, _) = send("asiakkuus-validointi.xml").await;
    assert!(a.accepted() && a.codes.is_empty(), "validate: {:?} {:?}", a.codes, a.texts);
    assert_eq!(common::document_count(&sim).await, 0, "validation stores nothing");
    let (a, _) = send("asiakkuus-tallennus.xml").await;
    assert!(a.accepted(), "store: {:?}", a.codes);
    let (a, body) = send("asiakkuus-kysely.xml").await;
    assert!(a.accepted() && body.contains("count=\"1\"") && body.contains(id), "clienthood query: {body}");
    let (a, body) = send("asia-kysely.xml").await;
    assert!(a.accepted() && body.contains("count=\"0\""), "case query: {body}");
    let (a, body) = send("metatietohaku.xml").await;
    assert!(a.accepted() && body.contains(id), "metadata search: {body}");
    let (a, body) = send("asiakirjan-haku.xml").await;
    assert!(a.accepted() && body.contains("documentResult") && body.contains("multipart/related"), "fetch: {body}");
    let (a, body) = send("tahdonilmaisut-kysely.xml").await;
    assert!(a.accepted() && body.contains("<declarations client=\"010181-900C\""), "declarations: {body}");
    let (a, _) = send("mitatointi.xml").await;
    assert!(a.accepted(), "invalidate: {:?} {:?}", a.codes, a.texts);
    let stored = sim.admin_json(&format!("/admin/documents/{id}")).await;
    assert_eq!(stored["invalidation"]["reason"], "Kirjattu väärälle asiakkaalle", "{stored}");
    // Invalidated: left out of the clienthood query, still found when the search asks for it.
    let (_, body) = send("asiakkuus-kysely.xml").await;
    assert!(!body.contains(id), "an invalidated document is left out: {body}");
    let (_, body) = send("metatietohaku.xml").await;
    assert!(body.contains(id) && body.contains("nullified"), "includeInvalidated: {body}");
}
