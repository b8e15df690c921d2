//! Async HTTP transport for `nicepay-snap` on [`reqwest`] (tokio, rustls).
//!
//! It sends a [`PreparedRequest`] byte-for-byte, verifies TLS, never follows redirects, applies
//! connect and overall timeouts and reads the whole body up to a size cap. HTTP error statuses are
//! returned as responses so the core can parse NICEPAY's `responseCode`. An outbound proxy is
//! taken from the environment, as reqwest does by default (`HTTPS_PROXY`, `HTTP_PROXY`,
//! `ALL_PROXY`, with `NO_PROXY` exceptions).
//!
//! # Delivered or not
//!
//! Only a failure to open the connection is reported as not delivered
//! ([`TransportError::is_not_delivered`], kind [`TransportErrorKind::Connect`]). A failure while
//! writing the request stays `Io` (or `Timeout`) even when it happened inside the request head:
//! hyper reports every write failure, head or body, as the same "error writing a body to
//! connection" without saying how many bytes went out, and reqwest offers no hook on the
//! connection's IO to count them, so this transport cannot prove that the head was incomplete.
//! The blocking `nicepay-snap-ureq` transport can, and reports such failures as not delivered.

use std::time::Duration;

use nicepay_snap::{AsyncTransport, Method, PreparedRequest, RawResponse, TransportError, TransportErrorKind};

/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default overall timeout for one exchange.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default cap on a response body.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// An async transport over a shared [`reqwest::Client`] (connection pooling included).
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
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
}

impl Default for ReqwestTransportBuilder {
    fn default() -> Self {
        Self {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
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

    /// Builds the transport (fails only if the TLS backend cannot initialise).
    pub fn build(self) -> Result<ReqwestTransport, TransportError> {
        let client = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .https_only(false)
            .build()
            .map_err(|e| TransportError::new(TransportErrorKind::Other, e.to_string()).with_source(e))?;
        Ok(ReqwestTransport {
            client,
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
            builder = builder.header(name.as_ref(), value.as_str());
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
        big_request, closes_at_once, one_shot, reads_all_then_closes, reads_head_then_closes, refused_url, request,
        silent_for,
    };

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
        server.join().unwrap();
    }

    fn bounded() -> ReqwestTransport {
        ReqwestTransport::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn headers_not_fully_written_stays_io_as_hyper_cannot_tell_head_from_body() {
        // The server closes at once: 4 MB of headers cannot all be written. hyper reports the
        // write failure without saying where it happened, so the transport stays conservative.
        let (url, server) = closes_at_once();
        let err = bounded()
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
}
