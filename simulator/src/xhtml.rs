//! The display-form policy (`testdata/xhtml-policy.toml`): which XHTML a display form
//! (näyttömuoto) may contain — an allow-list of elements, attributes, URL schemes and CSS —
//! used twice: by validation, which refuses a form with anything else and names it
//! (`SHA-R704`), and by the archivist view, which shows stored XHTML cleaned by the same list
//! through ammonia, a maintained HTML sanitiser.
//!
//! URLs are judged as a browser would read them: entities are already decoded by the XML
//! parser, and whitespace and control characters are removed before the scheme is taken, so
//! `java&#x09;script:` is `javascript:`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::xml::{Element, Node};

/// The compiled-in policy file.
pub const POLICY_TOML: &str = include_str!("../../testdata/xhtml-policy.toml");

/// The XHTML namespace.
pub const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

#[derive(Debug, Deserialize)]
struct Urls {
    #[serde(flatten)]
    schemes: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Deserialize)]
struct Meta {
    http_equiv: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Css {
    forbidden: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct PolicyFile {
    elements: Vec<String>,
    global_attributes: Vec<String>,
    element_attributes: BTreeMap<String, Vec<String>>,
    urls: Urls,
    meta: Meta,
    css: Css,
}

/// The allow-list.
#[derive(Debug)]
pub struct Policy {
    elements: BTreeSet<String>,
    global: BTreeSet<String>,
    per_element: BTreeMap<String, BTreeSet<String>>,
    url_schemes: BTreeMap<String, BTreeSet<String>>,
    data_media_types: BTreeSet<String>,
    http_equiv: BTreeSet<String>,
    css_forbidden: Vec<String>,
}

impl Policy {
    /// Parses a policy file.
    pub fn parse(text: &str) -> Result<Policy, String> {
        let f: PolicyFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let lower = |v: Vec<String>| v.into_iter().map(|x| x.to_ascii_lowercase()).collect::<BTreeSet<_>>();
        let mut url_schemes = BTreeMap::new();
        let mut data_media_types = BTreeSet::new();
        for (k, v) in f.urls.schemes {
            let list: Vec<String> = v
                .as_array()
                .ok_or_else(|| format!("urls.{k} must be a list"))?
                .iter()
                .filter_map(|x| x.as_str().map(|s| s.to_ascii_lowercase()))
                .collect();
            if k == "data_media_types" {
                data_media_types = list.into_iter().collect();
            } else {
                url_schemes.insert(k.to_ascii_lowercase(), list.into_iter().collect());
            }
        }
        Ok(Policy {
            elements: lower(f.elements),
            global: lower(f.global_attributes),
            per_element: f.element_attributes.into_iter().map(|(k, v)| (k.to_ascii_lowercase(), lower(v))).collect(),
            url_schemes,
            data_media_types,
            http_equiv: lower(f.meta.http_equiv),
            css_forbidden: f.css.forbidden.into_iter().map(|x| x.to_ascii_lowercase()).collect(),
        })
    }

    /// The built-in policy.
    pub fn builtin() -> &'static Policy {
        static P: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
        P.get_or_init(|| match Policy::parse(&crate::tables::text("xhtml-policy.toml", POLICY_TOML)) {
            Ok(p) => p,
            // Compiled in and checked by a unit test.
            Err(e) => panic!("testdata/xhtml-policy.toml: {e}"),
        })
    }

    fn attribute_allowed(&self, element: &str, attr: &str) -> bool {
        self.global.contains(attr) || self.per_element.get(element).is_some_and(|s| s.contains(attr))
    }

    /// Whether a URL in `attr` is allowed (`None`) or why not.
    fn url_problem(&self, attr: &str, value: &str) -> Option<String> {
        let schemes = self.url_schemes.get(attr)?;
        // As a browser reads it: no whitespace or control characters, any case.
        let v: String =
            value.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect::<String>().to_ascii_lowercase();
        let scheme_end = v.find(':')?;
        if v[..scheme_end].contains(['/', '?', '#']) {
            return None; // a relative URL with a colon later on
        }
        let scheme = &v[..scheme_end];
        if !schemes.contains(scheme) {
            return Some(format!("the {scheme}: scheme is not allowed in {attr}"));
        }
        if scheme == "data" {
            let media = v[scheme_end + 1..].split([';', ',']).next().unwrap_or("");
            if !self.data_media_types.contains(media) {
                return Some(format!("data: of type '{media}' is not allowed in {attr}"));
            }
        }
        None
    }

    /// Whether CSS text is allowed (`None`) or what in it is not.
    fn css_problem(&self, css: &str) -> Option<String> {
        let mut text = String::with_capacity(css.len());
        let mut rest = css;
        // Comments out, escapes out, whitespace out, lower case: what the CSS parser sees.
        while let Some(i) = rest.find("/*") {
            text.push_str(&rest[..i]);
            rest = rest[i + 2..].split_once("*/").map(|(_, r)| r).unwrap_or("");
        }
        text.push_str(rest);
        let t: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\\' && !c.is_control())
            .collect::<String>()
            .to_ascii_lowercase();
        for bad in &self.css_forbidden {
            let mut from = 0;
            while let Some(i) = t[from..].find(bad.as_str()) {
                let at = from + i;
                let after = &t[at + bad.len()..];
                let fine = bad == "url(" && {
                    let u = after.trim_start_matches(['"', '\'']);
                    u.strip_prefix("data:")
                        .is_some_and(|d| self.data_media_types.iter().any(|m| d.starts_with(m.as_str())))
                };
                if !fine {
                    return Some(format!("CSS with '{bad}'"));
                }
                from = at + bad.len();
            }
        }
        None
    }

    /// Everything in a parsed display form the policy does not allow, each named with where.
    pub fn findings(&self, root: &Element) -> Vec<String> {
        let mut out = Vec::new();
        self.walk(root, &mut out);
        out
    }

    fn walk(&self, e: &Element, out: &mut Vec<String>) {
        let name = e.name.to_ascii_lowercase();
        if !e.ns.is_empty() && e.ns != XHTML_NS {
            out.push(format!("<{}> element in namespace {} is not allowed", e.name, e.ns));
            return;
        }
        if !self.elements.contains(&name) {
            out.push(format!("<{}> element is not allowed", e.name));
            return;
        }
        for (k, v) in &e.attrs {
            let attr = k.to_ascii_lowercase();
            if attr.starts_with("on") {
                out.push(format!("event handler {k} on <{}>", e.name));
            } else if !self.attribute_allowed(&name, &attr) {
                out.push(format!("attribute {k} is not allowed on <{}>", e.name));
            } else if let Some(p) = self.url_problem(&attr, v) {
                out.push(format!("{p} on <{}>", e.name));
            } else if attr == "style" {
                if let Some(p) = self.css_problem(v) {
                    out.push(format!("{p} in the style of <{}>", e.name));
                }
            } else if name == "meta" && attr == "http-equiv" && !self.http_equiv.contains(&v.to_ascii_lowercase()) {
                out.push(format!("<meta http-equiv=\"{v}\"> is not allowed"));
            }
        }
        if name == "style" {
            if let Some(p) = self.css_problem(&e.text()) {
                out.push(format!("{p} in a <style> element"));
            }
        }
        for c in &e.children {
            if let Node::Element(c) = c {
                self.walk(c, out);
            }
        }
    }

    /// An HTML sanitiser configured with this policy, for showing stored forms: allowed
    /// elements and attributes only (no style, no document-level elements), links opened
    /// without referrer or opener, images only from data: of the allowed types.
    pub fn cleaner(&'static self) -> ammonia::Builder<'static> {
        let skip = ["html", "head", "title", "body", "meta", "style"];
        let mut b = ammonia::Builder::default();
        b.tags(self.elements.iter().map(String::as_str).filter(|t| !skip.contains(t)).collect())
            .generic_attributes(
                self.global.iter().map(String::as_str).filter(|a| *a != "style" && *a != "xml:lang").collect(),
            )
            .tag_attributes(
                self.per_element
                    .iter()
                    .filter(|(t, _)| !skip.contains(&t.as_str()))
                    .map(|(t, a)| (t.as_str(), a.iter().map(String::as_str).collect()))
                    .collect(),
            )
            .url_schemes(self.url_schemes.values().flatten().map(String::as_str).collect())
            .link_rel(Some("noopener noreferrer"))
            .strip_comments(true)
            .attribute_filter(move |element, attribute, value| {
                match self.url_problem(attribute, value) {
                    // cid: parts are not reachable from the view: the image stays out.
                    None if attribute == "src" && !value.trim_start().to_ascii_lowercase().starts_with("data:") => None,
                    None if element == "img" || attribute != "src" => Some(value.into()),
                    _ => None,
                }
            });
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(x: &str) -> Element {
        crate::xml::parse(x.as_bytes(), crate::xml::Limits { allow_plain_doctype: true, ..Default::default() })
            .expect("xhtml")
    }

    #[test]
    fn the_policy_file_parses() {
        assert!(Policy::parse(POLICY_TOML).is_ok());
    }

    #[test]
    fn ordinary_display_forms_pass() {
        let ok = parse(
            r##"<div xmlns="http://www.w3.org/1999/xhtml" class="soc-document"><h1>Otsikko</h1><p style="color: #333; margin: 0">Teksti <b>lihava</b> <a href="https://thl.fi/">linkki</a> <a href="#kohta">kohta</a></p><img src="data:image/png;base64,iVBOR" alt="logo"/><table><tr><td colspan="2">x</td></tr></table></div>"##,
        );
        assert_eq!(Policy::builtin().findings(&ok), Vec::<String>::new());
    }

    #[test]
    fn what_runs_loads_or_navigates_is_named() {
        let p = Policy::builtin();
        for (x, want) in [
            (r##"<div><a href="java&#x09;script:alert(1)">x</a></div>"##, "javascript: scheme"),
            (r##"<div><a href="java&#x0A;script:alert(1)">x</a></div>"##, "javascript: scheme"),
            (r##"<div><a href=" JaVaScRiPt:alert(1)">x</a></div>"##, "javascript: scheme"),
            (r##"<div><a href="vbscript:msgbox(1)">x</a></div>"##, "vbscript: scheme"),
            (r##"<div><a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a></div>"##, "data: scheme"),
            (r##"<div><button formaction="javascript:alert(1)">x</button></div>"##, "<button> element"),
            (r##"<html><head><meta http-equiv="refresh" content="0;url=https://evil"/></head></html>"##, "refresh"),
            (r##"<html><head><base href="https://evil/"/></head></html>"##, "<base> element"),
            (r##"<html><head><link rel="stylesheet" href="https://evil/x.css"/></head></html>"##, "<link> element"),
            (r##"<div><img src="https://tracker.example/p.png"/></div>"##, "https: scheme"),
            (r##"<div><img src="data:image/svg+xml;base64,PHN2Zz4="/></div>"##, "image/svg+xml"),
            (r##"<div><form action="https://evil/"><input name="q"/></form></div>"##, "<form> element"),
            (r##"<div style="background:url(javascript:alert(1))">x</div>"##, "CSS"),
            (r##"<div style="width: expression(alert(1))">x</div>"##, "expression("),
            (r##"<div style="b\ehavior: url(x.htc)">x</div>"##, "CSS"),
            (r##"<html><head><style>@import url(https://evil/x.css);</style></head></html>"##, "@import"),
            (r##"<div><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg></div>"##, "namespace"),
            (r##"<div onmouseover="alert(1)">x</div>"##, "event handler"),
            (r##"<div><iframe src="https://evil/"/></div>"##, "<iframe> element"),
            (r##"<div><object data="x.swf"/></div>"##, "<object> element"),
        ] {
            let found = p.findings(&parse(x));
            assert!(found.iter().any(|f| f.contains(want)), "{x}: {found:?}");
        }
    }

    #[test]
    fn the_cleaner_keeps_text_and_drops_what_runs() {
        let html = r##"<h1 onclick="x()">Otsikko</h1><script>alert(1)</script><a href="java&#x09;script:z()">linkki</a><a href="https://thl.fi/">thl</a><img src="https://tracker/p.png"/><img src="data:image/png;base64,iVBOR"/><p style="background:url(javascript:y())">teksti &amp; muuta</p><form action="https://evil/"><button formaction="javascript:1">b</button></form>"##;
        let out = Policy::builtin().cleaner().clean(html).to_string();
        for bad in ["onclick", "<script", "javascript", "tracker", "style=", "<form", "<button", "formaction"] {
            assert!(!out.to_ascii_lowercase().contains(bad), "{bad} in {out}");
        }
        for good in
            ["Otsikko", "teksti &amp; muuta", "https://thl.fi/", "rel=\"noopener noreferrer\"", "data:image/png"]
        {
            assert!(out.contains(good), "{good} missing from {out}");
        }
    }
}
