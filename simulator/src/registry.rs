//! System registry: which client-record systems may connect, for which
//! controllers (rekisterinpitäjä — data controller) and with which profile
//! (liittymisprofiili — connection profile).
//!
//! Owns: loading and checking `testdata/systems.toml`, and finding the system
//! a client certificate belongs to. Must not touch: TLS, storage, messages.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::profile::Profile;

/// One organisation's identity as it appears in a system certificate.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CertIdentity {
    /// Certificate subject CN: the system's name.
    pub common_name: String,
    /// Certificate subject serialNumber: the organisation's OID (see docs/pki.md).
    pub organisation: String,
}

/// A controller a system acts for, with the profile it is registered with for it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ControllerGrant {
    /// Controller (rekisterinpitäjä) OID.
    pub oid: String,
    /// Profile for this controller.
    pub profile: Profile,
}

/// A registered connecting system (asiakastietojärjestelmä).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct System {
    /// Short name; also the certificate CN and file name under `certs/systems/`.
    pub name: String,
    /// Human description (product, vendor, role in tests).
    #[serde(default)]
    pub description: String,
    /// The system's own OID: the HL7 `sender/device/id` it must use.
    pub oid: String,
    /// Organisation OID of the system owner, carried in its certificate.
    pub organisation: String,
    /// Whether a missing document signature is rejected for phase I and old documents.
    #[serde(default = "default_true")]
    pub strict_signature: bool,
    /// Controllers it acts for (joint joining: more than one).
    #[serde(rename = "controller", default)]
    pub controllers: Vec<ControllerGrant>,
    /// For a main joiner's system registered at run time: the name of the joint-joining group
    /// (yhteisliittymä) its other controllers belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joint_group: Option<String>,
}

fn default_true() -> bool {
    true
}

impl System {
    /// The identity its certificate carries.
    pub fn cert_identity(&self) -> CertIdentity {
        CertIdentity { common_name: self.name.clone(), organisation: self.organisation.clone() }
    }

    /// Whether `device` may appear as this system's `sender/device/id`: its own device id,
    /// its organisation, or a controller it acts for (real senders put an organisation OID there).
    pub fn sends_as(&self, device: &str) -> bool {
        device == self.oid || device == self.organisation || self.controllers.iter().any(|c| c.oid == device)
    }

    /// The profile this system has for `controller`, if it acts for it.
    pub fn profile_for(&self, controller: &str) -> Option<Profile> {
        self.controllers.iter().find(|c| c.oid == controller).map(|c| c.profile)
    }
}

/// A joint-joining group (yhteisliittymismalli): one main system storing for several controllers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct JointGroup {
    /// Group name.
    pub name: String,
    /// The main joiner's system name.
    pub main_system: String,
    /// Controllers joined through it.
    pub members: Vec<String>,
}

/// A system that holds a certificate from the test CA but is not registered:
/// the archive must refuse it at application level.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct UnregisteredSystem {
    /// Certificate CN.
    pub name: String,
    /// Organisation OID in its certificate.
    pub organisation: String,
    /// Why it exists.
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryFile {
    #[serde(rename = "system", default)]
    systems: Vec<System>,
    #[serde(rename = "joint_group", default)]
    joint_groups: Vec<JointGroup>,
    #[serde(rename = "unregistered", default)]
    unregistered: Vec<UnregisteredSystem>,
}

/// Errors loading the registry.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// File could not be read.
    #[error("cannot read system registry {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// TOML is malformed or has unknown fields.
    #[error("system registry {path} is not valid: {source}")]
    Parse {
        /// The file.
        path: String,
        /// Cause.
        #[source]
        source: Box<toml::de::Error>,
    },
    /// The content is inconsistent.
    #[error("system registry is inconsistent: {0}")]
    Invalid(String),
}

/// The loaded registry.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    systems: Vec<System>,
    joint_groups: Vec<JointGroup>,
    unregistered: Vec<UnregisteredSystem>,
    by_identity: BTreeMap<CertIdentity, usize>,
    /// Names of the systems registered at run time.
    added: Vec<String>,
}

impl Registry {
    /// Loads and checks a registry file.
    pub fn load(path: &Path) -> Result<Self, RegistryError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| RegistryError::Read { path: path.display().to_string(), source })?;
        Self::parse(&text).map_err(|e| match e {
            RegistryError::Parse { source, .. } => RegistryError::Parse { path: path.display().to_string(), source },
            other => other,
        })
    }

    /// Parses registry TOML text.
    pub fn parse(text: &str) -> Result<Self, RegistryError> {
        let file: RegistryFile =
            toml::from_str(text).map_err(|e| RegistryError::Parse { path: "<text>".into(), source: Box::new(e) })?;
        let mut by_identity = BTreeMap::new();
        let mut names = BTreeSet::new();
        for (i, s) in file.systems.iter().enumerate() {
            if !names.insert(s.name.clone()) {
                return Err(RegistryError::Invalid(format!("system name '{}' appears twice", s.name)));
            }
            if s.controllers.is_empty() {
                return Err(RegistryError::Invalid(format!("system '{}' acts for no controller", s.name)));
            }
            let mut seen = BTreeSet::new();
            for c in &s.controllers {
                if !seen.insert(&c.oid) {
                    return Err(RegistryError::Invalid(format!(
                        "system '{}' lists controller {} twice (one profile per controller)",
                        s.name, c.oid
                    )));
                }
            }
            by_identity.insert(s.cert_identity(), i);
        }
        for u in &file.unregistered {
            if !names.insert(u.name.clone()) {
                return Err(RegistryError::Invalid(format!("unregistered system '{}' reuses a system name", u.name)));
            }
        }
        let mut groups = file.joint_groups;
        for s in &file.systems {
            if let Some(g) = implied_group(s) {
                groups.push(g);
            }
        }
        for g in &groups {
            let main = file.systems.iter().find(|s| s.name == g.main_system).ok_or_else(|| {
                RegistryError::Invalid(format!(
                    "joint group '{}' names unknown main system '{}'",
                    g.name, g.main_system
                ))
            })?;
            for m in &g.members {
                if main.profile_for(m).is_none() {
                    return Err(RegistryError::Invalid(format!(
                        "joint group '{}': main system '{}' does not act for member {}",
                        g.name, g.main_system, m
                    )));
                }
            }
            check_group_members(g)?;
        }
        for s in &file.systems {
            check_foreign_controllers(s, &groups)?;
        }
        Ok(Registry {
            systems: file.systems,
            joint_groups: groups,
            unregistered: file.unregistered,
            by_identity,
            added: Vec::new(),
        })
    }

    /// All registered systems.
    pub fn systems(&self) -> &[System] {
        &self.systems
    }

    /// Joint-joining groups.
    pub fn joint_groups(&self) -> &[JointGroup] {
        &self.joint_groups
    }

    /// Certificate holders that are deliberately not registered.
    pub fn unregistered(&self) -> &[UnregisteredSystem] {
        &self.unregistered
    }

    /// The registered system with this certificate identity.
    pub fn by_identity(&self, id: &CertIdentity) -> Option<&System> {
        self.by_identity.get(id).map(|&i| &self.systems[i])
    }

    /// A registered system by name.
    pub fn by_name(&self, name: &str) -> Option<&System> {
        self.systems.iter().find(|s| s.name == name)
    }

    /// Adds a system registered at run time (a vendor's own), with the checks a file gets.
    pub fn add(&mut self, s: System) -> Result<(), RegistryError> {
        check_system_name(&s.name)?;
        if self.systems.iter().any(|x| x.name == s.name) || self.unregistered.iter().any(|u| u.name == s.name) {
            return Err(RegistryError::Invalid(format!("system name '{}' is already registered", s.name)));
        }
        for oid in
            std::iter::once(&s.oid).chain(std::iter::once(&s.organisation)).chain(s.controllers.iter().map(|c| &c.oid))
        {
            if !crate::oid::is_oid(oid) {
                return Err(RegistryError::Invalid(format!("'{oid}' is not an OID (digits separated by dots)")));
            }
        }
        if s.controllers.is_empty() {
            return Err(RegistryError::Invalid(format!("system '{}' acts for no controller", s.name)));
        }
        let mut seen = BTreeSet::new();
        for c in &s.controllers {
            if !seen.insert(&c.oid) {
                return Err(RegistryError::Invalid(format!("system '{}' lists controller {} twice", s.name, c.oid)));
            }
        }
        let group = implied_group(&s);
        if let Some(g) = &group {
            if self.joint_groups.iter().any(|x| x.name == g.name) {
                return Err(RegistryError::Invalid(format!("joint group '{}' already exists", g.name)));
            }
            check_group_members(g)?;
        }
        let mut groups = self.joint_groups.clone();
        groups.extend(group.clone());
        check_foreign_controllers(&s, &groups)?;
        self.joint_groups = groups;
        self.by_identity.insert(s.cert_identity(), self.systems.len());
        self.added.push(s.name.clone());
        self.systems.push(s);
        Ok(())
    }

    /// The systems registered at run time.
    pub fn added_systems(&self) -> Vec<System> {
        self.systems.iter().filter(|s| self.added.contains(&s.name)).cloned().collect()
    }

    /// Adds every system of a registry file (systems registered at an earlier run).
    pub fn add_file(&mut self, path: &Path) -> Result<usize, RegistryError> {
        let more = Registry::load(path)?;
        let n = more.systems.len();
        for s in more.systems {
            self.add(s)?;
        }
        Ok(n)
    }

    /// Every certificate the test PKI should issue: registered and unregistered systems.
    pub fn certificate_subjects(&self) -> Vec<CertIdentity> {
        let mut v: Vec<CertIdentity> = self.systems.iter().map(System::cert_identity).collect();
        v.extend(
            self.unregistered
                .iter()
                .map(|u| CertIdentity { common_name: u.name.clone(), organisation: u.organisation.clone() }),
        );
        v
    }
}

/// The group a system registered with `joint_group` is the main system of: its own
/// organisation and every other controller it acts for.
fn implied_group(s: &System) -> Option<JointGroup> {
    let name = s.joint_group.clone()?;
    let mut members = vec![s.organisation.clone()];
    members.extend(s.controllers.iter().map(|c| c.oid.clone()).filter(|c| *c != s.organisation));
    Some(JointGroup { name, main_system: s.name.clone(), members })
}

/// Joint joining (yhteisliittymismalli) is for private providers on a main joiner's system
/// (Kela, 2/2025): a member the SOTE register extract knows as a public organiser is refused.
/// A member the extract does not know is accepted (the register is open).
fn check_group_members(g: &JointGroup) -> Result<(), RegistryError> {
    let codes = crate::codes::CodeSets::builtin();
    for m in &g.members {
        if let Some(e) = codes.entry(crate::codes::oids::SOTE_ORGANISATION, m) {
            if e.sector.as_deref() == Some("julkinen") {
                return Err(RegistryError::Invalid(format!(
                    "joint group '{}': member {m} ({}) is a public organisation; joint joining is for private providers",
                    g.name, e.name
                )));
            }
        }
    }
    Ok(())
}

/// A system acts for other controllers than its own organisation only as the main system of
/// a joint group listing them: a controller outside the group is refused.
fn check_foreign_controllers(s: &System, groups: &[JointGroup]) -> Result<(), RegistryError> {
    for c in s.controllers.iter().filter(|c| c.oid != s.organisation) {
        let member = groups.iter().any(|g| g.main_system == s.name && g.members.contains(&c.oid));
        if !member {
            return Err(RegistryError::Invalid(format!(
                "system '{}' acts for controller {}, which is not its own organisation {}: only a joint group's main \
                 system acts for other controllers, and {} is not a member of a group whose main system is '{}'",
                s.name, c.oid, s.organisation, c.oid, s.name
            )));
        }
    }
    Ok(())
}

/// A system name names certificate files: 1–64 characters of a–z, 0–9 and '-'.
pub fn check_system_name(name: &str) -> Result<(), RegistryError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(RegistryError::Invalid(format!(
            "system name '{name}' must be 1–64 characters of a–z, 0–9 and '-' (it names the certificate files)"
        )))
    }
}

/// The registry a running simulator shares between its listeners: a snapshot to read,
/// replaced whole when a system is registered at run time.
#[derive(Debug, Clone, Default)]
pub struct SharedRegistry(std::sync::Arc<std::sync::RwLock<std::sync::Arc<Registry>>>);

impl SharedRegistry {
    /// Shares `r`.
    pub fn new(r: Registry) -> Self {
        SharedRegistry(std::sync::Arc::new(std::sync::RwLock::new(std::sync::Arc::new(r))))
    }

    /// The registry as it is now.
    pub fn get(&self) -> std::sync::Arc<Registry> {
        match self.0.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Registers a system.
    pub fn add(&self, s: System) -> Result<(), RegistryError> {
        let mut guard = match self.0.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut next = (**guard).clone();
        next.add(s)?;
        *guard = std::sync::Arc::new(next);
        Ok(())
    }
}

/// The systems a running simulator registered, as `systems.toml` text (kept in its data
/// directory so that they survive a restart).
pub fn systems_toml(systems: &[System]) -> String {
    #[derive(Serialize)]
    struct File<'a> {
        system: &'a [System],
    }
    let header = "# Systems registered at run time (POST /admin/systems); loaded again on start.\n";
    format!("{header}{}", toml::to_string(&File { system: systems }).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
[[system]]
name = "a"
oid = "1.2.3.1"
organisation = "1.2.3"
[[system.controller]]
oid = "1.2.3"
profile = "liittyva"
[[system.controller]]
oid = "1.2.4"
profile = "tallentava"

[[joint_group]]
name = "g"
main_system = "a"
members = ["1.2.3", "1.2.4"]

[[unregistered]]
name = "x"
organisation = "9.9"
"#;

    #[test]
    fn finds_system_and_profile_by_certificate_identity() {
        let r = Registry::parse(SAMPLE).expect("parses");
        let s = r.by_identity(&CertIdentity { common_name: "a".into(), organisation: "1.2.3".into() }).expect("found");
        assert_eq!(s.profile_for("1.2.4"), Some(Profile::Tallentava));
        assert_eq!(s.profile_for("1.2.5"), None);
        assert!(r.by_identity(&CertIdentity { common_name: "x".into(), organisation: "9.9".into() }).is_none());
        assert_eq!(r.certificate_subjects().len(), 2);
    }

    #[test]
    fn rejects_joint_group_member_the_main_system_does_not_serve() {
        let bad = SAMPLE.replace("members = [\"1.2.3\", \"1.2.4\"]", "members = [\"1.2.3\", \"7.7\"]");
        let err = Registry::parse(&bad).unwrap_err().to_string();
        assert!(err.contains("7.7"), "{err}");
    }

    #[test]
    fn a_system_acts_for_another_controller_only_as_main_system_of_its_group() {
        // Without the group, system "a" acting for 1.2.4 is refused, naming both.
        let no_group = SAMPLE
            .replace("[[joint_group]]\nname = \"g\"\nmain_system = \"a\"\nmembers = [\"1.2.3\", \"1.2.4\"]\n", "");
        assert_ne!(no_group, SAMPLE);
        let err = Registry::parse(&no_group).unwrap_err().to_string();
        assert!(err.contains("'a'") && err.contains("1.2.4") && err.contains("main"), "{err}");
    }

    #[test]
    fn a_public_organiser_cannot_join_a_joint_group() {
        // Testimaan hyvinvointialue is public in the SOTE extract; Hoivapalvelu Testi Oy is private.
        let public = "1.2.246.10.99990010.10.0";
        let private = "1.2.246.10.99990020.10.0";
        let toml = SAMPLE.replace("1.2.4", private);
        assert!(Registry::parse(&toml).is_ok(), "a private member is fine");
        let err = Registry::parse(&SAMPLE.replace("1.2.4", public)).unwrap_err().to_string();
        assert!(err.contains(public) && err.contains("public organisation"), "{err}");
    }

    #[test]
    fn rejects_unknown_profile() {
        let bad = SAMPLE.replace("\"tallentava\"", "\"superuser\"");
        assert!(matches!(Registry::parse(&bad), Err(RegistryError::Parse { .. })));
    }
}
