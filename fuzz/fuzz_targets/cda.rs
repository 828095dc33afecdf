//! Fuzzes document reading: MIME package → CDA → metadata, and the content checks.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sha_simulator::document::{parse, parse_multipart};
use sha_simulator::validation::content;
use sha_simulator::xml::{parse as parse_xml, Limits};

fuzz_target!(|data: &[u8]| {
    if let Ok(parts) = parse_multipart(data) {
        for p in &parts {
            let _ = content(&p.media_type, &p.bytes, &p.content_id, "/");
        }
    }
    if let Ok(cda) = parse_xml(data, Limits::default()) {
        let _ = parse(&cda);
    }
    let _ = content("application/xhtml+xml", data, "x", "/");
    let _ = content("application/pdf", data, "x", "/");
});
