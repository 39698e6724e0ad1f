//! The four file uploads against a local (loopback) wiremock server: each sends a real
//! `multipart/form-data` body with the file in field `file`, its file name and content type, and
//! the bytes unchanged; a missing file is an error before any request.
#![cfg(all(
    feature = "equipment-systems",
    feature = "findings",
    feature = "forms",
    feature = "pricebook"
))]

use serde_json::json;
use servicetitan::prelude::*;
use servicetitan::upload::UploadRequest;
use servicetitan_test_support::{requests_to, setup, APP_KEY, TOKEN};
use wiremock::matchers::{method, path};
use wiremock::{Mock, Request, ResponseTemplate};

const EQUIPMENT: &str = "/equipmentsystems/v2/tenant/42/installed-equipment/attachments";
const FINDINGS: &str = "/findings/v2/tenant/42/assets";
const FORMS: &str = "/forms/v2/tenant/42/jobs/77/attachments";
const PRICEBOOK: &str = "/pricebook/v2/tenant/42/images";

/// A PNG signature followed by bytes that are not UTF-8 and contain CR/LF and dashes.
fn png_bytes() -> Vec<u8> {
    let mut bytes = vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    bytes.extend((0..4096u32).map(|i| (i * 7 % 256) as u8));
    bytes.extend_from_slice(b"\r\n--not-a-boundary\r\n\xff\xfe");
    bytes
}

/// Every upload, by name, with the route it must reach.
fn uploads(client: &Client) -> Vec<(&'static str, &'static str, UploadRequest)> {
    vec![
        (
            "InstalledEquipment_PostAttachment",
            EQUIPMENT,
            client
                .equipment_systems()
                .installed_equipment_post_attachment(),
        ),
        (
            "FindingAssets_PostAttachment",
            FINDINGS,
            client.findings().finding_assets_post_attachment(),
        ),
        (
            "Jobs_CreateAttachment",
            FORMS,
            client.forms().jobs_create_attachment(77),
        ),
        ("Images_Post", PRICEBOOK, client.pricebook().images_post()),
    ]
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Checks a received request is `multipart/form-data` with exactly one part: field `file`,
/// `file_name`, `content_type` and `content`.
fn assert_multipart(request: &Request, file_name: &str, content_type: &str, content: &[u8]) {
    let header = request.headers["content-type"].to_str().unwrap();
    let boundary = header
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("not multipart/form-data: {header}"));
    assert!(!boundary.is_empty());
    let body = &request.body;
    let opening = format!("--{boundary}\r\n");
    assert!(
        body.starts_with(opening.as_bytes()),
        "body starts with the boundary"
    );
    let part_head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
    );
    let closing = format!("\r\n--{boundary}--\r\n");
    let expected: Vec<u8> = [part_head.as_bytes(), content, closing.as_bytes()].concat();
    assert!(
        body == &expected,
        "multipart body differs:\n{}\n--- expected ---\n{}",
        String::from_utf8_lossy(body),
        String::from_utf8_lossy(&expected)
    );
    assert_eq!(
        find(body, content),
        Some(part_head.len()),
        "the file bytes follow the part head unchanged"
    );
    assert_eq!(request.headers["authorization"], format!("Bearer {TOKEN}"));
    assert_eq!(request.headers["st-app-key"], APP_KEY);
}

#[tokio::test]
async fn every_upload_sends_the_file_as_multipart_form_data() {
    let (server, client) = setup().await;
    for route in [EQUIPMENT, FINDINGS, FORMS, PRICEBOOK] {
        Mock::given(method("POST"))
            .and(path(route))
            .respond_with(
                ResponseTemplate::new(201).set_body_json(json!({"path": format!("{route}/x.png")})),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    let bytes = png_bytes();
    for (operation, route, upload) in uploads(&client) {
        let answer = upload.file("x.png", bytes.clone()).send().await.unwrap();
        assert_eq!(
            answer,
            json!({"path": format!("{route}/x.png")}),
            "{operation}"
        );
        let received = requests_to(&server, route).await;
        assert_eq!(received.len(), 1, "{operation}");
        assert_eq!(received[0].method.as_str(), "POST");
        assert_eq!(received[0].headers["accept"], "application/json");
        assert_multipart(&received[0], "x.png", "image/png", &bytes);
    }
}

#[tokio::test]
async fn a_streamed_file_is_sent_with_its_own_name_and_type() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(FORMS))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let content: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
    // A file on disk, streamed (reqwest reads it chunk by chunk while sending).
    let file_path = std::env::temp_dir().join(format!("st-upload-{}.pdf", std::process::id()));
    std::fs::write(&file_path, &content).unwrap();
    let body = tokio::fs::File::open(&file_path).await.unwrap();
    let answer = client
        .forms()
        .jobs_create_attachment(77)
        .file_stream("Report.PDF", content.len() as u64, body)
        .send()
        .await
        .unwrap();
    std::fs::remove_file(&file_path).unwrap();
    assert_eq!(
        answer,
        serde_json::Value::Null,
        "an empty answer reads as null"
    );
    let received = requests_to(&server, FORMS).await;
    assert_multipart(&received[0], "Report.PDF", "application/pdf", &content);
}

#[tokio::test]
async fn an_unknown_extension_is_sent_as_octet_stream() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(PRICEBOOK))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"path": "Images/a.bin"})))
        .mount(&server)
        .await;
    client
        .pricebook()
        .images_post()
        .file("a.bin", b"\x00\x01".to_vec())
        .send()
        .await
        .unwrap();
    let received = requests_to(&server, PRICEBOOK).await;
    assert_multipart(
        &received[0],
        "a.bin",
        "application/octet-stream",
        b"\x00\x01",
    );
}

#[tokio::test]
async fn an_upload_without_a_file_fails_before_any_request() {
    let (server, client) = setup().await;
    for (operation, _, upload) in uploads(&client) {
        match upload.send().await {
            Err(Error::InvalidArgument { name, reason }) => {
                assert_eq!(name, format!("{operation} file"));
                assert!(reason.contains(".file("), "{reason}");
            }
            other => panic!("{operation}: expected InvalidArgument, got {other:?}"),
        }
    }
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "no token or API request was made"
    );
}

#[tokio::test]
async fn an_api_error_on_upload_is_a_typed_error() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path(FINDINGS))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "type": "https://tools.ietf.org/html/rfc7231#section-6.5.1",
            "title": "One or more validation errors occurred.",
            "status": 400,
            "traceId": "00-abc-01",
            "errors": {"file": ["The file is too large."]}
        })))
        .mount(&server)
        .await;
    let err = client
        .findings()
        .finding_assets_post_attachment()
        .file("x.png", png_bytes())
        .send()
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("400"), "{text}");
    assert!(text.contains("The file is too large."), "{text}");
}
