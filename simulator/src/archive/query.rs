//! Queries: clienthood, case, document metadata search, fetch one document,
//! and the kooste (client-data summary) — always within the querying
//! controller's own documents (rule 9), invalidated documents and replaced
//! versions only when asked for.

use time::OffsetDateTime;

use super::records::{self, StoredDocument, VersionStatus};
use super::{render, Archive, ArchiveError};
use crate::acks::{Detail, DetailCode};
use crate::document::{parse_ts, ClientId, DocumentKind, DocumentModel};
use crate::message::{el, InstanceId, Operation, Request};
use crate::store::Space;
use crate::xml::{Element, Node};

/// Parsed query parameters (queryByParameter/parameterList, docs/messages.md).
#[derive(Debug, Clone, Default)]
pub struct QueryParams {
    /// Querying controller.
    pub controller: String,
    /// Client.
    pub client: Option<ClientId>,
    /// Documents created at or after.
    pub from: Option<OffsetDateTime>,
    /// Documents created at or before.
    pub to: Option<OffsetDateTime>,
    /// Service task code.
    pub service_task: Option<String>,
    /// Client document type code.
    pub document_type: Option<String>,
    /// Document group code.
    pub document_group: Option<String>,
    /// Case id.
    pub case_id: Option<String>,
    /// Process phase code.
    pub process_phase: Option<String>,
    /// Document model.
    pub model: Option<DocumentModel>,
    /// Include invalidated documents.
    pub include_invalidated: bool,
    /// Include replaced versions.
    pub include_old_versions: bool,
    /// Document id (fetch).
    pub document_id: Option<String>,
    /// A disclosure query: another controller's data (SPEC §8.4).
    pub disclosure: bool,
    /// Statutory right to information: the reason code, when claimed.
    pub statutory_right: Option<String>,
}

fn bad(what: impl std::fmt::Display, loc: &str) -> Detail {
    Detail::new(DetailCode::BadQuery, what).at(loc)
}

impl QueryParams {
    /// Reads parameters from the control act; every problem is reported.
    pub fn parse(request: &Request) -> Result<Self, Vec<Detail>> {
        let base = format!("/{}/controlActProcess/queryByParameter/parameterList", request.interaction.id);
        let mut p = QueryParams::default();
        let mut errors = Vec::new();
        let acting = request
            .control_act
            .path(&["authorOrPerformer", "assignedPerson", "representedOrganization", "id"])
            .and_then(|e| e.attr("root"))
            .map(str::to_string);
        let Some(list) = request.control_act.path(&["queryByParameter", "parameterList"]) else {
            return Err(vec![bad("queryByParameter/parameterList is missing", &base)]);
        };
        let value = |name: &str| list.child(name).and_then(|e| e.child("value"));
        p.controller = match (value("controller").and_then(|v| v.attr("root")).map(str::to_string), acting) {
            (Some(c), _) => c,
            (None, Some(a)) => a,
            (None, None) => {
                errors.push(bad(
                    "controller (parameter or authorOrPerformer organisation) is missing",
                    &format!("{base}/controller"),
                ));
                String::new()
            }
        };
        if let Some(v) = value("client") {
            match (v.attr("root"), v.attr("extension")) {
                (Some(r), Some(x)) if !x.trim().is_empty() => {
                    p.client = Some(ClientId { root: r.trim().to_string(), extension: x.trim().to_string() })
                }
                _ => errors.push(bad("client/value needs root and extension", &format!("{base}/client"))),
            }
        }
        if let Some(v) = value("timeRange") {
            for (name, slot) in [("low", &mut p.from), ("high", &mut p.to)] {
                if let Some(raw) = v.child(name).and_then(|e| e.attr("value")) {
                    match parse_ts(raw) {
                        Some(t) => *slot = Some(t),
                        None => errors.push(bad(
                            format!("timeRange/{name} '{raw}' is not an HL7 TS"),
                            &format!("{base}/timeRange"),
                        )),
                    }
                }
            }
        }
        let code = |name: &str| value(name).and_then(|v| v.attr("code")).map(str::to_string);
        p.service_task = code("serviceTask");
        p.document_type = code("documentType");
        p.document_group = code("documentGroup");
        p.process_phase = code("processPhase");
        if let Some(m) = code("documentModel") {
            match DocumentModel::parse(&m) {
                Some(model) => p.model = Some(model),
                None => errors.push(bad(format!("documentModel '{m}'"), &format!("{base}/documentModel"))),
            }
        }
        p.case_id = value("caseId").and_then(InstanceId::from_element).map(|i| i.to_string());
        p.document_id = value("documentId").and_then(InstanceId::from_element).map(|i| i.to_string());
        let flag = |name: &str| value(name).and_then(|v| v.attr("value")).is_some_and(|v| v == "true");
        p.include_invalidated = flag("includeInvalidated");
        p.include_old_versions = flag("includeOldVersions");
        p.disclosure = flag("disclosure");
        if let Some(sr) = list.child("statutoryRight") {
            p.statutory_right = Some(sr.child("value").and_then(|v| v.attr("code")).unwrap_or_default().to_string());
        }
        let op = request.interaction.operation;
        if p.disclosure && p.client.is_none() {
            errors.push(bad("client is required in a disclosure query", &format!("{base}/client")));
        } else if op == Operation::FetchDocument {
            if p.document_id.is_none() {
                errors.push(bad("documentId is required", &format!("{base}/documentId")));
            }
        } else if p.client.is_none() {
            errors.push(bad("client is required", &format!("{base}/client")));
        }
        if errors.is_empty() {
            Ok(p)
        } else {
            Err(errors)
        }
    }
}

/// A query's answer.
#[derive(Debug, Clone)]
pub struct Found {
    /// The element placed in the response's subject.
    pub element: Element,
    /// Ids of the documents returned.
    pub document_ids: Vec<String>,
}

/// Every stored document (all versions) of `client` under `controller`, oldest first.
pub fn client_documents(a: &Archive, controller: &str, client: &ClientId) -> Result<Vec<StoredDocument>, ArchiveError> {
    let mut out = Vec::new();
    for (_, v) in a.store().scan_prefix(Space::Index, &records::client_prefix(controller, &client.key()))? {
        let id = String::from_utf8_lossy(&v).into_owned();
        if let Some(d) = a.document(&id)? {
            out.push(d);
        }
    }
    Ok(out)
}

fn visible(d: &StoredDocument, p: &QueryParams) -> bool {
    (p.include_invalidated || !d.is_invalidated()) && (p.include_old_versions || d.status == VersionStatus::Current)
}

/// Whether a document passes the query's filters (time, codes, case, model).
pub fn matches(d: &StoredDocument, p: &QueryParams) -> bool {
    matches_filters(d, p)
}

fn matches_filters(d: &StoredDocument, p: &QueryParams) -> bool {
    let m = &d.metadata;
    let code_is = |c: &Option<crate::codes::Code>, want: &Option<String>| {
        want.as_ref().is_none_or(|w| c.as_ref().is_some_and(|c| &c.code == w))
    };
    p.from.is_none_or(|f| m.effective_time.is_some_and(|t| t >= f))
        && p.to.is_none_or(|t| m.effective_time.is_some_and(|e| e <= t))
        && code_is(&m.service_task, &p.service_task)
        && code_is(&m.document_type, &p.document_type)
        && code_is(&m.document_group, &p.document_group)
        && code_is(&m.process_phase, &p.process_phase)
        && p.case_id.as_ref().is_none_or(|c| m.case_id.as_ref() == Some(c))
        && p.model.is_none_or(|mm| m.model == Some(mm))
}

/// A counted list of `documentMetadata` elements.
pub fn result_list(name: &str, docs: &[StoredDocument], a: &Archive) -> Element {
    let children = docs.iter().map(|d| Node::Element(render::metadata_element(d, a.codes))).collect();
    let mut e = el(name, &[], children);
    e.attrs.push(("count".into(), docs.len().to_string()));
    e
}

/// Runs a query. The outer error is the archive's; the inner, the sender's.
pub fn run(a: &Archive, op: Operation, p: &QueryParams) -> Result<Result<Found, Vec<Detail>>, ArchiveError> {
    if op == Operation::FetchDocument {
        return fetch(a, p);
    }
    let Some(client) = &p.client else {
        return Ok(Err(vec![Detail::new(DetailCode::BadQuery, "client is required")]));
    };
    let all = client_documents(a, &p.controller, client)?;
    let pick = |pred: &dyn Fn(&StoredDocument) -> bool| -> Vec<StoredDocument> {
        all.iter().filter(|d| pred(d) && visible(d, p) && matches_filters(d, p)).cloned().collect()
    };
    let (element, ids) = match op {
        Operation::QueryClienthood => {
            let docs = pick(&|d| d.kind == DocumentKind::Asiakkuus);
            (result_list("queryResult", &docs, a), ids_of(&docs))
        }
        Operation::QueryCase => {
            let docs = pick(&|d| d.kind == DocumentKind::Asia);
            (result_list("queryResult", &docs, a), ids_of(&docs))
        }
        Operation::QueryMetadata => {
            let docs = if p.document_group.is_some() {
                pick(&|_| true)
            } else {
                pick(&|d| matches!(d.kind, DocumentKind::Client(_)))
            };
            (result_list("queryResult", &docs, a), ids_of(&docs))
        }
        Operation::FetchKooste => {
            let current = QueryParams { include_invalidated: false, include_old_versions: false, ..p.clone() };
            let kooste: Vec<StoredDocument> =
                all.iter().filter(|d| visible(d, &current) && matches_filters(d, &current)).cloned().collect();
            let section = |name: &str, f: &dyn Fn(&DocumentKind) -> bool| {
                let docs: Vec<StoredDocument> = kooste.iter().filter(|d| f(&d.kind)).cloned().collect();
                Node::Element(result_list(name, &docs, a))
            };
            let mut e = el(
                "kooste",
                &[],
                vec![
                    section("clienthoods", &|k| *k == DocumentKind::Asiakkuus),
                    section("cases", &|k| *k == DocumentKind::Asia),
                    section("documents", &|k| matches!(k, DocumentKind::Client(_))),
                    section("declarations", &|k| {
                        matches!(k, DocumentKind::Consent | DocumentKind::Prohibition | DocumentKind::Informing)
                    }),
                ],
            );
            e.attrs.push(("controller".into(), p.controller.clone()));
            e.attrs.push(("client".into(), client.extension.clone()));
            (e, ids_of(&kooste))
        }
        _ => return Ok(Err(vec![Detail::new(DetailCode::BadQuery, format!("{op:?} is not a query"))])),
    };
    Ok(Ok(Found { element, document_ids: ids }))
}

fn ids_of(docs: &[StoredDocument]) -> Vec<String> {
    docs.iter().map(|d| d.id.clone()).collect()
}

fn fetch(a: &Archive, p: &QueryParams) -> Result<Result<Found, Vec<Detail>>, ArchiveError> {
    let id = p.document_id.clone().unwrap_or_default();
    // Another controller's document and a missing one get the same answer: nothing is revealed.
    let doc = match a.document(&id)? {
        Some(d) if d.controller() == p.controller => d,
        _ => {
            return Ok(Err(
                vec![Detail::new(DetailCode::NotFound, &id).at("queryByParameter/parameterList/documentId")],
            ))
        }
    };
    if doc.is_invalidated() && !p.include_invalidated {
        return Ok(Err(vec![Detail::new(
            DetailCode::AlreadyInvalidated,
            format!("{id} (set includeInvalidated to fetch it)"),
        )
        .at("queryByParameter/parameterList/documentId")]));
    }
    let mut parts = a.parts(&id)?;
    if doc.kind == DocumentKind::Asiakkuus {
        super::mask::mask_parts(&mut parts);
    }
    let meta = render::metadata_element(&doc, a.codes);
    let cd = render::document_element(&doc, &parts);
    Ok(Ok(Found {
        element: el("documentResult", &[], vec![Node::Element(meta), Node::Element(cd)]),
        document_ids: vec![id],
    }))
}
