//! The archive under the Client Data Act over mutual TLS: the 2026 dates on
//! the clock, declarations of intent, the disclosure query with every refusal
//! path, prohibitions and the statutory right, the disclosure log, and the
//! register access right starting and ending with the clienthood data.

mod common;

use common::{ix, Sim};
use sha_simulator::compose::kit::{new_oid, Kit, Organisation};
use sha_simulator::compose::QueryBuilder;
use sha_simulator::document::DocumentModel;
use sha_simulator::persons::{TestPerson, TestPersons};
use time::macros::datetime;

fn person(key: &str) -> &'static TestPerson {
    TestPersons::builtin().get(key).expect("test person")
}

const NOW: time::OffsetDateTime = datetime!(2026-11-20 12:00 UTC);

fn kit(org: Organisation) -> Kit {
    Kit::new(org, datetime!(2026-11-20 10:00 UTC))
}

async fn start() -> Sim {
    let sim = Sim::start().await;
    sim.clock().set(NOW, true);
    sim
}

#[tokio::test]
async fn phase_content_is_refused_after_the_deadline_and_accepted_before_it() {
    let sim = start().await;
    let k = kit(Organisation::testila());
    let a = sim.actor("liittymisvelvoite-atj", &k.org.controller);
    let p = person("aikuinen");
    a.store_ok(&k.clienthood(p)).await;
    let case = new_oid();
    a.store_ok(&k.case(p, &case)).await;
    let r = a.store(&k.client_document(p, &case, DocumentModel::Vaihe2)).await;
    assert_eq!(r.codes, vec!["SHA-D001"], "{:?}", r.texts);
    assert!(r.texts[0].contains("2026-08-31"), "the refusal names the date");
    a.store_ok(&k.client_document(p, &case, DocumentModel::Liittymisvelvoite)).await;
    a.store_ok(&k.client_document(p, &case, DocumentModel::Vanha)).await;
    let r = a.store(&k.client_document(p, &case, DocumentModel::Vaihe1)).await;
    assert!(r.has_code("SHA-D001"));
    // Move the clock back before the deadline: phase II content is accepted again.
    sim.clock().set(datetime!(2026-08-20 12:00 UTC), true);
    let old_kit = Kit::new(Organisation::testila(), datetime!(2026-08-20 10:00 UTC));
    a.store_ok(&old_kit.client_document(p, &case, DocumentModel::Vaihe2)).await;
}

#[tokio::test]
async fn declarations_are_validated_and_the_newest_is_in_force() {
    let sim = start().await;
    let k = kit(Organisation::hyvinvointialue());
    let a = sim.actor("hyvinvointialue-atj", &k.org.controller);
    let p = person("aikuinen");
    a.store_ok(&k.informing(p)).await;
    a.store_ok(&k.consent(p, true)).await;
    let d =
        a.query(sha_simulator::interactions::Operation::QueryDeclarations, QueryBuilder::new().client(&p.hetu)).await;
    assert!(d.accepted(), "{:?}", d.codes);
    let decl = &d.payload[0];
    assert_eq!(decl.child("consent").and_then(|c| c.attr("value")), Some("true"));
    assert_eq!(decl.child("kantaInformation").and_then(|c| c.attr("given")), Some("true"));
    // A later consent saying no is the one in force.
    let later = Kit::new(k.org.clone(), datetime!(2026-11-20 11:00 UTC));
    a.store_ok(&later.consent(p, false)).await;
    let d =
        a.query(sha_simulator::interactions::Operation::QueryDeclarations, QueryBuilder::new().client(&p.hetu)).await;
    assert_eq!(d.payload[0].child("consent").and_then(|c| c.attr("value")), Some("false"));
    // Only the joining-obligation profile stores declarations.
    let old = sim.actor("liittyva-atj", &Organisation::testila().controller);
    let r = old.store(&kit(Organisation::testila()).consent(p, true)).await;
    assert!(r.has_code("SHA-R402"), "{:?}", r.codes);
    // Consent given in advance, for another client, by a representative with a wrong role.
    let mut ahead = k.consent(p, true);
    let mut v: serde_json::Value = serde_json::from_slice(&ahead.parts[0].bytes).expect("json");
    v["luovutuslupa_asiakirja"]["voimassa_oleva_luovutuslupa"]["luovutusluvan_antamisen_ajankohta"] =
        "2026-12-24".into();
    v["luovutuslupa_asiakirja"]["luovutusluvan_antaja_on_laillinen_edustaja"] = true.into();
    v["luovutuslupa_asiakirja"]["luovutusluvan_antaja"] =
        serde_json::json!([{"sukunimi": "X", "etunimet": "Y", "rooli": {"code": "12"}}]);
    v["luovutuslupa_asiakirja"]["asiakas"]["henkilotunnus"]["value"] = "150275-901P".into();
    ahead.parts[0].bytes = serde_json::to_vec(&v).expect("json");
    let r = a.store(&ahead).await;
    for code in ["SHA-L002", "SHA-L003", "SHA-L004"] {
        assert!(r.has_code(code), "{code} in {:?}", r.codes);
    }
    // A temporary id is never a declaration's client.
    let mut temp = k.consent(p, true);
    temp.client_root = format!("{}.99", k.org.controller);
    temp.client_id = Some("TILAP-1".into());
    assert!(a.store(&temp).await.has_code("SHA-R303"));
}

/// Testimaa's county holds a child-protection entry; the other county asks for it.
async fn family_case(sim: &Sim) -> (String, String) {
    let p = person("lapsi");
    let k = kit(Organisation::hyvinvointialue());
    let a = sim.actor("hyvinvointialue-atj", &k.org.controller);
    let case = a.open_case(&k, p).await;
    let doc = k.client_document(p, &case, DocumentModel::Liittymisvelvoite);
    a.store_ok(&doc).await;
    (doc.id.clone(), doc.set_id.clone())
}

fn disclosure(p: &TestPerson) -> QueryBuilder {
    QueryBuilder::new().client(&p.hetu).flag("disclosure", true)
}

#[tokio::test]
async fn disclosure_needs_informing_clienthood_and_consent_and_is_logged() {
    let sim = start().await;
    let p = person("lapsi");
    let (doc, _) = family_case(&sim).await;
    let other = kit(Organisation::toinen_hyvinvointialue());
    let asker = sim.actor("toinen-hva-atj", &other.org.controller);
    let home = sim.actor("hyvinvointialue-atj", &Organisation::hyvinvointialue().controller);

    // Each refusal names its condition and says nothing about documents.
    let r = asker.query(ix::Q_METADATA, disclosure(p)).await;
    assert_eq!((r.ack.as_deref(), r.codes.clone()), (Some("AR"), vec!["SHA-L101".to_string()]));
    assert!(r.payload.is_empty());
    home.store_ok(&kit(Organisation::hyvinvointialue()).informing(p)).await;
    let r = asker.query(ix::Q_METADATA, disclosure(p)).await;
    assert_eq!(r.codes, vec!["SHA-L103"], "no clienthood with the asking county");
    asker.store_ok(&other.clienthood(p)).await;
    let r = asker.query(ix::Q_METADATA, disclosure(p)).await;
    assert_eq!(r.codes, vec!["SHA-L102"], "no consent");
    // A client without documents gets exactly the same refusal.
    let nobody = person("vauva_uusi_merkki");
    let r2 = asker.query(ix::Q_METADATA, disclosure(nobody)).await;
    assert_eq!(r2.codes, vec!["SHA-L101"]);
    home.store_ok(&kit(Organisation::hyvinvointialue()).consent(p, true)).await;
    let r = asker.query(ix::Q_METADATA, disclosure(p)).await;
    assert!(r.accepted(), "{:?}", r.codes);
    assert_eq!(r.document_ids(), vec![doc.clone()]);
    let fetched = asker.query(ix::FETCH, disclosure(p).id("documentId", &doc)).await;
    assert!(fetched.accepted(), "{:?}", fetched.codes);
    // Both answers are in the disclosure log with their basis.
    let log = sim.admin_json(&format!("/admin/disclosures?client={}", p.hetu)).await;
    let entries = log["disclosures"].as_array().expect("log");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["to_controller"], other.org.controller.as_str());
    assert_eq!(entries[0]["basis"]["basis"], "consent");
    assert_eq!(entries[0]["documents"][0], doc.as_str());
    // Only the joining-obligation profile may make disclosure queries.
    let old = sim.actor("liittyva-atj", &Organisation::testila().controller);
    assert!(old.query(ix::Q_METADATA, disclosure(p)).await.has_code("SHA-R402"));
    // The kooste is not a disclosure operation.
    assert!(asker.query(ix::KOOSTE, disclosure(p)).await.has_code("SHA-L105"));
}

#[tokio::test]
async fn prohibitions_remove_controllers_service_tasks_and_documents_and_a_statutory_right_overrides() {
    let sim = start().await;
    let p = person("lapsi");
    let (doc, set) = family_case(&sim).await;
    let home_kit = kit(Organisation::hyvinvointialue());
    let home = sim.actor("hyvinvointialue-atj", &home_kit.org.controller);
    let other = kit(Organisation::toinen_hyvinvointialue());
    let asker = sim.actor("toinen-hva-atj", &other.org.controller);
    home.store_ok(&home_kit.informing(p)).await;
    home.store_ok(&home_kit.consent(p, true)).await;
    asker.store_ok(&other.clienthood(p)).await;
    assert_eq!(asker.query(ix::Q_METADATA, disclosure(p)).await.document_ids(), vec![doc.clone()]);
    let at = |m: i64| Kit::new(home_kit.org.clone(), datetime!(2026-11-20 10:00 UTC) + time::Duration::minutes(m));
    for (i, prohibition) in [
        at(1).prohibition(p, &[&home_kit.org.controller], &[], &[]),
        at(2).prohibition(p, &[], &["10"], &[]),
        at(3).prohibition(p, &[], &[], &[&set]),
    ]
    .iter()
    .enumerate()
    {
        home.store_ok(prohibition).await;
        let r = asker.query(ix::Q_METADATA, disclosure(p)).await;
        assert!(r.accepted());
        assert!(r.document_ids().is_empty(), "prohibition {i} holds: {:?}", r.document_ids());
        // A statutory right with a reason overrides, and is logged as such.
        let r = asker.query(ix::Q_METADATA, disclosure(p).code("statutoryRight", "1")).await;
        assert_eq!(r.document_ids(), vec![doc.clone()], "statutory right overrides prohibition {i}");
    }
    let no_reason = asker.query(ix::Q_METADATA, disclosure(p).code("statutoryRight", "77")).await;
    assert!(no_reason.has_code("SHA-L104"));
    // A consent saying no, also overridden by the statutory right (which still needs the clienthood).
    home.store_ok(&at(4).consent(p, false)).await;
    assert!(asker.query(ix::Q_METADATA, disclosure(p)).await.has_code("SHA-L102"));
    assert!(asker.query(ix::Q_METADATA, disclosure(p).code("statutoryRight", "2")).await.accepted());
    let log = sim.admin_json(&format!("/admin/disclosures?client={}", p.hetu)).await;
    let statutory =
        log["disclosures"].as_array().expect("log").iter().filter(|e| e["basis"]["basis"] == "statutory_right").count();
    assert_eq!(statutory, 4);
}

#[tokio::test]
async fn register_access_starts_and_ends_with_the_organisers_clienthood() {
    let sim = start().await;
    let p = person("vanhus");
    let org = kit(Organisation::hyvinvointialue());
    let organiser = sim.actor("hyvinvointialue-atj", &org.org.controller);
    let provider_org = Organisation::hoivapalvelu();
    // The provider acts through its own system, storing into the organiser's register.
    let provider = sim.actor("hoiva-atj", &provider_org.controller);
    let case = new_oid();
    let mut doc_kit = kit(org.org.clone());
    doc_kit.org.service_unit = provider_org.service_unit.clone();
    let mut doc = doc_kit.client_document(p, &case, DocumentModel::Liittymisvelvoite);
    // The provider produces the document: its unit belongs to the producer it names.
    doc.producer = Some(provider_org.controller.clone());

    // No clienthood listing the provider: refused.
    let first = org.clienthood(p);
    organiser.store_ok(&first).await;
    organiser.store_ok(&org.case(p, &case)).await;
    let r = provider.store(&doc).await;
    assert_eq!((r.ack.as_deref(), r.codes.clone()), (Some("AR"), vec!["SHA-L201".to_string()]), "{:?}", r.texts);

    // A second clienthood document is refused: the clienthood changes by a new version.
    let listed = org.clienthood_with_provider(p, &provider_org.service_unit, "2026-11-01", None);
    let r = organiser.store(&listed).await;
    assert_eq!((r.ack.as_deref(), r.codes.clone()), (Some("AR"), vec!["SHA-R503".to_string()]), "{:?}", r.texts);
    // The organiser lists the provider's unit from 1.11.: the right holds, both to store and to read.
    let listed = org.revise(&first, &listed);
    organiser.store_ok(&listed).await;
    let r = provider.store(&doc).await;
    assert!(r.accepted(), "{:?} {:?}", r.codes, r.texts);
    let read =
        provider.query(ix::Q_METADATA, QueryBuilder::new().client(&p.hetu).controller(&org.org.controller)).await;
    assert!(read.accepted(), "{:?}", read.codes);
    assert!(read.document_ids().contains(&doc.id));
    // Not a disclosure: nothing is logged.
    let log = sim.admin_json(&format!("/admin/disclosures?client={}", p.hetu)).await;
    assert!(log["disclosures"].as_array().expect("log").is_empty());

    // The organiser ends the period on 15.11. with a new version: the right ends with it.
    let mut ended = org.new_version(&listed);
    let mut v: serde_json::Value = serde_json::from_slice(&ended.parts[0].bytes).expect("json");
    v["asiakkuusasiakirja"]["sosiaalihuollon_palvelutehtava"][0]["palveluntuottaja"][0]["asiakkuuden_paattymispvm"] =
        "2026-11-15".into();
    ended.parts[0].bytes = serde_json::to_vec(&v).expect("json");
    let r = organiser.new_version(&ended).await;
    assert!(r.accepted(), "{:?}", r.codes);
    let mut again = doc_kit.client_document(p, &case, DocumentModel::Liittymisvelvoite);
    again.producer = Some(provider_org.controller.clone());
    let r = provider.store(&again).await;
    assert!(r.has_code("SHA-L201"), "{:?}", r.codes);
    assert!(provider
        .query(ix::Q_METADATA, QueryBuilder::new().client(&p.hetu).controller(&org.org.controller))
        .await
        .has_code("SHA-L201"));

    // A new period from 18.11.: the right starts again.
    let mut renewed = org.new_version(&ended);
    let mut v: serde_json::Value = serde_json::from_slice(&renewed.parts[0].bytes).expect("json");
    v["asiakkuusasiakirja"]["sosiaalihuollon_palvelutehtava"][0]["palveluntuottaja"]
        .as_array_mut()
        .expect("producers")
        .push(serde_json::json!({"palveluyksikon_nimi": {"system": "urn:oid:1.2.246.537.6.202", "code": provider_org.service_unit, "display": ""}, "asiakkuuden_alkamispvm": "2026-11-18"}));
    renewed.parts[0].bytes = serde_json::to_vec(&v).expect("json");
    assert!(organiser.new_version(&renewed).await.accepted());
    let r = provider.store(&again).await;
    assert!(r.accepted(), "{:?} {:?}", r.codes, r.texts);
    // A unit that is not the provider's own cannot ride on the right.
    let mut foreign = doc_kit.client_document(p, &case, DocumentModel::Liittymisvelvoite);
    foreign.service_unit = Some(Organisation::toinen_hyvinvointialue().service_unit);
    assert!(provider.store(&foreign).await.has_code("SHA-L201"));
}

#[tokio::test]
async fn wide_register_access_lets_a_shelter_work_in_thls_register_only_for_its_types() {
    let sim = start().await;
    let p = person("aikuinen");
    let shelter = Organisation::turvakoti();
    let thl = Organisation::thl_turvakotirekisteri();
    let actor = sim.actor("turvakoti-atj", &shelter.controller);
    // The shelter writes into THL's register with its own units, naming itself the producer.
    let mut in_thl = kit(Organisation { controller: thl.controller.clone(), ..shelter.clone() });
    in_thl.service_task = "10".into();
    let produced = |mut s: sha_simulator::compose::cda::DocumentSpec| {
        s.producer = Some(shelter.controller.clone());
        s.organiser = Some(thl.controller.clone());
        s
    };
    let case = new_oid();
    let r = actor.store(&produced(in_thl.clienthood(p))).await;
    assert!(r.accepted(), "{:?} {:?}", r.codes, r.texts);
    actor.store_ok(&produced(in_thl.case(p, &case))).await;
    let first_assessment = produced(in_thl.client_document_of_type(p, &case, DocumentModel::Liittymisvelvoite, "1011"));
    let r = actor.store(&first_assessment).await;
    assert!(r.accepted(), "{:?} {:?}", r.codes, r.texts);
    // A type outside the right is refused, naming the types the right covers.
    let other = produced(in_thl.client_document_of_type(p, &case, DocumentModel::Liittymisvelvoite, "11002"));
    let r = actor.store(&other).await;
    assert_eq!(r.codes, vec!["SHA-L201".to_string()], "{:?}", r.texts);
    assert!(r.texts.iter().any(|t| t.contains("1011, 15019")), "{:?}", r.texts);
    // The shelter reads THL's register: the right's documents, not a disclosure.
    let read = actor.query(ix::Q_METADATA, QueryBuilder::new().client(&p.hetu).controller(&thl.controller)).await;
    assert!(read.accepted(), "{:?} {:?}", read.codes, read.texts);
    assert_eq!(read.document_ids(), vec![first_assessment.id.clone()]);
    let log = sim.admin_json(&format!("/admin/disclosures?client={}", p.hetu)).await;
    assert!(log["disclosures"].as_array().expect("log").is_empty());

    // A provider the right does not name gets nothing from THL's register.
    let hoiva = Organisation::hoivapalvelu();
    let outsider = sim.actor("hoiva-atj", &hoiva.controller);
    let r = outsider.query(ix::Q_METADATA, QueryBuilder::new().client(&p.hetu).controller(&thl.controller)).await;
    assert_eq!(r.codes, vec!["SHA-L201".to_string()], "{:?}", r.texts);

    // Since 1.9.2026 a shelter document in the shelter's own register is in the wrong register …
    let own = kit(shelter.clone());
    let r = actor.store(&own.client_document_of_type(p, &case, DocumentModel::Liittymisvelvoite, "1011")).await;
    assert_eq!(r.ack.as_deref(), Some("AR"));
    assert!(r.has_code("SHA-L202"), "{:?}", r.texts);
    assert!(r.texts.iter().any(|t| t.contains(&thl.controller)), "{:?}", r.texts);
    // … and so is a purchased service's document the provider keeps in its own register.
    let mut purchased = kit(hoiva.clone()).client_document(p, &case, DocumentModel::Liittymisvelvoite);
    purchased.organiser = Some(Organisation::hyvinvointialue().controller);
    let r = outsider.store(&purchased).await;
    assert!(r.has_code("SHA-L202"), "{:?}", r.texts);
    // Before the date the register was not judged: the same document passes that rule.
    sim.clock().set(datetime!(2026-08-20 12:00 UTC), true);
    let r = outsider.store(&purchased).await;
    assert!(!r.has_code("SHA-L202"), "{:?}", r.codes);
}
