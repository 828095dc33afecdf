# language: fi
# The catalogue's own checks must be able to fail: here the no-change check follows an
# accepted store, so it must report that the archive changed (harness/tests/catalogue.rs).
@itsetesti
Ominaisuus: Muuttumattomuuden tarkistus havaitsee muutoksen

  @SHA-ITSE-001
  Tapaus: Hyväksytty tallennus muuttaa arkistoa
    Oletetaan järjestelmä "liittymisvelvoite-atj" toimii rekisterinpitäjän "Testilä" puolesta
    Ja testihenkilö on "aikuinen"
    Kun järjestelmä tallentaa asiakkuusasiakirjan
    Niin arkisto hyväksyy sanoman
    Ja arkiston sisältö ei muuttunut
