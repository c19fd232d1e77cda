//! Reads a file or folder the way `njia import` would and prints what it found and how long
//! it took, without storing anything:
//!
//! ```text
//! cargo run --release -p njia-import --example read -- ../shared/data/healthsites_east_southern_africa_2020.csv
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: read FILE|DIR");
        return ExitCode::FAILURE;
    };
    let started = Instant::now();
    match njia_import::read_path(&path, &mut |_| {}) {
        Ok(imported) => {
            println!(
                "{}: {} services, {} skipped, read in {:.0?}",
                imported.format,
                imported.services.len(),
                imported.skipped.len(),
                started.elapsed()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
