//! Crash durability: the simulator process is killed with SIGKILL in the
//! middle of a load; after a restart every document that was acknowledged
//! with AA is present and intact, and nothing half-written is visible.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha_simulator::client::SoapClient;
use sha_simulator::persons::TestPersons;
use sha_simulator::pki::CertPaths;

#[tokio::test]
async fn acknowledged_documents_survive_sigkill() {
    let data = tempfile::tempdir().expect("tmp");
    let certs = tempfile::tempdir().expect("tmp");
    let mut sim = common::ServeProcess::start(&[], data.path(), certs.path());
    sim.wait_up().await;
    let (port, admin) = (sim.port, sim.admin);

    let endpoint = format!("https://localhost:{port}/sha");
    let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let persons = TestPersons::builtin().persons.clone();
    let mut tasks = Vec::new();
    for t in 0..4 {
        let endpoint = endpoint.clone();
        let certs = CertPaths::new(certs.path());
        let acked = acked.clone();
        let persons = persons.clone();
        tasks.push(tokio::spawn(async move {
            let client = SoapClient::for_system(&endpoint, &certs, "liittymisvelvoite-atj").expect("client");
            for i in 0.. {
                // A new client each time: one clienthood per client per organiser.
                let mut p = persons[0].clone();
                p.hetu = sha_simulator::hetu::synthetic((t * 1_000_000 + i) as u64);
                if let Ok(h) = sha_simulator::hetu::Hetu::parse(&p.hetu) {
                    p.birth_date = h.birth_date().to_string();
                }
                let p = &p;
                let (id, msg) = common::testila_clienthood_message(p, time::OffsetDateTime::now_utc());
                match client.exchange(&msg).await {
                    Ok(a) if a.accepted() => acked.lock().expect("lock").push((id, p.hetu.clone())),
                    Ok(a) => panic!("load message refused: {:?}", a.codes),
                    Err(_) => break, // the process was killed
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    sim.kill();
    for t in tasks {
        let _ = t.await;
    }
    let acked = acked.lock().expect("lock").clone();
    assert!(acked.len() >= 10, "only {} documents were acknowledged before the kill", acked.len());

    let again = common::ServeProcess::start_on(&[], data.path(), certs.path(), port, admin);
    again.wait_up().await;
    for (id, hetu) in &acked {
        let r = reqwest::get(format!("http://127.0.0.1:{admin}/admin/documents/{id}")).await.expect("admin");
        assert_eq!(r.status().as_u16(), 200, "acknowledged document {id} lost");
        let d: serde_json::Value = r.json().await.expect("json");
        assert_eq!(d["metadata"]["client"]["extension"], hetu.as_str(), "{id} intact");
    }
    let integrity: serde_json::Value = reqwest::get(format!("http://127.0.0.1:{admin}/admin/integrity"))
        .await
        .expect("admin")
        .json()
        .await
        .expect("json");
    assert_eq!(integrity["ok"], true, "nothing half-written: {integrity}");
    assert!(integrity["documents"].as_u64().expect("count") >= acked.len() as u64);
}
