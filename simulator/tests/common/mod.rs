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

    /// The profile (as the archive names it) the system has for a controller.
    pub fn profile_of(&self, system: &str, controller: &str) -> String {
        self.running
            .state
            .registry
            .get()
            .by_name(system)
            .and_then(|s| s.profile_for(controller))
            .map(|p| p.to_string())
            .unwrap_or_default()
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
    // RSA as by default, at DVV's smallest size, each key made once per test process.
    o.key_algorithm = sha_simulator::pki::KeyAlgorithm::Rsa(2048);
    o.reuse_keys = true;
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
use sha_simulator::interactions::Operation;

/// The operations the tests send (routed to interactions and service requests by the table).
pub mod ix {
    use sha_simulator::interactions::Operation;
    pub const STORE: Operation = Operation::Store;
    pub const NEW_VERSION: Operation = Operation::StoreNewVersion;
    pub const INVALIDATE: Operation = Operation::Invalidate;
    pub const VALIDATE: Operation = Operation::Validate;
    pub const Q_CLIENTHOOD: Operation = Operation::QueryClienthood;
    pub const Q_CASE: Operation = Operation::QueryCase;
    pub const Q_METADATA: Operation = Operation::QueryMetadata;
    pub const FETCH: Operation = Operation::FetchDocument;
    pub const KOOSTE: Operation = Operation::FetchKooste;
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
            self.running.state.registry.get().by_name(system).map(|s| s.oid.clone()).unwrap_or_else(|| "1.2.3".into());
        Actor { sim: self, system: system.into(), device, controller: controller.into() }
    }
}

impl Actor<'_> {
    /// A request for `op` (a document of `kind`), from this actor's device, acting for its controller.
    pub fn request(&self, op: Operation, kind: Option<sha_simulator::document::DocumentKind>) -> RequestBuilder {
        RequestBuilder::for_operation(op, kind, &self.device, self.sim.clock().now())
            .acting_organisation(&self.controller)
    }

    pub async fn exchange(&self, msg: RequestBuilder) -> Answer {
        self.sim.client(&self.system).exchange(&msg.build()).await.expect("exchange over mTLS")
    }

    /// Sends a whole SOAP 1.1 envelope as text.
    pub async fn exchange_text(&self, body: String) -> Answer {
        let r = self
            .sim
            .client(&self.system)
            .send(sha_simulator::wire::soap::SoapVersion::V11, body)
            .await
            .expect("exchange over mTLS");
        Answer::parse(r.status, &r.body)
    }

    /// The document as this actor's system sends it: signed with the system's keys (the
    /// author's and the system's, as the spec asks) unless the spec brings its own.
    pub fn signed(&self, spec: &DocumentSpec) -> DocumentSpec {
        let mut s = spec.clone();
        if s.keys.is_none() {
            let keys = sha_simulator::client::SigningKeys::load(&self.sim.running.certs, &self.system).expect("keys");
            s.keys = Some(std::sync::Arc::new(keys));
        }
        s
    }

    pub async fn store(&self, spec: &DocumentSpec) -> Answer {
        let spec = self.signed(spec);
        self.exchange(self.request(ix::STORE, Some(spec.kind)).document(spec.clinical_document())).await
    }

    pub async fn new_version(&self, spec: &DocumentSpec) -> Answer {
        let spec = self.signed(spec);
        self.exchange(self.request(ix::NEW_VERSION, Some(spec.kind)).document(spec.clinical_document())).await
    }

    pub async fn validate(&self, spec: &DocumentSpec) -> Answer {
        let spec = self.signed(spec);
        self.exchange(self.request(ix::VALIDATE, Some(spec.kind)).document(spec.clinical_document())).await
    }

    pub async fn invalidate(&self, id: &str, reason: &str) -> Answer {
        self.exchange(self.request(ix::INVALIDATE, None).document(compose::invalidation(id, reason))).await
    }

    pub async fn query(&self, op: Operation, q: QueryBuilder) -> Answer {
        self.exchange(self.request(op, None).query(q.build())).await
    }

    /// Stores a clienthood and a new case for `p` (both must be accepted); returns the case id.
    pub async fn open_case(
        &self,
        kit: &sha_simulator::compose::kit::Kit,
        p: &sha_simulator::persons::TestPerson,
    ) -> String {
        let case = sha_simulator::compose::kit::new_oid();
        self.store_ok(&kit.clienthood(p)).await;
        self.store_ok(&kit.case(p, &case)).await;
        case
    }

    /// Stores and asserts AA.
    pub async fn store_ok(&self, spec: &DocumentSpec) {
        let a = self.store(spec).await;
        assert!(a.accepted(), "{} storing {} ({:?}): {:?} {:?}", self.system, spec.id, spec.kind, a.codes, a.texts);
    }
}

/// Number of stored documents (through the admin health endpoint).
pub async fn document_count(sim: &Sim) -> u64 {
    sim.admin_json("/admin/health").await["documents"].as_u64().expect("count")
}

/// An external program a test drives (curl, openssl, python3, xmlsec1), from PATH. Missing, the
/// test is skipped with a notice — except under CI (`CI` set), where `.ci/run` installs it and
/// its absence is a failure.
#[allow(dead_code)]
pub fn external_tool(bin: &str, installed_by: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|p| p.join(bin)).find(|p| p.is_file()));
    if found.is_none() {
        assert!(std::env::var_os("CI").is_none(), "CI must have {bin} ({installed_by}; .ci/run installs it)");
        eprintln!("NOTE: test skipped: {bin} is missing ({installed_by})");
    }
    found
}

/// `sha-simulator serve` as a separate process (killed when dropped), for tests that need a
/// real process: SIGKILL, or tables read once per process.
pub struct ServeProcess {
    child: std::process::Child,
    /// The SOAP port.
    pub port: u16,
    /// The admin port.
    pub admin: u16,
}

impl ServeProcess {
    /// Starts `sha-simulator [global...] serve` on free ports with `data` and `certs`.
    pub fn start(global: &[&std::ffi::OsStr], data: &std::path::Path, certs: &std::path::Path) -> ServeProcess {
        let free = || std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
        Self::start_on(global, data, certs, free(), free())
    }

    /// [`ServeProcess::start`] on the given ports (a restart on the same addresses).
    pub fn start_on(
        global: &[&std::ffi::OsStr],
        data: &std::path::Path,
        certs: &std::path::Path,
        port: u16,
        admin: u16,
    ) -> ServeProcess {
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_sha-simulator"))
            .args(global)
            .arg("serve")
            .arg("--data")
            .arg(data)
            .arg("--certs")
            .arg(certs)
            .args(["--listen", &format!("127.0.0.1:{port}"), "--admin-listen", &format!("127.0.0.1:{admin}")])
            .args(["--key", "rsa2048"])
            .arg("--systems")
            .arg(testdata().join("systems.toml"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("simulator starts");
        ServeProcess { child, port, admin }
    }

    /// Waits until the admin API answers.
    pub async fn wait_up(&self) {
        for _ in 0..300 {
            let url = format!("http://127.0.0.1:{}/admin/health", self.admin);
            if reqwest::get(url).await.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("simulator did not come up");
    }

    /// Kills the process now (SIGKILL) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A store message of `p`'s clienthood under Testilän kaupunki from `liittymisvelvoite-atj`
/// (device .11.7), dated a minute before `now`; with the stored document's id.
pub fn testila_clienthood_message(
    p: &sha_simulator::persons::TestPerson,
    now: time::OffsetDateTime,
) -> (String, sha_simulator::xml::Element) {
    let kit = sha_simulator::compose::kit::Kit::new(
        sha_simulator::compose::kit::Organisation::testila(),
        now - time::Duration::minutes(1),
    );
    let doc = kit.clienthood(p);
    let msg = RequestBuilder::for_operation(Operation::Store, Some(doc.kind), "1.2.246.10.99990001.11.7", now)
        .acting_organisation("1.2.246.10.99990001.10.0")
        .document(doc.clinical_document())
        .build();
    (doc.id, msg)
}
