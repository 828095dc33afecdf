//! Acknowledgements and query answers (SPEC §6.5, shapes are our choice):
//! `MCCI_IN000002FI01` with `acknowledgement typeCode` AA / AE / AR, the
//! request's id as `targetMessage` and one `acknowledgementDetail` per
//! finding (detail code, Finnish text, English display name, location); a
//! query's answer travels in the same message's `controlActProcess/subject`.
//! One writer (the archive's answers) and one reader (the connecting side:
//! `sha-simulator send`, the harness, tests).

use serde::{Deserialize, Serialize};

use super::frame::{FrameDocument, INTERACTION_ROOT};
use super::hl7::{attr_element, code_element, non_empty, parent_element, Code, InstanceId, Ns, Reading, HL7_NS};
use crate::acks::{AckKind, Detail, DetailCode};
use crate::xml::{Element, Node};

/// The acknowledgement type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AckType {
    /// Accepted.
    AA,
    /// Application error.
    AE,
    /// Rejected.
    AR,
}

impl AckType {
    /// The severest type the details call for (no errors → AA).
    pub fn from_details(details: &[Detail]) -> AckType {
        if details.iter().any(|d| d.kind == AckKind::AR || d.kind == AckKind::Fault) {
            AckType::AR
        } else if details.iter().any(|d| d.kind == AckKind::AE) {
            AckType::AE
        } else {
            AckType::AA
        }
    }

    /// As text.
    pub fn as_str(self) -> &'static str {
        match self {
            AckType::AA => "AA",
            AckType::AE => "AE",
            AckType::AR => "AR",
        }
    }

    /// From text.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "AA" | "CA" => Some(AckType::AA),
            "AE" | "CE" => Some(AckType::AE),
            "AR" | "CR" => Some(AckType::AR),
            _ => None,
        }
    }
}

/// One stored document as a query answer lists it (`documentMetadata`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentSummary {
    /// Document id.
    pub id: String,
    /// Set id.
    pub set_id: String,
    /// Version.
    pub version: u32,
    /// active, obsolete (replaced) or nullified (invalidated).
    pub status: String,
    /// Kind code and its Finnish name.
    pub kind: (String, String),
    /// Title, when the document has one.
    pub title: Option<String>,
    /// effectiveTime as HL7 TS.
    pub effective_time: Option<String>,
    /// Client id.
    pub client: Option<InstanceId>,
    /// Controller.
    pub controller: Option<String>,
    /// Coded metadata by element name (documentGroup, documentType, serviceTask, …).
    pub codes: Vec<(String, Code)>,
    /// Identifiers by element name (caseId, organiser, serviceUnit, …).
    pub ids: Vec<(String, String)>,
    /// Authors' ids.
    pub authors: Vec<InstanceId>,
    /// The version that replaced it.
    pub replaced_by: Option<String>,
    /// Invalidation time (TS) and reason.
    pub invalidation: Option<(String, String)>,
}

/// A counted list of summaries under a name (`queryResult`, kooste sections).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryList {
    /// Element name.
    pub name: String,
    /// The documents.
    pub items: Vec<DocumentSummary>,
    /// Total matching documents (may exceed `items` when paged).
    pub total: usize,
    /// Which page this is (1-based) and how many there are.
    pub page: Option<(usize, usize)>,
}

/// The client's declarations in force.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclarationsAnswer {
    /// Client key.
    pub client: String,
    /// Kanta information given.
    pub informed: bool,
    /// Newest consent: Some(yes/no), None when none.
    pub consent: Option<bool>,
    /// Prohibited controllers.
    pub prohibited_controllers: Vec<String>,
    /// Prohibited service tasks.
    pub prohibited_service_tasks: Vec<String>,
    /// Prohibited documents.
    pub prohibited_documents: Vec<String>,
    /// The declaration documents.
    pub documents: Vec<String>,
}

/// What a query answers. One per answer, so its size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer {
    /// A list of documents.
    List(SummaryList),
    /// One document with its package.
    Document {
        /// Its metadata.
        summary: DocumentSummary,
        /// The stored document as the wrapper carries it.
        document: FrameDocument,
    },
    /// The kooste: sections of documents.
    Kooste {
        /// Controller.
        controller: String,
        /// Client.
        client: String,
        /// Sections (clienthoods, cases, documents, declarations).
        sections: Vec<SummaryList>,
    },
    /// The client's declarations.
    Declarations(DeclarationsAnswer),
}

/// An acknowledgement (and for queries, the answer) to send back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    /// AA / AE / AR.
    pub type_code: AckType,
    /// The request's message id, when it could be read.
    pub target: Option<InstanceId>,
    /// The details.
    pub details: Vec<Detail>,
    /// A query's answer.
    pub answer: Option<Answer>,
}

impl Ack {
    /// An ack whose type follows from its details.
    pub fn from_details(target: Option<InstanceId>, details: Vec<Detail>) -> Self {
        Ack { type_code: AckType::from_details(&details), target, details, answer: None }
    }
}

/// The addressing of a response message.
#[derive(Debug, Clone)]
pub struct ResponseHeader<'a> {
    /// Response interaction id.
    pub interaction: &'a str,
    /// The response's own id.
    pub id: &'a InstanceId,
    /// creationTime (HL7 TS).
    pub creation_time: &'a str,
    /// The requester's device (receiver of the response), empty when unknown.
    pub to_device: &'a str,
    /// The archive's device (sender of the response).
    pub from_device: &'a str,
    /// Code system of the detail codes.
    pub code_system: &'a str,
    /// `processingCode`: the request's (D, P or T), echoed.
    pub processing_code: &'a str,
}

fn text(name: &str, t: &str) -> Element {
    let mut e = parent_element(HL7_NS, name, &[], vec![]);
    e.children.push(Node::Text(t.to_string()));
    e
}

fn write_summary(s: &DocumentSummary) -> Element {
    let mut c = vec![InstanceId::from_key(&s.id).to_element("id"), InstanceId::from_key(&s.set_id).to_element("setId")];
    c.push(attr_element(HL7_NS, "versionNumber", &[("value", &s.version.to_string())]));
    c.push(attr_element(HL7_NS, "statusCode", &[("code", &s.status)]));
    let mut kind = attr_element(HL7_NS, "kind", &[("code", &s.kind.0)]);
    kind.children.push(Node::Text(s.kind.1.clone()));
    c.push(kind);
    if let Some(t) = &s.title {
        c.push(text("title", t));
    }
    if let Some(t) = &s.effective_time {
        c.push(attr_element(HL7_NS, "effectiveTime", &[("value", t)]));
    }
    if let Some(cl) = &s.client {
        c.push(cl.to_element("client"));
    }
    if let Some(ctrl) = &s.controller {
        c.push(InstanceId::from_key(ctrl).to_element("controller"));
    }
    for (name, code) in &s.codes {
        c.push(code_element(HL7_NS, name, code, None));
    }
    for (name, id) in &s.ids {
        c.push(InstanceId::from_key(id).to_element(name));
    }
    for a in &s.authors {
        c.push(a.to_element("author"));
    }
    if let Some(r) = &s.replaced_by {
        c.push(InstanceId::from_key(r).to_element("replacedBy"));
    }
    if let Some((t, reason)) = &s.invalidation {
        let mut e = attr_element(HL7_NS, "invalidation", &[("time", t)]);
        e.children.push(Node::Text(reason.clone()));
        c.push(e);
    }
    parent_element(HL7_NS, "documentMetadata", &[], c)
}

fn write_list(l: &SummaryList) -> Element {
    let mut e = parent_element(HL7_NS, &l.name, &[], l.items.iter().map(write_summary).collect());
    e.attrs.push(("count".into(), l.items.len().to_string()));
    if l.total != l.items.len() || l.page.is_some() {
        e.attrs.push(("total".into(), l.total.to_string()));
    }
    if let Some((page, pages)) = l.page {
        e.attrs.push(("page".into(), page.to_string()));
        e.attrs.push(("pages".into(), pages.to_string()));
    }
    e
}

fn write_answer(a: &Answer) -> Element {
    match a {
        Answer::List(l) => write_list(l),
        Answer::Document { summary, document } => parent_element(
            HL7_NS,
            "documentResult",
            &[],
            vec![write_summary(summary), super::frame::write_document(document)],
        ),
        Answer::Kooste { controller, client, sections } => {
            let mut e = parent_element(HL7_NS, "kooste", &[], sections.iter().map(write_list).collect());
            e.attrs.push(("controller".into(), controller.clone()));
            e.attrs.push(("client".into(), client.clone()));
            e
        }
        Answer::Declarations(d) => {
            let list = |name: &str, items: &[String]| {
                let mut e = parent_element(
                    HL7_NS,
                    name,
                    &[],
                    items.iter().map(|i| attr_element(HL7_NS, "value", &[("code", i)])).collect(),
                );
                e.attrs.push(("count".into(), items.len().to_string()));
                e
            };
            let consent = match d.consent {
                Some(true) => "true",
                Some(false) => "false",
                None => "none",
            };
            parent_element(
                HL7_NS,
                "declarations",
                &[("client", &d.client)],
                vec![
                    attr_element(HL7_NS, "kantaInformation", &[("given", if d.informed { "true" } else { "false" })]),
                    attr_element(HL7_NS, "consent", &[("value", consent)]),
                    list("prohibitedControllers", &d.prohibited_controllers),
                    list("prohibitedServiceTasks", &d.prohibited_service_tasks),
                    list("prohibitedDocuments", &d.prohibited_documents),
                    list("documents", &d.documents),
                ],
            )
        }
    }
}

fn device(role: &str, type_code: &str, id: &str) -> Element {
    parent_element(
        HL7_NS,
        role,
        &[("typeCode", type_code)],
        vec![parent_element(
            HL7_NS,
            "device",
            &[("classCode", "DEV"), ("determinerCode", "INSTANCE")],
            vec![attr_element(HL7_NS, "id", &[("root", id)])],
        )],
    )
}

/// Writes the response message for `ack`.
pub fn write(ack: &Ack, h: &ResponseHeader<'_>) -> Element {
    let mut ack_children = Vec::new();
    if let Some(t) = &ack.target {
        ack_children.push(parent_element(HL7_NS, "targetMessage", &[], vec![t.to_element("id")]));
    }
    for d in &ack.details {
        let type_code = match d.kind {
            AckKind::W => "W",
            _ => "E",
        };
        let mut dc = vec![
            attr_element(
                HL7_NS,
                "code",
                &[("code", d.code.as_str()), ("codeSystem", h.code_system), ("displayName", &d.en)],
            ),
            text("text", &d.fi),
        ];
        if let Some(loc) = &d.location {
            dc.push(text("location", loc));
        }
        ack_children.push(parent_element(HL7_NS, "acknowledgementDetail", &[("typeCode", type_code)], dc));
    }
    let mut children = vec![
        h.id.to_element("id"),
        attr_element(HL7_NS, "creationTime", &[("value", h.creation_time)]),
        attr_element(HL7_NS, "versionCode", &[("code", "V3-2006")]),
        attr_element(HL7_NS, "interactionId", &[("root", INTERACTION_ROOT), ("extension", h.interaction)]),
        attr_element(HL7_NS, "processingCode", &[("code", h.processing_code)]),
        attr_element(HL7_NS, "processingModeCode", &[("code", "T")]),
        attr_element(HL7_NS, "acceptAckCode", &[("code", "NE")]),
        device("receiver", "RCV", h.to_device),
        device("sender", "SND", h.from_device),
        parent_element(HL7_NS, "acknowledgement", &[("typeCode", ack.type_code.as_str())], ack_children),
    ];
    if let Some(a) = &ack.answer {
        children.push(parent_element(
            HL7_NS,
            "controlActProcess",
            &[("classCode", "CACT"), ("moodCode", "EVN")],
            vec![parent_element(HL7_NS, "subject", &[("typeCode", "SUBJ")], vec![write_answer(a)])],
        ));
    }
    let mut root = parent_element(HL7_NS, h.interaction, &[], children);
    root.attrs.push(("ITSVersion".into(), "XML_1.0".into()));
    root
}

/// One detail as a reader sees it: the code string may be one this build does not know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadDetail {
    /// E or W.
    pub type_code: String,
    /// The detail code as sent.
    pub code: String,
    /// Its Finnish text.
    pub fi: String,
    /// Its English text (displayName).
    pub en: String,
    /// Location, when given.
    pub location: Option<String>,
}

/// An acknowledgement as a connecting system reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadAck {
    /// The response interaction.
    pub interaction: String,
    /// AA / AE / AR.
    pub type_code: AckType,
    /// The request it answers.
    pub target: Option<InstanceId>,
    /// Its details.
    pub details: Vec<ReadDetail>,
    /// The `controlActProcess/subject` payload, when there is one.
    #[serde(skip)]
    pub payload: Option<Element>,
}

/// Why a response is not a readable acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an HL7 acknowledgement: {0}")]
pub struct NotAnAck(pub String);

/// Reads an acknowledgement message.
pub fn read(root: &Element) -> Result<ReadAck, NotAnAck> {
    let mut r = Reading::default();
    let h = Ns::Hl7;
    let base = format!("/{}", root.name);
    let ack = r
        .one(root, h, "acknowledgement", &base)
        .ok_or_else(|| NotAnAck(format!("<{}> has no acknowledgement", root.name)))?;
    let type_code = ack
        .attr("typeCode")
        .and_then(AckType::parse)
        .ok_or_else(|| NotAnAck(format!("typeCode '{}'", ack.attr("typeCode").unwrap_or(""))))?;
    let target = ack.path(&["targetMessage", "id"]).and_then(InstanceId::from_element);
    let details = ack
        .children_named("acknowledgementDetail")
        .map(|d| {
            let code = d.child("code");
            ReadDetail {
                type_code: d.attr("typeCode").unwrap_or("E").to_string(),
                code: code.and_then(|c| c.attr("code")).unwrap_or_default().to_string(),
                en: code.and_then(|c| c.attr("displayName")).unwrap_or_default().to_string(),
                fi: d.child("text").map(|t| t.text()).unwrap_or_default(),
                location: d.child("location").and_then(|l| non_empty(&l.text())),
            }
        })
        .collect();
    let payload = root.path(&["controlActProcess", "subject"]).and_then(|s| s.elements().next().cloned());
    Ok(ReadAck { interaction: root.name.clone(), type_code, target, details, payload })
}

impl ReadDetail {
    /// The detail code, when this build knows it.
    pub fn known_code(&self) -> Option<DetailCode> {
        DetailCode::parse(&self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{parse, Limits};

    #[test]
    fn an_ack_is_read_back_with_its_details() {
        let ack = Ack::from_details(
            Some(InstanceId { root: "1.2.3".into(), extension: Some("m1".into()) }),
            vec![Detail::new(DetailCode::UnregisteredSystem, "CN=x").at("/x")],
        );
        assert_eq!(ack.type_code, AckType::AR);
        let id = InstanceId { root: "9.9".into(), extension: Some("r1".into()) };
        let h = ResponseHeader {
            interaction: "MCCI_IN000002FI01",
            id: &id,
            creation_time: "19700101000000+0000",
            to_device: "1.2.3.4",
            from_device: "1.2.246.556.18007.2",
            code_system: "2.25.1",
            processing_code: "D",
        };
        let e = parse(write(&ack, &h).to_xml().as_bytes(), Limits::default()).expect("xml");
        let back = read(&e).expect("ack");
        assert_eq!(back.type_code, AckType::AR);
        assert_eq!(back.target, ack.target);
        assert_eq!(back.details[0].code, "SHA-M003");
        assert_eq!(back.details[0].location.as_deref(), Some("/x"));
        assert!(back.details[0].fi.contains("CN=x") && back.details[0].en.contains("CN=x"));
    }

    #[test]
    fn an_answer_travels_in_the_subject() {
        let mut ack = Ack::from_details(None, vec![]);
        ack.answer = Some(Answer::List(SummaryList {
            name: "queryResult".into(),
            items: vec![DocumentSummary {
                id: "1.2.3".into(),
                set_id: "1.2.3".into(),
                version: 1,
                status: "active".into(),
                ..Default::default()
            }],
            total: 1,
            page: None,
        }));
        let id = InstanceId::root("9.9");
        let h = ResponseHeader {
            interaction: "QUQI_IN200002FI01",
            id: &id,
            creation_time: "x",
            to_device: "",
            from_device: "a",
            code_system: "b",
            processing_code: "P",
        };
        let back = read(&parse(write(&ack, &h).to_xml().as_bytes(), Limits::default()).expect("xml")).expect("ack");
        let p = back.payload.expect("payload");
        assert_eq!((p.name.as_str(), p.attr("count")), ("queryResult", Some("1")));
    }
}
