//! Structured documents (SPEC §8.2): THL's Sosmeta structures in a compact
//! form, imported from Sosmeta JSON Schema files with `sha-simulator sosmeta
//! import`, and the checks a structured form (JSON) must pass — field by field,
//! each finding with its own code, the JSON pointer, and the field's Sosmeta name.
//!
//! Owns: the compact format (`testdata/sosmeta/*.json`, compiled in), the
//! importer, the validator and the example generator. Pure functions.

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{include_dir, Dir};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use time::Date;

use crate::acks::{Detail, DetailCode};
use crate::codes::{Code, CodeCheck, CodeSets};
use crate::hetu::Hetu;

static BUILTIN: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../testdata/sosmeta");

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An object of fields.
    Object,
    /// Text.
    Text,
    /// A date (YYYY[-MM[-DD]]).
    Date,
    /// A moment (date and time with zone).
    DateTime,
    /// True or false.
    Boolean,
    /// A number.
    Number,
    /// A coded value `{system, code, display}`.
    Coded,
    /// An identifier `{system, value}`.
    Identifier,
}

/// One field of a structure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// JSON key.
    pub key: String,
    /// Finnish name.
    pub fi: String,
    /// Swedish name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sv: String,
    /// What it holds.
    pub kind: Kind,
    /// Required in its parent.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// Conditionally required (Sosmeta annotation; the condition itself is prose).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub conditional: bool,
    /// An array of these.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub repeatable: bool,
    /// Code system OID of a coded field (or an identifier's required system).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_system: Option<String>,
    /// Accepted values (codes, or text values).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted: Vec<String>,
    /// Child fields of an object.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
}

/// A structure (one document definition version).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Structure {
    /// Full OID with date version, e.g. `1.2.246.537.6.1506.10002.2022.1.10`.
    pub oid: String,
    /// The definition version date (YYYY-MM-DD).
    pub version: String,
    /// General document type (Päätös, Arvio, …).
    pub document_type: String,
    /// Finnish name.
    pub fi: String,
    /// Swedish name.
    #[serde(default)]
    pub sv: String,
    /// The root object.
    pub root: Field,
}

impl Structure {
    /// The OID without its date version (e.g. `1.2.246.537.6.1506.10002`).
    pub fn base_oid(&self) -> String {
        let parts: Vec<&str> = self.oid.split('.').collect();
        parts[..parts.len().saturating_sub(3)].join(".")
    }

    /// The client document type code (1506.<type>) or document group (1505.<group>).
    pub fn type_code(&self) -> Option<String> {
        self.base_oid().rsplit('.').next().map(str::to_string)
    }
}

// ---- import ----------------------------------------------------------------

fn lang(v: Option<&Value>, code: &str) -> String {
    v.and_then(|a| a.as_array())
        .and_then(|a| a.iter().find(|x| x["lang"] == code).or_else(|| a.first()))
        .and_then(|x| x["value"].as_str())
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn oid_from_pattern(p: &str) -> Option<String> {
    let rest = p.strip_prefix("^urn:oid:")?;
    let end = rest.find("(\\.")?;
    Some(rest[..end].replace("\\.", "."))
}

fn import_field(key: &str, schema: &Value, required: bool) -> Result<Field, String> {
    let (node, repeatable) = match schema["type"].as_str() {
        Some("array") => (&schema["items"], true),
        _ => (schema, false),
    };
    let s = &node["sosmeta"];
    let outer = &schema["sosmeta"];
    let meta = if s.is_object() { s } else { outer };
    let mut f = Field {
        key: key.to_string(),
        fi: lang(meta.get("name"), "fi"),
        sv: lang(meta.get("name"), "sv"),
        kind: Kind::Text,
        required,
        conditional: meta["conditionalRequired"].as_bool().unwrap_or(false),
        repeatable,
        code_system: None,
        accepted: vec![],
        fields: vec![],
    };
    match node["type"].as_str() {
        Some("object") => {
            let props = node["properties"].as_object().ok_or_else(|| format!("{key}: object without properties"))?;
            let req: Vec<&str> =
                node["required"].as_array().map(|a| a.iter().filter_map(|x| x.as_str()).collect()).unwrap_or_default();
            let is_coded = props.contains_key("code") && props.contains_key("system") && props.len() <= 3;
            let is_identifier =
                props.contains_key("value") && props.len() <= 2 && props.keys().all(|k| k == "value" || k == "system");
            if is_coded {
                f.kind = Kind::Coded;
                f.code_system = props["system"]["pattern"].as_str().and_then(oid_from_pattern).or_else(|| {
                    meta["classificationOid"]
                        .as_array()
                        .and_then(|a| a.first())
                        .and_then(|x| x["value"].as_str())
                        .map(str::to_string)
                });
                f.accepted = props["code"]["enum"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                    .unwrap_or_default();
            } else if is_identifier {
                f.kind = Kind::Identifier;
                f.code_system = props.get("system").and_then(|s| s["pattern"].as_str()).and_then(oid_from_pattern);
                if key == "henkilotunnus" && f.code_system.is_none() {
                    f.code_system = Some(crate::hetu::HETU_ROOT.to_string());
                }
            } else {
                f.kind = Kind::Object;
                for (k, v) in props {
                    f.fields.push(import_field(k, v, req.contains(&k.as_str()))?);
                }
                f.fields.sort_by(|a, b| a.key.cmp(&b.key));
            }
        }
        Some("string") => {
            let pat = node["pattern"].as_str().unwrap_or("");
            f.kind = if pat.contains("T([01]") {
                Kind::DateTime
            } else if pat.starts_with("^-?[0-9]{4}") {
                Kind::Date
            } else {
                Kind::Text
            };
            f.accepted = node["enum"]
                .as_array()
                .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
        }
        Some("boolean") => f.kind = Kind::Boolean,
        Some("number") | Some("integer") => f.kind = Kind::Number,
        other => return Err(format!("{key}: unsupported type {other:?}")),
    }
    Ok(f)
}

/// Converts one Sosmeta JSON Schema into the compact form.
pub fn import_schema(schema: &Value) -> Result<Structure, String> {
    let s = &schema["sosmeta"];
    let oid = s["oid"].as_str().ok_or("no sosmeta.oid")?.to_string();
    let version = s["documentDefinitionVersion"].as_str().ok_or("no sosmeta.documentDefinitionVersion")?.to_string();
    let props = schema["properties"].as_object().ok_or("no root properties")?;
    let (key, root) = props.iter().next().ok_or("empty root")?;
    let root = import_field(key, root, true)?;
    Ok(Structure {
        document_type: s["documentType"].as_str().unwrap_or_default().to_string(),
        fi: root.fi.clone(),
        sv: root.sv.clone(),
        oid,
        version,
        root,
    })
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Structures written.
    pub structures: usize,
    /// Fields in them.
    pub fields: usize,
    /// Distinct code systems named.
    pub code_systems: usize,
    /// Files that failed, with the reason.
    pub failures: Vec<(String, String)>,
}

fn count(f: &Field, fields: &mut usize, systems: &mut std::collections::BTreeSet<String>) {
    *fields += 1;
    if let Some(cs) = &f.code_system {
        systems.insert(cs.clone());
    }
    for c in &f.fields {
        count(c, fields, systems);
    }
}

/// Imports every `*.json` in `dir` into `out` (one compact file per structure, deterministic).
pub fn import_dir(dir: &Path, out: &Path) -> Result<ImportReport, String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut report = ImportReport::default();
    let mut systems = std::collections::BTreeSet::new();
    for f in files {
        let name = f.display().to_string();
        let parsed = std::fs::read(&f)
            .map_err(|e| e.to_string())
            .and_then(|b| serde_json::from_slice::<Value>(&b).map_err(|e| format!("not JSON: {e}")));
        match parsed.and_then(|v| import_schema(&v)) {
            Ok(s) => {
                count(&s.root, &mut report.fields, &mut systems);
                let text = serde_json::to_string_pretty(&s).map_err(|e| e.to_string())?;
                std::fs::write(out.join(format!("{}.json", s.oid)), text + "\n").map_err(|e| e.to_string())?;
                report.structures += 1;
            }
            Err(e) => report.failures.push((name, e)),
        }
    }
    report.code_systems = systems.len();
    Ok(report)
}

// ---- loading ---------------------------------------------------------------

/// All structures by full OID.
#[derive(Debug, Default)]
pub struct Structures {
    by_oid: BTreeMap<String, Structure>,
}

impl Structures {
    /// The structures compiled in from `testdata/sosmeta/`.
    pub fn builtin() -> &'static Structures {
        static S: std::sync::OnceLock<Structures> = std::sync::OnceLock::new();
        S.get_or_init(|| {
            let mut by_oid = BTreeMap::new();
            for f in BUILTIN.files().filter(|f| f.path().extension().is_some_and(|x| x == "json")) {
                if let Some(s) = f.contents_utf8().and_then(|t| serde_json::from_str::<Structure>(t).ok()) {
                    by_oid.insert(s.oid.clone(), s);
                }
            }
            Structures { by_oid }
        })
    }

    /// A structure by full OID (with version).
    pub fn get(&self, oid: &str) -> Option<&Structure> {
        self.by_oid.get(oid)
    }

    /// Every structure.
    pub fn all(&self) -> impl Iterator<Item = &Structure> {
        self.by_oid.values()
    }

    /// Versions of a base OID, oldest first.
    pub fn versions(&self, base: &str) -> Vec<&Structure> {
        self.by_oid.values().filter(|s| s.base_oid() == base).collect()
    }
}

// ---- validation --------------------------------------------------------------

fn name(f: &Field) -> String {
    if f.sv.is_empty() {
        format!("'{}'", f.fi)
    } else {
        format!("'{}' ({})", f.fi, f.sv)
    }
}

fn date_ok(s: &str, time: bool) -> bool {
    let d = s.get(..10).unwrap_or(s);
    let ok_date = match d.len() {
        4 => d.chars().all(|c| c.is_ascii_digit()),
        7 => Date::parse(&format!("{d}-01"), &time::macros::format_description!("[year]-[month]-[day]")).is_ok(),
        10 => Date::parse(d, &time::macros::format_description!("[year]-[month]-[day]")).is_ok(),
        _ => false,
    };
    if !time || s.len() <= 10 {
        return ok_date;
    }
    ok_date && time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok()
}

struct Walk<'a> {
    codes: &'a CodeSets,
    at: Date,
    out: Vec<Detail>,
}

impl Walk<'_> {
    fn value(&mut self, f: &Field, v: &Value, ptr: &str) {
        match f.kind {
            Kind::Object => {
                let Some(obj) = v.as_object() else { return self.wrong(f, ptr, "an object") };
                self.object(&f.fields, obj, ptr);
            }
            Kind::Text => match v.as_str() {
                Some(s) if !s.trim().is_empty() => {
                    if !f.accepted.is_empty() && !f.accepted.iter().any(|a| a == s) {
                        self.out.push(
                            Detail::new(
                                DetailCode::StructureValueNotAccepted,
                                format!("{} = '{s}' (accepted: {})", name(f), f.accepted.join(", ")),
                            )
                            .at(ptr),
                        );
                    }
                }
                _ => self.wrong(f, ptr, "non-empty text"),
            },
            Kind::Date | Kind::DateTime => match v.as_str() {
                Some(s) if date_ok(s, f.kind == Kind::DateTime) => {}
                _ => self.wrong(
                    f,
                    ptr,
                    if f.kind == Kind::Date { "a date YYYY-MM-DD" } else { "a moment YYYY-MM-DDThh:mm:ss+hh:mm" },
                ),
            },
            Kind::Boolean => {
                if !v.is_boolean() {
                    self.wrong(f, ptr, "true or false")
                }
            }
            Kind::Number => {
                if !v.is_number() {
                    self.wrong(f, ptr, "a number")
                }
            }
            Kind::Coded => self.coded(f, v, ptr),
            Kind::Identifier => self.identifier(f, v, ptr),
        }
    }

    fn wrong(&mut self, f: &Field, ptr: &str, want: &str) {
        self.out.push(Detail::new(DetailCode::StructureType, format!("{} must be {want}", name(f))).at(ptr));
    }

    fn coded(&mut self, f: &Field, v: &Value, ptr: &str) {
        let Some(o) = v.as_object() else { return self.wrong(f, ptr, "a coded value {system, code, display}") };
        let Some(code) = o.get("code").and_then(|c| c.as_str()) else {
            return self.out.push(
                Detail::new(DetailCode::StructureRequired, format!("{} / code", name(f))).at(format!("{ptr}/code")),
            );
        };
        let system = o.get("system").and_then(|s| s.as_str()).unwrap_or("");
        if let Some(cs) = &f.code_system {
            let given = system.trim_start_matches("urn:oid:");
            if !crate::wire::frame::same_system(given, cs) {
                self.out.push(
                    Detail::new(
                        DetailCode::StructureCodeSystem,
                        format!("{} = {code} from '{system}', expected urn:oid:{cs}", name(f)),
                    )
                    .at(format!("{ptr}/system")),
                );
                return;
            }
            if !f.accepted.is_empty() {
                if !f.accepted.iter().any(|a| a == code) {
                    self.out.push(
                        Detail::new(
                            DetailCode::StructureValueNotAccepted,
                            format!("{} = {code} (accepted: {})", name(f), f.accepted.join(", ")),
                        )
                        .at(format!("{ptr}/code")),
                    );
                }
                return;
            }
            if self.codes.system(cs).is_some() {
                let c = Code { code: code.into(), system: cs.clone(), display: None };
                match self.codes.check(cs, &c, self.at) {
                    CodeCheck::Unknown => self.out.push(
                        Detail::new(DetailCode::StructureCodeUnknown, format!("{} = {code} ({cs})", name(f)))
                            .at(format!("{ptr}/code")),
                    ),
                    CodeCheck::UnknownInPartialSet => self.out.push(
                        Detail::new(DetailCode::StructureCodeUnknownPartial, format!("{} = {code} ({cs})", name(f)))
                            .at(format!("{ptr}/code")),
                    ),
                    _ => {}
                }
            }
        } else if !f.accepted.is_empty() && !f.accepted.iter().any(|a| a == code) {
            self.out.push(
                Detail::new(
                    DetailCode::StructureValueNotAccepted,
                    format!("{} = {code} (accepted: {})", name(f), f.accepted.join(", ")),
                )
                .at(format!("{ptr}/code")),
            );
        }
    }

    fn identifier(&mut self, f: &Field, v: &Value, ptr: &str) {
        let Some(o) = v.as_object() else { return self.wrong(f, ptr, "an identifier {system, value}") };
        let Some(value) = o.get("value").and_then(|x| x.as_str()) else {
            return self.out.push(
                Detail::new(DetailCode::StructureRequired, format!("{} / value", name(f))).at(format!("{ptr}/value")),
            );
        };
        let system = o.get("system").and_then(|s| s.as_str());
        if let (Some(cs), Some(sys)) = (&f.code_system, system) {
            if sys.trim_start_matches("urn:oid:") != cs {
                self.out.push(
                    Detail::new(
                        DetailCode::StructureIdentifierSystem,
                        format!("{} in '{sys}', expected urn:oid:{cs}", name(f)),
                    )
                    .at(format!("{ptr}/system")),
                );
                return;
            }
        }
        if f.code_system.as_deref() == Some(crate::hetu::HETU_ROOT) {
            match Hetu::parse(value) {
                Ok(h) if h.is_test() => {}
                Ok(h) => self.out.push(
                    Detail::new(
                        DetailCode::StructureHetu,
                        format!("{} = {h}: individual number must be 900–999", name(f)),
                    )
                    .at(format!("{ptr}/value")),
                ),
                Err(e) => self.out.push(
                    Detail::new(DetailCode::StructureHetu, format!("{} = {value}: {e}", name(f)))
                        .at(format!("{ptr}/value")),
                ),
            }
        }
    }

    fn object(&mut self, fields: &[Field], obj: &Map<String, Value>, ptr: &str) {
        for f in fields {
            let p = format!("{ptr}/{}", f.key);
            match obj.get(&f.key) {
                None | Some(Value::Null) => {
                    if f.required {
                        self.out.push(Detail::new(DetailCode::StructureRequired, name(f)).at(p));
                    }
                }
                Some(v) if f.repeatable => match v.as_array() {
                    Some(items) => {
                        if items.is_empty() && f.required {
                            self.out.push(
                                Detail::new(DetailCode::StructureRequired, format!("{} (at least one)", name(f)))
                                    .at(p.clone()),
                            );
                        }
                        for (i, it) in items.iter().enumerate() {
                            self.value(f, it, &format!("{p}/{i}"));
                        }
                    }
                    None => self.wrong(f, &p, "a list (the field is repeatable)"),
                },
                Some(Value::Array(_)) => self.out.push(Detail::new(DetailCode::StructureNotRepeatable, name(f)).at(p)),
                Some(v) => self.value(f, v, &p),
            }
        }
        for k in obj.keys() {
            if !fields.iter().any(|f| &f.key == k) {
                self.out
                    .push(Detail::new(DetailCode::StructureUnknownField, format!("'{k}'")).at(format!("{ptr}/{k}")));
            }
        }
    }
}

/// Validates a structured form against `structure` on date `at` (code validity).
pub fn validate(structure: &Structure, instance: &Value, codes: &CodeSets, at: Date) -> Vec<Detail> {
    let mut w = Walk { codes, at, out: Vec::new() };
    let root = &structure.root;
    match instance.as_object() {
        Some(o) if o.len() == 1 && o.contains_key(&root.key) => w.value(root, &o[&root.key], &format!("/{}", root.key)),
        _ => {
            let got: Vec<String> = instance.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
            w.out.push(
                Detail::new(DetailCode::StructureRoot, format!("expected {{\"{}\": …}}, got {:?}", root.key, got))
                    .at("/"),
            );
        }
    }
    w.out
}

/// Looks up a structure for a document: by full OID, and checks its version is not newer than the document.
pub fn find<'a>(all: &'a Structures, oid: &str, doc_date: Date) -> Result<&'a Structure, Detail> {
    let s =
        all.get(oid).ok_or_else(|| Detail::new(DetailCode::UnknownStructure, oid).at("ClinicalDocument/templateId"))?;
    if let Ok(v) = Date::parse(&s.version, &time::macros::format_description!("[year]-[month]-[day]")) {
        if doc_date < v {
            return Err(Detail::new(
                DetailCode::StructureVersionNotValid,
                format!("{oid} is valid from {v}, the document is dated {doc_date}"),
            )
            .at("ClinicalDocument/templateId"));
        }
    }
    Ok(s)
}

// ---- examples ----------------------------------------------------------------

fn example_value(f: &Field, full: bool, codes: &CodeSets, hetu: &str) -> Value {
    match f.kind {
        Kind::Object => {
            let mut m = Map::new();
            for c in &f.fields {
                if c.required || full {
                    let v = example_value(c, full, codes, hetu);
                    m.insert(c.key.clone(), if c.repeatable { Value::Array(vec![v]) } else { v });
                }
            }
            Value::Object(m)
        }
        Kind::Text => Value::String(f.accepted.first().cloned().unwrap_or_else(|| format!("Esimerkki: {}", f.fi))),
        Kind::Date => Value::String("2025-01-15".into()),
        Kind::DateTime => Value::String("2025-01-15T10:00:00+02:00".into()),
        Kind::Boolean => Value::Bool(false),
        Kind::Number => json!(1),
        Kind::Coded => {
            let cs = f.code_system.clone().unwrap_or_else(|| "1.2.246.537.6.0".into());
            let code = f
                .accepted
                .first()
                .cloned()
                .or_else(|| codes.system(&cs).and_then(|s| s.codes.first().map(|c| c.code.clone())))
                .unwrap_or_else(|| "1".into());
            let display = codes.name(&cs, &code).unwrap_or("").to_string();
            json!({"system": format!("urn:oid:{cs}"), "code": code, "display": display})
        }
        Kind::Identifier => match f.code_system.as_deref() {
            Some(crate::hetu::HETU_ROOT) => json!({"system": "urn:oid:1.2.246.21", "value": hetu}),
            Some(cs) => json!({"system": format!("urn:oid:{cs}"), "value": "1"}),
            None => json!({"value": "1.2.246.10.99990010.10.0.1"}),
        },
    }
}

/// A valid instance of `structure`: required fields only, or every field.
pub fn example(structure: &Structure, full: bool, codes: &CodeSets, hetu: &str) -> Value {
    let mut root = Map::new();
    root.insert(structure.root.key.clone(), example_value(&structure.root, full, codes, hetu));
    Value::Object(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes() -> &'static CodeSets {
        CodeSets::builtin()
    }

    const HETU: &str = "010181-900C";

    fn at() -> Date {
        time::macros::date!(2026 - 11 - 20)
    }

    fn errors(d: &[Detail]) -> Vec<&Detail> {
        d.iter().filter(|x| x.kind != crate::acks::AckKind::W).collect()
    }

    /// The JSON pointer path (of keys) to the first field matching `pred`, with the field.
    fn find_path<'a>(f: &'a Field, pred: &dyn Fn(&Field) -> bool, path: &mut Vec<(String, bool)>) -> Option<&'a Field> {
        for c in &f.fields {
            path.push((c.key.clone(), c.repeatable));
            if pred(c) {
                return Some(c);
            }
            if let Some(x) = find_path(c, pred, path) {
                return Some(x);
            }
            path.pop();
        }
        None
    }

    fn at_path<'a>(v: &'a mut Value, root: &str, path: &[(String, bool)]) -> &'a mut Value {
        let mut cur = &mut v[root];
        for (k, rep) in path {
            cur = &mut cur[k.as_str()];
            if *rep {
                cur = &mut cur[0];
            }
        }
        cur
    }

    #[test]
    fn all_published_structures_are_compiled_in() {
        assert_eq!(Structures::builtin().all().count(), 202);
        assert!(Structures::builtin().get("1.2.246.537.6.1505.9.2023.6.5").is_some());
    }

    #[test]
    fn every_generated_example_validates_and_every_mutation_class_is_caught() {
        for s in Structures::builtin().all() {
            for full in [false, true] {
                let ex = example(s, full, codes(), HETU);
                let d = validate(s, &ex, codes(), at());
                assert!(
                    errors(&d).is_empty(),
                    "{} ({}): {:?}",
                    s.oid,
                    if full { "full" } else { "minimal" },
                    errors(&d)
                );
            }
            let root = s.root.key.as_str();
            let full = example(s, true, codes(), HETU);
            // Drop a required field.
            let mut path = vec![];
            if find_path(&s.root, &|f| f.required, &mut path).is_some() {
                let mut v = full.clone();
                let (last, parent) = path.split_last().expect("path");
                at_path(&mut v, root, parent).as_object_mut().expect("object").remove(&last.0);
                assert!(
                    validate(s, &v, codes(), at()).iter().any(|d| d.code == DetailCode::StructureRequired),
                    "{}: required",
                    s.oid
                );
            }
            // Add an unknown field.
            let mut v = full.clone();
            v[root].as_object_mut().expect("object").insert("tuntematon_kentta".into(), json!("x"));
            let d = validate(s, &v, codes(), at());
            assert!(
                d.iter().any(|d| d.code == DetailCode::StructureUnknownField
                    && d.location.as_deref() == Some(&*format!("/{root}/tuntematon_kentta"))),
                "{}: unknown",
                s.oid
            );
            // Wrong type.
            let mut path = vec![];
            if find_path(&s.root, &|f| f.kind == Kind::Text, &mut path).is_some() {
                let mut v = full.clone();
                *at_path(&mut v, root, &path) = json!(42);
                assert!(
                    validate(s, &v, codes(), at()).iter().any(|d| d.code == DetailCode::StructureType),
                    "{}: type",
                    s.oid
                );
            }
            // Wrong code system.
            let mut path = vec![];
            if find_path(&s.root, &|f| f.kind == Kind::Coded && f.code_system.is_some(), &mut path).is_some() {
                let mut v = full.clone();
                at_path(&mut v, root, &path)["system"] = json!("urn:oid:1.2.3.4");
                assert!(
                    validate(s, &v, codes(), at()).iter().any(|d| d.code == DetailCode::StructureCodeSystem),
                    "{}: code system",
                    s.oid
                );
            }
            // A value outside the accepted ones.
            let mut path = vec![];
            if let Some(f) = find_path(&s.root, &|f| !f.accepted.is_empty(), &mut path) {
                let mut v = full.clone();
                let target = at_path(&mut v, root, &path);
                if f.kind == Kind::Coded {
                    target["code"] = json!("zzz");
                } else {
                    *target = json!("zzz");
                }
                assert!(
                    validate(s, &v, codes(), at()).iter().any(|d| d.code == DetailCode::StructureValueNotAccepted),
                    "{}: accepted",
                    s.oid
                );
            }
        }
    }

    #[test]
    fn hetu_fields_must_hold_valid_test_hetus_and_names_appear_in_texts() {
        let s = Structures::builtin().get("1.2.246.537.6.1505.8.2023.6.1").expect("consent structure");
        let mut v = example(s, false, codes(), HETU);
        v["luovutuslupa_asiakirja"]["asiakas"]["henkilotunnus"]["value"] = json!("010181-123A");
        let d = validate(s, &v, codes(), at());
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, DetailCode::StructureHetu);
        assert_eq!(d[0].location.as_deref(), Some("/luovutuslupa_asiakirja/asiakas/henkilotunnus/value"));
        assert!(d[0].fi.contains("'Henkilötunnus'"), "{}", d[0].fi);
        v["luovutuslupa_asiakirja"]["asiakas"]["henkilotunnus"]["system"] = json!("urn:oid:1.2.246.10");
        assert_eq!(validate(s, &v, codes(), at())[0].code, DetailCode::StructureIdentifierSystem);
        let d = validate(s, &json!({"kieltoasiakirja": {}}), codes(), at());
        assert_eq!(d[0].code, DetailCode::StructureRoot);
    }

    #[test]
    fn structure_versions_newer_than_the_document_are_refused() {
        let all = Structures::builtin();
        assert!(find(all, "1.2.246.537.6.1505.8.2023.6.1", time::macros::date!(2024 - 01 - 01)).is_ok());
        assert_eq!(
            find(all, "1.2.246.537.6.1505.8.2023.6.1", time::macros::date!(2023 - 01 - 01)).unwrap_err().code,
            DetailCode::StructureVersionNotValid
        );
        assert_eq!(
            find(all, "1.2.3", time::macros::date!(2024 - 01 - 01)).unwrap_err().code,
            DetailCode::UnknownStructure
        );
    }

    #[test]
    fn import_reports_a_broken_file_and_imports_the_rest() {
        let src = tempfile::tempdir().expect("tmp");
        let out = tempfile::tempdir().expect("tmp");
        std::fs::write(src.path().join("broken.json"), b"{not json").expect("write");
        let schema = json!({"sosmeta": {"oid": "1.2.3.2024.1.1", "documentDefinitionVersion": "2024-01-01", "documentType": "Arvio"},
            "properties": {"arvio": {"type": "object", "required": ["teksti"], "sosmeta": {"name": [{"lang": "fi", "value": "Arvio"}]},
                "properties": {"teksti": {"type": "string", "sosmeta": {"name": [{"lang": "fi", "value": "Teksti"}]}}}}}});
        std::fs::write(src.path().join("good.json"), schema.to_string()).expect("write");
        let r = import_dir(src.path(), out.path()).expect("import");
        assert_eq!(r.structures, 1);
        assert_eq!(r.failures.len(), 1);
        assert!(r.failures[0].0.ends_with("broken.json") && r.failures[0].1.contains("not JSON"));
        let again = tempfile::tempdir().expect("tmp");
        import_dir(src.path(), again.path()).expect("import");
        assert_eq!(
            std::fs::read(out.path().join("1.2.3.2024.1.1.json")).ok(),
            std::fs::read(again.path().join("1.2.3.2024.1.1.json")).ok(),
            "deterministic"
        );
    }
}

// ---- conditional rules (SPEC Appendix A) -------------------------------------

fn missing(out: &mut Vec<Detail>, ptr: &str, what: &str, why: &str) {
    out.push(
        Detail::new(DetailCode::StructureRequired, format!("'{what}' (conditionally required: {why})"))
            .at(ptr.to_string()),
    );
}

fn has(v: &Value, ptr: &str) -> bool {
    v.pointer(ptr).is_some_and(|x| !x.is_null() && x != &Value::String(String::new()))
}

/// The conditional rules THL gives in prose for the clienthood (1505.1) and case
/// (1505.2) documents (SPEC Appendix A), which the JSON Schemas cannot express.
pub fn conditional_rules(structure: &Structure, v: &Value) -> Vec<Detail> {
    let mut out = Vec::new();
    match structure.base_oid().as_str() {
        "1.2.246.537.6.1505.2" => {
            let r = "/asia_asiakirja";
            for (i, a) in
                v.pointer(&format!("{r}/asiakas")).and_then(|x| x.as_array()).into_iter().flatten().enumerate()
            {
                if !has(a, "/henkilotunnus/value") && !has(a, "/tilapainen_yksilointitunnus/value") {
                    missing(
                        &mut out,
                        &format!("{r}/asiakas/{i}"),
                        "Henkilötunnus / Tilapäinen yksilöintitunnus",
                        "one of them identifies the client",
                    );
                }
                if v.pointer(&format!("{r}/asian_tiedot/yhteinen_asia")).and_then(|x| x.as_bool()) == Some(true)
                    && !has(a, "/asiaan_liittymishetki")
                {
                    missing(
                        &mut out,
                        &format!("{r}/asiakas/{i}/asiaan_liittymishetki"),
                        "Asiaan liittymishetki",
                        "the case is a joint case",
                    );
                }
            }
            if v.pointer(&format!("{r}/asian_tiedot/nimi/code")).and_then(|x| x.as_str()) == Some("99")
                && !has(v, &format!("{r}/asian_tiedot/lisatieto_luokkaan_muu"))
            {
                missing(
                    &mut out,
                    &format!("{r}/asian_tiedot/lisatieto_luokkaan_muu"),
                    "Lisätieto luokkaan muu",
                    "the case name is 99 Muu",
                );
            }
            if v.pointer(&format!("{r}/asian_tiedot/tila/code")).and_then(|x| x.as_str()) == Some("2")
                && !has(v, &format!("{r}/asian_tiedot/paattymispaiva"))
            {
                missing(&mut out, &format!("{r}/asian_tiedot/paattymispaiva"), "Päättymispäivä", "the case is closed");
            }
        }
        "1.2.246.537.6.1505.1" => {
            let r = "/asiakkuusasiakirja";
            let old = v.pointer(&format!("{r}/sosiaalihuollon_asiakkuus/vanha_asiakkuus")).and_then(|x| x.as_bool())
                == Some(true);
            if !has(v, &format!("{r}/asiakas/henkilotunnus/value"))
                && !has(v, &format!("{r}/asiakas/tilapainen_yksilointitunnus/value"))
                && (!old || !has(v, &format!("{r}/asiakas/syntymaaika")))
            {
                missing(
                    &mut out,
                    &format!("{r}/asiakas"),
                    "Henkilötunnus / Tilapäinen yksilöintitunnus",
                    "one of them identifies the client (an old clienthood may give the birth date instead)",
                );
            }
            if !old {
                for (ptr, what) in [
                    ("asiakkuuden_yksilointitunnus", "Asiakkuuden yksilöintitunnus"),
                    ("palvelunjarjestajan_toimintayksikko", "Palvelunjärjestäjän toimintayksikkö"),
                    ("sosiaalihuollon_palvelutehtava", "Sosiaalihuollon palvelutehtävä"),
                ] {
                    if !has(v, &format!("{r}/{ptr}")) {
                        missing(
                            &mut out,
                            &format!("{r}/{ptr}"),
                            what,
                            "required unless the clienthood is an old one (vanha asiakkuus)",
                        );
                    }
                }
            }
        }
        _ => {}
    }
    out
}

/// Every service-task code the structured form names (for the cross-check with the header).
pub fn service_tasks(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                for (k, x) in o {
                    if k == "palvelutehtava" {
                        for item in std::iter::once(x).chain(x.as_array().into_iter().flatten()) {
                            if let Some(c) = item.get("code").and_then(|c| c.as_str()) {
                                out.push(c.to_string());
                            }
                        }
                    }
                    walk(x, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    walk(v, &mut out);
    out
}

#[cfg(test)]
mod conditional_tests {
    use super::*;

    #[test]
    fn case_and_clienthood_conditions_are_enforced() {
        let all = Structures::builtin();
        let case = all.get("1.2.246.537.6.1505.2.2022.6.28").expect("case");
        let v = json!({"asia_asiakirja": {"asiakas": [{"sukunimi": "A"}], "asian_tiedot": {"nimi": {"code": "99"}, "tila": {"code": "2"}, "yhteinen_asia": true}}});
        let d = conditional_rules(case, &v);
        let locs: Vec<&str> = d.iter().filter_map(|x| x.location.as_deref()).collect();
        for l in [
            "/asia_asiakirja/asiakas/0",
            "/asia_asiakirja/asiakas/0/asiaan_liittymishetki",
            "/asia_asiakirja/asian_tiedot/lisatieto_luokkaan_muu",
            "/asia_asiakirja/asian_tiedot/paattymispaiva",
        ] {
            assert!(locs.contains(&l), "{l} in {locs:?}");
        }
        let hood = all.get("1.2.246.537.6.1505.1.2023.6.1").expect("clienthood");
        let old = json!({"asiakkuusasiakirja": {"asiakas": {"syntymaaika": "1950-01-01"}, "sosiaalihuollon_asiakkuus": {"vanha_asiakkuus": true}}});
        assert!(conditional_rules(hood, &old).is_empty(), "an old clienthood needs less");
        let new = json!({"asiakkuusasiakirja": {"asiakas": {"sukunimi": "A"}, "sosiaalihuollon_asiakkuus": {}}});
        assert_eq!(conditional_rules(hood, &new).len(), 4);
        let mut tasks =
            service_tasks(&json!({"a": {"palvelutehtava": {"code": "10"}, "b": [{"palvelutehtava": {"code": "15"}}]}}));
        tasks.sort();
        assert_eq!(tasks, vec!["10", "15"]);
    }
}
