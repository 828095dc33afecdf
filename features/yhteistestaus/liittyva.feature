# language: fi
@yhteistestaus @liittyva
Ominaisuus: Yhteistestaus — liittyvä järjestelmä tallentaa ja hakee
  Liittyvä järjestelmä tallentaa asiakkuus-, asia- ja asiakasasiakirjoja, korjaa ja
  mitätöi niitä ja hakee rekisterinpitäjänsä tiedot arkistosta (kaikki 12 käyttötapausta).

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

  @SHA-LIITTYVA-004 @vaihe2
  Tapaus: II vaiheen asiakirjan (asiakaskertomusmerkintä) tallennus
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-LIITTYVA-005 @vanha
  Tapaus: Vanhan asiakirjan tallennus
    Kun järjestelmä tallentaa vanhan asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-LIITTYVA-006 @vaihe2
  Tapaus: Uuden version tallennus korvaa edellisen
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Kun järjestelmä tallentaa asiakirjasta uuden version
    Niin arkisto hyväksyy sanoman

  @SHA-LIITTYVA-007 @vaihe2
  Tapaus: Asiakirjan mitätöinti
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
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

  @SHA-LIITTYVA-010 @vaihe2
  Tapaus: Asiakirjojen metatietojen haku
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Ja asiakkaalla on tallennettu I vaiheen asiakirja
    Kun järjestelmä hakee asiakirjojen metatiedot
    Niin arkisto hyväksyy sanoman
    Ja vastauksessa on 2 asiakirjaa

  @SHA-LIITTYVA-011 @vaihe2
  Tapaus: Yksittäisen asiakirjan haku
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Kun järjestelmä hakee asiakirjan
    Niin arkisto hyväksyy sanoman
    Ja vastauksessa on 1 asiakirja

  @SHA-LIITTYVA-012 @vaihe2
  Tapaus: Koosteen haku
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Kun järjestelmä hakee koosteen
    Niin arkisto hyväksyy sanoman
    Ja kooste sisältää 1 asiakkuutta, 1 asiaa ja 1 asiakirjaa

  @SHA-LIITTYVA-013 @vaihe2
  Tapaus: Mitätöity asiakirja ei näy haussa ilman pyyntöä
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Kun järjestelmä mitätöi asiakirjan
    Ja järjestelmä hakee asiakirjojen metatiedot
    Niin vastauksessa on 0 asiakirjaa

  @SHA-LIITTYVA-014 @vaihe2
  Tapaus: Mitätöity asiakirja näkyy, kun sitä pyydetään
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Kun järjestelmä mitätöi asiakirjan
    Ja järjestelmä hakee asiakirjojen metatiedot mitätöidyt mukaan
    Niin vastauksessa on 1 asiakirja

  @SHA-LIITTYVA-015 @vaihe2
  Tapaus: Korvattu versio näkyy vain pyydettäessä
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Kun järjestelmä tallentaa asiakirjasta uuden version
    Ja järjestelmä hakee asiakirjojen metatiedot vanhat versiot mukaan
    Niin vastauksessa on 2 asiakirjaa

  @SHA-LIITTYVA-016
  Tapaus: Rakenteisen asiakirjan tallennus (asiakastietolain aika)
    Oletetaan simulaattorin kello on "2026-11-20T12:00:00Z"
    Ja asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa rakenteisen asiakirjan
    Niin arkisto hyväksyy sanoman

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
