//! Identifier syntax: object identifiers (OIDs, ITU-T X.660 dotted decimal)
//! as Kanta's messages name documents, organisations and code systems, and
//! UUIDs. Limits keep a hostile id from growing without bound: an OID is at
//! most [`MAX_LEN`] characters and [`MAX_ARCS`] arcs, each arc at most 39
//! digits (enough for a UUID under `2.25`).

/// Longest OID accepted, in characters.
pub const MAX_LEN: usize = 200;
/// Most arcs in an OID.
pub const MAX_ARCS: usize = 40;
/// Longest arc (a 128-bit UUID as a decimal number has 39 digits).
pub const MAX_ARC_DIGITS: usize = 39;

/// Why a string is not an OID; `None` when it is one.
pub fn oid_problem(s: &str) -> Option<String> {
    if s.is_empty() {
        return Some("empty".into());
    }
    if s.len() > MAX_LEN {
        return Some(format!("{} characters (at most {MAX_LEN})", s.len()));
    }
    let arcs: Vec<&str> = s.split('.').collect();
    if arcs.len() < 2 {
        return Some("needs at least two arcs (digits separated by dots)".into());
    }
    if arcs.len() > MAX_ARCS {
        return Some(format!("{} arcs (at most {MAX_ARCS})", arcs.len()));
    }
    for a in &arcs {
        if a.is_empty() || !a.bytes().all(|b| b.is_ascii_digit()) {
            return Some(format!("arc '{}' is not a number", a.chars().take(20).collect::<String>()));
        }
        if a.len() > 1 && a.starts_with('0') {
            return Some(format!("arc '{a}' has a leading zero"));
        }
        if a.len() > MAX_ARC_DIGITS {
            return Some(format!("an arc of {} digits (at most {MAX_ARC_DIGITS})", a.len()));
        }
    }
    if !matches!(arcs[0], "0" | "1" | "2") {
        return Some(format!("first arc {} (0, 1 or 2)", arcs[0]));
    }
    None
}

/// Whether `s` is an OID.
pub fn is_oid(s: &str) -> bool {
    oid_problem(s).is_none()
}

/// Longest identifier extension accepted, in characters.
pub const MAX_EXTENSION_LEN: usize = 100;

/// Why an instance identifier (HL7 II: a root, optionally `root:extension`) is not acceptable;
/// `None` when it is. The root is an OID or a UUID; an extension is short and has no spaces,
/// controls or markup characters.
pub fn instance_id_problem(key: &str) -> Option<String> {
    let (root, ext) = match key.split_once(':') {
        Some((r, x)) => (r, Some(x)),
        None => (key, None),
    };
    if !is_uuid(root) {
        if let Some(p) = oid_problem(root) {
            let shown: String = root.chars().take(60).collect();
            return Some(format!("root '{shown}' is neither an OID nor a UUID: {p}"));
        }
    }
    if let Some(x) = ext {
        if x.is_empty() || x.chars().count() > MAX_EXTENSION_LEN {
            return Some(format!("extension of {} characters (1–{MAX_EXTENSION_LEN})", x.chars().count()));
        }
        if let Some(c) = x.chars().find(|c| c.is_whitespace() || c.is_control() || "<>\"'&\\".contains(*c)) {
            return Some(format!("extension holds the character {c:?}"));
        }
    }
    None
}

/// Whether `s` is a UUID in its canonical hyphenated form (any case).
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_ids_need_an_oid_or_uuid_root_and_a_tame_extension() {
        assert_eq!(instance_id_problem("1.2.246.10.99990001.10.0.77.1"), None);
        assert_eq!(instance_id_problem("1.2.246.10.99990001.10.0:20261102001"), None);
        assert_eq!(instance_id_problem("6f2c9f2e-1a2b-4c3d-9e8f-0123456789ab"), None);
        for bad in ["../../../../etc/x", "2.25.1\"onmouseover=x", "1.2.3:a b", "1.2.3:<x>", "x"] {
            assert!(instance_id_problem(bad).is_some(), "{bad}");
        }
        assert!(instance_id_problem(&format!("1.2.{}", vec!["1"; 20_000].join("."))).is_some());
        assert!(instance_id_problem(&format!("1.2.3:{}", "x".repeat(101))).is_some());
    }

    #[test]
    fn real_and_generated_ids_are_oids() {
        for ok in [
            "1.2.246.10.32213561.95777.2026.688883.2809773",
            "1.2.246.556.18007.2",
            "2.25.174761220453488446978372483837695761068",
            "0.0",
        ] {
            assert!(is_oid(ok), "{ok}");
        }
    }

    #[test]
    fn hostile_ids_are_not() {
        let long = format!("1.{}", vec!["2"; 300].join("."));
        let bad = [
            "",
            "../../../../etc/x",
            "2.25.1\"onmouseover=alert(1)",
            "1.2..3",
            "1.02.3",
            "3.1",
            "1",
            " 1.2",
            long.as_str(),
        ];
        for b in bad {
            assert!(oid_problem(b).is_some(), "{b:?} accepted");
        }
        assert!(oid_problem(&format!("1.{}", "9".repeat(40))).expect("too long an arc").contains("40 digits"));
    }

    #[test]
    fn uuids() {
        assert!(is_uuid("6f2c0d3a-1b2c-4d5e-8f90-a1b2c3d4e5f6"));
        assert!(!is_uuid("6f2c0d3a1b2c4d5e8f90a1b2c3d4e5f6"));
    }
}
