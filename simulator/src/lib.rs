//! SHA simulator: a local stand-in for Kanta's social welfare client data
//! archive (Sosiaalihuollon asiakastiedon arkisto), for vendors' joint testing,
//! CI pipelines and trainers.
//!
//! Data flows one way: [`transport`] (TLS, HTTP) → [`wire`] (the one codec:
//! SOAP, HL7 V3 wrapper, MIME, CDA) → [`command`] (what the message asks for,
//! typed) → [`archive`] (use cases) → [`store`]. The archive never sees HTTP
//! or XML text; the store never interprets documents. See docs/architecture.md.

#![forbid(unsafe_code)]
#![recursion_limit = "256"]
#![warn(missing_docs)]

pub mod acks;
pub mod admin;
pub mod archive;
pub mod bench;
pub mod cli;
pub mod client;
pub mod clock;
pub mod codes;
pub mod command;
pub mod compose;
pub mod document;
pub mod dsig;
pub mod faults;
pub mod hetu;
pub mod interactions;
pub mod journal;
pub mod json;
pub mod offline;
pub mod oid;
pub mod persons;
pub mod pki;
pub mod profile;
pub mod registry;
pub mod samples;
pub mod scale;
pub mod seed;
pub mod server;
pub mod sosmeta;
pub mod store;
pub mod tables;
pub mod transport;
pub mod ui;
pub mod validation;
pub mod wire;
pub mod xhtml;
pub mod xml;
