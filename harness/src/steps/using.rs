//! When-steps: the system under test acts (through whichever driver the run uses).

use cucumber::when;

use super::check;
use super::setup::model;
use crate::sut::{Action, DocKind, QueryKind};
use crate::world::ShaWorld;

fn kind(s: &str) -> Result<DocKind, String> {
    Ok(match s {
        "asiakkuusasiakirjan" | "clienthood document" => DocKind::Asiakkuus,
        "asia-asiakirjan" | "case document" => DocKind::Asia,
        other => {
            let m = other.trim_end_matches(" asiakirjan").trim_end_matches(" document");
            DocKind::Client(model(m)?)
        }
    })
}

async fn act(w: &mut ShaWorld, action: Action) {
    let sut = match w.shared() {
        Ok(s) => s.sut.clone(),
        Err(e) => panic!("{e}"),
    };
    check(sut.perform(w, action).await);
}

#[when(
    regex = r#"^(?:järjestelmä tallentaa rakenteen "([^"]+)" (suppean|täyden) asiakirjan|the system stores a (minimal|full) document of structure "([^"]+)")$"#
)]
async fn stores_structure(w: &mut ShaWorld, fi_oid: String, fi_size: String, en_size: String, en_oid: String) {
    let oid = if fi_oid.is_empty() { en_oid } else { fi_oid };
    let full = fi_size == "täyden" || en_size == "full";
    act(w, Action::Store { document: DocKind::Structure { oid, full }, defect: None }).await;
}

#[when(
    regex = r#"^(?:järjestelmä tallentaa rakenteen|the system stores structure) "([^"]+)" (suppean|täyden|minimal|full) (?:asiakirjan rekisterinpitäjän|document into the register of) "([^"]+)"(?: rekisteriin)?$"#
)]
async fn stores_structure_for_register(w: &mut ShaWorld, oid: String, size: String, name: String) {
    let org = super::organisation(&name).unwrap_or_else(|e| panic!("{e}"));
    let full = size == "täyden" || size == "full";
    act(w, Action::StoreForOrganiser { organiser: org.controller, document: Some(oid), full }).await;
}

#[when(
    regex = r"^(?:järjestelmä tallentaa|the system stores an?) (asiakkuusasiakirjan|asia-asiakirjan|I vaiheen asiakirjan|II vaiheen asiakirjan|rakenteisen asiakirjan|vanhan asiakirjan|clienthood document|case document|phase I document|phase II document|structured document|old document)$"
)]
async fn stores(w: &mut ShaWorld, what: String) {
    let k = kind(&what).unwrap_or_else(|e| panic!("{e}"));
    act(w, Action::Store { document: k, defect: None }).await;
}

#[when(
    regex = r#"^(?:järjestelmä tallentaa|the system stores an?) (asiakkuusasiakirjan|asia-asiakirjan|I vaiheen asiakirjan|II vaiheen asiakirjan|rakenteisen asiakirjan|vanhan asiakirjan|clienthood document|case document|phase I document|phase II document|structured document|old document) (?:virheellä|with defect) "([^"]+)"$"#
)]
async fn stores_with_defect(w: &mut ShaWorld, what: String, defect: String) {
    let k = kind(&what).unwrap_or_else(|e| panic!("{e}"));
    act(w, Action::Store { document: k, defect: Some(defect) }).await;
}

#[when(
    regex = r"^(?:järjestelmä tallentaa asiakirjasta uuden version|the system stores a new version of the document)$"
)]
async fn new_version(w: &mut ShaWorld) {
    act(w, Action::NewVersion { defect: None }).await;
}

#[when(
    regex = r#"^(?:järjestelmä tallentaa asiakirjasta uuden version virheellä|the system stores a new version of the document with defect) "([^"]+)"$"#
)]
async fn new_version_with_defect(w: &mut ShaWorld, defect: String) {
    act(w, Action::NewVersion { defect: Some(defect) }).await;
}

#[when(regex = r"^(?:järjestelmä mitätöi asiakirjan|the system invalidates the document)$")]
async fn invalidates(w: &mut ShaWorld) {
    act(w, Action::Invalidate).await;
}

fn query_kind(s: &str) -> QueryKind {
    match s {
        "asiakkuudet" | "clienthoods" => QueryKind::Clienthood,
        "asiat" | "cases" => QueryKind::Case,
        "asiakirjojen metatiedot" | "document metadata" => QueryKind::Metadata,
        "asiakirjan" | "the document" => QueryKind::Document,
        _ => QueryKind::Kooste,
    }
}

#[when(
    regex = r"^(?:järjestelmä hakee|the system queries) (asiakkuudet|asiat|asiakirjojen metatiedot|asiakirjan|koosteen|clienthoods|cases|document metadata|the document|the kooste)$"
)]
async fn queries(w: &mut ShaWorld, what: String) {
    act(w, Action::Query { query: query_kind(&what), include_invalidated: false, include_old_versions: false }).await;
}

#[when(
    regex = r"^(?:järjestelmä hakee|the system queries) (asiakirjojen metatiedot|asiakirjan|document metadata|the document) (?:mitätöidyt mukaan|including invalidated)$"
)]
async fn queries_with_invalidated(w: &mut ShaWorld, what: String) {
    act(w, Action::Query { query: query_kind(&what), include_invalidated: true, include_old_versions: false }).await;
}

#[when(
    regex = r"^(?:järjestelmä hakee|the system queries) (asiakirjojen metatiedot|document metadata) (?:vanhat versiot mukaan|including old versions)$"
)]
async fn queries_with_versions(w: &mut ShaWorld, what: String) {
    act(w, Action::Query { query: query_kind(&what), include_invalidated: false, include_old_versions: true }).await;
}
