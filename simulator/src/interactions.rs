//! The interaction and service-request tables: which HL7 V3 interactions the
//! archive answers, with which response, and what an archive message's
//! service request (palvelupyyntö, reasonCode of 1.2.246.537.6.1503) asks
//! for. Loaded from `testdata/interactions.toml` (compiled in), where every
//! row says whether it is seen in real messages or our choice.
//!
//! Owns: the [`Operation`] vocabulary and the tables. Must not read messages.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::document::DocumentKind;

/// The archive use case a message asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Archive a new document.
    Store,
    /// Archive a replacing version.
    StoreNewVersion,
    /// Invalidate (mitätöi) a document.
    Invalidate,
    /// Check a document against every rule, store nothing.
    Validate,
    /// Query clienthood documents.
    QueryClienthood,
    /// Query case documents.
    QueryCase,
    /// Search document metadata.
    QueryMetadata,
    /// Fetch one document.
    FetchDocument,
    /// Fetch the client-data summary.
    FetchKooste,
    /// The client's current informing, consent and prohibitions.
    QueryDeclarations,
}

impl Operation {
    /// Whether the operation only reads.
    pub fn is_query(self) -> bool {
        matches!(
            self,
            Operation::QueryClienthood
                | Operation::QueryCase
                | Operation::QueryMetadata
                | Operation::FetchDocument
                | Operation::FetchKooste
                | Operation::QueryDeclarations
        )
    }
}

/// One row of the interaction table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Interaction {
    /// Interaction id, e.g. `RCMR_IN200002FI01`.
    pub id: String,
    /// What it does; `None` when its service request decides.
    #[serde(default)]
    pub operation: Option<Operation>,
    /// Response interaction id.
    pub response: String,
    /// `seen` or `choice`.
    pub status: String,
    /// Human description.
    pub description: String,
}

/// One service request (palvelupyyntö).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ServiceRequest {
    /// The code, e.g. `SP17`.
    pub code: String,
    /// Its Finnish name.
    pub name: String,
    /// What it asks for.
    pub operation: Operation,
    /// Document kinds it may carry (codes of `DocumentKind`); empty = any.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// `seen` or `choice`.
    pub status: String,
}

impl ServiceRequest {
    /// Whether a document of `kind` may travel with this request.
    pub fn admits(&self, kind: DocumentKind) -> bool {
        self.kinds.is_empty() || self.kinds.iter().any(|k| k == kind.code())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    archive_device: String,
    ack_detail_code_system: String,
    service_request_system: String,
    service_request_system_name: String,
    interaction: Vec<Interaction>,
    service_request: Vec<ServiceRequest>,
}

/// The compiled-in table text.
pub const INTERACTIONS_TOML: &str = include_str!("../../testdata/interactions.toml");

/// The interaction and service-request tables.
#[derive(Debug, Clone)]
pub struct Interactions {
    /// The archive's own device id (receiver of requests, sender of responses).
    pub archive_device: String,
    /// Code system OID of the SHA-* detail codes.
    pub ack_code_system: String,
    /// Code system of service requests.
    pub service_request_system: String,
    /// Its name (codeSystemName).
    pub service_request_system_name: String,
    by_id: BTreeMap<String, Interaction>,
    requests: Vec<ServiceRequest>,
}

impl Interactions {
    /// Parses table text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let f: TableFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut by_id = BTreeMap::new();
        for i in f.interaction {
            let id = i.id.clone();
            if by_id.insert(id.clone(), i).is_some() {
                return Err(format!("interaction {id} is listed twice"));
            }
        }
        for (i, r) in f.service_request.iter().enumerate() {
            if f.service_request[..i].iter().any(|o| o.code == r.code) {
                return Err(format!("service request {} is listed twice", r.code));
            }
            if let Some(k) = r.kinds.iter().find(|k| DocumentKind::parse(k).is_none()) {
                return Err(format!("service request {}: unknown document kind '{k}'", r.code));
            }
        }
        Ok(Interactions {
            archive_device: f.archive_device,
            ack_code_system: f.ack_detail_code_system,
            service_request_system: f.service_request_system,
            service_request_system_name: f.service_request_system_name,
            by_id,
            requests: f.service_request,
        })
    }

    /// The built-in table.
    pub fn builtin() -> &'static Interactions {
        static T: std::sync::OnceLock<Interactions> = std::sync::OnceLock::new();
        T.get_or_init(|| match Interactions::parse(&crate::tables::text("interactions.toml", INTERACTIONS_TOML)) {
            Ok(t) => t,
            // Compiled in and checked by a unit test.
            Err(e) => panic!("testdata/interactions.toml: {e}"),
        })
    }

    /// Row by interaction id.
    pub fn get(&self, id: &str) -> Option<&Interaction> {
        self.by_id.get(id)
    }

    /// All rows.
    pub fn all(&self) -> impl Iterator<Item = &Interaction> {
        self.by_id.values()
    }

    /// The service request with this code.
    pub fn service_request(&self, code: &str) -> Option<&ServiceRequest> {
        self.requests.iter().find(|r| r.code == code.trim())
    }

    /// All service requests.
    pub fn service_requests(&self) -> impl Iterator<Item = &ServiceRequest> {
        self.requests.iter()
    }

    /// The interaction and service request a sender uses for `op` with a document of `kind`:
    /// the archive message for archive operations, a query interaction for queries.
    pub fn route(&self, op: Operation, kind: Option<DocumentKind>) -> (&Interaction, Option<&ServiceRequest>) {
        let by_op = self.by_id.values().find(|i| i.operation == Some(op));
        let archive = self.by_id.values().find(|i| i.operation.is_none());
        let request = self
            .requests
            .iter()
            .find(|r| r.operation == op && kind.is_none_or(|k| !r.kinds.is_empty() && r.admits(k)))
            .or_else(|| self.requests.iter().find(|r| r.operation == op && (kind.is_none() || r.kinds.is_empty())));
        match (by_op, archive) {
            (Some(i), _) => (i, request),
            (None, Some(a)) => (a, request),
            // The built-in table has the archive message; a broken table is caught by its test.
            (None, None) => (self.by_id.values().next().unwrap_or_else(|| panic!("empty interaction table")), request),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::DocumentModel;

    #[test]
    fn builtin_table_is_consistent_and_routes_every_operation() {
        let t = Interactions::parse(INTERACTIONS_TOML).expect("parses");
        assert_eq!(t.archive_device, "1.2.246.556.18007.2");
        assert_eq!(t.service_request("SP1").map(|r| r.operation), Some(Operation::Store));
        let (i, sp) = t.route(Operation::Store, Some(DocumentKind::Client(DocumentModel::Liittymisvelvoite)));
        assert_eq!((i.id.as_str(), sp.map(|s| s.code.as_str())), ("RCMR_IN200002FI01", Some("SP17")));
        let (_, sp) = t.route(Operation::Store, Some(DocumentKind::Asiakkuus));
        assert_eq!(sp.map(|s| s.code.as_str()), Some("SP1"));
        let (i, _) = t.route(Operation::FetchKooste, None);
        assert_eq!(i.id, "QUQI_IN200009FI01");
        for op in [
            Operation::Store,
            Operation::StoreNewVersion,
            Operation::Invalidate,
            Operation::Validate,
            Operation::QueryClienthood,
            Operation::QueryCase,
            Operation::QueryMetadata,
            Operation::FetchDocument,
            Operation::FetchKooste,
            Operation::QueryDeclarations,
        ] {
            assert!(t.route(op, None).1.is_some(), "{op:?} has no service request");
        }
    }
}
