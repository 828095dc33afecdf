//! The archive under the Client Data Act (SPEC §8): the 2026 dates on the
//! simulator's clock, declarations of intent (Kanta information, consent,
//! prohibitions), the disclosure query's conditions and its log, and the
//! register access right of a provider to its organiser's register.
//!
//! Owns: reading declarations and clienthood content and deciding. Public
//! rules are cited; where SPEC marks a choice, the docs say so
//! (docs/joining-obligation.md). Pure functions over stored records, plus the
//! disclosure log's record shape.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::{Date, OffsetDateTime};

use super::records::{StoredDocument, VersionStatus};
use crate::acks::{Detail, DetailCode};
use crate::codes::{oids, CodeSets};
use crate::document::{DocumentKind, DocumentModel, Metadata};

// ---- dates ---------------------------------------------------------------

#[derive(Debug, Deserialize)]
struct DatesFile {
    date: Vec<DateRow>,
}

/// One row of `testdata/dates.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DateRow {
    /// Key.
    pub key: String,
    /// The date.
    pub date: String,
    /// public / reported.
    pub status: String,
    /// What it means.
    pub description: String,
    /// The operations (profile actions) that exist only from this date on.
    #[serde(default)]
    pub actions: Vec<crate::profile::Action>,
}

/// The compiled-in dates table.
pub const DATES_TOML: &str = include_str!("../../../testdata/dates.toml");

pub(crate) fn ymd(s: &str) -> Option<Date> {
    Date::parse(s, &time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// Parses a dates table, checking every date.
pub fn parse_dates(text: &str) -> Result<Vec<DateRow>, String> {
    let f = toml::from_str::<DatesFile>(text).map_err(|e| e.to_string())?;
    if let Some(bad) = f.date.iter().find(|d| ymd(&d.date).is_none()) {
        return Err(format!("date '{}' of {} is not YYYY-MM-DD", bad.date, bad.key));
    }
    Ok(f.date)
}

/// The dates table (embedded, or from the runtime tables directory).
pub fn dates() -> &'static [DateRow] {
    static D: std::sync::OnceLock<Vec<DateRow>> = std::sync::OnceLock::new();
    D.get_or_init(|| match parse_dates(&crate::tables::text("dates.toml", DATES_TOML)) {
        Ok(d) => d,
        // Checked at start (tables::check) and by a unit test for the embedded copy.
        Err(e) => panic!("dates.toml: {e}"),
    })
}

/// A date by key.
pub fn date(key: &str) -> Option<Date> {
    dates().iter().find(|d| d.key == key).and_then(|d| ymd(&d.date))
}

/// Rule 8.6: an operation that exists only from a date in the table (declarations of intent,
/// disclosure queries and structured documents from the Client Data Act's entry into force) is
/// refused before it, naming the operation and the date.
pub fn not_yet_in_force(actions: &[crate::profile::Action], now: OffsetDateTime) -> Option<Detail> {
    for row in dates() {
        let Some(from) = ymd(&row.date) else { continue };
        if now.date() >= from {
            continue;
        }
        if let Some(a) = actions.iter().find(|a| row.actions.contains(a)) {
            return Some(Detail::new(
                DetailCode::NotYetInForce,
                format!("{} {from} ({}); the clock is {}", a.finnish(), row.description, now.date()),
            ));
        }
    }
    None
}

/// Rule 8.6: after the last day, documents declaring phase I or II content are refused (old documents stay storable).
pub fn phase_content_allowed(kind: DocumentKind, now: OffsetDateTime) -> Option<Detail> {
    let last = date("phase_content_last_day")?;
    let phase =
        matches!(kind, DocumentKind::Client(DocumentModel::Vaihe1) | DocumentKind::Client(DocumentModel::Vaihe2));
    (phase && now.date() > last).then(|| {
        Detail::new(DetailCode::PhaseContentEnded, format!("{last} (clock {})", now.date()))
            .at("/ClinicalDocument/hl7fi:localSocialHeader/hl7fi:documentGroup")
    })
}

// ---- declarations ----------------------------------------------------------

fn json_date(v: &Value) -> Option<Date> {
    v.as_str().and_then(|s| ymd(s.get(..10).unwrap_or(s)))
}

fn content_hetu(v: &Value, root: &str) -> Option<String> {
    v.pointer(&format!("/{root}/asiakas/henkilotunnus/value")).and_then(|x| x.as_str()).map(|s| s.to_ascii_uppercase())
}

fn check_representatives(list: Option<&Value>, loc: &str, out: &mut Vec<Detail>) {
    for p in list.and_then(|v| v.as_array()).into_iter().flatten() {
        let role = p.pointer("/rooli/code").and_then(|c| c.as_str()).unwrap_or("");
        if !["31", "32", "33", "34"].contains(&role) {
            out.push(Detail::new(DetailCode::RepresentativeRole, format!("rooli '{role}'")).at(loc));
        }
    }
}

/// Validates a declaration's JSON content (SPEC §8.3): the client matches the
/// header, required values are there, nothing is given in advance, and a
/// representative has an allowed role.
pub fn check_declaration(
    meta: &Metadata,
    kind: DocumentKind,
    content: Option<&Value>,
    now: OffsetDateTime,
) -> Vec<Detail> {
    let mut out = Vec::new();
    let Some(v) = content else {
        out.push(
            Detail::new(DetailCode::DeclarationField, "structured form (hl7fi:json)")
                .at("/ClinicalDocument/component/nonXMLBody/hl7fi:json"),
        );
        return out;
    };
    let today = now.date();
    let header = meta.client.as_ref().map(|c| c.extension.to_ascii_uppercase()).unwrap_or_default();
    let root = match kind {
        DocumentKind::Consent => "luovutuslupa_asiakirja",
        DocumentKind::Prohibition => "kieltoasiakirja",
        _ => "kanta_informointi",
    };
    match content_hetu(v, root) {
        Some(h) if h == header => {}
        Some(h) => out.push(
            Detail::new(DetailCode::DeclarationClient, format!("{h} ≠ {header}"))
                .at(format!("/{root}/asiakas/henkilotunnus")),
        ),
        None => out.push(
            Detail::new(DetailCode::DeclarationField, format!("/{root}/asiakas/henkilotunnus/value"))
                .at(format!("/{root}/asiakas")),
        ),
    }
    let given = |p: &str, out: &mut Vec<Detail>| match v.pointer(p).and_then(json_date) {
        Some(d) if d > today => {
            out.push(Detail::new(DetailCode::DeclarationInAdvance, format!("{p} = {d}, {today}")).at(p.to_string()))
        }
        Some(_) => {}
        None => out.push(Detail::new(DetailCode::DeclarationField, p.to_string()).at(p.to_string())),
    };
    match kind {
        DocumentKind::Consent => {
            if v.pointer("/luovutuslupa_asiakirja/voimassa_oleva_luovutuslupa/luovutuslupa")
                .and_then(|b| b.as_bool())
                .is_none()
            {
                out.push(
                    Detail::new(
                        DetailCode::DeclarationField,
                        "/luovutuslupa_asiakirja/voimassa_oleva_luovutuslupa/luovutuslupa",
                    )
                    .at("/luovutuslupa_asiakirja/voimassa_oleva_luovutuslupa"),
                );
            }
            given("/luovutuslupa_asiakirja/voimassa_oleva_luovutuslupa/luovutusluvan_antamisen_ajankohta", &mut out);
            if v.pointer("/luovutuslupa_asiakirja/luovutusluvan_antaja_on_laillinen_edustaja").and_then(|b| b.as_bool())
                == Some(true)
            {
                check_representatives(
                    v.pointer("/luovutuslupa_asiakirja/luovutusluvan_antaja"),
                    "/luovutuslupa_asiakirja/luovutusluvan_antaja",
                    &mut out,
                );
            }
        }
        DocumentKind::Prohibition => {
            for (group, list) in [
                ("rekisterinpitajaa_koskevat_luovutuskiellot", "rekisterinpitajaa_koskeva_luovutuskielto"),
                ("palvelutehtavaa_koskevat_luovutuskiellot", "palvelutehtavaa_koskeva_luovutuskielto"),
                ("asiakirjoja_koskevat_luovutuskiellot", "asiakirjaa_koskeva_luovutuskielto"),
            ] {
                let base = format!("/kieltoasiakirja/{group}/{list}");
                for (i, item) in v.pointer(&base).and_then(|a| a.as_array()).into_iter().flatten().enumerate() {
                    let p = format!("{base}/{i}/kiellon_asettamisen_ajankohta");
                    match item.get("kiellon_asettamisen_ajankohta").and_then(json_date) {
                        Some(d) if d > today => {
                            out.push(Detail::new(DetailCode::DeclarationInAdvance, format!("{p} = {d}")).at(p))
                        }
                        Some(_) => {}
                        None => out.push(Detail::new(DetailCode::DeclarationField, p.clone()).at(p)),
                    }
                    if item.get("kieltaja_on_laillinen_edustaja").and_then(|b| b.as_bool()) == Some(true) {
                        check_representatives(
                            item.get("henkilo_joka_kieltaa_asiakastietojen_luovuttamisen"),
                            &format!("{base}/{i}"),
                            &mut out,
                        );
                    }
                }
            }
        }
        _ => given("/kanta_informointi/informoinnin_ajankohta", &mut out),
    }
    out
}

/// A client's declarations in force (the newest version of each kind, SPEC §8.3).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Declarations {
    /// Kanta information was given.
    pub informed: bool,
    /// The newest consent's value, if any consent exists.
    pub consent: Option<bool>,
    /// Controllers whose data may not be disclosed.
    pub prohibited_controllers: Vec<String>,
    /// Service tasks whose data may not be disclosed to other controllers.
    pub prohibited_service_tasks: Vec<String>,
    /// Document (set) OIDs that may not be disclosed.
    pub prohibited_documents: Vec<String>,
    /// The declaration documents in force.
    pub documents: Vec<String>,
}

fn newest(docs: &[StoredDocument], kind: DocumentKind) -> Option<&StoredDocument> {
    docs.iter()
        .filter(|d| d.kind == kind && d.status == VersionStatus::Current && !d.is_invalidated())
        .max_by_key(|d| (d.metadata.effective_time, d.stored_at, d.seq))
}

fn codes_of(v: Option<&Value>, field: &str) -> Vec<String> {
    let mut out = Vec::new();
    for item in v.and_then(|a| a.as_array()).into_iter().flatten() {
        for c in item.get(field).and_then(|a| a.as_array()).into_iter().flatten() {
            if let Some(code) = c.get("code").and_then(|x| x.as_str()) {
                out.push(code.to_string());
            } else if let Some(val) = c.pointer("/oid_tunnus/value").and_then(|x| x.as_str()) {
                out.push(val.to_string());
            }
        }
    }
    out
}

/// Reads the declarations in force from all of a client's documents (any controller).
pub fn declarations(all: &[StoredDocument]) -> Declarations {
    let mut d = Declarations::default();
    if let Some(i) = newest(all, DocumentKind::Informing) {
        d.informed = true;
        d.documents.push(i.id.clone());
    }
    if let Some(c) = newest(all, DocumentKind::Consent) {
        d.consent = c
            .content
            .as_ref()
            .and_then(|v| v.pointer("/luovutuslupa_asiakirja/voimassa_oleva_luovutuslupa/luovutuslupa"))
            .and_then(|b| b.as_bool());
        d.documents.push(c.id.clone());
    }
    if let Some(p) = newest(all, DocumentKind::Prohibition) {
        let v = p.content.as_ref();
        d.prohibited_controllers = codes_of(v.and_then(|v| v.pointer("/kieltoasiakirja/rekisterinpitajaa_koskevat_luovutuskiellot/rekisterinpitajaa_koskeva_luovutuskielto")), "rekisterinpitaja_jonka_tietojen_luovutus_kielletaan");
        d.prohibited_service_tasks = codes_of(
            v.and_then(|v| {
                v.pointer(
                    "/kieltoasiakirja/palvelutehtavaa_koskevat_luovutuskiellot/palvelutehtavaa_koskeva_luovutuskielto",
                )
            }),
            "palvelutehtava_jonka_tietojen_luovutus_kielletaan",
        );
        d.prohibited_documents = codes_of(
            v.and_then(|v| {
                v.pointer("/kieltoasiakirja/asiakirjoja_koskevat_luovutuskiellot/asiakirjaa_koskeva_luovutuskielto")
            }),
            "asiakirja_jonka_luovutus_kielletaan",
        );
        d.documents.push(p.id.clone());
    }
    d
}

// ---- clienthood periods --------------------------------------------------

fn within(start: Option<Date>, end: Option<Date>, today: Date) -> bool {
    start.is_some_and(|s| s <= today) && end.is_none_or(|e| today <= e)
}

/// Whether a clienthood document (its JSON) describes an active clienthood on `today`.
pub fn clienthood_active(doc: &StoredDocument, today: Date) -> bool {
    let Some(v) = doc.content.as_ref() else { return false };
    let s = v.pointer("/asiakkuusasiakirja/sosiaalihuollon_asiakkuus/asiakkuuden_alkamispvm").and_then(json_date);
    let e = v.pointer("/asiakkuusasiakirja/sosiaalihuollon_asiakkuus/asiakkuuden_paattymispvm").and_then(json_date);
    within(s, e, today)
}

/// The controller's newest current clienthood document for a client.
pub fn newest_clienthood<'a>(docs: &'a [StoredDocument], controller: &str) -> Option<&'a StoredDocument> {
    docs.iter()
        .filter(|d| {
            d.kind == DocumentKind::Asiakkuus
                && d.controller() == controller
                && d.status == VersionStatus::Current
                && !d.is_invalidated()
        })
        .max_by_key(|d| (d.metadata.effective_time, d.stored_at, d.seq))
}

/// Register access right (SPEC §8.5): the organiser's newest clienthood lists one of
/// `units` as a producer or implementer unit — under `service_task` when given —
/// with `today` inside its start and end dates. Returns why not, when not.
pub fn register_access(
    organiser_clienthood: Option<&StoredDocument>,
    units: &[String],
    service_task: Option<&str>,
    today: Date,
) -> Result<(), String> {
    let doc = organiser_clienthood.ok_or("the organiser has no clienthood document for the client")?;
    let v = doc.content.as_ref().ok_or("the organiser's clienthood document has no readable content")?;
    let tasks = v
        .pointer("/asiakkuusasiakirja/sosiaalihuollon_palvelutehtava")
        .and_then(|a| a.as_array())
        .cloned()
        .unwrap_or_default();
    let mut listed = false;
    for t in &tasks {
        let code = t.pointer("/palvelutehtava/code").and_then(|c| c.as_str()).unwrap_or("");
        if service_task.is_some_and(|s| s != code) {
            continue;
        }
        for producer in t.get("palveluntuottaja").and_then(|a| a.as_array()).into_iter().flatten() {
            let mut entries = vec![producer.clone()];
            entries.extend(producer.get("palveluntoteuttaja").and_then(|a| a.as_array()).cloned().unwrap_or_default());
            for e in entries {
                let unit = e.pointer("/palveluyksikon_nimi/code").and_then(|c| c.as_str()).unwrap_or("");
                if units.iter().any(|u| u == unit) {
                    listed = true;
                    let s = e.get("asiakkuuden_alkamispvm").and_then(json_date);
                    let end = e.get("asiakkuuden_paattymispvm").and_then(json_date);
                    if within(s, end, today) {
                        return Ok(());
                    }
                }
            }
        }
    }
    Err(if listed {
        format!("the provider's service unit is listed in the organiser's clienthood, but not for {today}")
    } else {
        format!(
            "the organiser's newest clienthood does not list the provider's service unit{}",
            service_task.map(|s| format!(" under service task {s}")).unwrap_or_default()
        )
    })
}

/// The service units (palveluyksikkö) of an organisation in the SOTE register.
pub fn units_of(org: &str, codes: &CodeSets) -> Vec<String> {
    codes
        .system(oids::SOTE_ORGANISATION)
        .map(|s| s.codes.iter().filter(|c| c.parent.as_deref() == Some(org)).map(|c| c.code.clone()).collect())
        .unwrap_or_default()
}

// ---- disclosure ------------------------------------------------------------

/// On what basis a disclosure was answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum Basis {
    /// Kanta information, consent and an active clienthood.
    Consent,
    /// A statutory right to information, with its reason.
    StatutoryRight {
        /// Reason code.
        code: String,
        /// Reason name.
        reason: String,
    },
}

/// One answered disclosure (the client sees these in OmaKanta's disclosure log).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DisclosureRecord {
    /// When (simulated).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Querying system.
    pub system: String,
    /// Querying controller.
    pub to_controller: String,
    /// Whose data.
    pub client: String,
    /// Documents disclosed.
    pub documents: Vec<String>,
    /// Controllers whose documents were disclosed.
    pub from_controllers: Vec<String>,
    /// Basis.
    pub basis: Basis,
    /// Message id of the query.
    pub message_id: String,
}

#[derive(Debug, Deserialize)]
struct ReasonsFile {
    reason: Vec<ReasonRow>,
}

/// A reason for a statutory right to information.
#[derive(Debug, Clone, Deserialize)]
pub struct ReasonRow {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
}

/// The compiled-in statutory reasons.
pub const REASONS_TOML: &str = include_str!("../../../testdata/statutory-reasons.toml");

/// Parses the statutory reasons table.
pub fn parse_reasons(text: &str) -> Result<Vec<ReasonRow>, String> {
    toml::from_str::<ReasonsFile>(text).map(|f| f.reason).map_err(|e| e.to_string())
}

/// The name of a statutory-right reason code.
pub fn statutory_reason(code: &str) -> Option<String> {
    static R: std::sync::OnceLock<Vec<ReasonRow>> = std::sync::OnceLock::new();
    R.get_or_init(|| parse_reasons(&crate::tables::text("statutory-reasons.toml", REASONS_TOML)).unwrap_or_default())
        .iter()
        .find(|r| r.code == code)
        .map(|r| r.name.clone())
}

/// Decides whether `querying` may see other controllers' data of the client, and
/// which of `all` it may see (SPEC §8.4). `statutory` is (code, reason name) when given.
pub fn disclose<'a>(
    all: &'a [StoredDocument],
    querying: &str,
    statutory: Option<&(String, String)>,
    today: Date,
) -> Result<Vec<&'a StoredDocument>, Detail> {
    let decl = declarations(all);
    if !decl.informed {
        return Err(Detail::new(DetailCode::NoInforming, ""));
    }
    let active = newest_clienthood(all, querying).is_some_and(|d| clienthood_active(d, today));
    if !active {
        return Err(Detail::new(DetailCode::NoActiveClienthood, querying));
    }
    if statutory.is_none() && decl.consent != Some(true) {
        return Err(Detail::new(DetailCode::NoConsent, ""));
    }
    let prohibitions_apply = statutory.is_none();
    Ok(all
        .iter()
        .filter(|d| d.controller() != querying)
        .filter(|d| {
            matches!(
                d.kind,
                DocumentKind::Client(DocumentModel::Vaihe2) | DocumentKind::Client(DocumentModel::Liittymisvelvoite)
            )
        })
        .filter(|d| d.status == VersionStatus::Current && !d.is_invalidated())
        .filter(|d| {
            !prohibitions_apply
                || !(decl.prohibited_controllers.iter().any(|c| c == d.controller())
                    || d.metadata
                        .service_task
                        .as_ref()
                        .is_some_and(|t| decl.prohibited_service_tasks.contains(&t.code))
                    || decl.prohibited_documents.iter().any(|p| p == d.set_id() || p == &d.id))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_table_loads() {
        assert_eq!(date("joining_obligation"), Some(time::macros::date!(2026 - 09 - 01)));
        assert_eq!(date("phase_content_last_day"), Some(time::macros::date!(2026 - 08 - 31)));
        assert!(statutory_reason("1").is_some() && statutory_reason("99").is_none());
    }

    #[test]
    fn register_access_follows_the_period() {
        let json = serde_json::json!({"asiakkuusasiakirja": {"sosiaalihuollon_palvelutehtava": [{
            "palvelutehtava": {"code": "10"},
            "palveluntuottaja": [{"palveluyksikon_nimi": {"code": "U1"}, "asiakkuuden_alkamispvm": "2026-10-01", "asiakkuuden_paattymispvm": "2026-12-31",
                "palveluntoteuttaja": [{"palveluyksikon_nimi": {"code": "U2"}, "asiakkuuden_alkamispvm": "2026-11-01"}]}]
        }]}});
        let doc = StoredDocument {
            id: "d".into(),
            kind: DocumentKind::Asiakkuus,
            metadata: Metadata::default(),
            status: VersionStatus::Current,
            replaced_by: None,
            invalidation: None,
            stored_at: OffsetDateTime::UNIX_EPOCH,
            stored_by: String::new(),
            seq: 0,
            message_id: String::new(),
            parts: vec![],
            content: Some(json),
        };
        let d = |s: &str| ymd(s).expect("date");
        assert!(register_access(Some(&doc), &["U1".into()], Some("10"), d("2026-11-15")).is_ok());
        assert!(register_access(Some(&doc), &["U2".into()], None, d("2026-11-15")).is_ok(), "subcontractor unit");
        assert!(register_access(Some(&doc), &["U1".into()], Some("10"), d("2027-01-01"))
            .unwrap_err()
            .contains("not for"));
        assert!(register_access(Some(&doc), &["U1".into()], Some("20"), d("2026-11-15")).is_err());
        assert!(register_access(Some(&doc), &["X".into()], None, d("2026-11-15"))
            .unwrap_err()
            .contains("does not list"));
        assert!(register_access(None, &["U1".into()], None, d("2026-11-15")).is_err());
    }
}
