//! Building CDA R2 documents with the Finnish local header, as a connecting
//! system would: [`DocumentSpec`] holds the metadata, [`DocumentSpec::package`]
//! gives the wrapper reference and the MIME parts (CDA first).

use time::OffsetDateTime;

use super::{DocumentRef, Part};
use crate::document::{DocumentKind, DocumentModel, HL7FI_NS};
use crate::hetu::HETU_ROOT;
use crate::message::{el, hl7_ts, InstanceId, HL7_NS};
use crate::xml::{Element, Node};

/// Everything a document's header says, plus its attachments.
#[derive(Debug, Clone)]
pub struct DocumentSpec {
    /// Document id (OID).
    pub id: String,
    /// Set id (defaults to the id of version 1).
    pub set_id: String,
    /// Version number.
    pub version: u32,
    /// Parent (id, set id, version) for a new version.
    pub replaces: Option<(String, String, u32)>,
    /// Kind.
    pub kind: DocumentKind,
    /// Declared model (also for clienthood/case/declarations).
    pub model: DocumentModel,
    /// Register code (1.2.246.537.6.1264).
    pub register: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Creation time.
    pub effective_time: Option<OffsetDateTime>,
    /// Confidentiality code (1.2.246.537.5.40153).
    pub confidentiality: Option<String>,
    /// Client id root (1.2.246.21 for hetu).
    pub client_root: String,
    /// Client id.
    pub client_id: Option<String>,
    /// Client family name.
    pub family_name: String,
    /// Client given names.
    pub given_names: String,
    /// Author (professional id root, extension, name).
    pub author: Option<(String, String, String)>,
    /// Controller OID.
    pub controller: Option<String>,
    /// Document group code; `None` leaves it out.
    pub group: Option<String>,
    /// Client document type code (1506).
    pub document_type: Option<String>,
    /// General type (Päätös, Arvio, …).
    pub general_type: Option<String>,
    /// Service task code (1221).
    pub service_task: Option<String>,
    /// Social service codes (1222).
    pub social_services: Vec<String>,
    /// Process phase code (1277).
    pub process_phase: Option<String>,
    /// Case id.
    pub case_id: Option<String>,
    /// Organiser OID.
    pub organiser: Option<String>,
    /// Producer OID.
    pub producer: Option<String>,
    /// Provider OID.
    pub provider: Option<String>,
    /// Service unit OID.
    pub service_unit: Option<String>,
    /// Operating unit OID.
    pub operating_unit: Option<String>,
    /// Period (start, end) for documentationOf/serviceEvent.
    pub period: Option<(OffsetDateTime, Option<OffsetDateTime>)>,
    /// Sosmeta structure template id.
    pub structure: Option<String>,
    /// Whether to include a system signature.
    pub signed: bool,
    /// Attachments referenced from the body (in order).
    pub parts: Vec<Part>,
    /// Extra parts in the package not referenced from the body.
    pub unreferenced_parts: Vec<Part>,
    /// Body references to parts not included (for broken samples).
    pub dangling_refs: Vec<(String, String)>,
    /// SHA-256 integrity check (base64) to declare on the first reference.
    pub integrity_check: Option<String>,
}

/// Code system OIDs used in headers.
mod cs {
    pub const REGISTER: &str = "1.2.246.537.6.1264";
    pub const CONFIDENTIALITY: &str = "1.2.246.537.5.40153";
    pub const GROUP: &str = "1.2.246.537.6.1505";
    pub const TYPE: &str = "1.2.246.537.6.1506";
    pub const TASK: &str = "1.2.246.537.6.1221";
    pub const SOCIAL: &str = "1.2.246.537.6.1222";
    pub const PHASE: &str = "1.2.246.537.6.1277";
    pub const STATUS: &str = "1.2.246.537.5.40154";
}

fn node(e: Element) -> Node {
    Node::Element(e)
}

fn fi(name: &str, attrs: &[(&str, &str)]) -> Node {
    node(Element {
        ns: HL7FI_NS.into(),
        name: name.into(),
        attrs: attrs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        children: vec![],
    })
}

fn split(id: &str) -> InstanceId {
    crate::archive::render::split_id(id)
}

impl DocumentSpec {
    /// A minimal spec of `kind`; fill in the rest with the fields.
    pub fn new(id: &str, kind: DocumentKind, model: DocumentModel) -> Self {
        DocumentSpec {
            id: id.to_string(),
            set_id: id.to_string(),
            version: 1,
            replaces: None,
            kind,
            model,
            register: Some("1".into()),
            title: None,
            effective_time: None,
            confidentiality: None,
            client_root: HETU_ROOT.to_string(),
            client_id: None,
            family_name: String::new(),
            given_names: String::new(),
            author: None,
            controller: None,
            group: Some(
                match kind {
                    DocumentKind::Asiakkuus => "1",
                    DocumentKind::Asia => "2",
                    DocumentKind::Consent => "8",
                    DocumentKind::Prohibition => "9",
                    DocumentKind::Informing => "10",
                    DocumentKind::Client(_) => "3",
                }
                .to_string(),
            ),
            document_type: None,
            general_type: None,
            service_task: None,
            social_services: vec![],
            process_phase: None,
            case_id: None,
            organiser: None,
            producer: None,
            provider: None,
            service_unit: None,
            operating_unit: None,
            period: None,
            structure: None,
            signed: false,
            parts: vec![],
            unreferenced_parts: vec![],
            dangling_refs: vec![],
            integrity_check: None,
        }
    }

    /// The CDA `ClinicalDocument` element.
    pub fn cda(&self) -> Element {
        let mut c = vec![
            node(el("realmCode", &[("code", "FI")], vec![])),
            node(el("typeId", &[("root", "2.16.840.1.113883.1.3"), ("extension", "POCD_HD000040")], vec![])),
            node(el("templateId", &[("root", "1.2.246.777.11.2021.1")], vec![])),
        ];
        if let Some(s) = &self.structure {
            c.push(node(el("templateId", &[("root", s)], vec![])));
        }
        c.push(node(split(&self.id).to_element("id")));
        if let Some(r) = &self.register {
            c.push(node(el(
                "code",
                &[("code", r), ("codeSystem", cs::REGISTER), ("displayName", "Sosiaalihuollon asiakasrekisteri")],
                vec![],
            )));
        }
        if let Some(t) = &self.title {
            c.push(node(el("title", &[], vec![Node::Text(t.clone())])));
        }
        if let Some(t) = self.effective_time {
            c.push(node(el("effectiveTime", &[("value", &hl7_ts(t))], vec![])));
        }
        if let Some(cc) = &self.confidentiality {
            c.push(node(el("confidentialityCode", &[("code", cc), ("codeSystem", cs::CONFIDENTIALITY)], vec![])));
        }
        c.push(node(el("languageCode", &[("code", "fi")], vec![])));
        c.push(node(split(&self.set_id).to_element("setId")));
        c.push(node(el("versionNumber", &[("value", &self.version.to_string())], vec![])));
        if let Some(client) = &self.client_id {
            let name = el(
                "name",
                &[],
                vec![
                    node(el("family", &[], vec![Node::Text(self.family_name.clone())])),
                    node(el("given", &[], vec![Node::Text(self.given_names.clone())])),
                ],
            );
            c.push(node(el(
                "recordTarget",
                &[],
                vec![node(el(
                    "patientRole",
                    &[],
                    vec![
                        node(el("id", &[("root", &self.client_root), ("extension", client)], vec![])),
                        node(el("patient", &[], vec![node(name)])),
                    ],
                ))],
            )));
        }
        if let Some((root, ext, name)) = &self.author {
            let mut aa = vec![node(el("id", &[("root", root), ("extension", ext)], vec![]))];
            aa.push(node(el("assignedPerson", &[], vec![node(el("name", &[], vec![Node::Text(name.clone())]))])));
            let time = self.effective_time.map(hl7_ts).unwrap_or_default();
            c.push(node(el(
                "author",
                &[],
                vec![node(el("time", &[("value", &time)], vec![])), node(el("assignedAuthor", &[], aa))],
            )));
        }
        if let Some(ctrl) = &self.controller {
            c.push(node(el(
                "custodian",
                &[],
                vec![node(el(
                    "assignedCustodian",
                    &[],
                    vec![node(el("representedCustodianOrganization", &[], vec![node(split(ctrl).to_element("id"))]))],
                ))],
            )));
        }
        if let Some((start, end)) = self.period {
            let mut t = vec![node(el("low", &[("value", &hl7_ts(start))], vec![]))];
            if let Some(e) = end {
                t.push(node(el("high", &[("value", &hl7_ts(e))], vec![])));
            }
            c.push(node(el(
                "documentationOf",
                &[],
                vec![node(el("serviceEvent", &[], vec![node(el("effectiveTime", &[], t))]))],
            )));
        }
        if let Some((pid, pset, pver)) = &self.replaces {
            c.push(node(el(
                "relatedDocument",
                &[("typeCode", "RPLC")],
                vec![node(el(
                    "parentDocument",
                    &[],
                    vec![
                        node(split(pid).to_element("id")),
                        node(split(pset).to_element("setId")),
                        node(el("versionNumber", &[("value", &pver.to_string())], vec![])),
                    ],
                ))],
            )));
        }
        c.push(node(self.local_header()));
        c.push(node(self.body()));
        Element { ns: HL7_NS.into(), name: "ClinicalDocument".into(), attrs: vec![], children: c }
    }

    fn local_header(&self) -> Element {
        let mut h = vec![
            fi("documentModel", &[("code", self.model.code())]),
            fi(
                "softwareSupport",
                &[
                    ("product", "SHA reference client"),
                    ("version", env!("CARGO_PKG_VERSION")),
                    ("moderator", "sha-simulator"),
                ],
            ),
            fi("recordStatus", &[("code", "3"), ("codeSystem", cs::STATUS)]),
        ];
        if let Some(g) = &self.group {
            h.push(fi("documentGroup", &[("code", g), ("codeSystem", cs::GROUP)]));
        }
        if let Some(t) = &self.document_type {
            h.push(fi("documentType", &[("code", t), ("codeSystem", cs::TYPE)]));
        }
        if let Some(g) = &self.general_type {
            h.push(fi("generalDocumentType", &[("code", g)]));
        }
        if let Some(t) = &self.service_task {
            h.push(fi("serviceTask", &[("code", t), ("codeSystem", cs::TASK)]));
        }
        for s in &self.social_services {
            h.push(fi("socialService", &[("code", s), ("codeSystem", cs::SOCIAL)]));
        }
        if let Some(p) = &self.process_phase {
            h.push(fi("processPhase", &[("code", p), ("codeSystem", cs::PHASE)]));
        }
        for (name, v) in [
            ("caseId", &self.case_id),
            ("organiser", &self.organiser),
            ("producer", &self.producer),
            ("provider", &self.provider),
            ("serviceUnit", &self.service_unit),
            ("operatingUnit", &self.operating_unit),
        ] {
            if let Some(v) = v {
                let id = split(v);
                let mut attrs = vec![("root", id.root.as_str())];
                if let Some(x) = &id.extension {
                    attrs.push(("extension", x.as_str()));
                }
                h.push(fi(name, &attrs));
            }
        }
        if self.signed {
            let sig = Element { ns: HL7FI_NS.into(), name: "signature".into(), attrs: vec![], children: vec![] };
            h.push(node(Element {
                ns: HL7FI_NS.into(),
                name: "signatureCollection".into(),
                attrs: vec![],
                children: vec![node(sig)],
            }));
        }
        Element { ns: HL7FI_NS.into(), name: "localHeader".into(), attrs: vec![], children: h }
    }

    fn body(&self) -> Element {
        let mut refs: Vec<(String, String)> =
            self.parts.iter().map(|p| (p.content_id.clone(), p.media_type.clone())).collect();
        refs.extend(self.dangling_refs.iter().cloned());
        let text = |(cid, mt): &(String, String), first: bool| {
            let mut attrs = vec![("mediaType", mt.as_str())];
            if first {
                if let Some(h) = &self.integrity_check {
                    attrs.push(("integrityCheck", h.as_str()));
                    attrs.push(("integrityCheckAlgorithm", "SHA-256"));
                }
            }
            el("text", &attrs, vec![node(el("reference", &[("value", &format!("cid:{cid}"))], vec![]))])
        };
        let inner = if refs.len() == 1 {
            el("nonXMLBody", &[], vec![node(text(&refs[0], true))])
        } else {
            let entries = refs
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut t = text(r, i == 0);
                    t.name = "value".into();
                    node(el(
                        "entry",
                        &[],
                        vec![node(el("observationMedia", &[("classCode", "OBS"), ("moodCode", "EVN")], vec![node(t)]))],
                    ))
                })
                .collect();
            el("structuredBody", &[], vec![node(el("component", &[], vec![node(el("section", &[], entries))]))])
        };
        el("component", &[], vec![node(inner)])
    }

    /// The wrapper reference and the MIME parts (the CDA first, Content-ID = document id).
    pub fn package(&self) -> (DocumentRef, Vec<Part>) {
        let cda = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{}", self.cda().to_xml());
        let mut parts = vec![Part::new(&self.id, "text/xml", cda.into_bytes())];
        parts.extend(self.parts.iter().cloned());
        parts.extend(self.unreferenced_parts.iter().cloned());
        let r = DocumentRef {
            id: split(&self.id),
            document_group: self.group.clone(),
            set_id: Some(split(&self.set_id)),
            version: Some(self.version),
            invalidation_reason: None,
        };
        (r, parts)
    }

    /// The wrapper `clinicalDocument` element carrying this document.
    pub fn clinical_document(&self) -> Element {
        let (r, parts) = self.package();
        super::clinical_document(&r, &parts)
    }
}
