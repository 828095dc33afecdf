//! The adapter mode: the harness asks the vendor's system, through a small
//! HTTP+JSON protocol (docs/adapter.md), to perform an action against the
//! simulator. The adapter's reply only says whether it tried; the verdict is
//! read from the simulator's journal.

use serde_json::json;

use super::Action;
use crate::world::ShaWorld;

/// Sends the action to `{url}/actions` and checks the adapter accepted it.
pub async fn perform(w: &mut ShaWorld, action: &Action, url: &str, http: &reqwest::Client) -> Result<(), String> {
    let body = json!({
        "test_case": w.case_tag,
        "system": w.system,
        "controller": w.org.controller,
        "client": {
            "hetu": w.person.hetu,
            "family_name": w.person.family_name,
            "given_names": w.person.given_names,
        },
        "case_id": w.case_id,
        "target_document": w.last_document,
        "production": w.shared()?.production,
        "request": action,
    });
    let endpoint = format!("{}/actions", url.trim_end_matches('/'));
    let resp = http
        .post(&endpoint)
        .json(&body)
        .send()
        .await
        .map_err(|e| format!("adapteri {endpoint} ei vastaa — adapter not reachable: {e}"))?;
    let status = resp.status();
    let reply: serde_json::Value = resp.json().await.unwrap_or(serde_json::Value::Null);
    match status.as_u16() {
        200..=299 => Ok(()),
        422 => Err(format!(
            "adapteri ei tue toimintoa — the adapter does not support this action: {}",
            reply["reason"].as_str().unwrap_or("no reason given")
        )),
        _ => Err(format!("adapteri vastasi HTTP {status}: {reply}")),
    }
}
