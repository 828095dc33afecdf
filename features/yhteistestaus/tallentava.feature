# language: fi
@yhteistestaus @tallentava @vaihe1
Ominaisuus: Yhteistestaus — tallentava järjestelmä (I vaihe)
  Tallentava järjestelmä saa tallentaa, korjata ja mitätöidä, mutta ei hakea; I vaiheen
  profiilina se ei tallenna II vaiheen asiakirjoja.

  Tausta:
    Oletetaan järjestelmä "tallentava-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja simulaattorin kello on "2022-06-01T12:00:00Z"
    Ja testihenkilö on "aikuinen_mies"

  @SHA-TALLENTAVA-001
  Tapaus: Asiakkuusasiakirjan tallennus
    Kun järjestelmä tallentaa asiakkuusasiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-TALLENTAVA-002
  Tapaus: Asia-asiakirjan tallennus
    Oletetaan asiakkaalla on asiakkuus
    Kun järjestelmä tallentaa asia-asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-TALLENTAVA-003 @vaihe1
  Tapaus: I vaiheen asiakirjan tallennus
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa I vaiheen asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-TALLENTAVA-004 @vaihe2 @virhe
  Tapaus: II vaiheen asiakirja vaatii II vaiheen profiilin
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut

  @SHA-TALLENTAVA-005 @vanha
  Tapaus: Vanhan asiakirjan tallennus
    Kun järjestelmä tallentaa vanhan asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-TALLENTAVA-006 @vaihe1
  Tapaus: Uuden version tallennus
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu I vaiheen asiakirja
    Kun järjestelmä tallentaa asiakirjasta uuden version
    Niin arkisto hyväksyy sanoman

  @SHA-TALLENTAVA-007 @vaihe1
  Tapaus: Mitätöinti
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu I vaiheen asiakirja
    Kun järjestelmä mitätöi asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-TALLENTAVA-008 @virhe
  Tapaus: Asiakkuuksien haku ei ole sallittu
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä hakee asiakkuudet
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut

  @SHA-TALLENTAVA-009 @virhe
  Tapaus: Asioiden haku ei ole sallittu
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä hakee asiat
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut

  @SHA-TALLENTAVA-010 @virhe
  Tapaus: Metatietohaku ei ole sallittu
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä hakee asiakirjojen metatiedot
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut

  @SHA-TALLENTAVA-011 @virhe
  Tapaus: Asiakirjan haku ei ole sallittu
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu I vaiheen asiakirja
    Kun järjestelmä hakee asiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut

  @SHA-TALLENTAVA-012 @virhe
  Tapaus: Koosteen haku ei ole sallittu
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä hakee koosteen
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut
