# language: fi
@yhteistestaus @kellomaailmat
Ominaisuus: Neljä kellomaailmaa — mitä arkisto ottaa vastaan minäkin päivänä
  Simulaattorin kello ratkaisee, mitkä profiilit ovat käytössä (testdata/profiles.toml) ja
  mitkä asiakastietolain toiminnot ovat jo voimassa (testdata/dates.toml). Sama järjestelmä
  ja sama sanoma saavat eri vastauksen vuosina 2019, 2022, 2025 ja 2026; taulukko on
  tiedostossa docs/joining-obligation.md.

  # --- 2019: vain I vaihe

  @SHA-MAAILMA-2019-01 @liittyva @vaihe1
  Tapaus: Vuonna 2019 I vaiheen liittyvä järjestelmä tallentaa I vaiheen asiakirjan
    Oletetaan simulaattorin kello on "2019-06-01T12:00:00Z"
    Ja järjestelmä "liittyva-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja testihenkilö on "aikuinen"
    Ja asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa I vaiheen asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-MAAILMA-2019-02 @liittyva-vaihe2 @vaihe2 @virhe
  Tapaus: Vuonna 2019 II vaiheen profiilia ei vielä ole
    Oletetaan simulaattorin kello on "2019-06-01T12:00:00Z"
    Ja järjestelmä "liittyva2-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja testihenkilö on "aikuinen"
    Kun järjestelmä tallentaa II vaiheen asiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-D003"
    Ja arkiston sisältö ei muuttunut

  @SHA-MAAILMA-2019-03 @liittymisvelvoite @virhe
  Tapaus: Vuonna 2019 rakenteista asiakirjaa ei voi tallentaa ennen asiakastietolakia
    Oletetaan simulaattorin kello on "2019-06-01T12:00:00Z"
    Ja järjestelmä "liittymisvelvoite-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja testihenkilö on "aikuinen"
    Kun järjestelmä tallentaa rakenteisen asiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-D002"
    Ja arkiston sisältö ei muuttunut

  @SHA-MAAILMA-2019-04 @liittymisvelvoite @virhe
  Tapaus: Vuonna 2019 Kanta-informointia ei vielä kirjata arkistoon
    Oletetaan simulaattorin kello on "2019-06-01T12:00:00Z"
    Ja järjestelmä "liittymisvelvoite-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja testihenkilö on "aikuinen"
    Kun järjestelmä tallentaa Kanta-informoinnin
    Niin arkisto hylkää sanoman koodilla "SHA-D002"
    Ja arkiston sisältö ei muuttunut

  @SHA-MAAILMA-2019-05 @liittymisvelvoite @virhe
  Tapaus: Vuonna 2019 luovutushakua ei vielä ole
    Oletetaan simulaattorin kello on "2019-06-01T12:00:00Z"
    Ja järjestelmä "liittymisvelvoite-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja testihenkilö on "aikuinen"
    Kun järjestelmä tekee luovutushaun
    Niin arkisto hylkää sanoman koodilla "SHA-D002"
    Ja arkiston sisältö ei muuttunut

  # --- 2022: I ja II vaihe rinnakkain

  @SHA-MAAILMA-2022-01 @liittyva @vaihe1
  Tapaus: Vuonna 2022 I vaiheen profiili on vielä käytössä
    Oletetaan simulaattorin kello on "2022-06-01T12:00:00Z"
    Ja järjestelmä "liittyva-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja testihenkilö on "aikuinen"
    Ja asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa I vaiheen asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-MAAILMA-2022-02 @liittyva-vaihe2 @vaihe2
  Tapaus: Vuonna 2022 II vaiheen liittyvä järjestelmä tallentaa II vaiheen asiakirjan
    Oletetaan simulaattorin kello on "2022-06-01T12:00:00Z"
    Ja järjestelmä "liittyva2-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja testihenkilö on "aikuinen"
    Ja asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-MAAILMA-2022-03 @liittymisvelvoite @virhe
  Tapaus: Vuonna 2022 rakenteinen asiakirja odottaa vielä lakia
    Oletetaan simulaattorin kello on "2022-06-01T12:00:00Z"
    Ja järjestelmä "liittymisvelvoite-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja testihenkilö on "aikuinen"
    Kun järjestelmä tallentaa rakenteisen asiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-D002"
    Ja arkiston sisältö ei muuttunut

  # --- 2025-07: laki voimassa, I vaihe päättynyt, II vaihe vielä käytössä

  @SHA-MAAILMA-2025-01 @liittyva @vaihe1 @virhe
  Tapaus: Heinäkuussa 2025 I vaiheen profiili on poistunut käytöstä
    Oletetaan simulaattorin kello on "2025-07-01T12:00:00Z"
    Ja järjestelmä "liittyva-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja testihenkilö on "aikuinen"
    Kun järjestelmä tallentaa I vaiheen asiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-D003"
    Ja arkiston sisältö ei muuttunut

  @SHA-MAAILMA-2025-02 @liittyva-vaihe2 @vaihe2
  Tapaus: Heinäkuussa 2025 jo käyttöönotettu II vaiheen järjestelmä tallentaa vielä
    Oletetaan simulaattorin kello on "2025-07-01T12:00:00Z"
    Ja järjestelmä "liittyva2-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja testihenkilö on "aikuinen"
    Ja asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-MAAILMA-2025-03 @liittymisvelvoite
  Tapaus: Heinäkuussa 2025 liittymisvelvoitteen järjestelmä tallentaa rakenteisen asiakirjan
    Oletetaan simulaattorin kello on "2025-07-01T12:00:00Z"
    Ja järjestelmä "liittymisvelvoite-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja testihenkilö on "aikuinen"
    Ja asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa rakenteisen asiakirjan
    Niin arkisto hyväksyy sanoman

  # --- 2026-12: liittymisvelvoite, vain rakenteinen sisältö (ja vanhat asiakirjat)

  @SHA-MAAILMA-2026-01 @liittyva-vaihe2 @vaihe2 @virhe
  Tapaus: Joulukuussa 2026 II vaiheen profiili on poistunut käytöstä
    Oletetaan simulaattorin kello on "2026-12-01T12:00:00Z"
    Ja järjestelmä "liittyva2-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja testihenkilö on "aikuinen"
    Kun järjestelmä tallentaa II vaiheen asiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-D003"
    Ja arkiston sisältö ei muuttunut

  @SHA-MAAILMA-2026-02 @liittymisvelvoite @vaihe2 @virhe
  Tapaus: Joulukuussa 2026 II vaiheen sisältö ei enää kelpaa liittymisvelvoitteen järjestelmältäkään
    Oletetaan simulaattorin kello on "2026-12-01T12:00:00Z"
    Ja järjestelmä "liittymisvelvoite-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja testihenkilö on "aikuinen"
    Ja asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa II vaiheen asiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-D001"
    Ja arkiston sisältö ei muuttunut

  @SHA-MAAILMA-2026-03 @liittymisvelvoite @vanha
  Tapaus: Joulukuussa 2026 vanhoja asiakirjoja arkistoidaan edelleen
    Oletetaan simulaattorin kello on "2026-12-01T12:00:00Z"
    Ja järjestelmä "liittymisvelvoite-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja testihenkilö on "aikuinen"
    Kun järjestelmä tallentaa vanhan asiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-MAAILMA-2026-04 @liittymisvelvoite
  Tapaus: Joulukuussa 2026 rakenteinen asiakirja on tallennuksen muoto
    Oletetaan simulaattorin kello on "2026-12-01T12:00:00Z"
    Ja järjestelmä "liittymisvelvoite-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja testihenkilö on "aikuinen"
    Ja asiakkaalla on asiakkuus ja asia
    Kun järjestelmä tallentaa rakenteisen asiakirjan
    Niin arkisto hyväksyy sanoman
