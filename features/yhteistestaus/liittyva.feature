# language: fi
@yhteistestaus @liittyva @vaihe1
Ominaisuus: Yhteistestaus — liittyvä järjestelmä (I vaihe) tallentaa ja hakee
  THL:n I vaiheen liittyvä järjestelmä tallentaa asiakkuus-, asia-, I vaiheen ja vanhoja
  asiakirjoja, korjaa ja mitätöi niitä ja hakee rekisterinpitäjänsä tiedot arkistosta.
  II vaiheen asiakirjat vaativat II vaiheen profiilin, ja I vaiheen profiilit palvelivat
  vuoden 2022 loppuun (testdata/profiles.toml).

  Tausta:
    Oletetaan järjestelmä "liittyva-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja simulaattorin kello on "2022-06-01T12:00:00Z"
    Ja testihenkilö on "aikuinen"

  @SHA-LIITTYVA-001
  Tapaus: Asiakkuusasiakirjan tallennus
    Kun järjestelmä tallentaa asiakkuusasiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-LIITTYVA-002
  Tapaus: Asia-asiakirjan tallennus
    Oletetaan asiakkaalla on asiakkuus
    Kun järjestelmä tallentaa asia-asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-LIITTYVA-003 @vaihe1
  Tapaus: I vaiheen asiakirjan tallennus
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa I vaiheen asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-LIITTYVA-004 @vaihe2 @virhe
  Tapaus: II vaiheen asiakirja vaatii II vaiheen profiilin
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut

  @SHA-LIITTYVA-005 @vanha
  Tapaus: Vanhan asiakirjan tallennus
    Kun järjestelmä tallentaa vanhan asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-LIITTYVA-006 @vaihe1
  Tapaus: Uuden version tallennus korvaa edellisen
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu I vaiheen asiakirja
    Kun järjestelmä tallentaa asiakirjasta uuden version
    Niin arkisto hyväksyy sanoman

  @SHA-LIITTYVA-007 @vaihe1
  Tapaus: Asiakirjan mitätöinti
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu I vaiheen asiakirja
    Kun järjestelmä mitätöi asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-LIITTYVA-008
  Tapaus: Asiakkuuksien haku
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä hakee asiakkuudet
    Niin arkisto hyväksyy sanoman
    Ja vastauksessa on 1 asiakirja

  @SHA-LIITTYVA-009
  Tapaus: Asioiden haku
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä hakee asiat
    Niin arkisto hyväksyy sanoman
    Ja vastauksessa on 1 asiakirja

  @SHA-LIITTYVA-010 @vaihe1
  Tapaus: Asiakirjojen metatietojen haku
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu I vaiheen asiakirja
    Ja asiakkaalla on tallennettu vanha asiakirja
    Kun järjestelmä hakee asiakirjojen metatiedot
    Niin arkisto hyväksyy sanoman
    Ja vastauksessa on 2 asiakirjaa

  @SHA-LIITTYVA-011 @vaihe1
  Tapaus: Yksittäisen asiakirjan haku
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu I vaiheen asiakirja
    Kun järjestelmä hakee asiakirjan
    Niin arkisto hyväksyy sanoman
    Ja vastauksessa on 1 asiakirja

  @SHA-LIITTYVA-012 @vaihe1
  Tapaus: Koosteen haku
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu I vaiheen asiakirja
    Kun järjestelmä hakee koosteen
    Niin arkisto hyväksyy sanoman
    Ja kooste sisältää 1 asiakkuutta, 1 asiaa ja 1 asiakirjaa

  @SHA-LIITTYVA-013 @vaihe1
  Tapaus: Mitätöity asiakirja ei näy haussa ilman pyyntöä
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu I vaiheen asiakirja
    Kun järjestelmä mitätöi asiakirjan
    Ja järjestelmä hakee asiakirjojen metatiedot
    Niin vastauksessa on 0 asiakirjaa

  @SHA-LIITTYVA-014 @vaihe1
  Tapaus: Mitätöity asiakirja näkyy, kun sitä pyydetään
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu I vaiheen asiakirja
    Kun järjestelmä mitätöi asiakirjan
    Ja järjestelmä hakee asiakirjojen metatiedot mitätöidyt mukaan
    Niin vastauksessa on 1 asiakirja

  @SHA-LIITTYVA-015 @vaihe1
  Tapaus: Korvattu versio näkyy vain pyydettäessä
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu I vaiheen asiakirja
    Kun järjestelmä tallentaa asiakirjasta uuden version
    Ja järjestelmä hakee asiakirjojen metatiedot vanhat versiot mukaan
    Niin vastauksessa on 2 asiakirjaa

  @SHA-LIITTYVA-016 @virhe
  Tapaus: I vaiheen profiili ei tallenna rakenteisia asiakirjoja (asiakastietolain aika)
    Oletetaan simulaattorin kello on "2026-11-20T12:00:00Z"
    Kun järjestelmä tallentaa rakenteisen asiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut

  @SHA-LIITTYVA-019 @virhe
  Tapaus: I vaiheen profiilia ei voi käyttää vuoden 2022 jälkeen
    Oletetaan simulaattorin kello on "2023-02-01T12:00:00Z"
    Kun järjestelmä hakee asiakkuudet
    Niin arkisto hylkää sanoman koodilla "SHA-D003"
    Ja arkiston sisältö ei muuttunut

  @SHA-LIITTYVA-017
  Tapaus: Turvakieltoasiakkaan asiakkuuden tallennus ja haku
    Oletetaan testihenkilö on "turvakielto"
    Ja asiakkaalla on asiakkuus
    Kun järjestelmä hakee asiakkuudet
    Niin arkisto hyväksyy sanoman
    Ja vastauksessa on 1 asiakirja

  @SHA-LIITTYVA-018
  Tapaus: Uuden vuosituhannen välimerkillä (2023) oleva henkilötunnus kelpaa
    Oletetaan testihenkilö on "uusi_merkki_2000"
    Kun järjestelmä tallentaa asiakkuusasiakirjan
    Niin arkisto hyväksyy sanoman
