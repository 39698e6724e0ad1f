//! A tiny HTTP/1.1 server on a loopback TCP socket for faults wiremock cannot produce: resets,
//! bodies shorter than their `Content-Length`, stalls, endless bodies, silence.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with one connection (after reading the request head).
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answers `200` with this JSON body, properly framed.
    Ok(&'static str),
    /// Sends these bytes as they are, then closes.
    Raw(Vec<u8>),
    /// Sends these bytes, then resets the connection (RST, not FIN).
    ResetAfter(Vec<u8>),
    /// Sends these bytes, then keeps the connection open and silent.
    StallAfter(Vec<u8>),
    /// Sends a chunked head with this status, then chunks forever.
    Endless(u16),
    /// Accepts and never answers.
    Silent,
}

/// A running fault server: connection `n` gets `faults[n]` (the last one repeats).
pub struct FaultServer {
    pub url: String,
    connections: Arc<AtomicUsize>,
}

impl FaultServer {
    pub async fn start(faults: Vec<Fault>) -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let count = connections.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let n = count.fetch_add(1, Ordering::SeqCst);
                let fault = faults[n.min(faults.len() - 1)].clone();
                tokio::spawn(serve(stream, fault));
            }
        });
        FaultServer { url, connections }
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// A response head with `Content-Length: length` and the first `sent` bytes of the body.
pub fn short_body(length: usize, sent: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {length}\r\n\r\n{sent}"
    )
    .into_bytes()
}

async fn read_head(stream: &mut TcpStream) {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&byte[..n]),
        }
    }
}

async fn serve(mut stream: TcpStream, fault: Fault) {
    read_head(&mut stream).await;
    match fault {
        Fault::Ok(body) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(body.as_bytes()).await;
        }
        Fault::Raw(bytes) => {
            let _ = stream.write_all(&bytes).await;
        }
        Fault::ResetAfter(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.flush().await;
            tokio::time::sleep(Duration::from_millis(20)).await;
            // SO_LINGER 0: close() sends RST. (Deprecated because a non-zero linger blocks the
            // thread on drop; a zero linger does not.)
            #[allow(deprecated)]
            let _ = stream.set_linger(Some(Duration::ZERO));
        }
        Fault::StallAfter(bytes) => {
            let _ = stream.write_all(&bytes).await;
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Fault::Endless(status) => {
            let head = format!(
                "HTTP/1.1 {status} Oops\r\ncontent-type: text/html\r\ntransfer-encoding: chunked\r\n\r\n"
            );
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "x".repeat(64 * 1024));
            while stream.write_all(chunk.as_bytes()).await.is_ok() {}
        }
        Fault::Silent => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    }
}
