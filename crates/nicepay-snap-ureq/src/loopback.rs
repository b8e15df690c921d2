//! Test-only: requests and one-shot loopback servers (plain threads, so they serve a blocking
//! and an async client alike) shared by the unit tests of both transports. `nicepay-snap-reqwest`
//! includes this file with `#[path]`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::Duration;

use nicepay_snap::{Headers, Method, PreparedRequest};

/// A small JSON request with a test header; its body is `{"a":"b/c"}`.
pub(crate) fn request(url: String, method: Method) -> PreparedRequest {
    PreparedRequest {
        method,
        url,
        path: "/api/x".into(),
        headers: [("Content-Type", "application/json"), ("X-TEST", "1")]
            .into_iter()
            .collect(),
        body: br#"{"a":"b/c"}"#.to_vec(),
    }
}

/// A request whose head is `lines` headers of `line_len` bytes each (every line fits ureq's
/// output buffer, so the head really goes to the socket in many writes) and `body`.
pub(crate) fn big_request(url: String, lines: usize, line_len: usize, body: Vec<u8>) -> PreparedRequest {
    let mut headers: Headers = [("Content-Type", "application/json")].into_iter().collect();
    let pad = "a".repeat(line_len);
    for i in 0..lines {
        headers.push(format!("X-Pad-{i}"), &pad);
    }
    PreparedRequest {
        method: Method::Post,
        url,
        path: "/api/x".into(),
        headers,
        body,
    }
}

/// A listener on a free loopback port and the URL of `path` on it.
fn listen(path: &str) -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}{path}", listener.local_addr().unwrap());
    (listener, url)
}

/// A server for one connection, handled by `handle` on a thread of its own; and its URL.
pub(crate) fn serve<R: Send + 'static>(
    path: &str,
    handle: impl FnOnce(TcpStream) -> R + Send + 'static,
) -> (String, JoinHandle<R>) {
    let (listener, url) = listen(path);
    let handle = std::thread::spawn(move || handle(listener.accept().unwrap().0));
    (url, handle)
}

/// A one-shot loopback server that records the raw request and answers with `reply`.
pub(crate) fn one_shot(reply: &'static str) -> (String, JoinHandle<Vec<u8>>) {
    serve("/nicepay/api/x", move |mut stream| {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = stream.read(&mut chunk).unwrap();
            buf.extend_from_slice(&chunk[..n]);
            if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..pos]).to_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse().unwrap()))
                    .unwrap_or(0);
                if buf.len() >= pos + 4 + len {
                    break;
                }
            }
            if n == 0 {
                break;
            }
        }
        stream.write_all(reply.as_bytes()).unwrap();
        buf
    })
}

/// The URL of a loopback port nothing listens on: a request there is certainly not delivered.
pub(crate) fn refused_url() -> String {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    format!("http://127.0.0.1:{port}/x")
}

/// A server that accepts, says nothing for `pause`, then closes.
pub(crate) fn silent_for(pause: Duration) -> (String, JoinHandle<()>) {
    serve("/x", move |stream| {
        std::thread::sleep(pause);
        drop(stream);
    })
}

/// A server that accepts and closes at once, without reading.
pub(crate) fn closes_at_once() -> (String, JoinHandle<()>) {
    serve("/x", drop)
}

/// Reads until the end of the request head; returns the bytes read.
pub(crate) fn read_head(stream: &mut TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "client closed before the end of the head");
        buf.extend_from_slice(&chunk[..n]);
    }
    buf
}

/// A server that reads the whole of [`request`] (head and its 11-byte body `{"a":"b/c"}`),
/// then closes without answering.
pub(crate) fn reads_all_then_closes() -> (String, JoinHandle<()>) {
    serve("/x", |mut stream| {
        let mut got = read_head(&mut stream);
        while !got.ends_with(br#"{"a":"b/c"}"#) {
            let mut chunk = [0u8; 64];
            let n = stream.read(&mut chunk).unwrap();
            assert!(n > 0);
            got.extend_from_slice(&chunk[..n]);
        }
    })
}

/// A server that reads the head and a part of the body, then closes with the rest unread (a
/// reset).
pub(crate) fn reads_head_then_closes() -> (String, JoinHandle<()>) {
    serve("/x", |mut stream| {
        read_head(&mut stream);
        let mut chunk = [0u8; 1024];
        assert!(stream.read(&mut chunk).unwrap() > 0);
    })
}
