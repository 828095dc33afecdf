//! Given-steps: who acts, for whom, when, and what the archive already holds.

use cucumber::given;

use super::{check, organisation};
use crate::sut::builtin;
use crate::sut::{DocKind, ModelName};
use crate::world::ShaWorld;
use sha_simulator::compose::kit::new_oid;
use sha_simulator::persons::TestPersons;

#[given(
    regex = r#"^(?:järjestelmä|the system) "([^"]+)" (?:toimii rekisterinpitäjän|acts for controller) "([^"]+)"(?: puolesta)?$"#
)]
async fn system_acts_for(w: &mut ShaWorld, system: String, controller: String) {
    check((|| {
        let ctx = w.ctx()?;
        if ctx.registry.by_name(&system).is_none() && !ctx.registry.unregistered().iter().any(|u| u.name == system) {
            return Err(format!("järjestelmää '{system}' ei ole rekisterissä — no system '{system}' in the registry"));
        }
        w.org = organisation(&controller)?;
        w.system = super::effective_system(&ctx.registry, &system, &w.org.controller);
        Ok(())
    })());
}

#[given(regex = r#"^(?:simulaattorin kello on|the simulator clock is) "([^"]+)"$"#)]
async fn clock_is(w: &mut ShaWorld, at: String) {
    let r = async {
        let ctx = w.ctx()?;
        ctx.admin_call(reqwest::Method::PUT, "/admin/clock", Some(serde_json::json!({"now": at, "freeze": false})))
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    }
    .await;
    check(r);
}

#[given(regex = r#"^(?:arkistoon on asetettu vikasääntö|the archive has the fault rule) "([^"]+)"$"#)]
async fn fault_rule(w: &mut ShaWorld, kind: String) {
    let r = async {
        let action = match kind.as_str() {
            "soap-virhe" | "soap-fault" => serde_json::json!({"kind": "soap_fault"}),
            "hl7-hylkäys" | "hl7-reject" => serde_json::json!({"kind": "hl7_reject"}),
            "http-503" => serde_json::json!({"kind": "http_status", "status": 503}),
            other => return Err(format!("tuntematon vikasääntö '{other}' (soap-virhe, hl7-hylkäys, http-503)")),
        };
        let rule = serde_json::json!({"system": w.system, "action": action, "count": 1});
        w.ctx()?.admin_call(reqwest::Method::POST, "/admin/faults", Some(rule)).await.map_err(|e| e.to_string())?;
        Ok(())
    }
    .await;
    check(r);
}

#[given(regex = r#"^(?:testihenkilö on|the test person is) "([^"]+)"$"#)]
async fn person_is(w: &mut ShaWorld, key: String) {
    match TestPersons::builtin().get(&key) {
        Some(p) => w.person = p.clone(),
        None => panic!("tuntematon testihenkilö '{key}' — unknown test person (see testdata/persons.toml)"),
    }
}

#[given(regex = r"^(?:asiakkaalla on asiakkuus|the client has a clienthood)$")]
async fn has_clienthood(w: &mut ShaWorld) {
    check(builtin::arrange(w, DocKind::Asiakkuus).await);
}

#[given(regex = r"^(?:asiakkaalla on asiakkuus ja asia|the client has a clienthood and a case)$")]
async fn has_clienthood_and_case(w: &mut ShaWorld) {
    let r = async {
        builtin::arrange(w, DocKind::Asiakkuus).await?;
        w.case_id = Some(new_oid());
        builtin::arrange(w, DocKind::Asia).await?;
        Ok(())
    }
    .await;
    check(r);
}

/// A model from its Finnish or English name in a step.
pub fn model(s: &str) -> Result<ModelName, String> {
    Ok(match s {
        "I vaiheen" | "phase I" => ModelName::Vaihe1,
        "II vaiheen" | "phase II" => ModelName::Vaihe2,
        "rakenteinen" | "rakenteisen" | "structured" => ModelName::Liittymisvelvoite,
        "vanha" | "vanhan" | "old" => ModelName::Vanha,
        other => return Err(format!("unknown document model '{other}'")),
    })
}

#[given(
    regex = r"^(?:asiakkaalla on tallennettu|the client has a stored) (I vaiheen|II vaiheen|rakenteinen|vanha|phase I|phase II|structured|old) (?:asiakirja|document)$"
)]
async fn has_document(w: &mut ShaWorld, m: String) {
    let r = async {
        let m = model(&m)?;
        builtin::arrange(w, DocKind::Client(m)).await?;
        Ok(())
    }
    .await;
    check(r);
}
