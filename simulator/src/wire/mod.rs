//! The wire format, defined once: every message Kanta's social welfare
//! archive and a connecting system exchange (SPEC §6), as typed values with a
//! reader and a writer beside each other. The archive, the connecting side
//! (the harness's clients, samples, seed, bench) and offline validation all
//! read and write through here, so a change to the format is a change in one
//! place; round-trip tests beside each codec keep reader and writer in step,
//! and hand-written fixtures in `testdata/` keep both honest against SPEC §6.
//!
//! [`soap`] (envelope) → [`frame`] (HL7 V3 wrapper, control act, query
//! parameters) → [`mime`] (the package in the wrapper's `text`) → [`cda`]
//! (the document, its `localSocialHeader` and body); [`ack`] for answers;
//! [`hl7`] the shared data types. Must not judge content: what a value means
//! and whether it is allowed is `command`'s, `document`'s and `validation`'s.

pub mod ack;
pub mod cda;
pub mod frame;
pub mod hl7;
pub mod mime;
pub mod soap;
