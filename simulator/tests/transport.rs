//! Transport over real mutual TLS: handshakes, SOAP faults, application-level
//! refusal of unregistered systems, and the journal recording all of it.

mod common;

use common::{ack_type, detail_codes, Sim};
use sha_simulator::client::SoapClient;
use sha_simulator::compose::RequestBuilder;
use sha_simulator::pki::BadKind;
use sha_simulator::wire::soap::SoapVersion;

fn ping(sender: &str, sim: &Sim) -> RequestBuilder {
    RequestBuilder::for_operation(sha_simulator::interactions::Operation::FetchKooste, None, sender, sim.clock().now())
        .acting_organisation("1.2.246.10.99990001.10.0")
        .query(sha_simulator::compose::QueryBuilder::new().client("010181-900C").build())
}

fn bad_client(sim: &Sim, kind: BadKind) -> SoapClient {
    let c = &sim.running.certs;
    SoapClient::new(&sim.endpoint(), &c.ca_cert(), Some((&c.bad_cert(kind), &c.bad_key(kind)))).expect("client")
}

#[tokio::test]
async fn handshake_without_client_certificate_is_refused() {
    let sim = Sim::start().await;
    let c = SoapClient::new(&sim.endpoint(), &sim.running.certs.ca_cert(), None).expect("client");
    let err = c.send(SoapVersion::V11, ping("1.2.246.10.99990001.11.1", &sim).soap(SoapVersion::V11)).await;
    assert!(err.is_err(), "a client without certificate must not get an answer: {err:?}");
    let j = sim.admin_json("/admin/journal?outcome=tls_refused").await;
    let entries = j["entries"].as_array().expect("entries");
    assert!(!entries.is_empty(), "refused handshake is journalled");
}

#[tokio::test]
async fn handshake_with_bad_certificates_is_refused() {
    let sim = Sim::start().await;
    for kind in BadKind::ALL {
        let c = bad_client(&sim, kind);
        let r = c.send(SoapVersion::V11, ping("1.2.246.10.99990001.11.1", &sim).soap(SoapVersion::V11)).await;
        assert!(r.is_err(), "{kind:?} certificate must be refused in the handshake, got {r:?}");
    }
    let j = sim.admin_json("/admin/journal?outcome=tls_refused").await;
    let reasons: Vec<String> =
        j["entries"].as_array().expect("entries").iter().map(|e| e["peer"].to_string()).collect();
    assert!(reasons.len() >= BadKind::ALL.len(), "every refusal journalled: {reasons:?}");
}

#[tokio::test]
async fn expired_certificate_becomes_valid_when_the_clock_moves_back() {
    let sim = Sim::start().await;
    sim.clock().set(time::macros::datetime!(2011-06-01 12:00 UTC), false);
    let c = bad_client(&sim, BadKind::Expired);
    let r = c.send(SoapVersion::V11, ping("1.2.246.10.99990001.11.1", &sim).soap(SoapVersion::V11)).await;
    // The handshake succeeds on the simulator's clock; the message itself is then
    // answered at application level (any HL7 answer proves the handshake passed).
    let r = r.expect("handshake accepted in 2011");
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn unregistered_system_gets_an_application_level_rejection() {
    let sim = Sim::start().await;
    let c = sim.client("rekisteroimaton-atj");
    let req = ping("1.2.246.10.99990099.11.1", &sim);
    let r = c.send(SoapVersion::V11, req.soap(SoapVersion::V11)).await.expect("handshake passes");
    assert_eq!(r.status, 200);
    assert_eq!(ack_type(&r.body).as_deref(), Some("AR"), "{}", r.body);
    assert_eq!(detail_codes(&r.body), vec!["SHA-M003"]);
    assert!(r.body.contains(&req.id().extension.clone().unwrap_or_default()), "ack names the request");
    let j = sim.admin_json("/admin/journal?outcome=rejected").await;
    assert_eq!(j["entries"][0]["ack_codes"][0], "SHA-M003");
    // The journal keeps the subject as presented.
    assert_eq!(
        j["entries"][0]["certificate"],
        "CN=rekisteroimaton-atj, serialNumber=1.2.246.10.99990099.10.0, O=Test organisation, C=FI"
    );
}

#[tokio::test]
async fn sender_device_must_match_the_certificate() {
    let sim = Sim::start().await;
    let c = sim.client("liittymisvelvoite-atj");
    let r = c.send(SoapVersion::V12, ping("1.2.246.10.99990001.11.2", &sim).soap(SoapVersion::V12)).await.expect("ok");
    assert_eq!(ack_type(&r.body).as_deref(), Some("AR"));
    assert_eq!(detail_codes(&r.body), vec!["SHA-M004"]);
    assert!(r.body.contains("http://www.w3.org/2003/05/soap-envelope"), "SOAP 1.2 answered in 1.2");
}

#[tokio::test]
async fn reused_message_id_is_warned_about() {
    let sim = Sim::start().await;
    let c = sim.client("liittymisvelvoite-atj");
    let req = ping("1.2.246.10.99990001.11.7", &sim);
    let first = c.send(SoapVersion::V11, req.soap(SoapVersion::V11)).await.expect("ok");
    assert!(!detail_codes(&first.body).contains(&"SHA-M007".to_string()), "{}", first.body);
    let again = c.send(SoapVersion::V11, req.soap(SoapVersion::V11)).await.expect("ok");
    assert!(detail_codes(&again.body).contains(&"SHA-M007".to_string()), "{}", again.body);
    assert!(again.body.contains("acknowledgementDetail typeCode=\"W\""), "a warning, not a rejection");
}

#[tokio::test]
async fn transport_problems_get_soap_faults_with_their_codes() {
    let sim = Sim::start().await;
    let c = sim.client("liittymisvelvoite-atj");
    let soap11 = [("content-type", "text/xml; charset=utf-8"), ("SOAPAction", "\"\"")];
    let fixtures = common::testdata().join("hostile");
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "malformed",
            b"<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>".to_vec(),
            500,
            "SHA-T002",
        ),
        ("billion laughs", std::fs::read(fixtures.join("billion-laughs.xml")).expect("fixture"), 500, "SHA-T003"),
        ("external entity", std::fs::read(fixtures.join("external-entity.xml")).expect("fixture"), 500, "SHA-T003"),
        ("deep nesting", format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000)).into_bytes(), 500, "SHA-T004"),
        ("invalid utf-8", b"<a>\xff\xfe</a>".to_vec(), 500, "SHA-T005"),
        ("not soap", b"<hello/>".to_vec(), 500, "SHA-T006"),
        (
            "two messages",
            b"<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><a/><b/></s:Body></s:Envelope>"
                .to_vec(),
            500,
            "SHA-T008",
        ),
        ("oversized", vec![b' '; 3 * 1024 * 1024], 413, "SHA-T001"),
    ];
    for (name, body, status, code) in cases {
        let r = c.send_raw(&soap11, body).await.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(r.status, status, "{name}: {}", r.body);
        assert!(r.body.contains("Fault"), "{name}: {}", r.body);
        assert_eq!(detail_codes(&r.body), vec![code], "{name}");
    }
    let wrong_type = c.send_raw(&[("content-type", "application/json")], b"{}".to_vec()).await.expect("ok");
    assert_eq!((wrong_type.status, detail_codes(&wrong_type.body)), (415, vec!["SHA-T007".to_string()]));
    // A SOAP 1.1 request without a SOAPAction header is read like any other (not a fault).
    let query = std::fs::read(common::testdata().join("messages/kooste-query.xml")).expect("fixture");
    let no_action = c.send_raw(&[("content-type", "text/xml")], query).await.expect("ok");
    assert_eq!(no_action.status, 200, "{}", no_action.body);
    assert!(no_action.body.contains("<acknowledgement typeCode=\"AA\""), "{}", no_action.body);
    assert!(
        no_action.body.contains("<processingCode code=\"D\"/>"),
        "the request's processing code, echoed: {}",
        no_action.body
    );

    let j = sim.admin_json("/admin/journal?outcome=fault&limit=50").await;
    let codes: Vec<String> = j["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["ack_codes"][0].as_str().unwrap_or_default().to_string())
        .collect();
    for code in ["SHA-T001", "SHA-T002", "SHA-T003", "SHA-T004", "SHA-T005", "SHA-T006", "SHA-T007", "SHA-T008"] {
        assert!(codes.iter().any(|c| c == code), "journal lacks {code}: {codes:?}");
    }
    // The simulator is still up and answering.
    let r = c.send(SoapVersion::V11, ping("1.2.246.10.99990001.11.7", &sim).soap(SoapVersion::V11)).await.expect("up");
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn wsdl_is_served() {
    let sim = Sim::start().await;
    let certs = &sim.running.certs;
    let tls = sha_simulator::client::tls_config(
        &certs.ca_cert(),
        Some((&certs.system_cert("liittymisvelvoite-atj"), &certs.system_key("liittymisvelvoite-atj"))),
    )
    .expect("tls");
    let http = reqwest::Client::builder().use_preconfigured_tls(tls).build().expect("http");
    let r = http.get(format!("{}?wsdl", sim.endpoint())).send().await.expect("wsdl");
    assert_eq!(r.status(), 200);
    let body = r.text().await.expect("text");
    assert!(body.contains("wsdl:definitions") && body.contains("RCMR_IN200002FI01"));
}

#[tokio::test]
async fn journal_survives_a_restart() {
    let sim = Sim::start().await;
    let c = sim.client("rekisteroimaton-atj");
    c.send(SoapVersion::V11, ping("1.2.246.10.99990099.11.1", &sim).soap(SoapVersion::V11)).await.expect("ok");
    let before = sim.admin_json("/admin/journal").await["entries"].as_array().expect("entries").len();
    assert!(before >= 1);
    let sim = sim.restart().await;
    let after = sim.admin_json("/admin/journal").await;
    assert_eq!(after["entries"].as_array().expect("entries").len(), before);
    let seq = after["entries"][0]["seq"].as_u64().expect("seq");
    let one = sim.admin_json(&format!("/admin/journal/{seq}")).await;
    assert!(one["request"].as_str().expect("raw request kept").contains("QUQI_IN200009FI01"));
    assert!(one["response"].as_str().expect("raw response kept").contains("SHA-M003"));
}

#[tokio::test]
async fn readme_example_message_is_answered_with_a_kooste() {
    let sim = Sim::start().await;
    let c = sim.client("liittymisvelvoite-atj");
    let body = std::fs::read(common::testdata().join("messages/kooste-query.xml")).expect("fixture");
    let headers = [("content-type", "text/xml; charset=utf-8"), ("SOAPAction", "\"\"")];
    let r = c.send_raw(&headers, body.clone()).await.expect("answered");
    assert_eq!(ack_type(&r.body).as_deref(), Some("AA"), "{}", r.body);
    assert!(r.body.contains("<kooste"), "{}", r.body);
    // Sending the same example again still works (the reused message id is only a warning).
    let again = c.send_raw(&headers, body).await.expect("answered");
    assert_eq!(ack_type(&again.body).as_deref(), Some("AA"));
}
