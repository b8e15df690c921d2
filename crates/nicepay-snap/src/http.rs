//! Plain HTTP data: what to send ([`PreparedRequest`]), what came back ([`RawResponse`]),
//! and the transport traits the IO crates implement.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;

use crate::secret::redacted;

/// The HTTP methods NICEPAY SNAP uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `POST`: every call but VA delete.
    Post,
    /// `DELETE` with a JSON body: VA delete.
    Delete,
}

impl Method {
    /// Upper-case method name, as sent and as signed.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Post => "POST",
            Self::Delete => "DELETE",
        }
    }

    /// Parses an HTTP method name (case-insensitive).
    pub fn parse(name: &str) -> crate::Result<Self> {
        match name.to_ascii_uppercase().as_str() {
            "POST" => Ok(Self::Post),
            "DELETE" => Ok(Self::Delete),
            _ => Err(crate::Error::invalid(
                "method",
                format!(
                    "unsupported HTTP method {}; NICEPAY SNAP uses POST and DELETE",
                    crate::error::echo(name)
                ),
            )),
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Headers whose values are secret and are redacted in `Debug` output: the access token, and
/// the signature (the access-token request's signature can be replayed for a token while its
/// timestamp is fresh).
const SECRET_HEADERS: &[&str] = &["authorization", "x-signature"];

/// A header name of a [`PreparedRequest`]. The names this crate sets are static strings, so
/// preparing a request allocates none; add your own with `"X-Name".into()` or
/// `format!(...).into()`.
pub type HeaderName = Cow<'static, str>;

/// A fully signed request, ready for any HTTP client: send `body` byte-for-byte.
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    /// HTTP method.
    pub method: Method,
    /// Full URL (`{base}/nicepay{path}`).
    pub url: String,
    /// The signed path (without `/nicepay`).
    pub path: String,
    /// Headers in a stable order.
    pub headers: Vec<(HeaderName, String)>,
    /// The exact body bytes that were hashed and signed.
    pub body: Vec<u8>,
}

impl PreparedRequest {
    /// First header value with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The body as UTF-8 text (bodies are always JSON produced by this crate).
    pub fn body_str(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap_or("<non-UTF-8 body>")
    }
}

impl fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                if SECRET_HEADERS.iter().any(|secret| secret.eq_ignore_ascii_case(k)) {
                    (k.as_ref(), redacted())
                } else {
                    (k.as_ref(), v.as_str())
                }
            })
            .collect();
        f.debug_struct("PreparedRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body", &self.body_str())
            .finish()
    }
}

/// What came back over the wire. `Debug` shows the body's length, not its bytes (a token
/// response body holds the access token).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct RawResponse {
    /// HTTP status code.
    pub status: u16,
    /// Response headers (names as received).
    pub headers: Vec<(String, String)>,
    /// The whole body.
    pub body: Vec<u8>,
}

impl fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

impl RawResponse {
    /// Builds a response from its parts.
    pub fn new(status: u16, headers: Vec<(String, String)>, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers,
            body: body.into(),
        }
    }

    /// First header value with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

pub(crate) fn find_header<'a, K: AsRef<str>>(headers: &'a [(K, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Why a transport could not deliver a request or read its response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The request was certainly **not** delivered: the connection could not be opened (DNS,
    /// refused, TLS handshake), or it failed before the whole request head (request line and
    /// headers) had been handed to it, so the server cannot have received the request.
    Connect,
    /// A connect, write or read deadline passed: the server may have applied the request.
    Timeout,
    /// The connection broke after the request started: the server may have applied it.
    Io,
    /// The response body exceeded the configured size cap.
    BodyTooLarge,
    /// Anything else (invalid URL, redirect refused, ...).
    Other,
}

/// A transport-level failure, with a kind that says whether the request may have been
/// delivered.
#[derive(Debug, thiserror::Error)]
#[error("transport error ({kind:?}): {message}")]
pub struct TransportError {
    kind: TransportErrorKind,
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl TransportError {
    /// Builds an error. `message` must not contain secrets.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// Attaches the underlying error.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The failure kind.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// `true` when the request certainly never reached the server, so resending it cannot
    /// apply it twice.
    pub fn is_not_delivered(&self) -> bool {
        self.kind == TransportErrorKind::Connect
    }
}

/// A blocking HTTP transport: sends a [`PreparedRequest`] exactly as prepared.
///
/// Implemented by `nicepay-snap-ureq`, and for any
/// `Fn(&PreparedRequest) -> Result<RawResponse, TransportError>` so tests can plug in a closure.
pub trait SyncTransport {
    /// Sends the request and reads the whole response.
    fn send(&self, request: &PreparedRequest) -> Result<RawResponse, TransportError>;
}

impl<F> SyncTransport for F
where
    F: Fn(&PreparedRequest) -> Result<RawResponse, TransportError>,
{
    fn send(&self, request: &PreparedRequest) -> Result<RawResponse, TransportError> {
        self(request)
    }
}

/// An async HTTP transport (implemented by `nicepay-snap-reqwest`).
pub trait AsyncTransport: Send + Sync {
    /// Sends the request and reads the whole response.
    fn send(&self, request: &PreparedRequest) -> impl Future<Output = Result<RawResponse, TransportError>> + Send;
}
