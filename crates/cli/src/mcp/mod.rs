//! `st mcp`: ServiceTitan for AI agents over the Model Context Protocol (rmcp, the official Rust
//! SDK): a few discoverable tools over every operation, read-only unless asked, writes confirmed.
//!
//! * [`catalog`] — finding (`search_operations`) and describing (`describe_operation`) operations;
//! * [`validate`] — arguments checked against the spec before anything is sent;
//! * [`call`] — `call_operation` (reads, paging, dry-run-then-confirm writes) and `read_result`;
//! * [`results`] — answers cut at a record boundary, the rest under a handle;
//! * [`confirm`] — HMAC confirmation tokens bound to one exact request;
//! * [`export`] — `export_records`, paged across calls with a cursor;
//! * [`reports`] — `list_reports`, `describe_report`, `run_report`;
//! * [`tools`] — the tool list (names, schemas, annotations);
//! * [`server`] — the rmcp handler; this module serves it over stdio or streamable HTTP.

pub mod call;
pub mod catalog;
pub mod confirm;
pub mod export;
pub mod reports;
pub mod results;
pub mod server;
pub mod tools;
pub mod validate;

use crate::Failure;
use clap::{Arg, ArgMatches, Command};
use rmcp::ServiceExt;
use server::{Inner, Server, Writes};
use servicetitan_core::Client;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

/// `st mcp [--http 127.0.0.1:PORT] [--allow-writes[=m,…]] [--tools per-operation --modules …]`.
pub fn command() -> Command {
    Command::new("mcp")
        .about("Serve the API to AI agents (Model Context Protocol), read-only unless asked")
        .long_about(
            "Serve the ServiceTitan API to AI agents over the Model Context Protocol: stdio by \
             default, or streamable HTTP on a loopback address. Eight tools find, describe and \
             call any operation, page exports and run reports. Credentials come from the usual \
             chain (--profile, SERVICETITAN_* variables, .env, --config-file), never from tool \
             arguments. Nothing is written unless --allow-writes is given, and then each write is \
             a dry run first, sent only with its confirmation token.",
        )
        .arg(
            Arg::new("http")
                .long("http")
                .value_name("127.0.0.1:PORT")
                .value_parser(clap::value_parser!(SocketAddr))
                .help("Serve streamable HTTP at http://ADDR/mcp (loopback only; port 0 picks one)"),
        )
        .arg(
            Arg::new("allow-writes")
                .long("allow-writes")
                .value_name("MODULES")
                .num_args(0..=1)
                .require_equals(true)
                .default_missing_value("all")
                .help("Allow writes (each a dry run, then confirmed): all, or e.g. =jpm,crm"),
        )
        .arg(
            Arg::new("tools")
                .long("tools")
                .value_parser(["fixed", "per-operation"])
                .default_value("fixed")
                .help("fixed: eight tools over every operation; per-operation: one per operation of --modules"),
        )
        .arg(
            Arg::new("modules")
                .long("modules")
                .value_name("LIST")
                .value_delimiter(',')
                .help("With --tools per-operation: the modules, e.g. jpm,crm"),
        )
        .arg(
            Arg::new("max-result-bytes")
                .long("max-result-bytes")
                .value_name("BYTES")
                .default_value("65536")
                .value_parser(clap::value_parser!(usize))
                .help("Answers over this size are cut at a record boundary (read_result continues)"),
        )
        .arg(
            Arg::new("confirm-ttl")
                .long("confirm-ttl")
                .value_name("SECONDS")
                .default_value("300")
                .value_parser(clap::value_parser!(u64).range(1..=3600))
                .help("How long a write's confirmation token stays valid"),
        )
}

fn module_set(names: impl IntoIterator<Item = String>) -> Result<BTreeSet<String>, Failure> {
    let mut set = BTreeSet::new();
    for name in names {
        let name = name.trim().to_string();
        if crate::table::module(&name).is_none() {
            let all: Vec<&str> = crate::table::MODULES.iter().map(|m| m.name).collect();
            return Err(format!("unknown module `{name}`; modules: {}", all.join(", ")).into());
        }
        set.insert(name);
    }
    Ok(set)
}

/// The server's settings from the command line.
pub fn inner(client: Client, m: &ArgMatches) -> Result<Inner, Failure> {
    let writes = match m.get_one::<String>("allow-writes").map(String::as_str) {
        None => Writes::None,
        Some("all") => Writes::All,
        Some(list) => Writes::Modules(module_set(list.split(',').map(str::to_string))?),
    };
    let modules = match m.get_one::<String>("tools").map(String::as_str) {
        Some("per-operation") => {
            let names: Vec<String> = m
                .get_many::<String>("modules")
                .ok_or("--tools per-operation needs --modules, e.g. --modules jpm,crm")?
                .cloned()
                .collect();
            Some(module_set(names)?)
        }
        _ => None,
    };
    let cap = m
        .get_one::<usize>("max-result-bytes")
        .copied()
        .unwrap_or(65536);
    let ttl = m.get_one::<u64>("confirm-ttl").copied().unwrap_or(300);
    Ok(Inner {
        client,
        writes,
        confirmations: confirm::Confirmations::new(Duration::from_secs(ttl)),
        results: results::ResultStore::new(cap),
        modules,
    })
}

/// Runs `st mcp` until the client disconnects (stdio) or Ctrl-C (HTTP).
pub async fn serve(client: Client, m: &ArgMatches) -> Result<(), Failure> {
    let server = Server::new(inner(client, m)?);
    match m.get_one::<SocketAddr>("http") {
        None => {
            let running = server
                .serve(rmcp::transport::stdio())
                .await
                .map_err(|e| format!("MCP session failed to start: {e}"))?;
            running
                .waiting()
                .await
                .map_err(|e| format!("MCP session ended with an error: {e}"))?;
            Ok(())
        }
        Some(addr) => serve_http(server, *addr).await,
    }
}

async fn serve_http(server: Server, addr: SocketAddr) -> Result<(), Failure> {
    use rmcp::transport::streamable_http_server::{
        session::local::LocalSessionManager, StreamableHttpServerConfig, StreamableHttpService,
    };
    if !addr.ip().is_loopback() {
        return Err(format!(
            "--http {addr}: only a loopback address (127.0.0.1, [::1]) is served; the server \
             acts with your credentials and has no authentication of its own"
        )
        .into());
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr()?;
    let port = local.port();
    // DNS rebinding: only our own host names; browsers' Origins only from this machine.
    let config = StreamableHttpServerConfig::default()
        .with_allowed_hosts([
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ])
        .with_allowed_origins([
            format!("http://127.0.0.1:{port}"),
            format!("http://localhost:{port}"),
            format!("http://[::1]:{port}"),
        ])
        .enforce_origin_validation();
    let service: StreamableHttpService<Server, LocalSessionManager> =
        StreamableHttpService::new(move || Ok(server.clone()), Default::default(), config);
    let router = axum::Router::new().nest_service("/mcp", service);
    eprintln!("st mcp: streamable HTTP on http://{local}/mcp (Ctrl-C stops)");
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| format!("HTTP server failed: {e}"))?;
    Ok(())
}
