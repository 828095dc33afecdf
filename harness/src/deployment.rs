//! The deployment test (käyttöönottokoe) as Kela runs it: it may start only after the system's
//! connection test (yhteystestaus) has passed, it runs in production mode (processingCode P),
//! and it ends with the report Kela asks for within two business days.
//!
//! Owns the record of a passed connection test, kept in the report directory as
//! `yhteystestaus-<system>.json`, and the check that reads it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::report::{RunReport, Status};

/// A passed connection test, as kept in the report directory.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConnectionTest {
    /// The system (registry name).
    pub system: String,
    /// The day it passed (YYYY-MM-DD).
    pub passed_on: String,
    /// The connection-test cases run, all passed.
    pub cases: Vec<String>,
}

fn record_path(dir: &Path, system: &str) -> PathBuf {
    dir.join(format!("yhteystestaus-{system}.json"))
}

/// After a run for `system`: when it ran connection-test cases and every one passed, keeps the
/// record (and returns its path); a failed connection test removes an older record.
pub fn record_connection_test(dir: &Path, system: &str, r: &RunReport) -> Result<Option<PathBuf>, String> {
    let cases: Vec<_> = r.scenarios.iter().filter(|s| s.tags.iter().any(|t| t == "yhteystestaus")).collect();
    if cases.is_empty() {
        return Ok(None);
    }
    let path = record_path(dir, system);
    if cases.iter().any(|s| s.status != Status::Passed) {
        let _ = std::fs::remove_file(&path);
        return Ok(None);
    }
    let rec = ConnectionTest {
        system: system.to_string(),
        passed_on: r.started.clone(),
        cases: cases.iter().map(|s| s.id.clone()).collect(),
    };
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let text = serde_json::to_string_pretty(&rec).map_err(|e| e.to_string())?;
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(Some(path))
}

/// The passed connection test of `system`, or why the deployment test may not start.
pub fn require_connection_test(dir: &Path, system: &str) -> Result<ConnectionTest, String> {
    let path = record_path(dir, system);
    let refuse = |why: String| {
        format!(
            "käyttöönottokoe vaatii hyväksytyn yhteystestauksen — the deployment test needs a passed connection test \
             for '{system}': {why}. Run first: sha-harness run --suite yhteystestaus --system {system} --report-dir {}",
            dir.display()
        )
    };
    let text = std::fs::read_to_string(&path).map_err(|_| refuse(format!("{} not found", path.display())))?;
    let rec: ConnectionTest = serde_json::from_str(&text)
        .map_err(|e| refuse(format!("{} is not a connection-test record: {e}", path.display())))?;
    if rec.system != system || rec.cases.is_empty() {
        return Err(refuse(format!("{} is for another system or holds no cases", path.display())));
    }
    Ok(rec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::ScenarioResult;
    use crate::world::Evidence;

    fn run(statuses: &[(&str, &str, Status)]) -> RunReport {
        RunReport {
            seed: None,
            started: "2026-12-05".into(),
            sut: "builtin".into(),
            simulator: "embedded".into(),
            system: Some("oma-atj".into()),
            scenarios: statuses
                .iter()
                .map(|(id, tag, st)| ScenarioResult {
                    id: (*id).into(),
                    feature: "F".into(),
                    name: "N".into(),
                    tags: vec![(*tag).into()],
                    status: *st,
                    steps: vec![],
                    evidence: Evidence::default(),
                    duration_ms: 1,
                })
                .collect(),
        }
    }

    #[test]
    fn only_a_passed_connection_test_opens_the_deployment_test() {
        let dir = tempfile::tempdir().expect("tmp");
        let err = require_connection_test(dir.path(), "oma-atj").unwrap_err();
        assert!(err.contains("--suite yhteystestaus --system oma-atj"), "{err}");
        // A run without connection-test cases records nothing.
        assert_eq!(
            record_connection_test(dir.path(), "oma-atj", &run(&[("A", "yhteistestaus", Status::Passed)])),
            Ok(None)
        );
        // A failed one records nothing.
        let failed = run(&[("YT-1", "yhteystestaus", Status::Passed), ("YT-2", "yhteystestaus", Status::Failed)]);
        assert_eq!(record_connection_test(dir.path(), "oma-atj", &failed), Ok(None));
        assert!(require_connection_test(dir.path(), "oma-atj").is_err());
        // A passed one opens it, for that system only.
        let passed = run(&[("YT-1", "yhteystestaus", Status::Passed)]);
        assert!(record_connection_test(dir.path(), "oma-atj", &passed).expect("written").is_some());
        let rec = require_connection_test(dir.path(), "oma-atj").expect("recorded");
        assert_eq!((rec.passed_on.as_str(), rec.cases.len()), ("2026-12-05", 1));
        assert!(require_connection_test(dir.path(), "toinen-atj").is_err());
        // A later failed connection test closes it again.
        assert_eq!(record_connection_test(dir.path(), "oma-atj", &failed), Ok(None));
        assert!(require_connection_test(dir.path(), "oma-atj").is_err());
    }
}
