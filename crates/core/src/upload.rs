//! `multipart/form-data` uploads.
//!
//! Four operations (installed-equipment attachments, findings assets, forms job attachments,
//! pricebook images) upload files, but their specs declare a JSON body; progenitor cannot
//! generate multipart requests at all. The code generator emits a method returning an
//! [`UploadRequest`] for each, and the request goes through the same [`Transport`] as generated
//! calls (token, `ST-App-Key`, rate limits, error mapping). Streamed bodies cannot be replayed,
//! so an upload from a stream is never retried; one from bytes is.

use crate::{Error, OperationMeta, Transport};
use reqwest::multipart::{Form, Part};

/// A prepared upload; add the file, then [`send`](UploadRequest::send).
#[derive(Debug)]
pub struct UploadRequest {
    http: reqwest::Client,
    transport: Transport,
    meta: &'static OperationMeta,
    url: String,
    field: &'static str,
    part: Option<Part>,
}

/// Fills a path template: `{tenant}` and the given parameters (percent-encoded).
pub fn expand_path(
    base_url: &str,
    template: &str,
    tenant: i64,
    params: &[(&str, String)],
) -> String {
    let mut path = template.replace("{tenant}", &tenant.to_string());
    for (name, value) in params {
        let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        path = path.replace(&format!("{{{name}}}"), &encoded.replace('+', "%20"));
    }
    format!("{}{}", base_url.trim_end_matches('/'), path)
}

impl UploadRequest {
    /// Used by generated code.
    #[doc(hidden)]
    pub fn new(
        http: reqwest::Client,
        transport: Transport,
        meta: &'static OperationMeta,
        url: String,
        field: &'static str,
    ) -> Self {
        UploadRequest {
            http,
            transport,
            meta,
            url,
            field,
            part: None,
        }
    }

    /// The file, from memory. The content type is guessed from the file name's extension.
    pub fn file(mut self, file_name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        let file_name = file_name.into();
        let mime = mime_for(&file_name);
        let part = Part::bytes(bytes.into()).file_name(file_name);
        self.part = Some(part.mime_str(mime).expect("static mime types parse"));
        self
    }

    /// The file, streamed from a body of known length (never buffered whole; not retried).
    pub fn file_stream(
        mut self,
        file_name: impl Into<String>,
        length: u64,
        body: impl Into<reqwest::Body>,
    ) -> Self {
        let file_name = file_name.into();
        let mime = mime_for(&file_name);
        let part = Part::stream_with_length(body, length).file_name(file_name);
        self.part = Some(part.mime_str(mime).expect("static mime types parse"));
        self
    }

    /// Sends the upload; returns the API's JSON answer (or `Null` for an empty body).
    pub async fn send(self) -> Result<serde_json::Value, Error> {
        let part = self.part.ok_or_else(|| Error::InvalidArgument {
            name: format!("{} file", self.meta.operation_id),
            reason: "no file given; call .file(name, bytes) before .send()".into(),
        })?;
        let form = Form::new().part(self.field, part);
        let request = self
            .http
            .post(&self.url)
            .header(reqwest::header::ACCEPT, "application/json")
            .multipart(form)
            .build()
            .map_err(Error::from)?;
        crate::raw::execute_json(&self.transport, request, self.meta).await
    }
}

fn mime_for(file_name: &str) -> &'static str {
    let ext = file_name
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "mp4" => "video/mp4",
        _ => "application/octet-stream",
    }
}
