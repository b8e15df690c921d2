//! What the Python and Node bindings share beyond the client itself: how an error is presented
//! (its class, message and attributes), what an `on_exchange` observer receives, and how names
//! are spelled in either language. The rules live here; the bindings only convert the results
//! into their own objects (`bindings/python/src/errors.rs`, `bindings/node/src/errors.rs`).

use nicepay_snap::error::bounded;
use nicepay_snap::{canonical, AccessToken, Error, Method, Timestamp, TransportError, TransportErrorKind};
use serde_json::{json, Map, Value};

use crate::{ClientError, Exchange};

/// The generic entry points of the bindings (their function and object tables).
pub use crate::native;

/// How a binding spells names: Python's `snake_case` or JavaScript's `camelCase`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    /// `private_key`, `body_too_large` (Python).
    Snake,
    /// `privateKey`, `bodyTooLarge` (JavaScript).
    Camel,
}

impl Naming {
    /// A `snake_case` name in this spelling; names without `_` (`X-TIMESTAMP`) are unchanged.
    pub fn name(self, snake: &str) -> String {
        match self {
            Self::Snake => snake.to_owned(),
            Self::Camel => camel_case(snake),
        }
    }
}

/// `private_key` -> `privateKey`; names without `_` are unchanged.
pub fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The stable name of a transport failure kind: `connect` (certainly not delivered), `timeout`,
/// `io`, `body_too_large` or `other`, in the binding's spelling.
pub fn transport_kind(kind: TransportErrorKind, naming: Naming) -> String {
    let snake = match kind {
        TransportErrorKind::Connect => "connect",
        TransportErrorKind::Timeout => "timeout",
        TransportErrorKind::Io => "io",
        TransportErrorKind::BodyTooLarge => "body_too_large",
        _ => "other",
    };
    naming.name(snake)
}

/// An [`Exchange`] as the dict (Python) or object (Node) an `on_exchange` observer receives;
/// Node leaves absent values out, Python passes `None`.
pub fn exchange_value(e: &Exchange, naming: Naming) -> Value {
    attributes(
        naming,
        [
            ("operation", json!(e.operation)),
            ("method", json!(e.method.as_str())),
            ("path", json!(e.path)),
            ("external_id", json!(e.external_id)),
            ("attempt", json!(e.attempt)),
            ("elapsed_ms", json!(e.elapsed.as_secs_f64() * 1000.0)),
            ("http_status", json!(e.http_status)),
            ("response_code", json!(e.response_code)),
            (
                "transport_error",
                json!(e.transport_error.map(|k| transport_kind(k, naming))),
            ),
        ],
    )
    .into()
}

/// The attributes in the binding's spelling; under [`Naming::Camel`] without the `null` ones.
fn attributes<const N: usize>(naming: Naming, values: [(&str, Value); N]) -> Map<String, Value> {
    values
        .into_iter()
        .filter(|(_, v)| naming == Naming::Snake || !v.is_null())
        .map(|(k, v)| (naming.name(k), v))
        .collect()
}

/// A timestamp argument, checked by the core's rules: an outbound `X-TIMESTAMP`
/// ([`Timestamp::parse_outbound`]) or, `inbound`, one as received (any offset). Errors name the
/// argument, `timestamp`.
pub fn timestamp_arg(text: &str, inbound: bool) -> Result<Timestamp, Error> {
    let parsed = if inbound {
        Timestamp::parse(text)
    } else {
        Timestamp::parse_outbound(text)
    };
    parsed.map_err(|err| match err {
        Error::InvalidInput { reason, .. } => Error::InvalidInput {
            field: "timestamp".into(),
            reason,
        },
        other => other,
    })
}

/// The checked method of a transactional string-to-sign, after checking its access token and
/// outbound timestamp.
pub fn transaction_method(method: &str, access_token: &str, timestamp: &str) -> Result<Method, Error> {
    let method = match method {
        "POST" => Method::Post,
        "DELETE" => Method::Delete,
        other => Method::parse(other)?,
    };
    AccessToken::parse(access_token)?;
    timestamp_arg(timestamp, false)?;
    Ok(method)
}

/// `clientId|timestamp`, what the access-token request and a notification sign, both checked
/// ([`timestamp_arg`]).
pub fn client_and_timestamp(client_id: &str, timestamp: &str, inbound: bool) -> Result<String, Error> {
    nicepay_snap::validate_client_id(client_id)?;
    timestamp_arg(timestamp, inbound)?;
    Ok(canonical::token_string_to_sign(client_id, timestamp))
}

/// Notification headers in the shapes Node servers hand out, read as JSON: an object of name to
/// a string or an array of strings (`req.headers`; repeated values joined with `", "`, `null`
/// skipped), an array of `[name, value]` pairs, or a flat `[name, value, ...]` array of strings
/// (`req.rawHeaders`). `None` for any other shape.
pub fn headers_from_json(value: &Value) -> Option<Vec<(String, String)>> {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    match value {
        Value::Array(flat) if flat.iter().all(Value::is_string) => {
            if flat.len() % 2 != 0 {
                return None;
            }
            flat.chunks(2).map(|p| Some((text(&p[0])?, text(&p[1])?))).collect()
        }
        Value::Array(pairs) => pairs
            .iter()
            .map(|pair| match pair.as_array()?.as_slice() {
                [name, value] => Some((text(name)?, text(value)?)),
                _ => None,
            })
            .collect(),
        Value::Object(map) => map
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(name, v)| match v {
                Value::Array(values) => {
                    let values: Option<Vec<&str>> = values.iter().map(Value::as_str).collect();
                    Some((name.clone(), values?.join(", ")))
                }
                v => Some((name.clone(), text(v)?)),
            })
            .collect(),
        _ => None,
    }
}

/// The error classes of both bindings: a Python exception class, a Node `error.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// A caller-supplied value is missing, of the wrong type or malformed; nothing was sent.
    InvalidInput,
    /// A signature did not verify.
    Signature,
    /// NICEPAY answered with a non-success `responseCode` (Node: or an undecodable response).
    Api,
    /// A response or notification body was not the JSON expected (Python only).
    Decode,
    /// The request could not be exchanged (and certainly moved no money).
    Transport,
    /// A money-moving call may or may not have been applied: query its status.
    OutcomeUnknown,
    /// The state store failed (nothing was sent).
    Store,
    /// An error the core added later (Python: the base `NicepayError`).
    Other,
}

impl ErrorClass {
    /// The Python exception class (`nicepay_snap._errors`).
    pub const fn python_class(self) -> &'static str {
        match self {
            Self::InvalidInput => "InvalidInputError",
            Self::Signature => "SignatureError",
            Self::Api => "ApiError",
            Self::Decode => "DecodeError",
            Self::Transport => "TransportError",
            Self::OutcomeUnknown => "OutcomeUnknownError",
            Self::Store => "StoreError",
            Self::Other => "NicepayError",
        }
    }

    /// The Node `error.code`.
    pub const fn node_code(self) -> &'static str {
        match self {
            Self::InvalidInput => "ERR_NICEPAY_INVALID_INPUT",
            Self::Signature => "ERR_NICEPAY_SIGNATURE",
            Self::Transport => "ERR_NICEPAY_TRANSPORT",
            Self::OutcomeUnknown => "ERR_NICEPAY_OUTCOME_UNKNOWN",
            Self::Store => "ERR_NICEPAY_STORE",
            Self::Api | Self::Decode | Self::Other => "ERR_NICEPAY_API",
        }
    }
}

/// An error as a binding presents it. No message or attribute carries a secret: the core's
/// messages never do, and nothing else is added.
///
/// | error | class | attributes (snake spelling) |
/// |---|---|---|
/// | `Error::InvalidInput`, `Error::InvalidKey` | `InvalidInput` | `field` |
/// | `Error::SignatureMismatch` | `Signature` | |
/// | `Error::Api` | `Api` | `http_status`, `response_code`, `response_message` (+ Node: `service_code`, `case_code`) |
/// | `Error::Decode` (Python) | `Decode` | `http_status` (+ [`ErrorReport::body`]) |
/// | `Error::Decode` (Node) | `InvalidInput` (`field` `body`) for a notification (HTTP 0), else `Api` | `http_status` |
/// | `TransportError` | `Transport` | `kind`, `not_delivered` |
/// | `ClientError::OutcomeUnknown` | `OutcomeUnknown` | `operation`, `external_id`, `identifiers`, `http_status` (0: no answer), `response_code` |
/// | `ClientError::Store` | `Store` | `backend` |
///
/// Under [`Naming::Camel`] the message of an `InvalidInput` names the field in camelCase too
/// (`privateKey`), and `null` attributes are left out.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorReport {
    /// The class.
    pub class: ErrorClass,
    /// The secret-free message.
    pub message: String,
    /// The attributes, named in the binding's spelling.
    pub attributes: Map<String, Value>,
    /// `Decode` only: the raw body, for diagnostics.
    pub body: Vec<u8>,
}

impl ErrorReport {
    fn new<const N: usize>(class: ErrorClass, message: String, naming: Naming, values: [(&str, Value); N]) -> Self {
        Self {
            class,
            message,
            attributes: attributes(naming, values),
            body: Vec::new(),
        }
    }

    /// A binding's own invalid-input error for `field` (snake_case), with the core's message
    /// format. `reason` must not contain the value.
    pub fn invalid_input(field: &str, reason: &str, naming: Naming) -> Self {
        let field = naming.name(field);
        let message = format!("invalid input for `{}`: {}", bounded(&field), bounded(reason));
        Self::new(ErrorClass::InvalidInput, message, naming, [("field", json!(field))])
    }

    /// A core error.
    pub fn of_error(err: Error, naming: Naming) -> Self {
        let message = err.to_string();
        match err {
            Error::InvalidInput { field, reason } | Error::InvalidKey { field, reason } if naming == Naming::Camel => {
                Self::invalid_input(&field, &reason, naming)
            }
            Error::InvalidInput { field, .. } | Error::InvalidKey { field, .. } => {
                Self::new(ErrorClass::InvalidInput, message, naming, [("field", json!(field))])
            }
            Error::SignatureMismatch { .. } => Self::new(ErrorClass::Signature, message, naming, []),
            Error::Api {
                http_status,
                response_code,
                response_message,
            } => {
                let code = response_code.as_str();
                let values = [
                    ("http_status", json!(http_status)),
                    ("response_code", json!(code)),
                    ("response_message", json!(response_message)),
                ];
                let mut report = Self::new(ErrorClass::Api, message, naming, values);
                // Python's `ApiError` derives these from `response_code`; a JavaScript `Error`
                // carries them as properties.
                if let (Naming::Camel, Some(service), Some(case)) = (naming, code.get(3..5), code.get(5..7)) {
                    report.attributes.insert("serviceCode".into(), service.into());
                    report.attributes.insert("caseCode".into(), case.into());
                }
                report
            }
            Error::Decode { http_status: 0, .. } if naming == Naming::Camel => {
                Self::invalid_input("body", &message, naming)
            }
            Error::Decode { http_status, .. } if naming == Naming::Camel => {
                Self::new(ErrorClass::Api, message, naming, [("http_status", json!(http_status))])
            }
            Error::Decode { http_status, body, .. } => Self {
                body,
                ..Self::new(
                    ErrorClass::Decode,
                    message,
                    naming,
                    [("http_status", json!(http_status))],
                )
            },
            // `Error` is `#[non_exhaustive]`: a variant added later keeps its message.
            _ => Self::new(ErrorClass::Other, message, naming, []),
        }
    }

    /// A transport failure.
    pub fn of_transport(err: &TransportError, naming: Naming) -> Self {
        let values = [
            ("kind", json!(transport_kind(err.kind(), naming))),
            ("not_delivered", json!(err.is_not_delivered())),
        ];
        Self::new(ErrorClass::Transport, err.to_string(), naming, values)
    }

    /// A client failure: a core error, a transport failure or an unknown outcome.
    pub fn of_client_error(err: ClientError, naming: Naming) -> Self {
        let message = err.to_string();
        match err {
            ClientError::Snap(e) => Self::of_error(e, naming),
            ClientError::Transport(e) => Self::of_transport(&e, naming),
            ClientError::OutcomeUnknown {
                operation,
                external_id,
                identifiers,
                response_code,
                ..
            } => {
                let identifiers: Map<String, Value> = identifiers.into_iter().map(|(k, v)| (k, v.into())).collect();
                let values = [
                    ("operation", json!(operation)),
                    ("external_id", json!(external_id.as_str())),
                    ("identifiers", identifiers.into()),
                    // 0 when no answer came back (a dropped connection or a timeout).
                    (
                        "http_status",
                        json!(response_code.as_ref().map_or(0, |c| c.http_status())),
                    ),
                    ("response_code", json!(response_code.as_ref().map(|c| c.as_str()))),
                ];
                Self::new(ErrorClass::OutcomeUnknown, message, naming, values)
            }
            ClientError::Store { backend, .. } => {
                Self::new(ErrorClass::Store, message, naming, [("backend", json!(backend))])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_reports_follow_the_binding_spelling() {
        assert_eq!(camel_case("private_key"), "privateKey");
        assert_eq!(camel_case("X-TIMESTAMP"), "X-TIMESTAMP");
        assert_eq!(
            transport_kind(TransportErrorKind::BodyTooLarge, Naming::Camel),
            "bodyTooLarge"
        );
        let err = || Error::InvalidKey {
            field: "private_key".into(),
            reason: "bad".into(),
        };
        let js = ErrorReport::of_error(err(), Naming::Camel);
        assert_eq!(js.message, "invalid input for `privateKey`: bad");
        assert_eq!(js.attributes["field"], "privateKey");
        let py = ErrorReport::of_error(err(), Naming::Snake);
        let raw = json!(["X-A", "1", "x-b", "2"]);
        assert_eq!(headers_from_json(&raw).unwrap()[1], ("x-b".into(), "2".into()));
        let object = json!({"a": ["1", "2"], "b": null, "c": "3"});
        assert_eq!(headers_from_json(&object).unwrap()[0], ("a".into(), "1, 2".into()));
        assert_eq!(headers_from_json(&json!([["a", "1"], ["b"]])), None);
        assert_eq!(
            (py.class, py.attributes["field"].as_str()),
            (ErrorClass::InvalidInput, Some("private_key"))
        );
    }
}
