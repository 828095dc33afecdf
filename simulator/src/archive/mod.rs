//! The archive: the twelve SHA use cases on top of the store.
//!
//! Owns: deciding what a typed request means for the archive's content —
//! store, new version, invalidate, validate, queries, kooste — and building the
//! acknowledgement's details. Sees typed requests and metadata only; never HTTP
//! or XML text. Every message's writes are one atomic batch: a rejected message
//! changes nothing.

use std::sync::Arc;

use time::OffsetDateTime;

use crate::clock::Clock;
use crate::message::{Ack, InstanceId, Request};
use crate::registry::System;
use crate::store::{Batch, Space, Store, StoreError};

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

/// The archive.
pub struct Archive {
    store: Arc<dyn Store>,
    #[allow(dead_code)]
    clock: Arc<Clock>,
}

impl Archive {
    /// An archive over `store`.
    pub fn new(store: Arc<dyn Store>, clock: Arc<Clock>) -> Self {
        Archive { store, clock }
    }

    /// Records a message id for `system`; false when it was already used.
    pub fn claim_message_id(&self, system: &System, id: &InstanceId) -> Result<bool, StoreError> {
        let key = format!("{}\0{}", system.name, id);
        if self.store.get(Space::MessageIds, key.as_bytes())?.is_some() {
            return Ok(false);
        }
        let mut b = Batch::default();
        b.expect(Space::MessageIds, key.as_bytes(), None);
        b.put(Space::MessageIds, key.as_bytes(), Vec::new());
        match self.store.commit(b) {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Handles a request from `system` at simulated time `now`.
    pub fn handle(&self, request: &Request, _system: &System, _now: OffsetDateTime) -> Handled {
        Handled { ack: Ack::from_details(Some(request.message_id.clone()), vec![]), controller: None, documents: vec![] }
    }
}
