//! Validation without storing: the one entry point that Kela's validation
//! service stand-in (SHARK, `POST /shark-validointi/validoi/asiakirja/tulos`),
//! `sha-simulator validate FILE` and the archive message's validate service
//! request share. A wrapper (optional) and a CDA go in; the findings of every
//! rule that needs no stored content come out — the wrapper, the service
//! request's fit, the header, codes, client id, signature, content, times,
//! declarations and the structured form. Rules 4–6 (who may send, what is
//! stored) need the archive and a sender, so only the archive applies them.

use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use crate::acks::{AckKind, Detail, DetailCode};
use crate::codes::CodeSets;
use crate::command::{self, Incoming};
use crate::document::{DocumentKind, KindTable};
use crate::interactions::{Interactions, Operation};
use crate::validation::MetadataRules;
use crate::wire::frame::{self, FrameDocument, FrameText};
use crate::wire::mime::Part;
use crate::wire::soap;
use crate::xml::{self, Element};

/// What the validation found.
#[derive(Debug, Clone)]
pub struct Report {
    /// What was checked (a file, or a request's message id).
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

    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Detail> {
        self.details.iter().filter(|d| d.kind != AckKind::W)
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Detail> {
        self.details.iter().filter(|d| d.kind == AckKind::W)
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
        let errors = self.errors().count();
        let warnings = self.details.len() - errors;
        s.push_str(&format!(
            "{}: {errors} error(s), {warnings} warning(s) (who may send and what is stored — rules 4–6 — need a running archive)\n",
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

/// The inputs of one validation.
#[derive(Debug, Clone)]
pub struct Input {
    /// The wrapper's document, when a wrapper came with the CDA.
    pub frame: Option<FrameDocument>,
    /// The service request code the sender names (SHARK's `palveluPyynto`, or the wrapper's reasonCode).
    pub service_request: Option<String>,
    /// The package's parts, the CDA first.
    pub parts: Vec<Part>,
}

/// Validates a document: every rule that needs no stored content. `Err` when the CDA cannot be read.
pub fn validate(
    input: Input,
    now: OffsetDateTime,
    signatures: crate::validation::SignaturePolicy<'_>,
) -> Result<(Incoming, Vec<Detail>), Vec<Detail>> {
    let Some(cda_part) = input.parts.first() else {
        return Err(vec![Detail::new(DetailCode::BadMime, "no document").at("/")]);
    };
    let root = command::parse_cda(&cda_part.bytes, "the document", "/ClinicalDocument")?;
    let has_frame = input.frame.is_some();
    let fd = input.frame.unwrap_or_default();
    let (doc, mut details) = command::incoming(fd, input.parts.clone(), &root, KindTable::builtin())?;
    let table = Interactions::builtin();
    if let Some(code) = &input.service_request {
        match table.service_request(code) {
            None => details.push(
                Detail::new(DetailCode::ServiceRequest, format!("{code} is not a service request the archive knows"))
                    .at("palveluPyynto"),
            ),
            Some(sr) => {
                if !matches!(sr.operation, Operation::Store | Operation::StoreNewVersion | Operation::Validate) {
                    details.push(
                        Detail::new(
                            DetailCode::ServiceRequest,
                            format!("{code} ({}) does not store a document", sr.name),
                        )
                        .at("palveluPyynto"),
                    );
                } else if let Some(kind) = doc.kind.filter(|k| !sr.admits(*k)) {
                    details.push(
                        Detail::new(
                            DetailCode::ServiceRequest,
                            format!("{code} ({}) does not carry a {}", sr.name, kind.finnish()),
                        )
                        .at("palveluPyynto"),
                    );
                }
            }
        }
    }
    if let Some(kind) = doc.kind {
        details.extend(crate::archive::content_findings(
            &doc,
            kind,
            now,
            signatures,
            CodeSets::builtin(),
            MetadataRules::builtin(),
        ));
    }
    // Rule 6, as far as the document alone tells: a version above 1 names the version it replaces.
    if doc.meta.version.is_some_and(|v| v > 1) && doc.meta.replaces.is_none() {
        details.push(
            Detail::new(DetailCode::MissingParent, format!("versionNumber {}", doc.meta.version.unwrap_or(1)))
                .at("/ClinicalDocument/relatedDocument"),
        );
    }
    if !has_frame {
        // Without a wrapper there is nothing to agree with.
        details.retain(|d| d.code != DetailCode::WrapperMismatch);
    }
    Ok((doc, details))
}

/// A wrapper as read for validation.
#[derive(Debug)]
pub struct ReadFrame {
    /// The wrapper's `subject/clinicalDocument`.
    pub document: FrameDocument,
    /// The service request's code (reasonCode of 1.2.246.537.6.1503), if any.
    pub service_request: Option<String>,
    /// The MIME package's parts and the CDA, when `text` holds a package rather than a placeholder.
    pub package: Option<(Vec<Part>, Element)>,
}

/// Reads a wrapper (an HL7 message, or a SOAP envelope holding one) into its document and
/// service request. Its `text` may hold a placeholder or a package: the document is given separately.
pub fn read_frame(bytes: &[u8]) -> Result<ReadFrame, Vec<Detail>> {
    let root = xml::parse(bytes, xml::Limits::default())
        .map_err(|e| vec![Detail::new(DetailCode::MalformedXml, e).at("siirtokehysXml")])?;
    let msg = if root.name == "Envelope" {
        let v = if root.ns == soap::SOAP12_NS { soap::SoapVersion::V12 } else { soap::SoapVersion::V11 };
        soap::body_message(root, v)
            .map_err(|e| vec![Detail::new(DetailCode::NotSoap, format!("{e:?}")).at("siirtokehysXml")])?
    } else {
        root
    };
    let (f, dup) = frame::read(&msg);
    if !dup.is_empty() {
        return Err(dup);
    }
    let ca = f.control_act.unwrap_or_default();
    let sp = ca.service_request().map(|c| c.code.clone());
    let fd = ca.subject.ok_or_else(|| {
        let l = format!("/{}/controlActProcess/subject/clinicalDocument", msg.name);
        vec![Detail::new(DetailCode::MissingElement, &l).at(l)]
    })?;
    let package = match &fd.text {
        FrameText::Mime(_) => {
            Some(command::read_package(&fd, &format!("/{}/controlActProcess/subject/clinicalDocument", msg.name))?)
        }
        _ => None,
    };
    Ok(ReadFrame { document: fd, service_request: sp, package })
}

/// Validates a file or sample folder at time `at`: a bare CDA (content referenced
/// from its body is read from files of that name beside it), an HL7 message or a
/// SOAP envelope carrying one.
pub fn validate_path(
    path: &Path,
    at: OffsetDateTime,
    signatures: crate::validation::SignaturePolicy<'_>,
) -> Result<Report, OfflineError> {
    let file = if path.is_dir() { path.join("cda.xml") } else { path.to_path_buf() };
    let bytes = std::fs::read(&file).map_err(|e| fail(&file, e))?;
    let root = xml::parse(&bytes, xml::Limits::default()).map_err(|e| fail(&file, format!("not XML: {e}")))?;
    let input = if root.name == "ClinicalDocument" {
        let dir = file.parent().unwrap_or(Path::new("."));
        let (cda, _) = crate::wire::cda::read(&root);
        let id = cda.id.as_ref().map(|i| i.key()).unwrap_or_default();
        let mut parts = vec![Part::new(&id, "text/xml", bytes)];
        let refs = cda.body.text.iter().chain(cda.body.json.iter()).chain(cda.body.media.iter());
        for r in refs {
            if let Some(cid) = &r.reference {
                if let Ok(b) = std::fs::read(dir.join(cid)) {
                    parts.push(Part::new(cid, r.media_type.clone().unwrap_or_else(|| "application/json".into()), b));
                }
            }
        }
        Input { frame: None, service_request: None, parts }
    } else {
        match read_frame(&bytes) {
            Ok(ReadFrame { document, service_request, package: Some((parts, _)) }) => {
                Input { frame: Some(document), service_request, parts }
            }
            Ok(ReadFrame { package: None, .. }) => {
                return Err(fail(&file, "the wrapper carries no MIME package; give the CDA file instead"))
            }
            Err(details) => return Ok(Report { file, kind: None, document_id: None, details }),
        }
    };
    Ok(match validate(input, at, signatures) {
        Ok((doc, details)) => Report { file, kind: doc.kind, document_id: doc.meta.document_id, details },
        Err(details) => Report { file, kind: None, document_id: None, details },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict() -> crate::validation::SignaturePolicy<'static> {
        static TRUST: std::sync::OnceLock<crate::dsig::Trust> = std::sync::OnceLock::new();
        crate::validation::SignaturePolicy { strict: true, trust: TRUST.get_or_init(Default::default) }
    }

    fn samples() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/documents")
    }

    #[test]
    fn valid_sample_validates_offline() {
        let at = time::macros::datetime!(2022-06-01 12:00 UTC);
        let r = validate_path(&samples().join("valid/04-vaihe2-asiakaskertomusmerkinta"), at, strict()).expect("runs");
        assert!(!r.has_errors(), "{}", r.render());
    }

    #[test]
    fn broken_sample_reports_its_code() {
        let at = time::macros::datetime!(2022-06-01 12:00 UTC);
        let r = validate_path(&samples().join("broken/R301-virheellinen-hetu"), at, strict()).expect("runs");
        assert!(r.has_errors());
        assert!(r.render().contains("SHA-R301"), "{}", r.render());
    }

    #[test]
    fn missing_file_is_a_clear_error() {
        let e = validate_path(Path::new("/no/such/file.xml"), OffsetDateTime::UNIX_EPOCH, strict()).unwrap_err();
        assert!(e.to_string().contains("/no/such/file.xml"));
    }
}
