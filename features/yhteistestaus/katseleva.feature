# language: fi
@yhteistestaus @katseleva
Ominaisuus: Yhteistestaus — katseleva järjestelmä
  Katseleva järjestelmä saa hakea rekisterinpitäjänsä tietoja, mutta ei tallentaa,
  korjata eikä mitätöidä.

  Tausta:
    Oletetaan järjestelmä "katseleva-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja simulaattorin kello on "2022-06-01T12:00:00Z"
    Ja testihenkilö on "vanhus"

  @SHA-KATSELEVA-001
  Tapaus: Asiakkuuksien haku
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä hakee asiakkuudet
    Niin arkisto hyväksyy sanoman
    Ja vastauksessa on 1 asiakirja

  @SHA-KATSELEVA-002
  Tapaus: Asioiden haku
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä hakee asiat
    Niin arkisto hyväksyy sanoman
    Ja vastauksessa on 1 asiakirja

  @SHA-KATSELEVA-003 @vaihe2
  Tapaus: Metatietohaku
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Kun järjestelmä hakee asiakirjojen metatiedot
    Niin arkisto hyväksyy sanoman
    Ja vastauksessa on 1 asiakirja

  @SHA-KATSELEVA-004 @vaihe1
  Tapaus: Asiakirjan haku
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu I vaiheen asiakirja
    Kun järjestelmä hakee asiakirjan
    Niin arkisto hyväksyy sanoman
    Ja vastauksessa on 1 asiakirja

  @SHA-KATSELEVA-005 @vaihe2
  Tapaus: Koosteen haku
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Kun järjestelmä hakee koosteen
    Niin arkisto hyväksyy sanoman
    Ja kooste sisältää 1 asiakkuutta, 1 asiaa ja 1 asiakirjaa

  @SHA-KATSELEVA-006 @virhe
  Tapaus: Asiakkuusasiakirjan tallennus ei ole sallittu
    Kun järjestelmä tallentaa asiakkuusasiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut

  @SHA-KATSELEVA-007 @virhe
  Tapaus: Asia-asiakirjan tallennus ei ole sallittu
    Oletetaan asiakkaalla on asiakkuus
    Kun järjestelmä tallentaa asia-asiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut

  @SHA-KATSELEVA-008 @virhe @vaihe1
  Tapaus: I vaiheen asiakirjan tallennus ei ole sallittu
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa I vaiheen asiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut

  @SHA-KATSELEVA-009 @virhe @vaihe2
  Tapaus: II vaiheen asiakirjan tallennus ei ole sallittu
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut

  @SHA-KATSELEVA-010 @virhe @vanha
  Tapaus: Vanhan asiakirjan tallennus ei ole sallittu
    Kun järjestelmä tallentaa vanhan asiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut

  @SHA-KATSELEVA-011 @virhe @vaihe2
  Tapaus: Uuden version tallennus ei ole sallittu
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Kun järjestelmä tallentaa asiakirjasta uuden version
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut

  @SHA-KATSELEVA-012 @virhe @vaihe2
  Tapaus: Mitätöinti ei ole sallittu
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Kun järjestelmä mitätöi asiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut
