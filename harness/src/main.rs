//! `sha-harness`: thin entry point over [`sha_harness::cli`].

use clap::Parser;
use sha_harness::cli::{self, Cli};

fn main() {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sha-harness: cannot start the async runtime: {e}");
            std::process::exit(cli::EXIT_USAGE);
        }
    };
    let code = match runtime.block_on(cli::run(cli)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sha-harness: {}", e.message);
            e.code
        }
    };
    std::process::exit(code);
}
