//! Sample documents under `testdata/documents/`: at least one valid document
//! of every kind and one broken document per rule, each a folder a vendor can
//! read — `cda.xml` (the document as it travels, content inline), any parts
//! it references by Content-ID, `message.xml` (the whole SOAP message, ready
//! to `curl`) and `sample.toml` saying which system sends it, when, and what
//! the archive must answer.
//!
//! Owns: writing the samples (deterministically, from the reference kit,
//! through the one codec) and loading one into a request. The test suite
//! sends every sample and checks the exact acknowledgement; the harness uses
//! them as test-case material. Hand-written fixtures that do not come from
//! this generator live in `testdata/handwritten/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::compose::cda::{DocumentSpec, Packaging};
use crate::compose::kit::{Kit, Organisation};
use crate::compose::{self, Part, RequestBuilder};
use crate::document::DocumentModel;
use crate::interactions::Operation;
use crate::persons::TestPersons;
use crate::wire::frame::{self, FrameDocument, FrameText};
use crate::wire::hl7::{ts, InstanceId};
use crate::wire::{mime, soap};

/// `sample.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleMeta {
    /// What the sample shows.
    pub description: String,
    /// Rule number it breaks (docs/rules.md), for broken samples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// store, new_version, invalidate or validate.
    pub interaction: String,
    /// Sending system (registry name).
    pub system: String,
    /// Acting organisation.
    pub acting_organisation: String,
    /// The simulator clock to set before sending (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub clock: OffsetDateTime,
    /// Document id (the CDA's Content-ID).
    pub document_id: String,
    /// Expected acknowledgement type.
    pub expect_ack: String,
    /// Expected detail codes (exactly these, in any order).
    #[serde(default)]
    pub expect_codes: Vec<String>,
    /// The service request the message names, when it is not the one the operation routes to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_request: Option<String>,
    /// The wrapper's setId when it differs from the document's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrapper_set_id: Option<String>,
    /// Invalidation reason (interaction = invalidate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Media type per Content-ID where the extension would mislead.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub media_types: BTreeMap<String, String>,
    /// Declared sizes per Content-ID (Content-Disposition size=).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub declared_sizes: BTreeMap<String, u64>,
    /// Who signs the document as it is sent, in order: `professional` (the author's key),
    /// `system` (the sending system's key), from the simulator's certs directory. The
    /// committed `cda.xml` and `message.xml` are unsigned: a signature needs the keys of the
    /// PKI the receiving simulator trusts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sign: Vec<String>,
    /// Signed with a deliberately bad certificate instead of the system's: `unknown-ca` or
    /// `expired` (certs/bad/).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// What happens to the signed document before it is sent: `body` (one byte of the body
    /// changes), `signature-value` (one byte of the signature changes), `reindent` (signed
    /// compact, then re-indented).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_signing: Option<String>,
}

/// A sample on disk.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Folder name relative to the samples root, e.g. `valid/01-asiakkuus`.
    pub name: String,
    /// Its folder.
    pub dir: PathBuf,
    /// Its description.
    pub meta: SampleMeta,
}

/// Errors reading or writing samples.
#[derive(Debug, thiserror::Error)]
#[error("sample {path}: {reason}")]
pub struct SampleError {
    /// File or folder.
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

fn err(path: &Path, reason: impl std::fmt::Display) -> SampleError {
    SampleError { path: path.display().to_string(), reason: reason.to_string() }
}

impl Sample {
    /// Loads one sample folder.
    pub fn load(root: &Path, name: &str) -> Result<Sample, SampleError> {
        let dir = root.join(name);
        let meta_path = dir.join("sample.toml");
        let text = std::fs::read_to_string(&meta_path).map_err(|e| err(&meta_path, e))?;
        let meta = toml::from_str(&text).map_err(|e| err(&meta_path, e))?;
        Ok(Sample { name: name.to_string(), dir, meta })
    }

    /// The ready-to-send SOAP message.
    pub fn message(&self) -> Result<String, SampleError> {
        let path = self.dir.join("message.xml");
        std::fs::read_to_string(&path).map_err(|e| err(&path, e))
    }

    /// The sample's message as sent by `sender_device` at `now`: a fresh message id and
    /// creation time, the document signed as `sign` says with the keys in `certs` (unsigned
    /// without them), everything else as written.
    pub fn request(
        &self,
        sender_device: &str,
        now: OffsetDateTime,
        certs: Option<&crate::pki::CertPaths>,
    ) -> Result<String, SampleError> {
        let text = self.message()?;
        let path = self.dir.join("message.xml");
        let env = crate::xml::parse(text.as_bytes(), crate::xml::Limits::default()).map_err(|e| err(&path, e))?;
        let msg = soap::body_message(env, soap::SoapVersion::V11).map_err(|e| err(&path, format!("{e:?}")))?;
        let (mut f, _) = frame::read(&msg);
        f.id = Some(InstanceId {
            root: sender_device.to_string(),
            extension: Some(uuid::Uuid::new_v4().as_u128().to_string()),
        });
        f.creation_time = Some(ts(now));
        f.sender = Some(sender_device.to_string());
        if let (Some(certs), false) = (certs, self.meta.sign.is_empty()) {
            if let Some(fd) = f.control_act.as_mut().and_then(|c| c.subject.as_mut()) {
                self.sign_package(fd, certs).map_err(|e| err(&path, e))?;
            }
        }
        Ok(soap::envelope(soap::SoapVersion::V11, &frame::write(&f)))
    }

    /// Signs the CDA in the wrapper's package as `sign`, `signer` and `after_signing` say.
    fn sign_package(&self, fd: &mut FrameDocument, certs: &crate::pki::CertPaths) -> Result<(), String> {
        use crate::dsig::{SignatureKind, SigningKey};
        // A package or document broken on purpose is sent as it is: there is nothing to sign.
        let Ok((mut parts, _)) = crate::command::read_package(fd, "") else { return Ok(()) };
        let keys = crate::client::SigningKeys::load(certs, &self.meta.system).map_err(|e| e.to_string())?;
        let bad = match self.meta.signer.as_deref() {
            None => None,
            Some(s) => {
                let kind = match s {
                    "unknown-ca" => crate::pki::BadKind::UnknownCa,
                    "expired" => crate::pki::BadKind::Expired,
                    other => return Err(format!("unknown signer '{other}'")),
                };
                Some(
                    SigningKey::load(SignatureKind::System, &certs.bad_cert(kind), &certs.bad_key(kind))
                        .map_err(|e| e.to_string())?,
                )
            }
        };
        let Some(cda) = parts.first_mut() else { return Err("no document in the package".into()) };
        let mut text = String::from_utf8(cda.bytes.clone()).map_err(|e| e.to_string())?;
        let reindent = self.meta.after_signing.as_deref() == Some("reindent");
        if reindent {
            text = text.replace(">\n<", "><");
        }
        let author = text
            .split("root=\"1.2.246.537.26\" extension=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(str::to_string);
        for who in &self.meta.sign {
            let key = match who.as_str() {
                "system" => bad.as_ref().or(keys.system()),
                "professional" => author.as_deref().and_then(|a| keys.professional(a)),
                other => return Err(format!("unknown signer kind '{other}'")),
            };
            let key = key.ok_or_else(|| format!("no {who} signing key in {}", certs.dir.display()))?;
            let signed = crate::dsig::sign(text.as_bytes(), key, self.meta.clock).map_err(|e| e.to_string())?;
            text = String::from_utf8(signed).map_err(|e| e.to_string())?;
        }
        match self.meta.after_signing.as_deref() {
            None => {}
            Some("reindent") => text = text.replace("><", ">\n\t<"),
            Some("body") => text = flip_after(&text, "representation=\"B64\">")?,
            Some("signature-value") => text = flip_after(&text, "<SignatureValue>")?,
            Some(other) => return Err(format!("unknown after_signing '{other}'")),
        }
        cda.bytes = text.into_bytes();
        fd.text = FrameText::Mime(mime::write(&parts));
        Ok(())
    }
}

/// Changes the tenth base64 character after `marker` (A↔B), as a tamperer would.
fn flip_after(text: &str, marker: &str) -> Result<String, String> {
    let start = text.find(marker).ok_or_else(|| format!("no {marker}"))? + marker.len();
    let (i, c) = text[start..]
        .char_indices()
        .filter(|(_, c)| c.is_ascii_alphanumeric())
        .nth(10)
        .ok_or_else(|| format!("nothing to change after {marker}"))?;
    let mut out = text.to_string();
    out.replace_range(start + i..start + i + 1, if c == 'A' { "B" } else { "A" });
    Ok(out)
}

/// Every sample under `root`: `valid/*` in order, then `broken/*`.
pub fn load_all(root: &Path) -> Result<Vec<Sample>, SampleError> {
    let mut out = Vec::new();
    for group in ["valid", "broken"] {
        let dir = root.join(group);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .map_err(|e| err(&dir, e))?
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().to_str().map(|s| format!("{group}/{s}")))
            .collect();
        names.sort();
        for n in names {
            out.push(Sample::load(root, &n)?);
        }
    }
    Ok(out)
}

// ---- writing -------------------------------------------------------------

const CLOCK: OffsetDateTime = time::macros::datetime!(2022-06-01 12:00 UTC);
const DOC_TIME: OffsetDateTime = time::macros::datetime!(2022-06-01 10:00 UTC);

fn oid(n: u32) -> String {
    format!("1.2.246.10.99990001.10.0.77.{n}")
}

/// Gives a spec a fixed id (and set id), renaming its attachments after it.
fn fix_id(mut s: DocumentSpec, id: &str) -> DocumentSpec {
    let old = s.id.clone();
    if s.set_id == old {
        s.set_id = id.to_string();
    }
    s.id = id.to_string();
    for p in s.parts.iter_mut() {
        p.content_id = p.content_id.replacen(&old, id, 1);
    }
    s
}

struct Def {
    name: String,
    meta: SampleMeta,
    spec: DocumentSpec,
    /// A textual edit of the written CDA (for documents no well-behaved composer would write).
    edit: Option<(String, String)>,
    /// The wrapper's MIME text, when it is to be something else than the package.
    package_mime: Option<String>,
}

fn meta(
    description: &str,
    interaction: &str,
    system: &str,
    document_id: &str,
    ack: &str,
    codes: &[&str],
) -> SampleMeta {
    SampleMeta {
        description: description.to_string(),
        rule: None,
        interaction: interaction.to_string(),
        system: system.to_string(),
        acting_organisation: Organisation::testila().controller,
        clock: CLOCK,
        document_id: document_id.to_string(),
        expect_ack: ack.to_string(),
        expect_codes: codes.iter().map(|c| c.to_string()).collect(),
        service_request: None,
        wrapper_set_id: None,
        reason: None,
        media_types: BTreeMap::new(),
        declared_sizes: BTreeMap::new(),
        sign: Vec::new(),
        signer: None,
        after_signing: None,
    }
}

fn def(name: &str, meta: SampleMeta, spec: DocumentSpec) -> Def {
    Def { name: name.to_string(), meta, spec, edit: None, package_mime: None }
}

#[allow(clippy::too_many_arguments)]
fn broken(
    code: &str,
    slug: &str,
    rule: &str,
    description: &str,
    interaction: &str,
    spec: DocumentSpec,
    ack: &str,
    codes: &[&str],
) -> Def {
    // Samples are sent on the 2022 clock by the city's phase II system.
    let mut m = meta(description, interaction, "liittyva2-atj", &spec.id, ack, codes);
    m.rule = Some(rule.to_string());
    def(&format!("broken/{code}-{slug}"), m, spec)
}

fn definitions() -> Vec<Def> {
    let persons = TestPersons::builtin();
    let p = persons.get("aikuinen").cloned().unwrap_or_else(|| persons.persons[0].clone());
    let other = persons.get("aikuinen_mies").cloned().unwrap_or_else(|| persons.persons[1].clone());
    // A client without a clienthood: broken clienthood samples are about their own defect,
    // not about a second clienthood of `p` (one per client per organiser, SHA-R503).
    let third = persons.get("vanhus").cloned().unwrap_or_else(|| persons.persons[2].clone());
    let kit = Kit::new(Organisation::testila(), DOC_TIME);
    let hood3 = kit.clienthood(&third);
    let case = "1.2.246.10.99990001.10.0.78.1".to_string();
    let hood = fix_id(kit.clienthood(&p), &oid(1));
    let asia = fix_id(kit.case(&p, &case), &oid(2));
    let v1 = fix_id(kit.client_document(&p, &case, DocumentModel::Vaihe1), &oid(3));
    let v2 = fix_id(kit.client_document(&p, &case, DocumentModel::Vaihe2), &oid(4));
    // Structured documents belong to the Client Data Act world: dated and sent in 2026.
    let kit_2026 = Kit::new(Organisation::testila(), time::macros::datetime!(2026-11-20 10:00 UTC));
    let lv = fix_id(kit_2026.client_document(&p, &case, DocumentModel::Liittymisvelvoite), &oid(5));
    let old = fix_id(kit.client_document(&p, &case, DocumentModel::Vanha), &oid(6));
    let v2b = fix_id(kit.new_version(&v2), &oid(7));
    let inv = fix_id(kit.client_document(&p, &case, DocumentModel::Vaihe2), &oid(8));
    let s = "liittyva2-atj";

    let mut d = vec![
        def(
            "valid/01-asiakkuusasiakirja",
            meta("Clienthood document (asiakkuusasiakirja) with Sosmeta JSON content", "store", s, &hood.id, "AA", &[]),
            hood.clone(),
        ),
        def(
            "valid/02-asia-asiakirja",
            meta("Case document (asia-asiakirja) for case 78.1", "store", s, &asia.id, "AA", &[]),
            asia.clone(),
        ),
        def(
            "valid/03-vaihe1-paatos",
            meta("Phase I client document: a decision as PDF/A, system-signed", "store", s, &v1.id, "AA", &[]),
            v1.clone(),
        ),
        def(
            "valid/04-vaihe2-asiakaskertomusmerkinta",
            meta(
                "Phase II client record entry (asiakaskertomusmerkintä, 19003) as XHTML with service unit",
                "store",
                s,
                &v2.id,
                "AA",
                &[],
            ),
            v2.clone(),
        ),
        def(
            "valid/05-liittymisvelvoite-paatos",
            SampleMeta {
                clock: time::macros::datetime!(2026-11-20 12:00 UTC),
                ..meta(
                    "Joining-obligation structured decision (Sosmeta 1506.11002): display XHTML plus structured JSON",
                    "store",
                    "liittymisvelvoite-atj",
                    &lv.id,
                    "AA",
                    &[],
                )
            },
            lv.clone(),
        ),
        def(
            "valid/06-vanha-asiakirja",
            meta("Old document (vanha asiakasasiakirja) with operating unit, PDF/A", "store", s, &old.id, "AA", &[]),
            old.clone(),
        ),
        def(
            "valid/07-uusi-versio",
            meta("New version 2 of the phase II entry (relatedDocument RPLC)", "new_version", s, &v2b.id, "AA", &[]),
            v2b.clone(),
        ),
        def(
            "valid/08-mitatoitava",
            meta("A phase II entry that sample 09 invalidates", "store", s, &inv.id, "AA", &[]),
            inv.clone(),
        ),
    ];
    let mut invalidate =
        meta("Invalidation (mitätöinti) of sample 08 with a reason", "invalidate", s, &inv.id, "AA", &[]);
    invalidate.reason = Some("Kirjattu väärälle asiakkaalle".into());
    d.push(def("valid/09-mitatointi", invalidate, inv.clone()));
    let mut partial = v2.clone();
    partial.service_task = Some("777".into());
    let partial = fix_id(partial, &oid(10));
    d.push(def(
        "valid/10-tuntematon-koodi-varoitus",
        meta(
            "Accepted with a warning: service task 777 is not in the subset of code set 1221 the simulator knows",
            "store",
            s,
            &partial.id,
            "AA",
            &["SHA-R204"],
        ),
        partial,
    ));
    let mut other_unit = v2.clone();
    other_unit.service_unit = Some("1.2.246.10.12345678.10.4711".into());
    let other_unit = fix_id(other_unit, &oid(11));
    d.push(def(
        "valid/11-tuntematon-yksikko-varoitus",
        meta(
            "Accepted with a warning: a service unit the simulator's extract of the SOTE register does not hold (real units carry other business ids than their controller)",
            "store",
            s,
            &other_unit.id,
            "AA",
            &["SHA-R205"],
        ),
        other_unit,
    ));

    // Broken samples: the valid ones with one thing wrong. Ids 100+.
    let mut n = 100;
    let mut next = || {
        n += 1;
        oid(n)
    };

    d.push(Def {
        edit: Some(("<ClinicalDocument".into(), "<ClinicalDocumen".into())),
        ..broken(
            "R001",
            "cda-ei-xml",
            "document",
            "The CDA part is not well-formed XML",
            "store",
            fix_id(v2.clone(), &next()),
            "AE",
            &["SHA-R001"],
        )
    });
    let mut x = broken(
        "R002",
        "kehys-ristiriita",
        "document",
        "The wrapper's setId differs from the document's",
        "store",
        fix_id(v2.clone(), &next()),
        "AE",
        &["SHA-R002"],
    );
    x.meta.wrapper_set_id = Some("1.2.246.10.99990001.10.0.79.2".into());
    d.push(x);
    let mut no_group = fix_id(v2.clone(), &next());
    no_group.group = None;
    d.push(broken(
        "R003",
        "asiakirjaryhma-puuttuu",
        "1",
        "No documentGroup: the archive cannot tell what the document is",
        "store",
        no_group,
        "AE",
        &["SHA-R003"],
    ));
    let mut unsigned = fix_id(v1.clone(), &next());
    unsigned.signed = false;
    d.push(broken(
        "R004",
        "allekirjoitus-puuttuu",
        "signature",
        "Phase I document without a system signature (strict mode)",
        "store",
        unsigned,
        "AE",
        &["SHA-R004"],
    ));
    // Signatures: each made by the sending system as the sample is sent (`sign`), then spoiled.
    let mut signed_broken = |code: &str, slug: &str, description: &str, codes: &[&str], f: &dyn Fn(&mut SampleMeta)| {
        let spec = fix_id(v1.clone(), &next());
        let mut def = broken(code, slug, "signature", description, "store", spec, "AE", codes);
        def.meta.sign = vec!["system".into()];
        f(&mut def.meta);
        def
    };
    d.push(signed_broken(
        "R005",
        "allekirjoitusarvo-vaara",
        "Phase I document whose SignatureValue was changed after signing",
        &["SHA-R005"],
        &|m| m.after_signing = Some("signature-value".into()),
    ));
    d.push(signed_broken(
        "R007",
        "sisalto-muuttunut",
        "Phase I document whose body (the PDF's base64) changed after it was signed",
        &["SHA-R007"],
        &|m| m.after_signing = Some("body".into()),
    ));
    d.push(signed_broken(
        "R008",
        "tuntematon-allekirjoittaja",
        "Phase I document signed with a certificate from a CA the simulator does not trust (strict mode)",
        &["SHA-R008"],
        &|m| m.signer = Some("unknown-ca".into()),
    ));
    d.push(signed_broken(
        "R009",
        "varmenne-vanhentunut",
        "Phase I document signed in 2022 with a certificate that expired in 2012 (strict mode)",
        &["SHA-R009"],
        &|m| m.signer = Some("expired".into()),
    ));
    d.push(signed_broken(
        "R010",
        "sisennetty-allekirjoituksen-jalkeen",
        "Phase I document signed compact and re-indented afterwards: content intact, layout not (strict mode)",
        &["SHA-R010"],
        &|m| m.after_signing = Some("reindent".into()),
    ));
    d.push(Def {
        edit: Some(("<versionNumber value=\"1\"/>".into(), "<versionNumber value=\"yksi\"/>".into())),
        ..broken(
            "R006",
            "versionumero-ei-luku",
            "1",
            "versionNumber is not a number",
            "store",
            fix_id(hood3.clone(), &next()),
            "AE",
            &["SHA-R006", "SHA-R101"],
        )
    });
    let mut no_unit = fix_id(v2.clone(), &next());
    no_unit.service_unit = None;
    d.push(broken(
        "R101",
        "palveluyksikko-puuttuu",
        "1",
        "Phase II document without its mandatory service unit (palveluyksikkö)",
        "store",
        no_unit,
        "AE",
        &["SHA-R101"],
    ));
    let mut no_social = fix_id(v1.clone(), &next());
    no_social.social_services.clear();
    d.push(broken(
        "R102",
        "sosiaalipalvelu-puuttuu",
        "1",
        "A decision (Päätös) without a social service: conditionally mandatory",
        "store",
        no_social,
        "AE",
        &["SHA-R102"],
    ));
    d.push(Def {
        edit: Some((
            "code=\"10\" codeSystem=\"1.2.246.537.6.1221.201601\"".into(),
            "code=\"10\" codeSystem=\"1.2.246.537.6.1222.201601\"".into(),
        )),
        ..broken(
            "R201",
            "vaara-koodisto",
            "2",
            "Service task sent with the social-service code system",
            "store",
            fix_id(v2.clone(), &next()),
            "AE",
            &["SHA-R201"],
        )
    });
    let mut grp = fix_id(v2.clone(), &next());
    grp.group = Some("7".into());
    d.push(broken(
        "R202",
        "tuntematon-asiakirjaryhma",
        "2",
        "Document group 7 is not in the document-group code set",
        "store",
        grp,
        "AE",
        &["SHA-R202"],
    ));
    let mut early = fix_id(v2.clone(), &next());
    early.effective_time = Some(time::macros::datetime!(2015-06-01 10:00 UTC));
    d.push(broken(
        "R203",
        "koodi-ei-voimassa",
        "2",
        "Dated 2015, before service-task code set 1221 version 201601 was valid",
        "store",
        early,
        "AE",
        &["SHA-R203"],
    ));
    let mut unit = fix_id(v2.clone(), &next());
    unit.service_unit = Some("1.2.246.10.99990001.10.1".into());
    d.push(broken(
        "R206",
        "yksikon-taso-vaara",
        "2",
        "The service unit is an operating unit (toimintayksikkö) in the SOTE register, not a service unit",
        "store",
        unit,
        "AE",
        &["SHA-R206"],
    ));
    let mut combo = fix_id(v1.clone(), &next());
    combo.general_type = Some("1".into());
    d.push(broken(
        "R206",
        "asiakirjatyyppi-ristiriita",
        "2",
        "Document type 11002 is a decision (Päätös) but the general type (ClinicalDocument/code) is 1 Arvio",
        "store",
        combo,
        "AE",
        &["SHA-R206"],
    ));
    let mut bad_hetu = fix_id(hood.clone(), &next());
    bad_hetu.client_id = Some("010181-900D".into());
    d.push(broken(
        "R301",
        "virheellinen-hetu",
        "3",
        "Hetu with a wrong check character",
        "store",
        bad_hetu,
        "AE",
        &["SHA-R301"],
    ));
    let mut real = fix_id(hood.clone(), &next());
    real.client_id = Some("010181-123A".into());
    d.push(broken(
        "R302",
        "ei-testihetu",
        "3",
        "Hetu with individual number 123: possibly a real person, refused in test use",
        "store",
        real,
        "AE",
        &["SHA-R302"],
    ));
    let mut temp = fix_id(old.clone(), &next());
    temp.client_root = "1.2.246.10.99990001.10.0.99".into();
    temp.client_id = Some("TILAP-000123".into());
    d.push(broken(
        "R303",
        "tilapainen-tunniste-vanha",
        "3",
        "Temporary identifier in an old document (phase II documents and later only)",
        "store",
        temp,
        "AE",
        &["SHA-R303"],
    ));
    let mut root = fix_id(hood.clone(), &next());
    root.client_root = "1.2.3.4".into();
    d.push(broken(
        "R304",
        "tuntematon-tunnisteen-juuri",
        "3",
        "Client id root is neither hetu nor the controller's temporary-id root",
        "store",
        root,
        "AE",
        &["SHA-R304"],
    ));
    let mut foreign = fix_id(hood.clone(), &next());
    foreign.controller = Some(Organisation::testikyla().controller);
    d.push(broken(
        "R401",
        "vieras-rekisterinpitaja",
        "4",
        "The joining system of Testilä stores into Testikylä's register",
        "store",
        foreign,
        "AR",
        &["SHA-R401"],
    ));
    let mut viewer = broken(
        "R402",
        "katseleva-tallentaa",
        "4",
        "A viewing-profile system tries to store a clienthood document",
        "store",
        fix_id(hood.clone(), &next()),
        "AR",
        &["SHA-R402"],
    );
    viewer.meta.system = "katseleva-atj".into();
    d.push(viewer);
    let mut nocase = fix_id(v2.clone(), &next());
    nocase.case_id = Some("1.2.246.10.99990001.10.0.78.999".into());
    d.push(broken(
        "R501",
        "asia-puuttuu",
        "5",
        "Client document in a case that has no case document",
        "store",
        nocase,
        "AE",
        &["SHA-R501"],
    ));
    let orphan = fix_id(kit.case(&other, "1.2.246.10.99990001.10.0.78.2"), &next());
    d.push(broken(
        "R502",
        "asiakkuus-puuttuu",
        "5",
        "Case document for a client without a clienthood document",
        "store",
        orphan,
        "AE",
        &["SHA-R502"],
    ));
    d.push(broken(
        "R601",
        "tunniste-kaytossa",
        "6",
        "Stores sample 01 again: its document id is already in use",
        "store",
        hood.clone(),
        "AE",
        &["SHA-R601"],
    ));
    let mut ghost = fix_id(kit.new_version(&v2), &next());
    ghost.replaces = Some(("1.2.246.10.99990001.10.0.77.9999".into(), v2.set_id.clone(), 1));
    d.push(broken(
        "R602",
        "korvattava-puuttuu",
        "6",
        "New version of a document that does not exist",
        "new_version",
        ghost,
        "AE",
        &["SHA-R602"],
    ));
    let mut jump = fix_id(kit.new_version(&v2b), &next());
    jump.version = 4;
    d.push(broken(
        "R603",
        "versionumero-hyppaa",
        "6",
        "New version numbered 4 after version 2",
        "new_version",
        jump,
        "AE",
        &["SHA-R603"],
    ));
    d.push(broken(
        "R604",
        "ei-voimassa-oleva",
        "6",
        "New version of version 1, which sample 07 already replaced",
        "new_version",
        fix_id(kit.new_version(&v2), &next()),
        "AE",
        &["SHA-R604"],
    ));
    let mut theft = fix_id(kit.new_version(&v2b), &next());
    theft.controller = Some(Organisation::testikyla().controller);
    let mut theft = broken(
        "R605",
        "toisen-asiakirja",
        "6",
        "Testikylä's own system versions Testilä's document",
        "new_version",
        theft,
        "AR",
        &["SHA-R605", "SHA-R501", "SHA-R502"],
    );
    theft.meta.system = "testikyla-atj".into();
    theft.meta.acting_organisation = Organisation::testikyla().controller;
    d.push(theft);
    let mut set = fix_id(kit.new_version(&v2b), &next());
    set.set_id = "1.2.246.10.99990001.10.0.79.1".into();
    d.push(broken(
        "R606",
        "eri-setid",
        "6",
        "New version with a different setId from its parent",
        "new_version",
        set,
        "AE",
        &["SHA-R606"],
    ));
    d.push(broken(
        "R607",
        "mitatoidyn-versio",
        "6",
        "New version of the document sample 09 invalidated",
        "new_version",
        fix_id(kit.new_version(&inv), &next()),
        "AE",
        &["SHA-R607"],
    ));
    let mut orphan_v = fix_id(kit.new_version(&v2b), &next());
    orphan_v.replaces = None;
    d.push(broken(
        "R608",
        "korvaus-viittaus-puuttuu",
        "6",
        "New version without relatedDocument typeCode=RPLC",
        "new_version",
        orphan_v,
        "AE",
        &["SHA-R608"],
    ));
    let mut swap = fix_id(kit.new_version(&v2b), &next());
    swap.client_id = Some(other.hetu.clone());
    d.push(broken(
        "R609",
        "asiakas-vaihtuu",
        "6",
        "New version that changes the client",
        "new_version",
        swap,
        "AE",
        &["SHA-R609", "SHA-R501", "SHA-R502"],
    ));
    let mut wrong_sp = broken(
        "M009",
        "palvelupyynto-ei-sovi",
        "message",
        "A client document sent with service request SP1 (clienthood document archiving)",
        "store",
        fix_id(v2.clone(), &next()),
        "AR",
        &["SHA-M009"],
    );
    wrong_sp.meta.service_request = Some("SP1".into());
    d.push(wrong_sp);
    d.push(Def {
        edit: Some(("</recordTarget>".into(), "</recordTarget>\n<recordTarget>\n<patientRole>\n<id root=\"1.2.246.21\" extension=\"150275-901P\"/>\n</patientRole>\n</recordTarget>".into())),
        ..broken(
            "M010",
            "kaksi-asiakasta",
            "message",
            "Two recordTargets: the document would name two clients",
            "store",
            fix_id(v2.clone(), &next()),
            "AR",
            &["SHA-M010"],
        )
    });
    let mut dangling = fix_id(v2.clone(), &next());
    let cid = format!("{}.missing.pdf", dangling.id);
    dangling.dangling_refs.push((cid, "application/pdf".into()));
    d.push(broken(
        "R701",
        "liite-puuttuu",
        "7",
        "The body references a MIME part the message does not carry",
        "store",
        dangling,
        "AE",
        &["SHA-R701"],
    ));
    let not_pdfa = with_content(
        fix_id(v1.clone(), &next()),
        "application/pdf",
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\nstartxref\n9\n%%EOF\n",
    );
    d.push(broken(
        "R702",
        "ei-pdfa",
        "7",
        "The PDF has no PDF/A identification",
        "store",
        not_pdfa,
        "AE",
        &["SHA-R702"],
    ));
    let unclosed = with_content(
        fix_id(v2.clone(), &next()),
        "application/xhtml+xml",
        b"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>auki</div>",
    );
    d.push(broken(
        "R703",
        "xhtml-rikki",
        "7",
        "The XHTML is not well-formed (unclosed <p>)",
        "store",
        unclosed,
        "AE",
        &["SHA-R703"],
    ));
    let script = with_content(
        fix_id(v2.clone(), &next()),
        "application/xhtml+xml",
        "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Merkintä</p><script>alert(1)</script></div>".as_bytes(),
    );
    d.push(broken("R704", "xhtml-skripti", "7", "The XHTML carries a script", "store", script, "AE", &["SHA-R704"]));
    let cut =
        with_content(fix_id(hood3.clone(), &next()), "application/json", b"{\"asiakkuusasiakirja\": {\"asiakas\": ");
    d.push(broken("R705", "json-rikki", "7", "The clienthood JSON is cut short", "store", cut, "AE", &["SHA-R705"]));
    let mut sized = fix_id(v2.clone(), &next());
    sized.packaging = Packaging::Referenced;
    sized.parts[0].declared_size = Some(10);
    let mut x = broken(
        "R706",
        "koko-vaara",
        "7",
        "The display form travels as a MIME part that declares 10 bytes but holds more",
        "store",
        sized.clone(),
        "AE",
        &["SHA-R706"],
    );
    x.meta.declared_sizes.insert(sized.parts[0].content_id.clone(), 10);
    d.push(x);
    let mut hashed = fix_id(v2.clone(), &next());
    hashed.integrity_check = Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into());
    d.push(broken(
        "R707",
        "tiiviste-vaara",
        "7",
        "The declared SHA-256 integrity check does not match the part",
        "store",
        hashed,
        "AE",
        &["SHA-R707"],
    ));
    let mime = fix_id(v2.clone(), &next());
    let mime_text = format!(
        "MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/xml\r\nContent-Transfer-Encoding: base64\r\nContent-ID: <{}>\r\n\r\n!!! tämä ei ole base64 !!!\r\n--b--\r\n",
        mime.id
    );
    d.push(Def {
        package_mime: Some(mime_text),
        ..broken("R708", "mime-rikki", "7", "The MIME part is not valid base64", "store", mime, "AE", &["SHA-R708"])
    });
    let mut json_in_v1 = fix_id(v1.clone(), &next());
    let cid = format!("{}.json", json_in_v1.id);
    json_in_v1.parts.push(Part::new(cid, "application/json", b"{}".to_vec()));
    d.push(broken(
        "R709",
        "vaara-sisaltotyyppi",
        "7",
        "A phase I document with a structured JSON form (phase I documents carry a PDF/A or XHTML display form only)",
        "store",
        json_in_v1,
        "AE",
        &["SHA-R709"],
    ));
    let mut future = fix_id(v2.clone(), &next());
    future.effective_time = Some(time::macros::datetime!(2030-01-01 10:00 UTC));
    d.push(broken(
        "R801",
        "tulevaisuudessa",
        "8",
        "Creation time in 2030, after the simulator's clock",
        "store",
        future,
        "AE",
        &["SHA-R801"],
    ));
    let mut period = fix_id(kit.case(&p, "1.2.246.10.99990001.10.0.78.3"), &next());
    period.period = Some((DOC_TIME, Some(time::macros::datetime!(2022-01-01 10:00 UTC))));
    d.push(broken(
        "R802",
        "paattyy-ennen-alkua",
        "8",
        "A case that ends before it starts",
        "store",
        period,
        "AE",
        &["SHA-R802"],
    ));
    d.push(Def {
        edit: Some((
            "<effectiveTime value=\"20220601100000+0000\"/>".into(),
            "<effectiveTime value=\"2022-06-01\"/>".into(),
        )),
        ..broken(
            "R803",
            "aika-vaarassa-muodossa",
            "8",
            "effectiveTime in ISO form instead of HL7 TS",
            "store",
            fix_id(hood3.clone(), &next()),
            "AE",
            &["SHA-R803", "SHA-R101"],
        )
    });
    // Structured forms (Sosmeta, SHA-S…): the joining-obligation decision of sample 05, sent in
    // 2026 by the joining-obligation system, with one thing wrong in its JSON or its structure.
    let lv_root = "/lastensuojelun_palvelu__tai_tukitoimipaatos";
    let structured = |code: &str, slug: &str, description: &str, spec: DocumentSpec, codes: &[&str]| {
        let mut def = broken(code, slug, "9", description, "store", spec, "AE", codes);
        def.meta.system = "liittymisvelvoite-atj".into();
        def.meta.clock = time::macros::datetime!(2026-11-20 12:00 UTC);
        def
    };
    let unknown =
        DocumentSpec { structure: Some("1.2.246.537.6.1506.11002.2099.1.1".into()), ..fix_id(lv.clone(), &next()) };
    d.push(structured(
        "S001",
        "tuntematon-rakenne",
        "contentSpecificationId names a structure version THL has not published",
        unknown,
        &["SHA-S001"],
    ));
    let early = DocumentSpec {
        effective_time: Some(time::macros::datetime!(2023-03-01 10:00 UTC)),
        ..fix_id(lv.clone(), &next())
    };
    d.push(structured(
        "S002",
        "rakenneversio-myohempi",
        "A document dated 1.3.2023 names structure version 2023.9.8, valid only from 8.9.2023",
        early,
        &["SHA-S002"],
    ));
    let renamed = json_edit(fix_id(lv.clone(), &next()), |v| {
        if let Some(o) = v.as_object_mut() {
            if let Some(x) = o.remove(&lv_root[1..]) {
                o.insert("lastensuojelupaatos".into(), x);
            }
        }
    });
    d.push(structured(
        "S003",
        "vaara-juurielementti",
        "The structured form's root is not the structure's",
        renamed,
        &["SHA-S003"],
    ));
    let no_sig = json_edit(fix_id(lv.clone(), &next()), |v| {
        if let Some(o) = v.pointer_mut(lv_root).and_then(|x| x.as_object_mut()) {
            o.remove("allekirjoitus");
        }
    });
    d.push(structured(
        "S004",
        "pakollinen-kentta-puuttuu",
        "The required field Allekirjoitus is missing from the form",
        no_sig,
        &["SHA-S004"],
    ));
    let extra = json_edit(fix_id(lv.clone(), &next()), |v| {
        if let Some(o) = v.pointer_mut(lv_root).and_then(|x| x.as_object_mut()) {
            o.insert("keksitty_kentta".into(), serde_json::json!("x"));
        }
    });
    d.push(structured("S005", "tuntematon-kentta", "A field the structure does not have", extra, &["SHA-S005"]));
    let number = json_set(
        fix_id(lv.clone(), &next()),
        &format!("{lv_root}/paatos/paatospaivamaara"),
        serde_json::json!(20250115),
    );
    d.push(structured("S006", "vaara-tyyppi", "The decision date is a number, not a date", number, &["SHA-S006"]));
    let twice = json_edit(fix_id(lv.clone(), &next()), |v| {
        if let Some(x) = v.pointer_mut(&format!("{lv_root}/paatos/paatoksentekija")) {
            *x = serde_json::json!([x.clone(), x.clone()]);
        }
    });
    d.push(structured(
        "S007",
        "ei-toistuva",
        "The decision maker, a single field, is given twice",
        twice,
        &["SHA-S007"],
    ));
    let other_system = json_set(
        fix_id(lv.clone(), &next()),
        &format!("{lv_root}/paatos/ratkaisun_laji/system"),
        serde_json::json!("urn:oid:1.2.246.537.6.9999"),
    );
    d.push(structured(
        "S009",
        "vaara-koodisto",
        "The decision kind's code is from another code system",
        other_system,
        &["SHA-S009"],
    ));
    let unknown_code = json_set(
        fix_id(lv.clone(), &next()),
        &format!("{lv_root}/paatos/sosiaalipalvelu_jota_paatos_koskee/sosiaalipalvelu/code"),
        serde_json::json!("777"),
    );
    let mut s011 = structured(
        "S011",
        "tuntematon-koodi-varoitus",
        "A social service code outside the part of code set 1222 the simulator knows: a warning",
        unknown_code,
        &["SHA-S011"],
    );
    s011.meta.expect_ack = "AA".into();
    d.push(s011);
    let hetu_system = json_set(
        fix_id(lv.clone(), &next()),
        &format!("{lv_root}/asiakas/0/henkilotunnus/system"),
        serde_json::json!("urn:oid:1.2.246.10.99990001.99"),
    );
    d.push(structured(
        "S012",
        "tunnisteen-juuri-vaara",
        "The client's personal identity code is given in another identifier system",
        hetu_system,
        &["SHA-S012"],
    ));
    let real_hetu = json_set(
        fix_id(lv.clone(), &next()),
        &format!("{lv_root}/asiakas/0/henkilotunnus/value"),
        serde_json::json!("010181-123A"),
    );
    d.push(structured(
        "S013",
        "ei-testihetu",
        "The client in the form has a personal identity code outside the test range",
        real_hetu,
        &["SHA-S013", "SHA-S020"],
    ));
    let other_client = json_set(
        fix_id(lv.clone(), &next()),
        &format!("{lv_root}/asiakas/0/henkilotunnus/value"),
        serde_json::json!(other.hetu.clone()),
    );
    d.push(structured(
        "S020",
        "lomake-ja-otsikko-eri",
        "The form names another client than the header",
        other_client,
        &["SHA-S020"],
    ));
    // A clienthood whose service language is not one THL's schema accepts (FI, SV).
    let language = json_edit(fix_id(kit_2026.clienthood(&third), &next()), |v| {
        if let Some(o) = v.pointer_mut("/asiakkuusasiakirja/asiakas").and_then(|x| x.as_object_mut()) {
            o.insert(
                "asiointikieli".into(),
                serde_json::json!({"code": "EN", "display": "englanti", "system": "urn:oid:1.2.246.537.5.40175"}),
            );
        }
    });
    d.push(structured(
        "S008",
        "arvo-ei-sallittu",
        "A clienthood with service language EN: the schema accepts FI and SV",
        language,
        &["SHA-S008"],
    ));
    // A closed case without its end date (a Sosmeta condition the schema cannot express).
    let closed = json_edit(fix_id(kit_2026.case(&p, "1.2.246.10.99990001.10.0.78.9"), &next()), |v| {
        if let Some(o) = v.pointer_mut("/asia_asiakirja/asian_tiedot").and_then(|x| x.as_object_mut()) {
            o.insert(
                "tila".into(),
                serde_json::json!({"code": "2", "display": "Päättynyt", "system": "urn:oid:1.2.246.537.6.1501"}),
            );
            o.remove("paattymispaiva");
        }
    });
    // The service task's code system written with another version than the simulator holds.
    let mut r207 = broken(
        "R207",
        "koodiston-versio-eri",
        "2",
        "functionCode's code system carries version 201001 where the simulator holds 201601: a warning",
        "store",
        fix_id(v2.clone(), &next()),
        "AA",
        &["SHA-R207"],
    );
    r207.edit =
        Some(("codeSystem=\"1.2.246.537.6.1221.201601\"".into(), "codeSystem=\"1.2.246.537.6.1221.201001\"".into()));
    d.push(r207);
    // A disclosure consent without the consent itself (yes or no).
    let no_answer = json_edit(fix_id(kit_2026.consent(&p, true), &next()), |v| {
        if let Some(o) =
            v.pointer_mut("/luovutuslupa_asiakirja/voimassa_oleva_luovutuslupa").and_then(|x| x.as_object_mut())
        {
            o.remove("luovutuslupa");
        }
    });
    d.push(structured(
        "L001",
        "luvan-arvo-puuttuu",
        "A disclosure consent that does not say yes or no",
        no_answer,
        &["SHA-L001", "SHA-S004"],
    ));
    d.push(structured(
        "S014",
        "ehdollinen-puuttuu",
        "A closed case (tila 2) without its end date",
        closed,
        &["SHA-S014"],
    ));
    d
}

/// The spec with the structured form's value at JSON pointer `ptr` replaced by `value`.
fn json_set(s: DocumentSpec, ptr: &str, value: serde_json::Value) -> DocumentSpec {
    json_edit(s, |v| {
        if let Some(x) = v.pointer_mut(ptr) {
            *x = value;
        }
    })
}

/// The spec with its structured form (JSON) changed by `f`.
fn json_edit(mut s: DocumentSpec, f: impl FnOnce(&mut serde_json::Value)) -> DocumentSpec {
    if let Some(part) = s.parts.iter_mut().find(|p| p.media_type == "application/json") {
        if let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(&part.bytes) {
            f(&mut v);
            part.bytes = serde_json::to_vec(&v).unwrap_or_default();
        }
    }
    s
}

/// Replaces a spec's display form (or its structured form, for JSON) with `bytes`.
fn with_content(mut s: DocumentSpec, media_type: &str, bytes: &[u8]) -> DocumentSpec {
    let json = media_type == "application/json";
    match s.parts.iter_mut().find(|p| (p.media_type == "application/json") == json) {
        Some(p) => {
            p.media_type = media_type.to_string();
            p.bytes = bytes.to_vec();
        }
        None => s.parts.push(Part::new(format!("{}.content", s.id), media_type, bytes.to_vec())),
    }
    s
}

/// The CDA with one element per line, so a sample reads well and diffs well.
fn pretty(cda: &[u8]) -> String {
    let x = String::from_utf8_lossy(cda);
    let mut out = x.replace("><", ">\n<");
    out.push('\n');
    out
}

fn operation(interaction: &str) -> Operation {
    match interaction {
        "new_version" => Operation::StoreNewVersion,
        "invalidate" => Operation::Invalidate,
        "validate" => Operation::Validate,
        _ => Operation::Store,
    }
}

/// The sample's files: the CDA text, the parts to write beside it, and the SOAP message.
fn build(d: &Def, number: usize) -> (String, Vec<Part>, String) {
    let spec = &d.spec;
    let mut cda = pretty(&spec.cda_bytes());
    if let Some((from, to)) = &d.edit {
        cda = cda.replacen(from.as_str(), to.as_str(), 1);
    }
    let mut parts = vec![Part::new(&spec.id, "text/xml", cda.clone().into_bytes())];
    let mut beside = Vec::new();
    if spec.packaging == Packaging::Referenced {
        parts.extend(spec.parts.iter().cloned());
        beside.extend(spec.parts.iter().cloned());
    }
    parts.extend(spec.unreferenced_parts.iter().cloned());
    let op = operation(&d.meta.interaction);
    let fd = if op == Operation::Invalidate {
        compose::invalidation(&d.meta.document_id, d.meta.reason.as_deref().unwrap_or_default())
    } else {
        let mime_text = d.package_mime.clone().unwrap_or_else(|| mime::write(&parts));
        let mut fd = FrameDocument::repeating(&spec.document(), FrameText::Mime(mime_text));
        if let Some(set) = &d.meta.wrapper_set_id {
            fd.set_id = Some(InstanceId::from_key(set));
        }
        fd
    };
    let kind = (op != Operation::Invalidate).then_some(spec.kind);
    let mut b = RequestBuilder::for_operation(op, kind, &d.meta.acting_organisation, d.meta.clock)
        .message_id(InstanceId {
            root: d.meta.acting_organisation.clone(),
            extension: Some(format!("{}", 1000 + number)),
        })
        .acting_organisation(&d.meta.acting_organisation)
        .document(fd);
    if let Some(sp) = &d.meta.service_request {
        b = b.service_request(sp);
    }
    (cda, beside, b.soap(soap::SoapVersion::V11))
}

/// Writes every sample under `root` (replacing what is there). Returns how many.
pub fn write_all(root: &Path) -> Result<usize, SampleError> {
    let defs = definitions();
    for group in ["valid", "broken"] {
        let dir = root.join(group);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| err(&dir, e))?;
        }
    }
    for (n, d) in defs.iter().enumerate() {
        let dir = root.join(&d.name);
        std::fs::create_dir_all(&dir).map_err(|e| err(&dir, e))?;
        let mut meta = d.meta.clone();
        if meta.sign.is_empty() && d.meta.interaction != "invalidate" {
            if d.spec.professional_signature {
                meta.sign.push("professional".into());
            }
            if d.spec.signed {
                meta.sign.push("system".into());
            }
        }
        let toml_text = toml::to_string(&meta).map_err(|e| err(&dir, e))?;
        let header = format!(
            "# Sample {} — generated by `sha-simulator samples write`; edit the generator, not this file.\n",
            d.name
        );
        std::fs::write(dir.join("sample.toml"), format!("{header}{toml_text}")).map_err(|e| err(&dir, e))?;
        let (cda, beside, message) = build(d, n);
        if d.meta.interaction != "invalidate" {
            std::fs::write(dir.join("cda.xml"), cda).map_err(|e| err(&dir, e))?;
        }
        for part in beside {
            std::fs::write(dir.join(&part.content_id), &part.bytes).map_err(|e| err(&dir, e))?;
        }
        std::fs::write(dir.join("message.xml"), message).map_err(|e| err(&dir, e))?;
    }
    Ok(defs.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_samples_are_what_the_generator_writes() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/documents");
        let tmp = tempfile::tempdir().expect("tmp");
        let n = write_all(tmp.path()).expect("write");
        let committed = load_all(&root).expect("committed samples load");
        assert_eq!(
            committed.len(),
            n,
            "run `cargo run -p sha-simulator -- samples write` after changing the generator"
        );
        for s in &committed {
            let fresh = Sample::load(tmp.path(), &s.name).expect("fresh");
            assert_eq!(fresh.meta.expect_codes, s.meta.expect_codes, "{}", s.name);
            let mut files: Vec<_> =
                std::fs::read_dir(&fresh.dir).expect("dir").filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
            files.sort();
            for f in files {
                let a = std::fs::read(s.dir.join(&f)).ok();
                let b = std::fs::read(fresh.dir.join(&f)).ok();
                assert!(a == b, "{}/{:?} differs from the generator's; run `sha-simulator samples write`", s.name, f);
            }
        }
    }

    #[test]
    fn every_archive_rule_has_a_broken_sample() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata/documents");
        let samples = load_all(&root).expect("samples");
        for rule in ["1", "2", "3", "4", "5", "6", "7", "8"] {
            assert!(samples.iter().any(|s| s.meta.rule.as_deref() == Some(rule)), "no broken sample for rule {rule}");
        }
    }
}
