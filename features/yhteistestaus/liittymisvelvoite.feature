# language: fi
@yhteistestaus @liittymisvelvoite
Ominaisuus: Yhteistestaus — liittymisvelvoitteen täyttävä järjestelmä (asiakastietolaki)
  Liittymisvelvoitteen täyttävä järjestelmä tallentaa rakenteisia asiakirjoja, kirjaa
  Kanta-informoinnin, luovutusluvat ja -kiellot, tekee luovutushakuja toisen
  rekisterinpitäjän tietoihin ja käyttää rekisterinkäyttöoikeutta. Arkisto noudattaa
  1.9.2026 alkaen voimassa olevia päivämääriä simulaattorin kellon mukaan.

  Tausta:
    Oletetaan simulaattorin kello on "2026-11-20T12:00:00Z"
    Ja järjestelmä "hyvinvointialue-atj" toimii rekisterinpitäjän "Testimaan hyvinvointialue" puolesta
    Ja testihenkilö on "lapsi"

  # --- Tahdonilmaisut

  @SHA-LV-001
  Tapaus: Kanta-informoinnin kirjaus
    Kun järjestelmä tallentaa Kanta-informoinnin
    Niin arkisto hyväksyy sanoman

  @SHA-LV-002
  Tapaus: Luovutusluvan tallennus
    Kun järjestelmä tallentaa luovutusluvan
    Niin arkisto hyväksyy sanoman

  @SHA-LV-003
  Tapaus: Luovutuskiellon tallennus
    Kun järjestelmä tallentaa luovutuskiellon
    Niin arkisto hyväksyy sanoman

  @SHA-LV-004
  Tapaus: Tahdonilmaisujen haku näyttää voimassa olevan luvan
    Oletetaan asiakkaalle on annettu Kanta-informointi
    Ja asiakas on antanut luovutusluvan
    Kun järjestelmä hakee tahdonilmaisut
    Niin arkisto hyväksyy sanoman
    Ja voimassa oleva luovutuslupa on "kyllä"

  @SHA-LV-005
  Tapaus: Uusin luovutuslupa on voimassa
    Oletetaan asiakas on antanut luovutusluvan
    Ja asiakas on kieltäytynyt luovutusluvasta
    Kun järjestelmä hakee tahdonilmaisut
    Niin voimassa oleva luovutuslupa on "ei"

  @SHA-LV-006 @virhe
  Tapaus: Luovutuslupaa ei voi antaa etukäteen
    Kun järjestelmä tallentaa luovutusluvan virheellä "luvan-ajankohta-tulevaisuudessa"
    Niin arkisto hylkää sanoman koodilla "SHA-L002"
    Ja arkiston sisältö ei muuttunut

  @SHA-LV-007 @virhe
  Tapaus: Laillisen edustajan rooli ei ole sallittu
    Kun järjestelmä tallentaa luovutusluvan virheellä "vaara-edustajan-rooli"
    Niin arkisto hylkää sanoman koodilla "SHA-L003"
    Ja arkiston sisältö ei muuttunut

  @SHA-LV-008 @virhe
  Tapaus: Luvan asiakas poikkeaa otsakkeen asiakkaasta
    Kun järjestelmä tallentaa luovutusluvan virheellä "eri-asiakas"
    Niin arkisto hylkää sanoman koodilla "SHA-L004"
    Ja arkiston sisältö ei muuttunut

  @SHA-LV-009 @virhe
  Tapaus: Luovutuslupa vaatii henkilötunnuksen
    Kun järjestelmä tallentaa luovutusluvan virheellä "tilapainen-tunniste"
    Niin arkisto hylkää sanoman koodilla "SHA-R303"
    Ja arkiston sisältö ei muuttunut

  @SHA-LV-010 @virhe
  Tapaus: Vain liittymisvelvoitteen järjestelmä tallentaa tahdonilmaisuja
    Oletetaan järjestelmä "liittyva-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Kun järjestelmä tallentaa luovutusluvan
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut

  # --- Päivämäärät (1.9.2026)

  @SHA-LV-011 @virhe @vaihe2
  Tapaus: II vaiheen sisältöä ei tallenneta 31.8.2026 jälkeen
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-D001"
    Ja arkiston sisältö ei muuttunut

  @SHA-LV-012 @virhe @vaihe1
  Tapaus: I vaiheen sisältöä ei tallenneta 31.8.2026 jälkeen
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa I vaiheen asiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-D001"
    Ja arkiston sisältö ei muuttunut

  @SHA-LV-013 @vanha
  Tapaus: Vanhat asiakirjat tallentuvat edelleen
    Kun järjestelmä tallentaa vanhan asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-LV-014
  Tapaus: Rakenteinen asiakirja tallentuu
    Oletetaan asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa rakenteisen asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-LV-015 @vaihe2
  Tapaus: Ennen määräpäivää II vaiheen asiakirja tallentuu
    Oletetaan simulaattorin kello on "2026-08-20T12:00:00Z"
    Ja asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan
    Niin arkisto hyväksyy sanoman

  # --- Luovutushaku

  @SHA-LV-016 @virhe
  Tapaus: Luovutushaku ilman Kanta-informointia evätään
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu rakenteinen asiakirja
    Ja järjestelmä "toinen-hva-atj" toimii rekisterinpitäjän "Toinen hyvinvointialue" puolesta
    Ja asiakkaalla on asiakkuus
    Kun järjestelmä tekee luovutushaun
    Niin arkisto hylkää sanoman koodilla "SHA-L101"
    Ja arkiston sisältö ei muuttunut

  @SHA-LV-017 @virhe
  Tapaus: Luovutushaku ilman hakijan asiakkuutta evätään
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu rakenteinen asiakirja
    Ja asiakkaalle on annettu Kanta-informointi
    Ja asiakas on antanut luovutusluvan
    Ja järjestelmä "toinen-hva-atj" toimii rekisterinpitäjän "Toinen hyvinvointialue" puolesta
    Kun järjestelmä tekee luovutushaun
    Niin arkisto hylkää sanoman koodilla "SHA-L103"
    Ja arkiston sisältö ei muuttunut

  @SHA-LV-018 @virhe
  Tapaus: Luovutushaku ilman luovutuslupaa evätään
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu rakenteinen asiakirja
    Ja asiakkaalle on annettu Kanta-informointi
    Ja järjestelmä "toinen-hva-atj" toimii rekisterinpitäjän "Toinen hyvinvointialue" puolesta
    Ja asiakkaalla on asiakkuus
    Kun järjestelmä tekee luovutushaun
    Niin arkisto hylkää sanoman koodilla "SHA-L102"
    Ja arkiston sisältö ei muuttunut

  @SHA-LV-019 @virhe
  Tapaus: Peruttu luovutuslupa estää luovutuksen
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu rakenteinen asiakirja
    Ja asiakkaalle on annettu Kanta-informointi
    Ja asiakas on antanut luovutusluvan
    Ja asiakas on kieltäytynyt luovutusluvasta
    Ja järjestelmä "toinen-hva-atj" toimii rekisterinpitäjän "Toinen hyvinvointialue" puolesta
    Ja asiakkaalla on asiakkuus
    Kun järjestelmä tekee luovutushaun
    Niin arkisto hylkää sanoman koodilla "SHA-L102"
    Ja arkiston sisältö ei muuttunut

  @SHA-LV-020
  Tapaus: Luovutushaku luvan perusteella palauttaa toisen rekisterinpitäjän asiakirjan ja kirjautuu lokiin
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu rakenteinen asiakirja
    Ja asiakkaalle on annettu Kanta-informointi
    Ja asiakas on antanut luovutusluvan
    Ja järjestelmä "toinen-hva-atj" toimii rekisterinpitäjän "Toinen hyvinvointialue" puolesta
    Ja asiakkaalla on asiakkuus
    Kun järjestelmä tekee luovutushaun
    Niin arkisto hyväksyy sanoman
    Ja vastauksessa on 1 asiakirja
    Ja luovutuslokissa on 1 merkintä
    Ja luovutuslokin viimeisin peruste on "lupa"

  @SHA-LV-021
  Tapaus: Rekisterinpitäjää koskeva kielto poistaa sen tiedot
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu rakenteinen asiakirja
    Ja asiakkaalle on annettu Kanta-informointi
    Ja asiakas on antanut luovutusluvan
    Ja asiakas on kieltänyt rekisterinpitäjän "Testimaan hyvinvointialue" tietojen luovutuksen
    Ja järjestelmä "toinen-hva-atj" toimii rekisterinpitäjän "Toinen hyvinvointialue" puolesta
    Ja asiakkaalla on asiakkuus
    Kun järjestelmä tekee luovutushaun
    Niin arkisto hyväksyy sanoman
    Ja vastauksessa on 0 asiakirjaa

  @SHA-LV-022
  Tapaus: Palvelutehtävää koskeva kielto poistaa sen tiedot
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu rakenteinen asiakirja
    Ja asiakkaalle on annettu Kanta-informointi
    Ja asiakas on antanut luovutusluvan
    Ja asiakas on kieltänyt palvelutehtävän "10" tietojen luovutuksen
    Ja järjestelmä "toinen-hva-atj" toimii rekisterinpitäjän "Toinen hyvinvointialue" puolesta
    Ja asiakkaalla on asiakkuus
    Kun järjestelmä tekee luovutushaun
    Niin arkisto hyväksyy sanoman
    Ja vastauksessa on 0 asiakirjaa

  @SHA-LV-023
  Tapaus: Asiakirjaa koskeva kielto poistaa asiakirjan
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu rakenteinen asiakirja
    Ja asiakkaalle on annettu Kanta-informointi
    Ja asiakas on antanut luovutusluvan
    Ja asiakas on kieltänyt viimeisimmän asiakirjan luovutuksen
    Ja järjestelmä "toinen-hva-atj" toimii rekisterinpitäjän "Toinen hyvinvointialue" puolesta
    Ja asiakkaalla on asiakkuus
    Kun järjestelmä tekee luovutushaun
    Niin arkisto hyväksyy sanoman
    Ja vastauksessa on 0 asiakirjaa

  @SHA-LV-024
  Tapaus: Tiedonsaantioikeus ohittaa kiellon ja kirjautuu perusteineen
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu rakenteinen asiakirja
    Ja asiakkaalle on annettu Kanta-informointi
    Ja asiakas on antanut luovutusluvan
    Ja asiakas on kieltänyt rekisterinpitäjän "Testimaan hyvinvointialue" tietojen luovutuksen
    Ja järjestelmä "toinen-hva-atj" toimii rekisterinpitäjän "Toinen hyvinvointialue" puolesta
    Ja asiakkaalla on asiakkuus
    Kun järjestelmä tekee luovutushaun tiedonsaantioikeudella "1"
    Niin arkisto hyväksyy sanoman
    Ja vastauksessa on 1 asiakirja
    Ja luovutuslokin viimeisin peruste on "tiedonsaantioikeus"

  @SHA-LV-025
  Tapaus: Tiedonsaantioikeus ohittaa puuttuvan luvan
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu rakenteinen asiakirja
    Ja asiakkaalle on annettu Kanta-informointi
    Ja järjestelmä "toinen-hva-atj" toimii rekisterinpitäjän "Toinen hyvinvointialue" puolesta
    Ja asiakkaalla on asiakkuus
    Kun järjestelmä tekee luovutushaun tiedonsaantioikeudella "2"
    Niin arkisto hyväksyy sanoman
    Ja vastauksessa on 1 asiakirja

  @SHA-LV-026 @virhe
  Tapaus: Tiedonsaantioikeus vaatii sallitun perusteen
    Oletetaan asiakkaalle on annettu Kanta-informointi
    Ja järjestelmä "toinen-hva-atj" toimii rekisterinpitäjän "Toinen hyvinvointialue" puolesta
    Ja asiakkaalla on asiakkuus
    Kun järjestelmä tekee luovutushaun tiedonsaantioikeudella "77"
    Niin arkisto hylkää sanoman koodilla "SHA-L104"
    Ja arkiston sisältö ei muuttunut

  @SHA-LV-027
  Tapaus: Jokainen vastattu luovutus kirjautuu lokiin
    Oletetaan asiakkaalla on asiakkuus ja asia
    Ja asiakkaalla on tallennettu rakenteinen asiakirja
    Ja asiakkaalle on annettu Kanta-informointi
    Ja asiakas on antanut luovutusluvan
    Ja järjestelmä "toinen-hva-atj" toimii rekisterinpitäjän "Toinen hyvinvointialue" puolesta
    Ja asiakkaalla on asiakkuus
    Kun järjestelmä tekee luovutushaun
    Ja järjestelmä tekee luovutushaun
    Niin luovutuslokissa on 2 merkintää

  @SHA-LV-028 @virhe
  Tapaus: Evätty luovutushaku ei kirjaudu luovutukseksi
    Oletetaan järjestelmä "toinen-hva-atj" toimii rekisterinpitäjän "Toinen hyvinvointialue" puolesta
    Kun järjestelmä tekee luovutushaun
    Niin arkisto hylkää sanoman koodilla "SHA-L101"
    Ja arkiston sisältö ei muuttunut
    Ja luovutuslokissa on 0 merkintää

  @SHA-LV-029 @virhe
  Tapaus: Vain liittymisvelvoitteen järjestelmä tekee luovutushakuja
    Oletetaan järjestelmä "liittyva-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Kun järjestelmä tekee luovutushaun
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut

  # --- Rekisterinkäyttöoikeus

  @SHA-LV-030
  Tapaus: Palveluntuottaja tallentaa järjestäjän rekisteriin, kun asiakkuus listaa sen
    Oletetaan testihenkilö on "vanhus"
    Ja asiakkuus listaa palveluntuottajan "Hoivapalvelu" alkaen "2026-11-01"
    Ja asiakkaalla on asia
    Ja järjestelmä "hoiva-atj" toimii rekisterinpitäjän "Hoivapalvelu" puolesta
    Kun järjestelmä tallentaa asiakirjan järjestäjän "Testimaan hyvinvointialue" rekisteriin
    Niin arkisto hyväksyy sanoman

  @SHA-LV-031 @virhe
  Tapaus: Ilman järjestäjän asiakkuusmerkintää tuottaja ei saa tallentaa
    Oletetaan testihenkilö on "vanhus"
    Ja asiakkaalla on asiakkuus ja asia
    Ja järjestelmä "hoiva-atj" toimii rekisterinpitäjän "Hoivapalvelu" puolesta
    Kun järjestelmä tallentaa asiakirjan järjestäjän "Testimaan hyvinvointialue" rekisteriin
    Niin arkisto hylkää sanoman koodilla "SHA-L201"
    Ja arkiston sisältö ei muuttunut

  @SHA-LV-032
  Tapaus: Palveluntuottaja hakee järjestäjän rekisteristä eikä hakua kirjata luovutukseksi
    Oletetaan testihenkilö on "vanhus"
    Ja asiakkuus listaa palveluntuottajan "Hoivapalvelu" alkaen "2026-11-01"
    Ja asiakkaalla on asia
    Ja asiakkaalla on tallennettu rakenteinen asiakirja
    Ja järjestelmä "hoiva-atj" toimii rekisterinpitäjän "Hoivapalvelu" puolesta
    Kun järjestelmä hakee järjestäjän "Testimaan hyvinvointialue" rekisteristä
    Niin arkisto hyväksyy sanoman
    Ja vastauksessa on 1 asiakirja
    Ja luovutuslokissa on 0 merkintää

  @SHA-LV-033 @virhe
  Tapaus: Oikeus päättyy, kun järjestäjä päättää tuottajan asiakkuuden
    Oletetaan testihenkilö on "vanhus"
    Ja asiakkuus listaa palveluntuottajan "Hoivapalvelu" alkaen "2026-11-01"
    Ja asiakkaalla on asia
    Ja järjestäjä on päättänyt palveluntuottajan asiakkuuden "2026-11-15"
    Ja järjestelmä "hoiva-atj" toimii rekisterinpitäjän "Hoivapalvelu" puolesta
    Kun järjestelmä tallentaa asiakirjan järjestäjän "Testimaan hyvinvointialue" rekisteriin
    Niin arkisto hylkää sanoman koodilla "SHA-L201"
    Ja arkiston sisältö ei muuttunut

  @SHA-LV-034 @virhe
  Tapaus: Tuottaja ei saa hakea järjestäjän rekisteristä ilman oikeutta
    Oletetaan testihenkilö on "vanhus"
    Ja asiakkaalla on asiakkuus ja asia
    Ja järjestelmä "hoiva-atj" toimii rekisterinpitäjän "Hoivapalvelu" puolesta
    Kun järjestelmä hakee järjestäjän "Testimaan hyvinvointialue" rekisteristä
    Niin arkisto hylkää sanoman koodilla "SHA-L201"
    Ja arkiston sisältö ei muuttunut

  # --- Laaja rekisterinkäyttöoikeus: turvakoti tallentaa THL:n turvakotipalveluiden rekisteriin

  @SHA-LV-036 @laaja-rekisterinkaytto
  Tapaus: Turvakoti tallentaa turvakotipalvelun ensiarvion THL:n rekisteriin
    Oletetaan testihenkilö on "aikuinen"
    Ja järjestelmä "turvakoti-atj" toimii rekisterinpitäjän "Turvakoti" puolesta
    Ja järjestelmä on kirjannut asiakkuuden ja asian rekisterinpitäjän "THL" rekisteriin
    Kun järjestelmä tallentaa asiakirjatyypin "1011" asiakirjan rekisterinpitäjän "THL" rekisteriin
    Niin arkisto hyväksyy sanoman

  @SHA-LV-037 @laaja-rekisterinkaytto @virhe
  Tapaus: Laaja oikeus koskee vain sen asiakirjatyyppejä
    Oletetaan testihenkilö on "aikuinen"
    Ja järjestelmä "turvakoti-atj" toimii rekisterinpitäjän "Turvakoti" puolesta
    Ja järjestelmä on kirjannut asiakkuuden ja asian rekisterinpitäjän "THL" rekisteriin
    Kun järjestelmä tallentaa asiakirjatyypin "11002" asiakirjan rekisterinpitäjän "THL" rekisteriin
    Niin arkisto hylkää sanoman koodilla "SHA-L201"
    Ja arkiston sisältö ei muuttunut

  @SHA-LV-038 @laaja-rekisterinkaytto @virhe
  Tapaus: Turvakotiasiakirja omaan rekisteriin on väärässä rekisterissä 1.9.2026 alkaen
    Oletetaan testihenkilö on "aikuinen"
    Ja järjestelmä "turvakoti-atj" toimii rekisterinpitäjän "Turvakoti" puolesta
    Kun järjestelmä tallentaa asiakirjatyypin "1011" asiakirjan rekisterinpitäjän "Turvakoti" rekisteriin
    Niin arkisto hylkää sanoman koodilla "SHA-L202"
    Ja arkiston sisältö ei muuttunut

  @SHA-LV-039 @laaja-rekisterinkaytto
  Tapaus: Turvakoti hakee THL:n rekisteristä eikä hakua kirjata luovutukseksi
    Oletetaan testihenkilö on "aikuinen"
    Ja järjestelmä "turvakoti-atj" toimii rekisterinpitäjän "Turvakoti" puolesta
    Ja järjestelmä on kirjannut asiakkuuden ja asian rekisterinpitäjän "THL" rekisteriin
    Kun järjestelmä tallentaa asiakirjatyypin "1011" asiakirjan rekisterinpitäjän "THL" rekisteriin
    Ja järjestelmä hakee järjestäjän "THL" rekisteristä
    Niin arkisto hyväksyy sanoman
    Ja vastauksessa on 1 asiakirja
    Ja luovutuslokissa on 0 merkintää

  @SHA-LV-040 @laaja-rekisterinkaytto @virhe
  Tapaus: Palveluntuottaja, jota laaja oikeus ei nimeä, ei pääse THL:n rekisteriin
    Oletetaan testihenkilö on "aikuinen"
    Ja järjestelmä "turvakoti-atj" toimii rekisterinpitäjän "Turvakoti" puolesta
    Ja järjestelmä on kirjannut asiakkuuden ja asian rekisterinpitäjän "THL" rekisteriin
    Ja järjestelmä "hoiva-atj" toimii rekisterinpitäjän "Hoivapalvelu" puolesta
    Kun järjestelmä hakee järjestäjän "THL" rekisteristä
    Niin arkisto hylkää sanoman koodilla "SHA-L201"
    Ja arkiston sisältö ei muuttunut

  # --- Yhteisliittyminen

  @SHA-LV-035
  Tapaus: Pääliittyjän järjestelmä tallentaa yhteisliittyjän asiakkuuden
    Oletetaan järjestelmä "palvelukeskus-atj" toimii rekisterinpitäjän "Pienpalvelu" puolesta
    Kun järjestelmä tallentaa asiakkuusasiakirjan
    Niin arkisto hyväksyy sanoman
