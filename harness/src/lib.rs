//! SHA joint-testing harness: runs Kela-style test cases (features/, in
//! Finnish) against a system connecting to the SHA simulator and reports.
//!
//! This crate is being built out in its own issue; today it holds the
//! command-line surface and the link to the simulator library.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// The simulator library the harness drives.
pub use sha_simulator as simulator;
