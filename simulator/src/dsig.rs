//! XML signatures (XML-DSig) in a CDA's `hl7fi:signatureCollection` (SPEC §6.3):
//! verifying every `ds:Signature` a document carries, and making one as a
//! client-record system does. One place for both directions, like the wire codec.
//!
//! What real SHA documents carry, and so what this supports: one `signature` per
//! signer under `signatureCollection` with a `signatureDescription` (40127: 1 a
//! professional's, 3 the system's), a `signatureTimestamp` with an `ID`, and a
//! `ds:Signature` whose references point by `#ID` at the body (`nonXMLBody
//! ID="OID<document id>"`) and at the timestamp, with exclusive canonicalisation,
//! SHA-256 digests and rsa-sha256, and the signer's X.509 certificate in `KeyInfo`.
//! Also accepted: inclusive canonicalisation, the enveloped-signature transform,
//! SHA-1/384/512 digests, RSA with SHA-1/384/512 and ECDSA P-256.
//!
//! Canonicalisation is bergshamra-c14n's (tested against the W3C and xmlsec suites),
//! on its own DOM (uppsala, through bergshamra-xml); signatures are ring's; a signer's
//! certificate chain is checked by webpki against the trusted CAs at the signing time.
//!
//! A document re-indented after it was signed (seen in published real test documents)
//! no longer matches its digests byte for byte. When a digest or the signature value
//! matches once whitespace-only text is left out, the finding is [`Outcome::Reformatted`],
//! not a forgery: the content is what was signed, its layout is not.

use std::collections::HashMap;

use base64::Engine as _;
use bergshamra_c14n::C14nMode;
use bergshamra_xml::nodeset::{NodeIdSet, NodeSetType};
use bergshamra_xml::uppsala::{self, Document, NodeId, NodeKind};
use bergshamra_xml::NodeSet;
use ring::signature;
use time::OffsetDateTime;

/// The XML-DSig namespace.
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The Finnish local header namespace.
const HL7FI_NS: &str = "urn:hl7finland";
/// Signature type code system (KanTa-palvelut - Sähköisen allekirjoituksen tyyppi).
pub const SIGNATURE_TYPE_SYSTEM: &str = "1.2.246.537.5.40127.2006";

const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const ECDSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";

/// Who signed, by `signatureDescription` (1.2.246.537.5.40127).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureKind {
    /// 1 Ammattihenkilön allekirjoitus: a professional's.
    Professional,
    /// 3 Järjestelmäallekirjoitus: the system's.
    System,
    /// Another code, or none.
    Other(Option<String>),
}

impl SignatureKind {
    /// The 40127 code.
    pub fn code(&self) -> Option<&str> {
        match self {
            SignatureKind::Professional => Some("1"),
            SignatureKind::System => Some("3"),
            SignatureKind::Other(c) => c.as_deref(),
        }
    }

    fn display(&self) -> &'static str {
        match self {
            SignatureKind::Professional => "Ammattihenkilön allekirjoitus",
            SignatureKind::System => "Järjestelmäallekirjoitus",
            SignatureKind::Other(_) => "",
        }
    }

    fn from_code(code: Option<&str>) -> Self {
        match code {
            Some("1") => SignatureKind::Professional,
            Some("3") => SignatureKind::System,
            other => SignatureKind::Other(other.map(str::to_string)),
        }
    }
}

/// What checking one signature found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every digest and the signature value match, and the signer chains to a trusted CA.
    Valid,
    /// Content and signature match only with whitespace-only text left out: the document
    /// was re-indented after signing (`what` names the part).
    Reformatted {
        /// The reference or "SignedInfo".
        what: String,
    },
    /// A referenced part changed after signing.
    DigestMismatch {
        /// The reference URI.
        reference: String,
    },
    /// The signature value does not verify with the certificate's key.
    BadSignatureValue,
    /// The signature cannot be checked: a part is missing, an algorithm unsupported, an id
    /// ambiguous, or the body not covered.
    Malformed(String),
    /// The signer's certificate does not chain to a trusted CA.
    Untrusted(String),
    /// The signer's certificate was not valid at the signing time.
    NotValidAtSigning(String),
}

/// One signature as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Whose.
    pub kind: SignatureKind,
    /// The `signature/@ID`, when present.
    pub id: Option<String>,
    /// The signer's certificate subject CN and serialNumber, when readable.
    pub signer: Option<(Option<String>, Option<String>)>,
    /// The signing time (`signatureTimestamp`), when readable.
    pub signed_at: Option<OffsetDateTime>,
    /// The verdict.
    pub outcome: Outcome,
    /// Further findings on a signature whose verdict is not [`Outcome::Valid`] for another reason
    /// (e.g. reformatted *and* untrusted).
    pub also: Vec<Outcome>,
}

/// The CAs signatures may chain to, and intermediates to build chains with (DER).
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// Trust anchors.
    pub anchors: Vec<Vec<u8>>,
    /// Intermediate CA certificates that signers may leave out of `KeyInfo`.
    pub intermediates: Vec<Vec<u8>>,
}

impl Trust {
    /// The trust of a certs directory: its root, `trusted/`, `extra`, and its intermediates.
    pub fn from_certs(paths: &crate::pki::CertPaths, extra: &[std::path::PathBuf]) -> Self {
        Trust {
            anchors: crate::pki::trust_anchors(paths, extra).unwrap_or_default(),
            intermediates: crate::pki::intermediates(paths),
        }
    }
}

/// A document that cannot be read for its signatures at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unreadable(pub String);

// ---------------------------------------------------------------------------------------------
// DOM helpers over uppsala.

fn element<'d, 'a>(doc: &'d Document<'a>, id: NodeId) -> Option<&'d uppsala::Element<'a>> {
    match doc.node_kind(id) {
        Some(NodeKind::Element(e)) => Some(e),
        _ => None,
    }
}

fn is(doc: &Document<'_>, id: NodeId, ns: &str, local: &str) -> bool {
    element(doc, id).is_some_and(|e| e.name.local_name == local && e.name.namespace_uri.as_deref() == Some(ns))
}

fn children<'d>(doc: &'d Document<'_>, id: NodeId) -> impl Iterator<Item = NodeId> + 'd {
    doc.children_iter(id).filter(move |c| element(doc, *c).is_some())
}

fn child(doc: &Document<'_>, id: NodeId, ns: &str, local: &str) -> Option<NodeId> {
    children(doc, id).find(|c| is(doc, *c, ns, local))
}

fn attr<'d>(doc: &'d Document<'_>, id: NodeId, name: &str) -> Option<&'d str> {
    element(doc, id)
        .and_then(|e| e.attributes.iter().find(|a| a.name.local_name == name && a.name.namespace_uri.is_none()))
        .map(|a| &*a.value)
}

fn text(doc: &Document<'_>, id: NodeId) -> String {
    doc.text_content_deep(id)
}

fn all_elements(doc: &Document<'_>) -> Vec<NodeId> {
    doc.descendants(doc.root()).into_iter().filter(|n| element(doc, *n).is_some()).collect()
}

/// Elements by their `ID` / `Id` attribute. An id used twice makes references ambiguous
/// (signature wrapping), so it is an error.
fn id_map(doc: &Document<'_>) -> Result<HashMap<String, NodeId>, String> {
    let mut m = HashMap::new();
    for n in all_elements(doc) {
        for name in ["ID", "Id"] {
            if let Some(v) = attr(doc, n, name) {
                if m.insert(v.to_string(), n).is_some() {
                    return Err(format!("the id '{v}' is used by two elements"));
                }
            }
        }
    }
    Ok(m)
}

fn whitespace_text_under(doc: &Document<'_>, root: NodeId) -> NodeIdSet {
    let mut s = NodeIdSet::default();
    for n in doc.descendants(root) {
        if let Some(NodeKind::Text(t)) = doc.node_kind(n) {
            if t.chars().all(char::is_whitespace) {
                s.insert(n.index());
            }
        }
    }
    s
}

/// Canonical bytes of the subtree at `node`, without the `exclude` subtree (enveloped
/// signature) and, when `strip`, without whitespace-only text.
fn canonical(
    doc: &Document<'_>,
    node: NodeId,
    mode: C14nMode,
    prefixes: &[String],
    exclude: Option<NodeId>,
    strip: bool,
) -> Result<Vec<u8>, String> {
    let mut set = if mode.with_comments() {
        NodeSet::tree_with_comments(node, doc)
    } else {
        NodeSet::tree_without_comments(node, doc)
    };
    if let Some(x) = exclude {
        set = set.subtract(&NodeSet::tree_with_comments(x, doc));
    }
    if strip {
        set = set.subtract(&NodeSet::from_ids(whitespace_text_under(doc, node), NodeSetType::Normal));
    }
    bergshamra_c14n::canonicalize_doc(doc, mode, Some(&set), prefixes).map_err(|e| e.to_string())
}

fn digest_alg(uri: &str) -> Option<&'static ring::digest::Algorithm> {
    match uri {
        SHA256 => Some(&ring::digest::SHA256),
        "http://www.w3.org/2001/04/xmldsig-more#sha384" => Some(&ring::digest::SHA384),
        "http://www.w3.org/2001/04/xmlenc#sha512" => Some(&ring::digest::SHA512),
        "http://www.w3.org/2000/09/xmldsig#sha1" => Some(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY),
        _ => None,
    }
}

fn b64(s: &str) -> Option<Vec<u8>> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(clean).ok()
}

/// The verification algorithm for a SignatureMethod and the certificate's key type.
fn verify_alg(uri: &str, rsa: bool) -> Option<&'static dyn signature::VerificationAlgorithm> {
    match (uri, rsa) {
        (RSA_SHA256, true) => Some(&signature::RSA_PKCS1_2048_8192_SHA256),
        ("http://www.w3.org/2001/04/xmldsig-more#rsa-sha384", true) => Some(&signature::RSA_PKCS1_2048_8192_SHA384),
        ("http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", true) => Some(&signature::RSA_PKCS1_2048_8192_SHA512),
        ("http://www.w3.org/2000/09/xmldsig#rsa-sha1", true) => {
            Some(&signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY)
        }
        (ECDSA_SHA256, false) => Some(&signature::ECDSA_P256_SHA256_FIXED),
        _ => None,
    }
}

/// Parses a `signatureTimestamp` (xs:dateTime, fractions of any length) or an HL7 TS.
pub fn parse_signing_time(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        return Some(t);
    }
    // More than nine fraction digits (seen: seven), cut to nine.
    if let Some(dot) = s.find('.') {
        let end = s[dot + 1..].find(|c: char| !c.is_ascii_digit()).map(|i| dot + 1 + i).unwrap_or(s.len());
        if end - dot - 1 > 9 {
            let cut = format!("{}{}", &s[..dot + 10], &s[end..]);
            return OffsetDateTime::parse(&cut, &time::format_description::well_known::Rfc3339).ok();
        }
    }
    crate::wire::hl7::parse_ts(s)
}

/// Any extended key usage is accepted for a signing certificate: what DVV's carry is not
/// public to us, and a signature's trust is its chain.
struct AnyKeyUsage;

impl webpki::ExtendedKeyUsageValidator for AnyKeyUsage {
    fn validate(&self, iter: webpki::KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        for p in iter {
            p?;
        }
        Ok(())
    }
}

const CHAIN_ALGS: &[&dyn rustls::pki_types::SignatureVerificationAlgorithm] = &[
    webpki::ring::RSA_PKCS1_2048_8192_SHA256,
    webpki::ring::RSA_PKCS1_2048_8192_SHA384,
    webpki::ring::RSA_PKCS1_2048_8192_SHA512,
    webpki::ring::RSA_PKCS1_3072_8192_SHA384,
    webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
    webpki::ring::ECDSA_P256_SHA256,
    webpki::ring::ECDSA_P256_SHA384,
    webpki::ring::ECDSA_P384_SHA256,
    webpki::ring::ECDSA_P384_SHA384,
    webpki::ring::ED25519,
];

/// Chains verified before: a hash of (leaf, the certificates sent with it, the trust) → the
/// time window in which every certificate of the verified path is valid. The same signer's
/// chain arrives with every document it signs; verifying it again costs two or three public-key
/// operations per message. Only successes are kept, bounded (emptied when full); a time outside
/// the window is verified again in full, so its refusal names the certificate.
mod verified_chains {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};

    /// Most chains remembered.
    const CAPACITY: usize = 4096;

    /// Chain hash → (valid from, valid until), unix seconds.
    type Windows = HashMap<[u8; 32], (i64, i64)>;

    fn cache() -> &'static Mutex<Windows> {
        static CACHE: OnceLock<Mutex<Windows>> = OnceLock::new();
        CACHE.get_or_init(Default::default)
    }

    pub fn key(leaf: &[u8], extra: &[Vec<u8>], trust: &super::Trust) -> [u8; 32] {
        use sha2::Digest as _;
        let mut h = sha2::Sha256::new();
        let mut part = |tag: u8, b: &[u8]| {
            h.update([tag]);
            h.update((b.len() as u64).to_be_bytes());
            h.update(b);
        };
        part(0, leaf);
        extra.iter().for_each(|c| part(1, c));
        trust.anchors.iter().for_each(|c| part(2, c));
        trust.intermediates.iter().for_each(|c| part(3, c));
        h.finalize().into()
    }

    /// Whether the chain under `key` was verified and every certificate of its path is valid at `at` (unix seconds).
    pub fn holds(key: &[u8; 32], at: i64) -> bool {
        let c = cache().lock().unwrap_or_else(|p| p.into_inner());
        c.get(key).is_some_and(|(from, until)| *from <= at && at <= *until)
    }

    pub fn remember(key: [u8; 32], window: (i64, i64)) {
        let mut c = cache().lock().unwrap_or_else(|p| p.into_inner());
        if c.len() >= CAPACITY {
            c.clear();
        }
        c.insert(key, window);
    }

    /// A certificate's validity (notBefore, notAfter) in unix seconds.
    pub fn validity(der: &[u8]) -> Option<(i64, i64)> {
        let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
        Some((cert.validity().not_before.timestamp(), cert.validity().not_after.timestamp()))
    }
}

/// Checks the signer's chain at `at`.
fn check_chain(leaf: &[u8], extra: &[Vec<u8>], trust: &Trust, at: OffsetDateTime) -> Option<Outcome> {
    use rustls::pki_types::{CertificateDer, UnixTime};
    let key = verified_chains::key(leaf, extra, trust);
    if verified_chains::holds(&key, at.unix_timestamp()) {
        return None;
    }
    let leaf_der = CertificateDer::from(leaf);
    let ee = match webpki::EndEntityCert::try_from(&leaf_der) {
        Ok(e) => e,
        Err(e) => return Some(Outcome::Malformed(format!("the signer's certificate cannot be read: {e:?}"))),
    };
    let anchor_ders: Vec<CertificateDer<'_>> =
        trust.anchors.iter().map(|d| CertificateDer::from(d.as_slice())).collect();
    let anchors: Vec<_> = anchor_ders.iter().filter_map(|d| webpki::anchor_from_trusted_cert(d).ok()).collect();
    let intermediates: Vec<CertificateDer<'_>> =
        extra.iter().chain(trust.intermediates.iter()).map(|d| CertificateDer::from(d.as_slice())).collect();
    let secs = u64::try_from(at.unix_timestamp()).unwrap_or(0);
    let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(secs));
    match ee.verify_for_usage(CHAIN_ALGS, &anchors, &intermediates, time, AnyKeyUsage, None, None) {
        Ok(path) => {
            // The window in which the whole path (leaf and intermediates) is valid.
            let window = std::iter::once(verified_chains::validity(leaf))
                .chain(path.intermediate_certificates().map(|c| verified_chains::validity(&c.der())))
                .try_fold((i64::MIN, i64::MAX), |(from, until), v| v.map(|(nb, na)| (from.max(nb), until.min(na))));
            if let Some(w) = window {
                verified_chains::remember(key, w);
            }
            None
        }
        Err(e @ (webpki::Error::CertExpired { .. } | webpki::Error::CertNotValidYet { .. })) => {
            Some(Outcome::NotValidAtSigning(format!("{e:?} (signing time {at})")))
        }
        Err(e) => Some(Outcome::Untrusted(format!("{e:?}"))),
    }
}

struct Reference {
    uri: String,
    transforms: Vec<(String, Vec<String>)>,
    digest_method: String,
    digest_value: Option<Vec<u8>>,
}

fn prefix_list(doc: &Document<'_>, transform: NodeId) -> Vec<String> {
    children(doc, transform)
        .find(|c| element(doc, *c).is_some_and(|e| e.name.local_name == "InclusiveNamespaces"))
        .and_then(|c| attr(doc, c, "PrefixList").map(|p| p.split_whitespace().map(str::to_string).collect()))
        .unwrap_or_default()
}

fn references(doc: &Document<'_>, signed_info: NodeId) -> Vec<Reference> {
    children(doc, signed_info)
        .filter(|c| is(doc, *c, DSIG_NS, "Reference"))
        .map(|r| Reference {
            uri: attr(doc, r, "URI").unwrap_or("").to_string(),
            transforms: child(doc, r, DSIG_NS, "Transforms")
                .map(|ts| {
                    children(doc, ts)
                        .filter(|t| is(doc, *t, DSIG_NS, "Transform"))
                        .map(|t| (attr(doc, t, "Algorithm").unwrap_or("").to_string(), prefix_list(doc, t)))
                        .collect()
                })
                .unwrap_or_default(),
            digest_method: child(doc, r, DSIG_NS, "DigestMethod")
                .and_then(|d| attr(doc, d, "Algorithm"))
                .unwrap_or("")
                .to_string(),
            digest_value: child(doc, r, DSIG_NS, "DigestValue").and_then(|d| b64(&text(doc, d))),
        })
        .collect()
}

/// The digest of a reference as the document is now, `strip`ping whitespace-only text or not.
fn reference_digest(
    doc: &Document<'_>,
    ids: &HashMap<String, NodeId>,
    sig: NodeId,
    r: &Reference,
    strip: bool,
) -> Result<Vec<u8>, String> {
    let target = if r.uri.is_empty() {
        doc.document_element().ok_or("the document has no root element")?
    } else if let Some(id) = r.uri.strip_prefix('#') {
        *ids.get(id).ok_or_else(|| format!("reference {} points at no element", r.uri))?
    } else {
        return Err(format!("reference {} is not within the document", r.uri));
    };
    let alg =
        digest_alg(&r.digest_method).ok_or_else(|| format!("digest method {} is not supported", r.digest_method))?;
    let mut mode = C14nMode::Inclusive;
    let mut prefixes = Vec::new();
    let mut exclude = None;
    for (t, p) in &r.transforms {
        if t == ENVELOPED {
            exclude = Some(sig);
        } else if let Some(m) = C14nMode::from_uri(t) {
            mode = m;
            prefixes = p.clone();
        } else {
            return Err(format!("transform {t} is not supported"));
        }
    }
    let bytes = canonical(doc, target, mode, &prefixes, exclude, strip)?;
    Ok(ring::digest::digest(alg, &bytes).as_ref().to_vec())
}

/// Checks one `ds:Signature`.
fn check_one(
    doc: &Document<'_>,
    ids: &HashMap<String, NodeId>,
    sig: NodeId,
    trust: &Trust,
    now: OffsetDateTime,
) -> Checked {
    // The surrounding hl7fi:signature, when the signature sits in a signatureCollection.
    let holder = doc.parent(sig).filter(|p| is(doc, *p, HL7FI_NS, "signature"));
    let kind = SignatureKind::from_code(
        holder.and_then(|h| child(doc, h, HL7FI_NS, "signatureDescription")).and_then(|d| attr(doc, d, "code")),
    );
    let id = holder.and_then(|h| attr(doc, h, "ID")).map(str::to_string);
    let signed_at = holder
        .and_then(|h| child(doc, h, HL7FI_NS, "signatureTimestamp"))
        .and_then(|t| parse_signing_time(&text(doc, t)));
    let mut c = Checked { kind, id, signer: None, signed_at, outcome: Outcome::Valid, also: Vec::new() };
    let fail = |mut c: Checked, o: Outcome| {
        c.outcome = o;
        c
    };
    let Some(si) = child(doc, sig, DSIG_NS, "SignedInfo") else {
        return fail(c, Outcome::Malformed("SignedInfo is missing".into()));
    };
    let Some(value) =
        child(doc, sig, DSIG_NS, "SignatureValue").and_then(|v| b64(&text(doc, v))).filter(|v| !v.is_empty())
    else {
        return fail(c, Outcome::Malformed("SignatureValue is missing or not base64".into()));
    };
    let c14n_uri =
        child(doc, si, DSIG_NS, "CanonicalizationMethod").and_then(|m| attr(doc, m, "Algorithm")).unwrap_or("");
    let Some(mode) = C14nMode::from_uri(c14n_uri) else {
        return fail(c, Outcome::Malformed(format!("canonicalisation '{c14n_uri}' is not supported")));
    };
    let si_prefixes =
        child(doc, si, DSIG_NS, "CanonicalizationMethod").map(|m| prefix_list(doc, m)).unwrap_or_default();
    let method =
        child(doc, si, DSIG_NS, "SignatureMethod").and_then(|m| attr(doc, m, "Algorithm")).unwrap_or("").to_string();
    // The signer's certificate and any chain it brings.
    let certs: Vec<Vec<u8>> = child(doc, sig, DSIG_NS, "KeyInfo")
        .and_then(|k| child(doc, k, DSIG_NS, "X509Data"))
        .map(|x| {
            children(doc, x)
                .filter(|c| is(doc, *c, DSIG_NS, "X509Certificate"))
                .filter_map(|c| b64(&text(doc, c)))
                .collect()
        })
        .unwrap_or_default();
    let Some((leaf, extra)) = certs.split_first() else {
        return fail(
            c,
            Outcome::Malformed("KeyInfo/X509Data/X509Certificate (the signer's certificate) is missing".into()),
        );
    };
    let (rsa, key) = match x509_parser::parse_x509_certificate(leaf) {
        Ok((_, cert)) => {
            c.signer = Some(crate::pki::subject_of_parsed(&cert));
            let spki = cert.public_key();
            (spki.algorithm.algorithm.to_id_string() == "1.2.840.113549.1.1.1", spki.subject_public_key.data.to_vec())
        }
        Err(e) => return fail(c, Outcome::Malformed(format!("the signer's certificate cannot be read: {e}"))),
    };
    let Some(alg) = verify_alg(&method, rsa) else {
        return fail(c, Outcome::Malformed(format!("signature method '{method}' is not supported for this key")));
    };
    let refs = references(doc, si);
    let body = doc.descendants(doc.root()).into_iter().find(|n| {
        is(doc, *n, crate::wire::hl7::HL7_NS, "nonXMLBody") || is(doc, *n, crate::wire::hl7::HL7_NS, "structuredBody")
    });
    let body_id = body.and_then(|b| attr(doc, b, "ID"));
    let covers_body = refs
        .iter()
        .any(|r| r.uri.is_empty() || (r.uri.strip_prefix('#').is_some() && r.uri.strip_prefix('#') == body_id));
    if refs.is_empty() || !covers_body {
        return fail(
            c,
            Outcome::Malformed(match body_id {
                Some(b) => format!("no reference covers the document's body (#{b})"),
                None => "the document's body has no ID for a signature to reference".into(),
            }),
        );
    }
    let key = signature::UnparsedPublicKey::new(alg, key);
    let verifies = |strip: bool| {
        canonical(doc, si, mode, &si_prefixes, None, strip).is_ok_and(|bytes| key.verify(&bytes, &value).is_ok())
    };
    if !verifies(false) {
        if verifies(true) {
            c.also.push(Outcome::Reformatted { what: "SignedInfo".into() });
        } else {
            return fail(c, Outcome::BadSignatureValue);
        }
    }
    for r in &refs {
        let Some(want) = &r.digest_value else {
            return fail(c, Outcome::Malformed(format!("reference {} has no DigestValue", r.uri)));
        };
        match reference_digest(doc, ids, sig, r, false) {
            Err(e) => return fail(c, Outcome::Malformed(e)),
            Ok(d) if &d == want => {}
            Ok(_) => {
                if reference_digest(doc, ids, sig, r, true).is_ok_and(|d| &d == want) {
                    c.also.push(Outcome::Reformatted { what: r.uri.clone() });
                } else {
                    return fail(c, Outcome::DigestMismatch { reference: r.uri.clone() });
                }
            }
        }
    }
    if let Some(o) = check_chain(leaf, extra, trust, c.signed_at.unwrap_or(now)) {
        c.also.push(o);
    }
    // The first further finding is the verdict; the rest stay in `also`.
    if !c.also.is_empty() {
        c.outcome = c.also.remove(0);
    }
    c
}

/// Checks every `ds:Signature` in a CDA (none: an empty list).
pub fn verify(cda: &[u8], trust: &Trust, now: OffsetDateTime) -> Result<Vec<Checked>, Unreadable> {
    let text = std::str::from_utf8(cda).map_err(|e| Unreadable(format!("not UTF-8: {e}")))?;
    if !text.contains(DSIG_NS) {
        return Ok(Vec::new());
    }
    let doc = uppsala::parse(text).map_err(|e| Unreadable(e.to_string()))?;
    let sigs: Vec<NodeId> = all_elements(&doc).into_iter().filter(|n| is(&doc, *n, DSIG_NS, "Signature")).collect();
    if sigs.is_empty() {
        return Ok(Vec::new());
    }
    let ids = match id_map(&doc) {
        Ok(m) => m,
        Err(e) => {
            return Ok(sigs
                .iter()
                .map(|_| Checked {
                    kind: SignatureKind::Other(None),
                    id: None,
                    signer: None,
                    signed_at: None,
                    outcome: Outcome::Malformed(e.clone()),
                    also: Vec::new(),
                })
                .collect())
        }
    };
    Ok(sigs.into_iter().map(|s| check_one(&doc, &ids, s, trust, now)).collect())
}

// ---------------------------------------------------------------------------------------------
// Signing.

/// A signing key with its certificate chain (leaf first), as a system or a professional holds it.
pub struct SigningKey {
    kind: SignatureKind,
    chain: Vec<Vec<u8>>,
    key: KeyImpl,
}

enum KeyImpl {
    Rsa(signature::RsaKeyPair),
    Ecdsa(signature::EcdsaKeyPair),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("kind", &self.kind).field("chain", &self.chain.len()).finish()
    }
}

/// Why a signing key could not be loaded or used.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// A file could not be read.
    #[error("cannot read {0}: {1}")]
    Read(String, String),
    /// The key is not PKCS#8 RSA or P-256.
    #[error("{0}")]
    Key(String),
    /// The document could not be signed.
    #[error("cannot sign the document: {0}")]
    Document(String),
}

impl SigningKey {
    /// Loads a certificate chain (PEM, leaf first) and its PKCS#8 key (PEM).
    pub fn load(kind: SignatureKind, cert: &std::path::Path, key: &std::path::Path) -> Result<Self, SignError> {
        let read =
            |p: &std::path::Path| std::fs::read(p).map_err(|e| SignError::Read(p.display().to_string(), e.to_string()));
        let chain =
            crate::pki::read_pem_certs(cert).map_err(|e| SignError::Read(cert.display().to_string(), e.to_string()))?;
        if chain.is_empty() {
            return Err(SignError::Read(cert.display().to_string(), "no certificate".into()));
        }
        let pem = read(key)?;
        let der = match rustls_pemfile::private_key(&mut pem.as_slice()) {
            Ok(Some(rustls::pki_types::PrivateKeyDer::Pkcs8(k))) => k.secret_pkcs8_der().to_vec(),
            _ => return Err(SignError::Key(format!("{}: not a PKCS#8 private key", key.display()))),
        };
        let key = if let Ok(k) = signature::RsaKeyPair::from_pkcs8(&der) {
            KeyImpl::Rsa(k)
        } else {
            let rng = ring::rand::SystemRandom::new();
            signature::EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &der, &rng)
                .map(KeyImpl::Ecdsa)
                .map_err(|e| SignError::Key(format!("{}: neither RSA nor P-256 ({e})", key.display())))?
        };
        Ok(SigningKey { kind, chain, key })
    }

    /// Whose signature this key makes.
    pub fn kind(&self) -> &SignatureKind {
        &self.kind
    }

    fn method(&self) -> &'static str {
        match self.key {
            KeyImpl::Rsa(_) => RSA_SHA256,
            KeyImpl::Ecdsa(_) => ECDSA_SHA256,
        }
    }

    fn sign_bytes(&self, msg: &[u8]) -> Result<Vec<u8>, SignError> {
        let rng = ring::rand::SystemRandom::new();
        match &self.key {
            KeyImpl::Rsa(k) => {
                let mut sig = vec![0; k.public().modulus_len()];
                k.sign(&signature::RSA_PKCS1_SHA256, &rng, msg, &mut sig)
                    .map_err(|_| SignError::Document("RSA signing failed".into()))?;
                Ok(sig)
            }
            KeyImpl::Ecdsa(k) => k
                .sign(&rng, msg)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| SignError::Document("ECDSA signing failed".into())),
        }
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Signs a written CDA as a system does (SPEC §6.3): a new `signature` in the local header's
/// `signatureCollection` (made when missing) with its description, a timestamp, and a
/// `ds:Signature` over the body (`#` its `ID`) and the timestamp — exclusive c14n, SHA-256,
/// rsa-sha256 (ecdsa-sha256 for a P-256 key), the certificate chain in `KeyInfo`.
pub fn sign(cda: &[u8], key: &SigningKey, at: OffsetDateTime) -> Result<Vec<u8>, SignError> {
    let text = std::str::from_utf8(cda).map_err(|e| SignError::Document(e.to_string()))?;
    let body_id = {
        let doc = uppsala::parse(text).map_err(|e| SignError::Document(e.to_string()))?;
        let body = doc
            .descendants(doc.root())
            .into_iter()
            .find(|n| {
                is(&doc, *n, crate::wire::hl7::HL7_NS, "nonXMLBody")
                    || is(&doc, *n, crate::wire::hl7::HL7_NS, "structuredBody")
            })
            .ok_or_else(|| SignError::Document("the document has no body".into()))?;
        attr(&doc, body, "ID").ok_or_else(|| SignError::Document("the document's body has no ID".into()))?.to_string()
    };
    let sig_id = format!("sig_{}", uuid::Uuid::new_v4());
    let ts_id = format!("CDA-timestamp.{sig_id}");
    let code = key.kind.code().unwrap_or("3");
    let certs: String = key
        .chain
        .iter()
        .map(|c| format!("<X509Certificate>{}</X509Certificate>", base64::engine::general_purpose::STANDARD.encode(c)))
        .collect();
    let reference = |uri: &str| {
        format!(
            "<Reference URI=\"#{uri}\"><Transforms><Transform Algorithm=\"{EXC_C14N}\"/></Transforms><DigestMethod Algorithm=\"{SHA256}\"/><DigestValue>@{uri}@</DigestValue></Reference>"
        )
    };
    let entry = format!(
        "<signature xmlns=\"{HL7FI_NS}\" ID=\"{sig_id}\"><signatureDescription code=\"{code}\" codeSystem=\"{SIGNATURE_TYPE_SYSTEM}\" displayName=\"{}\"/><signatureTimestamp ID=\"{ts_id}\">{}</signatureTimestamp><Signature xmlns=\"{DSIG_NS}\"><SignedInfo><CanonicalizationMethod Algorithm=\"{EXC_C14N}\"/><SignatureMethod Algorithm=\"{}\"/>{}{}</SignedInfo><SignatureValue>@value@</SignatureValue><KeyInfo><X509Data>{certs}</X509Data></KeyInfo></Signature></signature>",
        key.kind.display(),
        rfc3339(at),
        key.method(),
        reference(&body_id),
        reference(&ts_id),
    );
    let templated = insert_signature(text, &entry)?;
    // Fill the digests, then sign SignedInfo as it then reads.
    let mut out = templated.clone();
    {
        let doc = uppsala::parse(&templated).map_err(|e| SignError::Document(e.to_string()))?;
        let ids = id_map(&doc).map_err(SignError::Document)?;
        for uri in [&body_id, &ts_id] {
            let node =
                *ids.get(uri.as_str()).ok_or_else(|| SignError::Document(format!("no element with ID {uri}")))?;
            let bytes = canonical(&doc, node, C14nMode::Exclusive, &[], None, false).map_err(SignError::Document)?;
            let d = ring::digest::digest(&ring::digest::SHA256, &bytes);
            out = out.replacen(&format!("@{uri}@"), &base64::engine::general_purpose::STANDARD.encode(d), 1);
        }
    }
    let doc = uppsala::parse(&out).map_err(|e| SignError::Document(e.to_string()))?;
    let si = all_elements(&doc)
        .into_iter()
        .find(|n| {
            is(&doc, *n, DSIG_NS, "SignedInfo")
                && doc.parent(*n).and_then(|s| doc.parent(s)).is_some_and(|h| attr(&doc, h, "ID") == Some(&sig_id))
        })
        .ok_or_else(|| SignError::Document("the new SignedInfo is not found".into()))?;
    let bytes = canonical(&doc, si, C14nMode::Exclusive, &[], None, false).map_err(SignError::Document)?;
    let value = base64::engine::general_purpose::STANDARD.encode(key.sign_bytes(&bytes)?);
    drop(doc);
    Ok(out.replacen("@value@", &value, 1).into_bytes())
}

/// Puts a `signature` entry at the end of the local header's `signatureCollection`, making the
/// collection (at the end of the local header) when there is none.
fn insert_signature(text: &str, entry: &str) -> Result<String, SignError> {
    let doc = uppsala::parse(text).map_err(|e| SignError::Document(e.to_string()))?;
    let header = all_elements(&doc)
        .into_iter()
        .find(|n| is(&doc, *n, HL7FI_NS, "localSocialHeader"))
        .ok_or_else(|| SignError::Document("the document has no localSocialHeader".into()))?;
    let (container, wrap) = match child(&doc, header, HL7FI_NS, "signatureCollection") {
        Some(c) => (c, false),
        None => (header, true),
    };
    let range = doc.node_range(container).ok_or_else(|| SignError::Document("no source position".into()))?;
    let src = &text[range.clone()];
    // Before the container's end tag: `</…>` at the end of its source, or a self-closing `/>`.
    let (at, open_close) = if src.ends_with("/>") {
        (range.end - 2, true)
    } else {
        (range.start + src.rfind("</").ok_or_else(|| SignError::Document("no end tag".into()))?, false)
    };
    let piece = if wrap {
        format!("<signatureCollection xmlns=\"{HL7FI_NS}\">{entry}</signatureCollection>")
    } else {
        entry.to_string()
    };
    if open_close {
        let name = element(&doc, container).map(|e| e.name.prefixed_name().into_owned()).unwrap_or_default();
        return Ok(format!("{}>{piece}</{name}>{}", &text[..at], &text[range.end..]));
    }
    Ok(format!("{}{piece}{}", &text[..at], &text[at..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_times_parse_with_long_fractions() {
        let t = parse_signing_time("2026-03-23T08:50:35.5590148Z").expect("seven digits");
        assert_eq!(t.unix_timestamp(), 1_774_255_835);
        assert!(parse_signing_time("2026-03-23T08:50:35.123456789012Z").is_some());
        assert!(parse_signing_time("20260323105430+0200").is_some());
        assert!(parse_signing_time("yesterday").is_none());
    }

    struct Fixture {
        _dir: tempfile::TempDir,
        paths: crate::pki::CertPaths,
        trust: Trust,
    }

    fn pki() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let paths = crate::pki::CertPaths::new(dir.path());
        let registry = crate::registry::Registry::parse(
            "[[system]]\nname = \"alpha\"\noid = \"1.2.246.10.12345678.10.0\"\norganisation = \"1.2.246.10.12345678.10.0\"\n[[system.controller]]\noid = \"1.2.246.10.12345678.10.0\"\nprofile = \"liittymisvelvoite\"\n",
        )
        .expect("registry");
        let opts =
            crate::pki::PkiOptions { algorithm: crate::pki::KeyAlgorithm::Rsa(2048), force: false, reuse_keys: true };
        crate::pki::init(&paths, &registry, &[], &opts).expect("pki");
        let trust = Trust::from_certs(&paths, &[]);
        Fixture { _dir: dir, paths, trust }
    }

    fn system_key(f: &Fixture) -> SigningKey {
        SigningKey::load(SignatureKind::System, &f.paths.signing_cert("alpha"), &f.paths.signing_key("alpha"))
            .expect("key")
    }

    /// A hand-written structured plan, compact (no whitespace between elements) as a system writes it.
    fn compact_plan() -> String {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/handwritten/suunnitelma.xml");
        let text = std::fs::read_to_string(p).expect("fixture");
        let root = crate::xml::parse(text.as_bytes(), crate::xml::Limits::default()).expect("xml");
        let doc = crate::wire::cda::read(&root).0;
        String::from_utf8(crate::wire::cda::to_bytes(&doc)).expect("utf-8")
    }

    fn at() -> OffsetDateTime {
        time::macros::datetime!(2026-11-16 10:16 UTC)
    }

    fn verdicts(cda: &[u8], trust: &Trust) -> Vec<Outcome> {
        verify(cda, trust, at()).expect("readable").into_iter().map(|c| c.outcome).collect()
    }

    #[test]
    fn a_signed_document_verifies_and_a_changed_byte_does_not() {
        let f = pki();
        let signed = sign(compact_plan().as_bytes(), &system_key(&f), at()).expect("signed");
        let checked = verify(&signed, &f.trust, at()).expect("readable");
        assert_eq!(checked.len(), 1);
        assert_eq!(checked[0].outcome, Outcome::Valid, "{checked:?}");
        assert_eq!(checked[0].kind, SignatureKind::System);
        assert_eq!(checked[0].signer.as_ref().and_then(|s| s.1.clone()).as_deref(), Some("1.2.246.10.12345678.10.0"));
        assert_eq!(checked[0].signed_at, Some(at()));
        // One byte of the body's base64 changed.
        let text = String::from_utf8(signed.clone()).expect("utf-8");
        let i = text.find("representation=\"B64\">").expect("body") + 30;
        let mut tampered = text.clone().into_bytes();
        tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
        assert!(
            matches!(&verdicts(&tampered, &f.trust)[..], [Outcome::DigestMismatch { reference }] if reference.starts_with("#OID"))
        );
        // The signing time changed: the timestamp reference catches it.
        let moved = text.replacen("2026-11-16T10:16:00Z", "2026-11-17T10:16:00Z", 1);
        assert!(
            matches!(&verdicts(moved.as_bytes(), &f.trust)[..], [Outcome::DigestMismatch { reference }] if reference.starts_with("#CDA-timestamp"))
        );
        // The signature value changed.
        let j = text.find("<SignatureValue>").expect("value") + "<SignatureValue>".len() + 5;
        let mut forged = text.into_bytes();
        forged[j] = if forged[j] == b'A' { b'B' } else { b'A' };
        assert_eq!(verdicts(&forged, &f.trust), vec![Outcome::BadSignatureValue]);
    }

    #[test]
    fn trust_and_time_are_judged_on_the_signing_time() {
        let f = pki();
        let signed = sign(compact_plan().as_bytes(), &system_key(&f), at()).expect("signed");
        assert!(matches!(&verdicts(&signed, &Trust::default())[..], [Outcome::Untrusted(_)]));
        // Verified once at a valid time (and so remembered), the same chain still fails at a
        // time outside its certificates' validity.
        assert_eq!(verdicts(&signed, &f.trust), verdicts(&signed, &f.trust));
        assert!(!verdicts(&signed, &f.trust).iter().any(|o| matches!(o, Outcome::Untrusted(_))));
        let late = sign(compact_plan().as_bytes(), &system_key(&f), time::macros::datetime!(2040-01-01 0:00 UTC))
            .expect("signed");
        assert!(matches!(&verdicts(&late, &f.trust)[..], [Outcome::NotValidAtSigning(_)]));
        let early = sign(compact_plan().as_bytes(), &system_key(&f), time::macros::datetime!(2001-01-01 0:00 UTC))
            .expect("signed");
        assert!(matches!(&verdicts(&early, &f.trust)[..], [Outcome::NotValidAtSigning(_)]));
    }

    #[test]
    fn a_document_reindented_after_signing_is_told_apart_from_a_forgery() {
        let f = pki();
        let signed =
            String::from_utf8(sign(compact_plan().as_bytes(), &system_key(&f), at()).expect("signed")).expect("utf-8");
        let pretty = signed.replace("><", ">\n\t<");
        let v = verdicts(pretty.as_bytes(), &f.trust);
        assert!(matches!(&v[..], [Outcome::Reformatted { .. }]), "{v:?}");
        // A changed byte stays a forgery however the document is laid out.
        let i = pretty.find("representation=\"B64\">").expect("body") + 30;
        let mut tampered = pretty.into_bytes();
        tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
        assert!(matches!(&verdicts(&tampered, &f.trust)[..], [Outcome::DigestMismatch { .. }]));
    }

    #[test]
    fn a_second_signature_joins_the_collection_and_both_verify() {
        let f = pki();
        let once = sign(compact_plan().as_bytes(), &system_key(&f), at()).expect("signed");
        let twice = sign(&once, &system_key(&f), at()).expect("signed again");
        let text = String::from_utf8(twice.clone()).expect("utf-8");
        assert_eq!(text.matches("<signatureCollection").count(), 1);
        assert_eq!(verdicts(&twice, &f.trust), vec![Outcome::Valid, Outcome::Valid]);
    }

    #[test]
    fn a_signature_that_covers_no_body_or_names_an_id_twice_is_malformed() {
        let f = pki();
        let signed =
            String::from_utf8(sign(compact_plan().as_bytes(), &system_key(&f), at()).expect("signed")).expect("utf-8");
        let body_id = "OID1.2.246.10.12345678.95.2026.1.3";
        let no_body = signed.replacen(&format!("URI=\"#{body_id}\""), "URI=\"#nowhere\"", 1);
        assert!(matches!(&verdicts(no_body.as_bytes(), &f.trust)[..], [Outcome::Malformed(m)] if m.contains("body")));
        // Signature wrapping: a second element with the body's id.
        let wrapped = signed.replacen("<realmCode", &format!("<realmCode ID=\"{body_id}\"/><realmCode"), 1);
        assert!(
            matches!(&verdicts(wrapped.as_bytes(), &f.trust)[..], [Outcome::Malformed(m)] if m.contains("two elements"))
        );
        assert!(
            verify(compact_plan().as_bytes(), &f.trust, at()).expect("readable").is_empty(),
            "no signature, no findings"
        );
    }

    #[test]
    fn canonicalisation_follows_the_w3c_rules() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/c14n");
        let mut n = 0;
        for e in std::fs::read_dir(&dir).expect("testdata/c14n").flatten() {
            let p = e.path();
            if p.extension().is_none_or(|x| x != "xml") {
                continue;
            }
            let input = std::fs::read_to_string(&p).expect("input");
            let doc = uppsala::parse(&input).expect("xml");
            let root = doc.document_element().expect("root");
            let node = children(&doc, root).next().expect("a child element");
            for (suffix, mode) in [("exc.c14n", C14nMode::Exclusive), ("inc.c14n", C14nMode::Inclusive)] {
                let want = p.with_extension(suffix);
                let Ok(want) = std::fs::read_to_string(&want) else { continue };
                let got = canonical(&doc, node, mode, &[], None, false).expect("c14n");
                assert_eq!(String::from_utf8_lossy(&got), want, "{} ({suffix})", p.display());
                n += 1;
            }
        }
        assert!(n >= 4, "only {n} vectors");
    }

    #[test]
    fn an_id_used_twice_is_refused() {
        let doc = uppsala::parse("<a><b ID=\"x\"/><c ID=\"x\"/></a>").expect("xml");
        assert!(id_map(&doc).unwrap_err().contains("'x'"));
    }
}
