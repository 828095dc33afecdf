//! XML signatures checked against another implementation: Debian's xmlsec1 (libxmlsec1 on
//! OpenSSL) verifies what the simulator signs, and the simulator verifies what xmlsec1 signs —
//! the same signature profile real SHA documents carry (signatureCollection, exclusive c14n,
//! rsa-sha256, references to the body and the timestamp by ID). `.ci/run` installs xmlsec1.

mod common;

use std::path::Path;
use std::process::Command;

use sha_simulator::dsig::{self, Outcome, SignatureKind, SigningKey, Trust};
use sha_simulator::pki::{CertPaths, KeyAlgorithm, PkiOptions};
use time::macros::datetime;

const AT: time::OffsetDateTime = datetime!(2026-11-16 10:16 UTC);

fn pki(dir: &Path) -> CertPaths {
    let paths = CertPaths::new(dir);
    let registry = sha_simulator::registry::Registry::load(&common::testdata().join("systems.toml")).expect("registry");
    let opts = PkiOptions { algorithm: KeyAlgorithm::Rsa(2048), force: false, reuse_keys: true };
    sha_simulator::pki::init(&paths, &registry, &[], &opts).expect("pki");
    paths
}

/// The hand-written structured plan, written compact by the codec.
fn plan() -> Vec<u8> {
    let text = std::fs::read(common::testdata().join("handwritten/suunnitelma.xml")).expect("fixture");
    let root = sha_simulator::xml::parse(&text, sha_simulator::xml::Limits::default()).expect("xml");
    sha_simulator::wire::cda::to_bytes(&sha_simulator::wire::cda::read(&root).0)
}

fn xmlsec(args: &[&str], file: &Path) -> (bool, String) {
    let out = Command::new("xmlsec1")
        .args(args)
        .args(["--id-attr:ID", "urn:hl7-org:v3:nonXMLBody", "--id-attr:ID", "urn:hl7finland:signatureTimestamp"])
        .arg(file)
        .output()
        .expect("xmlsec1 runs");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// The system signing key of `liittymisvelvoite-atj` in the certificates at `paths`.
fn system_key(paths: &sha_simulator::pki::CertPaths) -> SigningKey {
    SigningKey::load(
        SignatureKind::System,
        &paths.signing_cert("liittymisvelvoite-atj"),
        &paths.signing_key("liittymisvelvoite-atj"),
    )
    .expect("key")
}

#[test]
fn xmlsec1_verifies_what_the_simulator_signs() {
    if common::external_tool("xmlsec1", "Debian package xmlsec1").is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let paths = pki(&dir.path().join("certs"));
    let key = system_key(&paths);
    let signed = dsig::sign(&plan(), &key, AT).expect("signed");
    let file = dir.path().join("signed.xml");
    std::fs::write(&file, &signed).expect("write");
    let ca = paths.ca_cert().display().to_string();
    let service = paths.service_ca_cert().display().to_string();
    let (ok, out) = xmlsec(&["--verify", "--trusted-pem", &ca, "--untrusted-pem", &service], &file);
    assert!(ok, "{out}");
    // A changed byte of the body: xmlsec1 refuses it too.
    let text = String::from_utf8(signed).expect("utf-8");
    let i = text.find("representation=\"B64\">").expect("body") + 40;
    let mut bytes = text.into_bytes();
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    std::fs::write(&file, &bytes).expect("write");
    let (ok, out) = xmlsec(&["--verify", "--trusted-pem", &ca, "--untrusted-pem", &service], &file);
    assert!(!ok, "xmlsec1 accepted a changed document: {out}");
}

#[test]
fn the_simulator_verifies_what_xmlsec1_signs() {
    if common::external_tool("xmlsec1", "Debian package xmlsec1").is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let paths = pki(&dir.path().join("certs"));
    let key = system_key(&paths);
    // A template: our signature's shape with its values emptied for xmlsec1 to fill.
    let ours = String::from_utf8(dsig::sign(&plan(), &key, AT).expect("signed")).expect("utf-8");
    let blank = |s: &str, open: &str, close: &str| -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find(open) {
            let j = rest[i..].find(close).expect("closed") + i;
            out.push_str(&rest[..i + open.len()]);
            rest = &rest[j..];
        }
        out.push_str(rest);
        out
    };
    let mut template = blank(&ours, "<DigestValue>", "</DigestValue>");
    template = blank(&template, "<SignatureValue>", "</SignatureValue>");
    let start = template.find("<X509Data>").expect("X509Data");
    let end = template.find("</X509Data>").expect("end") + "</X509Data>".len();
    template.replace_range(start..end, "<X509Data><X509Certificate/></X509Data>");
    let tpl = dir.path().join("template.xml");
    std::fs::write(&tpl, &template).expect("write");
    let out_file = dir.path().join("xmlsec-signed.xml");
    let keyarg = format!(
        "{},{}",
        paths.signing_key("liittymisvelvoite-atj").display(),
        paths.signing_cert("liittymisvelvoite-atj").display()
    );
    let (ok, out) = xmlsec(&["--sign", "--privkey-pem", &keyarg, "--output", &out_file.display().to_string()], &tpl);
    assert!(ok, "{out}");
    let signed = std::fs::read(&out_file).expect("signed by xmlsec1");
    let trust = Trust::from_certs(&paths, &[]);
    let checked = dsig::verify(&signed, &trust, AT).expect("readable");
    assert_eq!(checked.len(), 1);
    assert_eq!(checked[0].outcome, Outcome::Valid, "{checked:?}");
    // And a changed byte in xmlsec1's signed document is caught.
    let text = String::from_utf8(signed).expect("utf-8");
    let i = text.find("representation=\"B64\">").expect("body") + 40;
    let mut bytes = text.into_bytes();
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    let checked = dsig::verify(&bytes, &trust, AT).expect("readable");
    assert!(matches!(checked[0].outcome, Outcome::DigestMismatch { .. }), "{checked:?}");
}

/// A vendor's own CA (here: a second PKI standing in for DVV TEST) trusted with one command:
/// its system certificate then passes the handshake and its signatures verify, while before
/// it the handshake is refused.
#[tokio::test]
async fn a_vendors_own_ca_is_trusted_with_one_command() {
    let sim = common::Sim::start().await;
    let other = tempfile::tempdir().expect("tmp");
    // Keys of its own: the suite's PKIs share keys within a process (reuse_keys), a vendor's does not.
    let vendor = CertPaths::new(other.path());
    let registry = sha_simulator::registry::Registry::load(&common::testdata().join("systems.toml")).expect("registry");
    let opts = PkiOptions { algorithm: KeyAlgorithm::EcdsaP256, force: false, reuse_keys: false };
    sha_simulator::pki::init(&vendor, &registry, &[], &opts).expect("vendor pki");
    let endpoint = sim.endpoint();
    let query = std::fs::read_to_string(common::testdata().join("messages/kooste-query.xml")).expect("fixture");
    let send = |certs: CertPaths| {
        let endpoint = endpoint.clone();
        let query = query.clone();
        let ca = sim.running.certs.ca_cert();
        async move {
            let client = sha_simulator::client::SoapClient::new(
                &endpoint,
                &ca,
                Some((&certs.system_cert("liittymisvelvoite-atj"), &certs.system_key("liittymisvelvoite-atj"))),
            )
            .expect("client");
            client.send(sha_simulator::wire::soap::SoapVersion::V11, query).await
        }
    };
    assert!(send(vendor.clone()).await.is_err(), "an untrusted CA's certificate passed the handshake");
    // `sha-simulator certs trust FILE`, then a restart.
    let out = Command::new(env!("CARGO_BIN_EXE_sha-simulator"))
        .args(["certs", "trust"])
        .arg(vendor.ca_cert())
        .arg("--certs")
        .arg(sim.certs_dir.path())
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("trusted CN=SHA simulator TEST Root CA"));
    let sim = sim.restart().await;
    let endpoint = sim.endpoint();
    let client = sha_simulator::client::SoapClient::new(
        &endpoint,
        &sim.running.certs.ca_cert(),
        Some((&vendor.system_cert("liittymisvelvoite-atj"), &vendor.system_key("liittymisvelvoite-atj"))),
    )
    .expect("client");
    let r = client.send(sha_simulator::wire::soap::SoapVersion::V11, query.clone()).await.expect("handshake accepted");
    assert!(r.body.contains("<acknowledgement typeCode=\"AA\""), "{}", r.body);
    // Its signatures are trusted too.
    let key = system_key(&vendor);
    let signed = dsig::sign(&plan(), &key, AT).expect("signed");
    let checked = dsig::verify(&signed, sim.running.state.archive.trust(), AT).expect("readable");
    assert_eq!(checked[0].outcome, Outcome::Valid, "{checked:?}");
}
