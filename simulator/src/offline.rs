//! Offline validation (`sha-simulator validate FILE`): the document rules that
//! need no archive content — fields, codes, client id, signature, payload,
//! times — run on a file, with a readable report. Rules 4–6 need a running
//! archive (who sends, what is stored); the SOAP validation interaction
//! checks those too.

use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use crate::acks::{AckKind, Detail};
use crate::codes::CodeSets;
use crate::compose::Part;
use crate::document::{self, DocumentKind, Package};
use crate::validation::{self, Context, MetadataRules};
use crate::xml::{self, Element};

/// What the validation found.
#[derive(Debug, Clone)]
pub struct Report {
    /// The file checked.
    pub file: PathBuf,
    /// The document's kind, when it could be told.
    pub kind: Option<DocumentKind>,
    /// Document id.
    pub document_id: Option<String>,
    /// Findings.
    pub details: Vec<Detail>,
}

impl Report {
    /// Whether any finding is an error (not a warning).
    pub fn has_errors(&self) -> bool {
        self.details.iter().any(|d| d.kind != AckKind::W)
    }

    /// A readable report.
    pub fn render(&self) -> String {
        let mut s = format!("{}\n", self.file.display());
        if let Some(id) = &self.document_id {
            s.push_str(&format!("  document {id}"));
            if let Some(k) = self.kind {
                s.push_str(&format!(" — {}", k.finnish()));
            }
            s.push('\n');
        }
        for d in &self.details {
            let sev = if d.kind == AckKind::W { "warning" } else { "error" };
            s.push_str(&format!("  {sev} {}", d.code));
            if let Some(l) = &d.location {
                s.push_str(&format!(" at {l}"));
            }
            s.push_str(&format!("\n    fi: {}\n    en: {}\n", d.fi, d.en));
        }
        let errors = self.details.iter().filter(|d| d.kind != AckKind::W).count();
        let warnings = self.details.len() - errors;
        s.push_str(&format!(
            "{}: {errors} error(s), {warnings} warning(s) (rules 4–6 need a running archive: use the validation interaction)\n",
            if errors == 0 { "valid" } else { "INVALID" }
        ));
        s
    }
}

/// Why a file could not be validated at all.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct OfflineError {
    /// The file.
    pub path: String,
    /// Why.
    pub reason: String,
}

fn fail(path: &Path, reason: impl std::fmt::Display) -> OfflineError {
    OfflineError { path: path.display().to_string(), reason: reason.to_string() }
}

/// Parts for a bare CDA: the CDA, then every body reference read from a file of that name beside it.
fn package_from_cda(path: &Path, bytes: Vec<u8>, cda: Element) -> Package {
    let (meta, _) = document::parse(&cda);
    let dir = path.parent().unwrap_or(Path::new("."));
    let id = meta.document_id.clone().unwrap_or_default();
    let mut parts = vec![Part::new(&id, "text/xml", bytes)];
    for r in &meta.body {
        if let Ok(b) = std::fs::read(dir.join(&r.content_id)) {
            parts.push(Part::new(&r.content_id, &r.media_type, b));
        }
    }
    Package {
        wrapper_id: meta.document_id.clone(),
        wrapper_group: meta.document_group.as_ref().map(|c| c.code.clone()),
        wrapper_set_id: meta.set_id.clone(),
        wrapper_version: meta.version,
        parts,
        cda,
    }
}

/// Validates a file or sample folder at time `at`.
pub fn validate_path(path: &Path, at: OffsetDateTime, strict_signature: bool) -> Result<Report, OfflineError> {
    let file = if path.is_dir() { path.join("cda.xml") } else { path.to_path_buf() };
    let bytes = std::fs::read(&file).map_err(|e| fail(&file, e))?;
    let root = xml::parse(&bytes, xml::Limits::default()).map_err(|e| fail(&file, format!("not XML: {e}")))?;
    let pkg = match root.name.as_str() {
        "ClinicalDocument" => package_from_cda(&file, bytes, root),
        _ => {
            let msg = if root.name == "Envelope" {
                root.child("Body")
                    .and_then(|b| b.elements().next())
                    .cloned()
                    .ok_or_else(|| fail(&file, "empty SOAP body"))?
            } else {
                root
            };
            let cd = msg.path(&["controlActProcess", "subject", "clinicalDocument"]).ok_or_else(|| {
                fail(&file, format!("<{}> carries no controlActProcess/subject/clinicalDocument", msg.name))
            })?;
            match document::unpack(cd, &format!("/{}", msg.name)) {
                Ok(p) => p,
                Err(details) => return Ok(Report { file, kind: None, document_id: None, details }),
            }
        }
    };
    let (meta, mut details) = document::parse(&pkg.cda);
    let kind = meta.document_group.as_ref().and_then(|g| DocumentKind::from_group(&g.code, meta.model));
    let ctx = Context { now: at, codes: CodeSets::builtin(), rules: MetadataRules::builtin(), strict_signature };
    match kind {
        Some(k) => {
            details.extend(validation::check_document(&pkg, &meta, k, &ctx));
            if meta.model == Some(crate::document::DocumentModel::Liittymisvelvoite) && k != DocumentKind::Informing {
                details.extend(crate::archive::structured_form(&pkg, &meta, k, ctx.codes, at));
            }
        }
        None => details.push(
            Detail::new(crate::acks::DetailCode::UnknownKind, "document group / documentModel").at("hl7fi:localHeader"),
        ),
    }
    Ok(Report { file, kind, document_id: meta.document_id, details })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/documents")
    }

    #[test]
    fn valid_sample_validates_offline() {
        let at = time::macros::datetime!(2022-06-01 12:00 UTC);
        let r = validate_path(&samples().join("valid/04-vaihe2-asiakaskertomusmerkinta"), at, true).expect("runs");
        assert!(!r.has_errors(), "{}", r.render());
    }

    #[test]
    fn broken_sample_reports_its_code() {
        let at = time::macros::datetime!(2022-06-01 12:00 UTC);
        let r = validate_path(&samples().join("broken/R301-virheellinen-hetu"), at, true).expect("runs");
        assert!(r.has_errors());
        assert!(r.render().contains("SHA-R301"), "{}", r.render());
    }

    #[test]
    fn missing_file_is_a_clear_error() {
        let e = validate_path(Path::new("/no/such/file.xml"), OffsetDateTime::UNIX_EPOCH, true).unwrap_err();
        assert!(e.to_string().contains("/no/such/file.xml"));
    }
}
