//! HL7 V3 data types as Kanta's messages carry them — instance identifiers
//! (`II`), coded values (`CV`), timestamps (`TS`), names — and the small
//! vocabulary every reader and writer of the wire format shares: finding a
//! child that may occur once, reading an attribute, writing an element.
//!
//! Owns: nothing about any particular message. Readers are liberal in syntax
//! (any namespace prefix, surrounding whitespace, attribute order) and strict
//! in meaning: an element that may occur once and occurs twice is reported,
//! never silently resolved by taking the first (one meaning per message).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::acks::{Detail, DetailCode};
pub use crate::codes::Code;
use crate::xml::{Element, Node};

/// HL7 V3 namespace (messages and CDA documents).
pub const HL7_NS: &str = "urn:hl7-org:v3";
/// The Finnish extension namespace (`localSocialHeader`, `json`, `signatureCollection`).
pub const HL7FI_NS: &str = "urn:hl7finland";
/// XML-DSig namespace.
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// An HL7 instance identifier (`II`): root OID and optional extension.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InstanceId {
    /// Root OID (or UUID).
    pub root: String,
    /// Extension.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub extension: Option<String>,
}

impl InstanceId {
    /// An id with a root only.
    pub fn root(root: impl Into<String>) -> Self {
        InstanceId { root: root.into(), extension: None }
    }

    /// Reads `root` / `extension` attributes; `None` when there is no root (a
    /// `nullFlavor` id, or an empty one). An id may carry both a root and a
    /// `nullFlavor` — real case ids do — and then the root counts.
    pub fn from_element(e: &Element) -> Option<Self> {
        let root = e.attr("root")?.trim();
        if root.is_empty() {
            return None;
        }
        Some(InstanceId {
            root: root.to_string(),
            extension: e.attr("extension").map(str::trim).filter(|s| !s.is_empty()).map(str::to_string),
        })
    }

    /// An element `<name root=".." extension=".."/>` in the HL7 namespace.
    pub fn to_element(&self, name: &str) -> Element {
        let mut attrs = vec![("root".to_string(), self.root.clone())];
        if let Some(x) = &self.extension {
            attrs.push(("extension".to_string(), x.clone()));
        }
        Element { ns: HL7_NS.into(), name: name.into(), attrs, children: vec![] }
    }

    /// The text form used as a key: `root` or `root:extension`.
    pub fn key(&self) -> String {
        self.to_string()
    }

    /// Back from the text form of [`InstanceId::key`].
    pub fn from_key(key: &str) -> Self {
        match key.split_once(':') {
            Some((r, x)) => InstanceId { root: r.to_string(), extension: Some(x.to_string()) },
            None => InstanceId { root: key.to_string(), extension: None },
        }
    }
}

impl std::fmt::Display for InstanceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.extension {
            Some(x) => write!(f, "{}:{}", self.root, x),
            None => f.write_str(&self.root),
        }
    }
}

/// A person's name as HL7 `PN` carries it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    /// Family names.
    pub family: Vec<String>,
    /// Given names (without the calling-name repeat).
    pub given: Vec<String>,
    /// The calling name (`given qualifier="CL"`), when given.
    pub calling: Option<String>,
    /// Unstructured text, when the name has no parts.
    pub text: Option<String>,
}

impl PersonName {
    /// A name from a family name and given names (space-separated).
    pub fn new(family: &str, given: &str) -> Self {
        PersonName {
            family: non_empty(family).into_iter().collect(),
            given: non_empty(given).into_iter().collect(),
            calling: None,
            text: None,
        }
    }

    /// Reads a `name` element.
    pub fn read(e: &Element) -> Self {
        let mut n = PersonName::default();
        for c in e.elements() {
            let t = c.text();
            if t.is_empty() {
                continue;
            }
            match c.name.as_str() {
                "family" => n.family.push(t),
                "given" if c.attr("qualifier").is_some_and(|q| q.eq_ignore_ascii_case("CL")) => n.calling = Some(t),
                "given" => n.given.push(t),
                _ => {}
            }
        }
        if n.family.is_empty() && n.given.is_empty() {
            n.text = non_empty(&e.text());
        }
        n
    }

    /// Writes a `name` element (family first, then given names, then the calling name).
    pub fn write(&self, ns: &str) -> Element {
        let mut c = Vec::new();
        for f in &self.family {
            c.push(text_el(ns, "family", f));
        }
        for g in &self.given {
            c.push(text_el(ns, "given", g));
        }
        if let Some(cl) = &self.calling {
            let mut g = text_el(ns, "given", cl);
            if let Node::Element(e) = &mut g {
                e.attrs.push(("qualifier".into(), "CL".into()));
            }
            c.push(g);
        }
        if c.is_empty() {
            if let Some(t) = &self.text {
                c.push(Node::Text(t.clone()));
            }
        }
        Element { ns: ns.into(), name: "name".into(), attrs: vec![], children: c }
    }

    /// Family names joined.
    pub fn family_text(&self) -> Option<String> {
        non_empty(&self.family.join(" "))
    }

    /// Given names joined.
    pub fn given_text(&self) -> Option<String> {
        non_empty(&self.given.join(" "))
    }

    /// The whole name for people: "Given Family", or the unstructured text.
    pub fn display(&self) -> String {
        let parts: Vec<&str> = self.given.iter().chain(self.family.iter()).map(String::as_str).collect();
        if parts.is_empty() {
            self.text.clone().unwrap_or_default()
        } else {
            parts.join(" ")
        }
    }
}

/// `Some(s)` for a non-blank string, trimmed.
pub fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Reads a coded value (`code`, `codeSystem`, `displayName`); `None` without a code.
pub fn read_code(e: &Element) -> Option<Code> {
    let code = e.attr("code")?.trim();
    if code.is_empty() {
        return None;
    }
    Some(Code {
        code: code.to_string(),
        system: e.attr("codeSystem").unwrap_or_default().trim().to_string(),
        display: e.attr("displayName").map(str::to_string),
    })
}

/// Writes a coded value element; `system_name` goes in `codeSystemName` when given.
pub fn code_element(ns: &str, name: &str, c: &Code, system_name: Option<&str>) -> Element {
    let mut attrs = vec![("code".to_string(), c.code.clone()), ("codeSystem".to_string(), c.system.clone())];
    if let Some(n) = system_name {
        attrs.push(("codeSystemName".into(), n.to_string()));
    }
    if let Some(d) = &c.display {
        attrs.push(("displayName".into(), d.clone()));
    }
    Element { ns: ns.into(), name: name.into(), attrs, children: vec![] }
}

/// An element with a `nullFlavor="NA"` attribute.
pub fn null_element(ns: &str, name: &str) -> Element {
    Element { ns: ns.into(), name: name.into(), attrs: vec![("nullFlavor".into(), "NA".into())], children: vec![] }
}

/// An element with attributes only.
pub fn attr_element(ns: &str, name: &str, attrs: &[(&str, &str)]) -> Element {
    Element {
        ns: ns.into(),
        name: name.into(),
        attrs: attrs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        children: vec![],
    }
}

/// An element holding child elements.
pub fn parent_element(ns: &str, name: &str, attrs: &[(&str, &str)], children: Vec<Element>) -> Element {
    let mut e = attr_element(ns, name, attrs);
    e.children = children.into_iter().map(Node::Element).collect();
    e
}

/// An element holding text.
pub fn text_el(ns: &str, name: &str, text: &str) -> Node {
    Node::Element(Element {
        ns: ns.into(),
        name: name.into(),
        attrs: vec![],
        children: vec![Node::Text(text.to_string())],
    })
}

/// HL7 TS of an instant with its offset written out (`20260717130654+0300`), as real senders write it.
pub fn ts(t: OffsetDateTime) -> String {
    let o = t.offset();
    let (h, m, _) = o.as_hms();
    let sign = if o.is_negative() { '-' } else { '+' };
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}{sign}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        h.unsigned_abs(),
        m.unsigned_abs()
    )
}

/// Parses an HL7 TS value (`YYYYMMDD[HH[MM[SS[.s]]]][+ZZZZ]`); no zone means UTC.
pub fn parse_ts(v: &str) -> Option<OffsetDateTime> {
    let v = v.trim();
    let (main, zone) = match v.find(['+', '-']) {
        Some(i) if i >= 8 => (&v[..i], Some(&v[i..])),
        _ => (v, None),
    };
    let main = main.split('.').next()?;
    if main.len() < 8 || main.len() > 14 || main.len() % 2 != 0 || !main.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| main.get(r).map(|s| s.parse::<u32>().ok()).unwrap_or(Some(0));
    let year = num(0..4)? as i32;
    let month = time::Month::try_from(num(4..6)? as u8).ok()?;
    let day = num(6..8)? as u8;
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    let t = time::Time::from_hms(num(8..10)? as u8, num(10..12)? as u8, num(12..14)? as u8).ok()?;
    let offset = match zone {
        None => time::UtcOffset::UTC,
        Some(z) if z.len() == 5 && z[1..].bytes().all(|c| c.is_ascii_digit()) => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let h: i8 = z[1..3].parse().ok()?;
            let m: i8 = z[3..5].parse().ok()?;
            time::UtcOffset::from_hms(sign * h, sign * m, 0).ok()?
        }
        Some(_) => return None,
    };
    Some(time::PrimitiveDateTime::new(date, t).assume_offset(offset))
}

/// Which namespaces an element of a message may be written in: real senders
/// declare the HL7 namespace as default, and some forget a prefix on the
/// children of the Finnish header, so both are accepted where names cannot clash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ns {
    /// `urn:hl7-org:v3` (or no namespace).
    Hl7,
    /// `urn:hl7finland` (or the HL7 namespace, when a prefix was forgotten).
    Fi,
}

impl Ns {
    /// Whether an element in namespace `ns` counts.
    pub fn admits(self, ns: &str) -> bool {
        match self {
            Ns::Hl7 => ns == HL7_NS || ns.is_empty(),
            Ns::Fi => ns == HL7FI_NS || ns == HL7_NS,
        }
    }
}

/// Findings collected while reading one message or document.
#[derive(Debug, Default)]
pub struct Reading {
    /// What was wrong, in reading order.
    pub findings: Vec<Detail>,
}

impl Reading {
    /// The children of `parent` named `name` in `ns`.
    pub fn all<'a>(parent: &'a Element, ns: Ns, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        parent.elements().filter(move |e| e.name == name && ns.admits(&e.ns))
    }

    /// The one child of `parent` named `name`; a second one is reported at `path/name`.
    pub fn one<'a>(&mut self, parent: &'a Element, ns: Ns, name: &str, path: &str) -> Option<&'a Element> {
        let mut it = parent.elements().filter(|e| e.name == name && ns.admits(&e.ns));
        let first = it.next();
        if it.next().is_some() {
            let loc = format!("{path}/{name}");
            self.findings.push(Detail::new(DetailCode::DuplicateElement, &loc).at(loc));
        }
        first
    }

    /// Follows a path of single children from `parent`.
    pub fn path<'a>(&mut self, parent: &'a Element, ns: Ns, names: &[&str], path: &str) -> Option<&'a Element> {
        let mut cur = parent;
        let mut here = path.to_string();
        for n in names {
            cur = self.one(cur, ns, n, &here)?;
            here = format!("{here}/{n}");
        }
        Some(cur)
    }

    /// An attribute of the one child `name`.
    pub fn attr_of(&mut self, parent: &Element, ns: Ns, name: &str, attr: &str, path: &str) -> Option<String> {
        self.one(parent, ns, name, path).and_then(|e| e.attr(attr)).and_then(non_empty)
    }

    /// A coded value of the one child `name`.
    pub fn code_of(&mut self, parent: &Element, ns: Ns, name: &str, path: &str) -> Option<Code> {
        self.one(parent, ns, name, path).and_then(read_code)
    }

    /// An instance id of the one child `name`.
    pub fn id_of(&mut self, parent: &Element, ns: Ns, name: &str, path: &str) -> Option<InstanceId> {
        self.one(parent, ns, name, path).and_then(InstanceId::from_element)
    }

    /// The text of the one child `name`.
    pub fn text_of(&mut self, parent: &Element, ns: Ns, name: &str, path: &str) -> Option<String> {
        self.one(parent, ns, name, path).and_then(|e| non_empty(&e.text()))
    }

    /// Records a finding.
    pub fn push(&mut self, d: Detail) {
        self.findings.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{parse, Limits};

    #[test]
    fn ts_round_trips_with_its_offset() {
        let t = parse_ts("20260717130654+0300").expect("ts");
        assert_eq!(ts(t), "20260717130654+0300");
        assert_eq!(parse_ts("20261120").map(|t| t.date()), Some(time::macros::date!(2026 - 11 - 20)));
        assert!(parse_ts("2026-11-20").is_none());
        assert!(parse_ts("20261340").is_none());
        assert!(parse_ts("20261120+03").is_none());
    }

    #[test]
    fn an_id_with_root_and_null_flavor_keeps_its_root() {
        let e =
            parse(br#"<id xmlns="urn:hl7-org:v3" root=" 1.2.3 " nullFlavor="NA"/>"#, Limits::default()).expect("xml");
        assert_eq!(InstanceId::from_element(&e), Some(InstanceId::root("1.2.3")));
        let e = parse(br#"<id nullFlavor="NA"/>"#, Limits::default()).expect("xml");
        assert_eq!(InstanceId::from_element(&e), None);
    }

    #[test]
    fn names_keep_the_calling_name_apart() {
        let e = parse(
            br#"<name><given>Kanta-Jade</given><given qualifier="CL">Jade</given><family>Testinen</family></name>"#,
            Limits::default(),
        )
        .expect("xml");
        let n = PersonName::read(&e);
        assert_eq!((n.given_text().as_deref(), n.calling.as_deref()), (Some("Kanta-Jade"), Some("Jade")));
        assert_eq!(PersonName::read(&n.write(HL7_NS)), n);
    }

    #[test]
    fn a_second_single_element_is_reported_not_ignored() {
        let e =
            parse(br#"<r xmlns="urn:hl7-org:v3"><id root="1"/><id root="2"/></r>"#, Limits::default()).expect("xml");
        let mut r = Reading::default();
        assert_eq!(r.id_of(&e, Ns::Hl7, "id", "/r").map(|i| i.root), Some("1".into()));
        assert_eq!(r.findings.len(), 1);
        assert_eq!(r.findings[0].code, DetailCode::DuplicateElement);
        assert_eq!(r.findings[0].location.as_deref(), Some("/r/id"));
    }
}
