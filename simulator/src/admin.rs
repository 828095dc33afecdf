//! Admin API on its own listener (loopback by default): health, the message
//! journal, and (as the simulator grows) reset, seed, clock and faults.
//!
//! Owns: the admin routes and their JSON shapes. Every state change goes
//! through the same archive, store, clock and fault objects the SOAP side uses.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::clock::Clock;
use crate::faults::Faults;
use crate::journal::JournalFilter;
use crate::registry::Registry;
use crate::store::{Space, Store};

/// State shared by admin handlers.
#[derive(Clone)]
pub struct AdminState {
    /// Clock.
    pub clock: Arc<Clock>,
    /// Store.
    pub store: Arc<dyn Store>,
    /// Registry.
    pub registry: Arc<Registry>,
    /// Fault rules.
    pub faults: Arc<Faults>,
    /// When the process started (wall clock, for uptime).
    pub started: std::time::Instant,
}

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

/// The admin router.
pub fn router(state: AdminState) -> Router {
    Router::new()
        .route("/admin/health", get(health))
        .route("/admin/journal", get(journal))
        .route("/admin/journal/{seq}", get(journal_entry))
        .with_state(state)
}

async fn health(State(s): State<AdminState>) -> Result<Json<serde_json::Value>, AdminError> {
    Ok(Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "clock": s.clock.now().format(&time::format_description::well_known::Rfc3339).map_err(internal)?,
        "uptime_seconds": s.started.elapsed().as_secs(),
        "systems": s.registry.systems().len(),
        "documents": s.store.count(Space::Documents).map_err(internal)?,
        "fault_rules": s.faults.list().len(),
    })))
}

async fn journal(
    State(s): State<AdminState>,
    Query(filter): Query<JournalFilter>,
) -> Result<Json<serde_json::Value>, AdminError> {
    let m = filter.matcher().map_err(|e| AdminError(StatusCode::BAD_REQUEST, e.to_string()))?;
    let entries = s.store.journal(&m).map_err(internal)?;
    Ok(Json(json!({ "entries": entries })))
}

async fn journal_entry(State(s): State<AdminState>, Path(seq): Path<u64>) -> Result<Response, AdminError> {
    match s.store.journal_entry(seq).map_err(internal)? {
        Some(e) => Ok(Json(e).into_response()),
        None => Err(AdminError(StatusCode::NOT_FOUND, format!("no journal entry {seq}"))),
    }
}
