//! The load tool (`sha-simulator bench`): the same mutual-TLS load — N
//! keep-alive connections sending ~20 KB store messages in the real SHA format
//! (a signed structured document in the client's case) — against each target in
//! turn, side by side: a bare axum+rustls server that only echoes a fixed
//! acknowledgement (the machine's limit), WireMock (npm `wiremock`, on the
//! machine's Java) serving a canned acknowledgement over HTTPS with client
//! certificates, the simulator doing real validation and durable storage, and
//! optionally another simulator build. Each target is its own process, so its CPU
//! per message and memory are read from `/proc` apart from the load generator's.
//! Figures are ratios measured in one run: these machines are shared and noisy.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::client::SoapClient;
use crate::compose::kit::{Kit, Organisation};
use crate::compose::RequestBuilder;
use crate::document::DocumentModel;
use crate::interactions::Operation;
use crate::persons::TestPersons;
use crate::pki::{self, CertPaths};
use crate::registry::Registry;
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
    /// Another build of the simulator (`--baseline-exe`), to compare two builds in one run.
    Baseline,
}

impl Target {
    /// Name in the report.
    pub fn name(self) -> &'static str {
        match self {
            Target::Bare => "bare",
            Target::WireMock => "wiremock",
            Target::Simulator => "simulator",
            Target::Baseline => "baseline",
        }
    }

    /// Parses a name.
    pub fn parse(s: &str) -> Option<Target> {
        match s {
            "bare" => Some(Target::Bare),
            "wiremock" => Some(Target::WireMock),
            "simulator" => Some(Target::Simulator),
            "baseline" => Some(Target::Baseline),
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
    /// The registry's file, for the simulator's process.
    pub systems: PathBuf,
    /// The `sha-simulator` binary the bare and simulator targets run as (their own processes,
    /// so that their CPU time and memory are measured apart from the load generator's).
    pub exe: PathBuf,
    /// `--tables` for the simulator's process.
    pub tables: Option<PathBuf>,
    /// More `serve` arguments for the simulator (e.g. `--cache 64MiB`).
    pub serve_args: Vec<String>,
    /// Another `sha-simulator` build measured as the `baseline` target with the same load.
    pub baseline_exe: Option<PathBuf>,
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
    /// The target's CPU time per acknowledged message in the measured window, microseconds
    /// (user + system, all its threads), when its process could be read.
    pub server_cpu_us: Option<f64>,
    /// The load generator's CPU time per message in the same window, microseconds.
    pub client_cpu_us: Option<f64>,
    /// The target's resident memory: (at the start of the measured window, at its end, peak
    /// over the process's life), MiB.
    pub rss_mb: Option<(f64, f64, f64)>,
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
/// structured documents (the joining-obligation profile).
pub const SYSTEM: &str = "liittymisvelvoite-atj";

/// The structured document type of the load: a decision (11002, `Päätös`), with the full
/// example of its newest Sosmeta structure as its form.
pub const DOCUMENT_TYPE: &str = "11002";

fn person(i: usize) -> &'static crate::persons::TestPerson {
    let persons = &TestPersons::builtin().persons;
    &persons[i % persons.len()]
}

fn kit(now: time::OffsetDateTime, keys: Option<&Arc<crate::client::SigningKeys>>) -> Kit {
    let kit = Kit::new(Organisation::testila(), now - time::Duration::minutes(1));
    match keys {
        Some(k) => kit.with_keys(k.clone()),
        None => kit,
    }
}

/// The case every load document of client `i` belongs to (one per client, under Testilä's arc).
pub fn case_id(i: usize) -> String {
    format!("{}.98.{}", Organisation::testila().controller, i % clients() + 1)
}

/// How many distinct clients the load cycles through (each needs [`seed_messages`] first).
pub fn clients() -> usize {
    TestPersons::builtin().persons.len()
}

fn request(spec: &crate::compose::cda::DocumentSpec, now: time::OffsetDateTime) -> Vec<u8> {
    RequestBuilder::for_operation(Operation::Store, Some(spec.kind), "1.2.246.10.99990001.10.0", now)
        .acting_organisation("1.2.246.10.99990001.10.0")
        .document(spec.clinical_document())
        .soap(SoapVersion::V11)
        .into_bytes()
}

/// What client `i` needs before structured documents can be stored for it, in order: its
/// clienthood (SHA-R502) and its case (SHA-R501).
pub fn seed_messages(
    i: usize,
    now: time::OffsetDateTime,
    keys: Option<&Arc<crate::client::SigningKeys>>,
) -> Vec<Vec<u8>> {
    let k = kit(now, keys);
    let p = person(i);
    vec![request(&k.clienthood(p), now), request(&k.case(p, &case_id(i)), now)]
}

/// A fresh archive message in the real format, new ids every time: a structured decision in
/// client `i`'s case — the CDA base64 in a MIME part inside the HL7 message, the Sosmeta form
/// base64 JSON in the CDA's `nonXMLBody`, a display XHTML beside it — signed with the author's
/// key from `keys` (without keys the archive answers SHA-R004).
pub fn message(i: usize, now: time::OffsetDateTime, keys: Option<&Arc<crate::client::SigningKeys>>) -> Vec<u8> {
    let p = person(i);
    let mut spec =
        kit(now, keys).client_document_of_type(p, &case_id(i), DocumentModel::Liittymisvelvoite, DOCUMENT_TYPE);
    let full = spec
        .structure
        .as_deref()
        .and_then(|oid| crate::sosmeta::Structures::builtin().get(oid))
        .map(|s| crate::sosmeta::example(s, true, crate::codes::CodeSets::builtin(), &p.hetu));
    if let (Some(form), Some(part)) = (full, spec.parts.iter_mut().find(|x| x.media_type == "application/json")) {
        part.bytes = serde_json::to_vec(&form).unwrap_or_default();
    }
    request(&spec, now)
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

/// The bare target: axum + rustls with the simulator's TLS configuration, reading each request
/// body in full (as the simulator does) and answering a fixed acknowledgement. Serves on
/// `listen` until the process is stopped (`sha-simulator bench-echo`, run by [`run`]).
pub async fn serve_echo(certs: &CertPaths, listen: SocketAddr) -> Result<(), BenchError> {
    let clock = Arc::new(crate::clock::Clock::new());
    let cfg = crate::transport::tls::server_config(certs, &[], clock).map_err(err)?;
    let body = canned_ack();
    let app = axum::Router::new().route(
        "/sha",
        axum::routing::post(move |_request: axum::body::Bytes| {
            let body = body.clone();
            async move { ([(axum::http::header::CONTENT_TYPE, "text/xml; charset=utf-8")], body) }
        }),
    );
    let rustls = axum_server::tls_rustls::RustlsConfig::from_config(cfg);
    axum_server::bind_rustls(listen, rustls).serve(app.into_make_service()).await.map_err(err)
}

/// A target's own process, stopped when dropped.
struct TargetProcess {
    child: Child,
    log: PathBuf,
}

impl TargetProcess {
    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until `port` accepts connections; an exit before that is an error with the log's tail.
    fn wait_for(&mut self, port: u16, what: &str) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(5).collect();
                return Err(format!(
                    "{what} stopped ({status}): {}",
                    tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
                ));
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!("{what} did not start within 60 s"))
    }
}

impl Drop for TargetProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a target (its output to `log`) and waits until it listens on `port`.
fn start(cmd: &mut Command, port: u16, log: PathBuf, what: &str) -> Result<(u16, TargetProcess), String> {
    let out = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err_out = out.try_clone().map_err(|e| e.to_string())?;
    let child = cmd
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err_out))
        .spawn()
        .map_err(|e| format!("cannot start {what}: {e}"))?;
    let mut p = TargetProcess { child, log };
    p.wait_for(port, what)?;
    Ok((port, p))
}

/// What Linux says about a process: CPU seconds used (user + system, all threads, finished
/// ones included) and resident memory now and at its peak, from `/proc`.
mod procfs {
    /// `/proc` reports CPU times in USER_HZ ticks, 100 a second on Linux's architectures.
    const TICKS: f64 = 100.0;

    pub fn cpu_seconds(pid: &str) -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // Fields after the command name (which may hold spaces) in parentheses: state is the
        // first, utime the 12th and stime the 13th.
        let rest = stat.get(stat.rfind(')')? + 1..)?;
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
        Some(ticks as f64 / TICKS)
    }

    /// (VmRSS, VmHWM) in MiB.
    pub fn rss_mb(pid: &str) -> Option<(f64, f64)> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let kb = |key: &str| {
            status
                .lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        };
        Some((kb("VmRSS:")? / 1024.0, kb("VmHWM:")? / 1024.0))
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
fn start_wiremock(tools: &Path, certs: &CertPaths, work: &Path) -> Result<(u16, TargetProcess), String> {
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
    let mut cmd = Command::new("java");
    cmd.arg("-jar")
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
        .arg(&root);
    let started = start(&mut cmd, https, work.join("wiremock.log"), "WireMock")?;
    std::thread::sleep(Duration::from_millis(500));
    Ok(started)
}

fn percentile(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i.min(sorted.len() - 1)] as f64 / 1000.0
}

/// Sends what each client needs before the load (clienthood and case), one after another.
async fn seed(client: &SoapClient, keys: &Arc<crate::client::SigningKeys>, expect_aa: bool) -> Result<(), BenchError> {
    for i in 0..clients() {
        for body in seed_messages(i, time::OffsetDateTime::now_utc(), Some(keys)) {
            let r = client.send(SoapVersion::V11, body).await.map_err(err)?;
            if r.status != 200 || (expect_aa && !r.body.contains("typeCode=\"AA\"")) {
                return Err(BenchError(format!("seeding client {i} was refused: {}", r.body)));
            }
        }
    }
    Ok(())
}

/// CPU and memory readings of the target's process (`pid`) and of this process over the
/// measured window.
#[derive(Default)]
struct Usage {
    server_cpu: Option<f64>,
    client_cpu: Option<f64>,
    rss: Option<(f64, f64, f64)>,
}

/// Reads the target's process and this one at `start` and at `end`: CPU time, and the target's
/// RSS (its peak from the kernel's high-water mark, so nothing needs sampling in between).
async fn watch(pid: Option<u32>, start: Instant, end: Instant) -> Usage {
    let me = std::process::id().to_string();
    let pid = pid.map(|p| p.to_string());
    let read = || {
        let target = pid.as_deref();
        (target.and_then(procfs::cpu_seconds), procfs::cpu_seconds(&me), target.and_then(procfs::rss_mb))
    };
    tokio::time::sleep_until(start.into()).await;
    let (s0, c0, r0) = read();
    tokio::time::sleep_until(end.into()).await;
    let (s1, c1, r1) = read();
    Usage {
        server_cpu: s0.zip(s1).map(|(a, b)| b - a),
        client_cpu: c0.zip(c1).map(|(a, b)| b - a),
        rss: r0.zip(r1).map(|((first, _), (last, peak))| (first, last, peak)),
    }
}

/// Drives `connections` keep-alive clients against `endpoint` for warm-up plus duration.
async fn load(
    endpoint: &str,
    certs: &CertPaths,
    o: &BenchOptions,
    target: Target,
    pid: Option<u32>,
) -> Result<Figures, BenchError> {
    let expect_aa = matches!(target, Target::Simulator | Target::Baseline);
    // The signatures are made by the load generator and verified by the simulator, as in use.
    let keys = Arc::new(crate::client::SigningKeys::load(certs, SYSTEM).map_err(err)?);
    seed(&SoapClient::for_system(endpoint, certs, SYSTEM).map_err(err)?, &keys, expect_aa).await?;
    let size = message(0, time::OffsetDateTime::now_utc(), Some(&keys)).len();
    let start = Instant::now() + o.warmup;
    let end = start + o.duration;
    let watcher = tokio::spawn(watch(pid, start, end));
    let mut tasks = Vec::new();
    for c in 0..o.connections {
        let client = SoapClient::for_system(endpoint, certs, SYSTEM).map_err(err)?;
        let keys = keys.clone();
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut ok, mut errors) = (Vec::new(), 0u64, 0u64);
            let mut i = c;
            while Instant::now() < end {
                i += 1;
                let body = message(i, time::OffsetDateTime::now_utc(), Some(&keys));
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
    let usage = watcher.await.unwrap_or_default();
    all.sort_unstable();
    let secs = o.duration.as_secs_f64();
    let per = |cpu: Option<f64>| cpu.filter(|_| ok > 0).map(|c| c * 1e6 / ok as f64);
    Ok(Figures {
        target,
        ok,
        errors,
        throughput: ok as f64 / secs,
        p50: percentile(&all, 0.50),
        p95: percentile(&all, 0.95),
        p99: percentile(&all, 0.99),
        request_bytes: size,
        server_cpu_us: per(usage.server_cpu),
        client_cpu_us: per(usage.client_cpu),
        rss_mb: usage.rss,
    })
}

/// Starts a simulator build (`exe serve`) on fresh data; returns its SOAP port.
fn start_simulator(
    exe: &Path,
    extra: &[String],
    o: &BenchOptions,
    certs: &CertPaths,
    work: &Path,
    name: &str,
) -> Result<(u16, TargetProcess), String> {
    let (port, admin) = (free_port()?, free_port()?);
    let mut cmd = Command::new(exe);
    if let Some(t) = &o.tables {
        cmd.arg("--tables").arg(t);
    }
    // Fresh data for every run of a target (a target may be listed twice, e.g. A/B/A/B).
    let data = (0..).map(|k| work.join(format!("data-{name}-{k}"))).find(|d| !d.exists()).unwrap_or_default();
    cmd.arg("serve")
        .arg("--data")
        .arg(data)
        .arg("--certs")
        .arg(&certs.dir)
        .arg("--key")
        .arg("ecdsa")
        .arg("--systems")
        .arg(&o.systems)
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--admin-listen")
        .arg(format!("127.0.0.1:{admin}"))
        .args(extra)
        .env("RUST_LOG", "warn");
    start(&mut cmd, port, work.join(format!("{name}.log")), name)
}

/// Runs every target in turn on the same load; targets that cannot run are reported with the reason.
pub async fn run(o: &BenchOptions) -> Result<(Vec<Figures>, Vec<Skipped>), BenchError> {
    let work = tempfile::tempdir().map_err(err)?;
    let certs = CertPaths::new(work.path().join("certs"));
    // ECDSA P-256 for every target: the load generator signs each document, and an RSA
    // signature per message would make it, not the target, the measured limit on two cores.
    let pki_opts = pki::PkiOptions { algorithm: pki::KeyAlgorithm::EcdsaP256, force: false, reuse_keys: false };
    pki::init(&certs, &o.registry, &crate::persons::TestPersons::builtin().signers(), &pki_opts).map_err(err)?;
    let mut figures = Vec::new();
    let mut skipped = Vec::new();
    for &t in &o.targets {
        eprintln!("measuring {} for {} s with {} connections …", t.name(), o.duration.as_secs(), o.connections);
        let started = match t {
            Target::Bare => {
                let port = free_port().map_err(BenchError)?;
                let mut cmd = Command::new(&o.exe);
                cmd.arg("bench-echo").arg("--certs").arg(&certs.dir).arg("--listen").arg(format!("127.0.0.1:{port}"));
                start(&mut cmd, port, work.path().join("bare.log"), "the bare server")
            }
            Target::WireMock => start_wiremock(&o.tools, &certs, work.path()),
            Target::Simulator => start_simulator(&o.exe, &o.serve_args, o, &certs, work.path(), "simulator"),
            Target::Baseline => match &o.baseline_exe {
                Some(exe) => start_simulator(exe, &[], o, &certs, work.path(), "baseline"),
                None => Err("no --baseline-exe given".to_string()),
            },
        };
        match started {
            Ok((port, process)) => {
                let f = load(&format!("https://localhost:{port}/sha"), &certs, o, t, Some(process.pid())).await?;
                drop(process);
                figures.push(f);
            }
            Err(reason) => {
                eprintln!("{} skipped: {reason}", t.name());
                skipped.push(Skipped { target: t, reason });
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
        "SHA simulator benchmark: {} connections, {} s per target (+{} s warm-up), ~{} KB per message \
         (a structured decision in the real format)\n",
        o.connections,
        o.duration.as_secs(),
        o.warmup.as_secs(),
        figures.first().map(|f| f.request_bytes / 1024).unwrap_or(0)
    );
    s.push_str(&format!(
        "{:<10} {:>9} {:>7} {:>9} {:>7} {:>7} {:>7} {:>10} {:>10} {:>18}\n",
        "target",
        "ok",
        "errors",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "cpu µs/msg",
        "gen µs/msg",
        "RSS MiB start→end"
    ));
    let opt = |v: Option<f64>| v.map_or("n/a".to_string(), |v| format!("{v:.0}"));
    for f in figures {
        let rss = f.rss_mb.map_or("n/a".to_string(), |(a, b, peak)| format!("{a:.0}→{b:.0} (peak {peak:.0})"));
        s.push_str(&format!(
            "{:<10} {:>9} {:>7} {:>9.1} {:>7.2} {:>7.2} {:>7.2} {:>10} {:>10} {:>18}\n",
            f.target.name(),
            f.ok,
            f.errors,
            f.throughput,
            f.p50,
            f.p95,
            f.p99,
            opt(f.server_cpu_us),
            opt(f.client_cpu_us),
            rss
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
    let cpu = |t: Target| figures.iter().find(|f| f.target == t).and_then(|f| f.server_cpu_us);
    if let (Some(now), Some(before)) = (cpu(Target::Simulator), cpu(Target::Baseline)) {
        s.push_str(&format!(
            "simulator against baseline: CPU per message {:.2}×, throughput {}×\n",
            now / before,
            ratio(tp(Target::Simulator), tp(Target::Baseline))
        ));
    }
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
    fn a_bench_message_is_a_structured_document_and_reads() {
        let m = message(3, time::OffsetDateTime::now_utc(), None);
        assert!(m.len() > 4_000 && m.len() < 64_000, "{}", m.len());
        let text = String::from_utf8_lossy(&m);
        assert!(text.contains("RCMR_IN200002FI01"), "the real store interaction");
        assert!(text.contains(&case_id(3)) || text.contains("multipart/related"), "a case, inside the package");
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
            server_cpu_us: Some(120.0),
            client_cpu_us: None,
            rss_mb: Some((40.0, 41.0, 45.0)),
        };
        let o = BenchOptions {
            connections: 1,
            duration: Duration::from_secs(1),
            warmup: Duration::from_secs(0),
            targets: vec![],
            tools: PathBuf::new(),
            registry: Registry::default(),
            systems: PathBuf::new(),
            exe: PathBuf::new(),
            tables: None,
            serve_args: vec![],
            baseline_exe: None,
        };
        let r = report(&[f(Target::Bare, 100.0), f(Target::WireMock, 25.0), f(Target::Simulator, 60.0)], &[], &o);
        assert_eq!(r.lines().last(), Some("ratios: simulator/bare=0.60 simulator/wiremock=2.40"));
        let bare = r.lines().find(|l| l.starts_with("bare")).expect("bare row");
        assert!(bare.contains(" 120 ") && bare.contains("n/a") && bare.contains("40→41 (peak 45)"), "{bare}");
        let mut base = f(Target::Baseline, 30.0);
        base.server_cpu_us = Some(240.0);
        let r = report(&[f(Target::Simulator, 60.0), base], &[], &o);
        assert!(r.contains("simulator against baseline: CPU per message 0.50×, throughput 2.00×"), "{r}");
        let r =
            report(&[f(Target::Bare, 100.0)], &[Skipped { target: Target::WireMock, reason: "no java".into() }], &o);
        assert!(r.contains("not measured: no java") && r.ends_with("simulator/bare=n/a simulator/wiremock=n/a\n"));
    }

    #[test]
    fn this_process_can_be_read_from_proc() {
        let me = std::process::id().to_string();
        let spin = Instant::now();
        while spin.elapsed() < Duration::from_millis(30) {
            std::hint::black_box(spin.elapsed());
        }
        assert!(procfs::cpu_seconds(&me).is_some_and(|c| c > 0.0));
        let (rss, peak) = procfs::rss_mb(&me).expect("status");
        assert!(rss > 0.0 && peak >= rss, "{rss} {peak}");
        assert_eq!(procfs::cpu_seconds("no-such-process"), None);
    }
}
