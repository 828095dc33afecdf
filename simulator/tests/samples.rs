//! Every sample under testdata/documents sent over mutual TLS: the valid ones
//! are accepted, each broken one gets exactly its documented detail codes, and
//! a rejected sample changes nothing in the archive.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::{document_count, Sim};
use sha_simulator::samples;

#[tokio::test]
async fn every_sample_gets_its_documented_answer() {
    let sim = Sim::start().await;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/documents");
    let all = samples::load_all(&root).expect("samples load");
    assert!(all.len() >= 40, "{} samples", all.len());
    let mut failures = Vec::new();
    for s in &all {
        sim.clock().set(s.meta.clock, false);
        let actor = sim.actor(&s.meta.system, &s.meta.acting_organisation);
        let req = s.request(&actor.device, sim.clock().now(), Some(&sim.running.certs)).expect("sample builds");
        let before = document_count(&sim).await;
        let answer = actor.exchange_text(req).await;
        let got: BTreeSet<String> = answer.codes.iter().cloned().collect();
        let want: BTreeSet<String> = s.meta.expect_codes.iter().cloned().collect();
        if answer.ack.as_deref() != Some(s.meta.expect_ack.as_str()) || got != want {
            failures.push(format!(
                "{}: expected {} {:?}, got {:?} {:?} — {:?}",
                s.name, s.meta.expect_ack, want, answer.ack, got, answer.texts
            ));
        }
        if s.meta.expect_ack != "AA" {
            assert_eq!(document_count(&sim).await, before, "{}: a rejected message must change nothing", s.name);
        }
    }
    assert!(failures.is_empty(), "{} sample(s) answered wrongly:\n{}", failures.len(), failures.join("\n"));
}
