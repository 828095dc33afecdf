//! The archivist view (arkistonhoitajan näkymä) at `/ui`: what the archive
//! holds, as a controller's archivist would check it — clients, clienthoods,
//! cases, documents with every metadata field, versions and invalidations side
//! by side, the documents themselves, and the message journal with each ack's
//! rule. Server-rendered (maud), Finnish with an English switch, no external
//! assets. Reads through the archive and store; changes nothing but seeding.

mod pages;
pub mod sanitize;

use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup, DOCTYPE};
use serde::Deserialize;

use crate::admin::AdminState;

/// The UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Finnish (default).
    #[default]
    Fi,
    /// English.
    En,
}

impl Lang {
    /// Picks the text for this language.
    pub fn t<'a>(self, fi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Fi => fi,
            Lang::En => en,
        }
    }

    /// The `lang=` query value.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fi => "fi",
            Lang::En => "en",
        }
    }

    fn other(self) -> Lang {
        match self {
            Lang::Fi => Lang::En,
            Lang::En => Lang::Fi,
        }
    }
}

/// The UI routes.
pub fn router() -> Router<AdminState> {
    Router::new()
        .route("/ui", get(pages::dashboard))
        .route("/ui/asiakas", get(pages::client))
        .route("/ui/yhteisliittyma", get(pages::joint_group))
        .route("/ui/asiakirja/{id}", get(pages::document))
        .route("/ui/asiakirja/{id}/osa/{cid}", get(pages::part))
        .route("/ui/journal", get(pages::journal))
        .route("/ui/journal/{seq}", get(pages::journal_entry))
        .route("/ui/seed/{name}", post(pages::seed))
        .route("/ui/style.css", get(style))
}

const CSS: &str = r#"
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2733;background:#f6f7f9}
header{background:#003580;color:#fff;padding:.6em 1.5em;display:flex;gap:1.5em;align-items:center;flex-wrap:wrap}
header a{color:#fff;text-decoration:none;font-weight:600} header .clock{margin-left:auto;font-size:.9em;opacity:.9}
main{padding:1em 1.5em;max-width:80em}
h1{font-size:1.5em} h2{font-size:1.15em;margin-top:1.5em;border-bottom:2px solid #d5dbe3;padding-bottom:.2em}
table{border-collapse:collapse;background:#fff;margin:.5em 0;width:100%} th,td{border:1px solid #d5dbe3;padding:.3em .5em;text-align:left;vertical-align:top;font-size:.92em}
th{background:#eef1f5;font-weight:600} td code{font-size:.85em}
.status-current{color:#176b2c;font-weight:600} .status-replaced{color:#7a5b00} .status-nullified{color:#a31515;font-weight:600}
.outcome-accepted{color:#176b2c} .outcome-rejected,.outcome-fault,.outcome-tls_refused,.outcome-application_error{color:#a31515}
.card{background:#fff;border:1px solid #d5dbe3;padding:.8em 1em;margin:.5em 0;border-radius:.3em}
.cards{display:flex;gap:1em;flex-wrap:wrap} .cards .card{min-width:12em} .big{font-size:1.8em;font-weight:700}
pre{background:#fff;border:1px solid #d5dbe3;padding:.6em;overflow:auto;white-space:pre-wrap;word-break:break-all;font-size:.82em;max-height:40em}
form.inline{display:inline} input,select,button{font-size:1em;padding:.25em .4em}
.warn{background:#fff4d6;border-left:4px solid #e0a800;padding:.4em .8em} .muted{color:#667}
.xhtml{background:#fff} iframe{width:100%;height:30em;border:1px solid #d5dbe3} .clock-big{font-size:1.1em}
"#;

/// The view's one stylesheet (no inline styles: the pages' policy allows only this origin's).
async fn style() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS)
}

/// The page frame.
pub fn layout(lang: Lang, title: &str, clock: &str, self_path: &str, body: Markup) -> Markup {
    let (base, query) = self_path.split_once('?').unwrap_or((self_path, ""));
    let mut params: Vec<&str> = query.split('&').filter(|p| !p.is_empty() && !p.starts_with("lang=")).collect();
    let lang_param = format!("lang={}", lang.other().code());
    params.push(&lang_param);
    let switch = format!("{base}?{}", params.join("&"));
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — SHA" }
                link rel="stylesheet" href="/ui/style.css";
            }
            body {
                header {
                    a href={ "/ui?lang=" (lang.code()) } { "SHA " (lang.t("arkistonhoitaja", "archivist")) }
                    a href={ "/ui/asiakas?lang=" (lang.code()) } id="nav-clients" { (lang.t("Asiakkaat", "Clients")) }
                    a href={ "/ui/journal?lang=" (lang.code()) } id="nav-journal" { (lang.t("Sanomaloki", "Message journal")) }
                    a href=(switch) id="lang-switch" { (lang.t("In English", "Suomeksi")) }
                    span.clock { (lang.t("Simulaattorin kello", "Simulator clock")) ": " span #clock { (clock) } }
                }
                main { h1 { (title) } (body) }
            }
        }
    }
}
