//! Stored documents as a query answer describes them: one typed
//! [`DocumentSummary`] per document (the wire writer turns it into
//! `documentMetadata`), and the stored package for fetches.

use super::law::Declarations;
use super::records::{sort_key, StoredDocument, VersionStatus};
use crate::codes::{Code, CodeSets};
use crate::wire::ack::{DeclarationsAnswer, DocumentSummary, SummaryList};
use crate::wire::frame::{FrameDocument, FrameText};
use crate::wire::hl7::{ts, InstanceId};
use crate::wire::mime::{self, Part};

fn with_display(c: &Code, codes: &CodeSets) -> Code {
    let display = c.display.clone().or_else(|| codes.name(&c.system, &c.code).map(str::to_string));
    Code { display, ..c.clone() }
}

/// The metadata of a stored document.
pub fn summary(d: &StoredDocument, codes: &CodeSets) -> DocumentSummary {
    let m = &d.metadata;
    let status = match (&d.invalidation, d.status) {
        (Some(_), _) => "nullified",
        (None, VersionStatus::Current) => "active",
        (None, VersionStatus::Replaced) => "obsolete",
    };
    let mut codes_out = Vec::new();
    for (name, code) in [
        ("documentGroup", &m.document_group),
        ("generalDocumentType", &m.general_type),
        ("documentType", &m.document_type),
        ("serviceTask", &m.service_task),
        ("processPhase", &m.process_phase),
        ("confidentialityCode", &m.confidentiality),
    ] {
        if let Some(code) = code {
            codes_out.push((name.to_string(), with_display(code, codes)));
        }
    }
    for s in &m.social_services {
        codes_out.push(("socialService".to_string(), with_display(s, codes)));
    }
    let mut ids = Vec::new();
    for (name, v) in [
        ("caseId", &m.case_id),
        ("organiser", &m.organiser),
        ("producer", &m.producer),
        ("provider", &m.provider),
        ("serviceUnit", &m.service_unit),
        ("operatingUnit", &m.operating_unit),
    ] {
        if let Some(v) = v {
            ids.push((name.to_string(), v.clone()));
        }
    }
    DocumentSummary {
        id: d.id.clone(),
        set_id: d.set_id().to_string(),
        version: d.version(),
        status: status.to_string(),
        kind: (d.kind.code().to_string(), d.kind.finnish().to_string()),
        title: m.title.clone(),
        effective_time: m.effective_time.map(ts),
        client: m.client.as_ref().map(|c| InstanceId { root: c.root.clone(), extension: Some(c.extension.clone()) }),
        controller: m.controller.clone(),
        codes: codes_out,
        ids,
        authors: m.authors.iter().map(|a| a.id.clone()).collect(),
        replaced_by: d.replaced_by.clone(),
        invalidation: d.invalidation.as_ref().map(|i| (ts(i.at), i.reason.clone())),
    }
}

/// A counted list of summaries.
pub fn list(name: &str, docs: &[StoredDocument], codes: &CodeSets) -> SummaryList {
    SummaryList {
        name: name.to_string(),
        items: docs.iter().map(|d| summary(d, codes)).collect(),
        total: docs.len(),
        page: None,
    }
}

/// The stored document packaged as it was received (parts possibly masked), in a wrapper document.
pub fn package(d: &StoredDocument, parts: &[Part]) -> FrameDocument {
    FrameDocument {
        id: Some(InstanceId::from_key(&d.id)),
        code: d.metadata.register.clone(),
        text: FrameText::Mime(mime::write(parts)),
        status_code: Some("COMPLETED".into()),
        effective_time: d.metadata.effective_time.map(ts),
        set_id: Some(InstanceId::from_key(d.set_id())),
        version_number: Some(d.version().to_string()),
        ..Default::default()
    }
}

/// The client's declarations in force.
pub fn declarations(d: &Declarations, client: &str) -> DeclarationsAnswer {
    DeclarationsAnswer {
        client: client.to_string(),
        informed: d.informed,
        consent: d.consent,
        prohibited_controllers: d.prohibited_controllers.clone(),
        prohibited_service_tasks: d.prohibited_service_tasks.clone(),
        prohibited_documents: d.prohibited_documents.clone(),
        documents: d.documents.clone(),
    }
}

/// A sortable key of a time (re-exported for the log).
pub fn time_key(t: time::OffsetDateTime) -> String {
    sort_key(t)
}
