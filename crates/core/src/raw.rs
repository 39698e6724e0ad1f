//! Calls by path, through the same pipeline as generated calls (token, `ST-App-Key`, limits,
//! retries, typed errors), for what the typed crates cannot express: records exactly as the API
//! sent them (`serde_json::value::RawValue`: unknown fields, key order and number spelling
//! kept), or an endpoint the specs do not list yet.

use crate::operation::OperationMeta;
use crate::transport::Reply;
use crate::{Client, Error, Transport};
use serde::de::DeserializeOwned;

/// Operation-table entry of calls made by path.
pub static GET_BY_PATH: OperationMeta = OperationMeta {
    operation_id: "get_json",
    method_name: "get_json",
    http_method: "GET",
    summary: "GET by path",
    hand_written: true,
    ..OperationMeta::UNKNOWN
};

/// A reply whose status is a success the caller can use (`2xx`): a redirect that was not
/// followed (`3xx`) is the server's answer, but not one a JSON call can read.
pub(crate) fn success(reply: Reply) -> Result<Reply, Error> {
    if reply.status().is_success() {
        Ok(reply)
    } else {
        Err(reply.unexpected())
    }
}

/// Sends a built request through `transport` and reads a JSON answer (`Null` for an empty body
/// when `T` allows it). Shared by calls by operation, by path, and uploads.
pub(crate) async fn execute_json<T: DeserializeOwned>(
    transport: &Transport,
    request: reqwest::Request,
    meta: &'static OperationMeta,
) -> Result<T, Error> {
    let reply = success(transport.send(request, meta).await?)?;
    let status = reply.status();
    let bytes = reply.bytes().await?;
    let body = if bytes.is_empty() {
        bytes::Bytes::from_static(b"null")
    } else {
        bytes.clone()
    };
    crate::decode::from_body(&body).map_err(|e| Error::decode(e.to_string(), &bytes, Some(status)))
}

impl Client {
    /// `GET {api}/{base_path}{path}` with `{tenant}` filled in, decoded into `T` — e.g.
    /// `client.get_json::<RawBatch>("jpm/v2", "/tenant/{tenant}/export/jobs", &[("from", token)])`.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        base_path: &str,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, Error> {
        let parts = self.domain(base_path);
        let url = format!(
            "{}{}",
            parts.base_url,
            path.replace("{tenant}", &parts.tenant_id.to_string())
        );
        let request = parts
            .http
            .get(url)
            .query(query)
            .header(reqwest::header::ACCEPT, "application/json")
            .build()
            .map_err(Error::from)?;
        execute_json(&parts.transport, request, &GET_BY_PATH).await
    }
}
