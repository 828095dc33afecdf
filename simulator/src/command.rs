//! Reading a message into what it asks the archive to do: a typed
//! [`Request`] carrying a [`Command`] — store (new, new version, validate),
//! invalidate, or query — with everything the archive needs already typed:
//! the document's package, header ([`Metadata`]), derived kind and decoded
//! contents, or the query's parameters.
//!
//! Owns: the meaning of the wrapper — which interaction and service request
//! ask for which operation (`testdata/interactions.toml`), which wrapper
//! values are allowed, the query parameters' forms — and the one entry point
//! the archive, Kela's validation service stand-in and `sha-simulator
//! validate` share for documents ([`read_document`]). Problems that make a
//! message unreadable reject it here ([`Rejection`]); content problems travel
//! with the command as findings so that the archive can check who may do
//! what (rule 4) before judging content.

use time::OffsetDateTime;

use crate::acks::{Detail, DetailCode};
use crate::codes::{Code, CodeCheck, CodeSets};
use crate::document::{self, ClientId, Contents, DocumentKind, KindTable, Metadata};
use crate::interactions::{Interactions, Operation};
use crate::wire::cda::{self, ClinicalDocument};
use crate::wire::frame::{self, FrameDocument, FrameText, QueryParameters, USE_SITUATION_SYSTEM};
use crate::wire::hl7::{parse_ts, InstanceId, HL7_NS};
use crate::wire::mime::{self, Part};
use crate::xml::{self, Element};

/// Who acts, as the control act names them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Acting {
    /// `authorOrPerformer/…/representedOrganization/id`: the controller or one of its units.
    pub organisation: Option<String>,
    /// The acting professional's id.
    pub person: Option<InstanceId>,
}

/// A document as it arrived: the wrapper's view, the MIME parts, the CDA,
/// and what they mean.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The wrapper's `clinicalDocument`.
    pub frame: FrameDocument,
    /// MIME parts as received (the CDA first).
    pub parts: Vec<Part>,
    /// The typed CDA.
    pub cda: ClinicalDocument,
    /// Its metadata.
    pub meta: Metadata,
    /// Its kind, when the derivation table knows its group.
    pub kind: Option<DocumentKind>,
    /// Its decoded contents.
    pub contents: Contents,
}

/// How a storing command treats the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreMode {
    /// A new document.
    New,
    /// A version replacing the document it names.
    NewVersion,
    /// Every rule, nothing stored.
    Validate,
}

/// A query's parameters, typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    /// The register queried (default: the acting organisation's controller).
    pub controller: Option<String>,
    /// Client.
    pub client: Option<ClientId>,
    /// Documents created at or after.
    pub from: Option<OffsetDateTime>,
    /// Documents created at or before.
    pub to: Option<OffsetDateTime>,
    /// Service task code.
    pub service_task: Option<String>,
    /// Specific document type code.
    pub document_type: Option<String>,
    /// Document group code.
    pub document_group: Option<String>,
    /// Case id.
    pub case_id: Option<String>,
    /// Process phase code.
    pub process_phase: Option<String>,
    /// Document kind.
    pub kind: Option<DocumentKind>,
    /// Include invalidated documents.
    pub include_invalidated: bool,
    /// Include replaced versions.
    pub include_old_versions: bool,
    /// Document id (fetch).
    pub document_id: Option<String>,
    /// A disclosure query: another controller's data (SPEC §8.4).
    pub disclosure: bool,
    /// Statutory right to information: the reason code, when claimed.
    pub statutory_right: Option<String>,
    /// Page wanted (1-based).
    pub page: usize,
}

/// What the message asks for.
#[derive(Debug, Clone)]
pub enum Command {
    /// Store (or validate) a document.
    Store {
        /// New, new version or validate.
        mode: StoreMode,
        /// The document.
        doc: Box<Incoming>,
    },
    /// Invalidate a stored document.
    Invalidate {
        /// Document id.
        document_id: Option<String>,
        /// Reason.
        reason: Option<String>,
    },
    /// A query.
    Query {
        /// Which.
        op: Operation,
        /// Parameters.
        query: Box<Query>,
    },
}

/// A readable request.
#[derive(Debug, Clone)]
pub struct Request {
    /// Message id.
    pub message_id: InstanceId,
    /// Interaction (root element).
    pub interaction: String,
    /// The response interaction.
    pub response: String,
    /// `sender/device/id`.
    pub sender: String,
    /// processingCode.
    pub processing_code: String,
    /// The service request code, when sent.
    pub service_request: Option<String>,
    /// The use situation code, when sent.
    pub use_situation: Option<String>,
    /// Who acts.
    pub acting: Acting,
    /// The operation.
    pub operation: Operation,
    /// What to do.
    pub command: Command,
    /// Findings from reading that do not stop processing (warnings, or content problems judged later).
    pub findings: Vec<Detail>,
}

/// A message that cannot be processed: answered with an acknowledgement that names why.
#[derive(Debug, Clone)]
pub struct Rejection {
    /// The message id, when readable.
    pub target: Option<InstanceId>,
    /// The response interaction.
    pub response: String,
    /// Why.
    pub details: Vec<Detail>,
}

fn missing(loc: impl Into<String>) -> Detail {
    let l = loc.into();
    Detail::new(DetailCode::MissingElement, &l).at(l)
}

fn check_value(v: &Option<String>, allowed: &[&str], what: &str, loc: &str, out: &mut Vec<Detail>) {
    if let Some(v) = v {
        if !allowed.contains(&v.as_str()) {
            out.push(frame::wrapper_value(what, v, allowed, loc));
        }
    }
}

/// Reads a message (the SOAP body's single child) into a request.
pub fn read(msg: &Element, t: &Interactions, kinds: &KindTable, codes: &CodeSets) -> Result<Request, Rejection> {
    let (mut f, dup) = frame::read(msg);
    // The document (with its MIME text, most of the message) is moved out once, not copied.
    let subject = f.control_act.as_mut().and_then(|ca| ca.subject.take());
    let r = format!("/{}", f.interaction);
    let interaction = t.get(&f.interaction);
    let response = interaction.map(|i| i.response.clone()).unwrap_or_else(|| "MCCI_IN000002FI01".to_string());
    let reject = |details: Vec<Detail>| Rejection { target: f.id.clone(), response: response.clone(), details };
    if f.namespace != HL7_NS {
        return Err(reject(vec![frame::wrapper_value("namespace", &f.namespace, &[HL7_NS], &r)]));
    }
    let Some(interaction) = interaction else {
        return Err(reject(vec![Detail::new(DetailCode::UnknownInteraction, &f.interaction).at(&r)]));
    };
    if !dup.is_empty() {
        return Err(reject(dup));
    }
    let mut d = Vec::new();
    check_value(&f.its_version, &["XML_1.0"], "ITSVersion", &format!("{r}/@ITSVersion"), &mut d);
    match &f.id {
        None => d.push(missing(format!("{r}/id/@root"))),
        Some(id) => {
            if let Some(p) = crate::oid::instance_id_problem(&id.key()) {
                d.push(Detail::new(DetailCode::WrapperValue, format!("message id: {p}")).at(format!("{r}/id")));
            }
        }
    }
    if f.creation_time.is_none() {
        d.push(missing(format!("{r}/creationTime/@value")));
    } else if f.creation_time.as_deref().and_then(parse_ts).is_none() {
        d.push(frame::wrapper_value(
            "creationTime",
            f.creation_time.as_deref().unwrap_or(""),
            &["an HL7 TS"],
            &format!("{r}/creationTime"),
        ));
    }
    match &f.interaction_id {
        None => d.push(missing(format!("{r}/interactionId"))),
        Some(iid) => {
            match iid.extension.as_deref() {
                None => d.push(missing(format!("{r}/interactionId/@extension"))),
                Some(x) if x != f.interaction => {
                    d.push(Detail::new(DetailCode::InteractionMismatch, x).at(format!("{r}/interactionId/@extension")))
                }
                Some(_) => {}
            }
            if iid.root != frame::INTERACTION_ROOT {
                d.push(frame::wrapper_value(
                    "interactionId/@root",
                    &iid.root,
                    &[frame::INTERACTION_ROOT],
                    &format!("{r}/interactionId/@root"),
                ));
            }
        }
    }
    if let Some(v) = &f.version_code {
        if !v.starts_with("V3-") {
            d.push(frame::wrapper_value("versionCode", v, &["V3-2006", "V3-…"], &format!("{r}/versionCode")));
        }
    }
    if f.processing_code.is_none() {
        d.push(missing(format!("{r}/processingCode/@code")));
    }
    check_value(&f.processing_code, &["D", "P", "T"], "processingCode", &format!("{r}/processingCode"), &mut d);
    check_value(
        &f.processing_mode,
        &["T", "A", "I", "R"],
        "processingModeCode",
        &format!("{r}/processingModeCode"),
        &mut d,
    );
    check_value(&f.accept_ack, &["AL", "ER", "NE"], "acceptAckCode", &format!("{r}/acceptAckCode"), &mut d);
    match &f.receiver {
        None => d.push(missing(format!("{r}/receiver/device/id/@root"))),
        Some(rcv) if rcv != &t.archive_device => d.push(
            Detail::new(
                DetailCode::WrapperValue,
                format!("receiver/device/id = '{rcv}' (the archive is {})", t.archive_device),
            )
            .at(format!("{r}/receiver/device/id/@root")),
        ),
        Some(_) => {}
    }
    if f.sender.is_none() {
        d.push(missing(format!("{r}/sender/device/id/@root")));
    }
    let Some(ca) = &f.control_act else {
        d.push(missing(format!("{r}/controlActProcess")));
        return Err(reject(d));
    };
    let cap = format!("{r}/controlActProcess");
    // What is asked: the interaction's fixed operation, or the service request's.
    let sp = ca.service_request();
    let request = match sp {
        Some(code) => match t.service_request(&code.code) {
            Some(sr) => Some(sr),
            None => {
                d.push(
                    Detail::new(
                        DetailCode::ServiceRequest,
                        format!("{} is not a service request the archive knows", code.code),
                    )
                    .at(format!("{cap}/reasonCode")),
                );
                None
            }
        },
        None => None,
    };
    let operation = match (interaction.operation, request) {
        (Some(op), Some(sr)) if sr.operation != op => {
            d.push(
                Detail::new(
                    DetailCode::ServiceRequest,
                    format!("{} ({}) does not fit {}", sr.code, sr.name, f.interaction),
                )
                .at(format!("{cap}/reasonCode")),
            );
            None
        }
        (Some(op), _) => Some(op),
        (None, Some(sr)) => Some(sr.operation),
        (None, None) => {
            if sp.is_none() {
                d.push(
                    Detail::new(
                        DetailCode::ServiceRequest,
                        format!("none: {} needs a reasonCode from {}", f.interaction, t.service_request_system),
                    )
                    .at(format!("{cap}/reasonCode")),
                );
            }
            None
        }
    };
    if !d.is_empty() {
        return Err(reject(d));
    }
    let (Some(message_id), Some(operation)) = (f.id.clone(), operation) else {
        return Err(reject(vec![missing(format!("{r}/id"))]));
    };
    let mut findings = Vec::new();
    let use_situation = ca.use_situation().cloned();
    if let Some(us) = &use_situation {
        let at = f
            .creation_time
            .as_deref()
            .and_then(parse_ts)
            .map(|t| t.date())
            .unwrap_or(time::macros::date!(2026 - 01 - 01));
        let probe = Code { code: us.code.clone(), system: USE_SITUATION_SYSTEM.into(), display: None };
        if let CodeCheck::Unknown | CodeCheck::UnknownInPartialSet = codes.check(USE_SITUATION_SYSTEM, &probe, at) {
            findings.push(
                Detail::new(DetailCode::CodeUnknownPartial, format!("use situation {} ({})", us.code, us.system))
                    .at(format!("{cap}/reasonCode")),
            );
        }
    }
    let acting = Acting {
        organisation: ca.performer.as_ref().and_then(|p| p.organisation.as_ref()).and_then(|o| o.key()),
        person: ca.performer.as_ref().and_then(|p| p.person.clone()),
    };
    // Every real message names who acts (authorOrPerformer): without it, whose register and
    // rights apply would be a guess.
    if acting.organisation.is_none() {
        return Err(reject(vec![missing(format!(
            "{cap}/authorOrPerformer/assignedPerson/representedOrganization/id"
        ))]));
    }
    let subject_loc = format!("{cap}/subject/clinicalDocument");
    let command = match operation {
        Operation::Store | Operation::StoreNewVersion | Operation::Validate => {
            let Some(fd) = subject else {
                return Err(reject(vec![missing(subject_loc)]));
            };
            let doc = match read_document(fd, &subject_loc, kinds) {
                Ok((doc, problems)) => {
                    findings.extend(problems);
                    doc
                }
                Err(problems) => return Err(reject(problems)),
            };
            if let (Some(sr), Some(kind)) = (request, doc.kind) {
                if !sr.admits(kind) {
                    return Err(reject(vec![Detail::new(
                        DetailCode::ServiceRequest,
                        format!("{} ({}) does not carry a {}", sr.code, sr.name, kind.finnish()),
                    )
                    .at(format!("{cap}/reasonCode"))]));
                }
            }
            let mode = match operation {
                Operation::Validate => StoreMode::Validate,
                Operation::StoreNewVersion => StoreMode::NewVersion,
                // A storing request whose document names a parent stores a version (choice, docs/messages.md).
                _ if doc.meta.replaces.is_some() => StoreMode::NewVersion,
                _ => StoreMode::New,
            };
            Command::Store { mode, doc: Box::new(doc) }
        }
        Operation::Invalidate => {
            let Some(fd) = &subject else { return Err(reject(vec![missing(subject_loc)])) };
            let Some(id) = &fd.id else {
                return Err(reject(vec![missing(format!("{subject_loc}/id"))]));
            };
            if let Some(p) = crate::oid::instance_id_problem(&id.key()) {
                return Err(reject(vec![
                    Detail::new(DetailCode::BadValue, format!("document id: {p}")).at(format!("{subject_loc}/id"))
                ]));
            }
            Command::Invalidate {
                document_id: fd.id.as_ref().map(InstanceId::key),
                reason: fd.invalidation_reason.clone(),
            }
        }
        op => {
            let Some(q) = &ca.query else {
                return Err(reject(vec![Detail::new(DetailCode::BadQuery, "queryByParameter is missing")
                    .at(format!("{cap}/queryByParameter"))]));
            };
            match query(op, q, &format!("{cap}/queryByParameter/parameterList")) {
                Ok(query) => Command::Query { op, query: Box::new(query) },
                Err(problems) => return Err(reject(problems)),
            }
        }
    };
    Ok(Request {
        message_id,
        interaction: f.interaction.clone(),
        response,
        sender: f.sender.clone().unwrap_or_default(),
        processing_code: f.processing_code.clone().unwrap_or_default(),
        service_request: sp.map(|c| c.code.clone()),
        use_situation: use_situation.map(|c| c.code),
        acting,
        operation,
        command,
        findings,
    })
}

/// Reads the package a wrapper document carries: the MIME parts and the CDA root part.
pub fn read_package(fd: &FrameDocument, base: &str) -> Result<(Vec<Part>, Element), Vec<Detail>> {
    let text_loc = format!("{base}/text");
    let mime_text = match &fd.text {
        FrameText::Mime(m) => m,
        FrameText::Absent => return Err(vec![missing(text_loc)]),
        FrameText::Placeholder => {
            return Err(vec![
                Detail::new(DetailCode::BadMime, "text holds no MIME package (a placeholder element)").at(text_loc)
            ])
        }
    };
    let parts = mime::read(mime_text).map_err(|e| vec![Detail::new(DetailCode::BadMime, e).at(&text_loc)])?;
    let Some(root) = parts.first() else {
        return Err(vec![Detail::new(DetailCode::BadMime, "no MIME parts").at(&text_loc)]);
    };
    let cda = parse_cda(&root.bytes, &format!("<{}>", root.content_id), &text_loc)?;
    Ok((parts, cda))
}

/// Parses CDA bytes into an element tree, checking the root.
pub fn parse_cda(bytes: &[u8], what: &str, loc: &str) -> Result<Element, Vec<Detail>> {
    let cda = xml::parse(bytes, xml::Limits::default())
        .map_err(|e| vec![Detail::new(DetailCode::BadCda, format!("{what}: {e}")).at(loc)])?;
    if cda.name != "ClinicalDocument" || cda.ns != HL7_NS {
        return Err(vec![Detail::new(
            DetailCode::BadCda,
            format!("{what} is {{{}}}{}, expected {{urn:hl7-org:v3}}ClinicalDocument", cda.ns, cda.name),
        )
        .at(loc)]);
    }
    Ok(cda)
}

/// Reads a wrapper document and its package into an [`Incoming`] document.
/// `Err` when the package cannot be read at all; otherwise the findings
/// that reading the header and contents produced.
pub fn read_document(fd: FrameDocument, base: &str, kinds: &KindTable) -> Result<(Incoming, Vec<Detail>), Vec<Detail>> {
    let (parts, root) = read_package(&fd, base)?;
    incoming(fd, parts, &root, kinds)
}

/// Builds an [`Incoming`] document from its parts and parsed CDA.
pub fn incoming(
    fd: FrameDocument,
    parts: Vec<Part>,
    root: &Element,
    kinds: &KindTable,
) -> Result<(Incoming, Vec<Detail>), Vec<Detail>> {
    let (cda, dup) = cda::read(root);
    if !dup.is_empty() {
        return Err(dup);
    }
    let (meta, mut problems) = document::metadata(&cda);
    let (contents, content_problems) = document::contents(&cda, &parts);
    problems.extend(content_problems);
    let kind = document::kind_of(&meta, kinds);
    const GROUP: &str = "/ClinicalDocument/hl7fi:localSocialHeader/hl7fi:documentGroup";
    match (&meta.document_group, kind) {
        (None, _) => problems.push(Detail::new(DetailCode::UnknownKind, "no hl7fi:documentGroup").at(GROUP)),
        (Some(g), None) => {
            // A group outside the (complete) code set is a code error; one the set knows but
            // the derivation table does not is a kind the archive cannot place.
            let at = meta.effective_time.map(|t| t.date()).unwrap_or(time::macros::date!(2026 - 01 - 01));
            match CodeSets::builtin().check(crate::codes::oids::DOCUMENT_GROUP, g, at) {
                CodeCheck::Unknown => problems.push(
                    Detail::new(DetailCode::CodeUnknown, format!("document_group = {} ({})", g.code, g.system))
                        .at(GROUP),
                ),
                CodeCheck::WrongSystem { expected } => problems.push(
                    Detail::new(
                        DetailCode::CodeWrongSystem,
                        format!("document_group = {} ({}), expected code system {expected}", g.code, g.system),
                    )
                    .at(GROUP),
                ),
                _ => problems.push(
                    Detail::new(
                        DetailCode::UnknownKind,
                        format!("document group {} is not in testdata/document-kinds.toml", g.code),
                    )
                    .at(GROUP),
                ),
            }
        }
        _ => {}
    }
    Ok((Incoming { frame: fd, parts, cda, meta, kind, contents }, problems))
}

fn bad(what: impl std::fmt::Display, loc: &str) -> Detail {
    Detail::new(DetailCode::BadQuery, what).at(loc)
}

/// Types a query's parameters; every problem is reported.
pub fn query(op: Operation, q: &QueryParameters, base: &str) -> Result<Query, Vec<Detail>> {
    let mut errors = Vec::new();
    let mut p = Query {
        controller: q.controller.clone(),
        service_task: q.service_task.clone(),
        document_type: q.document_type.clone(),
        document_group: q.document_group.clone(),
        process_phase: q.process_phase.clone(),
        case_id: q.case_id.as_ref().map(InstanceId::key),
        document_id: q.document_id.as_ref().map(InstanceId::key),
        include_invalidated: q.include_invalidated,
        include_old_versions: q.include_old_versions,
        disclosure: q.disclosure,
        statutory_right: q.statutory_right.clone(),
        page: 1,
        ..Default::default()
    };
    if let Some(c) = &q.client {
        match &c.extension {
            Some(x) if !c.root.is_empty() => p.client = Some(ClientId { root: c.root.clone(), extension: x.clone() }),
            _ => errors.push(bad("client/value needs root and extension", &format!("{base}/client"))),
        }
    }
    for (raw, slot, name) in [(&q.from, &mut p.from, "low"), (&q.to, &mut p.to, "high")] {
        if let Some(v) = raw {
            match parse_ts(v) {
                Some(t) => *slot = Some(t),
                None => {
                    errors.push(bad(format!("timeRange/{name} '{v}' is not an HL7 TS"), &format!("{base}/timeRange")))
                }
            }
        }
    }
    if let Some(k) = &q.document_kind {
        match DocumentKind::parse(k) {
            Some(kind) => p.kind = Some(kind),
            None => errors.push(bad(format!("documentKind '{k}'"), &format!("{base}/documentKind"))),
        }
    }
    if let Some(page) = &q.page {
        match page.trim().parse::<usize>() {
            Ok(n) if n >= 1 => p.page = n,
            _ => errors.push(bad(format!("page '{page}' is not a page number (1, 2, …)"), &format!("{base}/page"))),
        }
    }
    for (name, v) in [("caseId", &p.case_id), ("documentId", &p.document_id), ("controller", &p.controller)] {
        if let Some(problem) = v.as_deref().and_then(crate::oid::instance_id_problem) {
            errors.push(bad(format!("{name}: {problem}"), &format!("{base}/{name}")));
        }
    }
    if p.disclosure && p.client.is_none() {
        errors.push(bad("client is required in a disclosure query", &format!("{base}/client")));
    } else if op == Operation::FetchDocument {
        if p.document_id.is_none() {
            errors.push(bad("documentId is required", &format!("{base}/documentId")));
        }
    } else if p.client.is_none() {
        errors.push(bad("client is required", &format!("{base}/client")));
    }
    if errors.is_empty() {
        Ok(p)
    } else {
        Err(errors)
    }
}
