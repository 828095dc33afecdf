//! SOAP 1.1 and 1.2 envelopes: find the one HL7 message in the body, wrap
//! messages and responses, and render faults — the outermost layer of the
//! wire format, read and written here for both sides.

use crate::acks::Detail;
use crate::xml::{Element, Node};

/// SOAP 1.1 envelope namespace.
pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// SOAP 1.2 envelope namespace.
pub const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";

/// Which SOAP version a message uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoapVersion {
    /// SOAP 1.1: `text/xml` (a `SOAPAction` header is accepted, not required).
    V11,
    /// SOAP 1.2: `application/soap+xml`.
    V12,
}

impl SoapVersion {
    /// From a Content-Type header value; `None` when it is neither.
    pub fn from_content_type(ct: &str) -> Option<Self> {
        let mime = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        match mime.as_str() {
            "text/xml" => Some(SoapVersion::V11),
            "application/soap+xml" => Some(SoapVersion::V12),
            _ => None,
        }
    }

    /// Content type of responses.
    pub fn content_type(self) -> &'static str {
        match self {
            SoapVersion::V11 => "text/xml; charset=utf-8",
            SoapVersion::V12 => "application/soap+xml; charset=utf-8",
        }
    }

    fn ns(self) -> &'static str {
        match self {
            SoapVersion::V11 => SOAP11_NS,
            SoapVersion::V12 => SOAP12_NS,
        }
    }
}

/// Why an envelope is not usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvelopeError {
    /// Root is not a SOAP Envelope (the text says what it is).
    NotSoap(String),
    /// Body does not hold exactly one element.
    BodyShape(String),
    /// A header block marked mustUnderstand (the archive understands none).
    MustUnderstand(String),
}

/// Extracts the single body child, checking the envelope's version matches the content type.
pub fn body_message(envelope: Element, version: SoapVersion) -> Result<Element, EnvelopeError> {
    if envelope.name != "Envelope" || (envelope.ns != SOAP11_NS && envelope.ns != SOAP12_NS) {
        return Err(EnvelopeError::NotSoap(format!(
            "root element is {{{}}}{}, expected a SOAP Envelope",
            envelope.ns, envelope.name
        )));
    }
    if envelope.ns != version.ns() {
        return Err(EnvelopeError::NotSoap(format!(
            "envelope namespace {} does not match the content type (SOAP {})",
            envelope.ns,
            match version {
                SoapVersion::V11 => "1.1, text/xml",
                SoapVersion::V12 => "1.2, application/soap+xml",
            }
        )));
    }
    let ns = envelope.ns.clone();
    // SOAP: a header block the receiver must understand and does not is a MustUnderstand fault.
    for header in envelope.children.iter().filter_map(|n| match n {
        Node::Element(e) if e.name == "Header" && e.ns == ns => Some(e),
        _ => None,
    }) {
        if let Some(block) = header.elements().find(|b| matches!(b.attr("mustUnderstand"), Some("1") | Some("true"))) {
            return Err(EnvelopeError::MustUnderstand(format!("{{{}}}{}", block.ns, block.name)));
        }
    }
    let mut bodies = envelope.children.into_iter().filter_map(|n| match n {
        Node::Element(e) if e.name == "Body" && e.ns == ns => Some(e),
        _ => None,
    });
    let body = bodies.next().ok_or_else(|| EnvelopeError::NotSoap("no soap Body element".into()))?;
    if bodies.next().is_some() {
        return Err(EnvelopeError::BodyShape("two soap Body elements".into()));
    }
    let mut elements: Vec<Element> = body
        .children
        .into_iter()
        .filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
        .collect();
    match elements.len() {
        1 => Ok(elements.remove(0)),
        n => Err(EnvelopeError::BodyShape(format!("found {n} elements"))),
    }
}

fn wrap(version: SoapVersion, body_inner: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap:Envelope xmlns:soap=\"{}\"><soap:Body>{}</soap:Body></soap:Envelope>",
        version.ns(),
        body_inner
    )
}

/// Wraps an HL7 message in an envelope.
pub fn envelope(version: SoapVersion, message: &Element) -> String {
    wrap(version, &message.to_xml_prefixed(&[("hl7fi", crate::wire::hl7::HL7FI_NS)]))
}

/// A SOAP Fault naming the detail code, with Finnish and English reasons.
pub fn fault(version: SoapVersion, detail: &Detail) -> String {
    use crate::xml::escape;
    let code = detail.code.as_str();
    let extra = format!(
        "<sha:fault xmlns:sha=\"urn:sha-simulator:fault\"><sha:code>{code}</sha:code><sha:fi>{}</sha:fi><sha:en>{}</sha:en></sha:fault>",
        escape(&detail.fi),
        escape(&detail.en)
    );
    use crate::acks::DetailCode;
    // Who is at fault, in each version's words.
    let (v11, v12) = match detail.code {
        DetailCode::MustUnderstand => ("MustUnderstand", "MustUnderstand"),
        DetailCode::InjectedFault | DetailCode::Internal => ("Server", "Receiver"),
        _ => ("Client", "Sender"),
    };
    let inner = match version {
        SoapVersion::V11 => format!(
            "<soap:Fault><faultcode>soap:{v11}</faultcode><faultstring xml:lang=\"en\">{code}: {}</faultstring><detail>{extra}</detail></soap:Fault>",
            escape(&detail.en)
        ),
        SoapVersion::V12 => format!(
            "<soap:Fault><soap:Code><soap:Value>soap:{v12}</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang=\"fi\">{code}: {}</soap:Text><soap:Text xml:lang=\"en\">{code}: {}</soap:Text></soap:Reason><soap:Detail>{extra}</soap:Detail></soap:Fault>",
            escape(&detail.fi),
            escape(&detail.en)
        ),
    };
    wrap(version, &inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acks::DetailCode;
    use crate::xml::{parse, Limits};

    #[test]
    fn finds_the_single_message_in_either_version() {
        for (v, ns) in [(SoapVersion::V11, SOAP11_NS), (SoapVersion::V12, SOAP12_NS)] {
            let x = format!(
                "<e:Envelope xmlns:e=\"{ns}\"><e:Header/><e:Body> <m xmlns=\"urn:hl7-org:v3\"/> </e:Body></e:Envelope>"
            );
            let m = body_message(parse(x.as_bytes(), Limits::default()).expect("xml"), v).expect("message");
            assert_eq!(m.name, "m");
        }
    }

    #[test]
    fn version_must_match_content_type() {
        let x = format!("<e:Envelope xmlns:e=\"{SOAP11_NS}\"><e:Body><m/></e:Body></e:Envelope>");
        let e = parse(x.as_bytes(), Limits::default()).expect("xml");
        assert!(matches!(body_message(e, SoapVersion::V12), Err(EnvelopeError::NotSoap(_))));
    }

    #[test]
    fn empty_body_and_two_messages_are_refused() {
        for inner in ["", "<a/><b/>"] {
            let x = format!("<e:Envelope xmlns:e=\"{SOAP11_NS}\"><e:Body>{inner}</e:Body></e:Envelope>");
            let e = parse(x.as_bytes(), Limits::default()).expect("xml");
            assert!(matches!(body_message(e, SoapVersion::V11), Err(EnvelopeError::BodyShape(_))));
        }
    }

    #[test]
    fn fault_is_parseable_and_names_code() {
        let d = Detail::new(DetailCode::BodyTooLarge, "20 MiB");
        for v in [SoapVersion::V11, SoapVersion::V12] {
            let f = fault(v, &d);
            let e = parse(f.as_bytes(), Limits::default()).expect("fault is XML");
            assert_eq!(e.name, "Envelope");
            assert!(f.contains("SHA-T001"));
        }
    }
}
