# language: fi
@yhteystestaus @virhe @sanomavirheet
Ominaisuus: Yhteystestaus — siirto- ja sanomatason virheet
  Käsin kirjoitetut viallisten sanomien tiedostot (testdata/wire/, ks. sen README) näyttävät,
  miten arkisto vastaa siirto- ja sanomatason virheisiin: SOAP-virhe tai HL7-kuittaus omalla
  koodillaan. Hylätty sanoma ei muuta arkiston sisältöä.

  Tausta:
    Oletetaan järjestelmä "liittymisvelvoite-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja testihenkilö on "aikuinen"

  @SHA-SV-001
  Tapaus: Liian pitkä elementin nimi ylittää XML-rajan (SHA-T004)
    Kun järjestelmä lähettää viallisen sanoman "nimi-liian-pitka"
    Niin arkisto vastaa SOAP-virheellä "SHA-T004"
    Ja arkiston sisältö ei muuttunut

  @SHA-SV-002
  Tapaus: Sanoma, joka ei ole UTF-8:aa, saa SOAP-virheen (SHA-T005)
    Kun järjestelmä lähettää viallisen sanoman "ei-utf8"
    Niin arkisto vastaa SOAP-virheellä "SHA-T005"
    Ja arkiston sisältö ei muuttunut

  @SHA-SV-003
  Tapaus: HL7-sanoma ilman SOAP-kuorta saa SOAP-virheen (SHA-T006)
    Kun järjestelmä lähettää viallisen sanoman "ei-soap-kuori"
    Niin arkisto vastaa SOAP-virheellä "SHA-T006"
    Ja arkiston sisältö ei muuttunut

  @SHA-SV-004
  Tapaus: Kaksi HL7-sanomaa samassa SOAP-rungossa saa SOAP-virheen (SHA-T008)
    Kun järjestelmä lähettää viallisen sanoman "kaksi-sanomaa"
    Niin arkisto vastaa SOAP-virheellä "SHA-T008"
    Ja arkiston sisältö ei muuttunut

  @SHA-SV-005
  Tapaus: Ymmärrettäväksi merkitty tuntematon SOAP-otsake saa SOAP-virheen (SHA-T012)
    Kun järjestelmä lähettää viallisen sanoman "must-understand"
    Niin arkisto vastaa SOAP-virheellä "SHA-T012"
    Ja arkiston sisältö ei muuttunut

  @SHA-SV-006
  Tapaus: Tuntematon interaktio hylätään (SHA-M001)
    Kun järjestelmä lähettää viallisen sanoman "tuntematon-interaktio"
    Niin arkisto hylkää sanoman koodilla "SHA-M001"
    Ja arkiston sisältö ei muuttunut

  @SHA-SV-007
  Tapaus: Sanoman tunniste puuttuu (SHA-M002)
    Kun järjestelmä lähettää viallisen sanoman "id-puuttuu"
    Niin arkisto hylkää sanoman koodilla "SHA-M002"
    Ja arkiston sisältö ei muuttunut

  @SHA-SV-008
  Tapaus: Lähettäjälaite ei ole varmenteen järjestelmä (SHA-M004)
    Kun järjestelmä lähettää viallisen sanoman "vaara-lahettaja"
    Niin arkisto hylkää sanoman koodilla "SHA-M004"
    Ja arkiston sisältö ei muuttunut

  @SHA-SV-009
  Tapaus: interactionId ja juurielementti ovat ristiriidassa (SHA-M005)
    Kun järjestelmä lähettää viallisen sanoman "interaktio-ristiriita"
    Niin arkisto hylkää sanoman koodilla "SHA-M005"
    Ja arkiston sisältö ei muuttunut

  @SHA-SV-010
  Tapaus: Kehyksen arvo ei ole sallittu (processingCode X) (SHA-M006)
    Kun järjestelmä lähettää viallisen sanoman "kasittelykoodi-vaara"
    Niin arkisto hylkää sanoman koodilla "SHA-M006"
    Ja arkiston sisältö ei muuttunut

  @SHA-SV-011
  Tapaus: Haku ilman asiakasta hylätään (SHA-R901)
    Kun järjestelmä lähettää viallisen sanoman "haku-ilman-asiakasta"
    Niin arkisto hylkää sanoman koodilla "SHA-R901"
    Ja arkiston sisältö ei muuttunut

  @SHA-SV-012
  Tapaus: Koostetta ei voi hakea luovutushakuna (SHA-L105)
    Kun järjestelmä lähettää viallisen sanoman "luovutushaku-kooste"
    Niin arkisto hylkää sanoman koodilla "SHA-L105"
    Ja arkiston sisältö ei muuttunut

  @SHA-SV-013
  Tapaus: Sama sanoman tunniste toiseen kertaan saa varoituksen (SHA-M007)
    Kun järjestelmä lähettää viallisen sanoman "sama-tunniste" kahdesti
    Niin arkisto hyväksyy sanoman varoituksella "SHA-M007"

  @SHA-SV-014
  Tapaus: Simuloitu katko: arkisto vastaa SOAP-virheellä eikä käsittele sanomaa (SHA-T010)
    Oletetaan arkistoon on asetettu vikasääntö "soap-virhe"
    Kun järjestelmä lähettää ensimmäisen sanoman
    Niin arkisto vastaa SOAP-virheellä "SHA-T010"
    Ja arkiston sisältö ei muuttunut

  @SHA-SV-015
  Tapaus: Simuloitu hylkäys: arkisto vastaa HL7-hylkäyksellä eikä käsittele sanomaa (SHA-M008)
    Oletetaan arkistoon on asetettu vikasääntö "hl7-hylkäys"
    Kun järjestelmä lähettää ensimmäisen sanoman
    Niin arkisto hylkää sanoman koodilla "SHA-M008"
    Ja arkiston sisältö ei muuttunut
