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

/// The headers of a [`PreparedRequest`], in the order they are sent. The values are kept back
/// to back in one string, so a prepared request holds two allocations for all its headers
/// instead of one per value. Names compare case-insensitively.
///
/// ```
/// use nicepay_snap::Headers;
/// let mut headers = Headers::new();
/// headers.push("Content-Type", "application/json");
/// headers.push("X-Trace", "a");
/// headers.set("X-Trace", "b"); // replaces the value: one X-Trace header
/// assert_eq!(headers.get("x-trace"), Some("b"));
/// let pairs: Vec<(&str, &str)> = headers.iter().collect();
/// assert_eq!(pairs, [("Content-Type", "application/json"), ("X-Trace", "b")]);
/// ```
#[derive(Clone, Default)]
pub struct Headers {
    /// Every value, back to back.
    values: String,
    /// Each name, with the start and end of its value in `values`.
    entries: Vec<(HeaderName, usize, usize)>,
}

impl Headers {
    /// No headers.
    pub const fn new() -> Self {
        Self {
            values: String::new(),
            entries: Vec::new(),
        }
    }

    /// Room for `headers` headers whose values add up to `value_bytes` bytes.
    pub fn with_capacity(headers: usize, value_bytes: usize) -> Self {
        Self {
            values: String::with_capacity(value_bytes),
            entries: Vec::with_capacity(headers),
        }
    }

    /// Appends a header (an existing one with the same name stays: see [`Headers::set`]).
    pub fn push(&mut self, name: impl Into<HeaderName>, value: &str) {
        self.push_with(name, |values| values.push_str(value));
    }

    /// Appends a header whose value `write` appends to the shared value string.
    pub(crate) fn push_with(&mut self, name: impl Into<HeaderName>, write: impl FnOnce(&mut String)) {
        let start = self.values.len();
        write(&mut self.values);
        self.entries.push((name.into(), start, self.values.len()));
    }

    /// Appends `write`'s text to the value string, hands those bytes to `read` and removes
    /// them again: room to assemble text (a string-to-sign) without another allocation.
    pub(crate) fn scratch<R>(&mut self, write: impl FnOnce(&mut String), read: impl FnOnce(&[u8]) -> R) -> R {
        let start = self.values.len();
        write(&mut self.values);
        let out = read(&self.values.as_bytes()[start..]);
        self.values.truncate(start);
        out
    }

    /// The first value of the header `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v)
    }

    /// Sets the header `name` to `value`: the first header of that name (case-insensitive) gets
    /// the new name and value, any later ones are removed; without one, the header is appended.
    pub fn set(&mut self, name: impl Into<HeaderName>, value: &str) {
        let name = name.into();
        let Some(first) = self.entries.iter().position(|(n, ..)| n.eq_ignore_ascii_case(&name)) else {
            self.push(name, value);
            return;
        };
        let Self { values, entries } = std::mem::take(self);
        *self = Self::with_capacity(entries.len(), values.len() + value.len());
        for (i, (n, start, end)) in entries.into_iter().enumerate() {
            if i == first {
                self.push(name.clone(), value);
            } else if !n.eq_ignore_ascii_case(&name) {
                self.push(n, &values[start..end]);
            }
        }
    }

    /// Removes every header named `name` (case-insensitive); `true` when there was one.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.entries.len();
        self.entries.retain(|(n, _, _)| !n.eq_ignore_ascii_case(name));
        before != self.entries.len()
    }

    /// The headers in order, as `(name, value)`.
    pub fn iter(&self) -> HeaderIter<'_> {
        HeaderIter {
            values: &self.values,
            entries: self.entries.iter(),
        }
    }

    /// How many headers there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// `true` when there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
/// The iterator of [`Headers::iter`].
#[derive(Clone)]
pub struct HeaderIter<'a> {
    values: &'a str,
    entries: std::slice::Iter<'a, (HeaderName, usize, usize)>,
}

impl<'a> Iterator for HeaderIter<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let (name, start, end) = self.entries.next()?;
        Some((name.as_ref(), self.values.get(*start..*end).unwrap_or_default()))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl ExactSizeIterator for HeaderIter<'_> {}

/// Shows how many headers are left, never a value (they include secrets).
impl fmt::Debug for HeaderIter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeaderIter")
            .field("remaining", &self.entries.len())
            .finish()
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = (&'a str, &'a str);
    type IntoIter = HeaderIter<'a>;

    fn into_iter(self) -> HeaderIter<'a> {
        self.iter()
    }
}

impl<N: Into<HeaderName>, V: AsRef<str>> Extend<(N, V)> for Headers {
    fn extend<I: IntoIterator<Item = (N, V)>>(&mut self, headers: I) {
        for (name, value) in headers {
            self.push(name, value.as_ref());
        }
    }
}

impl<N: Into<HeaderName>, V: AsRef<str>> FromIterator<(N, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(headers: I) -> Self {
        let mut out = Self::new();
        out.extend(headers);
        out
    }
}

/// Equal when the same names (case as written) carry the same values in the same order.
impl PartialEq for Headers {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Headers {}

/// Lists the headers with the secret ones (`Authorization`, `X-SIGNATURE`) redacted.
impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|(name, value)| {
                if SECRET_HEADERS.iter().any(|secret| secret.eq_ignore_ascii_case(name)) {
                    (name, redacted())
                } else {
                    (name, value)
                }
            }))
            .finish()
    }
}

/// A fully signed request, ready for any HTTP client: send `body` byte-for-byte.
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    /// HTTP method.
    pub method: Method,
    /// Full URL (`{base}/nicepay{path}`).
    pub url: String,
    /// The signed path (without `/nicepay`): an operation's own constant for typed requests.
    pub path: Cow<'static, str>,
    /// Headers in a stable order.
    pub headers: Headers,
    /// The exact body bytes that were hashed and signed.
    pub body: Vec<u8>,
}

impl PreparedRequest {
    /// First header value with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// The body as UTF-8 text (bodies are always JSON produced by this crate).
    pub fn body_str(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap_or("<non-UTF-8 body>")
    }
}

impl fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &self.headers)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(headers: &Headers) -> Vec<(&str, &str)> {
        headers.iter().collect()
    }

    #[test]
    fn headers_keep_order_and_find_names_case_insensitively() {
        let mut h: Headers = [("A", "1"), ("b", "2")].into_iter().collect();
        h.push(String::from("A"), "3");
        assert_eq!(h.len(), 3);
        assert_eq!(h.iter().len(), 3);
        assert_eq!(h.get("a"), Some("1"), "the first value");
        assert_eq!(h.get("B"), Some("2"));
        assert_eq!(h.get("c"), None);
        assert_eq!(pairs(&h), [("A", "1"), ("b", "2"), ("A", "3")]);
    }

    #[test]
    fn set_replaces_every_header_of_the_name_at_the_first_ones_place() {
        let mut h: Headers = [("A", "1"), ("b", "2"), ("a", "3")].into_iter().collect();
        h.set("a", "x");
        assert_eq!(pairs(&h), [("a", "x"), ("b", "2")]);
        h.set("C", "");
        assert_eq!(pairs(&h), [("a", "x"), ("b", "2"), ("C", "")]);
        assert!(h.remove("B"));
        assert!(!h.remove("B"));
        assert_eq!(pairs(&h), [("a", "x"), ("C", "")]);
        let rebuilt: Headers = [("a", "x"), ("C", "")].into_iter().collect();
        assert_eq!(h, rebuilt, "equality looks at names and values only");
        assert_ne!(h, [("A", "x"), ("C", "")].into_iter().collect::<Headers>());
        assert!(Headers::new().is_empty());
    }

    #[test]
    fn debug_redacts_the_secret_headers() {
        let h: Headers = [
            ("authorization", "Bearer tok"),
            ("X-SIGNATURE", "sig"),
            ("X-A", "shown"),
        ]
        .into_iter()
        .collect();
        let debug = format!("{h:?} {:?}", h.iter());
        assert!(!debug.contains("tok") && !debug.contains("sig\""), "{debug}");
        assert!(debug.contains("shown") && debug.contains("remaining: 3"), "{debug}");
    }
}
