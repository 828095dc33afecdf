# language: fi
@yhteystestaus
Ominaisuus: Yhteystestaus — varmenteet, ensimmäinen sanoma ja sanomakehys
  Toimittaja osoittaa, että järjestelmä saa yhteyden arkistoon järjestelmävarmenteella
  keskinäisesti todennetulla TLS-yhteydellä, ja että arkisto torjuu väärät varmenteet
  ja viallisen liikenteen selkeästi.

  @SHA-YT-001 @liittymisvelvoite
  Tapaus: Ensimmäinen sanoma omalla järjestelmävarmenteella hyväksytään
    Oletetaan järjestelmä "liittymisvelvoite-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Kun järjestelmä lähettää ensimmäisen sanoman
    Niin arkisto hyväksyy sanoman
    Ja kuittaus nimeää lähetetyn sanoman

  @SHA-YT-002 @liittymisvelvoite
  Tapaus: Kuittaus on leimattu arkiston kellolla
    Oletetaan järjestelmä "liittymisvelvoite-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja simulaattorin kello on "2025-07-01T12:00:00Z"
    Kun järjestelmä lähettää ensimmäisen sanoman
    Niin arkisto hyväksyy sanoman
    Ja kuittaus on leimattu simulaattorin kellolla

  @SHA-YT-003 @virhe
  Tapaus: Vanhentunut varmenne torjutaan TLS-kättelyssä
    Oletetaan järjestelmä "liittymisvelvoite-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Kun järjestelmä lähettää sanoman varmenteella "vanhentunut"
    Niin yhteys torjutaan TLS-kättelyssä
    Ja arkiston sisältö ei muuttunut
    Ja torjunnan syy mainitsee "expired"

  @SHA-YT-004 @virhe
  Tapaus: Ei vielä voimassa oleva varmenne torjutaan
    Oletetaan järjestelmä "liittymisvelvoite-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Kun järjestelmä lähettää sanoman varmenteella "ei vielä voimassa"
    Niin yhteys torjutaan TLS-kättelyssä
    Ja arkiston sisältö ei muuttunut
    Ja torjunnan syy mainitsee "not valid"

  @SHA-YT-005 @virhe
  Tapaus: Tuntemattoman varmentajan varmenne torjutaan
    Oletetaan järjestelmä "liittymisvelvoite-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Kun järjestelmä lähettää sanoman varmenteella "tuntemattoman CA:n"
    Niin yhteys torjutaan TLS-kättelyssä
    Ja arkiston sisältö ei muuttunut
    Ja torjunnan syy mainitsee "issuer"

  @SHA-YT-006 @virhe
  Tapaus: Yhteys ilman järjestelmävarmennetta torjutaan
    Oletetaan järjestelmä "liittymisvelvoite-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Kun järjestelmä lähettää sanoman varmenteella "ei varmennetta"
    Niin yhteys torjutaan TLS-kättelyssä
    Ja arkiston sisältö ei muuttunut

  @SHA-YT-007 @virhe
  Tapaus: Varmenne ilman asiakaskäytön käyttötarkoitusta torjutaan
    Oletetaan järjestelmä "liittymisvelvoite-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Kun järjestelmä lähettää sanoman varmenteella "väärän käyttötarkoituksen"
    Niin yhteys torjutaan TLS-kättelyssä
    Ja arkiston sisältö ei muuttunut

  @SHA-YT-008 @virhe
  Tapaus: Luotettu mutta rekisteröimätön järjestelmä hylätään sovellustasolla
    Oletetaan järjestelmä "rekisteroimaton-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Kun järjestelmä lähettää ensimmäisen sanoman
    Niin arkisto hylkää sanoman koodilla "SHA-M003"
    Ja arkiston sisältö ei muuttunut

  @SHA-YT-009 @virhe
  Tapaus: Sanoma, joka ei ole XML:ää, saa SOAP-virheen
    Oletetaan järjestelmä "liittymisvelvoite-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Kun järjestelmä lähettää viallisen sanoman "ei-xml"
    Niin arkisto vastaa SOAP-virheellä "SHA-T002"
    Ja arkiston sisältö ei muuttunut

  @SHA-YT-010 @virhe
  Tapaus: DTD- ja entiteettimäärittelyt torjutaan
    Oletetaan järjestelmä "liittymisvelvoite-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Kun järjestelmä lähettää viallisen sanoman "dtd"
    Niin arkisto vastaa SOAP-virheellä "SHA-T003"
    Ja arkiston sisältö ei muuttunut

  @SHA-YT-011 @virhe
  Tapaus: Liian suuri sanoma torjutaan
    Oletetaan järjestelmä "liittymisvelvoite-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Kun järjestelmä lähettää viallisen sanoman "liian-suuri"
    Niin arkisto vastaa SOAP-virheellä "SHA-T001"
    Ja arkiston sisältö ei muuttunut

  @SHA-YT-012 @virhe
  Tapaus: Väärä sisältötyyppi torjutaan
    Oletetaan järjestelmä "liittymisvelvoite-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Kun järjestelmä lähettää viallisen sanoman "väärä-sisältötyyppi"
    Niin arkisto vastaa SOAP-virheellä "SHA-T007"
    Ja arkiston sisältö ei muuttunut
