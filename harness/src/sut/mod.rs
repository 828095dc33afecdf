//! The system under test and the three ways to drive it: the built-in
//! reference client (and its deliberately faulty twin), a vendor's adapter over
//! HTTP+JSON, and a human tester following printed Finnish instructions. In
//! every mode the verdict comes from the simulator's journal, not from what
//! the driver reports.

pub mod adapter;
pub mod builtin;
pub mod manual;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha_simulator::document::{DocumentKind, DocumentModel};

use crate::world::ShaWorld;

/// Which document to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// Asiakkuusasiakirja.
    Asiakkuus,
    /// Asia-asiakirja.
    Asia,
    /// Client document of a model.
    Client(ModelName),
    /// A record that Kanta information was given.
    Informing,
    /// A disclosure consent, yes or no.
    Consent(bool),
    /// A disclosure prohibition.
    Prohibition(ProhibitionSpec),
    /// A document of one Sosmeta structure (OID with its date version): its minimal instance
    /// (required fields only) or a full one (every field). Clienthood (1505.1) changes the
    /// stored clienthood by a new version; case, consent and prohibition structures are those
    /// documents; 1506.<type> a structured client document of that type.
    Structure {
        /// The structure OID, e.g. `1.2.246.537.6.1506.11002.2023.9.8`.
        oid: String,
        /// Every field, not only the required ones.
        full: bool,
    },
    /// A clienthood of the organiser listing a provider's service unit (register access right).
    ClienthoodWithProvider {
        /// The provider's service unit.
        unit: String,
        /// First day (YYYY-MM-DD).
        start: String,
        /// Last day, when the period ends.
        end: Option<String>,
    },
}

/// What a prohibition forbids.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProhibitionSpec {
    /// Controllers (OIDs) whose data may not be disclosed.
    pub controllers: Vec<String>,
    /// Service task codes.
    pub service_tasks: Vec<String>,
    /// Document (set) OIDs; "newest" = the newest document stored in the test case.
    pub documents: Vec<String>,
}

/// Serialisable model name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelName {
    /// Phase I.
    Vaihe1,
    /// Phase II.
    Vaihe2,
    /// Joining obligation (structured).
    Liittymisvelvoite,
    /// Old document.
    Vanha,
}

impl ModelName {
    /// The simulator's model.
    pub fn model(self) -> DocumentModel {
        match self {
            ModelName::Vaihe1 => DocumentModel::Vaihe1,
            ModelName::Vaihe2 => DocumentModel::Vaihe2,
            ModelName::Liittymisvelvoite => DocumentModel::Liittymisvelvoite,
            ModelName::Vanha => DocumentModel::Vanha,
        }
    }
}

impl DocKind {
    /// The simulator's document kind.
    pub fn kind(&self) -> DocumentKind {
        match self {
            DocKind::Asiakkuus | DocKind::ClienthoodWithProvider { .. } => DocumentKind::Asiakkuus,
            DocKind::Structure { oid, .. } => match oid.split('.').nth(5).zip(oid.split('.').nth(6)) {
                Some(("1505", "1")) => DocumentKind::Asiakkuus,
                Some(("1505", "2")) => DocumentKind::Asia,
                Some(("1505", "8")) => DocumentKind::Consent,
                Some(("1505", "9")) => DocumentKind::Prohibition,
                _ => DocumentKind::Client(DocumentModel::Liittymisvelvoite),
            },
            DocKind::Asia => DocumentKind::Asia,
            DocKind::Client(m) => DocumentKind::Client(m.model()),
            DocKind::Informing => DocumentKind::Informing,
            DocKind::Consent(_) => DocumentKind::Consent,
            DocKind::Prohibition(_) => DocumentKind::Prohibition,
        }
    }

    /// Finnish name (as in the feature files).
    pub fn finnish(&self) -> &'static str {
        match self {
            DocKind::Informing => "Kanta-informointi",
            DocKind::Consent(_) => "luovutuslupa",
            DocKind::Prohibition(_) => "luovutuskielto",
            DocKind::ClienthoodWithProvider { .. } => "asiakkuusasiakirja (palveluntuottaja)",
            DocKind::Structure { full: false, .. } => "rakenteen suppea asiakirja",
            DocKind::Structure { full: true, .. } => "rakenteen täysi asiakirja",
            DocKind::Asiakkuus => "asiakkuusasiakirja",
            DocKind::Asia => "asia-asiakirja",
            DocKind::Client(ModelName::Vaihe1) => "I vaiheen asiakirja",
            DocKind::Client(ModelName::Vaihe2) => "II vaiheen asiakirja",
            DocKind::Client(ModelName::Liittymisvelvoite) => "rakenteinen asiakirja",
            DocKind::Client(ModelName::Vanha) => "vanha asiakirja",
        }
    }
}

/// Which query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryKind {
    /// Clienthood documents.
    Clienthood,
    /// Case documents.
    Case,
    /// Document metadata.
    Metadata,
    /// One document (the newest stored).
    Document,
    /// The kooste.
    Kooste,
}

/// What the system under test is asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Store a document, optionally with a deliberate defect.
    Store {
        /// Which.
        document: DocKind,
        /// Defect name (docs/adapter.md), if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        defect: Option<String>,
    },
    /// Store a new version of the newest document.
    NewVersion {
        /// Defect name, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        defect: Option<String>,
    },
    /// Invalidate the newest document.
    Invalidate,
    /// Query.
    Query {
        /// Which query.
        query: QueryKind,
        /// Include invalidated documents.
        include_invalidated: bool,
        /// Include replaced versions.
        include_old_versions: bool,
    },
    /// Disclosure query (luovutushaku) of the client's documents held by other controllers.
    Disclosure {
        /// Statutory right reason code, when claimed.
        #[serde(skip_serializing_if = "Option::is_none")]
        statutory_right: Option<String>,
    },
    /// The client's declarations in force.
    QueryDeclarations,
    /// Store into the organiser's register (register access right, basic or wide form).
    StoreForOrganiser {
        /// Organiser (or, for the wide form, register holder) controller OID.
        organiser: String,
        /// What: `asiakkuus`, `asia`, a specific document type code or a Sosmeta structure
        /// OID; none, a structured document of the system's usual type.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        document: Option<String>,
        /// With a structure OID: every field, not only the required ones.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        full: bool,
    },
    /// Query the organiser's register (register access right).
    QueryOrganiser {
        /// Organiser controller OID.
        organiser: String,
    },
    /// End the provider's period in the organiser's newest clienthood with a new version.
    EndProviderPeriod {
        /// Last day.
        end: String,
    },
}

/// How the system under test is driven.
#[derive(Debug)]
pub enum Sut {
    /// The harness's reference client; `faulty` makes it break on purpose.
    Builtin {
        /// Deliberately faulty variant.
        faulty: bool,
    },
    /// A vendor adapter at this base URL.
    Adapter {
        /// Base URL.
        url: String,
        /// HTTP client.
        http: reqwest::Client,
        /// How long to wait for the message at the simulator.
        timeout: Duration,
    },
    /// A human tester; wait this long for each message.
    Manual {
        /// Timeout per step.
        timeout: Duration,
    },
}

impl Sut {
    /// How long to wait for the simulator to see the message.
    pub fn wait(&self) -> Duration {
        match self {
            Sut::Builtin { .. } => Duration::from_secs(5),
            Sut::Adapter { timeout, .. } => *timeout,
            Sut::Manual { timeout } => *timeout,
        }
    }

    /// Name for reports.
    pub fn name(&self) -> String {
        match self {
            Sut::Builtin { faulty: false } => "builtin".into(),
            Sut::Builtin { faulty: true } => "builtin-faulty".into(),
            Sut::Adapter { url, .. } => format!("adapter={url}"),
            Sut::Manual { .. } => "manual".into(),
        }
    }

    /// Has the system under test perform `action`, then reads the simulator's journal.
    pub async fn perform(&self, w: &mut ShaWorld, action: Action) -> Result<(), String> {
        self.perform_as(w, action, true).await
    }

    /// Like [`Sut::perform`]; with `faults` false the faulty reference client behaves
    /// (preconditions must succeed for a scenario to test what it names).
    pub async fn perform_as(&self, w: &mut ShaWorld, action: Action, faults: bool) -> Result<(), String> {
        w.mark().await?;
        match self {
            Sut::Builtin { faulty } => builtin::perform(w, &action, *faulty && faults).await?,
            Sut::Adapter { url, http, .. } => adapter::perform(w, &action, url, http).await?,
            Sut::Manual { .. } => manual::instruct(w, &action),
        }
        w.observe(self.wait()).await.map(|_| ())
    }
}
