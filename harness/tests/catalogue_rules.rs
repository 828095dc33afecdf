//! Rules the catalogue itself keeps, checked over the feature files' text: every refusal a
//! scenario expects is followed by the check that the archive's content did not change.

use std::path::{Path, PathBuf};

fn features() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).expect("features dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "feature") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../features"), &mut out);
    out.sort();
    out
}

const REFUSALS: [&str; 3] =
    ["arkisto hylkää sanoman koodilla", "arkisto vastaa SOAP-virheellä", "yhteys torjutaan TLS-kättelyssä"];

#[test]
fn every_refusal_is_followed_by_the_no_change_check() {
    let mut missing = Vec::new();
    let mut refusals = 0;
    for f in features() {
        let text = std::fs::read_to_string(&f).expect("feature");
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for (i, l) in lines.iter().enumerate() {
            let step = l.split_once(' ').map(|(_, rest)| rest).unwrap_or("");
            if REFUSALS.iter().any(|r| step.starts_with(r)) {
                refusals += 1;
                if lines.get(i + 1).copied() != Some("Ja arkiston sisältö ei muuttunut") {
                    missing.push(format!("{}:{}", f.display(), i + 1));
                }
            }
        }
    }
    assert!(refusals > 50, "only {refusals} refusals found: is the features directory where it was?");
    assert!(
        missing.is_empty(),
        "refusals without `Ja arkiston sisältö ei muuttunut` after them:\n{}",
        missing.join("\n")
    );
}
