//! A mutual-TLS SOAP client for a registered system: what the harness's
//! reference client, the load tool and the tests use to talk to a simulator.
//!
//! Owns: building a rustls client configuration from the test PKI (any
//! certificate, good or deliberately bad), sending one SOAP request, and
//! loading the signing keys a system signs its documents with.

use std::path::Path;
use std::time::Duration;

use rustls::RootCertStore;

use crate::transport::tls::{provider, read_certs, read_key, TlsError};
use crate::wire::soap::SoapVersion;

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

/// A rustls client configuration trusting `ca` and presenting `cert`/`key` (or no certificate).
pub fn tls_config(ca: &Path, identity: Option<(&Path, &Path)>) -> Result<rustls::ClientConfig, ClientError> {
    let mut roots = RootCertStore::empty();
    for c in read_certs(ca)? {
        roots.add(c).map_err(|e| TlsError::Config(e.to_string()))?;
    }
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_root_certificates(roots);
    Ok(match identity {
        Some((cert, key)) => builder
            .with_client_auth_cert(read_certs(cert)?, read_key(key)?)
            .map_err(|e| TlsError::Config(e.to_string()))?,
        None => builder.with_no_client_auth(),
    })
}

impl SoapClient {
    /// A client trusting `ca` and presenting `cert`/`key` (or no certificate).
    pub fn new(endpoint: &str, ca: &Path, identity: Option<(&Path, &Path)>) -> Result<Self, ClientError> {
        let config = tls_config(ca, identity)?;
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
    pub async fn send_raw(
        &self,
        headers: &[(&str, &str)],
        body: impl Into<Vec<u8>>,
    ) -> Result<SoapResponse, ClientError> {
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

/// An HL7 answer read back from a SOAP response (for the harness and tests).
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// AA / AE / AR, or None for a SOAP Fault.
    pub ack: Option<String>,
    /// Detail codes (acknowledgement details, or the fault's code).
    pub codes: Vec<String>,
    /// Detail texts (Finnish), same order as codes.
    pub texts: Vec<String>,
    /// The response's `controlActProcess/subject` children (query results).
    pub payload: Vec<crate::xml::Element>,
    /// The raw body.
    pub body: String,
}

impl Answer {
    /// Reads a response body.
    pub fn parse(status: u16, body: &str) -> Answer {
        let mut a = Answer { status, ack: None, codes: vec![], texts: vec![], payload: vec![], body: body.to_string() };
        let Ok(env) = crate::xml::parse(body.as_bytes(), crate::xml::Limits::default()) else { return a };
        let Some(msg) = env.child("Body").and_then(|b| b.elements().next()) else { return a };
        if msg.name == "Fault" {
            if let Some(code) = find(msg, "code") {
                a.codes.push(code.text());
            }
            if let Some(fi) = find(msg, "fi") {
                a.texts.push(fi.text());
            }
            return a;
        }
        if let Ok(read) = crate::wire::ack::read(msg) {
            a.ack = Some(read.type_code.as_str().to_string());
            for d in read.details {
                a.codes.push(d.code);
                a.texts.push(d.fi);
            }
            a.payload = read.payload.into_iter().collect();
        }
        a
    }

    /// A fetched document (the `documentResult` payload): its MIME parts and decoded contents.
    pub fn fetched(&self) -> Option<(Vec<crate::wire::mime::Part>, crate::document::Contents)> {
        let cd = self.payload.iter().find_map(|p| find(p, "clinicalDocument"))?;
        let (fd, _) = crate::wire::frame::read_document_element(cd);
        let (parts, root) = crate::command::read_package(&fd, "/documentResult/clinicalDocument").ok()?;
        let (doc, _) = crate::wire::cda::read(&root);
        let (contents, _) = crate::document::contents(&doc, &parts);
        Some((parts, contents))
    }

    /// Whether the message was accepted (AA).
    pub fn accepted(&self) -> bool {
        self.ack.as_deref() == Some("AA")
    }

    /// Error codes (warnings excluded).
    pub fn has_code(&self, code: &str) -> bool {
        self.codes.iter().any(|c| c == code)
    }

    /// `documentMetadata` elements in the payload, anywhere below it.
    pub fn documents(&self) -> Vec<&crate::xml::Element> {
        let mut out = Vec::new();
        for p in &self.payload {
            collect(p, "documentMetadata", &mut out);
        }
        out
    }

    /// Ids (root[:extension]) of the documents in the payload.
    pub fn document_ids(&self) -> Vec<String> {
        self.documents()
            .iter()
            .filter_map(|d| d.child("id"))
            .filter_map(crate::wire::hl7::InstanceId::from_element)
            .map(|i| i.to_string())
            .collect()
    }
}

fn find<'a>(e: &'a crate::xml::Element, name: &str) -> Option<&'a crate::xml::Element> {
    if e.name == name {
        return Some(e);
    }
    e.elements().find_map(|c| find(c, name))
}

fn collect<'a>(e: &'a crate::xml::Element, name: &str, out: &mut Vec<&'a crate::xml::Element>) {
    if e.name == name {
        out.push(e);
        return;
    }
    for c in e.elements() {
        collect(c, name, out);
    }
}

impl SoapClient {
    /// Sends an HL7 message (SOAP 1.1) and reads the answer.
    pub async fn exchange(&self, message: &crate::xml::Element) -> Result<Answer, ClientError> {
        let body = crate::wire::soap::envelope(SoapVersion::V11, message);
        let r = self.send(SoapVersion::V11, body).await?;
        Ok(Answer::parse(r.status, &r.body))
    }
}

/// The keys a system signs documents with: its own (system signature, `signing/<name>.pem`) and
/// the test professionals' (`professionals/<number>.pem`), from a certs directory.
#[derive(Debug, Default)]
pub struct SigningKeys {
    system: Option<crate::dsig::SigningKey>,
    professionals: std::collections::HashMap<String, crate::dsig::SigningKey>,
}

impl SigningKeys {
    /// Loads what `certs` holds for `system` and for the test professionals; a missing file
    /// leaves that signer out, an unreadable one is an error.
    pub fn load(certs: &crate::pki::CertPaths, system: &str) -> Result<Self, crate::dsig::SignError> {
        use crate::dsig::{SignatureKind, SigningKey};
        let system_key = if certs.signing_cert(system).exists() {
            Some(SigningKey::load(SignatureKind::System, &certs.signing_cert(system), &certs.signing_key(system))?)
        } else {
            None
        };
        let mut professionals = std::collections::HashMap::new();
        for p in &crate::persons::TestPersons::builtin().professionals {
            let (cert, key) =
                (certs.professional_cert(&p.registration_number), certs.professional_key(&p.registration_number));
            if cert.exists() {
                professionals
                    .insert(p.registration_number.clone(), SigningKey::load(SignatureKind::Professional, &cert, &key)?);
            }
        }
        Ok(SigningKeys { system: system_key, professionals })
    }

    /// Keys from given files (e.g. a vendor's own): a system key and no professionals.
    pub fn system_only(key: crate::dsig::SigningKey) -> Self {
        SigningKeys { system: Some(key), professionals: Default::default() }
    }

    /// The system's key.
    pub fn system(&self) -> Option<&crate::dsig::SigningKey> {
        self.system.as_ref()
    }

    /// A professional's key by registration number.
    pub fn professional(&self, registration_number: &str) -> Option<&crate::dsig::SigningKey> {
        self.professionals.get(registration_number)
    }
}
