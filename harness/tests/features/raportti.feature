# language: fi
# A small run whose three reports are compared with testdata/golden/ (harness/tests/catalogue.rs):
# one accepted message, one expected refusal and one scenario that fails.
@raportti
Ominaisuus: Raporttien vertailuajo

  Tausta:
    Oletetaan simulaattorin kello on "2026-11-20T12:00:00Z"
    Ja testihenkilö on "aikuinen"

  @SHA-RAPORTTI-001
  Tapaus: Hyväksytty tallennus
    Oletetaan järjestelmä "liittymisvelvoite-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Kun järjestelmä tallentaa asiakkuusasiakirjan
    Niin arkisto hyväksyy sanoman

  @SHA-RAPORTTI-002 @virhe
  Tapaus: Odotettu hylkäys
    Oletetaan järjestelmä "katseleva-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Kun järjestelmä tallentaa asiakkuusasiakirjan
    Niin arkisto hylkää sanoman koodilla "SHA-R402"
    Ja arkiston sisältö ei muuttunut

  @SHA-RAPORTTI-003
  Tapaus: Epäonnistuva tapaus
    Oletetaan järjestelmä "katseleva-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Kun järjestelmä tallentaa asiakkuusasiakirjan
    Niin arkisto hyväksyy sanoman
