# language: fi
@yhteistestaus @liittymisvelvoite @yhteisliittyminen
Ominaisuus: Yhteistestaus — yhteisliittyminen (yksityiset palveluntuottajat)
  Kelan yhteisliittymismallissa (2/2025) yksityiset palveluntuottajat liittyvät pääliittyjän
  järjestelmän kautta. Kukin liittyjä on omien asiakirjojensa rekisterinpitäjä ja näkee
  haussa vain omansa; yhteinen arkistonhoitaja näkee kaikkien liittyjien asiakirjat.
  Ryhmän ulkopuolisen rekisterinpitäjän puolesta pääliittyjän järjestelmä ei toimi.

  Tausta:
    Oletetaan simulaattorin kello on "2026-11-20T12:00:00Z"
    Ja testihenkilö on "aikuinen"

  @SHA-YHTEIS-001 @rakenteinen
  Tapaus: Pääliittyjän järjestelmä tallentaa pääliittyjän asiakirjan sen rekisteriin
    Oletetaan järjestelmä "palvelukeskus-atj" toimii rekisterinpitäjän "Palvelukeskus" puolesta
    Ja asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa rakenteisen asiakirjan
    Niin arkisto hyväksyy sanoman
    Ja arkistonhoitaja näkee asiakirjan metatiedot:
      | kenttä           | arvo                     |
      | rekisterinpitäjä | 1.2.246.10.99990022.10.0 |
      | tallentaja       | palvelukeskus-atj        |

  @SHA-YHTEIS-002 @rakenteinen
  Tapaus: Pääliittyjän järjestelmä tallentaa toisen liittyjän asiakirjan tämän rekisteriin
    Oletetaan järjestelmä "palvelukeskus-atj" toimii rekisterinpitäjän "Pienpalvelu" puolesta
    Ja asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa rakenteisen asiakirjan
    Niin arkisto hyväksyy sanoman
    Ja arkistonhoitaja näkee asiakirjan metatiedot:
      | kenttä           | arvo                     |
      | rekisterinpitäjä | 1.2.246.10.99990021.10.0 |
      | tallentaja       | palvelukeskus-atj        |

  @SHA-YHTEIS-003 @rakenteinen
  Tapaus: Liittyjä ei näe toisen liittyjän asiakirjoja
    Oletetaan järjestelmä "palvelukeskus-atj" toimii rekisterinpitäjän "Pienpalvelu" puolesta
    Ja asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu rakenteinen asiakirja
    Ja järjestelmä "palvelukeskus-atj" toimii rekisterinpitäjän "Palvelukeskus" puolesta
    Kun järjestelmä hakee asiakirjojen metatiedot
    Niin arkisto hyväksyy sanoman
    Ja vastauksessa on 0 asiakirjaa

  @SHA-YHTEIS-004 @rakenteinen @virhe
  Tapaus: Liittyjä ei voi hakea toisen liittyjän asiakirjaa tunnisteella
    Oletetaan järjestelmä "palvelukeskus-atj" toimii rekisterinpitäjän "Pienpalvelu" puolesta
    Ja asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu rakenteinen asiakirja
    Ja järjestelmä "palvelukeskus-atj" toimii rekisterinpitäjän "Palvelukeskus" puolesta
    Kun järjestelmä hakee asiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-R902"
    Ja arkiston sisältö ei muuttunut

  @SHA-YHTEIS-005 @rakenteinen
  Tapaus: Yhteinen arkistonhoitaja näkee kaikkien liittyjien asiakirjat
    Oletetaan järjestelmä "palvelukeskus-atj" toimii rekisterinpitäjän "Pienpalvelu" puolesta
    Ja asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu rakenteinen asiakirja
    Ja järjestelmä "palvelukeskus-atj" toimii rekisterinpitäjän "Palvelukeskus" puolesta
    Ja asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu rakenteinen asiakirja
    Niin yhteisliittymän arkistonhoitaja näkee asiakkaalta 2 asiakasasiakirjaa 2 rekisterinpitäjältä

  @SHA-YHTEIS-006 @virhe
  Tapaus: Pääliittyjän järjestelmä ei toimi ryhmän ulkopuolisen rekisterinpitäjän puolesta
    Oletetaan järjestelmä "palvelukeskus-atj" toimii rekisterinpitäjän "Hoivapalvelu" puolesta
    Kun järjestelmä hakee koosteen
    Niin arkisto hylkää sanoman koodilla "SHA-R401"
    Ja arkiston sisältö ei muuttunut

  @SHA-YHTEIS-007 @virhe
  Tapaus: Toinen järjestelmä ei voi toimia liittyjän puolesta
    Oletetaan järjestelmä "hoiva-atj" toimii rekisterinpitäjän "Pienpalvelu" puolesta
    Kun järjestelmä hakee koosteen
    Niin arkisto hylkää sanoman koodilla "SHA-R401"
    Ja arkiston sisältö ei muuttunut
