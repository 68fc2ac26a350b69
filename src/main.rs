//! `drgsim`: see `drgsim --help`. All the work is in the library.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = drgsim::cli::Cli::parse();
    match drgsim::cli::dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
