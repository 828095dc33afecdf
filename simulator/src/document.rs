//! Documents as the archive understands them: a read CDA
//! ([`crate::wire::cda::ClinicalDocument`]) turned into typed [`Metadata`],
//! its kind derived from real header fields ([`DocumentKind`], by the table
//! in `testdata/document-kinds.toml`), and its content — display form,
//! structured form, attachments — decoded ([`Contents`]).
//!
//! Owns: the meaning of header fields (which element is the service unit,
//! the organiser, the case) and reading values that cannot be read at all (a
//! time that is not a time). Whether a field is required, a code valid or a
//! reference resolvable is validation's business. Must not know the wire
//! syntax beyond the typed values `wire` hands it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::acks::{Detail, DetailCode};
use crate::codes::Code;
use crate::hetu::HETU_ROOT;
use crate::wire::cda::{ClinicalDocument, Encapsulated};
use crate::wire::frame::same_system;
use crate::wire::hl7::{parse_ts, InstanceId};
use crate::wire::mime::Part;

/// Which era's model a client document follows — derived, never declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum DocumentModel {
    /// I vaiheen asiakirja — phase I (2018–): prescribed content, PDF/XHTML display form.
    Vaihe1,
    /// II vaiheen asiakirja — phase II (2021–): adds service unit and specific type; no structured form.
    Vaihe2,
    /// Structured Client Data Act document (2024–): display form plus Sosmeta JSON.
    Liittymisvelvoite,
    /// Vanha asiakasasiakirja — made before the organisation joined.
    Vanha,
}

impl DocumentModel {
    /// The code used in tables, queries and reports.
    pub fn code(self) -> &'static str {
        match self {
            DocumentModel::Vaihe1 => "vaihe1",
            DocumentModel::Vaihe2 => "vaihe2",
            DocumentModel::Liittymisvelvoite => "rakenteinen",
            DocumentModel::Vanha => "vanha",
        }
    }

    /// From [`DocumentModel::code`] (the old name `liittymisvelvoite` is accepted too).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "vaihe1" => DocumentModel::Vaihe1,
            "vaihe2" => DocumentModel::Vaihe2,
            "rakenteinen" | "liittymisvelvoite" => DocumentModel::Liittymisvelvoite,
            "vanha" => DocumentModel::Vanha,
            _ => return None,
        })
    }
}

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// Asiakkuusasiakirja — clienthood document (group 1).
    Asiakkuus,
    /// Asia-asiakirja — case document (group 2).
    Asia,
    /// Asiakasasiakirja — client document of the given model.
    Client(DocumentModel),
    /// Luovutuslupa-asiakirja — disclosure consent (group 8).
    Consent,
    /// Kieltoasiakirja — disclosure prohibition (group 9).
    Prohibition,
    /// Kanta-informointi — record that Kanta information was given (choice).
    Informing,
}

impl DocumentKind {
    /// The code of `testdata/document-kinds.toml` and of the rule table's columns.
    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::Asiakkuus => "asiakkuus",
            DocumentKind::Asia => "asia",
            DocumentKind::Client(m) => m.code(),
            DocumentKind::Consent => "luovutuslupa",
            DocumentKind::Prohibition => "kielto",
            DocumentKind::Informing => "informointi",
        }
    }

    /// From [`DocumentKind::code`].
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "asiakkuus" => DocumentKind::Asiakkuus,
            "asia" => DocumentKind::Asia,
            "luovutuslupa" => DocumentKind::Consent,
            "kielto" => DocumentKind::Prohibition,
            "informointi" => DocumentKind::Informing,
            other => DocumentKind::Client(DocumentModel::parse(other)?),
        })
    }

    /// The column of `testdata/metadata-rules.toml` that applies.
    pub fn rules_column(self) -> &'static str {
        match self {
            DocumentKind::Consent | DocumentKind::Prohibition | DocumentKind::Informing => "tahto",
            other => other.code(),
        }
    }

    /// Finnish name for people.
    pub fn finnish(self) -> &'static str {
        match self {
            DocumentKind::Asiakkuus => "asiakkuusasiakirja",
            DocumentKind::Asia => "asia-asiakirja",
            DocumentKind::Client(DocumentModel::Vaihe1) => "I vaiheen asiakasasiakirja",
            DocumentKind::Client(DocumentModel::Vaihe2) => "II vaiheen asiakasasiakirja",
            DocumentKind::Client(DocumentModel::Vanha) => "vanha asiakasasiakirja",
            DocumentKind::Client(DocumentModel::Liittymisvelvoite) => "rakenteinen asiakasasiakirja",
            DocumentKind::Consent => "luovutuslupa-asiakirja",
            DocumentKind::Prohibition => "kieltoasiakirja",
            DocumentKind::Informing => "Kanta-informointi",
        }
    }

    /// Whether it is a declaration of intent (consent, prohibition, informing).
    pub fn is_declaration(self) -> bool {
        matches!(self, DocumentKind::Consent | DocumentKind::Prohibition | DocumentKind::Informing)
    }
}

/// One row of `testdata/document-kinds.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KindRow {
    /// Document group code (1.2.246.537.6.1505).
    pub group: String,
    /// When set, the row applies only to documents with (true) or without (false) a structured form.
    #[serde(default)]
    pub structured: Option<bool>,
    /// The kind's code.
    pub kind: String,
    /// seen, inferred or choice — and why.
    pub status: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KindFile {
    #[serde(rename = "kind")]
    rows: Vec<KindRow>,
}

/// The compiled-in derivation table.
pub const KINDS_TOML: &str = include_str!("../../testdata/document-kinds.toml");

/// How a document's kind follows from its document group and whether it is structured.
#[derive(Debug, Clone)]
pub struct KindTable {
    rows: Vec<(KindRow, DocumentKind)>,
}

impl KindTable {
    /// Parses the table, checking every kind name.
    pub fn parse(text: &str) -> Result<Self, String> {
        let f: KindFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut rows = Vec::new();
        for r in f.rows {
            let k = DocumentKind::parse(&r.kind).ok_or_else(|| format!("unknown kind '{}'", r.kind))?;
            rows.push((r, k));
        }
        Ok(KindTable { rows })
    }

    /// The built-in table.
    pub fn builtin() -> &'static KindTable {
        static T: std::sync::OnceLock<KindTable> = std::sync::OnceLock::new();
        T.get_or_init(|| match KindTable::parse(&crate::tables::text("document-kinds.toml", KINDS_TOML)) {
            Ok(t) => t,
            // Compiled in and checked by a unit test.
            Err(e) => panic!("testdata/document-kinds.toml: {e}"),
        })
    }

    /// The kind of a document in `group`, structured or not.
    pub fn kind(&self, group: &str, structured: bool) -> Option<DocumentKind> {
        self.rows
            .iter()
            .find(|(r, _)| r.group == group && r.structured.is_none_or(|s| s == structured))
            .map(|(_, k)| *k)
    }

    /// The document group a kind is written with.
    pub fn group_of(&self, kind: DocumentKind) -> Option<&str> {
        self.rows.iter().find(|(_, k)| *k == kind).map(|(r, _)| r.group.as_str())
    }

    /// All rows.
    pub fn rows(&self) -> impl Iterator<Item = &KindRow> {
        self.rows.iter().map(|(r, _)| r)
    }
}

/// How the client is identified.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClientId {
    /// Root OID: 1.2.246.21 for a hetu, an organisation arc for a temporary id.
    pub root: String,
    /// The identifier.
    pub extension: String,
}

impl ClientId {
    /// Whether the root says hetu.
    pub fn is_hetu(&self) -> bool {
        self.root == HETU_ROOT
    }

    /// Index key: the hetu in upper case, or `root:extension` for other ids.
    pub fn key(&self) -> String {
        if self.is_hetu() {
            self.extension.trim().to_ascii_uppercase()
        } else {
            format!("{}:{}", self.root, self.extension)
        }
    }
}

/// A professional who authored the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    /// Professional id.
    pub id: InstanceId,
    /// Name as given.
    #[serde(default)]
    pub name: String,
}

/// The parent named by `relatedDocument typeCode="RPLC"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParentRef {
    /// Parent document id.
    pub id: Option<String>,
    /// Parent set id.
    pub set_id: Option<String>,
    /// Parent version.
    pub version: Option<u32>,
}

/// The metadata of one document, by meaning (docs/messages.md maps each to its element).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// Document id (root[:extension]).
    pub document_id: Option<String>,
    /// Set id shared by all versions.
    pub set_id: Option<String>,
    /// Version number (1, 2, …).
    pub version: Option<u32>,
    /// Register (`localSocialHeader/registryType`, 1.2.246.537.6.1264).
    pub register: Option<Code>,
    /// Title (real documents carry none).
    pub title: Option<String>,
    /// Creation time (`effectiveTime`).
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub effective_time: Option<OffsetDateTime>,
    /// `localSocialHeader/creationTime`.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub creation_time: Option<OffsetDateTime>,
    /// Confidentiality (1.2.246.777.5.99902).
    pub confidentiality: Option<Code>,
    /// Language.
    pub language: Option<String>,
    /// Client.
    pub client: Option<ClientId>,
    /// Client's family name.
    pub client_family_name: Option<String>,
    /// Client's given names.
    pub client_given_names: Option<String>,
    /// Authors.
    pub authors: Vec<Author>,
    /// `author/time`, when given.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub author_time: Option<OffsetDateTime>,
    /// Controller (rekisterinpitäjä): the custodian.
    pub controller: Option<String>,
    /// Controller's name as sent.
    #[serde(default)]
    pub controller_name: Option<String>,
    /// The document this one replaces.
    pub replaces: Option<ParentRef>,
    /// `contentSpecificationId`: the Sosmeta structure with its date version.
    #[serde(default)]
    pub content_specification: Option<String>,
    /// Whether the document carries a structured form (`hl7fi:json`).
    #[serde(default)]
    pub structured: bool,
    /// Document group (1505).
    pub document_group: Option<Code>,
    /// Specific client document type (`specificDocumentType`, 1506).
    pub document_type: Option<Code>,
    /// General document type (the CDA `code`, 1506: 15 Suunnitelma …).
    #[serde(default)]
    pub general_type: Option<Code>,
    /// Service task (`functionCode`, 1221).
    pub service_task: Option<Code>,
    /// Social services (1222).
    pub social_services: Vec<Code>,
    /// Service process phase (`serviceProcess/code`, 1277).
    pub process_phase: Option<Code>,
    /// Case id (`componentOf/encompassingEncounter/id`).
    pub case_id: Option<String>,
    /// Organiser (palvelunjärjestäjä, `outsourcingServiceCustomer`).
    pub organiser: Option<String>,
    /// Producer (palveluntuottaja, `encompassingEncounter/responsibleParty`).
    pub producer: Option<String>,
    /// Provider (palvelun toteuttaja, `serviceProvider`, choice).
    pub provider: Option<String>,
    /// Service unit (palveluyksikkö, `encounterParticipant typeCode="ADM"`).
    pub service_unit: Option<String>,
    /// Service unit's name as sent.
    #[serde(default)]
    pub service_unit_name: Option<String>,
    /// Operating unit (toimintayksikkö, `operatingUnit`, choice).
    pub operating_unit: Option<String>,
    /// Record status (40154).
    pub record_status: Option<Code>,
    /// Retention period class (1258).
    pub retention_class: Option<Code>,
    /// Special content (K/E).
    #[serde(default)]
    pub special_content: Option<Code>,
    /// Display form format (1502).
    #[serde(default)]
    pub file_format: Option<Code>,
    /// Structured form format (40179).
    #[serde(default)]
    pub structured_file_format: Option<Code>,
    /// Clienthood id (`encompassingClientRelationship`).
    #[serde(default)]
    pub client_relationship: Option<String>,
    /// A minor's documents to guardians (`authorization/consent/code`, 1286).
    #[serde(default)]
    pub minor_consent: Option<Code>,
    /// Why OmaKanta shows it late or not at all (1288).
    #[serde(default)]
    pub inaccessible_argument: Option<Code>,
    /// Start of the period the document covers (cases: opened).
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub period_start: Option<OffsetDateTime>,
    /// End of the period (cases: closed).
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub period_end: Option<OffsetDateTime>,
    /// Whether a signatureCollection holds a signature.
    pub signed: bool,
    /// Signature types present (40127: 1 professional, 3 system).
    #[serde(default)]
    pub signature_types: Vec<String>,
    /// Software that made the document.
    pub software: Option<String>,
}

fn parse_time(raw: &Option<String>, loc: &str, what: &str, out: &mut Vec<Detail>) -> Option<OffsetDateTime> {
    let v = raw.as_deref()?;
    let t = parse_ts(v);
    if t.is_none() {
        out.push(Detail::new(DetailCode::BadTime, format!("{what} = '{v}'")).at(loc));
    }
    t
}

fn key(id: &Option<InstanceId>) -> Option<String> {
    id.as_ref().map(InstanceId::key)
}

/// The metadata a read document states. Values present but unreadable are reported.
pub fn metadata(d: &ClinicalDocument) -> (Metadata, Vec<Detail>) {
    let mut p = Vec::new();
    let lh = d.local.clone().unwrap_or_default();
    const L: &str = "/ClinicalDocument/hl7fi:localSocialHeader";
    let mut m = Metadata {
        document_id: key(&d.id),
        set_id: key(&d.set_id),
        register: lh.registry_type.clone(),
        title: d.title.clone(),
        confidentiality: d.confidentiality.clone(),
        language: d.language.clone(),
        controller: d.custodian.as_ref().and_then(|c| c.key()),
        controller_name: d.custodian.as_ref().and_then(|c| c.name.clone()),
        content_specification: lh.content_specification.clone(),
        structured: d.body.json.is_some(),
        document_group: lh.document_group.clone(),
        document_type: lh.specific_type.clone(),
        general_type: d.code.clone(),
        service_task: lh.function_code.clone(),
        social_services: lh.social_services.clone(),
        process_phase: lh.service_process.clone(),
        case_id: d.encounter.as_ref().and_then(|e| key(&e.id)),
        organiser: key(&lh.organiser),
        producer: d.encounter.as_ref().and_then(|e| e.responsible.as_ref()).and_then(|o| o.key()),
        provider: key(&lh.provider),
        service_unit: d.encounter.as_ref().and_then(|e| e.service_unit.as_ref()).and_then(|o| o.key()),
        service_unit_name: d.encounter.as_ref().and_then(|e| e.service_unit.as_ref()).and_then(|o| o.name.clone()),
        operating_unit: key(&lh.operating_unit),
        record_status: lh.record_status.clone(),
        retention_class: lh.retention_class.clone(),
        special_content: lh.special_content.clone(),
        file_format: lh.file_format.clone(),
        structured_file_format: lh.structured_file_format.clone(),
        client_relationship: key(&lh.client_relationship),
        minor_consent: d.minor_consent.clone(),
        inaccessible_argument: lh.inaccessible_argument.clone(),
        signed: lh.signatures.iter().any(|s| s.has_dsig),
        signature_types: lh.signatures.iter().filter_map(|s| s.description.as_ref().map(|c| c.code.clone())).collect(),
        software: lh.software.as_ref().and_then(|s| {
            let p = s.product.as_deref()?;
            Some(format!("{p} {}", s.version.as_deref().unwrap_or("")).trim().to_string())
        }),
        ..Default::default()
    };
    if let Some(v) = &d.version_number {
        match v.trim().parse::<u32>() {
            Ok(n) if n >= 1 => m.version = Some(n),
            _ => p.push(
                Detail::new(DetailCode::BadValue, format!("versionNumber/@value = '{v}'"))
                    .at("/ClinicalDocument/versionNumber"),
            ),
        }
    }
    m.effective_time = parse_time(&d.effective_time, "/ClinicalDocument/effectiveTime", "effectiveTime", &mut p);
    m.creation_time = parse_time(&lh.creation_time, &format!("{L}/hl7fi:creationTime"), "creationTime", &mut p);
    if let Some(rt) = &d.record_target {
        if let Some(id) = &rt.id {
            m.client = Some(ClientId { root: id.root.clone(), extension: id.extension.clone().unwrap_or_default() });
        }
        if let Some(n) = &rt.name {
            m.client_family_name = n.family_text();
            m.client_given_names = n.given_text();
        }
    }
    for a in &d.authors {
        if let Some(id) = &a.id {
            m.authors.push(Author { id: id.clone(), name: a.name.as_ref().map(|n| n.display()).unwrap_or_default() });
        }
        if m.author_time.is_none() {
            m.author_time = parse_time(&a.time, "/ClinicalDocument/author/time", "author/time", &mut p);
        }
    }
    if let Some(rd) = d.related.iter().find(|r| r.type_code.eq_ignore_ascii_case("RPLC")) {
        m.replaces = Some(ParentRef {
            id: key(&rd.id),
            set_id: key(&rd.set_id),
            version: rd.version.as_deref().and_then(|v| v.trim().parse().ok()),
        });
    }
    // The period a case covers: the encounter's effectiveTime (real), or documentationOf (choice).
    let period = d.encounter.as_ref().and_then(|e| e.period.clone()).or_else(|| d.service_period.clone());
    if let Some(per) = period {
        m.period_start = parse_time(
            &per.low,
            "/ClinicalDocument/componentOf/encompassingEncounter/effectiveTime/low",
            "effectiveTime/low",
            &mut p,
        );
        m.period_end = parse_time(
            &per.high,
            "/ClinicalDocument/componentOf/encompassingEncounter/effectiveTime/high",
            "effectiveTime/high",
            &mut p,
        );
    }
    (m, p)
}

/// The kind a document's metadata says it is, by the derivation table; `None` when the group is unknown.
pub fn kind_of(m: &Metadata, table: &KindTable) -> Option<DocumentKind> {
    let group = m.document_group.as_ref()?;
    table.kind(group.code.trim(), m.structured || m.content_specification.as_deref().is_some_and(|s| !s.is_empty()))
}

/// Where a piece of content came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    /// Inline in the CDA body.
    Inline,
    /// A MIME part of the package, by Content-ID.
    Part(String),
}

/// A piece of content of a document, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    /// Its media type (as declared; structured forms are `application/json`).
    pub media_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Where it came from.
    pub source: Source,
    /// The element that declares it.
    pub location: String,
    /// Declared size (MIME parts).
    pub declared_size: Option<u64>,
    /// Declared integrity check and algorithm.
    pub integrity: Option<(String, Option<String>)>,
}

/// A document's contents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contents {
    /// The display form (näyttömuoto).
    pub display: Option<Content>,
    /// The structured form (rakenteinen muoto): Sosmeta JSON.
    pub structured: Option<Content>,
    /// Further content referenced from the body.
    pub attachments: Vec<Content>,
    /// The structured form parsed, once, by the first rule that asks ([`Contents::json_result`]).
    parsed: ParsedJson,
}

/// A structured form's parse, made on first use and shared by every rule that reads the form
/// (validation, Sosmeta, the archive's own rules). Not part of a document's value: two
/// contents are equal whether or not one was parsed.
#[derive(Debug, Clone, Default)]
struct ParsedJson(std::sync::OnceLock<Result<serde_json::Value, String>>);

impl PartialEq for ParsedJson {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for ParsedJson {}

impl Contents {
    /// Every piece, display first.
    pub fn all(&self) -> impl Iterator<Item = &Content> {
        self.display.iter().chain(self.structured.iter()).chain(self.attachments.iter())
    }

    /// The structured form parsed, when there is one and it parses.
    pub fn json(&self) -> Option<&serde_json::Value> {
        self.json_result()?.as_ref().ok()
    }

    /// The structured form's parse (strict: a key twice is an error), when there is one.
    pub fn json_result(&self) -> Option<&Result<serde_json::Value, String>> {
        let s = self.structured.as_ref()?;
        Some(self.parsed.0.get_or_init(|| crate::json::parse(&s.bytes).map_err(|e| e.to_string())))
    }
}

fn resolve(
    e: &Encapsulated,
    base64_by_default: bool,
    default_type: &str,
    loc: &str,
    parts: &[Part],
    problems: &mut Vec<Detail>,
) -> Option<Content> {
    let media_type = e.media_type.clone().unwrap_or_else(|| default_type.to_string());
    let integrity = e.integrity_check.clone().map(|h| (h, e.integrity_algorithm.clone()));
    if let Some(r) = e.decode_inline_as(base64_by_default) {
        return match r {
            Ok(bytes) => Some(Content {
                media_type,
                bytes,
                source: Source::Inline,
                location: loc.to_string(),
                declared_size: None,
                integrity,
            }),
            Err(why) => {
                problems.push(
                    Detail::new(DetailCode::BadValue, format!("{loc}: the base64 content does not decode ({why})"))
                        .at(loc),
                );
                None
            }
        };
    }
    if let Some(cid) = &e.reference {
        return match parts.iter().find(|p| &p.content_id == cid) {
            Some(p) => Some(Content {
                media_type,
                bytes: p.bytes.clone(),
                source: Source::Part(cid.clone()),
                location: format!("{loc}/reference"),
                declared_size: p.declared_size,
                integrity,
            }),
            None => {
                problems
                    .push(Detail::new(DetailCode::PartMissing, format!("cid:{cid}")).at(format!("{loc}/reference")));
                None
            }
        };
    }
    problems.push(
        Detail::new(DetailCode::MissingField, format!("content of {loc} (inline base64 or a reference)")).at(loc),
    );
    None
}

/// Decodes a document's contents from its body and the package's other parts.
pub fn contents(d: &ClinicalDocument, parts: &[Part]) -> (Contents, Vec<Detail>) {
    let mut problems = Vec::new();
    let mut c = Contents::default();
    const B: &str = "/ClinicalDocument/component/nonXMLBody";
    if let Some(t) = &d.body.text {
        c.display = resolve(t, false, "application/xhtml+xml", &format!("{B}/text"), parts, &mut problems);
    }
    if let Some(j) = &d.body.json {
        c.structured = resolve(j, true, "application/json", &format!("{B}/hl7fi:json"), parts, &mut problems);
        if let Some(s) = c.structured.as_mut() {
            s.media_type = "application/json".into();
        }
    }
    for (i, m) in d.body.media.iter().enumerate() {
        let loc = format!(
            "/ClinicalDocument/component/structuredBody/component/section/entry[{}]/observationMedia/value",
            i + 1
        );
        if let Some(content) = resolve(m, false, "application/octet-stream", &loc, parts, &mut problems) {
            // In the health-archive packaging the JSON travels as one more part.
            if content.media_type == "application/json" && c.structured.is_none() {
                c.structured = Some(content);
            } else if c.display.is_none() && content.media_type != "application/json" {
                c.display = Some(content);
            } else {
                c.attachments.push(content);
            }
        }
    }
    (c, problems)
}

/// Whether a code's system is `base`, with or without a version suffix.
pub fn in_system(c: &Code, base: &str) -> bool {
    same_system(&c.system, base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_table_parses_and_derives_kinds_from_group_and_form() {
        let t = KindTable::parse(KINDS_TOML).expect("table");
        assert_eq!(t.kind("1", true), Some(DocumentKind::Asiakkuus));
        assert_eq!(t.kind("5", true), Some(DocumentKind::Client(DocumentModel::Liittymisvelvoite)));
        assert_eq!(t.kind("5", false), Some(DocumentKind::Client(DocumentModel::Vaihe2)));
        assert_eq!(t.kind("77", false), None);
        for k in [
            DocumentKind::Asiakkuus,
            DocumentKind::Asia,
            DocumentKind::Client(DocumentModel::Vaihe1),
            DocumentKind::Client(DocumentModel::Vaihe2),
            DocumentKind::Client(DocumentModel::Liittymisvelvoite),
            DocumentKind::Client(DocumentModel::Vanha),
            DocumentKind::Consent,
            DocumentKind::Prohibition,
            DocumentKind::Informing,
        ] {
            assert!(t.group_of(k).is_some(), "{k:?} has no group");
            assert_eq!(DocumentKind::parse(k.code()), Some(k));
        }
    }
}
