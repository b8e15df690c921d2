//! Blocking HTTP transport for `nicepay-snap` on [`ureq`].
//!
//! It sends a [`PreparedRequest`] byte-for-byte (no re-serialisation), verifies TLS (rustls with
//! the webpki roots), never follows redirects, applies connect and overall timeouts, and reads the
//! whole body up to a size cap. HTTP error statuses are returned as responses, not errors, so the
//! core can parse NICEPAY's `responseCode`. An outbound proxy is taken from the environment, as
//! ureq does by default: `ALL_PROXY`, `HTTPS_PROXY` or `HTTP_PROXY`, with `NO_PROXY` exceptions.
//!
//! ```no_run
//! use nicepay_snap::SyncTransport;
//! use nicepay_snap_ureq::UreqTransport;
//! # fn demo(request: &nicepay_snap::PreparedRequest) -> Result<(), Box<dyn std::error::Error>> {
//! let transport = UreqTransport::builder().timeout(std::time::Duration::from_secs(30)).build();
//! let response = transport.send(request)?;
//! # Ok(()) }
//! ```

use std::time::Duration;

use nicepay_snap::{Method, PreparedRequest, RawResponse, SyncTransport, TransportError, TransportErrorKind};

/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default overall timeout for one exchange (send + receive).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default cap on a response body.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 4 * 1024 * 1024;

/// A blocking transport over a shared [`ureq::Agent`] (connection pooling included).
#[derive(Debug, Clone)]
pub struct UreqTransport {
    agent: ureq::Agent,
    max_body_bytes: u64,
}

impl Default for UreqTransport {
    fn default() -> Self {
        Self::builder().build()
    }
}

impl UreqTransport {
    /// A transport with the default timeouts and body cap.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a builder.
    pub fn builder() -> UreqTransportBuilder {
        UreqTransportBuilder::default()
    }
}

/// Builder for [`UreqTransport`].
#[derive(Debug, Clone)]
pub struct UreqTransportBuilder {
    connect_timeout: Duration,
    timeout: Duration,
    max_body_bytes: u64,
}

impl Default for UreqTransportBuilder {
    fn default() -> Self {
        Self {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

impl UreqTransportBuilder {
    /// Connect timeout (DNS + TCP + TLS).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Overall timeout for one exchange.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Largest accepted response body.
    pub fn max_body_bytes(mut self, bytes: u64) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Builds the transport.
    pub fn build(self) -> UreqTransport {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_connect(Some(self.connect_timeout))
            .timeout_global(Some(self.timeout))
            .max_redirects(0)
            .max_redirects_will_error(false)
            .http_status_as_error(false)
            .build()
            .into();
        UreqTransport {
            agent,
            max_body_bytes: self.max_body_bytes,
        }
    }
}

fn map_error(err: ureq::Error) -> TransportError {
    use ureq::Error as E;
    let kind = match &err {
        E::HostNotFound | E::ConnectionFailed | E::Tls(_) | E::BadUri(_) | E::InvalidProxyUrl => {
            TransportErrorKind::Connect
        }
        E::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => TransportErrorKind::Connect,
        E::Timeout(_) => TransportErrorKind::Timeout,
        E::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => TransportErrorKind::Connect,
        E::Io(_) | E::Protocol(_) => TransportErrorKind::Io,
        E::BodyExceedsLimit(_) => TransportErrorKind::BodyTooLarge,
        _ => TransportErrorKind::Other,
    };
    TransportError::new(kind, err.to_string()).with_source(err)
}

impl SyncTransport for UreqTransport {
    fn send(&self, request: &PreparedRequest) -> Result<RawResponse, TransportError> {
        let mut builder = match request.method {
            Method::Post => self.agent.post(&request.url),
            Method::Delete => self.agent.delete(&request.url).force_send_body(),
            other => {
                return Err(TransportError::new(
                    TransportErrorKind::Other,
                    format!("unsupported method {other}"),
                ))
            }
        };
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let mut response = builder.send(request.body.as_slice()).map_err(map_error)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_owned(), v.to_owned())))
            .collect();
        let body = response
            .body_mut()
            .with_config()
            .limit(self.max_body_bytes)
            .read_to_vec()
            .map_err(map_error)?;
        Ok(RawResponse { status, headers, body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    fn request(url: String, method: Method) -> PreparedRequest {
        PreparedRequest {
            method,
            url,
            path: "/api/x".into(),
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("X-TEST".into(), "1".into()),
            ],
            body: br#"{"a":"b/c"}"#.to_vec(),
        }
    }

    /// A one-shot loopback server that records the raw request and answers with `reply`.
    fn one_shot(reply: &'static str) -> (String, std::thread::JoinHandle<Vec<u8>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/nicepay/api/x", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
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
        });
        (url, handle)
    }

    #[test]
    fn sends_exact_bytes_and_returns_error_statuses_as_responses() {
        let (url, handle) = one_shot("HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: 51\r\nconnection: close\r\n\r\n{\"responseCode\":\"4017300\",\"responseMessage\":\"Unau\"}");
        let resp = UreqTransport::new().send(&request(url, Method::Delete)).unwrap();
        assert_eq!(resp.status, 401);
        assert_eq!(resp.header("content-type"), Some("application/json"));
        assert!(resp.body.starts_with(b"{\"responseCode\":\"4017300\""));
        let raw = String::from_utf8(handle.join().unwrap()).unwrap();
        assert!(raw.starts_with("DELETE /nicepay/api/x HTTP/1.1\r\n"), "{raw}");
        assert!(raw.to_lowercase().contains("x-test: 1"));
        assert!(raw.ends_with("{\"a\":\"b/c\"}"), "{raw}");
    }

    #[test]
    fn redirects_are_not_followed() {
        let (url, handle) = one_shot("HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:1/elsewhere\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        let resp = UreqTransport::new().send(&request(url, Method::Post)).unwrap();
        assert_eq!(resp.status, 302);
        handle.join().unwrap();
    }

    #[test]
    fn body_cap_and_connect_errors_are_typed() {
        let (url, handle) = one_shot("HTTP/1.1 200 OK\r\ncontent-length: 100\r\nconnection: close\r\n\r\n0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789");
        let t = UreqTransport::builder().max_body_bytes(10).build();
        let err = t.send(&request(url, Method::Post)).unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::BodyTooLarge);
        handle.join().unwrap();

        // Nothing listens on this port: the request is certainly not delivered.
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let err = UreqTransport::new()
            .send(&request(format!("http://127.0.0.1:{port}/x"), Method::Post))
            .unwrap_err();
        assert!(err.is_not_delivered(), "{err:?}");
    }

    #[test]
    fn read_timeout_is_a_timeout_not_a_connect_error() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/x", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            std::thread::sleep(Duration::from_millis(800));
            drop(stream);
        });
        let t = UreqTransport::builder().timeout(Duration::from_millis(300)).build();
        let err = t.send(&request(url, Method::Post)).unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::Timeout, "{err:?}");
        assert!(!err.is_not_delivered());
        handle.join().unwrap();
    }
}
