//! The `sha-simulator` command line: argument parsing and the commands, kept
//! in the library so they can be tested; `main.rs` only maps the result to an
//! exit code.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::pki::{self, CertPaths};
use crate::registry::Registry;
use crate::server::{self, DataLocation, Options};

/// Exit code: success.
pub const EXIT_OK: i32 = 0;
/// Exit code: the command ran and found problems (e.g. validation findings).
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: usage or configuration error.
pub const EXIT_USAGE: i32 = 2;

/// `--cache`'s default as shown in the help: [`crate::store::sled_store::DEFAULT_CACHE_BYTES`].
const CACHE_DEFAULT: &str = "32MiB";

/// Local stand-in for Kanta's social welfare client data archive (SHA).
#[derive(Debug, Parser)]
#[command(name = "sha-simulator", version, about, long_about = None)]
pub struct Cli {
    /// Read the rule tables (code sets, profiles, dates, metadata rules, interactions, ack
    /// texts, persons, Sosmeta structures) from DIR, which mirrors testdata/: a file there
    /// replaces the embedded copy of the same name. A table that does not parse stops the start.
    #[arg(long, global = true, env = "SHA_TABLES", value_name = "DIR")]
    pub tables: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the archive: SOAP over mutual TLS, plus the admin API.
    Serve(ServeArgs),
    /// Check a document against the archive's content rules offline, storing nothing.
    ///
    /// FILE is a SOAP message, an HL7 message, a CDA document (attachments are
    /// read from files named by their Content-ID beside it) or a sample folder.
    Validate(ValidateArgs),
    /// Import THL Sosmeta structures, or write an example of one.
    Sosmeta {
        /// Sosmeta command.
        #[command(subcommand)]
        command: SosmetaCommand,
    },
    /// Write the sample documents (valid and broken) under testdata/documents.
    Samples {
        /// Sample command.
        #[command(subcommand)]
        command: SamplesCommand,
    },
    /// Send a message to an archive over mutual TLS as a registered system and show its answer.
    ///
    /// FILE is a whole SOAP message, an HL7 message (wrapped in SOAP here), a wrapper whose
    /// package is a placeholder together with --document (a pair as Kela's validation service
    /// takes it), or a bare CDA document (wrapped in the archive message its header calls for).
    /// Exit code 0 when the archive accepts (AA), 1 otherwise.
    Send(SendArgs),
    /// Measure throughput and latency side by side: bare axum+rustls, WireMock, the simulator.
    Bench(BenchArgs),
    /// The bench's bare target: axum + rustls answering a fixed acknowledgement (run by `bench`).
    #[command(hide = true)]
    BenchEcho {
        /// Certificate directory.
        #[arg(long)]
        certs: PathBuf,
        /// Listener.
        #[arg(long)]
        listen: SocketAddr,
    },
    /// Manage the test PKI.
    Certs {
        /// Certificate command.
        #[command(subcommand)]
        command: CertsCommand,
    },
}

/// `serve` options.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Data directory (created when missing).
    #[arg(long, default_value = "data")]
    pub data: PathBuf,
    /// Certificate directory; missing certificates are made on start.
    #[arg(long, default_value = "certs")]
    pub certs: PathBuf,
    /// SOAP listener (mutual TLS).
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub listen: SocketAddr,
    /// Admin API listener (plain HTTP; keep it on loopback).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub admin_listen: SocketAddr,
    /// System registry.
    #[arg(long, default_value = "testdata/systems.toml")]
    pub systems: PathBuf,
    /// Bearer token for the admin API; required when --admin-listen is not a loopback address.
    #[arg(long, env = "SHA_ADMIN_TOKEN")]
    pub admin_token: Option<String>,
    /// Largest accepted request body, e.g. 20MiB, 512KiB, 1000000.
    #[arg(long, default_value = "20MiB", value_parser = parse_size)]
    pub max_body: usize,
    /// Compress the index pages with zstd: about a quarter of the index's disk
    /// size for large archives, at about a third of the ingest rate. A data
    /// directory keeps the setting it was made with.
    #[arg(long)]
    pub compact: bool,
    /// Bound of the index's page cache (sled), e.g. 32MiB, 256MiB. sled's memory grows with it
    /// (and beyond it); a larger cache did not make queries faster at a million documents.
    #[arg(long, default_value = CACHE_DEFAULT, value_parser = parse_size)]
    pub cache: usize,
    /// Most disk the message journal's bodies may take, e.g. 1GiB, 200MiB; the oldest
    /// entries go first (0: no limit).
    #[arg(long, default_value = "1GiB", value_parser = parse_size)]
    pub journal_max: usize,
    /// Key algorithm of certificates made on start: rsa3072 (default), rsa2048, rsa4096 or ecdsa.
    #[arg(long, default_value = "rsa3072", value_parser = parse_key_algorithm)]
    pub key: pki::KeyAlgorithm,
    /// Also trust the CA certificates in this PEM file (repeatable), for client certificates
    /// and signatures; `certs trust FILE` keeps one for good.
    #[arg(long = "trust-ca")]
    pub trust_ca: Vec<PathBuf>,
}

/// `send` options.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// The message, wrapper or document.
    pub file: PathBuf,
    /// The CDA document to put in FILE's package (when FILE is a wrapper).
    #[arg(long)]
    pub document: Option<PathBuf>,
    /// The registered system to send as (its certificate is certs/systems/NAME.pem).
    #[arg(long)]
    pub system: String,
    /// The archive's endpoint.
    #[arg(long, default_value = "https://localhost:8443/sha")]
    pub to: String,
    /// Certificate directory.
    #[arg(long, default_value = "certs")]
    pub certs: PathBuf,
    /// Print the whole answer (XML) after the summary.
    #[arg(long)]
    pub raw: bool,
}

/// `validate` options.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The document, message or sample folder.
    pub file: PathBuf,
    /// Judge time rules at this moment (RFC 3339), e.g. 2022-06-01T12:00:00Z; default now.
    #[arg(long)]
    pub at: Option<String>,
    /// Check FILE as a bare structured form (JSON) against this Sosmeta structure (OID with date version).
    #[arg(long)]
    pub structure: Option<String>,
    /// Strict signature mode: a missing system signature (phase I and old documents), an
    /// untrusted signer or a reformatted signed document is an error, not a warning.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub strict_signature: bool,
    /// Certificate directory whose root and trusted CAs signatures may chain to.
    #[arg(long, default_value = "certs")]
    pub certs: PathBuf,
    /// Also trust the CA certificates in this PEM file (repeatable).
    #[arg(long = "trust-ca")]
    pub trust_ca: Vec<PathBuf>,
}

/// `bench` options.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// A run of about two minutes (3 targets × 15 s, warm-up, seeding and start-up).
    #[arg(long)]
    pub quick: bool,
    /// Concurrent keep-alive mTLS connections.
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
    /// Seconds measured per target (default 30, or 15 with --quick).
    #[arg(long)]
    pub duration: Option<u64>,
    /// Targets, comma-separated: bare, wiremock, simulator (and baseline, with --baseline-exe).
    #[arg(long, default_value = "bare,wiremock,simulator")]
    pub targets: String,
    /// Where WireMock is installed from npm.
    #[arg(long, default_value = "target/bench-tools")]
    pub tools: PathBuf,
    /// Instead of the throughput comparison, bulk-ingest to these document counts
    /// (comma-separated, e.g. 100000,1000000,10000000) and measure at each.
    #[arg(long, value_delimiter = ',')]
    pub scale: Vec<u64>,
    /// Data directory of the scale run (default: a temporary one).
    #[arg(long)]
    pub scale_data: Option<PathBuf>,
    /// Scale run on a compact store (as `serve --compact`).
    #[arg(long)]
    pub compact: bool,
    /// Page cache of the scale run's index (as `serve --cache`).
    #[arg(long, default_value = CACHE_DEFAULT, value_parser = parse_size)]
    pub cache: usize,
    /// System registry.
    #[arg(long, default_value = "testdata/systems.toml")]
    pub systems: PathBuf,
    /// More `serve` options for the simulator target, e.g. --serve-arg=--cache --serve-arg=64MiB.
    #[arg(long = "serve-arg", allow_hyphen_values = true)]
    pub serve_args: Vec<String>,
    /// Another sha-simulator binary (e.g. a build of the previous commit), measured as the
    /// `baseline` target with the same load: two builds compared in one run.
    #[arg(long)]
    pub baseline_exe: Option<PathBuf>,
}

/// `sosmeta` subcommands.
#[derive(Debug, Subcommand)]
pub enum SosmetaCommand {
    /// Read Sosmeta JSON Schema files from DIR and write them, trimmed of prose, where the simulator loads them.
    Import {
        /// Folder of Sosmeta JSON Schema files (e.g. a Sosmeta download).
        dir: PathBuf,
        /// Output folder (committed to the repository; the binary compiles it in).
        #[arg(long, default_value = "testdata/sosmeta")]
        out: PathBuf,
    },
    /// Write a valid example instance of a structure (OID with date version) to standard output.
    Example {
        /// Structure OID, e.g. 1.2.246.537.6.1505.8.2023.6.1.
        oid: String,
        /// Every field, not only the required ones.
        #[arg(long, conflicts_with = "minimal")]
        full: bool,
        /// Only the required fields (the default).
        #[arg(long)]
        minimal: bool,
    },
}

/// `samples` subcommands.
#[derive(Debug, Subcommand)]
pub enum SamplesCommand {
    /// (Re)write every sample folder.
    Write {
        /// Output root.
        #[arg(long, default_value = "testdata/documents")]
        out: PathBuf,
    },
}

/// `certs` subcommands.
#[derive(Debug, Subcommand)]
pub enum CertsCommand {
    /// Make the test PKI: a root CA, intermediates for service certificates and for
    /// professionals, the server certificate, a TLS and a signing certificate per system, a
    /// signing certificate per test professional, and the deliberately bad ones.
    Init {
        /// Output directory.
        #[arg(long, default_value = "certs")]
        out: PathBuf,
        /// System registry naming the systems to issue certificates for.
        #[arg(long, default_value = "testdata/systems.toml")]
        systems: PathBuf,
        /// Key algorithm: rsa3072 (default, as DVV's), rsa2048, rsa4096 or ecdsa.
        #[arg(long, default_value = "rsa3072", value_parser = parse_key_algorithm)]
        key: pki::KeyAlgorithm,
        /// Overwrite existing files (makes a new CA).
        #[arg(long)]
        force: bool,
    },
    /// Trust the CA certificates in a PEM file (e.g. the DVV TEST CAs a vendor already holds)
    /// for client certificates and signatures, from the next start of `serve`.
    Trust {
        /// PEM file with one or more CA certificates.
        file: PathBuf,
        /// Certificate directory.
        #[arg(long, default_value = "certs")]
        certs: PathBuf,
    },
    /// Issue a TLS and a signing certificate for a system from the test PKI (register the
    /// system too: `POST /admin/systems` or the systems file).
    Issue {
        /// The system's name (the certificates' CN).
        name: String,
        /// The organisation's OID (the certificates' serialNumber).
        #[arg(long)]
        organisation: String,
        /// Certificate directory (made with `certs init`).
        #[arg(long, default_value = "certs")]
        certs: PathBuf,
        /// Key algorithm: rsa3072 (default), rsa2048, rsa4096 or ecdsa.
        #[arg(long, default_value = "rsa3072", value_parser = parse_key_algorithm)]
        key: pki::KeyAlgorithm,
    },
}

fn parse_key_algorithm(s: &str) -> Result<pki::KeyAlgorithm, String> {
    s.parse()
}

/// Parses sizes like `20MiB`, `512KiB`, `1MB`, `1000`.
pub fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: usize = num.parse().map_err(|_| format!("'{s}' is not a size (e.g. 20MiB, 512KiB, 1000000)"))?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "kib" => 1024,
        "m" | "mb" => 1_000_000,
        "mib" => 1024 * 1024,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1024 * 1024 * 1024,
        other => return Err(format!("unknown size unit '{other}' in '{s}' (use B, KiB, MiB, KB, MB)")),
    };
    n.checked_mul(mult).ok_or_else(|| format!("'{s}' is too large"))
}

/// A command failure with its exit code and message.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CliError {
    /// Exit code.
    pub code: i32,
    /// What to tell the user.
    pub message: String,
}

impl CliError {
    fn usage(e: impl std::fmt::Display) -> Self {
        CliError { code: EXIT_USAGE, message: e.to_string() }
    }
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> Result<i32, CliError> {
    use_tables(cli.tables.clone())?;
    match cli.command {
        Command::Serve(a) => serve(a).await,
        Command::Validate(a) => validate(a),
        Command::Send(a) => send(a).await,
        Command::Bench(a) => bench(a, cli.tables).await,
        Command::BenchEcho { certs, listen } => {
            crate::bench::serve_echo(&CertPaths::new(certs), listen).await.map_err(CliError::usage)?;
            Ok(EXIT_OK)
        }
        Command::Sosmeta { command: SosmetaCommand::Import { dir, out } } => {
            let r = crate::sosmeta::import_dir(&dir, &out).map_err(CliError::usage)?;
            for (file, why) in &r.failures {
                eprintln!("sha-simulator: {file}: not imported: {why}");
            }
            println!(
                "imported {} structures, {} fields, {} code systems into {}",
                r.structures,
                r.fields,
                r.code_systems,
                out.display()
            );
            Ok(if r.failures.is_empty() { EXIT_OK } else { EXIT_FINDINGS })
        }
        Command::Sosmeta { command: SosmetaCommand::Example { oid, full, .. } } => {
            let all = crate::sosmeta::Structures::builtin();
            let s =
                all.get(&oid).ok_or_else(|| CliError::usage(format!("no structure {oid} (see testdata/sosmeta/)")))?;
            let hetu =
                crate::persons::TestPersons::builtin().persons.first().map(|p| p.hetu.clone()).unwrap_or_default();
            let v = crate::sosmeta::example(s, full, crate::codes::CodeSets::builtin(), &hetu);
            println!("{}", serde_json::to_string_pretty(&v).map_err(CliError::usage)?);
            Ok(EXIT_OK)
        }
        Command::Samples { command: SamplesCommand::Write { out } } => {
            let n = crate::samples::write_all(&out).map_err(CliError::usage)?;
            println!("wrote {n} samples under {}", out.display());
            Ok(EXIT_OK)
        }
        Command::Certs { command: CertsCommand::Init { out, systems, key, force } } => {
            let registry = Registry::load(&systems).map_err(CliError::usage)?;
            let signers = crate::persons::TestPersons::builtin().signers();
            if let pki::KeyAlgorithm::Rsa(bits) = key {
                eprintln!("making {bits}-bit RSA keys; this takes a little while …");
            }
            let opts = pki::PkiOptions { algorithm: key, force, reuse_keys: false };
            let report = pki::init(&CertPaths::new(&out), &registry, &signers, &opts).map_err(CliError::usage)?;
            if report.replaced_old_layout {
                println!("{} held certificates of an older layout (ECDSA, one CA): made anew", out.display());
            }
            for p in &report.written {
                println!("wrote {}", p.display());
            }
            if !report.kept.is_empty() {
                println!("kept {} existing file(s); use --force to make a new PKI", report.kept.len());
            }
            Ok(EXIT_OK)
        }
        Command::Certs { command: CertsCommand::Trust { file, certs } } => {
            let added = pki::trust(&CertPaths::new(&certs), &file).map_err(CliError::usage)?;
            for s in &added {
                println!("trusted {s}");
            }
            println!("restart `sha-simulator serve` to use them");
            Ok(EXIT_OK)
        }
        Command::Certs { command: CertsCommand::Issue { name, organisation, certs, key } } => {
            crate::registry::check_system_name(&name).map_err(CliError::usage)?;
            crate::oid::oid_problem(&organisation)
                .map_or(Ok(()), |p| Err(format!("--organisation '{organisation}': {p}")))
                .map_err(CliError::usage)?;
            let paths = CertPaths::new(&certs);
            let id = crate::registry::CertIdentity { common_name: name.clone(), organisation };
            pki::issue_system(&paths, &id, key).map_err(CliError::usage)?;
            println!("wrote {}", paths.system_cert(&name).display());
            println!("wrote {}", paths.signing_cert(&name).display());
            Ok(EXIT_OK)
        }
    }
}

async fn bench(a: BenchArgs, tables: Option<PathBuf>) -> Result<i32, CliError> {
    use crate::bench::{self, BenchOptions, Target};
    let mut targets = a
        .targets
        .split(',')
        .map(|t| {
            Target::parse(t.trim()).ok_or_else(|| {
                CliError::usage(format!("unknown bench target '{t}' (use bare, wiremock, simulator, baseline)"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if a.baseline_exe.is_some() && !targets.contains(&Target::Baseline) {
        targets.push(Target::Baseline);
    }
    if a.connections == 0 {
        return Err(CliError::usage("--connections must be at least 1"));
    }
    if !a.scale.is_empty() {
        let tmp = tempfile::tempdir().map_err(CliError::usage)?;
        let dir = a.scale_data.clone().unwrap_or_else(|| tmp.path().to_path_buf());
        // National proportions: 115 million documents from 1.8 million clients, about 64 per client.
        let figures = crate::scale::run(&dir, (a.compact, a.cache as u64), &a.scale, 64, 500, |m| eprintln!("{m}"))
            .map_err(CliError::usage)?;
        print!("{}", crate::scale::report(&figures));
        return Ok(EXIT_OK);
    }
    let secs = a.duration.unwrap_or(if a.quick { 15 } else { 30 });
    let o = BenchOptions {
        connections: a.connections,
        duration: std::time::Duration::from_secs(secs),
        warmup: std::time::Duration::from_secs(if a.quick { 2 } else { 5 }),
        targets,
        tools: a.tools,
        registry: Registry::load(&a.systems).map_err(CliError::usage)?,
        systems: a.systems.clone(),
        exe: std::env::current_exe().map_err(CliError::usage)?,
        tables,
        serve_args: a.serve_args,
        baseline_exe: a.baseline_exe,
    };
    let (figures, skipped) = bench::run(&o).await.map_err(CliError::usage)?;
    print!("{}", bench::report(&figures, &skipped, &o));
    Ok(EXIT_OK)
}

async fn send(a: SendArgs) -> Result<i32, CliError> {
    let bytes = std::fs::read(&a.file).map_err(|e| CliError::usage(format!("{}: {e}", a.file.display())))?;
    let document = match &a.document {
        Some(p) => Some(std::fs::read(p).map_err(|e| CliError::usage(format!("{}: {e}", p.display())))?),
        None => None,
    };
    let now = time::OffsetDateTime::now_utc();
    let body = crate::compose::envelope_for(&bytes, document.as_deref(), now)
        .map_err(|e| CliError::usage(format!("{}: {e}", a.file.display())))?;
    let certs = CertPaths::new(&a.certs);
    for p in [certs.ca_cert(), certs.system_cert(&a.system), certs.system_key(&a.system)] {
        if !p.exists() {
            return Err(CliError::usage(format!(
                "{} is missing: is '{}' registered, and are the certificates in {}? (sha-simulator certs init, or POST /admin/systems)",
                p.display(),
                a.system,
                a.certs.display()
            )));
        }
    }
    let client = crate::client::SoapClient::for_system(&a.to, &certs, &a.system).map_err(CliError::usage)?;
    let r = client
        .send(crate::wire::soap::SoapVersion::V11, body)
        .await
        .map_err(|e| CliError { code: EXIT_FINDINGS, message: format!("{}: {e}", a.to) })?;
    let answer = crate::client::Answer::parse(r.status, &r.body);
    println!("{}", render_answer(&answer, r.status, &r.body));
    if a.raw {
        println!("\n{}", r.body);
    }
    Ok(if answer.accepted() { EXIT_OK } else { EXIT_FINDINGS })
}

/// An answer as a person reads it: the verdict, then each detail in Finnish and English.
pub fn render_answer(a: &crate::client::Answer, status: u16, body: &str) -> String {
    let mut s = String::new();
    let Ok(env) = crate::xml::parse(body.as_bytes(), crate::xml::Limits::default()) else {
        return format!("HTTP {status}: the answer is not XML:\n{}", body.chars().take(2000).collect::<String>());
    };
    let msg = env.child("Body").and_then(|b| b.elements().next());
    match msg.map(crate::wire::ack::read) {
        Some(Ok(ack)) => {
            let verdict = match ack.type_code {
                crate::wire::ack::AckType::AA => "AA — hyväksytty / accepted",
                crate::wire::ack::AckType::AE => "AE — sovellusvirhe / application error",
                crate::wire::ack::AckType::AR => "AR — hylätty / rejected",
            };
            s.push_str(&format!("{verdict} (HTTP {status}, {})\n", ack.interaction));
            if let Some(t) = &ack.target {
                s.push_str(&format!("  sanoma / message: {t}\n"));
            }
            for d in &ack.details {
                let sev = if d.type_code == "W" { "varoitus / warning" } else { "virhe / error" };
                s.push_str(&format!("  {} {sev}", d.code));
                if let Some(l) = &d.location {
                    s.push_str(&format!(" — {l}"));
                }
                s.push_str(&format!("\n    fi: {}\n    en: {}\n", d.fi, d.en));
            }
            if let Some(p) = &ack.payload {
                s.push_str(&format!(
                    "  vastaus / answer: <{}> {}\n",
                    p.name,
                    p.attr("count").map(|c| format!("({c})")).unwrap_or_default()
                ));
            }
        }
        _ => {
            s.push_str(&format!("HTTP {status}: SOAP Fault\n"));
            for (code, text) in a.codes.iter().zip(a.texts.iter()) {
                s.push_str(&format!("  {code}\n    fi: {text}\n"));
            }
        }
    }
    s.trim_end().to_string()
}

/// Fixes the tables directory for this process and reads every table once, so a broken
/// table stops the command with its file, line and reason.
pub fn use_tables(dir: Option<PathBuf>) -> Result<(), CliError> {
    let given = dir.is_some();
    crate::tables::set_dir(dir).map_err(CliError::usage)?;
    crate::tables::check().map_err(|e| CliError::usage(format!("table refused: {e}")))?;
    if given {
        if let Some(d) = crate::tables::dir() {
            eprintln!("tables: {} (embedded copies for the files it does not hold)", d.display());
        }
    }
    Ok(())
}

fn validate(a: ValidateArgs) -> Result<i32, CliError> {
    let at = match &a.at {
        Some(s) => time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .map_err(|e| CliError::usage(format!("--at '{s}' is not an RFC 3339 time: {e}")))?,
        None => crate::clock::Clock::new().now(),
    };
    if let Some(oid) = &a.structure {
        let all = crate::sosmeta::Structures::builtin();
        let s = all.get(oid).ok_or_else(|| CliError::usage(format!("no structure {oid} (see testdata/sosmeta/)")))?;
        let bytes = std::fs::read(&a.file).map_err(|e| CliError::usage(format!("{}: {e}", a.file.display())))?;
        let v: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| CliError::usage(format!("{}: not JSON: {e}", a.file.display())))?;
        let details = crate::sosmeta::validate(s, &v, crate::codes::CodeSets::builtin(), at.date());
        let report = crate::offline::Report {
            file: a.file.clone(),
            kind: None,
            document_id: Some(format!("{} {}", s.oid, s.fi)),
            details,
        };
        print!("{}", report.render());
        return Ok(if report.has_errors() { EXIT_FINDINGS } else { EXIT_OK });
    }
    let paths = CertPaths::new(&a.certs);
    if !paths.ca_cert().exists() && a.trust_ca.is_empty() {
        eprintln!("note: {} holds no test CA and no --trust-ca was given: no signer can be trusted", a.certs.display());
    }
    let trust = crate::dsig::Trust::from_certs(&paths, &a.trust_ca);
    let policy = crate::validation::SignaturePolicy { strict: a.strict_signature, trust: &trust };
    let report = crate::offline::validate_path(&a.file, at, policy).map_err(CliError::usage)?;
    print!("{}", report.render());
    Ok(if report.has_errors() { EXIT_FINDINGS } else { EXIT_OK })
}

async fn serve(a: ServeArgs) -> Result<i32, CliError> {
    let registry = Registry::load(&a.systems).map_err(CliError::usage)?;
    let mut opts = Options::new(registry, a.certs.clone());
    opts.data = DataLocation::Dir(a.data.clone());
    opts.listen = a.listen;
    opts.admin_listen = a.admin_listen;
    opts.max_body = a.max_body;
    opts.admin_token = a.admin_token.clone();
    opts.compact = a.compact;
    opts.cache_bytes = a.cache as u64;
    opts.key_algorithm = a.key;
    opts.journal_max_bytes = a.journal_max as u64;
    opts.trust_ca = a.trust_ca.clone();
    let running = server::start(opts).await.map_err(CliError::usage)?;
    println!("SHA simulator");
    println!("  SOAP endpoint : https://{}/sha   (WSDL: https://{}/sha?wsdl)", running.sha_addr, running.sha_addr);
    println!("  admin API     : http://{}/admin/health", running.admin_addr);
    println!("  certificates  : {}   data: {}", a.certs.display(), a.data.display());
    println!("Press Ctrl-C to stop.");
    shutdown_signal().await;
    println!("stopping: finishing requests in flight and flushing storage …");
    running.shutdown().await.map_err(|e| CliError { code: EXIT_FINDINGS, message: e.to_string() })?;
    println!("stopped");
    Ok(EXIT_OK)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("20MiB"), Ok(20 * 1024 * 1024));
        assert_eq!(parse_size("512KiB"), Ok(512 * 1024));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5 parsecs").unwrap_err().contains("parsecs"));
    }

    #[test]
    fn the_cache_default_in_the_help_is_the_stores_default() {
        assert_eq!(parse_size(CACHE_DEFAULT).map(|b| b as u64), Ok(crate::store::sled_store::DEFAULT_CACHE_BYTES));
    }
}
