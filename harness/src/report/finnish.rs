//! The Finnish test report (Markdown), shaped like the report a vendor sends
//! to Kela after joint testing: system, organisation, profile, date, each test
//! case with its result and evidence.

use super::{RunReport, Status};

/// Renders the Finnish report.
pub fn render(r: &RunReport, organisation: &str, profile: &str) -> String {
    let (p, f, s) = r.counts();
    let mut out = String::new();
    out.push_str("# Testiraportti: Kanta-palvelujen sosiaalihuollon asiakastiedon arkisto (SHA)\n\n");
    out.push_str("| Tieto | Arvo |\n|---|---|\n");
    out.push_str(&format!(
        "| Testattava järjestelmä | {} |\n",
        r.system.clone().unwrap_or_else(|| "(useita järjestelmiä)".into())
    ));
    out.push_str(&format!("| Organisaatio | {organisation} |\n"));
    out.push_str(&format!("| Liittymisprofiili | {profile} |\n"));
    out.push_str(&format!("| Testauspäivä | {} |\n", r.started));
    out.push_str(&format!("| Testiympäristö | SHA-simulaattori ({}) |\n", r.simulator));
    out.push_str(&format!("| Ajotapa | {} |\n", r.sut));
    if let Some(seed) = r.seed {
        out.push_str(&format!("| Vaihtelun siemen (--seed) | {seed} |\n"));
    }
    out.push_str(&format!("| Tulos | {} testitapausta: {p} hyväksytty, {f} hylätty, {s} ohitettu |\n\n", p + f + s));
    out.push_str("## Testitapaukset\n\n| Tunnus | Testitapaus | Tulos | Testihenkilö | Näyttö (sanomat, asiakirjat, kuittaukset) |\n|---|---|---|---|---|\n");
    for sc in &r.scenarios {
        let result = sc.status.finnish_cell();
        let e = &sc.evidence;
        let evidence = [e.message_ids.join(", "), e.documents.join(", "), e.acks.join(", ")]
            .iter()
            .filter(|x| !x.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join("; ");
        out.push_str(&format!(
            "| {} | {} | {result} | {} | {} |\n",
            sc.id,
            sc.name.replace('|', "/"),
            e.persons.join(", "),
            evidence.replace('|', "/")
        ));
    }
    let failed: Vec<_> = r.scenarios.iter().filter(|x| x.status == Status::Failed).collect();
    if !failed.is_empty() {
        out.push_str("\n## Poikkeamat\n\n");
        for sc in failed {
            let why = sc.steps.iter().find_map(|s| s.error.clone()).unwrap_or_default();
            out.push_str(&format!("- **{}** {}: {}\n", sc.id, sc.name, why.replace('\n', " ")));
        }
    }
    let coverage = super::structure_coverage(r);
    if !coverage.is_empty() {
        let ok = coverage.iter().filter(|c| c.status == Status::Passed).count();
        out.push_str(&format!(
            "\n## Rakennekattavuus\n\n{ok} / {} rakennetta hyväksytty (suppea ja täysi asiakirja, uusi versio, mitätöinti).\n\n\
             | Tunnus | Rakenne | Tulos | Havainnot |\n|---|---|---|---|\n",
            coverage.len()
        ));
        for c in &coverage {
            let result = c.status.finnish_cell();
            out.push_str(&format!(
                "| {} | {} | {result} | {} |\n",
                c.id,
                c.structure.replace('|', "/"),
                c.findings.replace('|', "/")
            ));
        }
    }
    out.push_str("\n## Allekirjoitukset\n\nToimittajan edustaja: ____________________  Organisaation edustaja: ____________________\n");
    out
}
