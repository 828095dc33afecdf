# language: fi
@yhteistestaus @liittyva_vaihe2 @vaihe2
Ominaisuus: Yhteistestaus — II vaiheen profiilit tallentavat II vaiheen asiakirjoja
  II vaiheen profiilit (nimet ovat simulaattorin valinta) tekevät sen, minkä I vaiheen
  nimikkonsa, ja tallentavat lisäksi II vaiheen asiakirjoja palveluyksikön kanssa.
  Niitä käytettiin aallosta 6 (5/2020) alkaen 31.8.2026 asti (testdata/profiles.toml).

  Tausta:
    Oletetaan järjestelmä "liittyva2-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja simulaattorin kello on "2022-06-01T12:00:00Z"
    Ja testihenkilö on "aikuinen"

  @SHA-LIITTYVA2-001
  Tapaus: II vaiheen asiakirjan (asiakaskertomusmerkintä) tallennus
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-LIITTYVA2-002
  Tapaus: Uuden version tallennus korvaa edellisen
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Kun järjestelmä tallentaa asiakirjasta uuden version
    Niin arkisto hyväksyy sanoman

  @SHA-LIITTYVA2-003
  Tapaus: Asiakirjan mitätöinti
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Kun järjestelmä mitätöi asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-LIITTYVA2-004
  Tapaus: Asiakirjojen metatietojen haku palauttaa kummankin vaiheen asiakirjat
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Ja asiakkaalla on tallennettu I vaiheen asiakirja
    Kun järjestelmä hakee asiakirjojen metatiedot
    Niin arkisto hyväksyy sanoman
    Ja vastauksessa on 2 asiakirjaa

  @SHA-LIITTYVA2-005
  Tapaus: Koosteen haku
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Kun järjestelmä hakee koosteen
    Niin arkisto hyväksyy sanoman
    Ja kooste sisältää 1 asiakkuutta, 1 asiaa ja 1 asiakirjaa

  @SHA-LIITTYVA2-006
  Tapaus: Korvattu versio näkyy vain pyydettäessä
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Kun järjestelmä tallentaa asiakirjasta uuden version
    Ja järjestelmä hakee asiakirjojen metatiedot vanhat versiot mukaan
    Niin vastauksessa on 2 asiakirjaa

  @SHA-LIITTYVA2-007 @tallentava_vaihe2
  Tapaus: Tallentava II vaiheen järjestelmä tallentaa II vaiheen asiakirjan
    Oletetaan järjestelmä "tallentava2-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-LIITTYVA2-008 @tallentava_vaihe2 @virhe
  Tapaus: Tallentava II vaiheen järjestelmä ei hae
    Oletetaan järjestelmä "tallentava2-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja asiakkaalla on asiakkuus ja asia
    Kun järjestelmä hakee koosteen
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut

  @SHA-LIITTYVA2-009 @virhe
  Tapaus: II vaiheen profiili ei tallenna rakenteisia asiakirjoja
    Oletetaan simulaattorin kello on "2025-07-01T12:00:00Z"
    Ja asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa rakenteisen asiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut

  @SHA-LIITTYVA2-010 @virhe
  Tapaus: II vaiheen profiilia ei voi käyttää 31.8.2026 jälkeen
    Oletetaan simulaattorin kello on "2026-12-01T12:00:00Z"
    Kun järjestelmä hakee asiakkuudet
    Niin arkisto hylkää sanoman koodilla "SHA-D003"
    Ja arkiston sisältö ei muuttunut

  @SHA-LIITTYVA2-011 @virhe
  Tapaus: II vaiheen profiilia ei voi käyttää ennen aaltoa 6
    Oletetaan simulaattorin kello on "2019-06-03T12:00:00Z"
    Kun järjestelmä hakee asiakkuudet
    Niin arkisto hylkää sanoman koodilla "SHA-D003"
    Ja arkiston sisältö ei muuttunut
