//! `deltaseal serve`: run the issuance node (HTTP API) until SIGTERM or ctrl-c.

use super::CliError;
use crate::adapters::config::Config;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

/// Options of `deltaseal serve` (each overrides the config file and environment).
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Config file (TOML if it ends in .toml, JSON otherwise).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Listen address, e.g. 127.0.0.1:8080 (port 0: any free port).
    #[arg(long)]
    listen: Option<String>,
    /// SQLite file or postgres:// URL.
    #[arg(long)]
    database: Option<String>,
    /// PostgreSQL schema for the node's tables (created if missing).
    #[arg(long)]
    database_schema: Option<String>,
    /// Keys directory.
    #[arg(long)]
    keys: Option<PathBuf>,
    /// Trust-list file (compact JWS) offered at start-up.
    #[arg(long)]
    trust_list: Option<PathBuf>,
    /// The pinned trust-list signer certificate (PEM or DER).
    #[arg(long)]
    trust_list_signer: Option<PathBuf>,
    /// Seconds a trust list may be used past its next update.
    #[arg(long)]
    trust_list_grace_s: Option<u64>,
    /// Another node's GET /v1/trust-list to poll for newer lists.
    #[arg(long)]
    trust_list_url: Option<String>,
    /// Seconds between polls (and the list's Cache-Control max-age).
    #[arg(long)]
    trust_list_poll_s: Option<u64>,
    /// Serve one province (SH, JS, ZJ, AH): host only its parties; the database
    /// defaults to deltaseal-<province>.db, the listen address and public base URL to
    /// the province's node_url in the trust list.
    #[arg(long)]
    province: Option<String>,
    /// Public base URL (status list URIs, the default node id).
    #[arg(long)]
    public_base_url: Option<String>,
    /// Verify requests per minute per client address (0: no limit).
    #[arg(long)]
    verify_rate_per_minute: Option<u32>,
    /// Verify requests a client may make at once before the rate applies.
    #[arg(long)]
    verify_rate_burst: Option<u32>,
    /// Seconds a client may take to send a verify request's body.
    #[arg(long)]
    body_read_timeout_s: Option<u64>,
    /// Seconds a client may take to send a request's header (also the idle keep-alive
    /// timeout).
    #[arg(long)]
    header_read_timeout_s: Option<u64>,
    /// Most connections served at once.
    #[arg(long)]
    max_connections: Option<usize>,
    /// Another audience request tokens may name (e.g. http://localhost:8080 beside
    /// http://127.0.0.1:8080); repeatable, replaces `audiences` of the configuration.
    #[arg(long = "audience")]
    audiences: Vec<String>,
}

pub(crate) fn run(args: ServeArgs) -> Result<i32, CliError> {
    let mut cfg =
        Config::from_env(args.config.as_deref()).map_err(|e| CliError::Input(e.to_string()))?;
    if let Some(l) = args.listen {
        cfg.listen = l;
    }
    if let Some(d) = args.database {
        cfg.database = d;
    }
    if let Some(v) = args.database_schema {
        cfg.database_schema = Some(v);
    }
    if let Some(k) = args.keys {
        cfg.keys_dir = k;
    }
    if let Some(v) = args.trust_list {
        cfg.trust_list = Some(v);
    }
    if let Some(v) = args.trust_list_signer {
        cfg.trust_list_signer = Some(v);
    }
    if let Some(v) = args.trust_list_grace_s {
        cfg.trust_list_grace_s = v;
    }
    if let Some(v) = args.trust_list_url {
        cfg.trust_list_url = Some(v);
    }
    if let Some(v) = args.trust_list_poll_s {
        cfg.trust_list_poll_s = v;
    }
    if let Some(v) = args.province {
        cfg.province = Some(
            crate::adapters::province::parse_province(&v)
                .map_err(|e| CliError::Input(e.to_string()))?,
        );
    }
    if let Some(v) = args.public_base_url {
        cfg.public_base_url = Some(v);
    }
    if let Some(v) = args.verify_rate_per_minute {
        cfg.verify_rate_per_minute = v;
    }
    if let Some(v) = args.verify_rate_burst {
        cfg.verify_rate_burst = v;
    }
    if let Some(v) = args.body_read_timeout_s {
        cfg.body_read_timeout_s = v;
    }
    if let Some(v) = args.header_read_timeout_s {
        cfg.header_read_timeout_s = v;
    }
    if let Some(v) = args.max_connections {
        cfg.max_connections = v;
    }
    if !args.audiences.is_empty() {
        cfg.audiences = args.audiences;
    }
    cfg.check().map_err(|e| CliError::Input(e.to_string()))?;
    cfg.apply_province(time::OffsetDateTime::now_utc())
        .map_err(|e| CliError::Input(e.to_string()))?;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        // colour codes only for a terminal, never in a log file or a pipe
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    let rt = tokio::runtime::Runtime::new().map_err(|e| CliError::Input(e.to_string()))?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&cfg.listen)
            .await
            .map_err(|e| CliError::Input(format!("cannot listen on {}: {e}", cfg.listen)))?;
        let bound = listener.local_addr().ok();
        let clock: crate::adapters::http::Clock =
            std::sync::Arc::new(time::OffsetDateTime::now_utc);
        let node = cfg
            .open_node(bound, clock)
            .await
            .map_err(|e| CliError::Input(e.to_string()))?;
        if cfg.demo_holders && node.identity_provider().is_some_and(|i| i.demo.is_some()) {
            match crate::adapters::http::demo_data::seed(&node).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(licenses = n, "demo holders' licenses issued"),
                Err(e) => tracing::warn!(error = %e, "demo holders' licenses not issued"),
            }
        }
        let store = node.store().clone();
        let poller = cfg.trust_list_url.clone().map(|url| {
            tracing::info!(%url, every_s = cfg.trust_list_poll_s, "polling the trust list");
            crate::adapters::federation::spawn_trust_list_poller(
                node.clone(),
                url,
                std::time::Duration::from_secs(cfg.trust_list_poll_s),
            )
        });
        let witness = (cfg.province.is_some() && cfg.witness_s > 0).then(|| {
            crate::adapters::witness::spawn_witness(
                node.clone(),
                std::time::Duration::from_secs(cfg.witness_s),
            )
        });
        if let Some(a) = bound {
            println!("deltaseal: listening on http://{a}");
            let _ = std::io::stdout().flush();
        }
        let listen = bound.map_or_else(|| cfg.listen.clone(), |a| a.to_string());
        let province = cfg.province.map(|p| p.abbrev());
        tracing::info!(%listen, database = %cfg.database, ?province, "serving");
        let app = crate::adapters::http::app(node);
        crate::adapters::http::serve_with(listener, app, shutdown_signal(), cfg.serve_options())
            .await
            .map_err(|e| CliError::Input(e.to_string()))?;
        for task in poller.into_iter().chain(witness) {
            task.abort();
        }
        store.close().await;
        tracing::info!("stopped");
        Ok(0)
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
