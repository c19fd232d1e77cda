//! `njia-server`: run the field office's server and curate what it holds.

mod admin;
mod workers;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use njia_server::{router, AppState, Config};
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
        admin::Command::Serve { .. } => "info",
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
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create the data folder {}", dir.display()))?;
            let db = SqliteDatabase::open(&dir.join("njia-server.db"))
                .with_context(|| format!("cannot open the database in {}", dir.display()))?;
            dispatch(db, cli).await
        }
    }
}

async fn dispatch<D: Database>(db: D, cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        admin::Command::Serve {
            listen,
            tls_cert,
            tls_key,
        } => serve(db, listen, tls_cert, tls_key).await,
        other => admin::run(&db, other, cli.json).await,
    }
}

async fn serve<D: Database>(
    db: D,
    listen: SocketAddr,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
) -> anyhow::Result<()> {
    let app = router(AppState {
        db,
        config: Arc::new(Config::default()),
    });
    let handle = axum_server::Handle::new();
    let shutdown = handle.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        shutdown.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
    });
    let listener = std::net::TcpListener::bind(listen)
        .with_context(|| format!("cannot listen on {listen}"))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    match (tls_cert, tls_key) {
        (Some(cert), Some(key)) => {
            // Fails only if a provider is already installed, which is fine.
            let _ = rustls::crypto::ring::default_provider().install_default();
            let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key)
                .await
                .with_context(|| {
                    format!(
                        "cannot read the TLS certificate {} or key {}",
                        cert.display(),
                        key.display()
                    )
                })?;
            println!("listening on https://{addr}");
            axum_server::from_tcp_rustls(listener, config)
                .handle(handle)
                .serve(app.into_make_service())
                .await?;
        }
        (None, None) => {
            println!("listening on http://{addr}");
            axum_server::from_tcp(listener)
                .handle(handle)
                .serve(app.into_make_service())
                .await?;
        }
        _ => anyhow::bail!("TLS needs both --tls-cert and --tls-key"),
    }
    Ok(())
}
