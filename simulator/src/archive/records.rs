//! What the archive keeps per document, and the index keys that make every
//! query O(log n + results): by id, by (controller, client) in time order, by
//! (controller, case), by set id + version, by (controller, time).

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::document::{DocumentKind, Metadata};
use crate::store::fields;
use crate::wire::mime::Part;

/// Separator inside index keys (cannot occur in OIDs, hetus or ids we accept).
pub const SEP: char = '\u{1f}';

/// Where a document stands among its versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    /// The newest version of its set.
    Current,
    /// Replaced by a newer version.
    Replaced,
}

/// An invalidation (mitätöinti).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invalidation {
    /// Reason given.
    pub reason: String,
    /// When (simulated).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Which system.
    pub by_system: String,
}

/// Size and type of a stored part (the bytes are kept separately).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartInfo {
    /// Content-ID.
    pub content_id: String,
    /// Media type.
    pub media_type: String,
    /// Bytes.
    pub size: u64,
}

/// One stored document version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredDocument {
    /// Document id.
    pub id: String,
    /// Kind.
    pub kind: DocumentKind,
    /// Header metadata as received.
    pub metadata: Metadata,
    /// Version status.
    pub status: VersionStatus,
    /// The id of the version that replaced it.
    #[serde(default)]
    pub replaced_by: Option<String>,
    /// Invalidation, when invalidated.
    #[serde(default)]
    pub invalidation: Option<Invalidation>,
    /// When stored (simulated time).
    #[serde(with = "time::serde::rfc3339")]
    pub stored_at: OffsetDateTime,
    /// Storing system.
    pub stored_by: String,
    /// Store order (ties of `stored_at` under a frozen clock are broken by it).
    #[serde(default)]
    pub seq: u64,
    /// Message that stored it.
    pub message_id: String,
    /// Parts.
    pub parts: Vec<PartInfo>,
    /// Parsed JSON content (clienthood, case and declaration documents), for rules that read it.
    #[serde(default)]
    pub content: Option<serde_json::Value>,
}

impl StoredDocument {
    /// The controller (always present on a stored document).
    pub fn controller(&self) -> &str {
        self.metadata.controller.as_deref().unwrap_or("")
    }
    /// The client key.
    pub fn client_key(&self) -> String {
        self.metadata.client.as_ref().map(|c| c.key()).unwrap_or_default()
    }
    /// The set id.
    pub fn set_id(&self) -> &str {
        self.metadata.set_id.as_deref().unwrap_or(&self.id)
    }
    /// The version number.
    pub fn version(&self) -> u32 {
        self.metadata.version.unwrap_or(1)
    }
    /// Whether invalidated.
    pub fn is_invalidated(&self) -> bool {
        self.invalidation.is_some()
    }
    /// Sortable time key.
    pub fn time_key(&self) -> String {
        self.metadata.effective_time.map(sort_key).unwrap_or_else(|| "00000000000000".into())
    }
}

/// A time as a key that sorts in time order: UTC `YYYYMMDDHHMMSS`.
pub fn sort_key(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{:04}{:02}{:02}{:02}{:02}{:02}", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second())
}

/// Encodes parts compactly for storage: for each part, u32 lengths then
/// Content-ID, media type and the raw bytes (no base64, no JSON escaping).
pub fn encode_parts(parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        parts.iter().map(|p| p.bytes.len() + p.content_id.len() + p.media_type.len() + 12).sum::<usize>() + 1,
    );
    out.push(1u8); // format version
    for p in parts {
        for field in [p.content_id.as_bytes(), p.media_type.as_bytes(), p.bytes.as_slice()] {
            fields::put(&mut out, field);
        }
    }
    out
}

/// Decodes [`encode_parts`]; `None` when the bytes are not in that format.
pub fn decode_parts(bytes: &[u8]) -> Option<Vec<Part>> {
    let (&version, mut body) = bytes.split_first()?;
    if version != 1 {
        return None;
    }
    let mut parts = Vec::new();
    while !body.is_empty() {
        let cid = fields::take(&mut body)?;
        let mt = fields::take(&mut body)?;
        let data = fields::take(&mut body)?;
        parts.push(Part::new(
            String::from_utf8(cid.to_vec()).ok()?,
            String::from_utf8(mt.to_vec()).ok()?,
            data.to_vec(),
        ));
    }
    Some(parts)
}

/// Stored part bytes (serialised base64 in JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredPart {
    /// Content-ID.
    pub content_id: String,
    /// Media type.
    pub media_type: String,
    /// Base64 of the bytes.
    pub data: String,
}

impl StoredPart {
    /// From a received part.
    pub fn from_part(p: &Part) -> Self {
        StoredPart {
            content_id: p.content_id.clone(),
            media_type: p.media_type.clone(),
            data: base64::engine::general_purpose::STANDARD.encode(&p.bytes),
        }
    }
    /// Back to a part.
    pub fn to_part(&self) -> Option<Part> {
        let bytes = base64::engine::general_purpose::STANDARD.decode(&self.data).ok()?;
        Some(Part::new(&self.content_id, &self.media_type, bytes))
    }
}

fn key(parts: &[&str]) -> Vec<u8> {
    let mut s = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            s.push(SEP);
        }
        s.push_str(p);
    }
    s.into_bytes()
}

/// Prefix for a key of these parts (ends with the separator).
pub fn prefix(parts: &[&str]) -> Vec<u8> {
    let mut k = key(parts);
    k.extend_from_slice(SEP.to_string().as_bytes());
    k
}

/// The last component of an index key (the document id).
pub fn last_component(k: &[u8]) -> String {
    let s = String::from_utf8_lossy(k);
    s.rsplit(SEP).next().unwrap_or_default().to_string()
}

/// Index keys of a stored document.
pub fn index_keys(d: &StoredDocument) -> Vec<Vec<u8>> {
    let ctrl = d.controller();
    let client = d.client_key();
    let t = d.time_key();
    let mut keys = vec![
        key(&["cl", ctrl, &client, &t, &d.id]),
        key(&["cc", &client, ctrl, &d.id]),
        key(&["tm", ctrl, &t, &d.id]),
        key(&["set", d.set_id(), &format!("{:010}", d.version())]),
    ];
    if let Some(case) = &d.metadata.case_id {
        keys.push(key(&["ca", ctrl, case, &d.id]));
        if d.kind == DocumentKind::Asia {
            keys.push(key(&["cs", ctrl, case, &client]));
        }
    }
    if d.kind == DocumentKind::Asiakkuus {
        keys.push(key(&["hc", ctrl, &client, d.set_id()]));
    }
    keys
}

/// Key: a case document exists for (controller, case, client).
pub fn case_key(controller: &str, case: &str, client: &str) -> Vec<u8> {
    key(&["cs", controller, case, client])
}

/// Key: the newest original clienthood stored for (controller, client) — a guard that makes
/// two originals sent at once conflict.
pub fn clienthood_guard_key(controller: &str, client: &str) -> Vec<u8> {
    key(&["hg", controller, client])
}

/// Prefix: clienthood documents of (controller, client).
pub fn clienthood_prefix(controller: &str, client: &str) -> Vec<u8> {
    prefix(&["hc", controller, client])
}

/// Prefix: all documents of (controller, client), in time order.
pub fn client_prefix(controller: &str, client: &str) -> Vec<u8> {
    prefix(&["cl", controller, client])
}

/// Prefix: all documents of a client under every controller (declarations, disclosure).
pub fn client_all_prefix(client: &str) -> Vec<u8> {
    prefix(&["cc", client])
}

/// Key of a disclosure-log record.
pub fn disclosure_key(client: &str, time_key: &str, id: &str) -> Vec<u8> {
    key(&["dl", client, time_key, id])
}

/// Prefix: a client's disclosure log.
pub fn disclosure_prefix(client: &str) -> Vec<u8> {
    prefix(&["dl", client])
}

/// Prefix: documents of (controller, case).
pub fn case_prefix(controller: &str, case: &str) -> Vec<u8> {
    prefix(&["ca", controller, case])
}

/// Prefix: versions of a set.
pub fn set_prefix(set_id: &str) -> Vec<u8> {
    prefix(&["set", set_id])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_round_trip_through_the_binary_encoding() {
        let parts = vec![
            Part::new("a", "text/xml", b"<x/>".to_vec()),
            Part::new("b.pdf", "application/pdf", vec![0u8, 255, 10]),
        ];
        assert_eq!(decode_parts(&encode_parts(&parts)), Some(parts));
        assert_eq!(decode_parts(b"{\"json\": 1}"), None);
        assert_eq!(decode_parts(&[1, 0, 0, 0, 9, 1]), None, "truncated");
    }
}
