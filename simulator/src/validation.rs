//! Validation: the archive's content rules (docs/rules.md), each a function
//! returning its findings with their stable detail codes.
//!
//! Owns: rules that need only the document itself, the clock and the code
//! sets — mandatory fields (1), codes (2), client id (3), payload (7), times
//! (8), the wrapper/CDA agreement and the system signature. Rules that need
//! the archive's content (4 profile, 5 references, 6 versions) live in the
//! archive. Pure: no storage, no I/O.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::Deserialize;
use sha2::Digest;
use time::OffsetDateTime;

use crate::acks::{Detail, DetailCode};
use crate::codes::{oids, Code, CodeCheck, CodeSets};
use crate::command::Incoming;
use crate::document::{Content, DocumentKind, DocumentModel, Metadata, Source};
use crate::hetu::Hetu;
use crate::wire::hl7::ts;
use crate::xml;

/// One row of `testdata/metadata-rules.toml`.
#[derive(Debug, Clone, Deserialize)]
pub struct FieldRule {
    /// Field name (see [`field_present`]).
    pub name: String,
    /// Where it sits in the CDA.
    pub element: String,
    /// Requirement per kind column: R, C, O or -.
    #[serde(flatten)]
    pub columns: BTreeMap<String, toml::Value>,
}

/// One `[[value]]` row: a coded field that, when a document of the listed kinds carries it,
/// must have one value (e.g. recordStatus 3, ready for archiving).
#[derive(Debug, Clone, Deserialize)]
pub struct ValueRule {
    /// Field name (see [`field_present`]); a coded field.
    pub field: String,
    /// The only value allowed.
    pub equals: String,
    /// Kind columns it applies to.
    pub kinds: Vec<String>,
    /// The detail code a different value gets.
    pub detail: String,
    /// Where the rule comes from.
    #[serde(default)]
    pub source: String,
}

#[derive(Deserialize)]
struct RulesFile {
    field: Vec<FieldRule>,
    #[serde(default)]
    value: Vec<ValueRule>,
}

/// The compiled-in metadata rules.
pub const METADATA_RULES_TOML: &str = include_str!("../../testdata/metadata-rules.toml");

/// The mandatory-field table.
#[derive(Debug, Clone)]
pub struct MetadataRules {
    fields: Vec<FieldRule>,
    values: Vec<ValueRule>,
}

impl MetadataRules {
    /// Parses rule text, checking every field name is known.
    pub fn parse(text: &str) -> Result<Self, String> {
        let f: RulesFile = toml::from_str(text).map_err(|e| e.to_string())?;
        for r in &f.field {
            if field_present(&Metadata::default(), &r.name).is_none() {
                return Err(format!("unknown field '{}'", r.name));
            }
        }
        for v in &f.value {
            if coded_field(&Metadata::default(), &v.field).is_none() {
                return Err(format!("[[value]]: '{}' is not a coded field", v.field));
            }
            if DetailCode::parse(&v.detail).is_none() {
                return Err(format!("[[value]] {}: unknown detail code '{}'", v.field, v.detail));
            }
        }
        Ok(MetadataRules { fields: f.field, values: f.value })
    }

    /// The built-in table.
    pub fn builtin() -> &'static MetadataRules {
        static R: std::sync::OnceLock<MetadataRules> = std::sync::OnceLock::new();
        R.get_or_init(|| match MetadataRules::parse(&crate::tables::text("metadata-rules.toml", METADATA_RULES_TOML)) {
            Ok(r) => r,
            // Compiled in and checked by a unit test.
            Err(e) => panic!("testdata/metadata-rules.toml: {e}"),
        })
    }

    fn requirement<'a>(&'a self, rule: &'a FieldRule, column: &str) -> &'a str {
        rule.columns.get(column).and_then(|v| v.as_str()).unwrap_or("O")
    }

    /// The rows.
    pub fn fields(&self) -> &[FieldRule] {
        &self.fields
    }

    /// The value rules.
    pub fn values(&self) -> &[ValueRule] {
        &self.values
    }
}

/// A coded field by name: `Some(None)` when absent, `None` for a name that is not a coded field.
fn coded_field<'a>(m: &'a Metadata, name: &str) -> Option<Option<&'a Code>> {
    Some(match name {
        "register" => m.register.as_ref(),
        "confidentiality" => m.confidentiality.as_ref(),
        "document_group" => m.document_group.as_ref(),
        "general_type" => m.general_type.as_ref(),
        "document_type" => m.document_type.as_ref(),
        "service_task" => m.service_task.as_ref(),
        "process_phase" => m.process_phase.as_ref(),
        "record_status" => m.record_status.as_ref(),
        _ => return None,
    })
}

/// Rule 1, values: a field that must have one value for the document's kind (the
/// `[[value]]` rows of the metadata table).
pub fn required_values(m: &Metadata, kind: DocumentKind, ctx: &Context<'_>) -> Vec<Detail> {
    let col = kind.rules_column();
    let mut out = Vec::new();
    for v in ctx.rules.values.iter().filter(|v| v.kinds.iter().any(|k| k == col)) {
        let Some(Some(code)) = coded_field(m, &v.field) else { continue };
        if code.code != v.equals {
            let detail = DetailCode::parse(&v.detail).unwrap_or(DetailCode::CodeCombination);
            let element = ctx.rules.fields.iter().find(|f| f.name == v.field).map(|f| f.element.clone());
            let d = Detail::new(detail, format!("{} = {}, expected {}", v.field, code.code, v.equals));
            out.push(match element {
                Some(e) => d.at(e),
                None => d,
            });
        }
    }
    out
}

/// Whether a named field is present in `m`; `None` for an unknown name.
pub fn field_present(m: &Metadata, name: &str) -> Option<bool> {
    Some(match name {
        "document_id" => m.document_id.is_some(),
        "set_id" => m.set_id.is_some(),
        "version" => m.version.is_some(),
        "register" => m.register.is_some(),
        "title" => m.title.is_some(),
        "effective_time" => m.effective_time.is_some(),
        "confidentiality" => m.confidentiality.is_some(),
        "client" => m.client.as_ref().is_some_and(|c| !c.extension.is_empty() && !c.root.is_empty()),
        "author" => !m.authors.is_empty(),
        "controller" => m.controller.is_some(),
        "document_group" => m.document_group.is_some(),
        "general_type" => m.general_type.is_some(),
        "document_type" => m.document_type.is_some(),
        "service_task" => m.service_task.is_some(),
        "social_service" => !m.social_services.is_empty(),
        "process_phase" => m.process_phase.is_some(),
        "case_id" => m.case_id.is_some(),
        "organiser" => m.organiser.is_some(),
        "producer" => m.producer.is_some(),
        "provider" => m.provider.is_some(),
        "service_unit" => m.service_unit.is_some(),
        "operating_unit" => m.operating_unit.is_some(),
        "record_status" => m.record_status.is_some(),
        "content_specification" => m.content_specification.is_some(),
        _ => return None,
    })
}

/// What the rules need besides the document.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Simulated now.
    pub now: OffsetDateTime,
    /// Code sets.
    pub codes: &'a CodeSets,
    /// Mandatory-field table.
    pub rules: &'a MetadataRules,
    /// How signatures are judged.
    pub signatures: SignaturePolicy<'a>,
}

/// How signatures are judged: the CAs a signer may chain to, and whether the sending system is
/// in strict signature mode (`strict_signature` in the registry): findings that do not mean
/// forgery are errors there and warnings elsewhere (`lenient` in testdata/ack-codes.toml).
#[derive(Debug, Clone, Copy)]
pub struct SignaturePolicy<'a> {
    /// Strict mode.
    pub strict: bool,
    /// Trusted CAs.
    pub trust: &'a crate::dsig::Trust,
}

/// The name of the general document type a document declares (its `code`) or
/// implies through its specific type.
pub fn general_type(m: &Metadata, codes: &CodeSets) -> Option<String> {
    m.general_type.as_ref().and_then(|g| codes.name(oids::DOCUMENT_TYPE, &g.code)).map(str::to_string).or_else(|| {
        m.document_type
            .as_ref()
            .and_then(|t| codes.entry(oids::DOCUMENT_TYPE, &t.code))
            .and_then(|e| e.general_type.clone())
    })
}

/// Rule 1: mandatory and conditionally mandatory fields.
pub fn required_fields(m: &Metadata, kind: DocumentKind, ctx: &Context<'_>) -> Vec<Detail> {
    let col = kind.rules_column();
    let mut out = Vec::new();
    for r in &ctx.rules.fields {
        let present = field_present(m, &r.name).unwrap_or(true);
        match ctx.rules.requirement(r, col) {
            "R" if !present => {
                out.push(Detail::new(DetailCode::MissingField, format!("{} ({})", r.name, r.element)).at(&r.element))
            }
            "C" if !present => {
                let types: Vec<String> = r
                    .columns
                    .get("condition_general_types")
                    .and_then(|v| v.as_array())
                    .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                    .unwrap_or_default();
                if let Some(g) = general_type(m, ctx.codes) {
                    if types.iter().any(|t| t == &g) {
                        out.push(
                            Detail::new(
                                DetailCode::MissingConditional,
                                format!("{} ({}) — general type {g}", r.name, r.element),
                            )
                            .at(&r.element),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The finding, if any, for one coded value checked against its code set.
pub fn code_finding(
    field: &str,
    loc: &str,
    expected: &str,
    code: &Code,
    ctx: &Context<'_>,
    at: time::Date,
    dated: bool,
) -> Option<Detail> {
    let shown = format!("{field} = {} ({})", code.code, code.system);
    match ctx.codes.check(expected, code, at) {
        CodeCheck::Valid => None,
        CodeCheck::WrongSystem { expected } => {
            Some(Detail::new(DetailCode::CodeWrongSystem, format!("{shown}, expected code system {expected}")).at(loc))
        }
        CodeCheck::Unknown => Some(Detail::new(DetailCode::CodeUnknown, shown).at(loc)),
        CodeCheck::UnknownInPartialSet => Some(Detail::new(DetailCode::CodeUnknownPartial, shown).at(loc)),
        CodeCheck::NotValidOn { validity } if dated => Some(
            Detail::new(DetailCode::CodeNotValidOn, format!("{shown}, valid {validity}, document dated {at}")).at(loc),
        ),
        CodeCheck::NotValidOn { .. } => None,
        CodeCheck::OtherVersion { known } => {
            Some(Detail::new(DetailCode::CodeSystemVersion, format!("{shown}; the simulator holds {known}")).at(loc))
        }
    }
}

fn check_unit(out: &mut Vec<Detail>, field: &str, loc: &str, oid: &str, want_kind: Option<&str>, ctx: &Context<'_>) {
    match ctx.codes.entry(oids::SOTE_ORGANISATION, oid) {
        // An open register we hold only a sample of cannot make a real unit invalid; one
        // warning per organisation, however many fields name it.
        None if out.iter().any(|d| d.code == DetailCode::UnknownUnit && d.en.contains(&format!("= {oid})"))) => {}
        None => out.push(Detail::new(DetailCode::UnknownUnit, format!("{field} = {oid}")).at(loc)),
        Some(e) => {
            if let Some(k) = want_kind {
                if e.kind.as_deref() != Some(k) {
                    out.push(
                        Detail::new(
                            DetailCode::CodeCombination,
                            format!(
                                "{field} = {oid} is a {} in the SOTE register, expected {k}",
                                e.kind.as_deref().unwrap_or("?")
                            ),
                        )
                        .at(loc),
                    );
                }
            }
        }
    }
}

const LH: &str = "/ClinicalDocument/hl7fi:localSocialHeader/hl7fi:";

/// Rule 2: every coded value from its code set, valid at the document's date
/// (old documents: membership only — they predate many code-set versions; choice).
pub fn coded_values(m: &Metadata, kind: DocumentKind, ctx: &Context<'_>) -> Vec<Detail> {
    let mut out = Vec::new();
    let at = m.effective_time.unwrap_or(ctx.now).date();
    let dated = kind != DocumentKind::Client(DocumentModel::Vanha);
    let singles: Vec<(&str, String, &str, &Option<Code>)> = vec![
        ("register", format!("{LH}registryType"), oids::REGISTER, &m.register),
        ("confidentiality", "/ClinicalDocument/confidentialityCode".into(), oids::CONFIDENTIALITY, &m.confidentiality),
        ("document_group", format!("{LH}documentGroup"), oids::DOCUMENT_GROUP, &m.document_group),
        ("document_type", format!("{LH}specificDocumentType"), oids::DOCUMENT_TYPE, &m.document_type),
        ("general_type", "/ClinicalDocument/code".into(), oids::DOCUMENT_TYPE, &m.general_type),
        ("service_task", format!("{LH}functionCode"), oids::SERVICE_TASK, &m.service_task),
        ("process_phase", format!("{LH}serviceProcess/hl7fi:code"), oids::PROCESS_PHASE, &m.process_phase),
        ("record_status", format!("{LH}recordStatus"), oids::RECORD_STATUS, &m.record_status),
        ("retention_class", format!("{LH}totalRetentionPeriodClass"), oids::RETENTION_CLASS, &m.retention_class),
        ("special_content", format!("{LH}specialContent"), oids::SPECIAL_CONTENT, &m.special_content),
        ("file_format", format!("{LH}fileFormat"), oids::DISPLAY_FORMAT, &m.file_format),
        ("structured_file_format", format!("{LH}structuredFileFormat"), oids::FILE_FORMAT, &m.structured_file_format),
        (
            "minor_consent",
            "/ClinicalDocument/authorization/consent/code".into(),
            oids::MINOR_DISCLOSURE,
            &m.minor_consent,
        ),
        (
            "inaccessible_argument",
            format!("{LH}inaccessibleArgument"),
            oids::OMAKANTA_RESTRICTION,
            &m.inaccessible_argument,
        ),
    ];
    for (field, loc, oid, code) in singles {
        if let Some(c) = code {
            out.extend(code_finding(field, &loc, oid, c, ctx, at, dated));
        }
    }
    for c in &m.social_services {
        out.extend(code_finding(
            "social_service",
            &format!("{LH}socialService"),
            oids::SOCIAL_SERVICE,
            c,
            ctx,
            at,
            dated,
        ));
    }
    // The general type (code) must be a general type, and agree with the specific type's.
    if let Some(g) = &m.general_type {
        if let Some(e) = ctx.codes.entry(oids::DOCUMENT_TYPE, &g.code) {
            if e.kind.as_deref() != Some("yleinen") {
                out.push(
                    Detail::new(
                        DetailCode::CodeCombination,
                        format!(
                            "code {} is a specific document type; ClinicalDocument/code takes the general type",
                            g.code
                        ),
                    )
                    .at("/ClinicalDocument/code"),
                );
            }
        }
        if let (Some(t), Some(name)) = (&m.document_type, ctx.codes.name(oids::DOCUMENT_TYPE, &g.code)) {
            if let Some(expected) =
                ctx.codes.entry(oids::DOCUMENT_TYPE, &t.code).and_then(|e| e.general_type.as_deref())
            {
                if expected != name {
                    out.push(
                        Detail::new(
                            DetailCode::CodeCombination,
                            format!(
                                "document type {} is a {expected}, but the general type {} is {name}",
                                t.code, g.code
                            ),
                        )
                        .at("/ClinicalDocument/code"),
                    );
                }
            }
        }
    }
    if let Some(t) = &m.document_type {
        if ctx.codes.entry(oids::DOCUMENT_TYPE, &t.code).is_some_and(|e| e.kind.as_deref() == Some("yleinen")) {
            out.push(
                Detail::new(
                    DetailCode::CodeCombination,
                    format!("specificDocumentType {} is a general document type", t.code),
                )
                .at(format!("{LH}specificDocumentType")),
            );
        }
    }
    if let Some(c) = &m.controller {
        check_unit(
            &mut out,
            "controller",
            "/ClinicalDocument/custodian/assignedCustodian/representedCustodianOrganization/id",
            c,
            Some("controller"),
            ctx,
        );
    }
    for (field, loc, v, want) in [
        ("organiser", format!("{LH}outsourcingServiceCustomer"), &m.organiser, None),
        (
            "producer",
            "/ClinicalDocument/componentOf/encompassingEncounter/responsibleParty".to_string(),
            &m.producer,
            None,
        ),
        ("provider", format!("{LH}serviceProvider"), &m.provider, None),
        (
            "service_unit",
            "/ClinicalDocument/componentOf/encompassingEncounter/encounterParticipant".to_string(),
            &m.service_unit,
            Some("palveluyksikko"),
        ),
        ("operating_unit", format!("{LH}operatingUnit"), &m.operating_unit, Some("toimintayksikko")),
    ] {
        if let Some(oid) = v {
            check_unit(&mut out, field, &loc, oid, want, ctx);
            if want.is_some() {
                unit_belongs(&mut out, m, field, &loc, oid, ctx);
            }
        }
    }
    out
}

/// A unit the SOTE extract knows must belong to an organisation the document names as its
/// controller, producer or provider; a unit it does not know was already a warning.
fn unit_belongs(out: &mut Vec<Detail>, m: &Metadata, field: &str, loc: &str, oid: &str, ctx: &Context<'_>) {
    let Some(parent) = ctx.codes.entry(oids::SOTE_ORGANISATION, oid).and_then(|e| e.parent.as_deref()) else {
        return;
    };
    let named = [&m.controller, &m.producer, &m.provider];
    if named.iter().any(|o| o.as_deref() == Some(parent)) {
        return;
    }
    let owner = ctx.codes.name(oids::SOTE_ORGANISATION, parent).unwrap_or(parent);
    out.push(
        Detail::new(
            DetailCode::UnitOfAnotherOrganisation,
            format!(
                "{field} = {oid} belongs to {parent} ({owner}); the document names controller {}, producer {}",
                m.controller.as_deref().unwrap_or("-"),
                m.producer.as_deref().unwrap_or("-")
            ),
        )
        .at(loc),
    );
}

/// Rule 3: the client id — a valid test hetu, or a temporary id where allowed.
pub fn client_id(m: &Metadata, kind: DocumentKind, ctx: &Context<'_>) -> Vec<Detail> {
    let loc = "/ClinicalDocument/recordTarget/patientRole/id";
    let Some(c) = &m.client else { return vec![] };
    if c.extension.is_empty() {
        return vec![];
    }
    if c.is_hetu() {
        return match Hetu::parse(&c.extension) {
            Err(e) => vec![Detail::new(DetailCode::InvalidHetu, format!("{}: {e}", c.extension)).at(loc)],
            Ok(h) if h.birth_date() > ctx.now.date() => {
                vec![Detail::new(
                    DetailCode::InvalidHetu,
                    format!("{}: birth date {} is in the future", h, h.birth_date()),
                )
                .at(loc)]
            }
            Ok(h) if !h.is_test() => vec![Detail::new(DetailCode::NotTestHetu, h.as_str()).at(loc)],
            Ok(_) => vec![],
        };
    }
    let own_root = m.controller.as_deref().is_some_and(|ctrl| c.root.starts_with(&format!("{ctrl}.")));
    if !own_root {
        return vec![Detail::new(DetailCode::UnknownClientIdRoot, &c.root).at(format!("{loc}/@root"))];
    }
    // Temporary ids: phase II onwards (SPEC §4 rule 3); never in declarations of intent (§8.3).
    let allowed = match kind {
        DocumentKind::Client(DocumentModel::Vaihe2) | DocumentKind::Client(DocumentModel::Liittymisvelvoite) => true,
        DocumentKind::Asiakkuus | DocumentKind::Asia => m.structured,
        _ => false,
    };
    if allowed {
        vec![]
    } else {
        vec![Detail::new(
            DetailCode::TemporaryIdNotAllowed,
            format!("{}:{} in a {}", c.root, c.extension, kind.finnish()),
        )
        .at(loc)]
    }
}

/// Rule 8: no time in the future, periods end after they start.
pub fn times(m: &Metadata, ctx: &Context<'_>) -> Vec<Detail> {
    let mut out = Vec::new();
    let now = ts(ctx.now);
    let mut seen = Vec::new();
    for (t, loc) in [
        (m.effective_time, "/ClinicalDocument/effectiveTime"),
        (m.author_time, "/ClinicalDocument/author/time"),
        (m.creation_time, "/ClinicalDocument/hl7fi:localSocialHeader/hl7fi:creationTime"),
        (m.period_start, "/ClinicalDocument/componentOf/encompassingEncounter/effectiveTime/low"),
    ] {
        // The same instant written in several places is one finding, at its first place.
        if let Some(t) = t.filter(|t| *t > ctx.now && !seen.contains(t)) {
            seen.push(t);
            out.push(Detail::new(DetailCode::FutureTime, &now).at(loc));
        }
    }
    if let (Some(s), Some(e)) = (m.period_start, m.period_end) {
        if e < s {
            out.push(
                Detail::new(DetailCode::EndBeforeStart, format!("{} < {}", ts(e), ts(s)))
                    .at("/ClinicalDocument/componentOf/encompassingEncounter/effectiveTime/high"),
            );
        }
    }
    out
}

/// Display-form media types accepted per kind of document (SPEC §3; choice where silent).
pub fn accepted_media_types(kind: DocumentKind) -> &'static [&'static str] {
    match kind {
        DocumentKind::Client(DocumentModel::Vaihe1) | DocumentKind::Client(DocumentModel::Vanha) => {
            &["application/pdf", "application/xhtml+xml"]
        }
        DocumentKind::Client(_) => &["application/xhtml+xml", "application/pdf"],
        DocumentKind::Asiakkuus
        | DocumentKind::Asia
        | DocumentKind::Consent
        | DocumentKind::Prohibition
        | DocumentKind::Informing => &["application/xhtml+xml", "application/json"],
    }
}

/// Rule 7: the content is there, of an accepted type, matching its type and
/// any declared size or hash.
pub fn payload(doc: &Incoming, kind: DocumentKind) -> Vec<Detail> {
    let mut out = Vec::new();
    if doc.contents.display.is_none() && doc.contents.structured.is_none() {
        out.push(
            Detail::new(DetailCode::MissingField, "content (component/nonXMLBody/text)")
                .at("/ClinicalDocument/component"),
        );
    }
    let accepted = accepted_media_types(kind);
    let display_and_more = doc.contents.display.iter().chain(doc.contents.attachments.iter());
    for c in display_and_more {
        let mt = c.media_type.to_ascii_lowercase();
        if !accepted.contains(&mt.as_str()) {
            out.push(
                Detail::new(
                    DetailCode::MediaTypeNotAccepted,
                    format!("{} in a {} (accepted: {})", c.media_type, kind.finnish(), accepted.join(", ")),
                )
                .at(&c.location),
            );
            continue;
        }
        out.extend(content_checks(c, None));
    }
    if let Some(s) = &doc.contents.structured {
        // Phase I and old documents have a display form only (SPEC §3).
        if matches!(kind, DocumentKind::Client(DocumentModel::Vaihe1) | DocumentKind::Client(DocumentModel::Vanha)) {
            out.push(
                Detail::new(
                    DetailCode::MediaTypeNotAccepted,
                    format!(
                        "a structured form (application/json) in a {} (accepted: {})",
                        kind.finnish(),
                        accepted.join(", ")
                    ),
                )
                .at(&s.location),
            );
        } else {
            out.extend(content_checks(s, doc.contents.json_result()));
        }
    }
    out
}

/// `json`: the content's parse when it was made already (the structured form's).
fn content_checks(c: &Content, json: Option<&Result<serde_json::Value, String>>) -> Vec<Detail> {
    let mut out = Vec::new();
    let name = match &c.source {
        Source::Inline => c.location.clone(),
        Source::Part(cid) => format!("<{cid}>"),
    };
    if let Some(n) = c.declared_size {
        if n != c.bytes.len() as u64 {
            out.push(
                Detail::new(DetailCode::SizeMismatch, format!("{name} declares {n} bytes, holds {}", c.bytes.len()))
                    .at(&c.location),
            );
        }
    }
    if let Some((h, alg)) = &c.integrity {
        let alg = alg.as_deref().unwrap_or("SHA-1");
        if !alg.eq_ignore_ascii_case("SHA-256") {
            out.push(
                Detail::new(
                    DetailCode::HashMismatch,
                    format!("integrityCheckAlgorithm {alg} is not supported; use SHA-256"),
                )
                .at(&c.location),
            );
        } else {
            let actual = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&c.bytes));
            if actual != h.trim() {
                out.push(
                    Detail::new(DetailCode::HashMismatch, format!("{name}: declared {h}, actual {actual}"))
                        .at(&c.location),
                );
            }
        }
    }
    match json.filter(|_| c.media_type.eq_ignore_ascii_case("application/json")) {
        Some(Err(e)) => out.push(bad_json(&name, e, &c.location)),
        Some(Ok(_)) => {}
        None => out.extend(content(&c.media_type, &c.bytes, &name, &c.location)),
    }
    out
}

/// Checks content against its media type.
pub fn content(media_type: &str, bytes: &[u8], name: &str, loc: &str) -> Vec<Detail> {
    match media_type.to_ascii_lowercase().as_str() {
        "application/pdf" => check_pdf(bytes)
            .err()
            .map(|e| Detail::new(DetailCode::BadPdf, format!("{name}: {e}")).at(loc))
            .into_iter()
            .collect(),
        "application/xhtml+xml" | "text/html" => check_xhtml(bytes, name, loc),
        "application/json" => match crate::json::parse(bytes) {
            Ok(_) => vec![],
            Err(e) => vec![bad_json(name, e, loc)],
        },
        _ => vec![],
    }
}

/// A JSON content that does not parse (SHA-R705), however it was parsed.
fn bad_json(name: &str, e: impl std::fmt::Display, loc: &str) -> Detail {
    Detail::new(DetailCode::BadJson, format!("{name}: {e}")).at(loc)
}

/// PDF/A checks: header, trailer, cross-reference, and a PDF/A identification in the XMP metadata.
pub fn check_pdf(b: &[u8]) -> Result<(), String> {
    if !b.starts_with(b"%PDF-1.") && !b.starts_with(b"%PDF-2.") {
        return Err("does not start with a PDF header (%PDF-1.x)".into());
    }
    let tail = &b[b.len().saturating_sub(1024)..];
    if !contains(tail, b"%%EOF") {
        return Err("no %%EOF marker at the end (truncated?)".into());
    }
    if !contains(tail, b"startxref") {
        return Err("no startxref (cross-reference) before the end".into());
    }
    if !contains(b, b"pdfaid:part") {
        return Err("not PDF/A: no pdfaid:part in the XMP metadata".into());
    }
    Ok(())
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The XHTML namespace.
pub const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

fn check_xhtml(bytes: &[u8], name: &str, loc: &str) -> Vec<Detail> {
    let limits = xml::Limits { allow_plain_doctype: true, ..xml::Limits::default() };
    let root = match xml::parse(bytes, limits) {
        Ok(r) => r,
        Err(e) => return vec![Detail::new(DetailCode::BadXhtml, format!("{name}: {e}")).at(loc)],
    };
    // Real display forms are an XHTML fragment (a div in the XHTML namespace) or a whole page.
    if root.ns != XHTML_NS && root.name != "html" {
        return vec![Detail::new(
            DetailCode::BadXhtml,
            format!("{name}: root element <{}> is not in the XHTML namespace ({XHTML_NS})", root.name),
        )
        .at(loc)];
    }
    crate::xhtml::Policy::builtin()
        .findings(&root)
        .into_iter()
        .take(5)
        .map(|what| Detail::new(DetailCode::ActiveContent, format!("{name}: {what}")).at(loc))
        .collect()
}

/// The wrapper must repeat the CDA's id, setId, version, client, controller and register.
pub fn wrapper_agrees(doc: &Incoming) -> Vec<Detail> {
    let m = &doc.meta;
    let f = &doc.frame;
    let mut out = Vec::new();
    let frame_client = f.patient.as_ref().and_then(|p| p.id.as_ref()).map(|i| i.key().to_ascii_uppercase());
    let doc_client = m.client.as_ref().map(|c| format!("{}:{}", c.root, c.extension).to_ascii_uppercase());
    let pairs = [
        ("id", f.id.as_ref().map(|i| i.key()), m.document_id.clone()),
        ("setId", f.set_id.as_ref().map(|i| i.key()), m.set_id.clone()),
        ("versionNumber", f.version_number.as_ref().map(|v| v.trim().to_string()), m.version.map(|v| v.to_string())),
        ("recordTarget/patient/id", frame_client, doc_client),
        (
            "custodian/assignedCustodian/representedOrganization/id",
            f.custodian.as_ref().and_then(|c| c.key()),
            m.controller.clone(),
        ),
        ("code (register)", f.code.as_ref().map(|c| c.code.clone()), m.register.as_ref().map(|c| c.code.clone())),
    ];
    for (name, w, c) in pairs {
        if let (Some(w), Some(c)) = (&w, &c) {
            if w != c {
                out.push(
                    Detail::new(DetailCode::WrapperMismatch, format!("{name}: wrapper {w}, document {c}"))
                        .at(format!("clinicalDocument/{}", name.split(' ').next().unwrap_or(name))),
                );
            }
        }
    }
    out
}

/// Signatures (SPEC §6.1, §6.3): every XML signature in the document verified (the content it
/// covers unchanged, the value right, the signer trusted and valid at the signing time), and a
/// system signature present where the kind needs one (phase I and old documents).
pub fn signatures(doc: &Incoming, kind: DocumentKind, ctx: &Context<'_>) -> Vec<Detail> {
    use crate::dsig::{Outcome, SignatureKind};
    const LOC: &str = "/ClinicalDocument/hl7fi:localSocialHeader/hl7fi:signatureCollection";
    let strict = ctx.signatures.strict;
    let Some(cda) = doc.parts.first() else { return Vec::new() };
    let checked = match crate::dsig::verify(&cda.bytes, ctx.signatures.trust, ctx.now) {
        Ok(c) => c,
        Err(e) => {
            return vec![Detail::new(
                DetailCode::SignatureInvalid,
                format!("the document cannot be read for its signatures: {e}"),
            )
            .at(LOC)]
        }
    };
    let mut out = Vec::new();
    for c in &checked {
        let who = match (&c.kind, &c.signer) {
            (SignatureKind::Professional, Some((cn, _))) => {
                format!("ammattihenkilö / professional {}", cn.as_deref().unwrap_or("?"))
            }
            (SignatureKind::System, Some((cn, _))) => format!("järjestelmä / system {}", cn.as_deref().unwrap_or("?")),
            (_, Some((cn, _))) => cn.clone().unwrap_or_else(|| "?".into()),
            (_, None) => c.id.clone().unwrap_or_else(|| "?".into()),
        };
        let loc = match &c.id {
            Some(id) => format!("{LOC}/hl7fi:signature[@ID='{id}']"),
            None => LOC.to_string(),
        };
        for o in std::iter::once(&c.outcome).chain(c.also.iter()) {
            let d = match o {
                Outcome::Valid => continue,
                Outcome::Malformed(m) => Detail::new(DetailCode::SignatureInvalid, format!("{who}: {m}")),
                Outcome::BadSignatureValue => Detail::new(
                    DetailCode::SignatureInvalid,
                    format!("{who}: SignatureValue does not verify with the signer's certificate"),
                ),
                Outcome::DigestMismatch { reference } => Detail::new(DetailCode::SignatureDigest, reference),
                Outcome::Untrusted(e) => {
                    Detail::new(DetailCode::SignerUntrusted, format!("{who} ({e})")).lenient(strict)
                }
                Outcome::NotValidAtSigning(e) => {
                    Detail::new(DetailCode::SignerNotValid, format!("{who}: {e}")).lenient(strict)
                }
                Outcome::Reformatted { what } => Detail::new(DetailCode::SignatureReformatted, what).lenient(strict),
            };
            out.push(d.at(loc.clone()));
        }
    }
    let needs =
        matches!(kind, DocumentKind::Client(DocumentModel::Vaihe1) | DocumentKind::Client(DocumentModel::Vanha));
    if needs && !checked.iter().any(|c| c.kind == SignatureKind::System) {
        out.push(Detail::new(DetailCode::SignatureMissing, kind.finnish()).lenient(strict).at(LOC));
    }
    out
}

/// Identifiers: every document, case, clienthood and organisation id is an OID (or a UUID)
/// with at most a short, plain extension — never a path, markup or a megabyte.
pub fn identifiers(m: &Metadata) -> Vec<Detail> {
    const ENC: &str = "/ClinicalDocument/componentOf/encompassingEncounter";
    const LH: &str = "/ClinicalDocument/hl7fi:localSocialHeader";
    let parent = m.replaces.as_ref();
    let fields: [(&str, Option<&String>, String); 12] = [
        ("id", m.document_id.as_ref(), "/ClinicalDocument/id".into()),
        ("setId", m.set_id.as_ref(), "/ClinicalDocument/setId".into()),
        ("case id", m.case_id.as_ref(), format!("{ENC}/id")),
        ("clienthood id", m.client_relationship.as_ref(), format!("{LH}/hl7fi:encompassingClientRelationship")),
        ("controller", m.controller.as_ref(), "/ClinicalDocument/custodian".into()),
        ("organiser", m.organiser.as_ref(), format!("{LH}/hl7fi:outsourcingServiceCustomer")),
        ("producer", m.producer.as_ref(), format!("{ENC}/responsibleParty")),
        ("provider", m.provider.as_ref(), format!("{LH}/hl7fi:serviceProvider")),
        ("service unit", m.service_unit.as_ref(), format!("{ENC}/encounterParticipant")),
        ("operating unit", m.operating_unit.as_ref(), format!("{LH}/hl7fi:operatingUnit")),
        (
            "replaced document",
            parent.and_then(|p| p.id.as_ref()),
            "/ClinicalDocument/relatedDocument/parentDocument/id".into(),
        ),
        (
            "replaced set",
            parent.and_then(|p| p.set_id.as_ref()),
            "/ClinicalDocument/relatedDocument/parentDocument/setId".into(),
        ),
    ];
    fields
        .into_iter()
        .filter_map(|(what, v, loc)| {
            let v = v?;
            crate::oid::instance_id_problem(v)
                .map(|p| Detail::new(DetailCode::BadValue, format!("{what}: {p}")).at(loc))
        })
        .collect()
}

/// Every document-only rule, in rule order.
pub fn check_document(doc: &Incoming, kind: DocumentKind, ctx: &Context<'_>) -> Vec<Detail> {
    let m = &doc.meta;
    let mut out = identifiers(m);
    out.extend(wrapper_agrees(doc));
    out.extend(required_fields(m, kind, ctx));
    out.extend(required_values(m, kind, ctx));
    out.extend(coded_values(m, kind, ctx));
    out.extend(client_id(m, kind, ctx));
    out.extend(signatures(doc, kind, ctx));
    out.extend(payload(doc, kind));
    out.extend(times(m, ctx));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_rule_table_names_only_known_fields() {
        MetadataRules::parse(METADATA_RULES_TOML).expect("consistent");
    }

    #[test]
    fn pdf_checks_name_what_is_wrong() {
        assert!(check_pdf(b"hello").unwrap_err().contains("header"));
        assert!(check_pdf(b"%PDF-1.7\n1 0 obj\n").unwrap_err().contains("%%EOF"));
        let not_a = b"%PDF-1.7\nstuff\nstartxref\n10\n%%EOF\n";
        assert!(check_pdf(not_a).unwrap_err().contains("PDF/A"));
        let ok = b"%PDF-1.7\n<x:xmpmeta><pdfaid:part>2</pdfaid:part></x:xmpmeta>\nstartxref\n10\n%%EOF\n";
        assert_eq!(check_pdf(ok), Ok(()));
    }

    #[test]
    fn xhtml_scripts_and_handlers_are_found() {
        let x = br#"<!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml"><body onload="x()"><script>1</script><a href="javascript:alert(1)">a</a></body></html>"#;
        let d = check_xhtml(x, "c", "/l");
        assert_eq!(d.len(), 3, "{d:?}");
        assert!(d.iter().all(|d| d.code == DetailCode::ActiveContent));
        let internal_subset = br#"<!DOCTYPE html [<!ENTITY x "y">]><html/>"#;
        assert_eq!(check_xhtml(internal_subset, "c", "/l")[0].code, DetailCode::BadXhtml);
    }

    #[test]
    fn a_real_style_display_fragment_is_accepted() {
        let x = b"\r\n\r\n<div class=\"soc-document\" xmlns=\"http://www.w3.org/1999/xhtml\">\r\n<!-- header -->\r\n<div class=\"soc-logo\"><img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"logo\"/></div><p>Asiakkuus</p></div>";
        assert_eq!(check_xhtml(x, "c", "/l"), vec![]);
        let not_xhtml = b"<div>plain</div>";
        assert_eq!(check_xhtml(not_xhtml, "c", "/l")[0].code, DetailCode::BadXhtml);
    }
}

#[cfg(test)]
mod doc_tests {
    use super::MetadataRules;

    const COLUMNS: [&str; 7] = ["asiakkuus", "asia", "vaihe1", "vaihe2", "rakenteinen", "vanha", "tahto"];

    /// docs/messages.md shows the mandatory-field table; it must say what the rules say.
    #[test]
    fn the_messages_doc_lists_every_field_rule_exactly() {
        let path = format!("{}/../docs/messages.md", env!("CARGO_MANIFEST_DIR"));
        let doc = std::fs::read_to_string(&path).expect("docs/messages.md");
        let rows: Vec<&str> =
            doc.lines().filter(|l| l.starts_with("| `") && l.contains("`/ClinicalDocument")).collect();
        let rules = MetadataRules::builtin().fields();
        assert_eq!(
            rows.len(),
            rules.len(),
            "docs/messages.md has {} field rows; run python3 tools/metadata_table.py",
            rows.len()
        );
        for (rule, row) in rules.iter().zip(rows) {
            let cell = |c: &str| rule.columns.get(c).and_then(|v| v.as_str()).unwrap_or("O").to_string();
            let cells: Vec<String> = COLUMNS.iter().map(|c| cell(c)).collect();
            let condition = rule.columns.get("condition").and_then(|v| v.as_str()).unwrap_or("").replace('|', "\\|");
            let want = format!("| `{}` | `{}` | {} | {} |", rule.name, rule.element, cells.join(" | "), condition);
            assert_eq!(
                row, want,
                "docs/messages.md differs from testdata/metadata-rules.toml; run python3 tools/metadata_table.py"
            );
        }
    }
}
