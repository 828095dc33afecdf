//! HL7 V3 message wrapper: parse the request's transmission and control-act
//! wrappers into typed values, and build acknowledgements.
//!
//! Owns: the interaction table (`testdata/interactions.toml`, compiled in),
//! [`Request`], [`Ack`] and their XML shapes (docs/messages.md).
//! Must not touch: SOAP, TLS, storage, or the document inside the control act.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::acks::{AckKind, Detail, DetailCode};
use crate::xml::{Element, Node};

/// HL7 V3 namespace.
pub const HL7_NS: &str = "urn:hl7-org:v3";
/// Interaction id code system.
const INTERACTION_ROOT: &str = "2.16.840.1.113883.1.6";

/// The archive use case an interaction triggers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Archive a new document.
    Store,
    /// Archive a replacing version.
    StoreNewVersion,
    /// Invalidate (mitätöi) a document.
    Invalidate,
    /// Check a message against every rule, store nothing.
    Validate,
    /// Query clienthood documents.
    QueryClienthood,
    /// Query case documents.
    QueryCase,
    /// Search document metadata.
    QueryMetadata,
    /// Fetch one document.
    FetchDocument,
    /// Fetch the client-data summary.
    FetchKooste,
    /// The client's current informing, consent and prohibitions.
    QueryDeclarations,
}

impl Operation {
    /// Whether the operation only reads.
    pub fn is_query(self) -> bool {
        matches!(
            self,
            Operation::QueryClienthood
                | Operation::QueryCase
                | Operation::QueryMetadata
                | Operation::FetchDocument
                | Operation::FetchKooste
                | Operation::QueryDeclarations
        )
    }
}

/// One row of the interaction table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Interaction {
    /// Interaction id, e.g. `RCMR_IN100002FI01`.
    pub id: String,
    /// What it does.
    pub operation: Operation,
    /// Response interaction id.
    pub response: String,
    /// `public` or `choice`.
    pub status: String,
    /// Human description.
    pub description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InteractionFile {
    archive_device: String,
    ack_detail_code_system: String,
    interaction: Vec<Interaction>,
}

/// The compiled-in interaction table text.
pub const INTERACTIONS_TOML: &str = include_str!("../../testdata/interactions.toml");

/// The interaction table.
#[derive(Debug, Clone)]
pub struct Interactions {
    /// The archive's own device id (receiver of requests, sender of responses).
    pub archive_device: String,
    /// Code system OID of the SHA-* detail codes.
    pub ack_code_system: String,
    by_id: BTreeMap<String, Interaction>,
}

impl Interactions {
    /// Parses table text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let f: InteractionFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut by_id = BTreeMap::new();
        for i in f.interaction {
            if by_id.insert(i.id.clone(), i).is_some() {
                return Err("an interaction id is listed twice".into());
            }
        }
        Ok(Interactions { archive_device: f.archive_device, ack_code_system: f.ack_detail_code_system, by_id })
    }

    /// The built-in table.
    pub fn builtin() -> &'static Interactions {
        static T: std::sync::OnceLock<Interactions> = std::sync::OnceLock::new();
        T.get_or_init(|| match Interactions::parse(INTERACTIONS_TOML) {
            Ok(t) => t,
            // Compiled in and checked by a unit test.
            Err(e) => panic!("testdata/interactions.toml: {e}"),
        })
    }

    /// Row by interaction id.
    pub fn get(&self, id: &str) -> Option<&Interaction> {
        self.by_id.get(id)
    }

    /// The interaction for an operation.
    pub fn for_operation(&self, op: Operation) -> Option<&Interaction> {
        self.by_id.values().find(|i| i.operation == op)
    }

    /// All rows.
    pub fn all(&self) -> impl Iterator<Item = &Interaction> {
        self.by_id.values()
    }
}

/// An HL7 instance identifier (`II`): root OID and optional extension.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InstanceId {
    /// Root OID (or UUID).
    pub root: String,
    /// Extension.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub extension: Option<String>,
}

impl InstanceId {
    /// Reads `root` / `extension` attributes.
    pub fn from_element(e: &Element) -> Option<Self> {
        let root = e.attr("root")?.trim();
        if root.is_empty() {
            return None;
        }
        Some(InstanceId {
            root: root.to_string(),
            extension: e.attr("extension").map(str::trim).filter(|s| !s.is_empty()).map(str::to_string),
        })
    }

    /// An element `<name root=".." extension=".."/>` in the HL7 namespace.
    pub fn to_element(&self, name: &str) -> Element {
        let mut attrs = vec![("root".to_string(), self.root.clone())];
        if let Some(x) = &self.extension {
            attrs.push(("extension".to_string(), x.clone()));
        }
        Element { ns: HL7_NS.into(), name: name.into(), attrs, children: vec![] }
    }
}

impl std::fmt::Display for InstanceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.extension {
            Some(x) => write!(f, "{}:{}", self.root, x),
            None => f.write_str(&self.root),
        }
    }
}

/// A parsed request wrapper.
#[derive(Debug, Clone)]
pub struct Request {
    /// The interaction row.
    pub interaction: Interaction,
    /// Message id.
    pub message_id: InstanceId,
    /// creationTime value as sent.
    pub creation_time: String,
    /// processingCode (D, P, T).
    pub processing_code: String,
    /// acceptAckCode (AL, ER, NE).
    pub accept_ack: String,
    /// sender/device/id root: the sending system's OID.
    pub sender_device: String,
    /// receiver/device/id root.
    pub receiver_device: String,
    /// The controlActProcess element (the archive reads its payload).
    pub control_act: Element,
}

/// What the wrapper parser could read even when the message is rejected:
/// enough to address an acknowledgement.
#[derive(Debug, Clone, Default)]
pub struct Envelope {
    /// Root element name.
    pub root_name: String,
    /// Message id, if readable.
    pub message_id: Option<InstanceId>,
    /// Sender device, if readable.
    pub sender_device: Option<String>,
}

/// Reads the addressing part of a message, whatever else is wrong with it.
pub fn envelope_of(root: &Element) -> Envelope {
    Envelope {
        root_name: root.name.clone(),
        message_id: root.child("id").and_then(InstanceId::from_element),
        sender_device: root.path(&["sender", "device", "id"]).and_then(|e| e.attr("root")).map(str::to_string),
    }
}

fn require<'a>(root: &'a Element, path: &[&str], details: &mut Vec<Detail>) -> Option<&'a Element> {
    let found = root.path(path);
    if found.is_none() {
        let loc = format!("/{}/{}", root.name, path.join("/"));
        details.push(Detail::new(DetailCode::MissingElement, &loc).at(loc));
    }
    found
}

fn require_attr(e: &Element, attr: &str, loc: &str, details: &mut Vec<Detail>) -> String {
    match e.attr(attr).map(str::trim).filter(|s| !s.is_empty()) {
        Some(v) => v.to_string(),
        None => {
            let l = format!("{loc}/@{attr}");
            details.push(Detail::new(DetailCode::MissingElement, &l).at(l));
            String::new()
        }
    }
}

fn check_code(value: &str, allowed: &[&str], what: &str, loc: &str, details: &mut Vec<Detail>) {
    if !value.is_empty() && !allowed.contains(&value) {
        details.push(
            Detail::new(DetailCode::WrapperValue, format!("{what} = '{value}' (allowed: {})", allowed.join(", ")))
                .at(loc),
        );
    }
}

/// Parses and checks the wrapper. Every problem found is returned (not just the first).
pub fn parse_request(root: &Element, table: &Interactions) -> Result<Request, Vec<Detail>> {
    let mut details = Vec::new();
    let r = &root.name;
    if root.ns != HL7_NS {
        let loc = format!("/{r}");
        details.push(
            Detail::new(DetailCode::WrapperValue, format!("namespace '{}' (expected {HL7_NS})", root.ns)).at(loc),
        );
    }
    let Some(interaction) = table.get(r) else {
        return Err(vec![Detail::new(DetailCode::UnknownInteraction, r).at(format!("/{r}"))]);
    };
    match root.attr("ITSVersion") {
        Some("XML_1.0") => {}
        Some(other) => details.push(
            Detail::new(DetailCode::WrapperValue, format!("ITSVersion = '{other}' (allowed: XML_1.0)"))
                .at(format!("/{r}/@ITSVersion")),
        ),
        None => {
            let l = format!("/{r}/@ITSVersion");
            details.push(Detail::new(DetailCode::MissingElement, &l).at(l));
        }
    }
    let message_id = require(root, &["id"], &mut details).and_then(|e| {
        let id = InstanceId::from_element(e);
        if id.is_none() {
            let l = format!("/{r}/id/@root");
            details.push(Detail::new(DetailCode::MissingElement, &l).at(l));
        }
        id
    });
    let creation_time = require(root, &["creationTime"], &mut details)
        .map(|e| require_attr(e, "value", &format!("/{r}/creationTime"), &mut details))
        .unwrap_or_default();
    if let Some(v) = require(root, &["versionCode"], &mut details) {
        let code = require_attr(v, "code", &format!("/{r}/versionCode"), &mut details);
        check_code(
            &code,
            &["V3-2006", "V3-2005", "V3-2008"],
            "versionCode",
            &format!("/{r}/versionCode"),
            &mut details,
        );
    }
    if let Some(i) = require(root, &["interactionId"], &mut details) {
        let ext = require_attr(i, "extension", &format!("/{r}/interactionId"), &mut details);
        if !ext.is_empty() && ext != *r {
            details
                .push(Detail::new(DetailCode::InteractionMismatch, &ext).at(format!("/{r}/interactionId/@extension")));
        }
        let iroot = i.attr("root").unwrap_or_default();
        if iroot != INTERACTION_ROOT {
            check_code(
                iroot,
                &[INTERACTION_ROOT],
                "interactionId/@root",
                &format!("/{r}/interactionId/@root"),
                &mut details,
            );
        }
    }
    let processing_code = require(root, &["processingCode"], &mut details)
        .map(|e| require_attr(e, "code", &format!("/{r}/processingCode"), &mut details))
        .unwrap_or_default();
    check_code(&processing_code, &["D", "P", "T"], "processingCode", &format!("/{r}/processingCode"), &mut details);
    if let Some(e) = root.child("processingModeCode") {
        let c = e.attr("code").unwrap_or_default();
        check_code(c, &["T", "A", "I", "R"], "processingModeCode", &format!("/{r}/processingModeCode"), &mut details);
    }
    let accept_ack = require(root, &["acceptAckCode"], &mut details)
        .map(|e| require_attr(e, "code", &format!("/{r}/acceptAckCode"), &mut details))
        .unwrap_or_default();
    check_code(&accept_ack, &["AL", "ER", "NE"], "acceptAckCode", &format!("/{r}/acceptAckCode"), &mut details);
    let receiver_device = require(root, &["receiver", "device", "id"], &mut details)
        .map(|e| require_attr(e, "root", &format!("/{r}/receiver/device/id"), &mut details))
        .unwrap_or_default();
    let sender_device = require(root, &["sender", "device", "id"], &mut details)
        .map(|e| require_attr(e, "root", &format!("/{r}/sender/device/id"), &mut details))
        .unwrap_or_default();
    let control_act = require(root, &["controlActProcess"], &mut details).cloned();
    if let Some(receiver) = Some(&receiver_device).filter(|d| !d.is_empty()) {
        if receiver != &table.archive_device {
            details.push(
                Detail::new(
                    DetailCode::WrapperValue,
                    format!("receiver/device/id = '{receiver}' (the archive is {})", table.archive_device),
                )
                .at(format!("/{r}/receiver/device/id/@root")),
            );
        }
    }
    match (message_id, control_act) {
        (Some(message_id), Some(control_act)) if details.is_empty() => Ok(Request {
            interaction: interaction.clone(),
            message_id,
            creation_time,
            processing_code,
            accept_ack,
            sender_device,
            receiver_device,
            control_act,
        }),
        _ => Err(details),
    }
}

/// The acknowledgement type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AckType {
    /// Accepted.
    AA,
    /// Application error.
    AE,
    /// Rejected.
    AR,
}

impl AckType {
    /// The severest type the details call for (no details → AA).
    pub fn from_details(details: &[Detail]) -> AckType {
        if details.iter().any(|d| d.kind == AckKind::AR || d.kind == AckKind::Fault) {
            AckType::AR
        } else if details.iter().any(|d| d.kind == AckKind::AE) {
            AckType::AE
        } else {
            AckType::AA
        }
    }

    /// As text.
    pub fn as_str(self) -> &'static str {
        match self {
            AckType::AA => "AA",
            AckType::AE => "AE",
            AckType::AR => "AR",
        }
    }
}

/// An acknowledgement (and for queries, the result) to send back.
#[derive(Debug, Clone)]
pub struct Ack {
    /// AA / AE / AR.
    pub type_code: AckType,
    /// The request's message id, when it could be read.
    pub target: Option<InstanceId>,
    /// The details.
    pub details: Vec<Detail>,
    /// Query result or other payload, placed in `controlActProcess/subject`.
    pub payload: Vec<Element>,
}

impl Ack {
    /// An ack whose type follows from its details.
    pub fn from_details(target: Option<InstanceId>, details: Vec<Detail>) -> Self {
        Ack { type_code: AckType::from_details(&details), target, details, payload: vec![] }
    }
}

/// Builds an HL7 element in the v3 namespace.
pub fn el(name: &str, attrs: &[(&str, &str)], children: Vec<Node>) -> Element {
    Element {
        ns: HL7_NS.into(),
        name: name.into(),
        attrs: attrs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        children,
    }
}

/// HL7 TS format (YYYYMMDDHHMMSS) of an instant, UTC.
pub fn hl7_ts(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{:04}{:02}{:02}{:02}{:02}{:02}", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second())
}

fn device(type_code: &str, name: &str, id: &str) -> Node {
    Node::Element(el(
        name,
        &[("typeCode", type_code)],
        vec![Node::Element(el(
            "device",
            &[("classCode", "DEV"), ("determinerCode", "INSTANCE")],
            vec![Node::Element(el("id", &[("root", id)], vec![]))],
        ))],
    ))
}

/// Renders the response message for `ack`.
///
/// `response_interaction` is the response's interaction id, `to_device` the
/// requester's device id (empty when unknown), `message_id` the response's own id.
pub fn render_ack(
    ack: &Ack,
    response_interaction: &str,
    to_device: &str,
    message_id: &InstanceId,
    now: OffsetDateTime,
    table: &Interactions,
) -> Element {
    let mut ack_children = Vec::new();
    if let Some(t) = &ack.target {
        ack_children.push(Node::Element(el("targetMessage", &[], vec![Node::Element(t.to_element("id"))])));
    }
    for d in &ack.details {
        let type_code = match d.kind {
            AckKind::W => "W",
            _ => "E",
        };
        let mut dc = vec![
            Node::Element(el(
                "code",
                &[("code", d.code.as_str()), ("codeSystem", &table.ack_code_system), ("displayName", &d.en)],
                vec![],
            )),
            Node::Element(el("text", &[], vec![Node::Text(d.fi.clone())])),
        ];
        if let Some(loc) = &d.location {
            dc.push(Node::Element(el("location", &[], vec![Node::Text(loc.clone())])));
        }
        ack_children.push(Node::Element(el("acknowledgementDetail", &[("typeCode", type_code)], dc)));
    }
    let mut children = vec![
        Node::Element(message_id.to_element("id")),
        Node::Element(el("creationTime", &[("value", &hl7_ts(now))], vec![])),
        Node::Element(el("versionCode", &[("code", "V3-2006")], vec![])),
        Node::Element(el("interactionId", &[("root", INTERACTION_ROOT), ("extension", response_interaction)], vec![])),
        Node::Element(el("processingCode", &[("code", "P")], vec![])),
        Node::Element(el("processingModeCode", &[("code", "T")], vec![])),
        Node::Element(el("acceptAckCode", &[("code", "NE")], vec![])),
        device("RCV", "receiver", to_device),
        device("SND", "sender", &table.archive_device),
        Node::Element(el("acknowledgement", &[("typeCode", ack.type_code.as_str())], ack_children)),
    ];
    if !ack.payload.is_empty() {
        let subject = el("subject", &[("typeCode", "SUBJ")], ack.payload.iter().cloned().map(Node::Element).collect());
        children.push(Node::Element(el(
            "controlActProcess",
            &[("classCode", "CACT"), ("moodCode", "EVN")],
            vec![Node::Element(subject)],
        )));
    }
    el(response_interaction, &[("ITSVersion", "XML_1.0")], children)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{parse, Limits};

    fn store_request() -> Element {
        let b = crate::compose::RequestBuilder::new(
            "RCMR_IN100002FI01",
            "1.2.246.10.99990001.11.1",
            OffsetDateTime::UNIX_EPOCH,
        )
        .acting_organisation("1.2.246.10.99990001.10.0");
        let env =
            parse(b.soap(crate::transport::soap::SoapVersion::V11).as_bytes(), Limits::default()).expect("parses");
        env.path(&["Body"]).and_then(|b| b.elements().next()).cloned().expect("message in body")
    }

    #[test]
    fn builtin_interaction_table_is_consistent() {
        let t = Interactions::parse(INTERACTIONS_TOML).expect("parses");
        assert_eq!(t.get("RCMR_IN100002FI01").map(|i| i.operation), Some(Operation::Store));
        assert!(t.for_operation(Operation::FetchKooste).is_some());
    }

    #[test]
    fn parses_wrapper_of_store_request() {
        let m = store_request();
        let r = parse_request(&m, Interactions::builtin()).expect("valid wrapper");
        assert_eq!(r.interaction.operation, Operation::Store);
        assert_eq!(r.processing_code, "P");
        assert!(!r.sender_device.is_empty());
    }

    #[test]
    fn reports_every_missing_wrapper_element() {
        let mut m = store_request();
        m.children.retain(|n| !matches!(n, Node::Element(e) if e.name == "creationTime" || e.name == "sender"));
        let details = parse_request(&m, Interactions::builtin()).expect_err("invalid");
        let locs: Vec<_> = details.iter().filter_map(|d| d.location.clone()).collect();
        assert!(locs.iter().any(|l| l.ends_with("/creationTime")), "{locs:?}");
        assert!(locs.iter().any(|l| l.ends_with("/sender/device/id")), "{locs:?}");
        assert!(details.iter().all(|d| d.code == DetailCode::MissingElement));
    }

    #[test]
    fn unknown_interaction_is_rejected_by_name() {
        let mut m = store_request();
        m.name = "FOO_IN999999".into();
        let d = parse_request(&m, Interactions::builtin()).expect_err("unknown");
        assert_eq!(d[0].code, DetailCode::UnknownInteraction);
        assert!(d[0].en.contains("FOO_IN999999"));
    }

    #[test]
    fn ack_renders_target_and_details() {
        let ack = Ack::from_details(
            Some(InstanceId { root: "1.2.3".into(), extension: Some("m1".into()) }),
            vec![Detail::new(DetailCode::UnregisteredSystem, "CN=x").at("/x")],
        );
        assert_eq!(ack.type_code, AckType::AR);
        let id = InstanceId { root: "9.9".into(), extension: Some("r1".into()) };
        let x =
            render_ack(&ack, "MCCI_IN000002FI01", "1.2.3.4", &id, OffsetDateTime::UNIX_EPOCH, Interactions::builtin());
        let text = x.to_xml();
        assert!(text.contains("typeCode=\"AR\""));
        assert!(text.contains("SHA-M003"));
        assert!(text.contains("extension=\"m1\""));
        assert!(text.contains("19700101000000"));
    }
}
