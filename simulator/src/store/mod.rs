//! Durable storage behind a trait, so the archive never sees sled.
//!
//! Owns: the [`Store`] trait, the write-batch type the archive fills, the
//! sled implementation ([`sled_store`]) and the append-only segment files it
//! keeps large values in ([`blob_log`]). Every message's writes go in one
//! atomic batch and are flushed before the acknowledgement leaves (group
//! commit: concurrent writers share one flush). Must not interpret documents.

pub mod blob_log;
pub mod fields;
pub mod sled_store;

use crate::journal::{JournalEntry, Matcher};

/// Storage failures.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The storage engine failed.
    #[error("storage failure: {0}")]
    Engine(String),
    /// Stored bytes could not be decoded.
    #[error("stored record {key} is corrupt: {reason}")]
    Corrupt {
        /// Key.
        key: String,
        /// Why.
        reason: String,
    },
    /// A conditional write lost a race (another writer changed the key first).
    #[error("conflicting concurrent write on {0}")]
    Conflict(String),
}

/// A named key space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Space {
    /// Documents by id.
    Documents,
    /// Secondary indexes (keys only; values empty or small).
    Index,
    /// Document payloads (MIME parts) by document id.
    Payloads,
    /// Message ids already seen, per system.
    MessageIds,
    /// Declarations of intent, disclosure log and other records.
    Records,
}

/// One write in a batch.
#[derive(Debug, Clone)]
pub enum Write {
    /// Insert or replace.
    Put(Space, Vec<u8>, Vec<u8>),
    /// Remove.
    Delete(Space, Vec<u8>),
    /// Fails the whole batch with [`StoreError::Conflict`] unless the key's current value equals `expected` (None = absent).
    Expect(Space, Vec<u8>, Option<Vec<u8>>),
}

/// All writes of one message, applied atomically.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// The writes in order.
    pub writes: Vec<Write>,
}

impl Batch {
    /// Adds a put.
    pub fn put(&mut self, space: Space, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.writes.push(Write::Put(space, key.into(), value.into()));
    }
    /// Adds a delete.
    pub fn delete(&mut self, space: Space, key: impl Into<Vec<u8>>) {
        self.writes.push(Write::Delete(space, key.into()));
    }
    /// Adds a precondition.
    pub fn expect(&mut self, space: Space, key: impl Into<Vec<u8>>, value: Option<Vec<u8>>) {
        self.writes.push(Write::Expect(space, key.into(), value));
    }
    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }
}

/// Key/value pairs read by a prefix scan, in key order.
pub type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

/// Storage used by the archive and the journal.
pub trait Store: Send + Sync + 'static {
    /// Reads a key.
    fn get(&self, space: Space, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
    /// Key/value pairs whose key starts with `prefix`, in key order.
    fn scan_prefix(&self, space: Space, prefix: &[u8]) -> Result<Pairs, StoreError>;
    /// Applies a batch atomically and makes it durable before returning.
    fn commit(&self, batch: Batch) -> Result<(), StoreError>;
    /// Inserts `value` under `key` unless the key exists (true when inserted); durable with the next flush, not before returning.
    fn insert_if_absent(&self, space: Space, key: &[u8], value: &[u8]) -> Result<bool, StoreError>;
    /// A monotonic number (orders records written in the same instant).
    fn next_id(&self) -> Result<u64, StoreError>;
    /// Appends a journal entry (assigning its sequence number) with the request body as
    /// received, bytes unchanged (`entry.request` is not used; reading the entry back gives the
    /// body as text); durable with the next flush.
    fn append_journal(&self, entry: JournalEntry, request: &[u8]) -> Result<u64, StoreError>;
    /// One journal entry.
    fn journal_entry(&self, seq: u64) -> Result<Option<JournalEntry>, StoreError>;
    /// Entries rotated out of the journal to keep it within its size limit: how many, and the
    /// sequence number of the newest of them (0 when none).
    fn journal_dropped(&self) -> Result<(u64, u64), StoreError> {
        Ok((0, 0))
    }
    /// Journal entries matching, newest first, at most `m.limit`.
    fn journal(&self, m: &Matcher) -> Result<Vec<JournalEntry>, StoreError>;
    /// Empties the archive (documents, indexes, payloads, records, message ids); keeps the journal unless `journal` too.
    fn reset(&self, journal: bool) -> Result<(), StoreError>;
    /// Flushes everything to disk.
    fn flush(&self) -> Result<(), StoreError>;
    /// Approximate on-disk size in bytes.
    fn size_on_disk(&self) -> Result<u64, StoreError>;
    /// Number of keys in a space.
    fn count(&self, space: Space) -> Result<usize, StoreError>;
}
