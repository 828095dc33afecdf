//! A local, offline stand-in for Kela's validation service for SHA messages
//! (SHARK, SPEC §6.7): `POST /shark-validointi/validoi/asiakirja/tulos` with
//! JSON `{messageId, palveluPyynto, level, siirtokehysXml, asiakirjaXml}` —
//! the wrapper without its document (its `text` may hold a placeholder) and
//! the CDA, both as XML text. Served on the admin listener and on the mutual
//! TLS listener, with the archive's own rules (`offline::validate`); nothing
//! is stored.
//!
//! Answers as Kela's guide describes: an empty `200` when the pair has no
//! errors (warnings never fail a pair; `?varoitukset=1` adds them as a JSON
//! body), and `400` with `{"description": "1: …; 2: …;"}` — numbered
//! findings, each with the simulator's detail code and the element's
//! location — when it has. A request that is not such JSON gets a `400`
//! naming the field.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::acks::{AckKind, Detail};
use crate::clock::Clock;
use crate::offline::{self, Input};
use crate::wire::mime::Part;

/// The path Kela's service answers on.
pub const PATH: &str = "/shark-validointi/validoi/asiakirja/tulos";

/// What the service needs: the simulator's clock and the CAs signatures may chain to.
#[derive(Clone)]
pub struct SharkState {
    /// The clock time rules are judged on.
    pub clock: Arc<Clock>,
    /// Trusted CAs for signatures.
    pub trust: Arc<crate::dsig::Trust>,
}

/// The service's routes, with their own state.
pub fn router(state: SharkState, max_body: usize) -> Router {
    Router::new().route(PATH, post(validate)).layer(DefaultBodyLimit::max(max_body)).with_state(state)
}

fn problem(status: StatusCode, description: String) -> Response {
    (status, Json(json!({ "description": description }))).into_response()
}

fn numbered(findings: &[&Detail]) -> String {
    findings
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let loc = d.location.as_deref().map(|l| format!(" {l}")).unwrap_or_default();
            format!("{}: {}{loc}: {} ({});", i + 1, d.code, d.fi, d.en)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn finding_json(d: &Detail) -> Value {
    json!({
        "code": d.code.as_str(),
        "severity": if d.kind == AckKind::W { "warning" } else { "error" },
        "location": d.location,
        "fi": d.fi,
        "en": d.en,
    })
}

/// The request's fields, each named in the answer when it is missing or of the wrong type.
#[derive(Debug)]
struct SharkRequest {
    service_request: Option<String>,
    frame: Option<String>,
    document: String,
}

fn text_field(o: &serde_json::Map<String, Value>, name: &str) -> Result<Option<String>, String> {
    match o.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(format!("1: field '{name}' must be a string, not {};", kind(other))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn read_request(body: &[u8]) -> Result<SharkRequest, String> {
    // Strict: a request naming a field twice (two documents) is refused, not read as one of them.
    let v: Value = crate::json::parse(body).map_err(|e| format!("1: the request body is not JSON ({e});"))?;
    let Value::Object(o) = v else {
        return Err(format!("1: the request body must be a JSON object, not {};", kind(&v)));
    };
    for name in ["messageId", "level"] {
        if let Some(x) = o.get(name).filter(|x| !matches!(x, Value::String(_) | Value::Number(_) | Value::Null)) {
            return Err(format!("1: field '{name}' must be a string, not {};", kind(x)));
        }
    }
    let document = text_field(&o, "asiakirjaXml")?
        .ok_or_else(|| "1: field 'asiakirjaXml' (the CDA document as XML text) is missing or empty;".to_string())?;
    Ok(SharkRequest {
        service_request: text_field(&o, "palveluPyynto")?,
        frame: text_field(&o, "siirtokehysXml")?,
        document,
    })
}

async fn validate(State(state): State<SharkState>, Query(q): Query<HashMap<String, String>>, body: Bytes) -> Response {
    let req = match read_request(&body) {
        Ok(r) => r,
        Err(description) => return problem(StatusCode::BAD_REQUEST, description),
    };
    let now = state.clock.now();
    let trust = state.trust.clone();
    let with_warnings = q.get("varoitukset").is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
    // The work is CPU-bound: off the async threads.
    let result = tokio::task::spawn_blocking(move || run(req, now, &trust)).await;
    let details = match result {
        Ok(Ok(d)) => d,
        Ok(Err(d)) => d,
        Err(e) => return problem(StatusCode::INTERNAL_SERVER_ERROR, format!("1: validation failed: {e};")),
    };
    let errors: Vec<&Detail> = details.iter().filter(|d| d.kind != AckKind::W).collect();
    let warnings: Vec<&Detail> = details.iter().filter(|d| d.kind == AckKind::W).collect();
    if !errors.is_empty() {
        let all: Vec<Value> = details.iter().map(finding_json).collect();
        return (StatusCode::BAD_REQUEST, Json(json!({ "description": numbered(&errors), "findings": all })))
            .into_response();
    }
    if with_warnings && !warnings.is_empty() {
        let all: Vec<Value> = warnings.iter().map(|d| finding_json(d)).collect();
        return (StatusCode::OK, Json(json!({ "description": numbered(&warnings), "findings": all }))).into_response();
    }
    (StatusCode::OK, [(header::CONTENT_LENGTH, "0")]).into_response()
}

/// Validates a pair: the findings, or (as `Err`) the reasons it could not be read at all.
fn run(req: SharkRequest, now: time::OffsetDateTime, trust: &crate::dsig::Trust) -> Result<Vec<Detail>, Vec<Detail>> {
    let (frame, frame_sp) = match &req.frame {
        Some(f) => {
            let read = offline::read_frame(f.as_bytes()).map_err(|mut d| {
                for x in d.iter_mut() {
                    x.location = Some(format!("siirtokehysXml {}", x.location.as_deref().unwrap_or("")).trim().into());
                }
                d
            })?;
            (Some(read.document), read.service_request)
        }
        None => (None, None),
    };
    let mut details = Vec::new();
    let sp = match (req.service_request, frame_sp) {
        (Some(a), Some(b)) if a.trim() != b.trim() => {
            details.push(
                Detail::new(
                    crate::acks::DetailCode::ServiceRequest,
                    format!("palveluPyynto {a}, but the wrapper's reasonCode says {b}"),
                )
                .at("palveluPyynto"),
            );
            Some(a)
        }
        (a, b) => a.or(b),
    };
    let id = "asiakirjaXml";
    let input = Input { frame, service_request: sp, parts: vec![Part::new(id, "text/xml", req.document.into_bytes())] };
    // The service does not know the sending system: signature findings that are not forgery
    // are warnings, as for a system that is not in strict mode.
    let policy = crate::validation::SignaturePolicy { strict: false, trust };
    let (_, found) = offline::validate(input, now, policy)?;
    details.extend(found);
    Ok(details)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_requests_name_the_field() {
        assert!(read_request(b"not json").unwrap_err().contains("not JSON"));
        assert!(read_request(b"[]").unwrap_err().contains("JSON object"));
        assert!(read_request(br#"{"siirtokehysXml": "<a/>"}"#).unwrap_err().contains("asiakirjaXml"));
        assert!(read_request(br#"{"asiakirjaXml": 5, "x": 1}"#).is_ok(), "a number is read as text");
        assert!(read_request(br#"{"asiakirjaXml": ["<a/>"]}"#)
            .unwrap_err()
            .contains("'asiakirjaXml' must be a string"));
        assert!(read_request(br#"{"asiakirjaXml": "<a/>", "level": {}}"#).unwrap_err().contains("'level'"));
    }
}
