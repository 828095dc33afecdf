//! Composing request messages as a connecting system would: the HL7 V3
//! wrapper, the control act, and a CDA document packaged as a MIME multipart.
//!
//! Owns: the request side of the message formats in docs/messages.md. Used by
//! the harness's reference client, the load tool and the tests — the archive
//! itself only parses. Pure functions; no I/O.

use base64::Engine as _;
use time::OffsetDateTime;

pub mod cda;
pub mod content;
pub mod kit;

use crate::message::{el, hl7_ts, InstanceId, Interactions, HL7_NS};
use crate::transport::soap::{self, SoapVersion};
use crate::xml::{Element, Node};

/// One MIME part of a packaged document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Content-ID (without angle brackets).
    pub content_id: String,
    /// Media type, e.g. `text/xml`, `application/pdf`.
    pub media_type: String,
    /// The bytes (base64-encoded in the message).
    pub bytes: Vec<u8>,
    /// Declared size parameter (Content-Disposition size=), if any.
    pub declared_size: Option<u64>,
}

impl Part {
    /// A part with no declared size.
    pub fn new(content_id: impl Into<String>, media_type: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Part { content_id: content_id.into(), media_type: media_type.into(), bytes: bytes.into(), declared_size: None }
    }
}

/// The MIME boundary used by composed messages.
const BOUNDARY: &str = "sha-part-boundary-7f3a";

/// Builds a `multipart/related` MIME entity: the first part is the root (the CDA).
pub fn mime_multipart(parts: &[Part]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let start = parts.first().map(|p| p.content_id.as_str()).unwrap_or("");
    let mut s = format!(
        "MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"{BOUNDARY}\"; type=\"text/xml\"; start=\"<{start}>\"\r\n\r\n"
    );
    for p in parts {
        s.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Type: {}\r\nContent-Transfer-Encoding: base64\r\nContent-ID: <{}>\r\n",
            p.media_type, p.content_id
        ));
        if let Some(n) = p.declared_size {
            s.push_str(&format!("Content-Disposition: attachment; size={n}\r\n"));
        }
        s.push_str("\r\n");
        let enc = b64.encode(&p.bytes);
        for chunk in enc.as_bytes().chunks(76) {
            s.push_str(std::str::from_utf8(chunk).unwrap_or_default());
            s.push_str("\r\n");
        }
    }
    s.push_str(&format!("--{BOUNDARY}--\r\n"));
    s
}

/// The wrapper's `clinicalDocument`: id, document group, set id, version and the packaged parts.
pub fn clinical_document(doc: &DocumentRef, parts: &[Part]) -> Element {
    let mut children = vec![Node::Element(doc.id.to_element("id"))];
    if let Some(group) = &doc.document_group {
        children.push(Node::Element(el("code", &[("code", group), ("codeSystem", "1.2.246.537.6.1505")], vec![])));
    }
    if let Some(set) = &doc.set_id {
        children.push(Node::Element(set.to_element("setId")));
    }
    if let Some(v) = doc.version {
        children.push(Node::Element(el("versionNumber", &[("value", &v.to_string())], vec![])));
    }
    if !parts.is_empty() {
        children.push(Node::Element(el(
            "text",
            &[("mediaType", "multipart/related")],
            vec![Node::Text(mime_multipart(parts))],
        )));
    }
    if let Some(reason) = &doc.invalidation_reason {
        children.push(Node::Element(el("statusCode", &[("code", "nullified")], vec![])));
        children.push(Node::Element(el(
            "subjectOf",
            &[],
            vec![Node::Element(el(
                "annotation",
                &[],
                vec![Node::Element(el("text", &[], vec![Node::Text(reason.clone())]))],
            ))],
        )));
    }
    el("clinicalDocument", &[("classCode", "DOCCLIN"), ("moodCode", "EVN")], children)
}

/// What the wrapper says about the document it carries.
#[derive(Debug, Clone, Default)]
pub struct DocumentRef {
    /// Document id.
    pub id: InstanceId,
    /// Document group code (1.2.246.537.6.1505).
    pub document_group: Option<String>,
    /// Set id.
    pub set_id: Option<InstanceId>,
    /// Version number.
    pub version: Option<u32>,
    /// For invalidation: the reason.
    pub invalidation_reason: Option<String>,
}

/// A request under construction.
#[derive(Debug, Clone)]
pub struct RequestBuilder {
    interaction: String,
    message_id: InstanceId,
    sender_device: String,
    acting_organisation: Option<String>,
    creation_time: OffsetDateTime,
    reason_code: Option<String>,
    processing_code: String,
    subject: Vec<Element>,
    query: Option<Element>,
}

impl RequestBuilder {
    /// A request for `interaction` from the system with device id `sender_device`.
    pub fn new(interaction: &str, sender_device: &str, now: OffsetDateTime) -> Self {
        RequestBuilder {
            interaction: interaction.to_string(),
            message_id: InstanceId {
                root: sender_device.to_string(),
                extension: Some(uuid::Uuid::new_v4().to_string()),
            },
            sender_device: sender_device.to_string(),
            acting_organisation: None,
            creation_time: now,
            reason_code: Some("PP1".to_string()),
            processing_code: "P".to_string(),
            subject: vec![],
            query: None,
        }
    }

    /// Sets the message id.
    pub fn message_id(mut self, id: InstanceId) -> Self {
        self.message_id = id;
        self
    }

    /// The organisation acting (controlActProcess/authorOrPerformer).
    pub fn acting_organisation(mut self, oid: &str) -> Self {
        self.acting_organisation = Some(oid.to_string());
        self
    }

    /// Adds a subject payload element (e.g. a clinicalDocument).
    pub fn subject(mut self, e: Element) -> Self {
        self.subject.push(e);
        self
    }

    /// Sets the query (queryByParameter).
    pub fn query(mut self, q: Element) -> Self {
        self.query = Some(q);
        self
    }

    /// The message id this request will carry.
    pub fn id(&self) -> &InstanceId {
        &self.message_id
    }

    /// Builds the HL7 message element.
    pub fn build(&self) -> Element {
        let table = Interactions::builtin();
        let mut cap = vec![Node::Element(el(
            "code",
            &[("code", &self.interaction), ("codeSystem", "2.16.840.1.113883.1.18")],
            vec![],
        ))];
        if let Some(r) = &self.reason_code {
            cap.push(Node::Element(el(
                "reasonCode",
                &[("code", r), ("codeSystem", "1.2.246.537.5.40157.2008")],
                vec![],
            )));
        }
        if let Some(org) = &self.acting_organisation {
            cap.push(Node::Element(el(
                "authorOrPerformer",
                &[("typeCode", "AUT")],
                vec![Node::Element(el(
                    "assignedPerson",
                    &[("classCode", "ASSIGNED")],
                    vec![Node::Element(el(
                        "representedOrganization",
                        &[("classCode", "ORG"), ("determinerCode", "INSTANCE")],
                        vec![Node::Element(el("id", &[("root", org)], vec![]))],
                    ))],
                ))],
            )));
        }
        for s in &self.subject {
            cap.push(Node::Element(el("subject", &[("typeCode", "SUBJ")], vec![Node::Element(s.clone())])));
        }
        if let Some(q) = &self.query {
            cap.push(Node::Element(q.clone()));
        }
        let device = |role: &str, tc: &str, id: &str| {
            Node::Element(el(
                role,
                &[("typeCode", tc)],
                vec![Node::Element(el(
                    "device",
                    &[("classCode", "DEV"), ("determinerCode", "INSTANCE")],
                    vec![Node::Element(el("id", &[("root", id)], vec![]))],
                ))],
            ))
        };
        let children = vec![
            Node::Element(self.message_id.to_element("id")),
            Node::Element(el("creationTime", &[("value", &hl7_ts(self.creation_time))], vec![])),
            Node::Element(el("versionCode", &[("code", "V3-2006")], vec![])),
            Node::Element(el(
                "interactionId",
                &[("root", "2.16.840.1.113883.1.6"), ("extension", &self.interaction)],
                vec![],
            )),
            Node::Element(el("profileId", &[("root", "1.2.246.777.11.2009.11")], vec![])),
            Node::Element(el("processingCode", &[("code", &self.processing_code)], vec![])),
            Node::Element(el("processingModeCode", &[("code", "T")], vec![])),
            Node::Element(el("acceptAckCode", &[("code", "AL")], vec![])),
            device("receiver", "RCV", &table.archive_device),
            device("sender", "SND", &self.sender_device),
            Node::Element(el("controlActProcess", &[("classCode", "CACT"), ("moodCode", "RQO")], cap)),
        ];
        Element {
            ns: HL7_NS.into(),
            name: self.interaction.clone(),
            attrs: vec![("ITSVersion".into(), "XML_1.0".into())],
            children,
        }
    }

    /// Builds the SOAP envelope text.
    pub fn soap(&self, version: SoapVersion) -> String {
        soap::envelope(version, &self.build())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::parse_request;

    #[test]
    fn built_request_passes_the_wrapper_parser() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let doc = DocumentRef {
            id: InstanceId { root: "1.2.3.4".into(), extension: None },
            document_group: Some("1".into()),
            ..Default::default()
        };
        let b = RequestBuilder::new("RCMR_IN100002FI01", "1.2.246.10.99990001.11.1", now)
            .acting_organisation("1.2.246.10.99990001.10.0")
            .subject(clinical_document(&doc, &[Part::new("1.2.3.4", "text/xml", b"<x/>".to_vec())]));
        let e = crate::xml::parse(b.soap(SoapVersion::V11).as_bytes(), Default::default()).expect("xml");
        let msg = crate::transport::soap::body_message(e, SoapVersion::V11).expect("soap");
        let r = parse_request(&msg, Interactions::builtin()).expect("wrapper");
        assert_eq!(&r.message_id, b.id());
    }

    #[test]
    fn multipart_carries_base64_parts_with_content_ids() {
        let m = mime_multipart(&[
            Part::new("a", "text/xml", b"<x/>".to_vec()),
            Part::new("b", "application/pdf", b"%PDF".to_vec()),
        ]);
        assert!(m.contains("Content-ID: <a>") && m.contains("Content-ID: <b>"));
        assert!(m.contains("PHgvPg==")); // "<x/>"
    }
}

/// Builds `queryByParameter/parameterList` for the query interactions (docs/messages.md).
#[derive(Debug, Clone, Default)]
pub struct QueryBuilder {
    params: Vec<Element>,
}

impl QueryBuilder {
    /// An empty parameter list.
    pub fn new() -> Self {
        Self::default()
    }

    fn param(mut self, name: &str, value: Element) -> Self {
        self.params.push(el(name, &[], vec![Node::Element(value)]));
        self
    }

    /// The client by hetu.
    pub fn client(self, hetu: &str) -> Self {
        self.param("client", el("value", &[("root", crate::hetu::HETU_ROOT), ("extension", hetu)], vec![]))
    }

    /// The client by any id.
    pub fn client_id(self, root: &str, extension: &str) -> Self {
        self.param("client", el("value", &[("root", root), ("extension", extension)], vec![]))
    }

    /// The querying controller (defaults to the acting organisation).
    pub fn controller(self, oid: &str) -> Self {
        self.param("controller", el("value", &[("root", oid)], vec![]))
    }

    /// Creation time range.
    pub fn time_range(self, low: Option<OffsetDateTime>, high: Option<OffsetDateTime>) -> Self {
        let mut c = Vec::new();
        if let Some(l) = low {
            c.push(Node::Element(el("low", &[("value", &hl7_ts(l))], vec![])));
        }
        if let Some(h) = high {
            c.push(Node::Element(el("high", &[("value", &hl7_ts(h))], vec![])));
        }
        self.param("timeRange", el("value", &[], c))
    }

    /// A coded parameter: serviceTask, documentType, documentGroup, processPhase, documentModel.
    pub fn code(self, name: &str, code: &str) -> Self {
        self.param(name, el("value", &[("code", code)], vec![]))
    }

    /// An id parameter: caseId, documentId.
    pub fn id(self, name: &str, id: &str) -> Self {
        let i = crate::archive::render::split_id(id);
        self.param(name, i.to_element("value"))
    }

    /// A boolean parameter: includeInvalidated, includeOldVersions.
    pub fn flag(self, name: &str, on: bool) -> Self {
        self.param(name, el("value", &[("value", if on { "true" } else { "false" })], vec![]))
    }

    /// The `queryByParameter` element.
    pub fn build(&self) -> Element {
        let list = el("parameterList", &[], self.params.iter().cloned().map(Node::Element).collect());
        el(
            "queryByParameter",
            &[],
            vec![
                Node::Element(
                    InstanceId { root: "2.25".into(), extension: Some(uuid::Uuid::new_v4().to_string()) }
                        .to_element("queryId"),
                ),
                Node::Element(el("statusCode", &[("code", "new")], vec![])),
                Node::Element(list),
            ],
        )
    }
}

/// An invalidation request's subject.
pub fn invalidation(id: &str, group: &str, reason: &str) -> Element {
    let r = DocumentRef {
        id: crate::archive::render::split_id(id),
        document_group: Some(group.to_string()),
        set_id: None,
        version: None,
        invalidation_reason: Some(reason.to_string()),
    };
    clinical_document(&r, &[])
}
