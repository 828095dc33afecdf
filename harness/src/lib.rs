//! SHA joint-testing harness: runs Kela-style test cases (features/, in
//! Finnish) against a system connecting to the SHA simulator, and reports.
//!
//! `context` reaches the simulator, `world` holds a scenario, `steps` read the
//! Finnish (and English) step sentences, `sut` drives the system under test in
//! one of three ways, `report` writes JUnit, JSON, HTML and the Finnish report.
//! Verdicts always come from the simulator's journal.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod adapter_server;
pub mod cli;
pub mod context;
pub mod deployment;
pub mod report;
pub mod runner;
pub mod steps;
pub mod sut;
pub mod world;

/// The simulator library the harness drives.
pub use sha_simulator as simulator;
