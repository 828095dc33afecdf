//! Test PKI: the certificates a vendor's system and the simulator use for
//! mutual TLS, made with rcgen — and reading a system's identity back out of one.
//!
//! Owns: `certs/` layout, generation (CA, server, one per system, deliberately
//! bad ones), and `CertIdentity` extraction from a DER certificate.
//! Must not touch: the TLS server itself (transport) or the registry file format.
//!
//! Kanta's production system certificates are DVV server certificates. How
//! Kela reads the organisation from one is not public to us; the simulator
//! carries the organisation OID in the subject `serialNumber` attribute and the
//! system name in `CN` (choice, documented in docs/pki.md and certs/README.md).

use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SanType,
};

use crate::registry::{CertIdentity, Registry};

/// Subject attribute `serialNumber` (2.5.4.5), where the organisation OID goes.
const SERIAL_NUMBER_OID: [u64; 4] = [2, 5, 4, 5];

/// Errors making or reading certificates.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    /// rcgen refused the parameters.
    #[error("cannot make certificate {what}: {source}")]
    Generate {
        /// Which certificate.
        what: String,
        /// Cause.
        #[source]
        source: rcgen::Error,
    },
    /// File system problem.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// read / write / create.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// certs/ is in a state we will not silently repair.
    #[error("{0}")]
    Inconsistent(String),
    /// A certificate could not be parsed.
    #[error("certificate is not valid X.509: {0}")]
    BadCertificate(String),
}

/// Where each file lives under the certs directory.
#[derive(Debug, Clone)]
pub struct CertPaths {
    /// The certs directory.
    pub dir: PathBuf,
}

impl CertPaths {
    /// Paths under `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        CertPaths { dir: dir.into() }
    }
    /// Test CA certificate (PEM).
    pub fn ca_cert(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }
    /// Test CA private key.
    pub fn ca_key(&self) -> PathBuf {
        self.dir.join("ca.key")
    }
    /// The simulator's server certificate.
    pub fn server_cert(&self) -> PathBuf {
        self.dir.join("server.pem")
    }
    /// The simulator's server key.
    pub fn server_key(&self) -> PathBuf {
        self.dir.join("server.key")
    }
    /// A system's certificate.
    pub fn system_cert(&self, name: &str) -> PathBuf {
        self.dir.join("systems").join(format!("{name}.pem"))
    }
    /// A system's key.
    pub fn system_key(&self, name: &str) -> PathBuf {
        self.dir.join("systems").join(format!("{name}.key"))
    }
    /// A deliberately bad certificate (`kind` is one of [`BadKind::file_stem`]).
    pub fn bad_cert(&self, kind: BadKind) -> PathBuf {
        self.dir.join("bad").join(format!("{}.pem", kind.file_stem()))
    }
    /// Its key.
    pub fn bad_key(&self, kind: BadKind) -> PathBuf {
        self.dir.join("bad").join(format!("{}.key", kind.file_stem()))
    }
}

/// Deliberately bad client certificates for negative connectivity tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadKind {
    /// Validity ended in 2012.
    Expired,
    /// Validity starts in 2040.
    NotYetValid,
    /// Signed by a CA the simulator does not trust.
    UnknownCa,
    /// Extended key usage lacks clientAuth.
    WrongKeyUsage,
}

impl BadKind {
    /// All kinds.
    pub const ALL: [BadKind; 4] = [BadKind::Expired, BadKind::NotYetValid, BadKind::UnknownCa, BadKind::WrongKeyUsage];
    /// File name without extension.
    pub fn file_stem(self) -> &'static str {
        match self {
            BadKind::Expired => "expired",
            BadKind::NotYetValid => "not-yet-valid",
            BadKind::UnknownCa => "unknown-ca",
            BadKind::WrongKeyUsage => "wrong-key-usage",
        }
    }
}

/// What `init` did with each file.
#[derive(Debug, Default, Clone)]
pub struct InitReport {
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Files that existed and were kept.
    pub kept: Vec<PathBuf>,
}

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> PkiError + 'a {
    move |source| PkiError::Io { action, path: path.to_path_buf(), source }
}

fn gen_err(what: &str) -> impl FnOnce(rcgen::Error) -> PkiError + '_ {
    move |source| PkiError::Generate { what: what.to_string(), source }
}

// Validity of the good certificates: wide enough that the simulator's clock can
// be moved back to the phase I/II years (2018–) and forward past 2030.
fn good_validity(p: &mut CertificateParams) {
    p.not_before = rcgen::date_time_ymd(2015, 1, 1);
    p.not_after = rcgen::date_time_ymd(2036, 1, 1);
}

fn ca_params(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    dn.push(DnType::OrganizationName, "SHA simulator test PKI");
    dn.push(DnType::CountryName, "FI");
    p.distinguished_name = dn;
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    good_validity(&mut p);
    p
}

fn system_params(id: &CertIdentity) -> CertificateParams {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, id.common_name.as_str());
    dn.push(DnType::CustomDnType(SERIAL_NUMBER_OID.to_vec()), id.organisation.as_str());
    dn.push(DnType::OrganizationName, "Test organisation");
    dn.push(DnType::CountryName, "FI");
    p.distinguished_name = dn;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth, ExtendedKeyUsagePurpose::ServerAuth];
    good_validity(&mut p);
    p
}

struct Issuer {
    cert: Certificate,
    key: KeyPair,
}

fn write(path: &Path, contents: &str, report: &mut InitReport) -> Result<(), PkiError> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io("create", parent))?;
    }
    fs::write(path, contents).map_err(io("write", path))?;
    report.written.push(path.to_path_buf());
    Ok(())
}

fn write_pair(
    cert_path: &Path,
    key_path: &Path,
    params: CertificateParams,
    issuer: &Issuer,
    what: &str,
    report: &mut InitReport,
) -> Result<(), PkiError> {
    let key = KeyPair::generate().map_err(gen_err(what))?;
    let cert = params.signed_by(&key, &issuer.cert, &issuer.key).map_err(gen_err(what))?;
    write(cert_path, &cert.pem(), report)?;
    write(key_path, &key.serialize_pem(), report)
}

fn load_issuer(paths: &CertPaths) -> Result<Issuer, PkiError> {
    let cert_pem = fs::read_to_string(paths.ca_cert()).map_err(io("read", &paths.ca_cert()))?;
    let key_pem = fs::read_to_string(paths.ca_key()).map_err(io("read", &paths.ca_key()))?;
    let key = KeyPair::from_pem(&key_pem).map_err(gen_err("test CA (reading key)"))?;
    let params = CertificateParams::from_ca_cert_pem(&cert_pem).map_err(gen_err("test CA (reading certificate)"))?;
    // Re-signing the same parameters with the same key gives an issuer with the
    // same subject and key, which is all signing needs.
    let cert = params.self_signed(&key).map_err(gen_err("test CA"))?;
    Ok(Issuer { cert, key })
}

/// Creates the test PKI under `paths.dir` for the systems in `registry`.
///
/// Idempotent: existing files are kept unless `force`. A directory with
/// certificates but no CA is refused (its certificates could not be re-issued
/// consistently) unless `force`.
pub fn init(paths: &CertPaths, registry: &Registry, force: bool) -> Result<InitReport, PkiError> {
    let mut report = InitReport::default();
    let ca_exists = paths.ca_cert().exists() && paths.ca_key().exists();
    if !ca_exists && !force && paths.server_cert().exists() {
        return Err(PkiError::Inconsistent(format!(
            "{} holds certificates but no test CA (ca.pem + ca.key); rerun with --force to make a new PKI",
            paths.dir.display()
        )));
    }
    let issuer = if ca_exists && !force {
        report.kept.push(paths.ca_cert());
        load_issuer(paths)?
    } else {
        let key = KeyPair::generate().map_err(gen_err("test CA"))?;
        let cert = ca_params("SHA simulator test CA").self_signed(&key).map_err(gen_err("test CA"))?;
        write(&paths.ca_cert(), &cert.pem(), &mut report)?;
        write(&paths.ca_key(), &key.serialize_pem(), &mut report)?;
        Issuer { cert, key }
    };
    // Everything signed by a new CA must be re-issued.
    let force = force || !ca_exists;
    let wanted = |p: &Path, report: &mut InitReport| {
        if !force && p.exists() {
            report.kept.push(p.to_path_buf());
            false
        } else {
            true
        }
    };

    if wanted(&paths.server_cert(), &mut report) {
        let mut p = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "localhost");
        dn.push(DnType::OrganizationName, "SHA simulator");
        p.distinguished_name = dn;
        p.subject_alt_names = vec![
            SanType::DnsName("localhost".try_into().map_err(gen_err("server"))?),
            SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            SanType::IpAddress(IpAddr::V6(Ipv6Addr::LOCALHOST)),
        ];
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        good_validity(&mut p);
        write_pair(&paths.server_cert(), &paths.server_key(), p, &issuer, "server", &mut report)?;
    }

    for id in registry.certificate_subjects() {
        let cert_path = paths.system_cert(&id.common_name);
        if wanted(&cert_path, &mut report) {
            let key_path = paths.system_key(&id.common_name);
            write_pair(&cert_path, &key_path, system_params(&id), &issuer, &id.common_name, &mut report)?;
        }
    }

    // Bad certificates carry the identity of the first registered system, so
    // only the one thing that is wrong with each makes the difference.
    let victim = registry
        .systems()
        .first()
        .map(|s| s.cert_identity())
        .unwrap_or(CertIdentity { common_name: "no-system".into(), organisation: "1.2.246.10.0".into() });
    for kind in BadKind::ALL {
        let cert_path = paths.bad_cert(kind);
        if !wanted(&cert_path, &mut report) {
            continue;
        }
        let key_path = paths.bad_key(kind);
        let mut p = system_params(&victim);
        let what = kind.file_stem();
        match kind {
            BadKind::Expired => {
                p.not_before = rcgen::date_time_ymd(2010, 1, 1);
                p.not_after = rcgen::date_time_ymd(2012, 1, 1);
                write_pair(&cert_path, &key_path, p, &issuer, what, &mut report)?;
            }
            BadKind::NotYetValid => {
                p.not_before = rcgen::date_time_ymd(2040, 1, 1);
                p.not_after = rcgen::date_time_ymd(2045, 1, 1);
                write_pair(&cert_path, &key_path, p, &issuer, what, &mut report)?;
            }
            BadKind::WrongKeyUsage => {
                p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
                write_pair(&cert_path, &key_path, p, &issuer, what, &mut report)?;
            }
            BadKind::UnknownCa => {
                let rogue_key = KeyPair::generate().map_err(gen_err("rogue CA"))?;
                let rogue_cert =
                    ca_params("Rogue CA (not trusted)").self_signed(&rogue_key).map_err(gen_err("rogue CA"))?;
                let rogue = Issuer { cert: rogue_cert, key: rogue_key };
                write_pair(&cert_path, &key_path, p, &rogue, what, &mut report)?;
            }
        }
    }
    Ok(report)
}

/// Issues a certificate for a system registered after `init` (a vendor's own), signed by the
/// test CA, and writes it under `systems/`. An existing certificate of that name is replaced.
pub fn issue_system(paths: &CertPaths, id: &CertIdentity) -> Result<(String, String), PkiError> {
    let issuer = load_issuer(paths)?;
    let key = KeyPair::generate().map_err(gen_err(&id.common_name))?;
    let cert = system_params(id).signed_by(&key, &issuer.cert, &issuer.key).map_err(gen_err(&id.common_name))?;
    let mut report = InitReport::default();
    write(&paths.system_cert(&id.common_name), &cert.pem(), &mut report)?;
    write(&paths.system_key(&id.common_name), &key.serialize_pem(), &mut report)?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// Whether the files `serve` needs are all present.
pub fn is_complete(paths: &CertPaths, registry: &Registry) -> bool {
    [paths.ca_cert(), paths.ca_key(), paths.server_cert(), paths.server_key()].iter().all(|p| p.exists())
        && registry.certificate_subjects().iter().all(|id| paths.system_cert(&id.common_name).exists())
}

/// Reads CN and subject serialNumber from a DER certificate.
pub fn identity_of(der: &[u8]) -> Result<CertIdentity, PkiError> {
    use x509_parser::prelude::*;
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| PkiError::BadCertificate(e.to_string()))?;
    let subject = cert.subject();
    let mut cn = None;
    let mut serial = None;
    for attr in subject.iter_attributes() {
        let oid = attr.attr_type().to_id_string();
        let value = attr.as_str().ok().map(str::to_string);
        match oid.as_str() {
            "2.5.4.3" => cn = cn.or(value),
            "2.5.4.5" => serial = serial.or(value),
            _ => {}
        }
    }
    Ok(CertIdentity {
        common_name: cn.ok_or_else(|| PkiError::BadCertificate("subject has no CN".into()))?,
        organisation: serial
            .ok_or_else(|| PkiError::BadCertificate("subject has no serialNumber (the organisation OID)".into()))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry() -> Registry {
        Registry::parse(
            r#"
[[system]]
name = "alpha"
oid = "1.2.246.10.99999901.11.1"
organisation = "1.2.246.10.99999901"
[[system.controller]]
oid = "1.2.246.10.99999901"
profile = "liittyva"
[[unregistered]]
name = "stranger"
organisation = "1.2.246.10.99999999"
"#,
        )
        .expect("registry")
    }

    #[test]
    fn init_writes_everything_then_keeps_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let paths = CertPaths::new(dir.path());
        let first = init(&paths, &registry(), false).expect("init");
        assert!(first.kept.is_empty());
        assert!(paths.system_cert("stranger").exists());
        assert!(paths.bad_cert(BadKind::UnknownCa).exists());
        assert!(is_complete(&paths, &registry()));
        let ca_before = fs::read(paths.ca_cert()).expect("ca");
        let second = init(&paths, &registry(), false).expect("init again");
        assert!(second.written.is_empty(), "{:?}", second.written);
        assert_eq!(ca_before, fs::read(paths.ca_cert()).expect("ca"));
        let third = init(&paths, &registry(), true).expect("force");
        assert!(third.kept.is_empty());
        assert_ne!(ca_before, fs::read(paths.ca_cert()).expect("ca"));
    }

    #[test]
    fn system_certificate_carries_name_and_organisation() {
        let dir = tempfile::tempdir().expect("tempdir");
        let paths = CertPaths::new(dir.path());
        init(&paths, &registry(), false).expect("init");
        let pem = fs::read(paths.system_cert("alpha")).expect("read");
        let der = rustls_pemfile::certs(&mut pem.as_slice()).next().expect("one").expect("pem");
        let id = identity_of(&der).expect("identity");
        assert_eq!(id.common_name, "alpha");
        assert_eq!(id.organisation, "1.2.246.10.99999901");
    }

    #[test]
    fn refuses_certs_without_ca_unless_forced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let paths = CertPaths::new(dir.path());
        init(&paths, &registry(), false).expect("init");
        fs::remove_file(paths.ca_key()).expect("rm");
        assert!(matches!(init(&paths, &registry(), false), Err(PkiError::Inconsistent(_))));
        init(&paths, &registry(), true).expect("force");
    }
}
