//! The archive: the twelve SHA use cases on top of the store.
//!
//! Owns: deciding what a typed request means for the archive's content —
//! store (clienthood, case, phase I, phase II, old), new version, invalidate,
//! validate, the queries and kooste — and the rules that need the archive's
//! content: profile (4), references (5), identity and versions (6), query
//! scope and masking (9). Sees typed requests and metadata only; never HTTP or
//! XML text. Every message's writes are one atomic batch: a rejected message
//! changes nothing (rule 10).

pub mod access;
pub mod law;
pub mod mask;
pub mod query;
pub mod records;
pub mod render;

use std::sync::Arc;

use time::OffsetDateTime;

use crate::acks::{AckKind, Detail, DetailCode};
use crate::clock::Clock;
use crate::codes::CodeSets;
use crate::command::{Command, Incoming, Query, Request, StoreMode};
use crate::document::{DocumentKind, DocumentModel, Metadata};
use crate::interactions::Operation;
use crate::profile::{Action, Matrix, Profile};
use crate::registry::System;
use crate::store::{Batch, Space, Store, StoreError};
use crate::validation::{self, Context, MetadataRules, SignaturePolicy};
use crate::wire::ack::{Ack, AckType, Answer};
use crate::wire::hl7::InstanceId;
use crate::wire::mime::Part;
use records::{Invalidation, PartInfo, StoredDocument, StoredPart, VersionStatus};

/// Documents per page of a query answer unless configured otherwise (choice, docs/messages.md).
pub const DEFAULT_PAGE_SIZE: usize = 200;

/// The result of handling one message.
#[derive(Debug, Clone)]
pub struct Handled {
    /// The acknowledgement (with query results as payload).
    pub ack: Ack,
    /// The controller it acted for, when known.
    pub controller: Option<String>,
    /// Document ids stored, versioned, invalidated or returned.
    pub documents: Vec<String>,
}

impl Handled {
    fn details(target: &InstanceId, controller: Option<String>, details: Vec<Detail>) -> Self {
        Handled { ack: Ack::from_details(Some(target.clone()), details), controller, documents: vec![] }
    }
}

/// What a register access check is asked (SPEC §8.5).
#[derive(Debug, Clone, Copy)]
struct AccessAsk<'a> {
    /// The acting organisation's controller.
    acting: Option<&'a str>,
    /// The register addressed.
    controller: &'a str,
    /// The client (store and query).
    client: Option<&'a str>,
    /// The document's service unit (store).
    service_unit: Option<&'a str>,
    /// The document's service task (store).
    service_task: Option<&'a str>,
    /// The document's type (store).
    document_type: Option<&'a str>,
    /// The operation.
    action: Action,
}

/// The form of register access right that let a provider in.
#[derive(Debug, Clone, Copy)]
enum Access {
    /// Through the organiser's clienthood.
    Basic,
    /// Through a wide right from the table.
    Wide(&'static access::WideRight),
}

/// Errors inside the archive that are not the sender's fault.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored record could not be decoded.
    #[error("stored record {0} is corrupt: {1}")]
    Corrupt(String, String),
}

/// The archive.
pub struct Archive {
    store: Arc<dyn Store>,
    clock: Arc<Clock>,
    codes: &'static CodeSets,
    rules: &'static MetadataRules,
    matrix: &'static Matrix,
    /// The CAs signatures may chain to.
    trust: Arc<crate::dsig::Trust>,
    /// Documents per page of a query answer.
    pub page_size: usize,
}

fn has_errors(details: &[Detail]) -> bool {
    details.iter().any(|d| d.kind != AckKind::W)
}

impl Archive {
    /// An archive over `store`.
    pub fn new(store: Arc<dyn Store>, clock: Arc<Clock>) -> Self {
        Archive {
            store,
            clock,
            codes: CodeSets::builtin(),
            rules: MetadataRules::builtin(),
            matrix: Matrix::builtin(),
            trust: Arc::new(crate::dsig::Trust::default()),
            page_size: DEFAULT_PAGE_SIZE,
        }
    }

    /// The same archive, judging signatures against `trust`.
    pub fn with_trust(mut self, trust: Arc<crate::dsig::Trust>) -> Self {
        self.trust = trust;
        self
    }

    /// The CAs signatures may chain to.
    pub fn trust(&self) -> &Arc<crate::dsig::Trust> {
        &self.trust
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<Clock> {
        &self.clock
    }

    /// Records a message id for `system`; false when it was already used.
    pub fn claim_message_id(&self, system: &System, id: &InstanceId) -> Result<bool, StoreError> {
        // Message ids only feed a warning: they need not be flushed before the answer.
        let key = format!("{}{}{}", system.name, records::SEP, id);
        self.store.insert_if_absent(Space::MessageIds, key.as_bytes(), &[])
    }

    /// Loads a stored document by id.
    pub fn document(&self, id: &str) -> Result<Option<StoredDocument>, ArchiveError> {
        match self.store.get(Space::Documents, id.as_bytes())? {
            Some(v) => {
                serde_json::from_slice(&v).map(Some).map_err(|e| ArchiveError::Corrupt(id.to_string(), e.to_string()))
            }
            None => Ok(None),
        }
    }

    /// Loads a document's parts.
    pub fn parts(&self, id: &str) -> Result<Vec<Part>, ArchiveError> {
        match self.store.get(Space::Payloads, id.as_bytes())? {
            Some(v) => match records::decode_parts(&v) {
                Some(parts) => Ok(parts),
                // Records written before the binary format were base64 in JSON.
                None => {
                    let stored: Vec<StoredPart> = serde_json::from_slice(&v)
                        .map_err(|e| ArchiveError::Corrupt(format!("payload {id}"), e.to_string()))?;
                    Ok(stored.iter().filter_map(StoredPart::to_part).collect())
                }
            },
            None => Ok(vec![]),
        }
    }

    /// A stored document's contents (display form, structured form, attachments), read from
    /// its stored CDA and parts; empty when the stored CDA cannot be read.
    pub fn contents(&self, id: &str) -> Result<crate::document::Contents, ArchiveError> {
        let parts = self.parts(id)?;
        let Some(cda) = parts.first() else { return Ok(Default::default()) };
        let Ok(root) = crate::xml::parse(&cda.bytes, crate::xml::Limits::default()) else {
            return Ok(Default::default());
        };
        let (doc, _) = crate::wire::cda::read(&root);
        Ok(crate::document::contents(&doc, &parts).0)
    }

    /// Checks that every stored document is whole: decodable, with its payload
    /// and every index key. Returns (documents checked, problems found).
    pub fn verify_integrity(&self) -> Result<(usize, Vec<String>), ArchiveError> {
        let mut problems = Vec::new();
        let all = self.store.scan_prefix(Space::Documents, b"")?;
        for (k, v) in &all {
            let id = String::from_utf8_lossy(k).into_owned();
            let d: StoredDocument = match serde_json::from_slice(v) {
                Ok(d) => d,
                Err(e) => {
                    problems.push(format!("{id}: record does not decode: {e}"));
                    continue;
                }
            };
            match self.store.get(Space::Payloads, k) {
                Ok(Some(_)) => {}
                Ok(None) => problems.push(format!("{id}: payload missing")),
                Err(e) => problems.push(format!("{id}: payload unreadable: {e}")),
            }
            for key in records::index_keys(&d) {
                if self.store.get(Space::Index, &key)?.is_none() {
                    problems.push(format!(
                        "{id}: index key {} missing",
                        String::from_utf8_lossy(&key).replace(records::SEP, "/")
                    ));
                }
            }
        }
        Ok((all.len(), problems))
    }

    /// Every document of a client under every controller.
    pub fn all_client_documents(&self, client_key: &str) -> Result<Vec<StoredDocument>, ArchiveError> {
        let mut out = Vec::new();
        for (_, v) in self.store.scan_prefix(Space::Index, &records::client_all_prefix(client_key))? {
            if let Some(d) = self.document(&String::from_utf8_lossy(&v))? {
                out.push(d);
            }
        }
        Ok(out)
    }

    /// A client's disclosure log, oldest first.
    pub fn disclosures(&self, client_key: &str) -> Result<Vec<law::DisclosureRecord>, ArchiveError> {
        self.store
            .scan_prefix(Space::Records, &records::disclosure_prefix(client_key))?
            .into_iter()
            .map(|(k, v)| {
                serde_json::from_slice(&v)
                    .map_err(|e| ArchiveError::Corrupt(String::from_utf8_lossy(&k).into_owned(), e.to_string()))
            })
            .collect()
    }

    /// Whether `system` may act for `ask.controller` through the register access right of its
    /// acting organisation (SPEC §8.5): `Ok(Some(form))` when it may, `Ok(None)` when no route
    /// applies, `Err` with the refusal when one applies but the right does not hold. The wide
    /// form (a table) is asked first, then the basic form (the organiser's clienthood).
    fn register_access(
        &self,
        system: &System,
        ask: AccessAsk<'_>,
        now: OffsetDateTime,
    ) -> Result<Option<Access>, Detail> {
        let Some(acting) = ask.acting else { return Ok(None) };
        let Some(profile) = system.profile_for(acting) else { return Ok(None) };
        // The register access right is a function of the joining-obligation system (SPEC §8.1, §8.5).
        if profile != Profile::Liittymisvelvoite || acting == ask.controller || !self.matrix.allows(profile, ask.action)
        {
            return Ok(None);
        }
        let wide = access::WideAsk {
            provider: acting,
            register: ask.controller,
            document_type: ask.document_type,
            today: now.date(),
        };
        if let Some(right) = access::wide(access::wide_rights(), wide)? {
            return Ok(Some(Access::Wide(right)));
        }
        let units = match ask.service_unit {
            Some(u) => {
                if !law::units_of(acting, self.codes).iter().any(|x| x == u) {
                    return Err(Detail::new(
                        DetailCode::NoRegisterAccess,
                        format!("service unit {u} is not a unit of the acting provider {acting}"),
                    ));
                }
                vec![u.to_string()]
            }
            None => law::units_of(acting, self.codes),
        };
        let client = ask.client.ok_or_else(|| Detail::new(DetailCode::NoRegisterAccess, "no client named"))?;
        let all = self.all_client_documents(client).map_err(|e| Detail::new(DetailCode::Internal, e))?;
        let hood = law::newest_clienthood(&all, ask.controller);
        law::register_access(hood, &units, ask.service_task, now.date())
            .map(|()| Some(Access::Basic))
            .map_err(|why| Detail::new(DetailCode::NoRegisterAccess, format!("{acting} → {}: {why}", ask.controller)))
    }

    /// Every version of a document set, oldest first.
    pub fn versions(&self, set_id: &str) -> Result<Vec<StoredDocument>, ArchiveError> {
        let mut out = Vec::new();
        for (_, v) in self.store.scan_prefix(Space::Index, &records::set_prefix(set_id))? {
            if let Some(d) = self.document(&String::from_utf8_lossy(&v))? {
                out.push(d);
            }
        }
        Ok(out)
    }

    /// Handles a request from `system` at simulated time `now`.
    pub fn handle(&self, request: &Request, system: &System, now: OffsetDateTime) -> Handled {
        if let Some(refusal) = self.acting_refusal(system, request.acting.organisation.as_deref()) {
            let loc = format!(
                "/{}/controlActProcess/authorOrPerformer/assignedPerson/representedOrganization/id",
                request.interaction
            );
            return Handled::details(&request.message_id, None, vec![refusal.at(loc)]);
        }
        let result = match &request.command {
            Command::Store { mode, doc } => self.store_document(request, *mode, doc, system, now),
            Command::Invalidate { document_id, reason } => {
                self.invalidate(request, document_id.as_deref(), reason.as_deref(), system, now)
            }
            Command::Query { op, query } => self.query(request, *op, query, system, now),
        };
        match result {
            Ok(mut h) => {
                // Reading's warnings travel with the answer.
                for w in request.findings.iter().filter(|d| d.kind == AckKind::W) {
                    if !h.ack.details.contains(w) {
                        h.ack.details.push(w.clone());
                    }
                }
                h
            }
            Err(e) => {
                tracing::error!(error = %e, "archive failure");
                Handled::details(&request.message_id, None, vec![Detail::new(DetailCode::Internal, e)])
            }
        }
    }

    /// An acting organisation the system may not act as: a controller (or a unit of one) the
    /// SOTE register knows that is not among the system's controllers. An organisation the
    /// simulator's extract does not know is accepted: real messages name service units under
    /// other business ids than their controller's.
    fn acting_refusal(&self, system: &System, acting: Option<&str>) -> Option<Detail> {
        let o = acting?;
        if system.profile_for(o).is_some() {
            return None;
        }
        let e = self.codes.entry(crate::codes::oids::SOTE_ORGANISATION, o)?;
        let controller = if e.kind.as_deref() == Some("controller") { Some(o.to_string()) } else { e.parent.clone() };
        match controller {
            Some(c) if system.profile_for(&c).is_none() => Some(Detail::new(
                DetailCode::ControllerNotRegistered,
                format!("{c} (the acting organisation {o} belongs to a controller the system does not act for)"),
            )),
            _ => None,
        }
    }

    /// The controller the acting organisation stands for: itself when the system acts for it
    /// or the register knows it as a controller, its parent when it is a known unit; none for
    /// an organisation the simulator does not know (real messages name units under other
    /// business ids than their controller's).
    pub fn acting_controller(&self, system: &System, acting: Option<&str>) -> Option<String> {
        let o = acting?;
        if system.profile_for(o).is_some() {
            return Some(o.to_string());
        }
        let e = self.codes.entry(crate::codes::oids::SOTE_ORGANISATION, o)?;
        if e.kind.as_deref() == Some("controller") {
            return Some(o.to_string());
        }
        e.parent.clone()
    }

    /// Rule 4: the system acts for `controller` with a profile allowing every one of `actions`,
    /// and the profile may be used on the simulator's date (SPEC §2, §8.6).
    fn authorise(
        &self,
        system: &System,
        controller: &str,
        actions: &[Action],
        now: OffsetDateTime,
    ) -> Result<Profile, Detail> {
        let Some(profile) = system.profile_for(controller) else {
            return Err(Detail::new(DetailCode::ControllerNotRegistered, controller));
        };
        for a in actions {
            if !self.matrix.allows(profile, *a) {
                return Err(Detail::new(DetailCode::ProfileForbids, format!("profile {profile} / {}", a.finnish())));
            }
        }
        if let Some(d) = law::not_yet_in_force(actions, now) {
            return Err(d);
        }
        if let Err(w) = self.matrix.usable(profile, now.date()) {
            let what = actions.first().map(|a| a.finnish()).unwrap_or("");
            let why = match w {
                crate::profile::OutOfWindow::Ended(d) => {
                    format!("profile {profile} / {what}: in use until {d}, the clock is {}", now.date())
                }
                crate::profile::OutOfWindow::NotYet(d) => {
                    format!("profile {profile} / {what}: in use from {d}, the clock is {}", now.date())
                }
            };
            return Err(Detail::new(DetailCode::ProfileOutOfWindow, why));
        }
        Ok(profile)
    }

    /// The content rules every document meets, whether stored, validated through the
    /// archive message, Kela's validation service stand-in or `sha-simulator validate`:
    /// the dates, the document-only rules, declarations and the structured form.
    pub fn content_findings(
        &self,
        doc: &Incoming,
        kind: DocumentKind,
        now: OffsetDateTime,
        strict_signature: bool,
    ) -> Vec<Detail> {
        let policy = SignaturePolicy { strict: strict_signature, trust: &self.trust };
        content_findings(doc, kind, now, policy, self.codes, self.rules)
    }

    fn store_document(
        &self,
        request: &Request,
        mode: StoreMode,
        doc: &Incoming,
        system: &System,
        now: OffsetDateTime,
    ) -> Result<Handled, ArchiveError> {
        let meta = &doc.meta;
        let mut details: Vec<Detail> = request.findings.iter().filter(|d| d.kind != AckKind::W).cloned().collect();
        let controller = meta.controller.clone().or_else(|| doc.frame.custodian.as_ref().and_then(|c| c.key()));
        let Some(kind) = doc.kind else {
            return Ok(Handled::details(&request.message_id, controller, details));
        };
        // Rule 4 first: an unauthorised sender learns nothing about the content.
        if let Some(ctrl) = &controller {
            let actions: Vec<Action> = match mode {
                StoreMode::Validate => vec![Action::Validate],
                StoreMode::NewVersion => vec![Action::version_of(kind), Action::store_of(kind)],
                StoreMode::New => vec![Action::store_of(kind)],
            };
            let action = actions[0];
            let loc = "/ClinicalDocument/custodian/assignedCustodian/representedCustodianOrganization/id";
            if let Err(d) = self.authorise(system, ctrl, &actions, now) {
                let acting = self.acting_controller(system, request.acting.organisation.as_deref());
                let client = meta.client.as_ref().map(|c| c.key());
                let ask = AccessAsk {
                    acting: acting.as_deref(),
                    controller: ctrl,
                    client: client.as_deref(),
                    service_unit: meta.service_unit.as_deref(),
                    service_task: meta.service_task.as_ref().map(|c| c.code.as_str()),
                    document_type: meta.document_type.as_ref().map(|c| c.code.as_str()),
                    action,
                };
                match self.register_access(system, ask, now) {
                    Ok(Some(_)) => {}
                    Ok(None) => return Ok(Handled::details(&request.message_id, controller, vec![d.at(loc)])),
                    Err(refusal) => {
                        return Ok(Handled::details(&request.message_id, controller, vec![refusal.at(loc)]))
                    }
                }
            }
            // From 1.9.2026 a document sits in the register it belongs in (SPEC §8.5); reported
            // with the other findings (a version of another controller's document is also R605).
            details.extend(access::wrong_register(
                ctrl,
                meta.organiser.as_deref(),
                meta.document_type.as_ref().map(|c| c.code.as_str()),
                access::wide_rights(),
                self.codes,
                now.date(),
                law::date("register_access_required"),
            ));
        }
        details.extend(self.content_findings(doc, kind, now, system.strict_signature));
        // Rules 5 and 6 against the archive's content.
        let parent = match mode {
            StoreMode::NewVersion => self.check_new_version(meta, kind, &mut details)?,
            StoreMode::Validate if meta.replaces.is_some() => self.check_new_version(meta, kind, &mut details)?,
            _ => {
                if meta.version.is_some_and(|v| v != 1) {
                    details.push(
                        Detail::new(DetailCode::MissingParent, format!("versionNumber {}", meta.version.unwrap_or(1)))
                            .at("/ClinicalDocument/relatedDocument"),
                    );
                }
                None
            }
        };
        if let Some(id) = &meta.document_id {
            if self.store.get(Space::Documents, id.as_bytes())?.is_some() {
                details.push(Detail::new(DetailCode::DuplicateDocumentId, id).at("/ClinicalDocument/id"));
            }
        }
        self.check_references(meta, kind, &mut details)?;
        let original = mode == StoreMode::New || (mode == StoreMode::Validate && meta.replaces.is_none());
        // Two originals sent at once: the guard read before the check makes the second commit conflict.
        let mut clienthood_guard = None;
        if kind == DocumentKind::Asiakkuus && original {
            if let (Some(ctrl), Some(client)) = (&meta.controller, &meta.client) {
                let key = records::clienthood_guard_key(ctrl, &client.key());
                let seen = self.store.get(Space::Index, &key)?;
                clienthood_guard = Some((key, seen));
            }
            // A resend of a stored document is a duplicate (SHA-R601), not a second clienthood.
            if !details.iter().any(|d| d.code == DetailCode::DuplicateDocumentId) {
                self.check_single_clienthood(meta, &mut details)?;
            }
        }

        if has_errors(&details) || mode == StoreMode::Validate {
            return Ok(Handled::details(&request.message_id, controller, details));
        }
        let mut stored = self.build_record(doc, kind, system, request, now);
        stored.seq = self.store.next_id()?;
        let id = stored.id.clone();
        let mut batch = Batch::default();
        if let Some((parent, parent_bytes)) = parent {
            let mut p = parent.clone();
            p.status = VersionStatus::Replaced;
            p.replaced_by = Some(id.clone());
            batch.expect(Space::Documents, parent.id.as_bytes(), Some(parent_bytes));
            batch.put(Space::Documents, parent.id.as_bytes(), to_json(&p)?);
        }
        if let Some((key, seen)) = clienthood_guard {
            batch.expect(Space::Index, key.clone(), seen);
            batch.put(Space::Index, key, id.as_bytes().to_vec());
        }
        batch.expect(Space::Documents, id.as_bytes(), None);
        batch.put(Space::Documents, id.as_bytes(), to_json(&stored)?);
        batch.put(Space::Payloads, id.as_bytes(), records::encode_parts(&doc.parts));
        for k in records::index_keys(&stored) {
            batch.put(Space::Index, k, id.as_bytes().to_vec());
        }
        match self.store.commit(batch) {
            Ok(()) => {}
            Err(StoreError::Conflict(k)) => {
                let d = Detail::new(DetailCode::ConcurrentVersion, k).at("/ClinicalDocument/relatedDocument");
                return Ok(Handled::details(&request.message_id, controller, vec![d]));
            }
            Err(e) => return Err(e.into()),
        }
        let mut h = Handled::details(&request.message_id, controller, details);
        h.documents.push(id);
        Ok(h)
    }

    fn build_record(
        &self,
        doc: &Incoming,
        kind: DocumentKind,
        system: &System,
        request: &Request,
        now: OffsetDateTime,
    ) -> StoredDocument {
        // Clienthood, case and declaration documents carry JSON the archive's own rules read.
        let content = match kind {
            DocumentKind::Client(_) => None,
            _ => doc.contents.json().cloned(),
        };
        StoredDocument {
            id: doc.meta.document_id.clone().unwrap_or_default(),
            kind,
            status: VersionStatus::Current,
            replaced_by: None,
            invalidation: None,
            stored_at: now,
            stored_by: system.name.clone(),
            seq: 0,
            message_id: request.message_id.to_string(),
            parts: doc
                .parts
                .iter()
                .map(|p| PartInfo {
                    content_id: p.content_id.clone(),
                    media_type: p.media_type.clone(),
                    size: p.bytes.len() as u64,
                })
                .collect(),
            content,
            metadata: doc.meta.clone(),
        }
    }

    /// Rule 6 for a new version: returns the parent (and its stored bytes, for the atomic swap).
    fn check_new_version(
        &self,
        meta: &Metadata,
        kind: DocumentKind,
        details: &mut Vec<Detail>,
    ) -> Result<Option<(StoredDocument, Vec<u8>)>, ArchiveError> {
        let loc = "/ClinicalDocument/relatedDocument/parentDocument";
        let Some(parent_ref) = &meta.replaces else {
            details.push(
                Detail::new(DetailCode::MissingParent, meta.document_id.clone().unwrap_or_default())
                    .at("/ClinicalDocument/relatedDocument"),
            );
            return Ok(None);
        };
        let Some(pid) = &parent_ref.id else {
            details.push(Detail::new(DetailCode::MissingParent, "parentDocument/id").at(loc));
            return Ok(None);
        };
        let Some(bytes) = self.store.get(Space::Documents, pid.as_bytes())? else {
            details.push(Detail::new(DetailCode::ParentNotFound, pid).at(format!("{loc}/id")));
            return Ok(None);
        };
        let parent: StoredDocument =
            serde_json::from_slice(&bytes).map_err(|e| ArchiveError::Corrupt(pid.clone(), e.to_string()))?;
        if meta.controller.as_deref() != Some(parent.controller()) {
            details.push(Detail::new(DetailCode::OtherControllersDocument, pid).at(loc));
            return Ok(None);
        }
        if parent.is_invalidated() {
            details.push(Detail::new(DetailCode::AlreadyInvalidated, pid).at(format!("{loc}/id")));
        }
        if parent.status != VersionStatus::Current {
            let newer = parent.replaced_by.clone().unwrap_or_default();
            details.push(
                Detail::new(DetailCode::NotCurrentVersion, format!("{pid} (replaced by {newer})"))
                    .at(format!("{loc}/id")),
            );
        }
        if meta.set_id.as_deref() != Some(parent.set_id()) {
            details.push(
                Detail::new(
                    DetailCode::SetIdMismatch,
                    format!("{} ≠ {}", meta.set_id.as_deref().unwrap_or("-"), parent.set_id()),
                )
                .at("/ClinicalDocument/setId"),
            );
        }
        if let Some(psid) = &parent_ref.set_id {
            if psid != parent.set_id() {
                details.push(
                    Detail::new(
                        DetailCode::SetIdMismatch,
                        format!("parentDocument/setId {psid} ≠ {}", parent.set_id()),
                    )
                    .at(format!("{loc}/setId")),
                );
            }
        }
        let expected = parent.version() + 1;
        if meta.version != Some(expected) {
            details.push(
                Detail::new(
                    DetailCode::WrongVersionNumber,
                    format!("expected {expected}, got {}", meta.version.map(|v| v.to_string()).unwrap_or("-".into())),
                )
                .at("/ClinicalDocument/versionNumber"),
            );
        }
        if let Some(pv) = parent_ref.version {
            if pv != parent.version() {
                details.push(
                    Detail::new(
                        DetailCode::WrongVersionNumber,
                        format!("parentDocument/versionNumber {pv}, stored {}", parent.version()),
                    )
                    .at(format!("{loc}/versionNumber")),
                );
            }
        }
        let client = meta.client.as_ref().map(|c| c.key()).unwrap_or_default();
        if client != parent.client_key() || kind != parent.kind {
            details.push(
                Detail::new(
                    DetailCode::VersionChangesIdentity,
                    format!("parent is a {} of client {}", parent.kind.finnish(), parent.client_key()),
                )
                .at(loc),
            );
        }
        Ok(Some((parent, bytes)))
    }

    /// Rule 5: client documents reference an existing case and clienthood of the same controller and client.
    fn check_references(
        &self,
        meta: &Metadata,
        kind: DocumentKind,
        details: &mut Vec<Detail>,
    ) -> Result<(), ArchiveError> {
        let needs_case = matches!(
            kind,
            DocumentKind::Client(DocumentModel::Vaihe1)
                | DocumentKind::Client(DocumentModel::Vaihe2)
                | DocumentKind::Client(DocumentModel::Liittymisvelvoite)
        );
        let needs_clienthood = needs_case || kind == DocumentKind::Asia;
        let (Some(ctrl), Some(client)) = (&meta.controller, &meta.client) else { return Ok(()) };
        let client = client.key();
        if needs_clienthood
            && self.store.scan_prefix(Space::Index, &records::clienthood_prefix(ctrl, &client))?.is_empty()
        {
            details.push(
                Detail::new(DetailCode::ClienthoodNotFound, format!("{ctrl} / {client}"))
                    .at("/ClinicalDocument/recordTarget"),
            );
        }
        if needs_case {
            if let Some(case) = &meta.case_id {
                if self.store.get(Space::Index, &records::case_key(ctrl, case, &client))?.is_none() {
                    details.push(
                        Detail::new(DetailCode::CaseNotFound, case)
                            .at("/ClinicalDocument/componentOf/encompassingEncounter/id"),
                    );
                }
            }
        }
        Ok(())
    }

    /// Rule 5: one clienthood document per client per organiser (SPEC §3); a change is a new
    /// version. An invalidated clienthood does not count.
    fn check_single_clienthood(&self, meta: &Metadata, details: &mut Vec<Detail>) -> Result<(), ArchiveError> {
        let (Some(ctrl), Some(client)) = (&meta.controller, &meta.client) else { return Ok(()) };
        for (k, _) in self.store.scan_prefix(Space::Index, &records::clienthood_prefix(ctrl, &client.key()))? {
            let set = records::last_component(&k);
            let current = self.versions(&set)?.into_iter().find(|d| d.status == VersionStatus::Current);
            if let Some(d) = current.filter(|d| !d.is_invalidated()) {
                details.push(
                    Detail::new(
                        DetailCode::SecondClienthood,
                        format!("setId {set}, current version {} ({})", d.version(), d.id),
                    )
                    .at("/ClinicalDocument/setId"),
                );
                break;
            }
        }
        Ok(())
    }

    fn invalidate(
        &self,
        request: &Request,
        document_id: Option<&str>,
        reason: Option<&str>,
        system: &System,
        now: OffsetDateTime,
    ) -> Result<Handled, ArchiveError> {
        let base = format!("/{}/controlActProcess/subject/clinicalDocument", request.interaction);
        let mut details = Vec::new();
        if reason.is_none() {
            details.push(
                Detail::new(DetailCode::MissingField, "invalidation reason (subjectOf/annotation/text)")
                    .at(format!("{base}/subjectOf/annotation/text")),
            );
        }
        let Some(id) = document_id.map(str::to_string) else {
            details.push(Detail::new(DetailCode::MissingField, "clinicalDocument/id").at(format!("{base}/id")));
            return Ok(Handled::details(&request.message_id, None, details));
        };
        let Some(bytes) = self.store.get(Space::Documents, id.as_bytes())? else {
            details.push(Detail::new(DetailCode::ParentNotFound, &id).at(format!("{base}/id")));
            return Ok(Handled::details(&request.message_id, None, details));
        };
        let doc: StoredDocument =
            serde_json::from_slice(&bytes).map_err(|e| ArchiveError::Corrupt(id.clone(), e.to_string()))?;
        let controller = Some(doc.controller().to_string());
        // Only the owning controller, through a system acting for it, may invalidate;
        // under joint joining the acting organisation says which joiner is acting.
        if self.acting_controller(system, request.acting.organisation.as_deref()).is_some_and(|o| o != doc.controller())
        {
            let d = Detail::new(DetailCode::OtherControllersDocument, &id).at(format!("{base}/id"));
            return Ok(Handled::details(&request.message_id, None, vec![d]));
        }
        // Invalidating takes the right to version the kind and to store it.
        match self.authorise(system, doc.controller(), &[Action::version_of(doc.kind), Action::store_of(doc.kind)], now)
        {
            Err(d) if d.code == DetailCode::ControllerNotRegistered => {
                let d = Detail::new(DetailCode::OtherControllersDocument, &id).at(format!("{base}/id"));
                return Ok(Handled::details(&request.message_id, None, vec![d]));
            }
            Err(d) => return Ok(Handled::details(&request.message_id, controller, vec![d.at(format!("{base}/id"))])),
            Ok(_) => {}
        }
        if doc.is_invalidated() {
            details.push(Detail::new(DetailCode::AlreadyInvalidated, &id).at(format!("{base}/id")));
        }
        if doc.status != VersionStatus::Current {
            details.push(
                Detail::new(
                    DetailCode::NotCurrentVersion,
                    format!("{id} (replaced by {})", doc.replaced_by.clone().unwrap_or_default()),
                )
                .at(format!("{base}/id")),
            );
        }
        if has_errors(&details) {
            return Ok(Handled::details(&request.message_id, controller, details));
        }
        let mut updated = doc.clone();
        updated.invalidation = Some(Invalidation {
            reason: reason.unwrap_or_default().to_string(),
            at: now,
            by_system: system.name.clone(),
        });
        let mut batch = Batch::default();
        batch.expect(Space::Documents, id.as_bytes(), Some(bytes));
        batch.put(Space::Documents, id.as_bytes(), to_json(&updated)?);
        match self.store.commit(batch) {
            Ok(()) => {}
            Err(StoreError::Conflict(k)) => {
                return Ok(Handled::details(
                    &request.message_id,
                    controller,
                    vec![Detail::new(DetailCode::ConcurrentVersion, k)],
                ));
            }
            Err(e) => return Err(e.into()),
        }
        let mut h = Handled::details(&request.message_id, controller, details);
        h.documents.push(id);
        Ok(h)
    }

    /// The register a query reads: the parameter, else the acting organisation's controller,
    /// else the one controller the system acts for.
    fn query_controller(&self, q: &Query, request: &Request, system: &System) -> Option<String> {
        q.controller
            .clone()
            .or_else(|| self.acting_controller(system, request.acting.organisation.as_deref()))
            .or_else(|| request.acting.organisation.clone())
            .or_else(|| match system.controllers.as_slice() {
                [only] => Some(only.oid.clone()),
                _ => None,
            })
    }

    fn query(
        &self,
        request: &Request,
        op: Operation,
        params: &Query,
        system: &System,
        now: OffsetDateTime,
    ) -> Result<Handled, ArchiveError> {
        let Some(ctrl) = self.query_controller(params, request, system) else {
            let loc = format!("/{}/controlActProcess/queryByParameter/parameterList/controller", request.interaction);
            let d = Detail::new(
                DetailCode::BadQuery,
                "controller (parameter or authorOrPerformer organisation) is missing",
            )
            .at(loc);
            return Ok(Handled::details(&request.message_id, None, vec![d]));
        };
        let controller = Some(ctrl.clone());
        let loc = "controlActProcess/authorOrPerformer";
        if params.disclosure || request.use_situation.as_deref() == Some("3") {
            return self.disclosure_query(request, op, params, &ctrl, system, now);
        }
        let mut only_types: Option<&[String]> = None;
        if let Err(d) = self.authorise(system, &ctrl, &[Action::Query], now) {
            let client = params.client.as_ref().map(|c| c.key());
            let acting = self.acting_controller(system, request.acting.organisation.as_deref());
            let ask = AccessAsk {
                acting: acting.as_deref(),
                controller: &ctrl,
                client: client.as_deref(),
                service_unit: None,
                service_task: None,
                document_type: None,
                action: Action::Query,
            };
            match self.register_access(system, ask, now) {
                Ok(Some(Access::Basic)) => {}
                // Under the wide right a provider reads only the types the right covers.
                Ok(Some(Access::Wide(right))) => only_types = Some(&right.document_types),
                Ok(None) => return Ok(Handled::details(&request.message_id, controller, vec![d.at(loc)])),
                Err(refusal) => return Ok(Handled::details(&request.message_id, controller, vec![refusal.at(loc)])),
            }
        }
        if op == Operation::QueryDeclarations {
            let client = params.client.as_ref().map(|c| c.key()).unwrap_or_default();
            let all = self.all_client_documents(&client)?;
            let decl = law::declarations(&all);
            let answer = Answer::Declarations(render::declarations(&decl, &client));
            let ack = Ack {
                type_code: AckType::AA,
                target: Some(request.message_id.clone()),
                details: vec![],
                answer: Some(answer),
            };
            return Ok(Handled { ack, controller, documents: decl.documents });
        }
        match query::run(self, op, &ctrl, params, only_types)? {
            Ok(found) => {
                let ack = Ack {
                    type_code: AckType::AA,
                    target: Some(request.message_id.clone()),
                    details: vec![],
                    answer: Some(found.answer),
                };
                Ok(Handled { ack, controller, documents: found.document_ids })
            }
            Err(d) => Ok(Handled::details(&request.message_id, controller, d)),
        }
    }

    /// A disclosure query (luovutushaku, SPEC §8.4): another controller's data, only
    /// under informing, consent and an active clienthood (or a statutory right), with
    /// prohibitions applied; every answer is logged. A refusal names the failed
    /// condition and reveals nothing about the client's documents.
    fn disclosure_query(
        &self,
        request: &Request,
        op: Operation,
        params: &Query,
        querying: &str,
        system: &System,
        now: OffsetDateTime,
    ) -> Result<Handled, ArchiveError> {
        let querying = querying.to_string();
        let controller = Some(querying.clone());
        if let Err(d) = self.authorise(system, &querying, &[Action::DisclosureQuery], now) {
            return Ok(Handled::details(
                &request.message_id,
                controller,
                vec![d.at("controlActProcess/authorOrPerformer")],
            ));
        }
        if !matches!(op, Operation::QueryMetadata | Operation::FetchDocument) {
            return Ok(Handled::details(
                &request.message_id,
                controller,
                vec![Detail::new(DetailCode::DisclosureScope, request.interaction.clone())],
            ));
        }
        let statutory = match &params.statutory_right {
            None => None,
            Some(code) => match law::statutory_reason(code) {
                Some(name) => Some((code.clone(), name)),
                None => {
                    let shown =
                        if code.is_empty() { "(no reason code)".to_string() } else { format!("reason code '{code}'") };
                    return Ok(Handled::details(
                        &request.message_id,
                        controller,
                        vec![Detail::new(DetailCode::StatutoryReason, shown)],
                    ));
                }
            },
        };
        let client = params.client.as_ref().map(|c| c.key()).unwrap_or_default();
        let all = self.all_client_documents(&client)?;
        let disclosed = match law::disclose(&all, &querying, statutory.as_ref(), now.date()) {
            Ok(d) => d,
            Err(refusal) => {
                return Ok(Handled::details(
                    &request.message_id,
                    controller,
                    vec![refusal.at("queryByParameter/parameterList/disclosure")],
                ))
            }
        };
        let chosen: Vec<StoredDocument> = match (&params.document_id, op) {
            (Some(id), Operation::FetchDocument) => disclosed.into_iter().filter(|d| &d.id == id).cloned().collect(),
            _ => disclosed.into_iter().filter(|d| query::matches(d, params)).cloned().collect(),
        };
        if op == Operation::FetchDocument && chosen.is_empty() {
            let id = params.document_id.clone().unwrap_or_default();
            return Ok(Handled::details(&request.message_id, controller, vec![Detail::new(DetailCode::NotFound, id)]));
        }
        let answer = if op == Operation::FetchDocument {
            let d = &chosen[0];
            let parts = self.parts(&d.id)?;
            Answer::Document { summary: render::summary(d, self.codes), document: render::package(d, &parts) }
        } else {
            match query::paged("queryResult", &chosen, params.page, self.page_size, self) {
                Ok(l) => Answer::List(l),
                Err(d) => return Ok(Handled::details(&request.message_id, controller, vec![d])),
            }
        };
        let record = law::DisclosureRecord {
            at: now,
            system: system.name.clone(),
            to_controller: querying.clone(),
            client: client.clone(),
            documents: chosen.iter().map(|d| d.id.clone()).collect(),
            from_controllers: chosen.iter().map(|d| d.controller().to_string()).fold(Vec::new(), |mut v, c| {
                if !v.contains(&c) {
                    v.push(c);
                }
                v
            }),
            basis: match &statutory {
                Some((code, reason)) => law::Basis::StatutoryRight { code: code.clone(), reason: reason.clone() },
                None => law::Basis::Consent,
            },
            message_id: request.message_id.to_string(),
        };
        let mut batch = Batch::default();
        let key = records::disclosure_key(&client, &records::sort_key(now), &uuid::Uuid::new_v4().to_string());
        batch.put(Space::Records, key, to_json(&record)?);
        self.store.commit(batch)?;
        let documents = record.documents.clone();
        let ack = Ack {
            type_code: AckType::AA,
            target: Some(request.message_id.clone()),
            details: vec![],
            answer: Some(answer),
        };
        Ok(Handled { ack, controller, documents })
    }
}

/// The content rules every document meets (see [`Archive::content_findings`]); pure.
pub fn content_findings(
    doc: &Incoming,
    kind: DocumentKind,
    now: OffsetDateTime,
    signatures: SignaturePolicy<'_>,
    codes: &CodeSets,
    rules: &MetadataRules,
) -> Vec<Detail> {
    let mut details = Vec::new();
    if let Some(d) = law::phase_content_allowed(kind, now) {
        details.push(d);
    }
    let ctx = Context { now, codes, rules, signatures };
    details.extend(validation::check_document(doc, kind, &ctx));
    if kind.is_declaration() {
        details.extend(law::check_declaration(&doc.meta, kind, doc.contents.json(), now));
    }
    let takes_structure = match kind {
        DocumentKind::Client(m) => m == DocumentModel::Liittymisvelvoite,
        DocumentKind::Informing => false,
        _ => doc.meta.content_specification.is_some(),
    };
    if takes_structure {
        details.extend(structured_form(doc, kind, codes, now));
    }
    details
}

/// Structured documents (SPEC §8.2): the structured form against its Sosmeta
/// structure, and the form and the header telling the same story.
pub fn structured_form(doc: &Incoming, kind: DocumentKind, codes: &CodeSets, now: OffsetDateTime) -> Vec<Detail> {
    let meta = &doc.meta;
    let mut out = Vec::new();
    let Some(oid) = meta.content_specification.as_deref() else {
        out.push(
            Detail::new(DetailCode::MissingField, "Sosmeta structure (localSocialHeader/contentSpecificationId)")
                .at("/ClinicalDocument/hl7fi:localSocialHeader/hl7fi:contentSpecificationId"),
        );
        return out;
    };
    let date = meta.effective_time.unwrap_or(now).date();
    let structure = match crate::sosmeta::find(crate::sosmeta::Structures::builtin(), oid, date) {
        Ok(s) => s,
        Err(d) => return vec![d],
    };
    if matches!(kind, DocumentKind::Client(_)) && doc.contents.display.is_none() {
        out.push(
            Detail::new(DetailCode::MissingField, "display form (nonXMLBody/text)")
                .at("/ClinicalDocument/component/nonXMLBody/text"),
        );
    }
    let Some(json) = doc.contents.json() else {
        // A structured form that does not parse is reported by the payload rule (SHA-R705).
        if doc.contents.structured.is_none() {
            out.push(
                Detail::new(DetailCode::MissingField, "structured form (nonXMLBody/hl7fi:json)")
                    .at("/ClinicalDocument/component/nonXMLBody/hl7fi:json"),
            );
        }
        return out;
    };
    out.extend(crate::sosmeta::validate(structure, json, codes, date));
    out.extend(crate::sosmeta::conditional_rules(structure, json));
    if let Some(task) = &meta.service_task {
        let form = crate::sosmeta::service_tasks(json);
        if !form.is_empty() && !form.contains(&task.code) {
            out.push(
                Detail::new(
                    DetailCode::StructureHeaderMismatch,
                    format!("service task {} in the header, {} in the structured form", task.code, form.join(", ")),
                )
                .at("/ClinicalDocument/hl7fi:localSocialHeader/hl7fi:functionCode"),
            );
        }
    }
    // Cross-checks between the form and the header.
    let base = structure.base_oid();
    if let Some(t) = base.strip_prefix("1.2.246.537.6.1506.") {
        if meta.document_type.as_ref().is_some_and(|d| d.code != t) {
            let h = meta.document_type.as_ref().map(|d| d.code.clone()).unwrap_or_default();
            out.push(
                Detail::new(
                    DetailCode::StructureHeaderMismatch,
                    format!("structure {oid} is document type {t}, the header says {h}"),
                )
                .at("/ClinicalDocument/hl7fi:localSocialHeader/hl7fi:specificDocumentType"),
            );
        }
        let general = validation::general_type(meta, codes);
        if meta.general_type.is_some() && general.as_deref().is_some_and(|g| g != structure.document_type) {
            out.push(
                Detail::new(
                    DetailCode::StructureHeaderMismatch,
                    format!(
                        "structure is a {}, the header says {}",
                        structure.document_type,
                        general.unwrap_or_default()
                    ),
                )
                .at("/ClinicalDocument/code"),
            );
        }
    }
    if let Some(g) = base.strip_prefix("1.2.246.537.6.1505.") {
        if meta.document_group.as_ref().is_some_and(|d| d.code != g) {
            out.push(
                Detail::new(DetailCode::StructureHeaderMismatch, format!("structure {oid} is document group {g}"))
                    .at("/ClinicalDocument/hl7fi:localSocialHeader/hl7fi:documentGroup"),
            );
        }
    }
    let root = &structure.root.key;
    let form_hetu = json
        .pointer(&format!("/{root}/asiakas/henkilotunnus/value"))
        .or_else(|| json.pointer(&format!("/{root}/asiakas/0/henkilotunnus/value")))
        .and_then(|v| v.as_str());
    if let (Some(f), Some(c)) = (form_hetu, meta.client.as_ref().filter(|c| c.is_hetu())) {
        if !f.eq_ignore_ascii_case(&c.extension) {
            out.push(
                Detail::new(
                    DetailCode::StructureHeaderMismatch,
                    format!("client {f} in the structured form, {} in the header", c.extension),
                )
                .at(format!("/{root}/asiakas")),
            );
        }
    }
    out
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, ArchiveError> {
    serde_json::to_vec(v).map_err(|e| ArchiveError::Corrupt("(serialising)".into(), e.to_string()))
}
