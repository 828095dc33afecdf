//! Runtime tables: the data that decides the archive's rules — code sets, profiles, dates,
//! metadata rules, document kinds, interactions, acknowledgement texts, test persons, the
//! display-form policy, turvakielto masks, statutory reasons and Sosmeta structures — read from
//! a directory the user gives (`--tables DIR`), with the copies compiled into the binary as the
//! default. A user holding Kela's or THL's full lists drops them in and restarts; nothing is
//! rebuilt.
//!
//! The directory mirrors `testdata/`: a file there replaces the embedded file of the same
//! name (`profiles.toml`, `codes/service-task.toml`, `sosmeta/<oid>.json`, …); a file in
//! `codes/` or `sosmeta/` with a new name adds a code set or a structure. The directory is set
//! once, before any table is read ([`set_dir`]); [`check`] then reads every table, so a table
//! that does not parse stops the start with its file, line and reason.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();

/// Why the tables cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The directory was already fixed (tables are read once per process).
    #[error("the tables directory is already set to {0:?}: tables are read once per process")]
    AlreadySet(Option<PathBuf>),
    /// The directory does not exist.
    #[error("tables directory {0} does not exist")]
    Missing(PathBuf),
    /// A table does not parse.
    #[error("{file}: {reason}")]
    Invalid {
        /// The file, as given (or `embedded:` for a compiled-in copy).
        file: String,
        /// What is wrong (with line and column where the parser tells them).
        reason: String,
    },
}

/// Sets the tables directory for this process (`None`: the embedded copies only). Must be
/// called before any table is read; a second call with another directory is refused.
pub fn set_dir(dir: Option<PathBuf>) -> Result<(), TableError> {
    if let Some(d) = &dir {
        if !d.is_dir() {
            return Err(TableError::Missing(d.clone()));
        }
    }
    let wanted = dir.clone();
    let got = DIR.get_or_init(|| dir);
    if *got != wanted {
        return Err(TableError::AlreadySet(got.clone()));
    }
    Ok(())
}

/// The tables directory in use, if any.
pub fn dir() -> Option<&'static Path> {
    DIR.get_or_init(|| None).as_deref()
}

/// The text of table `name` (a path relative to the tables directory): the user's file when
/// there is one, else the embedded copy.
pub fn text(name: &str, embedded: &'static str) -> String {
    match try_text(name, embedded) {
        Ok(t) => t,
        // Every table was read once by `check` at start; one unreadable since is a broken install.
        Err(e) => panic!("{e}"),
    }
}

/// [`text`], with an unreadable file (permissions, not UTF-8) as an error naming it.
pub fn try_text(name: &str, embedded: &'static str) -> Result<String, TableError> {
    match dir().map(|d| d.join(name)).filter(|p| p.is_file()) {
        Some(p) => std::fs::read_to_string(&p).map_err(|e| invalid(name, e)),
        None => Ok(embedded.to_string()),
    }
}

/// Where a table comes from, for messages.
pub fn source(name: &str) -> String {
    match dir().map(|d| d.join(name)).filter(|p| p.is_file()) {
        Some(p) => p.display().to_string(),
        None => format!("embedded testdata/{name}"),
    }
}

/// The files of a table directory (`codes`, `sosmeta`) in the tables directory, by file name.
pub fn extra_files(sub: &str, extension: &str) -> Vec<(String, String)> {
    match try_extra_files(sub, extension) {
        Ok(v) => v,
        // Read once by `check` at start; one unreadable since is a broken install.
        Err(e) => panic!("{e}"),
    }
}

/// [`extra_files`], with an unreadable file as an error naming it.
pub fn try_extra_files(sub: &str, extension: &str) -> Result<Vec<(String, String)>, TableError> {
    let Some(d) = dir().map(|d| d.join(sub)) else { return Ok(Vec::new()) };
    let Ok(rd) = std::fs::read_dir(&d) else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for p in rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == extension)) {
        let Some(name) = p.file_name().and_then(|n| n.to_str()).map(str::to_string) else { continue };
        let t = std::fs::read_to_string(&p)
            .map_err(|e| TableError::Invalid { file: p.display().to_string(), reason: e.to_string() })?;
        out.push((name, t));
    }
    out.sort();
    Ok(out)
}

fn invalid(name: &str, reason: impl std::fmt::Display) -> TableError {
    TableError::Invalid { file: source(name), reason: reason.to_string() }
}

/// Reads and parses every table, so that a broken one stops the start with its file, line
/// and reason rather than later, in the middle of a message.
pub fn check() -> Result<(), TableError> {
    use crate::{acks, archive, codes, document, interactions, persons, profile, sosmeta, validation, xhtml};
    let text = |name: &str, embedded: &'static str| try_text(name, embedded);
    profile::Matrix::parse(&text("profiles.toml", profile::PROFILES_TOML)?).map_err(|e| invalid("profiles.toml", e))?;
    archive::law::parse_dates(&text("dates.toml", archive::law::DATES_TOML)?).map_err(|e| invalid("dates.toml", e))?;
    archive::access::parse(&text("register-access.toml", archive::access::REGISTER_ACCESS_TOML)?)
        .map_err(|e| invalid("register-access.toml", e))?;
    archive::law::parse_reasons(&text("statutory-reasons.toml", archive::law::REASONS_TOML)?)
        .map_err(|e| invalid("statutory-reasons.toml", e))?;
    archive::mask::parse_rules(&text("turvakielto.toml", archive::mask::TURVAKIELTO_TOML)?)
        .map_err(|e| invalid("turvakielto.toml", e))?;
    validation::MetadataRules::parse(&text("metadata-rules.toml", validation::METADATA_RULES_TOML)?)
        .map_err(|e| invalid("metadata-rules.toml", e))?;
    document::KindTable::parse(&text("document-kinds.toml", document::KINDS_TOML)?)
        .map_err(|e| invalid("document-kinds.toml", e))?;
    interactions::Interactions::parse(&text("interactions.toml", interactions::INTERACTIONS_TOML)?)
        .map_err(|e| invalid("interactions.toml", e))?;
    acks::Catalogue::parse(&text("ack-codes.toml", acks::CATALOGUE_TOML)?).map_err(|e| invalid("ack-codes.toml", e))?;
    persons::TestPersons::parse(&text("persons.toml", persons::PERSONS_TOML)?)
        .map_err(|e| invalid("persons.toml", e))?;
    xhtml::Policy::parse(&text("xhtml-policy.toml", xhtml::POLICY_TOML)?)
        .map_err(|e| invalid("xhtml-policy.toml", e))?;
    for (name, t) in try_extra_files("codes", "toml")? {
        codes::CodeSystem::parse(&t).map_err(|e| invalid(&format!("codes/{name}"), e))?;
    }
    for (name, t) in try_extra_files("sosmeta", "json")? {
        let v: serde_json::Value = serde_json::from_str(&t).map_err(|e| invalid(&format!("sosmeta/{name}"), e))?;
        let s = sosmeta::Structure::from_schema(v).map_err(|e| invalid(&format!("sosmeta/{name}"), e))?;
        s.validator().map_err(|e| invalid(&format!("sosmeta/{name}"), e))?;
    }
    Ok(())
}
