# language: fi
@yhteistestaus @liittyva @yhteisliittyminen
Ominaisuus: Yhteistestaus — yhteisliittyminen
  Yhteisliittymän pääjärjestelmä tallentaa kahden rekisterinpitäjän asiakirjoja; kukin
  näkee vain omansa.

  Tausta:
    Oletetaan simulaattorin kello on "2022-06-01T12:00:00Z"
    Ja testihenkilö on "aikuinen"

  @SHA-YHTEIS-001 @vaihe2
  Tapaus: Pääjärjestelmä tallentaa Testikylän asiakirjan
    Oletetaan järjestelmä "yhteis-atj" toimii rekisterinpitäjän "Testikylä" puolesta
    Ja asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-YHTEIS-002 @vaihe2
  Tapaus: Pääjärjestelmä tallentaa Testimaan asiakirjan
    Oletetaan järjestelmä "yhteis-atj" toimii rekisterinpitäjän "Testimaa" puolesta
    Ja asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-YHTEIS-003 @vaihe2
  Tapaus: Testimaa ei näe Testikylän asiakirjoja
    Oletetaan järjestelmä "yhteis-atj" toimii rekisterinpitäjän "Testikylä" puolesta
    Ja asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Ja järjestelmä "yhteis-atj" toimii rekisterinpitäjän "Testimaa" puolesta
    Kun järjestelmä hakee asiakirjojen metatiedot
    Niin arkisto hyväksyy sanoman
    Ja vastauksessa on 0 asiakirjaa

  @SHA-YHTEIS-004 @vaihe2 @virhe
  Tapaus: Testimaa ei voi hakea Testikylän asiakirjaa tunnisteella
    Oletetaan järjestelmä "yhteis-atj" toimii rekisterinpitäjän "Testikylä" puolesta
    Ja asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu II vaiheen asiakirja
    Ja järjestelmä "yhteis-atj" toimii rekisterinpitäjän "Testimaa" puolesta
    Kun järjestelmä hakee asiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-R902"

  @SHA-YHTEIS-005 @virhe
  Tapaus: Toinen järjestelmä ei voi toimia yhteisliittymän jäsenen puolesta
    Oletetaan järjestelmä "liittyva-atj" toimii rekisterinpitäjän "Testikylä" puolesta
    Kun järjestelmä hakee koosteen
    Niin arkisto hylkää sanoman koodilla "SHA-R401"
