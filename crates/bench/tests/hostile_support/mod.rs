//! A hostile stand-in server for the issue 21 tests: plain HTTP/1.1 on loopback, one thread per
//! connection (keep-alive), answers computed by a closure from the request's path and query.
//! Hand-written rather than wiremock or the mock: it must serve a static body of tens of MiB
//! without copying it (the memory test counts every allocation in the process), and count a
//! strict rolling window per tenant at the moment each request arrives.

#![allow(dead_code)] // each test binary uses part of it

use servicetitan::Client;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub const CLIENT_ID: &str = "cid.hostile";
pub const SECRET: &str = "cs.hostile-secret-4242";
pub const APP_KEY: &str = "ak.hostile-app-key-7373";
pub const TOKEN: &str = "eyJ.hostile-access-token-9191";

/// An answer: status, extra headers, body (static: served without a copy).
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Body,
}

pub enum Body {
    Static(&'static [u8]),
    Owned(Vec<u8>),
}

impl Answer {
    pub fn json(body: impl Into<Vec<u8>>) -> Answer {
        Answer {
            status: 200,
            headers: Vec::new(),
            body: Body::Owned(body.into()),
        }
    }
    pub fn fixed(body: &'static [u8]) -> Answer {
        Answer {
            status: 200,
            headers: Vec::new(),
            body: Body::Static(body),
        }
    }
    pub fn status(status: u16) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: Body::Owned(b"{}".to_vec()),
        }
    }
}

/// The request as the handler sees it: path and query, and the headers that matter here.
pub struct Seen<'a> {
    pub target: &'a str,
    pub authorization: &'a str,
    pub app_key: &'a str,
}

pub struct RawServer {
    pub url: String,
    pub api_requests: Arc<AtomicUsize>,
}

type Handler = dyn Fn(&Seen) -> Answer + Send + Sync;

/// Serves `handler` (API calls) and a token endpoint (`/connect/token`) on a free port.
pub fn serve(handler: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> RawServer {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let url = format!("http://{}", listener.local_addr().expect("bound"));
    let api_requests = Arc::new(AtomicUsize::new(0));
    let counter = api_requests.clone();
    let handler: Arc<Handler> = Arc::new(handler);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let handler = handler.clone();
            let counter = counter.clone();
            std::thread::spawn(move || connection(stream, &*handler, &counter));
        }
    });
    RawServer { url, api_requests }
}

fn connection(stream: TcpStream, handler: &Handler, counter: &AtomicUsize) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).map_or(true, |n| n == 0) {
            return;
        }
        let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
        let (mut length, mut authorization, mut app_key) = (0usize, String::new(), String::new());
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).map_or(true, |n| n == 0) {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let value = value.trim();
                match name.to_ascii_lowercase().as_str() {
                    "content-length" => length = value.parse().unwrap_or(0),
                    "authorization" => authorization = value.to_string(),
                    "st-app-key" => app_key = value.to_string(),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let answer = if target.starts_with("/connect/token") {
            Answer::json(format!(
                r#"{{"access_token":"{TOKEN}","token_type":"Bearer","expires_in":900}}"#
            ))
        } else {
            counter.fetch_add(1, Ordering::SeqCst);
            handler(&Seen {
                target: &target,
                authorization: &authorization,
                app_key: &app_key,
            })
        };
        let body: &[u8] = match &answer.body {
            Body::Static(b) => b,
            Body::Owned(b) => b,
        };
        let mut head = format!(
            "HTTP/1.1 {} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            answer.status,
            body.len()
        );
        for (name, value) in &answer.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        if writer.write_all(head.as_bytes()).is_err() || writer.write_all(body).is_err() {
            return;
        }
    }
}

/// A builder of tenant `tenant` for `server`, with the SDK's default limits.
pub fn builder(server: &RawServer, tenant: i64) -> servicetitan::ClientBuilder {
    Client::builder()
        .no_dotenv()
        .client_id(CLIENT_ID)
        .client_secret(SECRET)
        .app_key(APP_KEY)
        .tenant_id(tenant)
        .auth_url(server.url.as_str())
        .api_url(server.url.as_str())
}

/// [`builder`], built.
pub fn client(server: &RawServer, tenant: i64) -> Client {
    builder(server, tenant)
        .build()
        .expect("a client for the stand-in server")
}

/// The query parameter `name` of a request target.
pub fn query<'a>(target: &'a str, name: &str) -> Option<&'a str> {
    let query = target.split_once('?')?.1;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}
