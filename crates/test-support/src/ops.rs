//! Operation descriptions and raw calls through a client's transport, as a generated client
//! makes them: for suites of the core, which has no generated crate to call.

use reqwest::Method;
use servicetitan_core::transport::Reply;
use servicetitan_core::{Client, Error, OperationKind, OperationMeta, OperationPolicy};

/// `GET /tenant/{tenant}/jobs/{id}`.
pub static JOBS_GET: OperationMeta = OperationMeta {
    operation_id: "Jobs_Get",
    method_name: "jobs_get",
    http_method: "GET",
    path: "/tenant/{tenant}/jobs/{id}",
    scopes: &["tn.jpm.jobs:r"],
    summary: "Gets a job",
    kind: OperationKind::Plain,
    hand_written: false,
    policy: OperationPolicy::STANDARD,
};

/// `POST /tenant/{tenant}/jobs` (not idempotent).
pub static JOBS_CREATE: OperationMeta = OperationMeta {
    operation_id: "Jobs_Create",
    method_name: "jobs_create",
    http_method: "POST",
    path: "/tenant/{tenant}/jobs",
    scopes: &["tn.jpm.jobs:w"],
    summary: "Creates a job",
    kind: OperationKind::Plain,
    hand_written: false,
    policy: OperationPolicy::STANDARD,
};

/// The report data call, limited per report.
pub static REPORT_DATA: OperationMeta = OperationMeta {
    operation_id: "ReportCategoryReports_GetData",
    method_name: "report_category_reports_get_data",
    http_method: "POST",
    path: "/tenant/{tenant}/report-category/{report_category}/reports/{reportId}/data",
    scopes: &["tn.rpt.reports:r"],
    summary: "Gets report data",
    kind: OperationKind::Plain,
    hand_written: false,
    policy: OperationPolicy::REPORT_DATA,
};

/// Sends `verb rel` (relative to `{api}/jpm/v2`) through the client's transport, as a
/// generated client does: the successful reply, or the typed error.
pub async fn call(
    client: &Client,
    meta: &'static OperationMeta,
    verb: Method,
    rel: &str,
) -> Result<Reply, Error> {
    let parts = client.domain("jpm/v2");
    let url = format!("{}{}", parts.base_url, rel);
    let mut request = reqwest::Request::new(verb.clone(), url.parse().expect("a valid test URL"));
    if verb == Method::POST || verb == Method::PUT || verb == Method::PATCH {
        *request.body_mut() = Some(reqwest::Body::from("{}"));
        request.headers_mut().insert(
            "content-type",
            reqwest::header::HeaderValue::from_static("application/json"),
        );
    }
    let reply = parts.transport.send(request, meta).await?;
    if reply.status().is_success() {
        Ok(reply)
    } else {
        Err(reply.unexpected())
    }
}

/// `GET` job `id` of tenant 42 ([`JOBS_GET`]).
pub async fn get_job(client: &Client, id: u64) -> Result<Reply, Error> {
    call(
        client,
        &JOBS_GET,
        Method::GET,
        &format!("/tenant/{}/jobs/{id}", crate::TENANT),
    )
    .await
}
