//! `njia`: the device side of Njia from a terminal. Every command is a few lines over
//! `njia-store` (and `njia-sync` for enrol and sync); the contracts (flags, JSON shapes, exit
//! codes) are those of DESIGN §5.

mod args;
mod directory;
mod output;
mod outreach;
mod sync;
mod unlock;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("njia: {}", output::error_chain(&e));
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let json = cli.json;
    match cli.command {
        Command::Import(a) => directory::import(&cli.db, a, json),
        Command::Near(a) => directory::near(&cli.db, a, json),
        Command::Search(a) => directory::search(&cli.db, a, json),
        Command::Service(a) => directory::service(&cli.db, a, json),
        Command::Places(a) => directory::places(&cli.db, a, json),
        Command::DemoData(a) => directory::demo_data(&cli.db, a, json),
        Command::Log(a) => outreach::log(&cli.db, a.command, json),
        Command::Refer(a) => outreach::refer(&cli.db, a.command, json),
        Command::Status(_) => outreach::status(&cli.db, json),
        Command::Enroll(a) => sync::enroll(&cli.db, a, json),
        Command::Sync(a) => sync::sync(&cli.db, a, json),
        Command::Correct(a) => sync::correct(&cli.db, a, json),
    }
}

/// Logs go to stderr, quiet unless `NJIA_LOG` asks (e.g. `NJIA_LOG=debug`).
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("NJIA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
