//! The archive's use cases end to end over mutual TLS: every kind of store,
//! versions, invalidation, queries, kooste, the profile matrix, isolation
//! between controllers (also under joint joining), masking and persistence.

mod common;

use common::{document_count, ix, Sim};
use sha_simulator::compose::kit::{new_oid, Kit, Organisation};
use sha_simulator::compose::QueryBuilder;
use sha_simulator::document::DocumentModel;
use sha_simulator::persons::TestPersons;
use time::macros::datetime;

fn person(key: &str) -> &'static sha_simulator::persons::TestPerson {
    TestPersons::builtin().get(key).expect("test person")
}

/// Phase I/II were in use before the 2026 deadline: these tests run in 2022.
async fn in_2022(sim: &Sim) -> Kit {
    sim.clock().set(datetime!(2022-06-01 12:00 UTC), false);
    Kit::new(Organisation::testila(), datetime!(2022-06-01 10:00 UTC))
}

#[tokio::test]
async fn stores_every_kind_of_document_and_finds_it_in_the_kooste() {
    let sim = Sim::start().await;
    let kit = in_2022(&sim).await;
    let a = sim.actor("liittyva-atj", &kit.org.controller);
    let p = person("aikuinen");
    let case = a.open_case(&kit, p).await;
    for model in [DocumentModel::Vaihe1, DocumentModel::Vaihe2, DocumentModel::Vanha] {
        a.store_ok(&kit.client_document(p, &case, model)).await;
    }
    // Structured documents belong to the Client Data Act world (their structures date from 2023–).
    sim.clock().set(datetime!(2026-11-20 12:00 UTC), false);
    let kit_2026 = Kit::new(Organisation::testila(), datetime!(2026-11-20 10:00 UTC));
    a.store_ok(&kit_2026.client_document(p, &case, DocumentModel::Liittymisvelvoite)).await;
    let k = a.query(ix::KOOSTE, QueryBuilder::new().client(&p.hetu)).await;
    assert!(k.accepted(), "{:?}", k.codes);
    let kooste = &k.payload[0];
    let count = |s: &str| kooste.child(s).and_then(|e| e.attr("count")).unwrap_or("?").to_string();
    assert_eq!((count("clienthoods"), count("cases"), count("documents")), ("1".into(), "1".into(), "4".into()));
}

#[tokio::test]
async fn client_document_needs_clienthood_and_case_first() {
    let sim = Sim::start().await;
    let kit = in_2022(&sim).await;
    let a = sim.actor("liittyva-atj", &kit.org.controller);
    let p = person("aikuinen");
    let case = new_oid();
    let before = document_count(&sim).await;
    let r = a.store(&kit.client_document(p, &case, DocumentModel::Vaihe2)).await;
    assert_eq!(r.ack.as_deref(), Some("AE"));
    assert!(r.has_code("SHA-R502") && r.has_code("SHA-R501"), "{:?}", r.codes);
    assert_eq!(document_count(&sim).await, before, "a rejected message changes nothing");
    a.store_ok(&kit.clienthood(p)).await;
    let r = a.store(&kit.client_document(p, &case, DocumentModel::Vaihe2)).await;
    assert_eq!(r.codes, vec!["SHA-R501"], "only the case is missing now");
}

#[tokio::test]
async fn new_version_replaces_and_old_versions_stay_retrievable() {
    let sim = Sim::start().await;
    let kit = in_2022(&sim).await;
    let a = sim.actor("liittyva-atj", &kit.org.controller);
    let p = person("aikuinen");
    let case = a.open_case(&kit, p).await;
    let v1 = kit.client_document(p, &case, DocumentModel::Vaihe2);
    a.store_ok(&v1).await;
    let v2 = kit.new_version(&v1);
    let r = a.new_version(&v2).await;
    assert!(r.accepted(), "{:?} {:?}", r.codes, r.texts);
    let q = a.query(ix::Q_METADATA, QueryBuilder::new().client(&p.hetu)).await;
    assert_eq!(q.document_ids(), vec![v2.id.clone()], "only the current version by default");
    let q = a.query(ix::Q_METADATA, QueryBuilder::new().client(&p.hetu).flag("includeOldVersions", true)).await;
    let mut ids = q.document_ids();
    ids.sort();
    let mut want = vec![v1.id.clone(), v2.id.clone()];
    want.sort();
    assert_eq!(ids, want);
    let old = a.query(ix::FETCH, QueryBuilder::new().id("documentId", &v1.id)).await;
    assert!(old.accepted());
    assert_eq!(old.documents()[0].child("statusCode").and_then(|s| s.attr("code")), Some("obsolete"));

    // Versioning the replaced version, skipping a number, or changing the set are refused.
    let stale = kit.new_version(&v1);
    assert!(a.new_version(&stale).await.has_code("SHA-R604"));
    let mut skip = kit.new_version(&v2);
    skip.version = 5;
    assert!(a.new_version(&skip).await.has_code("SHA-R603"));
    let mut other_set = kit.new_version(&v2);
    other_set.set_id = new_oid();
    assert!(a.new_version(&other_set).await.has_code("SHA-R606"));
    let mut no_parent = kit.new_version(&v2);
    no_parent.replaces = None;
    assert!(a.new_version(&no_parent).await.has_code("SHA-R608"));
    // A version sent with its original's service request is a version all the same: its
    // relatedDocument says so (real senders use one service request for both).
    let r = a.store(&kit.new_version(&v2)).await;
    assert!(r.accepted(), "{:?} {:?}", r.codes, r.texts);
}

#[tokio::test]
async fn invalidated_document_is_hidden_unless_asked_for() {
    let sim = Sim::start().await;
    let kit = in_2022(&sim).await;
    let a = sim.actor("liittyva-atj", &kit.org.controller);
    let p = person("aikuinen");
    let case = a.open_case(&kit, p).await;
    let d = kit.client_document(p, &case, DocumentModel::Vaihe2);
    a.store_ok(&d).await;
    let no_reason = a.invalidate(&d.id, "").await;
    assert!(no_reason.has_code("SHA-R101"), "{:?}", no_reason.codes);
    let r = a.invalidate(&d.id, "Kirjattu väärälle asiakkaalle").await;
    assert!(r.accepted(), "{:?} {:?}", r.codes, r.texts);
    assert!(a.query(ix::Q_METADATA, QueryBuilder::new().client(&p.hetu)).await.document_ids().is_empty());
    let with = a.query(ix::Q_METADATA, QueryBuilder::new().client(&p.hetu).flag("includeInvalidated", true)).await;
    assert_eq!(with.document_ids(), vec![d.id.clone()]);
    let inv = with.documents()[0].child("invalidation").map(|e| e.text()).unwrap_or_default();
    assert_eq!(inv, "Kirjattu väärälle asiakkaalle");
    assert!(a.invalidate(&d.id, "uudestaan").await.has_code("SHA-R607"));
    assert!(a.query(ix::FETCH, QueryBuilder::new().id("documentId", &d.id)).await.has_code("SHA-R607"));
    assert!(a.new_version(&kit.new_version(&d)).await.has_code("SHA-R607"));
}

#[tokio::test]
async fn queries_filter_by_time_service_task_type_and_case() {
    let sim = Sim::start().await;
    let kit = in_2022(&sim).await;
    let a = sim.actor("liittyva-atj", &kit.org.controller);
    let p = person("aikuinen");
    let (c1, c2) = (new_oid(), new_oid());
    a.store_ok(&kit.clienthood(p)).await;
    a.store_ok(&kit.case(p, &c1)).await;
    let early = Kit { now: datetime!(2022-01-10 09:00 UTC), ..kit.clone() };
    let mut substance = Kit { service_task: "15".into(), ..kit.clone() };
    substance.now = datetime!(2022-05-01 09:00 UTC);
    a.store_ok(&substance.case(p, &c2)).await;
    let d1 = early.client_document(p, &c1, DocumentModel::Vaihe1);
    let d2 = kit.client_document(p, &c1, DocumentModel::Vaihe2);
    let d3 = substance.client_document(p, &c2, DocumentModel::Vaihe2);
    for d in [&d1, &d2, &d3] {
        a.store_ok(d).await;
    }
    let ids = |q: QueryBuilder| {
        let a = &a;
        async move {
            let mut v = a.query(ix::Q_METADATA, q.client(&p.hetu)).await.document_ids();
            v.sort();
            v
        }
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(
        ids(QueryBuilder::new().time_range(None, Some(datetime!(2022-02-01 0:00 UTC)))).await,
        vec![d1.id.clone()]
    );
    assert_eq!(ids(QueryBuilder::new().code("serviceTask", "15")).await, vec![d3.id.clone()]);
    assert_eq!(ids(QueryBuilder::new().id("caseId", &c1)).await, sorted(vec![d1.id.clone(), d2.id.clone()]));
    assert_eq!(
        ids(QueryBuilder::new().code("documentType", "19003")).await,
        sorted(vec![d2.id.clone(), d3.id.clone()])
    );
    assert_eq!(ids(QueryBuilder::new().code("documentKind", "vaihe1")).await, vec![d1.id.clone()]);
    let cases = a.query(ix::Q_CASE, QueryBuilder::new().client(&p.hetu)).await;
    assert_eq!(cases.document_ids().len(), 2);
    let hood = a.query(ix::Q_CLIENTHOOD, QueryBuilder::new().client(&p.hetu)).await;
    assert_eq!(hood.document_ids().len(), 1);
    let missing = a.query(ix::Q_METADATA, QueryBuilder::new()).await;
    assert!(missing.has_code("SHA-R901"));
}

#[tokio::test]
async fn controllers_see_only_their_own_documents_also_under_joint_joining() {
    let sim = Sim::start().await;
    sim.clock().set(datetime!(2022-06-01 12:00 UTC), false);
    let now = datetime!(2022-06-01 10:00 UTC);
    let kyla = Kit::new(Organisation::testikyla(), now);
    let maa = Kit::new(Organisation::testimaa(), now);
    let a_kyla = sim.actor("yhteis-atj", &kyla.org.controller);
    let a_maa = sim.actor("yhteis-atj", &maa.org.controller);
    let p = person("aikuinen");
    let (ck, cm) = (new_oid(), new_oid());
    a_kyla.store_ok(&kyla.clienthood(p)).await;
    a_kyla.store_ok(&kyla.case(p, &ck)).await;
    let dk = kyla.client_document(p, &ck, DocumentModel::Vaihe2);
    a_kyla.store_ok(&dk).await;
    a_maa.store_ok(&maa.clienthood(p)).await;
    a_maa.store_ok(&maa.case(p, &cm)).await;
    let dm = maa.client_document(p, &cm, DocumentModel::Vaihe2);
    a_maa.store_ok(&dm).await;

    assert_eq!(
        a_kyla.query(ix::Q_METADATA, QueryBuilder::new().client(&p.hetu)).await.document_ids(),
        vec![dk.id.clone()]
    );
    assert_eq!(
        a_maa.query(ix::Q_METADATA, QueryBuilder::new().client(&p.hetu)).await.document_ids(),
        vec![dm.id.clone()]
    );
    // Fetching the other joiner's document answers exactly as for a missing one.
    let other = a_kyla.query(ix::FETCH, QueryBuilder::new().id("documentId", &dm.id)).await;
    let missing = a_kyla.query(ix::FETCH, QueryBuilder::new().id("documentId", "1.2.3.4.5")).await;
    assert_eq!(other.codes, vec!["SHA-R902"]);
    assert_eq!(missing.codes, vec!["SHA-R902"]);
    // A joiner cannot version or invalidate the other's document.
    assert!(a_kyla.invalidate(&dm.id, "väärä").await.has_code("SHA-R605"));
    let mut cross = maa.new_version(&dm);
    cross.controller = Some(kyla.org.controller.clone());
    assert!(a_kyla.new_version(&cross).await.has_code("SHA-R605"));
    // A system that does not act for Testikylä cannot query it at all.
    let outsider = sim.actor("liittyva-atj", &kyla.org.controller);
    let r = outsider.query(ix::Q_METADATA, QueryBuilder::new().client(&p.hetu)).await;
    assert_eq!((r.ack.as_deref(), r.codes.clone()), (Some("AR"), vec!["SHA-R401".to_string()]));
}

#[tokio::test]
async fn profile_matrix_is_enforced_for_every_use_case() {
    let sim = Sim::start().await;
    let kit = in_2022(&sim).await;
    let ctrl = kit.org.controller.clone();
    let p = person("aikuinen");
    // Set-up by the joining system.
    let setup = sim.actor("liittyva-atj", &ctrl);
    let case = setup.open_case(&kit, p).await;

    // (profile system, [allowed per use case]) — SPEC §2.
    let rows: [(&str, [bool; 12]); 4] = [
        ("liittyva-atj", [true; 12]),
        ("tallentava-atj", [true, true, true, true, true, true, true, false, false, false, false, false]),
        ("katseleva-atj", [false, false, false, false, false, false, false, true, true, true, true, true]),
        ("arkistoiva-atj", [false, false, false, false, true, false, false, false, false, false, false, false]),
    ];
    let names = [
        "store clienthood",
        "store case",
        "store phase I",
        "store phase II",
        "store old",
        "new version",
        "invalidate",
        "query clienthood",
        "query case",
        "query metadata",
        "fetch document",
        "fetch kooste",
    ];
    for (system, allowed) in rows {
        let a = sim.actor(system, &ctrl);
        let other = person("aikuinen_mies");
        // Each storing profile works on its own client so use cases do not collide.
        let own_case = new_oid();
        let target = kit.client_document(p, &case, DocumentModel::Vaihe2);
        setup.store_ok(&target).await;
        let results = vec![
            a.store(&kit.clienthood(other)).await,
            a.store(&kit.case(p, &own_case)).await,
            a.store(&kit.client_document(p, &case, DocumentModel::Vaihe1)).await,
            a.store(&kit.client_document(p, &case, DocumentModel::Vaihe2)).await,
            a.store(&kit.client_document(p, &case, DocumentModel::Vanha)).await,
            a.new_version(&kit.new_version(&target)).await,
            a.invalidate(&target.id, "testi").await,
            a.query(ix::Q_CLIENTHOOD, QueryBuilder::new().client(&p.hetu)).await,
            a.query(ix::Q_CASE, QueryBuilder::new().client(&p.hetu)).await,
            a.query(ix::Q_METADATA, QueryBuilder::new().client(&p.hetu)).await,
            a.query(ix::FETCH, QueryBuilder::new().id("documentId", &target.id)).await,
            a.query(ix::KOOSTE, QueryBuilder::new().client(&p.hetu)).await,
        ];
        for (i, r) in results.iter().enumerate() {
            if allowed[i] {
                // Invalidating after versioning in the same row hits "not current": still authorised.
                let ok = r.accepted() || (i == 6 && r.has_code("SHA-R604"));
                assert!(ok, "{system}: {} should be allowed: {:?} {:?}", names[i], r.codes, r.texts);
            } else {
                assert_eq!(r.ack.as_deref(), Some("AR"), "{system}: {} should be refused: {:?}", names[i], r.codes);
                assert!(r.has_code("SHA-R402"), "{system}: {}: {:?}", names[i], r.codes);
            }
        }
    }
    // The archiving profile may version and invalidate old documents only.
    let arch = sim.actor("arkistoiva-atj", &ctrl);
    let old = kit.client_document(p, &case, DocumentModel::Vanha);
    arch.store_ok(&old).await;
    let r = arch.new_version(&kit.new_version(&old)).await;
    assert!(r.accepted(), "{:?} {:?}", r.codes, r.texts);
}

#[tokio::test]
async fn turvakielto_data_is_masked_in_a_fetched_clienthood() {
    let sim = Sim::start().await;
    let kit = in_2022(&sim).await;
    let a = sim.actor("liittyva-atj", &kit.org.controller);
    let p = TestPersons::builtin().persons.iter().find(|p| p.turvakielto).expect("a turvakielto person");
    let hood = kit.clienthood(p);
    a.store_ok(&hood).await;
    let r = a.query(ix::FETCH, QueryBuilder::new().id("documentId", &hood.id)).await;
    assert!(r.accepted());
    let (_, contents) = r.fetched().expect("a fetched document");
    let json = contents.json().expect("the structured form");
    let asiakas = &json["asiakkuusasiakirja"]["asiakas"];
    assert_eq!(asiakas["turvakielto"], true);
    assert!(asiakas.get("kotikunta").is_none(), "home municipality hidden");
    assert!(asiakas["yhteystiedot"].get("osoite").is_none(), "address hidden");
    assert_eq!(asiakas["yhteystiedot"]["puhelinnumero"], "0400000000", "phone kept");
}

#[tokio::test]
async fn validation_service_reports_everything_and_stores_nothing() {
    let sim = Sim::start().await;
    let kit = in_2022(&sim).await;
    let a = sim.actor("liittyva-atj", &kit.org.controller);
    let p = person("aikuinen");
    let good = kit.clienthood(p);
    let r = a.validate(&good).await;
    assert!(r.accepted(), "{:?}", r.codes);
    assert_eq!(document_count(&sim).await, 0);
    let mut bad = kit.client_document(p, "1.2.3", DocumentModel::Vaihe2);
    bad.service_task = None;
    bad.client_id = Some("010181-900D".into());
    let r = a.validate(&bad).await;
    for code in ["SHA-R101", "SHA-R301", "SHA-R501", "SHA-R502"] {
        assert!(r.has_code(code), "{code} in {:?}", r.codes);
    }
    assert_eq!(document_count(&sim).await, 0);
}

#[tokio::test]
async fn stored_documents_survive_a_restart() {
    let sim = Sim::start().await;
    let kit = in_2022(&sim).await;
    let p = person("aikuinen");
    let hood = kit.clienthood(p);
    sim.actor("liittyva-atj", &kit.org.controller).store_ok(&hood).await;
    let sim = sim.restart().await;
    let a = sim.actor("liittyva-atj", &kit.org.controller);
    let r = a.query(ix::FETCH, QueryBuilder::new().id("documentId", &hood.id)).await;
    assert!(r.accepted(), "{:?}", r.codes);
    assert_eq!(r.document_ids(), vec![hood.id.clone()]);
}
