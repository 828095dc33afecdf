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
    let a = sim.actor("liittyva2-atj", &kit.org.controller);
    let p = person("aikuinen");
    let case = a.open_case(&kit, p).await;
    for model in [DocumentModel::Vaihe1, DocumentModel::Vaihe2, DocumentModel::Vanha] {
        a.store_ok(&kit.client_document(p, &case, model)).await;
    }
    // Structured documents belong to the Client Data Act world (their structures date from 2023–).
    // On the Client Data Act clock the phase II profile has ended: the city's joining-obligation
    // system stores into the same register.
    sim.clock().set(datetime!(2026-11-20 12:00 UTC), false);
    let kit_2026 = Kit::new(Organisation::testila(), datetime!(2026-11-20 10:00 UTC));
    let a = sim.actor("liittymisvelvoite-atj", &kit.org.controller);
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
    let a = sim.actor("liittyva2-atj", &kit.org.controller);
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
    let a = sim.actor("liittyva2-atj", &kit.org.controller);
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
    let a = sim.actor("liittyva2-atj", &kit.org.controller);
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
    let a = sim.actor("liittyva2-atj", &kit.org.controller);
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
    // Joint joining as Kela describes it: private providers on their main joiner's system,
    // each the controller of its own documents (Client Data Act world).
    let sim = Sim::start().await;
    sim.clock().set(datetime!(2026-11-20 12:00 UTC), false);
    let now = datetime!(2026-11-20 10:00 UTC);
    let main = Kit::new(Organisation::palvelukeskus(), now);
    let small = Kit::new(Organisation::pienpalvelu(), now);
    let a_main = sim.actor("palvelukeskus-atj", &main.org.controller);
    let a_small = sim.actor("palvelukeskus-atj", &small.org.controller);
    let p = person("aikuinen");
    let (cm, cs) = (new_oid(), new_oid());
    a_main.store_ok(&main.clienthood(p)).await;
    a_main.store_ok(&main.case(p, &cm)).await;
    let dm = main.client_document(p, &cm, DocumentModel::Liittymisvelvoite);
    a_main.store_ok(&dm).await;
    a_small.store_ok(&small.clienthood(p)).await;
    a_small.store_ok(&small.case(p, &cs)).await;
    let ds = small.client_document(p, &cs, DocumentModel::Liittymisvelvoite);
    a_small.store_ok(&ds).await;

    assert_eq!(
        a_main.query(ix::Q_METADATA, QueryBuilder::new().client(&p.hetu)).await.document_ids(),
        vec![dm.id.clone()]
    );
    assert_eq!(
        a_small.query(ix::Q_METADATA, QueryBuilder::new().client(&p.hetu)).await.document_ids(),
        vec![ds.id.clone()]
    );
    // Fetching the other joiner's document answers exactly as for a missing one.
    let other = a_main.query(ix::FETCH, QueryBuilder::new().id("documentId", &ds.id)).await;
    let missing = a_main.query(ix::FETCH, QueryBuilder::new().id("documentId", "1.2.3.4.5")).await;
    assert_eq!(other.codes, vec!["SHA-R902"]);
    assert_eq!(missing.codes, vec!["SHA-R902"]);
    // A joiner cannot version or invalidate the other's document.
    assert!(a_main.invalidate(&ds.id, "väärä").await.has_code("SHA-R605"));
    let mut cross = small.new_version(&ds);
    cross.controller = Some(main.org.controller.clone());
    assert!(a_main.new_version(&cross).await.has_code("SHA-R605"));
    // The group's shared archivist sees every joiner's documents.
    let groups = sim.admin_json("/admin/joint-groups").await;
    assert_eq!(groups[0]["main_system"], "palvelukeskus-atj", "{groups}");
    let docs = sim.admin_json(&format!("/admin/joint-groups/palvelukeskus-atj/documents?hetu={}", p.hetu)).await;
    let mut ids: Vec<String> = docs["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .filter_map(|d| d["id"].as_str().map(String::from))
        .collect();
    ids.retain(|i| *i == dm.id || *i == ds.id);
    assert_eq!(ids.len(), 2, "{docs}");
    // … and so does the archivist view's page for the group, member by member.
    let s = &sim;
    let get = |path: String| async move {
        let r = reqwest::get(s.admin(&path)).await.expect("ui");
        (r.status().as_u16(), r.text().await.expect("text"))
    };
    let (status, dash) = get("/ui".into()).await;
    assert_eq!(status, 200);
    assert!(dash.contains("Palvelukeskuksen yhteisliittymä"), "dashboard lists the group");
    let (status, page) = get(format!("/ui/yhteisliittyma?group=palvelukeskus-atj&hetu={}", p.hetu)).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Palvelukeskus Testi Oy") && page.contains("Pienpalvelu Testi Oy"), "{page}");
    assert!(page.contains(&dm.id) && page.contains(&ds.id), "{page}");
    assert_eq!(get("/ui/yhteisliittyma?group=ei-ole".into()).await.0, 404);
    // A controller outside the group: the main system does not act for it.
    let outsider = sim.actor("palvelukeskus-atj", &Organisation::hoivapalvelu().controller);
    let r = outsider.query(ix::Q_METADATA, QueryBuilder::new().client(&p.hetu)).await;
    assert_eq!((r.ack.as_deref(), r.codes.clone()), (Some("AR"), vec!["SHA-R401".to_string()]));
}

#[tokio::test]
async fn profile_matrix_is_enforced_for_every_use_case() {
    let sim = Sim::start().await;
    let kit = in_2022(&sim).await;
    let ctrl = kit.org.controller.clone();
    let p = person("aikuinen");
    // Set-up by the phase II joining system.
    let setup = sim.actor("liittyva2-atj", &ctrl);
    let case = setup.open_case(&kit, p).await;

    // (profile system, [allowed per use case]) — SPEC §2: phase I profiles store old and
    // phase I documents only; phase II profiles add phase II documents.
    let storing = [true, true, true, false, true, true, true];
    let rows: [(&str, [bool; 12]); 6] = [
        ("liittyva-atj", [true, true, true, false, true, true, true, true, true, true, true, true]),
        ("tallentava-atj", [true, true, true, false, true, true, true, false, false, false, false, false]),
        ("katseleva-atj", [false, false, false, false, false, false, false, true, true, true, true, true]),
        ("arkistoiva-atj", [false, false, false, false, true, false, false, false, false, false, false, false]),
        ("liittyva2-atj", [true; 12]),
        ("tallentava2-atj", [true, true, true, true, true, true, true, false, false, false, false, false]),
    ];
    let _ = storing;
    let names = [
        "store clienthood",
        "store case",
        "store phase I",
        "store phase II",
        "store old",
        "new version of a phase I document",
        "invalidate a phase I document",
        "query clienthood",
        "query case",
        "query metadata",
        "fetch document",
        "fetch kooste",
    ];
    // One client per row for the clienthood: one clienthood per client per organiser.
    let others = ["aikuinen_mies", "vanhus", "huoltaja", "perhe_isa", "perhe_aiti", "numero_999"];
    for (row, (system, allowed)) in rows.into_iter().enumerate() {
        let a = sim.actor(system, &ctrl);
        let other = person(others[row]);
        // Each storing profile works on its own case so use cases do not collide.
        let own_case = new_oid();
        let target = kit.client_document(p, &case, DocumentModel::Vaihe1);
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
                assert!(
                    r.texts.iter().any(|t| t.contains(&format!("profile {}", sim.profile_of(system, &ctrl)))),
                    "{system}: the refusal names the profile: {:?}",
                    r.texts
                );
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
async fn profiles_are_used_only_between_their_dates() {
    let sim = Sim::start().await;
    let p = person("aikuinen");
    let ctrl = Organisation::testila().controller;
    // 2019: phase I profiles serve; the joining-obligation profile does not exist yet, and
    // neither do Kanta information records (the Client Data Act is in force from 2024).
    sim.clock().set(datetime!(2019-06-03 12:00 UTC), false);
    let kit = Kit::new(Organisation::testila(), datetime!(2019-06-03 10:00 UTC));
    let phase1 = sim.actor("liittyva-atj", &ctrl);
    phase1.open_case(&kit, p).await;
    let lv = sim.actor("liittymisvelvoite-atj", &ctrl);
    let r = lv.store(&kit.clienthood(person("vanhus"))).await;
    assert_eq!((r.ack.as_deref(), r.codes.clone()), (Some("AR"), vec!["SHA-D003".to_string()]), "{:?}", r.texts);
    assert!(r.texts.iter().any(|t| t.contains("2024-01-01") && t.contains("liittymisvelvoite")), "{:?}", r.texts);
    let r = lv.store(&kit.informing(p)).await;
    assert_eq!(r.codes, vec!["SHA-D002".to_string()], "{:?}", r.texts);
    assert!(r.texts.iter().any(|t| t.contains("2024-01-01")), "{:?}", r.texts);
    // A phase II profile is not in use before wave 6 (5/2020).
    let r = sim.actor("liittyva2-atj", &ctrl).query(ix::Q_CLIENTHOOD, QueryBuilder::new().client(&p.hetu)).await;
    assert_eq!(r.codes, vec!["SHA-D003".to_string()], "{:?}", r.texts);
    // 2026: the phase I profile has ended (end of 2022): its query is refused, naming the date.
    sim.clock().set(datetime!(2026-12-01 12:00 UTC), false);
    let r = phase1.query(ix::Q_CLIENTHOOD, QueryBuilder::new().client(&p.hetu)).await;
    assert_eq!((r.ack.as_deref(), r.codes.clone()), (Some("AR"), vec!["SHA-D003".to_string()]));
    assert!(r.texts.iter().any(|t| t.contains("2022-12-31") && t.contains("liittyvä")), "{:?}", r.texts);
    // The joining-obligation system reads the same register.
    let r = lv.query(ix::Q_CLIENTHOOD, QueryBuilder::new().client(&p.hetu)).await;
    assert!(r.accepted(), "{:?}", r.codes);
    assert_eq!(r.document_ids().len(), 1);
}

#[tokio::test]
async fn turvakielto_data_is_masked_in_a_fetched_clienthood() {
    let sim = Sim::start().await;
    let kit = in_2022(&sim).await;
    let a = sim.actor("liittyva2-atj", &kit.org.controller);
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
    let a = sim.actor("liittyva2-atj", &kit.org.controller);
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
    sim.actor("liittyva2-atj", &kit.org.controller).store_ok(&hood).await;
    let sim = sim.restart().await;
    // A restart starts on the real clock: back to 2022, where the phase II profile serves.
    in_2022(&sim).await;
    let a = sim.actor("liittyva2-atj", &kit.org.controller);
    let r = a.query(ix::FETCH, QueryBuilder::new().id("documentId", &hood.id)).await;
    assert!(r.accepted(), "{:?}", r.codes);
    assert_eq!(r.document_ids(), vec![hood.id.clone()]);
}
