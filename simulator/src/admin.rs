//! Admin API on its own listener (loopback by default; a bearer token is
//! required when it listens elsewhere): health, the message journal, reset,
//! seed, the clock, fault rules, the registry, and its OpenAPI description.
//!
//! Owns: the admin routes and their JSON shapes. Every state change goes
//! through the same archive, store, clock and fault objects the SOAP side uses.

use std::sync::Arc;

use axum::extract::{Path, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::archive::Archive;
use crate::clock::Clock;
use crate::faults::{FaultSpec, Faults};
use crate::journal::JournalFilter;
use crate::registry::SharedRegistry;
use crate::store::{Space, Store};

/// State shared by admin handlers.
#[derive(Clone)]
pub struct AdminState {
    /// Clock.
    pub clock: Arc<Clock>,
    /// Store.
    pub store: Arc<dyn Store>,
    /// Archive (seeding goes through its use cases).
    pub archive: Arc<Archive>,
    /// Registry.
    pub registry: SharedRegistry,
    /// Fault rules.
    pub faults: Arc<Faults>,
    /// When the process started (for uptime).
    pub started: std::time::Instant,
    /// Bearer token required on every admin request, when set.
    pub token: Option<String>,
    /// The test PKI (systems registered at run time get their certificates from it).
    pub certs: crate::pki::CertPaths,
    /// Where systems registered at run time are kept (the data directory), when on disk.
    pub data_dir: Option<std::path::PathBuf>,
    /// Largest request body (the validation service's pairs).
    pub max_body: usize,
    /// Key algorithm of certificates issued to systems registered at run time.
    pub key_algorithm: crate::pki::KeyAlgorithm,
}

/// File in the data directory holding the systems registered at run time.
pub const ADDED_SYSTEMS_FILE: &str = "registered-systems.toml";

/// An admin error, rendered as JSON `{ "error": … }`.
#[derive(Debug)]
pub struct AdminError(StatusCode, String);

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

fn internal(e: impl std::fmt::Display) -> AdminError {
    AdminError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

fn bad(e: impl std::fmt::Display) -> AdminError {
    AdminError(StatusCode::BAD_REQUEST, e.to_string())
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// The admin router.
pub fn router(state: AdminState) -> Router {
    let token = state.token.clone();
    Router::new()
        .route("/admin/health", get(health))
        .route("/admin/openapi.json", get(openapi))
        .route("/admin/journal", get(journal))
        .route("/admin/journal/{seq}", get(journal_entry))
        .route("/admin/reset", post(reset))
        .route("/admin/fixtures", get(fixtures))
        .route("/admin/seed/{name}", post(seed))
        .route("/admin/clock", get(clock_get).put(clock_set).delete(clock_reset))
        .route("/admin/clock/advance", post(clock_advance))
        .route("/admin/faults", get(faults_list).post(faults_add).delete(faults_clear))
        .route("/admin/faults/{id}", delete(faults_remove))
        .route("/admin/systems", get(systems).post(systems_add))
        .route("/admin/joint-groups", get(joint_groups))
        .route("/admin/joint-groups/{name}/documents", get(joint_group_documents))
        .route("/admin/documents", get(client_documents_list))
        .route("/admin/documents/{id}", get(document))
        .route("/admin/integrity", get(integrity))
        .route("/admin/disclosures", get(disclosures))
        .merge(crate::ui::router())
        .with_state(state.clone())
        .merge(crate::transport::shark::router(
            crate::transport::shark::SharkState { clock: state.clock.clone(), trust: state.archive.trust().clone() },
            state.max_body,
        ))
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            let token = token.clone();
            async move {
                if let Some(refusal) = browser_guard(&req, token.is_none()) {
                    return refusal.into_response();
                }
                if let Some(t) = token {
                    let ok = req
                        .headers()
                        .get(header::AUTHORIZATION)
                        .and_then(|v| v.to_str().ok())
                        .is_some_and(|v| v.strip_prefix("Bearer ").is_some_and(|g| g == t));
                    if !ok {
                        return AdminError(
                            StatusCode::UNAUTHORIZED,
                            "admin API needs 'Authorization: Bearer <token>'".into(),
                        )
                        .into_response();
                    }
                }
                let mut resp = next.run(req).await;
                security_headers(resp.headers_mut());
                resp
            }
        }))
}

/// The policy of every admin and archivist-view page: nothing runs, only this origin's
/// stylesheet and frames, data: images, forms posting here, framed by nobody. A handler that
/// sets a policy of its own (a stored part, sandboxed) keeps it.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

fn security_headers(h: &mut axum::http::HeaderMap) {
    use axum::http::HeaderValue;
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on its own
    // forms, which the guard must refuse.
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
}

fn is_loopback_host(host: &str) -> bool {
    // host[:port], [v6]:port
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map(|(h, p)| if p.bytes().all(|b| b.is_ascii_digit()) { h } else { host }).unwrap_or(host)
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// What a browser could be made to do against the admin API, refused: a page elsewhere that
/// rebinds its name to 127.0.0.1 (the Host is not a loopback name while the API listens on
/// loopback only), and a state change posted from another site (Origin or Sec-Fetch-Site say
/// so). Programs such as curl send neither header and are not affected.
fn browser_guard(req: &Request, loopback_only: bool) -> Option<AdminError> {
    let h = req.headers();
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    if loopback_only && !host.is_empty() && !is_loopback_host(host) {
        return Some(AdminError(
            StatusCode::FORBIDDEN,
            format!("the admin API answers to localhost, 127.0.0.1 or [::1] only (Host: {host})"),
        ));
    }
    if matches!(*req.method(), axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS) {
        return None;
    }
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if !matches!(site, "same-origin" | "none") {
            return Some(AdminError(
                StatusCode::FORBIDDEN,
                format!("a state change from another site is refused (Sec-Fetch-Site: {site})"),
            ));
        }
    }
    if let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let origin_host = origin.split_once("://").map(|(_, r)| r).unwrap_or(origin);
        if origin == "null" || !origin_host.eq_ignore_ascii_case(host) {
            return Some(AdminError(
                StatusCode::FORBIDDEN,
                format!("a state change from another origin is refused (Origin: {origin}, Host: {host})"),
            ));
        }
    }
    None
}

#[cfg(test)]
mod guard_tests {
    use super::*;

    fn req(method: &str, headers: &[(&str, &str)]) -> Request {
        let mut b = axum::http::Request::builder().method(method).uri("/admin/reset");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(axum::body::Body::empty()).expect("request")
    }

    #[test]
    fn browsers_from_elsewhere_are_refused_and_programs_are_not() {
        assert!(browser_guard(&req("POST", &[("host", "127.0.0.1:8080")]), true).is_none(), "curl");
        assert!(browser_guard(
            &req(
                "POST",
                &[("host", "localhost:8080"), ("origin", "http://localhost:8080"), ("sec-fetch-site", "same-origin")]
            ),
            true
        )
        .is_none());
        assert!(browser_guard(&req("POST", &[("host", "[::1]:8080")]), true).is_none());
        assert!(browser_guard(&req("GET", &[("host", "evil.example:8080")]), true).is_some(), "DNS rebinding");
        assert!(browser_guard(&req("POST", &[("host", "127.0.0.1:8080"), ("origin", "https://evil.example")]), true)
            .is_some());
        assert!(browser_guard(&req("POST", &[("host", "127.0.0.1:8080"), ("sec-fetch-site", "cross-site")]), true)
            .is_some());
        assert!(browser_guard(&req("POST", &[("host", "127.0.0.1:8080"), ("origin", "null")]), true).is_some());
        assert!(
            browser_guard(&req("GET", &[("host", "127.0.0.1:8080"), ("sec-fetch-site", "cross-site")]), true).is_none(),
            "reads are not state changes"
        );
        assert!(
            browser_guard(&req("POST", &[("host", "sim.internal:8080")]), false).is_none(),
            "beyond loopback the token decides"
        );
    }
}

async fn health(State(s): State<AdminState>) -> Result<Json<Value>, AdminError> {
    Ok(Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "clock": rfc3339(s.clock.now()),
        "clock_mode": s.clock.mode(),
        "uptime_seconds": s.started.elapsed().as_secs(),
        "systems": s.registry.get().systems().len(),
        "documents": s.store.count(Space::Documents).map_err(internal)?,
        "fault_rules": s.faults.list().len(),
        "journal_dropped": s.store.journal_dropped().map_err(internal)?.0,
        "disk_bytes": s.store.size_on_disk().map_err(internal)?,
    })))
}

async fn journal(State(s): State<AdminState>, Query(filter): Query<JournalFilter>) -> Result<Json<Value>, AdminError> {
    let m = filter.matcher().map_err(bad)?;
    let entries = s.store.journal(&m).map_err(internal)?;
    let (dropped, through) = s.store.journal_dropped().map_err(internal)?;
    // What rotation removed to keep the journal within its size limit.
    Ok(Json(json!({ "entries": entries, "dropped": { "entries": dropped, "through_seq": through } })))
}

async fn journal_entry(State(s): State<AdminState>, Path(seq): Path<u64>) -> Result<Response, AdminError> {
    match s.store.journal_entry(seq).map_err(internal)? {
        Some(e) => Ok(Json(e).into_response()),
        None => Err(AdminError(StatusCode::NOT_FOUND, format!("no journal entry {seq}"))),
    }
}

#[derive(Deserialize)]
struct ResetQuery {
    #[serde(default)]
    journal: bool,
}

async fn reset(State(s): State<AdminState>, Query(q): Query<ResetQuery>) -> Result<Json<Value>, AdminError> {
    s.store.reset(q.journal).map_err(internal)?;
    Ok(Json(json!({ "reset": true, "journal_cleared": q.journal })))
}

async fn fixtures() -> Json<Value> {
    let list: Vec<Value> =
        crate::seed::list().into_iter().map(|(n, d)| json!({ "name": n, "description": d })).collect();
    Json(json!({ "fixtures": list }))
}

async fn seed(State(s): State<AdminState>, Path(name): Path<String>) -> Result<Json<Value>, AdminError> {
    let archive = s.archive.clone();
    let registry = s.registry.clone();
    let certs = s.certs.clone();
    let result = tokio::task::spawn_blocking(move || crate::seed::seed(&archive, &registry.get(), &certs, &name))
        .await
        .map_err(internal)?;
    match result {
        Ok(r) => Ok(Json(json!(r))),
        Err(e @ crate::seed::SeedError::Unknown(_)) => Err(AdminError(StatusCode::NOT_FOUND, e.to_string())),
        Err(e @ crate::seed::SeedError::Refused { .. }) => Err(AdminError(StatusCode::CONFLICT, e.to_string())),
        Err(e) => Err(bad(e)),
    }
}

fn clock_json(c: &Clock) -> Value {
    json!({ "now": rfc3339(c.now()), "mode": c.mode(), "offset_seconds": c.offset_seconds() })
}

async fn clock_get(State(s): State<AdminState>) -> Json<Value> {
    Json(clock_json(&s.clock))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockSet {
    now: String,
    #[serde(default)]
    freeze: bool,
}

async fn clock_set(State(s): State<AdminState>, Json(body): Json<ClockSet>) -> Result<Json<Value>, AdminError> {
    let t = OffsetDateTime::parse(&body.now, &Rfc3339)
        .map_err(|_| bad(format!("'now' must be RFC 3339, e.g. 2022-06-01T12:00:00Z; got '{}'", body.now)))?;
    s.clock.set(t, body.freeze);
    Ok(Json(clock_json(&s.clock)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockAdvance {
    #[serde(default)]
    days: i64,
    #[serde(default)]
    hours: i64,
    #[serde(default)]
    minutes: i64,
    #[serde(default)]
    seconds: i64,
}

async fn clock_advance(State(s): State<AdminState>, Json(b): Json<ClockAdvance>) -> Result<Json<Value>, AdminError> {
    let total = b
        .days
        .checked_mul(86_400)
        .and_then(|d| d.checked_add(b.hours.checked_mul(3600)?))
        .and_then(|d| d.checked_add(b.minutes.checked_mul(60)?))
        .and_then(|d| d.checked_add(b.seconds))
        .filter(|d| d.abs() <= 200 * 365 * 86_400)
        .ok_or_else(|| bad("advance is out of range (at most 200 years either way)"))?;
    s.clock.advance(time::Duration::seconds(total));
    Ok(Json(clock_json(&s.clock)))
}

async fn clock_reset(State(s): State<AdminState>) -> Json<Value> {
    s.clock.reset();
    Json(clock_json(&s.clock))
}

async fn faults_list(State(s): State<AdminState>) -> Json<Value> {
    Json(json!({ "faults": s.faults.list() }))
}

async fn faults_add(
    State(s): State<AdminState>,
    Json(spec): Json<FaultSpec>,
) -> Result<(StatusCode, Json<Value>), AdminError> {
    let rule = s.faults.add(spec).map_err(bad)?;
    Ok((StatusCode::CREATED, Json(json!(rule))))
}

async fn faults_clear(State(s): State<AdminState>) -> Json<Value> {
    s.faults.clear();
    Json(json!({ "faults": [] }))
}

async fn faults_remove(State(s): State<AdminState>, Path(id): Path<u64>) -> Result<StatusCode, AdminError> {
    if s.faults.remove(id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AdminError(StatusCode::NOT_FOUND, format!("no fault rule {id}")))
    }
}

async fn systems(State(s): State<AdminState>) -> Json<Value> {
    Json(json!({
        "systems": s.registry.get().systems(),
        "joint_groups": s.registry.get().joint_groups(),
        "unregistered": s.registry.get().unregistered(),
    }))
}

/// A system to register: a vendor's own, with its organisation and the controllers it acts for.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSystem {
    name: String,
    organisation: String,
    #[serde(default)]
    oid: Option<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    strict_signature: Option<bool>,
    controllers: Vec<crate::registry::ControllerGrant>,
    /// Registers the system as a joint group's main system: the group's name.
    #[serde(default)]
    joint_group: Option<String>,
    /// The day Kela certified the system for its profile (YYYY-MM-DD); needed for a phase II
    /// deployment after new certificates stopped (profiles.toml `certify_until`).
    #[serde(default)]
    certified_on: Option<String>,
}

/// The joint-joining groups (yhteisliittymä) with their main systems and members.
async fn joint_groups(State(s): State<AdminState>) -> Json<Value> {
    let codes = crate::codes::CodeSets::builtin();
    let groups: Vec<Value> = s
        .registry
        .get()
        .joint_groups()
        .iter()
        .map(|g| {
            json!({
                "name": g.name,
                "main_system": g.main_system,
                "members": g.members.iter().map(|m| json!({
                    "oid": m,
                    "name": codes.name(crate::codes::oids::SOTE_ORGANISATION, m),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Json(json!(groups))
}

#[derive(Deserialize)]
struct HetuQuery {
    hetu: String,
}

/// The shared archivist's view of a joint group (named by its name or its main system): one
/// client's documents in every member's register, each with its controller (every joiner stays
/// the controller of its own).
async fn joint_group_documents(
    State(s): State<AdminState>,
    Path(name): Path<String>,
    Query(q): Query<HetuQuery>,
) -> Result<Json<Value>, AdminError> {
    let registry = s.registry.get();
    let group = registry.joint_groups().iter().find(|g| g.name == name || g.main_system == name).ok_or_else(|| {
        AdminError(StatusCode::NOT_FOUND, format!("no joint group '{name}' (by name or main system)"))
    })?;
    let hetu = q.hetu.trim().to_ascii_uppercase();
    crate::hetu::Hetu::parse(&hetu).map_err(|e| bad(format!("hetu '{hetu}': {e}")))?;
    let client = crate::document::ClientId { root: crate::hetu::HETU_ROOT.into(), extension: hetu.clone() };
    let mut docs = Vec::new();
    for m in &group.members {
        docs.extend(crate::archive::query::client_documents(&s.archive, m, &client).map_err(internal)?);
    }
    Ok(Json(json!({ "group": group.name, "members": group.members, "client": hetu, "documents": docs })))
}

/// Registers a system and issues its certificate from the test PKI. The system is kept in the
/// data directory and loaded again on the next start.
async fn systems_add(State(s): State<AdminState>, body: axum::body::Bytes) -> Result<Response, AdminError> {
    let n: NewSystem = serde_json::from_slice(&body).map_err(|e| bad(format!("body: {e}")))?;
    let certified_on = match &n.certified_on {
        None => None,
        Some(d) => Some(
            time::Date::parse(d, &time::macros::format_description!("[year]-[month]-[day]"))
                .map_err(|e| bad(format!("certified_on '{d}' is not a date (YYYY-MM-DD): {e}")))?,
        ),
    };
    let system = crate::registry::System {
        oid: n.oid.unwrap_or_else(|| n.organisation.clone()),
        name: n.name,
        description: n.description,
        organisation: n.organisation,
        strict_signature: n.strict_signature.unwrap_or(false),
        controllers: n.controllers,
        joint_group: n.joint_group,
    };
    // A registration is a deployment: each profile only while it may still be deployed.
    let today = s.clock.now().date();
    let mut warnings = Vec::new();
    for c in &system.controllers {
        for w in crate::profile::Matrix::builtin().deployable(c.profile, today, certified_on).map_err(bad)? {
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
    }
    // Checked first, so that a refused registration never replaces another system's certificates.
    (*s.registry.get()).clone().add(system.clone()).map_err(bad)?;
    let (certs, id, alg) = (s.certs.clone(), system.cert_identity(), s.key_algorithm);
    // Making RSA keys takes a second or two: off the async threads.
    let issued = tokio::task::spawn_blocking(move || crate::pki::issue_system(&certs, &id, alg))
        .await
        .map_err(internal)?
        .map_err(internal)?;
    s.registry.add(system.clone()).map_err(bad)?;
    if let Some(dir) = &s.data_dir {
        let added = s.registry.get().added_systems();
        let path = dir.join(ADDED_SYSTEMS_FILE);
        std::fs::write(&path, crate::registry::systems_toml(&added))
            .map_err(|e| internal(format!("{}: {e}", path.display())))?;
    }
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "system": system,
            "certificate": s.certs.system_cert(&system.name),
            "key": s.certs.system_key(&system.name),
            "ca": s.certs.ca_cert(),
            "signing_certificate": s.certs.signing_cert(&system.name),
            "signing_key": s.certs.signing_key(&system.name),
            "certificate_pem": issued.certificate_pem,
            "key_pem": issued.key_pem,
            "signing_certificate_pem": issued.signing_certificate_pem,
            "signing_key_pem": issued.signing_key_pem,
            "warnings": warnings,
        })),
    )
        .into_response())
}

/// The archivist's view of one document: every metadata field, unmasked, with its status.
async fn document(State(s): State<AdminState>, Path(id): Path<String>) -> Result<Json<Value>, AdminError> {
    match s.archive.document(&id).map_err(internal)? {
        Some(d) => Ok(Json(json!(d))),
        None => Err(AdminError(StatusCode::NOT_FOUND, format!("no document {id}"))),
    }
}

#[derive(Deserialize)]
struct ClientQuery {
    client: String,
}

/// Every document of one client in every register, with its status, version and invalidation
/// (the archivist's unmasked view; the harness compares it before and after a refused message).
async fn client_documents_list(
    State(s): State<AdminState>,
    Query(q): Query<ClientQuery>,
) -> Result<Json<Value>, AdminError> {
    let key = q.client.trim().to_ascii_uppercase();
    if key.is_empty() {
        return Err(bad("client (a hetu) is required"));
    }
    let mut docs = s.archive.all_client_documents(&key).map_err(internal)?;
    docs.sort_by(|a, b| (a.seq, &a.id).cmp(&(b.seq, &b.id)));
    Ok(Json(json!({ "client": key, "total": docs.len(), "documents": docs })))
}

/// A client's disclosure log: who asked, which documents, on what basis, when.
async fn disclosures(State(s): State<AdminState>, Query(q): Query<ClientQuery>) -> Result<Json<Value>, AdminError> {
    let key = q.client.trim().to_ascii_uppercase();
    let log = s.archive.disclosures(&key).map_err(internal)?;
    Ok(Json(json!({ "client": key, "disclosures": log })))
}

/// Whole-archive consistency check: every document with its payload and index keys.
async fn integrity(State(s): State<AdminState>) -> Result<Json<Value>, AdminError> {
    let archive = s.archive.clone();
    let (n, problems) =
        tokio::task::spawn_blocking(move || archive.verify_integrity()).await.map_err(internal)?.map_err(internal)?;
    Ok(Json(json!({ "documents": n, "problems": problems, "ok": problems.is_empty() })))
}

async fn openapi() -> Json<Value> {
    Json(openapi_document())
}

/// The OpenAPI 3.0 description of this API.
pub fn openapi_document() -> Value {
    let err = json!({"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let ok = |d: &str| json!({"description": d, "content": {"application/json": {"schema": {"type": "object"}}}});
    json!({
        "openapi": "3.0.3",
        "info": {"title": "SHA simulator admin API", "version": env!("CARGO_PKG_VERSION"),
                  "description": "Journal, reset, seed, clock and fault injection of the SHA simulator. Loopback only by default; a bearer token is required when bound elsewhere."},
        "paths": {
            "/admin/health": {"get": {"summary": "Health, clock and counts", "responses": {"200": ok("health")}}},
            "/admin/journal": {"get": {"summary": "Journal entries, newest first (bodies left out)",
                "parameters": [
                    {"name": "system", "in": "query", "schema": {"type": "string"}},
                    {"name": "interaction", "in": "query", "schema": {"type": "string"}},
                    {"name": "outcome", "in": "query", "schema": {"type": "string", "enum": ["accepted", "application_error", "rejected", "fault", "tls_refused"]}},
                    {"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}},
                    {"name": "after_seq", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                    {"name": "message_id", "in": "query", "schema": {"type": "string"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10000}}],
                "responses": {"200": ok("entries"), "400": err}}},
            "/admin/journal/{seq}": {"get": {"summary": "One entry with raw request and response",
                "parameters": [{"name": "seq", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0}}],
                "responses": {"200": ok("entry"), "404": err}}},
            "/admin/reset": {"post": {"summary": "Empty the archive (the registry stays)",
                "parameters": [{"name": "journal", "in": "query", "schema": {"type": "boolean"}}],
                "responses": {"200": ok("reset")}}},
            "/admin/fixtures": {"get": {"summary": "Seed fixtures available", "responses": {"200": ok("fixtures")}}},
            "/admin/seed/{name}": {"post": {"summary": "Load a fixture through the archive's use cases",
                "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": ok("seed report"), "404": err, "409": err, "400": err}}},
            "/admin/clock": {
                "get": {"summary": "The simulator's now", "responses": {"200": ok("clock")}},
                "put": {"summary": "Set now (optionally frozen)", "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClockSet"}}}},
                        "responses": {"200": ok("clock"), "400": err, "422": err}},
                "delete": {"summary": "Back to the wall clock", "responses": {"200": ok("clock")}}},
            "/admin/clock/advance": {"post": {"summary": "Move now by an amount",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClockAdvance"}}}},
                "responses": {"200": ok("clock"), "400": err, "422": err}}},
            "/admin/faults": {
                "get": {"summary": "Active fault rules", "responses": {"200": ok("rules")}},
                "post": {"summary": "Add a fault rule", "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FaultSpec"}}}},
                         "responses": {"201": ok("rule"), "400": err, "422": err}},
                "delete": {"summary": "Remove every fault rule", "responses": {"200": ok("rules")}}},
            "/admin/faults/{id}": {"delete": {"summary": "Remove one fault rule",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0}}],
                "responses": {"204": {"description": "removed"}, "404": err}}},
            "/admin/systems": {
                "get": {"summary": "The system registry", "responses": {"200": ok("registry")}},
                "post": {"summary": "Register a system (a vendor's own) and issue its certificate from the test PKI",
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
                        "required": ["name", "organisation", "controllers"],
                        "properties": {"name": {"type": "string"}, "organisation": {"type": "string"}, "oid": {"type": "string"},
                            "description": {"type": "string"}, "strict_signature": {"type": "boolean"},
                            "joint_group": {"type": "string", "description": "name of the joint group whose main system this is"},
                            "certified_on": {"type": "string", "format": "date", "description": "when Kela certified the system; a phase II deployment after 31.5.2025 needs a certificate issued by then"},
                            "controllers": {"type": "array", "items": {"type": "object", "required": ["oid", "profile"],
                                "properties": {"oid": {"type": "string"}, "profile": {"type": "string"}}}}}}}}},
                    "responses": {"201": ok("the system, its certificate and key (PEM and paths)"),
                        "400": {"description": "Not a valid system, or a profile that cannot be deployed on the simulator's date (the error names the date and the profiles deployable now)"}}}},
            "/admin/joint-groups": {"get": {"summary": "Joint groups (yhteisliittymät): main system and member controllers", "responses": {"200": ok("groups")}}},
            "/admin/joint-groups/{name}/documents": {"get": {"summary": "The shared archivist's view of a joint group: every member's documents of one client",
                "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}, "description": "group name or main system"},
                    {"name": "hetu", "in": "query", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": ok("documents by member"), "400": err, "404": err}}},
            "/admin/documents": {"get": {"summary": "Every document of one client in every register (status, version, invalidation)",
                "parameters": [{"name": "client", "in": "query", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": ok("documents"), "400": err}}},
            "/admin/documents/{id}": {"get": {"summary": "One stored document with all its metadata (archivist view, unmasked)",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": ok("document"), "404": err}}},
            "/admin/disclosures": {"get": {"summary": "A client's disclosure log (luovutusloki)",
                "parameters": [{"name": "client", "in": "query", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": ok("log"), "400": err}}},
            "/admin/integrity": {"get": {"summary": "Check every stored document is whole (payload and index keys present)", "responses": {"200": ok("integrity report")}}},
            "/admin/openapi.json": {"get": {"summary": "This document", "responses": {"200": ok("OpenAPI")}}}
        },
        "components": {"schemas": {
            "Error": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]},
            "ClockSet": {"type": "object", "properties": {"now": {"type": "string", "format": "date-time"}, "freeze": {"type": "boolean"}}, "required": ["now"], "additionalProperties": false},
            "ClockAdvance": {"type": "object", "properties": {"days": {"type": "integer"}, "hours": {"type": "integer"}, "minutes": {"type": "integer"}, "seconds": {"type": "integer"}}, "additionalProperties": false},
            "FaultSpec": {"type": "object", "required": ["action"], "additionalProperties": false, "properties": {
                "system": {"type": "string"}, "interaction": {"type": "string"},
                "count": {"type": "integer", "minimum": 1}, "from": {"type": "string", "format": "date-time"}, "until": {"type": "string", "format": "date-time"},
                "action": {"oneOf": [
                    {"type": "object", "required": ["kind", "ms"], "properties": {"kind": {"enum": ["delay"]}, "ms": {"type": "integer", "minimum": 0, "maximum": 120000}}},
                    {"type": "object", "required": ["kind", "status"], "properties": {"kind": {"enum": ["http_status"]}, "status": {"type": "integer", "minimum": 400, "maximum": 599}}},
                    {"type": "object", "required": ["kind"], "properties": {"kind": {"enum": ["soap_fault", "hl7_reject", "drop_connection"]}}}]}}}
        }}
    })
}
