//! Payload builders: a minimal PDF/A file, an XHTML page, and Sosmeta-shaped
//! JSON for clienthood and case documents — enough for a valid document of
//! every kind, made by code rather than copied from anywhere.

use serde_json::{json, Value};

/// A small single-page PDF that identifies itself as PDF/A-2b in its XMP metadata.
pub fn pdf(title: &str) -> Vec<u8> {
    let safe: String = title.chars().filter(|c| c.is_ascii_alphanumeric() || *c == ' ').collect();
    let xmp = format!(
        "<?xpacket begin=\"\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?><x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance><dc:title>{safe}</dc:title></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>"
    );
    let stream = format!("BT /F1 12 Tf 72 720 Td ({safe}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_string(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        format!("<< /Type /Metadata /Subtype /XML /Length {} >>\nstream\n{xmp}\nendstream", xmp.len()),
    ];
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

/// A PDF padded to about `size` bytes (for the load tool's ~20 KB messages).
pub fn pdf_of_size(title: &str, size: usize) -> Vec<u8> {
    let base = pdf(title);
    if base.len() >= size {
        return base;
    }
    // Padding goes in a comment line before the trailer, which keeps the structure valid.
    let pad = size - base.len();
    let cut = base.windows(4).position(|w| w == b"xref").unwrap_or(base.len());
    let mut out = base[..cut].to_vec();
    out.extend_from_slice(b"%");
    out.extend(std::iter::repeat_n(b'x', pad.saturating_sub(2)));
    out.extend_from_slice(b"\n");
    out.extend_from_slice(&base[cut..]);
    out
}

/// A display form as real systems write it: an XHTML fragment (a `div` in the
/// XHTML namespace) with a heading and one paragraph.
pub fn xhtml(title: &str, text: &str) -> Vec<u8> {
    let e = crate::xml::escape;
    format!(
        "<div class=\"soc-document\" xmlns=\"http://www.w3.org/1999/xhtml\"><div class=\"soc-main-wrapper\"><h1 class=\"soc-fulltitle\">{}</h1><p>{}</p></div></div>",
        e(title),
        e(text)
    )
    .into_bytes()
}

/// Client details for JSON content.
#[derive(Debug, Clone)]
pub struct Person<'a> {
    /// Hetu or temporary id.
    pub id: &'a str,
    /// Whether `id` is a hetu (else a temporary id).
    pub is_hetu: bool,
    /// Family name.
    pub family: &'a str,
    /// Given names.
    pub given: &'a str,
    /// Turvakielto.
    pub turvakielto: bool,
}

fn person_id(p: &Person<'_>) -> (&'static str, Value) {
    if p.is_hetu {
        ("henkilotunnus", json!({"system": "urn:oid:1.2.246.21", "value": p.id}))
    } else {
        ("tilapainen_yksilointitunnus", json!({"value": p.id}))
    }
}

/// A clienthood document (Sosmeta 1.2.246.537.6.1505.1) for `p` at `unit` from `start` (YYYY-MM-DD).
pub fn clienthood_json(p: &Person<'_>, clienthood_id: &str, unit: &str, service_task: &str, start: &str) -> Vec<u8> {
    let (k, v) = person_id(p);
    let mut asiakas = json!({
        "sukunimi": p.family,
        "etunimet": p.given,
        "turvakielto": p.turvakielto,
        "kotikunta": {"kunta": {"system": "urn:oid:1.2.246.537.6.21", "code": "999", "display": "Testilä"}},
        "yhteystiedot": {
            "osoite": [{"lahiosoite": "Testikatu 1 A 1", "postinumero": "99999", "postitoimipaikka": "TESTILÄ"}],
            "yhteysosoite": {"lahiosoite": "PL 999", "postinumero": "99999", "postitoimipaikka": "TESTILÄ"},
            "puhelinnumero": "0400000000",
            "sahkopostiosoite": "asiakas@example.invalid"
        }
    });
    asiakas[k] = v;
    let doc = json!({"asiakkuusasiakirja": {
        "asiakkuuden_yksilointitunnus": {"system": "urn:oid:1.2.246.1", "value": clienthood_id},
        "asiakas": asiakas,
        "sosiaalihuollon_asiakkuus": {"asiakkuuden_alkamispvm": start},
        "palvelunjarjestajan_toimintayksikko": {"system": "urn:oid:1.2.246.537.6.202.2008", "code": unit, "display": "toimintayksikkö"},
        "sosiaalihuollon_palvelutehtava": [{
            "palvelutehtava": {"system": "urn:oid:1.2.246.537.6.1221.201601", "code": service_task, "display": ""}
        }]
    }});
    serde_json::to_vec_pretty(&doc).unwrap_or_default()
}

/// A case document (Sosmeta 1.2.246.537.6.1505.2) for `p`.
pub fn case_json(p: &Person<'_>, case_id: &str, unit: &str, service_task: &str, opened: &str) -> Vec<u8> {
    let (k, v) = person_id(p);
    let mut asiakas = json!({"sukunimi": p.family, "etunimet": p.given});
    asiakas[k] = v;
    let doc = json!({"asia_asiakirja": {
        "palvelunjarjestajan_toimintayksikko": {"system": "urn:oid:1.2.246.537.6.202.2008", "code": unit, "display": "toimintayksikkö"},
        "asiakas": [asiakas],
        "asian_tiedot": {
            "asiatunnus": {"value": case_id},
            "nimi": {"system": "urn:oid:1.2.246.537.6.1265", "code": "99", "display": "Muu"},
            "lisatieto_luokkaan_muu": "Testiasia",
            "tila": {"system": "urn:oid:1.2.246.537.6.1501", "code": "1", "display": "Vireillä"},
            "avauspaiva": opened,
            "palvelutehtava": {"system": "urn:oid:1.2.246.537.6.1221.201601", "code": service_task, "display": ""}
        }
    }});
    serde_json::to_vec_pretty(&doc).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_pdf_passes_the_archive_pdf_check() {
        assert_eq!(crate::validation::check_pdf(&pdf("Päätös")), Ok(()));
        let big = pdf_of_size("x", 20_000);
        assert!(big.len() >= 19_900);
        assert_eq!(crate::validation::check_pdf(&big), Ok(()));
    }

    #[test]
    fn generated_xhtml_is_clean() {
        assert!(crate::validation::content("application/xhtml+xml", &xhtml("a <b>", "c"), "x", "/").is_empty());
    }
}
