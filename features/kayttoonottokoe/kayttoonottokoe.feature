# language: fi
@kayttoonottokoe @liittymisvelvoite
Ominaisuus: Käyttöönottokoe — yksi asiakirja päästä päähän ja arkistonhoitajan tarkastus
  Tuotannossa ammattilainen tallentaa valmiin testitapauksen testiasiakkaalle, ja
  rekisterinpitäjän arkistonhoitaja tarkastaa metatiedot arkistonhoitajan käyttöliittymässä.
  Vuodesta 2026 käyttöönotto tehdään liittymisvelvoitteen täyttävällä järjestelmällä ja
  rakenteisilla asiakirjoilla; I ja II vaiheen käyttöönotot näkyvät siirtämällä kelloa.

  Tausta:
    Oletetaan järjestelmä "liittymisvelvoite-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja simulaattorin kello on "2026-11-20T12:00:00Z"
    Ja testihenkilö on "aikuinen"

  @SHA-KOK-001 @rakenteinen
  Tapaus: Rakenteinen asiakirja tallentuu ja arkistonhoitaja näkee sen metatiedot
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa rakenteisen asiakirjan
    Niin arkisto hyväksyy sanoman
    Ja arkistonhoitaja näkee asiakirjan metatiedot:
      | kenttä           | arvo                      |
      | asiakas          | 010181-900C               |
      | rekisterinpitäjä | 1.2.246.10.99990001.10.0  |
      | asiakirjaryhmä   | 5                         |
      | asiakirjatyyppi  | (lähetetty)               |
      | palvelutehtävä   | 10                        |
      | palveluyksikkö   | 1.2.246.10.99990001.10.11 |
      | malli            | liittymisvelvoite         |
      | versio           | 1                         |
      | tila             | voimassa                  |
      | mitätöity        | ei                        |
      | tallentaja       | liittymisvelvoite-atj     |

  @SHA-KOK-002 @rakenteinen
  Tapaus: Tallennettu asiakirja näkyy koosteessa
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu rakenteinen asiakirja
    Kun järjestelmä hakee koosteen
    Niin arkisto hyväksyy sanoman
    Ja kooste sisältää 1 asiakkuutta, 1 asiaa ja 1 asiakirjaa

  @SHA-KOK-003 @rakenteinen
  Tapaus: Korjattu asiakirja on voimassa versiona 2
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu rakenteinen asiakirja
    Kun järjestelmä tallentaa asiakirjasta uuden version
    Niin arkisto hyväksyy sanoman
    Ja arkistonhoitaja näkee asiakirjan metatiedot:
      | kenttä | arvo     |
      | versio | 2        |
      | tila   | voimassa |

  @SHA-KOK-004 @rakenteinen
  Tapaus: Mitätöity asiakirja on arkistossa mitätöitynä
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu rakenteinen asiakirja
    Kun järjestelmä mitätöi asiakirjan
    Niin arkisto hyväksyy sanoman
    Ja arkistonhoitaja näkee asiakirjan metatiedot:
      | kenttä    | arvo  |
      | mitätöity | kyllä |

  @SHA-KOK-005 @vaihe1 @liittyva
  Tapaus: I vaiheen käyttöönotto (2022): päätös tallentuu allekirjoitettuna
    Oletetaan järjestelmä "liittyva-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja simulaattorin kello on "2022-06-01T12:00:00Z"
    Ja asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa I vaiheen asiakirjan
    Niin arkisto hyväksyy sanoman
    Ja arkistonhoitaja näkee asiakirjan metatiedot:
      | kenttä           | arvo                     |
      | asiakas          | 010181-900C              |
      | asiakirjatyyppi  | (lähetetty)              |
      | palveluyksikkö   | 1.2.246.10.99990001.10.11 |
      | malli            | vaihe1                   |
      | tallentaja       | liittyva-atj             |

  @SHA-KOK-006 @vaihe2 @liittyva_vaihe2
  Tapaus: II vaiheen käyttöönotto (2022): asiakaskertomusmerkintä palveluyksikön kanssa
    Oletetaan järjestelmä "liittyva2-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja simulaattorin kello on "2022-06-01T12:00:00Z"
    Ja asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan
    Niin arkisto hyväksyy sanoman
    Ja arkistonhoitaja näkee asiakirjan metatiedot:
      | kenttä           | arvo                      |
      | asiakirjaryhmä   | 5                         |
      | asiakirjatyyppi  | 19003                     |
      | palveluyksikkö   | 1.2.246.10.99990001.10.11 |
      | malli            | vaihe2                    |

  @SHA-KOK-007 @rekisterinkayttooikeus
  Tapaus: Palveluntuottaja tallentaa järjestäjän rekisteriin rekisterinkäyttöoikeudella
    Oletetaan järjestelmä "hyvinvointialue-atj" toimii rekisterinpitäjän "Testimaan hyvinvointialue" puolesta
    Ja testihenkilö on "vanhus"
    Ja asiakkuus listaa palveluntuottajan "Hoivapalvelu" alkaen "2026-11-01"
    Ja asiakkaalla on asia
    Ja järjestelmä "hoiva-atj" toimii rekisterinpitäjän "Hoivapalvelu" puolesta
    Kun järjestelmä tallentaa asiakirjan järjestäjän "Testimaan hyvinvointialue" rekisteriin
    Niin arkisto hyväksyy sanoman

  @SHA-KOK-008 @laaja-rekisterinkaytto
  Tapaus: Turvakoti tallentaa THL:n rekisteriin laajalla rekisterinkäyttöoikeudella
    Oletetaan järjestelmä "turvakoti-atj" toimii rekisterinpitäjän "Turvakoti" puolesta
    Ja järjestelmä on kirjannut asiakkuuden ja asian rekisterinpitäjän "THL" rekisteriin
    Kun järjestelmä tallentaa asiakirjatyypin "1011" asiakirjan rekisterinpitäjän "THL" rekisteriin
    Niin arkisto hyväksyy sanoman
