//! Then-steps: verdicts, always from what the simulator journalled and answered.

use cucumber::gherkin::Step;
use cucumber::then;

use super::check;
use crate::world::ShaWorld;

fn describe(w: &ShaWorld) -> String {
    match &w.observed {
        Some(o) => format!(
            "simulaattori vastasi {} {:?} (journal #{}){}",
            o.ack.clone().unwrap_or_else(|| o.outcome.clone()),
            o.codes,
            o.seq,
            o.answer.as_ref().map(|a| format!(" — {}", a.texts.join(" | "))).unwrap_or_default()
        ),
        None => "ei havaittua sanomaa".into(),
    }
}

/// Passes when the last observation satisfies `ok`; otherwise fails with `expected` and what the simulator answered.
fn verdict(w: &ShaWorld, ok: impl Fn(&crate::world::Observation) -> bool, expected: String) {
    check(w.last().and_then(|o| if ok(o) { Ok(()) } else { Err(format!("{expected}; {}", describe(w))) }));
}

#[then(regex = r"^(?:arkisto hyväksyy sanoman|the archive accepts the message)$")]
async fn accepts(w: &mut ShaWorld) {
    verdict(
        w,
        |o| o.outcome == "accepted" && o.codes.iter().all(|c| !c.starts_with("SHA-R") && !c.starts_with("SHA-T")),
        "odotettiin hyväksyntää (AA) — expected AA".into(),
    );
}

#[then(
    regex = r#"^(?:arkisto hyväksyy sanoman varoituksella|the archive accepts the message with warning) "([^"]+)"$"#
)]
async fn accepts_with_warning(w: &mut ShaWorld, code: String) {
    verdict(w, |o| o.outcome == "accepted" && o.codes.contains(&code), format!("odotettiin AA ja varoitus {code}"));
}

#[then(regex = r#"^(?:arkisto hylkää sanoman koodilla|the archive rejects the message with code) "([^"]+)"$"#)]
async fn rejects(w: &mut ShaWorld, code: String) {
    verdict(
        w,
        |o| matches!(o.outcome.as_str(), "application_error" | "rejected" | "fault") && o.codes.contains(&code),
        format!("odotettiin hylkäystä koodilla {code} — expected a rejection with {code}"),
    );
}

#[then(regex = r"^(?:arkiston sisältö ei muuttunut|the archive's content did not change)$")]
async fn unchanged(w: &mut ShaWorld) {
    let r = async {
        let before = w.before.clone().ok_or("no message was sent in this scenario")?;
        let now = w.archive_content().await?;
        if before == now {
            return Ok(());
        }
        let ids = |s: &str| -> Vec<String> {
            let v: serde_json::Value = serde_json::from_str(s).unwrap_or_default();
            v["documents"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|d| format!("{} ({})", d["id"].as_str().unwrap_or("?"), d["status"].as_str().unwrap_or("?")))
                        .collect()
                })
                .unwrap_or_default()
        };
        Err(format!(
            "arkiston sisältö muuttui hylätyn sanoman jälkeen — the archive changed after a refused message: ennen/before {:?}, nyt/now {:?}; {}",
            ids(&before),
            ids(&now),
            describe(w)
        ))
    }
    .await;
    check(r);
}

#[then(regex = r#"^(?:arkisto vastaa SOAP-virheellä|the archive answers with a SOAP fault) "([^"]+)"$"#)]
async fn soap_fault(w: &mut ShaWorld, code: String) {
    verdict(w, |o| o.outcome == "fault" && o.codes.contains(&code), format!("odotettiin SOAP-virhettä {code}"));
}

#[then(regex = r"^(?:yhteys torjutaan TLS-kättelyssä|the connection is refused in the TLS handshake)$")]
async fn tls_refused(w: &mut ShaWorld) {
    verdict(w, |o| o.outcome == "tls_refused", "odotettiin TLS-kättelyn torjuntaa".into());
}

#[then(regex = r#"^(?:torjunnan syy mainitsee|the refusal reason mentions) "([^"]+)"$"#)]
async fn refusal_reason(w: &mut ShaWorld, text: String) {
    check((|| {
        let o = w.last()?;
        let reason = o.refusal.clone().unwrap_or_default();
        if reason.to_lowercase().contains(&text.to_lowercase()) {
            Ok(())
        } else {
            Err(format!("torjunnan syy '{reason}' ei mainitse '{text}'"))
        }
    })());
}

#[then(regex = r"^(?:vastauksessa on|the answer holds) (\d+) (?:asiakirjaa?|documents?)$")]
async fn answer_holds(w: &mut ShaWorld, n: usize) {
    check((|| {
        let o = w.last()?;
        let got = o.answer.as_ref().map(|a| a.document_ids().len()).unwrap_or(0);
        if got == n {
            Ok(())
        } else {
            Err(format!("vastauksessa on {got} asiakirjaa, odotettiin {n}; {}", describe(w)))
        }
    })());
}

#[then(
    regex = r"^(?:kooste sisältää|the kooste holds) (\d+) (?:asiakkuutta|clienthoods?), (\d+) (?:asiaa|cases?) (?:ja|and) (\d+) (?:asiakirjaa|documents?)$"
)]
async fn kooste_holds(w: &mut ShaWorld, h: usize, c: usize, d: usize) {
    check((|| {
        let o = w.last()?;
        let k = o
            .answer
            .as_ref()
            .and_then(|a| a.payload.iter().find(|p| p.name == "kooste"))
            .ok_or_else(|| format!("vastauksessa ei ole koostetta; {}", describe(w)))?;
        let count = |s: &str| {
            k.child(s).and_then(|e| e.attr("count")).and_then(|v| v.parse::<usize>().ok()).unwrap_or(usize::MAX)
        };
        let got = (count("clienthoods"), count("cases"), count("documents"));
        if got == (h, c, d) {
            Ok(())
        } else {
            Err(format!("kooste: {got:?}, odotettiin {:?}", (h, c, d)))
        }
    })());
}

#[then(regex = r"^(?:kuittaus nimeää lähetetyn sanoman|the acknowledgement names the sent message)$")]
async fn ack_names_message(w: &mut ShaWorld) {
    check((|| {
        let o = w.last()?;
        let id = o.message_id.clone().ok_or("journal has no message id")?;
        let body = o.answer.as_ref().map(|a| a.body.clone()).unwrap_or_default();
        let ext = id.rsplit(':').next().unwrap_or(&id);
        if body.contains("targetMessage") && body.contains(ext) {
            Ok(())
        } else {
            Err(format!("kuittauksen targetMessage ei nimeä sanomaa {id}"))
        }
    })());
}

#[then(
    regex = r"^(?:kuittaus on leimattu simulaattorin kellolla|the acknowledgement is stamped with the simulator clock)$"
)]
async fn ack_stamped(w: &mut ShaWorld) {
    let r = async {
        let now = w.simulator_now().await?;
        let o = w.last()?;
        let body = o.answer.as_ref().map(|a| a.body.clone()).unwrap_or_default();
        let day = format!("{:04}{:02}{:02}", now.year(), u8::from(now.month()), now.day());
        if body.contains(&format!("creationTime value=\"{day}")) {
            Ok(())
        } else {
            Err(format!("kuittauksen creationTime ei ole simulaattorin päivä {day}"))
        }
    }
    .await;
    check(r);
}

#[then(regex = r"^(?:arkistonhoitaja näkee asiakirjan metatiedot|the archivist sees the document's metadata):?$")]
async fn archivist_sees(w: &mut ShaWorld, step: &Step) {
    let r = async {
        let id = w.last_document.clone().ok_or("ei tallennettua asiakirjaa — no stored document in this scenario")?;
        let ctx = w.ctx()?;
        let doc = ctx.admin_get(&format!("/admin/documents/{id}")).await.map_err(|e| e.to_string())?;
        let table = step.table.as_ref().ok_or("metatietotaulukko puuttuu — the step needs a table (kenttä | arvo)")?;
        let mut problems = Vec::new();
        // "(lähetetty)" / "(sent)": the value the system sent (with --seed the built-in client varies it).
        let sent = w.stored.iter().rev().find(|s| Some(&s.id) == w.last_document.as_ref());
        for row in table.rows.iter().skip(1) {
            let field = row[0].as_str();
            let archived_type = doc["metadata"]["document_type"]["code"].as_str().unwrap_or("").to_string();
            let want = match (row[1].as_str(), field, sent) {
                ("(lähetetty)" | "(sent)", "asiakirjatyyppi" | "document type", Some(s)) => {
                    s.document_type.clone().unwrap_or_default()
                }
                // A vendor's system (adapter, manual): any specific type of the code set it sent.
                ("(lähetetty)" | "(sent)", "asiakirjatyyppi" | "document type", None)
                    if sha_simulator::codes::CodeSets::builtin()
                        .entry(sha_simulator::codes::oids::DOCUMENT_TYPE, &archived_type)
                        .is_some() =>
                {
                    archived_type
                }
                (other, _, _) => other.to_string(),
            };
            let want = want.as_str();
            let m = &doc["metadata"];
            let got = match field {
                "asiakas" | "client" => m["client"]["extension"].as_str().unwrap_or("").to_string(),
                "rekisterinpitäjä" | "controller" => m["controller"].as_str().unwrap_or("").to_string(),
                "asiakirjaryhmä" | "document group" => m["document_group"]["code"].as_str().unwrap_or("").to_string(),
                "asiakirjatyyppi" | "document type" => m["document_type"]["code"].as_str().unwrap_or("").to_string(),
                "palvelutehtävä" | "service task" => m["service_task"]["code"].as_str().unwrap_or("").to_string(),
                "palveluyksikkö" | "service unit" => m["service_unit"].as_str().unwrap_or("").to_string(),
                "malli" | "model" => {
                    // The model is derived from the document (its group and form), never declared.
                    let got = doc["kind"]["client"].as_str().unwrap_or("");
                    let same = sha_simulator::document::DocumentModel::parse(got)
                        .zip(sha_simulator::document::DocumentModel::parse(want))
                        .is_some_and(|(a, b)| a == b);
                    if same {
                        want.to_string()
                    } else {
                        got.to_string()
                    }
                }
                "versio" | "version" => m["version"].as_u64().map(|v| v.to_string()).unwrap_or_default(),
                "tila" | "status" => match doc["status"].as_str() {
                    Some("current") => "voimassa".into(),
                    Some("replaced") => "korvattu".into(),
                    other => other.unwrap_or("").to_string(),
                },
                "mitätöity" | "invalidated" => {
                    if doc["invalidation"].is_null() {
                        "ei".into()
                    } else {
                        "kyllä".into()
                    }
                }
                "tallentaja" | "stored by" => doc["stored_by"].as_str().unwrap_or("").to_string(),
                other => return Err(format!("tuntematon kenttä '{other}'")),
            };
            if got != want {
                problems.push(format!("{field}: arkistossa '{got}', odotettiin '{want}'"));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
    .await;
    check(r);
}

#[then(
    regex = r"^(?:yhteisliittymän arkistonhoitaja näkee asiakkaalta|the joint group's archivist sees for the client) (\d+) (?:asiakasasiakirjaa|client documents?) (\d+) (?:rekisterinpitäjältä|controllers?)$"
)]
async fn joint_archivist_sees(w: &mut ShaWorld, documents: usize, controllers: usize) {
    let r = async {
        // The group is the one whose main system the scenario's system is.
        let path = format!("/admin/joint-groups/{}/documents?hetu={}", w.system, w.person.hetu);
        let view = w.ctx()?.admin_get(&path).await.map_err(|e| e.to_string())?;
        let docs: Vec<&serde_json::Value> = view["documents"]
            .as_array()
            .ok_or("yhteisliittymän näkymässä ei ole asiakirjalistaa — the joint view has no document list")?
            .iter()
            .filter(|d| d["kind"].get("client").is_some())
            .collect();
        let mut owners: Vec<&str> = docs.iter().filter_map(|d| d["metadata"]["controller"].as_str()).collect();
        owners.sort_unstable();
        owners.dedup();
        if docs.len() == documents && owners.len() == controllers {
            Ok(())
        } else {
            Err(format!(
                "yhteisliittymän arkistonhoitaja näkee {} asiakasasiakirjaa {} rekisterinpitäjältä ({owners:?}), odotettiin {documents} / {controllers}",
                docs.len(),
                owners.len()
            ))
        }
    }
    .await;
    check(r);
}
