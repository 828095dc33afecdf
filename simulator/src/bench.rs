//! The load tool (`sha-simulator bench`): the same mutual-TLS load — N
//! keep-alive connections sending real ~20 KB archive messages with a PDF —
//! against three targets in one run, side by side: a bare axum+rustls server
//! that only echoes a fixed acknowledgement (the machine's limit), WireMock
//! (npm `wiremock`, on the machine's Java) serving a canned acknowledgement
//! over HTTPS with client certificates, and the simulator doing real
//! validation and durable storage. Figures are ratios measured in one run:
//! these machines are shared and noisy.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::client::SoapClient;
use crate::compose::kit::{Kit, Organisation};
use crate::compose::{content, Part, RequestBuilder};
use crate::document::DocumentModel;
use crate::interactions::Operation;
use crate::persons::TestPersons;
use crate::pki::{self, CertPaths};
use crate::registry::Registry;
use crate::server::{self, DataLocation, Options};
use crate::wire::soap::SoapVersion;

/// Which target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Bare axum+rustls echo.
    Bare,
    /// WireMock over HTTPS with client certificates.
    WireMock,
    /// The simulator.
    Simulator,
}

impl Target {
    /// Name in the report.
    pub fn name(self) -> &'static str {
        match self {
            Target::Bare => "bare",
            Target::WireMock => "wiremock",
            Target::Simulator => "simulator",
        }
    }

    /// Parses a name.
    pub fn parse(s: &str) -> Option<Target> {
        match s {
            "bare" => Some(Target::Bare),
            "wiremock" => Some(Target::WireMock),
            "simulator" => Some(Target::Simulator),
            _ => None,
        }
    }
}

/// How to run.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Concurrent keep-alive connections.
    pub connections: usize,
    /// Measured time per target.
    pub duration: Duration,
    /// Warm-up per target (not measured).
    pub warmup: Duration,
    /// Targets in order.
    pub targets: Vec<Target>,
    /// Where WireMock is installed from npm.
    pub tools: PathBuf,
    /// The registry (systems and their certificates).
    pub registry: Registry,
    /// Approximate PDF size per message.
    pub pdf_bytes: usize,
}

/// One target's figures.
#[derive(Debug, Clone)]
pub struct Figures {
    /// Target.
    pub target: Target,
    /// Completed requests with the expected answer.
    pub ok: u64,
    /// Failed requests.
    pub errors: u64,
    /// Requests per second.
    pub throughput: f64,
    /// Latency percentiles in milliseconds.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Bytes per request sent.
    pub request_bytes: usize,
}

/// A target that could not be measured, with the reason.
#[derive(Debug, Clone)]
pub struct Skipped {
    /// Target.
    pub target: Target,
    /// Why.
    pub reason: String,
}

/// Errors that stop the whole run.
#[derive(Debug, thiserror::Error)]
#[error("bench: {0}")]
pub struct BenchError(pub String);

fn err(e: impl std::fmt::Display) -> BenchError {
    BenchError(e.to_string())
}

/// The system the load is sent as: one whose profile is in use on today's clock and may store
/// old documents (the phase I profiles ended in 2022).
pub const SYSTEM: &str = "liittymisvelvoite-atj";

/// A fresh ~20 KB archive message: an old document (no references needed) with a PDF, for a
/// varied client, signed with `keys` (the system signature an old document needs; without keys
/// the archive answers SHA-R004).
pub fn message(
    i: usize,
    pdf_bytes: usize,
    now: time::OffsetDateTime,
    keys: Option<&Arc<crate::client::SigningKeys>>,
) -> Vec<u8> {
    let persons = &TestPersons::builtin().persons;
    let p = &persons[i % persons.len()];
    let mut kit = Kit::new(Organisation::testila(), now - time::Duration::minutes(1));
    if let Some(k) = keys {
        kit = kit.with_keys(k.clone());
    }
    let mut spec = kit.client_document(p, "", DocumentModel::Vanha);
    let cid = format!("{}.pdf", spec.id);
    spec.parts = vec![Part::new(cid, "application/pdf", content::pdf_of_size("Vanha asiakirja", pdf_bytes))];
    RequestBuilder::for_operation(Operation::Store, Some(spec.kind), "1.2.246.10.99990001.10.0", now)
        .acting_organisation("1.2.246.10.99990001.10.0")
        .document(spec.clinical_document())
        .soap(SoapVersion::V11)
        .into_bytes()
}

fn canned_ack() -> String {
    let ack = crate::wire::ack::Ack::from_details(None, vec![]);
    let table = crate::interactions::Interactions::builtin();
    let id = crate::wire::hl7::InstanceId { root: table.archive_device.clone(), extension: Some("bench".into()) };
    let h = crate::wire::ack::ResponseHeader {
        interaction: "MCCI_IN000002FI01",
        id: &id,
        creation_time: "19700101000000+0000",
        to_device: "1.2.246.10.99990001.10.0",
        from_device: &table.archive_device,
        code_system: &table.ack_code_system,
        processing_code: "D",
    };
    crate::wire::soap::envelope(SoapVersion::V11, &crate::wire::ack::write(&ack, &h))
}

async fn bare_server(certs: &CertPaths) -> Result<(SocketAddr, axum_server::Handle), BenchError> {
    let clock = Arc::new(crate::clock::Clock::new());
    let cfg = crate::transport::tls::server_config(certs, &[], clock).map_err(err)?;
    let body = canned_ack();
    let app = axum::Router::new().route(
        "/sha",
        // The request body is read in full (as the simulator does) and ignored.
        axum::routing::post(move |_request: axum::body::Bytes| {
            let body = body.clone();
            async move { ([(axum::http::header::CONTENT_TYPE, "text/xml; charset=utf-8")], body) }
        }),
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(err)?;
    listener.set_nonblocking(true).map_err(err)?;
    let addr = listener.local_addr().map_err(err)?;
    let handle = axum_server::Handle::new();
    let rustls = axum_server::tls_rustls::RustlsConfig::from_config(cfg);
    let server = axum_server::from_tcp_rustls(listener, rustls).handle(handle.clone());
    tokio::spawn(async move {
        let _ = server.serve(app.into_make_service()).await;
    });
    Ok((addr, handle))
}

struct JavaProcess(Child);
impl Drop for JavaProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn run_tool(cmd: &mut Command, what: &str) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{what}: cannot run: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed: {}", String::from_utf8_lossy(&out.stderr).trim()))
    }
}

fn free_port() -> Result<u16, String> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| e.to_string())?
        .local_addr()
        .map_err(|e| e.to_string())?
        .port())
}

/// Installs (once) and starts WireMock with mutual TLS; returns the HTTPS port.
fn start_wiremock(tools: &Path, certs: &CertPaths, work: &Path) -> Result<(u16, JavaProcess), String> {
    for (bin, pkg) in [
        ("java", "a Java runtime (Debian: default-jre-headless)"),
        ("openssl", "openssl"),
        ("keytool", "keytool (Java)"),
        ("npm", "npm (Node.js)"),
    ] {
        if Command::new(bin)
            .arg(if bin == "java" {
                "-version"
            } else if bin == "keytool" {
                "-help"
            } else {
                "--version"
            })
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_err()
        {
            return Err(format!("WireMock needs {pkg}, which is missing"));
        }
    }
    let jar_dir = tools.join("node_modules/wiremock/build");
    if !jar_dir.exists() {
        std::fs::create_dir_all(tools).map_err(|e| e.to_string())?;
        eprintln!("installing WireMock from npm into {} …", tools.display());
        run_tool(
            Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(tools)
                .arg("wiremock@3.13.2"),
            "npm install wiremock",
        )?;
    }
    let jar = std::fs::read_dir(&jar_dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "jar"))
        .ok_or("the wiremock npm package has no jar")?;
    let ks = work.join("server.p12");
    let ts = work.join("trust.p12");
    let _ = std::fs::remove_file(&ts);
    run_tool(
        Command::new("openssl")
            .args(["pkcs12", "-export", "-passout", "pass:password", "-name", "server", "-in"])
            .arg(certs.server_cert())
            .arg("-inkey")
            .arg(certs.server_key())
            .arg("-out")
            .arg(&ks),
        "openssl pkcs12",
    )?;
    run_tool(
        Command::new("keytool")
            .args([
                "-importcert",
                "-noprompt",
                "-alias",
                "testca",
                "-storetype",
                "PKCS12",
                "-storepass",
                "password",
                "-file",
            ])
            .arg(certs.ca_cert())
            .arg("-keystore")
            .arg(&ts),
        "keytool -importcert",
    )?;
    let root = work.join("wiremock");
    std::fs::create_dir_all(root.join("mappings")).map_err(|e| e.to_string())?;
    let mapping = serde_json::json!({
        "request": {"method": "POST", "url": "/sha"},
        "response": {"status": 200, "headers": {"Content-Type": "text/xml; charset=utf-8"}, "body": canned_ack()}
    });
    std::fs::write(root.join("mappings/ack.json"), mapping.to_string()).map_err(|e| e.to_string())?;
    let (http, https) = (free_port()?, free_port()?);
    let child = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--port", &http.to_string(), "--https-port", &https.to_string(), "--bind-address", "127.0.0.1"])
        .arg("--https-keystore")
        .arg(&ks)
        .args([
            "--keystore-type",
            "PKCS12",
            "--keystore-password",
            "password",
            "--key-manager-password",
            "password",
            "--https-require-client-cert",
        ])
        .arg("--https-truststore")
        .arg(&ts)
        .args([
            "--truststore-type",
            "PKCS12",
            "--truststore-password",
            "password",
            "--no-request-journal",
            "--disable-banner",
            "--disable-request-logging",
        ])
        .arg("--root-dir")
        .arg(&root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start WireMock: {e}"))?;
    let p = JavaProcess(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", https)).is_ok() {
            std::thread::sleep(Duration::from_millis(500));
            return Ok((https, p));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err("WireMock did not start within 60 s".into())
}

fn percentile(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i.min(sorted.len() - 1)] as f64 / 1000.0
}

/// Drives `connections` keep-alive clients against `endpoint` for warm-up plus duration.
async fn load(
    endpoint: &str,
    certs: &CertPaths,
    o: &BenchOptions,
    target: Target,
    expect_aa: bool,
) -> Result<Figures, BenchError> {
    let start = Instant::now() + o.warmup;
    let end = start + o.duration;
    let mut tasks = Vec::new();
    // The system signature is made by the load generator and verified by the simulator, as in use.
    let keys = Arc::new(crate::client::SigningKeys::load(certs, SYSTEM).map_err(err)?);
    let size = message(0, o.pdf_bytes, time::OffsetDateTime::now_utc(), Some(&keys)).len();
    for c in 0..o.connections {
        let client = SoapClient::for_system(endpoint, certs, SYSTEM).map_err(err)?;
        let pdf = o.pdf_bytes;
        let keys = keys.clone();
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut ok, mut errors) = (Vec::new(), 0u64, 0u64);
            let mut i = c * 1_000_000;
            while Instant::now() < end {
                i += 1;
                let body = message(i, pdf, time::OffsetDateTime::now_utc(), Some(&keys));
                let t0 = Instant::now();
                let r = client.send(SoapVersion::V11, body).await;
                let took = t0.elapsed();
                if t0 < start {
                    continue;
                }
                match r {
                    Ok(resp) if resp.status == 200 && (!expect_aa || resp.body.contains("typeCode=\"AA\"")) => {
                        ok += 1;
                        lat.push(took.as_micros().min(u32::MAX as u128) as u32);
                    }
                    _ => errors += 1,
                }
            }
            (lat, ok, errors)
        }));
    }
    let mut all = Vec::new();
    let (mut ok, mut errors) = (0, 0);
    for t in tasks {
        let (l, o2, e) = t.await.map_err(err)?;
        all.extend(l);
        ok += o2;
        errors += e;
    }
    all.sort_unstable();
    let secs = o.duration.as_secs_f64();
    Ok(Figures {
        target,
        ok,
        errors,
        throughput: ok as f64 / secs,
        p50: percentile(&all, 0.50),
        p95: percentile(&all, 0.95),
        p99: percentile(&all, 0.99),
        request_bytes: size,
    })
}

/// Runs every target in turn on the same load; targets that cannot run are reported with the reason.
pub async fn run(o: &BenchOptions) -> Result<(Vec<Figures>, Vec<Skipped>), BenchError> {
    let work = tempfile::tempdir().map_err(err)?;
    let certs = CertPaths::new(work.path().join("certs"));
    // The same key type for every target; 2048-bit RSA keeps the set-up short.
    let pki_opts = pki::PkiOptions { algorithm: pki::KeyAlgorithm::Rsa(2048), force: false, reuse_keys: false };
    pki::init(&certs, &o.registry, &crate::persons::TestPersons::builtin().signers(), &pki_opts).map_err(err)?;
    let mut figures = Vec::new();
    let mut skipped = Vec::new();
    for &t in &o.targets {
        eprintln!("measuring {} for {} s with {} connections …", t.name(), o.duration.as_secs(), o.connections);
        match t {
            Target::Bare => {
                let (addr, handle) = bare_server(&certs).await?;
                figures.push(load(&format!("https://localhost:{}/sha", addr.port()), &certs, o, t, false).await?);
                handle.shutdown();
            }
            Target::WireMock => match start_wiremock(&o.tools, &certs, work.path()) {
                Ok((port, _java)) => {
                    figures.push(load(&format!("https://localhost:{port}/sha"), &certs, o, t, false).await?)
                }
                Err(reason) => {
                    eprintln!("wiremock skipped: {reason}");
                    skipped.push(Skipped { target: t, reason });
                }
            },
            Target::Simulator => {
                let data = work.path().join("data");
                let mut opts = Options::new(o.registry.clone(), certs.dir.clone());
                opts.data = DataLocation::Dir(data);
                opts.listen = "127.0.0.1:0".parse().map_err(err)?;
                opts.admin_listen = "127.0.0.1:0".parse().map_err(err)?;
                let running = server::start(opts).await.map_err(err)?;
                let f = load(&format!("https://localhost:{}/sha", running.sha_addr.port()), &certs, o, t, true).await?;
                running.shutdown().await.map_err(err)?;
                figures.push(f);
            }
        }
    }
    Ok((figures, skipped))
}

/// Time to validate a typical structured form (~30 KB): the structure whose full
/// example is closest to that size, validated repeatedly (structures are
/// compiled once and cached). Returns (structure OID, bytes, p50 µs, p99 µs).
pub fn structured_validation(rounds: usize) -> Option<(String, usize, f64, f64)> {
    let codes = crate::codes::CodeSets::builtin();
    let hetu = "010181-900C";
    let (s, form) = crate::sosmeta::Structures::builtin()
        .all()
        .map(|s| (s, crate::sosmeta::example(s, true, codes, hetu)))
        .min_by_key(|(_, v)| (v.to_string().len() as i64 - 30_000).abs())?;
    let bytes = form.to_string().len();
    let at = time::macros::date!(2026 - 11 - 20);
    let mut lat: Vec<u32> = Vec::with_capacity(rounds);
    for i in 0..rounds + rounds / 10 {
        // Parse from text each time, as the archive does with a received part.
        let text = form.to_string();
        let t0 = Instant::now();
        let v: serde_json::Value = serde_json::from_str(&text).ok()?;
        let d = crate::sosmeta::validate(s, &v, codes, at);
        let took = t0.elapsed();
        if i >= rounds / 10 {
            lat.push(took.as_nanos().min(u32::MAX as u128) as u32);
        }
        std::hint::black_box(d);
    }
    lat.sort_unstable();
    let pct = |q: f64| lat[((lat.len() as f64 - 1.0) * q).round() as usize] as f64 / 1000.0;
    Some((s.oid.clone(), bytes, pct(0.5), pct(0.99)))
}

/// The report text, ending with the ratios line.
pub fn report(figures: &[Figures], skipped: &[Skipped], o: &BenchOptions) -> String {
    let mut s = format!(
        "SHA simulator benchmark: {} connections, {} s per target (+{} s warm-up), ~{} KB per message\n",
        o.connections,
        o.duration.as_secs(),
        o.warmup.as_secs(),
        figures.first().map(|f| f.request_bytes / 1024).unwrap_or(0)
    );
    s.push_str(&format!(
        "{:<10} {:>10} {:>8} {:>10} {:>9} {:>9} {:>9}\n",
        "target", "ok", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms"
    ));
    for f in figures {
        s.push_str(&format!(
            "{:<10} {:>10} {:>8} {:>10.1} {:>9.2} {:>9.2} {:>9.2}\n",
            f.target.name(),
            f.ok,
            f.errors,
            f.throughput,
            f.p50,
            f.p95,
            f.p99
        ));
    }
    for k in skipped {
        s.push_str(&format!("{:<10} not measured: {}\n", k.target.name(), k.reason));
    }
    if let Some((oid, bytes, p50, p99)) = structured_validation(2000) {
        s.push_str(&format!(
            "structured-form validation ({oid}, {bytes} B, parse + check): p50 {p50:.0} µs, p99 {p99:.0} µs\n"
        ));
    }
    let tp = |t: Target| figures.iter().find(|f| f.target == t).map(|f| f.throughput).filter(|x| *x > 0.0);
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => format!("{:.2}", a / b),
        _ => "n/a".into(),
    };
    s.push_str(&format!(
        "ratios: simulator/bare={} simulator/wiremock={}\n",
        ratio(tp(Target::Simulator), tp(Target::Bare)),
        ratio(tp(Target::Simulator), tp(Target::WireMock))
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bench_message_is_about_twenty_kilobytes_and_valid() {
        let m = message(3, 7_000, time::OffsetDateTime::now_utc(), None);
        assert!(m.len() > 18_000 && m.len() < 26_000, "{}", m.len());
        let env = crate::xml::parse(&m, Default::default()).expect("xml");
        let msg = crate::wire::soap::body_message(env, SoapVersion::V11).expect("soap");
        crate::command::read(
            &msg,
            crate::interactions::Interactions::builtin(),
            crate::document::KindTable::builtin(),
            crate::codes::CodeSets::builtin(),
        )
        .expect("reads");
    }

    #[test]
    fn report_ends_with_the_ratios_line() {
        let f = |t, tp| Figures {
            target: t,
            ok: 10,
            errors: 0,
            throughput: tp,
            p50: 1.0,
            p95: 2.0,
            p99: 3.0,
            request_bytes: 20_000,
        };
        let o = BenchOptions {
            connections: 1,
            duration: Duration::from_secs(1),
            warmup: Duration::from_secs(0),
            targets: vec![],
            tools: PathBuf::new(),
            registry: Registry::default(),
            pdf_bytes: 1,
        };
        let r = report(&[f(Target::Bare, 100.0), f(Target::WireMock, 25.0), f(Target::Simulator, 60.0)], &[], &o);
        assert_eq!(r.lines().last(), Some("ratios: simulator/bare=0.60 simulator/wiremock=2.40"));
        let r =
            report(&[f(Target::Bare, 100.0)], &[Skipped { target: Target::WireMock, reason: "no java".into() }], &o);
        assert!(r.contains("not measured: no java") && r.ends_with("simulator/bare=n/a simulator/wiremock=n/a\n"));
    }
}
