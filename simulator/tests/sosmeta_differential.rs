//! The simulator's verdict on structured forms against a reference JSON Schema validator
//! (Python `jsonschema`, draft-07) on all 202 Sosmeta structures: the minimal and the full
//! example of each, and mutations of every class — a required field dropped, an unknown field
//! at each depth, a wrong type, an enum, pattern or code-system violation, an empty string or
//! list, a single value where a list belongs, a list where a single value belongs. Where THL's
//! schema rejects, the simulator's schema findings (SHA-S003…S009) reject, and where it accepts,
//! they accept; an error from the simulator's own rules (SHA-S010, S012, S013) on a form the
//! schema accepts is listed by rule. `.ci/run` installs `jsonschema`. With `SHA_SOSMETA_SCHEMAS`
//! pointing at THL's original files, the reference judges by those instead of our trimmed copies.

mod common;

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::{json, Value};
use sha_simulator::acks::{AckKind, DetailCode};
use sha_simulator::codes::CodeSets;
use sha_simulator::sosmeta::{self, Field, Kind, Structure, Structures};

const HETU: &str = "010181-900C";
const MAX_MUTATIONS: usize = 60;

/// Every field under `f` with its JSON pointer (index 0 for repeatable ones), and the pointer of
/// the object holding it.
fn fields<'a>(f: &'a Field, ptr: &str, out: &mut Vec<(String, String, &'a Field)>) {
    for c in &f.fields {
        let p = format!("{ptr}/{}", c.key);
        let item = if c.repeatable { format!("{p}/0") } else { p.clone() };
        out.push((ptr.to_string(), item.clone(), c));
        if c.kind == Kind::Object {
            fields(c, &item, out);
        }
    }
}

fn set(v: &mut Value, ptr: &str, x: Value) -> bool {
    match v.pointer_mut(ptr) {
        Some(t) => {
            *t = x;
            true
        }
        None => false,
    }
}

/// The mutations of the full example, at most MAX_MUTATIONS spread over the fields.
fn mutations(s: &Structure, full: &Value) -> Vec<(String, Value)> {
    let root = format!("/{}", s.root.key);
    let mut all = Vec::new();
    fields(&s.root, &root, &mut all);
    let mut out: Vec<(String, Value)> = Vec::new();
    let mut with = |label: String, f: &dyn Fn(&mut Value) -> bool| {
        let mut v = full.clone();
        if f(&mut v) {
            out.push((label, v));
        }
    };
    with(format!("unknown field in {root}"), &|v| {
        v.pointer_mut(&root)
            .and_then(|o| o.as_object_mut())
            .map(|o| o.insert("tuntematon".into(), json!("x")))
            .is_some()
    });
    with("unknown root".into(), &|v| v.as_object_mut().map(|o| o.insert("toinen".into(), json!({}))).is_some());
    for (parent, item, f) in &all {
        let key = f.key.clone();
        let field_ptr = format!("{parent}/{key}");
        with(format!("drop {field_ptr}"), &|v| {
            v.pointer_mut(parent).and_then(|o| o.as_object_mut()).and_then(|o| o.remove(&key)).is_some()
        });
        with(format!("wrong type {item}"), &|v| {
            set(v, item, if f.kind == Kind::Number { json!("x") } else { json!(42) })
        });
        if f.repeatable {
            with(format!("empty list {field_ptr}"), &|v| set(v, &field_ptr, json!([])));
            with(format!("single value for list {field_ptr}"), &|v| {
                let one = v.pointer(item).cloned();
                one.is_some_and(|x| set(v, &field_ptr, x))
            });
        } else if f.kind != Kind::Object {
            with(format!("list for single value {field_ptr}"), &|v| {
                let one = v.pointer(&field_ptr).cloned();
                one.is_some_and(|x| set(v, &field_ptr, json!([x])))
            });
        }
        match f.kind {
            Kind::Object => with(format!("unknown field in {item}"), &|v| {
                v.pointer_mut(item)
                    .and_then(|o| o.as_object_mut())
                    .map(|o| o.insert("tuntematon".into(), json!(1)))
                    .is_some()
            }),
            Kind::Text => {
                with(format!("empty text {item}"), &|v| set(v, item, json!("")));
                if !f.accepted.is_empty() {
                    with(format!("not accepted {item}"), &|v| set(v, item, json!("zzz")));
                }
            }
            Kind::Date | Kind::DateTime => with(format!("bad date {item}"), &|v| set(v, item, json!("1.1.2020"))),
            Kind::Coded => {
                with(format!("foreign system {item}"), &|v| {
                    set(v, &format!("{item}/system"), json!("urn:oid:1.2.3.4"))
                });
                with(format!("unknown code {item}"), &|v| set(v, &format!("{item}/code"), json!("zzz")));
                with(format!("display of wrong type {item}"), &|v| set(v, &format!("{item}/display"), json!(7)));
                with(format!("extra key in {item}"), &|v| {
                    v.pointer_mut(item)
                        .and_then(|o| o.as_object_mut())
                        .map(|o| o.insert("lisa".into(), json!("x")))
                        .is_some()
                });
            }
            Kind::Identifier => {
                with(format!("extra key in {item}"), &|v| {
                    v.pointer_mut(item)
                        .and_then(|o| o.as_object_mut())
                        .map(|o| o.insert("lisa".into(), json!("x")))
                        .is_some()
                });
                with(format!("value of wrong type {item}"), &|v| set(v, &format!("{item}/value"), json!(1)));
            }
            _ => {}
        }
    }
    // Spread: every k-th, keeping the first two (root-level) always.
    if out.len() > MAX_MUTATIONS {
        let k = out.len().div_ceil(MAX_MUTATIONS);
        let head: Vec<_> = out.drain(..2).collect();
        out = head.into_iter().chain(out.into_iter().step_by(k)).collect();
    }
    out
}

const SCHEMA_CODES: [DetailCode; 7] = [
    DetailCode::StructureRoot,
    DetailCode::StructureRequired,
    DetailCode::StructureUnknownField,
    DetailCode::StructureType,
    DetailCode::StructureNotRepeatable,
    DetailCode::StructureValueNotAccepted,
    DetailCode::StructureCodeSystem,
];

#[test]
fn the_simulator_agrees_with_a_reference_json_schema_validator_on_every_structure() {
    let codes = CodeSets::builtin();
    let at = time::macros::date!(2026 - 11 - 20);
    let mut cases: Vec<(String, String, Value)> = Vec::new();
    for s in Structures::builtin().all() {
        let full = sosmeta::example(s, true, codes, HETU);
        cases.push((s.oid.clone(), "minimal example".into(), sosmeta::example(s, false, codes, HETU)));
        cases.push((s.oid.clone(), "full example".into(), full.clone()));
        for (label, v) in mutations(s, &full) {
            cases.push((s.oid.clone(), label, v));
        }
    }
    assert!(cases.len() > 5_000, "{} cases", cases.len());
    // Ours: what the schema findings say, and the other errors.
    let ours: Vec<(bool, Vec<String>)> = cases
        .iter()
        .map(|(oid, _, v)| {
            let s = Structures::builtin().get(oid).expect("structure");
            let schema = sosmeta::schema_findings(s, v);
            assert!(schema.iter().all(|d| SCHEMA_CODES.contains(&d.code)), "{oid}: {schema:?}");
            let extra: Vec<String> = sosmeta::extra_findings(s, v, codes, at)
                .into_iter()
                .filter(|d| d.kind != AckKind::W)
                .map(|d| format!("{} {}", d.code, d.location.unwrap_or_default()))
                .collect();
            (schema.is_empty(), extra)
        })
        .collect();
    // Every example is valid to us.
    for ((oid, label, _), (valid, extra)) in cases.iter().zip(&ours) {
        if label.ends_with("example") {
            assert!(*valid && extra.is_empty(), "{oid} {label}: {extra:?}");
        }
    }
    // The reference.
    let Some(python) = common::external_tool("python3", "Python 3 with `pip install jsonschema`") else { return };
    if !Command::new(&python).args(["-c", "import jsonschema"]).status().is_ok_and(|s| s.success()) {
        assert!(std::env::var_os("CI").is_none(), "CI must have Python jsonschema (.ci/run installs it)");
        eprintln!("NOTE: differential part skipped: `pip install jsonschema` to run it");
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("cases.jsonl");
    let lines: Vec<String> = cases.iter().map(|(oid, _, v)| json!({"oid": oid, "instance": v}).to_string()).collect();
    std::fs::write(&file, lines.join("\n") + "\n").expect("write cases");
    let out = Command::new(&python)
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sosmeta/reference.py"))
        // SHA_SOSMETA_SCHEMAS: THL's original files instead of our trimmed copies, to check that
        // trimming kept every rule (their names are the same).
        .arg(
            std::env::var_os("SHA_SOSMETA_SCHEMAS")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|| common::testdata().join("sosmeta")),
        )
        .arg(&file)
        .output()
        .expect("python runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let verdicts: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect();
    assert_eq!(verdicts.len(), cases.len());
    let mut disagreements = Vec::new();
    let mut explained: BTreeMap<String, usize> = BTreeMap::new();
    for (((oid, label, _), (ours_valid, extra)), reference) in cases.iter().zip(&ours).zip(&verdicts) {
        let reference_valid = reference == "valid";
        if reference_valid != *ours_valid {
            disagreements.push(format!("{oid} / {label}: reference says {reference}, ours valid={ours_valid}"));
        }
        if reference_valid {
            for e in extra {
                *explained.entry(e.split(' ').next().unwrap_or_default().to_string()).or_default() += 1;
            }
        }
    }
    eprintln!("{} cases; errors from the simulator's own rules on schema-valid forms: {explained:?}", cases.len());
    assert!(
        disagreements.is_empty(),
        "{} of {} cases disagree with the reference; first: {:#?}",
        disagreements.len(),
        cases.len(),
        &disagreements[..disagreements.len().min(20)]
    );
    for code in explained.keys() {
        assert!(
            ["SHA-S010", "SHA-S012", "SHA-S013"].contains(&code.as_str()),
            "{code} rejects forms the schema accepts without a documented rule"
        );
    }
}

/// A client plan in the shape a production system sends (testdata/handwritten, written after a
/// real 2026 one): valid under THL's schema, and to the simulator with warnings only — its
/// service unit sits in the open SOTE register, of which the simulator holds a part.
#[test]
fn a_production_style_client_plan_validates_with_warnings_at_most() {
    let s = Structures::builtin().get("1.2.246.537.6.1506.15007.2024.11.28").expect("structure");
    let text = std::fs::read(common::testdata().join("handwritten/suunnitelma.json")).expect("fixture");
    let v: Value = serde_json::from_slice(&text).expect("json");
    let d = sosmeta::validate(s, &v, CodeSets::builtin(), time::macros::date!(2026 - 11 - 16));
    assert!(d.iter().all(|x| x.kind == AckKind::W), "{d:?}");
    assert!(d.iter().any(|x| x.code == DetailCode::StructureCodeUnknownPartial), "the open register is named: {d:?}");
}
