//! Reporting every HTTP exchange to an optional observer, for logs, metrics and audit trails.

use std::sync::Arc;
use std::time::{Duration, Instant};

use nicepay_snap::{Method, PreparedRequest, RawResponse, TransportError, TransportErrorKind};
use serde::Deserialize;

use crate::ClientOptions;

/// The `operation` of the access-token exchanges.
pub const ACCESS_TOKEN_OPERATION: &str = "access-token";

/// One HTTP exchange a client made: one send of one prepared request and what came of it.
///
/// Reported to [`ClientOptions::on_exchange`] as soon as the exchange ends, before the client
/// decides what to do next (the exchanges of an access-token refresh: as soon as the refresh is
/// over and the new token is cached, so that the observer may call back into the client), so a
/// token refresh, a `401xx01` retry or a byte-identical resend each show up as exchanges of
/// their own. It carries no secret (no access token, signature,
/// client secret, key or body), so it can be logged as is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Exchange {
    /// [`ACCESS_TOKEN_OPERATION`] or the operation name (`"qris.refund"`, `"va.create"`, ...).
    pub operation: &'static str,
    /// The HTTP method sent.
    pub method: Method,
    /// The path that was signed (without `/nicepay`), e.g. `/api/v1.0/qr/qr-mpm-refund`.
    pub path: String,
    /// The request's `X-EXTERNAL-ID` (`None` for the access-token request, which has none):
    /// the id to quote to NICEPAY support.
    pub external_id: Option<String>,
    /// 1 for the first send of these bytes, 2 and up for byte-identical resends after a
    /// failure that proves the request was not delivered.
    pub attempt: u32,
    /// From handing the request to the transport until it returned.
    pub elapsed: Duration,
    /// The HTTP status, when a response arrived.
    pub http_status: Option<u16>,
    /// The SNAP `responseCode` of the response body, when it had one.
    pub response_code: Option<String>,
    /// Why no response arrived (`Connect`: certainly not delivered; `Timeout`/`Io`: may have
    /// been applied).
    pub transport_error: Option<TransportErrorKind>,
}

/// Receives every [`Exchange`], on the thread (or task) that made it. Keep it quick and do not
/// panic in it: it runs inside the client call. No lock of the client is held while it runs,
/// so it may call the client (e.g. `access_token()`).
pub type ExchangeObserver = Arc<dyn Fn(&Exchange) + Send + Sync>;

/// The time an exchange started, when someone is listening.
pub(crate) fn start(options: &ClientOptions) -> Option<Instant> {
    options.on_exchange.as_ref().map(|_| Instant::now())
}

/// Reports one exchange of `operation` to the observer, if there is one.
pub(crate) fn report(
    options: &ClientOptions,
    started: Option<Instant>,
    operation: &'static str,
    request: &PreparedRequest,
    attempt: u32,
    sent: &Result<RawResponse, TransportError>,
) {
    if let Some(exchange) = exchange(started, operation, request, attempt, sent) {
        deliver(options, &exchange);
    }
}

/// The [`Exchange`] of one send, when someone is listening (`started` is then `Some`).
pub(crate) fn exchange(
    started: Option<Instant>,
    operation: &'static str,
    request: &PreparedRequest,
    attempt: u32,
    sent: &Result<RawResponse, TransportError>,
) -> Option<Exchange> {
    let started = started?;
    let (http_status, response_code, transport_error) = match sent {
        Ok(raw) => (Some(raw.status), response_code_of(&raw.body), None),
        Err(e) => (None, None, Some(e.kind())),
    };
    Some(Exchange {
        operation,
        method: request.method,
        path: request.path.to_string(),
        external_id: request.header("X-EXTERNAL-ID").map(str::to_owned),
        attempt,
        elapsed: started.elapsed(),
        http_status,
        response_code,
        transport_error,
    })
}

/// Hands `exchange` to the observer, if there is one. Call it with no lock held: the observer
/// is user code and may call back into the client.
pub(crate) fn deliver(options: &ClientOptions, exchange: &Exchange) {
    if let Some(observer) = options.on_exchange.as_ref() {
        observer(exchange);
    }
}

/// The top-level `responseCode` of a JSON body, without decoding the rest.
fn response_code_of(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Probe {
        #[serde(rename = "responseCode")]
        response_code: Option<String>,
    }
    // Only a well-formed code is reported: a server could put anything (an echoed token) there.
    let code = serde_json::from_slice::<Probe>(body).ok()?.response_code?;
    nicepay_snap::ResponseCode::parse(&code).ok().map(|_| code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn reads_the_response_code_only_when_there_is_one() {
        assert_eq!(
            response_code_of(br#"{"responseCode":"2007300","accessToken":"t"}"#).as_deref(),
            Some("2007300")
        );
        assert_eq!(response_code_of(b"<html>"), None);
        assert_eq!(response_code_of(br#"{"other":1}"#), None);
        assert_eq!(response_code_of(br#"{"responseCode":7}"#), None);
        assert_eq!(response_code_of(br#"{"responseCode":"Bearer SECRET-TOKEN"}"#), None);
    }

    #[test]
    fn nothing_is_measured_or_reported_without_an_observer() {
        let options = ClientOptions::default();
        assert!(start(&options).is_none());
    }

    #[test]
    fn reports_status_code_and_transport_failures() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let options = ClientOptions {
            on_exchange: Some(Arc::new(move |e: &Exchange| sink.lock().unwrap().push(e.clone()))),
            ..ClientOptions::default()
        };
        let request = PreparedRequest {
            method: Method::Post,
            url: "http://127.0.0.1:1/nicepay/api/v1.0/qr/qr-mpm-refund".into(),
            path: "/api/v1.0/qr/qr-mpm-refund".into(),
            headers: [("X-EXTERNAL-ID", "123")].into_iter().collect(),
            body: b"{}".to_vec(),
        };
        let started = start(&options);
        let ok = Ok(RawResponse::new(
            403,
            Vec::new(),
            br#"{"responseCode":"4037802","responseMessage":"Exceeds"}"#.to_vec(),
        ));
        report(&options, started, "qris.refund", &request, 1, &ok);
        let failed = Err(TransportError::new(TransportErrorKind::Timeout, "read timed out"));
        report(&options, started, "qris.refund", &request, 2, &failed);
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 2);
        assert_eq!(
            (
                seen[0].http_status,
                seen[0].response_code.as_deref(),
                seen[0].transport_error
            ),
            (Some(403), Some("4037802"), None)
        );
        assert_eq!(seen[0].external_id.as_deref(), Some("123"));
        assert_eq!(
            (seen[0].operation, seen[0].attempt, seen[0].method),
            ("qris.refund", 1, Method::Post)
        );
        assert_eq!(seen[0].path, "/api/v1.0/qr/qr-mpm-refund");
        assert_eq!(
            (seen[1].http_status, seen[1].transport_error, seen[1].attempt),
            (None, Some(TransportErrorKind::Timeout), 2)
        );
    }
}
