//! Calls described by an [`OperationMeta`] at run time — method and path template from the
//! operation table, parameters and body supplied as text — through the same pipeline as
//! generated calls (token, `ST-App-Key`, limits, retries, typed errors). This is what a command
//! line over every operation needs (`st jpm jobs-get-list --page-size 3`) without compiling the
//! 25 typed crates; the typed builders remain the way to call the API from Rust.

use crate::operation::OperationMeta;
use crate::transport::Reply;
use crate::upload::expand_path;
use crate::{Client, Error};
use serde::de::DeserializeOwned;

/// What to send with an operation: the values of its path and query parameters (as the API
/// spells them) and an optional JSON body, sent byte for byte as given.
#[derive(Clone, Debug, Default)]
pub struct CallArgs {
    /// Path parameters other than `{tenant}` (filled from the client), percent-encoded on use.
    pub path: Vec<(String, String)>,
    /// Query pairs, in order; repeat a name for an array.
    pub query: Vec<(String, String)>,
    /// A JSON request body, kept exactly as given (numbers and key order unchanged).
    pub body: Option<Vec<u8>>,
}

impl Client {
    fn build_call(
        &self,
        meta: &'static OperationMeta,
        base_path: &str,
        args: &CallArgs,
    ) -> Result<reqwest::Request, Error> {
        let parts = self.domain(base_path);
        let path: Vec<(&str, String)> = args
            .path
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        let url = expand_path(&parts.base_url, meta.path, parts.tenant_id, &path);
        if let Some(missing) = url.find('{').and_then(|i| url[i..].split_once('}')) {
            return Err(Error::InvalidArgument {
                name: format!("{} path parameter {}}}", meta.operation_id, missing.0),
                reason: "no value given; set it in CallArgs::path".into(),
            });
        }
        let method = reqwest::Method::from_bytes(meta.http_method.as_bytes()).map_err(|_| {
            Error::InvalidArgument {
                name: format!("{} http_method", meta.operation_id),
                reason: format!("{:?} is not an HTTP method", meta.http_method),
            }
        })?;
        let mut request = parts
            .http
            .request(method, url)
            .query(&args.query)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = &args.body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        request.build().map_err(Error::from)
    }

    /// Calls `meta` (an entry of a module's operation table) under `base_path` with `args`, and
    /// decodes the JSON answer into `T` (`Null` for an empty body, when `T` allows it). Use
    /// `Box<serde_json::value::RawValue>` to keep the answer exactly as sent.
    pub async fn call_json<T: DeserializeOwned>(
        &self,
        meta: &'static OperationMeta,
        base_path: &str,
        args: &CallArgs,
    ) -> Result<T, Error> {
        let request = self.build_call(meta, base_path, args)?;
        crate::raw::execute_json(&self.domain(base_path).transport, request, meta).await
    }

    /// Like [`call_json`](Self::call_json) for a download: the successful reply, its body not
    /// read yet for a download operation (read it with [`Reply::chunk`]).
    pub async fn call_raw(
        &self,
        meta: &'static OperationMeta,
        base_path: &str,
        args: &CallArgs,
    ) -> Result<Reply, Error> {
        let request = self.build_call(meta, base_path, args)?;
        crate::raw::success(self.transport().send(request, meta).await?)
    }
}
