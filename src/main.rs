//! `pecs`: parse the command line and hand over; nothing else.

use clap::Parser;

fn main() -> std::process::ExitCode {
    pecs::cli::run(pecs::cli::Cli::parse())
}
