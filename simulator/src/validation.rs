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
use crate::document::{DocumentKind, DocumentModel, Metadata, Package};
use crate::hetu::Hetu;
use crate::message::hl7_ts;
use crate::xml::{self, Element};

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

#[derive(Deserialize)]
struct RulesFile {
    field: Vec<FieldRule>,
}

/// The compiled-in metadata rules.
pub const METADATA_RULES_TOML: &str = include_str!("../../testdata/metadata-rules.toml");

/// The mandatory-field table.
#[derive(Debug, Clone)]
pub struct MetadataRules {
    fields: Vec<FieldRule>,
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
        Ok(MetadataRules { fields: f.field })
    }

    /// The built-in table.
    pub fn builtin() -> &'static MetadataRules {
        static R: std::sync::OnceLock<MetadataRules> = std::sync::OnceLock::new();
        R.get_or_init(|| match MetadataRules::parse(METADATA_RULES_TOML) {
            Ok(r) => r,
            // Compiled in and checked by a unit test.
            Err(e) => panic!("testdata/metadata-rules.toml: {e}"),
        })
    }

    fn requirement<'a>(&'a self, rule: &'a FieldRule, column: &str) -> &'a str {
        rule.columns.get(column).and_then(|v| v.as_str()).unwrap_or("O")
    }
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
        "document_model" => m.model_code.is_some(),
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
    /// Whether a missing system signature is an error (per system, SPEC §6.1).
    pub strict_signature: bool,
}

/// The general document type a document declares or implies through its type code.
pub fn general_type(m: &Metadata, codes: &CodeSets) -> Option<String> {
    m.general_type.clone().or_else(|| {
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

fn check_code(
    out: &mut Vec<Detail>,
    field: &str,
    loc: &str,
    expected: &str,
    code: &Code,
    ctx: &Context<'_>,
    at: time::Date,
    dated: bool,
) {
    let shown = format!("{field} = {} ({})", code.code, code.system);
    match ctx.codes.check(expected, code, at) {
        CodeCheck::Valid => {}
        CodeCheck::WrongSystem { expected } => out.push(
            Detail::new(DetailCode::CodeWrongSystem, format!("{shown}, expected code system {expected}")).at(loc),
        ),
        CodeCheck::Unknown => out.push(Detail::new(DetailCode::CodeUnknown, shown).at(loc)),
        CodeCheck::UnknownInPartialSet => out.push(Detail::new(DetailCode::CodeUnknownPartial, shown).at(loc)),
        CodeCheck::NotValidOn { validity } if dated => out.push(
            Detail::new(DetailCode::CodeNotValidOn, format!("{shown}, valid {validity}, document dated {at}")).at(loc),
        ),
        CodeCheck::NotValidOn { .. } => {}
    }
}

fn check_unit(out: &mut Vec<Detail>, field: &str, loc: &str, oid: &str, want_kind: Option<&str>, ctx: &Context<'_>) {
    match ctx.codes.entry(oids::SOTE_ORGANISATION, oid) {
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

/// Rule 2: every coded value from its code set, valid at the document's date
/// (old documents: membership only — they predate many code-set versions; choice).
pub fn coded_values(m: &Metadata, kind: DocumentKind, ctx: &Context<'_>) -> Vec<Detail> {
    let mut out = Vec::new();
    let at = m.effective_time.unwrap_or(ctx.now).date();
    let dated = kind != DocumentKind::Client(DocumentModel::Vanha);
    let lh = "hl7fi:localHeader/hl7fi:";
    let singles: [(&str, String, &str, &Option<Code>); 9] = [
        ("register", "ClinicalDocument/code".into(), oids::REGISTER, &m.register),
        ("confidentiality", "ClinicalDocument/confidentialityCode".into(), oids::CONFIDENTIALITY, &m.confidentiality),
        ("document_group", format!("{lh}documentGroup"), oids::DOCUMENT_GROUP, &m.document_group),
        ("document_type", format!("{lh}documentType"), oids::DOCUMENT_TYPE, &m.document_type),
        ("service_task", format!("{lh}serviceTask"), oids::SERVICE_TASK, &m.service_task),
        ("process_phase", format!("{lh}processPhase"), oids::PROCESS_PHASE, &m.process_phase),
        ("record_status", format!("{lh}recordStatus"), oids::RECORD_STATUS, &m.record_status),
        ("custodian_type", format!("{lh}custodianTypeCode"), oids::CUSTODIAN_TYPE, &m.custodian_type),
        ("retention_class", format!("{lh}retentionPeriodClass"), oids::RETENTION_CLASS, &m.retention_class),
    ];
    for (field, loc, oid, code) in singles {
        if let Some(c) = code {
            check_code(&mut out, field, &loc, oid, c, ctx, at, dated);
        }
    }
    for c in &m.social_services {
        check_code(&mut out, "social_service", &format!("{lh}socialService"), oids::SOCIAL_SERVICE, c, ctx, at, dated);
    }
    // The general type must agree with the client document type's (THL Sosmeta definitions).
    if let (Some(t), Some(g)) = (&m.document_type, &m.general_type) {
        if let Some(expected) = ctx.codes.entry(oids::DOCUMENT_TYPE, &t.code).and_then(|e| e.general_type.as_deref()) {
            if expected != g {
                out.push(
                    Detail::new(
                        DetailCode::CodeCombination,
                        format!("document type {} is a {expected}, but generalDocumentType says {g}", t.code),
                    )
                    .at(format!("{lh}generalDocumentType")),
                );
            }
        }
    }
    if let Some(c) = &m.controller {
        check_unit(
            &mut out,
            "controller",
            "ClinicalDocument/custodian/assignedCustodian/representedCustodianOrganization/id",
            c,
            Some("controller"),
            ctx,
        );
    }
    for (field, el, v, want) in [
        ("organiser", "organiser", &m.organiser, None),
        ("producer", "producer", &m.producer, None),
        ("provider", "provider", &m.provider, None),
        ("service_unit", "serviceUnit", &m.service_unit, Some("palveluyksikko")),
        ("operating_unit", "operatingUnit", &m.operating_unit, Some("toimintayksikko")),
    ] {
        if let Some(oid) = v {
            check_unit(&mut out, field, &format!("{lh}{el}"), oid, want, ctx);
        }
    }
    out
}

/// Rule 3: the client id — a valid test hetu, or a temporary id where allowed.
pub fn client_id(m: &Metadata, kind: DocumentKind, ctx: &Context<'_>) -> Vec<Detail> {
    let loc = "ClinicalDocument/recordTarget/patientRole/id";
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
        DocumentKind::Asiakkuus | DocumentKind::Asia => {
            matches!(m.model, Some(DocumentModel::Vaihe2) | Some(DocumentModel::Liittymisvelvoite))
        }
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
    let now = hl7_ts(ctx.now);
    for (t, loc) in [
        (m.effective_time, "ClinicalDocument/effectiveTime"),
        (m.period_start, "ClinicalDocument/documentationOf/serviceEvent/effectiveTime/low"),
    ] {
        if t.is_some_and(|t| t > ctx.now) {
            out.push(Detail::new(DetailCode::FutureTime, &now).at(loc));
        }
    }
    if let (Some(s), Some(e)) = (m.period_start, m.period_end) {
        if e < s {
            out.push(
                Detail::new(DetailCode::EndBeforeStart, format!("{} < {}", hl7_ts(e), hl7_ts(s)))
                    .at("ClinicalDocument/documentationOf/serviceEvent/effectiveTime/high"),
            );
        }
    }
    out
}

/// Media types accepted per kind of document (SPEC §3; choice where silent).
pub fn accepted_media_types(kind: DocumentKind) -> &'static [&'static str] {
    match kind {
        DocumentKind::Client(DocumentModel::Vaihe1) | DocumentKind::Client(DocumentModel::Vanha) => {
            &["application/pdf", "application/xhtml+xml"]
        }
        DocumentKind::Client(DocumentModel::Vaihe2) => {
            &["application/pdf", "application/xhtml+xml", "application/json"]
        }
        DocumentKind::Client(DocumentModel::Liittymisvelvoite) => {
            &["application/xhtml+xml", "application/json", "application/pdf"]
        }
        DocumentKind::Asiakkuus
        | DocumentKind::Asia
        | DocumentKind::Consent
        | DocumentKind::Prohibition
        | DocumentKind::Informing => &["application/json", "application/xhtml+xml"],
    }
}

/// Rule 7: every referenced part present, of an accepted type, with content that
/// matches its type and any declared size or hash.
pub fn payload(pkg: &Package, m: &Metadata, kind: DocumentKind) -> Vec<Detail> {
    let mut out = Vec::new();
    if m.body.is_empty() {
        out.push(
            Detail::new(DetailCode::MissingField, "body reference (component/nonXMLBody/text/reference)")
                .at("ClinicalDocument/component"),
        );
    }
    let accepted = accepted_media_types(kind);
    for r in &m.body {
        let Some(part) = pkg.parts.iter().find(|p| p.content_id == r.content_id) else {
            out.push(Detail::new(DetailCode::PartMissing, format!("cid:{}", r.content_id)).at(&r.location));
            continue;
        };
        if !accepted.contains(&r.media_type.as_str()) {
            out.push(
                Detail::new(
                    DetailCode::MediaTypeNotAccepted,
                    format!("{} in a {} (accepted: {})", r.media_type, kind.finnish(), accepted.join(", ")),
                )
                .at(&r.location),
            );
            continue;
        }
        if part.media_type != r.media_type {
            out.push(
                Detail::new(
                    DetailCode::MediaTypeNotAccepted,
                    format!(
                        "part <{}> is {}, the document declares {}",
                        part.content_id, part.media_type, r.media_type
                    ),
                )
                .at(&r.location),
            );
            continue;
        }
        if let Some(n) = part.declared_size {
            if n != part.bytes.len() as u64 {
                out.push(
                    Detail::new(
                        DetailCode::SizeMismatch,
                        format!("part <{}> declares {n} bytes, holds {}", part.content_id, part.bytes.len()),
                    )
                    .at(&r.location),
                );
            }
        }
        if let Some(h) = &r.integrity_check {
            let alg = r.integrity_algorithm.as_deref().unwrap_or("SHA-1");
            if alg != "SHA-256" {
                out.push(
                    Detail::new(
                        DetailCode::HashMismatch,
                        format!("integrityCheckAlgorithm {alg} is not supported; use SHA-256"),
                    )
                    .at(&r.location),
                );
            } else {
                let actual = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&part.bytes));
                if &actual != h {
                    out.push(
                        Detail::new(
                            DetailCode::HashMismatch,
                            format!("part <{}>: declared {h}, actual {actual}", part.content_id),
                        )
                        .at(&r.location),
                    );
                }
            }
        }
        out.extend(content(&part.media_type, &part.bytes, &part.content_id, &r.location));
    }
    out
}

/// Checks content against its media type.
pub fn content(media_type: &str, bytes: &[u8], cid: &str, loc: &str) -> Vec<Detail> {
    match media_type {
        "application/pdf" => check_pdf(bytes)
            .err()
            .map(|e| Detail::new(DetailCode::BadPdf, format!("<{cid}>: {e}")).at(loc))
            .into_iter()
            .collect(),
        "application/xhtml+xml" => check_xhtml(bytes, cid, loc),
        "application/json" => match serde_json::from_slice::<serde_json::Value>(bytes) {
            Ok(_) => vec![],
            Err(e) => vec![Detail::new(DetailCode::BadJson, format!("<{cid}>: {e}")).at(loc)],
        },
        _ => vec![],
    }
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

fn check_xhtml(bytes: &[u8], cid: &str, loc: &str) -> Vec<Detail> {
    let limits = xml::Limits { allow_plain_doctype: true, ..xml::Limits::default() };
    let root = match xml::parse(bytes, limits) {
        Ok(r) => r,
        Err(e) => return vec![Detail::new(DetailCode::BadXhtml, format!("<{cid}>: {e}")).at(loc)],
    };
    if root.name != "html" {
        return vec![Detail::new(
            DetailCode::BadXhtml,
            format!("<{cid}>: root element is <{}>, expected <html>", root.name),
        )
        .at(loc)];
    }
    let mut found = Vec::new();
    active_content(&root, &mut found);
    found
        .into_iter()
        .take(5)
        .map(|what| Detail::new(DetailCode::ActiveContent, format!("<{cid}>: {what}")).at(loc))
        .collect()
}

fn active_content(e: &Element, found: &mut Vec<String>) {
    const ELEMENTS: [&str; 7] = ["script", "iframe", "object", "embed", "applet", "frame", "frameset"];
    if ELEMENTS.contains(&e.name.to_ascii_lowercase().as_str()) {
        found.push(format!("<{}> element", e.name));
    }
    for (k, v) in &e.attrs {
        let k = k.to_ascii_lowercase();
        if k.starts_with("on") {
            found.push(format!("event handler attribute {k} on <{}>", e.name));
        } else if (k == "href" || k == "src" || k == "action")
            && v.trim().to_ascii_lowercase().starts_with("javascript:")
        {
            found.push(format!("javascript: URL in {k} on <{}>", e.name));
        }
    }
    for c in e.elements() {
        active_content(c, found);
    }
}

/// The wrapper must repeat the CDA's id, group, setId and version.
pub fn wrapper_agrees(pkg: &Package, m: &Metadata) -> Vec<Detail> {
    let mut out = Vec::new();
    let pairs = [
        ("id", pkg.wrapper_id.clone(), m.document_id.clone()),
        ("setId", pkg.wrapper_set_id.clone(), m.set_id.clone()),
        ("versionNumber", pkg.wrapper_version.map(|v| v.to_string()), m.version.map(|v| v.to_string())),
        ("code (document group)", pkg.wrapper_group.clone(), m.document_group.as_ref().map(|c| c.code.clone())),
    ];
    for (name, w, c) in pairs {
        if let (Some(w), Some(c)) = (&w, &c) {
            if w != c {
                out.push(
                    Detail::new(DetailCode::WrapperMismatch, format!("{name}: wrapper {w}, document {c}"))
                        .at(format!("clinicalDocument/{name}")),
                );
            }
        }
    }
    if pkg.wrapper_group.is_none() {
        out.push(
            Detail::new(DetailCode::MissingField, "document group in the message wrapper (clinicalDocument/code)")
                .at("clinicalDocument/code"),
        );
    }
    if let (Some(root), Some(id)) = (pkg.parts.first(), &m.document_id) {
        if &root.content_id != id {
            out.push(
                Detail::new(
                    DetailCode::WrapperMismatch,
                    format!("root MIME part Content-ID <{}> differs from document id {id}", root.content_id),
                )
                .at("clinicalDocument/text"),
            );
        }
    }
    out
}

/// System signature presence (SPEC §6.1): required for phase I and old documents in strict mode.
pub fn signature(m: &Metadata, kind: DocumentKind, ctx: &Context<'_>) -> Vec<Detail> {
    let needs =
        matches!(kind, DocumentKind::Client(DocumentModel::Vaihe1) | DocumentKind::Client(DocumentModel::Vanha));
    if needs && ctx.strict_signature && !m.signed {
        vec![Detail::new(DetailCode::SignatureMissing, kind.finnish()).at("hl7fi:localHeader/hl7fi:signatureCollection")]
    } else {
        vec![]
    }
}

/// Every document-only rule, in rule order.
pub fn check_document(pkg: &Package, m: &Metadata, kind: DocumentKind, ctx: &Context<'_>) -> Vec<Detail> {
    let mut out = wrapper_agrees(pkg, m);
    out.extend(required_fields(m, kind, ctx));
    out.extend(coded_values(m, kind, ctx));
    out.extend(client_id(m, kind, ctx));
    out.extend(signature(m, kind, ctx));
    out.extend(payload(pkg, m, kind));
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
}
