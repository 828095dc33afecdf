//! A small, defensive XML tree used for every incoming message.
//!
//! Owns: turning bytes into an element tree with namespaces resolved, refusing
//! what a hostile sender could use against us — DTDs and entity declarations
//! (billion laughs, external entities), nesting deeper than a limit, too many
//! nodes, invalid UTF-8 — and writing text and attributes back out escaped.
//! Must not know about SOAP, HL7 or CDA.

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
}

impl Default for Limits {
    fn default() -> Self {
        // A CDA document with its SOAP and HL7 wrappers nests about 20 deep;
        // 200 leaves room for rich structured bodies.
        Limits { max_depth: 200, max_elements: 200_000, allow_plain_doctype: false }
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
        let mut s = String::new();
        for n in &self.children {
            if let Node::Text(t) = n {
                s.push_str(t);
            }
        }
        s.trim().to_string()
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

fn start_element(reader: &NsReader<&[u8]>, e: &BytesStart<'_>, pos: u64) -> Result<Element, XmlError> {
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
    let mut attrs = Vec::new();
    for a in e.attributes() {
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
        attrs.push((local, value));
    }
    Ok(Element { ns, name, attrs, children: Vec::new() })
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
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(XmlError::InvalidUtf8 { position: e.valid_up_to() as u64 });
    }
    let mut reader = NsReader::from_reader(bytes);
    reader.config_mut().trim_text(false);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    loop {
        let pos = reader.buffer_position();
        let ev = reader.read_event().map_err(|e| malformed(pos, e))?;
        match ev {
            Event::DocType(d) => {
                if !limits.allow_plain_doctype || d.contains(&b'[') {
                    return Err(XmlError::Dtd);
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
                let el = start_element(&reader, e, pos)?;
                if matches!(ev, Event::Start(_)) {
                    stack.push(el);
                } else {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(Node::Element(el)),
                        None => root = Some(el),
                    }
                }
            }
            Event::End(_) => {
                let el = stack.pop().ok_or_else(|| malformed(pos, "unexpected end tag"))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(el)),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                let raw = std::str::from_utf8(t.as_ref()).map_err(|_| XmlError::InvalidUtf8 { position: pos })?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Text(unescape(raw, pos)?)),
                    None if raw.trim().is_empty() => {}
                    None => return Err(malformed(pos, "text outside the root element")),
                }
            }
            Event::CData(t) => {
                let s = std::str::from_utf8(t.as_ref()).map_err(|_| XmlError::InvalidUtf8 { position: pos })?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Text(s.to_string())),
                    None => return Err(malformed(pos, "CDATA outside the root element")),
                }
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(malformed(
            bytes.len() as u64,
            format!("unclosed element <{}>", stack.last().map(|e| e.name.as_str()).unwrap_or("")),
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
    fn round_trips_through_to_xml() {
        let x = br#"<r xmlns="urn:x" a="&quot;q&quot;"><s xmlns="urn:y">t &amp; u</s><e/></r>"#;
        let e = parse(x, Limits::default()).expect("parses");
        let again = parse(e.to_xml().as_bytes(), Limits::default()).expect("reparses");
        assert_eq!(e, again);
    }
}
