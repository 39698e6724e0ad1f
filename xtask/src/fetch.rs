//! `specs fetch`: fill `specs/` from the portal or from a directory.

use crate::specs::{parse_spec, short_sha, Context};
use crate::{Error, Result};
use servicetitan_codegen::diff::Summary;
use servicetitan_codegen::manifest::{sha256_hex, Module};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

/// Environment variable overriding the manifest's portal URL template.
pub const PORTAL_URL_ENV: &str = "SERVICETITAN_PORTAL_URL";

/// Largest spec accepted from the portal (the biggest is about 1 MiB).
const MAX_SPEC_BYTES: u64 = 64 * 1024 * 1024;

/// `specs fetch [--from DIR] [--portal-url TEMPLATE] [MODULE…]`.
pub fn fetch(
    ctx: &Context,
    from: Option<&Path>,
    portal_url: Option<String>,
    names: &[String],
) -> Result<ExitCode> {
    let modules = ctx.select(names)?;
    match from {
        Some(dir) => fetch_from_dir(ctx, dir, &modules),
        None => {
            let template = portal_url
                .or_else(|| std::env::var(PORTAL_URL_ENV).ok().filter(|s| !s.is_empty()))
                .unwrap_or_else(|| ctx.manifest.portal_url.clone());
            fetch_from_portal(ctx, &template, &modules)
        }
    }
}

fn fetch_from_dir(ctx: &Context, dir: &Path, modules: &[Module]) -> Result<ExitCode> {
    if !dir.is_dir() {
        return Err(Error(format!("--from {}: not a directory", dir.display())));
    }
    let missing: Vec<String> = modules
        .iter()
        .filter(|m| !dir.join(m.spec_file_name()).is_file())
        .map(|m| m.spec_file_name())
        .collect();
    if !missing.is_empty() {
        return Err(Error(format!(
            "{} of {} spec file(s) missing in {}: {}",
            missing.len(),
            modules.len(),
            dir.display(),
            missing.join(", ")
        )));
    }
    // Read and validate everything before writing anything.
    let mut specs = Vec::new();
    for module in modules {
        let path = dir.join(module.spec_file_name());
        let bytes = std::fs::read(&path)
            .map_err(|e| Error(format!("cannot read {}: {e}", path.display())))?;
        let value = parse_spec(&bytes, &path.display().to_string())?;
        specs.push((module, bytes, value));
    }
    let mut changed = 0;
    for (module, bytes, value) in &specs {
        changed += usize::from(!store(ctx, module, bytes, value)?);
    }
    finish(ctx, modules.len(), changed)
}

fn fetch_from_portal(ctx: &Context, template: &str, modules: &[Module]) -> Result<ExitCode> {
    if !template.contains("{api_id}") {
        return Err(Error(format!(
            "portal URL template {template:?} has no {{api_id}} placeholder"
        )));
    }
    let agent = agent();
    let mut changed = 0;
    let mut failed = Vec::new();
    for module in modules {
        let url = template.replace("{api_id}", &module.api_id);
        match download(&agent, &url) {
            Ok(bytes) => match parse_spec(&bytes, &format!("the response of {url}")) {
                Ok(value) => changed += usize::from(!store(ctx, module, &bytes, &value)?),
                Err(e) => {
                    println!(
                        "{:<38} FAILED: {e} (is the URL template right? --portal-url or ${PORTAL_URL_ENV})",
                        module.api_id
                    );
                    failed.push(module.api_id.clone());
                }
            },
            Err(e) => {
                println!("{:<38} FAILED: {e}", module.api_id);
                failed.push(module.api_id.clone());
            }
        }
    }
    if !failed.is_empty() {
        return Err(Error(format!(
            "{} of {} download(s) failed: {} (the other specs were written)",
            failed.len(),
            modules.len(),
            failed.join(", ")
        )));
    }
    finish(ctx, modules.len(), changed)
}

fn agent() -> ureq::Agent {
    let tls = ureq::tls::TlsConfig::builder()
        // rustls with the Mozilla roots: no OpenSSL or system TLS library on a fresh machine.
        .provider(ureq::tls::TlsProvider::Rustls)
        .root_certs(ureq::tls::RootCerts::WebPki)
        .build();
    ureq::Agent::config_builder()
        .tls_config(tls)
        .timeout_global(Some(Duration::from_secs(120)))
        .timeout_connect(Some(Duration::from_secs(20)))
        .http_status_as_error(false)
        .user_agent(concat!("servicetitan-rs-xtask/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

fn download(agent: &ureq::Agent, url: &str) -> Result<Vec<u8>> {
    let mut response = agent
        .get(url)
        .header("Accept", "application/json")
        .call()
        .map_err(|e| Error(format!("GET {url}: {e}")))?;
    let status = response.status();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_SPEC_BYTES)
        .read_to_vec()
        .map_err(|e| Error(format!("GET {url}: reading the body: {e}")))?;
    if !status.is_success() {
        return Err(Error(format!("GET {url}: HTTP {status}")));
    }
    Ok(body)
}

/// Writes `specs/<api_id>.json` and prints the module's line; true if it matches the manifest.
fn store(ctx: &Context, module: &Module, bytes: &[u8], value: &serde_json::Value) -> Result<bool> {
    let path = ctx.spec_path(module);
    debug_assert!(path.parent() == Some(ctx.specs_dir.as_path()));
    std::fs::write(&path, bytes)
        .map_err(|e| Error(format!("cannot write {}: {e}", ctx.show(&path))))?;
    let sha = sha256_hex(bytes);
    let ops = Summary::from_spec(&module.api_id, &sha, value).operation_count();
    let matches = sha == module.sha256;
    let verdict = if matches {
        "matches manifest".to_string()
    } else {
        format!(
            "CHANGED (manifest {}, {} ops)",
            short_sha(&module.sha256),
            module.operations
        )
    };
    println!(
        "{:<38} {:>4} ops  sha256 {}  {verdict}",
        module.api_id,
        ops,
        short_sha(&sha)
    );
    Ok(matches)
}

fn finish(ctx: &Context, total: usize, changed: usize) -> Result<ExitCode> {
    if changed == 0 {
        println!(
            "fetched {total} spec(s) into {}; all match the manifest",
            ctx.show(&ctx.specs_dir)
        );
    } else {
        println!(
            "fetched {total} spec(s) into {}; {changed} CHANGED: run `cargo xtask specs check` to see what changed, `cargo xtask specs accept` to take it",
            ctx.show(&ctx.specs_dir)
        );
    }
    Ok(ExitCode::SUCCESS)
}
