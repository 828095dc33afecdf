//! The `sha-harness` command line: `run` the catalogue, and `reference-adapter`,
//! a real adapter process speaking the documented protocol (docs/adapter.md)
//! by driving the built-in reference client — for trying the adapter mode.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::context::SimulatorTarget;
use crate::report::{self, RunReport};
use crate::runner::{self, RunOptions, SutChoice};
use sha_simulator::registry::Registry;

/// Exit code: every selected scenario passed.
pub const EXIT_OK: i32 = 0;
/// Exit code: at least one scenario failed (or none ran).
pub const EXIT_FAILED: i32 = 1;
/// Exit code: usage or configuration error.
pub const EXIT_USAGE: i32 = 2;

/// Joint-testing harness for the SHA simulator: Kela-style test cases against a connecting system.
#[derive(Debug, Parser)]
#[command(name = "sha-harness", version, about)]
pub struct Cli {
    /// Read the simulator's rule tables from DIR (as `sha-simulator --tables`): the embedded
    /// simulator and the built-in client then judge and write by the user's tables.
    #[arg(long, global = true, env = "SHA_TABLES", value_name = "DIR")]
    pub tables: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the test catalogue.
    Run(Box<RunArgs>),
    /// Serve the adapter protocol by driving the built-in reference client (a stand-in vendor adapter).
    ReferenceAdapter(AdapterArgs),
}

/// `run` options.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Feature files: a directory or one .feature file.
    #[arg(long, default_value = "features")]
    pub features: PathBuf,
    /// Tag expression, e.g. "@yhteystestaus", "@liittyva and not @virhe".
    #[arg(long)]
    pub tags: Option<String>,
    /// A suite as Kela runs it: yhteystestaus, yhteistestaus, rakenteiset or kayttoonottokoe.
    /// The deployment test needs --system, starts only after that system's connection test
    /// passed (kept in --report-dir), runs in production mode (processingCode P) and writes
    /// Kela's report (kayttoonottokoe-<system>.md) with its two-business-day deadline.
    #[arg(long, value_parser = ["yhteystestaus", "yhteistestaus", "rakenteiset", "kayttoonottokoe"])]
    pub suite: Option<String>,
    /// Vary the built-in client's authors, social services and structured document types, drawn
    /// from the code sets with this seed (reproducible: the same seed sends the same values).
    #[arg(long)]
    pub seed: Option<u64>,
    /// The structures your system produces, one per line (a Sosmeta OID such as
    /// 1.2.246.537.6.1506.11002.2023.9.8, or a document type code such as 11002; # comments):
    /// the structure suite (@rakenteiset) then runs those only. Without it, all 202.
    #[arg(long, value_name = "FILE")]
    pub structures: Option<PathBuf>,
    /// The customer (the organisation deploying) named in the deployment-test report's subject.
    #[arg(long)]
    pub customer: Option<String>,
    /// Where the reports, the connection-test record and the deployment-test report are written
    /// (each report file can be put elsewhere with its own option).
    #[arg(long, default_value = "target/sha-harness")]
    pub report_dir: PathBuf,
    /// System under test: builtin, builtin-faulty, adapter=URL or manual.
    #[arg(long, default_value = "builtin")]
    pub sut: String,
    /// Seconds to wait for each message at the simulator (adapter and manual modes).
    #[arg(long, default_value_t = 300)]
    pub timeout: u64,
    /// Simulator: "embedded" (started here) or the SOAP endpoint URL of a running one.
    #[arg(long, default_value = "embedded")]
    pub simulator: String,
    /// Admin API of an external simulator.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub admin: String,
    /// Certificate directory of an external simulator.
    #[arg(long, default_value = "certs")]
    pub certs: PathBuf,
    /// System registry.
    #[arg(long, default_value = "testdata/systems.toml")]
    pub systems: PathBuf,
    /// Test persons from FILE (persons.toml format, e.g. the test ids Kela issued to you): a
    /// person with a catalogue key (aikuinen, lapsi, …) replaces the built-in one, others are
    /// added. Every hetu must be a test hetu (individual number 900–999).
    #[arg(long, value_name = "FILE")]
    pub persons: Option<PathBuf>,
    /// The repository's testdata directory (sample documents and raw messages some scenarios send).
    #[arg(long, default_value = "testdata")]
    pub testdata: PathBuf,
    /// The vendor's system (registry name): scenarios of its profile run as it.
    #[arg(long)]
    pub system: Option<String>,
    /// Write JUnit XML here [default: REPORT_DIR/junit.xml].
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// Write JSON here [default: REPORT_DIR/report.json].
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write the self-contained HTML report here [default: REPORT_DIR/report.html].
    #[arg(long)]
    pub html: Option<PathBuf>,
    /// Write the Finnish test report (Markdown) here [default: REPORT_DIR/testiraportti.md].
    #[arg(long)]
    pub report_fi: Option<PathBuf>,
}

/// `reference-adapter` options.
#[derive(Debug, Args)]
pub struct AdapterArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:9090")]
    pub listen: std::net::SocketAddr,
    /// SOAP endpoint of the simulator.
    #[arg(long, default_value = "https://localhost:8443/sha")]
    pub simulator: String,
    /// The simulator's admin API (the adapter reads the simulator's clock there).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub admin: String,
    /// The simulator's certificate directory.
    #[arg(long, default_value = "certs")]
    pub certs: PathBuf,
    /// System registry.
    #[arg(long, default_value = "testdata/systems.toml")]
    pub systems: PathBuf,
}

/// A failure with its exit code.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CliError {
    /// Exit code.
    pub code: i32,
    /// Message.
    pub message: String,
}

fn usage(e: impl std::fmt::Display) -> CliError {
    CliError { code: EXIT_USAGE, message: e.to_string() }
}

/// Parses `--sut`.
pub fn parse_sut(s: &str, timeout: u64) -> Result<SutChoice, String> {
    match s {
        "builtin" => Ok(SutChoice::Builtin),
        "builtin-faulty" => Ok(SutChoice::BuiltinFaulty),
        "manual" => Ok(SutChoice::Manual(timeout)),
        other => match other.strip_prefix("adapter=") {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                Ok(SutChoice::Adapter(url.to_string(), timeout))
            }
            _ => Err(format!("--sut '{other}': use builtin, builtin-faulty, adapter=http://HOST:PORT or manual")),
        },
    }
}

fn write(p: &std::path::Path, text: impl FnOnce() -> String) -> Result<(), CliError> {
    if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| usage(format!("cannot create {}: {e}", dir.display())))?;
    }
    std::fs::write(p, text()).map_err(|e| usage(format!("cannot write {}: {e}", p.display())))?;
    println!("wrote {}", p.display());
    Ok(())
}

/// Builds run options from arguments.
pub fn run_options(a: &RunArgs) -> Result<RunOptions, CliError> {
    let registry = Registry::load(&a.systems).map_err(usage)?;
    let simulator = if a.simulator == "embedded" {
        SimulatorTarget::Embedded
    } else if a.simulator.starts_with("https://") {
        SimulatorTarget::External { endpoint: a.simulator.clone(), admin: a.admin.clone(), certs: a.certs.clone() }
    } else {
        return Err(usage(format!("--simulator '{}': use embedded or https://HOST:PORT/sha", a.simulator)));
    };
    let mut tags = match (&a.suite, &a.tags) {
        (Some(s), Some(t)) => Some(format!("@{s} and ({t})")),
        (Some(s), None) => Some(format!("@{s}")),
        (None, t) => t.clone(),
    };
    if let Some(file) = &a.structures {
        // The declared structures replace "all 202" in the structure suite; other suites are untouched.
        tags = Some(structure_filter(tags, &structure_tags(file)?));
    }
    if let (Some(system), None) = (&a.system, &tags) {
        // A run for one system selects the scenarios of its profile.
        if let Some(p) = registry.by_name(system).and_then(|s| s.controllers.first()).map(|c| c.profile) {
            tags = Some(format!(
                "@{}",
                serde_json::to_value(p).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
            ));
        }
    }
    Ok(RunOptions {
        features: a.features.clone(),
        tags,
        sut: parse_sut(&a.sut, a.timeout).map_err(usage)?,
        simulator,
        registry,
        system: a.system.clone(),
        progress: true,
        testdata: a.testdata.clone(),
        production: a.suite.as_deref() == Some("kayttoonottokoe"),
        seed: a.seed,
    })
}

/// Writes every requested report.
pub fn write_reports(a: &RunArgs, r: &RunReport, registry: &Registry) -> Result<(), CliError> {
    let (org, profile) = a
        .system
        .as_ref()
        .and_then(|s| registry.by_name(s))
        .and_then(|s| s.controllers.first().map(|c| (s.organisation.clone(), c.profile.finnish().to_string())))
        .unwrap_or_else(|| ("(testiorganisaatiot)".into(), "(kaikki profiilit)".into()));
    let path = |given: &Option<PathBuf>, name: &str| given.clone().unwrap_or_else(|| a.report_dir.join(name));
    write(&path(&a.junit, "junit.xml"), || report::junit::render(r))?;
    write(&path(&a.json, "report.json"), || report::json(r))?;
    write(&path(&a.html, "report.html"), || report::html::render(r))?;
    write(&path(&a.report_fi, "testiraportti.md"), || report::finnish::render(r, &org, &profile))?;
    Ok(())
}

/// The tag expression that keeps, of the structure suite, only the `declared` structures (the
/// other suites as `tags` selects them; without `tags`, the structure suite alone).
pub fn structure_filter(tags: Option<String>, declared: &[String]) -> String {
    // `not` is parenthesised on its own: the expression parser binds it loosely.
    let only = format!(
        "((not @rakenteiset) or {})",
        declared.iter().map(|t| format!("@{t}")).collect::<Vec<_>>().join(" or ")
    );
    match tags {
        Some(t) => format!("({t}) and {only}"),
        None => format!("@rakenteiset and {only}"),
    }
}

/// The test-case tags of the structures listed in `file` (see `--structures`).
pub fn structure_tags(file: &std::path::Path) -> Result<Vec<String>, CliError> {
    let text = std::fs::read_to_string(file).map_err(|e| usage(format!("--structures {}: {e}", file.display())))?;
    let mut tags = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let item = line.split('#').next().unwrap_or("").trim();
        if item.is_empty() {
            continue;
        }
        let parts: Vec<&str> = item.split('.').collect();
        let tag = match parts.as_slice() {
            [code] if code.chars().all(|c| c.is_ascii_digit()) => format!("SHA-RAKENNE-{code}"),
            ["1", "2", "246", "537", "6", "1506", code, ..] => format!("SHA-RAKENNE-{code}"),
            ["1", "2", "246", "537", "6", "1505", group, ..] => format!("SHA-RAKENNE-1505-{group}"),
            _ => {
                return Err(usage(format!(
                    "--structures {}:{}: '{item}' is neither a Sosmeta structure OID (1.2.246.537.6.1505/1506…) nor a document type code",
                    file.display(),
                    n + 1
                )))
            }
        };
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.is_empty() {
        return Err(usage(format!("--structures {}: no structures listed", file.display())));
    }
    Ok(tags)
}

/// Writes Kela's deployment-test report and prints its deadline and subject line.
fn write_deployment_report(
    a: &RunArgs,
    r: &RunReport,
    registry: &Registry,
    system: &str,
    conn: &crate::deployment::ConnectionTest,
) -> Result<(), CliError> {
    let sys = registry.by_name(system).ok_or_else(|| usage(format!("--system '{system}' is not in the registry")))?;
    let codes = sha_simulator::codes::CodeSets::builtin();
    let org_name = codes.name(sha_simulator::codes::oids::SOTE_ORGANISATION, &sys.organisation).unwrap_or("");
    let customer = a.customer.clone().unwrap_or_else(|| {
        if org_name.is_empty() {
            sys.organisation.clone()
        } else {
            org_name.to_string()
        }
    });
    let profile = sys.controllers.first().map(|c| c.profile.finnish().to_string()).unwrap_or_default();
    let day = time::Date::parse(&r.started, &time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|e| usage(format!("run date '{}': {e}", r.started)))?;
    let occasion = report::kela::Occasion {
        customer: &customer,
        system,
        organisation: &sys.organisation,
        profile: &profile,
        day,
        connection_test: &conn.passed_on,
    };
    let path = a.report_dir.join(format!("kayttoonottokoe-{system}.md"));
    write(&path, || report::kela::render(r, &occasion))?;
    println!(
        "deployment test report: send to Kela by {} with the subject \"SHA käyttöönottokoe + {customer}\"",
        report::kela::business_days_after(day, 2)
    );
    Ok(())
}

/// Runs a parsed command line; returns the exit code.
pub async fn run(cli: Cli) -> Result<i32, CliError> {
    sha_simulator::tables::set_dir(cli.tables.clone()).map_err(usage)?;
    sha_simulator::tables::check().map_err(|e| usage(format!("table refused: {e}")))?;
    match cli.command {
        Command::Run(a) => {
            if let Some(file) = &a.persons {
                let (replaced, added) = sha_simulator::persons::TestPersons::use_file(file)
                    .map_err(|e| usage(format!("--persons: {e}")))?;
                println!(
                    "test persons from {}: replaced {}; added {}",
                    file.display(),
                    if replaced.is_empty() { "none".to_string() } else { replaced.join(", ") },
                    if added.is_empty() { "none".to_string() } else { added.join(", ") }
                );
            }
            let deployment = a.suite.as_deref() == Some("kayttoonottokoe");
            let connection = match (&a.system, deployment) {
                (None, true) => {
                    return Err(usage("--suite kayttoonottokoe needs --system NAME: the system being deployed"))
                }
                (Some(system), true) => {
                    Some(crate::deployment::require_connection_test(&a.report_dir, system).map_err(usage)?)
                }
                _ => None,
            };
            let opts = run_options(&a)?;
            let registry = opts.registry.clone();
            let r = runner::run(opts).await.map_err(usage)?;
            write_reports(&a, &r, &registry)?;
            if let Some(system) = &a.system {
                if let Some(path) =
                    crate::deployment::record_connection_test(&a.report_dir, system, &r).map_err(usage)?
                {
                    println!("connection test passed: recorded in {}", path.display());
                }
            }
            if let (Some(system), Some(conn)) = (&a.system, &connection) {
                write_deployment_report(&a, &r, &registry, system, conn)?;
            }
            let (p, f, s) = r.counts();
            println!("{} passed, {} failed, {} skipped", p, f, s);
            Ok(if r.all_passed() { EXIT_OK } else { EXIT_FAILED })
        }
        Command::ReferenceAdapter(a) => {
            let registry = Registry::load(&a.systems).map_err(usage)?;
            let target = SimulatorTarget::External { endpoint: a.simulator, admin: a.admin, certs: a.certs };
            let listener = tokio::net::TcpListener::bind(a.listen)
                .await
                .map_err(|e| usage(format!("cannot listen on {}: {e}", a.listen)))?;
            println!("reference adapter listening on http://{}/actions", a.listen);
            crate::adapter_server::serve(listener, target, registry).await.map_err(usage)?;
            Ok(EXIT_OK)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_structure_list_becomes_the_suite_s_tags() {
        let dir = tempfile::tempdir().expect("tmp");
        let f = dir.path().join("rakenteet.txt");
        std::fs::write(
            &f,
            "# ours\n1.2.246.537.6.1506.11002.2023.9.8\n15007  # plan\n1.2.246.537.6.1505.1.2023.6.1\n11002\n",
        )
        .expect("write");
        assert_eq!(
            structure_tags(&f).expect("tags"),
            vec!["SHA-RAKENNE-11002", "SHA-RAKENNE-15007", "SHA-RAKENNE-1505-1"]
        );
        // The filter keeps the declared structures and leaves other suites to --tags.
        let declared = structure_tags(&f).expect("tags");
        let eval = |expr: &str, tags: &[&str]| {
            use cucumber::tag::Ext as _;
            let op: cucumber::gherkin::tagexpr::TagOperation = expr.parse().expect("expression parses");
            op.eval(tags.iter().copied())
        };
        let only = structure_filter(None, &declared);
        assert!(eval(&only, &["rakenteiset", "SHA-RAKENNE-11002"]));
        assert!(!eval(&only, &["rakenteiset", "SHA-RAKENNE-12000"]));
        assert!(!eval(&only, &["yhteistestaus", "SHA-LV-001"]));
        let mixed = structure_filter(Some("@rakenteiset or @yhteistestaus".into()), &declared);
        assert!(eval(&mixed, &["yhteistestaus", "SHA-LV-001"]));
        assert!(!eval(&mixed, &["rakenteiset", "SHA-RAKENNE-12000"]));
        std::fs::write(&f, "11002\nlastensuojelu\n").expect("write");
        let e = structure_tags(&f).unwrap_err().message;
        assert!(e.contains(":2:") && e.contains("lastensuojelu"), "{e}");
    }

    #[test]
    fn sut_choices_parse_and_bad_ones_name_the_problem() {
        assert!(matches!(parse_sut("builtin", 5), Ok(SutChoice::Builtin)));
        assert!(matches!(parse_sut("builtin-faulty", 5), Ok(SutChoice::BuiltinFaulty)));
        assert!(matches!(parse_sut("manual", 7), Ok(SutChoice::Manual(7))));
        assert!(
            matches!(parse_sut("adapter=http://127.0.0.1:9090", 9), Ok(SutChoice::Adapter(u, 9)) if u == "http://127.0.0.1:9090")
        );
        assert!(parse_sut("adapter=ftp://x", 1).unwrap_err().contains("adapter=http"));
        assert!(parse_sut("robot", 1).is_err());
    }
}
