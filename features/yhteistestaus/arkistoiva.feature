# language: fi
@yhteistestaus @arkistoiva
Ominaisuus: Yhteistestaus — arkistoiva järjestelmä (vanhojen asiakirjojen siirto)
  Arkistoiva järjestelmä tallentaa vain vanhoja asiakirjoja ja korjaa tai mitätöi vain
  niitä; muu on kielletty.

  Tausta:
    Oletetaan järjestelmä "arkistoiva-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja simulaattorin kello on "2022-06-01T12:00:00Z"
    Ja testihenkilö on "numero_999"

  @SHA-ARKISTOIVA-001 @vanha
  Tapaus: Vanhan asiakirjan tallennus
    Kun järjestelmä tallentaa vanhan asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-ARKISTOIVA-002 @vanha
  Tapaus: Vanhan asiakirjan uusi versio
    Oletetaan asiakkaalla on tallennettu vanha asiakirja
    Kun järjestelmä tallentaa asiakirjasta uuden version
    Niin arkisto hyväksyy sanoman

  @SHA-ARKISTOIVA-003 @vanha
  Tapaus: Vanhan asiakirjan mitätöinti
    Oletetaan asiakkaalla on tallennettu vanha asiakirja
    Kun järjestelmä mitätöi asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-ARKISTOIVA-004 @virhe
  Tapaus: Asiakkuusasiakirjan tallennus ei ole sallittu
    Kun järjestelmä tallentaa asiakkuusasiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut

  @SHA-ARKISTOIVA-005 @virhe @vaihe1
  Tapaus: I vaiheen asiakirjan tallennus ei ole sallittu
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa I vaiheen asiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut

  @SHA-ARKISTOIVA-006 @virhe @vaihe2
  Tapaus: II vaiheen asiakirjan uusi versio ei ole sallittu
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Kun järjestelmä tallentaa asiakirjasta uuden version
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut

  @SHA-ARKISTOIVA-007 @virhe
  Tapaus: Koosteen haku ei ole sallittu
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä hakee koosteen
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut

  @SHA-ARKISTOIVA-008 @virhe
  Tapaus: Metatietohaku ei ole sallittu
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä hakee asiakirjojen metatiedot
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut
