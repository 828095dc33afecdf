//! A self-contained HTML report (inline CSS, no external assets): per scenario
//! its steps, verdict, message and document ids and acknowledgement codes.

use super::{esc, RunReport, Status};

fn badge(s: Status) -> &'static str {
    match s {
        Status::Passed => "<span class=\"ok\">hyväksytty</span>",
        Status::Failed => "<span class=\"fail\">hylätty</span>",
        Status::Skipped => "<span class=\"skip\">ohitettu</span>",
    }
}

/// Renders the report as HTML.
pub fn render(r: &RunReport) -> String {
    let (p, f, s) = r.counts();
    let mut rows = String::new();
    for sc in &r.scenarios {
        let mut steps = String::new();
        for st in &sc.steps {
            steps.push_str(&format!(
                "<li class=\"{}\"><b>{}</b> {}{}</li>",
                match st.status {
                    Status::Passed => "ok",
                    Status::Failed => "fail",
                    Status::Skipped => "skip",
                },
                esc(&st.keyword),
                esc(&st.text),
                st.error.as_ref().map(|e| format!("<pre>{}</pre>", esc(e))).unwrap_or_default()
            ));
        }
        let e = &sc.evidence;
        rows.push_str(&format!(
            "<section id=\"{id}\"><h3>{badge} <code>{id}</code> {name}</h3><p class=\"meta\">{feature} · {tags} · {ms} ms</p><ol>{steps}</ol>\
             <table><tr><th>testihenkilö</th><td>{persons}</td></tr><tr><th>sanomat</th><td>{msgs}</td></tr><tr><th>asiakirjat</th><td>{docs}</td></tr><tr><th>kuittaukset</th><td>{acks}</td></tr><tr><th>journal</th><td>{journal}</td></tr></table></section>\n",
            id = esc(&sc.id),
            badge = badge(sc.status),
            name = esc(&sc.name),
            feature = esc(&sc.feature),
            tags = esc(&sc.tags.iter().map(|t| format!("@{t}")).collect::<Vec<_>>().join(" ")),
            ms = sc.duration_ms,
            persons = esc(&e.persons.join(", ")),
            msgs = esc(&e.message_ids.join(", ")),
            docs = esc(&e.documents.join(", ")),
            acks = esc(&e.acks.join(", ")),
            journal = e.journal.iter().map(|j| format!("#{j}")).collect::<Vec<_>>().join(" "),
        ));
    }
    format!(
        r#"<!DOCTYPE html>
<html lang="fi"><head><meta charset="utf-8"><title>SHA-yhteistestauksen raportti</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#222}}
.ok{{color:#176b2c}} .fail{{color:#a31515}} .skip{{color:#777}}
h3 span{{font-size:.8em;border:1px solid currentColor;border-radius:.3em;padding:0 .3em}}
section{{border-top:1px solid #ddd;padding:.5em 0}} .meta{{color:#666;font-size:.9em}}
table{{border-collapse:collapse;font-size:.85em}} th{{text-align:left;padding-right:1em;color:#555}}
pre{{white-space:pre-wrap;background:#fbeaea;padding:.4em}} li.skip{{color:#999}}
</style></head><body>
<h1>SHA-yhteistestauksen raportti</h1>
<p>Ajettu {started} · testattava järjestelmä: {sut}{system} · simulaattori: {sim}</p>
<p><b>{total}</b> testitapausta: <span class="ok">{p} hyväksytty</span>, <span class="fail">{f} hylätty</span>, <span class="skip">{s} ohitettu</span></p>
{coverage}{rows}
</body></html>
"#,
        started = esc(&r.started),
        sut = esc(&r.sut),
        system = r.system.as_ref().map(|s| format!(" ({})", esc(s))).unwrap_or_default(),
        sim = esc(&r.simulator),
        total = p + f + s,
        coverage = coverage_table(r),
    )
}

/// The structure coverage table, when the run had the structure suite.
fn coverage_table(r: &RunReport) -> String {
    let rows = super::structure_coverage(r);
    if rows.is_empty() {
        return String::new();
    }
    let ok = rows.iter().filter(|c| c.status == Status::Passed).count();
    let mut out = format!(
        "<section id=\"rakennekattavuus\"><h2>Rakennekattavuus</h2><p>{ok} / {} rakennetta hyväksytty</p><table><tr><th>tunnus</th><th>rakenne</th><th>tulos</th><th>havainnot</th></tr>",
        rows.len()
    );
    for c in &rows {
        out.push_str(&format!(
            "<tr><td><a href=\"#{id}\">{id}</a></td><td>{name}</td><td>{badge}</td><td>{findings}</td></tr>",
            id = esc(&c.id),
            name = esc(&c.structure),
            badge = badge(c.status),
            findings = esc(&c.findings),
        ));
    }
    out.push_str("</table></section>\n");
    out
}
