//! A reference adapter: a real HTTP server speaking the adapter protocol of
//! docs/adapter.md, which performs each requested action with the built-in
//! reference client. It shows vendors what their adapter must do, and lets
//! the harness's adapter mode be tested against a real second process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::context::{RunContext, SimulatorTarget};
use crate::steps::organisation;
use crate::sut::{builtin, Action, Sut};
use crate::world::{ShaWorld, Shared};
use sha_simulator::compose::cda::DocumentSpec;
use sha_simulator::persons::{TestPerson, TestPersons};
use sha_simulator::registry::Registry;

/// A request of the adapter protocol.
#[derive(Debug, Deserialize)]
pub struct AdapterRequest {
    /// Test-case id.
    #[serde(default)]
    pub test_case: String,
    /// Registry name of the system to act as.
    pub system: String,
    /// Controller OID.
    pub controller: String,
    /// The client.
    pub client: Client,
    /// Case id, when the action concerns one.
    #[serde(default)]
    pub case_id: Option<String>,
    /// The newest document in the test case.
    #[serde(default)]
    pub target_document: Option<String>,
    /// What to do.
    pub request: Action,
}

/// The client in a request.
#[derive(Debug, Deserialize)]
pub struct Client {
    /// Hetu.
    pub hetu: String,
    /// Family name.
    #[serde(default)]
    pub family_name: String,
    /// Given names.
    #[serde(default)]
    pub given_names: String,
}

#[derive(Clone)]
struct AppState {
    shared: Shared,
    stored: Arc<Mutex<HashMap<String, Vec<DocumentSpec>>>>,
}

async fn actions(State(s): State<AppState>, Json(req): Json<AdapterRequest>) -> (StatusCode, Json<Value>) {
    let org = match organisation(&req.controller) {
        Ok(o) => o,
        Err(e) => return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"status": "unsupported", "reason": e}))),
    };
    let person = TestPersons::builtin().by_hetu(&req.client.hetu).cloned().unwrap_or(TestPerson {
        key: "adapter".into(),
        hetu: req.client.hetu.clone(),
        family_name: req.client.family_name.clone(),
        given_names: req.client.given_names.clone(),
        birth_date: String::new(),
        sex: String::new(),
        turvakielto: false,
        description: String::new(),
    });
    let stored = s.stored.lock().unwrap_or_else(|p| p.into_inner()).get(&req.test_case).cloned().unwrap_or_default();
    let mut w = ShaWorld::with(Some(s.shared.clone()), &req.system, org, person);
    w.case_tag = req.test_case.clone();
    w.case_id = req.case_id.clone();
    w.stored = stored;
    w.last_document = req.target_document.clone();
    match builtin::perform(&mut w, &req.request, false).await {
        Ok(()) => {
            s.stored.lock().unwrap_or_else(|p| p.into_inner()).insert(req.test_case.clone(), w.stored.clone());
            (StatusCode::OK, Json(json!({"status": "done"})))
        }
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"status": "unsupported", "reason": e}))),
    }
}

/// The adapter's router.
pub fn router(shared: Shared) -> Router {
    let state = AppState { shared, stored: Arc::new(Mutex::new(HashMap::new())) };
    Router::new().route("/actions", post(actions)).with_state(state)
}

/// Serves the adapter on `listener` until the process ends.
pub async fn serve(
    listener: tokio::net::TcpListener,
    target: SimulatorTarget,
    registry: Registry,
) -> Result<(), String> {
    let ctx = RunContext::connect(target, registry).await.map_err(|e| e.to_string())?;
    let shared = Shared {
        ctx,
        sut: Arc::new(Sut::Builtin { faulty: false }),
        testdata: Arc::new("testdata".into()),
        production: false,
        seed: None,
    };
    axum::serve(listener, router(shared)).await.map_err(|e| e.to_string())
}
