//! Connection profiles (liittymisprofiili) and the operations each allows.
//!
//! Owns: the profile × operation matrix of SPEC §2 (public) plus the
//! joining-obligation profile of §8.1 (our modelling). Pure data and functions;
//! must not touch messages, storage or I/O.

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
