//! Acknowledgement detail codes: the stable codes every rejection carries,
//! with their Finnish and English texts.
//!
//! Owns: the [`DetailCode`] enumeration and the catalogue in
//! `testdata/ack-codes.toml` (compiled in), which must list exactly these codes.
//! Must not decide *when* a code applies — that is validation's and transport's job.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How a detail is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AckKind {
    /// SOAP Fault: transport-level.
    #[serde(rename = "fault")]
    Fault,
    /// HL7 AR: rejected, not allowed or not processable.
    AR,
    /// HL7 AE: application error, content invalid.
    AE,
    /// Warning on an accepted message.
    W,
}

macro_rules! detail_codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal ),* $(,)?) => {
        /// A stable acknowledgement detail code (see `docs/rules.md`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum DetailCode { $( $(#[$doc])* $variant ),* }

        impl DetailCode {
            /// Every code.
            pub const ALL: &'static [DetailCode] = &[ $(DetailCode::$variant),* ];
            /// The code as it appears in acknowledgements.
            pub fn as_str(self) -> &'static str {
                match self { $(DetailCode::$variant => $code),* }
            }
            /// Looks a code up by its string.
            pub fn parse(s: &str) -> Option<DetailCode> {
                match s { $($code => Some(DetailCode::$variant),)* _ => None }
            }
        }
    };
}

detail_codes! {
    /// Body larger than the configured limit.
    BodyTooLarge = "SHA-T001",
    /// Not well-formed XML.
    MalformedXml = "SHA-T002",
    /// DTD or entity declaration present.
    DtdNotAllowed = "SHA-T003",
    /// Nesting or element count over the limit.
    XmlLimit = "SHA-T004",
    /// Invalid UTF-8.
    InvalidUtf8 = "SHA-T005",
    /// Not a SOAP envelope.
    NotSoap = "SHA-T006",
    /// Wrong content type.
    ContentType = "SHA-T007",
    /// SOAP body does not hold exactly one element.
    SoapBodyShape = "SHA-T008",
    /// Body could not be read completely.
    BodyRead = "SHA-T009",
    /// Injected fault.
    InjectedFault = "SHA-T010",
    /// Internal failure (storage unavailable); nothing was stored.
    Internal = "SHA-T011",
    /// A SOAP header marked mustUnderstand is not understood
    MustUnderstand = "SHA-T012",
    /// Too many simultaneous connections with one certificate
    TooManyConnections = "SHA-T013",
    /// Interaction not known.
    UnknownInteraction = "SHA-M001",
    /// Required wrapper element missing.
    MissingElement = "SHA-M002",
    /// Certificate trusted, system not registered.
    UnregisteredSystem = "SHA-M003",
    /// sender/device/id differs from the certificate's system.
    SenderMismatch = "SHA-M004",
    /// interactionId differs from the root element.
    InteractionMismatch = "SHA-M005",
    /// A wrapper value outside its allowed set.
    WrapperValue = "SHA-M006",
    /// Message id reused.
    DuplicateMessageId = "SHA-M007",
    /// Injected HL7 rejection.
    InjectedRejection = "SHA-M008",
    /// The service request (reasonCode) is missing, unknown or does not fit the message.
    ServiceRequest = "SHA-M009",
    /// An element that may occur once occurs twice: the message would be ambiguous.
    DuplicateElement = "SHA-M010",
    /// The certificate's subject is ambiguous or incomplete
    AmbiguousCertificate = "SHA-M011",
    /// The CDA document cannot be read
    BadCda = "SHA-R001",
    /// The message wrapper and the CDA document disagree
    WrapperMismatch = "SHA-R002",
    /// The kind of document cannot be determined
    UnknownKind = "SHA-R003",
    /// The system signature is missing (…); phase I and old documents require one.
    SignatureMissing = "SHA-R004",
    /// A signature is not valid (its value, its form or what it covers)
    SignatureInvalid = "SHA-R005",
    /// Signed content changed after signing
    SignatureDigest = "SHA-R007",
    /// The signer's certificate does not chain to a trusted CA
    SignerUntrusted = "SHA-R008",
    /// The signer's certificate was not valid at the signing time
    SignerNotValid = "SHA-R009",
    /// The document was reformatted after signing
    SignatureReformatted = "SHA-R010",
    /// A value is not in the allowed form
    BadValue = "SHA-R006",
    /// A mandatory field is missing
    MissingField = "SHA-R101",
    /// A conditionally mandatory field is missing
    MissingConditional = "SHA-R102",
    /// The document is not ready for archiving (recordStatus other than 3).
    NotReadyForArchiving = "SHA-R103",
    /// The code is from the wrong code system
    CodeWrongSystem = "SHA-R201",
    /// The code is not in its code set
    CodeUnknown = "SHA-R202",
    /// The code is not valid on the document's date
    CodeNotValidOn = "SHA-R203",
    /// The code is not in the subset the simulator knows (the code set is known only in part)
    CodeUnknownPartial = "SHA-R204",
    /// The organisation or unit is not in the SOTE organisation register
    UnknownUnit = "SHA-R205",
    /// The combination of codes is not allowed
    CodeCombination = "SHA-R206",
    /// The code system is written with another version than the simulator holds
    CodeSystemVersion = "SHA-R207",
    /// The unit belongs to another organisation than the document's controller or producer.
    UnitOfAnotherOrganisation = "SHA-R208",
    /// The client's personal identity code is not valid
    InvalidHetu = "SHA-R301",
    /// Personal identity code … is not a test code (individual number 900–999); test environments accept artificial codes only.
    NotTestHetu = "SHA-R302",
    /// A temporary identifier is not allowed in this document
    TemporaryIdNotAllowed = "SHA-R303",
    /// Client id root … is neither hetu (1.2.246.21) nor the controller's own temporary-id root.
    UnknownClientIdRoot = "SHA-R304",
    /// The system is not registered to act for controller ….
    ControllerNotRegistered = "SHA-R401",
    /// The connection profile does not allow the operation
    ProfileForbids = "SHA-R402",
    /// Case … is not among this controller's cases for this client; store the case document first.
    CaseNotFound = "SHA-R501",
    /// The client has no clienthood document in this controller's register (…); store the clienthood document first.
    ClienthoodNotFound = "SHA-R502",
    /// The client already has a clienthood document with this organiser; change it with a new version.
    SecondClienthood = "SHA-R503",
    /// Document id … is already in use.
    DuplicateDocumentId = "SHA-R601",
    /// The document to replace or invalidate, …, is not found.
    ParentNotFound = "SHA-R602",
    /// The version number must be one more than the previous
    WrongVersionNumber = "SHA-R603",
    /// Document … is not the current version; a new version must replace the newest one.
    NotCurrentVersion = "SHA-R604",
    /// The document belongs to another controller; only the owning controller may replace or invalidate it (…).
    OtherControllersDocument = "SHA-R605",
    /// A new version's setId must equal the replaced document's
    SetIdMismatch = "SHA-R606",
    /// Document … has been invalidated.
    AlreadyInvalidated = "SHA-R607",
    /// A new version lacks the reference to the replaced document (relatedDocument typeCode=RPLC)
    MissingParent = "SHA-R608",
    /// A new version cannot change the client, the controller or the kind of document
    VersionChangesIdentity = "SHA-R609",
    /// Another new version of the same document was stored concurrently; this message was rejected and nothing stored (…).
    ConcurrentVersion = "SHA-R610",
    /// Retired: a replacing version is told by its relatedDocument, whatever the service request.
    UseNewVersionInteraction = "SHA-R611",
    /// The MIME part the document references is not in the message
    PartMissing = "SHA-R701",
    /// The PDF content is not acceptable
    BadPdf = "SHA-R702",
    /// The XHTML content is not well-formed
    BadXhtml = "SHA-R703",
    /// The XHTML content holds scripts or other active content
    ActiveContent = "SHA-R704",
    /// The JSON content does not parse
    BadJson = "SHA-R705",
    /// The content's size differs from the declared size
    SizeMismatch = "SHA-R706",
    /// The content's hash differs from the declared hash
    HashMismatch = "SHA-R707",
    /// The MIME package is not valid
    BadMime = "SHA-R708",
    /// The media type is not accepted for this document
    MediaTypeNotAccepted = "SHA-R709",
    /// A time is in the future (simulator clock …).
    FutureTime = "SHA-R801",
    /// The end time is before the start time
    EndBeforeStart = "SHA-R802",
    /// A time value is not in HL7 TS form (YYYYMMDD[HHMMSS][+ZZZZ])
    BadTime = "SHA-R803",
    /// A query parameter is missing or not valid
    BadQuery = "SHA-R901",
    /// Document … is not found among this controller's documents.
    NotFound = "SHA-R902",
    /// The declaration of intent lacks a mandatory field
    DeclarationField = "SHA-L001",
    /// The declaration is dated in the future; a consent or prohibition holds only once given
    DeclarationInAdvance = "SHA-L002",
    /// The legal representative's role is not allowed
    RepresentativeRole = "SHA-L003",
    /// The declaration's client is not the client in the document header
    DeclarationClient = "SHA-L004",
    /// Disclosure refused
    NoInforming = "SHA-L101",
    /// Disclosure refused
    NoConsent = "SHA-L102",
    /// Disclosure refused
    NoActiveClienthood = "SHA-L103",
    /// A query under a statutory right to information lacks a valid reason
    StatutoryReason = "SHA-L104",
    /// A disclosure query applies to document metadata and single documents only
    DisclosureScope = "SHA-L105",
    /// No register access right
    NoRegisterAccess = "SHA-L201",
    /// The document sits in the wrong register (SPEC §8.5, from 1.9.2026).
    WrongRegister = "SHA-L202",
    /// Phase I and phase II content cannot be stored after …; use the joining-obligation model
    PhaseContentEnded = "SHA-D001",
    /// Not possible before the Client Data Act came into force
    NotYetInForce = "SHA-D002",
    /// The profile cannot be used on the simulator's date
    ProfileOutOfWindow = "SHA-D003",
    /// Unknown structure
    UnknownStructure = "SHA-S001",
    /// The structure version is not valid on the document's date
    StructureVersionNotValid = "SHA-S002",
    /// The structured form's root element does not match the structure
    StructureRoot = "SHA-S003",
    /// A required field is missing
    StructureRequired = "SHA-S004",
    /// The field does not exist in the structure
    StructureUnknownField = "SHA-S005",
    /// The field's value has the wrong type
    StructureType = "SHA-S006",
    /// The field is not repeatable
    StructureNotRepeatable = "SHA-S007",
    /// The value is not among the accepted values
    StructureValueNotAccepted = "SHA-S008",
    /// The code is from the wrong code system
    StructureCodeSystem = "SHA-S009",
    /// The code is not in its code set
    StructureCodeUnknown = "SHA-S010",
    /// The code is not in the known part of its code set
    StructureCodeUnknownPartial = "SHA-S011",
    /// The identifier's system is wrong
    StructureIdentifierSystem = "SHA-S012",
    /// The personal identity code is not a valid test code
    StructureHetu = "SHA-S013",
    /// A conditionally required field is missing (Sosmeta condition)
    StructureConditional = "SHA-S014",
    /// The structured form and the header disagree
    StructureHeaderMismatch = "SHA-S020",
}

impl std::fmt::Display for DetailCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for DetailCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One catalogue row.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEntry {
    /// The code string.
    pub code: String,
    /// Delivery.
    pub kind: AckKind,
    /// Which rule it enforces.
    pub rule: String,
    /// Finnish text, `{value}` placeholder allowed.
    pub fi: String,
    /// English text.
    pub en: String,
    /// Why the code cannot be provoked through the interface, when it cannot (retired codes,
    /// internal failures); every other code has a catalogue scenario.
    #[serde(default)]
    pub unreachable: Option<String>,
    /// The kind when the sending system is not in strict signature mode, when it differs.
    #[serde(default)]
    pub lenient: Option<AckKind>,
}

#[derive(Deserialize)]
struct CatalogueFile {
    code: Vec<CatalogueEntry>,
}

/// The compiled-in catalogue text.
pub const CATALOGUE_TOML: &str = include_str!("../../testdata/ack-codes.toml");

/// The catalogue of texts.
#[derive(Debug, Clone)]
pub struct Catalogue {
    entries: BTreeMap<DetailCode, CatalogueEntry>,
}

/// The catalogue does not match the code enumeration.
#[derive(Debug, thiserror::Error)]
#[error("acknowledgement code catalogue is inconsistent: {0}")]
pub struct CatalogueError(pub String);

impl Catalogue {
    /// Parses catalogue text and checks it lists exactly the known codes.
    pub fn parse(text: &str) -> Result<Self, CatalogueError> {
        let file: CatalogueFile = toml::from_str(text).map_err(|e| CatalogueError(e.to_string()))?;
        let mut entries = BTreeMap::new();
        for e in file.code {
            let code = DetailCode::parse(&e.code)
                .ok_or_else(|| CatalogueError(format!("code {} is not known to the simulator", e.code)))?;
            if entries.insert(code, e).is_some() {
                return Err(CatalogueError(format!("code {code} listed twice")));
            }
        }
        if let Some(missing) = DetailCode::ALL.iter().find(|c| !entries.contains_key(c)) {
            return Err(CatalogueError(format!("code {missing} has no row")));
        }
        Ok(Catalogue { entries })
    }

    /// The built-in catalogue.
    pub fn builtin() -> &'static Catalogue {
        static CAT: std::sync::OnceLock<Catalogue> = std::sync::OnceLock::new();
        CAT.get_or_init(|| match Catalogue::parse(&crate::tables::text("ack-codes.toml", CATALOGUE_TOML)) {
            Ok(c) => c,
            // The file is compiled in and checked by a unit test; reaching this
            // means the binary was built from an inconsistent tree.
            Err(e) => panic!("{e}"),
        })
    }

    /// The row for a code.
    pub fn entry(&self, code: DetailCode) -> &CatalogueEntry {
        &self.entries[&code]
    }

    /// All rows, ordered by code.
    pub fn entries(&self) -> impl Iterator<Item = (&DetailCode, &CatalogueEntry)> {
        self.entries.iter()
    }
}

/// Longest value a detail text echoes, in characters.
pub const MAX_VALUE_CHARS: usize = 400;

/// One finding: a code, where, and the specific value, with texts filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Detail {
    /// The code.
    pub code: DetailCode,
    /// Delivery kind (copied from the catalogue).
    pub kind: AckKind,
    /// Path of the offending element, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Finnish text.
    pub fi: String,
    /// English text.
    pub en: String,
}

impl Detail {
    /// A detail for `code` with `{value}` replaced by `value`.
    pub fn new(code: DetailCode, value: impl std::fmt::Display) -> Self {
        let e = Catalogue::builtin().entry(code);
        // What a sender wrote is echoed bounded: an answer never grows with a hostile value.
        let mut v = value.to_string();
        if v.chars().count() > MAX_VALUE_CHARS {
            v = format!("{}…", v.chars().take(MAX_VALUE_CHARS).collect::<String>());
        }
        Detail { code, kind: e.kind, location: None, fi: e.fi.replace("{value}", &v), en: e.en.replace("{value}", &v) }
    }

    /// Adds the offending element's path.
    pub fn at(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// The detail as a system that is not in strict signature mode gets it: the catalogue's
    /// `lenient` kind when it has one.
    pub fn lenient(mut self, strict: bool) -> Self {
        if !strict {
            if let Some(k) = Catalogue::builtin().entry(self.code).lenient {
                self.kind = k;
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_lists_every_code_once() {
        let c = Catalogue::parse(CATALOGUE_TOML).expect("consistent");
        assert_eq!(c.entries().count(), DetailCode::ALL.len());
        for code in DetailCode::ALL {
            let e = c.entry(*code);
            assert!(!e.fi.is_empty() && !e.en.is_empty(), "{code} needs both texts");
        }
    }

    #[test]
    fn detail_fills_in_value() {
        let d = Detail::new(DetailCode::UnknownInteraction, "FOO_IN1").at("/FOO_IN1");
        assert!(d.fi.contains("FOO_IN1") && d.en.contains("FOO_IN1"));
        assert_eq!(d.kind, AckKind::AR);
    }
}

#[cfg(test)]
mod doc_tests {
    #[test]
    fn docs_rules_lists_every_code() {
        let path = format!("{}/../docs/rules.md", env!("CARGO_MANIFEST_DIR"));
        let doc = std::fs::read_to_string(&path).expect("docs/rules.md");
        let cat = super::Catalogue::builtin();
        for code in super::DetailCode::ALL {
            let e = cat.entry(*code);
            let row = doc.lines().find(|l| l.starts_with(&format!("| `{}` |", code.as_str())));
            let row =
                row.unwrap_or_else(|| panic!("docs/rules.md does not list {code}; run python3 tools/rules_table.py"));
            let name = |k: super::AckKind| match k {
                super::AckKind::Fault => "fault",
                super::AckKind::AR => "AR",
                super::AckKind::AE => "AE",
                super::AckKind::W => "W",
            };
            let kind = match e.lenient {
                Some(l) => format!("| {} ({} when not strict) |", name(e.kind), name(l)),
                None => format!("| {} |", name(e.kind)),
            };
            assert!(
                row.contains(&kind),
                "docs/rules.md's kind for {code} is not {kind}; run python3 tools/rules_table.py"
            );
            let en = e.en.replace("{value}", "…").replace('|', "\\|");
            let fi = e.fi.replace("{value}", "…").replace('|', "\\|");
            assert!(
                row.contains(&en) && row.contains(&fi),
                "docs/rules.md's row for {code} differs from testdata/ack-codes.toml; run python3 tools/rules_table.py"
            );
        }
    }
}
