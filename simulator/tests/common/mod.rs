//! Shared set-up for the integration tests: a real simulator on ephemeral
//! ports with real mutual TLS, fresh certificates and a temporary archive.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use sha_simulator::client::SoapClient;
use sha_simulator::clock::Clock;
use sha_simulator::registry::Registry;
use sha_simulator::server::{self, DataLocation, Options, Running};

/// The repository's testdata directory.
pub fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata")
}

/// The shipped registry.
pub fn registry() -> Registry {
    Registry::load(&testdata().join("systems.toml")).expect("testdata/systems.toml loads")
}

/// A running simulator with its temporary directories (kept alive with it).
pub struct Sim {
    pub running: Running,
    pub certs_dir: tempfile::TempDir,
    pub data_dir: Option<tempfile::TempDir>,
}

impl Sim {
    /// Starts on port 0 with fresh certs and a temporary data dir (on disk, so restarts can be tested).
    pub async fn start() -> Sim {
        Self::start_with(|_| {}).await
    }

    /// Starts with options adjusted by `f`.
    pub async fn start_with(f: impl FnOnce(&mut Options)) -> Sim {
        let certs_dir = tempfile::tempdir().expect("tempdir");
        let data_dir = tempfile::tempdir().expect("tempdir");
        let mut opts = test_options(certs_dir.path().to_path_buf(), DataLocation::Dir(data_dir.path().to_path_buf()));
        f(&mut opts);
        let running = server::start(opts).await.expect("simulator starts");
        Sim { running, certs_dir, data_dir: Some(data_dir) }
    }

    /// Stops and starts again on the same data and certificates.
    pub async fn restart(self) -> Sim {
        let Sim { running, certs_dir, data_dir } = self;
        running.shutdown().await.expect("clean shutdown");
        let dir = data_dir.as_ref().expect("on-disk data").path().to_path_buf();
        let opts = test_options(certs_dir.path().to_path_buf(), DataLocation::Dir(dir));
        let running = server::start(opts).await.expect("simulator restarts");
        Sim { running, certs_dir, data_dir }
    }

    pub fn endpoint(&self) -> String {
        format!("https://localhost:{}/sha", self.running.sha_addr.port())
    }

    pub fn admin(&self, path: &str) -> String {
        format!("http://{}{}", self.running.admin_addr, path)
    }

    /// A client presenting the named system's certificate.
    pub fn client(&self, system: &str) -> SoapClient {
        SoapClient::for_system(&self.endpoint(), &self.running.certs, system).expect("client")
    }

    pub fn clock(&self) -> Arc<Clock> {
        self.running.state.clock.clone()
    }

    /// GET an admin path as JSON.
    pub async fn admin_json(&self, path: &str) -> serde_json::Value {
        let r = reqwest::get(self.admin(path)).await.expect("admin reachable");
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        r.json().await.expect("json")
    }
}

fn test_options(certs: PathBuf, data: DataLocation) -> Options {
    let mut o = Options::new(registry(), certs);
    o.data = data;
    o.listen = "127.0.0.1:0".parse().expect("addr");
    o.admin_listen = "127.0.0.1:0".parse().expect("addr");
    o.max_body = 2 * 1024 * 1024;
    o.handshake_timeout = std::time::Duration::from_secs(3);
    o
}

/// The single acknowledgement type in a response body.
pub fn ack_type(body: &str) -> Option<String> {
    let i = body.find("<acknowledgement ")?;
    let rest = &body[i..];
    let j = rest.find("typeCode=\"")? + 10;
    Some(rest[j..j + 2].to_string())
}

/// Detail codes (SHA-*) in a response body, in order.
pub fn detail_codes(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.find("SHA-") {
        let code: String = rest[i..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        if !out.contains(&code) {
            out.push(code.clone());
        }
        rest = &rest[i + code.len()..];
    }
    out
}

use sha_simulator::client::Answer;
use sha_simulator::compose::cda::DocumentSpec;
use sha_simulator::compose::{self, QueryBuilder, RequestBuilder};

/// Interaction ids used by the tests.
pub mod ix {
    pub const STORE: &str = "RCMR_IN100002FI01";
    pub const NEW_VERSION: &str = "RCMR_IN100016FI01";
    pub const INVALIDATE: &str = "RCMR_IN100017FI01";
    pub const VALIDATE: &str = "RCMR_IN100020FI01";
    pub const Q_CLIENTHOOD: &str = "QUQI_IN200001FI01";
    pub const Q_CASE: &str = "QUQI_IN200003FI01";
    pub const Q_METADATA: &str = "QUQI_IN200005FI01";
    pub const FETCH: &str = "QUQI_IN200007FI01";
    pub const KOOSTE: &str = "QUQI_IN200009FI01";
}

/// A registered system acting for one controller.
pub struct Actor<'a> {
    pub sim: &'a Sim,
    pub system: String,
    pub device: String,
    pub controller: String,
}

impl Sim {
    /// A system acting for `controller`.
    pub fn actor(&self, system: &str, controller: &str) -> Actor<'_> {
        let device =
            self.running.state.registry.by_name(system).map(|s| s.oid.clone()).unwrap_or_else(|| "1.2.3".into());
        Actor { sim: self, system: system.into(), device, controller: controller.into() }
    }
}

impl Actor<'_> {
    fn request(&self, interaction: &str) -> RequestBuilder {
        RequestBuilder::new(interaction, &self.device, self.sim.clock().now()).acting_organisation(&self.controller)
    }

    pub async fn exchange(&self, msg: RequestBuilder) -> Answer {
        self.sim.client(&self.system).exchange(&msg.build()).await.expect("exchange over mTLS")
    }

    pub async fn store(&self, spec: &DocumentSpec) -> Answer {
        self.exchange(self.request(ix::STORE).subject(spec.clinical_document())).await
    }

    pub async fn new_version(&self, spec: &DocumentSpec) -> Answer {
        self.exchange(self.request(ix::NEW_VERSION).subject(spec.clinical_document())).await
    }

    pub async fn validate(&self, spec: &DocumentSpec) -> Answer {
        self.exchange(self.request(ix::VALIDATE).subject(spec.clinical_document())).await
    }

    pub async fn invalidate(&self, id: &str, group: &str, reason: &str) -> Answer {
        self.exchange(self.request(ix::INVALIDATE).subject(compose::invalidation(id, group, reason))).await
    }

    pub async fn query(&self, interaction: &str, q: QueryBuilder) -> Answer {
        self.exchange(self.request(interaction).query(q.build())).await
    }

    /// Stores a clienthood and a new case for `p` (both must be accepted); returns the case id.
    pub async fn open_case(
        &self,
        kit: &sha_simulator::compose::kit::Kit,
        p: &sha_simulator::persons::TestPerson,
        model: sha_simulator::document::DocumentModel,
    ) -> String {
        let case = sha_simulator::compose::kit::new_oid();
        self.store_ok(&kit.clienthood(p, model)).await;
        self.store_ok(&kit.case(p, &case, model)).await;
        case
    }

    /// Stores and asserts AA.
    pub async fn store_ok(&self, spec: &DocumentSpec) {
        let a = self.store(spec).await;
        assert!(
            a.accepted(),
            "{} storing {}: {:?} {:?}",
            self.system,
            spec.title.clone().unwrap_or_default(),
            a.codes,
            a.texts
        );
    }
}

/// Number of stored documents (through the admin health endpoint).
pub async fn document_count(sim: &Sim) -> u64 {
    sim.admin_json("/admin/health").await["documents"].as_u64().expect("count")
}
