//! Making stored XHTML safe to show inside the archivist view: the body of the display form,
//! cleaned by ammonia configured with the display-form policy (`crate::xhtml`), so nothing that
//! runs, loads from elsewhere or navigates by itself remains. The view shows the result in a
//! sandboxed frame served with its own restrictive Content-Security-Policy as well.

use crate::xml::{self, Node};

/// The body content of an XHTML document, cleaned, as HTML text; `None` when it is not XML.
pub fn xhtml_body(bytes: &[u8]) -> Option<String> {
    let root = xml::parse(bytes, xml::Limits { allow_plain_doctype: true, ..xml::Limits::default() }).ok()?;
    let body = root.child("body").cloned().unwrap_or(root);
    let mut html = String::new();
    for c in &body.children {
        match c {
            Node::Element(e) => {
                // Drop the namespace declarations: the fragment becomes HTML.
                let mut e = e.clone();
                strip_ns(&mut e);
                html.push_str(&e.to_xml());
            }
            Node::Text(t) => html.push_str(&xml::escape(t)),
        }
    }
    Some(crate::xhtml::Policy::builtin().cleaner().clean(&html).to_string())
}

fn strip_ns(e: &mut xml::Element) {
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
        let x = br#"<html xmlns="http://www.w3.org/1999/xhtml"><body onload="x()"><h1 onclick="y()">Otsikko</h1><script>alert(1)</script><a href="java&#x09;script:z()">linkki</a><p>teksti &amp; muuta</p><svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg></body></html>"#;
        let h = xhtml_body(x).expect("xhtml");
        assert!(
            !h.contains("script") && !h.contains("onclick") && !h.contains("javascript") && !h.contains("svg"),
            "{h}"
        );
        assert!(h.contains("<h1>Otsikko</h1>") && h.contains("teksti &amp; muuta"), "{h}");
        assert!(xhtml_body(b"not xml").is_none());
    }
}
