//! The HL7 V3 transmission wrapper (siirtokehys) of SHA messages — the
//! `RCMR_IN200002FI01` family (SPEC §6.2) and the simulator's query
//! interactions (§6.6, choice) — as a typed [`Frame`] with one reader and one
//! writer: transmission header, control act with its reason codes (service
//! request and use situation), the acting professional and organisation, the
//! `subject/clinicalDocument` that repeats the document's header and carries
//! the MIME package, and for queries the parameter list.
//!
//! Reading keeps values as sent and reports only elements that occur twice
//! where once is allowed; what a value means is the command reader's job
//! (`crate::command`).

use serde::{Deserialize, Serialize};

use super::cda::{ClinicalDocument, Organisation};
use super::hl7::{
    attr_element, code_element, non_empty, null_element, parent_element, read_code, Code, InstanceId, Ns, PersonName,
    Reading, HL7_NS,
};
use crate::acks::{Detail, DetailCode};
use crate::xml::{Element, Node};

/// Interaction id code system.
pub const INTERACTION_ROOT: &str = "2.16.840.1.113883.1.6";
/// The control act's trigger-event code system.
pub const TRIGGER_EVENT_SYSTEM: &str = "2.16.840.1.113883.1.18";
/// The archive service request code system (palvelupyyntö).
pub const SERVICE_REQUEST_SYSTEM: &str = "1.2.246.537.6.1503";
/// The archive use situation code system (käyttötilanne).
pub const USE_SITUATION_SYSTEM: &str = "1.2.246.537.6.1289";

/// Whether code system `given` is `base`, written with or without a version
/// suffix (`X` and `X.201601` are one code system; SPEC §6.3). A version is
/// a year or year and month (`2006`, `201601`), which no child arc used in
/// these code systems looks like.
pub fn same_system(given: &str, base: &str) -> bool {
    let given = given.trim().trim_start_matches("urn:oid:");
    given == base
        || given.strip_prefix(base).and_then(|r| r.strip_prefix('.')).is_some_and(|v| {
            (v.len() == 4 || v.len() == 6)
                && v.bytes().all(|b| b.is_ascii_digit())
                && (v.starts_with("19") || v.starts_with("20"))
        })
}

/// The acting person and organisation (`controlActProcess/authorOrPerformer`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Performer {
    /// `typeCode`: AUT or PRF (both seen).
    pub type_code: Option<String>,
    /// The professional's id (seen: hetu under 1.2.246.21).
    pub person: Option<InstanceId>,
    /// The professional's name.
    pub name: Option<PersonName>,
    /// The organisation they act for: the controller or one of its service units.
    pub organisation: Option<Organisation>,
}

/// What the wrapper's `clinicalDocument/text` holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum FrameText {
    /// No `text` element.
    #[default]
    Absent,
    /// A MIME package (as text).
    Mime(String),
    /// Something else — e.g. the placeholder element a frame sent to the
    /// validation service carries in place of its document.
    Placeholder,
}

/// The patient as the wrapper repeats it (`recordTarget/patient`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FramePatient {
    /// Client id.
    pub id: Option<InstanceId>,
    /// Name.
    pub name: Option<PersonName>,
    /// Gender.
    pub gender: Option<Code>,
    /// Birth time as sent.
    pub birth_time: Option<String>,
}

/// The wrapper's `subject/clinicalDocument`: the document's header repeated, and its package.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameDocument {
    /// Document id (must equal the CDA's).
    pub id: Option<InstanceId>,
    /// `code`: the register (1.2.246.537.6.1264), not the document group.
    pub code: Option<Code>,
    /// The package.
    pub text: FrameText,
    /// `statusCode` (COMPLETED; `nullified` in an invalidation, choice).
    pub status_code: Option<String>,
    /// `effectiveTime` as sent.
    pub effective_time: Option<String>,
    /// `confidentialityCode`.
    pub confidentiality: Option<Code>,
    /// `languageCode`.
    pub language: Option<String>,
    /// `setId`.
    pub set_id: Option<InstanceId>,
    /// `versionNumber/@value` as sent.
    pub version_number: Option<String>,
    /// `completionCode` (LA).
    pub completion_code: Option<Code>,
    /// `storageCode` (AC).
    pub storage_code: Option<Code>,
    /// The client.
    pub patient: Option<FramePatient>,
    /// `author/assignedAuthor`: id and name.
    pub author: Option<(Option<InstanceId>, Option<PersonName>)>,
    /// `custodian/assignedCustodian/representedOrganization`.
    pub custodian: Option<Organisation>,
    /// `subjectOf/annotation/text`: why a document is invalidated (choice, docs/messages.md).
    pub invalidation_reason: Option<String>,
}

/// A query's parameters (`queryByParameter/parameterList`; names are our choice, docs/messages.md).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryParameters {
    /// `queryId`.
    pub query_id: Option<InstanceId>,
    /// `controller`: whose register is queried (default: the acting organisation's controller).
    pub controller: Option<String>,
    /// `client`.
    pub client: Option<InstanceId>,
    /// `timeRange/low` as sent.
    pub from: Option<String>,
    /// `timeRange/high` as sent.
    pub to: Option<String>,
    /// `serviceTask` code.
    pub service_task: Option<String>,
    /// `documentType` code.
    pub document_type: Option<String>,
    /// `documentGroup` code.
    pub document_group: Option<String>,
    /// `processPhase` code.
    pub process_phase: Option<String>,
    /// `documentKind`: asiakkuus, asia, vaihe1, vaihe2, rakenteinen, vanha (choice).
    pub document_kind: Option<String>,
    /// `caseId`.
    pub case_id: Option<InstanceId>,
    /// `documentId` (fetch).
    pub document_id: Option<InstanceId>,
    /// `includeInvalidated`.
    pub include_invalidated: bool,
    /// `includeOldVersions`.
    pub include_old_versions: bool,
    /// `disclosure`: a disclosure query (luovutushaku).
    pub disclosure: bool,
    /// `statutoryRight/value/@code`: claimed statutory right to information (empty when sent without a code).
    pub statutory_right: Option<String>,
    /// `page` (1-based).
    pub page: Option<String>,
}

/// The control act.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlAct {
    /// `code` (RCMR_TE000102UV01, or none: both seen).
    pub code: Option<Code>,
    /// `priorityCode`.
    pub priority: Option<String>,
    /// Every `reasonCode`: the service request and the use situation (told apart by code system).
    pub reasons: Vec<Code>,
    /// `authorOrPerformer`.
    pub performer: Option<Performer>,
    /// `subject/clinicalDocument`.
    pub subject: Option<FrameDocument>,
    /// `queryByParameter`.
    pub query: Option<QueryParameters>,
}

impl ControlAct {
    /// The service request (palvelupyyntö) reason code.
    pub fn service_request(&self) -> Option<&Code> {
        self.reasons.iter().find(|c| same_system(&c.system, SERVICE_REQUEST_SYSTEM))
    }

    /// The use situation (käyttötilanne) reason code.
    pub fn use_situation(&self) -> Option<&Code> {
        self.reasons.iter().find(|c| same_system(&c.system, USE_SITUATION_SYSTEM))
    }
}

/// An HL7 V3 message wrapper.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    /// The root element's local name (the interaction).
    pub interaction: String,
    /// The root element's namespace.
    pub namespace: String,
    /// `ITSVersion`.
    pub its_version: Option<String>,
    /// Message id.
    pub id: Option<InstanceId>,
    /// `creationTime` as sent.
    pub creation_time: Option<String>,
    /// `versionCode` (optional: seen in one of two real frames).
    pub version_code: Option<String>,
    /// `interactionId`.
    pub interaction_id: Option<InstanceId>,
    /// `processingCode` (D, P, T).
    pub processing_code: Option<String>,
    /// `processingModeCode` (T).
    pub processing_mode: Option<String>,
    /// `acceptAckCode` (ER).
    pub accept_ack: Option<String>,
    /// `receiver/device/id/@root`: the archive.
    pub receiver: Option<String>,
    /// `sender/device/id/@root`: the sending organisation or system.
    pub sender: Option<String>,
    /// The control act.
    pub control_act: Option<ControlAct>,
}

fn read_frame_document(r: &mut Reading, cd: &Element, base: &str) -> FrameDocument {
    let h = Ns::Hl7;
    let text = match r.one(cd, h, "text", base) {
        None => FrameText::Absent,
        Some(t) if t.elements().next().is_some() => FrameText::Placeholder,
        Some(t) => {
            let s: String = t
                .children
                .iter()
                .filter_map(|n| match n {
                    Node::Text(s) => Some(s.as_str()),
                    Node::Element(_) => None,
                })
                .collect();
            if s.trim().is_empty() {
                FrameText::Placeholder
            } else {
                FrameText::Mime(s)
            }
        }
    };
    let mut d = FrameDocument {
        id: r.id_of(cd, h, "id", base),
        code: r.code_of(cd, h, "code", base),
        text,
        status_code: r.attr_of(cd, h, "statusCode", "code", base),
        effective_time: r.attr_of(cd, h, "effectiveTime", "value", base),
        confidentiality: r.code_of(cd, h, "confidentialityCode", base),
        language: r.attr_of(cd, h, "languageCode", "code", base),
        set_id: r.id_of(cd, h, "setId", base),
        version_number: r.attr_of(cd, h, "versionNumber", "value", base),
        completion_code: r.code_of(cd, h, "completionCode", base),
        storage_code: r.code_of(cd, h, "storageCode", base),
        ..Default::default()
    };
    if let Some(p) = r.path(cd, h, &["recordTarget", "patient"], base) {
        let here = format!("{base}/recordTarget/patient");
        let person = r.one(p, h, "patientPerson", &here);
        let pp = format!("{here}/patientPerson");
        d.patient = Some(FramePatient {
            id: r.id_of(p, h, "id", &here),
            name: person.and_then(|x| r.one(x, h, "name", &pp)).map(PersonName::read),
            gender: person.and_then(|x| r.code_of(x, h, "administrativeGenderCode", &pp)),
            birth_time: person.and_then(|x| r.attr_of(x, h, "birthTime", "value", &pp)),
        });
    }
    if let Some(aa) = r.path(cd, h, &["author", "assignedAuthor"], base) {
        let here = format!("{base}/author/assignedAuthor");
        d.author = Some((
            r.id_of(aa, h, "id", &here),
            r.path(aa, h, &["assignedPerson", "name"], &here).map(PersonName::read),
        ));
    }
    if let Some(org) = r.path(cd, h, &["custodian", "assignedCustodian", "representedOrganization"], base) {
        let here = format!("{base}/custodian/assignedCustodian/representedOrganization");
        d.custodian = Some(Organisation { id: r.id_of(org, h, "id", &here), name: r.text_of(org, h, "name", &here) });
    }
    d.invalidation_reason =
        r.path(cd, h, &["subjectOf", "annotation", "text"], base).and_then(|t| non_empty(&t.text()));
    d
}

fn read_query(r: &mut Reading, q: &Element, base: &str) -> QueryParameters {
    let h = Ns::Hl7;
    let mut p = QueryParameters { query_id: r.id_of(q, h, "queryId", base), ..Default::default() };
    let Some(list) = r.one(q, h, "parameterList", base) else { return p };
    let here = format!("{base}/parameterList");
    let mut value = |name: &str| -> Option<Element> {
        let param = r.one(list, h, name, &here)?;
        r.one(param, h, "value", &format!("{here}/{name}")).cloned()
    };
    p.controller = value("controller").and_then(|v| v.attr("root").and_then(non_empty));
    p.client = value("client").map(|v| InstanceId {
        root: v.attr("root").unwrap_or_default().trim().to_string(),
        extension: v.attr("extension").and_then(non_empty),
    });
    if let Some(v) = value("timeRange") {
        p.from = v.child("low").and_then(|e| e.attr("value")).and_then(non_empty);
        p.to = v.child("high").and_then(|e| e.attr("value")).and_then(non_empty);
    }
    let code = |v: Option<Element>| v.and_then(|v| v.attr("code").and_then(non_empty));
    p.service_task = code(value("serviceTask"));
    p.document_type = code(value("documentType"));
    p.document_group = code(value("documentGroup"));
    p.process_phase = code(value("processPhase"));
    p.document_kind = code(value("documentKind"));
    p.case_id = value("caseId").and_then(|v| InstanceId::from_element(&v));
    p.document_id = value("documentId").and_then(|v| InstanceId::from_element(&v));
    let flag = |v: Option<Element>| v.and_then(|v| v.attr("value").map(|s| s.trim() == "true")).unwrap_or(false);
    p.include_invalidated = flag(value("includeInvalidated"));
    p.include_old_versions = flag(value("includeOldVersions"));
    p.disclosure = flag(value("disclosure"));
    p.page = value("page").and_then(|v| v.attr("value").and_then(non_empty));
    if let Some(sr) = r.one(list, h, "statutoryRight", &here) {
        p.statutory_right = Some(sr.child("value").and_then(|v| v.attr("code")).unwrap_or_default().trim().to_string());
    }
    p
}

/// Reads a message wrapper. Findings name elements that occur twice where once is allowed.
pub fn read(root: &Element) -> (Frame, Vec<Detail>) {
    let mut r = Reading::default();
    let h = Ns::Hl7;
    let base = format!("/{}", root.name);
    let mut f = Frame {
        interaction: root.name.clone(),
        namespace: root.ns.clone(),
        its_version: root.attr("ITSVersion").and_then(non_empty),
        id: r.id_of(root, h, "id", &base),
        creation_time: r.attr_of(root, h, "creationTime", "value", &base),
        version_code: r.attr_of(root, h, "versionCode", "code", &base),
        interaction_id: r.one(root, h, "interactionId", &base).map(|e| InstanceId {
            root: e.attr("root").unwrap_or_default().trim().to_string(),
            extension: e.attr("extension").and_then(non_empty),
        }),
        processing_code: r.attr_of(root, h, "processingCode", "code", &base),
        processing_mode: r.attr_of(root, h, "processingModeCode", "code", &base),
        accept_ack: r.attr_of(root, h, "acceptAckCode", "code", &base),
        receiver: r
            .path(root, h, &["receiver", "device", "id"], &base)
            .and_then(|e| e.attr("root").and_then(non_empty)),
        sender: r.path(root, h, &["sender", "device", "id"], &base).and_then(|e| e.attr("root").and_then(non_empty)),
        control_act: None,
    };
    if let Some(cap) = r.one(root, h, "controlActProcess", &base) {
        let here = format!("{base}/controlActProcess");
        let mut ca = ControlAct {
            code: r.one(cap, h, "code", &here).and_then(|c| {
                read_code(c).or_else(|| {
                    Some(Code {
                        code: String::new(),
                        system: c.attr("codeSystem").unwrap_or_default().into(),
                        display: None,
                    })
                })
            }),
            priority: r.attr_of(cap, h, "priorityCode", "code", &here),
            reasons: Reading::all(cap, h, "reasonCode").filter_map(read_code).collect(),
            ..Default::default()
        };
        if let Some(ap) = r.one(cap, h, "authorOrPerformer", &here) {
            let aph = format!("{here}/authorOrPerformer");
            let person = r.one(ap, h, "assignedPerson", &aph);
            let ph = format!("{aph}/assignedPerson");
            let org = person.and_then(|p| r.one(p, h, "representedOrganization", &ph));
            let oh = format!("{ph}/representedOrganization");
            ca.performer = Some(Performer {
                type_code: ap.attr("typeCode").and_then(non_empty),
                person: person.and_then(|p| r.id_of(p, h, "id", &ph)),
                name: person.and_then(|p| r.path(p, h, &["assignedPerson", "name"], &ph)).map(PersonName::read),
                organisation: org
                    .map(|o| Organisation { id: r.id_of(o, h, "id", &oh), name: r.text_of(o, h, "name", &oh) }),
            });
        }
        if let Some(s) = r.one(cap, h, "subject", &here) {
            let sh = format!("{here}/subject");
            if let Some(cd) = r.one(s, h, "clinicalDocument", &sh) {
                ca.subject = Some(read_frame_document(&mut r, cd, &format!("{sh}/clinicalDocument")));
            }
        }
        if let Some(q) = r.one(cap, h, "queryByParameter", &here) {
            ca.query = Some(read_query(&mut r, q, &format!("{here}/queryByParameter")));
        }
        f.control_act = Some(ca);
    }
    (f, r.findings)
}

/// Reads a standalone `clinicalDocument` element (as a fetch answer carries it).
pub fn read_document_element(cd: &Element) -> (FrameDocument, Vec<Detail>) {
    let mut r = Reading::default();
    let d = read_frame_document(&mut r, cd, "/clinicalDocument");
    (d, r.findings)
}

/// Everything addressable in a message even when the rest of it is broken:
/// enough to send an acknowledgement back.
pub fn addressing(root: &Element) -> Addressing {
    let id = root.elements().find(|e| e.name == "id").and_then(InstanceId::from_element);
    let sender = root.path(&["sender", "device", "id"]).and_then(|e| e.attr("root")).and_then(non_empty);
    let processing_code = root
        .elements()
        .find(|e| e.name == "processingCode")
        .and_then(|e| e.attr("code"))
        .filter(|c| matches!(*c, "D" | "P" | "T"))
        .map(str::to_string);
    Addressing { id, sender, processing_code }
}

/// The message's name and addressing read from the first events of the raw bytes, without
/// building a tree: enough to answer a sender who may not send at all (an unregistered
/// certificate) at a cost that does not grow with what follows. Bounded to the first few
/// thousand events; anything it cannot read is simply absent.
pub fn peek_addressing(bytes: &[u8]) -> (Option<String>, Addressing) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut path: Vec<String> = Vec::new();
    let mut message: Option<(String, usize)> = None;
    let mut a = Addressing::default();
    let local = |n: &[u8]| {
        let n = std::str::from_utf8(n).unwrap_or("");
        n.rsplit(':').next().unwrap_or(n).to_string()
    };
    let attr = |e: &quick_xml::events::BytesStart<'_>, name: &str| {
        e.attributes()
            .with_checks(false)
            .take(16)
            .flatten()
            .find(|x| x.key.local_name().as_ref() == name.as_bytes())
            .and_then(|x| std::str::from_utf8(&x.value).ok().map(|v| v.to_string()))
    };
    for _ in 0..4096 {
        let ev = match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(ev) => ev,
        };
        let (e, empty) = match &ev {
            Event::Start(e) => (e.clone(), false),
            Event::Empty(e) => (e.clone(), true),
            Event::End(_) => {
                path.pop();
                continue;
            }
            _ => continue,
        };
        let name = local(e.name().as_ref());
        let depth = path.len();
        match &message {
            None if path.last().is_some_and(|p| p == "Body") || (depth == 0 && name != "Envelope") => {
                message = Some((name.clone(), depth));
            }
            Some((_, d)) if depth == d + 1 && name == "id" && a.id.is_none() => {
                a.id = attr(&e, "root").map(|root| InstanceId { root, extension: attr(&e, "extension") });
            }
            Some((_, d)) if depth == d + 3 && name == "id" && path[d + 1..].join("/") == "sender/device" => {
                a.sender = attr(&e, "root");
            }
            Some((_, d)) if depth == d + 1 && name == "processingCode" => {
                a.processing_code = attr(&e, "code").filter(|c| matches!(c.as_str(), "D" | "P" | "T"));
            }
            _ => {}
        }
        if !empty {
            path.push(name);
        }
        if a.id.is_some() && a.sender.is_some() && a.processing_code.is_some() {
            break;
        }
    }
    (message.map(|(n, _)| n), a)
}

/// What an answer needs from a request even when the request cannot be read further.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Addressing {
    /// The message id (`id`).
    pub id: Option<InstanceId>,
    /// The sender's device (`sender/device/id/@root`).
    pub sender: Option<String>,
    /// `processingCode` when it is one of D, P, T: the answer echoes it.
    pub processing_code: Option<String>,
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

fn write_org(name: &str, o: &Organisation) -> Element {
    let mut c = vec![match &o.id {
        Some(id) => id.to_element("id"),
        None => null_element(HL7_NS, "id"),
    }];
    if let Some(n) = &o.name {
        c.push(parent_element(HL7_NS, "name", &[], vec![]));
        if let Some(e) = c.last_mut() {
            e.children.push(Node::Text(n.clone()));
        }
    }
    parent_element(HL7_NS, name, &[], c)
}

/// Writes a wrapper `clinicalDocument` (also the form a fetched document is returned in).
pub fn write_document(d: &FrameDocument) -> Element {
    let mut c = vec![attr_element(HL7_NS, "realmCode", &[("code", "FI")])];
    c.push(attr_element(HL7_NS, "typeId", &[("extension", "POCD_HD000040"), ("root", "2.16.840.1.113883.1.3")]));
    if let Some(id) = &d.id {
        c.push(id.to_element("id"));
    }
    if let Some(code) = &d.code {
        c.push(code_element(HL7_NS, "code", code, Some("Sosiaalihuolto - Asiakirjan rekisteritunnus")));
    }
    match &d.text {
        FrameText::Absent => {}
        FrameText::Mime(m) => {
            let mut t = attr_element(HL7_NS, "text", &[("mediaType", "multipart/related")]);
            t.children.push(Node::Text(m.clone()));
            c.push(t);
        }
        FrameText::Placeholder => c.push(attr_element(HL7_NS, "text", &[("mediaType", "multipart/related")])),
    }
    if let Some(s) = &d.status_code {
        c.push(attr_element(HL7_NS, "statusCode", &[("code", s)]));
    }
    if let Some(t) = &d.effective_time {
        c.push(attr_element(HL7_NS, "effectiveTime", &[("value", t)]));
    }
    if let Some(cc) = &d.confidentiality {
        c.push(code_element(HL7_NS, "confidentialityCode", cc, None));
    }
    if let Some(l) = &d.language {
        c.push(attr_element(HL7_NS, "languageCode", &[("code", l)]));
    }
    if let Some(s) = &d.set_id {
        c.push(s.to_element("setId"));
    }
    if let Some(v) = &d.version_number {
        c.push(attr_element(HL7_NS, "versionNumber", &[("value", v)]));
    }
    if let Some(cc) = &d.completion_code {
        c.push(code_element(HL7_NS, "completionCode", cc, None));
    }
    if let Some(sc) = &d.storage_code {
        c.push(code_element(HL7_NS, "storageCode", sc, None));
    }
    if let Some(p) = &d.patient {
        let mut person = Vec::new();
        if let Some(n) = &p.name {
            person.push(n.write(HL7_NS));
        }
        if let Some(g) = &p.gender {
            person.push(code_element(HL7_NS, "administrativeGenderCode", g, None));
        }
        if let Some(b) = &p.birth_time {
            person.push(attr_element(HL7_NS, "birthTime", &[("value", b)]));
        }
        let mut pc = Vec::new();
        if let Some(id) = &p.id {
            pc.push(id.to_element("id"));
        }
        pc.push(attr_element(HL7_NS, "statusCode", &[("code", "normal")]));
        pc.push(parent_element(
            HL7_NS,
            "patientPerson",
            &[("classCode", "PSN"), ("determinerCode", "INSTANCE")],
            person,
        ));
        c.push(parent_element(
            HL7_NS,
            "recordTarget",
            &[("typeCode", "RCT")],
            vec![parent_element(HL7_NS, "patient", &[("classCode", "PAT")], pc)],
        ));
    }
    if let Some((id, name)) = &d.author {
        let mut aa = vec![match id {
            Some(id) => id.to_element("id"),
            None => null_element(HL7_NS, "id"),
        }];
        if let Some(n) = name {
            aa.push(parent_element(
                HL7_NS,
                "assignedPerson",
                &[("classCode", "PSN"), ("determinerCode", "INSTANCE")],
                vec![n.write(HL7_NS)],
            ));
        }
        c.push(parent_element(
            HL7_NS,
            "author",
            &[("typeCode", "AUT")],
            vec![
                null_element(HL7_NS, "time"),
                parent_element(HL7_NS, "assignedAuthor", &[("classCode", "ASSIGNED")], aa),
            ],
        ));
    }
    if let Some(o) = &d.custodian {
        c.push(parent_element(
            HL7_NS,
            "custodian",
            &[("typeCode", "CST")],
            vec![parent_element(
                HL7_NS,
                "assignedCustodian",
                &[("classCode", "ASSIGNED")],
                vec![write_org("representedOrganization", o)],
            )],
        ));
    }
    if let Some(reason) = &d.invalidation_reason {
        let mut t = parent_element(HL7_NS, "text", &[], vec![]);
        t.children.push(Node::Text(reason.clone()));
        c.push(parent_element(HL7_NS, "subjectOf", &[], vec![parent_element(HL7_NS, "annotation", &[], vec![t])]));
    }
    parent_element(HL7_NS, "clinicalDocument", &[("classCode", "DOCCLIN"), ("moodCode", "EVN")], c)
}

fn write_query(q: &QueryParameters) -> Element {
    let mut params = Vec::new();
    let mut param = |name: &str, value: Element| {
        params.push(parent_element(HL7_NS, name, &[], vec![Element { name: "value".into(), ..value }]));
    };
    if let Some(c) = &q.controller {
        param("controller", attr_element(HL7_NS, "value", &[("root", c)]));
    }
    if let Some(c) = &q.client {
        param("client", c.to_element("value"));
    }
    if q.from.is_some() || q.to.is_some() {
        let mut c = Vec::new();
        if let Some(l) = &q.from {
            c.push(attr_element(HL7_NS, "low", &[("value", l)]));
        }
        if let Some(h) = &q.to {
            c.push(attr_element(HL7_NS, "high", &[("value", h)]));
        }
        param("timeRange", parent_element(HL7_NS, "value", &[], c));
    }
    for (name, v) in [
        ("serviceTask", &q.service_task),
        ("documentType", &q.document_type),
        ("documentGroup", &q.document_group),
        ("processPhase", &q.process_phase),
        ("documentKind", &q.document_kind),
    ] {
        if let Some(v) = v {
            param(name, attr_element(HL7_NS, "value", &[("code", v)]));
        }
    }
    if let Some(c) = &q.case_id {
        param("caseId", c.to_element("value"));
    }
    if let Some(d) = &q.document_id {
        param("documentId", d.to_element("value"));
    }
    for (name, on) in [
        ("includeInvalidated", q.include_invalidated),
        ("includeOldVersions", q.include_old_versions),
        ("disclosure", q.disclosure),
    ] {
        if on {
            param(name, attr_element(HL7_NS, "value", &[("value", "true")]));
        }
    }
    if let Some(p) = &q.page {
        param("page", attr_element(HL7_NS, "value", &[("value", p)]));
    }
    if let Some(code) = &q.statutory_right {
        param("statutoryRight", attr_element(HL7_NS, "value", &[("code", code)]));
    }
    let mut c = Vec::new();
    if let Some(id) = &q.query_id {
        c.push(id.to_element("queryId"));
    }
    c.push(attr_element(HL7_NS, "statusCode", &[("code", "new")]));
    c.push(parent_element(HL7_NS, "parameterList", &[], params));
    parent_element(HL7_NS, "queryByParameter", &[], c)
}

/// Writes a message wrapper in the order and spelling of real messages.
pub fn write(f: &Frame) -> Element {
    let mut c = Vec::new();
    if let Some(id) = &f.id {
        c.push(id.to_element("id"));
    }
    if let Some(t) = &f.creation_time {
        c.push(attr_element(HL7_NS, "creationTime", &[("value", t)]));
    }
    if let Some(v) = &f.version_code {
        c.push(attr_element(HL7_NS, "versionCode", &[("code", v)]));
    }
    let iid = f
        .interaction_id
        .clone()
        .unwrap_or(InstanceId { root: INTERACTION_ROOT.into(), extension: Some(f.interaction.clone()) });
    c.push(iid.to_element("interactionId"));
    for (name, v) in [
        ("processingCode", &f.processing_code),
        ("processingModeCode", &f.processing_mode),
        ("acceptAckCode", &f.accept_ack),
    ] {
        if let Some(v) = v {
            c.push(attr_element(HL7_NS, name, &[("code", v)]));
        }
    }
    if let Some(r) = &f.receiver {
        c.push(device("receiver", "RCV", r));
    }
    if let Some(s) = &f.sender {
        c.push(device("sender", "SND", s));
    }
    if let Some(ca) = &f.control_act {
        let mut cap = Vec::new();
        match &ca.code {
            Some(code) if !code.code.is_empty() => cap.push(code_element(HL7_NS, "code", code, None)),
            Some(code) => cap.push(attr_element(HL7_NS, "code", &[("codeSystem", &code.system)])),
            None => {}
        }
        if let Some(p) = &ca.priority {
            cap.push(attr_element(HL7_NS, "priorityCode", &[("code", p)]));
        }
        for r in &ca.reasons {
            cap.push(code_element(HL7_NS, "reasonCode", r, None));
        }
        if let Some(p) = &ca.performer {
            let mut ap = Vec::new();
            if let Some(id) = &p.person {
                ap.push(id.to_element("id"));
            }
            if let Some(n) = &p.name {
                ap.push(parent_element(HL7_NS, "assignedPerson", &[], vec![n.write(HL7_NS)]));
            }
            if let Some(o) = &p.organisation {
                ap.push(write_org("representedOrganization", o));
            }
            let tc = p.type_code.as_deref().unwrap_or("AUT");
            cap.push(parent_element(
                HL7_NS,
                "authorOrPerformer",
                &[("typeCode", tc)],
                vec![parent_element(HL7_NS, "assignedPerson", &[], ap)],
            ));
        }
        if let Some(s) = &ca.subject {
            cap.push(parent_element(HL7_NS, "subject", &[], vec![write_document(s)]));
        }
        if let Some(q) = &ca.query {
            cap.push(write_query(q));
        }
        c.push(parent_element(HL7_NS, "controlActProcess", &[("classCode", "CACT"), ("moodCode", "EVN")], cap));
    }
    let mut root = parent_element(HL7_NS, &f.interaction, &[], c);
    root.attrs.push(("ITSVersion".into(), f.its_version.clone().unwrap_or_else(|| "XML_1.0".into())));
    root
}

impl FrameDocument {
    /// The wrapper's repeat of a document's header, as real frames carry it,
    /// with `text` holding the package.
    pub fn repeating(d: &ClinicalDocument, text: FrameText) -> Self {
        FrameDocument {
            id: d.id.clone(),
            code: d.local.as_ref().and_then(|l| l.registry_type.clone()),
            text,
            status_code: Some("COMPLETED".into()),
            effective_time: d.effective_time.clone(),
            confidentiality: d.confidentiality.clone(),
            language: d.language.clone(),
            set_id: d.set_id.clone(),
            version_number: d.version_number.clone(),
            completion_code: Some(Code {
                code: "LA".into(),
                system: "1.2.246.537.5.40115.2006".into(),
                display: Some("Legally authenticated".into()),
            }),
            storage_code: Some(Code {
                code: "AC".into(),
                system: "1.2.246.537.5.40116.2006".into(),
                display: Some("Active".into()),
            }),
            patient: d.record_target.as_ref().map(|rt| FramePatient {
                id: rt.id.clone(),
                name: rt.name.clone(),
                gender: rt.gender.clone(),
                birth_time: rt.birth_time.clone(),
            }),
            author: d.authors.first().map(|a| (a.id.clone(), a.name.clone())),
            custodian: d.custodian.clone(),
            invalidation_reason: None,
        }
    }
}

/// A finding for a wrapper value outside its allowed set.
pub fn wrapper_value(what: &str, value: &str, allowed: &[&str], loc: &str) -> Detail {
    Detail::new(DetailCode::WrapperValue, format!("{what} = '{value}' (allowed: {})", allowed.join(", "))).at(loc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{parse, Limits};

    fn sample() -> Frame {
        let code = |c: &str, s: &str| Code { code: c.into(), system: s.into(), display: None };
        Frame {
            interaction: "RCMR_IN200002FI01".into(),
            namespace: HL7_NS.into(),
            its_version: Some("XML_1.0".into()),
            id: Some(InstanceId { root: "1.2.246.10.99990010.10.0".into(), extension: Some("123".into()) }),
            creation_time: Some("20261120100000+0200".into()),
            version_code: None,
            interaction_id: Some(InstanceId {
                root: INTERACTION_ROOT.into(),
                extension: Some("RCMR_IN200002FI01".into()),
            }),
            processing_code: Some("D".into()),
            processing_mode: Some("T".into()),
            accept_ack: Some("ER".into()),
            receiver: Some("1.2.246.556.18007.2".into()),
            sender: Some("1.2.246.10.99990010.10.0".into()),
            control_act: Some(ControlAct {
                code: Some(code("RCMR_TE000102UV01", TRIGGER_EVENT_SYSTEM)),
                priority: Some("R".into()),
                reasons: vec![code("SP17", "1.2.246.537.6.1503.201601"), code("1", "1.2.246.537.6.1289.201901")],
                performer: Some(Performer {
                    type_code: Some("AUT".into()),
                    person: Some(InstanceId { root: "1.2.246.21".into(), extension: Some("010181-900C".into()) }),
                    name: Some(PersonName::new("Sosiaalityöntekijä", "Sanna")),
                    organisation: Some(Organisation {
                        id: Some(InstanceId::root("1.2.246.10.99990010.10.11")),
                        name: Some("Yksikkö".into()),
                    }),
                }),
                subject: Some(FrameDocument {
                    id: Some(InstanceId::root("1.2.3")),
                    code: Some(code("1", "1.2.246.537.6.1264.201701")),
                    text: FrameText::Mime("MIME-Version: 1.0\r\n".into()),
                    status_code: Some("COMPLETED".into()),
                    set_id: Some(InstanceId::root("1.2.3")),
                    version_number: Some("1".into()),
                    patient: Some(FramePatient {
                        id: Some(InstanceId { root: "1.2.246.21".into(), extension: Some("010181-900C".into()) }),
                        ..Default::default()
                    }),
                    custodian: Some(Organisation::oid("1.2.246.10.99990010.10.0")),
                    ..Default::default()
                }),
                query: None,
            }),
        }
    }

    #[test]
    fn writes_and_reads_back_the_same_frame() {
        let f = sample();
        let e = write(&f);
        let again = parse(e.to_xml().as_bytes(), Limits::default()).expect("well-formed");
        let (back, findings) = read(&again);
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(back, f);
        assert_eq!(back.control_act.as_ref().and_then(|c| c.service_request()).map(|c| c.code.as_str()), Some("SP17"));
        assert_eq!(back.control_act.as_ref().and_then(|c| c.use_situation()).map(|c| c.code.as_str()), Some("1"));
    }

    #[test]
    fn addressing_is_peeked_from_the_first_events_only() {
        let msg = br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header/><s:Body><RCMR_IN200002FI01 xmlns="urn:hl7-org:v3"><id root="1.2.3" extension="9"/><creationTime value="2026"/><processingCode code="D"/><receiver><device><id root="1.2.246.556.18007.2"/></device></receiver><sender><device><id root="1.2.246.10.1"/></device></sender><broken"#;
        let (name, a) = peek_addressing(msg);
        assert_eq!(name.as_deref(), Some("RCMR_IN200002FI01"));
        assert_eq!(a.id.map(|i| i.to_string()).as_deref(), Some("1.2.3:9"));
        assert_eq!((a.sender.as_deref(), a.processing_code.as_deref()), (Some("1.2.246.10.1"), Some("D")));
        assert_eq!(peek_addressing(b"\xff\xfe not xml").0, None);
    }

    #[test]
    fn a_query_round_trips() {
        let mut f = sample();
        if let Some(ca) = f.control_act.as_mut() {
            ca.subject = None;
            ca.query = Some(QueryParameters {
                query_id: Some(InstanceId { root: "2.25".into(), extension: Some("q1".into()) }),
                client: Some(InstanceId { root: "1.2.246.21".into(), extension: Some("010181-900C".into()) }),
                from: Some("20260101".into()),
                service_task: Some("24".into()),
                include_invalidated: true,
                statutory_right: Some("1".into()),
                ..Default::default()
            });
        }
        let (back, findings) = read(&parse(write(&f).to_xml().as_bytes(), Limits::default()).expect("xml"));
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(back, f);
    }

    #[test]
    fn versioned_and_plain_code_systems_are_one() {
        assert!(same_system("1.2.246.537.6.1503.201601", SERVICE_REQUEST_SYSTEM));
        assert!(same_system("1.2.246.537.6.1503", SERVICE_REQUEST_SYSTEM));
        assert!(same_system("urn:oid:1.2.246.537.6.1222.201601", "1.2.246.537.6.1222"));
        assert!(!same_system("1.2.246.537.6.15031", SERVICE_REQUEST_SYSTEM));
        assert!(!same_system("1.2.246.537.6.1506.15007", "1.2.246.537.6.1506"));
    }

    #[test]
    fn two_subjects_are_a_finding() {
        let x = br#"<RCMR_IN200002FI01 xmlns="urn:hl7-org:v3"><controlActProcess><subject><clinicalDocument><id root="1"/></clinicalDocument></subject><subject><clinicalDocument><id root="2"/></clinicalDocument></subject></controlActProcess></RCMR_IN200002FI01>"#;
        let (f, findings) = read(&parse(x, Limits::default()).expect("xml"));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].location.as_deref(), Some("/RCMR_IN200002FI01/controlActProcess/subject"));
        assert_eq!(f.control_act.and_then(|c| c.subject).and_then(|s| s.id).map(|i| i.root), Some("1".into()));
    }
}
