//! Append-only segment files for large values (document payloads, journal
//! bodies), so the B-tree holds only small records that point here.
//!
//! Owns: the on-disk record format, [`BlobRef`] (where a value lives), and the
//! rules that keep a reference safe to follow:
//! - a value is written to its segment *before* the reference is stored, so a
//!   reference that survives a process crash always finds its bytes (they are
//!   in the page cache even if the process died);
//! - [`BlobLog::sync`] runs before the B-tree's flush in the group commit, so a
//!   reference made durable by that flush points at bytes made durable first;
//! - every record carries a CRC-32 of its bytes, checked on every read, so a
//!   value cut by a power loss is reported as corrupt, never returned.
//!
//! Records are never rewritten; space is given back by [`BlobLog::clear`] (the
//! admin reset) and, for the journal, by [`BlobLog::drop_before`] (rotation). Layout: `seg-NNNNNNNN.blob` files of at most
//! [`SEGMENT_LIMIT`] bytes, each record a 16-byte header (`SHAB`, length,
//! CRC-32, reserved) followed by the bytes.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use super::StoreError;

/// A new segment is started once the current one reaches this size.
pub const SEGMENT_LIMIT: u64 = 256 * 1024 * 1024;

const MAGIC: &[u8; 4] = b"SHAB";
const HEADER: u64 = 16;
/// First byte of an encoded [`BlobRef`] (never the first byte of JSON or of the payload format).
pub const REF_TAG: u8 = 0xB7;
const REF_LEN: usize = 1 + 4 + 8 + 4 + 4;

/// Where one value lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobRef {
    /// Segment number.
    pub segment: u32,
    /// Offset of the value's first byte (after the record header).
    pub offset: u64,
    /// Length in bytes.
    pub len: u32,
    /// CRC-32 of the bytes.
    pub crc: u32,
}

impl BlobRef {
    /// The reference as stored in the B-tree.
    pub fn encode(&self) -> [u8; REF_LEN] {
        let mut out = [0u8; REF_LEN];
        out[0] = REF_TAG;
        out[1..5].copy_from_slice(&self.segment.to_be_bytes());
        out[5..13].copy_from_slice(&self.offset.to_be_bytes());
        out[13..17].copy_from_slice(&self.len.to_be_bytes());
        out[17..21].copy_from_slice(&self.crc.to_be_bytes());
        out
    }

    /// Reads a reference; `None` when `bytes` is not one (a value stored inline by an older version).
    pub fn decode(bytes: &[u8]) -> Option<BlobRef> {
        if bytes.len() < REF_LEN || bytes[0] != REF_TAG {
            return None;
        }
        let u32_at = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        let mut off = [0u8; 8];
        off.copy_from_slice(&bytes[5..13]);
        Some(BlobRef { segment: u32_at(1), offset: u64::from_be_bytes(off), len: u32_at(13), crc: u32_at(17) })
    }

    /// Encoded length.
    pub const ENCODED_LEN: usize = REF_LEN;
}

struct Writer {
    segment: u32,
    file: Arc<File>,
    end: u64,
    /// Segments filled since the last sync (synced before the current one).
    unsynced_full: Vec<Arc<File>>,
}

/// One directory of segment files.
pub struct BlobLog {
    dir: PathBuf,
    segment_limit: u64,
    writer: Mutex<Writer>,
    readers: RwLock<HashMap<u32, Arc<File>>>,
}

impl std::fmt::Debug for BlobLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobLog").field("dir", &self.dir).finish_non_exhaustive()
    }
}

fn io(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Engine(format!("{what} {}: {e}", path.display()))
}

fn segment_path(dir: &Path, n: u32) -> PathBuf {
    dir.join(format!("seg-{n:08}.blob"))
}

fn segment_number(name: &str) -> Option<u32> {
    name.strip_prefix("seg-")?.strip_suffix(".blob")?.parse().ok()
}

fn open_append(path: &Path) -> Result<(Arc<File>, u64), StoreError> {
    let file =
        OpenOptions::new().create(true).read(true).append(true).open(path).map_err(|e| io("cannot open", path, e))?;
    let end = file.metadata().map_err(|e| io("cannot read size of", path, e))?.len();
    Ok((Arc::new(file), end))
}

impl BlobLog {
    /// Opens (or creates) the log in `dir`, appending after the newest segment's end.
    /// A record cut short by a crash stays as unreferenced bytes before the new end.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        Self::open_with_limit(dir, SEGMENT_LIMIT)
    }

    /// Opens with segments of at most `segment_limit` bytes (smaller segments rotate finer).
    pub fn open_with_limit(dir: &Path, segment_limit: u64) -> Result<Self, StoreError> {
        fs::create_dir_all(dir).map_err(|e| io("cannot create", dir, e))?;
        let newest = Self::segments_in(dir)?.into_iter().max().unwrap_or(1);
        let path = segment_path(dir, newest);
        let (file, end) = open_append(&path)?;
        Ok(BlobLog {
            dir: dir.to_path_buf(),
            segment_limit: segment_limit.max(HEADER + 1),
            writer: Mutex::new(Writer { segment: newest, file, end, unsynced_full: Vec::new() }),
            readers: RwLock::new(HashMap::new()),
        })
    }

    fn segments_in(dir: &Path) -> Result<Vec<u32>, StoreError> {
        let mut out = Vec::new();
        for entry in fs::read_dir(dir).map_err(|e| io("cannot list", dir, e))? {
            let entry = entry.map_err(|e| io("cannot list", dir, e))?;
            if let Some(n) = entry.file_name().to_str().and_then(segment_number) {
                out.push(n);
            }
        }
        Ok(out)
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, Writer> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends a value; it is readable at once and durable after the next [`BlobLog::sync`].
    pub fn append(&self, bytes: &[u8]) -> Result<BlobRef, StoreError> {
        self.append_parts(&[bytes])
    }

    /// Appends the concatenation of `parts` as one value (read back as one), copied once.
    pub fn append_parts(&self, parts: &[&[u8]]) -> Result<BlobRef, StoreError> {
        let total: usize = parts.iter().map(|p| p.len()).sum();
        let len =
            u32::try_from(total).map_err(|_| StoreError::Engine(format!("value of {total} bytes exceeds 4 GiB")))?;
        let mut hasher = crc32fast::Hasher::new();
        parts.iter().for_each(|p| hasher.update(p));
        let crc = hasher.finalize();
        let mut header = [0u8; HEADER as usize];
        header[..4].copy_from_slice(MAGIC);
        header[4..8].copy_from_slice(&len.to_be_bytes());
        header[8..12].copy_from_slice(&crc.to_be_bytes());
        let mut w = self.writer();
        if w.end > 0 && w.end + HEADER + u64::from(len) > self.segment_limit {
            let next = w.segment + 1;
            let path = segment_path(&self.dir, next);
            let (file, end) = open_append(&path)?;
            let full = std::mem::replace(&mut w.file, file);
            w.unsynced_full.push(full);
            w.segment = next;
            w.end = end;
        }
        let start = w.end;
        let path = segment_path(&self.dir, w.segment);
        // One write for header and bytes: a crash leaves a short record, never a header pointing at nothing valid.
        let mut record = Vec::with_capacity(HEADER as usize + total);
        record.extend_from_slice(&header);
        parts.iter().for_each(|p| record.extend_from_slice(p));
        if let Err(e) = (&*w.file).write_all(&record) {
            // Re-read the end so later records are placed after whatever reached the file.
            if let Ok(m) = w.file.metadata() {
                w.end = m.len();
            }
            return Err(io("cannot append to", &path, e));
        }
        w.end = start + HEADER + u64::from(len);
        Ok(BlobRef { segment: w.segment, offset: start + HEADER, len, crc })
    }

    /// Makes every value appended so far durable (fdatasync of the segments written to).
    pub fn sync(&self) -> Result<(), StoreError> {
        let (current, full) = {
            let mut w = self.writer();
            (w.file.clone(), std::mem::take(&mut w.unsynced_full))
        };
        for f in full.iter().chain(std::iter::once(&current)) {
            // Outside the lock: appends go on while the disk syncs.
            f.sync_data().map_err(|e| io("cannot sync", &self.dir, e))?;
        }
        Ok(())
    }

    fn reader(&self, segment: u32) -> Result<Arc<File>, StoreError> {
        if let Some(f) = self.readers.read().unwrap_or_else(|p| p.into_inner()).get(&segment) {
            return Ok(f.clone());
        }
        let path = segment_path(&self.dir, segment);
        let f = Arc::new(File::open(&path).map_err(|e| io("cannot open", &path, e))?);
        self.readers.write().unwrap_or_else(|p| p.into_inner()).insert(segment, f.clone());
        Ok(f)
    }

    /// Reads a value, checking its length and CRC; `key` names it in errors.
    pub fn read(&self, r: &BlobRef, key: &str) -> Result<Vec<u8>, StoreError> {
        let corrupt = |reason: String| StoreError::Corrupt { key: key.to_string(), reason };
        let f = self.reader(r.segment)?;
        // A damaged reference must not size an allocation: the bytes have to be in the file.
        let size = f.metadata().map_err(|e| corrupt(format!("segment {}: {e}", r.segment)))?.len();
        if r.offset.checked_add(u64::from(r.len)).is_none_or(|end| end > size) {
            return Err(corrupt(format!(
                "segment {} has no {} bytes at offset {} (it holds {size})",
                r.segment, r.len, r.offset
            )));
        }
        let mut buf = vec![0u8; r.len as usize];
        f.read_exact_at(&mut buf, r.offset).map_err(|e| {
            corrupt(format!("segment {} has no {} bytes at offset {}: {e}", r.segment, r.len, r.offset))
        })?;
        if crc32fast::hash(&buf) != r.crc {
            return Err(corrupt(format!("segment {} offset {}: checksum mismatch", r.segment, r.offset)));
        }
        Ok(buf)
    }

    /// Removes every segment and starts again with an empty one.
    pub fn clear(&self) -> Result<(), StoreError> {
        let mut w = self.writer();
        self.readers.write().unwrap_or_else(|p| p.into_inner()).clear();
        w.unsynced_full.clear();
        for n in Self::segments_in(&self.dir)? {
            let p = segment_path(&self.dir, n);
            fs::remove_file(&p).map_err(|e| io("cannot remove", &p, e))?;
        }
        let path = segment_path(&self.dir, 1);
        let (file, end) = open_append(&path)?;
        *w = Writer { segment: 1, file, end, unsynced_full: Vec::new() };
        Ok(())
    }

    /// Every segment with its size in bytes, oldest first.
    pub fn segments(&self) -> Result<Vec<(u32, u64)>, StoreError> {
        let mut out = Vec::new();
        let mut ns = Self::segments_in(&self.dir)?;
        ns.sort_unstable();
        for n in ns {
            let p = segment_path(&self.dir, n);
            out.push((n, fs::metadata(&p).map_err(|e| io("cannot read size of", &p, e))?.len()));
        }
        Ok(out)
    }

    /// The segment being appended to.
    pub fn current_segment(&self) -> u32 {
        self.writer().segment
    }

    /// Deletes the segments numbered below `segment` (never the one being appended to);
    /// references into them read as corrupt from then on. Returns how many were deleted.
    pub fn drop_before(&self, segment: u32) -> Result<usize, StoreError> {
        let w = self.writer();
        let mut dropped = 0;
        let mut readers = self.readers.write().unwrap_or_else(|p| p.into_inner());
        for n in Self::segments_in(&self.dir)? {
            if n < segment && n != w.segment {
                readers.remove(&n);
                let p = segment_path(&self.dir, n);
                fs::remove_file(&p).map_err(|e| io("cannot remove", &p, e))?;
                dropped += 1;
            }
        }
        Ok(dropped)
    }

    /// Bytes on disk in all segments.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        let mut total = 0;
        for n in Self::segments_in(&self.dir)? {
            let p = segment_path(&self.dir, n);
            total += fs::metadata(&p).map_err(|e| io("cannot read size of", &p, e))?.len();
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_back_across_reopen() {
        let dir = tempfile::tempdir().expect("tmp");
        let (a, b) = {
            let log = BlobLog::open(dir.path()).expect("open");
            let a = log.append(b"first value").expect("a");
            let b = log.append(&vec![7u8; 70_000]).expect("b");
            log.sync().expect("sync");
            assert_eq!(log.read(&a, "a").expect("read a"), b"first value");
            (a, b)
        };
        let log = BlobLog::open(dir.path()).expect("reopen");
        assert_eq!(log.read(&b, "b").expect("read b"), vec![7u8; 70_000]);
        let c = log.append(b"after reopen").expect("c");
        assert!(c.offset > b.offset, "appends continue after the old end");
        assert_eq!(log.read(&a, "a").expect("read a"), b"first value");
        assert_eq!(BlobRef::decode(&c.encode()), Some(c));
    }

    #[test]
    fn a_damaged_value_is_reported_not_returned() {
        let dir = tempfile::tempdir().expect("tmp");
        let log = BlobLog::open(dir.path()).expect("open");
        let r = log.append(b"payload bytes").expect("append");
        log.sync().expect("sync");
        let f = OpenOptions::new().write(true).open(segment_path(dir.path(), r.segment)).expect("open seg");
        f.write_all_at(b"X", r.offset + 3).expect("damage");
        let err = log.read(&r, "documents/1").expect_err("crc must catch it");
        assert!(err.to_string().contains("checksum"), "{err}");
        // A reference past the end (a record a power loss cut off) is an error too,
        // and so is one claiming gigabytes: checked against the file, never allocated.
        let beyond = BlobRef { offset: r.offset + 1_000, ..r };
        assert!(matches!(log.read(&beyond, "k"), Err(StoreError::Corrupt { .. })));
        let huge = BlobRef { len: u32::MAX, ..r };
        let err = log.read(&huge, "k").expect_err("too long");
        assert!(err.to_string().contains("has no 4294967295 bytes"), "{err}");
    }

    #[test]
    fn inline_values_are_not_mistaken_for_references() {
        assert_eq!(BlobRef::decode(b"{\"json\":true}"), None);
        assert_eq!(BlobRef::decode(&[1u8, 0, 0, 0, 4]), None);
    }

    #[test]
    fn clear_starts_empty() {
        let dir = tempfile::tempdir().expect("tmp");
        let log = BlobLog::open(dir.path()).expect("open");
        log.append(&[1u8; 1000]).expect("append");
        assert!(log.size_on_disk().expect("size") >= 1000);
        log.clear().expect("clear");
        assert_eq!(log.size_on_disk().expect("size"), 0);
        let r = log.append(b"x").expect("append");
        assert_eq!((r.segment, r.offset), (1, HEADER));
    }
}
