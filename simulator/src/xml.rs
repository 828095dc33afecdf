//! A small, defensive XML tree used for every incoming message.
//!
//! Owns: turning bytes into an element tree with namespaces resolved, refusing
//! what a hostile sender could use against us — DTDs and entity declarations
//! (billion laughs, external entities), nesting deeper than a limit, too many
//! nodes, attributes or namespace declarations, overlong names and values,
//! characters XML 1.0 forbids, XML 1.1, invalid UTF-8 — in time linear in the
//! input (duplicate attributes are found with a set past the first few), stopping
//! when the caller cancels; and writing text and attributes back out escaped.
//! Must not know about SOAP, HL7 or CDA.

use std::sync::atomic::{AtomicBool, Ordering};

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// Limits for one parse.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Maximum element nesting depth.
    pub max_depth: usize,
    /// Maximum number of elements.
    pub max_elements: usize,
    /// Accept a DOCTYPE without an internal subset (`<!DOCTYPE html>` in XHTML
    /// content): it cannot declare entities. Messages themselves never allow one.
    pub allow_plain_doctype: bool,
    /// Maximum attributes on one element (namespace declarations included).
    pub max_attributes: usize,
    /// Maximum namespace declarations on one element.
    pub max_namespace_declarations: usize,
    /// Maximum namespace declarations in scope at once (every name is resolved against them).
    pub max_namespaces_in_scope: usize,
    /// Maximum length of an element or attribute name, in bytes.
    pub max_name_len: usize,
    /// Maximum length of one attribute value, in bytes.
    pub max_attribute_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // A CDA document with its SOAP and HL7 wrappers nests about 20 deep;
        // 200 leaves room for rich structured bodies. Real elements carry a handful of
        // attributes and a few namespace declarations; ids and codes are short.
        Limits {
            max_depth: 200,
            max_elements: 200_000,
            allow_plain_doctype: false,
            max_attributes: 256,
            max_namespace_declarations: 32,
            max_namespaces_in_scope: 128,
            max_name_len: 256,
            max_attribute_len: 64 * 1024,
        }
    }
}

/// Why a byte string is not acceptable XML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// Not well-formed.
    #[error("not well-formed XML at byte {position}: {reason}")]
    Malformed {
        /// Byte offset.
        position: u64,
        /// What the parser said.
        reason: String,
    },
    /// Bytes are not UTF-8.
    #[error("not valid UTF-8 at byte {position}")]
    InvalidUtf8 {
        /// Byte offset.
        position: u64,
    },
    /// A DOCTYPE (and with it any entity declaration) was present.
    #[error("DTD or entity declarations are not allowed")]
    Dtd,
    /// Too deep.
    #[error("elements nested deeper than {limit}")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// Too many elements.
    #[error("more than {limit} elements")]
    TooManyElements {
        /// The limit.
        limit: usize,
    },
    /// No root element.
    #[error("no root element")]
    Empty,
    /// Reference to an entity other than the five predefined ones.
    #[error("unknown entity reference &{0};")]
    UnknownEntity(String),
    /// A structural limit other than depth or element count was exceeded.
    #[error("{what} (limit {limit}) at byte {position}")]
    Limit {
        /// What exceeded it.
        what: &'static str,
        /// The limit.
        limit: usize,
        /// Byte offset.
        position: u64,
    },
    /// A character XML 1.0 does not allow (controls other than tab, LF, CR).
    #[error("character U+{code:04X} is not allowed in XML 1.0 (byte {position})")]
    ForbiddenCharacter {
        /// The code point.
        code: u32,
        /// Byte offset of the text or attribute holding it.
        position: u64,
    },
    /// An XML version other than 1.0.
    #[error("XML version {0} is not accepted (XML 1.0 only)")]
    Version(String),
    /// The caller stopped the parse (its client went away).
    #[error("parsing stopped: the request was abandoned")]
    Cancelled,
}

/// A character XML 1.0 allows (Char production: tab, LF, CR, and from U+0020 on, not
/// U+FFFE/U+FFFF; surrogates cannot occur in a Rust string).
fn allowed_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

fn check_chars(s: &str, position: u64) -> Result<(), XmlError> {
    // Fast path: bytes below 0x20 are the usual offenders; U+FFFE/FFFF are 3-byte sequences EF BF BE/BF.
    let suspect = s.bytes().any(|b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r') || b == 0xEF);
    if suspect {
        if let Some(c) = s.chars().find(|c| !allowed_char(*c)) {
            return Err(XmlError::ForbiddenCharacter { code: c as u32, position });
        }
    }
    Ok(())
}

/// An element: namespace URI, local name, attributes, children.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// Namespace URI, empty when none.
    pub ns: String,
    /// Local name.
    pub name: String,
    /// Attributes by local name (namespaced attributes keep their prefix-free name).
    pub attrs: Vec<(String, String)>,
    /// Child nodes in order.
    pub children: Vec<Node>,
}

/// A child node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// An element.
    Element(Element),
    /// Character data (entities decoded, CDATA included).
    Text(String),
}

impl Element {
    /// Attribute value by local name.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Child elements.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// First child element with this local name (any namespace).
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// First child element with this namespace and local name.
    pub fn child_ns(&self, ns: &str, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name && e.ns == ns)
    }

    /// All child elements with this local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements().filter(move |e| e.name == name)
    }

    /// Follows a path of local names.
    pub fn path(&self, names: &[&str]) -> Option<&Element> {
        let mut cur = self;
        for n in names {
            cur = cur.child(n)?;
        }
        Some(cur)
    }

    /// Concatenated text content of this element (direct text children only), trimmed.
    pub fn text(&self) -> String {
        let mut texts = self.children.iter().filter_map(|n| match n {
            Node::Text(t) => Some(t.as_str()),
            Node::Element(_) => None,
        });
        let Some(first) = texts.next() else { return String::new() };
        match texts.next() {
            // The usual case, one text node (a MIME package is most of a message): one copy.
            None => first.trim().to_string(),
            Some(second) => {
                let mut s = String::from(first);
                s.push_str(second);
                texts.for_each(|t| s.push_str(t));
                s.trim().to_string()
            }
        }
    }

    /// Serialises this element (and children) as XML, declaring namespaces with
    /// a default `xmlns` wherever the namespace changes.
    pub fn to_xml(&self) -> String {
        let mut out = String::new();
        self.write_xml(&mut out, "");
        out
    }

    /// Serialises with the given namespaces written as prefixes (`hl7fi:localSocialHeader`),
    /// declared once on this element; other namespaces are declared as defaults where they change.
    pub fn to_xml_prefixed(&self, prefixes: &[(&str, &str)]) -> String {
        let mut out = String::new();
        self.write_prefixed(&mut out, "", prefixes, true);
        out
    }

    fn write_prefixed(&self, out: &mut String, default_ns: &str, prefixes: &[(&str, &str)], root: bool) {
        let prefix = prefixes.iter().find(|(_, uri)| *uri == self.ns && !self.ns.is_empty()).map(|(p, _)| *p);
        out.push('<');
        if let Some(p) = prefix {
            out.push_str(p);
            out.push(':');
        }
        out.push_str(&self.name);
        let mut child_default = default_ns.to_string();
        if prefix.is_none() && self.ns != default_ns {
            out.push_str(" xmlns=\"");
            out.push_str(&escape(&self.ns));
            out.push('"');
            child_default = self.ns.clone();
        }
        if root {
            for (p, uri) in prefixes {
                out.push_str(&format!(" xmlns:{p}=\"{}\"", escape(uri)));
            }
        }
        for (k, v) in &self.attrs {
            out.push(' ');
            out.push_str(k);
            out.push_str("=\"");
            out.push_str(&escape(v));
            out.push('"');
        }
        if self.children.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        for c in &self.children {
            match c {
                Node::Element(e) => e.write_prefixed(out, &child_default, prefixes, false),
                Node::Text(t) => out.push_str(&escape(t)),
            }
        }
        out.push_str("</");
        if let Some(p) = prefix {
            out.push_str(p);
            out.push(':');
        }
        out.push_str(&self.name);
        out.push('>');
    }

    fn write_xml(&self, out: &mut String, parent_ns: &str) {
        out.push('<');
        out.push_str(&self.name);
        if self.ns != parent_ns {
            out.push_str(" xmlns=\"");
            out.push_str(&escape(&self.ns));
            out.push('"');
        }
        for (k, v) in &self.attrs {
            out.push(' ');
            out.push_str(k);
            out.push_str("=\"");
            out.push_str(&escape(v));
            out.push('"');
        }
        if self.children.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        for c in &self.children {
            match c {
                Node::Element(e) => e.write_xml(out, &self.ns),
                Node::Text(t) => out.push_str(&escape(t)),
            }
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push('>');
    }
}

impl Element {
    /// Serialises with one element per line, indented (for people reading a message).
    pub fn to_pretty_xml(&self) -> String {
        let mut out = String::new();
        self.write_pretty(&mut out, "", 0);
        out
    }

    fn write_pretty(&self, out: &mut String, parent_ns: &str, depth: usize) {
        let pad = "  ".repeat(depth);
        out.push_str(&pad);
        out.push('<');
        out.push_str(&self.name);
        if self.ns != parent_ns {
            out.push_str(&format!(" xmlns=\"{}\"", escape(&self.ns)));
        }
        for (k, v) in &self.attrs {
            out.push_str(&format!(" {k}=\"{}\"", escape(v)));
        }
        let text: String =
            self.children.iter().filter_map(|n| if let Node::Text(t) = n { Some(t.as_str()) } else { None }).collect();
        let has_elements = self.elements().next().is_some();
        if !has_elements && text.trim().is_empty() {
            out.push_str("/>\n");
            return;
        }
        out.push('>');
        if !has_elements {
            out.push_str(&escape(text.trim()));
        } else {
            out.push('\n');
            for c in self.elements() {
                c.write_pretty(out, &self.ns, depth + 1);
            }
            if !text.trim().is_empty() {
                out.push_str(&format!("{pad}  {}\n", escape(text.trim())));
            }
            out.push_str(&pad);
        }
        out.push_str(&format!("</{}>\n", self.name));
    }
}

/// Escapes text for use in element content or a double-quoted attribute.
pub fn escape(s: &str) -> String {
    // quick-xml's escaper copies unescaped runs in bulk (and borrows when there is nothing to
    // escape); the char-by-char loop it replaced was the load generator's largest cost.
    quick_xml::escape::escape(s).into_owned()
}

fn malformed(reader_pos: u64, e: impl std::fmt::Display) -> XmlError {
    XmlError::Malformed { position: reader_pos, reason: e.to_string() }
}

fn start_element(
    reader: &NsReader<&[u8]>,
    e: &BytesStart<'_>,
    pos: u64,
    limits: &Limits,
) -> Result<(Element, usize), XmlError> {
    let limit = |what, limit| XmlError::Limit { what, limit, position: pos };
    if e.name().as_ref().len() > limits.max_name_len {
        return Err(limit("element name too long", limits.max_name_len));
    }
    // Count before anything else looks at the attributes, and find duplicates ourselves: the
    // parser's own check compares every pair.
    let mut count = 0usize;
    let mut declarations = 0usize;
    // The first few names are compared with each other directly (no allocation for the usual
    // element); from the ninth on every name goes into a set, so the cost stays linear.
    const FEW: usize = 8;
    let mut few: [&[u8]; FEW] = [&[]; FEW];
    let mut seen: std::collections::HashSet<&[u8]> = std::collections::HashSet::new();
    for a in e.attributes().with_checks(false) {
        let a = a.map_err(|err| malformed(pos, err))?;
        count += 1;
        if count > limits.max_attributes {
            return Err(limit("too many attributes on one element", limits.max_attributes));
        }
        let key = a.key.into_inner();
        if key.len() > limits.max_name_len {
            return Err(limit("attribute name too long", limits.max_name_len));
        }
        if a.value.len() > limits.max_attribute_len {
            return Err(limit("attribute value too long", limits.max_attribute_len));
        }
        if a.key.as_namespace_binding().is_some() {
            declarations += 1;
            if declarations > limits.max_namespace_declarations {
                return Err(limit("too many namespace declarations on one element", limits.max_namespace_declarations));
            }
        }
        let duplicate = if count <= FEW {
            let earlier = few[..count - 1].contains(&key);
            few[count - 1] = key;
            earlier
        } else {
            if count == FEW + 1 {
                seen.extend(few);
            }
            !seen.insert(key)
        };
        if duplicate {
            return Err(malformed(pos, format!("duplicate attribute '{}'", String::from_utf8_lossy(key))));
        }
    }
    let (res, local) = reader.resolve_element(e.name());
    let ns = match res {
        ResolveResult::Bound(ns) => {
            String::from_utf8(ns.as_ref().to_vec()).map_err(|_| XmlError::InvalidUtf8 { position: pos })?
        }
        ResolveResult::Unbound => String::new(),
        ResolveResult::Unknown(p) => {
            return Err(malformed(pos, format!("undeclared namespace prefix '{}'", String::from_utf8_lossy(&p))))
        }
    };
    let name = std::str::from_utf8(local.as_ref()).map_err(|_| XmlError::InvalidUtf8 { position: pos })?.to_string();
    let mut attrs = Vec::with_capacity(count - declarations);
    for a in e.attributes().with_checks(false) {
        let a = a.map_err(|err| malformed(pos, err))?;
        let key = a.key;
        if key.as_namespace_binding().is_some() {
            continue;
        }
        let local = std::str::from_utf8(key.local_name().as_ref())
            .map_err(|_| XmlError::InvalidUtf8 { position: pos })?
            .to_string();
        let raw = std::str::from_utf8(&a.value).map_err(|_| XmlError::InvalidUtf8 { position: pos })?;
        let value = unescape(raw, pos)?;
        check_chars(&value, pos)?;
        attrs.push((local, value));
    }
    Ok((Element { ns, name, attrs, children: Vec::new() }, declarations))
}

/// Decodes the five predefined entities and character references; anything else is refused.
fn unescape(raw: &str, pos: u64) -> Result<String, XmlError> {
    if !raw.contains('&') {
        return Ok(raw.to_string());
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find(';').ok_or_else(|| malformed(pos, "unterminated entity reference"))?;
        let name = &after[..end];
        match name {
            "amp" => out.push('&'),
            "lt" => out.push('<'),
            "gt" => out.push('>'),
            "quot" => out.push('"'),
            "apos" => out.push('\''),
            _ if name.starts_with("#x") || name.starts_with("#X") => {
                let c = u32::from_str_radix(&name[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| malformed(pos, format!("bad character reference &{name};")))?;
                out.push(c);
            }
            _ if name.starts_with('#') => {
                let c = name[1..]
                    .parse::<u32>()
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| malformed(pos, format!("bad character reference &{name};")))?;
                out.push(c);
            }
            _ => return Err(XmlError::UnknownEntity(name.chars().take(40).collect())),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Parses `bytes` into an element tree within `limits`.
pub fn parse(bytes: &[u8], limits: Limits) -> Result<Element, XmlError> {
    static NEVER: AtomicBool = AtomicBool::new(false);
    parse_cancellable(bytes, limits, &NEVER)
}

/// Parses as [`parse`] does, stopping with [`XmlError::Cancelled`] soon after `cancel` is set.
pub fn parse_cancellable(bytes: &[u8], limits: Limits, cancel: &AtomicBool) -> Result<Element, XmlError> {
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(XmlError::InvalidUtf8 { position: e.valid_up_to() as u64 });
    }
    let mut reader = NsReader::from_reader(bytes);
    reader.config_mut().trim_text(false);
    reader.config_mut().check_end_names = true;
    // Open elements, each with where its children start in `pending` and how many namespace
    // declarations it made (to know how many are in scope): children gather in one shared
    // vector and move into their element, in one allocation of the right size, when it closes
    // (pushing onto each element's own vector regrew it several times).
    let mut stack: Vec<(Element, usize, usize)> = Vec::new();
    let mut pending: Vec<Node> = Vec::new();
    let mut in_scope = 0usize;
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    let mut events = 0usize;
    loop {
        events += 1;
        if events.is_multiple_of(1024) && cancel.load(Ordering::Relaxed) {
            return Err(XmlError::Cancelled);
        }
        let pos = reader.buffer_position();
        let ev = reader.read_event().map_err(|e| malformed(pos, e))?;
        match ev {
            Event::DocType(d) => {
                if !limits.allow_plain_doctype || d.contains(&b'[') {
                    return Err(XmlError::Dtd);
                }
            }
            Event::Decl(ref d) => {
                let v = d.version().map_err(|e| malformed(pos, e))?;
                if v.as_ref() != b"1.0" {
                    return Err(XmlError::Version(String::from_utf8_lossy(&v).chars().take(20).collect()));
                }
            }
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(malformed(pos, "content after the root element"));
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                count += 1;
                if count > limits.max_elements {
                    return Err(XmlError::TooManyElements { limit: limits.max_elements });
                }
                if stack.len() >= limits.max_depth {
                    return Err(XmlError::TooDeep { limit: limits.max_depth });
                }
                let (el, decls) = start_element(&reader, e, pos, &limits)?;
                if in_scope + decls > limits.max_namespaces_in_scope {
                    return Err(XmlError::Limit {
                        what: "too many namespace declarations in scope",
                        limit: limits.max_namespaces_in_scope,
                        position: pos,
                    });
                }
                if matches!(ev, Event::Start(_)) {
                    in_scope += decls;
                    stack.push((el, pending.len(), decls));
                } else if stack.is_empty() {
                    root = Some(el);
                } else {
                    pending.push(Node::Element(el));
                }
            }
            Event::End(_) => {
                let (mut el, start, decls) = stack.pop().ok_or_else(|| malformed(pos, "unexpected end tag"))?;
                in_scope -= decls;
                el.children = pending.split_off(start);
                if stack.is_empty() {
                    root = Some(el);
                } else {
                    pending.push(Node::Element(el));
                }
            }
            Event::Text(t) => {
                let raw = std::str::from_utf8(t.as_ref()).map_err(|_| XmlError::InvalidUtf8 { position: pos })?;
                if !stack.is_empty() {
                    let text = unescape(raw, pos)?;
                    check_chars(&text, pos)?;
                    pending.push(Node::Text(text));
                } else if !raw.trim().is_empty() {
                    return Err(malformed(pos, "text outside the root element"));
                }
            }
            Event::CData(t) => {
                let s = std::str::from_utf8(t.as_ref()).map_err(|_| XmlError::InvalidUtf8 { position: pos })?;
                check_chars(s, pos)?;
                if stack.is_empty() {
                    return Err(malformed(pos, "CDATA outside the root element"));
                }
                pending.push(Node::Text(s.to_string()));
            }
            Event::Comment(ref t) => {
                let s = std::str::from_utf8(t.as_ref()).map_err(|_| XmlError::InvalidUtf8 { position: pos })?;
                check_chars(s, pos)?;
            }
            Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(malformed(
            bytes.len() as u64,
            format!("unclosed element <{}>", stack.last().map(|(e, _, _)| e.name.as_str()).unwrap_or("")),
        ));
    }
    root.ok_or(XmlError::Empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_the_five_markup_characters_and_nothing_else() {
        assert_eq!(escape(r#"a<b>&"c"'d'"#), "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;");
        assert_eq!(escape("Äitiysneuvola ™ 😀 ==/+"), "Äitiysneuvola ™ 😀 ==/+");
        let doc = format!("<a k=\"{}\">{}</a>", escape("\"q\" & 'r'"), escape("x < y && z"));
        let e = parse(doc.as_bytes(), Limits::default()).expect("escaped text parses");
        assert_eq!((e.text().as_str(), e.attr("k")), ("x < y && z", Some("\"q\" & 'r'")));
    }

    #[test]
    fn resolves_namespaces_and_entities() {
        let x = br#"<?xml version="1.0"?><a:r xmlns:a="urn:a" xmlns="urn:d" k="1 &amp; 2"><c>x &lt; y&#65;</c><![CDATA[<raw>]]></a:r>"#;
        let e = parse(x, Limits::default()).expect("parses");
        assert_eq!((e.ns.as_str(), e.name.as_str()), ("urn:a", "r"));
        assert_eq!(e.attr("k"), Some("1 & 2"));
        let c = e.child("c").expect("c");
        assert_eq!(c.ns, "urn:d");
        assert_eq!(c.text(), "x < yA");
    }

    #[test]
    fn refuses_dtd_and_entities() {
        let laughs =
            b"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><r>&lol2;</r>";
        assert_eq!(parse(laughs, Limits::default()), Err(XmlError::Dtd));
        let xxe = b"<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>";
        assert_eq!(parse(xxe, Limits::default()), Err(XmlError::Dtd));
        assert_eq!(parse(b"<r>&x;</r>", Limits::default()), Err(XmlError::UnknownEntity("x".into())));
    }

    #[test]
    fn refuses_deep_nesting_and_bad_utf8() {
        let deep = format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000));
        assert_eq!(parse(deep.as_bytes(), Limits::default()), Err(XmlError::TooDeep { limit: 200 }));
        assert!(matches!(parse(b"<a>\xff</a>", Limits::default()), Err(XmlError::InvalidUtf8 { .. })));
    }

    #[test]
    fn refuses_truncated_and_mismatched() {
        assert!(matches!(parse(b"<a><b></a>", Limits::default()), Err(XmlError::Malformed { .. })));
        assert!(matches!(parse(b"<a><b>", Limits::default()), Err(XmlError::Malformed { .. })));
        assert_eq!(parse(b"  ", Limits::default()), Err(XmlError::Empty));
    }

    #[test]
    fn refuses_what_xml_1_0_forbids_and_what_exceeds_a_limit() {
        assert!(matches!(
            parse(b"<a>x\x01y</a>", Limits::default()),
            Err(XmlError::ForbiddenCharacter { code: 1, .. })
        ));
        assert!(matches!(parse(b"<a>&#0;</a>", Limits::default()), Err(XmlError::ForbiddenCharacter { code: 0, .. })));
        assert!(matches!(
            parse(b"<a k=\"&#x1b;\"/>", Limits::default()),
            Err(XmlError::ForbiddenCharacter { code: 0x1b, .. })
        ));
        assert!(matches!(
            parse("<a>\u{FFFF}</a>".as_bytes(), Limits::default()),
            Err(XmlError::ForbiddenCharacter { .. })
        ));
        assert!(parse(b"<a>tab\tand\r\nnewline</a>", Limits::default()).is_ok());
        assert_eq!(parse(b"<?xml version=\"1.1\"?><a/>", Limits::default()), Err(XmlError::Version("1.1".into())));
        let many: String = (0..300).map(|i| format!(" a{i}=\"\"")).collect();
        assert!(matches!(parse(format!("<a{many}/>").as_bytes(), Limits::default()), Err(XmlError::Limit { .. })));
        let ns: String = (0..40).map(|i| format!(" xmlns:p{i}=\"urn:{i}\"")).collect();
        assert!(matches!(parse(format!("<a{ns}/>").as_bytes(), Limits::default()), Err(XmlError::Limit { .. })));
        let nested: String = (0..10).map(|i| format!("<e{i} xmlns:q{i}a=\"urn:a\" xmlns:q{i}b=\"urn:b\" xmlns:q{i}c=\"urn:c\" xmlns:q{i}d=\"urn:d\" xmlns:q{i}e=\"urn:e\" xmlns:q{i}f=\"urn:f\" xmlns:q{i}g=\"urn:g\" xmlns:q{i}h=\"urn:h\" xmlns:q{i}i=\"urn:i\" xmlns:q{i}j=\"urn:j\" xmlns:q{i}k=\"urn:k\" xmlns:q{i}l=\"urn:l\" xmlns:q{i}m=\"urn:m\" xmlns:q{i}n=\"urn:n\">")).collect();
        assert!(
            matches!(parse(nested.as_bytes(), Limits::default()), Err(XmlError::Limit { what, .. }) if what.contains("in scope"))
        );
        assert!(matches!(parse(b"<a k=\"1\" k=\"2\"/>", Limits::default()), Err(XmlError::Malformed { .. })));
        let long = format!("<a k=\"{}\"/>", "x".repeat(70_000));
        assert!(matches!(parse(long.as_bytes(), Limits::default()), Err(XmlError::Limit { .. })));
    }

    #[test]
    fn stops_when_cancelled() {
        let big = format!("<r>{}</r>", "<e/>".repeat(5_000));
        let cancel = AtomicBool::new(true);
        assert_eq!(parse_cancellable(big.as_bytes(), Limits::default(), &cancel), Err(XmlError::Cancelled));
    }

    /// Linear: twice the attributes (on many elements, each within the limit) costs about twice
    /// the time, not four times. The ratio of the fastest of several runs is robust to a noisy
    /// machine; a quadratic parser would give about 4.
    #[test]
    fn parsing_time_is_linear_in_attributes() {
        let doc = |elements: usize| {
            let attrs: String = (0..250).map(|i| format!(" a{i}=\"v\"")).collect();
            format!("<r>{}</r>", format!("<e{attrs}/>").repeat(elements))
        };
        let fastest = |d: &str| {
            (0..5)
                .map(|_| {
                    let t = std::time::Instant::now();
                    parse(d.as_bytes(), Limits::default()).expect("parses");
                    t.elapsed()
                })
                .min()
                .expect("runs")
        };
        let (small, large) = (doc(400), doc(800));
        let (a, b) = (fastest(&small), fastest(&large));
        let ratio = b.as_secs_f64() / a.as_secs_f64().max(1e-9);
        assert!(ratio < 3.0, "2x the attributes took {ratio:.2}x the time ({a:?} -> {b:?})");
    }

    #[test]
    fn finds_a_duplicate_attribute_wherever_it_is() {
        let attrs = |n: usize| -> String { (0..n).map(|i| format!(" a{i}=\"{i}\"")).collect() };
        for n in [1, 7, 8, 9, 20] {
            assert!(parse(format!("<e{}/>", attrs(n)).as_bytes(), Limits::default()).is_ok(), "{n} distinct");
            // The repeated name comes last, so it is compared with the first few and, past the
            // eighth, with the set.
            let dup = format!("<e{} a0=\"x\"/>", attrs(n));
            let err = parse(dup.as_bytes(), Limits::default()).expect_err("duplicate");
            assert!(matches!(&err, XmlError::Malformed { reason, .. } if reason.contains("'a0'")), "{n}: {err}");
        }
        // A prefixed name is a different name from the same local name without its prefix.
        assert!(parse(br#"<e xmlns:p="urn:p" k="1" p:k="2"/>"#, Limits::default()).is_ok());
    }

    #[test]
    fn keeps_children_in_document_order_at_every_depth() {
        let x = br#"<r>a<b>1<c/>2</b><d/>z<e><f><g>deep</g></f></e></r>"#;
        let e = parse(x, Limits::default()).expect("parses");
        let shape = |el: &Element| -> Vec<String> {
            el.children
                .iter()
                .map(|n| match n {
                    Node::Element(c) => format!("<{}>", c.name),
                    Node::Text(t) => t.clone(),
                })
                .collect()
        };
        assert_eq!(shape(&e), ["a", "<b>", "<d>", "z", "<e>"]);
        assert_eq!(shape(e.child("b").expect("b")), ["1", "<c>", "2"]);
        assert_eq!(e.path(&["e", "f", "g"]).map(Element::text).as_deref(), Some("deep"));
        assert!(e.child("d").expect("d").children.is_empty());
    }

    #[test]
    fn round_trips_through_to_xml() {
        let x = br#"<r xmlns="urn:x" a="&quot;q&quot;"><s xmlns="urn:y">t &amp; u</s><e/></r>"#;
        let e = parse(x, Limits::default()).expect("parses");
        let again = parse(e.to_xml().as_bytes(), Limits::default()).expect("reparses");
        assert_eq!(e, again);
    }
}
