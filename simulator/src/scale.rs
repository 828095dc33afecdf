//! The scale run (`sha-simulator bench --scale`): bulk-ingests synthetic
//! documents with valid metadata and small payloads toward national size
//! (115 million documents from 1.8 million clients, about 64 per client), and
//! at each size reports the ingest rate, disk size, memory, and the p50/p99 of
//! the metadata search and the kooste — which should stay flat as the archive
//! grows, because every query is a prefix scan of one client's index keys.
//!
//! Bulk ingest writes records directly in large atomic batches (one per
//! chunk), skipping message handling: the documents are generated valid.

use std::sync::Arc;
use std::time::Instant;

use crate::archive::records::{self, PartInfo, StoredDocument, VersionStatus};
use crate::archive::Archive;
use crate::clock::Clock;
use crate::codes::Code;
use crate::compose::Part;
use crate::document::{ClientId, DocumentKind, DocumentModel, Metadata};
use crate::hetu::{synthetic, HETU_ROOT};
use crate::interactions::Operation;
use crate::store::sled_store::SledStore;
use crate::store::{Batch, Space, Store};

/// Figures at one size.
#[derive(Debug, Clone)]
pub struct ScaleFigures {
    /// Documents in the archive.
    pub documents: u64,
    /// Clients.
    pub clients: u64,
    /// Documents per second while ingesting this step.
    pub ingest_rate: f64,
    /// Bytes on disk.
    pub disk_bytes: u64,
    /// Resident memory of the process (kB).
    pub rss_kb: u64,
    /// Metadata search p50/p99 (ms).
    pub search: (f64, f64),
    /// Kooste p50/p99 (ms).
    pub kooste: (f64, f64),
}

const CONTROLLER: &str = "1.2.246.10.99990001.10.0";

/// Document `i` belongs to client `i / per_client`: every client has the same number of
/// documents at every size, so query cost can be compared across sizes.
fn doc(i: u64, per_client: u64, t0: time::OffsetDateTime) -> (StoredDocument, Part) {
    let client = i / per_client.max(1);
    let id = format!("1.2.246.10.99990001.10.0.88.{i}");
    let meta = Metadata {
        document_id: Some(id.clone()),
        set_id: Some(id.clone()),
        version: Some(1),
        register: Some(Code { code: "1".into(), system: "1.2.246.537.6.1264".into(), display: None }),
        title: None,
        effective_time: Some(t0 + time::Duration::minutes((i % per_client.max(1)) as i64)),
        client: Some(ClientId { root: HETU_ROOT.into(), extension: synthetic(client) }),
        controller: Some(CONTROLLER.into()),
        document_group: Some(Code { code: "5".into(), system: "1.2.246.537.6.1505.201601".into(), display: None }),
        document_type: Some(Code { code: "19003".into(), system: "1.2.246.537.6.1506".into(), display: None }),
        service_task: Some(Code {
            code: ["10", "15", "20"][(i % 3) as usize].into(),
            system: "1.2.246.537.6.1221".into(),
            display: None,
        }),
        case_id: Some(format!("1.2.246.10.99990001.10.0.78.{client}")),
        service_unit: Some("1.2.246.10.99990001.10.11".into()),
        ..Metadata::default()
    };
    let part = Part::new(
        format!("{id}.xhtml"),
        "application/xhtml+xml",
        b"<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p>Merkint\xc3\xa4.</p></body></html>".to_vec(),
    );
    let d = StoredDocument {
        id,
        kind: DocumentKind::Client(DocumentModel::Vaihe2),
        metadata: meta,
        status: VersionStatus::Current,
        replaced_by: None,
        invalidation: None,
        stored_at: t0,
        stored_by: "bulk".into(),
        seq: i,
        message_id: String::new(),
        parts: vec![PartInfo {
            content_id: part.content_id.clone(),
            media_type: part.media_type.clone(),
            size: part.bytes.len() as u64,
        }],
        content: None,
    };
    (d, part)
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|x| x.parse().ok())
        })
        .unwrap_or(0)
}

fn pct(mut v: Vec<u32>) -> (f64, f64) {
    v.sort_unstable();
    if v.is_empty() {
        return (0.0, 0.0);
    }
    let p = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize] as f64 / 1000.0;
    (p(0.5), p(0.99))
}

/// Ingests up to each of `sizes` documents (docs per client ≈ `per_client`), measuring at each
/// size, on a store opened with `(compact, cache bytes)`.
pub fn run(
    dir: &std::path::Path,
    (compact, cache_bytes): (bool, u64),
    sizes: &[u64],
    per_client: u64,
    queries: usize,
    mut progress: impl FnMut(&str),
) -> Result<Vec<ScaleFigures>, String> {
    let store = Arc::new(SledStore::open_with(dir, compact, cache_bytes).map_err(|e| e.to_string())?);
    let archive =
        Archive::new(store.clone(), Arc::new(Clock::frozen_at(time::macros::datetime!(2026-11-20 12:00 UTC))));
    let t0 = time::macros::datetime!(2020-01-01 08:00 UTC);
    let mut out = Vec::new();
    let mut have = 0u64;
    for &size in sizes {
        let clients = (size / per_client.max(1)).max(1);
        let started = Instant::now();
        let from = have;
        while have < size {
            let mut batch = Batch::default();
            let end = (have + 2_000).min(size);
            for i in have..end {
                let (d, part) = doc(i, per_client, t0);
                let id = d.id.clone();
                for k in records::index_keys(&d) {
                    batch.put(Space::Index, k, id.as_bytes().to_vec());
                }
                batch.put(Space::Payloads, id.as_bytes(), records::encode_parts(&[part]));
                batch.put(Space::Documents, id.as_bytes(), serde_json::to_vec(&d).map_err(|e| e.to_string())?);
            }
            store.commit(batch).map_err(|e| e.to_string())?;
            have = end;
            if have.is_multiple_of(100_000) {
                progress(&format!("  … {have} documents"));
            }
        }
        let secs = started.elapsed().as_secs_f64().max(1e-6);
        store.flush().map_err(|e| e.to_string())?;
        // Queries for random clients, in-process (no TLS): the archive's own cost.
        let mut search = Vec::with_capacity(queries);
        let mut kooste = Vec::with_capacity(queries);
        let mut rng = 0x2545F4914F6CDD1Du64;
        for _ in 0..queries {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let c = rng % clients;
            let p = crate::command::Query {
                client: Some(ClientId { root: HETU_ROOT.into(), extension: synthetic(c) }),
                service_task: Some("10".into()),
                page: 1,
                ..Default::default()
            };
            let t = Instant::now();
            let _ = crate::archive::query::run(&archive, Operation::QueryMetadata, CONTROLLER, &p, None)
                .map_err(|e| e.to_string())?;
            search.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
            let t = Instant::now();
            let _ = crate::archive::query::run(&archive, Operation::FetchKooste, CONTROLLER, &p, None)
                .map_err(|e| e.to_string())?;
            kooste.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
        }
        out.push(ScaleFigures {
            documents: have,
            clients,
            ingest_rate: (have - from) as f64 / secs,
            disk_bytes: store.size_on_disk().map_err(|e| e.to_string())?,
            rss_kb: rss_kb(),
            search: pct(search),
            kooste: pct(kooste),
        });
    }
    Ok(out)
}

/// The scale report.
pub fn report(f: &[ScaleFigures]) -> String {
    let mut s = format!(
        "{:>11} {:>9} {:>12} {:>10} {:>9} {:>17} {:>17}\n",
        "documents", "clients", "ingest/s", "disk MB", "RSS MB", "search p50/p99 ms", "kooste p50/p99 ms"
    );
    for x in f {
        s.push_str(&format!(
            "{:>11} {:>9} {:>12.0} {:>10.0} {:>9.0} {:>8.2}/{:<8.2} {:>8.2}/{:<8.2}\n",
            x.documents,
            x.clients,
            x.ingest_rate,
            x.disk_bytes as f64 / 1e6,
            x.rss_kb as f64 / 1024.0,
            x.search.0,
            x.search.1,
            x.kooste.0,
            x.kooste.1
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_scale_run_measures_each_size_and_queries_find_documents() {
        let dir = tempfile::tempdir().expect("tmp");
        let f = run(dir.path(), (true, crate::store::sled_store::DEFAULT_CACHE_BYTES), &[500, 1_000], 50, 20, |_| {})
            .expect("run");
        assert_eq!(f.len(), 2);
        assert_eq!(f[1].documents, 1_000);
        assert_eq!((f[0].clients, f[1].clients), (10, 20), "clients grow with the archive");
        assert!(f[1].disk_bytes > 0 && f[0].ingest_rate > 0.0);
        let store = Arc::new(
            SledStore::open_with(dir.path(), true, crate::store::sled_store::DEFAULT_CACHE_BYTES)
                .expect("reopen compact"),
        );
        let archive = Archive::new(store, Arc::new(Clock::new()));
        let p = crate::command::Query {
            client: Some(ClientId { root: HETU_ROOT.into(), extension: synthetic(3) }),
            page: 1,
            ..Default::default()
        };
        let found = crate::archive::query::run(&archive, Operation::QueryMetadata, CONTROLLER, &p, None)
            .expect("query")
            .expect("answer");
        assert_eq!(found.document_ids.len(), 50, "every client has its share of documents");
        assert!(archive.verify_integrity().expect("integrity").1.is_empty());
    }
}
