//! Structured documents (SPEC §8.2): THL's Sosmeta structures, imported from
//! Sosmeta JSON Schema files with `sha-simulator sosmeta import` and kept as
//! the same JSON Schemas trimmed of prose, and the checks a structured form
//! (JSON) must pass.
//!
//! Two kinds of check, each finding saying which it is:
//! - **THL's schema** (`SHA-S003`…`SHA-S009`): the draft-07 schema decides,
//!   through the `jsonschema` crate, exactly as a reference validator does;
//!   each error is named with the field's Sosmeta name and JSON pointer.
//! - **The simulator's rules** (`SHA-S010`…`SHA-S014`): code-set membership
//!   (an error for sets held in full, a warning for sets held in part or open
//!   registers), identifier systems and test hetus, and Sosmeta's conditional
//!   requirements (SPEC Appendix A) that the schema does not express.
//!
//! Owns: the stored format (`testdata/sosmeta/*.json`, compiled in), the
//! importer, the validators and the example generator. Pure functions.

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
    /// The exact `system` a coded value must name, when the structure fixes it (a local value
    /// set named by text rather than an OID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_literal: Option<String>,
    /// Child fields of an object.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
}

/// A structure (one document definition version).
#[derive(Debug)]
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
    pub sv: String,
    /// The root object.
    pub root: Field,
    /// The trimmed JSON Schema as text: parsed again only to compile the validator, since 202
    /// schemas held as `Value`s took ~40 MB of the server's memory for the few a vendor sends.
    schema: std::borrow::Cow<'static, str>,
    /// The schema compiled, on first use.
    validator: std::sync::OnceLock<Result<jsonschema::Validator, String>>,
}

impl Structure {
    /// The OID without its date version (e.g. `1.2.246.537.6.1506.10002`).
    pub fn base_oid(&self) -> &str {
        // The OID without its last three arcs (the version date).
        let mut end = self.oid.len();
        for _ in 0..3 {
            match self.oid[..end].rfind('.') {
                Some(i) => end = i,
                None => return "",
            }
        }
        &self.oid[..end]
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
        system_literal: None,
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
                        .filter(|o| crate::oid::is_oid(o))
                        .map(str::to_string)
                });
                f.system_literal = props["system"]["enum"]
                    .as_array()
                    .filter(|a| a.len() == 1)
                    .and_then(|a| a[0].as_str())
                    .or_else(|| props["system"]["const"].as_str())
                    .map(str::to_string);
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

/// Keywords of a schema node that decide validity (draft-07); everything else is prose.
const SCHEMA_KEYWORDS: &[&str] = &[
    "$schema",
    "$id",
    "$ref",
    "type",
    "required",
    "additionalProperties",
    "properties",
    "patternProperties",
    "items",
    "additionalItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "contains",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "enum",
    "const",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minProperties",
    "maxProperties",
    "propertyNames",
    "dependencies",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "definitions",
];

/// Keys whose value maps names to schemas (every value is a schema node).
const SCHEMA_MAPS: &[&str] = &["properties", "patternProperties", "definitions", "dependencies"];

fn trim_names(v: Option<&Value>) -> Option<Value> {
    let a = v?.as_array()?;
    let kept: Vec<Value> = a
        .iter()
        .filter(|x| matches!(x["lang"].as_str(), Some("fi") | Some("sv")))
        .map(|x| json!({"lang": x["lang"], "value": x["value"]}))
        .collect();
    (!kept.is_empty()).then_some(Value::Array(kept))
}

/// The `sosmeta` annotation, trimmed to what the simulator uses: names, the code system,
/// conditional requirement, and on the root the structure's identity.
fn trim_sosmeta(m: &Value, root: bool) -> Value {
    let mut out = Map::new();
    if let Some(n) = trim_names(m.get("name")) {
        out.insert("name".into(), n);
    }
    if let Some(c) = m.get("classificationOid").and_then(|c| c.as_array()).and_then(|a| a.first()) {
        out.insert("classificationOid".into(), json!([{"value": c["value"]}]));
    }
    if m["conditionalRequired"].as_bool() == Some(true) {
        out.insert("conditionalRequired".into(), Value::Bool(true));
    }
    if root {
        for k in ["oid", "documentDefinitionVersion", "documentType"] {
            if let Some(v) = m.get(k) {
                out.insert(k.into(), v.clone());
            }
        }
    }
    Value::Object(out)
}

fn trim_node(v: &Value, root: bool) -> Value {
    match v {
        Value::Object(o) => {
            let mut out = Map::new();
            for (k, x) in o {
                if k == "sosmeta" {
                    out.insert(k.clone(), trim_sosmeta(x, root));
                } else if SCHEMA_MAPS.contains(&k.as_str()) {
                    let inner = x
                        .as_object()
                        .map(|m| m.iter().map(|(n, s)| (n.clone(), trim_node(s, false))).collect::<Map<_, _>>())
                        .map(Value::Object)
                        .unwrap_or_else(|| x.clone());
                    out.insert(k.clone(), inner);
                } else if SCHEMA_KEYWORDS.contains(&k.as_str()) {
                    let kept = match x {
                        Value::Object(_) => trim_node(x, false),
                        Value::Array(a) if matches!(k.as_str(), "items" | "allOf" | "anyOf" | "oneOf") => {
                            Value::Array(a.iter().map(|i| trim_node(i, false)).collect())
                        }
                        other => other.clone(),
                    };
                    out.insert(k.clone(), kept);
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// Trims one Sosmeta JSON Schema of its prose (descriptions, examples, implementation notes)
/// and checks that it reads as a structure. What decides validity is kept as it was.
pub fn import_schema(schema: &Value) -> Result<Value, String> {
    let trimmed = trim_node(schema, true);
    Structure::from_schema(trimmed.clone())?;
    Ok(trimmed)
}

impl Structure {
    /// A structure from its (trimmed) JSON Schema.
    pub fn from_schema(schema: Value) -> Result<Structure, String> {
        let text = serde_json::to_string(&schema).map_err(|e| e.to_string())?;
        Self::read(&schema, text.into())
    }

    /// A structure from the text of its (trimmed) JSON Schema.
    pub fn from_text(text: std::borrow::Cow<'static, str>) -> Result<Structure, String> {
        let schema: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        Self::read(&schema, text)
    }

    fn read(schema: &Value, text: std::borrow::Cow<'static, str>) -> Result<Structure, String> {
        let s = &schema["sosmeta"];
        let oid = s["oid"].as_str().ok_or("no sosmeta.oid")?.to_string();
        let version =
            s["documentDefinitionVersion"].as_str().ok_or("no sosmeta.documentDefinitionVersion")?.to_string();
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
            schema: text,
            validator: std::sync::OnceLock::new(),
        })
    }

    /// The compiled draft-07 validator (the `regex` engine: linear in the input).
    pub fn validator(&self) -> Result<&jsonschema::Validator, String> {
        self.validator
            .get_or_init(|| {
                let schema: Value = serde_json::from_str(&self.schema)
                    .map_err(|e| format!("{}: the schema does not read as JSON: {e}", self.oid))?;
                jsonschema::draft7::options()
                    .with_pattern_options(jsonschema::PatternOptions::regex())
                    .build(&schema)
                    .map_err(|e| format!("{}: the schema does not compile: {e}", self.oid))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The field a JSON pointer into an instance names (array indexes skipped).
    pub fn field_at(&self, ptr: &str) -> Option<&Field> {
        let mut segs = ptr.split('/').skip(1).filter(|s| !s.is_empty());
        if segs.next()? != self.root.key {
            return None;
        }
        let mut f = &self.root;
        for seg in segs {
            if seg.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let seg = seg.replace("~1", "/").replace("~0", "~");
            f = f.fields.iter().find(|c| c.key == seg)?;
        }
        Some(f)
    }
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

/// Imports every `*.json` in `dir` into `out` (one trimmed schema per structure, deterministic).
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
        let imported = parsed.and_then(|v| import_schema(&v)).and_then(|t| {
            let s = Structure::from_schema(t.clone())?;
            s.validator()?;
            Ok((s, t))
        });
        match imported {
            Ok((s, trimmed)) => {
                count(&s.root, &mut report.fields, &mut systems);
                let text = serde_json::to_string_pretty(&trimmed).map_err(|e| e.to_string())?;
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
                if let Some(s) = f.contents_utf8().and_then(|t| Structure::from_text(t.into()).ok()) {
                    by_oid.insert(s.oid.clone(), s);
                }
            }
            // The runtime tables' sosmeta/ add structures and replace those of the same OID.
            for (_, t) in crate::tables::extra_files("sosmeta", "json") {
                if let Ok(s) = Structure::from_text(t.into()) {
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

/// The name of the field at `ptr`, or the pointer's last key.
fn name_at(s: &Structure, ptr: &str) -> String {
    match s.field_at(ptr) {
        Some(f) => name(f),
        None => format!("'{}'", ptr.rsplit('/').next().unwrap_or(ptr)),
    }
}

fn parent_ptr(ptr: &str) -> &str {
    ptr.rsplit_once('/').map(|(p, _)| p).unwrap_or("")
}

fn short(v: &Value) -> String {
    let t = match v {
        Value::String(s) => format!("'{s}'"),
        other => other.to_string(),
    };
    if t.chars().count() > 80 {
        format!("{}…", t.chars().take(80).collect::<String>())
    } else {
        t
    }
}

/// THL's schema: every error the draft-07 validator finds, as a finding with the field's name.
pub fn schema_findings(s: &Structure, instance: &Value) -> Vec<Detail> {
    use jsonschema::error::ValidationErrorKind as K;
    let validator = match s.validator() {
        Ok(v) => v,
        Err(e) => return vec![Detail::new(DetailCode::UnknownStructure, e).at("/")],
    };
    // Most forms are valid: the yes/no check stops at nothing and collects nothing, the error
    // iterator (which builds a location for every keyword it visits) runs only on a refusal.
    if validator.is_valid(instance) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for e in validator.iter_errors(instance) {
        let ptr = e.instance_path().as_str().to_string();
        let value = e.instance();
        if ptr.is_empty() {
            let got: Vec<String> = instance.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
            let d = Detail::new(DetailCode::StructureRoot, format!("expected {{\"{}\": …}}, got {got:?}", s.root.key));
            if !out.iter().any(|x: &Detail| x.code == DetailCode::StructureRoot) {
                out.push(d.at("/"));
            }
            continue;
        }
        match e.kind() {
            K::Required { property } => {
                let key = property.as_str().unwrap_or_default();
                let at = format!("{ptr}/{key}");
                out.push(Detail::new(DetailCode::StructureRequired, name_at(s, &at)).at(at));
            }
            K::MinItems { limit } => out.push(
                Detail::new(DetailCode::StructureRequired, format!("{} (at least {limit})", name_at(s, &ptr))).at(ptr),
            ),
            K::AdditionalProperties { unexpected } => {
                for k in unexpected {
                    out.push(Detail::new(DetailCode::StructureUnknownField, format!("'{k}'")).at(format!("{ptr}/{k}")));
                }
            }
            K::Type { kind } => {
                let want = format!("{kind:?}").to_lowercase();
                let f = s.field_at(&ptr);
                if value.is_array() && f.is_some_and(|f| !f.repeatable) {
                    out.push(Detail::new(DetailCode::StructureNotRepeatable, name_at(s, &ptr)).at(ptr));
                } else {
                    let wanted = match (want.contains("array"), f.map(|f| f.kind)) {
                        (true, _) => "a list (the field is repeatable)".to_string(),
                        (_, Some(Kind::Coded)) => "a coded value {system, code, display}".to_string(),
                        (_, Some(Kind::Identifier)) => "an identifier {system, value}".to_string(),
                        _ => want.replace("single(", "").replace(')', ""),
                    };
                    out.push(
                        Detail::new(
                            DetailCode::StructureType,
                            format!("{} must be {wanted}, not {}", name_at(s, &ptr), short(value)),
                        )
                        .at(ptr),
                    );
                }
            }
            K::MinLength { .. } => out.push(
                Detail::new(DetailCode::StructureType, format!("{} must not be empty", name_at(s, &ptr))).at(ptr),
            ),
            K::Enum { options } => {
                let accepted: Vec<String> =
                    options.as_array().map(|a| a.iter().map(short).collect()).unwrap_or_default();
                let field = if ptr.ends_with("/code") { name_at(s, parent_ptr(&ptr)) } else { name_at(s, &ptr) };
                out.push(
                    Detail::new(
                        DetailCode::StructureValueNotAccepted,
                        format!("{field} = {} (accepted: {})", short(value), accepted.join(", ")),
                    )
                    .at(ptr),
                );
            }
            K::Pattern { pattern } => {
                if ptr.ends_with("/system") {
                    let expected =
                        oid_from_pattern(pattern).map(|o| format!("urn:oid:{o}")).unwrap_or_else(|| pattern.clone());
                    out.push(
                        Detail::new(
                            DetailCode::StructureCodeSystem,
                            format!("{} in {}, expected {expected}", name_at(s, parent_ptr(&ptr)), short(value)),
                        )
                        .at(ptr),
                    );
                } else {
                    let want = if pattern.contains("T([01]") {
                        "a date or a moment YYYY[-MM[-DD[Thh:mm:ss±hh:mm]]]"
                    } else if pattern.starts_with("^-?[0-9]{4}") {
                        "a date YYYY[-MM[-DD]]"
                    } else {
                        "in the form the structure gives"
                    };
                    out.push(
                        Detail::new(
                            DetailCode::StructureType,
                            format!("{} must be {want}, not {}", name_at(s, &ptr), short(value)),
                        )
                        .at(ptr),
                    );
                }
            }
            other => {
                out.push(Detail::new(DetailCode::StructureType, format!("{}: {other:?}", name_at(s, &ptr))).at(ptr))
            }
        }
    }
    out
}

struct Walk<'a> {
    codes: &'a CodeSets,
    at: Date,
    out: Vec<Detail>,
}

impl Walk<'_> {
    /// The simulator's rules on a value the schema describes; shapes the schema refuses are
    /// its findings, not these. `ptr` is the value's JSON pointer: one buffer for the whole walk,
    /// each level appending its segment and cutting it off again; only the fields the form
    /// has are descended into.
    fn value(&mut self, f: &Field, v: &Value, ptr: &mut String) {
        use std::fmt::Write as _;
        match f.kind {
            Kind::Object => {
                let Some(obj) = v.as_object() else { return };
                for c in &f.fields {
                    let Some(x) = obj.get(&c.key) else { continue };
                    let level = ptr.len();
                    ptr.push('/');
                    ptr.push_str(&c.key);
                    match x {
                        Value::Array(items) if c.repeatable => {
                            let field = ptr.len();
                            for (i, it) in items.iter().enumerate() {
                                let _ = write!(ptr, "/{i}");
                                self.value(c, it, ptr);
                                ptr.truncate(field);
                            }
                        }
                        x if !c.repeatable => self.value(c, x, ptr),
                        _ => {}
                    }
                    ptr.truncate(level);
                }
            }
            Kind::Coded => self.coded(f, v, ptr),
            Kind::Identifier => self.identifier(f, v, ptr),
            _ => {}
        }
    }

    fn coded(&mut self, f: &Field, v: &Value, ptr: &str) {
        let (Some(code), Some(cs)) = (v.get("code").and_then(|c| c.as_str()), &f.code_system) else { return };
        let system = v.get("system").and_then(|s| s.as_str()).unwrap_or("");
        // A wrong system is the schema's finding (its pattern); an enum is the schema's too.
        if !f.accepted.is_empty() || !crate::wire::frame::same_system(system.trim_start_matches("urn:oid:"), cs) {
            return;
        }
        if self.codes.system(cs).is_none() {
            return;
        }
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

    fn identifier(&mut self, f: &Field, v: &Value, ptr: &str) {
        let Some(value) = v.get("value").and_then(|x| x.as_str()) else { return };
        if f.code_system.as_deref() != Some(crate::hetu::HETU_ROOT) {
            return;
        }
        if let Some(sys) = v.get("system").and_then(|s| s.as_str()) {
            if sys.trim_start_matches("urn:oid:") != crate::hetu::HETU_ROOT {
                self.out.push(
                    Detail::new(
                        DetailCode::StructureIdentifierSystem,
                        format!("{} in '{sys}', expected urn:oid:{}", name(f), crate::hetu::HETU_ROOT),
                    )
                    .at(format!("{ptr}/system")),
                );
                return;
            }
        }
        match Hetu::parse(value) {
            Ok(h) if h.is_test() => {}
            Ok(h) => self.out.push(
                Detail::new(DetailCode::StructureHetu, format!("{} = {h}: individual number must be 900–999", name(f)))
                    .at(format!("{ptr}/value")),
            ),
            Err(e) => self.out.push(
                Detail::new(DetailCode::StructureHetu, format!("{} = {value}: {e}", name(f)))
                    .at(format!("{ptr}/value")),
            ),
        }
    }
}

/// The simulator's rules beyond the schema (code sets, identifier systems, test hetus).
pub fn extra_findings(s: &Structure, instance: &Value, codes: &CodeSets, at: Date) -> Vec<Detail> {
    let mut w = Walk { codes, at, out: Vec::new() };
    if let Some(root) = instance.get(&s.root.key) {
        w.value(&s.root, root, &mut format!("/{}", s.root.key));
    }
    w.out
}

/// Validates a structured form against `structure` on date `at` (code validity): THL's schema,
/// then the simulator's rules.
pub fn validate(structure: &Structure, instance: &Value, codes: &CodeSets, at: Date) -> Vec<Detail> {
    let mut out = schema_findings(structure, instance);
    out.extend(extra_findings(structure, instance, codes, at));
    out
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

/// Fields a minimal example carries although the schema does not require them: what Sosmeta's
/// conditions (the client identified by a hetu, `conditional_rules`) and the archive's rules for
/// declarations (the consent's answer and date, archive::law) require.
const MINIMAL_ALSO: [&str; 8] = [
    "henkilotunnus",
    "asiakkuuden_yksilointitunnus",
    "palvelunjarjestajan_toimintayksikko",
    "sosiaalihuollon_palvelutehtava",
    "voimassa_oleva_luovutuslupa",
    "luovutuslupa",
    "luovutusluvan_antamisen_ajankohta",
    "kiellon_asettamisen_ajankohta",
];

fn example_value(f: &Field, full: bool, codes: &CodeSets, hetu: &str) -> Value {
    match f.kind {
        Kind::Object => {
            let mut m = Map::new();
            for c in &f.fields {
                if c.required || full || MINIMAL_ALSO.contains(&c.key.as_str()) {
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
        Kind::Coded if f.system_literal.is_some() => {
            let code = f.accepted.first().cloned().unwrap_or_else(|| "1".into());
            json!({"system": f.system_literal, "code": code, "display": ""})
        }
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
    out.push(Detail::new(DetailCode::StructureConditional, format!("'{what}' ({why})")).at(ptr.to_string()));
}

fn has(v: &Value, ptr: &str) -> bool {
    v.pointer(ptr).is_some_and(|x| !x.is_null() && x != &Value::String(String::new()))
}

/// The conditional rules THL gives in prose for the clienthood (1505.1) and case
/// (1505.2) documents (SPEC Appendix A), which the JSON Schemas cannot express.
pub fn conditional_rules(structure: &Structure, v: &Value) -> Vec<Detail> {
    let mut out = Vec::new();
    match structure.base_oid() {
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
