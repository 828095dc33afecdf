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
    /// Birth date (YYYY-MM-DD).
    pub birth_date: String,
    /// 1 male, 2 female.
    pub sex: String,
    /// Under turvakielto.
    pub turvakielto: bool,
    /// What the person is for.
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

/// The compiled-in file.
pub const PERSONS_TOML: &str = include_str!("../../testdata/persons.toml");

impl TestPersons {
    /// Parses a persons file, checking that every hetu is valid and a test hetu (900–999):
    /// Kanta's test environments accept no other.
    pub fn parse(text: &str) -> Result<TestPersons, String> {
        let p: TestPersons = toml::from_str(text).map_err(|e| e.to_string())?;
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

    /// The persons: the runtime tables' `persons.toml` or the embedded copy.
    pub fn builtin() -> &'static TestPersons {
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
