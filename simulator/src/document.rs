//! Documents: the CDA R2 header with the Finnish local header (hl7fi), turned
//! into typed [`Metadata`]; and the MIME package that carries the CDA and its
//! attachments inside the HL7 message.
//!
//! Owns: reading (never judging) a document. Values that cannot be read at all
//! (a timestamp that is not a timestamp) are reported here; whether a field is
//! required, a code valid or a reference resolvable is validation's business.
//! Element names of the social-welfare local header are our choice
//! (docs/messages.md), listed in `testdata/metadata-rules.toml`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::acks::{Detail, DetailCode};
use crate::codes::Code;
use crate::compose::Part;
use crate::hetu::HETU_ROOT;
use crate::message::InstanceId;
use crate::xml::{self, Element};

/// The Finnish local header namespace.
pub const HL7FI_NS: &str = "urn:hl7finland";

/// Which model a document follows (declared in `hl7fi:documentModel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum DocumentModel {
    /// I vaiheen asiakirja — phase I (2018–): prescribed content, PDF/XHTML.
    Vaihe1,
    /// II vaiheen asiakirja — phase II (2021–): adds service unit and specific type.
    Vaihe2,
    /// Client Data Act joining-obligation model (2024–): structured documents.
    Liittymisvelvoite,
    /// Vanha asiakasasiakirja — made before the organisation joined.
    Vanha,
}

impl DocumentModel {
    /// From the header code.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "vaihe1" => DocumentModel::Vaihe1,
            "vaihe2" => DocumentModel::Vaihe2,
            "liittymisvelvoite" => DocumentModel::Liittymisvelvoite,
            "vanha" => DocumentModel::Vanha,
            _ => return None,
        })
    }

    /// The header code.
    pub fn code(self) -> &'static str {
        match self {
            DocumentModel::Vaihe1 => "vaihe1",
            DocumentModel::Vaihe2 => "vaihe2",
            DocumentModel::Liittymisvelvoite => "liittymisvelvoite",
            DocumentModel::Vanha => "vanha",
        }
    }
}

/// What a document is, from its document group and model.
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
    /// Kanta-informointi — record that Kanta information was given (group 10, choice).
    Informing,
}

impl DocumentKind {
    /// Derives the kind from document group code and model.
    pub fn from_group(group: &str, model: Option<DocumentModel>) -> Option<Self> {
        Some(match group {
            "1" => DocumentKind::Asiakkuus,
            "2" => DocumentKind::Asia,
            "8" => DocumentKind::Consent,
            "9" => DocumentKind::Prohibition,
            "10" => DocumentKind::Informing,
            _ => DocumentKind::Client(model?),
        })
    }

    /// The column of `testdata/metadata-rules.toml` that applies.
    pub fn rules_column(self) -> &'static str {
        match self {
            DocumentKind::Asiakkuus => "asiakkuus",
            DocumentKind::Asia => "asia",
            DocumentKind::Client(DocumentModel::Vaihe1) => "vaihe1",
            DocumentKind::Client(DocumentModel::Vaihe2) => "vaihe2",
            DocumentKind::Client(DocumentModel::Vanha) => "vanha",
            DocumentKind::Client(DocumentModel::Liittymisvelvoite) => "lv",
            DocumentKind::Consent | DocumentKind::Prohibition | DocumentKind::Informing => "tahto",
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

/// A reference from the CDA body to a MIME part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodyRef {
    /// Content-ID referenced (without `cid:`).
    pub content_id: String,
    /// Declared media type.
    pub media_type: String,
    /// Declared integrity check (base64 digest), if any.
    #[serde(default)]
    pub integrity_check: Option<String>,
    /// Its algorithm (SHA-256 or SHA-1).
    #[serde(default)]
    pub integrity_algorithm: Option<String>,
    /// Path of the referencing element.
    pub location: String,
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

/// The metadata of one document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// Document id (root[:extension]).
    pub document_id: Option<String>,
    /// Set id shared by all versions.
    pub set_id: Option<String>,
    /// Version number (1, 2, …).
    pub version: Option<u32>,
    /// Register (1.2.246.537.6.1264).
    pub register: Option<Code>,
    /// Title.
    pub title: Option<String>,
    /// Creation time.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub effective_time: Option<OffsetDateTime>,
    /// Confidentiality.
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
    /// Controller (rekisterinpitäjä): custodian id.
    pub controller: Option<String>,
    /// The document this one replaces.
    pub replaces: Option<ParentRef>,
    /// Sosmeta structure template ids (1.2.246.537.6.1505.* / 1506.*).
    pub structures: Vec<String>,
    /// Declared model.
    pub model: Option<DocumentModel>,
    /// Declared model code as sent (kept when unknown).
    pub model_code: Option<String>,
    /// Document group (1505).
    pub document_group: Option<Code>,
    /// Client document type (1506) — the specific type.
    pub document_type: Option<Code>,
    /// General document type (Arvio, Päätös, …).
    pub general_type: Option<String>,
    /// Service task (1221).
    pub service_task: Option<Code>,
    /// Social services (1222).
    pub social_services: Vec<Code>,
    /// Process phase (1277).
    pub process_phase: Option<Code>,
    /// Case id (asiatunnus).
    pub case_id: Option<String>,
    /// Organiser (palvelunjärjestäjä).
    pub organiser: Option<String>,
    /// Producer (palveluntuottaja).
    pub producer: Option<String>,
    /// Provider (palvelun toteuttaja).
    pub provider: Option<String>,
    /// Service unit (palveluyksikkö).
    pub service_unit: Option<String>,
    /// Operating unit (toimintayksikkö).
    pub operating_unit: Option<String>,
    /// Record status.
    pub record_status: Option<Code>,
    /// Custodian type (public/private).
    pub custodian_type: Option<Code>,
    /// Retention period class.
    pub retention_class: Option<Code>,
    /// Start of the period the document covers (cases: opened).
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub period_start: Option<OffsetDateTime>,
    /// End of the period (cases: closed).
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub period_end: Option<OffsetDateTime>,
    /// Body references to MIME parts.
    pub body: Vec<BodyRef>,
    /// Whether a signatureCollection with a signature is present.
    pub signed: bool,
    /// Software that made the document.
    pub software: Option<String>,
}

/// Parses an HL7 TS value (`YYYYMMDD[HH[MM[SS[.s]]]][+ZZZZ]`); no zone means UTC.
pub fn parse_ts(v: &str) -> Option<OffsetDateTime> {
    let v = v.trim();
    let (main, zone) = match v.find(['+', '-']) {
        Some(i) if i >= 8 => (&v[..i], Some(&v[i..])),
        _ => (v, None),
    };
    let main = main.split('.').next()?;
    if main.len() < 8 || main.len() > 14 || main.len() % 2 != 0 || !main.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| main.get(r).map(|s| s.parse::<u32>().ok()).unwrap_or(Some(0));
    let year = num(0..4)? as i32;
    let month = time::Month::try_from(num(4..6)? as u8).ok()?;
    let day = num(6..8)? as u8;
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    let t = time::Time::from_hms(num(8..10)? as u8, num(10..12)? as u8, num(12..14)? as u8).ok()?;
    let offset = match zone {
        None => time::UtcOffset::UTC,
        Some(z) if z.len() == 5 => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let h: i8 = z[1..3].parse().ok()?;
            let m: i8 = z[3..5].parse().ok()?;
            time::UtcOffset::from_hms(sign * h, sign * m, 0).ok()?
        }
        Some(_) => return None,
    };
    Some(time::PrimitiveDateTime::new(date, t).assume_offset(offset))
}

fn code_of(e: &Element) -> Option<Code> {
    let code = e.attr("code")?.trim();
    if code.is_empty() {
        return None;
    }
    Some(Code {
        code: code.to_string(),
        system: e.attr("codeSystem").unwrap_or_default().trim().to_string(),
        display: e.attr("displayName").map(str::to_string),
    })
}

fn id_of(e: &Element) -> Option<String> {
    InstanceId::from_element(e).map(|i| i.to_string())
}

fn text_of(e: &Element) -> Option<String> {
    let t = e.text();
    (!t.is_empty()).then_some(t)
}

fn name_text(e: &Element) -> String {
    let mut parts = Vec::new();
    for n in e.elements() {
        let t = n.text();
        if !t.is_empty() {
            parts.push(t);
        }
    }
    if parts.is_empty() {
        e.text()
    } else {
        parts.join(" ")
    }
}

/// Reads the header of a `ClinicalDocument`. Values that are present but unreadable are reported.
pub fn parse(cda: &Element) -> (Metadata, Vec<Detail>) {
    let mut m = Metadata::default();
    let mut problems = Vec::new();
    let loc = |p: &str| format!("/ClinicalDocument/{p}");
    m.document_id = cda.child("id").and_then(id_of);
    m.set_id = cda.child("setId").and_then(id_of);
    if let Some(v) = cda.child("versionNumber") {
        match v.attr("value").map(str::trim).and_then(|s| s.parse::<u32>().ok()) {
            Some(n) if n >= 1 => m.version = Some(n),
            _ => problems.push(
                Detail::new(
                    DetailCode::BadValue,
                    format!("versionNumber/@value = '{}'", v.attr("value").unwrap_or("")),
                )
                .at(loc("versionNumber")),
            ),
        }
    }
    m.register = cda.child("code").and_then(code_of);
    m.title = cda.child("title").and_then(text_of);
    if let Some(t) = cda.child("effectiveTime") {
        let raw = t.attr("value").unwrap_or_default();
        match parse_ts(raw) {
            Some(ts) => m.effective_time = Some(ts),
            None => problems
                .push(Detail::new(DetailCode::BadTime, format!("effectiveTime = '{raw}'")).at(loc("effectiveTime"))),
        }
    }
    m.confidentiality = cda.child("confidentialityCode").and_then(code_of);
    m.language = cda.child("languageCode").and_then(|e| e.attr("code")).map(str::to_string);
    m.structures = cda
        .children_named("templateId")
        .filter_map(|t| t.attr("root"))
        .filter(|r| r.starts_with("1.2.246.537.6.1505.") || r.starts_with("1.2.246.537.6.1506."))
        .map(str::to_string)
        .collect();
    if let Some(pr) = cda.path(&["recordTarget", "patientRole"]) {
        if let Some(id) = pr.child("id") {
            m.client = Some(ClientId {
                root: id.attr("root").unwrap_or_default().trim().to_string(),
                extension: id.attr("extension").unwrap_or_default().trim().to_string(),
            });
        }
        if let Some(name) = pr.path(&["patient", "name"]) {
            m.client_family_name = name.child("family").and_then(text_of);
            let given: Vec<String> = name.children_named("given").map(|g| g.text()).filter(|s| !s.is_empty()).collect();
            if !given.is_empty() {
                m.client_given_names = Some(given.join(" "));
            }
        }
    }
    for a in cda.children_named("author") {
        if let Some(aa) = a.child("assignedAuthor") {
            if let Some(id) = aa.child("id").and_then(InstanceId::from_element) {
                let name = aa.path(&["assignedPerson", "name"]).map(name_text).unwrap_or_default();
                m.authors.push(Author { id, name });
            }
        }
    }
    m.controller =
        cda.path(&["custodian", "assignedCustodian", "representedCustodianOrganization", "id"]).and_then(id_of);
    for rd in cda.children_named("relatedDocument") {
        if rd.attr("typeCode") == Some("RPLC") {
            let p = rd.child("parentDocument");
            m.replaces = Some(ParentRef {
                id: p.and_then(|p| p.child("id")).and_then(id_of),
                set_id: p.and_then(|p| p.child("setId")).and_then(id_of),
                version: p
                    .and_then(|p| p.child("versionNumber"))
                    .and_then(|v| v.attr("value"))
                    .and_then(|v| v.trim().parse().ok()),
            });
        }
    }
    if let Some(period) = cda.path(&["documentationOf", "serviceEvent", "effectiveTime"]) {
        for (name, slot) in [("low", &mut m.period_start), ("high", &mut m.period_end)] {
            if let Some(v) = period.child(name).and_then(|e| e.attr("value")) {
                match parse_ts(v) {
                    Some(t) => *slot = Some(t),
                    None => problems.push(
                        Detail::new(DetailCode::BadTime, format!("serviceEvent/effectiveTime/{name} = '{v}'"))
                            .at(loc(&format!("documentationOf/serviceEvent/effectiveTime/{name}"))),
                    ),
                }
            }
        }
    }
    if let Some(lh) = cda.child_ns(HL7FI_NS, "localHeader") {
        let c = |n: &str| lh.child_ns(HL7FI_NS, n).and_then(code_of);
        let id = |n: &str| lh.child_ns(HL7FI_NS, n).and_then(id_of);
        m.model_code = lh.child_ns(HL7FI_NS, "documentModel").and_then(|e| e.attr("code")).map(str::to_string);
        m.model = m.model_code.as_deref().and_then(DocumentModel::parse);
        m.document_group = c("documentGroup");
        m.document_type = c("documentType");
        m.general_type = lh
            .child_ns(HL7FI_NS, "generalDocumentType")
            .and_then(|e| e.attr("displayName").or(e.attr("code")).map(str::to_string).or_else(|| text_of(e)));
        m.service_task = c("serviceTask");
        m.social_services =
            lh.elements().filter(|e| e.ns == HL7FI_NS && e.name == "socialService").filter_map(code_of).collect();
        m.process_phase = c("processPhase");
        m.case_id = id("caseId");
        m.organiser = id("organiser");
        m.producer = id("producer");
        m.provider = id("provider");
        m.service_unit = id("serviceUnit");
        m.operating_unit = id("operatingUnit");
        m.record_status = c("recordStatus");
        m.custodian_type = c("custodianTypeCode");
        m.retention_class = c("retentionPeriodClass");
        m.software = lh.child_ns(HL7FI_NS, "softwareSupport").and_then(|s| {
            let p = s.attr("product")?;
            Some(format!("{p} {}", s.attr("version").unwrap_or("")).trim().to_string())
        });
        m.signed = lh
            .child_ns(HL7FI_NS, "signatureCollection")
            .is_some_and(|sc| sc.elements().any(|e| e.name == "signature" || e.name == "Signature"));
    }
    if let Some(body) = cda.child("component") {
        collect_refs(body, "/ClinicalDocument/component", &mut m.body);
    }
    (m, problems)
}

fn collect_refs(e: &Element, path: &str, out: &mut Vec<BodyRef>) {
    for c in e.elements() {
        let p = format!("{path}/{}", c.name);
        if let (Some(mt), Some(r)) = (c.attr("mediaType"), c.child("reference")) {
            if let Some(v) = r.attr("value") {
                out.push(BodyRef {
                    content_id: v.trim().trim_start_matches("cid:").to_string(),
                    media_type: mt.to_string(),
                    integrity_check: c.attr("integrityCheck").map(str::to_string),
                    integrity_algorithm: c.attr("integrityCheckAlgorithm").map(str::to_string),
                    location: format!("{p}/reference"),
                });
                continue;
            }
        }
        collect_refs(c, &p, out);
    }
}

/// A document as it arrived: what the wrapper said, the MIME parts, and the parsed CDA.
#[derive(Debug, Clone)]
pub struct Package {
    /// Wrapper `clinicalDocument/id`.
    pub wrapper_id: Option<String>,
    /// Wrapper `clinicalDocument/code` (document group).
    pub wrapper_group: Option<String>,
    /// Wrapper setId.
    pub wrapper_set_id: Option<String>,
    /// Wrapper versionNumber.
    pub wrapper_version: Option<u32>,
    /// MIME parts in order; the first is the CDA.
    pub parts: Vec<Part>,
    /// The CDA element.
    pub cda: Element,
}

/// Reads the wrapper's `clinicalDocument`: decodes its MIME multipart and parses the CDA root part.
pub fn unpack(cd: &Element, base: &str) -> Result<Package, Vec<Detail>> {
    let wrapper_id = cd.child("id").and_then(id_of);
    let wrapper_group = cd.child("code").and_then(|c| c.attr("code")).map(str::to_string);
    let wrapper_set_id = cd.child("setId").and_then(id_of);
    let wrapper_version = cd.child("versionNumber").and_then(|v| v.attr("value")).and_then(|v| v.trim().parse().ok());
    let text_loc = format!("{base}/clinicalDocument/text");
    let Some(text) = cd.child("text") else {
        return Err(vec![Detail::new(DetailCode::MissingElement, &text_loc).at(text_loc)]);
    };
    let mime = text.text();
    let parts =
        parse_multipart(mime.as_bytes()).map_err(|e| vec![Detail::new(DetailCode::BadMime, e).at(&text_loc)])?;
    let Some(root) = parts.first() else {
        return Err(vec![Detail::new(DetailCode::BadMime, "no MIME parts").at(&text_loc)]);
    };
    let cda = xml::parse(&root.bytes, xml::Limits::default()).map_err(|e| {
        vec![Detail::new(DetailCode::BadCda, format!("root part <{}>: {e}", root.content_id)).at(&text_loc)]
    })?;
    if cda.name != "ClinicalDocument" || cda.ns != crate::message::HL7_NS {
        return Err(vec![Detail::new(
            DetailCode::BadCda,
            format!("root part is {{{}}}{}, expected {{urn:hl7-org:v3}}ClinicalDocument", cda.ns, cda.name),
        )
        .at(text_loc)]);
    }
    Ok(Package { wrapper_id, wrapper_group, wrapper_set_id, wrapper_version, parts, cda })
}

/// Splits a `multipart/related` entity into parts, decoding base64 bodies.
/// The part named by the `start` parameter comes first.
pub fn parse_multipart(bytes: &[u8]) -> Result<Vec<Part>, String> {
    // The text node may have lost its CRLFs to pretty-printing; mailparse accepts LF.
    let trimmed: Vec<u8> = {
        let s = String::from_utf8_lossy(bytes);
        let lines: Vec<&str> = s.lines().map(str::trim).collect();
        lines.join("\r\n").into_bytes()
    };
    let mail = mailparse::parse_mail(&trimmed).map_err(|e| format!("not a MIME entity: {e}"))?;
    if !mail.ctype.mimetype.starts_with("multipart/") {
        return Err(format!("content type is {}, expected multipart/related", mail.ctype.mimetype));
    }
    let start = mail.ctype.params.get("start").map(|s| s.trim_matches(['<', '>']).to_string());
    let mut parts = Vec::new();
    for (i, sub) in mail.subparts.iter().enumerate() {
        let cid = sub
            .headers
            .iter()
            .find(|h| h.get_key().eq_ignore_ascii_case("Content-ID"))
            .map(|h| h.get_value().trim().trim_matches(['<', '>']).to_string())
            .ok_or_else(|| format!("part {} has no Content-ID", i + 1))?;
        let cte = sub
            .headers
            .iter()
            .find(|h| h.get_key().eq_ignore_ascii_case("Content-Transfer-Encoding"))
            .map(|h| h.get_value().trim().to_ascii_lowercase());
        if cte.as_deref() != Some("base64") {
            return Err(format!("part <{cid}> must be base64 (Content-Transfer-Encoding: base64)"));
        }
        let bytes = sub.get_body_raw().map_err(|e| format!("part <{cid}> is not valid base64: {e}"))?;
        let disp = sub.get_content_disposition();
        let declared_size = match disp.params.get("size") {
            Some(s) => Some(s.trim().parse::<u64>().map_err(|_| format!("part <{cid}> has size='{s}', not a number"))?),
            None => None,
        };
        parts.push(Part { content_id: cid, media_type: sub.ctype.mimetype.clone(), bytes, declared_size });
    }
    if let Some(start) = start {
        if let Some(i) = parts.iter().position(|p| p.content_id == start) {
            let p = parts.remove(i);
            parts.insert(0, p);
        } else {
            return Err(format!("start=<{start}> names no part"));
        }
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ts_with_and_without_zone() {
        assert_eq!(parse_ts("20261120").map(|t| t.date()), Some(time::macros::date!(2026 - 11 - 20)));
        let t = parse_ts("20261120103000+0200").expect("ts");
        assert_eq!(t.to_offset(time::UtcOffset::UTC).hour(), 8);
        assert!(parse_ts("2026-11-20").is_none());
        assert!(parse_ts("20261340").is_none());
        assert!(parse_ts("").is_none());
    }

    #[test]
    fn multipart_round_trips_through_compose() {
        let parts = vec![
            Part::new("doc1", "text/xml", b"<a/>".to_vec()),
            Part::new("pdf1", "application/pdf", b"%PDF-1.7".to_vec()),
        ];
        let m = crate::compose::mime_multipart(&parts);
        let back = parse_multipart(m.as_bytes()).expect("parses");
        assert_eq!(back, parts);
    }

    #[test]
    fn broken_base64_is_named() {
        let m = "Content-Type: multipart/related; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/xml\r\nContent-Transfer-Encoding: base64\r\nContent-ID: <x>\r\n\r\n!!!notbase64!!!\r\n--b--\r\n";
        let e = parse_multipart(m.as_bytes()).expect_err("bad");
        assert!(e.contains("<x>"), "{e}");
    }
}
