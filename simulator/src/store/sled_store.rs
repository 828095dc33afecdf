//! The sled implementation of [`Store`]: one tree per [`Space`] plus the
//! journal, atomic batches, and a flush before every acknowledged write
//! returns.
//!
//! Batches are not sled transactions: a sled transaction (and `apply_batch`)
//! takes a process-wide write lock that stops every other read and write for
//! its length, which capped the archive at about 2 000 commits a second.
//! Instead commits are serialized by the store's own lock and preconditions
//! are checked under it; a batch of more than one write is first stored whole
//! as a *commit intent* (one insert, so all or nothing), then applied key by
//! key, then the intent is removed. sled recovers a prefix of its log, so an
//! intent still present after a crash means its batch may be partly applied:
//! opening the store applies it again (puts and deletes are idempotent)
//! before anything can read. Within a batch, payloads and documents are
//! written before index keys, so a reader never finds an index entry whose
//! document is not there yet; a reader may, for the microseconds of an apply,
//! see a new version before its predecessor is marked replaced.
//!
//! Values stay out of sled's B-tree where they are large or many: document
//! records, payloads and journal bodies are appended to segment files
//! ([`super::blob_log`]) and the trees keep a 21-byte reference. With ~20 KB
//! values in its pages sled rewrites them as separate blob files (a file
//! created and deleted per write), which measured as the largest single cost
//! of storing a message. The group commit syncs the segment files before
//! sled's flush, so a durable reference never points at bytes that are not.

use std::path::Path;
use std::sync::Arc;

use sled::{Db, Tree};

use super::blob_log::{BlobLog, BlobRef};
use super::fields;
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

/// The order in which a batch's trees are written: the bytes and records that
/// index keys point at come before the keys.
const APPLY_ORDER: [Space; 5] = [Space::Payloads, Space::Documents, Space::Records, Space::MessageIds, Space::Index];

fn space_at(slot_no: u8) -> Option<Space> {
    SPACES.iter().copied().find(|s| slot(*s) == usize::from(slot_no))
}

/// A batch's puts and deletes as one value (the commit intent).
fn encode_writes(writes: &[Write]) -> Vec<u8> {
    let mut out = Vec::new();
    for w in writes {
        match w {
            Write::Put(s, k, v) => {
                out.extend_from_slice(&[0, slot(*s) as u8]);
                fields::put(&mut out, k);
                fields::put(&mut out, v);
            }
            Write::Delete(s, k) => {
                out.extend_from_slice(&[1, slot(*s) as u8]);
                fields::put(&mut out, k);
            }
            Write::Expect(..) => {}
        }
    }
    out
}

fn decode_writes(mut b: &[u8]) -> Option<Vec<Write>> {
    let mut out = Vec::new();
    while !b.is_empty() {
        let (tag, space) = (*b.first()?, space_at(*b.get(1)?)?);
        b = &b[2..];
        let k = fields::take(&mut b)?.to_vec();
        out.push(match tag {
            0 => Write::Put(space, k, fields::take(&mut b)?.to_vec()),
            1 => Write::Delete(space, k),
            _ => return None,
        });
    }
    Some(out)
}

fn engine(e: impl std::fmt::Display) -> StoreError {
    StoreError::Engine(e.to_string())
}

/// Group commit: writers that finish their batch while a flush is
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
    /// Commit intents of batches being applied (normally empty).
    intents: Tree,
    /// The journal's rotation counters.
    journal_meta: Tree,
    /// Serializes commits: preconditions and writes of one batch see no other batch.
    commit_lock: Arc<std::sync::Mutex<()>>,
    group: Arc<GroupCommit>,
    /// Document records and payload bytes (the Documents and Payloads trees hold references into it);
    /// one log, so the group commit syncs one file for both.
    archive: Arc<BlobLog>,
    /// Journal request and response bodies.
    bodies: Arc<BlobLog>,
    /// Most bytes the journal's bodies may take on disk (0: no limit); beyond it the oldest
    /// segments go, with their entries.
    journal_limit: Arc<std::sync::atomic::AtomicU64>,
    /// The journal segment the limit was last checked at (u32::MAX: not yet): the bodies can
    /// only need trimming once a segment has filled, so the check (a directory listing) runs
    /// once per segment, not once per message.
    journal_checked_at: Arc<std::sync::atomic::AtomicU32>,
    /// Serializes journal trimming.
    trim_lock: Arc<std::sync::Mutex<()>>,
    /// Keeps a temporary store's segment directory alive.
    _tmp: Option<Arc<tempfile::TempDir>>,
}

impl std::fmt::Debug for SledStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SledStore").finish_non_exhaustive()
    }
}

/// sled's page cache unless configured otherwise (`serve --cache`, whose default text says the
/// same). 32 MiB: the scale run's queries at 1 M documents were no slower with 16 MiB than with
/// 256 MiB (the OS page cache serves the reads), and sled's memory grows with its cache setting
/// (docs/performance.md, Memory).
pub const DEFAULT_CACHE_BYTES: u64 = 32 * 1024 * 1024;

impl SledStore {
    /// Opens (or creates) the store in `dir`.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        Self::open_with(dir, false, DEFAULT_CACHE_BYTES)
    }

    /// Opens (or creates) the store in `dir`; `compact` compresses sled's pages
    /// with zstd (a smaller index on disk for large archives, at a lower ingest
    /// rate). A data directory must be reopened with the setting it was made with.
    /// `cache_bytes` bounds sled's page cache, the largest part of the server's memory under
    /// sustained load.
    pub fn open_with(dir: &Path, compact: bool, cache_bytes: u64) -> Result<Self, StoreError> {
        let config = sled::Config::new()
            .path(dir)
            .cache_capacity(cache_bytes)
            .mode(sled::Mode::HighThroughput)
            .use_compression(compact)
            .compression_factor(1);
        // sled's I/O threads of a store just closed in this process may hold the
        // directory's lock for a few milliseconds more; wait for them, briefly.
        let mut waited = 0;
        let db = loop {
            match config.open() {
                Ok(db) => break db,
                Err(e) if e.to_string().contains("could not acquire lock") && waited < 40 => {
                    waited += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                Err(e) => {
                    let text = e.to_string();
                    let hint = if text.contains("compression") {
                        " (the directory was made with a different --compact setting)"
                    } else if text.contains("could not acquire lock") {
                        " (another simulator is using it)"
                    } else {
                        ""
                    };
                    return Err(StoreError::Engine(format!(
                        "cannot open data directory {}: {text}{hint}",
                        dir.display()
                    )));
                }
            }
        };
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
        let intents = db.open_tree("commit_intents").map_err(engine)?;
        let journal_meta = db.open_tree("journal_meta").map_err(engine)?;
        let archive = Arc::new(BlobLog::open(&segments.join("archive"))?);
        // Journal segments are small so that rotation drops little at a time.
        let bodies = Arc::new(BlobLog::open_with_limit(&segments.join("journal"), JOURNAL_SEGMENT)?);
        let store = SledStore {
            db,
            trees,
            journal,
            intents,
            journal_meta,
            commit_lock: Default::default(),
            group: Default::default(),
            archive,
            bodies,
            journal_limit: Default::default(),
            journal_checked_at: Arc::new(std::sync::atomic::AtomicU32::new(u32::MAX)),
            trim_lock: Default::default(),
            _tmp: tmp,
        };
        store.finish_interrupted_commits()?;
        Ok(store)
    }

    /// Applies again every batch whose commit intent survived a crash.
    fn finish_interrupted_commits(&self) -> Result<(), StoreError> {
        let mut finished = 0;
        for item in self.intents.iter() {
            let (k, v) = item.map_err(engine)?;
            let writes = decode_writes(&v).ok_or_else(|| StoreError::Corrupt {
                key: format!("commit_intents/{}", u64_key(&k)),
                reason: "commit intent does not decode".into(),
            })?;
            self.apply(&writes)?;
            self.intents.remove(&k).map_err(engine)?;
            finished += 1;
        }
        if finished > 0 {
            tracing::warn!(batches = finished, "finished batches a crash interrupted");
            self.flush_all()?;
        }
        Ok(())
    }

    /// Writes puts and deletes tree by tree, in [`APPLY_ORDER`], one by one
    /// (sled's `apply_batch` takes the same process-wide write lock as its
    /// transactions; the commit intent is what makes the batch atomic).
    fn apply(&self, writes: &[Write]) -> Result<(), StoreError> {
        for space in APPLY_ORDER {
            for w in writes {
                match w {
                    Write::Put(s, k, v) if *s == space => {
                        self.tree(space).insert(k.as_slice(), v.as_slice()).map_err(engine)?;
                    }
                    Write::Delete(s, k) if *s == space => {
                        self.tree(space).remove(k.as_slice()).map_err(engine)?;
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    fn tree(&self, s: Space) -> &Tree {
        &self.trees[slot(s)]
    }

    /// The segment log holding a space's values, when they are kept out of the tree.
    fn out_of_line(&self, space: Space) -> Option<&BlobLog> {
        match space {
            Space::Payloads | Space::Documents => Some(&self.archive),
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
        self.archive.sync()?;
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

/// Size of one journal segment: rotation drops this much at a time.
pub const JOURNAL_SEGMENT: u64 = 16 * 1024 * 1024;

/// Key (in the journal meta tree) of the rotation counters.
const DROPPED_KEY: &[u8] = b"journal_dropped";

impl SledStore {
    /// Keeps the journal's bodies within `bytes` on disk (0: no limit): beyond it the oldest
    /// segments and the entries that point into them are removed, counted in
    /// [`Store::journal_dropped`].
    pub fn set_journal_limit(&self, bytes: u64) {
        self.journal_limit.store(bytes, std::sync::atomic::Ordering::Relaxed);
        self.journal_checked_at.store(u32::MAX, std::sync::atomic::Ordering::Relaxed);
    }

    fn trim_journal(&self) -> Result<(), StoreError> {
        let limit = self.journal_limit.load(std::sync::atomic::Ordering::Relaxed);
        if limit == 0 {
            return Ok(());
        }
        // Between checks the bodies grow by at most the segment being written, which the
        // trimming below never drops anyway.
        let current = self.bodies.current_segment();
        if self.journal_checked_at.swap(current, std::sync::atomic::Ordering::Relaxed) == current {
            return Ok(());
        }
        let _one = self.trim_lock.lock().unwrap_or_else(|p| p.into_inner());
        let segments = self.bodies.segments()?;
        let mut total: u64 = segments.iter().map(|(_, s)| s).sum();
        if total <= limit {
            return Ok(());
        }
        let mut cutoff = None;
        for (n, size) in &segments {
            if total <= limit || *n == current {
                break;
            }
            total -= size;
            cutoff = Some(n + 1);
        }
        let Some(cutoff) = cutoff else { return Ok(()) };
        // Entries first (oldest keys first), then the files they pointed into.
        let mut removed = 0u64;
        let mut last = 0u64;
        for item in self.journal.iter() {
            let (k, v) = item.map_err(engine)?;
            match BlobRef::decode(&v) {
                Some(r) if r.segment < cutoff => {
                    self.journal.remove(&k).map_err(engine)?;
                    removed += 1;
                    last = <[u8; 8]>::try_from(k.as_ref()).map(u64::from_be_bytes).unwrap_or(last);
                }
                _ => break,
            }
        }
        self.bodies.drop_before(cutoff)?;
        let (before, _) = self.journal_dropped()?;
        let mut value = (before + removed).to_be_bytes().to_vec();
        value.extend_from_slice(&last.to_be_bytes());
        self.journal_meta.insert(DROPPED_KEY, value).map_err(engine)?;
        tracing::info!(entries = removed, through_seq = last, "journal rotated");
        Ok(())
    }
}

fn u64_key(k: &[u8]) -> String {
    <[u8; 8]>::try_from(k).map(|b| u64::from_be_bytes(b).to_string()).unwrap_or_else(|_| format!("{k:?}"))
}

fn decode_bodies(mut b: &[u8]) -> Option<(String, String)> {
    let request = fields::take(&mut b)?;
    Some((String::from_utf8_lossy(request).into_owned(), String::from_utf8_lossy(b).into_owned()))
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
        // Values kept out of line go to their segment file before the batch stores their reference.
        for w in &mut batch.writes {
            if let Write::Put(s, _, v) = w {
                if let Some(log) = self.out_of_line(*s) {
                    *v = log.append(v)?.encode().to_vec();
                }
            }
        }
        {
            let _serial = self.commit_lock.lock().unwrap_or_else(|p| p.into_inner());
            for w in &batch.writes {
                if let Write::Expect(s, k, expected) = w {
                    // Compare what the caller read (the resolved value), not a reference.
                    let cur = self.get(*s, k)?;
                    if cur.as_deref() != expected.as_deref() {
                        return Err(StoreError::Conflict(String::from_utf8_lossy(k).into_owned()));
                    }
                }
            }
            let writes = batch.writes.iter().filter(|w| !matches!(w, Write::Expect(..))).count();
            if writes > 1 {
                let id = self.db.generate_id().map_err(engine)?.to_be_bytes();
                self.intents.insert(id, encode_writes(&batch.writes)).map_err(engine)?;
                self.apply(&batch.writes)?;
                self.intents.remove(id).map_err(engine)?;
            } else {
                self.apply(&batch.writes)?;
            }
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

    fn append_journal(&self, mut entry: JournalEntry, request: &[u8]) -> Result<u64, StoreError> {
        let seq = self.db.generate_id().map_err(engine)? + 1;
        entry.seq = seq;
        // Bodies to the segment file (request length, request as received, response), the
        // summary (a reference in front of its JSON) to the tree.
        let request = JournalEntry::kept(request).0;
        let bodies = self.bodies.append_parts(&[&fields::prefix(request), request, entry.response.as_bytes()])?;
        entry.request.clear();
        entry.response.clear();
        let mut value = bodies.encode().to_vec();
        serde_json::to_writer(&mut value, &entry).map_err(engine)?;
        self.journal.insert(seq.to_be_bytes(), value).map_err(engine)?;
        self.trim_journal()?;
        Ok(seq)
    }

    fn journal_dropped(&self) -> Result<(u64, u64), StoreError> {
        let Some(v) = self.journal_meta.get(DROPPED_KEY).map_err(engine)? else { return Ok((0, 0)) };
        let n = |r: std::ops::Range<usize>| {
            v.get(r).and_then(|b| <[u8; 8]>::try_from(b).ok()).map(u64::from_be_bytes).unwrap_or(0)
        };
        Ok((n(0..8), n(8..16)))
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
        let _serial = self.commit_lock.lock().unwrap_or_else(|p| p.into_inner());
        for t in &self.trees {
            t.clear().map_err(engine)?;
        }
        self.archive.clear()?;
        if journal {
            self.journal.clear().map_err(engine)?;
            self.journal_meta.clear().map_err(engine)?;
            self.bodies.clear()?;
        }
        self.flush()
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.flush_all()
    }

    fn size_on_disk(&self) -> Result<u64, StoreError> {
        let segments = self.archive.size_on_disk()? + self.bodies.size_on_disk()?;
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
    fn the_journal_rotates_within_its_limit_and_counts_what_it_dropped() {
        let store = SledStore::temporary().expect("store");
        store.set_journal_limit(3 * JOURNAL_SEGMENT);
        let big = "x".repeat(900 * 1024);
        let mut last = 0;
        for i in 0..100u64 {
            let e = JournalEntry { response: format!("answer {i}"), ..journal_entry_with(String::new()) };
            last = store.append_journal(e, big.as_bytes()).expect("append");
        }
        let on_disk: u64 = store.bodies.segments().expect("segments").iter().map(|(_, s)| s).sum();
        assert!(on_disk <= 3 * JOURNAL_SEGMENT + JOURNAL_SEGMENT, "{on_disk} bytes of journal");
        let (dropped, through) = store.journal_dropped().expect("counters");
        assert!(dropped > 0 && through > 0, "{dropped} / {through}");
        // What is left reads back whole; what went is gone, not corrupt.
        let newest = store.journal_entry(last).expect("read").expect("kept");
        assert_eq!(newest.response, "answer 99");
        assert!(store.journal_entry(1).expect("read").is_none());
        let m = crate::journal::JournalFilter { limit: Some(1000), ..Default::default() }.matcher().expect("filter");
        let listed = store.journal(&m).expect("list");
        assert_eq!(listed.len() as u64 + dropped, 100);
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
            let seq = s.append_journal(journal_entry_with(String::new()), request.as_bytes()).expect("journal");
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
            let s = SledStore::open_with(dir.path(), true, DEFAULT_CACHE_BYTES).expect("compact");
            let mut b = Batch::default();
            b.put(Space::Index, "k", "v");
            s.commit(b).expect("commit");
        }
        let err = SledStore::open(dir.path()).expect_err("setting differs");
        assert!(err.to_string().contains("--compact"), "{err}");
        let s = SledStore::open_with(dir.path(), true, DEFAULT_CACHE_BYTES).expect("same setting");
        assert_eq!(s.get(Space::Index, b"k").expect("get").as_deref(), Some(&b"v"[..]));
    }

    #[test]
    fn a_batch_a_crash_cut_short_is_finished_on_open() {
        let dir = tempfile::tempdir().expect("tmp");
        {
            let s = SledStore::open(dir.path()).expect("open");
            // What a crash after the intent and the first tree leaves behind.
            let mut b = Batch::default();
            b.put(Space::Documents, "doc", "{}");
            b.put(Space::Index, "cl/doc", "doc");
            b.delete(Space::Index, "old-key");
            s.tree(Space::Index).insert("old-key", "x").expect("seed");
            s.intents.insert(9u64.to_be_bytes(), encode_writes(&b.writes)).expect("intent");
            s.tree(Space::Documents).insert("doc", "{}").expect("first tree");
            s.flush().expect("flush");
        }
        let s = SledStore::open(dir.path()).expect("reopen");
        assert_eq!(s.get(Space::Index, b"cl/doc").expect("get").as_deref(), Some(&b"doc"[..]));
        assert_eq!(s.get(Space::Index, b"old-key").expect("get"), None, "deletes are applied too");
        assert_eq!(s.intents.len(), 0, "the intent is gone once applied");
    }

    #[test]
    fn commit_intents_round_trip() {
        let mut b = Batch::default();
        b.put(Space::Payloads, "p", vec![0u8, 1, 2]);
        b.expect(Space::Documents, "d", None);
        b.delete(Space::Records, "r");
        let decoded = decode_writes(&encode_writes(&b.writes)).expect("decodes");
        assert_eq!(encode_writes(&decoded), encode_writes(&b.writes));
        assert_eq!(decoded.len(), 2, "preconditions are not part of the intent");
        assert!(decode_writes(&[0, 1, 0, 0, 0, 9, b'x']).is_none(), "a cut record does not decode");
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
