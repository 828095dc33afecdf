//! Turvakielto masking (rule 9): when a clienthood document says the client is
//! under turvakielto, the fields listed in `testdata/turvakielto.toml` are
//! removed from its JSON before it leaves the archive for any reader outside
//! the controller's own archivist view.

use serde::Deserialize;

use crate::compose::Part;

#[derive(Deserialize)]
struct MaskFile {
    trigger: String,
    remove: Vec<String>,
}

/// The compiled-in mask definition.
pub const TURVAKIELTO_TOML: &str = include_str!("../../../testdata/turvakielto.toml");

fn definition() -> &'static MaskFile {
    static D: std::sync::OnceLock<MaskFile> = std::sync::OnceLock::new();
    D.get_or_init(|| match toml::from_str(TURVAKIELTO_TOML) {
        Ok(d) => d,
        // Compiled in and checked by a unit test.
        Err(e) => panic!("testdata/turvakielto.toml: {e}"),
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

/// Masks every JSON part in place.
pub fn mask_parts(parts: &mut [Part]) {
    for p in parts.iter_mut().filter(|p| p.media_type == "application/json") {
        if let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(&p.bytes) {
            if mask_json(&mut v) {
                if let Ok(b) = serde_json::to_vec(&v) {
                    p.bytes = b;
                }
            }
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
    fn leaves_unprotected_clients_alone() {
        let mut v = json!({"asiakkuusasiakirja": {"asiakas": {"turvakielto": false, "kotikunta": {}}}});
        assert!(!mask_json(&mut v));
        assert!(v["asiakkuusasiakirja"]["asiakas"].get("kotikunta").is_some());
    }
}
