//! Composing request messages as a connecting system would: the HL7 V3
//! wrapper with its service request and use situation, the control act, and
//! a CDA document packaged as a MIME multipart — typed values written
//! through the one codec in `wire`.
//!
//! Owns: the connecting side's choices (which interaction and service
//! request an operation uses, default wrapper values, query parameters).
//! Used by the harness's reference client, the load tool, samples, seed and
//! the tests — the archive itself only reads. Pure functions; no I/O.

use time::OffsetDateTime;

pub mod cda;
pub mod content;
pub mod kit;

use crate::document::DocumentKind;
use crate::interactions::{Interactions, Operation};
use crate::wire::cda::Organisation;
use crate::wire::frame::{
    self, ControlAct, Frame, FrameDocument, Performer, QueryParameters, INTERACTION_ROOT, TRIGGER_EVENT_SYSTEM,
    USE_SITUATION_SYSTEM,
};
use crate::wire::hl7::{ts, Code, InstanceId, PersonName, HL7_NS};
use crate::wire::soap::{self, SoapVersion};
use crate::xml::Element;

pub use crate::wire::mime::Part;

/// A request under construction.
#[derive(Debug, Clone)]
pub struct RequestBuilder {
    frame: Frame,
}

fn control_act(f: &mut Frame) -> &mut ControlAct {
    f.control_act.get_or_insert_with(ControlAct::default)
}

impl RequestBuilder {
    /// A request for `interaction` from the device `sender_device` (the sending
    /// organisation or system), with the wrapper values real senders use.
    pub fn new(interaction: &str, sender_device: &str, now: OffsetDateTime) -> Self {
        let table = Interactions::builtin();
        RequestBuilder {
            frame: Frame {
                interaction: interaction.to_string(),
                namespace: HL7_NS.into(),
                its_version: Some("XML_1.0".into()),
                id: Some(InstanceId {
                    root: sender_device.to_string(),
                    extension: Some(uuid::Uuid::new_v4().as_u128().to_string()),
                }),
                creation_time: Some(ts(now)),
                version_code: Some("V3-2006".into()),
                interaction_id: Some(InstanceId {
                    root: INTERACTION_ROOT.into(),
                    extension: Some(interaction.to_string()),
                }),
                processing_code: Some("D".into()),
                processing_mode: Some("T".into()),
                accept_ack: Some("ER".into()),
                receiver: Some(table.archive_device.clone()),
                sender: Some(sender_device.to_string()),
                control_act: Some(ControlAct {
                    code: Some(Code {
                        code: "RCMR_TE000102UV01".into(),
                        system: TRIGGER_EVENT_SYSTEM.into(),
                        display: None,
                    }),
                    priority: Some("R".into()),
                    ..Default::default()
                }),
            },
        }
    }

    /// A request for `op` (with a document of `kind`): the interaction and service request
    /// the table routes it to, and use situation 1 (the organiser's own register).
    pub fn for_operation(op: Operation, kind: Option<DocumentKind>, sender_device: &str, now: OffsetDateTime) -> Self {
        let table = Interactions::builtin();
        let (interaction, request) = table.route(op, kind);
        let mut b = RequestBuilder::new(&interaction.id, sender_device, now);
        if let Some(sr) = request {
            b = b.service_request(&sr.code);
        }
        b.use_situation("1")
    }

    /// Sets the service request (palvelupyyntö) reason code.
    pub fn service_request(mut self, code: &str) -> Self {
        let table = Interactions::builtin();
        let ca = control_act(&mut self.frame);
        ca.reasons.retain(|c| !frame::same_system(&c.system, &table.service_request_system));
        ca.reasons.insert(
            0,
            Code {
                code: code.to_string(),
                system: format!("{}.201601", table.service_request_system),
                display: table.service_request(code).map(|s| s.name.clone()),
            },
        );
        self
    }

    /// Sets the use situation (käyttötilanne) reason code.
    pub fn use_situation(mut self, code: &str) -> Self {
        let ca = control_act(&mut self.frame);
        ca.reasons.retain(|c| !frame::same_system(&c.system, USE_SITUATION_SYSTEM));
        ca.reasons.push(Code {
            code: code.to_string(),
            system: format!("{USE_SITUATION_SYSTEM}.201901"),
            display: crate::codes::CodeSets::builtin().name(USE_SITUATION_SYSTEM, code).map(str::to_string),
        });
        self
    }

    /// Removes every reason code (for messages that leave them out).
    pub fn without_reasons(mut self) -> Self {
        control_act(&mut self.frame).reasons.clear();
        self
    }

    /// Sets the message id.
    pub fn message_id(mut self, id: InstanceId) -> Self {
        self.frame.id = Some(id);
        self
    }

    /// Sets processingCode (D, P, T).
    pub fn processing_code(mut self, code: &str) -> Self {
        self.frame.processing_code = Some(code.to_string());
        self
    }

    /// The organisation acting (controlActProcess/authorOrPerformer), with a professional.
    pub fn acting_organisation(mut self, oid: &str) -> Self {
        let p = control_act(&mut self.frame).performer.get_or_insert_with(|| Performer {
            type_code: Some("AUT".into()),
            person: Some(InstanceId { root: crate::hetu::HETU_ROOT.into(), extension: Some("010180-9989".into()) }),
            name: Some(PersonName::new("Sosiaalityöntekijä", "Sanna")),
            organisation: None,
        });
        p.organisation = Some(Organisation::oid(oid));
        self
    }

    /// The wrapper's document (subject/clinicalDocument).
    pub fn document(mut self, d: FrameDocument) -> Self {
        control_act(&mut self.frame).subject = Some(d);
        self
    }

    /// The query (queryByParameter).
    pub fn query(mut self, q: QueryParameters) -> Self {
        control_act(&mut self.frame).query = Some(q);
        self
    }

    /// The message id this request will carry.
    pub fn id(&self) -> InstanceId {
        self.frame.id.clone().unwrap_or_default()
    }

    /// The typed wrapper.
    pub fn frame(&self) -> &Frame {
        &self.frame
    }

    /// The typed wrapper, to change before writing.
    pub fn frame_mut(&mut self) -> &mut Frame {
        &mut self.frame
    }

    /// Builds the HL7 message element.
    pub fn build(&self) -> Element {
        frame::write(&self.frame)
    }

    /// Builds the SOAP envelope text.
    pub fn soap(&self, version: SoapVersion) -> String {
        soap::envelope(version, &self.build())
    }
}

/// Builds a query's parameters (docs/messages.md).
#[derive(Debug, Clone, Default)]
pub struct QueryBuilder {
    q: QueryParameters,
}

impl QueryBuilder {
    /// An empty parameter list with a fresh query id.
    pub fn new() -> Self {
        QueryBuilder {
            q: QueryParameters {
                query_id: Some(InstanceId { root: "2.25".into(), extension: Some(uuid::Uuid::new_v4().to_string()) }),
                ..Default::default()
            },
        }
    }

    /// The client by hetu.
    pub fn client(self, hetu: &str) -> Self {
        self.client_id(crate::hetu::HETU_ROOT, hetu)
    }

    /// The client by any id.
    pub fn client_id(mut self, root: &str, extension: &str) -> Self {
        self.q.client = Some(InstanceId { root: root.to_string(), extension: Some(extension.to_string()) });
        self
    }

    /// The querying controller (defaults to the acting organisation's).
    pub fn controller(mut self, oid: &str) -> Self {
        self.q.controller = Some(oid.to_string());
        self
    }

    /// Creation time range.
    pub fn time_range(mut self, low: Option<OffsetDateTime>, high: Option<OffsetDateTime>) -> Self {
        self.q.from = low.map(ts);
        self.q.to = high.map(ts);
        self
    }

    /// A coded parameter: serviceTask, documentType, documentGroup, processPhase, documentKind,
    /// statutoryRight.
    ///
    /// # Panics
    /// On any other name: a programming error in the caller, never input.
    pub fn code(mut self, name: &str, code: &str) -> Self {
        let v = Some(code.to_string());
        match name {
            "serviceTask" => self.q.service_task = v,
            "documentType" => self.q.document_type = v,
            "documentGroup" => self.q.document_group = v,
            "processPhase" => self.q.process_phase = v,
            "statutoryRight" => self.q.statutory_right = v,
            "documentKind" => self.q.document_kind = v,
            other => panic!("QueryBuilder::code: no coded query parameter '{other}'"),
        }
        self
    }

    /// An id parameter: caseId, documentId.
    ///
    /// # Panics
    /// On any other name: a programming error in the caller, never input.
    pub fn id(mut self, name: &str, id: &str) -> Self {
        let v = Some(InstanceId::from_key(id));
        match name {
            "caseId" => self.q.case_id = v,
            "documentId" => self.q.document_id = v,
            other => panic!("QueryBuilder::id: no id query parameter '{other}'"),
        }
        self
    }

    /// A boolean parameter: includeInvalidated, includeOldVersions, disclosure.
    ///
    /// # Panics
    /// On any other name: a programming error in the caller, never input.
    pub fn flag(mut self, name: &str, on: bool) -> Self {
        match name {
            "includeInvalidated" => self.q.include_invalidated = on,
            "includeOldVersions" => self.q.include_old_versions = on,
            "disclosure" => self.q.disclosure = on,
            other => panic!("QueryBuilder::flag: no boolean query parameter '{other}'"),
        }
        self
    }

    /// A claimed statutory right to information with its reason code.
    pub fn statutory_right(mut self, code: &str) -> Self {
        self.q.statutory_right = Some(code.to_string());
        self
    }

    /// The page wanted.
    pub fn page(mut self, page: usize) -> Self {
        self.q.page = Some(page.to_string());
        self
    }

    /// The parameters.
    pub fn build(&self) -> QueryParameters {
        self.q.clone()
    }
}

/// A file made ready to send as a SOAP 1.1 envelope: a whole SOAP message as it is; an
/// HL7 message wrapped in an envelope (with `document`'s CDA put in its package when the
/// wrapper carries a placeholder, as a pair for Kela's validation service does); or a
/// bare CDA wrapped in the archive message its header calls for, from its controller.
pub fn envelope_for(bytes: &[u8], document: Option<&[u8]>, now: OffsetDateTime) -> Result<String, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 text: {e}"))?;
    let root = crate::xml::parse(bytes, crate::xml::Limits::default()).map_err(|e| format!("not XML: {e}"))?;
    let body = |x: &str| {
        let x = x.trim_start_matches('\u{feff}').trim();
        let x = match x.strip_prefix("<?xml") {
            Some(rest) => rest.split_once("?>").map(|(_, r)| r.trim()).unwrap_or(rest),
            None => x,
        };
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope xmlns:soapenv=\"{}\"><soapenv:Body>\n{x}\n</soapenv:Body></soapenv:Envelope>",
            soap::SOAP11_NS
        )
    };
    match (root.name.as_str(), document) {
        ("Envelope", None) => Ok(text.to_string()),
        ("Envelope", Some(_)) => Err("a whole SOAP message carries its document: leave out --document".into()),
        ("ClinicalDocument", Some(_)) => Err("FILE is already a document: --document goes with a wrapper".into()),
        ("ClinicalDocument", None) => {
            let (cda, _) = crate::wire::cda::read(&root);
            let (meta, _) = crate::document::metadata(&cda);
            let kind = crate::document::kind_of(&meta, crate::document::KindTable::builtin());
            let controller = meta.controller.clone().ok_or("the document names no custodian (controller)")?;
            let id = meta.document_id.clone().ok_or("the document has no id")?;
            let parts = vec![Part::new(id, "text/xml", bytes.to_vec())];
            let fd = FrameDocument::repeating(&cda, frame::FrameText::Mime(crate::wire::mime::write(&parts)));
            Ok(RequestBuilder::for_operation(Operation::Store, kind, &controller, now)
                .acting_organisation(&controller)
                .document(fd)
                .soap(SoapVersion::V11))
        }
        (_, None) => Ok(body(text)),
        (_, Some(doc)) => {
            // The wrapper is kept whole (elements the codec does not read included); only its
            // package changes.
            let cda = crate::xml::parse(doc, crate::xml::Limits::default())
                .map_err(|e| format!("--document is not XML: {e}"))?;
            let id = crate::wire::cda::read(&cda).0.id.map(|i| i.key()).ok_or("--document has no id")?;
            let mime = crate::wire::mime::write(&[Part::new(id, "text/xml", doc.to_vec())]);
            let mut root = root;
            let text = ["controlActProcess", "subject", "clinicalDocument", "text"]
                .iter()
                .try_fold(&mut root, |e, name| {
                    e.children.iter_mut().find_map(|n| match n {
                        crate::xml::Node::Element(c) if c.name == *name => Some(c),
                        _ => None,
                    })
                })
                .ok_or("the wrapper has no controlActProcess/subject/clinicalDocument/text for the package")?;
            text.children = vec![crate::xml::Node::Text(mime)];
            Ok(soap::envelope(SoapVersion::V11, &root))
        }
    }
}

/// An invalidation request's document: the id and the reason (docs/messages.md, choice).
pub fn invalidation(id: &str, reason: &str) -> FrameDocument {
    FrameDocument {
        id: Some(InstanceId::from_key(id)),
        status_code: Some("nullified".into()),
        invalidation_reason: Some(reason.to_string()),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::CodeSets;
    use crate::command::{self, Command};
    use crate::document::{DocumentModel, KindTable};

    #[test]
    fn a_built_request_reads_as_the_command_it_was_built_for() {
        let now = time::macros::datetime!(2026-11-20 10:00 UTC);
        let b = RequestBuilder::for_operation(Operation::Invalidate, None, "1.2.246.10.99990010.10.0", now)
            .acting_organisation("1.2.246.10.99990010.10.0")
            .document(invalidation("1.2.3.4", "väärä asiakas"));
        let e = crate::xml::parse(b.soap(SoapVersion::V11).as_bytes(), Default::default()).expect("xml");
        let msg = soap::body_message(e, SoapVersion::V11).expect("soap");
        let r = command::read(&msg, Interactions::builtin(), KindTable::builtin(), CodeSets::builtin()).expect("reads");
        assert_eq!(r.message_id, b.id());
        assert_eq!(r.operation, Operation::Invalidate);
        assert!(matches!(r.command, Command::Invalidate { document_id: Some(ref d), .. } if d == "1.2.3.4"));
        let (i, sp) =
            Interactions::builtin().route(Operation::Store, Some(DocumentKind::Client(DocumentModel::Vaihe2)));
        assert_eq!((i.id.as_str(), sp.map(|s| s.code.as_str())), ("RCMR_IN200002FI01", Some("SP17")));
    }
}
