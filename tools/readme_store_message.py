#!/usr/bin/env python3
"""Rebuild testdata/messages/asiakkuus-tallennus.xml from the hand-written clienthood document
in testdata/handwritten/, with Testilä's OIDs (system liittymisvelvoite-atj) in place of the example
organisation's, so the README's curl example stores it on a fresh simulator.

Usage: python3 tools/readme_store_message.py   (standard library only)
"""
import base64,re,sys
ROOT=__import__('pathlib').Path(__file__).resolve().parent.parent
H=str(ROOT/'testdata/handwritten')+'/'
subs=[('1.2.246.10.12345678.95.2026.1.1','1.2.246.10.99990001.10.0.95.2026.1'),
      ('1.2.246.10.12345678.97.1','1.2.246.10.99990001.10.0.97.1'),
      ('1.2.246.10.12345678.10.0','1.2.246.10.99990001.10.0'),
      ('1.2.246.10.87654321.10.4711','1.2.246.10.99990001.10.11'),
      ('Esimerkin hyvinvointialue','Testilän kaupunki'),
      ('Perhekeskus Esimerkki','Testilän lastensuojelu, palveluyksikkö'),
      ('Esimerkki Oy','Testi Oy'),('Esimerkki ATJ','Testi ATJ')]
def sub(t):
    for a,b in subs: t=t.replace(a,b)
    return t
doc=open(H+'asiakkuus.xml',encoding='utf-8').read()
frame=open(H+'asiakkuus-kehys.xml',encoding='utf-8').read()
xhtml=sub(open(H+'asiakkuus.xhtml',encoding='utf-8').read())
js=sub(open(H+'asiakkuus.json',encoding='utf-8').read())
def b64lines(b, indent):
    s=base64.b64encode(b.encode('utf-8')).decode()
    return '\n'.join(indent+s[i:i+76] for i in range(0,len(s),76))
doc=re.sub(r'(<!-- Näyttömuoto, base64, riveitetty -->\n)(.*?)(\n\t\t\t</text>)', lambda m: m.group(1)+b64lines(xhtml,'\t\t\t\t')+m.group(3), doc, flags=re.S)
doc=re.sub(r'(<ep2:json xmlns:ep2="urn:hl7finland">)(.*?)(</ep2:json>)', lambda m: m.group(1)+'\n'+b64lines(js,'\t\t\t\t')+'\n\t\t\t'+m.group(3), doc, flags=re.S)
doc=sub(doc)
assert base64.b64encode(xhtml.encode()).decode()[:40] in ''.join(doc.split())
frame=sub(frame).replace('20261102001','readme-asiakkuus-1')
s=base64.b64encode(doc.encode('utf-8')).decode()
lines='\r\n'.join(s[i:i+76] for i in range(0,len(s),76))
pkg=open(H+'paketti.mime',encoding='utf-8').read().replace('{DOCUMENT_ID}','1.2.246.10.99990001.10.0.95.2026.1').replace('{CDA_BASE64}',lines)
pkg=sub(pkg)
a=frame.index('<mimeEncode>'); b=frame.index('</mimeEncode>')+len('</mimeEncode>')
framed=frame[:a]+pkg+frame[b:]
head='''<?xml version="1.0" encoding="UTF-8"?>
<!-- Storing a clienthood document (asiakkuusasiakirja, service request SP1) as the system
     liittymisvelvoite-atj for the test person 010181-900C under Testilän kaupunki: the README's first
     curl example. Made from the hand-written testdata/handwritten/asiakkuus*.xml (not by the
     simulator's composer) with Testilä's OIDs in place of the example organisation's; the
     package follows testdata/handwritten/paketti.mime. Sent twice, the second answer is
     SHA-R601 (the document id is already in use). -->
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
<soapenv:Header/>
<soapenv:Body>
'''
out=head+framed+'\n</soapenv:Body>\n</soapenv:Envelope>\n'
open(str(ROOT/'testdata/messages/asiakkuus-tallennus.xml'),'w',encoding='utf-8',newline='').write(out)


# The same message asking for validation only (SP6), with its own message id.
val = out.replace('''<!-- Storing a clienthood document (asiakkuusasiakirja, service request SP1) as the system
     liittymisvelvoite-atj for the test person 010181-900C under Testilän kaupunki: the README's first
     curl example.''', '''<!-- Validating, without storing, the clienthood document of asiakkuus-tallennus.xml: the same
     message with service request SP6 (the simulator's choice) in place of SP1 and its own id.
     Every rule applies, including those that need stored content; nothing is stored.
    ''')
val = val.replace(''' Sent twice, the second answer is
     SHA-R601 (the document id is already in use). -->''', ''' -->''')
sp1 = 'reasonCode code="SP1" codeSystem="1.2.246.537.6.1503.201601" codeSystemName="Sosiaalihuolto - Arkistosanomien palvelupyynnöt" displayName="Asiakkuusasiakirjan arkistointi"'
assert sp1 in val
val = val.replace(sp1, sp1.replace('"SP1"', '"SP6"').replace('Asiakkuusasiakirjan arkistointi', 'Asiakirjan validointi tallentamatta'))
val = val.replace('readme-asiakkuus-1', 'readme-validointi-1')
open(str(ROOT/'testdata/messages/asiakkuus-validointi.xml'), 'w', encoding='utf-8', newline='').write(val)
