# language: fi
@kayttoonottokoe @liittyva
Ominaisuus: Käyttöönottokoe — yksi asiakirja päästä päähän ja arkistonhoitajan tarkastus
  Tuotannossa ammattilainen tallentaa valmiin testitapauksen testiasiakkaalle, ja
  rekisterinpitäjän arkistonhoitaja tarkastaa metatiedot arkistonhoitajan käyttöliittymässä.

  Tausta:
    Oletetaan järjestelmä "liittyva-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja simulaattorin kello on "2022-06-01T12:00:00Z"
    Ja testihenkilö on "aikuinen"

  @SHA-KOK-001 @vaihe2
  Tapaus: Asiakirja tallentuu ja arkistonhoitaja näkee sen metatiedot
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan
    Niin arkisto hyväksyy sanoman
    Ja arkistonhoitaja näkee asiakirjan metatiedot:
      | kenttä           | arvo                      |
      | asiakas          | 010181-900C               |
      | rekisterinpitäjä | 1.2.246.10.99990001.10.0  |
      | asiakirjaryhmä   | 5                         |
      | asiakirjatyyppi  | 19003                     |
      | palvelutehtävä   | 10                        |
      | palveluyksikkö   | 1.2.246.10.99990001.10.11 |
      | malli            | vaihe2                    |
      | versio           | 1                         |
      | tila             | voimassa                  |
      | mitätöity        | ei                        |

  @SHA-KOK-002 @vaihe2
  Tapaus: Tallennettu asiakirja näkyy koosteessa
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Kun järjestelmä hakee koosteen
    Niin arkisto hyväksyy sanoman
    Ja kooste sisältää 1 asiakkuutta, 1 asiaa ja 1 asiakirjaa

  @SHA-KOK-003 @vaihe2
  Tapaus: Korjattu asiakirja on voimassa versiona 2
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Kun järjestelmä tallentaa asiakirjasta uuden version
    Niin arkisto hyväksyy sanoman
    Ja arkistonhoitaja näkee asiakirjan metatiedot:
      | kenttä | arvo     |
      | versio | 2        |
      | tila   | voimassa |

  @SHA-KOK-004 @vaihe2
  Tapaus: Mitätöity asiakirja on arkistossa mitätöitynä
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Kun järjestelmä mitätöi asiakirjan
    Niin arkisto hyväksyy sanoman
    Ja arkistonhoitaja näkee asiakirjan metatiedot:
      | kenttä    | arvo  |
      | mitätöity | kyllä |

  @SHA-KOK-005 @vaihe1
  Tapaus: I vaiheen päätös tallentuu allekirjoitettuna ja arkistonhoitaja tarkastaa sen
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa I vaiheen asiakirjan
    Niin arkisto hyväksyy sanoman
    Ja arkistonhoitaja näkee asiakirjan metatiedot:
      | kenttä           | arvo                     |
      | asiakas          | 010181-900C              |
      | asiakirjatyyppi  | 11002                    |
      | malli            | vaihe1                   |
      | tallentaja       | liittyva-atj             |

  @SHA-KOK-006
  Tapaus: Rakenteinen asiakirja tallentuu ja arkistonhoitaja tarkastaa sen
    Oletetaan simulaattorin kello on "2026-11-20T12:00:00Z"
    Ja asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa rakenteisen asiakirjan
    Niin arkisto hyväksyy sanoman
    Ja arkistonhoitaja näkee asiakirjan metatiedot:
      | kenttä | arvo              |
      | malli  | liittymisvelvoite |
