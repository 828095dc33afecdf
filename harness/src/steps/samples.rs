//! The archive's answers to the repository's sample documents (`testdata/documents`): the
//! valid ones in order as a background, then one broken sample per scenario, each sent as the
//! system, acting organisation and clock its `sample.toml` names. These messages are sent by
//! the harness itself whatever `--sut` says: they show a vendor what the archive answers to
//! each defect, so that the vendor's own system can be made to meet it.

use cucumber::{given, when};

use super::check;
use crate::world::ShaWorld;
use sha_simulator::samples::{self, Sample};

fn load(w: &ShaWorld) -> Result<Vec<Sample>, String> {
    let root = w.shared()?.testdata.join("documents");
    samples::load_all(&root).map_err(|e| format!("näytteitä ei voi lukea — cannot read the samples: {e}"))
}

/// Sends one sample as its system on its clock; the answer is observed like any other message.
async fn send(w: &mut ShaWorld, s: &Sample) -> Result<(), String> {
    let ctx = w.ctx()?;
    let at = s.meta.clock.format(&time::format_description::well_known::Rfc3339).map_err(|e| e.to_string())?;
    ctx.admin_call(reqwest::Method::PUT, "/admin/clock", Some(serde_json::json!({"now": at, "freeze": true})))
        .await
        .map_err(|e| e.to_string())?;
    w.system = s.meta.system.clone();
    w.mark().await?;
    let device = ctx.device_of(&s.meta.system);
    let text = s.request(&device, s.meta.clock, Some(&ctx.certs)).map_err(|e| e.to_string())?;
    let client = ctx.client(&s.meta.system)?;
    let _ = client.send(sha_simulator::wire::soap::SoapVersion::V11, text).await;
    w.observe(std::time::Duration::from_secs(5)).await.map(|_| ())
}

#[given(regex = r"^(?:arkistoon on tallennettu kelvolliset näytteet|the valid samples are stored)$")]
async fn valid_samples(w: &mut ShaWorld) {
    let r = async {
        let all = load(w)?;
        for s in all.iter().filter(|s| s.name.starts_with("valid/") && s.meta.expect_codes.is_empty()) {
            send(w, s).await?;
            let o = w.last()?;
            if o.outcome != "accepted" {
                return Err(format!("esiehto: näyte {} hylättiin — precondition refused: {:?}", s.name, o.codes));
            }
        }
        Ok(())
    }
    .await;
    check(r);
}

#[when(regex = r#"^(?:lähetetään näyte|the sample is sent) "([^"]+)"$"#)]
async fn sample_sent(w: &mut ShaWorld, name: String) {
    let r = async {
        let all = load(w)?;
        let s = all
            .iter()
            .find(|s| s.name == name || s.name.rsplit('/').next() == Some(name.as_str()))
            .ok_or_else(|| format!("näytettä '{name}' ei ole — no sample '{name}' under testdata/documents"))?
            .clone();
        send(w, &s).await
    }
    .await;
    check(r);
}
