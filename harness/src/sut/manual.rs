//! The manual mode: the harness prints what a human tester should record in
//! the vendor's system, in Finnish, then waits until the message arrives at the
//! simulator — the way joint testing and the deployment test are run.

use super::{Action, DocKind, QueryKind};
use crate::world::ShaWorld;

/// The instruction for a tester.
pub fn instruction(w: &ShaWorld, action: &Action) -> String {
    let who = format!("{} {} ({})", w.person.given_names, w.person.family_name, w.person.hetu);
    let what = match action {
        Action::Disclosure { statutory_right } => format!(
            "Tee luovutushaku: hae asiakkaan {who} muiden rekisterinpitäjien asiakirjat{}.",
            statutory_right.as_ref().map(|c| format!(" tiedonsaantioikeudella (peruste {c})")).unwrap_or_default()
        ),
        Action::QueryDeclarations => format!("Tarkista asiakkaan {who} Kanta-informointi, luovutuslupa ja luovutuskiellot arkistosta."),
        Action::StoreForOrganiser { organiser, document, .. } => {
            let what = match document.as_deref() {
                Some("asiakkuus") => "asiakkuusasiakirja".to_string(),
                Some("asia") => "asia-asiakirja".to_string(),
                Some(t) => format!("rakenteinen asiakirja (asiakirjatyyppi {t})"),
                None => "rakenteinen asiakirja".to_string(),
            };
            format!("Tallenna palveluntuottajana {what} asiakkaalle {who} rekisterinpitäjän {organiser} rekisteriin.")
        }
        Action::QueryOrganiser { organiser } => format!("Hae palveluntuottajana asiakkaan {who} tiedot palvelunjärjestäjän {organiser} rekisteristä."),
        Action::EndProviderPeriod { end } => format!("Päätä palveluntuottajan asiakkuus asiakkaan {who} asiakkuusasiakirjassa päivämäärällä {end} (uusi versio)."),
        Action::Store { document, defect } => {
            let base = match document {
                DocKind::Informing => format!("Kirjaa, että testihenkilölle {who} on annettu Kanta-informointi."),
                DocKind::Consent(yes) => format!("Kirjaa testihenkilön {who} luovutuslupa: {}.", if *yes { "kyllä" } else { "ei" }),
                DocKind::Prohibition(_) => format!("Kirjaa testihenkilön {who} luovutuskielto (ks. testitapaus)."),
                DocKind::Structure { oid, full } => format!(
                    "Tallenna testihenkilölle {who} rakenteen {oid} mukainen asiakirja ({}).",
                    if *full { "kaikki kentät täytettyinä" } else { "vain pakolliset kentät" }
                ),
                DocKind::ClienthoodWithProvider { unit, start, .. } => format!("Kirjaa testihenkilön {who} asiakkuuteen palveluntuottajan palveluyksikkö {unit} alkaen {start}."),
                DocKind::Asiakkuus => format!("Kirjaa asiakkuus testihenkilölle {who}."),
                DocKind::Asia => format!("Avaa uusi asia testihenkilölle {who}."),
                DocKind::Client(_) => format!(
                    "Tallenna {} testihenkilölle {who}{}.",
                    document.finnish(),
                    w.case_id.as_ref().map(|c| format!(" asiaan {c}")).unwrap_or_default()
                ),
            };
            match defect {
                Some(d) => format!("{base} Tee asiakirjaan tarkoituksellinen virhe: {d} (ks. docs/adapter.md)."),
                None => base,
            }
        }
        Action::NewVersion { defect } => format!(
            "Korjaa viimeksi tallennettua asiakirjaa ({}) ja tallenna siitä uusi versio{}.",
            w.last_document.clone().unwrap_or_default(),
            defect.as_ref().map(|d| format!(" virheellä {d}")).unwrap_or_default()
        ),
        Action::Invalidate => format!("Mitätöi asiakirja {} ja anna syy.", w.last_document.clone().unwrap_or_default()),
        Action::Query { query, .. } => match query {
            QueryKind::Clienthood => format!("Hae asiakkaan {who} asiakkuustiedot arkistosta."),
            QueryKind::Case => format!("Hae asiakkaan {who} asiat arkistosta."),
            QueryKind::Metadata => format!("Hae asiakkaan {who} asiakirjojen tiedot arkistosta."),
            QueryKind::Document => format!("Avaa arkistosta asiakirja {}.", w.last_document.clone().unwrap_or_default()),
            QueryKind::Kooste => format!("Avaa asiakkaan {who} kooste (asiakastietojen yhteenveto)."),
        },
    };
    format!(
        "\n[{}] Testaaja: käytä järjestelmää {} rekisterinpitäjän {} puolesta.\n    {what}\n    Odotetaan sanomaa simulaattorille …",
        w.case_tag, w.system, w.org.controller
    )
}

/// Prints the instruction.
pub fn instruct(w: &ShaWorld, action: &Action) {
    println!("{}", instruction(w, action));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sut::ModelName;

    #[test]
    fn instruction_names_person_system_and_case() {
        let mut w = crate::world::ShaWorld::with(
            None,
            "liittymisvelvoite-atj",
            sha_simulator::compose::kit::Organisation::testila(),
            sha_simulator::persons::TestPersons::builtin().get("aikuinen").expect("p").clone(),
        );
        w.case_tag = "SHA-X-1".into();
        w.case_id = Some("1.2.3".into());
        let t = instruction(&w, &Action::Store { document: DocKind::Client(ModelName::Vaihe2), defect: None });
        assert!(
            t.contains("[SHA-X-1]")
                && t.contains("liittymisvelvoite-atj")
                && t.contains("010181-900C")
                && t.contains("asiaan 1.2.3"),
            "{t}"
        );
        assert!(t.contains("II vaiheen asiakirja"));
    }
}
