//! A mutual-TLS SOAP client for a registered system: what the harness's
//! reference client, the load tool and the tests use to talk to a simulator.
//!
//! Owns: building a rustls client configuration from the test PKI (any
//! certificate, good or deliberately bad) and sending one SOAP request.

use std::path::Path;
use std::time::Duration;

use rustls::RootCertStore;

use crate::transport::soap::SoapVersion;
use crate::transport::tls::{provider, read_certs, read_key, TlsError};

/// A client error.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Certificates could not be read.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The HTTP/TLS exchange failed (handshake refused, connection dropped …).
    #[error("request failed: {0}")]
    Http(String),
}

/// One HTTP response.
#[derive(Debug, Clone)]
pub struct SoapResponse {
    /// HTTP status.
    pub status: u16,
    /// Body text.
    pub body: String,
}

/// A client presenting one certificate.
#[derive(Debug, Clone)]
pub struct SoapClient {
    http: reqwest::Client,
    endpoint: String,
}

impl SoapClient {
    /// A client trusting `ca` and presenting `cert`/`key` (or no certificate).
    pub fn new(endpoint: &str, ca: &Path, identity: Option<(&Path, &Path)>) -> Result<Self, ClientError> {
        let mut roots = RootCertStore::empty();
        for c in read_certs(ca)? {
            roots.add(c).map_err(|e| TlsError::Config(e.to_string()))?;
        }
        let builder = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Config(e.to_string()))?
            .with_root_certificates(roots);
        let config = match identity {
            Some((cert, key)) => builder
                .with_client_auth_cert(read_certs(cert)?, read_key(key)?)
                .map_err(|e| TlsError::Config(e.to_string()))?,
            None => builder.with_no_client_auth(),
        };
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(config)
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| ClientError::Http(e.to_string()))?;
        Ok(SoapClient { http, endpoint: endpoint.to_string() })
    }

    /// Client for a registered system whose files are under `certs/systems/`.
    pub fn for_system(endpoint: &str, certs: &crate::pki::CertPaths, system: &str) -> Result<Self, ClientError> {
        Self::new(endpoint, &certs.ca_cert(), Some((&certs.system_cert(system), &certs.system_key(system))))
    }

    /// The endpoint URL.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Posts a SOAP envelope with the content type and headers of `version`.
    pub async fn send(&self, version: SoapVersion, body: impl Into<Vec<u8>>) -> Result<SoapResponse, ClientError> {
        let mut req = self.http.post(&self.endpoint).header("content-type", version.content_type());
        if version == SoapVersion::V11 {
            req = req.header("SOAPAction", "\"\"");
        }
        let resp = req.body(body.into()).send().await.map_err(|e| ClientError::Http(error_chain(&e)))?;
        let status = resp.status().as_u16();
        let body = resp.text().await.map_err(|e| ClientError::Http(error_chain(&e)))?;
        Ok(SoapResponse { status, body })
    }

    /// Posts raw bytes with explicit headers (for negative tests).
    pub async fn send_raw(&self, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Result<SoapResponse, ClientError> {
        let mut req = self.http.post(&self.endpoint);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.body(body.into()).send().await.map_err(|e| ClientError::Http(error_chain(&e)))?;
        let status = resp.status().as_u16();
        let body = resp.text().await.map_err(|e| ClientError::Http(error_chain(&e)))?;
        Ok(SoapResponse { status, body })
    }
}

/// The error and all its causes on one line (reqwest hides the TLS reason in the chain).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}
