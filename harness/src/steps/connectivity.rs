//! Connectivity (yhteystestaus): certificates good and bad, a first message,
//! and transport-level faults. These messages are sent by the harness itself
//! with the chosen certificate — they test the path a vendor's system uses.

use cucumber::when;

use super::check;
use crate::world::ShaWorld;
use sha_simulator::compose::{QueryBuilder, RequestBuilder};
use sha_simulator::pki::BadKind;

fn certificate(name: &str) -> Result<Option<Option<BadKind>>, String> {
    Ok(match name {
        "oma" | "own" => None,
        "vanhentunut" | "expired" => Some(Some(BadKind::Expired)),
        "ei vielä voimassa" | "not yet valid" => Some(Some(BadKind::NotYetValid)),
        "tuntemattoman CA:n" | "unknown CA" => Some(Some(BadKind::UnknownCa)),
        "väärän käyttötarkoituksen" | "wrong key usage" => Some(Some(BadKind::WrongKeyUsage)),
        "ei varmennetta" | "no certificate" => Some(None),
        other => return Err(format!("tuntematon varmenne '{other}'")),
    })
}

async fn send_first_message(w: &mut ShaWorld, cert: &str) -> Result<(), String> {
    w.mark().await?;
    let ctx = w.ctx()?;
    let now = w.simulator_now().await?;
    let msg =
        RequestBuilder::for_operation(sha_simulator::interactions::Operation::FetchKooste, None, &w.device()?, now)
            .acting_organisation(&w.org.controller)
            .query(QueryBuilder::new().client(&w.person.hetu).build())
            .build();
    let client = match certificate(cert)? {
        None => ctx.client(&w.system)?,
        Some(bad) => ctx.bad_client(bad)?,
    };
    let _ = client.exchange(&msg).await;
    w.observe(std::time::Duration::from_secs(5)).await.map(|_| ())
}

#[when(regex = r"^(?:järjestelmä lähettää ensimmäisen sanoman|the system sends its first message)$")]
async fn first_message(w: &mut ShaWorld) {
    check(send_first_message(w, "oma").await);
}

#[when(
    regex = r#"^(?:järjestelmä lähettää sanoman varmenteella|the system sends a message with certificate) "([^"]+)"$"#
)]
async fn message_with_certificate(w: &mut ShaWorld, cert: String) {
    check(send_first_message(w, &cert).await);
}

#[when(regex = r#"^(?:järjestelmä lähettää viallisen sanoman|the system sends a broken message) "([^"]+)"$"#)]
async fn broken_message(w: &mut ShaWorld, kind: String) {
    check(send_broken(w, &kind).await);
}

#[when(
    regex = r#"^(?:järjestelmä lähettää viallisen sanoman|the system sends a broken message) "([^"]+)" (?:kahdesti|twice)$"#
)]
async fn broken_message_twice(w: &mut ShaWorld, kind: String) {
    let r = async {
        send_broken(w, &kind).await?;
        send_broken(w, &kind).await
    }
    .await;
    check(r);
}

/// A hand-written broken message from `testdata/wire/NAME.xml`, `{{id}}` made fresh.
fn wire_file(w: &ShaWorld, name: &str) -> Result<Vec<u8>, String> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(format!("viallisen sanoman nimi '{name}' ei kelpaa — not a message name"));
    }
    let path = w.shared()?.testdata.join("wire").join(format!("{name}.xml"));
    let bytes =
        std::fs::read(&path).map_err(|e| format!("tuntematon viallinen sanoma '{name}' ({}): {e}", path.display()))?;
    let id = sha_simulator::compose::kit::new_oid();
    let mut out = Vec::with_capacity(bytes.len() + 64);
    let mut rest = bytes.as_slice();
    while let Some(i) = rest.windows(6).position(|x| x == b"{{id}}") {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(id.as_bytes());
        rest = &rest[i + 6..];
    }
    out.extend_from_slice(rest);
    Ok(out)
}

async fn send_broken(w: &mut ShaWorld, kind: &str) -> Result<(), String> {
    {
        w.mark().await?;
        let ctx = w.ctx()?;
        let client = ctx.client(&w.system)?;
        let soap = [("content-type", "text/xml; charset=utf-8"), ("SOAPAction", "\"\"")];
        let (headers, body): (&[(&str, &str)], Vec<u8>) = match kind {
            "ei-xml" | "not-xml" => (&soap, b"this is not XML".to_vec()),
            "dtd" => (&soap, b"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>".to_vec()),
            "liian-suuri" | "too-large" => (&soap, vec![b' '; 21 * 1024 * 1024]),
            "väärä-sisältötyyppi" | "wrong-content-type" => {
                (&[("content-type", "application/json")], b"{}".to_vec())
            }
            other => (&soap, wire_file(w, other)?),
        };
        let _ = client.send_raw(headers, body).await;
        w.observe(std::time::Duration::from_secs(5)).await.map(|_| ())
    }
}
