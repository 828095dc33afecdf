//! Sample documents under `testdata/documents/`: at least one valid document
//! of every kind and one broken document per rule, each a folder a vendor can
//! read — `cda.xml`, its attachments named by Content-ID, and `sample.toml`
//! saying which system sends it, when, and what the archive must answer.
//!
//! Owns: writing the samples (deterministically, from the reference kit) and
//! loading one into a request. The test suite sends every sample and checks
//! the exact acknowledgement; the harness uses them as test-case material.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::compose::cda::DocumentSpec;
use crate::compose::kit::{Kit, Organisation};
use crate::compose::{self, DocumentRef, Part, RequestBuilder};
use crate::document::DocumentModel;
use crate::persons::TestPersons;

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
    /// Wrapper document group when it differs from the CDA's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrapper_group: Option<String>,
    /// Invalidation reason (interaction = invalidate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Media type per Content-ID where the extension would mislead.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub media_types: BTreeMap<String, String>,
    /// Declared sizes per Content-ID (Content-Disposition size=).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub declared_sizes: BTreeMap<String, u64>,
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

fn media_type_of(file: &str) -> &'static str {
    match file.rsplit('.').next().unwrap_or("") {
        "pdf" => "application/pdf",
        "xhtml" => "application/xhtml+xml",
        "json" => "application/json",
        "xml" => "text/xml",
        _ => "application/octet-stream",
    }
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

    /// The MIME parts: `package.mime` as is when present, else the CDA then every other file.
    pub fn parts(&self) -> Result<Vec<Part>, SampleError> {
        let cda_path = self.dir.join("cda.xml");
        let cda = std::fs::read(&cda_path).map_err(|e| err(&cda_path, e))?;
        let mut parts = vec![Part::new(&self.meta.document_id, "text/xml", cda)];
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map_err(|e| err(&self.dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for f in files {
            let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            if name == "cda.xml" || name == "sample.toml" || name == "package.mime" {
                continue;
            }
            let bytes = std::fs::read(&f).map_err(|e| err(&f, e))?;
            let mt = self.meta.media_types.get(&name).cloned().unwrap_or_else(|| media_type_of(&name).to_string());
            let mut p = Part::new(&name, mt, bytes);
            p.declared_size = self.meta.declared_sizes.get(&name).copied();
            parts.push(p);
        }
        Ok(parts)
    }

    /// The request this sample sends, from `sender_device` at `now`.
    pub fn request(&self, sender_device: &str, now: OffsetDateTime) -> Result<RequestBuilder, SampleError> {
        let interaction = match self.meta.interaction.as_str() {
            "store" => "RCMR_IN100002FI01",
            "new_version" => "RCMR_IN100016FI01",
            "invalidate" => "RCMR_IN100017FI01",
            "validate" => "RCMR_IN100020FI01",
            other => return Err(err(&self.dir, format!("unknown interaction '{other}'"))),
        };
        let b =
            RequestBuilder::new(interaction, sender_device, now).acting_organisation(&self.meta.acting_organisation);
        if self.meta.interaction == "invalidate" {
            let group = self.meta.wrapper_group.clone().unwrap_or_else(|| "3".into());
            let reason = self.meta.reason.clone().unwrap_or_default();
            return Ok(b.subject(compose::invalidation(&self.meta.document_id, &group, &reason)));
        }
        let cda_text = std::fs::read_to_string(self.dir.join("cda.xml")).unwrap_or_default();
        let group = self.meta.wrapper_group.clone().or_else(|| attr_after(&cda_text, "documentGroup", "code"));
        let r = DocumentRef {
            id: crate::archive::render::split_id(&self.meta.document_id),
            document_group: group,
            set_id: attr_after(&cda_text, "<setId", "root").map(|s| crate::archive::render::split_id(&s)),
            version: attr_after(&cda_text, "<versionNumber", "value").and_then(|v| v.parse().ok()),
            invalidation_reason: None,
        };
        let mime_path = self.dir.join("package.mime");
        let cd = if mime_path.exists() {
            let mime = std::fs::read_to_string(&mime_path).map_err(|e| err(&mime_path, e))?;
            let mut cd = compose::clinical_document(&r, &[]);
            cd.children.push(crate::xml::Node::Element(crate::message::el(
                "text",
                &[("mediaType", "multipart/related")],
                vec![crate::xml::Node::Text(mime)],
            )));
            cd
        } else {
            compose::clinical_document(&r, &self.parts()?)
        };
        Ok(b.subject(cd))
    }
}

/// The first `attr="…"` value after `marker` in `text` (light reading of our own files).
fn attr_after(text: &str, marker: &str, attr: &str) -> Option<String> {
    let i = text.find(marker)?;
    let rest = &text[i..];
    let end = rest.find('>')?;
    let tag = &rest[..end];
    let key = format!("{attr}=\"");
    let j = tag.find(&key)? + key.len();
    let k = tag[j..].find('"')? + j;
    Some(tag[j..k].to_string())
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
    spec: Option<DocumentSpec>,
    edit: Option<(String, String)>,
    replace_part: Option<(usize, Vec<u8>)>,
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
        wrapper_group: None,
        reason: None,
        media_types: BTreeMap::new(),
        declared_sizes: BTreeMap::new(),
    }
}

fn def(name: &str, meta: SampleMeta, spec: DocumentSpec) -> Def {
    Def { name: name.to_string(), meta, spec: Some(spec), edit: None, replace_part: None, package_mime: None }
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
    let mut m = meta(description, interaction, "liittyva-atj", &spec.id, ack, codes);
    m.rule = Some(rule.to_string());
    def(&format!("broken/{code}-{slug}"), m, spec)
}

fn definitions() -> Vec<Def> {
    let persons = TestPersons::builtin();
    let p = persons.get("aikuinen").cloned().unwrap_or_else(|| persons.persons[0].clone());
    let other = persons.get("aikuinen_mies").cloned().unwrap_or_else(|| persons.persons[1].clone());
    let kit = Kit::new(Organisation::testila(), DOC_TIME);
    let case = "1.2.246.10.99990001.10.0.78.1".to_string();
    let hood = fix_id(kit.clienthood(&p, DocumentModel::Vaihe2), &oid(1));
    let asia = fix_id(kit.case(&p, &case, DocumentModel::Vaihe2), &oid(2));
    let v1 = fix_id(kit.client_document(&p, &case, DocumentModel::Vaihe1), &oid(3));
    let v2 = fix_id(kit.client_document(&p, &case, DocumentModel::Vaihe2), &oid(4));
    // Structured documents belong to the Client Data Act world: dated and sent in 2026.
    let kit_2026 = Kit::new(Organisation::testila(), time::macros::datetime!(2026-11-20 10:00 UTC));
    let lv = fix_id(kit_2026.client_document(&p, &case, DocumentModel::Liittymisvelvoite), &oid(5));
    let old = fix_id(kit.client_document(&p, &case, DocumentModel::Vanha), &oid(6));
    let v2b = fix_id(kit.new_version(&v2), &oid(7));
    let inv = fix_id(kit.client_document(&p, &case, DocumentModel::Vaihe2), &oid(8));
    let s = "liittyva-atj";

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
                    s,
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
    invalidate.wrapper_group = Some("3".into());
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
        "The wrapper's document group (2) differs from the CDA's (3)",
        "store",
        fix_id(v2.clone(), &next()),
        "AE",
        &["SHA-R002"],
    );
    x.meta.wrapper_group = Some("2".into());
    d.push(x);
    d.push(Def {
        edit: Some(("code=\"vaihe2\"".into(), "code=\"vaihe3\"".into())),
        ..broken(
            "R003",
            "tuntematon-malli",
            "1",
            "documentModel 'vaihe3' does not exist",
            "store",
            fix_id(v2.clone(), &next()),
            "AE",
            &["SHA-R003"],
        )
    });
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
    d.push(Def {
        edit: Some(("<versionNumber value=\"1\"/>".into(), "<versionNumber value=\"yksi\"/>".into())),
        ..broken(
            "R006",
            "versionumero-ei-luku",
            "1",
            "versionNumber is not a number",
            "store",
            fix_id(hood.clone(), &next()),
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
            "code=\"10\" codeSystem=\"1.2.246.537.6.1221\"".into(),
            "code=\"10\" codeSystem=\"1.2.246.537.6.1222\"".into(),
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
    unit.service_unit = Some("1.2.246.10.99990001.10.999".into());
    d.push(broken(
        "R205",
        "tuntematon-palveluyksikko",
        "2",
        "Service unit not in the SOTE organisation register",
        "store",
        unit,
        "AE",
        &["SHA-R205"],
    ));
    let mut combo = fix_id(v1.clone(), &next());
    combo.general_type = Some("Arvio".into());
    d.push(broken(
        "R206",
        "asiakirjatyyppi-ristiriita",
        "2",
        "Document type 11002 is a decision (Päätös) but generalDocumentType says Arvio",
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
    let mut temp = fix_id(kit.clienthood(&p, DocumentModel::Vaihe1), &next());
    temp.client_root = "1.2.246.10.99990001.10.0.99".into();
    temp.client_id = Some("TILAP-000123".into());
    d.push(broken(
        "R303",
        "tilapainen-tunniste-vaihe1",
        "3",
        "Temporary identifier in a phase I clienthood document (phase II onwards only)",
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
    let orphan = fix_id(kit.case(&other, "1.2.246.10.99990001.10.0.78.2", DocumentModel::Vaihe2), &next());
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
        "Testikylä (through the joint system) versions Testilä's document",
        "new_version",
        theft,
        "AR",
        &["SHA-R605", "SHA-R501", "SHA-R502"],
    );
    theft.meta.system = "yhteis-atj".into();
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
    d.push(broken(
        "R611",
        "versio-tallennuksena",
        "6",
        "A replacing version sent with the store interaction",
        "store",
        fix_id(kit.new_version(&v2b), &next()),
        "AE",
        &["SHA-R611"],
    ));
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
    let not_pdfa = fix_id(v1.clone(), &next());
    d.push(Def {
        replace_part: Some((0, b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\nstartxref\n9\n%%EOF\n".to_vec())),
        ..broken("R702", "ei-pdfa", "7", "The PDF has no PDF/A identification", "store", not_pdfa, "AE", &["SHA-R702"])
    });
    d.push(Def {
        replace_part: Some((0, b"<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p>auki</body></html>".to_vec())),
        ..broken(
            "R703",
            "xhtml-rikki",
            "7",
            "The XHTML is not well-formed (unclosed <p>)",
            "store",
            fix_id(v2.clone(), &next()),
            "AE",
            &["SHA-R703"],
        )
    });
    d.push(Def { replace_part: Some((0, b"<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p>Merkint\xc3\xa4</p><script>alert(1)</script></body></html>".to_vec())), ..broken("R704", "xhtml-skripti", "7", "The XHTML carries a script", "store", fix_id(v2.clone(), &next()), "AE", &["SHA-R704"]) });
    d.push(Def {
        replace_part: Some((0, b"{\"asiakkuusasiakirja\": {\"asiakas\": ".to_vec())),
        ..broken(
            "R705",
            "json-rikki",
            "7",
            "The clienthood JSON is cut short",
            "store",
            fix_id(hood.clone(), &next()),
            "AE",
            &["SHA-R705"],
        )
    });
    let sized = fix_id(v2.clone(), &next());
    let mut x = broken(
        "R706",
        "koko-vaara",
        "7",
        "The part declares 10 bytes but holds more",
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
    json_in_v1.parts = vec![Part::new(cid, "application/json", b"{}".to_vec())];
    d.push(broken(
        "R709",
        "vaara-sisaltotyyppi",
        "7",
        "A phase I document with JSON content (PDF/A or XHTML only)",
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
    let mut period = fix_id(kit.case(&p, "1.2.246.10.99990001.10.0.78.3", DocumentModel::Vaihe2), &next());
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
            "<effectiveTime value=\"20220601100000\"/>".into(),
            "<effectiveTime value=\"2022-06-01\"/>".into(),
        )),
        ..broken(
            "R803",
            "aika-vaarassa-muodossa",
            "8",
            "effectiveTime in ISO form instead of HL7 TS",
            "store",
            fix_id(hood.clone(), &next()),
            "AE",
            &["SHA-R803", "SHA-R101"],
        )
    });
    d
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
    for d in &defs {
        let dir = root.join(&d.name);
        std::fs::create_dir_all(&dir).map_err(|e| err(&dir, e))?;
        let toml_text = toml::to_string(&d.meta).map_err(|e| err(&dir, e))?;
        let header = format!(
            "# Sample {} — generated by `sha-simulator samples write`; edit the generator, not this file.\n",
            d.name
        );
        std::fs::write(dir.join("sample.toml"), format!("{header}{toml_text}")).map_err(|e| err(&dir, e))?;
        if let Some(spec) = &d.spec {
            let mut cda = pretty_cda(spec);
            if let Some((from, to)) = &d.edit {
                cda = cda.replacen(from.as_str(), to.as_str(), 1);
            }
            std::fs::write(dir.join("cda.xml"), cda).map_err(|e| err(&dir, e))?;
            for (i, part) in spec.parts.iter().enumerate() {
                let bytes = match &d.replace_part {
                    Some((j, b)) if *j == i => b.clone(),
                    _ => part.bytes.clone(),
                };
                std::fs::write(dir.join(&part.content_id), bytes).map_err(|e| err(&dir, e))?;
            }
        }
        if let Some(m) = &d.package_mime {
            std::fs::write(dir.join("package.mime"), m).map_err(|e| err(&dir, e))?;
        }
    }
    Ok(defs.len())
}

/// The CDA with one element per line, so a sample reads well and diffs well.
fn pretty_cda(spec: &DocumentSpec) -> String {
    let x = spec.cda().to_xml();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&x.replace("><", ">\n<"));
    out.push('\n');
    out
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
