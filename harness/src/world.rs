//! The cucumber World: one scenario's state — which system acts for which
//! controller, the test person, what was stored, and what the simulator
//! answered (read from its journal) — plus the evidence every report shows.

use std::sync::{Arc, Mutex};

use sha_simulator::client::Answer;
use sha_simulator::compose::cda::DocumentSpec;
use sha_simulator::compose::kit::{Kit, Organisation};
use sha_simulator::persons::{TestPerson, TestPersons};
use time::OffsetDateTime;

use crate::context::RunContext;
use crate::sut::Sut;

/// What the run shares with every scenario.
#[derive(Clone)]
pub struct Shared {
    /// The simulator connection.
    pub ctx: Arc<RunContext>,
    /// How the system under test is driven.
    pub sut: Arc<Sut>,
    /// The repository's `testdata/` directory.
    pub testdata: Arc<std::path::PathBuf>,
    /// Production mode (käyttöönottokoe): the built-in client marks its messages processingCode P.
    pub production: bool,
    /// The seed of the built-in client's variety (`--seed`), when given.
    pub seed: Option<u64>,
}

static CURRENT: Mutex<Option<Shared>> = Mutex::new(None);

/// Sets what the next run's worlds share.
pub fn install(shared: Shared) {
    *CURRENT.lock().unwrap_or_else(|p| p.into_inner()) = Some(shared);
}

fn current() -> Option<Shared> {
    CURRENT.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

/// What a message got from the simulator, as its journal recorded it.
#[derive(Debug, Clone)]
pub struct Observation {
    /// Journal sequence number.
    pub seq: u64,
    /// accepted, application_error, rejected, fault, tls_refused.
    pub outcome: String,
    /// AA / AE / AR when an HL7 answer was given.
    pub ack: Option<String>,
    /// Detail codes.
    pub codes: Vec<String>,
    /// Message id.
    pub message_id: Option<String>,
    /// Documents stored or returned.
    pub documents: Vec<String>,
    /// The answer as read from the journal's raw response.
    pub answer: Option<Answer>,
    /// Text of a TLS refusal.
    pub refusal: Option<String>,
}

/// Evidence shown in reports.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Evidence {
    /// Journal sequence numbers.
    pub journal: Vec<u64>,
    /// Message ids.
    pub message_ids: Vec<String>,
    /// Document ids.
    pub documents: Vec<String>,
    /// Acknowledgements with their codes, e.g. "AE SHA-R101".
    pub acks: Vec<String>,
    /// The test persons (hetus) the scenario's messages were about.
    pub persons: Vec<String>,
}

/// One scenario's state.
#[derive(Debug, cucumber::World)]
#[world(init = Self::new)]
pub struct ShaWorld {
    /// Simulator connection.
    pub shared: Option<SharedHandle>,
    /// The acting system.
    pub system: String,
    /// The controller it acts for.
    pub org: Organisation,
    /// The test person.
    pub person: TestPerson,
    /// The scenario's test-case id.
    pub case_tag: String,
    /// Case id in use.
    pub case_id: Option<String>,
    /// Documents the reference client stored (newest last).
    pub stored: Vec<DocumentSpec>,
    /// Id of the newest document stored by anyone in this scenario (from the journal).
    pub last_document: Option<String>,
    /// Journal mark before the current action.
    pub mark: u64,
    /// The archive's content for the scenario's client just before the newest action
    /// (documents in every register and the disclosure log), to prove a refusal changed nothing.
    pub before: Option<String>,
    /// The last observation.
    pub observed: Option<Observation>,
    /// Evidence so far.
    pub evidence: Evidence,
}

/// Debug-printable wrapper of [`Shared`].
#[derive(Clone)]
pub struct SharedHandle(pub Shared);

impl std::fmt::Debug for SharedHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Shared")
    }
}

impl ShaWorld {
    async fn new() -> Self {
        let person = TestPersons::builtin()
            .get("aikuinen")
            .cloned()
            .unwrap_or_else(|| TestPersons::builtin().persons[0].clone());
        Self::with(current(), "liittymisvelvoite-atj", Organisation::testila(), person)
    }

    /// A fresh scenario state for `system` acting for `org` with `person`.
    pub fn with(shared: Option<Shared>, system: &str, org: Organisation, person: TestPerson) -> Self {
        ShaWorld {
            shared: shared.map(SharedHandle),
            system: system.into(),
            org,
            person,
            case_tag: String::new(),
            case_id: None,
            stored: vec![],
            last_document: None,
            mark: 0,
            before: None,
            observed: None,
            evidence: Evidence::default(),
        }
    }

    /// The run's shared context (installed before the run).
    pub fn shared(&self) -> Result<&Shared, String> {
        self.shared.as_ref().map(|s| &s.0).ok_or_else(|| "no simulator context installed".to_string())
    }

    /// The simulator connection.
    pub fn ctx(&self) -> Result<Arc<RunContext>, String> {
        Ok(self.shared()?.ctx.clone())
    }

    /// The simulator's now, as its admin API reports it.
    pub async fn simulator_now(&self) -> Result<OffsetDateTime, String> {
        let v = self.ctx()?.admin_get("/admin/clock").await.map_err(|e| e.to_string())?;
        let s = v["now"].as_str().unwrap_or_default();
        OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .map_err(|e| format!("clock '{s}': {e}"))
    }

    /// A document kit dated one minute before the simulator's now, signing as the acting
    /// system does with its keys from the simulator's certs directory.
    pub async fn kit(&self) -> Result<Kit, String> {
        let mut kit = Kit::new(self.org.clone(), self.simulator_now().await? - time::Duration::minutes(1));
        if let Some(seed) = self.shared()?.seed {
            // Each scenario draws its own values: the run seed mixed with the test-case id (FNV-1a).
            let mixed = self
                .case_tag
                .bytes()
                .fold(seed ^ 0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
            kit = kit.varied(mixed);
        }
        let keys = sha_simulator::client::SigningKeys::load(&self.ctx()?.certs, &self.system)
            .map_err(|e| format!("signing keys of {}: {e}", self.system))?;
        Ok(kit.with_keys(Arc::new(keys)))
    }

    /// The device OID of the acting system.
    pub fn device(&self) -> Result<String, String> {
        Ok(self.ctx()?.device_of(&self.system))
    }

    /// Remembers the journal position before an action.
    pub async fn mark(&mut self) -> Result<(), String> {
        self.mark = self.ctx()?.journal_mark().await.map_err(|e| e.to_string())?;
        self.before = Some(self.archive_content().await?);
        Ok(())
    }

    /// The archive's content for the scenario's client as the archivist sees it: every
    /// document in every register (status, version, invalidation, parts) and the disclosure log.
    pub async fn archive_content(&self) -> Result<String, String> {
        let ctx = self.ctx()?;
        let hetu = &self.person.hetu;
        let docs = ctx.admin_get(&format!("/admin/documents?client={hetu}")).await.map_err(|e| e.to_string())?;
        let log = ctx.admin_get(&format!("/admin/disclosures?client={hetu}")).await.map_err(|e| e.to_string())?;
        let v = serde_json::json!({ "documents": docs["documents"], "disclosures": log["disclosures"] });
        serde_json::to_string_pretty(&v).map_err(|e| e.to_string())
    }

    /// Reads what the simulator journalled since the mark: the newest entry
    /// (from the acting system, or any TLS refusal), waiting up to `wait`.
    pub async fn observe(&mut self, wait: std::time::Duration) -> Result<Observation, String> {
        let ctx = self.ctx()?;
        let deadline = std::time::Instant::now() + wait;
        loop {
            let entries = ctx.journal_since(self.mark).await.map_err(|e| e.to_string())?;
            let pick = entries
                .iter()
                .rev()
                .find(|e| {
                    e.system.as_deref() == Some(self.system.as_str())
                        || e.outcome == "tls_refused"
                        || e.system.is_none()
                })
                .cloned();
            if let Some(e) = pick {
                let (full, answer) = ctx.journal_answer(e.seq).await.map_err(|e| e.to_string())?;
                let refusal = (e.outcome == "tls_refused").then(|| full.response.clone());
                let obs = Observation {
                    seq: e.seq,
                    outcome: e.outcome.clone(),
                    ack: answer.ack.clone(),
                    codes: e.ack_codes.clone(),
                    message_id: e.message_id.clone(),
                    documents: e.documents.clone(),
                    answer: (e.outcome != "tls_refused").then_some(answer),
                    refusal,
                };
                self.record(&obs);
                self.observed = Some(obs.clone());
                return Ok(obs);
            }
            if std::time::Instant::now() >= deadline {
                return Err(format!(
                    "simulaattori ei vastaanottanut sanomaa järjestelmältä {} — the simulator received no message from {} within {} s",
                    self.system,
                    self.system,
                    wait.as_secs()
                ));
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
    }

    fn record(&mut self, o: &Observation) {
        self.evidence.journal.push(o.seq);
        if !self.evidence.persons.contains(&self.person.hetu) {
            self.evidence.persons.push(self.person.hetu.clone());
        }
        if let Some(m) = &o.message_id {
            self.evidence.message_ids.push(m.clone());
        }
        for d in &o.documents {
            if !self.evidence.documents.contains(d) {
                self.evidence.documents.push(d.clone());
            }
        }
        let ack = o.ack.clone().unwrap_or_else(|| o.outcome.clone());
        self.evidence.acks.push(format!("{ack} {}", o.codes.join(" ")).trim().to_string());
        if o.outcome == "accepted" {
            if let Some(d) = o.documents.last() {
                if o.answer.as_ref().is_some_and(|a| a.payload.is_empty()) {
                    self.last_document = Some(d.clone());
                }
            }
        }
    }

    /// The last observation, or an error naming the missing action.
    pub fn last(&self) -> Result<&Observation, String> {
        self.observed.as_ref().ok_or_else(|| "no message has been observed yet in this scenario".to_string())
    }
}
