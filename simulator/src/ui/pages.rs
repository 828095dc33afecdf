//! The archivist view's pages.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;

use super::{layout, sanitize, Lang};
use crate::acks::{Catalogue, DetailCode};
use crate::admin::AdminState;
use crate::archive::query::client_documents;
use crate::archive::records::{StoredDocument, VersionStatus};
use crate::codes::{oids, Code, CodeSets};
use crate::document::{ClientId, DocumentKind};
use crate::hetu::{Hetu, HETU_ROOT};
use crate::journal::JournalFilter;
use crate::store::Space;

#[derive(Debug, Deserialize, Default)]
pub(super) struct LangQ {
    #[serde(default)]
    lang: Lang,
}

fn now_text(s: &AdminState) -> String {
    let t = s.clock.now();
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn error_page(s: &AdminState, lang: Lang, status: StatusCode, msg: String) -> Response {
    let body = html! { p.warn { (msg) } };
    (status, layout(lang, lang.t("Virhe", "Error"), &now_text(s), "/ui", body)).into_response()
}

fn code_text(c: &Option<Code>, codes: &CodeSets) -> String {
    match c {
        Some(c) => match c.display.clone().or_else(|| codes.name(&c.system, &c.code).map(str::to_string)) {
            Some(n) if !n.is_empty() => format!("{} {}", c.code, n),
            _ => c.code.clone(),
        },
        None => "—".into(),
    }
}

fn org_text(oid: &Option<String>, codes: &CodeSets) -> String {
    named_org_text(oid, None, codes)
}

/// An organisation by its name in the SOTE extract, else the name the document gave it.
fn named_org_text(oid: &Option<String>, sent_name: Option<&str>, codes: &CodeSets) -> String {
    match oid {
        Some(o) => match codes.name(oids::SOTE_ORGANISATION, o).or(sent_name) {
            Some(n) => format!("{n} ({o})"),
            None => o.clone(),
        },
        None => "—".into(),
    }
}

fn time_text(t: Option<time::OffsetDateTime>) -> String {
    t.map(|t| format!("{:04}-{:02}-{:02} {:02}:{:02}", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute()))
        .unwrap_or_default()
}

fn status_cell(d: &StoredDocument, lang: Lang) -> Markup {
    if d.invalidation.is_some() {
        html! { span.status-nullified { (lang.t("mitätöity", "invalidated")) } }
    } else if d.status == VersionStatus::Current {
        html! { span.status-current { (lang.t("voimassa", "current")) } }
    } else {
        html! { span.status-replaced { (lang.t("korvattu", "replaced")) } }
    }
}

fn when(d: &StoredDocument) -> String {
    time_text(d.metadata.effective_time)
}

pub(super) async fn dashboard(State(s): State<AdminState>, Query(q): Query<LangQ>) -> Response {
    let lang = q.lang;
    let documents = s.store.count(Space::Documents).unwrap_or(0);
    let recent = JournalFilter { limit: Some(10), ..Default::default() }
        .matcher()
        .ok()
        .and_then(|m| s.store.journal(&m).ok())
        .unwrap_or_default();
    let faults = s.faults.list();
    let fixtures = crate::seed::list();
    let body = html! {
        div.cards {
            div.card #count-documents { div.muted { (lang.t("Asiakirjoja arkistossa", "Documents in the archive")) } div.big { (documents) } }
            div.card { div.muted { (lang.t("Simulaattorin kello", "Simulator clock")) } div.big.clock-big { (now_text(&s)) }
                div.muted { @match s.clock.mode() { crate::clock::ClockMode::Frozen => (lang.t("pysäytetty", "frozen")), crate::clock::ClockMode::Running => (lang.t("käy", "running")) } } }
            div.card { div.muted { (lang.t("Rekisteröityjä järjestelmiä", "Registered systems")) } div.big { (s.registry.get().systems().len()) } }
            div.card #faults { div.muted { (lang.t("Aktiiviset vikasäännöt", "Active fault rules")) } div.big { (faults.len()) }
                @for f in &faults { div.muted { "#" (f.id) " " (format!("{:?}", f.spec.action)) } } }
        }
        h2 { (lang.t("Hae asiakas", "Find a client")) }
        (search_form(&s, lang, "", ""))
        @let groups = s.registry.get().joint_groups().to_vec();
        @if !groups.is_empty() {
            h2 { (lang.t("Yhteisliittymät", "Joint groups")) }
            table #joint-groups { tr { th { (lang.t("Yhteisliittymä", "Group")) } th { (lang.t("Pääliittyjän järjestelmä", "Main joiner's system")) } th { (lang.t("Rekisterinpitäjät", "Controllers")) } }
                @for g in &groups { tr {
                    td { a href={ "/ui/yhteisliittyma?group=" (g.main_system) "&lang=" (lang.code()) } { (g.name) } }
                    td { code { (g.main_system) } }
                    td { @for m in &g.members { div { (org_text(&Some(m.clone()), CodeSets::builtin())) } } }
                } }
            }
        }
        h2 { (lang.t("Esimerkkiaineistot", "Seed fixtures")) }
        table { tr { th { (lang.t("Nimi", "Name")) } th { (lang.t("Kuvaus", "Description")) } th {} }
            @for (name, desc) in &fixtures { tr { td { code { (name) } } td { (desc) }
                td { form.inline method="post" action={ "/ui/seed/" (name) "?lang=" (lang.code()) } { button type="submit" id={ "seed-" (name) } { (lang.t("Lataa", "Load")) } } } } } }
        h2 { (lang.t("Viimeisimmät sanomat", "Latest messages")) }
        (journal_table(&recent, lang))
    };
    layout(lang, lang.t("Yleiskuva", "Dashboard"), &now_text(&s), &format!("/ui?lang={}", lang.code()), body)
        .into_response()
}

fn controllers(s: &AdminState) -> Vec<(String, String)> {
    let codes = CodeSets::builtin();
    let mut v: Vec<(String, String)> = Vec::new();
    for sys in s.registry.get().systems() {
        for c in &sys.controllers {
            if !v.iter().any(|(o, _)| o == &c.oid) {
                v.push((c.oid.clone(), codes.name(oids::SOTE_ORGANISATION, &c.oid).unwrap_or(&c.oid).to_string()));
            }
        }
    }
    v
}

fn search_form(s: &AdminState, lang: Lang, hetu: &str, controller: &str) -> Markup {
    html! {
        form method="get" action="/ui/asiakas" id="search" {
            input type="hidden" name="lang" value=(lang.code());
            label { (lang.t("Rekisterinpitäjä", "Controller")) " "
                select name="controller" id="controller" {
                    @for (oid, name) in controllers(s) { option value=(oid) selected[oid == controller] { (name) } }
                } }
            " "
            label { (lang.t("Henkilötunnus", "Personal identity code")) " " input type="text" name="hetu" id="hetu" value=(hetu) placeholder="010181-900C"; }
            " " button type="submit" id="search-button" { (lang.t("Hae", "Search")) }
        }
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct ClientQ {
    #[serde(default)]
    lang: Lang,
    #[serde(default)]
    hetu: String,
    #[serde(default)]
    controller: String,
}

fn doc_rows(docs: &[&StoredDocument], lang: Lang, codes: &CodeSets) -> Markup {
    html! {
        table.docs {
            tr { th { (lang.t("Asiakirja", "Document")) } th { (lang.t("Laji", "Kind")) } th { (lang.t("Tyyppi", "Type")) } th { (lang.t("Laadittu", "Created")) } th { "v." } th { (lang.t("Tila", "Status")) } }
            @for d in docs {
                tr {
                    td { a href={ "/ui/asiakirja/" (d.id) "?lang=" (lang.code()) } class="doc-link" { (d.metadata.title.clone().unwrap_or_else(|| d.id.clone())) } }
                    td { (d.kind.finnish()) }
                    td { (code_text(&d.metadata.document_type, codes)) }
                    td { (when(d)) }
                    td { (d.version()) }
                    td { (status_cell(d, lang)) }
                }
            }
        }
    }
}

pub(super) async fn client(State(s): State<AdminState>, Query(q): Query<ClientQ>) -> Response {
    let lang = q.lang;
    let path = format!("/ui/asiakas?hetu={}&controller={}&lang={}", q.hetu, q.controller, lang.code());
    let mut body = vec![search_form(&s, lang, &q.hetu, &q.controller)];
    let hetu = q.hetu.trim().to_ascii_uppercase();
    if !hetu.is_empty() {
        if let Err(e) = Hetu::parse(&hetu) {
            body.push(
                html! { p.warn { (lang.t("Henkilötunnus ei kelpaa", "Not a valid personal identity code")) ": " (e) } },
            );
        }
        let controller = if q.controller.is_empty() {
            controllers(&s).first().map(|c| c.0.clone()).unwrap_or_default()
        } else {
            q.controller.clone()
        };
        let client = ClientId { root: HETU_ROOT.into(), extension: hetu.clone() };
        match client_documents(&s.archive, &controller, &client) {
            Err(e) => return error_page(&s, lang, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
            Ok(all) => body.push(client_view(&all, lang, &hetu, &controller)),
        }
        let log = s.archive.disclosures(&hetu).unwrap_or_default();
        if !log.is_empty() {
            body.push(html! {
                h2 { (lang.t("Luovutusloki", "Disclosure log")) }
                table #disclosures {
                    tr { th { (lang.t("Aika", "Time")) } th { (lang.t("Luovutettu rekisterinpitäjälle", "Disclosed to")) } th { (lang.t("Järjestelmä", "System")) } th { (lang.t("Peruste", "Basis")) } th { (lang.t("Asiakirjat", "Documents")) } }
                    @for e in &log {
                        tr {
                            td { (e.at.format(&Rfc3339).unwrap_or_default()) }
                            td { (org_text(&Some(e.to_controller.clone()), CodeSets::builtin())) }
                            td { (e.system) }
                            td { @match &e.basis {
                                crate::archive::law::Basis::Consent => (lang.t("luovutuslupa", "consent")),
                                crate::archive::law::Basis::StatutoryRight { code, reason } => { (lang.t("tiedonsaantioikeus", "statutory right")) " " (code) ": " (reason) }
                            } }
                            td { (e.documents.len()) }
                        }
                    }
                }
            });
        }
    }
    let body = html! { @for b in body { (b) } };
    layout(lang, lang.t("Asiakkaan tiedot", "Client data"), &now_text(&s), &path, body).into_response()
}

#[derive(Debug, Deserialize)]
pub(super) struct GroupQ {
    #[serde(default)]
    lang: Lang,
    #[serde(default)]
    group: String,
    #[serde(default)]
    hetu: String,
}

/// A joint group's shared archivist (yhteisliittymän yhteinen arkistonhoitaja): one client's
/// documents in every member's register, member by member — each member stays the controller
/// of its own documents.
pub(super) async fn joint_group(State(s): State<AdminState>, Query(q): Query<GroupQ>) -> Response {
    let lang = q.lang;
    let registry = s.registry.get();
    let Some(group) = registry.joint_groups().iter().find(|g| g.name == q.group || g.main_system == q.group).cloned()
    else {
        let msg = format!("{} '{}'", lang.t("Tuntematon yhteisliittymä", "Unknown joint group"), q.group);
        return error_page(&s, lang, StatusCode::NOT_FOUND, msg);
    };
    let path = format!("/ui/yhteisliittyma?group={}&hetu={}&lang={}", group.main_system, q.hetu, lang.code());
    let hetu = q.hetu.trim().to_ascii_uppercase();
    let codes = CodeSets::builtin();
    let mut sections = Vec::new();
    if !hetu.is_empty() {
        if let Err(e) = Hetu::parse(&hetu) {
            let msg = format!("{}: {e}", lang.t("Henkilötunnus ei kelpaa", "Not a valid personal identity code"));
            return error_page(&s, lang, StatusCode::BAD_REQUEST, msg);
        }
        let client = ClientId { root: HETU_ROOT.into(), extension: hetu.clone() };
        for m in &group.members {
            match client_documents(&s.archive, m, &client) {
                Err(e) => return error_page(&s, lang, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
                Ok(docs) => sections.push((m.clone(), docs)),
            }
        }
    }
    let body = html! {
        p { (lang.t("Pääliittyjän järjestelmä", "Main joiner's system")) ": " code { (group.main_system) } ". "
            (lang.t("Jokainen yhteisliittyjä on omien asiakirjojensa rekisterinpitäjä; yhteinen arkistonhoitaja näkee ne kaikki.",
                    "Each joiner is the controller of its own documents; the shared archivist sees them all.")) }
        form method="get" action="/ui/yhteisliittyma" id="group-search" {
            input type="hidden" name="lang" value=(lang.code());
            input type="hidden" name="group" value=(group.main_system);
            label { (lang.t("Henkilötunnus", "Personal identity code")) " " input type="text" name="hetu" id="hetu" value=(hetu) placeholder="010181-900C"; }
            " " button type="submit" id="search-button" { (lang.t("Hae", "Search")) }
        }
        @for (m, docs) in &sections {
            h2.member { (org_text(&Some(m.clone()), codes)) }
            @if docs.is_empty() {
                p.muted { (lang.t("Ei asiakirjoja tämän rekisterinpitäjän rekisterissä.", "No documents in this controller's register.")) }
            } @else {
                @let refs: Vec<&StoredDocument> = docs.iter().collect();
                (doc_rows(&refs, lang, codes))
            }
        }
    };
    layout(lang, &group.name, &now_text(&s), &path, body).into_response()
}

fn client_view(all: &[StoredDocument], lang: Lang, hetu: &str, controller: &str) -> Markup {
    let codes = CodeSets::builtin();
    if all.is_empty() {
        return html! { p #no-results { (lang.t("Asiakkaalla ei ole asiakirjoja tämän rekisterinpitäjän rekisterissä.", "The client has no documents in this controller's register.")) " " code { (hetu) } " / " code { (controller) } } };
    }
    let newest = all.iter().rev().find(|d| d.metadata.client_family_name.is_some());
    let name = newest
        .map(|d| {
            format!(
                "{} {}",
                d.metadata.client_given_names.clone().unwrap_or_default(),
                d.metadata.client_family_name.clone().unwrap_or_default()
            )
        })
        .unwrap_or_default();
    let turvakielto = all
        .iter()
        .filter(|d| d.kind == DocumentKind::Asiakkuus && d.status == VersionStatus::Current)
        .filter_map(|d| d.content.as_ref())
        .any(crate::archive::mask::under_turvakielto);
    let by_kind = |k: &dyn Fn(&DocumentKind) -> bool| all.iter().filter(|d| k(&d.kind)).collect::<Vec<_>>();
    let hoods = by_kind(&|k| *k == DocumentKind::Asiakkuus);
    let cases = by_kind(&|k| *k == DocumentKind::Asia);
    let client_docs = by_kind(&|k| matches!(k, DocumentKind::Client(_)));
    let decls = by_kind(&|k| matches!(k, DocumentKind::Consent | DocumentKind::Prohibition | DocumentKind::Informing));
    let case_ids: Vec<String> = cases.iter().filter_map(|c| c.metadata.case_id.clone()).fold(Vec::new(), |mut v, c| {
        if !v.contains(&c) {
            v.push(c);
        }
        v
    });
    html! {
        h2 #client-name { (name) " " code { (hetu) } }
        @if turvakielto {
            p.warn #turvakielto { (lang.t("Asiakkaalla on turvakielto: kotikunta, tilapäinen asuinkunta ja yhteystiedot (paitsi puhelin ja yhteysosoite) peitetään kaikilta muilta kuin rekisterinpitäjän arkistonhoitajalta.",
                "The client is under turvakielto: home municipality, temporary municipality and contact data (except phone and contact address) are hidden from everyone but the controller's archivist.")) }
        }
        h2 { (lang.t("Asiakkuudet", "Clienthoods")) " (" (hoods.len()) ")" }
        (doc_rows(&hoods, lang, codes))
        h2 { (lang.t("Asiat ja niiden asiakirjat", "Cases and their documents")) }
        @for case in &case_ids {
            div.card.case {
                @let case_docs: Vec<&StoredDocument> = cases.iter().copied().filter(|d| d.metadata.case_id.as_ref() == Some(case)).collect();
                @let task = case_docs.last().map(|d| code_text(&d.metadata.service_task, codes)).unwrap_or_default();
                strong { (lang.t("Asia", "Case")) " " code { (case) } } " — " (task)
                (doc_rows(&case_docs, lang, codes))
                @let docs: Vec<&StoredDocument> = client_docs.iter().copied().filter(|d| d.metadata.case_id.as_ref() == Some(case)).collect();
                (doc_rows(&docs, lang, codes))
            }
        }
        @let loose: Vec<&StoredDocument> = client_docs.iter().copied().filter(|d| d.metadata.case_id.as_ref().is_none_or(|c| !case_ids.contains(c))).collect();
        @if !loose.is_empty() {
            h2 { (lang.t("Asiakirjat ilman asiaa (vanhat asiakirjat)", "Documents without a case (old documents)")) }
            (doc_rows(&loose, lang, codes))
        }
        @if !decls.is_empty() {
            h2 { (lang.t("Tahdonilmaisut", "Declarations of intent")) }
            (doc_rows(&decls, lang, codes))
        }
    }
}

pub(super) async fn document(State(s): State<AdminState>, Path(id): Path<String>, Query(q): Query<LangQ>) -> Response {
    let lang = q.lang;
    let codes = CodeSets::builtin();
    let d = match s.archive.document(&id) {
        Ok(Some(d)) => d,
        Ok(None) => {
            return error_page(
                &s,
                lang,
                StatusCode::NOT_FOUND,
                format!("{}: {id}", lang.t("Asiakirjaa ei ole", "No such document")),
            )
        }
        Err(e) => return error_page(&s, lang, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let versions = s.archive.versions(d.set_id()).unwrap_or_default();
    let parts = s.archive.parts(&id).unwrap_or_default();
    let contents = s.archive.contents(&id).unwrap_or_default();
    let shown: Vec<(String, &crate::document::Content)> = contents
        .display
        .iter()
        .map(|c| ("nayttomuoto".to_string(), c))
        .chain(contents.structured.iter().map(|c| ("rakenteinen".to_string(), c)))
        .chain(contents.attachments.iter().map(|c| match &c.source {
            crate::document::Source::Part(cid) => (cid.clone(), c),
            crate::document::Source::Inline => ("liite".to_string(), c),
        }))
        .collect();
    let m = &d.metadata;
    let rows: Vec<(&str, &str, String)> = vec![
        ("Asiakirjatunniste", "Document id", d.id.clone()),
        ("Asiakirjan laji", "Kind", d.kind.finnish().to_string()),
        ("Rakenne (Sosmeta)", "Structure (Sosmeta)", m.content_specification.clone().unwrap_or_default()),
        (
            "Asiakas",
            "Client",
            m.client
                .as_ref()
                .map(|c| {
                    format!(
                        "{} ({} {})",
                        c.extension,
                        m.client_given_names.clone().unwrap_or_default(),
                        m.client_family_name.clone().unwrap_or_default()
                    )
                })
                .unwrap_or_default(),
        ),
        ("Rekisterinpitäjä", "Controller", named_org_text(&m.controller, m.controller_name.as_deref(), codes)),
        ("Rekisteri", "Register", code_text(&m.register, codes)),
        ("Asiakirjaryhmä", "Document group", code_text(&m.document_group, codes)),
        ("Asiakirjatyyppi", "Document type", code_text(&m.document_type, codes)),
        ("Yleinen asiakirjatyyppi", "General type", code_text(&m.general_type, codes)),
        ("Palvelutehtävä", "Service task", code_text(&m.service_task, codes)),
        (
            "Sosiaalipalvelut",
            "Social services",
            m.social_services.iter().map(|c| code_text(&Some(c.clone()), codes)).collect::<Vec<_>>().join(", "),
        ),
        ("Palveluprosessin vaihe", "Process phase", code_text(&m.process_phase, codes)),
        ("Asia", "Case", m.case_id.clone().unwrap_or_default()),
        ("Palvelun järjestäjä", "Organiser", org_text(&m.organiser, codes)),
        ("Palvelun tuottaja", "Producer", org_text(&m.producer, codes)),
        ("Palvelun toteuttaja", "Provider", org_text(&m.provider, codes)),
        ("Palveluyksikkö", "Service unit", named_org_text(&m.service_unit, m.service_unit_name.as_deref(), codes)),
        ("Toimintayksikkö", "Operating unit", org_text(&m.operating_unit, codes)),
        (
            "Laatija",
            "Author",
            m.authors.iter().map(|a| format!("{} ({})", a.name, a.id)).collect::<Vec<_>>().join(", "),
        ),
        ("Laadittu", "Created", when(&d)),
        ("Luontiaika", "Creation time", time_text(m.creation_time)),
        ("Asiakkuus", "Clienthood", m.client_relationship.clone().unwrap_or_default()),
        ("Näyttömuoto", "Display form", code_text(&m.file_format, codes)),
        ("Rakenteisen osan muoto", "Structured form", code_text(&m.structured_file_format, codes)),
        ("Valmistumisen tila", "Record status", code_text(&m.record_status, codes)),
        ("Kokonaissäilytysaika", "Retention period", code_text(&m.retention_class, codes)),
        ("Erityissisältö", "Special content", code_text(&m.special_content, codes)),
        ("Alaikäisen tietojen luovutus huoltajille", "Minor's data to guardians", code_text(&m.minor_consent, codes)),
        ("Omakanta-näkyvyyden rajaus", "OmaKanta restriction", code_text(&m.inaccessible_argument, codes)),
        (
            "Allekirjoitukset",
            "Signatures",
            m.signature_types
                .iter()
                .map(|c| match codes.name(oids::SIGNATURE_TYPE, c) {
                    Some(n) => format!("{c} {n}"),
                    None => c.clone(),
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("Tuottanut ohjelmisto", "Software", m.software.clone().unwrap_or_default()),
        ("Luottamuksellisuus", "Confidentiality", code_text(&m.confidentiality, codes)),
        ("Versio", "Version", d.version().to_string()),
        ("Versiosarja (setId)", "Set id", d.set_id().to_string()),
        (
            "Järjestelmäallekirjoitus",
            "System signature",
            if m.signed { lang.t("on", "present") } else { lang.t("ei", "none") }.to_string(),
        ),
        ("Tallentanut järjestelmä", "Stored by system", d.stored_by.clone()),
        ("Tallennettu", "Stored at", d.stored_at.format(&Rfc3339).unwrap_or_default()),
        ("Sanomatunniste", "Message id", d.message_id.clone()),
    ];
    let body = html! {
        p { (lang.t("Tila", "Status")) ": " span #doc-status { (status_cell(&d, lang)) }
            @if let Some(inv) = &d.invalidation { " — " (lang.t("syy", "reason")) ": " span #invalidation-reason { (inv.reason) } } }
        table #metadata { @for (fi, en, v) in &rows { tr { th { (lang.t(fi, en)) } td { (v) } } } }
        h2 { (lang.t("Versiot", "Versions")) }
        table #versions { tr { th { "v." } th { (lang.t("Asiakirja", "Document")) } th { (lang.t("Laadittu", "Created")) } th { (lang.t("Tila", "Status")) } th { (lang.t("Mitätöinnin syy", "Invalidation reason")) } }
            @for v in &versions { tr { td { (v.version()) } td { a href={ "/ui/asiakirja/" (v.id) "?lang=" (lang.code()) } { code { (v.id) } } } td { (when(v)) } td { (status_cell(v, lang)) }
                td { (v.invalidation.as_ref().map(|i| i.reason.clone()).unwrap_or_default()) } } } }
        h2 { (lang.t("Sisältö", "Content")) }
        @for (name, p) in &shown {
            div.card {
                div.muted { code { (name) } " — " (p.media_type) ", " (p.bytes.len()) " B" }
                @match p.media_type.as_str() {
                    "application/pdf" => { iframe src={ "/ui/asiakirja/" (d.id) "/osa/" (name) } title="PDF" {} }
                    // Stored XHTML is shown cleaned, in a sandboxed frame of its own (no scripts,
                    // a unique origin) served with its own restrictive policy.
                    "application/xhtml+xml" => { iframe.xhtml sandbox="" src={ "/ui/asiakirja/" (d.id) "/osa/" (name) } title="XHTML" {} }
                    "application/json" => {
                        @let value = serde_json::from_slice::<serde_json::Value>(&p.bytes).ok();
                        @let structure = d.metadata.content_specification.as_deref().and_then(|o| crate::sosmeta::Structures::builtin().get(o));
                        @match (value.as_ref(), structure) {
                            (Some(v), Some(st)) => { div.structured { (structured_tree(&st.root, v.get(&st.root.key).unwrap_or(&serde_json::Value::Null), lang)) } }
                            _ => { pre.json { (value.as_ref().and_then(|v| serde_json::to_string_pretty(v).ok()).unwrap_or_else(|| String::from_utf8_lossy(&p.bytes).into_owned())) } }
                        }
                    }
                    _ => { p.muted { (lang.t("Ei esikatselua", "No preview")) } }
                }
            }
        }
        @if let Some(cda) = parts.first() {
            details { summary { (lang.t("CDA-otsake (XML)", "CDA header (XML)")) }
                pre { (crate::xml::parse(&cda.bytes, Default::default()).map(|e| e.to_pretty_xml()).unwrap_or_else(|_| String::from_utf8_lossy(&cda.bytes).into_owned())) } }
        }
    };
    let title = m.title.clone().unwrap_or_else(|| id.clone());
    layout(lang, &title, &now_text(&s), &format!("/ui/asiakirja/{id}?lang={}", lang.code()), body).into_response()
}

/// A structured form as a readable tree, each field under its Sosmeta name (fi or sv).
fn structured_tree(f: &crate::sosmeta::Field, v: &serde_json::Value, lang: Lang) -> Markup {
    let label = match lang {
        Lang::En if !f.sv.is_empty() => format!("{} / {}", f.fi, f.sv),
        _ => f.fi.clone(),
    };
    let leaf = |v: &serde_json::Value| -> String {
        match v {
            serde_json::Value::Object(o) if o.contains_key("code") => format!(
                "{} {}",
                o.get("code").and_then(|c| c.as_str()).unwrap_or(""),
                o.get("display").and_then(|c| c.as_str()).unwrap_or("")
            ),
            serde_json::Value::Object(o) if o.contains_key("value") => {
                o.get("value").and_then(|c| c.as_str()).unwrap_or("").to_string()
            }
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Bool(b) => if *b { "kyllä" } else { "ei" }.to_string(),
            other => other.to_string(),
        }
    };
    let items: Vec<&serde_json::Value> = match v {
        serde_json::Value::Array(a) => a.iter().collect(),
        serde_json::Value::Null => vec![],
        other => vec![other],
    };
    html! {
        @for item in items {
            @if f.kind == crate::sosmeta::Kind::Object {
                details open { summary { strong { (label) } }
                    ul { @for c in &f.fields { @if let Some(cv) = item.get(&c.key) { li { (structured_tree(c, cv, lang)) } } } } }
            } @else {
                span.field { strong { (label) ": " } (leaf(item)) }
            }
        }
    }
}

pub(super) async fn part(State(s): State<AdminState>, Path((id, cid)): Path<(String, String)>) -> Response {
    let contents = match s.archive.contents(&id) {
        Ok(c) => c,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let found = match cid.as_str() {
        "nayttomuoto" => contents.display,
        "rakenteinen" => contents.structured,
        _ => contents
            .attachments
            .into_iter()
            .find(|c| matches!(&c.source, crate::document::Source::Part(p) if *p == cid)),
    };
    match found {
        Some(p) => {
            let (ct, bytes) = if p.media_type == "application/xhtml+xml" {
                (
                    "text/html; charset=utf-8".to_string(),
                    sanitize::xhtml_body(&p.bytes).unwrap_or_default().into_bytes(),
                )
            } else {
                (p.media_type.clone(), p.bytes)
            };
            (
                [
                    (header::CONTENT_TYPE, ct),
                    (
                        header::CONTENT_SECURITY_POLICY,
                        "sandbox; default-src 'none'; img-src data:; object-src 'self'; frame-ancestors 'self'"
                            .to_string(),
                    ),
                    (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
                ],
                bytes,
            )
                .into_response()
        }
        None => (StatusCode::NOT_FOUND, format!("no part {cid} in document {id}")).into_response(),
    }
}

fn journal_table(entries: &[crate::journal::JournalEntry], lang: Lang) -> Markup {
    html! {
        table #journal {
            tr { th { "#" } th { (lang.t("Aika", "Time")) } th { (lang.t("Järjestelmä", "System")) } th { (lang.t("Interaktio", "Interaction")) } th { (lang.t("Tulos", "Outcome")) } th { (lang.t("Koodit", "Codes")) } }
            @for e in entries {
                tr {
                    td { a href={ "/ui/journal/" (e.seq) "?lang=" (lang.code()) } class="journal-link" { (e.seq) } }
                    td { (e.time.format(&Rfc3339).unwrap_or_default()) }
                    td { (e.system.clone().unwrap_or_else(|| e.certificate.clone().unwrap_or_else(|| "—".into()))) }
                    td { (e.interaction.clone().unwrap_or_default()) }
                    td class={ "outcome-" (serde_json::to_value(e.outcome).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()) } { (format!("{:?}", e.outcome)) }
                    td { (e.ack_codes.join(" ")) }
                }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct JournalQ {
    #[serde(default)]
    lang: Lang,
    #[serde(default)]
    system: Option<String>,
    #[serde(default)]
    outcome: Option<String>,
}

pub(super) async fn journal(State(s): State<AdminState>, Query(q): Query<JournalQ>) -> Response {
    let lang = q.lang;
    let filter = JournalFilter {
        system: q.system.clone().filter(|x| !x.is_empty()),
        outcome: q.outcome.clone().filter(|x| !x.is_empty()),
        limit: Some(200),
        ..Default::default()
    };
    let entries = match filter.matcher() {
        Ok(m) => s.store.journal(&m).unwrap_or_default(),
        Err(e) => return error_page(&s, lang, StatusCode::BAD_REQUEST, e.to_string()),
    };
    let body = html! {
        form method="get" action="/ui/journal" {
            input type="hidden" name="lang" value=(lang.code());
            label { (lang.t("Järjestelmä", "System")) " " select name="system" { option value="" { "—" } @for sys in s.registry.get().systems() { option value=(sys.name) selected[q.system.as_deref() == Some(sys.name.as_str())] { (sys.name) } } } }
            " "
            label { (lang.t("Tulos", "Outcome")) " " select name="outcome" { option value="" { "—" } @for o in ["accepted", "application_error", "rejected", "fault", "tls_refused"] { option value=(o) selected[q.outcome.as_deref() == Some(o)] { (o) } } } }
            " " button type="submit" { (lang.t("Suodata", "Filter")) }
        }
        (journal_table(&entries, lang))
    };
    layout(
        lang,
        lang.t("Sanomaloki", "Message journal"),
        &now_text(&s),
        &format!("/ui/journal?lang={}", lang.code()),
        body,
    )
    .into_response()
}

fn pretty(raw: &str) -> String {
    match crate::xml::parse(raw.as_bytes(), Default::default()) {
        Ok(e) => e.to_pretty_xml(),
        Err(_) => raw.to_string(),
    }
}

pub(super) async fn journal_entry(
    State(s): State<AdminState>,
    Path(seq): Path<u64>,
    Query(q): Query<LangQ>,
) -> Response {
    let lang = q.lang;
    let e = match s.store.journal_entry(seq) {
        Ok(Some(e)) => e,
        Ok(None) => {
            return error_page(
                &s,
                lang,
                StatusCode::NOT_FOUND,
                format!("{} #{seq}", lang.t("Ei sanomaa", "No journal entry")),
            )
        }
        Err(err) => return error_page(&s, lang, StatusCode::INTERNAL_SERVER_ERROR, err.to_string()),
    };
    let cat = Catalogue::builtin();
    let body = html! {
        table #entry {
            tr { th { (lang.t("Aika", "Time")) } td { (e.time.format(&Rfc3339).unwrap_or_default()) } }
            tr { th { (lang.t("Järjestelmä", "System")) } td { (e.system.clone().unwrap_or_else(|| "—".into())) } }
            tr { th { (lang.t("Varmenne", "Certificate")) } td { (e.certificate.clone().unwrap_or_else(|| "—".into())) } }
            tr { th { (lang.t("Interaktio", "Interaction")) } td { (e.interaction.clone().unwrap_or_default()) } }
            tr { th { (lang.t("Sanomatunniste", "Message id")) } td { (e.message_id.clone().unwrap_or_default()) } }
            tr { th { (lang.t("Tulos", "Outcome")) } td #outcome { (format!("{:?}", e.outcome)) " · HTTP " (e.http_status) " · " (e.duration_ms) " ms" } }
            tr { th { (lang.t("Asiakirjat", "Documents")) } td { @for d in &e.documents { a href={ "/ui/asiakirja/" (d) "?lang=" (lang.code()) } { code { (d) } } " " } } }
        }
        @if !e.ack_codes.is_empty() {
            h2 { (lang.t("Kuittauksen koodit ja säännöt", "Acknowledgement codes and rules")) }
            table #codes { tr { th { (lang.t("Koodi", "Code")) } th { (lang.t("Sääntö", "Rule")) } th { (lang.t("Selite", "Meaning")) } }
                @for c in &e.ack_codes { tr { td { code { (c) } } @if let Some(code) = DetailCode::parse(c) { @let row = cat.entry(code);
                    td { (row.rule) } td { (lang.t(&row.fi, &row.en).replace("{value}", "…")) } } @else { td {} td {} } } } }
        }
        h2 { (lang.t("Pyyntö", "Request")) @if e.request_truncated { " " span.muted { (lang.t("(lyhennetty)", "(truncated)")) } } }
        pre #request { (pretty(&e.request)) }
        h2 { (lang.t("Vastaus", "Response")) }
        pre #response { (pretty(&e.response)) }
    };
    layout(
        lang,
        &format!("{} #{seq}", lang.t("Sanoma", "Message")),
        &now_text(&s),
        &format!("/ui/journal/{seq}?lang={}", lang.code()),
        body,
    )
    .into_response()
}

pub(super) async fn seed(State(s): State<AdminState>, Path(name): Path<String>, Query(q): Query<LangQ>) -> Response {
    let archive = s.archive.clone();
    let registry = s.registry.clone();
    let certs = s.certs.clone();
    let n = name.clone();
    match tokio::task::spawn_blocking(move || crate::seed::seed(&archive, &registry.get(), &certs, &n)).await {
        Ok(Ok(r)) => {
            let first = r.clients.first().cloned().unwrap_or_default();
            Redirect::to(&format!("/ui/asiakas?hetu={first}&lang={}", q.lang.code())).into_response()
        }
        Ok(Err(e)) => error_page(&s, q.lang, StatusCode::CONFLICT, e.to_string()),
        Err(e) => error_page(&s, q.lang, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}
