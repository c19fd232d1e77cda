//! `njia-server serve`: the HTTP API on a socket, with the limits that keep it answering
//! under slow, many or hostile clients (`docs/security.md`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use hyper_util::rt::TokioTimer;
use njia_server::limits::ConnectionLimit;
use njia_server::{router, AppState, Config};
use njia_server_database::Database;

/// Where to listen and with what limits. Every default is `Config::default()`'s.
#[derive(Args, Debug)]
pub struct ServeArgs {
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// PEM certificate chain, for TLS (with --tls-key).
    #[arg(long, value_name = "PEM")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key, for TLS (with --tls-cert).
    #[arg(long, value_name = "PEM")]
    pub tls_key: Option<PathBuf>,
    /// Open connections in all.
    #[arg(long, value_name = "N")]
    pub max_connections: Option<usize>,
    /// Open connections from one address; 0 for no cap (behind a TLS proxy every
    /// connection comes from the proxy).
    #[arg(long, value_name = "N")]
    pub max_connections_per_address: Option<usize>,
    /// Sync rounds decoded and answered at once.
    #[arg(long, value_name = "N")]
    pub max_concurrent_syncs: Option<usize>,
    /// Seconds a client may take to send a request's headers, and an idle connection
    /// stays open.
    #[arg(long, value_name = "SECONDS")]
    pub header_timeout: Option<u64>,
    /// Seconds a request body may pause.
    #[arg(long, value_name = "SECONDS")]
    pub body_timeout: Option<u64>,
    /// Seconds a whole request may take.
    #[arg(long, value_name = "SECONDS")]
    pub request_timeout: Option<u64>,
    /// Largest request body once decompressed, in bytes.
    #[arg(long, value_name = "BYTES")]
    pub max_body_bytes: Option<usize>,
    /// Operations and corrections one device may store in any 24 hours.
    #[arg(long, value_name = "N")]
    pub quota_items_per_day: Option<i64>,
    /// Bytes of operations and corrections one device may store in any 24 hours.
    #[arg(long, value_name = "BYTES")]
    pub quota_bytes_per_day: Option<i64>,
    /// Wrong enrolment codes from one address before it waits (15 minutes).
    #[arg(long, value_name = "N")]
    pub enroll_failures: Option<u32>,
}

impl ServeArgs {
    fn config(&self) -> Config {
        let mut c = Config::default();
        let secs = Duration::from_secs;
        if let Some(v) = self.max_connections {
            c.max_connections = v;
        }
        if let Some(v) = self.max_connections_per_address {
            c.max_connections_per_address = v;
        }
        if let Some(v) = self.max_concurrent_syncs {
            c.max_concurrent_syncs = v;
        }
        if let Some(v) = self.header_timeout {
            c.header_read_timeout = secs(v);
        }
        if let Some(v) = self.body_timeout {
            c.body_idle_timeout = secs(v);
        }
        if let Some(v) = self.request_timeout {
            c.request_timeout = secs(v);
        }
        if let Some(v) = self.max_body_bytes {
            c.max_decompressed_bytes = v;
            c.max_request_bytes = v;
        }
        if let Some(v) = self.quota_items_per_day {
            c.quota_items_per_day = v;
        }
        if let Some(v) = self.quota_bytes_per_day {
            c.quota_bytes_per_day = v;
        }
        if let Some(v) = self.enroll_failures {
            c.enroll_failures = v;
        }
        c
    }
}

pub async fn serve<D: Database>(db: D, args: ServeArgs) -> anyhow::Result<()> {
    let config = args.config();
    let header_timeout = config.header_read_timeout;
    let connections =
        ConnectionLimit::new(config.max_connections, config.max_connections_per_address);
    let app = router(AppState::new(db, config)).into_make_service_with_connect_info::<SocketAddr>();
    let handle = axum_server::Handle::new();
    let shutdown = handle.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        shutdown.graceful_shutdown(Some(Duration::from_secs(10)));
    });
    let listener = std::net::TcpListener::bind(args.listen)
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    // hyper closes a connection whose headers (or next request, when idle) do not arrive
    // in time; without a timer it never would.
    let configure =
        |builder: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>| {
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .max_headers(64);
            builder
                .http2()
                .timer(TokioTimer::new())
                .max_concurrent_streams(16)
                .keep_alive_interval(Some(header_timeout))
                .keep_alive_timeout(header_timeout);
        };
    match (args.tls_cert, args.tls_key) {
        (Some(cert), Some(key)) => {
            // Fails only if a provider is already installed, which is fine.
            let _ = rustls::crypto::ring::default_provider().install_default();
            let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key)
                .await
                .with_context(|| {
                    format!(
                        "cannot read the TLS certificate {} or key {}",
                        cert.display(),
                        key.display()
                    )
                })?;
            println!("listening on https://{addr}");
            // Phones of an office with a self-signed certificate enrol with its pin. In the
            // log, not on stdout: whoever started the server may have stopped reading it.
            if let Some(fingerprint) = fingerprint(&cert) {
                tracing::info!(
                    sha256 = %fingerprint,
                    "TLS certificate: with a self-signed one, devices enrol with njia enroll --pin-sha256 <sha256>"
                );
            }
            let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(tls)
                .handshake_timeout(header_timeout)
                .acceptor(connections);
            let mut server = axum_server::from_tcp(listener).acceptor(acceptor);
            configure(server.http_builder());
            server.handle(handle).serve(app).await?;
        }
        (None, None) => {
            println!("listening on http://{addr}");
            let mut server = axum_server::from_tcp(listener).acceptor(connections);
            configure(server.http_builder());
            server.handle(handle).serve(app).await?;
        }
        _ => anyhow::bail!("TLS needs both --tls-cert and --tls-key"),
    }
    Ok(())
}

/// The SHA-256 of the first certificate of a PEM file, as openssl prints a fingerprint.
fn fingerprint(pem: &std::path::Path) -> Option<String> {
    use rustls::pki_types::pem::PemObject;
    use sha2::Digest;
    let der = rustls::pki_types::CertificateDer::pem_file_iter(pem)
        .ok()?
        .next()?
        .ok()?;
    let digest = sha2::Sha256::digest(der.as_ref());
    Some(
        digest
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":"),
    )
}
