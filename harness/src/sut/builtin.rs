//! The built-in reference client: builds what a well-behaved connecting
//! system sends (from the simulator's document kit) and sends it over mutual
//! TLS with the acting system's certificate. Defects named by the catalogue
//! are applied on purpose; the faulty variant also makes three classic
//! mistakes on its own: it omits the phase II service unit, reuses the previous
//! document id, and versions documents as if they were another controller's.

use sha_simulator::compose::cda::{DocumentSpec, Packaging};
use sha_simulator::compose::kit::{new_oid, Kit, Organisation};
use sha_simulator::compose::{self, Part, QueryBuilder, RequestBuilder};
use sha_simulator::document::DocumentKind;
use sha_simulator::interactions::Operation;
use sha_simulator::wire::frame::FrameDocument;

use super::{Action, DocKind, QueryKind};
use crate::world::ShaWorld;

/// The operation a query action asks for.
fn query_operation(q: &QueryKind) -> Operation {
    match q {
        QueryKind::Clienthood => Operation::QueryClienthood,
        QueryKind::Case => Operation::QueryCase,
        QueryKind::Metadata => Operation::QueryMetadata,
        QueryKind::Document => Operation::FetchDocument,
        QueryKind::Kooste => Operation::FetchKooste,
    }
}

/// Every defect name the catalogue may ask for (docs/adapter.md), with the rule it breaks.
pub const DEFECTS: &[(&str, &str)] = &[
    ("puuttuva-palveluyksikko", "SHA-R101"),
    ("puuttuva-sosiaalipalvelu", "SHA-R102"),
    ("ei-arkistointivalmis", "SHA-R103"),
    ("toisen-organisaation-yksikko", "SHA-R208"),
    ("tuntematon-asiakirjaryhma", "SHA-R202"),
    ("vaara-palvelupyynto", "SHA-M009"),
    ("koodi-ei-voimassa", "SHA-R203"),
    ("tuntematon-palveluyksikko", "SHA-R205"),
    ("asiakirjatyyppi-ristiriita", "SHA-R206"),
    ("virheellinen-hetu", "SHA-R301"),
    ("ei-testihetu", "SHA-R302"),
    ("tilapainen-tunniste", "SHA-R303"),
    ("vieras-rekisterinpitaja", "SHA-R401"),
    ("puuttuva-asia", "SHA-R501"),
    ("sama-tunniste", "SHA-R601"),
    ("versionumero-hyppaa", "SHA-R603"),
    ("eri-setid", "SHA-R606"),
    ("ei-korvausviittausta", "SHA-R608"),
    ("liite-puuttuu", "SHA-R701"),
    ("ei-pdfa", "SHA-R702"),
    ("xhtml-skripti", "SHA-R704"),
    ("json-rikki", "SHA-R705"),
    ("koko-vaara", "SHA-R706"),
    ("tiiviste-vaara", "SHA-R707"),
    ("vaara-sisaltotyyppi", "SHA-R709"),
    ("tulevaisuudessa", "SHA-R801"),
    ("allekirjoitus-puuttuu", "SHA-R004"),
    ("sisalto-muuttunut-allekirjoituksen-jalkeen", "SHA-R007"),
    ("luvan-ajankohta-tulevaisuudessa", "SHA-L002"),
    ("vaara-edustajan-rooli", "SHA-L003"),
    ("eri-asiakas", "SHA-L004"),
];

/// Applies a named defect to a document spec.
pub fn apply_defect(s: &mut DocumentSpec, defect: &str, w: &ShaWorld) -> Result<(), String> {
    match defect {
        "puuttuva-palveluyksikko" => s.service_unit = None,
        "puuttuva-sosiaalipalvelu" => s.social_services.clear(),
        // Record status 1 (keskeneräinen) instead of 3 (arkistointivalmis).
        "ei-arkistointivalmis" => s.record_status = Some("1".into()),
        // A service unit the SOTE extract places under another organisation than the document names.
        "toisen-organisaation-yksikko" => {
            let other = [Organisation::hoivapalvelu(), Organisation::testikyla()]
                .into_iter()
                .find(|o| o.controller != w.org.controller && Some(&o.controller) != s.producer.as_ref())
                .ok_or("no other organisation's unit at hand")?;
            s.service_unit = Some(other.service_unit);
        }
        "tuntematon-asiakirjaryhma" => s.group = Some("7".into()),
        "vaara-palvelupyynto" => s.kind = DocumentKind::Asiakkuus,
        "koodi-ei-voimassa" => s.effective_time = Some(time::macros::datetime!(2015-06-01 10:00 UTC)),
        "tuntematon-palveluyksikko" => s.service_unit = Some(format!("{}.999", w.org.controller)),
        "asiakirjatyyppi-ristiriita" => s.general_type = Some("1".into()),
        "virheellinen-hetu" => s.client_id = Some("010181-900D".into()),
        "ei-testihetu" => s.client_id = Some("010181-123A".into()),
        "tilapainen-tunniste" => {
            s.client_root = format!("{}.99", w.org.controller);
            s.client_id = Some("TILAP-000123".into());
        }
        "vieras-rekisterinpitaja" => {
            s.controller = Some(if w.org.controller == Organisation::testikyla().controller {
                Organisation::testimaa().controller
            } else {
                Organisation::testikyla().controller
            })
        }
        "puuttuva-asia" => s.case_id = Some(new_oid()),
        "sama-tunniste" => {
            let prev = w.stored.last().ok_or("defect sama-tunniste needs an earlier document in the scenario")?;
            let (old, new) = (s.id.clone(), prev.id.clone());
            s.id = new.clone();
            s.set_id = new.clone();
            for p in s.parts.iter_mut() {
                p.content_id = p.content_id.replacen(&old, &new, 1);
            }
        }
        "versionumero-hyppaa" => s.version += 2,
        "eri-setid" => s.set_id = new_oid(),
        "ei-korvausviittausta" => s.replaces = None,
        "liite-puuttuu" => s.dangling_refs.push((format!("{}.missing.pdf", s.id), "application/pdf".into())),
        "koko-vaara" => {
            s.packaging = Packaging::Referenced;
            s.parts.first_mut().ok_or("no attachment to break")?.declared_size = Some(10);
        }
        "ei-pdfa" => {
            let p = s.parts.first_mut().ok_or("no attachment to break")?;
            p.media_type = "application/pdf".into();
            p.bytes = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\nstartxref\n9\n%%EOF\n".to_vec();
        }
        "xhtml-skripti" => {
            let p =
                s.parts.iter_mut().find(|p| p.media_type != "application/json").ok_or("no display form to break")?;
            p.media_type = "application/xhtml+xml".into();
            p.bytes = b"<div xmlns=\"http://www.w3.org/1999/xhtml\"><script>alert(1)</script></div>".to_vec();
        }
        "json-rikki" => match s.parts.iter_mut().find(|p| p.media_type == "application/json") {
            Some(p) => p.bytes = b"{\"asiakkuusasiakirja\": ".to_vec(),
            None => s.parts.push(Part::new(format!("{}.json", s.id), "application/json", b"{\"x\": ".to_vec())),
        },
        "tiiviste-vaara" => s.integrity_check = Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into()),
        "vaara-sisaltotyyppi" => {
            let cid = format!("{}.json", s.id);
            s.parts.push(Part::new(cid, "application/json", b"{}".to_vec()));
        }
        "tulevaisuudessa" => s.effective_time = s.effective_time.map(|t| t + time::Duration::days(3650)),
        "allekirjoitus-puuttuu" => s.signed = false,
        "sisalto-muuttunut-allekirjoituksen-jalkeen" => s.tamper_after_signing = true,
        "luvan-ajankohta-tulevaisuudessa" | "vaara-edustajan-rooli" | "eri-asiakas" => {
            let part = s
                .parts
                .iter_mut()
                .find(|p| p.media_type == "application/json")
                .ok_or("no declaration content to break")?;
            let mut v: serde_json::Value = serde_json::from_slice(&part.bytes).map_err(|e| e.to_string())?;
            let root = v.as_object().and_then(|o| o.keys().next().cloned()).unwrap_or_default();
            match defect {
                "luvan-ajankohta-tulevaisuudessa" => {
                    v[&root]["voimassa_oleva_luovutuslupa"]["luovutusluvan_antamisen_ajankohta"] = "2099-01-01".into();
                }
                "vaara-edustajan-rooli" => {
                    v[&root]["luovutusluvan_antaja_on_laillinen_edustaja"] = true.into();
                    v[&root]["luovutusluvan_antaja"] =
                        serde_json::json!([{"sukunimi": "Testinen", "etunimet": "Edustaja", "rooli": {"code": "12"}}]);
                }
                _ => v[&root]["asiakas"]["henkilotunnus"]["value"] = "150275-901P".into(),
            }
            part.bytes = serde_json::to_vec(&v).map_err(|e| e.to_string())?;
        }
        other => return Err(format!("unknown defect '{other}' (see docs/adapter.md)")),
    }
    Ok(())
}

/// Builds the document the acting system would store.
pub fn build_document(w: &ShaWorld, kit: &Kit, kind: &DocKind) -> Result<DocumentSpec, String> {
    let case = w.case_id.clone().unwrap_or_else(new_oid);
    Ok(match kind {
        DocKind::Asiakkuus => kit.clienthood(&w.person),
        DocKind::Asia => kit.case(&w.person, &case),
        DocKind::Client(m) => kit.client_document(&w.person, &case, m.model()),
        DocKind::Informing => kit.informing(&w.person),
        DocKind::Consent(yes) => kit.consent(&w.person, *yes),
        DocKind::Prohibition(p) => {
            let newest = w.last_document.clone().unwrap_or_default();
            let docs: Vec<String> = p
                .documents
                .iter()
                .map(|d| {
                    if d == "newest" {
                        w.stored
                            .iter()
                            .rev()
                            .find(|s| matches!(s.kind, sha_simulator::document::DocumentKind::Client(_)))
                            .map(|s| s.set_id.clone())
                            .unwrap_or_else(|| newest.clone())
                    } else {
                        d.clone()
                    }
                })
                .collect();
            let c: Vec<&str> = p.controllers.iter().map(String::as_str).collect();
            let t: Vec<&str> = p.service_tasks.iter().map(String::as_str).collect();
            let d: Vec<&str> = docs.iter().map(String::as_str).collect();
            kit.prohibition(&w.person, &c, &t, &d)
        }
        DocKind::Structure { oid, full } => structure_document(w, kit, &case, oid, *full)?,
        DocKind::ClienthoodWithProvider { unit, start, end } => {
            let listed = kit.clienthood_with_provider(&w.person, unit, start, end.as_deref());
            // The organiser's existing clienthood changes by a new version (one per client per organiser).
            let newest = w.stored.iter().rev().find(|d| {
                d.kind == DocumentKind::Asiakkuus
                    && d.controller.as_deref() == Some(kit.org.controller.as_str())
                    && d.client_id.as_deref() == Some(w.person.hetu.as_str())
            });
            match newest {
                Some(parent) => kit.revise(parent, &listed),
                None => listed,
            }
        }
    })
}

/// A document of Sosmeta structure `oid` whose structured form is the structure's minimal (or
/// full) example instance for the scenario's client.
fn structure_document(w: &ShaWorld, kit: &Kit, case: &str, oid: &str, full: bool) -> Result<DocumentSpec, String> {
    let all = sha_simulator::sosmeta::Structures::builtin();
    let s = all.get(oid).ok_or_else(|| format!("tuntematon rakenne '{oid}' — no such Sosmeta structure"))?;
    let form = sha_simulator::sosmeta::example(s, full, sha_simulator::codes::CodeSets::builtin(), &w.person.hetu);
    let mut spec = match (s.base_oid(), s.type_code()) {
        ("1.2.246.537.6.1505.1", _) => {
            // One clienthood per client and organiser: the stored one changes by a new version.
            let fresh = kit.clienthood(&w.person);
            match w.stored.iter().rev().find(|d| d.kind == DocumentKind::Asiakkuus) {
                Some(parent) => kit.revise(parent, &fresh),
                None => fresh,
            }
        }
        ("1.2.246.537.6.1505.2", _) => kit.case(&w.person, case),
        ("1.2.246.537.6.1505.8", _) => kit.consent(&w.person, true),
        ("1.2.246.537.6.1505.9", _) => kit.prohibition(&w.person, &[], &["10"], &[]),
        (_, Some(t)) => {
            kit.client_document_of_type(&w.person, case, sha_simulator::document::DocumentModel::Liittymisvelvoite, &t)
        }
        _ => return Err(format!("rakenne '{oid}' ei ole asiakirjan rakenne")),
    };
    spec.structure = Some(s.oid.clone());
    match spec.parts.iter_mut().find(|p| p.media_type == "application/json") {
        Some(p) => p.bytes = serde_json::to_vec(&form).map_err(|e| e.to_string())?,
        None => spec.parts.push(Part::new(
            format!("{}.json", spec.id),
            "application/json",
            serde_json::to_vec(&form).map_err(|e| e.to_string())?,
        )),
    }
    Ok(spec)
}

/// Sends one message as the acting system; returns nothing (the verdict is read from the journal).
pub async fn send(
    w: &ShaWorld,
    op: Operation,
    kind: Option<DocumentKind>,
    document: Option<FrameDocument>,
    query: Option<QueryBuilder>,
) -> Result<(), String> {
    send_as(w, op, kind, document, query, "1").await
}

/// Sends one message naming use situation `use_situation` (1.2.246.537.6.1289).
pub async fn send_as(
    w: &ShaWorld,
    op: Operation,
    kind: Option<DocumentKind>,
    document: Option<FrameDocument>,
    query: Option<QueryBuilder>,
    use_situation: &str,
) -> Result<(), String> {
    let ctx = w.ctx()?;
    let now = w.simulator_now().await?;
    let mut b = RequestBuilder::for_operation(op, kind, &w.device()?, now)
        .use_situation(use_situation)
        // The deployment test runs in production mode (processingCode P); other suites debug (D).
        .processing_code(if w.shared()?.production { "P" } else { "D" })
        .acting_organisation(&w.org.controller);
    if let Some(d) = document {
        b = b.document(d);
    }
    if let Some(q) = query {
        b = b.query(q.build());
    }
    let client = ctx.client(&w.system)?;
    // A transport error (refused handshake, dropped connection) is journalled by the simulator too.
    let _ = client.exchange(&b.build()).await;
    Ok(())
}

/// Performs an action as the reference client.
pub async fn perform(w: &mut ShaWorld, action: &Action, faulty: bool) -> Result<(), String> {
    let kit = w.kit().await?;
    match action {
        Action::Disclosure { statutory_right } => {
            let mut q = QueryBuilder::new().client(&w.person.hetu).flag("disclosure", true);
            if let Some(code) = statutory_right {
                q = q.statutory_right(code);
            }
            // The faulty client forgets to say it is a disclosure: it queries as if the data were its own.
            if faulty {
                q = QueryBuilder::new().client(&w.person.hetu);
            }
            send(w, Operation::QueryMetadata, None, None, Some(q)).await?;
        }
        Action::QueryDeclarations => {
            send(w, Operation::QueryDeclarations, None, None, Some(QueryBuilder::new().client(&w.person.hetu))).await?;
        }
        Action::StoreForOrganiser { organiser, document, full } => {
            // The provider stores into the organiser's register: custodian = organiser, units = its own.
            let mut org_kit = kit.clone();
            org_kit.org.controller = organiser.clone();
            org_kit.org.operating_unit = w.org.operating_unit.clone();
            org_kit.org.service_unit = w.org.service_unit.clone();
            let structured = sha_simulator::document::DocumentModel::Liittymisvelvoite;
            let mut spec = match document.as_deref() {
                Some("asiakkuus") => org_kit.clienthood(&w.person),
                Some("asia") => {
                    let case = w.case_id.clone().unwrap_or_else(new_oid);
                    w.case_id = Some(case.clone());
                    org_kit.case(&w.person, &case)
                }
                Some(oid) if oid.contains('.') => {
                    let case = w.case_id.clone().unwrap_or_else(new_oid);
                    structure_document(w, &org_kit, &case, oid, *full)?
                }
                Some(t) => {
                    let case = w.case_id.clone().unwrap_or_else(new_oid);
                    org_kit.client_document_of_type(&w.person, &case, structured, t)
                }
                None => {
                    let case = w.case_id.clone().unwrap_or_else(new_oid);
                    org_kit.client_document(&w.person, &case, structured)
                }
            };
            spec.organiser = Some(organiser.clone());
            spec.producer = Some(w.org.controller.clone());
            if faulty {
                // Names the organiser's own unit instead of the provider's.
                spec.service_unit = Some(format!("{}.999", organiser));
            }
            // A provider storing into the organiser's register (use situation 2, choice).
            send_as(w, Operation::Store, Some(spec.kind), Some(spec.clinical_document()), None, "2").await?;
            w.stored.push(spec);
        }
        Action::QueryOrganiser { organiser } => {
            let q = QueryBuilder::new().client(&w.person.hetu).controller(organiser);
            send_as(w, Operation::QueryMetadata, None, None, Some(q), "2").await?;
        }
        Action::EndProviderPeriod { end } => {
            let parent = w
                .stored
                .iter()
                .rev()
                .find(|s| s.kind == sha_simulator::document::DocumentKind::Asiakkuus)
                .cloned()
                .ok_or("no clienthood stored in this scenario to end")?;
            let mut spec = kit.new_version(&parent);
            if let Some(part) = spec.parts.iter_mut().find(|p| p.media_type == "application/json") {
                let mut v: serde_json::Value = serde_json::from_slice(&part.bytes).map_err(|e| e.to_string())?;
                if let Some(producers) = v
                    .pointer_mut("/asiakkuusasiakirja/sosiaalihuollon_palvelutehtava/0/palveluntuottaja")
                    .and_then(|p| p.as_array_mut())
                {
                    for p in producers {
                        p["asiakkuuden_paattymispvm"] = serde_json::Value::String(end.clone());
                    }
                }
                part.bytes = serde_json::to_vec(&v).map_err(|e| e.to_string())?;
            }
            send(w, Operation::Store, Some(spec.kind), Some(spec.clinical_document()), None).await?;
            w.stored.push(spec);
        }
        Action::Store { document, defect } => {
            let mut spec = build_document(w, &kit, document)?;
            if let Some(d) = defect {
                apply_defect(&mut spec, d, w)?;
            }
            if faulty {
                if matches!(
                    document,
                    DocKind::Client(super::ModelName::Vaihe2) | DocKind::Client(super::ModelName::Liittymisvelvoite)
                ) {
                    spec.service_unit = None;
                }
                if !w.stored.is_empty() {
                    apply_defect(&mut spec, "sama-tunniste", w)?;
                }
            }
            send(w, Operation::Store, Some(spec.kind), Some(spec.clinical_document()), None).await?;
            w.stored.push(spec);
        }
        Action::NewVersion { defect } => {
            let parent = w.stored.last().cloned().ok_or("no document stored in this scenario to version")?;
            let mut spec = kit.new_version(&parent);
            if let Some(d) = defect {
                apply_defect(&mut spec, d, w)?;
            }
            if faulty {
                apply_defect(&mut spec, "vieras-rekisterinpitaja", w)?;
            }
            // A version travels with its original's service request; its relatedDocument makes it a version.
            send(w, Operation::Store, Some(spec.kind), Some(spec.clinical_document()), None).await?;
            w.stored.push(spec);
        }
        Action::Invalidate => {
            let target = w.stored.last().cloned().ok_or("no document stored in this scenario to invalidate")?;
            let reason = "Kirjattu väärälle asiakkaalle";
            send(w, Operation::Invalidate, None, Some(compose::invalidation(&target.id, reason)), None).await?;
        }
        Action::Query { query, include_invalidated, include_old_versions } => {
            let mut q = QueryBuilder::new();
            if *query == QueryKind::Document {
                let id = w
                    .last_document
                    .clone()
                    .or_else(|| w.stored.last().map(|s| s.id.clone()))
                    .ok_or("no document to fetch")?;
                q = q.id("documentId", &id);
            } else {
                q = q.client(&w.person.hetu);
            }
            if *include_invalidated {
                q = q.flag("includeInvalidated", true);
            }
            if *include_old_versions {
                q = q.flag("includeOldVersions", true);
            }
            send(w, query_operation(query), None, None, Some(q)).await?;
        }
    }
    Ok(())
}

/// Stores a precondition document through the system under test (the vendor's
/// system must know a document to version or invalidate it), as the acting
/// system or, for a viewing system, a storing system of the same controller.
/// The precondition must be accepted.
pub async fn arrange(w: &mut ShaWorld, kind: DocKind) -> Result<(), String> {
    let name = kind.finnish();
    let sut = w.shared()?.sut.clone();
    let today = w.simulator_now().await?.date();
    let storer = storer_for(w, &kind, today);
    let acting = std::mem::replace(&mut w.system, storer);
    let result = sut.perform_as(w, Action::Store { document: kind, defect: None }, false).await;
    w.system = acting;
    result?;
    let o = w.last()?;
    if o.outcome != "accepted" {
        return Err(format!("esiehto: {name} hylättiin — precondition refused: {:?}", o.codes));
    }
    Ok(())
}

/// A system that may store `kind` for the scenario's controller on `today`: the acting one
/// when its profile allows it, else the first registered system whose profile does.
pub fn storer_for(w: &ShaWorld, kind: &DocKind, today: time::Date) -> String {
    use sha_simulator::profile::{Action as P, Matrix};
    let Ok(ctx) = w.ctx() else { return w.system.clone() };
    let action = P::store_of(kind.kind());
    let can_store = |name: &str| {
        ctx.registry
            .by_name(name)
            .and_then(|s| s.profile_for(&w.org.controller))
            .is_some_and(|p| Matrix::builtin().allows(p, action) && Matrix::builtin().usable(p, today).is_ok())
    };
    if can_store(&w.system) {
        return w.system.clone();
    }
    ctx.registry
        .systems()
        .iter()
        .find(|s| can_store(&s.name))
        .map(|s| s.name.clone())
        .unwrap_or_else(|| w.system.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_defect_is_implemented() {
        // A world without a simulator is enough to mutate a spec.
        let w = crate::world::ShaWorld::with(
            None,
            "liittyva-atj",
            Organisation::testila(),
            sha_simulator::persons::TestPersons::builtin().persons[0].clone(),
        );
        let kit = Kit::new(Organisation::testila(), time::macros::datetime!(2022-06-01 10:00 UTC));
        let mut w = w;
        w.stored.push(kit.clienthood(&w.person));
        for (name, _) in DEFECTS {
            // A signed new version has every field some defect removes or changes; declaration defects need a consent.
            let mut spec = if name.starts_with("luvan") || name.starts_with("vaara-edustajan") || *name == "eri-asiakas"
            {
                kit.consent(&w.person, true)
            } else {
                kit.new_version(&kit.client_document(
                    &w.person,
                    "1.2.3",
                    sha_simulator::document::DocumentModel::Vaihe2,
                ))
            };
            spec.signed = true;
            let before = format!("{:?}", spec);
            apply_defect(&mut spec, name, &w).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_ne!(before, format!("{:?}", spec), "defect {name} changed nothing");
        }
        assert!(apply_defect(&mut kit.clienthood(&w.person), "no-such", &w).is_err());
    }
}
