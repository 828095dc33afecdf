//! Test PKI: the certificates a vendor's system and the simulator use for
//! mutual TLS and for signing documents, made with rcgen in the shape of DVV's
//! social welfare and health care certificates — and reading a system's
//! identity back out of one.
//!
//! Owns: the `certs/` layout, generation (a root CA, an intermediate for
//! service certificates and one for professionals, the server, one TLS and one
//! signing certificate per system, one signing certificate per test
//! professional, deliberately bad ones), the CAs a vendor adds (`certs trust`),
//! and `CertIdentity` extraction from a DER certificate.
//! Must not touch: the TLS server itself (transport) or the registry file format.
//!
//! Facts (SPEC §6.1): DVV's system certificates have RSA keys of 2048–4096
//! bits, come from an intermediate CA for service certificates, carry the
//! organisation OID in the subject serialNumber and a system name in CN, and
//! carry Authority and Subject Key Identifiers. Choices (docs/pki.md): the CA
//! names, validity periods, the professional's registration number in the
//! serialNumber of a professional signing certificate, and the key usages of
//! the signing certificates.

use std::collections::HashMap;
use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};

use crate::registry::{CertIdentity, Registry};

/// Subject attribute `serialNumber` (2.5.4.5): the organisation OID, or a professional's registration number.
const SERIAL_NUMBER_OID: [u64; 4] = [2, 5, 4, 5];

/// What a `certs/` directory made by this version says about itself; a directory
/// without it was made by an older layout (ECDSA, one CA) and is made anew.
const LAYOUT: &str = "2: RSA or ECDSA keys; root -> service-ca (server, systems, system signing) and professional-ca";

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
    /// An RSA key could not be made.
    #[error("cannot make an RSA key for {what}: {reason}")]
    Key {
        /// For which certificate.
        what: String,
        /// Cause.
        reason: String,
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

/// The key algorithm of generated certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    /// RSA with this many bits (DVV's: 2048–4096).
    Rsa(usize),
    /// ECDSA on P-256.
    EcdsaP256,
}

impl Default for KeyAlgorithm {
    /// RSA 3072, within DVV's range.
    fn default() -> Self {
        KeyAlgorithm::Rsa(3072)
    }
}

impl std::str::FromStr for KeyAlgorithm {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "rsa" | "rsa3072" => Ok(KeyAlgorithm::Rsa(3072)),
            "rsa2048" => Ok(KeyAlgorithm::Rsa(2048)),
            "rsa4096" => Ok(KeyAlgorithm::Rsa(4096)),
            "ecdsa" | "ecdsa-p256" | "p256" => Ok(KeyAlgorithm::EcdsaP256),
            other => Err(format!("unknown key algorithm '{other}': use rsa2048, rsa3072, rsa4096 or ecdsa")),
        }
    }
}

impl std::fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyAlgorithm::Rsa(bits) => write!(f, "rsa{bits}"),
            KeyAlgorithm::EcdsaP256 => f.write_str("ecdsa"),
        }
    }
}

/// How `init` works.
#[derive(Debug, Clone, Default)]
pub struct PkiOptions {
    /// Key algorithm of new certificates.
    pub algorithm: KeyAlgorithm,
    /// Make everything anew, keeping nothing.
    pub force: bool,
    /// Reuse a key made earlier in this process for the same name and algorithm. For test
    /// suites that make many throwaway PKIs: RSA keys take long to make. Two PKIs made so in
    /// one process share their keys, so each trusts the other's certificates: a test of trust
    /// between PKIs makes the second without it. Never for `certs init`.
    pub reuse_keys: bool,
}

/// A test professional who signs documents (SPEC §6.3: registration number, root 1.2.246.537.26).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// Registration number (Valvira / Terhikki), the certificate's serialNumber.
    pub registration_number: String,
    /// The name, the certificate's CN.
    pub name: String,
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
    /// The root CA certificate (PEM): the trust anchor clients give as `--cacert`.
    pub fn ca_cert(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }
    /// The root CA's private key.
    pub fn ca_key(&self) -> PathBuf {
        self.dir.join("ca.key")
    }
    /// The intermediate CA for service certificates (server, systems, system signing).
    pub fn service_ca_cert(&self) -> PathBuf {
        self.dir.join("service-ca.pem")
    }
    /// Its key.
    pub fn service_ca_key(&self) -> PathBuf {
        self.dir.join("service-ca.key")
    }
    /// The intermediate CA for professionals' signing certificates.
    pub fn professional_ca_cert(&self) -> PathBuf {
        self.dir.join("professional-ca.pem")
    }
    /// Its key.
    pub fn professional_ca_key(&self) -> PathBuf {
        self.dir.join("professional-ca.key")
    }
    /// The simulator's server certificate, followed by its intermediate.
    pub fn server_cert(&self) -> PathBuf {
        self.dir.join("server.pem")
    }
    /// The simulator's server key.
    pub fn server_key(&self) -> PathBuf {
        self.dir.join("server.key")
    }
    /// A system's TLS certificate, followed by its intermediate.
    pub fn system_cert(&self, name: &str) -> PathBuf {
        self.dir.join("systems").join(format!("{name}.pem"))
    }
    /// A system's TLS key.
    pub fn system_key(&self, name: &str) -> PathBuf {
        self.dir.join("systems").join(format!("{name}.key"))
    }
    /// A system's signing certificate (järjestelmäallekirjoitus), followed by its intermediate.
    pub fn signing_cert(&self, name: &str) -> PathBuf {
        self.dir.join("signing").join(format!("{name}.pem"))
    }
    /// Its key.
    pub fn signing_key(&self, name: &str) -> PathBuf {
        self.dir.join("signing").join(format!("{name}.key"))
    }
    /// A professional's signing certificate, by registration number, followed by its intermediate.
    pub fn professional_cert(&self, registration_number: &str) -> PathBuf {
        self.dir.join("professionals").join(format!("{registration_number}.pem"))
    }
    /// Its key.
    pub fn professional_key(&self, registration_number: &str) -> PathBuf {
        self.dir.join("professionals").join(format!("{registration_number}.key"))
    }
    /// CA certificates a vendor added (`certs trust`), one PEM file each.
    pub fn trusted_dir(&self) -> PathBuf {
        self.dir.join("trusted")
    }
    /// A deliberately bad certificate (`kind` is one of [`BadKind::file_stem`]).
    pub fn bad_cert(&self, kind: BadKind) -> PathBuf {
        self.dir.join("bad").join(format!("{}.pem", kind.file_stem()))
    }
    /// Its key.
    pub fn bad_key(&self, kind: BadKind) -> PathBuf {
        self.dir.join("bad").join(format!("{}.key", kind.file_stem()))
    }
    fn layout(&self) -> PathBuf {
        self.dir.join("LAYOUT")
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
    /// The directory held certificates of an older layout, which were replaced.
    pub replaced_old_layout: bool,
}

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> PkiError + 'a {
    move |source| PkiError::Io { action, path: path.to_path_buf(), source }
}

fn gen_err(what: &str) -> impl FnOnce(rcgen::Error) -> PkiError + '_ {
    move |source| PkiError::Generate { what: what.to_string(), source }
}

/// Keys made in this process, by algorithm and name, for [`PkiOptions::reuse_keys`].
fn key_cache() -> &'static Mutex<HashMap<(KeyAlgorithm, String), String>> {
    static CACHE: OnceLock<Mutex<HashMap<(KeyAlgorithm, String), String>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// A new key pair (PKCS#8) for the certificate `what`.
pub fn new_key(alg: KeyAlgorithm, what: &str) -> Result<KeyPair, PkiError> {
    match alg {
        KeyAlgorithm::EcdsaP256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(gen_err(what)),
        KeyAlgorithm::Rsa(bits) => {
            use rsa::pkcs8::EncodePrivateKey;
            let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, bits)
                .map_err(|e| PkiError::Key { what: what.to_string(), reason: e.to_string() })?;
            let der =
                key.to_pkcs8_der().map_err(|e| PkiError::Key { what: what.to_string(), reason: e.to_string() })?;
            let der = rustls::pki_types::PrivatePkcs8KeyDer::from(der.as_bytes().to_vec());
            KeyPair::from_pkcs8_der_and_sign_algo(&der, &rcgen::PKCS_RSA_SHA256).map_err(gen_err(what))
        }
    }
}

/// Makes the keys for `names` on every core (RSA keys take long), reusing cached ones if asked.
fn make_keys(names: &[String], opts: &PkiOptions) -> Result<HashMap<String, KeyPair>, PkiError> {
    let mut out = HashMap::new();
    let mut todo = Vec::new();
    for n in names {
        let cached = if opts.reuse_keys {
            key_cache()
                .lock()
                .map_err(|_| PkiError::Inconsistent("key cache poisoned".into()))?
                .get(&(opts.algorithm, n.clone()))
                .cloned()
        } else {
            None
        };
        match cached {
            Some(pem) => {
                out.insert(n.clone(), KeyPair::from_pem(&pem).map_err(gen_err(n))?);
            }
            None => todo.push(n.clone()),
        }
    }
    let workers = std::thread::available_parallelism().map(usize::from).unwrap_or(1).clamp(1, 8);
    let chunk = todo.len().div_ceil(workers).max(1);
    let made: Vec<Result<(String, KeyPair), PkiError>> = std::thread::scope(|s| {
        let handles: Vec<_> = todo
            .chunks(chunk)
            .map(|names| {
                s.spawn(move || {
                    names.iter().map(|n| new_key(opts.algorithm, n).map(|k| (n.clone(), k))).collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(v) => v,
                Err(_) => vec![Err(PkiError::Inconsistent("key generation thread panicked".into()))],
            })
            .collect()
    });
    for r in made {
        let (n, k) = r?;
        if opts.reuse_keys {
            if let Ok(mut c) = key_cache().lock() {
                c.insert((opts.algorithm, n.clone()), k.serialize_pem());
            }
        }
        out.insert(n, k);
    }
    Ok(out)
}

/// A fresh positive 16-byte serial number (rcgen's default derives it from the key, so two
/// certificates for one key would share a serial).
fn serial() -> SerialNumber {
    let mut b = *uuid::Uuid::new_v4().as_bytes();
    b[0] &= 0x7f;
    b[0] |= 0x01;
    SerialNumber::from_slice(&b)
}

// Validity of the good certificates: wide enough that the simulator's clock can
// be moved back to the phase I/II years (2018–) and forward past 2030.
fn base_params(dn: DistinguishedName) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = dn;
    p.not_before = rcgen::date_time_ymd(2015, 1, 1);
    p.not_after = rcgen::date_time_ymd(2036, 1, 1);
    p.serial_number = Some(serial());
    p.use_authority_key_identifier_extension = true;
    p.is_ca = IsCa::ExplicitNoCa;
    p
}

fn dn(cn: &str, serial_number: Option<&str>, org: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    if let Some(s) = serial_number {
        dn.push(DnType::CustomDnType(SERIAL_NUMBER_OID.to_vec()), s);
    }
    dn.push(DnType::OrganizationName, org);
    dn.push(DnType::CountryName, "FI");
    dn
}

fn ca_params(cn: &str, path_len: Option<u8>) -> CertificateParams {
    let mut p = base_params(dn(cn, None, "SHA simulator test PKI"));
    p.is_ca = IsCa::Ca(match path_len {
        Some(n) => BasicConstraints::Constrained(n),
        None => BasicConstraints::Unconstrained,
    });
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    // CAs outlive every certificate they issue, the deliberately expired and not-yet-valid
    // ones included, so that a moved clock tests the leaf and nothing else.
    p.not_before = rcgen::date_time_ymd(2005, 1, 1);
    p.not_after = rcgen::date_time_ymd(2050, 1, 1);
    p
}

fn system_params(id: &CertIdentity) -> CertificateParams {
    let mut p = base_params(dn(&id.common_name, Some(&id.organisation), "Test organisation"));
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth, ExtendedKeyUsagePurpose::ServerAuth];
    p
}

/// A signing certificate: digital signature and non-repudiation, no extended key usage (choice).
fn signing_params(cn: &str, serial_number: &str, org: &str) -> CertificateParams {
    let mut p = base_params(dn(cn, Some(serial_number), org));
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::ContentCommitment];
    p
}

fn server_params() -> Result<CertificateParams, PkiError> {
    let mut p = base_params(dn("localhost", None, "SHA simulator"));
    p.subject_alt_names = vec![
        SanType::DnsName("localhost".try_into().map_err(gen_err("server"))?),
        SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        SanType::IpAddress(IpAddr::V6(Ipv6Addr::LOCALHOST)),
    ];
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    Ok(p)
}

struct Issuer {
    cert: Certificate,
    key: KeyPair,
    /// The issuer's own certificate as written (PEM), appended to what it issues.
    pem: String,
    /// Whether what it issues carries it as the chain (intermediates) or not (the root).
    chain: bool,
}

fn write(path: &Path, contents: &str, report: &mut InitReport) -> Result<(), PkiError> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io("create", parent))?;
    }
    fs::write(path, contents).map_err(io("write", path))?;
    report.written.push(path.to_path_buf());
    Ok(())
}

/// Signs `params` for `key` by `issuer` and writes the certificate (with the issuer's chain) and key.
fn issue(
    cert_path: &Path,
    key_path: &Path,
    params: CertificateParams,
    key: &KeyPair,
    issuer: &Issuer,
    what: &str,
    report: &mut InitReport,
) -> Result<(String, String), PkiError> {
    let cert = params.signed_by(key, &issuer.cert, &issuer.key).map_err(gen_err(what))?;
    let mut pem = cert.pem();
    if issuer.chain {
        pem.push_str(&issuer.pem);
    }
    write(cert_path, &pem, report)?;
    write(key_path, &key.serialize_pem(), report)?;
    Ok((pem, key.serialize_pem()))
}

fn load_issuer(cert_path: &Path, key_path: &Path, chain: bool, what: &str) -> Result<Issuer, PkiError> {
    let cert_pem = fs::read_to_string(cert_path).map_err(io("read", cert_path))?;
    let key_pem = fs::read_to_string(key_path).map_err(io("read", key_path))?;
    let key = KeyPair::from_pem(&key_pem).map_err(gen_err(what))?;
    let first = first_pem_block(&cert_pem)
        .ok_or_else(|| PkiError::Inconsistent(format!("{} holds no certificate", cert_path.display())))?;
    let params = CertificateParams::from_ca_cert_pem(&first).map_err(gen_err(what))?;
    // Re-signing the same parameters with the same key gives an issuer with the same subject,
    // key and key identifier, which is all issuing needs.
    let cert = params.self_signed(&key).map_err(gen_err(what))?;
    Ok(Issuer { cert, key, pem: first, chain })
}

fn first_pem_block(pem: &str) -> Option<String> {
    let start = pem.find("-----BEGIN CERTIFICATE-----")?;
    let end = pem[start..].find("-----END CERTIFICATE-----")? + start + "-----END CERTIFICATE-----".len();
    Some(format!("{}\n", &pem[start..end]))
}

/// Creates the test PKI under `paths.dir` for the systems in `registry` and the test `signers`.
///
/// Idempotent: existing files are kept unless `force`. A directory with certificates but no
/// root CA is refused (its certificates could not be re-issued consistently) unless `force`;
/// a directory of an older layout is made anew (`InitReport::replaced_old_layout`).
pub fn init(
    paths: &CertPaths,
    registry: &Registry,
    signers: &[Signer],
    opts: &PkiOptions,
) -> Result<InitReport, PkiError> {
    let mut report = InitReport::default();
    let mut force = opts.force;
    let ca_exists = paths.ca_cert().exists() && paths.ca_key().exists();
    if ca_exists && !force && fs::read_to_string(paths.layout()).map(|l| l.trim() != LAYOUT).unwrap_or(true) {
        report.replaced_old_layout = true;
        force = true;
    }
    if !ca_exists && !force && paths.server_cert().exists() {
        return Err(PkiError::Inconsistent(format!(
            "{} holds certificates but no test CA (ca.pem + ca.key); rerun with --force to make a new PKI",
            paths.dir.display()
        )));
    }
    // Everything under a new root must be issued anew.
    let force = force || !ca_exists;
    let wanted = |p: &Path, report: &mut InitReport| {
        if !force && p.exists() {
            report.kept.push(p.to_path_buf());
            false
        } else {
            true
        }
    };

    // Which keys are needed, made together on every core.
    let mut names: Vec<String> = Vec::new();
    let needs = |p: PathBuf, name: String, names: &mut Vec<String>| {
        if force || !p.exists() {
            names.push(name);
        }
    };
    needs(paths.ca_cert(), "ca".into(), &mut names);
    needs(paths.service_ca_cert(), "service-ca".into(), &mut names);
    needs(paths.professional_ca_cert(), "professional-ca".into(), &mut names);
    needs(paths.server_cert(), "server".into(), &mut names);
    let subjects = registry.certificate_subjects();
    for id in &subjects {
        needs(paths.system_cert(&id.common_name), format!("system:{}", id.common_name), &mut names);
        needs(paths.signing_cert(&id.common_name), format!("signing:{}", id.common_name), &mut names);
    }
    for s in signers {
        needs(
            paths.professional_cert(&s.registration_number),
            format!("professional:{}", s.registration_number),
            &mut names,
        );
    }
    if BadKind::ALL.iter().any(|k| force || !paths.bad_cert(*k).exists()) {
        names.push("bad".into());
        names.push("rogue-ca".into());
    }
    let mut keys = make_keys(&names, opts)?;
    let mut key = |name: &str| -> Result<KeyPair, PkiError> {
        keys.remove(name).ok_or_else(|| PkiError::Inconsistent(format!("no key was made for {name}")))
    };

    let root = if force {
        let k = key("ca")?;
        let cert = ca_params("SHA simulator TEST Root CA", None).self_signed(&k).map_err(gen_err("root CA"))?;
        write(&paths.ca_cert(), &cert.pem(), &mut report)?;
        write(&paths.ca_key(), &k.serialize_pem(), &mut report)?;
        Issuer { pem: cert.pem(), cert, key: k, chain: false }
    } else {
        report.kept.push(paths.ca_cert());
        load_issuer(&paths.ca_cert(), &paths.ca_key(), false, "root CA")?
    };
    let intermediate = |cert_path: PathBuf,
                        key_path: PathBuf,
                        cn: &str,
                        name: &str,
                        key: &mut dyn FnMut(&str) -> Result<KeyPair, PkiError>,
                        report: &mut InitReport|
     -> Result<Issuer, PkiError> {
        if force || !cert_path.exists() {
            let k = key(name)?;
            let cert = ca_params(cn, Some(0)).signed_by(&k, &root.cert, &root.key).map_err(gen_err(cn))?;
            write(&cert_path, &cert.pem(), report)?;
            write(&key_path, &k.serialize_pem(), report)?;
            Ok(Issuer { pem: cert.pem(), cert, key: k, chain: true })
        } else {
            report.kept.push(cert_path.clone());
            load_issuer(&cert_path, &key_path, true, cn)
        }
    };
    let service = intermediate(
        paths.service_ca_cert(),
        paths.service_ca_key(),
        "SHA simulator TEST Social Welfare and Healthcare Service Certs",
        "service-ca",
        &mut key,
        &mut report,
    )?;
    let professional = intermediate(
        paths.professional_ca_cert(),
        paths.professional_ca_key(),
        "SHA simulator TEST Social Welfare and Healthcare Professional Certs",
        "professional-ca",
        &mut key,
        &mut report,
    )?;

    if wanted(&paths.server_cert(), &mut report) {
        let k = key("server")?;
        issue(&paths.server_cert(), &paths.server_key(), server_params()?, &k, &service, "server", &mut report)?;
    }
    for id in &subjects {
        let cert_path = paths.system_cert(&id.common_name);
        if wanted(&cert_path, &mut report) {
            let k = key(&format!("system:{}", id.common_name))?;
            let key_path = paths.system_key(&id.common_name);
            issue(&cert_path, &key_path, system_params(id), &k, &service, &id.common_name, &mut report)?;
        }
        let sign_path = paths.signing_cert(&id.common_name);
        if wanted(&sign_path, &mut report) {
            let k = key(&format!("signing:{}", id.common_name))?;
            let p = signing_params(&id.common_name, &id.organisation, "Test organisation");
            issue(&sign_path, &paths.signing_key(&id.common_name), p, &k, &service, &id.common_name, &mut report)?;
        }
    }
    for s in signers {
        let cert_path = paths.professional_cert(&s.registration_number);
        if wanted(&cert_path, &mut report) {
            let k = key(&format!("professional:{}", s.registration_number))?;
            let p = signing_params(&s.name, &s.registration_number, "Test professionals");
            let key_path = paths.professional_key(&s.registration_number);
            issue(&cert_path, &key_path, p, &k, &professional, &s.registration_number, &mut report)?;
        }
    }

    // Bad certificates carry the identity of the first registered system (and share one key),
    // so only the one thing that is wrong with each makes the difference.
    let victim = registry
        .systems()
        .first()
        .map(|s| s.cert_identity())
        .unwrap_or(CertIdentity { common_name: "no-system".into(), organisation: "1.2.246.10.0".into() });
    if names.iter().any(|n| n == "bad") {
        let bad_key = key("bad")?;
        let rogue_key = key("rogue-ca")?;
        let rogue_cert =
            ca_params("Rogue CA (not trusted)", None).self_signed(&rogue_key).map_err(gen_err("rogue CA"))?;
        let rogue = Issuer { pem: rogue_cert.pem(), cert: rogue_cert, key: rogue_key, chain: false };
        for kind in BadKind::ALL {
            let cert_path = paths.bad_cert(kind);
            if !wanted(&cert_path, &mut report) {
                continue;
            }
            let key_path = paths.bad_key(kind);
            let mut p = system_params(&victim);
            let mut by = &service;
            match kind {
                BadKind::Expired => {
                    p.not_before = rcgen::date_time_ymd(2010, 1, 1);
                    p.not_after = rcgen::date_time_ymd(2012, 1, 1);
                }
                BadKind::NotYetValid => {
                    p.not_before = rcgen::date_time_ymd(2040, 1, 1);
                    p.not_after = rcgen::date_time_ymd(2045, 1, 1);
                }
                BadKind::WrongKeyUsage => p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth],
                BadKind::UnknownCa => by = &rogue,
            }
            issue(&cert_path, &key_path, p, &bad_key, by, kind.file_stem(), &mut report)?;
        }
    }
    write(&paths.layout(), &format!("{LAYOUT}\n"), &mut report)?;
    Ok(report)
}

/// A system's certificates as issued: TLS and signing, each with its key (PEM).
#[derive(Debug, Clone)]
pub struct IssuedSystem {
    /// TLS certificate, followed by its intermediate.
    pub certificate_pem: String,
    /// TLS key.
    pub key_pem: String,
    /// Signing certificate, followed by its intermediate.
    pub signing_certificate_pem: String,
    /// Signing key.
    pub signing_key_pem: String,
}

/// Issues the TLS and signing certificates of a system registered after `init` (a vendor's
/// own), from the service CA, and writes them under `systems/` and `signing/`. Existing
/// certificates of that name are replaced.
pub fn issue_system(paths: &CertPaths, id: &CertIdentity, alg: KeyAlgorithm) -> Result<IssuedSystem, PkiError> {
    let service = load_issuer(&paths.service_ca_cert(), &paths.service_ca_key(), true, "service CA")?;
    let mut report = InitReport::default();
    let tls_key = new_key(alg, &id.common_name)?;
    let (certificate_pem, key_pem) = issue(
        &paths.system_cert(&id.common_name),
        &paths.system_key(&id.common_name),
        system_params(id),
        &tls_key,
        &service,
        &id.common_name,
        &mut report,
    )?;
    let sign_key = new_key(alg, &id.common_name)?;
    let (signing_certificate_pem, signing_key_pem) = issue(
        &paths.signing_cert(&id.common_name),
        &paths.signing_key(&id.common_name),
        signing_params(&id.common_name, &id.organisation, "Test organisation"),
        &sign_key,
        &service,
        &id.common_name,
        &mut report,
    )?;
    Ok(IssuedSystem { certificate_pem, key_pem, signing_certificate_pem, signing_key_pem })
}

/// Adds the CA certificates in a PEM file to the trusted ones (`certs/trusted/`): client
/// certificates and signatures that chain to them are accepted. Returns the subjects added.
pub fn trust(paths: &CertPaths, file: &Path) -> Result<Vec<String>, PkiError> {
    let pem = fs::read(file).map_err(io("read", file))?;
    let certs: Vec<_> = rustls_pemfile::certs(&mut pem.as_slice())
        .collect::<Result<_, _>>()
        .map_err(|e| PkiError::BadCertificate(format!("{}: {e}", file.display())))?;
    if certs.is_empty() {
        return Err(PkiError::BadCertificate(format!("{} holds no PEM certificate", file.display())));
    }
    let mut subjects = Vec::new();
    for der in &certs {
        use x509_parser::prelude::*;
        let (_, cert) =
            X509Certificate::from_der(der).map_err(|e| PkiError::BadCertificate(format!("{}: {e}", file.display())))?;
        if !cert.is_ca() {
            return Err(PkiError::BadCertificate(format!(
                "{}: '{}' is not a CA certificate (basicConstraints CA:TRUE); trust the CA that issued it",
                file.display(),
                cert.subject()
            )));
        }
        subjects.push(cert.subject().to_string());
    }
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("trusted");
    let safe: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    let target = paths.trusted_dir().join(format!("{safe}.pem"));
    let mut report = InitReport::default();
    write(&target, &String::from_utf8_lossy(&pem), &mut report)?;
    Ok(subjects)
}

/// The trust anchors for client certificates and signatures: the test root, every file in
/// `trusted/`, and `extra` (e.g. `serve --trust-ca`), as DER.
pub fn trust_anchors(paths: &CertPaths, extra: &[PathBuf]) -> Result<Vec<Vec<u8>>, PkiError> {
    let mut files = vec![paths.ca_cert()];
    if let Ok(rd) = fs::read_dir(paths.trusted_dir()) {
        let mut more: Vec<PathBuf> =
            rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "pem")).collect();
        more.sort();
        files.extend(more);
    }
    files.extend(extra.iter().cloned());
    let mut out = Vec::new();
    for f in files {
        out.extend(read_pem_certs(&f)?);
    }
    Ok(out)
}

/// The test PKI's intermediate CAs (DER), for building chains from leaves sent without them.
pub fn intermediates(paths: &CertPaths) -> Vec<Vec<u8>> {
    [paths.service_ca_cert(), paths.professional_ca_cert()]
        .iter()
        .filter_map(|p| read_pem_certs(p).ok())
        .flatten()
        .collect()
}

/// Every certificate in a PEM file, as DER.
pub fn read_pem_certs(path: &Path) -> Result<Vec<Vec<u8>>, PkiError> {
    let pem = fs::read(path).map_err(io("read", path))?;
    rustls_pemfile::certs(&mut pem.as_slice())
        .map(|r| r.map(|c| c.as_ref().to_vec()))
        .collect::<Result<_, _>>()
        .map_err(|e| PkiError::BadCertificate(format!("{}: {e}", path.display())))
}

/// Whether the files `serve` needs are all present, in the current layout.
pub fn is_complete(paths: &CertPaths, registry: &Registry, signers: &[Signer]) -> bool {
    fs::read_to_string(paths.layout()).is_ok_and(|l| l.trim() == LAYOUT)
        && [
            paths.ca_cert(),
            paths.ca_key(),
            paths.service_ca_cert(),
            paths.professional_ca_cert(),
            paths.server_cert(),
            paths.server_key(),
        ]
        .iter()
        .all(|p| p.exists())
        && registry
            .certificate_subjects()
            .iter()
            .all(|id| paths.system_cert(&id.common_name).exists() && paths.signing_cert(&id.common_name).exists())
        && signers.iter().all(|s| paths.professional_cert(&s.registration_number).exists())
}

/// Reads CN and subject serialNumber from a DER certificate. A subject with two CNs or two
/// serialNumbers names two systems at once and is refused, as is one lacking either.
pub fn identity_of(der: &[u8]) -> Result<CertIdentity, PkiError> {
    let (cns, serials) = subject_values_of(&certificate(der)?);
    let one = |v: Vec<String>, what: &str| match v.len() {
        1 => v.into_iter().next().ok_or_else(|| PkiError::BadCertificate(what.to_string())),
        0 => Err(PkiError::BadCertificate(format!("subject has no {what}"))),
        n => Err(PkiError::BadCertificate(format!("subject has {n} {what} attributes: {}", v.join(", ")))),
    };
    Ok(CertIdentity {
        common_name: one(cns, "CN")?,
        organisation: one(serials, "serialNumber (the organisation OID)")?,
    })
}

/// A DER certificate parsed; bytes that do not read as one are a [`PkiError::BadCertificate`].
fn certificate(der: &[u8]) -> Result<x509_parser::certificate::X509Certificate<'_>, PkiError> {
    use x509_parser::prelude::*;
    X509Certificate::from_der(der).map(|(_, cert)| cert).map_err(|e| PkiError::BadCertificate(e.to_string()))
}

/// The subject's CN and serialNumber values, in order.
fn subject_values_of(cert: &x509_parser::certificate::X509Certificate<'_>) -> (Vec<String>, Vec<String>) {
    use x509_parser::oid_registry::{OID_X509_COMMON_NAME, OID_X509_SERIALNUMBER};
    let mut cns = Vec::new();
    let mut serials = Vec::new();
    for attr in cert.subject().iter_attributes() {
        let value = || attr.as_str().map(str::to_string).unwrap_or_else(|_| "(not text)".into());
        if *attr.attr_type() == OID_X509_COMMON_NAME {
            cns.push(value());
        } else if *attr.attr_type() == OID_X509_SERIALNUMBER {
            serials.push(value());
        }
    }
    (cns, serials)
}

/// A certificate's subject CN and serialNumber (the first of each), when present.
pub fn subject_of(der: &[u8]) -> Result<(Option<String>, Option<String>), PkiError> {
    Ok(subject_of_parsed(&certificate(der)?))
}

/// [`subject_of`] for a certificate the caller has parsed already.
pub fn subject_of_parsed(cert: &x509_parser::certificate::X509Certificate<'_>) -> (Option<String>, Option<String>) {
    let (cns, serials) = subject_values_of(cert);
    (cns.into_iter().next(), serials.into_iter().next())
}

/// The whole subject as presented (for the journal), e.g. `CN=x, serialNumber=1.2.3, O=…`.
pub fn subject_text(der: &[u8]) -> String {
    use x509_parser::prelude::*;
    match X509Certificate::from_der(der) {
        Ok((_, cert)) => cert.subject().to_string(),
        Err(e) => format!("(unreadable certificate: {e})"),
    }
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

    fn signers() -> Vec<Signer> {
        vec![Signer { registration_number: "999000123".into(), name: "Sanna Sosiaalityöntekijä".into() }]
    }

    fn quick() -> PkiOptions {
        PkiOptions { algorithm: KeyAlgorithm::Rsa(2048), force: false, reuse_keys: true }
    }

    #[test]
    fn init_writes_everything_then_keeps_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let paths = CertPaths::new(dir.path());
        let first = init(&paths, &registry(), &signers(), &quick()).expect("init");
        assert!(first.kept.is_empty());
        assert!(paths.system_cert("stranger").exists() && paths.signing_cert("alpha").exists());
        assert!(paths.professional_cert("999000123").exists());
        assert!(paths.bad_cert(BadKind::UnknownCa).exists());
        assert!(is_complete(&paths, &registry(), &signers()));
        let ca_before = fs::read(paths.ca_cert()).expect("ca");
        let second = init(&paths, &registry(), &signers(), &quick()).expect("init again");
        assert!(second.written.iter().all(|p| p.ends_with("LAYOUT")), "{:?}", second.written);
        assert_eq!(ca_before, fs::read(paths.ca_cert()).expect("ca"));
        let third = init(&paths, &registry(), &signers(), &PkiOptions { force: true, ..quick() }).expect("force");
        assert!(third.kept.is_empty());
        assert_ne!(ca_before, fs::read(paths.ca_cert()).expect("ca"));
    }

    #[test]
    fn an_older_layout_is_made_anew() {
        let dir = tempfile::tempdir().expect("tempdir");
        let paths = CertPaths::new(dir.path());
        init(&paths, &registry(), &signers(), &quick()).expect("init");
        fs::remove_file(paths.layout()).expect("rm");
        assert!(!is_complete(&paths, &registry(), &signers()));
        let again = init(&paths, &registry(), &signers(), &quick()).expect("init");
        assert!(again.replaced_old_layout && again.kept.is_empty());
    }

    #[test]
    fn system_certificate_carries_name_organisation_and_its_chain() {
        let dir = tempfile::tempdir().expect("tempdir");
        let paths = CertPaths::new(dir.path());
        init(&paths, &registry(), &signers(), &quick()).expect("init");
        let chain = read_pem_certs(&paths.system_cert("alpha")).expect("read");
        assert_eq!(chain.len(), 2, "leaf and the service CA");
        let id = identity_of(&chain[0]).expect("identity");
        assert_eq!(id.common_name, "alpha");
        assert_eq!(id.organisation, "1.2.246.10.99999901");
        assert_eq!(chain[1], read_pem_certs(&paths.service_ca_cert()).expect("ca")[0]);
        use x509_parser::prelude::*;
        let (_, leaf) = X509Certificate::from_der(&chain[0]).expect("x509");
        let exts: Vec<String> = leaf.extensions().iter().map(|e| e.oid.to_id_string()).collect();
        for oid in ["2.5.29.35", "2.5.29.14", "2.5.29.19", "2.5.29.15", "2.5.29.37"] {
            assert!(exts.contains(&oid.to_string()), "{oid} missing from {exts:?}");
        }
        assert_eq!(leaf.public_key().algorithm.algorithm.to_id_string(), "1.2.840.113549.1.1.1", "RSA");
        let (_, prof) = subject_of(&read_pem_certs(&paths.professional_cert("999000123")).expect("p")[0]).expect("s");
        assert_eq!(prof.as_deref(), Some("999000123"));
    }

    #[test]
    fn refuses_certs_without_ca_unless_forced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let paths = CertPaths::new(dir.path());
        init(&paths, &registry(), &signers(), &quick()).expect("init");
        fs::remove_file(paths.ca_key()).expect("rm");
        assert!(matches!(init(&paths, &registry(), &signers(), &quick()), Err(PkiError::Inconsistent(_))));
        init(&paths, &registry(), &signers(), &PkiOptions { force: true, ..quick() }).expect("force");
    }

    #[test]
    fn only_ca_certificates_can_be_trusted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let paths = CertPaths::new(dir.path());
        init(&paths, &registry(), &signers(), &quick()).expect("init");
        assert!(matches!(trust(&paths, &paths.system_cert("alpha")), Err(PkiError::BadCertificate(_))));
        let other = tempfile::tempdir().expect("tempdir");
        let other_paths = CertPaths::new(other.path());
        init(
            &other_paths,
            &registry(),
            &signers(),
            &PkiOptions { reuse_keys: false, algorithm: KeyAlgorithm::EcdsaP256, force: false },
        )
        .expect("other");
        let added = trust(&paths, &other_paths.ca_cert()).expect("trust");
        assert_eq!(added.len(), 1);
        assert_eq!(trust_anchors(&paths, &[]).expect("anchors").len(), 2);
    }

    #[test]
    fn key_algorithms_parse() {
        assert_eq!("rsa".parse::<KeyAlgorithm>(), Ok(KeyAlgorithm::Rsa(3072)));
        assert_eq!("ECDSA".parse::<KeyAlgorithm>(), Ok(KeyAlgorithm::EcdsaP256));
        assert!("dsa".parse::<KeyAlgorithm>().is_err());
    }
}
