//! Running the catalogue: connect the simulator, install the driver, run
//! cucumber over the feature files with the tag filter, collect results and
//! write the reports.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use cucumber::tag::Ext as _;
use cucumber::writer::{self, Coloring};
use cucumber::{World as _, WriterExt as _};
use futures::FutureExt as _;

use crate::context::{RunContext, SimulatorTarget};
use crate::report::{self, Collector, Results, RunReport};
use crate::sut::Sut;
use crate::world::{install, ShaWorld, Shared};
use sha_simulator::registry::Registry;

/// What to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Feature files (a directory or one file).
    pub features: PathBuf,
    /// Tag expression, e.g. `@yhteistestaus and not @virhe`.
    pub tags: Option<String>,
    /// How to drive the system under test.
    pub sut: SutChoice,
    /// Where the simulator is.
    pub simulator: SimulatorTarget,
    /// The registry the simulator uses.
    pub registry: Registry,
    /// The vendor's system (registry name), when the run is for one.
    pub system: Option<String>,
    /// Print cucumber's progress.
    pub progress: bool,
    /// The repository's `testdata/` (sample documents and raw wire messages some steps send).
    pub testdata: PathBuf,
    /// Production mode (the deployment test): messages are marked processingCode P.
    pub production: bool,
    /// Draw the built-in client's authors, social services and structured document types from
    /// the tables with this seed (each scenario its own stream); none: the fixed defaults.
    pub seed: Option<u64>,
}

/// How the system under test is driven.
#[derive(Debug, Clone)]
pub enum SutChoice {
    /// Reference client.
    Builtin,
    /// Deliberately faulty reference client.
    BuiltinFaulty,
    /// Vendor adapter at URL, waiting this many seconds for each message.
    Adapter(String, u64),
    /// Human tester, with a timeout per message in seconds.
    Manual(u64),
}

/// Why a run could not be made at all (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Bad tag expression.
    #[error("invalid --tags expression '{0}': {1}")]
    Tags(String, String),
    /// Feature path missing.
    #[error("feature path {0} does not exist")]
    Features(String),
    /// Simulator problem.
    #[error(transparent)]
    Context(#[from] crate::context::ContextError),
    /// --system names an unknown system.
    #[error("--system {0} is not in the registry")]
    System(String),
}

/// Runs the catalogue and returns the results.
pub async fn run(opts: RunOptions) -> Result<RunReport, RunError> {
    if !opts.features.exists() {
        return Err(RunError::Features(opts.features.display().to_string()));
    }
    let filter = match &opts.tags {
        Some(t) => Some(
            t.parse::<cucumber::gherkin::tagexpr::TagOperation>()
                .map_err(|e| RunError::Tags(t.clone(), e.to_string()))?,
        ),
        None => None,
    };
    if let Some(s) = &opts.system {
        if opts.registry.by_name(s).is_none() {
            return Err(RunError::System(s.clone()));
        }
    }
    let ctx = RunContext::connect(opts.simulator.clone(), opts.registry.clone()).await?;
    let sut = match &opts.sut {
        SutChoice::Builtin => Sut::Builtin { faulty: false },
        SutChoice::BuiltinFaulty => Sut::Builtin { faulty: true },
        SutChoice::Adapter(url, secs) => Sut::Adapter {
            url: url.clone(),
            http: reqwest::Client::new(),
            timeout: std::time::Duration::from_secs(*secs),
        },
        SutChoice::Manual(secs) => Sut::Manual { timeout: std::time::Duration::from_secs(*secs) },
    };
    let sut_name = sut.name();
    install(Shared {
        ctx: ctx.clone(),
        sut: Arc::new(sut),
        testdata: Arc::new(opts.testdata.clone()),
        production: opts.production,
        seed: opts.seed,
    });
    crate::steps::set_system_override(opts.system.clone());

    let results = Arc::new(Mutex::new(Results::default()));
    let collector = Collector { results: results.clone() };
    let out: Box<dyn std::io::Write> =
        if opts.progress { Box::new(std::io::stdout()) } else { Box::new(std::io::sink()) };
    let basic = writer::Basic::raw(out, Coloring::Auto, 0);
    let hook_results = results.clone();
    let hook_ctx = ctx.clone();
    let cuke = ShaWorld::cucumber()
        .max_concurrent_scenarios(1)
        .with_writer(basic.summarized().tee::<ShaWorld, _>(collector).normalized())
        .before(move |_f, _r, scenario, world| {
            let ctx = hook_ctx.clone();
            async move {
                world.case_tag = report::case_id(&scenario.tags).unwrap_or_default();
                // Every scenario starts from an empty archive on the real clock, with no fault rules.
                for (method, path) in [
                    (reqwest::Method::POST, "/admin/reset"),
                    (reqwest::Method::DELETE, "/admin/clock"),
                    (reqwest::Method::DELETE, "/admin/faults"),
                ] {
                    if let Err(e) = ctx.admin_call(method, path, None).await {
                        panic!("simulaattorin valmistelu epäonnistui — cannot prepare the simulator ({path}): {e}");
                    }
                }
            }
            .boxed_local()
        })
        .after(move |feature, _r, scenario, _ev, world| {
            let results = hook_results.clone();
            let key = report::key(feature, scenario);
            let evidence = world.map(|w| w.evidence.clone()).unwrap_or_default();
            async move {
                results.lock().unwrap_or_else(|p| p.into_inner()).evidence(key, evidence);
            }
            .boxed_local()
        })
        // Options come from our own command line, never from the process arguments.
        .with_default_cli();
    let runner = cuke.filter_run(opts.features.clone(), move |feature, rule, scenario| {
        let Some(op) = &filter else { return true };
        let tags = feature.tags.iter().chain(rule.iter().flat_map(|r| r.tags.iter())).chain(scenario.tags.iter());
        op.eval(tags)
    });
    runner.await;
    ctx.shutdown().await;
    let scenarios = results.lock().unwrap_or_else(|p| p.into_inner()).scenarios();
    let started = time::OffsetDateTime::now_utc();
    Ok(RunReport {
        started: format!("{:04}-{:02}-{:02}", started.year(), u8::from(started.month()), started.day()),
        sut: sut_name,
        simulator: match &opts.simulator {
            SimulatorTarget::Embedded => "embedded".into(),
            SimulatorTarget::External { endpoint, .. } => endpoint.clone(),
        },
        system: opts.system.clone(),
        seed: opts.seed,
        scenarios,
    })
}
