//! Reports: the run's results as one model, collected from cucumber's events
//! (step statuses) and the scenario hooks (evidence from the World), then
//! written as JUnit XML, JSON, a self-contained HTML page and the Finnish test
//! report a vendor sends to Kela. Every report carries each scenario's test-case id.

pub mod finnish;
pub mod html;
pub mod junit;
pub mod kela;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use cucumber::event::{self, Cucumber};
use cucumber::{cli, parser, Event, Writer};
use serde::Serialize;

use crate::world::{Evidence, ShaWorld};

/// A step's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Passed.
    Passed,
    /// Failed.
    Failed,
    /// Not run (an earlier step failed) or no matching step.
    Skipped,
}

impl Status {
    /// The verdict as the Finnish Markdown reports write it (a failure in bold).
    pub fn finnish_cell(self) -> &'static str {
        match self {
            Status::Passed => "Hyväksytty",
            Status::Failed => "**Hylätty**",
            Status::Skipped => "Ohitettu",
        }
    }
}

/// One step.
#[derive(Debug, Clone, Serialize)]
pub struct StepResult {
    /// Keyword as written (Oletetaan, Kun, Niin, Ja …).
    pub keyword: String,
    /// Text.
    pub text: String,
    /// Outcome.
    pub status: Status,
    /// Failure message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One scenario.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioResult {
    /// Test-case id (the @SHA-… tag), or the feature/line when none.
    pub id: String,
    /// Feature name.
    pub feature: String,
    /// Scenario name.
    pub name: String,
    /// All tags (feature, rule, scenario, examples), without '@'.
    pub tags: Vec<String>,
    /// Overall outcome.
    pub status: Status,
    /// Steps.
    pub steps: Vec<StepResult>,
    /// Evidence from the simulator.
    pub evidence: Evidence,
    /// Duration in milliseconds.
    pub duration_ms: u64,
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// When the run started (wall clock, for the report header).
    pub started: String,
    /// How the system under test was driven.
    pub sut: String,
    /// Which simulator.
    pub simulator: String,
    /// The system the run was for, when given.
    pub system: Option<String>,
    /// The seed the built-in client drew its values with (`--seed`), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Scenarios in run order.
    pub scenarios: Vec<ScenarioResult>,
}

impl RunReport {
    /// Counts (passed, failed, skipped).
    pub fn counts(&self) -> (usize, usize, usize) {
        let c = |s| self.scenarios.iter().filter(|x| x.status == s).count();
        (c(Status::Passed), c(Status::Failed), c(Status::Skipped))
    }

    /// Whether every selected scenario passed (and there was at least one).
    pub fn all_passed(&self) -> bool {
        !self.scenarios.is_empty() && self.scenarios.iter().all(|s| s.status == Status::Passed)
    }

    /// A scenario by test-case id.
    pub fn scenario(&self, id: &str) -> Option<&ScenarioResult> {
        self.scenarios.iter().find(|s| s.id == id)
    }
}

/// The test-case id among tags: the first starting with `SHA-`.
pub fn case_id(tags: &[String]) -> Option<String> {
    tags.iter().find(|t| t.starts_with("SHA-")).cloned()
}

/// Scenario key shared by the writer and the hooks.
pub fn key(feature: &cucumber::gherkin::Feature, scenario: &cucumber::gherkin::Scenario) -> String {
    format!(
        "{}:{}",
        feature.path.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| feature.name.clone()),
        scenario.position.line
    )
}

#[derive(Debug, Default)]
struct Pending {
    result: Option<ScenarioResult>,
    started: Option<std::time::Instant>,
}

/// Results shared between the writer and the hooks.
#[derive(Debug, Default)]
pub struct Results {
    order: Vec<String>,
    pending: BTreeMap<String, Pending>,
    evidence: BTreeMap<String, Evidence>,
}

impl Results {
    /// Stores a scenario's evidence (from the after hook).
    pub fn evidence(&mut self, key: String, e: Evidence) {
        self.evidence.insert(key, e);
    }

    /// The finished scenarios in run order.
    pub fn scenarios(&self) -> Vec<ScenarioResult> {
        self.order
            .iter()
            .filter_map(|k| {
                let mut r = self.pending.get(k)?.result.clone()?;
                if let Some(e) = self.evidence.get(k) {
                    r.evidence = e.clone();
                }
                Some(r)
            })
            .collect()
    }
}

/// The cucumber writer that records step outcomes into [`Results`].
#[derive(Debug, Clone)]
pub struct Collector {
    /// Shared results.
    pub results: Arc<Mutex<Results>>,
}

fn all_tags(
    f: &cucumber::gherkin::Feature,
    r: Option<&cucumber::gherkin::Rule>,
    s: &cucumber::gherkin::Scenario,
) -> Vec<String> {
    let mut t: Vec<String> = f.tags.clone();
    if let Some(r) = r {
        t.extend(r.tags.iter().cloned());
    }
    t.extend(s.tags.iter().cloned());
    t
}

impl Collector {
    fn on_scenario(
        &self,
        f: &cucumber::gherkin::Feature,
        r: Option<&cucumber::gherkin::Rule>,
        s: &cucumber::gherkin::Scenario,
        ev: &event::Scenario<ShaWorld>,
    ) {
        let k = key(f, s);
        let mut res = self.results.lock().unwrap_or_else(|p| p.into_inner());
        match ev {
            event::Scenario::Started => {
                let tags = all_tags(f, r, s);
                let mut steps: Vec<StepResult> = Vec::new();
                if let Some(b) = &f.background {
                    steps.extend(b.steps.iter().map(|st| StepResult {
                        keyword: st.keyword.trim().into(),
                        text: st.value.clone(),
                        status: Status::Skipped,
                        error: None,
                    }));
                }
                steps.extend(s.steps.iter().map(|st| StepResult {
                    keyword: st.keyword.trim().into(),
                    text: st.value.clone(),
                    status: Status::Skipped,
                    error: None,
                }));
                let result = ScenarioResult {
                    id: case_id(&tags).unwrap_or_else(|| k.clone()),
                    feature: f.name.clone(),
                    name: s.name.clone(),
                    tags,
                    status: Status::Skipped,
                    steps,
                    evidence: Evidence::default(),
                    duration_ms: 0,
                };
                res.order.push(k.clone());
                res.pending.insert(k, Pending { result: Some(result), started: Some(std::time::Instant::now()) });
            }
            event::Scenario::Step(step, st) | event::Scenario::Background(step, st) => {
                let (status, error) = match st {
                    event::Step::Passed(..) => (Status::Passed, None),
                    event::Step::Failed(_, _, _, e) => (Status::Failed, Some(e.to_string())),
                    event::Step::Skipped => (Status::Skipped, Some("no matching step definition".into())),
                    event::Step::Started => return,
                };
                if let Some(p) = res.pending.get_mut(&k) {
                    if let Some(r) = p.result.as_mut() {
                        if let Some(slot) = r
                            .steps
                            .iter_mut()
                            .find(|x| x.text == step.value && x.status == Status::Skipped && x.error.is_none())
                        {
                            slot.status = status;
                            slot.error = error;
                        }
                    }
                }
            }
            event::Scenario::Finished => {
                if let Some(p) = res.pending.get_mut(&k) {
                    let ms = p.started.map(|t| t.elapsed().as_millis() as u64).unwrap_or(0);
                    if let Some(r) = p.result.as_mut() {
                        r.duration_ms = ms;
                        r.status = if r.steps.iter().any(|s| s.status == Status::Failed) {
                            Status::Failed
                        } else if r.steps.iter().all(|s| s.status == Status::Passed) {
                            Status::Passed
                        } else {
                            Status::Skipped
                        };
                    }
                }
            }
            event::Scenario::Hook(_, event::Hook::Failed(_, info)) => {
                if let Some(r) = res.pending.get_mut(&k).and_then(|p| p.result.as_mut()) {
                    let msg = info
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| info.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "hook failed".into());
                    if let Some(first) = r.steps.first_mut() {
                        first.status = Status::Failed;
                        first.error = Some(format!("valmistelu epäonnistui — set-up failed: {msg}"));
                    }
                }
            }
            _ => {}
        }
    }
}

impl Writer<ShaWorld> for Collector {
    type Cli = cli::Empty;

    async fn handle_event(&mut self, ev: parser::Result<Event<Cucumber<ShaWorld>>>, _: &Self::Cli) {
        let Ok(ev) = ev else { return };
        if let Cucumber::Feature(f, fev) = ev.into_inner() {
            match fev {
                event::Feature::Scenario(s, rs) => self.on_scenario(&f, None, &s, &rs.event),
                event::Feature::Rule(r, event::Rule::Scenario(s, rs)) => self.on_scenario(&f, Some(&r), &s, &rs.event),
                _ => {}
            }
        }
    }
}

/// Writes the JSON report.
pub fn json(report: &RunReport) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// One row of the structure coverage table (the list Kela keeps of the structures a system
/// has tested): a `@rakenteiset` scenario's structure, its verdict and the codes it met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageRow {
    /// Test-case id, e.g. `SHA-RAKENNE-11002`.
    pub id: String,
    /// The structure's name and OID, as the scenario names it.
    pub structure: String,
    /// The verdict.
    pub status: Status,
    /// The acknowledgement codes met, or the failure's first line.
    pub findings: String,
}

/// The structure coverage table of a run: every scenario of the structure suite, in order.
pub fn structure_coverage(r: &RunReport) -> Vec<CoverageRow> {
    r.scenarios
        .iter()
        .filter(|s| s.id.starts_with("SHA-RAKENNE-"))
        .map(|s| {
            let codes: Vec<&str> = s
                .evidence
                .acks
                .iter()
                .flat_map(|a| a.split_whitespace().skip(1))
                .filter(|c| c.starts_with("SHA-"))
                .collect();
            let failure = s.steps.iter().find_map(|st| st.error.as_deref()).map(|e| e.lines().next().unwrap_or(""));
            let findings = match (failure, codes.is_empty()) {
                (Some(f), _) => f.to_string(),
                (None, true) => "—".to_string(),
                (None, false) => codes.join(", "),
            };
            CoverageRow { id: s.id.clone(), structure: s.name.clone(), status: s.status, findings }
        })
        .collect()
}

/// XML text escaping for the report writers.
pub fn esc(s: &str) -> String {
    sha_simulator::xml::escape(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> RunReport {
        let step = |t: &str, s: Status, e: Option<&str>| StepResult {
            keyword: "Kun".into(),
            text: t.into(),
            status: s,
            error: e.map(str::to_string),
        };
        RunReport {
            seed: None,
            started: "2026-11-25".into(),
            sut: "builtin".into(),
            simulator: "embedded".into(),
            system: Some("liittymisvelvoite-atj".into()),
            scenarios: vec![
                ScenarioResult {
                    id: "SHA-T-001".into(),
                    feature: "F <1>".into(),
                    name: "Hyvä & kaunis".into(),
                    tags: vec!["SHA-T-001".into()],
                    status: Status::Passed,
                    steps: vec![step("a", Status::Passed, None)],
                    evidence: Evidence {
                        journal: vec![3],
                        message_ids: vec!["m1".into()],
                        documents: vec!["d1".into()],
                        acks: vec!["AA".into()],
                        persons: vec!["010181-900C".into()],
                    },
                    duration_ms: 12,
                },
                ScenarioResult {
                    id: "SHA-T-002".into(),
                    feature: "F <1>".into(),
                    name: "Huono".into(),
                    tags: vec!["SHA-T-002".into(), "virhe".into()],
                    status: Status::Failed,
                    steps: vec![step("b", Status::Failed, Some("odotettiin AA <x>")), step("c", Status::Skipped, None)],
                    evidence: Evidence::default(),
                    duration_ms: 5,
                },
            ],
        }
    }

    #[test]
    fn junit_is_well_formed_and_counts_failures() {
        let x = junit::render(&sample());
        let root = sha_simulator::xml::parse(x.as_bytes(), Default::default()).expect("well-formed");
        assert_eq!(root.attr("failures"), Some("1"));
        assert!(x.contains("name=\"SHA-T-001 Hyvä &amp; kaunis\""));
        assert!(x.contains("odotettiin AA &lt;x&gt;"));
    }

    #[test]
    fn finnish_report_lists_cases_and_deviations() {
        let f = finnish::render(&sample(), "1.2.3", "liittyvä");
        assert!(f.contains("| Testattava järjestelmä | liittymisvelvoite-atj |"));
        assert!(f.contains("| SHA-T-001 | Hyvä & kaunis | Hyväksytty | 010181-900C | m1; d1; AA |"));
        assert!(f.contains("## Poikkeamat") && f.contains("**SHA-T-002**"));
    }

    #[test]
    fn html_is_self_contained_and_escaped() {
        let h = html::render(&sample());
        assert!(!h.contains("<script") && !h.contains("http://") && !h.contains("https://"));
        assert!(h.contains("Hyvä &amp; kaunis") && h.contains("id=\"SHA-T-002\""));
    }

    #[test]
    fn structure_coverage_lists_the_structure_suite_only() {
        let mut r = sample();
        assert!(structure_coverage(&r).is_empty());
        r.scenarios[0].id = "SHA-RAKENNE-11002".into();
        r.scenarios[0].name = "Lastensuojelupäätös (1.2.246.537.6.1506.11002.2023.9.8)".into();
        r.scenarios[0].evidence.acks = vec!["AA".into(), "AA SHA-S011".into()];
        let rows = structure_coverage(&r);
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].status, rows[0].findings.as_str()), (Status::Passed, "SHA-S011"));
        let f = finnish::render(&r, "1.2.3", "liittymisvelvoite");
        assert!(f.contains("## Rakennekattavuus") && f.contains("| SHA-RAKENNE-11002 | Lastensuojelupäätös"), "{f}");
        assert!(html::render(&r).contains("id=\"rakennekattavuus\""));
    }

    #[test]
    fn counts_and_verdict() {
        let r = sample();
        assert_eq!(r.counts(), (1, 1, 0));
        assert!(!r.all_passed());
        assert!(!RunReport { scenarios: vec![], ..sample() }.all_passed(), "an empty run is not a pass");
        assert_eq!(case_id(&["x".into(), "SHA-A-1".into()]), Some("SHA-A-1".into()));
    }
}
