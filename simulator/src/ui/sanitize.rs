//! Making stored XHTML safe to show inside the archivist view: scripts,
//! frames, embedded objects, event-handler attributes and `javascript:` URLs
//! are removed; what remains is re-serialised escaped.

use crate::xml::{self, Element, Node};

const DROP: [&str; 10] =
    ["script", "iframe", "object", "embed", "applet", "frame", "frameset", "link", "meta", "style"];

fn clean(e: &Element) -> Option<Element> {
    if DROP.contains(&e.name.to_ascii_lowercase().as_str()) {
        return None;
    }
    let attrs = e
        .attrs
        .iter()
        .filter(|(k, v)| {
            let k = k.to_ascii_lowercase();
            !k.starts_with("on")
                && !((k == "href" || k == "src" || k == "action")
                    && v.trim().to_ascii_lowercase().starts_with("javascript:"))
        })
        .cloned()
        .collect();
    let children = e
        .children
        .iter()
        .filter_map(|n| match n {
            Node::Element(c) => clean(c).map(Node::Element),
            Node::Text(t) => Some(Node::Text(t.clone())),
        })
        .collect();
    Some(Element { ns: e.ns.clone(), name: e.name.clone(), attrs, children })
}

/// The body content of an XHTML document, sanitised, as HTML text; `None` when it is not XHTML.
pub fn xhtml_body(bytes: &[u8]) -> Option<String> {
    let root = xml::parse(bytes, xml::Limits { allow_plain_doctype: true, ..xml::Limits::default() }).ok()?;
    let cleaned = clean(&root)?;
    let body = cleaned.child("body").cloned().unwrap_or(cleaned);
    let mut out = String::new();
    for c in &body.children {
        match c {
            Node::Element(e) => {
                // Drop the namespace declaration: the fragment is embedded in an HTML page.
                let mut e = e.clone();
                strip_ns(&mut e);
                out.push_str(&e.to_xml());
            }
            Node::Text(t) => out.push_str(&xml::escape(t)),
        }
    }
    Some(out)
}

fn strip_ns(e: &mut Element) {
    e.ns.clear();
    for c in e.children.iter_mut() {
        if let Node::Element(c) = c {
            strip_ns(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_active_content_and_keeps_text() {
        let x = br#"<html xmlns="http://www.w3.org/1999/xhtml"><body onload="x()"><h1 onclick="y()">Otsikko</h1><script>alert(1)</script><a href="javascript:z()">linkki</a><p>teksti &amp; muuta</p></body></html>"#;
        let h = xhtml_body(x).expect("xhtml");
        assert!(!h.contains("script") && !h.contains("onclick") && !h.contains("javascript"), "{h}");
        assert!(h.contains("<h1>Otsikko</h1>") && h.contains("teksti &amp; muuta"), "{h}");
        assert!(xhtml_body(b"not xml").is_none());
    }
}
