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
