//! Test persons (testihenkilöt) from `testdata/persons.toml`: artificial
//! clients whose hetus use individual numbers 900–999, as Kanta's test
//! environments require. Compiled in; used by the harness, the load tool and tests.

use serde::Deserialize;

/// A test person.
#[derive(Debug, Clone, Deserialize)]
pub struct TestPerson {
    /// Stable key tests refer to.
    pub key: String,
    /// Hetu.
    pub hetu: String,
    /// Family name.
    pub family_name: String,
    /// Given names.
    pub given_names: String,
    /// Birth date (YYYY-MM-DD); read from the hetu when not given.
    #[serde(default)]
    pub birth_date: String,
    /// 1 male, 2 female; read from the hetu when not given.
    #[serde(default)]
    pub sex: String,
    /// Under turvakielto.
    #[serde(default)]
    pub turvakielto: bool,
    /// What the person is for.
    #[serde(default)]
    pub description: String,
}

/// A client identified by a temporary id.
#[derive(Debug, Clone, Deserialize)]
pub struct TemporaryPerson {
    /// Organisation-specific root.
    pub root: String,
    /// The id.
    pub extension: String,
    /// Family name.
    pub family_name: String,
    /// Given names.
    pub given_names: String,
    /// Birth date.
    pub birth_date: String,
    /// What it is for.
    pub description: String,
}

/// A deliberately broken hetu.
#[derive(Debug, Clone, Deserialize)]
pub struct InvalidHetu {
    /// The value.
    pub value: String,
    /// What is wrong.
    pub why: String,
}

/// A test professional (ammattihenkilö) who writes and signs documents.
#[derive(Debug, Clone, Deserialize)]
pub struct Professional {
    /// Registration number (root 1.2.246.537.26).
    pub registration_number: String,
    /// Given names.
    pub given_names: String,
    /// Family name.
    pub family_name: String,
    /// Hetu, for the acting person of a message.
    pub hetu: String,
    /// Title, e.g. sosiaalityöntekijä.
    pub title: String,
}

impl Professional {
    /// "Given Family".
    pub fn name(&self) -> String {
        format!("{} {}", self.given_names, self.family_name)
    }
}

/// All test persons.
#[derive(Debug, Clone, Deserialize)]
pub struct TestPersons {
    /// Persons with hetu.
    #[serde(rename = "person")]
    pub persons: Vec<TestPerson>,
    /// Persons with temporary ids.
    #[serde(rename = "temporary_id", default)]
    pub temporary: Vec<TemporaryPerson>,
    /// Broken hetus.
    #[serde(rename = "invalid_hetu", default)]
    pub invalid: Vec<InvalidHetu>,
    /// Professionals.
    #[serde(rename = "professional", default)]
    pub professionals: Vec<Professional>,
}

/// Persons chosen for this process from a file (`--persons`).
static OVERRIDE: std::sync::OnceLock<TestPersons> = std::sync::OnceLock::new();

/// The compiled-in file.
pub const PERSONS_TOML: &str = include_str!("../../testdata/persons.toml");

impl TestPersons {
    /// Parses a persons file, checking that every hetu is valid and a test hetu (900–999):
    /// Kanta's test environments accept no other.
    pub fn parse(text: &str) -> Result<TestPersons, String> {
        let mut p: TestPersons = toml::from_str(text).map_err(|e| e.to_string())?;
        for x in &mut p.persons {
            if let Ok(h) = crate::hetu::Hetu::parse(&x.hetu) {
                if x.birth_date.is_empty() {
                    x.birth_date = h.birth_date().to_string();
                }
                if x.sex.is_empty() {
                    // An odd individual number is a man, an even one a woman.
                    let odd = x.hetu.get(7..10).and_then(|n| n.parse::<u32>().ok()).is_some_and(|n| n % 2 == 1);
                    x.sex = if odd { "1" } else { "2" }.to_string();
                }
            }
        }
        for (who, hetu) in p
            .persons
            .iter()
            .map(|x| (x.key.as_str(), x.hetu.as_str()))
            .chain(p.professionals.iter().map(|x| (x.registration_number.as_str(), x.hetu.as_str())))
        {
            match crate::hetu::Hetu::parse(hetu) {
                Ok(h) if h.is_test() => {}
                Ok(h) => return Err(format!("{who}: {h} is not a test hetu (individual number 900–999)")),
                Err(e) => return Err(format!("{who}: '{hetu}': {e}")),
            }
        }
        Ok(p)
    }

    /// Persons from a file (e.g. the test ids Kela issued to a vendor).
    pub fn load(path: &std::path::Path) -> Result<TestPersons, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Uses the persons of `path` (e.g. the test ids Kela issued to a vendor) for this process,
    /// over the table's: a person with a key the table has replaces it, others are added. Every
    /// hetu must be a valid test hetu (900–999) and appear once. Must be called before the
    /// persons are first read. Returns the keys replaced and the keys added.
    pub fn use_file(path: &std::path::Path) -> Result<(Vec<String>, Vec<String>), String> {
        let theirs = Self::load(path)?;
        let mut merged = Self::builtin().clone();
        let (mut replaced, mut added) = (Vec::new(), Vec::new());
        for p in theirs.persons {
            match merged.persons.iter_mut().find(|x| x.key == p.key) {
                Some(slot) => {
                    replaced.push(p.key.clone());
                    *slot = p;
                }
                None => {
                    added.push(p.key.clone());
                    merged.persons.push(p);
                }
            }
        }
        merged.temporary.extend(theirs.temporary);
        merged.professionals.extend(theirs.professionals);
        let mut seen = std::collections::BTreeSet::new();
        for p in &merged.persons {
            if !seen.insert(p.hetu.to_ascii_uppercase()) {
                return Err(format!("{}: hetu {} is used by two persons (one is '{}')", path.display(), p.hetu, p.key));
            }
        }
        OVERRIDE.set(merged).map_err(|_| "the test persons were already chosen for this run".to_string())?;
        Ok((replaced, added))
    }

    /// The persons: a file given with [`TestPersons::use_file`], else the runtime tables'
    /// `persons.toml` or the embedded copy.
    pub fn builtin() -> &'static TestPersons {
        if let Some(p) = OVERRIDE.get() {
            return p;
        }
        static P: std::sync::OnceLock<TestPersons> = std::sync::OnceLock::new();
        P.get_or_init(|| match Self::parse(&crate::tables::text("persons.toml", PERSONS_TOML)) {
            Ok(p) => p,
            // Checked at start (tables::check) and by a unit test for the embedded copy.
            Err(e) => panic!("persons.toml: {e}"),
        })
    }

    /// A person by key.
    pub fn get(&self, key: &str) -> Option<&TestPerson> {
        self.persons.iter().find(|p| p.key == key)
    }

    /// A person by hetu.
    pub fn by_hetu(&self, hetu: &str) -> Option<&TestPerson> {
        self.persons.iter().find(|p| p.hetu.eq_ignore_ascii_case(hetu))
    }

    /// The professionals the test PKI makes signing certificates for.
    pub fn signers(&self) -> Vec<crate::pki::Signer> {
        self.professionals
            .iter()
            .map(|p| crate::pki::Signer { registration_number: p.registration_number.clone(), name: p.name() })
            .collect()
    }

    /// A professional by registration number.
    pub fn professional(&self, registration_number: &str) -> Option<&Professional> {
        self.professionals.iter().find(|p| p.registration_number == registration_number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persons_load_with_the_keys_tests_use() {
        let p = TestPersons::builtin();
        assert!(p.get("aikuinen").is_some());
        assert!(p.persons.iter().any(|x| x.turvakielto));
        assert!(!p.temporary.is_empty());
    }
}
