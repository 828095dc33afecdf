//! Structured documents over mutual TLS: a broken structured form is rejected
//! with exactly its findings (JSON pointers, Sosmeta field names) and nothing
//! is stored; the form and the header must agree.

mod common;

use common::{document_count, Sim};
use sha_simulator::compose::kit::{Kit, Organisation};
use sha_simulator::document::DocumentModel;
use sha_simulator::persons::TestPersons;
use time::macros::datetime;

#[tokio::test]
async fn a_broken_structured_form_is_rejected_with_exactly_its_findings() {
    let sim = Sim::start().await;
    sim.clock().set(datetime!(2026-11-20 12:00 UTC), true);
    let kit = Kit::new(Organisation::hyvinvointialue(), datetime!(2026-11-20 10:00 UTC));
    let p = TestPersons::builtin().get("lapsi").expect("p");
    let a = sim.actor("hyvinvointialue-atj", &kit.org.controller);
    let case = a.open_case(&kit, p).await;
    let good = kit.client_document(p, &case, DocumentModel::Liittymisvelvoite);
    a.store_ok(&good).await;
    let before = document_count(&sim).await;

    let mut broken = kit.client_document(p, &case, DocumentModel::Liittymisvelvoite);
    let json = broken.parts.iter_mut().find(|x| x.media_type == "application/json").expect("structured form");
    let mut v: serde_json::Value = serde_json::from_slice(&json.bytes).expect("json");
    let root = v.as_object().and_then(|o| o.keys().next().cloned()).expect("root");
    let obj = v[&root].as_object_mut().expect("object");
    let removed = obj.keys().next().cloned().expect("a required field");
    obj.remove(&removed);
    obj.insert("keksitty_kentta".into(), serde_json::json!("x"));
    json.bytes = serde_json::to_vec(&v).expect("json");
    let r = a.store(&broken).await;
    assert_eq!(r.ack.as_deref(), Some("AE"));
    let mut codes = r.codes.clone();
    codes.sort();
    assert_eq!(codes, vec!["SHA-S004", "SHA-S005"], "{:?}", r.texts);
    assert_eq!(document_count(&sim).await, before, "nothing stored");
    let body = &r.body;
    assert!(body.contains(&format!("<location>/{root}/{removed}</location>")), "the JSON pointer is the location");
    assert!(body.contains(&format!("<location>/{root}/keksitty_kentta</location>")));

    // The header and the structured form must tell the same story.
    let mut other_type = kit.client_document(p, &case, DocumentModel::Liittymisvelvoite);
    other_type.document_type = Some("19003".into());
    other_type.general_type = Some("19".into());
    let r = a.store(&other_type).await;
    assert!(r.has_code("SHA-S020"), "{:?}", r.codes);
    // An unknown structure version is named.
    let mut unknown = kit.client_document(p, &case, DocumentModel::Liittymisvelvoite);
    unknown.structure = Some("1.2.246.537.6.1506.11002.2099.1.1".into());
    assert_eq!(a.store(&unknown).await.codes, vec!["SHA-S001"]);
    // Fetching returns both forms as stored.
    let f = a.query(common::ix::FETCH, sha_simulator::compose::QueryBuilder::new().id("documentId", &good.id)).await;
    let (_, contents) = f.fetched().expect("a fetched document");
    assert!(
        contents.json().is_some() && contents.display.as_ref().is_some_and(|d| d.media_type == "application/xhtml+xml")
    );
}
