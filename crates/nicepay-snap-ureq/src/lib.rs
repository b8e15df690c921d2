//! Blocking HTTP transport for `nicepay-snap` on [`ureq`].
//!
//! It sends a [`PreparedRequest`] byte-for-byte (no re-serialisation), verifies TLS (rustls with
//! the webpki roots), never follows redirects, applies connect and overall timeouts, and reads the
//! whole body up to a size cap. HTTP error statuses are returned as responses, not errors, so the
//! core can parse NICEPAY's `responseCode`. An outbound proxy is taken from the environment, as
//! ureq does by default: `ALL_PROXY`, `HTTPS_PROXY` or `HTTP_PROXY`, with `NO_PROXY` exceptions.
//!
//! # Delivered or not
//!
//! A failure is reported as not delivered ([`TransportError::is_not_delivered`], kind
//! [`TransportErrorKind::Connect`]) exactly when the server cannot have received the request
//! head: the connection could not be opened, or it broke (or a deadline passed, or the head did
//! not fit ureq's output buffer) before the whole request head — request line, headers and the
//! empty line that ends them — had been handed to the connection. The transport watches the
//! bytes it hands to the connection (plaintext, above TLS) for the end of the head. Once the
//! head has been handed over, any failure — while writing the body, or while reading the
//! response — is `Io` or `Timeout`: the server may have received, and applied, the request. This
//! is deliberately conservative: with `Content-Length`, a head without its whole body is not a
//! complete request either, but it is not reported as undelivered.
//!
//! ```no_run
//! use nicepay_snap::SyncTransport;
//! use nicepay_snap_ureq::UreqTransport;
//! # fn demo(request: &nicepay_snap::PreparedRequest) -> Result<(), Box<dyn std::error::Error>> {
//! let transport = UreqTransport::builder().timeout(std::time::Duration::from_secs(30)).build();
//! let response = transport.send(request)?;
//! # Ok(()) }
//! ```

use std::cell::Cell;
use std::time::Duration;

use nicepay_snap::{Method, PreparedRequest, RawResponse, SyncTransport, TransportError, TransportErrorKind};
use ureq::unversioned::resolver::DefaultResolver;
use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, DefaultConnector, NextTimeout, Transport};

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

    /// Sets the overall and connect timeouts that are `Some`, keeping the others (the language
    /// bindings' optional arguments).
    pub fn timeouts(mut self, timeout: Option<Duration>, connect_timeout: Option<Duration>) -> Self {
        self.timeout = timeout.unwrap_or(self.timeout);
        self.connect_timeout = connect_timeout.unwrap_or(self.connect_timeout);
        self
    }

    /// Largest accepted response body.
    pub fn max_body_bytes(mut self, bytes: u64) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Builds the transport.
    pub fn build(self) -> UreqTransport {
        let config = ureq::Agent::config_builder()
            .timeout_connect(Some(self.connect_timeout))
            .timeout_global(Some(self.timeout))
            .max_redirects(0)
            .max_redirects_will_error(false)
            .http_status_as_error(false)
            .build();
        let connector = DefaultConnector::default().chain(HeadWatch);
        let agent = ureq::Agent::with_parts(config, connector, DefaultResolver::default());
        UreqTransport {
            agent,
            max_body_bytes: self.max_body_bytes,
        }
    }
}

thread_local! {
    /// How far the request being sent on this thread got in handing its head to the
    /// connection. ureq's blocking calls do all their IO on the calling thread, and
    /// [`UreqTransport::send`] resets this before each request.
    static HEAD: Cell<HeadProgress> = const { Cell::new(HeadProgress::START) };
}

/// Progress of handing one request head to its connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct HeadProgress {
    /// How many bytes of the `\r\n\r\n` that ends the head end the bytes handed over so far.
    matched: u8,
    /// The whole head may have been handed to the connection.
    handed_over: bool,
}

impl HeadProgress {
    const START: Self = Self {
        matched: 0,
        handed_over: false,
    };

    /// Scans `bytes`, about to be handed over after the bytes seen so far: the state after them
    /// and, if the head ends inside them, the index of its last byte.
    fn scan(self, bytes: &[u8]) -> (Self, Option<usize>) {
        const END: &[u8; 4] = b"\r\n\r\n";
        let mut matched = self.matched as usize;
        for (i, &b) in bytes.iter().enumerate() {
            matched = if b == END[matched] {
                matched + 1
            } else if b == b'\r' {
                1
            } else {
                0
            };
            if matched == END.len() {
                return (Self::START, Some(i));
            }
        }
        // `matched` is at most 3 here.
        let matched = u8::try_from(matched).unwrap_or(0);
        (Self { matched, ..self }, None)
    }

    /// The state after trying to hand `bytes` over with `sent` as the outcome.
    fn after(self, bytes: &[u8], sent: bool) -> Self {
        if self.handed_over {
            return self;
        }
        let (next, end) = self.scan(bytes);
        match end {
            // The head's last byte was accepted.
            Some(_) if sent => Self {
                matched: 0,
                handed_over: true,
            },
            // The write failed after the head's last byte: whether the connection accepted
            // that byte is unknown, so the head may be out.
            Some(i) if i + 1 < bytes.len() => Self {
                matched: 0,
                handed_over: true,
            },
            // A failed write never accepts its last byte: the head is not out.
            Some(_) => next,
            None => next,
        }
    }
}

/// Wraps every connection so the bytes handed to it are watched for the end of the head.
#[derive(Debug)]
struct HeadWatch;

impl<In: Transport> Connector<In> for HeadWatch {
    type Out = HeadWatched<In>;

    fn connect(&self, _: &ConnectionDetails, chained: Option<In>) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(|inner| HeadWatched { inner }))
    }
}

/// A connection whose writes update this thread's [`HeadProgress`].
#[derive(Debug)]
struct HeadWatched<T> {
    inner: T,
}

impl<T: Transport> Transport for HeadWatched<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let before = HEAD.with(Cell::get);
        let result = self.inner.transmit_output(amount, timeout);
        if !before.handed_over {
            let output = self.inner.buffers().output();
            let bytes = output.get(..amount).unwrap_or(output);
            HEAD.with(|h| h.set(before.after(bytes, result.is_ok())));
        }
        result
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.inner.maybe_await_input(timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

/// Maps a ureq failure; `head_out` says whether the request head may have been handed to the
/// connection (see the crate docs for the rule).
fn map_error(err: ureq::Error, head_out: bool) -> TransportError {
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
    if !head_out && matches!(kind, TransportErrorKind::Io | TransportErrorKind::Timeout) {
        let message = format!("request head not completely written, so not delivered: {err}");
        return TransportError::new(TransportErrorKind::Connect, message).with_source(err);
    }
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
            builder = builder.header(name, value);
        }
        HEAD.with(|h| h.set(HeadProgress::START));
        let sent = builder.send(request.body.as_slice());
        let head_out = HEAD.with(Cell::get).handed_over;
        let mut response = sent.map_err(|e| map_error(e, head_out))?;
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
            .map_err(|e| map_error(e, true))?;
        Ok(RawResponse { status, headers, body })
    }
}

#[cfg(test)]
mod loopback;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loopback::{
        big_request, closes_at_once, one_shot, reads_all_then_closes, reads_head_then_closes, refused_url, request,
        serve, silent_for,
    };
    use std::io::Read;

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
        let err = UreqTransport::new()
            .send(&request(refused_url(), Method::Post))
            .unwrap_err();
        assert!(err.is_not_delivered(), "{err:?}");
    }

    #[test]
    fn read_timeout_is_a_timeout_not_a_connect_error() {
        let (url, handle) = silent_for(Duration::from_millis(800));
        let t = UreqTransport::builder().timeout(Duration::from_millis(300)).build();
        let err = t.send(&request(url, Method::Post)).unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::Timeout, "{err:?}");
        assert!(!err.is_not_delivered());
        handle.join().unwrap();
    }

    fn bounded() -> UreqTransport {
        UreqTransport::builder().timeout(Duration::from_secs(10)).build()
    }

    #[test]
    fn headers_not_fully_written_is_not_delivered() {
        // The server accepts and closes at once, without reading: 4 MB of headers cannot all
        // be accepted by the socket buffers, so a write of the head fails.
        let (url, server) = closes_at_once();
        let err = bounded()
            .send(&big_request(url, 64, 64 * 1024, b"{}".to_vec()))
            .unwrap_err();
        assert!(err.is_not_delivered(), "{err:?}");
        assert_eq!(err.kind(), TransportErrorKind::Connect);
        assert!(err.to_string().contains("request head not completely written"), "{err}");
        server.join().unwrap();
    }

    #[test]
    fn header_line_larger_than_the_output_buffer_is_not_delivered() {
        // The shape of the reported defect: one 2,000,000-byte header value. ureq refuses to
        // write the line (it does not fit its output buffer) after the first lines went out.
        let (url, server) = serve("/x", |mut stream| {
            stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut got = Vec::new();
            let _ = stream.read_to_end(&mut got);
            got
        });
        let err = bounded()
            .send(&big_request(url, 1, 2_000_000, b"{}".to_vec()))
            .unwrap_err();
        assert!(err.is_not_delivered(), "{err:?}");
        let got = server.join().unwrap();
        assert!(!got.windows(4).any(|w| w == b"\r\n\r\n"), "the head was completed");
    }

    #[test]
    fn whole_request_read_then_closed_is_not_reported_undelivered() {
        let (url, server) = reads_all_then_closes();
        let err = bounded().send(&request(url, Method::Post)).unwrap_err();
        assert!(!err.is_not_delivered(), "{err:?}");
        assert_eq!(err.kind(), TransportErrorKind::Io, "{err:?}");
        server.join().unwrap();
    }

    #[test]
    fn head_and_part_of_the_body_read_then_closed_is_not_reported_undelivered() {
        let (url, server) = reads_head_then_closes();
        let err = bounded()
            .send(&big_request(url, 1, 10, vec![b'7'; 8 * 1024 * 1024]))
            .unwrap_err();
        assert!(!err.is_not_delivered(), "{err:?}");
        server.join().unwrap();
    }

    #[test]
    fn head_end_is_found_across_writes_and_a_failed_write_never_completes_it() {
        let start = HeadProgress::START;
        let (mid, end) = start.scan(b"POST / HTTP/1.1\r\nA: b\r\n\r");
        assert_eq!((mid.matched, end), (3, None));
        assert!(mid.after(b"\n", true).handed_over);
        assert!(!mid.after(b"\n", false).handed_over);
        // A failed write that went past the head's end may have sent the head.
        assert!(mid.after(b"\n{}", false).handed_over);
        assert!(!start.after(b"A: b\r\n\rX\n\r\n", false).handed_over);
        assert!(start.after(b"\r\r\n\r\n", true).handed_over);
    }
}
