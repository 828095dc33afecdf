//! Starting and stopping a whole simulator: open storage, make certificates
//! when missing, bind the SOAP (mutual TLS) and admin listeners, and shut down
//! gracefully with storage flushed. Used by `sha-simulator serve`, by the
//! integration tests, and by the harness's embedded simulator.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::admin::{self, AdminState};
use crate::archive::Archive;
use crate::clock::Clock;
use crate::faults::Faults;
use crate::journal::{JournalEntry, Outcome};
use crate::pki::{self, CertPaths};
use crate::registry::{Registry, SharedRegistry};
use crate::store::sled_store::SledStore;
use crate::store::Store;
use crate::transport::{self, tls, AppState};

/// Where the archive keeps its data.
#[derive(Debug, Clone)]
pub enum DataLocation {
    /// A directory (created when missing); survives restarts.
    Dir(PathBuf),
    /// A temporary store removed when the simulator stops.
    Temporary,
}

/// How to run a simulator.
#[derive(Debug, Clone)]
pub struct Options {
    /// Data location.
    pub data: DataLocation,
    /// Certificate directory.
    pub certs: PathBuf,
    /// SOAP listener address (port 0 = any free port).
    pub listen: SocketAddr,
    /// Admin listener address.
    pub admin_listen: SocketAddr,
    /// The system registry.
    pub registry: Registry,
    /// Largest accepted request body in bytes.
    pub max_body: usize,
    /// How long a TLS handshake may take.
    pub handshake_timeout: Duration,
    /// How long a client may take to send its request head (slow-loris defence), and how long
    /// a connection may stay silent before it is closed.
    pub header_timeout: Duration,
    /// Simultaneous connections one client certificate may hold.
    pub connections_per_certificate: usize,
    /// Most bytes the journal's bodies may take on disk (0: no limit); the oldest go first.
    pub journal_max_bytes: u64,
    /// How long a client may take to send its whole body.
    pub body_timeout: Duration,
    /// Make missing certificates on start.
    pub generate_certs: bool,
    /// Use this clock (default: a new wall clock).
    pub clock: Option<Arc<Clock>>,
    /// Bearer token for the admin API (required when it listens beyond loopback).
    pub admin_token: Option<String>,
    /// Compress the data directory's index pages (see [`SledStore::open_with`]).
    pub compact: bool,
    /// Bound of the index's page cache in bytes.
    pub cache_bytes: u64,
    /// Key algorithm of certificates made on start.
    pub key_algorithm: pki::KeyAlgorithm,
    /// Reuse keys made earlier in this process (test suites; see [`pki::PkiOptions::reuse_keys`]).
    pub reuse_keys: bool,
    /// More CA certificates (PEM files) to trust for client certificates and signatures.
    pub trust_ca: Vec<PathBuf>,
}

impl Options {
    /// Defaults as documented for `serve`, on the given registry and certs dir.
    pub fn new(registry: Registry, certs: PathBuf) -> Self {
        Options {
            data: DataLocation::Dir(PathBuf::from("data")),
            certs,
            listen: SocketAddr::from(([127, 0, 0, 1], 8443)),
            admin_listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            registry,
            max_body: 20 * 1024 * 1024,
            handshake_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(30),
            connections_per_certificate: 64,
            journal_max_bytes: 1024 * 1024 * 1024,
            body_timeout: Duration::from_secs(120),
            generate_certs: true,
            clock: None,
            admin_token: None,
            compact: false,
            cache_bytes: crate::store::sled_store::DEFAULT_CACHE_BYTES,
            key_algorithm: pki::KeyAlgorithm::default(),
            reuse_keys: false,
            trust_ca: Vec::new(),
        }
    }
}

/// Errors starting a simulator.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Certificates missing or unusable.
    #[error(transparent)]
    Pki(#[from] pki::PkiError),
    /// TLS configuration failed.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// Storage could not be opened.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// A listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// Address.
        addr: SocketAddr,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The admin API would be reachable from other machines without a token.
    #[error("the admin API listens on {0}, beyond loopback: set --admin-token (or SHA_ADMIN_TOKEN)")]
    AdminExposed(SocketAddr),
    /// Systems registered at an earlier run could not be loaded.
    #[error(transparent)]
    Registry(crate::registry::RegistryError),
    /// Certificates are missing and generation was turned off.
    #[error("certificates are missing in {0}; run `sha-simulator certs init`")]
    MissingCerts(String),
}

/// A running simulator.
pub struct Running {
    /// SOAP endpoint address (https://ADDR/sha).
    pub sha_addr: SocketAddr,
    /// Admin address (http://ADDR/admin/…).
    pub admin_addr: SocketAddr,
    /// Shared state (clock, store, archive, faults, registry).
    pub state: AppState,
    /// Certificate paths in use.
    pub certs: CertPaths,
    handle: axum_server::Handle,
    admin_stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running").field("sha_addr", &self.sha_addr).field("admin_addr", &self.admin_addr).finish()
    }
}

/// Starts a simulator with `opts`.
pub async fn start(opts: Options) -> Result<Running, StartError> {
    if !opts.admin_listen.ip().is_loopback() && opts.admin_token.is_none() {
        return Err(StartError::AdminExposed(opts.admin_listen));
    }
    let sled = match &opts.data {
        DataLocation::Dir(d) => SledStore::open_with(d, opts.compact, opts.cache_bytes)?,
        DataLocation::Temporary => SledStore::temporary()?,
    };
    sled.set_journal_limit(opts.journal_max_bytes);
    let store: Arc<dyn Store> = Arc::new(sled);
    // Systems a vendor registered at an earlier run (POST /admin/systems) come back.
    let mut base = opts.registry.clone();
    if let DataLocation::Dir(d) = &opts.data {
        let added = d.join(admin::ADDED_SYSTEMS_FILE);
        if added.exists() {
            let n = base.add_file(&added).map_err(StartError::Registry)?;
            tracing::info!(systems = n, file = %added.display(), "loaded systems registered at an earlier run");
        }
    }
    let certs = CertPaths::new(&opts.certs);
    let signers = crate::persons::TestPersons::builtin().signers();
    if !pki::is_complete(&certs, &base, &signers) {
        if !opts.generate_certs {
            return Err(StartError::MissingCerts(opts.certs.display().to_string()));
        }
        let pki_opts = pki::PkiOptions { algorithm: opts.key_algorithm, force: false, reuse_keys: opts.reuse_keys };
        let report = pki::init(&certs, &base, &signers, &pki_opts)?;
        if report.replaced_old_layout {
            tracing::warn!(dir = %opts.certs.display(), "certificates of an older layout (ECDSA, one CA) were replaced: install the new ones in the systems that connect");
        }
        tracing::info!(written = report.written.len(), dir = %opts.certs.display(), "made missing test certificates");
    }
    let clock = opts.clock.clone().unwrap_or_else(|| Arc::new(Clock::new()));
    let registry = SharedRegistry::new(base);
    let faults = Arc::new(Faults::default());
    let trust = Arc::new(crate::dsig::Trust::from_certs(&certs, &opts.trust_ca));
    let archive = Arc::new(Archive::new(store.clone(), clock.clone()).with_trust(trust));
    let state = AppState {
        clock: clock.clone(),
        registry: registry.clone(),
        store: store.clone(),
        archive,
        faults: faults.clone(),
        max_body: opts.max_body,
        body_timeout: opts.body_timeout,
        xml_limits: crate::xml::Limits::default(),
    };

    let tls_config = tls::server_config(&certs, &opts.trust_ca, clock.clone())?;
    let journal_store = store.clone();
    let journal_clock = clock.clone();
    let on_failure: tls::HandshakeFailureHook = Arc::new(move |peer, refusal: tls::Refusal| {
        tracing::warn!(?peer, reason = %refusal.reason, "connection refused before any request");
        let entry = JournalEntry {
            seq: 0,
            time: journal_clock.now(),
            peer: peer.map(|p| p.to_string()),
            system: None,
            certificate: refusal.certificate,
            interaction: None,
            message_id: None,
            outcome: Outcome::TlsRefused,
            ack_codes: refusal.code.map(|c| c.as_str().to_string()).into_iter().collect(),
            controller: None,
            documents: vec![],
            http_status: 0,
            duration_ms: 0,
            request: String::new(),
            response: refusal.reason,
            request_truncated: false,
        };
        if let Err(e) = journal_store.append_journal(entry, &[]) {
            tracing::error!(error = %e, "journal write failed");
        }
    });
    let acceptor = tls::MtlsAcceptor::new(
        tls_config,
        opts.handshake_timeout,
        opts.header_timeout,
        opts.connections_per_certificate,
        on_failure,
    );

    let sha_listener =
        std::net::TcpListener::bind(opts.listen).map_err(|source| StartError::Bind { addr: opts.listen, source })?;
    sha_listener.set_nonblocking(true).map_err(|source| StartError::Bind { addr: opts.listen, source })?;
    let sha_addr = sha_listener.local_addr().map_err(|source| StartError::Bind { addr: opts.listen, source })?;
    let handle = axum_server::Handle::new();
    let app = transport::router(state.clone());
    let mut server = axum_server::from_tcp(sha_listener).acceptor(acceptor).handle(handle.clone());
    // Slow-loris defence: a client must send its request head in time (its body: see body_timeout).
    server.http_builder().http1().timer(hyper_util_timer()).header_read_timeout(opts.header_timeout);
    let sha_task = tokio::spawn(async move {
        if let Err(e) = server.serve(app.into_make_service_with_connect_info::<SocketAddr>()).await {
            tracing::error!(error = %e, "SOAP listener stopped");
        }
    });

    let admin_listener = tokio::net::TcpListener::bind(opts.admin_listen)
        .await
        .map_err(|source| StartError::Bind { addr: opts.admin_listen, source })?;
    let admin_addr =
        admin_listener.local_addr().map_err(|source| StartError::Bind { addr: opts.admin_listen, source })?;
    let admin_state = AdminState {
        clock,
        store,
        archive: state.archive.clone(),
        registry,
        faults,
        started: std::time::Instant::now(),
        token: opts.admin_token.clone(),
        certs: certs.clone(),
        max_body: opts.max_body,
        key_algorithm: opts.key_algorithm,
        data_dir: match &opts.data {
            DataLocation::Dir(d) => Some(d.clone()),
            DataLocation::Temporary => None,
        },
    };
    let (admin_stop, mut stop_rx) = tokio::sync::watch::channel(false);
    let admin_app = admin::router(admin_state);
    let admin_task = tokio::spawn(async move {
        let shutdown = async move {
            let _ = stop_rx.wait_for(|s| *s).await;
        };
        if let Err(e) = axum::serve(admin_listener, admin_app).with_graceful_shutdown(shutdown).await {
            tracing::error!(error = %e, "admin listener stopped");
        }
    });
    tracing::info!(%sha_addr, %admin_addr, "SHA simulator listening");
    Ok(Running { sha_addr, admin_addr, state, certs, handle, admin_stop, tasks: vec![sha_task, admin_task] })
}

fn hyper_util_timer() -> hyper_util::rt::TokioTimer {
    hyper_util::rt::TokioTimer::new()
}

impl Running {
    /// Stops accepting, lets requests in flight finish (up to 10 s), flushes storage.
    pub async fn shutdown(self) -> Result<(), crate::store::StoreError> {
        self.handle.graceful_shutdown(Some(Duration::from_secs(10)));
        let _ = self.admin_stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
        self.state.store.flush()
    }
}
