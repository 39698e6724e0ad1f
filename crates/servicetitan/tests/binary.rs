//! Downloads against local (loopback) servers: telecom call recordings and voicemails and
//! pricebook images (a `302` to the file) arrive as a byte stream, chunk by chunk, never buffered
//! whole; a redirect to another host does not carry the `Authorization` header there.
#![cfg(all(feature = "telecom", feature = "pricebook"))]

use futures::{Stream, StreamExt};
use servicetitan::prelude::*;
use servicetitan_test_support::{builder_for, requests_to, setup, token_server, TOKEN};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const RECORDING: &str = "/telecom/v2/tenant/42/calls/7/recording";
const VOICEMAIL: &str = "/telecom/v2/tenant/42/calls/7/voicemail";
const IMAGES: &str = "/pricebook/v2/tenant/42/images";
const MIB: usize = 1024 * 1024;

/// `len` bytes of a repeating, position-dependent pattern (so reordering or loss shows).
fn body(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// Reads the stream chunk by chunk: (chunk sizes, all bytes).
async fn chunks<S, B, E>(mut stream: S) -> (Vec<usize>, Vec<u8>)
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
    E: std::fmt::Debug,
{
    let mut sizes = Vec::new();
    let mut all = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.expect("body chunk");
        sizes.push(chunk.as_ref().len());
        all.extend_from_slice(chunk.as_ref());
    }
    (sizes, all)
}

/// The body came in several chunks, none of them the whole body, and intact.
fn assert_streamed(sizes: &[usize], got: &[u8], expected: &[u8]) {
    assert!(sizes.len() > 1, "one chunk of {} bytes", got.len());
    assert!(
        sizes.iter().all(|&n| n < expected.len()),
        "a single chunk held the whole body: {sizes:?}"
    );
    assert_eq!(got.len(), expected.len());
    assert!(got == expected, "bytes differ from what the server sent");
}

#[tokio::test]
async fn call_recording_and_voicemail_stream_chunk_by_chunk() {
    let (server, client) = setup().await;
    let recording = body(5 * MIB);
    let voicemail = body(3 * MIB + 17);
    for (route, bytes) in [(RECORDING, &recording), (VOICEMAIL, &voicemail)] {
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(
                ResponseTemplate::new(200).set_body_raw(bytes.clone(), "application/octet-stream"),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    let telecom = client.telecom();

    let response = telecom.calls_get_recording(7).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let (sizes, got) = chunks(response.into_inner_stream()).await;
    assert_streamed(&sizes, &got, &recording);

    let response = telecom.calls_get_voice_mail(7).send().await.unwrap();
    let (sizes, got) = chunks(response.into_inner_stream()).await;
    assert_streamed(&sizes, &got, &voicemail);

    let api_calls: Vec<_> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() != "/connect/token")
        .collect();
    assert_eq!(api_calls.len(), 2);
    for request in &api_calls {
        assert_eq!(request.headers["authorization"], format!("Bearer {TOKEN}"));
    }
}

/// A one-shot HTTP/1.1 server on loopback that sends the response head and the first `first`
/// bytes of `body`, then waits for `release` before sending the rest.
fn trickle_server(body: Vec<u8>, first: usize, release: mpsc::Receiver<()>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(socket.try_clone().unwrap());
        let mut line = String::new();
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
        }
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        socket.write_all(head.as_bytes()).unwrap();
        socket.write_all(&body[..first]).unwrap();
        socket.flush().unwrap();
        // The rest only once the client has seen the first bytes (or after a long wait, so
        // that a buffering client fails on the test's timeout rather than hanging).
        let _ = release.recv_timeout(Duration::from_secs(30));
        let _ = socket.write_all(&body[first..]);
    });
    format!("http://{address}")
}

#[tokio::test]
async fn a_recording_is_readable_before_the_server_has_sent_all_of_it() {
    let auth = token_server().await;
    let recording = body(2 * MIB);
    let (release, released) = mpsc::channel();
    let api = trickle_server(recording.clone(), 256 * 1024, released);
    let telecom = builder_for(&auth.uri(), &api).build().unwrap().telecom();

    let mut stream = tokio::time::timeout(Duration::from_secs(10), async {
        telecom
            .calls_get_recording(7)
            .send()
            .await
            .unwrap()
            .into_inner_stream()
    })
    .await
    .expect("the call returns once the head has arrived, without waiting for the body");
    let mut got = Vec::new();
    while got.len() < 1024 {
        let chunk = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .expect("the first bytes arrive while the server still holds back the rest")
            .expect("more bytes")
            .expect("body chunk");
        got.extend_from_slice(&chunk);
    }
    assert!(got.len() <= 256 * 1024, "more than the server sent so far");
    release.send(()).unwrap();
    let (_, rest) = chunks(stream).await;
    got.extend_from_slice(&rest);
    assert!(got == recording, "bytes differ from what the server sent");
}

#[tokio::test]
async fn a_pricebook_image_follows_the_redirect_on_the_same_server() {
    let (server, client) = setup().await;
    let image = body(MIB + 5);
    Mock::given(method("GET"))
        .and(path(IMAGES))
        .and(query_param("path", "Images/Pricebook/a.png"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/files/a.png", server.uri())),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/files/a.png"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(image.clone(), "image/png"))
        .expect(1)
        .mount(&server)
        .await;
    let pricebook = client.pricebook();

    let response = pricebook
        .images_get()
        .path("Images/Pricebook/a.png")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/png");
    let (sizes, got) = chunks(response.into_inner_stream()).await;
    assert_streamed(&sizes, &got, &image);
}

#[tokio::test]
async fn a_redirect_to_another_host_does_not_carry_the_token() {
    let (api, client) = setup().await;
    let storage = MockServer::start().await;
    let image = body(2 * MIB);
    // Another host name (and port) for the same loopback address.
    let port = storage.address().port();
    Mock::given(method("GET"))
        .and(path(IMAGES))
        .respond_with(ResponseTemplate::new(302).insert_header(
            "location",
            format!("http://localhost:{port}/blob/a.png?sig=x"),
        ))
        .expect(1)
        .mount(&api)
        .await;
    Mock::given(method("GET"))
        .and(path("/blob/a.png"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(image.clone(), "image/png"))
        .expect(1)
        .mount(&storage)
        .await;
    let pricebook = client.pricebook();

    let response = pricebook
        .images_get()
        .path("Images/Pricebook/a.png")
        .send()
        .await
        .unwrap();
    let (sizes, got) = chunks(response.into_inner_stream()).await;
    assert_streamed(&sizes, &got, &image);

    let to_api = requests_to(&api, IMAGES).await;
    assert_eq!(to_api.len(), 1);
    assert_eq!(
        to_api[0].headers["authorization"],
        format!("Bearer {TOKEN}"),
        "the API call is authorized"
    );
    let to_storage = storage.received_requests().await.unwrap();
    assert_eq!(to_storage.len(), 1);
    assert_eq!(to_storage[0].url.query(), Some("sig=x"));
    assert!(
        to_storage[0].headers.get("authorization").is_none(),
        "Authorization was sent to the redirect target: {:?}",
        to_storage[0].headers
    );
    assert!(
        to_storage[0].headers.get("st-app-key").is_none(),
        "ST-App-Key was sent to the redirect target: {:?}",
        to_storage[0].headers
    );
    assert!(
        to_storage[0].headers.get("referer").is_none(),
        "Referer leaked the API URL to the redirect target: {:?}",
        to_storage[0].headers
    );
}
