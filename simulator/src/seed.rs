//! Seeding: load a named fixture from `testdata/fixtures/` into the archive,
//! through the archive's own use cases (every rule applies), so a trainer can
//! start from a family case, a client with 200 documents or a turvakielto client.

use std::path::Path;

use include_dir::{include_dir, Dir};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};

use crate::archive::Archive;
use crate::codes::CodeSets;
use crate::command;
use crate::compose::kit::{new_oid, Kit, Organisation};
use crate::compose::{self, RequestBuilder};
use crate::document::{DocumentKind, DocumentModel, KindTable};
use crate::interactions::{Interactions, Operation};
use crate::persons::TestPersons;
use crate::registry::Registry;
use crate::wire::ack::AckType;
use crate::wire::frame::FrameDocument;

static FIXTURES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../testdata/fixtures");

/// One client in a fixture.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureClient {
    /// Test person key.
    pub person: String,
    /// Number of cases (documents are spread over them).
    #[serde(default = "one")]
    pub cases: u32,
    /// Phase I documents.
    #[serde(default)]
    pub vaihe1: u32,
    /// Phase II documents.
    #[serde(default)]
    pub vaihe2: u32,
    /// Structured documents.
    #[serde(default)]
    pub liittymisvelvoite: u32,
    /// Old documents.
    #[serde(default)]
    pub vanha: u32,
    /// New versions of the first phase II document.
    #[serde(default)]
    pub versions: u32,
    /// Phase II documents to invalidate.
    #[serde(default)]
    pub invalidated: u32,
}

fn one() -> u32 {
    1
}

/// A seed fixture.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// What it shows.
    pub description: String,
    /// testila, testikyla or testimaa.
    pub organisation: String,
    /// Storing system.
    pub system: String,
    /// Date of the first document.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Clients.
    pub client: Vec<FixtureClient>,
}

/// Seeding failures.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// No such fixture.
    #[error("no fixture named '{0}' (see GET /admin/fixtures)")]
    Unknown(String),
    /// Fixture text is wrong.
    #[error("fixture {0} is not valid: {1}")]
    Invalid(String, String),
    /// A document was refused: the fixture does not fit the archive's rules.
    #[error("fixture {fixture}: the archive refused {what}: {codes}")]
    Refused {
        /// Fixture.
        fixture: String,
        /// Which document.
        what: String,
        /// Codes.
        codes: String,
    },
}

/// Names and descriptions of the built-in fixtures.
pub fn list() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = FIXTURES
        .files()
        .filter_map(|f| {
            let name = f.path().file_stem()?.to_str()?.to_string();
            let fx: Fixture = toml::from_str(f.contents_utf8()?).ok()?;
            Some((name, fx.description))
        })
        .collect();
    v.sort();
    v
}

/// Loads a built-in fixture by name.
pub fn fixture(name: &str) -> Result<Fixture, SeedError> {
    let file =
        FIXTURES.get_file(Path::new(&format!("{name}.toml"))).ok_or_else(|| SeedError::Unknown(name.to_string()))?;
    toml::from_str(file.contents_utf8().unwrap_or("")).map_err(|e| SeedError::Invalid(name.to_string(), e.to_string()))
}

/// What a seed stored.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SeedReport {
    /// Fixture name.
    pub fixture: String,
    /// Documents stored (all versions).
    pub documents: usize,
    /// Invalidations.
    pub invalidations: usize,
    /// Clients (hetus).
    pub clients: Vec<String>,
}

/// Stores a fixture through the archive's use cases, its documents signed as the fixture's
/// system signs them with its keys in `certs`.
pub fn seed(
    archive: &Archive,
    registry: &Registry,
    certs: &crate::pki::CertPaths,
    name: &str,
) -> Result<SeedReport, SeedError> {
    let fx = fixture(name)?;
    let org = match fx.organisation.as_str() {
        "testila" => Organisation::testila(),
        "testikyla" => Organisation::testikyla(),
        "testimaa" => Organisation::testimaa(),
        other => return Err(SeedError::Invalid(name.into(), format!("unknown organisation '{other}'"))),
    };
    let system = registry
        .by_name(&fx.system)
        .cloned()
        .ok_or_else(|| SeedError::Invalid(name.into(), format!("system '{}' is not registered", fx.system)))?;
    let keys = std::sync::Arc::new(
        crate::client::SigningKeys::load(certs, &fx.system)
            .map_err(|e| SeedError::Invalid(name.into(), format!("signing keys: {e}")))?,
    );
    let mut report = SeedReport { fixture: name.to_string(), ..Default::default() };
    let mut t = fx.at;
    let table = Interactions::builtin();
    let send = |op: Operation,
                kind: Option<DocumentKind>,
                doc: FrameDocument,
                now: OffsetDateTime,
                what: &str|
     -> Result<(), SeedError> {
        let msg = RequestBuilder::for_operation(op, kind, &org.controller, now)
            .acting_organisation(&org.controller)
            .document(doc)
            .build();
        let req = command::read(&msg, table, KindTable::builtin(), CodeSets::builtin())
            .map_err(|r| SeedError::Invalid(name.into(), format!("{:?}", r.details)))?;
        let h = archive.handle(&req, &system, now);
        if h.ack.type_code != AckType::AA {
            let codes: Vec<String> = h.ack.details.iter().map(|d| format!("{} {}", d.code, d.en)).collect();
            return Err(SeedError::Refused { fixture: name.into(), what: what.into(), codes: codes.join("; ") });
        }
        Ok(())
    };
    for c in &fx.client {
        let person = TestPersons::builtin()
            .get(&c.person)
            .cloned()
            .ok_or_else(|| SeedError::Invalid(name.into(), format!("unknown test person '{}'", c.person)))?;
        report.clients.push(person.hetu.clone());
        let kit = |t: OffsetDateTime| Kit::new(org.clone(), t).with_keys(keys.clone());
        send(
            Operation::Store,
            Some(DocumentKind::Asiakkuus),
            kit(t).clienthood(&person).clinical_document(),
            t,
            "clienthood",
        )?;
        report.documents += 1;
        let cases: Vec<String> = (0..c.cases.max(1)).map(|_| new_oid()).collect();
        for case in &cases {
            t += Duration::minutes(5);
            send(
                Operation::Store,
                Some(DocumentKind::Asia),
                kit(t).case(&person, case).clinical_document(),
                t,
                "case",
            )?;
            report.documents += 1;
        }
        let mut phase2 = Vec::new();
        let plan = [
            (DocumentModel::Vaihe1, c.vaihe1),
            (DocumentModel::Vaihe2, c.vaihe2),
            (DocumentModel::Liittymisvelvoite, c.liittymisvelvoite),
            (DocumentModel::Vanha, c.vanha),
        ];
        let mut i = 0usize;
        for (model, n) in plan {
            for _ in 0..n {
                t += Duration::hours(7);
                let case = &cases[i % cases.len()];
                i += 1;
                let spec = kit(t).client_document(&person, case, model);
                send(Operation::Store, Some(spec.kind), spec.clinical_document(), t, "client document")?;
                report.documents += 1;
                if model == DocumentModel::Vaihe2 {
                    phase2.push(spec);
                }
            }
        }
        if let Some(first) = phase2.first().cloned() {
            let mut current = first;
            for _ in 0..c.versions {
                t += Duration::days(1);
                let v = kit(t).new_version(&current);
                send(Operation::Store, Some(v.kind), v.clinical_document(), t, "new version")?;
                report.documents += 1;
                current = v;
            }
        }
        for spec in phase2.iter().rev().take(c.invalidated as usize) {
            t += Duration::hours(1);
            let subject = compose::invalidation(&spec.id, "Kirjattu väärälle asiakkaalle");
            send(Operation::Invalidate, None, subject, t, "invalidation")?;
            report.invalidations += 1;
        }
    }
    Ok(report)
}
