//! Downloads (bytes, or a redirect to a file on this server as the API redirects to its file
//! host) and the multipart uploads.

use super::call::Call;
use crate::problem::field_error;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart};
use axum::http::{header, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use std::fmt::Write;

/// Deterministic file content for a path: a few KB of text, the same on every call.
pub fn file_bytes(name: &str) -> Vec<u8> {
    let mut out = String::new();
    let mut line = 0;
    while out.len() < 4096 {
        let _ = writeln!(out, "ServiceTitan mock file {name}, line {line}");
        line += 1;
    }
    out.into_bytes()
}

/// Answers a download.
pub fn download(call: &Call) -> Response {
    let path = call.target().collection;
    let redirects = call
        .op
        .response
        .as_ref()
        .is_some_and(|r| r.status.starts_with('3'));
    if redirects {
        let location = format!("/_mock/files/{}", path.replace(['/', ':'], "_"));
        return (StatusCode::FOUND, [(header::LOCATION, location)]).into_response();
    }
    let media = call
        .op
        .response
        .as_ref()
        .and_then(|r| r.media.clone())
        .unwrap_or_else(|| "application/octet-stream".into());
    (
        call.success_status(),
        [(header::CONTENT_TYPE, media)],
        file_bytes(&path),
    )
        .into_response()
}

/// `GET /_mock/files/{name}`: the target of download redirects (no auth, like a file host's
/// signed URL).
pub async fn serve_file(axum::extract::Path(name): axum::extract::Path<String>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/octet-stream")],
        file_bytes(&name),
    )
        .into_response()
}

/// Answers an upload: `multipart/form-data` with at least one part carrying a file.
pub async fn upload(call: Call, request: Request<Body>) -> Response {
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        return field_error(
            "file",
            "Expected a multipart/form-data body with a file part.".into(),
        );
    }
    let mut multipart = match Multipart::from_request(request, &()).await {
        Ok(m) => m,
        Err(e) => return field_error("file", format!("The multipart body could not be read: {e}")),
    };
    let mut files = 0;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let has_file = field.file_name().is_some();
                if field.bytes().await.is_err() {
                    return field_error("file", "A multipart part was cut short.".into());
                }
                if has_file {
                    files += 1;
                }
            }
            Ok(None) => break,
            Err(e) => return field_error("file", format!("The multipart body is malformed: {e}")),
        }
    }
    if files == 0 {
        return field_error("file", "The multipart body has no file part.".into());
    }
    super::items::handle(&call)
}
