//! Connection profiles (liittymisprofiili): which actions each allows, and between which dates
//! a profile may be used and newly deployed.
//!
//! Owns: the profile table and the profile × action matrix, kept as data in
//! `testdata/profiles.toml` (SPEC §2: THL's four phase I profiles and their matrix; phase II
//! profiles whose names are our choice; the joining-obligation profile of §8.1). Pure data and
//! functions; must not touch messages, storage or I/O.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

/// A connection profile a system is registered with, per controller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// Liittyvä — joining (phase I): store and query.
    Liittyva,
    /// Tallentava — storing only (phase I).
    Tallentava,
    /// Katseleva — viewing only (phase I).
    Katseleva,
    /// Arkistoiva — archiving/migration of old documents (phase I).
    Arkistoiva,
    /// Liittyvä, phase II (name our choice): phase I functions plus phase II documents.
    LiittyvaVaihe2,
    /// Tallentava, phase II (name our choice).
    TallentavaVaihe2,
    /// Liittymisvelvoite — the Client Data Act joining-obligation system (SPEC §8.1; name is our choice).
    Liittymisvelvoite,
}

impl Profile {
    /// The Finnish name used in acknowledgements and reports.
    pub fn finnish(self) -> &'static str {
        match self {
            Profile::Liittyva => "liittyvä",
            Profile::Tallentava => "tallentava",
            Profile::Katseleva => "katseleva",
            Profile::Arkistoiva => "arkistoiva",
            Profile::LiittyvaVaihe2 => "liittyvä (II vaihe)",
            Profile::TallentavaVaihe2 => "tallentava (II vaihe)",
            Profile::Liittymisvelvoite => "liittymisvelvoite",
        }
    }

    /// All profiles, in the order of the documentation's matrix.
    pub const ALL: [Profile; 7] = [
        Profile::Liittyva,
        Profile::Tallentava,
        Profile::Katseleva,
        Profile::Arkistoiva,
        Profile::LiittyvaVaihe2,
        Profile::TallentavaVaihe2,
        Profile::Liittymisvelvoite,
    ];
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.finnish())
    }
}

/// What a message asks the archive to do, as the profile matrix sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Store a clienthood or case document.
    StoreClienthoodOrCase,
    /// Store a phase I client document.
    StorePhase1Document,
    /// Store a phase II client document.
    StorePhase2Document,
    /// Store a structured (Client Data Act) client document.
    StoreStructuredDocument,
    /// Store an old document.
    StoreOldDocument,
    /// Store a consent, prohibition or Kanta-information record.
    StoreDeclaration,
    /// New version or invalidation of an own document (with the right to store its kind).
    VersionOrInvalidate,
    /// New version or invalidation of an own old document.
    VersionOrInvalidateOld,
    /// Any query of the controller's own data.
    Query,
    /// A query of another controller's data.
    DisclosureQuery,
    /// The validation service.
    Validate,
}

impl Action {
    /// Finnish description for acknowledgements.
    pub fn finnish(self) -> &'static str {
        match self {
            Action::StoreClienthoodOrCase => "asiakkuus- tai asia-asiakirjan tallennus",
            Action::StorePhase1Document => "I vaiheen asiakasasiakirjan tallennus",
            Action::StorePhase2Document => "II vaiheen asiakasasiakirjan tallennus",
            Action::StoreStructuredDocument => "rakenteisen asiakasasiakirjan tallennus",
            Action::StoreOldDocument => "vanhan asiakirjan tallennus",
            Action::StoreDeclaration => "tahdonilmaisun tallennus",
            Action::VersionOrInvalidate => "uusi versio tai mitätöinti",
            Action::VersionOrInvalidateOld => "vanhan asiakirjan uusi versio tai mitätöinti",
            Action::Query => "kysely",
            Action::DisclosureQuery => "luovutushaku",
            Action::Validate => "validointi",
        }
    }
}

impl Action {
    /// The action storing a document of `kind` needs.
    pub fn store_of(kind: crate::document::DocumentKind) -> Action {
        use crate::document::{DocumentKind as K, DocumentModel as M};
        match kind {
            K::Asiakkuus | K::Asia => Action::StoreClienthoodOrCase,
            K::Client(M::Vanha) => Action::StoreOldDocument,
            K::Client(M::Vaihe1) => Action::StorePhase1Document,
            K::Client(M::Vaihe2) => Action::StorePhase2Document,
            K::Client(M::Liittymisvelvoite) => Action::StoreStructuredDocument,
            K::Consent | K::Prohibition | K::Informing => Action::StoreDeclaration,
        }
    }

    /// The action a new version or an invalidation of a document of `kind` needs (besides
    /// the right to store its kind).
    pub fn version_of(kind: crate::document::DocumentKind) -> Action {
        use crate::document::{DocumentKind as K, DocumentModel as M};
        if kind == K::Client(M::Vanha) {
            Action::VersionOrInvalidateOld
        } else {
            Action::VersionOrInvalidate
        }
    }
}

/// When a profile may be used and newly deployed.
#[derive(Debug, Clone, Deserialize)]
pub struct ProfileRow {
    /// The profile.
    pub name: Profile,
    /// Phase: I, II or liittymisvelvoite.
    pub phase: String,
    /// First day it may be used.
    #[serde(default, with = "opt_date")]
    pub usable_from: Option<Date>,
    /// Last day it may be used.
    #[serde(default, with = "opt_date")]
    pub usable_until: Option<Date>,
    /// Last day a system may be newly deployed (registered) with it.
    #[serde(default, with = "opt_date")]
    pub deploy_until: Option<Date>,
    /// Last day a new certificate for it was issued; a later deployment needs one issued by then.
    #[serde(default, with = "opt_date")]
    pub certify_until: Option<Date>,
    /// From this day Kela recommends new deployments on another profile (a warning, not a refusal).
    #[serde(default, with = "opt_date")]
    pub discouraged_from: Option<Date>,
    /// Where the row comes from (public, reported, choice).
    pub status: String,
}

mod opt_date {
    use serde::{Deserialize, Deserializer};
    use time::Date;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        s.map(|s| {
            Date::parse(&s, &time::macros::format_description!("[year]-[month]-[day]"))
                .map_err(|e| serde::de::Error::custom(format!("date '{s}': {e}")))
        })
        .transpose()
    }
}

#[derive(Deserialize)]
struct MatrixFile {
    #[serde(rename = "profile")]
    profiles: Vec<ProfileRow>,
    actions: BTreeMap<Action, Vec<Profile>>,
}

/// The compiled-in matrix text.
pub const PROFILES_TOML: &str = include_str!("../../testdata/profiles.toml");

/// Why a profile may not be used on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutOfWindow {
    /// Before its first day.
    NotYet(Date),
    /// After its last day.
    Ended(Date),
}

/// The profile table and the profile × action matrix.
#[derive(Debug, Clone)]
pub struct Matrix {
    profiles: BTreeMap<Profile, ProfileRow>,
    actions: BTreeMap<Action, Vec<Profile>>,
}

impl Matrix {
    /// Parses matrix text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let f: MatrixFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let profiles: BTreeMap<Profile, ProfileRow> = f.profiles.into_iter().map(|r| (r.name, r)).collect();
        for p in Profile::ALL {
            if !profiles.contains_key(&p) {
                return Err(format!("no [[profile]] row for {p:?}"));
            }
        }
        Ok(Matrix { profiles, actions: f.actions })
    }

    /// Whether a system may be newly deployed (registered) with `profile` on `day`, certified on
    /// `certified_on`: `Ok` with the warnings to show (Kela's recommendation), or the refusal
    /// naming the profile and the dates.
    pub fn deployable(&self, profile: Profile, day: Date, certified_on: Option<Date>) -> Result<Vec<String>, String> {
        let row = self.row(profile);
        let now_open = || self.deployable_on(day).iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ");
        if let Some(from) = row.and_then(|r| r.usable_from).filter(|f| day < *f) {
            return Err(format!("profile {profile} cannot be deployed before {from} (the clock is {day})"));
        }
        if let Some(last) = row.and_then(|r| r.deploy_until).filter(|l| day > *l) {
            return Err(format!(
                "profile {profile} could be newly deployed until {last}; the clock is {day} (new deployments since then: {})",
                now_open()
            ));
        }
        if let Some(last) = row.and_then(|r| r.certify_until).filter(|l| day > *l) {
            match certified_on {
                Some(c) if c <= last => {}
                Some(c) => {
                    return Err(format!(
                        "profile {profile}: no new certificates after {last}, yet the system's is dated {c}"
                    ))
                }
                None => {
                    return Err(format!(
                        "profile {profile}: new certificates were issued until {last}; a deployment on {day} needs a \
                         certificate issued by then (give certified_on), or a profile certified now: {}",
                        now_open()
                    ))
                }
            }
        }
        let mut warnings = Vec::new();
        if let Some(from) = row.and_then(|r| r.discouraged_from).filter(|f| day >= *f) {
            warnings.push(format!(
                "Kela recommends new deployments only on the joining-obligation profile from {from} (profile {profile})"
            ));
        }
        Ok(warnings)
    }

    /// The profiles a system may be newly deployed with on `day`.
    pub fn deployable_on(&self, day: Date) -> Vec<Profile> {
        Profile::ALL.into_iter().filter(|p| self.open_for_deployment(*p, day)).collect()
    }

    /// Open for a deployment with a certificate issued on `day` itself.
    fn open_for_deployment(&self, profile: Profile, day: Date) -> bool {
        let row = self.row(profile);
        row.and_then(|r| r.usable_from).is_none_or(|f| day >= f)
            && row.and_then(|r| r.deploy_until).is_none_or(|l| day <= l)
            && row.and_then(|r| r.certify_until).is_none_or(|l| day <= l)
    }

    /// The built-in matrix (or the one in the runtime tables directory).
    pub fn builtin() -> &'static Matrix {
        static M: std::sync::OnceLock<Matrix> = std::sync::OnceLock::new();
        M.get_or_init(|| {
            let text = crate::tables::text("profiles.toml", PROFILES_TOML);
            match Matrix::parse(&text) {
                Ok(m) => m,
                // Checked at start (tables::check) and by a unit test for the embedded copy.
                Err(e) => panic!("profiles.toml: {e}"),
            }
        })
    }

    /// Whether `profile` may perform `action`.
    pub fn allows(&self, profile: Profile, action: Action) -> bool {
        self.actions.get(&action).is_some_and(|ps| ps.contains(&profile))
    }

    /// A profile's row.
    pub fn row(&self, profile: Profile) -> Option<&ProfileRow> {
        self.profiles.get(&profile)
    }

    /// Whether `profile` may be used on `day`.
    pub fn usable(&self, profile: Profile, day: Date) -> Result<(), OutOfWindow> {
        let Some(r) = self.profiles.get(&profile) else { return Ok(()) };
        if let Some(from) = r.usable_from.filter(|f| day < *f) {
            return Err(OutOfWindow::NotYet(from));
        }
        if let Some(until) = r.usable_until.filter(|u| day > *u) {
            return Err(OutOfWindow::Ended(until));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn matrix_follows_the_public_profile_table() {
        let m = Matrix::parse(PROFILES_TOML).expect("embedded table parses");
        assert!(m.allows(Profile::Liittyva, Action::Query));
        assert!(m.allows(Profile::Liittyva, Action::StorePhase1Document));
        assert!(!m.allows(Profile::Liittyva, Action::StorePhase2Document), "phase II needs a phase II profile");
        assert!(!m.allows(Profile::Tallentava, Action::StorePhase2Document));
        assert!(!m.allows(Profile::Tallentava, Action::Query));
        assert!(!m.allows(Profile::Katseleva, Action::StorePhase1Document));
        assert!(m.allows(Profile::Arkistoiva, Action::StoreOldDocument));
        assert!(!m.allows(Profile::Arkistoiva, Action::StorePhase1Document));
        assert!(m.allows(Profile::Arkistoiva, Action::VersionOrInvalidateOld));
        assert!(!m.allows(Profile::Arkistoiva, Action::VersionOrInvalidate));
        assert!(!m.allows(Profile::Arkistoiva, Action::Query));
        assert!(m.allows(Profile::LiittyvaVaihe2, Action::StorePhase2Document));
        assert!(m.allows(Profile::LiittyvaVaihe2, Action::StorePhase1Document));
        assert!(!m.allows(Profile::LiittyvaVaihe2, Action::StoreStructuredDocument));
        assert!(m.allows(Profile::Liittymisvelvoite, Action::StoreStructuredDocument));
    }

    #[test]
    fn profiles_are_usable_in_their_windows_and_deployed_until_their_day() {
        let m = Matrix::parse(PROFILES_TOML).expect("embedded table parses");
        assert!(m.usable(Profile::Liittyva, date!(2022 - 06 - 01)).is_ok());
        assert_eq!(m.usable(Profile::Liittyva, date!(2023 - 01 - 01)), Err(OutOfWindow::Ended(date!(2022 - 12 - 31))));
        assert!(matches!(m.usable(Profile::Liittymisvelvoite, date!(2019 - 06 - 01)), Err(OutOfWindow::NotYet(_))));
        assert!(m.usable(Profile::Liittymisvelvoite, date!(2026 - 12 - 01)).is_ok());
        // After 31.5.2025 a phase II deployment needs a certificate issued by then (Kela, 2025).
        let refused = m
            .deployable(Profile::LiittyvaVaihe2, date!(2025 - 07 - 01), None)
            .expect_err("no certificate after 31.5.2025");
        assert!(refused.contains("2025-05-31") && refused.contains("liittymisvelvoite"), "{refused}");
        let late = m.deployable(Profile::LiittyvaVaihe2, date!(2025 - 07 - 01), Some(date!(2025 - 06 - 15)));
        assert!(late.expect_err("certificate too late").contains("2025-06-15"));
        assert_eq!(
            m.deployable(Profile::LiittyvaVaihe2, date!(2025 - 07 - 01), Some(date!(2024 - 03 - 01))),
            Ok(vec![])
        );
        assert_eq!(m.deployable(Profile::LiittyvaVaihe2, date!(2025 - 05 - 31), None), Ok(vec![]));
        // From 1.1.2026 Kela recommends the joining-obligation profile: a warning.
        let w = m.deployable(Profile::LiittyvaVaihe2, date!(2026 - 02 - 01), Some(date!(2024 - 03 - 01))).expect("ok");
        assert!(w.len() == 1 && w[0].contains("2026-01-01"), "{w:?}");
        // After 31.8.2026 no phase II deployment at all.
        let ended = m.deployable(Profile::LiittyvaVaihe2, date!(2026 - 12 - 01), Some(date!(2024 - 03 - 01)));
        assert!(ended.expect_err("ended").contains("2026-08-31"));
        assert_eq!(m.deployable(Profile::Liittymisvelvoite, date!(2026 - 12 - 01), None), Ok(vec![]));
        assert_eq!(m.deployable_on(date!(2026 - 12 - 01)), vec![Profile::Liittymisvelvoite]);
        assert_eq!(m.deployable_on(date!(2019 - 06 - 01)).len(), 4, "the four phase I profiles");
    }
}
