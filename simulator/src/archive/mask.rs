//! Turvakielto masking (rule 9): when a clienthood document says the client is
//! under turvakielto, the fields listed in `testdata/turvakielto.toml` are
//! removed from its JSON before it leaves the archive for any reader outside
//! the controller's own archivist view. The structured form travels inside
//! the CDA (`hl7fi:json`), so the CDA is rewritten with the masked form; its
//! display form cannot be masked field by field and is replaced by a notice.

use serde::Deserialize;

use crate::wire::cda::Encapsulated;
use crate::wire::hl7::{HL7FI_NS, HL7_NS};
use crate::wire::mime::Part;
use crate::xml::{Element, Node};

#[derive(Deserialize)]
struct MaskFile {
    trigger: String,
    remove: Vec<String>,
}

/// The compiled-in mask definition.
pub const TURVAKIELTO_TOML: &str = include_str!("../../../testdata/turvakielto.toml");

/// Parses a mask definition.
pub fn parse_rules(text: &str) -> Result<(), String> {
    toml::from_str::<MaskFile>(text).map(|_| ()).map_err(|e| e.to_string())
}

fn definition() -> &'static MaskFile {
    static D: std::sync::OnceLock<MaskFile> = std::sync::OnceLock::new();
    D.get_or_init(|| match toml::from_str(&crate::tables::text("turvakielto.toml", TURVAKIELTO_TOML)) {
        Ok(d) => d,
        // Checked at start (tables::check) and by a unit test for the embedded copy.
        Err(e) => panic!("turvakielto.toml: {e}"),
    })
}

/// Whether a clienthood JSON says turvakielto.
pub fn under_turvakielto(v: &serde_json::Value) -> bool {
    v.pointer(&definition().trigger).and_then(|t| t.as_bool()).unwrap_or(false)
}

/// Removes the protected fields from `v` when it says turvakielto; returns whether it did.
pub fn mask_json(v: &mut serde_json::Value) -> bool {
    if !under_turvakielto(v) {
        return false;
    }
    for path in &definition().remove {
        if let Some((parent, leaf)) = path.rsplit_once('/') {
            if let Some(obj) = v.pointer_mut(parent).and_then(|p| p.as_object_mut()) {
                obj.remove(leaf);
            }
        }
    }
    true
}

/// The display form given instead of a masked document's own.
const WITHHELD: &str = "<div xmlns=\"http://www.w3.org/1999/xhtml\" class=\"soc-document\"><p>Näyttömuoto on poistettu turvakiellon vuoksi. — The display form is withheld because of a non-disclosure for personal safety (turvakielto).</p></div>";

fn masked_json(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut v = serde_json::from_slice::<serde_json::Value>(bytes).ok()?;
    mask_json(&mut v).then(|| serde_json::to_vec(&v).ok()).flatten()
}

fn set_inline(e: &mut Element, enc: &Encapsulated) {
    e.children.retain(|n| matches!(n, Node::Element(_)));
    if let Some(t) = &enc.inline {
        e.children.insert(0, Node::Text(t.clone()));
    }
    e.attrs.retain(|(k, _)| k != "representation" && k != "integrityCheck" && k != "integrityCheckAlgorithm");
    e.attrs.push(("representation".into(), "B64".into()));
}

fn child_mut<'a>(e: &'a mut Element, name: &str) -> Option<&'a mut Element> {
    e.children.iter_mut().find_map(|n| match n {
        Node::Element(c) if c.name == name => Some(c),
        _ => None,
    })
}

/// Masks a CDA whose inline structured form says turvakielto; `None` when nothing changes.
fn mask_cda(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut root = crate::xml::parse(bytes, crate::xml::Limits::default()).ok()?;
    let body = child_mut(child_mut(&mut root, "component")?, "nonXMLBody")?;
    let mut changed = false;
    for n in body.children.iter_mut() {
        let Node::Element(e) = n else { continue };
        if e.name == "json" && e.ns == HL7FI_NS {
            let text: String =
                e.children.iter().filter_map(|c| if let Node::Text(t) = c { Some(t.as_str()) } else { None }).collect();
            let decoded = crate::wire::mime::decode_base64(&text).ok()?;
            let masked = masked_json(&decoded)?;
            set_inline(e, &Encapsulated::base64("application/json", &masked));
            e.attrs.retain(|(k, _)| k != "representation");
            changed = true;
        }
    }
    if !changed {
        return None;
    }
    for n in body.children.iter_mut() {
        if let Node::Element(e) = n {
            if e.name == "text" && (e.ns == HL7_NS || e.ns.is_empty()) {
                set_inline(e, &Encapsulated::base64("application/xhtml+xml", WITHHELD.as_bytes()));
            }
        }
    }
    let mut out = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".to_vec();
    out.extend_from_slice(root.to_xml_prefixed(&[("hl7fi", HL7FI_NS)]).as_bytes());
    Some(out)
}

/// Masks a stored document's parts in place: JSON parts, and the structured form inside the CDA.
pub fn mask_parts(parts: &mut [Part]) {
    for p in parts.iter_mut() {
        let masked = match p.media_type.as_str() {
            "application/json" => masked_json(&p.bytes),
            "text/xml" | "application/xml" => mask_cda(&p.bytes),
            _ => None,
        };
        if let Some(b) = masked {
            p.bytes = b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hides_municipalities_and_addresses_but_keeps_phone_and_contact_address() {
        let mut v = json!({"asiakkuusasiakirja": {"asiakas": {
            "turvakielto": true,
            "kotikunta": {"kunta": {"code": "091"}},
            "tilapainen_asuinkunta": [],
            "yhteystiedot": {"osoite": [{"lahiosoite": "Salainen 1"}], "puhelinnumero": "0401234567",
                              "yhteysosoite": {"lahiosoite": "PL 1"}, "sahkopostiosoite": "a@b"}
        }}});
        assert!(mask_json(&mut v));
        let a = &v["asiakkuusasiakirja"]["asiakas"];
        assert!(a.get("kotikunta").is_none() && a.get("tilapainen_asuinkunta").is_none());
        assert!(a["yhteystiedot"].get("osoite").is_none() && a["yhteystiedot"].get("sahkopostiosoite").is_none());
        assert_eq!(a["yhteystiedot"]["puhelinnumero"], "0401234567");
        assert_eq!(a["yhteystiedot"]["yhteysosoite"]["lahiosoite"], "PL 1");
    }

    #[test]
    fn the_structured_form_inside_the_cda_is_masked_and_the_display_form_withheld() {
        let json =
            br#"{"asiakkuusasiakirja": {"asiakas": {"turvakielto": true, "kotikunta": {"kunta": {"code": "091"}}}}}"#;
        let d = crate::wire::cda::ClinicalDocument {
            id: Some(crate::wire::hl7::InstanceId::root("1.2.3")),
            body: crate::wire::cda::Body {
                text: Some(Encapsulated::base64(
                    "application/xhtml+xml",
                    b"<div xmlns='http://www.w3.org/1999/xhtml'>Kotikunta 091</div>",
                )),
                json: Some(Encapsulated::base64("application/json", json)),
                ..Default::default()
            },
            ..Default::default()
        };
        let mut parts = vec![Part::new("1.2.3", "text/xml", crate::wire::cda::to_bytes(&d))];
        mask_parts(&mut parts);
        let e = crate::xml::parse(&parts[0].bytes, crate::xml::Limits::default()).expect("xml");
        let (back, _) = crate::wire::cda::read(&e);
        let j = back.body.json.and_then(|j| j.decode_inline_as(true)).and_then(Result::ok).expect("json");
        let j: serde_json::Value = serde_json::from_slice(&j).expect("parses");
        assert!(j["asiakkuusasiakirja"]["asiakas"].get("kotikunta").is_none());
        let x = back.body.text.and_then(|t| t.decode_inline()).and_then(Result::ok).expect("xhtml");
        let x = String::from_utf8(x).expect("utf-8");
        assert!(x.contains("turvakielto") && !x.contains("091"), "{x}");
    }

    #[test]
    fn leaves_unprotected_clients_alone() {
        let mut v = json!({"asiakkuusasiakirja": {"asiakas": {"turvakielto": false, "kotikunta": {}}}});
        assert!(!mask_json(&mut v));
        assert!(v["asiakkuusasiakirja"]["asiakas"].get("kotikunta").is_some());
    }
}
