//! Step definitions, one file per area. Every step reads in Finnish (as Kela's
//! test cases are written) and accepts the English phrasing too.

pub mod checks;
pub mod connectivity;
pub mod law;
pub mod samples;
pub mod setup;
pub mod using;

use sha_simulator::compose::kit::Organisation;

/// A controller by its short Finnish name or OID.
pub fn organisation(name: &str) -> Result<Organisation, String> {
    let all = [
        ("Testilä", Organisation::testila()),
        ("Testikylä", Organisation::testikyla()),
        ("Testimaa", Organisation::testimaa()),
        ("Testimaan hyvinvointialue", Organisation::hyvinvointialue()),
        ("Toinen hyvinvointialue", Organisation::toinen_hyvinvointialue()),
        ("Hoivapalvelu", Organisation::hoivapalvelu()),
        ("Pienpalvelu", Organisation::pienpalvelu()),
        ("Palvelukeskus", Organisation::palvelukeskus()),
        ("Turvakoti", Organisation::turvakoti()),
        ("THL", Organisation::thl_turvakotirekisteri()),
    ];
    all.iter()
        .find(|(n, o)| n.eq_ignore_ascii_case(name) || o.controller == name)
        .map(|(_, o)| o.clone())
        .ok_or_else(|| format!("tuntematon rekisterinpitäjä '{name}' — unknown controller (use Testilä, Testikylä, Testimaa or an OID)"))
}

/// Fails a step with a message (steps report failures by panicking, as cucumber expects).
#[track_caller]
pub fn check(r: Result<(), String>) {
    if let Err(e) = r {
        panic!("{e}");
    }
}

static SYSTEM_OVERRIDE: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// With `--system NAME`, steps naming another system of the same profile act as NAME.
pub fn set_system_override(system: Option<String>) {
    *SYSTEM_OVERRIDE.lock().unwrap_or_else(|p| p.into_inner()) = system;
}

/// The system to use for `named` acting for `controller`.
pub fn effective_system(registry: &sha_simulator::registry::Registry, named: &str, controller: &str) -> String {
    let Some(over) = SYSTEM_OVERRIDE.lock().unwrap_or_else(|p| p.into_inner()).clone() else {
        return named.to_string();
    };
    let profile_of = |s: &str| registry.by_name(s).and_then(|x| x.profile_for(controller));
    match (profile_of(named), profile_of(&over)) {
        (Some(a), Some(b)) if a == b => over,
        _ => named.to_string(),
    }
}
