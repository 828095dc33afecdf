//! The CDA R2 document of Kanta's social welfare archive (`ClinicalDocument`,
//! schema CDA_Fi_sos, SPEC §6.3): the header, the Finnish
//! `localSocialHeader` (namespace `urn:hl7finland`, any prefix) and the
//! `nonXMLBody` that carries the display form and the structured JSON — as a
//! typed [`ClinicalDocument`] with one reader and one writer.
//!
//! Reading never judges: a value that is present is kept as sent (codes with
//! or without version suffixes, times as text) and only an element that may
//! occur once but occurs twice is reported here. Whether a field is required
//! or a code valid is validation's business. Elements the reader does not
//! interpret are ignored here and kept in the stored document bytes.
//! Writing follows the element order and spelling of real documents.

use serde::{Deserialize, Serialize};

use super::hl7::{
    attr_element, code_element, non_empty, null_element, parent_element, read_code, text_el, Code, InstanceId, Ns,
    PersonName, Reading, HL7FI_NS, HL7_NS,
};
use crate::xml::{Element, Node};

/// An organisation or unit as the header names it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    /// Its OID (SOTE organisation register).
    pub id: Option<InstanceId>,
    /// Its name as sent.
    pub name: Option<String>,
}

impl Organisation {
    /// An organisation by OID.
    pub fn oid(oid: &str) -> Self {
        Organisation { id: Some(InstanceId::from_key(oid)), name: None }
    }

    fn read(r: &mut Reading, e: &Element, path: &str) -> Self {
        Organisation { id: r.id_of(e, Ns::Hl7, "id", path), name: r.text_of(e, Ns::Hl7, "name", path) }
    }

    fn write(&self, name: &str) -> Element {
        let mut c = vec![match &self.id {
            Some(id) => id.to_element("id"),
            None => null_element(HL7_NS, "id"),
        }];
        if let Some(n) = &self.name {
            if let Node::Element(e) = text_el(HL7_NS, "name", n) {
                c.push(e);
            }
        }
        parent_element(HL7_NS, name, &[], c)
    }

    /// The OID as text.
    pub fn key(&self) -> Option<String> {
        self.id.as_ref().map(InstanceId::key)
    }
}

/// The client (`recordTarget/patientRole`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordTarget {
    /// Hetu (root 1.2.246.21) or a temporary identifier.
    pub id: Option<InstanceId>,
    /// Name.
    pub name: Option<PersonName>,
    /// Gender (1.2.246.537.5.1.1997).
    pub gender: Option<Code>,
    /// Birth time as sent.
    pub birth_time: Option<String>,
}

/// The professional who wrote the document (`author/assignedAuthor`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    /// `author/time` as sent (nullFlavor: none).
    pub time: Option<String>,
    /// Registration number (root 1.2.246.537.26) or hetu; none on clienthood documents.
    pub id: Option<InstanceId>,
    /// Name.
    pub name: Option<PersonName>,
}

/// `relatedDocument`: the parent a new version replaces (`typeCode="RPLC"`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedDocument {
    /// RPLC, APND, XFRM.
    pub type_code: String,
    /// Parent document id.
    pub id: Option<InstanceId>,
    /// Parent set id.
    pub set_id: Option<InstanceId>,
    /// Parent version number as sent.
    pub version: Option<String>,
}

/// A period (`effectiveTime` with `low` and `high`), times as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// Start.
    pub low: Option<String>,
    /// End.
    pub high: Option<String>,
}

impl Period {
    fn read(e: &Element) -> Option<Self> {
        let low = e.child("low").and_then(|l| l.attr("value")).and_then(non_empty);
        let high = e.child("high").and_then(|l| l.attr("value")).and_then(non_empty);
        (low.is_some() || high.is_some()).then_some(Period { low, high })
    }

    fn write(&self) -> Element {
        let mut c = Vec::new();
        if let Some(l) = &self.low {
            c.push(attr_element(HL7_NS, "low", &[("value", l)]));
        }
        if let Some(h) = &self.high {
            c.push(attr_element(HL7_NS, "high", &[("value", h)]));
        }
        parent_element(HL7_NS, "effectiveTime", &[], c)
    }
}

/// `componentOf/encompassingEncounter`: the case and the service unit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encounter {
    /// The case (asia) id; none on clienthood documents (nullFlavor NA).
    pub id: Option<InstanceId>,
    /// The case's period (nullFlavor NA on client documents).
    pub period: Option<Period>,
    /// `responsibleParty/assignedEntity/representedOrganization`: the service producer (palveluntuottaja).
    pub responsible: Option<Organisation>,
    /// `encounterParticipant typeCode="ADM"/…/representedOrganization`: the service unit (palveluyksikkö).
    pub service_unit: Option<Organisation>,
}

/// The software that made the document (`softwareSupport`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Software {
    /// Vendor.
    pub moderator: Option<String>,
    /// Product.
    pub product: Option<String>,
    /// Version.
    pub version: Option<String>,
}

/// A professional's e-signature record (`localSocialHeader/signature`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfessionalSignature {
    /// `assignedAuthorSigner`: the signer's registration number.
    pub signer: Option<String>,
    /// Signer's name.
    pub name: Option<PersonName>,
    /// Authentication method (1.2.246.537.5.40128).
    pub method: Option<Code>,
    /// Signing time as sent.
    pub time: Option<String>,
}

/// One entry of `signatureCollection`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureEntry {
    /// The entry's `ID` attribute.
    pub id: Option<String>,
    /// `signatureDescription` (1.2.246.537.5.40127: 1 professional, 3 system).
    pub description: Option<Code>,
    /// `signatureTimestamp/@ID`.
    pub timestamp_id: Option<String>,
    /// `signatureTimestamp` text.
    pub timestamp: Option<String>,
    /// Whether an XML-DSig `Signature` element is present.
    pub has_dsig: bool,
}

/// The Finnish social-welfare header extension (`hl7fi:localSocialHeader`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalSocialHeader {
    /// `specificDocumentType`: the client document type (1.2.246.537.6.1506).
    pub specific_type: Option<Code>,
    /// `creationTime` as sent.
    pub creation_time: Option<String>,
    /// `documentGroup` (1.2.246.537.6.1505).
    pub document_group: Option<Code>,
    /// `fileFormat`: the display form's format (1.2.246.537.6.1502).
    pub file_format: Option<Code>,
    /// `structuredFileFormat` (1.2.246.537.5.40179).
    pub structured_file_format: Option<Code>,
    /// `softwareSupport`.
    pub software: Option<Software>,
    /// `functionCode`: the service task (palvelutehtävä, 1.2.246.537.6.1221).
    pub function_code: Option<Code>,
    /// `recordStatus` (1.2.246.537.5.40154).
    pub record_status: Option<Code>,
    /// `registryType` (1.2.246.537.6.1264).
    pub registry_type: Option<Code>,
    /// `outsourcingServiceCustomer/@root`: the service organiser (palvelunjärjestäjä).
    pub organiser: Option<InstanceId>,
    /// `outsourcingServiceCustomerName`.
    pub organiser_name: Option<String>,
    /// `totalRetentionPeriodClass` (1.2.246.537.6.1258).
    pub retention_class: Option<Code>,
    /// `specialContent` (1.2.246.537.6.112, K/E).
    pub special_content: Option<Code>,
    /// `contentSpecificationId`: the Sosmeta structure OID with its date version.
    pub content_specification: Option<String>,
    /// `encompassingClientRelationship/@root`: the clienthood id.
    pub client_relationship: Option<InstanceId>,
    /// `serviceProcess/type` text.
    pub service_process_type: Option<String>,
    /// `serviceProcess/code`: the service process phase (1.2.246.537.6.1277).
    pub service_process: Option<Code>,
    /// `authorizationRestrictionArgument` text.
    pub restriction_argument: Option<String>,
    /// `inaccessibleArgument` (1.2.246.537.6.1288).
    pub inaccessible_argument: Option<Code>,
    /// `reasonOfCorrection`: why a version replaces its parent.
    pub reason_of_correction: Option<Code>,
    /// `signature`: a professional's e-signature record.
    pub professional_signature: Option<ProfessionalSignature>,
    /// `signatureCollection/signature` entries.
    pub signatures: Vec<SignatureEntry>,
    /// `socialService` (1.2.246.537.6.1222), repeatable — not seen in real documents (choice).
    pub social_services: Vec<Code>,
    /// `operatingUnit/@root`: the operating unit (toimintayksikkö) — choice.
    pub operating_unit: Option<InstanceId>,
    /// `serviceProvider/@root`: the provider (palveluntoteuttaja) — choice.
    pub provider: Option<InstanceId>,
}

/// Content carried in the body: inline (base64 or text) or by reference to a MIME part.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encapsulated {
    /// `mediaType`.
    pub media_type: Option<String>,
    /// `representation` (B64 or TXT).
    pub representation: Option<String>,
    /// The inline text as sent (base64 may be indented and broken into lines).
    pub inline: Option<String>,
    /// `reference/@value` without `cid:`.
    pub reference: Option<String>,
    /// `integrityCheck` (base64 digest).
    pub integrity_check: Option<String>,
    /// `integrityCheckAlgorithm`.
    pub integrity_algorithm: Option<String>,
}

impl Encapsulated {
    /// Inline base64 content of a media type.
    pub fn base64(media_type: &str, bytes: &[u8]) -> Self {
        Encapsulated {
            media_type: Some(media_type.to_string()),
            representation: Some("B64".into()),
            inline: Some(super::mime::encode_base64_lines(bytes).replace("\r\n", "\n").trim_end().to_string()),
            ..Default::default()
        }
    }

    /// A reference to a MIME part.
    pub fn reference(media_type: &str, content_id: &str) -> Self {
        Encapsulated {
            media_type: Some(media_type.to_string()),
            reference: Some(content_id.to_string()),
            ..Default::default()
        }
    }

    /// The inline bytes: base64-decoded when the representation says B64
    /// (any case), the text itself otherwise. `None` when content is by reference.
    pub fn decode_inline(&self) -> Option<Result<Vec<u8>, String>> {
        self.decode_inline_as(false)
    }

    /// As [`Encapsulated::decode_inline`], with base64 assumed when no representation is
    /// given (`hl7fi:json` carries none and is always base64).
    pub fn decode_inline_as(&self, default_base64: bool) -> Option<Result<Vec<u8>, String>> {
        let text = self.inline.as_ref()?;
        let b64 = match self.representation.as_deref() {
            Some(r) => r.eq_ignore_ascii_case("B64"),
            None => default_base64,
        };
        Some(if b64 { super::mime::decode_base64(text) } else { Ok(text.trim().as_bytes().to_vec()) })
    }

    fn read(e: &Element) -> Self {
        // Text nodes around comments are joined (a comment may sit before the base64).
        let inline: String = e
            .children
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) => Some(t.as_str()),
                Node::Element(_) => None,
            })
            .collect();
        Encapsulated {
            media_type: e.attr("mediaType").and_then(non_empty),
            representation: e.attr("representation").and_then(non_empty),
            inline: non_empty(&inline).map(|_| inline),
            reference: e
                .child("reference")
                .and_then(|r| r.attr("value"))
                .map(|v| v.trim().trim_start_matches("cid:").to_string()),
            integrity_check: e.attr("integrityCheck").and_then(non_empty),
            integrity_algorithm: e.attr("integrityCheckAlgorithm").and_then(non_empty),
        }
    }

    fn write(&self, ns: &str, name: &str) -> Element {
        let mut attrs = Vec::new();
        if let Some(m) = &self.media_type {
            attrs.push(("mediaType".to_string(), m.clone()));
        }
        if let Some(r) = &self.representation {
            attrs.push(("representation".to_string(), r.clone()));
        }
        if let Some(h) = &self.integrity_check {
            attrs.push(("integrityCheck".to_string(), h.clone()));
        }
        if let Some(a) = &self.integrity_algorithm {
            attrs.push(("integrityCheckAlgorithm".to_string(), a.clone()));
        }
        let mut children = Vec::new();
        if let Some(t) = &self.inline {
            children.push(Node::Text(t.clone()));
        }
        if let Some(r) = &self.reference {
            children.push(Node::Element(attr_element(HL7_NS, "reference", &[("value", &format!("cid:{r}"))])));
        }
        Element { ns: ns.into(), name: name.into(), attrs, children }
    }
}

/// The document body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    /// `component/nonXMLBody/@ID` (`OID<document id>`, the signed element).
    pub id_attr: Option<String>,
    /// `nonXMLBody/text`: the display form.
    pub text: Option<Encapsulated>,
    /// `nonXMLBody/hl7fi:json`: the structured form.
    pub json: Option<Encapsulated>,
    /// `structuredBody/…/observationMedia/value`: further content by reference (health practice; choice).
    pub media: Vec<Encapsulated>,
}

/// A CDA R2 document of the social welfare archive.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClinicalDocument {
    /// `typeId/@extension` (POCD_HD000040).
    pub type_id: Option<String>,
    /// `templateId` roots.
    pub template_ids: Vec<String>,
    /// Document id.
    pub id: Option<InstanceId>,
    /// `code`: the general document type (1.2.246.537.6.1506); none (nullFlavor) on clienthood documents.
    pub code: Option<Code>,
    /// `title` (real documents do not carry one).
    pub title: Option<String>,
    /// `effectiveTime` as sent.
    pub effective_time: Option<String>,
    /// `confidentialityCode` (1.2.246.777.5.99902).
    pub confidentiality: Option<Code>,
    /// `languageCode` (`fi` or `FI`).
    pub language: Option<String>,
    /// `setId`.
    pub set_id: Option<InstanceId>,
    /// `versionNumber/@value` as sent.
    pub version_number: Option<String>,
    /// The client.
    pub record_target: Option<RecordTarget>,
    /// Authors.
    pub authors: Vec<Author>,
    /// `custodian/…/representedCustodianOrganization`: the controller (rekisterinpitäjä).
    pub custodian: Option<Organisation>,
    /// `authorization/consent/code`: a minor's documents to guardians (1.2.246.537.6.1286).
    pub minor_consent: Option<Code>,
    /// `relatedDocument` entries.
    pub related: Vec<RelatedDocument>,
    /// `documentationOf/serviceEvent/effectiveTime` (choice: a period the document covers).
    pub service_period: Option<Period>,
    /// `componentOf/encompassingEncounter`.
    pub encounter: Option<Encounter>,
    /// `hl7fi:localSocialHeader`.
    pub local: Option<LocalSocialHeader>,
    /// The body.
    pub body: Body,
}

const P: &str = "/ClinicalDocument";
const L: &str = "/ClinicalDocument/hl7fi:localSocialHeader";

fn read_local(r: &mut Reading, h: &Element) -> LocalSocialHeader {
    let f = Ns::Fi;
    let mut l = LocalSocialHeader {
        specific_type: r.code_of(h, f, "specificDocumentType", L),
        creation_time: r.attr_of(h, f, "creationTime", "value", L),
        document_group: r.code_of(h, f, "documentGroup", L),
        file_format: r.code_of(h, f, "fileFormat", L),
        structured_file_format: r.code_of(h, f, "structuredFileFormat", L),
        software: r.one(h, f, "softwareSupport", L).map(|s| Software {
            moderator: s.attr("moderator").and_then(non_empty),
            product: s.attr("product").and_then(non_empty),
            version: s.attr("version").and_then(non_empty),
        }),
        function_code: r.code_of(h, f, "functionCode", L),
        record_status: r.code_of(h, f, "recordStatus", L),
        registry_type: r.code_of(h, f, "registryType", L),
        organiser: r.id_of(h, f, "outsourcingServiceCustomer", L),
        organiser_name: r.text_of(h, f, "outsourcingServiceCustomerName", L),
        retention_class: r.code_of(h, f, "totalRetentionPeriodClass", L),
        special_content: r.code_of(h, f, "specialContent", L),
        content_specification: r.text_of(h, f, "contentSpecificationId", L),
        client_relationship: r.id_of(h, f, "encompassingClientRelationship", L),
        restriction_argument: r.text_of(h, f, "authorizationRestrictionArgument", L),
        inaccessible_argument: r.code_of(h, f, "inaccessibleArgument", L),
        reason_of_correction: r.code_of(h, f, "reasonOfCorrection", L),
        operating_unit: r.id_of(h, f, "operatingUnit", L),
        provider: r.id_of(h, f, "serviceProvider", L),
        social_services: Reading::all(h, f, "socialService").filter_map(read_code).collect(),
        ..Default::default()
    };
    if let Some(sp) = r.one(h, f, "serviceProcess", L) {
        let here = format!("{L}/hl7fi:serviceProcess");
        l.service_process_type = r.text_of(sp, f, "type", &here);
        l.service_process = r.code_of(sp, f, "code", &here);
    }
    if let Some(s) = r.one(h, f, "signature", L) {
        let here = format!("{L}/hl7fi:signature");
        l.professional_signature = Some(ProfessionalSignature {
            signer: r.text_of(s, f, "assignedAuthorSigner", &here),
            name: r.path(s, f, &["signer", "name"], &here).map(PersonName::read),
            method: r.code_of(s, f, "authenticationMethod", &here),
            time: r.attr_of(s, f, "time", "value", &here),
        });
    }
    if let Some(sc) = r.one(h, f, "signatureCollection", L) {
        for s in Reading::all(sc, f, "signature") {
            let here = format!("{L}/hl7fi:signatureCollection/hl7fi:signature");
            let ts = r.one(s, f, "signatureTimestamp", &here);
            l.signatures.push(SignatureEntry {
                id: s.attr("ID").and_then(non_empty),
                description: r.code_of(s, f, "signatureDescription", &here),
                timestamp_id: ts.and_then(|t| t.attr("ID")).and_then(non_empty),
                timestamp: ts.and_then(|t| non_empty(&t.text())),
                has_dsig: s.elements().any(|e| e.name == "Signature" && e.ns == super::hl7::DSIG_NS),
            });
        }
    }
    l
}

/// Reads a `ClinicalDocument`; findings name elements that occur twice where once is allowed.
pub fn read(cda: &Element) -> (ClinicalDocument, Vec<crate::acks::Detail>) {
    let mut r = Reading::default();
    let h = Ns::Hl7;
    let mut d = ClinicalDocument {
        type_id: r.attr_of(cda, h, "typeId", "extension", P),
        template_ids: Reading::all(cda, h, "templateId").filter_map(|t| t.attr("root")).filter_map(non_empty).collect(),
        id: r.id_of(cda, h, "id", P),
        code: r.code_of(cda, h, "code", P),
        title: r.text_of(cda, h, "title", P),
        effective_time: r.attr_of(cda, h, "effectiveTime", "value", P),
        confidentiality: r.code_of(cda, h, "confidentialityCode", P),
        language: r.attr_of(cda, h, "languageCode", "code", P),
        set_id: r.id_of(cda, h, "setId", P),
        version_number: r.attr_of(cda, h, "versionNumber", "value", P),
        ..Default::default()
    };
    if let Some(rt) = r.one(cda, h, "recordTarget", P) {
        let here = format!("{P}/recordTarget/patientRole");
        if let Some(pr) = r.one(rt, h, "patientRole", &format!("{P}/recordTarget")) {
            let patient = r.one(pr, h, "patient", &here);
            let ph = format!("{here}/patient");
            d.record_target = Some(RecordTarget {
                id: r.id_of(pr, h, "id", &here),
                name: patient.and_then(|p| r.one(p, h, "name", &ph)).map(PersonName::read),
                gender: patient.and_then(|p| r.code_of(p, h, "administrativeGenderCode", &ph)),
                birth_time: patient.and_then(|p| r.attr_of(p, h, "birthTime", "value", &ph)),
            });
        }
    }
    for a in Reading::all(cda, h, "author") {
        let here = format!("{P}/author");
        let aa = r.one(a, h, "assignedAuthor", &here);
        let ah = format!("{here}/assignedAuthor");
        d.authors.push(Author {
            time: r.attr_of(a, h, "time", "value", &here),
            id: aa.and_then(|aa| r.id_of(aa, h, "id", &ah)),
            name: aa.and_then(|aa| r.path(aa, h, &["assignedPerson", "name"], &ah)).map(PersonName::read),
        });
    }
    if let Some(org) = r.path(cda, h, &["custodian", "assignedCustodian", "representedCustodianOrganization"], P) {
        d.custodian = Some(Organisation::read(
            &mut r,
            org,
            &format!("{P}/custodian/assignedCustodian/representedCustodianOrganization"),
        ));
    }
    if let Some(c) = r.path(cda, h, &["authorization", "consent"], P) {
        d.minor_consent = r.code_of(c, h, "code", &format!("{P}/authorization/consent"));
    }
    for rd in Reading::all(cda, h, "relatedDocument") {
        let here = format!("{P}/relatedDocument/parentDocument");
        let parent = r.one(rd, h, "parentDocument", &format!("{P}/relatedDocument"));
        d.related.push(RelatedDocument {
            type_code: rd.attr("typeCode").unwrap_or_default().trim().to_string(),
            id: parent.and_then(|p| r.id_of(p, h, "id", &here)),
            set_id: parent.and_then(|p| r.id_of(p, h, "setId", &here)),
            version: parent.and_then(|p| r.attr_of(p, h, "versionNumber", "value", &here)),
        });
    }
    if let Some(t) = r.path(cda, h, &["documentationOf", "serviceEvent", "effectiveTime"], P) {
        d.service_period = Period::read(t);
    }
    if let Some(enc) = r.path(cda, h, &["componentOf", "encompassingEncounter"], P) {
        let here = format!("{P}/componentOf/encompassingEncounter");
        let mut e = Encounter {
            id: r.id_of(enc, h, "id", &here),
            period: r.one(enc, h, "effectiveTime", &here).and_then(Period::read),
            ..Default::default()
        };
        if let Some(org) = r.path(enc, h, &["responsibleParty", "assignedEntity", "representedOrganization"], &here) {
            e.responsible = Some(Organisation::read(&mut r, org, &format!("{here}/responsibleParty")));
        }
        let adm: Vec<&Element> = Reading::all(enc, h, "encounterParticipant")
            .filter(|p| p.attr("typeCode").is_none_or(|t| t.trim() == "ADM"))
            .collect();
        if adm.len() > 1 {
            let loc = format!("{here}/encounterParticipant[@typeCode='ADM']");
            r.push(crate::acks::Detail::new(crate::acks::DetailCode::DuplicateElement, &loc).at(loc));
        }
        if let Some(p) = adm.first() {
            let ph = format!("{here}/encounterParticipant");
            if let Some(org) = r.path(p, h, &["assignedEntity", "representedOrganization"], &ph) {
                e.service_unit = Some(Organisation::read(&mut r, org, &ph));
            }
        }
        d.encounter = Some(e);
    }
    // The header extension: any prefix bound to urn:hl7finland.
    let locals: Vec<&Element> = cda.elements().filter(|e| e.name == "localSocialHeader" && e.ns == HL7FI_NS).collect();
    if locals.len() > 1 {
        r.push(crate::acks::Detail::new(crate::acks::DetailCode::DuplicateElement, L).at(L));
    }
    if let Some(lh) = locals.first() {
        d.local = Some(read_local(&mut r, lh));
    }
    let components: Vec<&Element> = Reading::all(cda, h, "component").collect();
    if components.len() > 1 {
        let loc = format!("{P}/component");
        r.push(crate::acks::Detail::new(crate::acks::DetailCode::DuplicateElement, &loc).at(loc));
    }
    if let Some(comp) = components.first() {
        let here = format!("{P}/component");
        if let Some(nx) = r.one(comp, h, "nonXMLBody", &here) {
            let nh = format!("{here}/nonXMLBody");
            d.body.id_attr = nx.attr("ID").and_then(non_empty);
            d.body.text = r.one(nx, h, "text", &nh).map(Encapsulated::read);
            let json: Vec<&Element> = nx.elements().filter(|e| e.name == "json" && e.ns == HL7FI_NS).collect();
            if json.len() > 1 {
                let loc = format!("{nh}/hl7fi:json");
                r.push(crate::acks::Detail::new(crate::acks::DetailCode::DuplicateElement, &loc).at(loc));
            }
            d.body.json = json.first().map(|j| Encapsulated::read(j));
        }
        if let Some(sb) = r.one(comp, h, "structuredBody", &here) {
            collect_media(sb, &mut d.body.media);
        }
    }
    (d, r.findings)
}

fn collect_media(e: &Element, out: &mut Vec<Encapsulated>) {
    for c in e.elements() {
        if c.name == "value" && c.attr("mediaType").is_some() {
            out.push(Encapsulated::read(c));
        } else {
            collect_media(c, out);
        }
    }
}

fn fi(name: &str, attrs: &[(&str, &str)]) -> Element {
    attr_element(HL7FI_NS, name, attrs)
}

fn fi_code(name: &str, c: &Code) -> Element {
    code_element(HL7FI_NS, name, c, None)
}

fn write_local(l: &LocalSocialHeader) -> Element {
    let mut h = Vec::new();
    if let Some(c) = &l.specific_type {
        h.push(fi_code("specificDocumentType", c));
    }
    if let Some(t) = &l.creation_time {
        h.push(fi("creationTime", &[("value", t)]));
    }
    if let Some(c) = &l.document_group {
        h.push(fi_code("documentGroup", c));
    }
    if let Some(c) = &l.file_format {
        h.push(fi_code("fileFormat", c));
    }
    if let Some(c) = &l.structured_file_format {
        h.push(fi_code("structuredFileFormat", c));
    }
    if let Some(s) = &l.software {
        let mut attrs = Vec::new();
        for (k, v) in [("moderator", &s.moderator), ("product", &s.product), ("version", &s.version)] {
            if let Some(v) = v {
                attrs.push((k, v.as_str()));
            }
        }
        h.push(fi("softwareSupport", &attrs));
    }
    if let Some(c) = &l.function_code {
        h.push(fi_code("functionCode", c));
    }
    for c in &l.social_services {
        h.push(fi_code("socialService", c));
    }
    if let Some(c) = &l.record_status {
        h.push(fi_code("recordStatus", c));
    }
    if let Some(c) = &l.registry_type {
        h.push(fi_code("registryType", c));
    }
    if let Some(o) = &l.organiser {
        h.push(Element { ns: HL7FI_NS.into(), ..o.to_element("outsourcingServiceCustomer") });
    }
    if let Some(n) = &l.organiser_name {
        if let Node::Element(e) = text_el(HL7FI_NS, "outsourcingServiceCustomerName", n) {
            h.push(e);
        }
    }
    if let Some(o) = &l.provider {
        h.push(Element { ns: HL7FI_NS.into(), ..o.to_element("serviceProvider") });
    }
    if let Some(o) = &l.operating_unit {
        h.push(Element { ns: HL7FI_NS.into(), ..o.to_element("operatingUnit") });
    }
    if let Some(c) = &l.retention_class {
        h.push(fi_code("totalRetentionPeriodClass", c));
    }
    if let Some(c) = &l.special_content {
        h.push(fi_code("specialContent", c));
    }
    if let Some(s) = &l.content_specification {
        if let Node::Element(e) = text_el(HL7FI_NS, "contentSpecificationId", s) {
            h.push(e);
        }
    }
    if let Some(o) = &l.client_relationship {
        h.push(Element { ns: HL7FI_NS.into(), ..o.to_element("encompassingClientRelationship") });
    }
    if l.service_process.is_some() || l.service_process_type.is_some() {
        let mut c = Vec::new();
        if let Some(t) = &l.service_process_type {
            if let Node::Element(e) = text_el(HL7FI_NS, "type", t) {
                c.push(e);
            }
        }
        if let Some(code) = &l.service_process {
            c.push(fi_code("code", code));
        }
        h.push(parent_element(HL7FI_NS, "serviceProcess", &[], c));
    }
    if let Some(t) = &l.restriction_argument {
        if let Node::Element(e) = text_el(HL7FI_NS, "authorizationRestrictionArgument", t) {
            h.push(e);
        }
    }
    if let Some(c) = &l.inaccessible_argument {
        h.push(fi_code("inaccessibleArgument", c));
    }
    if let Some(c) = &l.reason_of_correction {
        h.push(fi_code("reasonOfCorrection", c));
    }
    if let Some(s) = &l.professional_signature {
        let mut c = Vec::new();
        if let Some(x) = &s.signer {
            if let Node::Element(e) = text_el(HL7FI_NS, "assignedAuthorSigner", x) {
                c.push(e);
            }
        }
        if let Some(n) = &s.name {
            c.push(parent_element(HL7FI_NS, "signer", &[], vec![n.write(HL7FI_NS)]));
        }
        if let Some(m) = &s.method {
            c.push(fi_code("authenticationMethod", m));
        }
        if let Some(t) = &s.time {
            c.push(fi("time", &[("value", t)]));
        }
        h.push(parent_element(HL7FI_NS, "signature", &[], c));
    }
    Element {
        ns: HL7FI_NS.into(),
        name: "localSocialHeader".into(),
        attrs: vec![],
        children: h.into_iter().map(Node::Element).collect(),
    }
}

/// Writes the document as an element tree, in the order and spelling of real documents.
/// A `signatureCollection` is not written here (signing adds it over the written bytes).
pub fn write(d: &ClinicalDocument) -> Element {
    let mut c: Vec<Element> = vec![
        attr_element(HL7_NS, "realmCode", &[("code", "FI")]),
        attr_element(
            HL7_NS,
            "typeId",
            &[("extension", d.type_id.as_deref().unwrap_or("POCD_HD000040")), ("root", "2.16.840.1.113883.1.3")],
        ),
    ];
    for t in &d.template_ids {
        c.push(attr_element(HL7_NS, "templateId", &[("root", t)]));
    }
    if let Some(id) = &d.id {
        c.push(id.to_element("id"));
    }
    c.push(match &d.code {
        Some(code) => code_element(HL7_NS, "code", code, None),
        None => null_element(HL7_NS, "code"),
    });
    if let Some(t) = &d.title {
        if let Node::Element(e) = text_el(HL7_NS, "title", t) {
            c.push(e);
        }
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
    if let Some(rt) = &d.record_target {
        let mut patient = Vec::new();
        if let Some(n) = &rt.name {
            patient.push(n.write(HL7_NS));
        }
        if let Some(g) = &rt.gender {
            patient.push(code_element(HL7_NS, "administrativeGenderCode", g, None));
        }
        if let Some(b) = &rt.birth_time {
            patient.push(attr_element(HL7_NS, "birthTime", &[("value", b)]));
        }
        let mut role = Vec::new();
        if let Some(id) = &rt.id {
            role.push(id.to_element("id"));
        }
        role.push(parent_element(HL7_NS, "patient", &[], patient));
        c.push(parent_element(HL7_NS, "recordTarget", &[], vec![parent_element(HL7_NS, "patientRole", &[], role)]));
    }
    for a in &d.authors {
        let time = match &a.time {
            Some(t) => attr_element(HL7_NS, "time", &[("value", t)]),
            None => null_element(HL7_NS, "time"),
        };
        let mut aa = vec![match &a.id {
            Some(id) => id.to_element("id"),
            None => null_element(HL7_NS, "id"),
        }];
        if let Some(n) = &a.name {
            aa.push(parent_element(HL7_NS, "assignedPerson", &[], vec![n.write(HL7_NS)]));
        }
        c.push(parent_element(HL7_NS, "author", &[], vec![time, parent_element(HL7_NS, "assignedAuthor", &[], aa)]));
    }
    if let Some(org) = &d.custodian {
        c.push(parent_element(
            HL7_NS,
            "custodian",
            &[],
            vec![parent_element(HL7_NS, "assignedCustodian", &[], vec![org.write("representedCustodianOrganization")])],
        ));
    }
    if let Some(p) = &d.service_period {
        c.push(parent_element(
            HL7_NS,
            "documentationOf",
            &[],
            vec![parent_element(HL7_NS, "serviceEvent", &[], vec![p.write()])],
        ));
    }
    for rd in &d.related {
        let mut p = Vec::new();
        if let Some(id) = &rd.id {
            p.push(id.to_element("id"));
        }
        if let Some(s) = &rd.set_id {
            p.push(s.to_element("setId"));
        }
        if let Some(v) = &rd.version {
            p.push(attr_element(HL7_NS, "versionNumber", &[("value", v)]));
        }
        c.push(parent_element(
            HL7_NS,
            "relatedDocument",
            &[("typeCode", &rd.type_code)],
            vec![parent_element(HL7_NS, "parentDocument", &[], p)],
        ));
    }
    if let Some(mc) = &d.minor_consent {
        c.push(parent_element(
            HL7_NS,
            "authorization",
            &[],
            vec![parent_element(
                HL7_NS,
                "consent",
                &[],
                vec![
                    code_element(HL7_NS, "code", mc, None),
                    attr_element(HL7_NS, "statusCode", &[("code", "completed")]),
                ],
            )],
        ));
    }
    if let Some(e) = &d.encounter {
        let mut enc = vec![match &e.id {
            Some(id) => id.to_element("id"),
            None => null_element(HL7_NS, "id"),
        }];
        enc.push(match &e.period {
            Some(p) => p.write(),
            None => null_element(HL7_NS, "effectiveTime"),
        });
        let entity = |org: &Organisation| {
            parent_element(
                HL7_NS,
                "assignedEntity",
                &[],
                vec![null_element(HL7_NS, "id"), org.write("representedOrganization")],
            )
        };
        if let Some(r) = &e.responsible {
            enc.push(parent_element(HL7_NS, "responsibleParty", &[], vec![entity(r)]));
        }
        if let Some(u) = &e.service_unit {
            enc.push(parent_element(HL7_NS, "encounterParticipant", &[("typeCode", "ADM")], vec![entity(u)]));
        }
        c.push(parent_element(
            HL7_NS,
            "componentOf",
            &[],
            vec![parent_element(HL7_NS, "encompassingEncounter", &[], enc)],
        ));
    }
    if let Some(l) = &d.local {
        c.push(write_local(l));
    }
    let mut body = Vec::new();
    if d.body.text.is_some() || d.body.json.is_some() {
        let mut nx = Vec::new();
        if let Some(t) = &d.body.text {
            nx.push(t.write(HL7_NS, "text"));
        }
        if let Some(j) = &d.body.json {
            nx.push(j.write(HL7FI_NS, "json"));
        }
        let attrs: Vec<(&str, &str)> = d.body.id_attr.as_deref().map(|i| vec![("ID", i)]).unwrap_or_default();
        body.push(parent_element(HL7_NS, "nonXMLBody", &attrs, nx));
    }
    if !d.body.media.is_empty() {
        let entries = d
            .body
            .media
            .iter()
            .map(|m| {
                parent_element(
                    HL7_NS,
                    "entry",
                    &[],
                    vec![parent_element(
                        HL7_NS,
                        "observationMedia",
                        &[("classCode", "OBS"), ("moodCode", "EVN")],
                        vec![m.write(HL7_NS, "value")],
                    )],
                )
            })
            .collect();
        body.push(parent_element(
            HL7_NS,
            "structuredBody",
            &[],
            vec![parent_element(HL7_NS, "component", &[], vec![parent_element(HL7_NS, "section", &[], entries)])],
        ));
    }
    if !body.is_empty() {
        c.push(parent_element(HL7_NS, "component", &[], body));
    }
    Element {
        ns: HL7_NS.into(),
        name: "ClinicalDocument".into(),
        attrs: vec![],
        children: c.into_iter().map(Node::Element).collect(),
    }
}

/// The written document as bytes with an XML declaration, the way it travels in a MIME part.
pub fn to_bytes(d: &ClinicalDocument) -> Vec<u8> {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str(&write(d).to_xml_prefixed(&[("hl7fi", HL7FI_NS)]));
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{parse, Limits};

    fn sample() -> ClinicalDocument {
        let code = |c: &str, s: &str| Code { code: c.into(), system: s.into(), display: None };
        ClinicalDocument {
            type_id: Some("POCD_HD000040".into()),
            id: Some(InstanceId::root("1.2.246.10.99990010.95.1")),
            code: Some(code("15", "1.2.246.537.6.1506.201701")),
            effective_time: Some("20261120100000+0200".into()),
            confidentiality: Some(code("6", "1.2.246.777.5.99902.2006")),
            language: Some("fi".into()),
            set_id: Some(InstanceId::root("1.2.246.10.99990010.95.1")),
            version_number: Some("1".into()),
            record_target: Some(RecordTarget {
                id: Some(InstanceId { root: "1.2.246.21".into(), extension: Some("010181-900C".into()) }),
                name: Some(PersonName::new("Testinen", "Aino")),
                gender: Some(code("2", "1.2.246.537.5.1.1997")),
                birth_time: Some("19810101".into()),
            }),
            authors: vec![Author {
                time: None,
                id: Some(InstanceId { root: "1.2.246.537.26".into(), extension: Some("999000123".into()) }),
                name: Some(PersonName::new("Sosiaalityöntekijä", "Sanna")),
            }],
            custodian: Some(Organisation {
                id: Some(InstanceId::root("1.2.246.10.99990010.10.0")),
                name: Some("Testimaa".into()),
            }),
            minor_consent: Some(code("1", "1.2.246.537.6.1286.201901")),
            related: vec![RelatedDocument {
                type_code: "RPLC".into(),
                id: Some(InstanceId::root("1.2.3")),
                set_id: Some(InstanceId::root("1.2.3")),
                version: Some("1".into()),
            }],
            service_period: None,
            encounter: Some(Encounter {
                id: Some(InstanceId::root("1.2.246.10.99990010.96.1")),
                period: None,
                responsible: Some(Organisation::oid("1.2.246.10.99990010.10.0")),
                service_unit: Some(Organisation {
                    id: Some(InstanceId::root("1.2.246.10.99990010.10.11")),
                    name: Some("Yksikkö".into()),
                }),
            }),
            local: Some(LocalSocialHeader {
                specific_type: Some(code("15007", "1.2.246.537.6.1506.201701")),
                document_group: Some(code("5", "1.2.246.537.6.1505.201601")),
                function_code: Some(code("24", "1.2.246.537.6.1221.201601")),
                organiser: Some(InstanceId::root("1.2.246.10.99990010.10.0")),
                content_specification: Some("1.2.246.537.6.1506.15007.2024.11.28".into()),
                service_process_type: Some("Sosiaalihuollon palveluprosessi".into()),
                service_process: Some(code("3", "1.2.246.537.6.1277.201701")),
                social_services: vec![code("45", "1.2.246.537.6.1222.201601")],
                software: Some(Software {
                    moderator: Some("m".into()),
                    product: Some("p".into()),
                    version: Some("1".into()),
                }),
                ..Default::default()
            }),
            body: Body {
                id_attr: Some("OID1.2.246.10.99990010.95.1".into()),
                text: Some(Encapsulated::base64(
                    "application/xhtml+xml",
                    b"<div xmlns=\"http://www.w3.org/1999/xhtml\"/>",
                )),
                json: Some(Encapsulated {
                    media_type: None,
                    representation: None,
                    ..Encapsulated::base64("application/json", b"{}")
                }),
                media: vec![],
            },
            ..Default::default()
        }
    }

    #[test]
    fn writes_and_reads_back_the_same_document() {
        let d = sample();
        let bytes = to_bytes(&d);
        let e = parse(&bytes, Limits::default()).expect("well-formed");
        let (back, findings) = read(&e);
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(back, d);
        let text = String::from_utf8(bytes).expect("utf-8");
        assert!(text.contains("<hl7fi:localSocialHeader"), "{text}");
        assert!(text.contains("<nonXMLBody ID=\"OID1.2.246.10.99990010.95.1\">"), "{text}");
    }

    #[test]
    fn inline_content_decodes_through_comments_and_indentation() {
        let x = br#"<ClinicalDocument xmlns="urn:hl7-org:v3"><component><nonXMLBody>
            <text mediaType="application/xhtml+xml" representation="b64">
              <!-- the display form -->PGRpdi8+
            </text>
            <e:json xmlns:e="urn:hl7finland">
              e30=
            </e:json></nonXMLBody></component></ClinicalDocument>"#;
        let (d, _) = read(&parse(x, Limits::default()).expect("xml"));
        assert_eq!(d.body.text.and_then(|t| t.decode_inline()).and_then(Result::ok), Some(b"<div/>".to_vec()));
        assert_eq!(d.body.json.and_then(|t| t.decode_inline_as(true)).and_then(Result::ok), Some(b"{}".to_vec()));
    }

    #[test]
    fn duplicates_are_findings() {
        let x = br#"<ClinicalDocument xmlns="urn:hl7-org:v3"><id root="1"/><recordTarget><patientRole><id root="1.2.246.21" extension="010181-900C"/></patientRole></recordTarget><recordTarget/></ClinicalDocument>"#;
        let (_, f) = read(&parse(x, Limits::default()).expect("xml"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].location.as_deref(), Some("/ClinicalDocument/recordTarget"));
    }
}
