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

#[derive(serde::Deserialize)]
struct Coverage {
    unreachable: Vec<Unreachable>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Unreachable {
    code: String,
    reason: String,
    tested_in: String,
}

/// Every code a scenario expects: `koodilla "X"`, `SOAP-virheellä "X"`, `varoituksella "X"`.
fn asserted_codes() -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    for f in features() {
        let text = std::fs::read_to_string(&f).expect("feature");
        for l in text.lines().map(str::trim).filter(|l| !l.starts_with('#')) {
            for marker in ["koodilla \"", "SOAP-virheellä \"", "varoituksella \""] {
                if let Some(rest) = l.split(marker).nth(1) {
                    if let Some(code) = rest.split('"').next() {
                        out.insert(code.to_string());
                    }
                }
            }
        }
    }
    out
}

#[test]
fn every_ack_code_is_asserted_by_a_scenario_or_says_why_it_cannot_be() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let catalogue = std::fs::read_to_string(root.join("testdata/ack-codes.toml")).expect("ack-codes.toml");
    let codes: Vec<String> = catalogue
        .lines()
        .filter_map(|l| l.strip_prefix("code = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .map(str::to_string)
        .collect();
    assert!(codes.len() > 90, "{} codes read from ack-codes.toml", codes.len());
    let coverage: Coverage =
        toml::from_str(&std::fs::read_to_string(root.join("testdata/ack-coverage.toml")).expect("ack-coverage.toml"))
            .expect("ack-coverage.toml parses");
    let asserted = asserted_codes();
    let mut problems = Vec::new();
    for c in &codes {
        let reasoned = coverage.unreachable.iter().find(|u| &u.code == c);
        match (asserted.contains(c), reasoned) {
            (false, None) => {
                problems.push(format!("{c}: no scenario asserts it and ack-coverage.toml gives no reason"))
            }
            (true, Some(_)) => {
                problems.push(format!("{c}: asserted by a scenario, so its ack-coverage.toml row is stale"))
            }
            (false, Some(u)) if u.reason.trim().len() < 40 => problems.push(format!("{c}: the reason is too thin")),
            _ => {}
        }
    }
    for u in &coverage.unreachable {
        if !codes.contains(&u.code) {
            problems.push(format!("{}: in ack-coverage.toml but not in ack-codes.toml", u.code));
        }
    }
    for a in &asserted {
        if !codes.contains(a) {
            problems.push(format!("{a}: a scenario expects it but ack-codes.toml has no such code"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_sample_has_its_scenario() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let feature =
        std::fs::read_to_string(root.join("features/yhteistestaus/naytteet.feature")).expect("naytteet.feature");
    let mut missing = Vec::new();
    for folder in ["valid", "broken"] {
        for e in std::fs::read_dir(root.join("testdata/documents").join(folder)).expect("samples").flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let meta = std::fs::read_to_string(e.path().join("sample.toml")).unwrap_or_default();
            let warns = meta.lines().any(|l| l.starts_with("expect_codes = [\""));
            if (folder == "broken" || warns) && !feature.contains(&format!("näyte \"{folder}/{name}\"")) {
                missing.push(format!("{folder}/{name}"));
            }
        }
    }
    assert!(missing.is_empty(), "samples without a scenario (run python3 tools/samples_feature.py): {missing:?}");
}
