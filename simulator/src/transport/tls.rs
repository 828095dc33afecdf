//! Mutual TLS: the rustls server configuration (test CA as the only trust
//! anchor, client certificate required, validity checked on the simulator's
//! clock) and an acceptor that hands each connection's client certificate to
//! the HTTP layer — and journals handshakes that fail, so a vendor debugging
//! connectivity (yhteystestaus) sees why.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum_server::accept::Accept;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;
use tower::Layer;

use crate::clock::{Clock, ClockTimeProvider};
use crate::pki::CertPaths;

/// Errors setting TLS up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A PEM file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// File.
        path: String,
        /// Cause.
        #[source]
        source: io::Error,
    },
    /// PEM held no usable item.
    #[error("{path} holds no {what}")]
    Empty {
        /// File.
        path: String,
        /// certificate / private key.
        what: &'static str,
    },
    /// rustls refused the configuration.
    #[error("TLS configuration rejected: {0}")]
    Config(String),
}

/// Reads all certificates from a PEM file.
pub fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem = std::fs::read(path).map_err(|source| TlsError::Read { path: path.display().to_string(), source })?;
    let certs: Vec<_> = rustls_pemfile::certs(&mut pem.as_slice())
        .collect::<Result<_, _>>()
        .map_err(|source| TlsError::Read { path: path.display().to_string(), source })?;
    if certs.is_empty() {
        return Err(TlsError::Empty { path: path.display().to_string(), what: "certificate" });
    }
    Ok(certs)
}

/// Reads the first private key from a PEM file.
pub fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let pem = std::fs::read(path).map_err(|source| TlsError::Read { path: path.display().to_string(), source })?;
    rustls_pemfile::private_key(&mut pem.as_slice())
        .map_err(|source| TlsError::Read { path: path.display().to_string(), source })?
        .ok_or(TlsError::Empty { path: path.display().to_string(), what: "private key" })
}

/// The crypto provider used everywhere (ring, as chosen for the project).
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Server configuration: server certificate (with its chain), client certificate required and
/// chained to the test root or a CA the vendor added (`certs trust`, `serve --trust-ca`),
/// validity judged on `clock`.
pub fn server_config(
    paths: &CertPaths,
    trust_ca: &[PathBuf],
    clock: Arc<Clock>,
) -> Result<Arc<ServerConfig>, TlsError> {
    let mut roots = RootCertStore::empty();
    let anchors = crate::pki::trust_anchors(paths, trust_ca).map_err(|e| TlsError::Config(e.to_string()))?;
    for ca in anchors {
        roots.add(CertificateDer::from(ca)).map_err(|e| TlsError::Config(format!("trusted CA: {e}")))?;
    }
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .map_err(|e| TlsError::Config(e.to_string()))?;
    let mut config = ServerConfig::builder_with_details(provider(), Arc::new(ClockTimeProvider(clock)))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(read_certs(&paths.server_cert())?, read_key(&paths.server_key())?)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// What the HTTP layer learns about the connection.
#[derive(Debug, Clone)]
pub struct PeerInfo {
    /// Remote address.
    pub addr: Option<SocketAddr>,
    /// The client's end-entity certificate (DER), already verified.
    pub certificate: Option<Arc<Vec<u8>>>,
}

/// Called when a handshake fails: peer address and reason.
pub type HandshakeFailureHook = Arc<dyn Fn(Option<SocketAddr>, String) + Send + Sync>;

/// Acceptor: rustls handshake (with timeout), then the peer certificate as a request extension.
#[derive(Clone)]
pub struct MtlsAcceptor {
    inner: RustlsAcceptor,
    on_failure: HandshakeFailureHook,
}

impl MtlsAcceptor {
    /// A new acceptor.
    pub fn new(config: Arc<ServerConfig>, handshake_timeout: Duration, on_failure: HandshakeFailureHook) -> Self {
        let inner = RustlsAcceptor::new(RustlsConfig::from_config(config)).handshake_timeout(handshake_timeout);
        MtlsAcceptor { inner, on_failure }
    }
}

impl<S> Accept<TcpStream, S> for MtlsAcceptor
where
    S: Send + 'static,
{
    type Stream = TlsStream<TcpStream>;
    type Service = axum::middleware::AddExtension<S, PeerInfo>;
    type Future = Pin<Box<dyn Future<Output = io::Result<(Self::Stream, Self::Service)>> + Send>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let addr = stream.peer_addr().ok();
        let inner = self.inner.clone();
        let on_failure = self.on_failure.clone();
        Box::pin(async move {
            match inner.accept(stream, service).await {
                Ok((tls, service)) => {
                    let certificate =
                        tls.get_ref().1.peer_certificates().and_then(|c| c.first()).map(|c| Arc::new(c.to_vec()));
                    let info = PeerInfo { addr, certificate };
                    Ok((tls, Extension(info).layer(service)))
                }
                Err(e) => {
                    on_failure(addr, e.to_string());
                    Err(e)
                }
            }
        })
    }
}
