//! The WSDL served at `GET /sha?wsdl`, generated from the interaction table so
//! it always lists exactly the operations the simulator answers. Message parts
//! are typed as open HL7 V3 content (`xs:any`): SOAP tooling such as Python
//! zeep or SoapUI can build a client and send any well-formed HL7 message.

use crate::interactions::Interactions;
use crate::wire::hl7::HL7_NS;
use crate::xml::escape;

/// Renders the WSDL 1.1 document with SOAP 1.1 and 1.2 bindings, addressed at `endpoint`.
pub fn render(table: &Interactions, endpoint: &str) -> String {
    let mut responses: Vec<&str> = table.all().map(|i| i.response.as_str()).collect();
    responses.sort_unstable();
    responses.dedup();
    let mut elements = String::new();
    let mut messages = String::new();
    let mut port_ops = String::new();
    let mut b11 = String::new();
    let mut b12 = String::new();
    let mut declared = std::collections::BTreeSet::new();
    for i in table.all() {
        for name in [i.id.as_str(), i.response.as_str()] {
            if declared.insert(name.to_string()) {
                elements.push_str(&format!("<xs:element name=\"{name}\" type=\"tns:HL7Message\"/>"));
                messages.push_str(&format!(
                    "<wsdl:message name=\"{name}\"><wsdl:part name=\"body\" element=\"tns:{name}\"/></wsdl:message>"
                ));
            }
        }
        let doc = escape(&i.description);
        port_ops.push_str(&format!(
            "<wsdl:operation name=\"{id}\"><wsdl:documentation>{doc}</wsdl:documentation><wsdl:input message=\"tns:{id}\"/><wsdl:output message=\"tns:{resp}\"/></wsdl:operation>",
            id = i.id,
            resp = i.response
        ));
        for (out, prefix) in [(&mut b11, "soap"), (&mut b12, "soap12")] {
            out.push_str(&format!(
                "<wsdl:operation name=\"{id}\"><{prefix}:operation soapAction=\"urn:hl7-org:v3/{id}\" style=\"document\"/><wsdl:input><{prefix}:body use=\"literal\"/></wsdl:input><wsdl:output><{prefix}:body use=\"literal\"/></wsdl:output></wsdl:operation>",
                id = i.id
            ));
        }
    }
    let endpoint = escape(endpoint);
    format!(
        r###"<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions name="SHA" targetNamespace="{HL7_NS}" xmlns:tns="{HL7_NS}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<wsdl:documentation>SHA simulator: Kanta social welfare client data archive (test stand-in). See docs/messages.md.</wsdl:documentation>
<wsdl:types><xs:schema targetNamespace="{HL7_NS}" elementFormDefault="qualified"><xs:complexType name="HL7Message"><xs:sequence><xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded"/></xs:sequence><xs:anyAttribute processContents="lax"/></xs:complexType>{elements}</xs:schema></wsdl:types>
{messages}
<wsdl:portType name="SHAPortType">{port_ops}</wsdl:portType>
<wsdl:binding name="SHASoap11" type="tns:SHAPortType"><soap:binding transport="http://schemas.xmlsoap.org/soap/http" style="document"/>{b11}</wsdl:binding>
<wsdl:binding name="SHASoap12" type="tns:SHAPortType"><soap12:binding transport="http://schemas.xmlsoap.org/soap/http" style="document"/>{b12}</wsdl:binding>
<wsdl:service name="SHAService"><wsdl:port name="SHASoap11Port" binding="tns:SHASoap11"><soap:address location="{endpoint}"/></wsdl:port><wsdl:port name="SHASoap12Port" binding="tns:SHASoap12"><soap12:address location="{endpoint}"/></wsdl:port></wsdl:service>
</wsdl:definitions>
"###
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{parse, Limits};

    #[test]
    fn wsdl_is_xml_and_lists_every_interaction() {
        let t = Interactions::builtin();
        let w = render(t, "https://localhost:8443/sha");
        let root = parse(w.as_bytes(), Limits::default()).expect("wsdl parses");
        let port = root.child("portType").expect("portType");
        assert_eq!(port.children_named("operation").count(), t.all().count());
        assert!(w.contains("RCMR_IN200002FI01"));
    }
}
