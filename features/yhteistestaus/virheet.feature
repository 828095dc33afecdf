# language: fi
@yhteistestaus @liittyva @virhe
Ominaisuus: Yhteistestaus — arkisto hylkää virheelliset asiakirjat säännön mukaisella koodilla
  Jokainen arkiston sääntö (docs/rules.md) hylkää sen rikkovan sanoman omalla koodillaan,
  eikä hylätty sanoma muuta arkiston sisältöä. Järjestelmän tulee näyttää hylkäys käyttäjälle.

  Tausta:
    Oletetaan järjestelmä "liittyva2-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja simulaattorin kello on "2022-06-01T12:00:00Z"
    Ja testihenkilö on "aikuinen"

  @SHA-VIRHE-001 @vaihe2
  Tapaus: Pakollinen palveluyksikkö puuttuu (SHA-R101)
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan virheellä "puuttuva-palveluyksikko"
    Niin arkisto hylkää sanoman koodilla "SHA-R101"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-002 @vaihe1
  Tapaus: Päätöksestä puuttuu sosiaalipalvelu (SHA-R102)
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa I vaiheen asiakirjan virheellä "puuttuva-sosiaalipalvelu"
    Niin arkisto hylkää sanoman koodilla "SHA-R102"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-003 @vaihe2
  Tapaus: Tuntematon asiakirjaryhmä (SHA-R202)
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan virheellä "tuntematon-asiakirjaryhma"
    Niin arkisto hylkää sanoman koodilla "SHA-R202"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-004 @vaihe2
  Tapaus: Koodi ei ole voimassa asiakirjan päivänä (SHA-R203)
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan virheellä "koodi-ei-voimassa"
    Niin arkisto hylkää sanoman koodilla "SHA-R203"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-005 @vaihe2
  Tapaus: Palveluyksikköä ei ole simulaattorin SOTE-rekisteriotteessa: varoitus, ei hylkäys (SHA-R205)
    # SOTE-organisaatiorekisteri on avoin, ja simulaattorilla on siitä vain ote: tuntematon
    # yksikkö ei tee todellisen organisaation asiakirjasta virheellistä.
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan virheellä "tuntematon-palveluyksikko"
    Niin arkisto hyväksyy sanoman varoituksella "SHA-R205"

  @SHA-VIRHE-006 @vaihe1
  Tapaus: Asiakirjatyyppi ja yleinen tyyppi ristiriidassa (SHA-R206)
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa I vaiheen asiakirjan virheellä "asiakirjatyyppi-ristiriita"
    Niin arkisto hylkää sanoman koodilla "SHA-R206"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-007
  Tapaus: Henkilötunnuksen tarkistusmerkki on väärä (SHA-R301)
    Kun järjestelmä tallentaa asiakkuusasiakirjan virheellä "virheellinen-hetu"
    Niin arkisto hylkää sanoman koodilla "SHA-R301"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-008
  Tapaus: Henkilötunnus ei ole testitunnus (SHA-R302)
    Kun järjestelmä tallentaa asiakkuusasiakirjan virheellä "ei-testihetu"
    Niin arkisto hylkää sanoman koodilla "SHA-R302"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-009 @vaihe1
  Tapaus: Tilapäinen tunniste I vaiheen asiakirjassa (SHA-R303)
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa I vaiheen asiakirjan virheellä "tilapainen-tunniste"
    Niin arkisto hylkää sanoman koodilla "SHA-R303"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-010
  Tapaus: Asiakirja toisen rekisterinpitäjän rekisteriin (SHA-R401)
    Kun järjestelmä tallentaa asiakkuusasiakirjan virheellä "vieras-rekisterinpitaja"
    Niin arkisto hylkää sanoman koodilla "SHA-R401"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-011 @vaihe2
  Tapaus: Asiakirja asiaan, jota ei ole (SHA-R501)
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan virheellä "puuttuva-asia"
    Niin arkisto hylkää sanoman koodilla "SHA-R501"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-012 @vaihe2
  Tapaus: Asiakirjatunniste on jo käytössä (SHA-R601)
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan virheellä "sama-tunniste"
    Niin arkisto hylkää sanoman koodilla "SHA-R601"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-013 @vaihe2
  Tapaus: Viitattu liite puuttuu sanomasta (SHA-R701)
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan virheellä "liite-puuttuu"
    Niin arkisto hylkää sanoman koodilla "SHA-R701"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-014 @vaihe1
  Tapaus: PDF ei ole PDF/A-muotoinen (SHA-R702)
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa I vaiheen asiakirjan virheellä "ei-pdfa"
    Niin arkisto hylkää sanoman koodilla "SHA-R702"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-015 @vaihe2
  Tapaus: XHTML sisältää skriptin (SHA-R704)
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan virheellä "xhtml-skripti"
    Niin arkisto hylkää sanoman koodilla "SHA-R704"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-016
  Tapaus: Asiakkuuden JSON on rikki (SHA-R705)
    Kun järjestelmä tallentaa asiakkuusasiakirjan virheellä "json-rikki"
    Niin arkisto hylkää sanoman koodilla "SHA-R705"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-017 @vaihe2
  Tapaus: Liitteen ilmoitettu koko on väärä (SHA-R706)
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan virheellä "koko-vaara"
    Niin arkisto hylkää sanoman koodilla "SHA-R706"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-018 @vaihe2
  Tapaus: Liitteen tiiviste ei täsmää (SHA-R707)
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan virheellä "tiiviste-vaara"
    Niin arkisto hylkää sanoman koodilla "SHA-R707"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-019 @vaihe1
  Tapaus: I vaiheen asiakirjassa JSON-sisältö (SHA-R709)
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa I vaiheen asiakirjan virheellä "vaara-sisaltotyyppi"
    Niin arkisto hylkää sanoman koodilla "SHA-R709"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-020 @vaihe2
  Tapaus: Asiakirja on päivätty tulevaisuuteen (SHA-R801)
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan virheellä "tulevaisuudessa"
    Niin arkisto hylkää sanoman koodilla "SHA-R801"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-021 @vaihe1
  Tapaus: I vaiheen asiakirjasta puuttuu järjestelmäallekirjoitus (SHA-R004)
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa I vaiheen asiakirjan virheellä "allekirjoitus-puuttuu"
    Niin arkisto hylkää sanoman koodilla "SHA-R004"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-022 @vanha
  Tapaus: Vanhasta asiakirjasta puuttuu järjestelmäallekirjoitus (SHA-R004)
    Kun järjestelmä tallentaa vanhan asiakirjan virheellä "allekirjoitus-puuttuu"
    Niin arkisto hylkää sanoman koodilla "SHA-R004"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-023 @vaihe2
  Tapaus: Uuden version numero hyppää (SHA-R603)
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Kun järjestelmä tallentaa asiakirjasta uuden version virheellä "versionumero-hyppaa"
    Niin arkisto hylkää sanoman koodilla "SHA-R603"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-024 @vaihe2
  Tapaus: Uuden version setId poikkeaa (SHA-R606)
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Kun järjestelmä tallentaa asiakirjasta uuden version virheellä "eri-setid"
    Niin arkisto hylkää sanoman koodilla "SHA-R606"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-025 @vaihe2
  Tapaus: Uudesta versiosta puuttuu korvattavan viittaus (SHA-R608)
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Kun järjestelmä tallentaa asiakirjasta uuden version virheellä "ei-korvausviittausta"
    Niin arkisto hylkää sanoman koodilla "SHA-R608"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-026
  Tapaus: Asia-asiakirja ilman asiakkuutta (SHA-R502)
    Kun järjestelmä tallentaa asia-asiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-R502"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-027 @vaihe2
  Tapaus: Jo mitätöidyn asiakirjan mitätöinti (SHA-R607)
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Kun järjestelmä mitätöi asiakirjan
    Ja järjestelmä mitätöi asiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-R607"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-028
  Tapaus: Tulevaisuuteen päivätty asiakkuusasiakirja (SHA-R801)
    Kun järjestelmä tallentaa asiakkuusasiakirjan virheellä "tulevaisuudessa"
    Niin arkisto hylkää sanoman koodilla "SHA-R801"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-029 @vaihe2
  Tapaus: Palvelupyyntö ei sovi asiakirjaan (SHA-M009)
    # Asiakasasiakirja lähetetään asiakkuusasiakirjan arkistoinnin palvelupyynnöllä SP1.
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan virheellä "vaara-palvelupyynto"
    Niin arkisto hylkää sanoman koodilla "SHA-M009"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-030 @vaihe1
  Tapaus: Allekirjoitettu sisältö muuttuu allekirjoittamisen jälkeen (SHA-R007)
    # Järjestelmä allekirjoittaa asiakirjan, minkä jälkeen sen runko muuttuu yhden merkin verran.
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa I vaiheen asiakirjan virheellä "sisalto-muuttunut-allekirjoituksen-jalkeen"
    Niin arkisto hylkää sanoman koodilla "SHA-R007"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-031 @vaihe2
  Tapaus: Asiakirja ei ole arkistointivalmis (SHA-R103)
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan virheellä "ei-arkistointivalmis"
    Niin arkisto hylkää sanoman koodilla "SHA-R103"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-032 @vaihe2
  Tapaus: Palveluyksikkö kuuluu toiselle organisaatiolle kuin asiakirja nimeää (SHA-R208)
    # Tunnettu yksikkö, jonka SOTE-ote sijoittaa toiselle organisaatiolle, on virhe;
    # tuntematon yksikkö on vain varoitus (SHA-VIRHE-005).
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan virheellä "toisen-organisaation-yksikko"
    Niin arkisto hylkää sanoman koodilla "SHA-R208"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-033
  Tapaus: Toinen alkuperäinen asiakkuusasiakirja samalle asiakkaalle hylätään (SHA-R503)
    # Asiakkuusasiakirjoja on yksi asiakasta ja järjestäjää kohden; muutos tehdään uutena versiona.
    Oletetaan asiakkaalla on asiakkuus
    Kun järjestelmä tallentaa asiakkuusasiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-R503"
    Ja arkiston sisältö ei muuttunut

  @SHA-VIRHE-034
  Tapaus: Asiakkuusasiakirjan muutos uutena versiona hyväksytään
    Oletetaan asiakkaalla on asiakkuus
    Kun järjestelmä tallentaa asiakirjasta uuden version
    Niin arkisto hyväksyy sanoman
