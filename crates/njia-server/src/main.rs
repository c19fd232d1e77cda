//! `njia-server`: run the field office's server and curate what it holds.

mod admin;
mod serve;
mod workers;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use njia_server_database::Database;
use njia_server_postgres::PostgresDatabase;
use njia_server_sqlite::SqliteDatabase;

#[derive(Parser)]
#[command(name = "njia-server", version, about = "The Njia field office server.")]
struct Cli {
    /// Data folder (the SQLite database lives here by default).
    #[arg(long, global = true, env = "NJIA_DATA", value_name = "DIR")]
    data: Option<PathBuf>,
    /// postgres://… to use PostgreSQL instead of SQLite in the data folder.
    #[arg(long, global = true, env = "NJIA_DATABASE_URL", value_name = "URL")]
    database_url: Option<String>,
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: admin::Command,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The server logs its requests; the staff's one-off commands stay quiet unless asked.
    let default_level = match cli.command {
        admin::Command::Serve(_) => "info",
        _ => "warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("NJIA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("njia-server: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!("njia-server: {}", chain.join(": "));
            ExitCode::FAILURE
        }
    }
}

/// Picks the backend from the URL, then runs the command on it (generic, no trait objects).
async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.database_url.as_deref() {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            let db = PostgresDatabase::connect(url)
                .await
                .context("cannot reach the PostgreSQL database")?;
            dispatch(db, cli).await
        }
        Some(url) => anyhow::bail!("--database-url {url}: only postgres:// URLs are supported (SQLite is the default, in --data)"),
        None => {
            let dir = cli.data.clone().unwrap_or_else(|| PathBuf::from("njia-data"));
            private_folder(&dir)
                .with_context(|| format!("cannot create the data folder {}", dir.display()))?;
            let path = dir.join("njia-server.db");
            private_file(&path)
                .with_context(|| format!("cannot create the database {}", path.display()))?;
            let db = SqliteDatabase::open(&path)
                .with_context(|| format!("cannot open the database in {}", dir.display()))?;
            dispatch(db, cli).await
        }
    }
}

async fn dispatch<D: Database>(db: D, cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        admin::Command::Serve(args) => serve::serve(db, args).await,
        other => admin::run(&db, other, cli.json).await,
    }
}

/// Creates the data folder readable by its owner only (0700); one that exists is left as
/// the office set it up.
fn private_folder(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates the database file readable by its owner only (0600) before SQLite opens it:
/// SQLite gives its -wal and -shm files the database's mode. An existing file is kept.
fn private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}
