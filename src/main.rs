//! `drgsim`: see `drgsim --help`. All the work is in the library.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // Ctrl-C or SIGTERM: remove the staging folders of outputs being written
    // (waiting for a commit in progress), then stop.
    let _ = ctrlc::set_handler(|| {
        drgsim::report::remove_staging_dirs();
        eprintln!("interrupted: unfinished output folders removed");
        std::process::exit(130);
    });
    match cli::dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
