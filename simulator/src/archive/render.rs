//! Query results as HL7-namespace elements (docs/messages.md): one
//! `documentMetadata` per document, and the stored document itself for fetches.

use super::records::{StoredDocument, VersionStatus};
use crate::codes::{Code, CodeSets};
use crate::compose::{self, DocumentRef, Part};
use crate::message::{el, hl7_ts, InstanceId};
use crate::xml::{Element, Node};

fn code_el(name: &str, c: &Code, codes: &CodeSets) -> Node {
    let display = c.display.clone().or_else(|| codes.name(&c.system, &c.code).map(str::to_string)).unwrap_or_default();
    Node::Element(el(name, &[("code", &c.code), ("codeSystem", &c.system), ("displayName", &display)], vec![]))
}

fn id_el(name: &str, id: &str) -> Node {
    Node::Element(split_id(id).to_element(name))
}

/// `root:extension` back to an instance id.
pub fn split_id(id: &str) -> InstanceId {
    match id.split_once(':') {
        Some((r, x)) => InstanceId { root: r.to_string(), extension: Some(x.to_string()) },
        None => InstanceId { root: id.to_string(), extension: None },
    }
}

/// The metadata of a stored document.
pub fn metadata_element(d: &StoredDocument, codes: &CodeSets) -> Element {
    let m = &d.metadata;
    let mut c = vec![id_el("id", &d.id), id_el("setId", d.set_id())];
    c.push(Node::Element(el("versionNumber", &[("value", &d.version().to_string())], vec![])));
    let status = match (&d.invalidation, d.status) {
        (Some(_), _) => "nullified",
        (None, VersionStatus::Current) => "active",
        (None, VersionStatus::Replaced) => "obsolete",
    };
    c.push(Node::Element(el("statusCode", &[("code", status)], vec![])));
    c.push(Node::Element(el("kind", &[("code", d.kind.rules_column())], vec![Node::Text(d.kind.finnish().into())])));
    if let Some(t) = &m.title {
        c.push(Node::Element(el("title", &[], vec![Node::Text(t.clone())])));
    }
    if let Some(t) = m.effective_time {
        c.push(Node::Element(el("effectiveTime", &[("value", &hl7_ts(t))], vec![])));
    }
    if let Some(cl) = &m.client {
        c.push(Node::Element(el("client", &[("root", &cl.root), ("extension", &cl.extension)], vec![])));
    }
    if let Some(ctrl) = &m.controller {
        c.push(id_el("controller", ctrl));
    }
    for (name, code) in [
        ("documentGroup", &m.document_group),
        ("documentType", &m.document_type),
        ("serviceTask", &m.service_task),
        ("processPhase", &m.process_phase),
        ("confidentialityCode", &m.confidentiality),
    ] {
        if let Some(code) = code {
            c.push(code_el(name, code, codes));
        }
    }
    for s in &m.social_services {
        c.push(code_el("socialService", s, codes));
    }
    if let Some(g) = &m.general_type {
        c.push(Node::Element(el("generalDocumentType", &[("code", g)], vec![])));
    }
    if let Some(model) = m.model {
        c.push(Node::Element(el("documentModel", &[("code", model.code())], vec![])));
    }
    for (name, v) in [
        ("caseId", &m.case_id),
        ("organiser", &m.organiser),
        ("producer", &m.producer),
        ("provider", &m.provider),
        ("serviceUnit", &m.service_unit),
        ("operatingUnit", &m.operating_unit),
    ] {
        if let Some(v) = v {
            c.push(id_el(name, v));
        }
    }
    for a in &m.authors {
        c.push(Node::Element(a.id.to_element("author")));
    }
    if let Some(r) = &d.replaced_by {
        c.push(id_el("replacedBy", r));
    }
    if let Some(inv) = &d.invalidation {
        c.push(Node::Element(el("invalidation", &[("time", &hl7_ts(inv.at))], vec![Node::Text(inv.reason.clone())])));
    }
    el("documentMetadata", &[], c)
}

/// The stored document packaged as it was received (parts possibly masked).
pub fn document_element(d: &StoredDocument, parts: &[Part]) -> Element {
    let r = DocumentRef {
        id: split_id(&d.id),
        document_group: d.metadata.document_group.as_ref().map(|c| c.code.clone()),
        set_id: Some(split_id(d.set_id())),
        version: Some(d.version()),
        invalidation_reason: None,
    };
    compose::clinical_document(&r, parts)
}

/// The client's declarations in force (query_declarations).
pub fn declarations_element(d: &super::law::Declarations, client: &str) -> Element {
    let list = |name: &str, items: &[String]| {
        Node::Element(el(
            name,
            &[("count", &items.len().to_string())],
            items.iter().map(|i| Node::Element(el("value", &[("code", i)], vec![]))).collect(),
        ))
    };
    let consent = match d.consent {
        Some(true) => "true",
        Some(false) => "false",
        None => "none",
    };
    el(
        "declarations",
        &[("client", client)],
        vec![
            Node::Element(el("kantaInformation", &[("given", if d.informed { "true" } else { "false" })], vec![])),
            Node::Element(el("consent", &[("value", consent)], vec![])),
            list("prohibitedControllers", &d.prohibited_controllers),
            list("prohibitedServiceTasks", &d.prohibited_service_tasks),
            list("prohibitedDocuments", &d.prohibited_documents),
            list("documents", &d.documents),
        ],
    )
}
