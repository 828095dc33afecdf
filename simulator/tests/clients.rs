//! Real clients with their defaults against a running simulator over mutual TLS: curl, openssl
//! (`s_client -verify_return_error -x509_strict`, and `verify -x509_strict` on every generated
//! certificate), and Python `requests` and `zeep` with only `verify=` and `cert=` set, plus
//! Python's strict X.509 verification (the default from Python 3.13 on). `.ci/run` installs
//! what they need; elsewhere a missing tool skips its test with a notice. The tools run while the
//! test blocks on them, so the simulator runs on worker threads (multi-thread runtime).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::Sim;

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn certs(sim: &Sim) -> PathBuf {
    sim.certs_dir.path().to_path_buf()
}

fn message() -> PathBuf {
    common::testdata().join("messages/kooste-query.xml")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_with_its_defaults_gets_an_acknowledgement() {
    let Some(curl) = common::external_tool("curl", "Debian package curl") else { return };
    let sim = Sim::start().await;
    let c = certs(&sim);
    let out = run(Command::new(curl)
        .args(["--silent", "--show-error", "--fail", "--cacert"])
        .arg(c.join("ca.pem"))
        .arg("--cert")
        .arg(c.join("systems/liittymisvelvoite-atj.pem"))
        .arg("--key")
        .arg(c.join("systems/liittymisvelvoite-atj.key"))
        .args(["-H", "Content-Type: text/xml; charset=utf-8", "--data-binary"])
        .arg(format!("@{}", message().display()))
        .arg(sim.endpoint()));
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("<acknowledgement typeCode=\"AA\""), "{}", text(&out));
}

fn every_pem(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("certs dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(every_pem(&p));
        } else if p.extension().is_some_and(|x| x == "pem") {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssl_verifies_every_certificate_strictly_and_connects() {
    let Some(openssl) = common::external_tool("openssl", "Debian package openssl") else { return };
    let sim = Sim::start().await;
    let c = certs(&sim);
    let intermediates = [c.join("service-ca.pem"), c.join("professional-ca.pem")];
    let mut checked = 0;
    for pem in every_pem(&c) {
        let bad = pem.parent().is_some_and(|p| p.ends_with("bad"));
        let mut cmd = Command::new(&openssl);
        cmd.args(["verify", "-x509_strict", "-CAfile"]).arg(c.join("ca.pem"));
        for i in &intermediates {
            cmd.arg("-untrusted").arg(i);
        }
        let out = run(cmd.arg(&pem));
        if bad {
            // The deliberately bad ones fail for their one reason, never for their shape.
            assert!(!text(&out).contains("Missing Authority Key Identifier"), "{}: {}", pem.display(), text(&out));
        } else {
            assert!(out.status.success(), "{}: {}", pem.display(), text(&out));
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} certificates checked");

    let port = sim.endpoint().split(':').nth(2).and_then(|p| p.split('/').next()).expect("port").to_string();
    let out = run(Command::new(&openssl)
        .args(["s_client", "-connect", &format!("127.0.0.1:{port}"), "-servername", "localhost"])
        .args(["-verify_return_error", "-x509_strict", "-CAfile"])
        .arg(c.join("ca.pem"))
        .arg("-cert")
        .arg(c.join("systems/liittymisvelvoite-atj.pem"))
        .arg("-key")
        .arg(c.join("systems/liittymisvelvoite-atj.key"))
        .stdin(std::process::Stdio::null()));
    let t = text(&out);
    assert!(t.contains("Verify return code: 0 (ok)"), "{t}");
    assert!(t.contains("RSA") || t.contains("rsa"), "an RSA server key: {t}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_requests_and_zeep_with_their_defaults() {
    let Some(python) = common::external_tool("python3", "Python 3 with `pip install requests zeep`") else { return };
    let probe = run(Command::new(&python).args(["-c", "import requests, zeep, lxml"]));
    if !probe.status.success() {
        assert!(std::env::var_os("CI").is_none(), "CI must have requests and zeep (.ci/run installs them)");
        eprintln!("NOTE: test skipped: `pip install requests zeep` to run it");
        return;
    }
    let sim = Sim::start().await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients/python_clients.py");
    // requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a Session's `verify` (this
    // sandbox sets both to the system bundle); a vendor's clean machine has neither.
    let out = run(Command::new(&python)
        .env_remove("REQUESTS_CA_BUNDLE")
        .env_remove("CURL_CA_BUNDLE")
        .arg(script)
        .arg(sim.endpoint())
        .arg(certs(&sim))
        .arg("liittymisvelvoite-atj")
        .arg(message()));
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    for line in ["requests: WSDL fetched", "zeep: QUQI_IN200009FI01 answered AA", "VERIFY_X509_STRICT"] {
        assert!(t.contains(line), "{line} missing: {t}");
    }
}
