//! Hostile input over real TLS: a 100 MB body, a truncated body, a slow-loris
//! client, a handshake that never completes — each answered with the
//! documented fault or a dropped connection, with the simulator still up —
//! and parallel new versions of one document, where exactly one wins.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{ix, Sim};
use sha_simulator::compose::kit::{Kit, Organisation};
use sha_simulator::compose::QueryBuilder;
use sha_simulator::document::DocumentModel;
use sha_simulator::persons::TestPersons;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn still_up(sim: &Sim) {
    let p = TestPersons::builtin().get("aikuinen").expect("p");
    let r = sim
        .actor("liittymisvelvoite-atj", &Organisation::testila().controller)
        .query(ix::KOOSTE, QueryBuilder::new().client(&p.hetu))
        .await;
    assert!(r.accepted(), "the simulator still answers: {:?}", r.codes);
}

async fn journal_has(sim: &Sim, code: &str) -> bool {
    let j = sim.admin_json("/admin/journal?limit=50").await;
    j["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .any(|e| e["ack_codes"].as_array().is_some_and(|c| c.iter().any(|x| x == code)))
}

/// A raw mutual-TLS stream to the simulator as `liittymisvelvoite-atj`.
async fn raw_tls(sim: &Sim) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    let c = &sim.running.certs;
    let cfg = sha_simulator::client::tls_config(
        &c.ca_cert(),
        Some((&c.system_cert("liittymisvelvoite-atj"), &c.system_key("liittymisvelvoite-atj"))),
    )
    .expect("tls");
    let tcp = tokio::net::TcpStream::connect(sim.running.sha_addr).await.expect("tcp");
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    tokio_rustls::TlsConnector::from(Arc::new(cfg)).connect(name, tcp).await.expect("handshake")
}

#[tokio::test]
async fn a_hundred_megabyte_chunked_body_is_refused_without_buffering_it() {
    let sim = Sim::start().await;
    let mut tls = raw_tls(&sim).await;
    // No Content-Length: the server must stop reading at its limit, not buffer 100 MB.
    let head = "POST /sha HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\nSOAPAction: \"\"\r\nTransfer-Encoding: chunked\r\n\r\n";
    tls.write_all(head.as_bytes()).await.expect("head");
    let chunk = vec![b' '; 1024 * 1024];
    let mut sent = 0usize;
    for _ in 0..100 {
        let frame = format!("{:x}\r\n", chunk.len());
        if tls.write_all(frame.as_bytes()).await.is_err()
            || tls.write_all(&chunk).await.is_err()
            || tls.write_all(b"\r\n").await.is_err()
        {
            break;
        }
        sent += 1;
    }
    let _ = tls.write_all(b"0\r\n\r\n").await;
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(20), tls.read(&mut answer))
        .await
        .ok()
        .and_then(|r| r.ok())
        .unwrap_or(0);
    let text = String::from_utf8_lossy(&answer[..n]);
    assert!(n == 0 || text.starts_with("HTTP/1.1 413"), "answer after {sent} MiB: {text}");
    assert!(journal_has(&sim, "SHA-T001").await, "the oversized body is journalled");
    still_up(&sim).await;
}

#[tokio::test]
async fn a_truncated_body_is_journalled_and_the_server_stays_up() {
    let sim = Sim::start().await;
    let mut tls = raw_tls(&sim).await;
    let head = "POST /sha HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\nSOAPAction: \"\"\r\nContent-Length: 5000\r\n\r\n";
    tls.write_all(head.as_bytes()).await.expect("head");
    tls.write_all(&[b'<'; 1000]).await.expect("part of the body");
    tls.shutdown().await.expect("close the write side");
    for _ in 0..50 {
        if journal_has(&sim, "SHA-T009").await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(journal_has(&sim, "SHA-T009").await, "the truncated body is journalled as SHA-T009");
    still_up(&sim).await;
}

#[tokio::test]
async fn a_slow_loris_client_is_cut_off() {
    let sim = Sim::start_with(|o| {
        o.header_timeout = Duration::from_secs(1);
        o.body_timeout = Duration::from_secs(1);
    })
    .await;
    // Headers that never finish.
    let mut slow = raw_tls(&sim).await;
    slow.write_all(b"POST /sha HTTP/1.1\r\nHost: loc").await.expect("partial head");
    let mut buf = [0u8; 1024];
    let r = tokio::time::timeout(Duration::from_secs(10), slow.read(&mut buf))
        .await
        .expect("the server acts within its timeout");
    let closed_or_refused = match r {
        Ok(0) | Err(_) => true,
        Ok(n) => String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 408"),
    };
    assert!(closed_or_refused, "slow headers are cut off");
    // A body that trickles.
    let mut trickle = raw_tls(&sim).await;
    trickle
        .write_all(b"POST /sha HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\nSOAPAction: \"\"\r\nContent-Length: 100000\r\n\r\n<a>")
        .await
        .expect("head");
    let n = tokio::time::timeout(Duration::from_secs(10), trickle.read(&mut buf))
        .await
        .expect("answered in time")
        .unwrap_or(0);
    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
    // Cut off by the body deadline (408) or, silent as it is, by the idle timeout (SHA-T009).
    assert!(text.starts_with("HTTP/1.1 408") || text.contains("SHA-T009") || n == 0, "{text}");
    still_up(&sim).await;
}

#[tokio::test]
async fn a_connection_that_sends_nothing_after_the_handshake_is_closed() {
    let sim = Sim::start_with(|o| o.header_timeout = Duration::from_secs(1)).await;
    let mut idle = raw_tls(&sim).await;
    let mut buf = [0u8; 64];
    let r = tokio::time::timeout(Duration::from_secs(10), idle.read(&mut buf))
        .await
        .expect("the server closes an idle connection within its timeout");
    assert!(matches!(r, Ok(0) | Err(_)) || String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 408"), "{r:?}");
    // And one kept alive after a request, then left idle.
    let mut kept = raw_tls(&sim).await;
    kept.write_all(b"GET /sha?wsdl HTTP/1.1\r\nHost: localhost\r\n\r\n").await.expect("request");
    let mut got = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match kept.read(&mut buf).await {
                Ok(0) | Err(_) => return true,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .expect("the server closes a kept-alive idle connection within its timeout");
    assert!(closed && String::from_utf8_lossy(&got).starts_with("HTTP/1.1 200"), "{}", String::from_utf8_lossy(&got));
    still_up(&sim).await;
}

#[tokio::test]
async fn a_handshake_that_never_completes_times_out() {
    let sim = Sim::start().await; // handshake timeout 3 s in the tests
    let mut idle = tokio::net::TcpStream::connect(sim.running.sha_addr).await.expect("tcp");
    let mut buf = [0u8; 16];
    let r = tokio::time::timeout(Duration::from_secs(10), idle.read(&mut buf))
        .await
        .expect("the server gives up within its timeout");
    assert!(matches!(r, Ok(0) | Err(_)), "connection closed");
    let j = sim.admin_json("/admin/journal?outcome=tls_refused").await;
    let entries = j["entries"].as_array().expect("entries");
    assert!(!entries.is_empty(), "the stalled handshake is journalled");
    still_up(&sim).await;
}

#[tokio::test]
async fn parallel_new_versions_of_one_document_let_exactly_one_win() {
    let sim = Sim::start().await;
    sim.clock().set(time::macros::datetime!(2022-06-01 12:00 UTC), false);
    let kit = Kit::new(Organisation::testila(), time::macros::datetime!(2022-06-01 10:00 UTC));
    let p = TestPersons::builtin().get("aikuinen").expect("p");
    let a = sim.actor("liittyva2-atj", &kit.org.controller);
    let case = a.open_case(&kit, p).await;
    for round in 0..10 {
        let doc = kit.client_document(p, &case, DocumentModel::Vaihe2);
        a.store_ok(&doc).await;
        let (v1, v2) = (kit.new_version(&doc), kit.new_version(&doc));
        let (r1, r2) = tokio::join!(a.new_version(&v1), a.new_version(&v2));
        let winners = [&r1, &r2].iter().filter(|r| r.accepted()).count();
        assert_eq!(winners, 1, "round {round}: {:?} / {:?}", r1.codes, r2.codes);
        let loser = if r1.accepted() { &r2 } else { &r1 };
        assert!(loser.has_code("SHA-R610") || loser.has_code("SHA-R604"), "round {round}: {:?}", loser.codes);
        let versions =
            a.query(ix::Q_METADATA, QueryBuilder::new().client(&p.hetu).flag("includeOldVersions", true)).await;
        assert!(versions.accepted());
    }
    let integrity = sim.admin_json("/admin/integrity").await;
    assert_eq!(integrity["ok"], true, "{integrity}");
}

#[tokio::test]
async fn the_benchmark_load_is_accepted_on_todays_clock() {
    // `bench` counts only AA answers for the simulator: its messages must stay storable as the
    // profiles' dates move (the phase I profiles ended in 2022).
    let sim = Sim::start().await;
    let client = sim.client(sha_simulator::bench::SYSTEM);
    let keys = std::sync::Arc::new(
        sha_simulator::client::SigningKeys::load(&sim.running.certs, sha_simulator::bench::SYSTEM).expect("keys"),
    );
    let now = sim.clock().now();
    // Every client the load cycles through: first what it needs (clienthood, case), then two
    // structured documents in its case.
    for i in 0..sha_simulator::bench::clients() {
        let mut bodies = sha_simulator::bench::seed_messages(i, now, Some(&keys));
        bodies.push(sha_simulator::bench::message(i, now, Some(&keys)));
        bodies.push(sha_simulator::bench::message(i, now, Some(&keys)));
        for body in bodies {
            let r = client.send(sha_simulator::wire::soap::SoapVersion::V11, body).await.expect("answer");
            assert!(r.body.contains("typeCode=\"AA\""), "client {i}: {}", r.body);
            assert!(!r.body.contains("typeCode=\"W\""), "client {i}: no warnings either: {}", r.body);
        }
    }
}
