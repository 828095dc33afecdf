//! Building documents as a connecting system would: [`DocumentSpec`] holds
//! what a document says, [`DocumentSpec::document`] turns it into the typed
//! CDA of the wire format, and [`DocumentSpec::package`] gives the wrapper's
//! `clinicalDocument` and the MIME parts (the CDA first) — written through
//! the one codec in `wire`, never by hand.

use time::OffsetDateTime;

use super::Part;
use crate::codes::{oids, Code, CodeSets};
use crate::document::{DocumentKind, DocumentModel, KindTable};
use crate::hetu::{Hetu, HETU_ROOT};
use crate::wire::cda::{
    self, Author, Body, ClinicalDocument, Encapsulated, Encounter, LocalSocialHeader, Organisation, Period,
    RecordTarget, RelatedDocument, Software,
};
use crate::wire::frame::{FrameDocument, FrameText};
use crate::wire::hl7::{ts, InstanceId, PersonName};
use crate::wire::mime;

/// How the content travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packaging {
    /// Inline in `nonXMLBody` (`text` base64, `hl7fi:json`), as real SHA documents carry it.
    Inline,
    /// As further MIME parts referenced from the body (health-archive practice; choice).
    Referenced,
}

/// Everything a document's header says, plus its content.
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
    /// Kind (decides the document group unless `group` says otherwise).
    pub kind: DocumentKind,
    /// Register code (1.2.246.537.6.1264).
    pub register: Option<String>,
    /// Title (real documents carry none).
    pub title: Option<String>,
    /// Creation time.
    pub effective_time: Option<OffsetDateTime>,
    /// Confidentiality code (1.2.246.777.5.99902).
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
    /// Controller's name.
    pub controller_name: Option<String>,
    /// Document group code; `None` leaves it out.
    pub group: Option<String>,
    /// Specific client document type code (1506).
    pub document_type: Option<String>,
    /// General document type code (1506: 11 Päätös, 15 Suunnitelma, …).
    pub general_type: Option<String>,
    /// Service task code (1221).
    pub service_task: Option<String>,
    /// Social service codes (1222).
    pub social_services: Vec<String>,
    /// Process phase code (1277).
    pub process_phase: Option<String>,
    /// Record status code (1.2.246.537.5.40154; 3 = arkistointivalmis).
    pub record_status: Option<String>,
    /// Case id.
    pub case_id: Option<String>,
    /// Clienthood id (encompassingClientRelationship; clienthood documents).
    pub clienthood_id: Option<String>,
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
    /// Period (start, end): a case's opening and closing.
    pub period: Option<(OffsetDateTime, Option<OffsetDateTime>)>,
    /// Sosmeta structure (contentSpecificationId).
    pub structure: Option<String>,
    /// Whether the system signs it (järjestelmäallekirjoitus), with `keys`.
    pub signed: bool,
    /// Whether its author signs it (ammattihenkilön allekirjoitus), with `keys`.
    pub professional_signature: bool,
    /// The signing keys; without them nothing is signed.
    pub keys: Option<std::sync::Arc<crate::client::SigningKeys>>,
    /// A deliberate defect: one character of the body changes after signing.
    pub tamper_after_signing: bool,
    /// Content: the display form (XHTML or PDF), the structured form (JSON), attachments.
    pub parts: Vec<Part>,
    /// How the content travels.
    pub packaging: Packaging,
    /// Extra parts in the package not referenced from the body.
    pub unreferenced_parts: Vec<Part>,
    /// Body references to parts not included (for broken samples).
    pub dangling_refs: Vec<(String, String)>,
    /// SHA-256 integrity check (base64) to declare on the display form.
    pub integrity_check: Option<String>,
}

fn code(c: &str, system: &str, version: &str) -> Code {
    let codes = CodeSets::builtin();
    Code {
        code: c.to_string(),
        system: if version.is_empty() { system.to_string() } else { format!("{system}.{version}") },
        display: codes.name(system, c).map(str::to_string),
    }
}

fn id(oid: &str) -> InstanceId {
    InstanceId::from_key(oid)
}

/// The general document type code for a specific type, from the code table.
pub fn general_code_of(document_type: &str) -> Option<String> {
    let codes = CodeSets::builtin();
    let name = codes.entry(oids::DOCUMENT_TYPE, document_type)?.general_type.clone()?;
    codes
        .system(oids::DOCUMENT_TYPE)?
        .codes
        .iter()
        .find(|c| c.kind.as_deref() == Some("yleinen") && c.name == name)
        .map(|c| c.code.clone())
}

impl DocumentSpec {
    /// A minimal spec of `kind`; fill in the rest with the fields.
    pub fn new(id: &str, kind: DocumentKind) -> Self {
        DocumentSpec {
            id: id.to_string(),
            set_id: id.to_string(),
            version: 1,
            replaces: None,
            kind,
            register: Some("1".into()),
            title: None,
            effective_time: None,
            confidentiality: Some("6".into()),
            client_root: HETU_ROOT.to_string(),
            client_id: None,
            family_name: String::new(),
            given_names: String::new(),
            author: None,
            controller: None,
            controller_name: None,
            group: KindTable::builtin().group_of(kind).map(str::to_string),
            document_type: None,
            general_type: None,
            service_task: None,
            social_services: vec![],
            process_phase: None,
            record_status: Some("3".into()),
            case_id: None,
            clienthood_id: None,
            organiser: None,
            producer: None,
            provider: None,
            service_unit: None,
            operating_unit: None,
            period: None,
            structure: None,
            signed: false,
            professional_signature: false,
            keys: None,
            tamper_after_signing: false,
            parts: vec![],
            packaging: Packaging::Inline,
            unreferenced_parts: vec![],
            dangling_refs: vec![],
            integrity_check: None,
        }
    }

    /// The document's model, when it is a client document.
    pub fn model(&self) -> Option<DocumentModel> {
        match self.kind {
            DocumentKind::Client(m) => Some(m),
            _ => None,
        }
    }

    fn display_part(&self) -> Option<&Part> {
        self.parts.iter().find(|p| p.media_type != "application/json")
    }

    fn json_part(&self) -> Option<&Part> {
        self.parts.iter().find(|p| p.media_type == "application/json")
    }

    fn local_header(&self) -> LocalSocialHeader {
        let c = |v: &Option<String>, system: &str, version: &str| v.as_deref().map(|x| code(x, system, version));
        let display_format = match self.display_part().map(|p| p.media_type.as_str()) {
            Some("application/pdf") => Some("1"),
            Some(_) => Some("2"),
            None => None,
        };
        LocalSocialHeader {
            specific_type: c(&self.document_type, oids::DOCUMENT_TYPE, "201701"),
            creation_time: self.effective_time.map(ts),
            document_group: c(&self.group, oids::DOCUMENT_GROUP, "201601"),
            file_format: display_format.map(|f| code(f, oids::DISPLAY_FORMAT, "201601")),
            structured_file_format: self.json_part().map(|_| code("5", oids::FILE_FORMAT, "2008")),
            software: Some(Software {
                moderator: Some("sha-simulator".into()),
                product: Some("SHA reference client".into()),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            function_code: c(&self.service_task, oids::SERVICE_TASK, "201601"),
            social_services: self.social_services.iter().map(|s| code(s, oids::SOCIAL_SERVICE, "201601")).collect(),
            record_status: c(&self.record_status, oids::RECORD_STATUS, "2008"),
            registry_type: c(&self.register, oids::REGISTER, "201701"),
            organiser: self.organiser.as_deref().map(id),
            organiser_name: self
                .organiser
                .as_deref()
                .and_then(|o| CodeSets::builtin().name(oids::SOTE_ORGANISATION, o))
                .map(str::to_string),
            retention_class: Some(code("1", oids::RETENTION_CLASS, "201601")),
            special_content: Some(code("E", oids::SPECIAL_CONTENT, "2007")),
            content_specification: self.structure.clone(),
            client_relationship: self.clienthood_id.as_deref().map(id),
            service_process_type: self.process_phase.as_ref().map(|_| "Sosiaalihuollon palveluprosessi".to_string()),
            service_process: c(&self.process_phase, oids::PROCESS_PHASE, "201701"),
            operating_unit: self.operating_unit.as_deref().map(id),
            provider: self.provider.as_deref().map(id),
            ..Default::default()
        }
    }

    fn encapsulate(&self, p: &Part, first: bool) -> Encapsulated {
        let mut e = match self.packaging {
            Packaging::Inline => Encapsulated::base64(&p.media_type, &p.bytes),
            Packaging::Referenced => Encapsulated::reference(&p.media_type, &p.content_id),
        };
        if first {
            if let Some(h) = &self.integrity_check {
                e.integrity_check = Some(h.clone());
                e.integrity_algorithm = Some("SHA-256".into());
            }
        }
        e
    }

    /// The typed CDA document.
    pub fn document(&self) -> ClinicalDocument {
        let codes = CodeSets::builtin();
        let birth =
            self.client_id.as_deref().filter(|_| self.client_root == HETU_ROOT).and_then(|h| Hetu::parse(h).ok()).map(
                |h| {
                    let d = h.birth_date();
                    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
                },
            );
        let mut body = Body { id_attr: Some(format!("OID{}", self.id)), ..Default::default() };
        if let Some(p) = self.display_part() {
            body.text = Some(self.encapsulate(p, true));
        }
        if let Some(p) = self.json_part() {
            let mut e = self.encapsulate(p, false);
            // hl7fi:json carries neither a media type nor a representation: it is base64 JSON.
            e.media_type = None;
            e.representation = None;
            body.json = Some(e);
        }
        for (cid, mt) in &self.dangling_refs {
            body.media.push(Encapsulated::reference(mt, cid));
        }
        let is_hood = self.kind == DocumentKind::Asiakkuus;
        ClinicalDocument {
            type_id: Some("POCD_HD000040".into()),
            template_ids: vec![],
            id: Some(id(&self.id)),
            code: self.general_type.as_deref().map(|g| code(g, oids::DOCUMENT_TYPE, "201701")),
            title: self.title.clone(),
            effective_time: self.effective_time.map(ts),
            confidentiality: self.confidentiality.as_deref().map(|c| code(c, oids::CONFIDENTIALITY, "2006")),
            language: Some("fi".into()),
            set_id: Some(id(&self.set_id)),
            version_number: Some(self.version.to_string()),
            record_target: self.client_id.as_ref().map(|cid| RecordTarget {
                id: Some(InstanceId { root: self.client_root.clone(), extension: Some(cid.clone()) }),
                name: Some(PersonName::new(&self.family_name, &self.given_names)),
                gender: None,
                birth_time: birth,
            }),
            authors: vec![Author {
                time: None,
                id: self
                    .author
                    .as_ref()
                    .map(|(root, ext, _)| InstanceId { root: root.clone(), extension: Some(ext.clone()) }),
                name: self.author.as_ref().map(|(_, _, n)| {
                    let mut parts = n.rsplitn(2, ' ');
                    let family = parts.next().unwrap_or_default();
                    PersonName::new(family, parts.next().unwrap_or_default())
                }),
            }],
            custodian: self.controller.as_ref().map(|c| Organisation {
                id: Some(id(c)),
                name: self
                    .controller_name
                    .clone()
                    .or_else(|| codes.name(oids::SOTE_ORGANISATION, c).map(str::to_string)),
            }),
            minor_consent: None,
            related: self
                .replaces
                .iter()
                .map(|(pid, pset, pver)| RelatedDocument {
                    type_code: "RPLC".into(),
                    id: Some(id(pid)),
                    set_id: Some(id(pset)),
                    version: Some(pver.to_string()),
                })
                .collect(),
            service_period: None,
            encounter: Some(Encounter {
                id: if is_hood { None } else { self.case_id.as_deref().map(id) },
                period: self.period.map(|(s, e)| Period { low: Some(ts(s)), high: e.map(ts) }),
                responsible: self.producer.as_deref().map(Organisation::oid),
                service_unit: self.service_unit.as_deref().map(|u| Organisation {
                    id: Some(id(u)),
                    name: codes.name(oids::SOTE_ORGANISATION, u).map(str::to_string),
                }),
            }),
            local: Some(self.local_header()),
            body,
        }
    }

    /// The CDA as bytes, signed by its author when `professional_signature` and by the system
    /// when `signed`, with `keys`, at the document's time.
    pub fn cda_bytes(&self) -> Vec<u8> {
        let mut bytes = cda::to_bytes(&self.document());
        let Some(keys) = &self.keys else { return bytes };
        let at = self.effective_time.unwrap_or(time::macros::datetime!(2026-01-01 0:00 UTC));
        let author = self.author.as_ref().map(|(_, number, _)| number.as_str());
        let professional = author.and_then(|n| keys.professional(n)).filter(|_| self.professional_signature);
        let system = keys.system().filter(|_| self.signed);
        for key in professional.into_iter().chain(system) {
            match crate::dsig::sign(&bytes, key, at) {
                Ok(signed) => bytes = signed,
                // Our own document always has a body and a local header; should signing fail,
                // the document travels unsigned and the archive says so.
                Err(e) => tracing::warn!(document = %self.id, error = %e, "could not sign"),
            }
        }
        if self.tamper_after_signing {
            // The tenth base64 character of the body, A <-> B.
            let text = String::from_utf8_lossy(&bytes).into_owned();
            if let Some(start) = text.find("representation=\"B64\">").map(|i| i + "representation=\"B64\">".len()) {
                if let Some((i, c)) = text[start..].char_indices().filter(|(_, c)| c.is_ascii_alphanumeric()).nth(10) {
                    let mut t = text.clone();
                    t.replace_range(start + i..start + i + 1, if c == 'A' { "B" } else { "A" });
                    bytes = t.into_bytes();
                }
            }
        }
        bytes
    }

    /// The MIME parts (the CDA first, Content-ID = document id) and the wrapper's document.
    pub fn package(&self) -> (FrameDocument, Vec<Part>) {
        let mut parts = vec![Part::new(&self.id, "text/xml", self.cda_bytes())];
        if self.packaging == Packaging::Referenced {
            parts.extend(self.parts.iter().cloned());
        }
        parts.extend(self.unreferenced_parts.iter().cloned());
        let fd = FrameDocument::repeating(&self.document(), FrameText::Mime(mime::write(&parts)));
        (fd, parts)
    }

    /// The wrapper `clinicalDocument` carrying this document.
    pub fn clinical_document(&self) -> FrameDocument {
        self.package().0
    }
}
