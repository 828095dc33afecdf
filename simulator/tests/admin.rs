//! Every admin endpoint, fault rules seen by a real client followed by normal
//! service, and clock travel changing a time rule's verdict.

mod common;

use common::{document_count, ix, Sim};
use serde_json::{json, Value};
use sha_simulator::compose::kit::{Kit, Organisation};
use sha_simulator::compose::QueryBuilder;
use sha_simulator::persons::TestPersons;
use time::macros::datetime;

async fn send(method: reqwest::Method, url: String, body: Option<Value>) -> (u16, Value) {
    let c = reqwest::Client::new();
    let mut r = c.request(method, url);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().await.expect("admin reachable");
    let status = resp.status().as_u16();
    let v = resp.json::<Value>().await.unwrap_or(Value::Null);
    (status, v)
}

#[tokio::test]
async fn openapi_describes_every_route() {
    let sim = Sim::start().await;
    let doc = sim.admin_json("/admin/openapi.json").await;
    assert_eq!(doc["openapi"], "3.0.3");
    for path in [
        "/admin/health",
        "/admin/journal",
        "/admin/journal/{seq}",
        "/admin/reset",
        "/admin/fixtures",
        "/admin/seed/{name}",
        "/admin/clock",
        "/admin/clock/advance",
        "/admin/faults",
        "/admin/faults/{id}",
        "/admin/systems",
        "/admin/documents/{id}",
        "/admin/joint-groups",
        "/admin/joint-groups/{name}/documents",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing from the OpenAPI document");
    }
}

#[tokio::test]
async fn journal_filters_and_single_entries() {
    let sim = Sim::start().await;
    let kit = Kit::new(Organisation::testila(), sim.clock().now());
    let p = TestPersons::builtin().get("aikuinen").expect("person");
    let a = sim.actor("liittymisvelvoite-atj", &kit.org.controller);
    // Today (after 2026-08-31) a clienthood declares the joining-obligation model.
    a.store_ok(&kit.clienthood(p)).await;
    let r = sim.actor("katseleva-atj", &kit.org.controller).store(&kit.clienthood(p)).await;
    assert_eq!(r.ack.as_deref(), Some("AR"));
    let by_system = sim.admin_json("/admin/journal?system=katseleva-atj").await;
    assert_eq!(by_system["entries"].as_array().expect("entries").len(), 1);
    assert_eq!(by_system["entries"][0]["ack_codes"][0], "SHA-R402");
    let accepted = sim.admin_json("/admin/journal?outcome=accepted&interaction=RCMR_IN200002FI01").await;
    assert_eq!(accepted["entries"].as_array().expect("entries").len(), 1);
    let stored = accepted["entries"][0]["documents"][0].as_str().expect("document id").to_string();
    let doc = sim.admin_json(&format!("/admin/documents/{stored}")).await;
    assert_eq!(doc["metadata"]["client"]["extension"], p.hetu.as_str());
    assert_eq!(doc["status"], "current");
    let (status, _) = send(reqwest::Method::GET, sim.admin("/admin/documents/1.2.3.nothing"), None).await;
    assert_eq!(status, 404);
    let limited = sim.admin_json("/admin/journal?limit=1").await;
    assert_eq!(limited["entries"].as_array().expect("entries").len(), 1);
    let seq = limited["entries"][0]["seq"].as_u64().expect("seq");
    let after = sim.admin_json(&format!("/admin/journal?after_seq={seq}")).await;
    assert!(after["entries"].as_array().expect("entries").is_empty());
    let future = sim.admin_json("/admin/journal?since=2999-01-01T00:00:00Z").await;
    assert!(future["entries"].as_array().expect("entries").is_empty());
    let (status, err) = send(reqwest::Method::GET, sim.admin("/admin/journal?outcome=maybe"), None).await;
    assert_eq!(status, 400);
    assert!(err["error"].as_str().expect("error").contains("maybe"));
    let (status, _) = send(reqwest::Method::GET, sim.admin("/admin/journal/999999"), None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn reset_empties_the_archive_and_keeps_the_registry() {
    let sim = Sim::start().await;
    let (status, report) = send(reqwest::Method::POST, sim.admin("/admin/seed/turvakielto"), None).await;
    assert_eq!(status, 200, "{report}");
    assert!(document_count(&sim).await > 0);
    let p = TestPersons::builtin().get("aikuinen").expect("person");
    let a = sim.actor("liittymisvelvoite-atj", &Organisation::testila().controller);
    assert!(a.query(ix::KOOSTE, QueryBuilder::new().client(&p.hetu)).await.accepted());
    let (status, _) = send(reqwest::Method::POST, sim.admin("/admin/reset"), None).await;
    assert_eq!(status, 200);
    assert_eq!(document_count(&sim).await, 0);
    let kept = sim.admin_json("/admin/journal").await;
    assert_eq!(kept["entries"].as_array().expect("entries").len(), 1, "the journal survives a plain reset");
    let systems = sim.admin_json("/admin/systems").await["systems"].as_array().expect("systems").len();
    assert_eq!(systems, common::registry().systems().len());
    assert!(systems >= 5);
    let (_, _) = send(reqwest::Method::POST, sim.admin("/admin/reset?journal=true"), None).await;
    assert!(sim.admin_json("/admin/journal").await["entries"].as_array().expect("entries").is_empty());
}

#[tokio::test]
async fn seeding_a_family_makes_it_queryable() {
    let sim = Sim::start().await;
    let list = sim.admin_json("/admin/fixtures").await;
    let names: Vec<&str> =
        list["fixtures"].as_array().expect("list").iter().filter_map(|f| f["name"].as_str()).collect();
    assert!(names.contains(&"perhe") && names.contains(&"asiakas-200") && names.contains(&"turvakielto"), "{names:?}");
    let (status, report) = send(reqwest::Method::POST, sim.admin("/admin/seed/perhe"), None).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["clients"].as_array().expect("clients").len(), 3);
    assert_eq!(report["invalidations"], 1);
    let child = TestPersons::builtin().get("perhe_lapsi").expect("child");
    let a = sim.actor("liittymisvelvoite-atj", &Organisation::testila().controller);
    let k = a.query(ix::KOOSTE, QueryBuilder::new().client(&child.hetu)).await;
    assert!(k.accepted(), "{:?}", k.codes);
    // 3 phase II + 1 phase I + 1 old, one phase II invalidated, one versioned (current only).
    assert_eq!(k.payload[0].child("documents").and_then(|d| d.attr("count")), Some("4"));
    let (status, err) = send(reqwest::Method::POST, sim.admin("/admin/seed/no-such"), None).await;
    assert_eq!(status, 404);
    assert!(err["error"].as_str().expect("error").contains("no-such"));
}

#[tokio::test]
async fn clock_travel_changes_a_time_rule_verdict() {
    let sim = Sim::start().await;
    let (status, c) = send(
        reqwest::Method::PUT,
        sim.admin("/admin/clock"),
        Some(json!({"now": "2022-06-01T08:00:00Z", "freeze": true})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!((c["now"].as_str(), c["mode"].as_str()), (Some("2022-06-01T08:00:00Z"), Some("frozen")));
    let kit = Kit::new(Organisation::testila(), datetime!(2022-06-01 10:00 UTC));
    let p = TestPersons::builtin().get("aikuinen").expect("person");
    let a = sim.actor("liittyva2-atj", &kit.org.controller);
    let hood = kit.clienthood(p);
    let r = a.store(&hood).await;
    assert_eq!(r.codes, vec!["SHA-R801"], "dated two hours ahead of the clock");
    let (_, c) = send(reqwest::Method::POST, sim.admin("/admin/clock/advance"), Some(json!({"hours": 3}))).await;
    assert_eq!(c["now"], "2022-06-01T11:00:00Z");
    let r = a.store(&hood).await;
    assert!(r.accepted(), "after the clock moved: {:?}", r.codes);
    let (status, _) = send(reqwest::Method::PUT, sim.admin("/admin/clock"), Some(json!({"now": "yesterday"}))).await;
    assert_eq!(status, 400);
    let (status, _) =
        send(reqwest::Method::POST, sim.admin("/admin/clock/advance"), Some(json!({"days": i64::MAX}))).await;
    assert_eq!(status, 400);
    let (_, c) = send(reqwest::Method::DELETE, sim.admin("/admin/clock"), None).await;
    assert_eq!(c["mode"], "running");
    assert_eq!(c["offset_seconds"], 0);
}

#[tokio::test]
async fn fault_rules_are_seen_by_the_client_then_service_returns() {
    let sim = Sim::start().await;
    let kit = Kit::new(Organisation::testila(), sim.clock().now());
    let p = TestPersons::builtin().get("aikuinen").expect("person");
    let a = sim.actor("liittymisvelvoite-atj", &kit.org.controller);
    let query = || QueryBuilder::new().client(&p.hetu);
    let cases = [
        (json!({"kind": "http_status", "status": 503}), "503"),
        (json!({"kind": "soap_fault"}), "fault"),
        (json!({"kind": "hl7_reject"}), "AR"),
        (json!({"kind": "drop_connection"}), "dropped"),
        (json!({"kind": "delay", "ms": 300}), "slow"),
    ];
    for (action, expect) in cases {
        let (status, rule) = send(
            reqwest::Method::POST,
            sim.admin("/admin/faults"),
            Some(json!({"system": "liittymisvelvoite-atj", "interaction": "QUQI_IN200009FI01", "count": 1, "action": action})),
        )
        .await;
        assert_eq!(status, 201, "{rule}");
        let msg = sha_simulator::compose::RequestBuilder::for_operation(ix::KOOSTE, None, &a.device, sim.clock().now())
            .acting_organisation(&a.controller)
            .query(query().build())
            .build();
        let started = std::time::Instant::now();
        let r = sim.client("liittymisvelvoite-atj").exchange(&msg).await;
        match expect {
            "503" => assert_eq!(r.expect("answer").status, 503),
            "fault" => assert_eq!(r.expect("answer").codes, vec!["SHA-T010"]),
            "AR" => assert_eq!(r.expect("answer").codes, vec!["SHA-M008"]),
            "dropped" => assert!(r.is_err(), "the connection should drop: {r:?}"),
            _ => {
                assert!(r.expect("answer").accepted());
                assert!(started.elapsed() >= std::time::Duration::from_millis(300));
            }
        }
        // The rule was for one message: normal service again.
        let again = a.query(ix::KOOSTE, query()).await;
        assert!(again.accepted(), "{expect}: {:?}", again.codes);
    }
    // Rules for another system do not touch this one; list and delete work.
    let (_, rule) = send(
        reqwest::Method::POST,
        sim.admin("/admin/faults"),
        Some(json!({"system": "palvelukeskus-atj", "action": {"kind": "soap_fault"}})),
    )
    .await;
    assert!(a.query(ix::KOOSTE, query()).await.accepted());
    let list = sim.admin_json("/admin/faults").await;
    assert_eq!(list["faults"].as_array().expect("faults").len(), 1);
    let id = rule["id"].as_u64().expect("id");
    let c = reqwest::Client::new();
    assert_eq!(c.delete(sim.admin(&format!("/admin/faults/{id}"))).send().await.expect("delete").status(), 204);
    assert_eq!(c.delete(sim.admin(&format!("/admin/faults/{id}"))).send().await.expect("delete").status(), 404);
    let (status, err) = send(
        reqwest::Method::POST,
        sim.admin("/admin/faults"),
        Some(json!({"action": {"kind": "http_status", "status": 200}})),
    )
    .await;
    assert_eq!(status, 400, "{err}");
    let (_, _) =
        send(reqwest::Method::POST, sim.admin("/admin/faults"), Some(json!({"action": {"kind": "soap_fault"}}))).await;
    let (_, cleared) = send(reqwest::Method::DELETE, sim.admin("/admin/faults"), None).await;
    assert!(cleared["faults"].as_array().expect("faults").is_empty());
}

#[tokio::test]
async fn admin_token_is_required_when_set() {
    let sim = Sim::start_with(|o| o.admin_token = Some("s3cret".into())).await;
    let c = reqwest::Client::new();
    assert_eq!(c.get(sim.admin("/admin/health")).send().await.expect("reach").status(), 401);
    let ok = c.get(sim.admin("/admin/health")).bearer_auth("s3cret").send().await.expect("reach");
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn admin_beyond_loopback_needs_a_token() {
    let certs = tempfile::tempdir().expect("tmp");
    let mut o = sha_simulator::server::Options::new(common::registry(), certs.path().to_path_buf());
    o.data = sha_simulator::server::DataLocation::Temporary;
    o.listen = "127.0.0.1:0".parse().expect("addr");
    o.admin_listen = "0.0.0.0:0".parse().expect("addr");
    let err = sha_simulator::server::start(o).await.expect_err("refused");
    assert!(err.to_string().contains("--admin-token"), "{err}");
}

#[tokio::test]
async fn registering_a_system_is_a_deployment_judged_by_the_profiles_dates() {
    let sim = Sim::start().await;
    let body = |name: &str, profile: &str, oid: &str| {
        json!({
            "name": name,
            "description": "vendor's test system",
            "organisation": "1.2.246.10.99990001.10.0",
            "oid": oid,
            "controllers": [{"oid": "1.2.246.10.99990001.10.0", "profile": profile}],
        })
    };
    let post = |b: Value| send(reqwest::Method::POST, sim.admin("/admin/systems"), Some(b));
    // July 2025: no new phase II certificates since 31.5.2025 (reported by Kela); without one, refused.
    sim.clock().set(datetime!(2025-07-01 12:00 UTC), true);
    let (status, err) = post(body("uusi-vaihe2", "liittyva_vaihe2", "1.2.246.10.99990001.11.90")).await;
    assert_eq!(status, 400, "{err}");
    let text = err["error"].as_str().expect("error");
    assert!(text.contains("2025-05-31") && text.contains("liittymisvelvoite"), "{text}");
    // With a phase II certificate issued before the stop, the deployment is taken.
    let mut b = body("uusi-vaihe2", "liittyva_vaihe2", "1.2.246.10.99990001.11.90");
    b["certified_on"] = json!("2025-03-01");
    let (status, v) = post(b).await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["warnings"], json!([]));
    // February 2026: still taken, with Kela's recommendation as a warning.
    sim.clock().set(datetime!(2026-02-01 12:00 UTC), true);
    let mut b = body("toinen-vaihe2", "liittyva_vaihe2", "1.2.246.10.99990001.11.92");
    b["certified_on"] = json!("2025-03-01");
    let (status, v) = post(b).await;
    assert_eq!(status, 201, "{v}");
    assert!(v["warnings"][0].as_str().expect("warning").contains("2026-01-01"), "{v}");
    // December 2026: phase II is over; the joining-obligation profile is deployable.
    sim.clock().set(datetime!(2026-12-01 12:00 UTC), true);
    let mut b = body("kolmas-vaihe2", "liittyva_vaihe2", "1.2.246.10.99990001.11.93");
    b["certified_on"] = json!("2025-03-01");
    let (status, err) = post(b).await;
    assert_eq!(status, 400);
    assert!(err["error"].as_str().expect("error").contains("2026-08-31"), "{err}");
    let (status, v) = post(body("uusi-lv", "liittymisvelvoite", "1.2.246.10.99990001.11.91")).await;
    assert_eq!(status, 201, "{v}");
    let (status, err) =
        post(json!({"name": "x", "organisation": "1.2.3", "controllers": [], "certified_on": "maaliskuu"})).await;
    assert_eq!(status, 400);
    assert!(err["error"].as_str().expect("error").contains("maaliskuu"));
}
