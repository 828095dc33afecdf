//! The sled implementation of [`Store`]: one tree per [`Space`] plus the
//! journal, multi-tree transactions for atomic batches, and a flush before
//! every acknowledged write returns.

use std::path::Path;

use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};
use sled::{Db, Tree};

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
    fn wait_durable(&self, db: &Db) -> Result<(), StoreError> {
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
                let r = db.flush().map(|_| ()).map_err(engine);
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
    group: std::sync::Arc<GroupCommit>,
}

impl std::fmt::Debug for SledStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SledStore").finish_non_exhaustive()
    }
}

impl SledStore {
    /// Opens (or creates) the store in `dir`.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(256 * 1024 * 1024)
            .mode(sled::Mode::HighThroughput)
            .open()
            .map_err(|e| StoreError::Engine(format!("cannot open data directory {}: {e}", dir.display())))?;
        Self::from_db(db)
    }

    /// A store in a temporary directory removed on drop (tests, the harness's embedded simulator).
    pub fn temporary() -> Result<Self, StoreError> {
        let db = sled::Config::new().temporary(true).open().map_err(engine)?;
        Self::from_db(db)
    }

    fn from_db(db: Db) -> Result<Self, StoreError> {
        let trees =
            SPACES.iter().map(|s| db.open_tree(tree_name(*s)).map_err(engine)).collect::<Result<Vec<_>, _>>()?;
        let journal = db.open_tree("journal").map_err(engine)?;
        Ok(SledStore { db, trees, journal, group: Default::default() })
    }

    fn tree(&self, s: Space) -> &Tree {
        &self.trees[slot(s)]
    }
}

impl Store for SledStore {
    fn get(&self, space: Space, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.tree(space).get(key).map_err(engine)?.map(|v| v.to_vec()))
    }

    fn scan_prefix(&self, space: Space, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        self.tree(space).scan_prefix(prefix).map(|r| r.map(|(k, v)| (k.to_vec(), v.to_vec())).map_err(engine)).collect()
    }

    fn commit(&self, batch: Batch) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
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
                        if cur.as_deref() != expected.as_deref() {
                            return Err(ConflictableTransactionError::Abort(String::from_utf8_lossy(k).into_owned()));
                        }
                    }
                }
            }
            Ok(())
        });
        match result {
            Ok(()) => {}
            Err(TransactionError::Abort(key)) => return Err(StoreError::Conflict(key)),
            Err(TransactionError::Storage(e)) => return Err(engine(e)),
        }
        self.group.wait_durable(&self.db)
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
        let bytes = serde_json::to_vec(&entry).map_err(engine)?;
        self.journal.insert(seq.to_be_bytes(), bytes).map_err(engine)?;
        Ok(seq)
    }

    fn journal_entry(&self, seq: u64) -> Result<Option<JournalEntry>, StoreError> {
        match self.journal.get(seq.to_be_bytes()).map_err(engine)? {
            Some(v) => serde_json::from_slice(&v)
                .map(Some)
                .map_err(|e| StoreError::Corrupt { key: format!("journal/{seq}"), reason: e.to_string() }),
            None => Ok(None),
        }
    }

    fn journal(&self, m: &Matcher) -> Result<Vec<JournalEntry>, StoreError> {
        let mut out = Vec::new();
        for item in self.journal.iter().rev() {
            let (k, v) = item.map_err(engine)?;
            let e: JournalEntry = serde_json::from_slice(&v).map_err(|e| StoreError::Corrupt {
                key: format!("journal/{}", String::from_utf8_lossy(&k)),
                reason: e.to_string(),
            })?;
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
        if journal {
            self.journal.clear().map_err(engine)?;
        }
        self.flush()
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map(|_| ()).map_err(engine)
    }

    fn size_on_disk(&self) -> Result<u64, StoreError> {
        self.db.size_on_disk().map_err(engine)
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
