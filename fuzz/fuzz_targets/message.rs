//! Fuzzes the path every incoming request takes: XML → SOAP envelope → HL7 wrapper.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sha_simulator::message::{parse_request, Interactions};
use sha_simulator::transport::soap::{body_message, SoapVersion};
use sha_simulator::xml::{parse, Limits};

fuzz_target!(|data: &[u8]| {
    if let Ok(env) = parse(data, Limits::default()) {
        if let Ok(msg) = body_message(env, SoapVersion::V11) {
            let _ = parse_request(&msg, Interactions::builtin());
        }
    }
});
