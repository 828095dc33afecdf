//! Transport: the HTTPS endpoint a vendor's system connects to.
//!
//! Owns: mutual TLS ([`tls`]), the WSDL ([`wsdl`]), reading the body within
//! limits, identifying the system from its certificate, journalling, and the
//! one place where every refusal becomes a response — a SOAP Fault for
//! transport problems, an HL7 acknowledgement for everything else
//! ([`Reply`]). The codec (`wire`) reads the envelope and `command` types the
//! request; the archive gets the typed request and this module never looks
//! inside the document.

pub mod shark;
pub mod tls;
pub mod wsdl;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use time::OffsetDateTime;

use crate::acks::{Detail, DetailCode};
use crate::archive::Archive;
use crate::clock::Clock;
use crate::codes::CodeSets;
use crate::command;
use crate::document::KindTable;
use crate::faults::{FaultAction, Faults};
use crate::interactions::Interactions;
use crate::journal::{JournalEntry, Outcome};
use crate::registry::SharedRegistry;
use crate::store::Store;
use crate::wire::ack::{self, Ack, AckType, ResponseHeader};
use crate::wire::frame::{self, Addressing};
use crate::wire::hl7::{ts, InstanceId};
use crate::wire::soap::{self, SoapVersion};
use crate::xml::{self, XmlError};
use tls::PeerInfo;

/// Everything a request handler needs.
#[derive(Clone)]
pub struct AppState {
    /// The simulator's clock.
    pub clock: Arc<Clock>,
    /// Registered systems.
    pub registry: SharedRegistry,
    /// Storage (journal, message ids).
    pub store: Arc<dyn Store>,
    /// The archive use cases.
    pub archive: Arc<Archive>,
    /// Fault-injection rules.
    pub faults: Arc<Faults>,
    /// Largest accepted request body.
    pub max_body: usize,
    /// How long reading the body may take.
    pub body_timeout: std::time::Duration,
    /// XML limits.
    pub xml_limits: xml::Limits,
}

/// The SOAP router: `POST /sha` and `GET /sha?wsdl`.
pub fn router(state: AppState) -> Router {
    let shark = shark::router(
        shark::SharkState { clock: state.clock.clone(), trust: state.archive.trust().clone() },
        state.max_body,
    );
    Router::new()
        .route("/sha", get(wsdl_handler).post(sha_handler))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(state)
        .merge(shark)
}

async fn wsdl_handler(headers: HeaderMap, Query(q): Query<std::collections::HashMap<String, String>>) -> Response {
    if !q.contains_key("wsdl") && !q.contains_key("WSDL") {
        return (StatusCode::METHOD_NOT_ALLOWED, "POST SOAP messages to /sha; GET /sha?wsdl for the WSDL\n")
            .into_response();
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost:8443");
    let body = wsdl::render(Interactions::builtin(), &format!("https://{host}/sha"));
    ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response()
}

/// A response ready to send, with what the journal needs to know about it.
#[derive(Debug)]
pub struct Reply {
    status: StatusCode,
    content_type: &'static str,
    body: String,
    outcome: Outcome,
    codes: Vec<String>,
    /// Abort the connection instead of answering (fault injection).
    drop_connection: bool,
}

/// A response body that fails at once, so hyper aborts the connection mid-response.
struct Aborted;

impl http_body::Body for Aborted {
    type Data = Bytes;
    type Error = std::io::Error;
    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        std::task::Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "injected fault: connection dropped",
        ))))
    }
}

impl Reply {
    /// A SOAP Fault for a transport-level problem.
    fn fault(version: SoapVersion, detail: Detail, status: StatusCode) -> Self {
        Reply {
            status,
            content_type: version.content_type(),
            body: soap::fault(version, &detail),
            outcome: Outcome::Fault,
            codes: vec![detail.code.as_str().to_string()],
            drop_connection: false,
        }
    }

    /// An HL7 acknowledgement in a SOAP envelope (always HTTP 200: the message was processed).
    fn ack(version: SoapVersion, ack: &Ack, response_interaction: &str, to: &Addressing, now: OffsetDateTime) -> Self {
        let table = Interactions::builtin();
        let id = InstanceId { root: table.archive_device.clone(), extension: Some(uuid::Uuid::new_v4().to_string()) };
        let created = ts(now);
        let h = ResponseHeader {
            interaction: response_interaction,
            id: &id,
            creation_time: &created,
            to_device: to.sender.as_deref().unwrap_or_default(),
            from_device: &table.archive_device,
            code_system: &table.ack_code_system,
            // The request's, echoed; P (production) when the request's cannot be read.
            processing_code: to.processing_code.as_deref().unwrap_or("P"),
        };
        let msg = ack::write(ack, &h);
        Reply {
            status: StatusCode::OK,
            content_type: version.content_type(),
            body: soap::envelope(version, &msg),
            outcome: match ack.type_code {
                AckType::AA => Outcome::Accepted,
                AckType::AE => Outcome::ApplicationError,
                AckType::AR => Outcome::Rejected,
            },
            codes: ack.details.iter().map(|d| d.code.as_str().to_string()).collect(),
            drop_connection: false,
        }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        if self.drop_connection {
            return Response::new(Body::new(Aborted));
        }
        (self.status, [(header::CONTENT_TYPE, self.content_type)], self.body).into_response()
    }
}

/// What the handler learnt while processing, for the journal.
#[derive(Default)]
struct Trace {
    system: Option<String>,
    certificate: Option<String>,
    interaction: Option<String>,
    message_id: Option<String>,
    controller: Option<String>,
    documents: Vec<String>,
}

fn xml_fault(e: XmlError) -> Detail {
    match e {
        XmlError::Dtd => Detail::new(DetailCode::DtdNotAllowed, "DOCTYPE"),
        XmlError::UnknownEntity(name) => Detail::new(DetailCode::DtdNotAllowed, format!("&{name};")),
        XmlError::TooDeep { limit } => Detail::new(DetailCode::XmlLimit, format!("nesting depth > {limit}")),
        XmlError::TooManyElements { limit } => Detail::new(DetailCode::XmlLimit, format!("more than {limit} elements")),
        XmlError::InvalidUtf8 { position } => Detail::new(DetailCode::InvalidUtf8, format!("byte {position}")),
        e @ XmlError::Limit { .. } => Detail::new(DetailCode::XmlLimit, e),
        e @ (XmlError::Malformed { .. }
        | XmlError::Empty
        | XmlError::ForbiddenCharacter { .. }
        | XmlError::Version(_)
        | XmlError::Cancelled) => Detail::new(DetailCode::MalformedXml, e),
    }
}

fn human_size(n: usize) -> String {
    if n.is_multiple_of(1024 * 1024) {
        format!("{} MiB", n / (1024 * 1024))
    } else if n.is_multiple_of(1024) {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

async fn sha_handler(
    State(state): State<AppState>,
    peer: Option<Extension<PeerInfo>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let received = state.clock.now();
    let peer = peer.map(|Extension(p)| p);
    let mut trace = Trace::default();
    let (reply, raw) = process(&state, peer.as_ref(), &headers, body, &mut trace).await;
    let (request, request_truncated) = JournalEntry::kept(&raw);
    let entry = JournalEntry {
        seq: 0,
        time: received,
        peer: peer.as_ref().and_then(|p| p.addr).map(|a| a.to_string()),
        system: trace.system,
        certificate: trace.certificate,
        interaction: trace.interaction,
        message_id: trace.message_id,
        outcome: reply.outcome,
        ack_codes: reply.codes.clone(),
        controller: trace.controller,
        documents: trace.documents,
        http_status: reply.status.as_u16(),
        duration_ms: started.elapsed().as_millis() as u64,
        request: String::new(),
        // Answers are bounded (queries are paged); the journal keeps at most as much as of a request.
        response: String::from_utf8_lossy(JournalEntry::kept(reply.body.as_bytes()).0).into_owned(),
        request_truncated,
    };
    if let Err(e) = state.store.append_journal(entry, request) {
        tracing::error!(error = %e, "journal write failed");
    }
    tracing::debug!(outcome = ?reply.outcome, codes = ?reply.codes, status = reply.status.as_u16(), "message handled");
    reply.into_response()
}

async fn process(
    state: &AppState,
    peer: Option<&PeerInfo>,
    headers: &HeaderMap,
    body: Body,
    trace: &mut Trace,
) -> (Reply, Bytes) {
    let empty = Bytes::new();
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let Some(version) = SoapVersion::from_content_type(ct) else {
        let shown = if ct.is_empty() { "(none)" } else { ct };
        return (
            Reply::fault(
                SoapVersion::V11,
                Detail::new(DetailCode::ContentType, shown),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ),
            empty,
        );
    };
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > state.max_body as u64) {
        return (
            Reply::fault(
                version,
                Detail::new(DetailCode::BodyTooLarge, human_size(state.max_body)),
                StatusCode::PAYLOAD_TOO_LARGE,
            ),
            empty,
        );
    }
    let read = tokio::time::timeout(state.body_timeout, axum::body::to_bytes(body, state.max_body)).await;
    let raw = match read {
        Err(_) => {
            let why = format!("body not received within {} s", state.body_timeout.as_secs());
            return (Reply::fault(version, Detail::new(DetailCode::BodyRead, why), StatusCode::REQUEST_TIMEOUT), empty);
        }
        Ok(Ok(b)) => b,
        Ok(Err(e)) => {
            let too_large = std::error::Error::source(&e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
                || e.to_string().contains("length limit");
            let reply = if too_large {
                Reply::fault(
                    version,
                    Detail::new(DetailCode::BodyTooLarge, human_size(state.max_body)),
                    StatusCode::PAYLOAD_TOO_LARGE,
                )
            } else {
                Reply::fault(version, Detail::new(DetailCode::BodyRead, e), StatusCode::BAD_REQUEST)
            };
            return (reply, empty);
        }
    };

    // Who sends, before anything in the message is read: the certificate's identity. The
    // journal keeps the subject as presented.
    let subject = peer.and_then(|p| p.subject.as_deref());
    if let Some(s) = subject {
        trace.certificate = Some(s.text.clone());
    }
    let identity = subject.map(|s| &s.identity);
    let system = match identity {
        Some(Ok(id)) => state.registry.get().by_identity(id).cloned(),
        _ => None,
    };
    trace.system = system.as_ref().map(|s| s.name.clone());
    let now = state.clock.now();
    // The message's name and addressing from its first events only: enough to answer a
    // sender who may not send, at a cost that does not grow with the body.
    let (peeked_name, peeked) = frame::peek_addressing(&raw);
    trace.interaction = peeked_name.clone();
    trace.message_id = peeked.id.as_ref().map(ToString::to_string);
    let table = Interactions::builtin();
    let peeked_response = peeked_name
        .as_deref()
        .and_then(|n| table.get(n))
        .map(|i| i.response.clone())
        .unwrap_or_else(|| "MCCI_IN000002FI01".to_string());
    let early = |details: Vec<Detail>| {
        Reply::ack(version, &Ack::from_details(peeked.id.clone(), details), &peeked_response, &peeked, now)
    };

    // Fault injection acts before any processing, on the identified system.
    if let Some(action) = state.faults.take_match(trace.system.as_deref(), peeked_name.as_deref().unwrap_or(""), now) {
        match action {
            FaultAction::Delay { ms } => tokio::time::sleep(std::time::Duration::from_millis(ms)).await,
            FaultAction::HttpStatus { status } => {
                let code = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                let mut r =
                    Reply::fault(version, Detail::new(DetailCode::InjectedFault, format!("HTTP {status}")), code);
                r.status = code;
                return (r, raw);
            }
            FaultAction::SoapFault => {
                return (
                    Reply::fault(
                        version,
                        Detail::new(DetailCode::InjectedFault, "SOAP Fault"),
                        StatusCode::INTERNAL_SERVER_ERROR,
                    ),
                    raw,
                )
            }
            FaultAction::Hl7Reject => {
                return (early(vec![Detail::new(DetailCode::InjectedRejection, "AR")]), raw);
            }
            FaultAction::DropConnection => {
                let mut r =
                    Reply::fault(version, Detail::new(DetailCode::InjectedFault, "connection dropped"), StatusCode::OK);
                r.drop_connection = true;
                return (r, raw);
            }
        }
    }

    let Some(system) = system else {
        let d = match identity {
            Some(Ok(id)) => Detail::new(
                DetailCode::UnregisteredSystem,
                format!("CN={}, serialNumber={}", id.common_name, id.organisation),
            ),
            Some(Err(e)) => Detail::new(DetailCode::AmbiguousCertificate, e),
            None => Detail::new(DetailCode::UnregisteredSystem, "none"),
        };
        return (early(vec![d.at("/")]), raw);
    };

    // The message itself is read off the async threads; if the client goes away the
    // handler future is dropped, the guard sets the flag, and the parse stops.
    let cancel = Arc::new(AtomicBool::new(false));
    let _guard = CancelOnDrop(cancel.clone());
    let st = state.clone();
    let body = raw.clone();
    let done = tokio::task::spawn_blocking(move || handle_message(&st, &system, version, &body, now, &cancel)).await;
    match done {
        Ok((reply, t)) => {
            trace.interaction = t.interaction.or(trace.interaction.take());
            trace.message_id = t.message_id.or(trace.message_id.take());
            trace.controller = t.controller;
            trace.documents = t.documents;
            (reply, raw)
        }
        Err(e) => {
            tracing::error!(error = %e, "message task failed");
            (
                Reply::fault(
                    version,
                    Detail::new(DetailCode::Internal, "processing task failed"),
                    StatusCode::INTERNAL_SERVER_ERROR,
                ),
                raw,
            )
        }
    }
}

/// Sets its flag when dropped: the handler's way to tell blocking work it was abandoned.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Reads, checks and handles one message from a registered system (blocking work).
fn handle_message(
    state: &AppState,
    system: &crate::registry::System,
    version: SoapVersion,
    raw: &[u8],
    now: OffsetDateTime,
    cancel: &AtomicBool,
) -> (Reply, Trace) {
    let mut trace = Trace::default();
    let bad_request = match version {
        SoapVersion::V11 => StatusCode::INTERNAL_SERVER_ERROR,
        SoapVersion::V12 => StatusCode::BAD_REQUEST,
    };
    // SOAP 1.1 asks for a SOAPAction header, but what real senders do is not public to us and
    // the envelope already says everything: a request without one is read like any other.
    let envelope = match xml::parse_cancellable(raw, state.xml_limits, cancel) {
        Ok(e) => e,
        Err(e) => return (Reply::fault(version, xml_fault(e), bad_request), trace),
    };
    let msg = match soap::body_message(envelope, version) {
        Ok(m) => m,
        Err(soap::EnvelopeError::NotSoap(s)) => {
            return (Reply::fault(version, Detail::new(DetailCode::NotSoap, s), bad_request), trace)
        }
        Err(soap::EnvelopeError::BodyShape(s)) => {
            return (Reply::fault(version, Detail::new(DetailCode::SoapBodyShape, s), bad_request), trace)
        }
        Err(soap::EnvelopeError::MustUnderstand(s)) => {
            return (Reply::fault(version, Detail::new(DetailCode::MustUnderstand, s), bad_request), trace)
        }
    };
    let table = Interactions::builtin();
    let addressing = frame::addressing(&msg);
    let message_id = addressing.id.clone();
    trace.interaction = Some(msg.name.clone());
    trace.message_id = message_id.as_ref().map(ToString::to_string);
    let response_interaction =
        table.get(&msg.name).map(|i| i.response.clone()).unwrap_or_else(|| "MCCI_IN000002FI01".to_string());
    let reject = |details: Vec<Detail>| {
        let ack = Ack::from_details(message_id.clone(), details);
        Reply::ack(version, &ack, &response_interaction, &addressing, now)
    };
    // A sender device that is not this system's is refused whatever else the message says.
    if let Some(device) = addressing.sender.as_deref().filter(|d| !system.sends_as(d)) {
        let loc = format!("/{}/sender/device/id/@root", msg.name);
        return (reject(vec![Detail::new(DetailCode::SenderMismatch, device).at(loc)]), trace);
    }
    let request = match command::read(&msg, table, KindTable::builtin(), CodeSets::builtin()) {
        Ok(r) => r,
        Err(rejection) => {
            let ack = Ack::from_details(rejection.target, rejection.details);
            return (Reply::ack(version, &ack, &rejection.response, &addressing, now), trace);
        }
    };
    trace.interaction = Some(match &request.service_request {
        Some(sp) => format!("{} {sp}", request.interaction),
        None => request.interaction.clone(),
    });
    // A reused message id is a warning (the message is still processed): it
    // lets a static example be sent twice, and still tells the vendor.
    let reused = match state.archive.claim_message_id(system, &request.message_id) {
        Ok(first_use) => !first_use,
        Err(e) => {
            tracing::error!(error = %e, "message id store failed");
            return (
                Reply::fault(
                    version,
                    Detail::new(DetailCode::Internal, "storage unavailable"),
                    StatusCode::SERVICE_UNAVAILABLE,
                ),
                trace,
            );
        }
    };
    let mut handled = state.archive.handle(&request, system, now);
    if reused {
        handled.ack.details.push(
            Detail::new(DetailCode::DuplicateMessageId, &request.message_id).at(format!("/{}/id", request.interaction)),
        );
    }
    trace.controller = handled.controller.clone();
    trace.documents = handled.documents.clone();
    (Reply::ack(version, &handled.ack, &request.response, &addressing, now), trace)
}
