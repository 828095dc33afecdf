//! The register access right (rekisterinkäyttöoikeus, SPEC §8.5) in its two forms, and which
//! register a document belongs in.
//!
//! - **Basic form** (perusmuoto): a provider (palveluntuottaja) stores into and reads from the
//!   organiser's (palvelunjärjestäjä) register while the organiser's newest clienthood lists the
//!   provider's service unit ([`super::law::register_access`] decides from the clienthood).
//! - **Wide form** (laaja muoto): a register holder that organises no clienthood here — THL's
//!   shelter services register — has named providers store documents of named types into its
//!   register; who, which types and from when is the table `testdata/register-access.toml`.
//!
//! Owns: the wide-right table and the rule that, from the `register_access_required` date
//! (1.9.2026), a document in the wrong register is refused (SHA-L202). Pure functions; the
//! archive asks them with what it read.

use serde::Deserialize;
use time::Date;

use crate::acks::{Detail, DetailCode};
use crate::codes::{oids, CodeSets};

/// The embedded copy of `testdata/register-access.toml`.
pub const REGISTER_ACCESS_TOML: &str = include_str!("../../../testdata/register-access.toml");

/// One wide register access right: `providers` store documents of `document_types` into
/// `register` from `from` on.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WideRight {
    /// The register's name, for messages.
    pub name: String,
    /// The register holder (controller OID) documents go into.
    pub register: String,
    /// Controllers (OIDs) acting as providers under this right.
    pub providers: Vec<String>,
    /// Specific document type codes (asiakirjatyyppi) that belong in this register.
    pub document_types: Vec<String>,
    /// First day the right holds (YYYY-MM-DD).
    pub from: String,
    /// Fact or choice, with the source.
    pub status: String,
}

impl WideRight {
    fn first_day(&self) -> Option<Date> {
        super::law::ymd(&self.from)
    }
    /// Whether documents of `doc_type` belong in this register.
    pub fn covers(&self, doc_type: &str) -> bool {
        self.document_types.iter().any(|t| t == doc_type)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    wide: Vec<WideRight>,
}

/// Parses the table; a bad row names itself.
pub fn parse(text: &str) -> Result<Vec<WideRight>, String> {
    let f: File = toml::from_str(text).map_err(|e| e.to_string())?;
    for w in &f.wide {
        if w.first_day().is_none() {
            return Err(format!("wide right '{}': from = '{}' is not a date (YYYY-MM-DD)", w.name, w.from));
        }
        if w.providers.is_empty() || w.document_types.is_empty() {
            return Err(format!("wide right '{}': providers and document_types must not be empty", w.name));
        }
    }
    Ok(f.wide)
}

/// The wide rights (embedded, or from the runtime tables directory).
pub fn wide_rights() -> &'static [WideRight] {
    static W: std::sync::OnceLock<Vec<WideRight>> = std::sync::OnceLock::new();
    W.get_or_init(|| match parse(&crate::tables::text("register-access.toml", REGISTER_ACCESS_TOML)) {
        Ok(w) => w,
        // Checked at start (tables::check) and by a unit test for the embedded copy.
        Err(e) => panic!("register-access.toml: {e}"),
    })
}

/// What a provider asks under the wide right.
#[derive(Debug, Clone, Copy)]
pub struct WideAsk<'a> {
    /// The acting provider's controller.
    pub provider: &'a str,
    /// The register the message addresses.
    pub register: &'a str,
    /// The document's type (store), none for a query.
    pub document_type: Option<&'a str>,
    /// The clock's day.
    pub today: Date,
}

/// The wide right that lets `ask.provider` into `ask.register`: `Ok(None)` when no wide right
/// names the pair (the route does not apply), `Err` with the reason when one does but not for
/// this document or day.
pub fn wide<'r>(rights: &'r [WideRight], ask: WideAsk<'_>) -> Result<Option<&'r WideRight>, Detail> {
    let Some(w) = rights.iter().find(|w| w.register == ask.register && w.providers.iter().any(|p| p == ask.provider))
    else {
        return Ok(None);
    };
    let refuse =
        |why: String| Detail::new(DetailCode::NoRegisterAccess, format!("{} → {}: {why}", ask.provider, w.name));
    if let Some(from) = w.first_day().filter(|f| ask.today < *f) {
        return Err(refuse(format!("the wide right holds from {from}, the clock is {}", ask.today)));
    }
    match ask.document_type {
        Some(t) if !w.covers(t) => Err(refuse(format!(
            "document type {t} is not among the types of the wide right ({})",
            w.document_types.join(", ")
        ))),
        _ => Ok(Some(w)),
    }
}

/// The controller an organisation stands for in the SOTE extract: itself when it is a
/// controller, its parent when it is a known unit, none when the extract does not know it.
fn controller_of(org: &str, codes: &CodeSets) -> Option<String> {
    let e = codes.entry(oids::SOTE_ORGANISATION, org)?;
    if e.kind.as_deref() == Some("controller") {
        Some(org.to_string())
    } else {
        e.parent.clone()
    }
}

/// Which register a document belongs in (SPEC §8.5), from `required` (the date in dates.toml)
/// on: a type a wide right covers belongs in that right's register; a document naming a known
/// organiser other than its controller belongs in the organiser's register. `None`: where it is.
pub fn wrong_register(
    controller: &str,
    organiser: Option<&str>,
    document_type: Option<&str>,
    rights: &[WideRight],
    codes: &CodeSets,
    today: Date,
    required: Option<Date>,
) -> Option<Detail> {
    let required = required?;
    if today < required {
        return None;
    }
    let loc = "/ClinicalDocument/custodian/assignedCustodian/representedCustodianOrganization/id";
    if let Some(t) = document_type {
        if let Some(w) = rights.iter().find(|w| w.covers(t) && w.register != controller) {
            return Some(
                Detail::new(
                    DetailCode::WrongRegister,
                    format!(
                        "document type {t} belongs in {} ({}) under the wide register access right since {required}, not in {controller}",
                        w.register, w.name
                    ),
                )
                .at(loc),
            );
        }
    }
    let organiser_controller = organiser.and_then(|o| controller_of(o, codes))?;
    let own_wide = document_type.is_some_and(|t| rights.iter().any(|w| w.covers(t) && w.register == controller));
    (organiser_controller != controller && !own_wide).then(|| {
        let name = codes.name(oids::SOTE_ORGANISATION, &organiser_controller).unwrap_or("");
        Detail::new(
            DetailCode::WrongRegister,
            format!(
                "the organiser {organiser_controller} ({name}) keeps the register of its purchased services since {required}: store into it with the register access right, not into {controller}"
            ),
        )
        .at(loc)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const THL: &str = "1.2.246.10.99990030.10.0";
    const SHELTER: &str = "1.2.246.10.99990031.10.0";
    const AREA: &str = "1.2.246.10.99990010.10.0";
    const PROVIDER: &str = "1.2.246.10.99990020.10.0";

    #[test]
    fn embedded_table_parses_and_bad_rows_name_themselves() {
        let w = parse(REGISTER_ACCESS_TOML).expect("embedded table");
        assert!(w.iter().any(|w| w.register == THL && w.covers("1011")));
        let bad = "[[wide]]\nname = \"x\"\nregister = \"1\"\nproviders = []\ndocument_types = [\"1\"]\nfrom = \"2024-01-01\"\nstatus = \"\"";
        assert!(parse(bad).unwrap_err().contains("'x'"));
        let bad = bad.replace("providers = []", "providers = [\"2\"]").replace("2024-01-01", "soon");
        assert!(parse(&bad).unwrap_err().contains("soon"));
    }

    #[test]
    fn the_wide_right_names_provider_register_type_and_day() {
        let w = parse(REGISTER_ACCESS_TOML).expect("table");
        let ask =
            WideAsk { provider: SHELTER, register: THL, document_type: Some("1011"), today: date!(2026 - 11 - 01) };
        assert!(wide(&w, ask).expect("holds").is_some());
        assert!(wide(&w, WideAsk { document_type: None, ..ask }).expect("query").is_some());
        let e = wide(&w, WideAsk { document_type: Some("11002"), ..ask }).unwrap_err();
        assert!(e.en.contains("11002") && e.en.contains("1011, 15019"), "{}", e.en);
        let e = wide(&w, WideAsk { today: date!(2023 - 06 - 01), ..ask }).unwrap_err();
        assert!(e.en.contains("2024-01-01"));
        // Another provider or register: the route does not apply.
        assert!(wide(&w, WideAsk { provider: PROVIDER, ..ask }).expect("n/a").is_none());
        assert!(wide(&w, WideAsk { register: AREA, ..ask }).expect("n/a").is_none());
    }

    #[test]
    fn documents_in_the_wrong_register_are_refused_from_the_date() {
        let w = parse(REGISTER_ACCESS_TOML).expect("table");
        let codes = CodeSets::builtin();
        let due = Some(date!(2026 - 09 - 01));
        let (before, after) = (date!(2026 - 08 - 31), date!(2026 - 09 - 01));
        // A shelter document in the shelter's own register.
        assert!(wrong_register(SHELTER, None, Some("1011"), &w, codes, before, due).is_none());
        let d = wrong_register(SHELTER, None, Some("1011"), &w, codes, after, due).expect("refused");
        assert_eq!(d.code, DetailCode::WrongRegister);
        assert!(d.en.contains(THL));
        assert!(wrong_register(THL, Some(THL), Some("1011"), &w, codes, after, due).is_none());
        // A purchased service's document in the provider's own register.
        assert!(wrong_register(PROVIDER, Some(AREA), Some("11002"), &w, codes, after, due).is_some());
        assert!(wrong_register(AREA, Some(AREA), Some("11002"), &w, codes, after, due).is_none());
        // The organiser named by one of its units; an organiser the extract does not know.
        assert!(wrong_register(AREA, Some("1.2.246.10.99990010.10.1"), Some("11002"), &w, codes, after, due).is_none());
        assert!(wrong_register(PROVIDER, Some("1.2.246.10.12345678.10.0"), None, &w, codes, after, due).is_none());
        // Without the date in the table, nothing is judged.
        assert!(wrong_register(SHELTER, None, Some("1011"), &w, codes, after, None).is_none());
    }
}
