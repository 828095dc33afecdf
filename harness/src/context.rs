//! The run's connection to a simulator: embedded (started in this process on
//! free ports, with temporary data and certificates) or an external one given
//! by URL. Everything the steps read about what happened comes through here —
//! the journal on the admin API — so verdicts rest on what the simulator
//! received and answered.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use sha_simulator::client::{Answer, SoapClient};
use sha_simulator::pki::{BadKind, CertPaths};
use sha_simulator::registry::Registry;
use sha_simulator::server::{self, DataLocation, Options, Running};

/// How to reach the simulator.
#[derive(Debug, Clone)]
pub enum SimulatorTarget {
    /// Start one in this process.
    Embedded,
    /// Use a running one: SOAP endpoint, admin base URL, certificate directory.
    External {
        /// `https://host:port/sha`.
        endpoint: String,
        /// `http://host:port`.
        admin: String,
        /// The simulator's certs directory (for client certificates).
        certs: PathBuf,
    },
}

/// Errors reaching or starting the simulator.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    /// Embedded start failed.
    #[error("cannot start the embedded simulator: {0}")]
    Start(String),
    /// Admin API unreachable or answered badly.
    #[error("simulator admin API {url}: {reason}")]
    Admin {
        /// URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// Registry problem.
    #[error("system registry: {0}")]
    Registry(String),
}

/// One journal entry as the admin API gives it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct JournalEntry {
    /// Sequence number.
    pub seq: u64,
    /// System name.
    pub system: Option<String>,
    /// Interaction id.
    pub interaction: Option<String>,
    /// Message id.
    pub message_id: Option<String>,
    /// Outcome.
    pub outcome: String,
    /// Detail codes.
    #[serde(default)]
    pub ack_codes: Vec<String>,
    /// Documents stored or returned.
    #[serde(default)]
    pub documents: Vec<String>,
    /// Raw response (only in single-entry reads).
    #[serde(default)]
    pub response: String,
    /// TLS refusal reason or other text.
    #[serde(default)]
    pub peer: Option<String>,
}

/// The shared context of a run.
pub struct RunContext {
    /// SOAP endpoint.
    pub endpoint: String,
    /// Admin base URL.
    pub admin: String,
    /// Certificates.
    pub certs: CertPaths,
    /// The registry (systems, their OIDs and controllers).
    pub registry: Registry,
    http: reqwest::Client,
    embedded: tokio::sync::Mutex<Option<(Running, tempfile::TempDir)>>,
}

impl std::fmt::Debug for RunContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunContext").field("endpoint", &self.endpoint).field("admin", &self.admin).finish()
    }
}

impl RunContext {
    /// Connects to (or starts) a simulator.
    pub async fn connect(target: SimulatorTarget, registry: Registry) -> Result<Arc<RunContext>, ContextError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| ContextError::Start(e.to_string()))?;
        match target {
            SimulatorTarget::Embedded => {
                let certs = tempfile::tempdir().map_err(|e| ContextError::Start(e.to_string()))?;
                let mut o = Options::new(registry.clone(), certs.path().to_path_buf());
                o.data = DataLocation::Temporary;
                // A throwaway PKI: RSA at DVV's smallest size (2048) so that a run starts fast.
                o.key_algorithm = sha_simulator::pki::KeyAlgorithm::Rsa(2048);
                o.reuse_keys = true;
                o.listen =
                    "127.0.0.1:0".parse().map_err(|e: std::net::AddrParseError| ContextError::Start(e.to_string()))?;
                o.admin_listen = o.listen;
                o.handshake_timeout = Duration::from_secs(5);
                let running = server::start(o).await.map_err(|e| ContextError::Start(e.to_string()))?;
                let ctx = RunContext {
                    endpoint: format!("https://localhost:{}/sha", running.sha_addr.port()),
                    admin: format!("http://{}", running.admin_addr),
                    certs: running.certs.clone(),
                    registry,
                    http,
                    embedded: tokio::sync::Mutex::new(Some((running, certs))),
                };
                Ok(Arc::new(ctx))
            }
            SimulatorTarget::External { endpoint, admin, certs } => {
                let ctx = RunContext {
                    endpoint,
                    admin: admin.trim_end_matches('/').to_string(),
                    certs: CertPaths::new(certs),
                    registry,
                    http,
                    embedded: tokio::sync::Mutex::new(None),
                };
                ctx.admin_get("/admin/health").await?;
                Ok(Arc::new(ctx))
            }
        }
    }

    /// Stops an embedded simulator.
    pub async fn shutdown(&self) {
        if let Some((running, _dir)) = self.embedded.lock().await.take() {
            let _ = running.shutdown().await;
        }
    }

    /// GET an admin path.
    pub async fn admin_get(&self, path: &str) -> Result<Value, ContextError> {
        self.admin_call(reqwest::Method::GET, path, None).await
    }

    /// Calls the admin API.
    pub async fn admin_call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, ContextError> {
        let url = format!("{}{}", self.admin, path);
        let mut r = self.http.request(method, &url);
        if let Some(b) = body {
            r = r.json(&b);
        }
        if let Ok(t) = std::env::var("SHA_ADMIN_TOKEN") {
            r = r.bearer_auth(t);
        }
        let resp = r.send().await.map_err(|e| ContextError::Admin { url: url.clone(), reason: e.to_string() })?;
        let status = resp.status();
        let v: Value = resp.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(ContextError::Admin { url, reason: format!("HTTP {status}: {v}") });
        }
        Ok(v)
    }

    /// The newest journal sequence number (0 when empty).
    pub async fn journal_mark(&self) -> Result<u64, ContextError> {
        let v = self.admin_get("/admin/journal?limit=1").await?;
        Ok(v["entries"][0]["seq"].as_u64().unwrap_or(0))
    }

    /// Journal entries after `mark`, oldest first.
    pub async fn journal_since(&self, mark: u64) -> Result<Vec<JournalEntry>, ContextError> {
        let v = self.admin_get(&format!("/admin/journal?after_seq={mark}&limit=1000")).await?;
        let mut entries: Vec<JournalEntry> = serde_json::from_value(v["entries"].clone())
            .map_err(|e| ContextError::Admin { url: self.admin.clone(), reason: e.to_string() })?;
        entries.reverse();
        Ok(entries)
    }

    /// One journal entry with its raw response, read back as an HL7 answer.
    pub async fn journal_answer(&self, seq: u64) -> Result<(JournalEntry, Answer), ContextError> {
        let v = self.admin_get(&format!("/admin/journal/{seq}")).await?;
        let e: JournalEntry = serde_json::from_value(v.clone())
            .map_err(|e| ContextError::Admin { url: self.admin.clone(), reason: e.to_string() })?;
        let status = v["http_status"].as_u64().unwrap_or(0) as u16;
        let answer = Answer::parse(status, &e.response);
        Ok((e, answer))
    }

    /// The TLS refusal reason of an entry (the journal keeps it in `response`).
    pub async fn journal_text(&self, seq: u64) -> Result<String, ContextError> {
        let v = self.admin_get(&format!("/admin/journal/{seq}")).await?;
        Ok(v["response"].as_str().unwrap_or_default().to_string())
    }

    /// A SOAP client presenting `system`'s certificate.
    pub fn client(&self, system: &str) -> Result<SoapClient, String> {
        SoapClient::for_system(&self.endpoint, &self.certs, system).map_err(|e| e.to_string())
    }

    /// A SOAP client presenting a deliberately bad certificate, or none.
    pub fn bad_client(&self, kind: Option<BadKind>) -> Result<SoapClient, String> {
        match kind {
            Some(k) => SoapClient::new(
                &self.endpoint,
                &self.certs.ca_cert(),
                Some((&self.certs.bad_cert(k), &self.certs.bad_key(k))),
            ),
            None => SoapClient::new(&self.endpoint, &self.certs.ca_cert(), None),
        }
        .map_err(|e| e.to_string())
    }

    /// The device OID of a system (registered or not).
    pub fn device_of(&self, system: &str) -> String {
        self.registry
            .by_name(system)
            .map(|s| s.oid.clone())
            .or_else(|| {
                self.registry
                    .unregistered()
                    .iter()
                    .find(|u| u.name == system)
                    .map(|u| format!("{}.11.1", u.organisation.trim_end_matches(".10.0")))
            })
            .unwrap_or_else(|| "1.2.246.0".into())
    }
}
