//! `sha-simulator`: thin entry point over [`sha_simulator::cli`].

use clap::Parser;
use sha_simulator::cli::{self, Cli};

/// mimalloc instead of glibc malloc: the request path allocates many short-lived
/// buffers, and glibc's allocator took about a fifth of the CPU under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sha-simulator: cannot start the async runtime: {e}");
            std::process::exit(cli::EXIT_USAGE);
        }
    };
    let code = match runtime.block_on(cli::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("sha-simulator: {}", e.message);
            e.code
        }
    };
    std::process::exit(code);
}
