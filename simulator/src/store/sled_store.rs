//! The sled implementation of [`Store`]: one tree per [`Space`] plus the
//! journal, multi-tree transactions for atomic batches, and a flush before
//! every acknowledged write returns.
//!
//! Values stay out of sled's B-tree where they are large or many: document
//! records, payloads and journal bodies are appended to segment files
//! ([`super::blob_log`]) and the trees keep a 21-byte reference. With ~20 KB values in its pages sled rewrites
//! them as separate blob files (a file created and deleted per write), which
//! measured as the largest single cost of storing a message. The group
//! commit syncs the segment files before sled's flush, so a durable reference
//! never points at bytes that are not.

use std::path::Path;
use std::sync::Arc;

use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};
use sled::{Db, Tree};

use super::blob_log::{BlobLog, BlobRef};
use super::{Batch, Space, Store, StoreError, Write};
use crate::journal::{JournalEntry, Matcher};

const SPACES: [Space; 5] = [Space::Documents, Space::Index, Space::Payloads, Space::MessageIds, Space::Records];

fn tree_name(s: Space) -> &'static str {
    match s {
        Space::Documents => "documents",
        Space::Index => "index",
        Space::Payloads => "payloads",
        Space::MessageIds => "message_ids",
        Space::Records => "records",
    }
}

fn slot(s: Space) -> usize {
    match s {
        Space::Documents => 0,
        Space::Index => 1,
        Space::Payloads => 2,
        Space::MessageIds => 3,
        Space::Records => 4,
    }
}

fn engine(e: impl std::fmt::Display) -> StoreError {
    StoreError::Engine(e.to_string())
}

/// Group commit: writers that finish their transaction while a flush is
/// running wait for the next flush instead of each starting their own, so
/// concurrent acknowledgements share one fsync and none is sent before its
/// document is on disk.
#[derive(Debug, Default)]
struct GroupCommit {
    /// Tickets handed out after writes.
    written: std::sync::atomic::AtomicU64,
    /// (highest ticket known durable, a flush is running).
    state: std::sync::Mutex<(u64, bool)>,
    done: std::sync::Condvar,
}

impl GroupCommit {
    fn wait_durable(&self, flush: impl Fn() -> Result<(), StoreError>) -> Result<(), StoreError> {
        let mine = self.written.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        let mut g = self.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if g.0 >= mine {
                return Ok(());
            }
            if !g.1 {
                // Lead a flush covering every write ticketed so far.
                g.1 = true;
                let upto = self.written.load(std::sync::atomic::Ordering::SeqCst);
                drop(g);
                let r = flush();
                let mut g2 = self.state.lock().unwrap_or_else(|p| p.into_inner());
                g2.1 = false;
                if r.is_ok() {
                    g2.0 = g2.0.max(upto);
                }
                self.done.notify_all();
                return r;
            }
            g = self.done.wait(g).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// sled-backed store.
#[derive(Clone)]
pub struct SledStore {
    db: Db,
    trees: Vec<Tree>,
    journal: Tree,
    group: Arc<GroupCommit>,
    /// Payload bytes (the Payloads tree holds references into it).
    payloads: Arc<BlobLog>,
    /// Document records (the Documents tree holds references into it).
    documents: Arc<BlobLog>,
    /// Journal request and response bodies.
    bodies: Arc<BlobLog>,
    /// Keeps a temporary store's segment directory alive.
    _tmp: Option<Arc<tempfile::TempDir>>,
}

impl std::fmt::Debug for SledStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SledStore").finish_non_exhaustive()
    }
}

impl SledStore {
    /// Opens (or creates) the store in `dir`.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        Self::open_with(dir, false)
    }

    /// Opens (or creates) the store in `dir`; `compact` compresses sled's pages
    /// with zstd (a smaller index on disk for large archives, at a lower ingest
    /// rate). A data directory must be reopened with the setting it was made with.
    pub fn open_with(dir: &Path, compact: bool) -> Result<Self, StoreError> {
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(256 * 1024 * 1024)
            .mode(sled::Mode::HighThroughput)
            .use_compression(compact)
            .compression_factor(1)
            .open()
            .map_err(|e| {
                let hint = if e.to_string().contains("compression") {
                    " (the directory was made with a different --compact setting)"
                } else {
                    ""
                };
                StoreError::Engine(format!("cannot open data directory {}: {e}{hint}", dir.display()))
            })?;
        Self::from_db(db, &dir.join("segments"), None)
    }

    /// A store in a temporary directory removed on drop (tests, the harness's embedded simulator).
    pub fn temporary() -> Result<Self, StoreError> {
        let db = sled::Config::new().temporary(true).open().map_err(engine)?;
        let tmp = tempfile::Builder::new().prefix("sha-segments-").tempdir().map_err(engine)?;
        let segments = tmp.path().to_path_buf();
        Self::from_db(db, &segments, Some(Arc::new(tmp)))
    }

    fn from_db(db: Db, segments: &Path, tmp: Option<Arc<tempfile::TempDir>>) -> Result<Self, StoreError> {
        let trees =
            SPACES.iter().map(|s| db.open_tree(tree_name(*s)).map_err(engine)).collect::<Result<Vec<_>, _>>()?;
        let journal = db.open_tree("journal").map_err(engine)?;
        let payloads = Arc::new(BlobLog::open(&segments.join("payloads"))?);
        let documents = Arc::new(BlobLog::open(&segments.join("documents"))?);
        let bodies = Arc::new(BlobLog::open(&segments.join("journal"))?);
        Ok(SledStore { db, trees, journal, group: Default::default(), payloads, documents, bodies, _tmp: tmp })
    }

    fn tree(&self, s: Space) -> &Tree {
        &self.trees[slot(s)]
    }

    /// The segment log holding a space's values, when they are kept out of the tree.
    fn out_of_line(&self, space: Space) -> Option<&BlobLog> {
        match space {
            Space::Payloads => Some(&self.payloads),
            Space::Documents => Some(&self.documents),
            Space::Index | Space::MessageIds | Space::Records => None,
        }
    }

    /// A stored value as the caller wrote it: references are followed.
    fn resolve(&self, space: Space, key: &[u8], v: &[u8]) -> Result<Vec<u8>, StoreError> {
        match (self.out_of_line(space), BlobRef::decode(v)) {
            (Some(log), Some(r)) => log.read(&r, &format!("{}/{}", tree_name(space), String::from_utf8_lossy(key))),
            _ => Ok(v.to_vec()),
        }
    }

    /// Segment files first, then sled: a reference is durable only after its bytes.
    fn flush_all(&self) -> Result<(), StoreError> {
        self.payloads.sync()?;
        self.documents.sync()?;
        self.bodies.sync()?;
        self.db.flush().map(|_| ()).map_err(engine)
    }

    fn decode_journal(key: &[u8], v: &[u8]) -> Result<(JournalEntry, Option<BlobRef>), StoreError> {
        let (body_ref, json) = match BlobRef::decode(v) {
            Some(r) => (Some(r), &v[BlobRef::ENCODED_LEN..]),
            None => (None, v),
        };
        let e = serde_json::from_slice(json)
            .map_err(|e| StoreError::Corrupt { key: format!("journal/{}", u64_key(key)), reason: e.to_string() })?;
        Ok((e, body_ref))
    }
}

fn u64_key(k: &[u8]) -> String {
    <[u8; 8]>::try_from(k).map(|b| u64::from_be_bytes(b).to_string()).unwrap_or_else(|_| format!("{k:?}"))
}

/// Journal bodies as one segment value: request length, request, response.
fn encode_bodies(request: &str, response: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + request.len() + response.len());
    out.extend_from_slice(&(request.len() as u32).to_be_bytes());
    out.extend_from_slice(request.as_bytes());
    out.extend_from_slice(response.as_bytes());
    out
}

fn decode_bodies(b: &[u8]) -> Option<(String, String)> {
    let n = u32::from_be_bytes(b.get(..4)?.try_into().ok()?) as usize;
    let request = b.get(4..4 + n)?;
    let response = b.get(4 + n..)?;
    Some((String::from_utf8_lossy(request).into_owned(), String::from_utf8_lossy(response).into_owned()))
}

impl Store for SledStore {
    fn get(&self, space: Space, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        match self.tree(space).get(key).map_err(engine)? {
            Some(v) => self.resolve(space, key, &v).map(Some),
            None => Ok(None),
        }
    }

    fn scan_prefix(&self, space: Space, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        self.tree(space)
            .scan_prefix(prefix)
            .map(|r| {
                let (k, v) = r.map_err(engine)?;
                let v = self.resolve(space, &k, &v)?;
                Ok((k.to_vec(), v))
            })
            .collect()
    }

    fn commit(&self, mut batch: Batch) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        // Values kept out of line go to their segment file before the transaction stores the reference.
        for w in &mut batch.writes {
            if let Write::Put(s, _, v) = w {
                if let Some(log) = self.out_of_line(*s) {
                    *v = log.append(v)?.encode().to_vec();
                }
            }
        }
        let trees: &[Tree] = &self.trees;
        let result = trees.transaction(|views| {
            for w in &batch.writes {
                match w {
                    Write::Put(s, k, v) => {
                        views[slot(*s)].insert(k.as_slice(), v.as_slice())?;
                    }
                    Write::Delete(s, k) => {
                        views[slot(*s)].remove(k.as_slice())?;
                    }
                    Write::Expect(s, k, expected) => {
                        let cur = views[slot(*s)].get(k.as_slice())?;
                        // Compare what the caller read (the resolved value), not the reference.
                        let cur = match cur {
                            Some(v) => Some(self.resolve(*s, k, &v).map_err(ConflictableTransactionError::Abort)?),
                            None => None,
                        };
                        if cur.as_deref() != expected.as_deref() {
                            return Err(ConflictableTransactionError::Abort(StoreError::Conflict(
                                String::from_utf8_lossy(k).into_owned(),
                            )));
                        }
                    }
                }
            }
            Ok(())
        });
        match result {
            Ok(()) => {}
            // A lost precondition (Conflict) or an unreadable current value.
            Err(TransactionError::Abort(e)) => return Err(e),
            Err(TransactionError::Storage(e)) => return Err(engine(e)),
        }
        self.group.wait_durable(|| self.flush_all())
    }

    fn insert_if_absent(&self, space: Space, key: &[u8], value: &[u8]) -> Result<bool, StoreError> {
        let r = self.tree(space).compare_and_swap(key, None as Option<&[u8]>, Some(value)).map_err(engine)?;
        Ok(r.is_ok())
    }

    fn next_id(&self) -> Result<u64, StoreError> {
        self.db.generate_id().map_err(engine)
    }

    fn append_journal(&self, mut entry: JournalEntry) -> Result<u64, StoreError> {
        let seq = self.db.generate_id().map_err(engine)? + 1;
        entry.seq = seq;
        // Bodies to the segment file, the summary (a reference in front of its JSON) to the tree.
        let bodies = self.bodies.append(&encode_bodies(&entry.request, &entry.response))?;
        entry.request.clear();
        entry.response.clear();
        let mut value = bodies.encode().to_vec();
        serde_json::to_writer(&mut value, &entry).map_err(engine)?;
        self.journal.insert(seq.to_be_bytes(), value).map_err(engine)?;
        Ok(seq)
    }

    fn journal_entry(&self, seq: u64) -> Result<Option<JournalEntry>, StoreError> {
        let key = seq.to_be_bytes();
        let Some(v) = self.journal.get(key).map_err(engine)? else { return Ok(None) };
        let (mut e, body_ref) = Self::decode_journal(&key, &v)?;
        if let Some(r) = body_ref {
            let name = format!("journal/{seq}");
            let bytes = self.bodies.read(&r, &name)?;
            let (request, response) = decode_bodies(&bytes)
                .ok_or_else(|| StoreError::Corrupt { key: name, reason: "bodies record is cut short".into() })?;
            e.request = request;
            e.response = response;
        }
        Ok(Some(e))
    }

    fn journal(&self, m: &Matcher) -> Result<Vec<JournalEntry>, StoreError> {
        let mut out = Vec::new();
        for item in self.journal.iter().rev() {
            let (k, v) = item.map_err(engine)?;
            let (e, _) = Self::decode_journal(&k, &v)?;
            if m.past_window(&e) {
                break;
            }
            if m.matches(&e) {
                out.push(e.summary());
                if out.len() >= m.limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    fn reset(&self, journal: bool) -> Result<(), StoreError> {
        for t in &self.trees {
            t.clear().map_err(engine)?;
        }
        self.payloads.clear()?;
        self.documents.clear()?;
        if journal {
            self.journal.clear().map_err(engine)?;
            self.bodies.clear()?;
        }
        self.flush()
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.flush_all()
    }

    fn size_on_disk(&self) -> Result<u64, StoreError> {
        let segments = self.payloads.size_on_disk()? + self.documents.size_on_disk()? + self.bodies.size_on_disk()?;
        Ok(self.db.size_on_disk().map_err(engine)? + segments)
    }

    fn count(&self, space: Space) -> Result<usize, StoreError> {
        Ok(self.tree(space).len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_precondition_writes_nothing() {
        let s = SledStore::temporary().expect("store");
        let mut b = Batch::default();
        b.put(Space::Documents, "a", "1");
        s.commit(b).expect("first");
        let mut b = Batch::default();
        b.put(Space::Documents, "b", "2");
        b.expect(Space::Documents, "a", None);
        assert!(matches!(s.commit(b), Err(StoreError::Conflict(_))));
        assert_eq!(s.get(Space::Documents, b"b").expect("get"), None);
        assert_eq!(s.get(Space::Documents, b"a").expect("get").as_deref(), Some(&b"1"[..]));
    }

    fn journal_entry_with(request: String) -> JournalEntry {
        JournalEntry {
            seq: 0,
            time: time::OffsetDateTime::UNIX_EPOCH,
            peer: None,
            system: Some("sys".into()),
            certificate: None,
            interaction: Some("RCMR_IN100002FI01".into()),
            message_id: Some("m1".into()),
            outcome: crate::journal::Outcome::Accepted,
            ack_codes: vec![],
            controller: None,
            documents: vec!["doc1".into()],
            http_status: 200,
            duration_ms: 3,
            request,
            response: "<ack/>".into(),
            request_truncated: false,
        }
    }

    #[test]
    fn payloads_and_journal_bodies_live_in_segments_and_read_back() {
        let dir = tempfile::tempdir().expect("tmp");
        let big = vec![42u8; 50_000];
        let request = "<request>ä</request>".repeat(1000);
        let seq = {
            let s = SledStore::open(dir.path()).expect("open");
            let mut b = Batch::default();
            b.put(Space::Payloads, "doc1", big.clone());
            s.commit(b).expect("commit");
            // The tree holds a reference, not the bytes.
            let raw = s.tree(Space::Payloads).get("doc1").expect("raw").expect("present");
            assert_eq!(raw.len(), BlobRef::ENCODED_LEN);
            let seq = s.append_journal(journal_entry_with(request.clone())).expect("journal");
            s.flush().expect("flush");
            seq
        };
        let s = SledStore::open(dir.path()).expect("reopen");
        assert_eq!(s.get(Space::Payloads, b"doc1").expect("get"), Some(big.clone()));
        assert_eq!(s.scan_prefix(Space::Payloads, b"doc").expect("scan"), vec![(b"doc1".to_vec(), big)]);
        let e = s.journal_entry(seq).expect("entry").expect("present");
        assert_eq!((e.request.as_str(), e.response.as_str()), (request.as_str(), "<ack/>"));
        let listed = s.journal(&crate::journal::JournalFilter::default().matcher().expect("m")).expect("list");
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].seq, listed[0].request.as_str()), (seq, ""), "listings carry no bodies");
        // A reset without the journal empties the archive but keeps journal bodies readable.
        s.reset(false).expect("reset");
        assert_eq!(s.get(Space::Payloads, b"doc1").expect("get"), None);
        assert_eq!(s.journal_entry(seq).expect("entry").expect("kept").response, "<ack/>");
    }

    #[test]
    fn entries_written_inline_by_older_versions_still_read() {
        let s = SledStore::temporary().expect("store");
        let e = JournalEntry { seq: 7, ..journal_entry_with("<old/>".into()) };
        s.journal.insert(7u64.to_be_bytes(), serde_json::to_vec(&e).expect("json")).expect("insert");
        s.tree(Space::Payloads).insert("old", &[1u8, 0, 0, 0, 0][..]).expect("insert");
        assert_eq!(s.journal_entry(7).expect("entry").expect("present").request, "<old/>");
        assert_eq!(s.get(Space::Payloads, b"old").expect("get"), Some(vec![1u8, 0, 0, 0, 0]));
    }

    #[test]
    fn a_compact_directory_opened_plainly_says_why_it_cannot() {
        let dir = tempfile::tempdir().expect("tmp");
        {
            let s = SledStore::open_with(dir.path(), true).expect("compact");
            let mut b = Batch::default();
            b.put(Space::Index, "k", "v");
            s.commit(b).expect("commit");
        }
        let err = SledStore::open(dir.path()).expect_err("setting differs");
        assert!(err.to_string().contains("--compact"), "{err}");
        let s = SledStore::open_with(dir.path(), true).expect("same setting");
        assert_eq!(s.get(Space::Index, b"k").expect("get").as_deref(), Some(&b"v"[..]));
    }

    #[test]
    fn data_survives_reopen() {
        let dir = tempfile::tempdir().expect("tmp");
        {
            let s = SledStore::open(dir.path()).expect("open");
            let mut b = Batch::default();
            b.put(Space::Index, "k", "v");
            s.commit(b).expect("commit");
        }
        let s = SledStore::open(dir.path()).expect("reopen");
        assert_eq!(s.get(Space::Index, b"k").expect("get").as_deref(), Some(&b"v"[..]));
    }
}
