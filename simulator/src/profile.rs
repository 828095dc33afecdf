//! Connection profiles (liittymisprofiili) and the actions each allows.
//!
//! Owns: the profile × action matrix, kept as data in `testdata/profiles.toml`
//! (SPEC §2, public, plus the joining-obligation profile of §8.1). Pure data and
//! functions; must not touch messages, storage or I/O.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A connection profile a system is registered with, per controller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// Liittyvä — joining: store and query.
    Liittyva,
    /// Tallentava — storing only.
    Tallentava,
    /// Katseleva — viewing only.
    Katseleva,
    /// Arkistoiva — archiving/migration of old documents.
    Arkistoiva,
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
            Profile::Liittymisvelvoite => "liittymisvelvoite",
        }
    }

    /// All profiles, in the order of the documentation's matrix.
    pub const ALL: [Profile; 5] =
        [Profile::Liittyva, Profile::Tallentava, Profile::Katseleva, Profile::Arkistoiva, Profile::Liittymisvelvoite];
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
    /// Store a phase I/II or structured client document.
    StoreClientDocument,
    /// Store an old document.
    StoreOldDocument,
    /// Store a consent, prohibition or Kanta-information record.
    StoreDeclaration,
    /// New version or invalidation of an own document.
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
            Action::StoreClientDocument => "asiakasasiakirjan tallennus",
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

#[derive(Deserialize)]
struct MatrixFile {
    actions: BTreeMap<Action, Vec<Profile>>,
}

/// The compiled-in matrix text.
pub const PROFILES_TOML: &str = include_str!("../../testdata/profiles.toml");

/// The profile × action matrix.
#[derive(Debug, Clone)]
pub struct Matrix {
    actions: BTreeMap<Action, Vec<Profile>>,
}

impl Matrix {
    /// Parses matrix text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let f: MatrixFile = toml::from_str(text).map_err(|e| e.to_string())?;
        Ok(Matrix { actions: f.actions })
    }

    /// The built-in matrix.
    pub fn builtin() -> &'static Matrix {
        static M: std::sync::OnceLock<Matrix> = std::sync::OnceLock::new();
        M.get_or_init(|| match Matrix::parse(PROFILES_TOML) {
            Ok(m) => m,
            // Compiled in and checked by a unit test.
            Err(e) => panic!("testdata/profiles.toml: {e}"),
        })
    }

    /// Whether `profile` may perform `action`.
    pub fn allows(&self, profile: Profile, action: Action) -> bool {
        self.actions.get(&action).is_some_and(|ps| ps.contains(&profile))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_follows_the_public_profile_table() {
        let m = Matrix::builtin();
        assert!(m.allows(Profile::Liittyva, Action::Query));
        assert!(!m.allows(Profile::Tallentava, Action::Query));
        assert!(!m.allows(Profile::Katseleva, Action::StoreClientDocument));
        assert!(m.allows(Profile::Arkistoiva, Action::StoreOldDocument));
        assert!(!m.allows(Profile::Arkistoiva, Action::StoreClientDocument));
        assert!(m.allows(Profile::Arkistoiva, Action::VersionOrInvalidateOld));
        assert!(!m.allows(Profile::Arkistoiva, Action::VersionOrInvalidate));
        assert!(!m.allows(Profile::Arkistoiva, Action::Query));
    }
}
