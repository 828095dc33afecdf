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
    let r = async {
        w.mark().await?;
        let ctx = w.ctx()?;
        let client = ctx.client(&w.system)?;
        let soap = [("content-type", "text/xml; charset=utf-8"), ("SOAPAction", "\"\"")];
        let (headers, body): (&[(&str, &str)], Vec<u8>) = match kind.as_str() {
            "ei-xml" | "not-xml" => (&soap, b"this is not XML".to_vec()),
            "dtd" => (&soap, b"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>".to_vec()),
            "liian-suuri" | "too-large" => (&soap, vec![b' '; 21 * 1024 * 1024]),
            "väärä-sisältötyyppi" | "wrong-content-type" => {
                (&[("content-type", "application/json")], b"{}".to_vec())
            }
            other => return Err(format!("tuntematon viallinen sanoma '{other}'")),
        };
        let _ = client.send_raw(headers, body).await;
        w.observe(std::time::Duration::from_secs(5)).await.map(|_| ())
    }
    .await;
    check(r);
}
