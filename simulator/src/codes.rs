//! Code sets (koodistot): the code systems whose values documents carry —
//! service task, social service, process phase, document group and type,
//! register, organisations and units — loaded from `testdata/codes/`.
//!
//! Owns: loading the tables (compiled in from `testdata/codes/`, or read from
//! a directory a user points at), and answering "is this code valid in this
//! system on this date". Open sets live in data, not in code. Pure after load.

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{include_dir, Dir};
use serde::{Deserialize, Serialize};
use time::Date;

static BUILTIN_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../testdata/codes");

/// A coded value as a document carries it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Code {
    /// The code.
    pub code: String,
    /// Code system OID (possibly with a version suffix).
    pub system: String,
    /// Display name as sent, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

/// One code in a code system.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeEntry {
    /// The code value.
    pub code: String,
    /// Finnish name.
    pub name: String,
    /// Valid from ("" = as the system).
    #[serde(default)]
    pub valid_from: String,
    /// Valid to ("" = open).
    #[serde(default)]
    pub valid_to: String,
    /// For document types: the general document type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub general_type: Option<String>,
    /// For document types: the subject group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// For document types: the Sosmeta definition version date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition_version: Option<String>,
    /// For organisations: controller, palveluyksikko, toimintayksikko.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// For units: the organisation they belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// For organisations: julkinen (public) or yksityinen (private).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
}

/// A code system.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeSystem {
    /// OID.
    pub oid: String,
    /// Name.
    pub name: String,
    /// Version ("" when none).
    #[serde(default)]
    pub version: String,
    /// Valid from (ISO date, "" = always).
    #[serde(default)]
    pub valid_from: String,
    /// Valid to ("" = open).
    #[serde(default)]
    pub valid_to: String,
    /// Whether every code is listed (false: unknown codes are warnings).
    pub complete: bool,
    /// Where the values come from (public, choice).
    pub source: String,
    /// The codes.
    #[serde(rename = "code", default)]
    pub codes: Vec<CodeEntry>,
}

/// Outcome of checking one code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    /// Known and valid.
    Valid,
    /// The code's system is not the one the field requires.
    WrongSystem {
        /// Expected system.
        expected: String,
    },
    /// Not in a complete code set.
    Unknown,
    /// Not in a set we know only in part (a warning).
    UnknownInPartialSet,
    /// Known, but not valid on the date.
    NotValidOn {
        /// Validity text.
        validity: String,
    },
    /// Known and valid, but written with a version of its code system other than the one we hold.
    OtherVersion {
        /// The system and version we hold.
        known: String,
    },
}

/// Errors loading code sets.
#[derive(Debug, thiserror::Error)]
#[error("code set {file}: {reason}")]
pub struct CodeSetError {
    /// The file.
    pub file: String,
    /// What is wrong.
    pub reason: String,
}

/// All code systems by OID.
#[derive(Debug, Clone, Default)]
pub struct CodeSets {
    systems: BTreeMap<String, CodeSystem>,
}

fn parse_date(s: &str) -> Option<Date> {
    if s.is_empty() {
        return None;
    }
    Date::parse(s, &time::macros::format_description!("[year]-[month]-[day]")).ok()
}

fn within(from: &str, to: &str, at: Date) -> bool {
    parse_date(from).is_none_or(|f| at >= f) && parse_date(to).is_none_or(|t| at <= t)
}

impl CodeSystem {
    /// Parses one code system file, checking its dates.
    pub fn parse(text: &str) -> Result<CodeSystem, String> {
        let sys: CodeSystem = toml::from_str(text).map_err(|e| e.to_string())?;
        for d in [&sys.valid_from, &sys.valid_to] {
            if !d.is_empty() && parse_date(d).is_none() {
                return Err(format!("'{d}' is not a YYYY-MM-DD date"));
            }
        }
        Ok(sys)
    }
}

impl CodeSets {
    fn from_files<'a>(files: impl Iterator<Item = (String, &'a str)>) -> Result<Self, CodeSetError> {
        let mut systems = BTreeMap::new();
        for (name, text) in files {
            let sys: CodeSystem =
                toml::from_str(text).map_err(|e| CodeSetError { file: name.clone(), reason: e.to_string() })?;
            for d in [&sys.valid_from, &sys.valid_to] {
                if !d.is_empty() && parse_date(d).is_none() {
                    return Err(CodeSetError { file: name, reason: format!("'{d}' is not a YYYY-MM-DD date") });
                }
            }
            if systems.insert(sys.oid.clone(), sys).is_some() {
                return Err(CodeSetError { file: name, reason: "code system OID defined twice".into() });
            }
        }
        Ok(CodeSets { systems })
    }

    /// The code sets compiled in from `testdata/codes/`.
    pub fn builtin() -> &'static CodeSets {
        static SETS: std::sync::OnceLock<CodeSets> = std::sync::OnceLock::new();
        SETS.get_or_init(|| {
            // The runtime tables' codes/ replace embedded files of the same name and add new ones.
            let extra = crate::tables::extra_files("codes", "toml");
            let mut files: Vec<(String, String)> = BUILTIN_DIR
                .files()
                .filter(|f| f.path().extension().is_some_and(|e| e == "toml"))
                .filter(|f| {
                    !extra.iter().any(|(n, _)| f.path().file_name().and_then(|x| x.to_str()) == Some(n.as_str()))
                })
                .map(|f| (f.path().display().to_string(), f.contents_utf8().unwrap_or("").to_string()))
                .collect();
            files.extend(extra.into_iter().map(|(n, t)| (format!("codes/{n}"), t)));
            match CodeSets::from_files(files.iter().map(|(n, t)| (n.clone(), t.as_str()))) {
                Ok(s) => s,
                // Compiled in and checked by a unit test.
                Err(e) => panic!("{e}"),
            }
        })
    }

    /// Loads every `*.toml` in `dir`.
    pub fn load_dir(dir: &Path) -> Result<Self, CodeSetError> {
        let mut texts = Vec::new();
        let rd = std::fs::read_dir(dir)
            .map_err(|e| CodeSetError { file: dir.display().to_string(), reason: e.to_string() })?;
        for entry in rd {
            let p = entry.map_err(|e| CodeSetError { file: dir.display().to_string(), reason: e.to_string() })?.path();
            if p.extension().is_some_and(|e| e == "toml") {
                let t = std::fs::read_to_string(&p)
                    .map_err(|e| CodeSetError { file: p.display().to_string(), reason: e.to_string() })?;
                texts.push((p.display().to_string(), t));
            }
        }
        texts.sort();
        Self::from_files(texts.iter().map(|(n, t)| (n.clone(), t.as_str())))
    }

    /// A code system by OID, written with or without a version suffix (`X`, `X.201601`,
    /// `urn:oid:X`): SPEC §6.3 treats them as one code system.
    pub fn system(&self, oid: &str) -> Option<&CodeSystem> {
        let oid = oid.trim().trim_start_matches("urn:oid:");
        self.systems.get(oid).or_else(|| {
            let (base, _) = oid.rsplit_once('.')?;
            self.systems.get(base).filter(|_| crate::wire::frame::same_system(oid, base))
        })
    }

    /// The version suffix `given` carries, when it names `expected` with one.
    fn version_of<'a>(given: &'a str, expected: &str) -> Option<&'a str> {
        let given = given.trim().trim_start_matches("urn:oid:");
        given.strip_prefix(expected)?.strip_prefix('.')
    }

    /// Whether `given` names the system `expected` (with or without version suffix).
    pub fn same_system(&self, given: &str, expected: &str) -> bool {
        crate::wire::frame::same_system(given, expected) || self.system(given).is_some_and(|s| s.oid == expected)
    }

    /// A code's entry.
    pub fn entry(&self, system: &str, code: &str) -> Option<&CodeEntry> {
        self.system(system)?.codes.iter().find(|c| c.code == code)
    }

    /// A code's Finnish name.
    pub fn name(&self, system: &str, code: &str) -> Option<&str> {
        self.entry(system, code).map(|e| e.name.as_str())
    }

    /// Checks `code` for a field that requires `expected_system`, on date `at`.
    pub fn check(&self, expected_system: &str, code: &Code, at: Date) -> CodeCheck {
        if !self.same_system(&code.system, expected_system) {
            return CodeCheck::WrongSystem { expected: expected_system.to_string() };
        }
        let Some(sys) = self.system(expected_system) else {
            return CodeCheck::UnknownInPartialSet;
        };
        let Some(entry) = sys.codes.iter().find(|c| c.code == code.code.trim()) else {
            return if sys.complete { CodeCheck::Unknown } else { CodeCheck::UnknownInPartialSet };
        };
        let from = if entry.valid_from.is_empty() { &sys.valid_from } else { &entry.valid_from };
        let to = if entry.valid_to.is_empty() { &sys.valid_to } else { &entry.valid_to };
        if !within(from, to, at) {
            let shown = |s: &str| if s.is_empty() { "…".to_string() } else { s.to_string() };
            return CodeCheck::NotValidOn { validity: format!("{}–{}", shown(from), shown(to)) };
        }
        match Self::version_of(&code.system, &sys.oid) {
            Some(v) if !sys.version.is_empty() && v != sys.version => {
                CodeCheck::OtherVersion { known: format!("{}.{}", sys.oid, sys.version) }
            }
            _ => CodeCheck::Valid,
        }
    }

    /// All systems.
    pub fn systems(&self) -> impl Iterator<Item = &CodeSystem> {
        self.systems.values()
    }
}

/// Well-known code system OIDs used by the rules (SPEC §6.8), without their version suffixes.
pub mod oids {
    /// Palvelutehtävä (service task).
    pub const SERVICE_TASK: &str = "1.2.246.537.6.1221";
    /// Sosiaalipalvelut (social service).
    pub const SOCIAL_SERVICE: &str = "1.2.246.537.6.1222";
    /// Sosiaalihuollon palveluprosessi (process phase).
    pub const PROCESS_PHASE: &str = "1.2.246.537.6.1277";
    /// Asiakirjaryhmä (document group).
    pub const DOCUMENT_GROUP: &str = "1.2.246.537.6.1505";
    /// Asiakasasiakirjatyyppi (general and specific client document types).
    pub const DOCUMENT_TYPE: &str = "1.2.246.537.6.1506";
    /// Asiakirjan rekisteritunnus (register).
    pub const REGISTER: &str = "1.2.246.537.6.1264";
    /// SOTE organisation register.
    pub const SOTE_ORGANISATION: &str = "1.2.246.537.6.202";
    /// Confidentiality.
    pub const CONFIDENTIALITY: &str = "1.2.246.777.5.99902";
    /// Record status.
    pub const RECORD_STATUS: &str = "1.2.246.537.5.40154";
    /// Total retention period class.
    pub const RETENTION_CLASS: &str = "1.2.246.537.6.1258";
    /// Display form format.
    pub const DISPLAY_FORMAT: &str = "1.2.246.537.6.1502";
    /// Structured form format.
    pub const FILE_FORMAT: &str = "1.2.246.537.5.40179";
    /// A minor's documents and guardians.
    pub const MINOR_DISCLOSURE: &str = "1.2.246.537.6.1286";
    /// OmaKanta restriction reason.
    pub const OMAKANTA_RESTRICTION: &str = "1.2.246.537.6.1288";
    /// Special content (K/E).
    pub const SPECIAL_CONTENT: &str = "1.2.246.537.6.112";
    /// Gender.
    pub const GENDER: &str = "1.2.246.537.5.1";
    /// Electronic signature type (signatureCollection/signature/signatureDescription).
    pub const SIGNATURE_TYPE: &str = "1.2.246.537.5.40127";
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn code(system: &str, c: &str) -> Code {
        Code { code: c.into(), system: system.into(), display: None }
    }

    #[test]
    fn builtin_sets_load_and_include_all_document_types() {
        let s = CodeSets::builtin();
        let types = s.system(oids::DOCUMENT_TYPE).expect("1506");
        assert_eq!(types.codes.iter().filter(|c| c.kind.is_none()).count(), 198);
        assert_eq!(s.name(oids::DOCUMENT_TYPE, "15"), Some("Suunnitelma"));
        assert_eq!(s.name(oids::SERVICE_TASK, "10"), Some("Lastensuojelu"));
        assert!(s.entry(oids::SOTE_ORGANISATION, "1.2.246.10.99990001.10.0").is_some());
    }

    #[test]
    fn checks_system_membership_and_validity() {
        let s = CodeSets::builtin();
        let d = date!(2026 - 11 - 01);
        assert_eq!(s.check(oids::SERVICE_TASK, &code(oids::SERVICE_TASK, "10"), d), CodeCheck::Valid);
        assert_eq!(s.check(oids::SERVICE_TASK, &code("1.2.246.537.6.1221.201601", "10"), d), CodeCheck::Valid);
        assert_eq!(s.check(oids::SERVICE_TASK, &code("urn:oid:1.2.246.537.6.1221.201601", "24"), d), CodeCheck::Valid);
        assert!(matches!(
            s.check(oids::SERVICE_TASK, &code("1.2.246.537.6.1221.201801", "10"), d),
            CodeCheck::OtherVersion { .. }
        ));
        assert!(matches!(
            s.check(oids::SERVICE_TASK, &code(oids::SOCIAL_SERVICE, "10"), d),
            CodeCheck::WrongSystem { .. }
        ));
        assert_eq!(s.check(oids::SERVICE_TASK, &code(oids::SERVICE_TASK, "777"), d), CodeCheck::UnknownInPartialSet);
        assert_eq!(s.check(oids::DOCUMENT_GROUP, &code(oids::DOCUMENT_GROUP, "77"), d), CodeCheck::Unknown);
        // The SOTE register is open: the simulator holds an extract, so an unlisted unit is partial.
        assert_eq!(
            s.check(oids::SOTE_ORGANISATION, &code(oids::SOTE_ORGANISATION, "1.2.3"), d),
            CodeCheck::UnknownInPartialSet
        );
        assert!(matches!(
            s.check(oids::SERVICE_TASK, &code(oids::SERVICE_TASK, "10"), date!(2010 - 01 - 01)),
            CodeCheck::NotValidOn { .. }
        ));
    }
}
