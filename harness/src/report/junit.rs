//! JUnit XML for CI: one testsuite per feature, one testcase per scenario,
//! named `<test-case id> <scenario>`, with failures and evidence.

use std::collections::BTreeMap;

use super::{esc, RunReport, Status};

/// Renders the report as JUnit XML.
pub fn render(r: &RunReport) -> String {
    let mut by_feature: BTreeMap<&str, Vec<&super::ScenarioResult>> = BTreeMap::new();
    for s in &r.scenarios {
        by_feature.entry(&s.feature).or_default().push(s);
    }
    let (p, f, s) = r.counts();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"SHA joint testing\" tests=\"{}\" failures=\"{f}\" skipped=\"{s}\">\n",
        p + f + s
    );
    for (feature, scenarios) in by_feature {
        let failures = scenarios.iter().filter(|x| x.status == Status::Failed).count();
        let skipped = scenarios.iter().filter(|x| x.status == Status::Skipped).count();
        let secs: f64 = scenarios.iter().map(|x| x.duration_ms as f64 / 1000.0).sum();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" time=\"{secs:.3}\">\n",
            esc(feature),
            scenarios.len()
        ));
        for sc in scenarios {
            out.push_str(&format!(
                "    <testcase classname=\"{}\" name=\"{} {}\" time=\"{:.3}\">\n",
                esc(feature),
                esc(&sc.id),
                esc(&sc.name),
                sc.duration_ms as f64 / 1000.0
            ));
            match sc.status {
                Status::Failed => {
                    let msg = sc.steps.iter().find_map(|s| s.error.clone()).unwrap_or_default();
                    out.push_str(&format!("      <failure message=\"{}\">{}</failure>\n", esc(&msg), esc(&msg)));
                }
                Status::Skipped => out.push_str("      <skipped/>\n"),
                Status::Passed => {}
            }
            let e = &sc.evidence;
            out.push_str(&format!(
                "      <system-out>test case {}; test person: {}; messages: {}; documents: {}; acknowledgements: {}; journal: {:?}</system-out>\n",
                esc(&sc.id),
                esc(&e.persons.join(", ")),
                esc(&e.message_ids.join(", ")),
                esc(&e.documents.join(", ")),
                esc(&e.acks.join(", ")),
                e.journal
            ));
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
