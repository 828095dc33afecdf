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
    /// What the client's (verified) end-entity certificate says, read once per connection
    /// rather than once per request.
    pub subject: Option<Arc<PeerSubject>>,
}

/// A client certificate's subject as the journal shows it, and the identity it names.
#[derive(Debug)]
pub struct PeerSubject {
    /// The subject as presented ([`crate::pki::subject_text`]).
    pub text: String,
    /// CN and serialNumber, or why the subject names no single system.
    pub identity: Result<crate::registry::CertIdentity, crate::pki::PkiError>,
}

impl PeerSubject {
    /// Reads a certificate's subject.
    pub fn of(der: &[u8]) -> Self {
        PeerSubject { text: crate::pki::subject_text(der), identity: crate::pki::identity_of(der) }
    }
}

/// Why a connection was refused before any request: a failed handshake, or a limit.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// What happened.
    pub reason: String,
    /// The detail code, when one applies (e.g. too many connections).
    pub code: Option<crate::acks::DetailCode>,
    /// The presented certificate's subject, when the handshake got that far.
    pub certificate: Option<String>,
}

/// Called when a connection is refused before any request: peer address and why.
pub type HandshakeFailureHook = Arc<dyn Fn(Option<SocketAddr>, Refusal) + Send + Sync>;

/// Open connections per client certificate, to hold each certificate to a limit.
#[derive(Debug, Default)]
struct Connections {
    open: std::sync::Mutex<std::collections::HashMap<Vec<u8>, usize>>,
}

/// One open connection counted against its certificate; dropped with the connection.
struct Slot {
    table: Arc<Connections>,
    key: Vec<u8>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut open) = self.table.open.lock() {
            if let Some(n) = open.get_mut(&self.key) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    open.remove(&self.key);
                }
            }
        }
    }
}

/// Acceptor: rustls handshake (with timeout), a limit on simultaneous connections per client
/// certificate, an idle timeout on the connection, and the peer certificate as a request extension.
#[derive(Clone)]
pub struct MtlsAcceptor {
    inner: RustlsAcceptor,
    on_failure: HandshakeFailureHook,
    idle: Duration,
    per_certificate: usize,
    connections: Arc<Connections>,
}

impl MtlsAcceptor {
    /// A new acceptor: connections silent for `idle` are closed; a certificate may hold at most
    /// `per_certificate` connections at once.
    pub fn new(
        config: Arc<ServerConfig>,
        handshake_timeout: Duration,
        idle: Duration,
        per_certificate: usize,
        on_failure: HandshakeFailureHook,
    ) -> Self {
        let inner = RustlsAcceptor::new(RustlsConfig::from_config(config)).handshake_timeout(handshake_timeout);
        MtlsAcceptor { inner, on_failure, idle, per_certificate, connections: Arc::default() }
    }
}

impl<S> Accept<TcpStream, S> for MtlsAcceptor
where
    S: Send + 'static,
{
    type Stream = Guarded<TlsStream<TcpStream>>;
    type Service = axum::middleware::AddExtension<S, PeerInfo>;
    type Future = Pin<Box<dyn Future<Output = io::Result<(Self::Stream, Self::Service)>> + Send>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let addr = stream.peer_addr().ok();
        let inner = self.inner.clone();
        let on_failure = self.on_failure.clone();
        let (idle, limit, table) = (self.idle, self.per_certificate, self.connections.clone());
        Box::pin(async move {
            match inner.accept(stream, service).await {
                Ok((tls, service)) => {
                    let der = tls.get_ref().1.peer_certificates().and_then(|c| c.first()).map(|c| c.to_vec());
                    let slot = match &der {
                        Some(d) => {
                            let key = ring::digest::digest(&ring::digest::SHA256, d).as_ref().to_vec();
                            let mut open =
                                table.open.lock().map_err(|_| io::Error::other("connection table poisoned"))?;
                            let n = open.entry(key.clone()).or_default();
                            if *n >= limit {
                                drop(open);
                                let refusal = Refusal {
                                    reason: format!("SHA-T013: too many simultaneous connections with this certificate (at most {limit})"),
                                    code: Some(crate::acks::DetailCode::TooManyConnections),
                                    certificate: Some(crate::pki::subject_text(d)),
                                };
                                on_failure(addr, refusal);
                                return Err(io::Error::other("too many connections for one certificate"));
                            }
                            *n += 1;
                            Some(Slot { table: table.clone(), key })
                        }
                        None => None,
                    };
                    let subject = der.as_deref().map(|d| Arc::new(PeerSubject::of(d)));
                    let info = PeerInfo { addr, subject };
                    Ok((Guarded::new(tls, idle, slot), Extension(info).layer(service)))
                }
                Err(e) => {
                    on_failure(addr, Refusal { reason: e.to_string(), code: None, certificate: None });
                    Err(e)
                }
            }
        })
    }
}

/// A connection that is closed when silent (nothing read or written) for its idle time, and
/// that holds its certificate's connection slot while open.
pub struct Guarded<S> {
    inner: S,
    idle: Duration,
    deadline: Pin<Box<tokio::time::Sleep>>,
    _slot: Option<Slot>,
}

impl<S> Guarded<S> {
    fn new(inner: S, idle: Duration, slot: Option<Slot>) -> Self {
        Guarded { inner, idle, deadline: Box::pin(tokio::time::sleep(idle)), _slot: slot }
    }

    fn touch(&mut self) {
        let next = tokio::time::Instant::now() + self.idle;
        self.deadline.as_mut().reset(next);
    }
}

impl<S: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for Guarded<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<io::Result<()>> {
        use std::task::Poll;
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    self.touch();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending => match self.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "connection idle"))),
                Poll::Pending => Poll::Pending,
            },
            other => other,
        }
    }
}

impl<S: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for Guarded<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        data: &[u8],
    ) -> std::task::Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(r, std::task::Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
