//! Queries: clienthood, case, document metadata search, fetch one document,
//! and the kooste (client-data summary) — always within the querying
//! controller's own documents (rule 9), invalidated documents and replaced
//! versions only when asked for. Long answers come in pages.

use super::records::{self, StoredDocument, VersionStatus};
use super::{render, Archive, ArchiveError};
use crate::acks::{Detail, DetailCode};
use crate::command::Query;
use crate::document::{ClientId, DocumentKind};
use crate::interactions::Operation;
use crate::store::Space;
use crate::wire::ack::{Answer, SummaryList};

/// A query's answer.
#[derive(Debug, Clone)]
pub struct Found {
    /// The answer.
    pub answer: Answer,
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

fn visible(d: &StoredDocument, p: &Query) -> bool {
    (p.include_invalidated || !d.is_invalidated()) && (p.include_old_versions || d.status == VersionStatus::Current)
}

/// Whether a document passes the query's filters (time, codes, case, kind).
pub fn matches(d: &StoredDocument, p: &Query) -> bool {
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
        && p.kind.is_none_or(|k| d.kind == k)
}

/// One page of a list of documents.
pub fn paged(
    name: &str,
    docs: &[StoredDocument],
    page: usize,
    page_size: usize,
    a: &Archive,
) -> Result<SummaryList, Detail> {
    let size = page_size.max(1);
    let pages = docs.len().div_ceil(size).max(1);
    if page > pages {
        return Err(Detail::new(DetailCode::BadQuery, format!("page {page} of {pages}"))
            .at("queryByParameter/parameterList/page"));
    }
    let chunk: Vec<StoredDocument> = docs.iter().skip((page - 1) * size).take(size).cloned().collect();
    let mut l = render::list(name, &chunk, a.codes);
    l.total = docs.len();
    if pages > 1 {
        l.page = Some((page, pages));
    }
    Ok(l)
}

/// Runs a query for `controller`; with `only_types` (a wide register access right) only
/// documents of those types are seen. The outer error is the archive's; the inner, the sender's.
pub fn run(
    a: &Archive,
    op: Operation,
    controller: &str,
    p: &Query,
    only_types: Option<&[String]>,
) -> Result<Result<Found, Vec<Detail>>, ArchiveError> {
    let in_scope = |d: &StoredDocument| {
        // Clienthood and case documents carry no type: they frame the right's documents.
        only_types.is_none_or(|types| d.metadata.document_type.as_ref().is_none_or(|t| types.contains(&t.code)))
    };
    if op == Operation::FetchDocument {
        return fetch(a, controller, p, &in_scope);
    }
    let Some(client) = &p.client else {
        return Ok(Err(vec![Detail::new(DetailCode::BadQuery, "client is required")]));
    };
    let mut all = client_documents(a, controller, client)?;
    all.retain(|d| in_scope(d));
    let pick = |pred: &dyn Fn(&StoredDocument) -> bool| -> Vec<StoredDocument> {
        all.iter().filter(|d| pred(d) && visible(d, p) && matches(d, p)).cloned().collect()
    };
    let page = |docs: &[StoredDocument], name: &str| paged(name, docs, p.page, a.page_size, a);
    let (answer, ids) = match op {
        Operation::QueryClienthood | Operation::QueryCase | Operation::QueryMetadata => {
            let docs = match op {
                Operation::QueryClienthood => pick(&|d| d.kind == DocumentKind::Asiakkuus),
                Operation::QueryCase => pick(&|d| d.kind == DocumentKind::Asia),
                _ if p.document_group.is_some() || p.kind.is_some() => pick(&|_| true),
                _ => pick(&|d| matches!(d.kind, DocumentKind::Client(_))),
            };
            match page(&docs, "queryResult") {
                Ok(l) => {
                    let ids = l.items.iter().map(|s| s.id.clone()).collect();
                    (Answer::List(l), ids)
                }
                Err(d) => return Ok(Err(vec![d])),
            }
        }
        Operation::FetchKooste => {
            let current = Query { include_invalidated: false, include_old_versions: false, ..p.clone() };
            let kooste: Vec<StoredDocument> =
                all.iter().filter(|d| visible(d, &current) && matches(d, &current)).cloned().collect();
            let mut ids = Vec::new();
            let mut sections = Vec::new();
            for (name, f) in [
                ("clienthoods", (|k: &DocumentKind| *k == DocumentKind::Asiakkuus) as fn(&DocumentKind) -> bool),
                ("cases", |k| *k == DocumentKind::Asia),
                ("documents", |k| matches!(k, DocumentKind::Client(_))),
                ("declarations", |k| k.is_declaration()),
            ] {
                let docs: Vec<StoredDocument> = kooste.iter().filter(|d| f(&d.kind)).cloned().collect();
                // Every section is paged by the one page parameter (any of them can grow without
                // bound); a page beyond the documents is an error, beyond a shorter section an
                // empty list that still says how many there are.
                let l = match page(&docs, name) {
                    Ok(l) => l,
                    Err(d) if name == "documents" => return Ok(Err(vec![d])),
                    Err(_) => {
                        let mut l = render::list(name, &[], a.codes);
                        l.total = docs.len();
                        l.page = Some((p.page, docs.len().div_ceil(a.page_size.max(1)).max(1)));
                        l
                    }
                };
                ids.extend(l.items.iter().map(|s| s.id.clone()));
                sections.push(l);
            }
            (Answer::Kooste { controller: controller.to_string(), client: client.extension.clone(), sections }, ids)
        }
        _ => return Ok(Err(vec![Detail::new(DetailCode::BadQuery, format!("{op:?} is not a query"))])),
    };
    Ok(Ok(Found { answer, document_ids: ids }))
}

fn fetch(
    a: &Archive,
    controller: &str,
    p: &Query,
    in_scope: &dyn Fn(&StoredDocument) -> bool,
) -> Result<Result<Found, Vec<Detail>>, ArchiveError> {
    let id = p.document_id.clone().unwrap_or_default();
    // Another controller's document and a missing one get the same answer: nothing is revealed.
    let doc = match a.document(&id)? {
        Some(d) if d.controller() == controller && in_scope(&d) => d,
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
    Ok(Ok(Found {
        answer: Answer::Document { summary: render::summary(&doc, a.codes), document: render::package(&doc, &parts) },
        document_ids: vec![id],
    }))
}
