//! Steps for the Client Data Act: declarations of intent, disclosure queries,
//! the disclosure log and the register access right.

use cucumber::{given, then, when};

use super::{check, organisation};
use crate::sut::builtin;
use crate::sut::{Action, DocKind, ProhibitionSpec};
use crate::world::ShaWorld;
use sha_simulator::compose::kit::new_oid;

async fn arrange(w: &mut ShaWorld, kind: DocKind) {
    check(builtin::arrange(w, kind).await);
}

async fn act(w: &mut ShaWorld, action: Action) {
    let sut = match w.shared() {
        Ok(s) => s.sut.clone(),
        Err(e) => panic!("{e}"),
    };
    check(sut.perform(w, action).await);
}

#[given(regex = r"^(?:asiakkaalla on asia|the client has a case)$")]
async fn has_case(w: &mut ShaWorld) {
    w.case_id = Some(new_oid());
    arrange(w, DocKind::Asia).await;
}

#[given(regex = r"^(?:asiakkaalle on annettu Kanta-informointi|the client has been given Kanta information)$")]
async fn informed(w: &mut ShaWorld) {
    arrange(w, DocKind::Informing).await;
}

#[given(regex = r"^(?:asiakas on antanut luovutusluvan|the client has given disclosure consent)$")]
async fn consented(w: &mut ShaWorld) {
    arrange(w, DocKind::Consent(true)).await;
}

#[given(regex = r"^(?:asiakas on kieltäytynyt luovutusluvasta|the client has refused disclosure consent)$")]
async fn refused(w: &mut ShaWorld) {
    arrange(w, DocKind::Consent(false)).await;
}

#[given(
    regex = r#"^(?:asiakas on kieltänyt rekisterinpitäjän|the client has prohibited disclosing the data of controller) "([^"]+)"(?: tietojen luovutuksen)?$"#
)]
async fn prohibits_controller(w: &mut ShaWorld, name: String) {
    let org = organisation(&name).unwrap_or_else(|e| panic!("{e}"));
    arrange(w, DocKind::Prohibition(ProhibitionSpec { controllers: vec![org.controller], ..Default::default() })).await;
}

#[given(
    regex = r#"^(?:asiakas on kieltänyt palvelutehtävän|the client has prohibited disclosing the data of service task) "([^"]+)"(?: tietojen luovutuksen)?$"#
)]
async fn prohibits_task(w: &mut ShaWorld, task: String) {
    arrange(w, DocKind::Prohibition(ProhibitionSpec { service_tasks: vec![task], ..Default::default() })).await;
}

#[given(
    regex = r"^(?:asiakas on kieltänyt viimeisimmän asiakirjan luovutuksen|the client has prohibited disclosing the newest document)$"
)]
async fn prohibits_document(w: &mut ShaWorld) {
    arrange(w, DocKind::Prohibition(ProhibitionSpec { documents: vec!["newest".into()], ..Default::default() })).await;
}

#[given(
    regex = r#"^(?:asiakkuus listaa palveluntuottajan|the clienthood lists provider) "([^"]+)" (?:alkaen|from) "([^"]+)"$"#
)]
async fn lists_provider(w: &mut ShaWorld, provider: String, start: String) {
    let org = organisation(&provider).unwrap_or_else(|e| panic!("{e}"));
    arrange(w, DocKind::ClienthoodWithProvider { unit: org.service_unit, start, end: None }).await;
}

#[when(regex = r"^(?:järjestelmä tallentaa Kanta-informoinnin|the system stores the Kanta information record)$")]
async fn stores_informing(w: &mut ShaWorld) {
    act(w, Action::Store { document: DocKind::Informing, defect: None }).await;
}

#[when(regex = r"^(?:järjestelmä tallentaa luovutusluvan|the system stores a disclosure consent)$")]
async fn stores_consent(w: &mut ShaWorld) {
    act(w, Action::Store { document: DocKind::Consent(true), defect: None }).await;
}

#[when(regex = r"^(?:järjestelmä tallentaa kielteisen luovutusluvan|the system stores a consent saying no)$")]
async fn stores_refusal(w: &mut ShaWorld) {
    act(w, Action::Store { document: DocKind::Consent(false), defect: None }).await;
}

#[when(
    regex = r#"^(?:järjestelmä tallentaa luovutusluvan virheellä|the system stores a disclosure consent with defect) "([^"]+)"$"#
)]
async fn stores_consent_with_defect(w: &mut ShaWorld, defect: String) {
    act(w, Action::Store { document: DocKind::Consent(true), defect: Some(defect) }).await;
}

#[when(regex = r"^(?:järjestelmä tallentaa luovutuskiellon|the system stores a disclosure prohibition)$")]
async fn stores_prohibition(w: &mut ShaWorld) {
    act(
        w,
        Action::Store {
            document: DocKind::Prohibition(ProhibitionSpec { service_tasks: vec!["15".into()], ..Default::default() }),
            defect: None,
        },
    )
    .await;
}

#[when(regex = r"^(?:järjestelmä hakee tahdonilmaisut|the system queries the declarations)$")]
async fn queries_declarations(w: &mut ShaWorld) {
    act(w, Action::QueryDeclarations).await;
}

#[when(regex = r"^(?:järjestelmä tekee luovutushaun|the system makes a disclosure query)$")]
async fn disclosure(w: &mut ShaWorld) {
    act(w, Action::Disclosure { statutory_right: None }).await;
}

#[when(
    regex = r#"^(?:järjestelmä tekee luovutushaun tiedonsaantioikeudella|the system makes a disclosure query under statutory right) "([^"]*)"$"#
)]
async fn disclosure_statutory(w: &mut ShaWorld, code: String) {
    act(w, Action::Disclosure { statutory_right: Some(code) }).await;
}

#[when(
    regex = r#"^(?:järjestelmä tallentaa asiakirjan järjestäjän|the system stores a document into the register of organiser) "([^"]+)"(?: rekisteriin)?$"#
)]
async fn stores_for_organiser(w: &mut ShaWorld, name: String) {
    let org = organisation(&name).unwrap_or_else(|e| panic!("{e}"));
    act(w, Action::StoreForOrganiser { organiser: org.controller, document: None, full: false }).await;
}

#[when(
    regex = r#"^(?:järjestelmä tallentaa asiakirjatyypin|the system stores a document of type) "([^"]+)" (?:asiakirjan rekisterinpitäjän|into the register of) "([^"]+)"(?: rekisteriin)?$"#
)]
async fn stores_type_for_register(w: &mut ShaWorld, doc_type: String, name: String) {
    let org = organisation(&name).unwrap_or_else(|e| panic!("{e}"));
    act(w, Action::StoreForOrganiser { organiser: org.controller, document: Some(doc_type), full: false }).await;
}

#[given(
    regex = r#"^(?:järjestelmä on kirjannut asiakkuuden ja asian rekisterinpitäjän|the system has recorded a clienthood and a case in the register of) "([^"]+)"(?: rekisteriin)?$"#
)]
async fn frame_in_register(w: &mut ShaWorld, name: String) {
    let org = organisation(&name).unwrap_or_else(|e| panic!("{e}"));
    for what in ["asiakkuus", "asia"] {
        if what == "asia" {
            w.case_id = Some(new_oid());
        }
        act(
            w,
            Action::StoreForOrganiser { organiser: org.controller.clone(), document: Some(what.into()), full: false },
        )
        .await;
        check((|| {
            let o = w.last()?;
            if o.outcome == "accepted" {
                Ok(())
            } else {
                Err(format!("esiehto: {what} rekisteriin {name} hylättiin — precondition refused: {:?}", o.codes))
            }
        })());
    }
}

#[when(
    regex = r#"^(?:järjestelmä hakee järjestäjän|the system queries the register of organiser) "([^"]+)"(?: rekisteristä)?$"#
)]
async fn queries_organiser(w: &mut ShaWorld, name: String) {
    let org = organisation(&name).unwrap_or_else(|e| panic!("{e}"));
    act(w, Action::QueryOrganiser { organiser: org.controller }).await;
}

#[given(
    regex = r#"^(?:järjestäjä on päättänyt palveluntuottajan asiakkuuden|the organiser has ended the provider's period on) "([^"]+)"$"#
)]
async fn ended_period(w: &mut ShaWorld, end: String) {
    act(w, Action::EndProviderPeriod { end }).await;
    check((|| {
        let o = w.last()?;
        if o.outcome == "accepted" {
            Ok(())
        } else {
            Err(format!("esiehto: asiakkuuden päättäminen hylättiin — precondition refused: {:?}", o.codes))
        }
    })());
}

/// The disclosure log (luovutusloki) entries the simulator holds for the
/// scenario's client, oldest first, read through the admin API.
async fn disclosure_log(w: &ShaWorld) -> Result<Vec<serde_json::Value>, String> {
    let ctx = w.ctx()?;
    let v = ctx.admin_get(&format!("/admin/disclosures?client={}", w.person.hetu)).await.map_err(|e| e.to_string())?;
    Ok(v["disclosures"].as_array().cloned().unwrap_or_default())
}

#[then(regex = r"^(?:luovutuslokissa on|the disclosure log holds) (\d+) (?:merkintää|merkintä|entries|entry)$")]
async fn log_holds(w: &mut ShaWorld, n: usize) {
    let r = async {
        let got = disclosure_log(w).await?.len();
        if got == n {
            Ok(())
        } else {
            Err(format!("luovutuslokissa on {got} merkintää, odotettiin {n}"))
        }
    }
    .await;
    check(r);
}

#[then(regex = r#"^(?:luovutuslokin viimeisin peruste on|the newest disclosure basis is) "([^"]+)"$"#)]
async fn log_basis(w: &mut ShaWorld, basis: String) {
    let r = async {
        let log = disclosure_log(w).await?;
        let got = log.last().map(|e| e["basis"]["basis"].as_str().unwrap_or("").to_string()).unwrap_or_default();
        let want = match basis.as_str() {
            "lupa" | "consent" => "consent",
            _ => "statutory_right",
        };
        if got == want {
            Ok(())
        } else {
            Err(format!("peruste '{got}', odotettiin '{want}'"))
        }
    }
    .await;
    check(r);
}

#[then(regex = r#"^(?:voimassa oleva luovutuslupa on|the consent in force is) "([^"]+)"$"#)]
async fn consent_in_force(w: &mut ShaWorld, value: String) {
    check((|| {
        let o = w.last()?;
        let got = o
            .answer
            .as_ref()
            .and_then(|a| a.payload.iter().find(|p| p.name == "declarations"))
            .and_then(|d| d.child("consent"))
            .and_then(|c| c.attr("value"))
            .unwrap_or("")
            .to_string();
        let want = match value.as_str() {
            "kyllä" | "yes" => "true",
            "ei" | "no" => "false",
            _ => "none",
        };
        if got == want {
            Ok(())
        } else {
            Err(format!("luovutuslupa '{got}', odotettiin '{want}'"))
        }
    })());
}
