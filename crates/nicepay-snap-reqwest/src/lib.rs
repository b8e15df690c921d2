//! Async HTTP transport for `nicepay-snap` on tokio: its own HTTP/1.1 client over tokio's
//! `TcpStream` (rustls with the webpki roots for `https`), and [`reqwest`] for requests through a
//! proxy.
//!
//! It sends a [`PreparedRequest`] byte-for-byte, verifies TLS, never follows redirects, applies
//! connect and overall timeouts and reads the whole body up to a size cap. HTTP error statuses are
//! returned as responses so the core can parse NICEPAY's `responseCode`.
//!
//! # Two paths
//!
//! - **Direct** (the default): each request is written, and its answer read, by the task that
//!   awaits it, over a pooled keep-alive connection. There is no connection task and no channel
//!   in between, so a sequential call wakes nothing but the awaiting task (with reqwest, each call
//!   went through hyper's connection task: more wake-ups, often on the other worker thread).
//! - **Through reqwest**, when the environment names an outbound proxy (`HTTPS_PROXY`,
//!   `HTTP_PROXY`, `ALL_PROXY`, or their lowercase forms; reqwest applies them with the
//!   `NO_PROXY` exceptions), and for URLs with user info.
//!
//! # Delivered or not
//!
//! A failure is reported as not delivered ([`TransportError::is_not_delivered`], kind
//! [`TransportErrorKind::Connect`]) exactly when the server cannot have received the request
//! head: the connection could not be opened (DNS, TCP, TLS handshake, connect timeout), or it
//! broke, or the overall timeout passed, before the whole head — request line, headers and the
//! empty line that ends them — had been accepted by the connection (counted above TLS). Once it
//! has, any failure — while writing the body, or while reading the response — is `Io` or
//! `Timeout`: the server may have received, and applied, the request. On the reqwest path only a
//! failure to open the connection is known to be undelivered: hyper reports every write failure,
//! head or body, the same way, so such failures stay `Io` there.

use std::sync::Arc;
use std::time::Duration;

use nicepay_snap::{AsyncTransport, Method, PreparedRequest, RawResponse, TransportError, TransportErrorKind};

mod direct;
use direct::{Direct, Target};

/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default overall timeout for one exchange.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default cap on a response body.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// An async transport: the direct HTTP/1.1 path, or a shared [`reqwest::Client`] when a proxy is
/// configured (see the crate docs). Clones share the connection pool.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    /// `None` when every request goes through reqwest (a proxy in the environment).
    direct: Option<Arc<Direct>>,
    max_body_bytes: usize,
}

impl ReqwestTransport {
    /// A transport with the default timeouts and body cap.
    pub fn new() -> Result<Self, TransportError> {
        Self::builder().build()
    }

    /// Starts a builder.
    pub fn builder() -> ReqwestTransportBuilder {
        ReqwestTransportBuilder::default()
    }
}

/// Builder for [`ReqwestTransport`].
#[derive(Debug, Clone)]
pub struct ReqwestTransportBuilder {
    connect_timeout: Duration,
    timeout: Duration,
    max_body_bytes: usize,
    roots: Vec<Vec<u8>>,
    direct: Option<bool>,
}

impl Default for ReqwestTransportBuilder {
    fn default() -> Self {
        Self {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            roots: Vec::new(),
            direct: None,
        }
    }
}

/// Whether the environment names an outbound proxy (reqwest's variables).
fn proxy_configured() -> bool {
    [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ]
    .iter()
    .any(|var| std::env::var_os(var).is_some_and(|v| !v.is_empty()))
}

impl ReqwestTransportBuilder {
    /// Connect timeout.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Overall timeout for one exchange.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the overall and connect timeouts that are `Some`, keeping the others (the language
    /// bindings' optional arguments).
    pub fn timeouts(mut self, timeout: Option<Duration>, connect_timeout: Option<Duration>) -> Self {
        self.timeout = timeout.unwrap_or(self.timeout);
        self.connect_timeout = connect_timeout.unwrap_or(self.connect_timeout);
        self
    }

    /// Largest accepted response body.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Also trusts this root certificate (DER), besides the webpki roots: a private CA, or a
    /// test server's certificate.
    pub fn add_root_certificate_der(mut self, der: Vec<u8>) -> Self {
        self.roots.push(der);
        self
    }

    /// Whether plain `http(s)://host[:port]` URLs take the direct path; by default they do
    /// unless the environment names a proxy. `false` sends everything through reqwest (the
    /// benches compare the two).
    pub fn direct(mut self, direct: bool) -> Self {
        self.direct = Some(direct);
        self
    }

    /// Builds the transport (fails only if the TLS backend cannot initialise or a root
    /// certificate is unusable).
    pub fn build(self) -> Result<ReqwestTransport, TransportError> {
        let other = |e: reqwest::Error| TransportError::new(TransportErrorKind::Other, e.to_string()).with_source(e);
        let mut client = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .https_only(false);
        for der in &self.roots {
            client = client.add_root_certificate(reqwest::Certificate::from_der(der).map_err(other)?);
        }
        let direct = match self.direct.unwrap_or(!proxy_configured()) {
            false => None,
            true => Some(Arc::new(Direct::new(
                self.connect_timeout,
                self.timeout,
                self.max_body_bytes,
                &self.roots,
            )?)),
        };
        Ok(ReqwestTransport {
            client: client.build().map_err(other)?,
            direct,
            max_body_bytes: self.max_body_bytes,
        })
    }
}

fn map_error(err: reqwest::Error) -> TransportError {
    let kind = if err.is_connect() || err.is_builder() {
        TransportErrorKind::Connect
    } else if err.is_timeout() {
        TransportErrorKind::Timeout
    } else if err.is_request() || err.is_body() || err.is_decode() {
        TransportErrorKind::Io
    } else {
        TransportErrorKind::Other
    };
    // reqwest's Display can include the URL; URLs carry no secrets in SNAP.
    TransportError::new(kind, err.to_string()).with_source(err)
}

impl AsyncTransport for ReqwestTransport {
    async fn send(&self, request: &PreparedRequest) -> Result<RawResponse, TransportError> {
        if let Some(direct) = &self.direct {
            if let Some(target) = Target::parse(&request.url) {
                return direct.send(&target, request).await;
            }
        }
        self.send_reqwest(request).await
    }
}

impl ReqwestTransport {
    /// Whether requests to plain `http(s)://host[:port]` URLs take the direct path (no proxy in
    /// the environment when the transport was built).
    pub fn is_direct(&self) -> bool {
        self.direct.is_some()
    }

    async fn send_reqwest(&self, request: &PreparedRequest) -> Result<RawResponse, TransportError> {
        let method = match request.method {
            Method::Post => reqwest::Method::POST,
            Method::Delete => reqwest::Method::DELETE,
            other => {
                return Err(TransportError::new(
                    TransportErrorKind::Other,
                    format!("unsupported method {other}"),
                ))
            }
        };
        let mut builder = self.client.request(method, &request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let mut response = builder.body(request.body.clone()).send().await.map_err(map_error)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_owned(), v.to_owned())))
            .collect();
        if response
            .content_length()
            .is_some_and(|len| len > self.max_body_bytes as u64)
        {
            return Err(TransportError::new(
                TransportErrorKind::BodyTooLarge,
                format!("response body larger than {} bytes", self.max_body_bytes),
            ));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(map_error)? {
            if body.len() + chunk.len() > self.max_body_bytes {
                return Err(TransportError::new(
                    TransportErrorKind::BodyTooLarge,
                    format!("response body larger than {} bytes", self.max_body_bytes),
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(RawResponse { status, headers, body })
    }
}

#[cfg(test)]
#[path = "../../nicepay-snap-ureq/src/loopback.rs"]
mod loopback;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loopback::{
        big_request, closes_at_once, one_shot, read_head, reads_all_then_closes, reads_head_then_closes, refused_url,
        request, serve, silent_for,
    };
    use std::io::{Read, Write};

    /// Sends [`request`] to `url` with a default transport.
    async fn send_default(url: String, method: Method) -> Result<RawResponse, TransportError> {
        ReqwestTransport::new().unwrap().send(&request(url, method)).await
    }

    #[tokio::test]
    async fn sends_exact_bytes_with_delete_and_keeps_error_statuses() {
        let (url, handle) = one_shot("HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}");
        let resp = send_default(url, Method::Delete).await.unwrap();
        assert_eq!(resp.status, 404);
        assert_eq!(resp.body, b"{}");
        let raw = String::from_utf8(handle.join().unwrap()).unwrap();
        assert!(raw.starts_with("DELETE /nicepay/api/x HTTP/1.1\r\n"), "{raw}");
        assert!(raw.to_lowercase().contains("x-test: 1"));
        assert!(raw.ends_with("{\"a\":\"b/c\"}"));
    }

    #[tokio::test]
    async fn no_redirects_and_body_cap() {
        let (url, handle) = one_shot("HTTP/1.1 307 Temporary Redirect\r\nlocation: http://127.0.0.1:1/x\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        let resp = send_default(url, Method::Post).await.unwrap();
        assert_eq!(resp.status, 307);
        handle.join().unwrap();

        let (url, handle) =
            one_shot("HTTP/1.1 200 OK\r\ncontent-length: 20\r\nconnection: close\r\n\r\n01234567890123456789");
        let t = ReqwestTransport::builder().max_body_bytes(10).build().unwrap();
        assert_eq!(
            t.send(&request(url, Method::Post)).await.unwrap_err().kind(),
            TransportErrorKind::BodyTooLarge
        );
        handle.join().unwrap();
    }

    #[tokio::test]
    async fn connect_refused_and_timeout_are_distinguished() {
        let err = send_default(refused_url(), Method::Post).await.unwrap_err();
        assert!(err.is_not_delivered(), "{err:?}");

        let (url, server) = silent_for(Duration::from_millis(800));
        let t = ReqwestTransport::builder()
            .timeout(Duration::from_millis(300))
            .build()
            .unwrap();
        let err = t.send(&request(url, Method::Post)).await.unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::Timeout, "{err:?}");
        assert!(!err.is_not_delivered(), "written fully, then no answer: unknown");
        server.join().unwrap();
    }

    fn bounded() -> ReqwestTransport {
        ReqwestTransport::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn headers_not_fully_written_is_not_delivered() {
        // The server closes at once: 4 MB of headers cannot all be accepted by the socket.
        let (url, server) = closes_at_once();
        let err = bounded()
            .send(&big_request(url, 64, 64 * 1024, b"{}".to_vec()))
            .await
            .unwrap_err();
        assert!(err.is_not_delivered(), "{err:?}");
        assert_eq!(err.kind(), TransportErrorKind::Connect);
        assert!(err.to_string().contains("request head not completely written"), "{err}");
        server.join().unwrap();
    }

    #[tokio::test]
    async fn absurd_access_token_reset_while_writing_headers_is_not_delivered() {
        // The reported shape (an absurd token in `Authorization`), made larger than loopback's
        // socket buffers can hold (about 4 MB here; the reported 2,000,000 characters can fit
        // them, and then the head did leave): the server reads the first bytes and closes with
        // the rest unread (a reset) while the head is still being written.
        let (url, server) = serve("/x", |mut stream| {
            let mut first = [0u8; 163];
            stream.read_exact(&mut first).unwrap();
            first.to_vec()
        });
        let mut request = request(url, Method::Post);
        let token = format!("Bearer {}", "t".repeat(16_000_000));
        request.headers.push("Authorization", &token);
        let err = bounded().send(&request).await.unwrap_err();
        assert!(err.is_not_delivered(), "{err:?}");
        assert!(!err.to_string().contains("tttt"), "the token is echoed: {err}");
        assert!(!server.join().unwrap().windows(4).any(|w| w == b"\r\n\r\n"));
    }

    #[tokio::test]
    async fn timeout_while_the_head_is_being_written_is_not_delivered() {
        // The server never reads: the 4 MB head stalls in the socket buffers until the deadline.
        let (url, server) = silent_for(Duration::from_millis(1500));
        let t = ReqwestTransport::builder()
            .timeout(Duration::from_millis(300))
            .build()
            .unwrap();
        let err = t
            .send(&big_request(url, 64, 64 * 1024, b"{}".to_vec()))
            .await
            .unwrap_err();
        assert!(err.is_not_delivered(), "{err:?}");
        server.join().unwrap();
    }

    #[tokio::test]
    async fn headers_not_fully_written_stays_io_on_the_reqwest_path() {
        // hyper reports the write failure without saying where it happened, so the reqwest path
        // (taken with a proxy) stays conservative.
        let (url, server) = closes_at_once();
        let t = ReqwestTransport::builder()
            .timeout(Duration::from_secs(10))
            .direct(false)
            .build()
            .unwrap();
        assert!(!t.is_direct());
        let err = t
            .send(&big_request(url, 64, 64 * 1024, b"{}".to_vec()))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::Io, "{err:?}");
        assert!(!err.is_not_delivered());
        server.join().unwrap();
    }

    #[tokio::test]
    async fn whole_request_read_then_closed_is_not_reported_undelivered() {
        let (url, server) = reads_all_then_closes();
        let err = bounded().send(&request(url, Method::Post)).await.unwrap_err();
        assert!(!err.is_not_delivered(), "{err:?}");
        assert_eq!(err.kind(), TransportErrorKind::Io, "{err:?}");
        server.join().unwrap();
    }

    #[tokio::test]
    async fn head_and_part_of_the_body_read_then_closed_is_not_reported_undelivered() {
        let (url, server) = reads_head_then_closes();
        let err = bounded()
            .send(&big_request(url, 1, 10, vec![b'7'; 8 * 1024 * 1024]))
            .await
            .unwrap_err();
        assert!(!err.is_not_delivered(), "{err:?}");
        server.join().unwrap();
    }

    /// A server that answers each connection's requests with `replies` in turn (one reply per
    /// request, read up to its body), closing a connection after `per_connection` requests; it
    /// returns the number of connections it accepted.
    fn replies(replies: Vec<&'static str>, per_connection: usize) -> (String, std::thread::JoinHandle<usize>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/x", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let mut replies = replies.into_iter();
            let mut connections = 0;
            while replies.len() > 0 {
                let (mut stream, _) = listener.accept().unwrap();
                connections += 1;
                for reply in replies.by_ref().take(per_connection) {
                    let head = read_head(&mut stream);
                    let text = String::from_utf8_lossy(&head).to_lowercase();
                    let len: usize = text
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse().unwrap()))
                        .unwrap();
                    let end = head.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                    let mut rest = vec![0u8; len - (head.len() - end)];
                    stream.read_exact(&mut rest).unwrap();
                    stream.write_all(reply.as_bytes()).unwrap();
                }
            }
            connections
        });
        (url, handle)
    }

    #[tokio::test]
    async fn keeps_connections_alive_and_reads_every_framing() {
        let (url, server) = replies(
            vec![
                "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}",
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3;x=y\r\n{\"a\r\n3\r\n\":1\r\n1\r\n}\r\n0\r\nx-trailer: 1\r\n\r\n",
                "HTTP/1.1 204 No Content\r\n\r\n",
                "HTTP/1.1 500 Internal Server Error\r\nconnection: close\r\n\r\n{\"responseCode\":\"5001100\"}",
            ],
            4,
        );
        let t = bounded();
        let bodies = [&b"{}"[..], b"{\"a\":1}", b"", b"{\"responseCode\":\"5001100\"}"];
        for (i, body) in bodies.into_iter().enumerate() {
            let resp = t.send(&request(url.clone(), Method::Post)).await.unwrap();
            assert_eq!(resp.body, body, "reply {i}");
            assert_eq!(resp.status, [200, 200, 204, 500][i]);
        }
        assert_eq!(server.join().unwrap(), 1, "all four on one connection");
    }

    #[tokio::test]
    async fn a_body_without_framing_ends_with_the_connection_and_chunks_obey_the_cap() {
        let (url, server) = one_shot("HTTP/1.0 200 OK\r\ncontent-type: application/json\r\n\r\n{\"a\":1}");
        let resp = bounded().send(&request(url, Method::Post)).await.unwrap();
        assert_eq!((resp.status, resp.body.as_slice()), (200, &br#"{"a":1}"#[..]));
        server.join().unwrap();

        let (url, server) = one_shot(
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n8\r\n01234567\r\n8\r\n89012345\r\n0\r\n\r\n",
        );
        let t = ReqwestTransport::builder().max_body_bytes(10).build().unwrap();
        let err = t.send(&request(url, Method::Post)).await.unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::BodyTooLarge, "{err:?}");
        server.join().unwrap();
    }

    #[tokio::test]
    async fn a_pooled_connection_the_server_closed_is_not_reused() {
        // One request per connection: the server closes after each answer (without saying so).
        let (url, server) = replies(vec!["HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"; 3], 1);
        let t = bounded();
        for _ in 0..3 {
            assert_eq!(t.send(&request(url.clone(), Method::Post)).await.unwrap().body, b"{}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(server.join().unwrap(), 3);
    }

    #[tokio::test]
    async fn a_send_dropped_mid_flight_never_leaves_its_connection_to_the_next_one() {
        // The first connection answers late; the caller stops waiting before. Were that
        // connection pooled, the next request would read the first one's late answer.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/x", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            for (i, pause) in [400u64, 0].into_iter().enumerate() {
                let (mut stream, _) = listener.accept().unwrap();
                read_head(&mut stream);
                std::thread::sleep(Duration::from_millis(pause));
                let body = format!("{{\"n\":{i}}}");
                let reply = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}", body.len());
                let _ = stream.write_all(reply.as_bytes());
            }
        });
        let t = bounded();
        let first = tokio::time::timeout(Duration::from_millis(100), t.send(&request(url.clone(), Method::Post))).await;
        assert!(first.is_err(), "the caller stopped waiting");
        let second = t.send(&request(url, Method::Post)).await.unwrap();
        assert_eq!(second.body, br#"{"n":1}"#);
        server.join().unwrap();
    }

    /// The test CA, and a TLS server on loopback with the certificate it signed for 127.0.0.1
    /// that answers `reply` to each of `requests` requests on one connection.
    async fn tls_server(requests: usize) -> (String, tokio::task::JoinHandle<()>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        use tokio_rustls::rustls;
        let keys = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/keys/tls/");
        let cert = std::fs::read(format!("{keys}leaf.der")).unwrap();
        let key = std::fs::read(format!("{keys}leaf-key.pkcs8.der")).unwrap();
        let config =
            rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(
                    vec![cert.into()],
                    rustls::pki_types::PrivatePkcs8KeyDer::from(key).into(),
                )
                .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("https://{}/x", listener.local_addr().unwrap());
        let handle = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let Ok(mut tls) = acceptor.accept(tcp).await else {
                return;
            };
            for _ in 0..requests {
                let mut got = Vec::new();
                while !got.ends_with(br#"{"a":"b/c"}"#) {
                    let mut chunk = [0u8; 4096];
                    let n = tls.read(&mut chunk).await.unwrap();
                    assert!(n > 0);
                    got.extend_from_slice(&chunk[..n]);
                }
                let reply = b"HTTP/1.1 200 OK\r\ncontent-length: 12\r\n\r\n{\"tls\":true}";
                tls.write_all(reply).await.unwrap();
            }
        });
        (url, handle)
    }

    fn test_ca() -> Vec<u8> {
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/keys/tls/ca.der")).unwrap()
    }

    #[tokio::test]
    async fn https_on_loopback_with_a_trusted_test_ca() {
        let (url, server) = tls_server(2).await;
        let t = ReqwestTransport::builder()
            .timeout(Duration::from_secs(10))
            .add_root_certificate_der(test_ca())
            .build()
            .unwrap();
        for _ in 0..2 {
            let resp = t.send(&request(url.clone(), Method::Post)).await.unwrap();
            assert_eq!((resp.status, resp.body.as_slice()), (200, &br#"{"tls":true}"#[..]));
        }
        server.await.unwrap();
    }

    #[tokio::test]
    async fn an_untrusted_certificate_is_a_connect_error() {
        let (url, server) = tls_server(0).await;
        let err = bounded().send(&request(url, Method::Post)).await.unwrap_err();
        assert!(err.is_not_delivered(), "{err:?}");
        assert!(err.to_string().contains("TLS handshake"), "{err}");
        server.await.unwrap();
    }
}
