//! The MIME package in a message wrapper's `text mediaType="multipart/related"`:
//! the CDA document (and, in health-archive practice, attachments) as
//! base64 parts with Content-IDs. One reader, one writer.
//!
//! The reader takes what real senders produce (SPEC §6.4): an optional
//! `Message-ID`, headers folded onto the next line with or without the
//! leading whitespace RFC 5322 asks for, `BASE64` in any case, LF or CRLF,
//! lines indented by an XML pretty-printer, quoted or bare parameters,
//! Content-IDs with or without angle brackets. It is strict where a package
//! could mean two things: a Content-ID used twice, a `start` that names no
//! part, a part without a Content-ID. Work is linear in the input and the
//! number of parts is bounded. A general MIME crate was tried first and
//! could not read real packages (folded headers without whitespace).

use base64::Engine as _;

/// At most this many parts in one package.
pub const MAX_PARTS: usize = 64;

/// One MIME part of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Content-ID (without angle brackets).
    pub content_id: String,
    /// Media type without parameters, lower case (e.g. `text/xml`, `application/pdf`).
    pub media_type: String,
    /// The decoded bytes.
    pub bytes: Vec<u8>,
    /// Declared size (`Content-Disposition: …; size=N`), if any.
    pub declared_size: Option<u64>,
}

impl Part {
    /// A part with no declared size.
    pub fn new(content_id: impl Into<String>, media_type: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Part { content_id: content_id.into(), media_type: media_type.into(), bytes: bytes.into(), declared_size: None }
    }
}

/// Why a package cannot be read; the text names the part and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MimeError(pub String);

fn err(s: impl Into<String>) -> MimeError {
    MimeError(s.into())
}

/// A header block: names lower-cased, folded lines joined.
#[derive(Debug, Default)]
struct Headers(Vec<(String, String)>);

impl Headers {
    fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn count(&self, name: &str) -> usize {
        self.0.iter().filter(|(k, _)| k == name).count()
    }
}

/// Whether `line` starts a header (`Token: …`), as opposed to continuing the previous one.
fn header_start(line: &str) -> Option<(&str, &str)> {
    let (name, value) = line.split_once(':')?;
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')).then_some((name, value))
}

/// Reads header lines until a blank line; returns the headers and the index after the blank line.
fn read_headers(lines: &[&str], mut i: usize) -> (Headers, usize) {
    let mut h: Vec<(String, String)> = Vec::new();
    while i < lines.len() {
        let line = lines[i].trim();
        i += 1;
        if line.is_empty() {
            break;
        }
        match (header_start(line), h.last_mut()) {
            (Some((name, value)), _) => h.push((name.to_ascii_lowercase(), value.trim().to_string())),
            // A folded line, with or without its leading whitespace.
            (None, Some((_, v))) => {
                v.push(' ');
                v.push_str(line);
            }
            (None, None) => {}
        }
    }
    (Headers(h), i)
}

/// Splits a header value into its main value and `name=value` parameters (names lower-cased,
/// quotes removed). Semicolons inside quotes do not split.
pub fn parameters(value: &str) -> (String, Vec<(String, String)>) {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in value.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ';' if !quoted => fields.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    fields.push(cur);
    let main = fields.first().map(|s| s.trim().to_ascii_lowercase()).unwrap_or_default();
    let params = fields
        .iter()
        .skip(1)
        .filter_map(|f| {
            let (k, v) = f.split_once('=')?;
            let v = v.trim();
            let v = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(v);
            Some((k.trim().to_ascii_lowercase(), v.to_string()))
        })
        .collect();
    (main, params)
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A Content-ID without its angle brackets and surrounding space.
pub fn bare_content_id(v: &str) -> String {
    let v = v.trim();
    let v = v.strip_prefix('<').unwrap_or(v);
    let v = v.strip_suffix('>').unwrap_or(v);
    v.trim().to_string()
}

/// Decodes base64 that may be broken into lines, indented, and (as some senders write it) unpadded.
pub fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    decode_base64_lines(&[text])
}

/// Padding may be present or not, as senders differ.
const BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

/// Decodes base64 spread over `lines` (whitespace anywhere ignored): the characters gathered
/// once into a buffer of the text's size, decoded once into a buffer of the result's size.
fn decode_base64_lines(lines: &[&str]) -> Result<Vec<u8>, String> {
    let mut compact = Vec::with_capacity(lines.iter().map(|l| l.len()).sum());
    for l in lines {
        compact.extend(l.bytes().filter(|b| !b.is_ascii_whitespace()));
    }
    let mut out = Vec::with_capacity(compact.len() / 4 * 3 + 3);
    BASE64.decode_vec(&compact, &mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Encodes as base64 in 76-column lines ending in CRLF.
pub fn encode_base64_lines(bytes: &[u8]) -> String {
    let enc = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut s = String::with_capacity(enc.len() + enc.len() / 38 + 2);
    for chunk in enc.as_bytes().chunks(76) {
        // base64 output is ASCII.
        s.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        s.push_str("\r\n");
    }
    s
}

/// Reads a `multipart/related` package. The part named by the `start`
/// parameter comes first; without `start`, the first part is the root.
pub fn read(text: &str) -> Result<Vec<Part>, MimeError> {
    let lines: Vec<&str> = text.lines().collect();
    let first = lines.iter().position(|l| !l.trim().is_empty()).ok_or_else(|| err("the MIME package is empty"))?;
    // A package may start straight with a boundary line (no outer headers).
    let (boundary, start, mut i) = if lines[first].trim_start().starts_with("--") {
        (lines[first].trim().trim_start_matches('-').to_string(), None, first)
    } else {
        let (h, next) = read_headers(&lines, first);
        if h.count("content-type") > 1 {
            return Err(err("the package has two Content-Type headers"));
        }
        let ct = h.get("content-type").ok_or_else(|| err("the package has no Content-Type header"))?;
        let (main, params) = parameters(ct);
        if !main.starts_with("multipart/") {
            return Err(err(format!("content type is {main}, expected multipart/related")));
        }
        let b = param(&params, "boundary")
            .filter(|b| !b.is_empty())
            .ok_or_else(|| err("the Content-Type has no boundary parameter"))?;
        (b.to_string(), param(&params, "start").map(bare_content_id), next)
    };
    let delimiter = format!("--{boundary}");
    let closing = format!("--{boundary}--");
    // Skip the preamble.
    while i < lines.len() && lines[i].trim() != delimiter {
        if lines[i].trim() == closing {
            return Err(err("the package has no parts"));
        }
        i += 1;
    }
    if i == lines.len() {
        return Err(err(format!("no boundary line '--{boundary}' in the package")));
    }
    i += 1;
    let mut parts: Vec<Part> = Vec::new();
    let mut closed = false;
    while i < lines.len() {
        if parts.len() == MAX_PARTS {
            return Err(err(format!("more than {MAX_PARTS} parts")));
        }
        let n = parts.len() + 1;
        let (h, body_start) = read_headers(&lines, i);
        let mut j = body_start;
        while j < lines.len() {
            let t = lines[j].trim();
            if t == delimiter || t == closing {
                break;
            }
            j += 1;
        }
        if j == lines.len() {
            return Err(err(format!("part {n} is not closed by a boundary line (truncated package?)")));
        }
        for name in ["content-id", "content-type", "content-transfer-encoding"] {
            if h.count(name) > 1 {
                return Err(err(format!("part {n} has two {name} headers")));
            }
        }
        let cid = h
            .get("content-id")
            .map(bare_content_id)
            .filter(|c| !c.is_empty())
            .ok_or_else(|| err(format!("part {n} has no Content-ID")))?;
        if parts.iter().any(|p| p.content_id == cid) {
            return Err(err(format!("Content-ID <{cid}> is used by two parts")));
        }
        let media_type = h.get("content-type").map(|v| parameters(v).0).unwrap_or_else(|| "text/plain".into());
        let body = &lines[body_start..j];
        let cte = h.get("content-transfer-encoding").map(|v| v.trim().to_ascii_lowercase());
        let bytes = match cte.as_deref() {
            Some("base64") => {
                decode_base64_lines(body).map_err(|e| err(format!("part <{cid}> is not valid base64: {e}")))?
            }
            None | Some("7bit") | Some("8bit") | Some("binary") => body.join("\n").trim().as_bytes().to_vec(),
            Some(other) => {
                return Err(err(format!(
                    "part <{cid}> has Content-Transfer-Encoding {other}; use base64 (or 8bit for text)"
                )))
            }
        };
        let declared_size = match h.get("content-disposition").map(parameters) {
            Some((_, params)) => match param(&params, "size") {
                Some(s) => Some(
                    s.trim().parse::<u64>().map_err(|_| err(format!("part <{cid}> has size='{s}', not a number")))?,
                ),
                None => None,
            },
            None => None,
        };
        parts.push(Part { content_id: cid, media_type, bytes, declared_size });
        let end = lines[j].trim() == closing;
        i = j + 1;
        if end {
            closed = true;
            break;
        }
    }
    if !closed {
        return Err(err("the package does not end with its closing boundary line"));
    }
    if let Some(start) = start {
        let at = parts
            .iter()
            .position(|p| p.content_id == start)
            .ok_or_else(|| err(format!("start=<{start}> names no part")))?;
        let p = parts.remove(at);
        parts.insert(0, p);
    }
    Ok(parts)
}

/// The boundary written packages use.
pub const BOUNDARY: &str = "----=_SHA_Part_0_7f3a";

/// Writes a `multipart/related` package as real senders do: CRLF lines, the
/// root (first) part named by `start`, every part base64 with its Content-ID.
pub fn write(parts: &[Part]) -> String {
    let start = parts.first().map(|p| p.content_id.as_str()).unwrap_or("");
    let mut s = format!(
        "MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"{BOUNDARY}\"; type=\"text/xml\"; start=\"<{start}>\"\r\n\r\n"
    );
    for p in parts {
        let ct = if p.media_type.starts_with("text/") {
            format!("{}; charset=UTF-8", p.media_type)
        } else {
            p.media_type.clone()
        };
        s.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Type: {ct}\r\nContent-Transfer-Encoding: BASE64\r\nContent-ID: <{}>\r\n",
            p.content_id
        ));
        if let Some(n) = p.declared_size {
            s.push_str(&format!("Content-Disposition: attachment; size={n}\r\n"));
        }
        s.push_str("\r\n");
        s.push_str(&encode_base64_lines(&p.bytes));
    }
    s.push_str(&format!("--{BOUNDARY}--\r\n"));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_reads_back_the_same_parts() {
        let mut pdf = Part::new("1.2.3.pdf", "application/pdf", b"%PDF-1.7".to_vec());
        pdf.declared_size = Some(8);
        let parts = vec![Part::new("1.2.3", "text/xml", b"<a/>".to_vec()), pdf];
        assert_eq!(read(&write(&parts)).expect("reads"), parts);
    }

    #[test]
    fn unfolds_headers_without_leading_whitespace_and_accepts_lf_and_indentation() {
        // As a real sender wrote it: the Content-Type parameters on the next line
        // without whitespace, BASE64 in upper case, LF only, indented by a pretty-printer.
        let text = "\n    Message-ID: <m1@example>\n    MIME-Version: 1.0\n    Content-Type: multipart/related;\n    boundary=\"=_b1\"; type=\"text/xml\";\n    start=\"<1.2.3>\"\n\n    --=_b1\n    Content-Type: text/xml; charset=UTF-8\n    Content-Transfer-Encoding: BASE64\n    Content-ID: <1.2.3>\n\n    PGEv\n    Pg==\n    --=_b1--\n  ";
        let parts = read(text).expect("reads");
        assert_eq!(parts, vec![Part::new("1.2.3", "text/xml", b"<a/>".to_vec())]);
    }

    #[test]
    fn a_folded_header_with_whitespace_and_a_bare_boundary_read_too() {
        let text = "Content-Type: multipart/related;\r\n\tboundary=b\r\n\r\n--b\r\nContent-ID: 1.2.3\r\nContent-Transfer-Encoding: base64\r\n\r\nPGEvPg\r\n--b--\r\n";
        let parts = read(text).expect("reads");
        assert_eq!(parts[0].content_id, "1.2.3");
        assert_eq!(parts[0].bytes, b"<a/>");
    }

    #[test]
    fn ambiguity_and_damage_are_named() {
        let dup = "Content-Type: multipart/related; boundary=b\n\n--b\nContent-ID: <x>\nContent-Transfer-Encoding: base64\n\nPGEvPg==\n--b\nContent-ID: <x>\nContent-Transfer-Encoding: base64\n\nPGIvPg==\n--b--\n";
        assert!(read(dup).unwrap_err().0.contains("used by two parts"));
        let bad64 = "Content-Type: multipart/related; boundary=b\n\n--b\nContent-ID: <x>\nContent-Transfer-Encoding: base64\n\n!!!\n--b--\n";
        assert!(read(bad64).unwrap_err().0.contains("<x>"));
        let truncated = "Content-Type: multipart/related; boundary=b\n\n--b\nContent-ID: <x>\n\nabc\n";
        assert!(read(truncated).unwrap_err().0.contains("not closed"));
        let no_start =
            "Content-Type: multipart/related; boundary=b; start=\"<y>\"\n\n--b\nContent-ID: <x>\n\nabc\n--b--\n";
        assert!(read(no_start).unwrap_err().0.contains("start=<y>"));
        assert!(read("Content-Type: text/plain\n\nhello").unwrap_err().0.contains("multipart"));
        assert!(read("   ").is_err());
    }

    #[test]
    fn the_start_part_comes_first() {
        let text = "Content-Type: multipart/related; boundary=b; start=\"<y>\"\n\n--b\nContent-ID: <x>\n\nabc\n--b\nContent-ID: <y>\n\ndef\n--b--\n";
        let parts = read(text).expect("reads");
        assert_eq!(parts[0].content_id, "y");
    }

    #[test]
    fn base64_without_padding_decodes() {
        assert_eq!(decode_base64("PGRpdi8+").expect("padded"), b"<div/>");
        assert_eq!(decode_base64(" PGE\n vPg ").expect("unpadded"), b"<a/>");
        assert!(decode_base64("PGE$").is_err());
    }
}
