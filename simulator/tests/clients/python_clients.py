#!/usr/bin/env python3
"""Python clients against a running simulator, with their defaults: only the CA to verify the
server (verify=) and the system's certificate (cert=) are set.

Usage: python_clients.py ENDPOINT CERTS_DIR SYSTEM MESSAGE_FILE

1. requests: GET the WSDL, POST a whole SOAP message, expect an AA acknowledgement.
2. zeep: build a client from the WSDL over mutual TLS and call the message's operation with
   the message's content, expect an AA acknowledgement.
3. The standard library's ssl with VERIFY_X509_STRICT, the default from Python 3.13 on (this
   machine's Python may be older): the handshake must succeed.

Prints one line per check and exits non-zero on the first failure.
"""

import http.client
import os
import ssl
import sys
import urllib.parse

import requests
import zeep
import zeep.transports
from lxml import etree

HL7 = "urn:hl7-org:v3"


def ack_type(root):
    ack = root.find(f".//{{{HL7}}}acknowledgement")
    return None if ack is None else ack.get("typeCode")


def main():
    endpoint, certs, system, message = sys.argv[1:5]
    ca = os.path.join(certs, "ca.pem")
    cert = (os.path.join(certs, "systems", system + ".pem"), os.path.join(certs, "systems", system + ".key"))

    # 1. requests
    r = requests.get(endpoint + "?wsdl", verify=ca, cert=cert, timeout=30)
    r.raise_for_status()
    assert b"wsdl:definitions" in r.content, r.text[:200]
    with open(message, "rb") as f:
        body = f.read()
    r = requests.post(endpoint, data=body, verify=ca, cert=cert, timeout=30,
                      headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'})
    r.raise_for_status()
    kind = ack_type(etree.fromstring(r.content))
    assert kind == "AA", r.text[:2000]
    print("requests: WSDL fetched, message answered AA")

    # 2. zeep
    session = requests.Session()
    session.verify = ca
    session.cert = cert
    client = zeep.Client(endpoint + "?wsdl", transport=zeep.transports.Transport(session=session, timeout=30))
    hl7 = etree.fromstring(body).find(".//{http://schemas.xmlsoap.org/soap/envelope/}Body")[0]
    operation = etree.QName(hl7).localname
    with client.settings(raw_response=True):
        resp = client.service[operation](_value_1=list(hl7), _attr_1=dict(hl7.attrib))
    resp.raise_for_status()
    kind = ack_type(etree.fromstring(resp.content))
    assert kind == "AA", resp.text[:2000]
    print(f"zeep: {operation} answered AA")

    # 3. strict X.509 verification, as Python 3.13 does by default
    ctx = ssl.create_default_context(cafile=ca)
    ctx.verify_flags |= ssl.VERIFY_X509_STRICT
    ctx.load_cert_chain(*cert)
    u = urllib.parse.urlsplit(endpoint)
    conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=30)
    conn.request("GET", u.path + "?wsdl")
    resp = conn.getresponse()
    assert resp.status == 200, resp.status
    print("ssl (VERIFY_X509_STRICT): WSDL fetched")


if __name__ == "__main__":
    main()
