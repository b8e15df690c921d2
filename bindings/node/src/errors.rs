//! The one place where Rust errors become JavaScript `Error` objects.
//!
//! Every failure reaches JavaScript as an `Error` whose `code` is one of the stable
//! [`ErrorCode`] strings, plus properties for the caller to act on:
//!
//! | Rust error | `code` | extra properties |
//! |---|---|---|
//! | `Error::InvalidInput { field, .. }`, a JS argument of the wrong type | `ERR_NICEPAY_INVALID_INPUT` | `field` |
//! | `Error::InvalidKey { field, .. }` | `ERR_NICEPAY_INVALID_INPUT` | `field` (the key's name) |
//! | `Error::SignatureMismatch` | `ERR_NICEPAY_SIGNATURE` | |
//! | `Error::Api { .. }` | `ERR_NICEPAY_API` | `httpStatus`, `responseCode`, `serviceCode`, `caseCode`, `responseMessage` |
//! | `Error::Decode { http_status: 0, .. }` (a notification body) | `ERR_NICEPAY_INVALID_INPUT` | `field` = `body` |
//! | `Error::Decode { .. }` (a response) | `ERR_NICEPAY_API` | `httpStatus` |
//! | `ClientError::Transport` | `ERR_NICEPAY_TRANSPORT` | `kind` (`connect`, `timeout`, ...), `notDelivered` |
//! | `ClientError::OutcomeUnknown` | `ERR_NICEPAY_OUTCOME_UNKNOWN` | `operation`, `externalId`, `identifiers`, `httpStatus` (0: no answer), `responseCode` |
//!
//! Field names are reported in the JavaScript spelling (`privateKey`, not `private_key`). No
//! message built here contains a secret: the core's messages never do, the binding's own
//! messages name fields but never echo values, and nothing else is added.

use napi::bindgen_prelude::{JsValue, Object};
use napi::{Env, Status};

/// The stable `error.code` values of the npm package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorCode {
    /// A caller-supplied value is missing, of the wrong type or malformed; nothing was sent.
    InvalidInput,
    /// A signature did not verify.
    Signature,
    /// NICEPAY answered with a non-success `responseCode` (or an undecodable response).
    Api,
    /// The request could not be exchanged (and certainly moved no money).
    Transport,
    /// A money-moving call may or may not have been applied: query its status.
    OutcomeUnknown,
}

impl ErrorCode {
    /// The `error.code` string.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidInput => "ERR_NICEPAY_INVALID_INPUT",
            Self::Signature => "ERR_NICEPAY_SIGNATURE",
            Self::Api => "ERR_NICEPAY_API",
            Self::Transport => "ERR_NICEPAY_TRANSPORT",
            Self::OutcomeUnknown => "ERR_NICEPAY_OUTCOME_UNKNOWN",
        }
    }
}

impl AsRef<str> for ErrorCode {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// A failure on its way to JavaScript (boxed: results stay small).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NodeError(Box<ErrorInfo>);

/// The code, a secret-free message and the properties that go on the `Error` object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ErrorInfo {
    pub(crate) code: ErrorCode,
    pub(crate) message: String,
    pub(crate) field: Option<String>,
    pub(crate) http_status: Option<u16>,
    pub(crate) response_code: Option<String>,
    pub(crate) response_message: Option<String>,
    /// `OutcomeUnknown` only: the operation name (`qris.refund`).
    pub(crate) operation: Option<String>,
    /// `OutcomeUnknown` only: `X-EXTERNAL-ID` of the last attempt.
    pub(crate) external_id: Option<String>,
    /// `OutcomeUnknown` only: identifiers to query the status with.
    pub(crate) identifiers: Vec<(String, String)>,
    /// `Transport` only: the failure kind.
    pub(crate) kind: Option<String>,
}

/// `Result` of the binding's internals.
pub(crate) type NodeResult<T> = std::result::Result<T, NodeError>;

impl std::ops::Deref for NodeError {
    type Target = ErrorInfo;

    fn deref(&self) -> &ErrorInfo {
        &self.0
    }
}

impl std::ops::DerefMut for NodeError {
    fn deref_mut(&mut self) -> &mut ErrorInfo {
        &mut self.0
    }
}

impl NodeError {
    fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self(Box::new(ErrorInfo {
            code,
            message: message.into(),
            field: None,
            http_status: None,
            response_code: None,
            response_message: None,
            operation: None,
            external_id: None,
            identifiers: Vec::new(),
            kind: None,
        }))
    }

    /// `ERR_NICEPAY_INVALID_INPUT` for `field` (JavaScript spelling), with the core's message
    /// format. `reason` must not contain the value (a value is quoted only through
    /// `nicepay_snap::error::echo`); it is cut like the core's reasons.
    pub(crate) fn invalid_input(field: &str, reason: &str) -> Self {
        let field = js_field_name(field);
        let mut err = Self::new(
            ErrorCode::InvalidInput,
            format!(
                "invalid input for `{}`: {}",
                nicepay_snap::error::bounded(&field),
                nicepay_snap::error::bounded(reason)
            ),
        );
        err.field = Some(field);
        err
    }

    /// Builds the JavaScript `Error` and returns it as a napi error that throws (or rejects
    /// with) exactly that object. If building it fails, a plain error with the same code and
    /// message is thrown instead.
    pub(crate) fn into_napi(self, env: &Env) -> napi::Error {
        let fallback = napi::Error::new(Status::GenericFailure, self.message.clone());
        match self.to_js(env) {
            Ok(obj) => napi::Error::from(obj.to_unknown()),
            Err(_) => fallback,
        }
    }

    fn to_js<'env>(&self, env: &'env Env) -> napi::Result<Object<'env>> {
        let mut obj = env.create_error(napi::Error::new(Status::GenericFailure, self.message.as_str()))?;
        obj.set("code", self.code.as_str())?;
        if let Some(field) = &self.field {
            obj.set("field", field.as_str())?;
        }
        if let Some(status) = self.http_status {
            obj.set("httpStatus", u32::from(status))?;
        }
        if let Some(code) = &self.response_code {
            obj.set("responseCode", code.as_str())?;
            // `responseCode` = HTTP status (3) + service code (2) + case code (2).
            if let (Some(service), Some(case)) = (code.get(3..5), code.get(5..7)) {
                obj.set("serviceCode", service)?;
                obj.set("caseCode", case)?;
            }
        }
        if let Some(message) = &self.response_message {
            obj.set("responseMessage", message.as_str())?;
        }
        if let Some(operation) = &self.operation {
            obj.set("operation", operation.as_str())?;
        }
        if let Some(external_id) = &self.external_id {
            obj.set("externalId", external_id.as_str())?;
        }
        if let Some(kind) = &self.kind {
            obj.set("kind", kind.as_str())?;
            obj.set("notDelivered", kind == "connect")?;
        }
        if self.code == ErrorCode::OutcomeUnknown {
            let mut ids = Object::new(env)?;
            for (name, value) in &self.identifiers {
                ids.set(name.as_str(), value.as_str())?;
            }
            obj.set("identifiers", ids)?;
        }
        Ok(obj)
    }
}

impl From<nicepay_snap::Error> for NodeError {
    fn from(err: nicepay_snap::Error) -> Self {
        use nicepay_snap::Error;
        match err {
            Error::InvalidInput { field, reason } | Error::InvalidKey { field, reason } => {
                Self::invalid_input(&field, &reason)
            }
            Error::SignatureMismatch { .. } => Self::new(ErrorCode::Signature, err.to_string()),
            Error::Api {
                http_status,
                ref response_code,
                ref response_message,
            } => {
                let mut out = Self::new(ErrorCode::Api, err.to_string());
                out.http_status = Some(http_status);
                out.response_code = Some(response_code.as_str().to_owned());
                out.response_message = Some(response_message.clone());
                out
            }
            Error::Decode { http_status: 0, .. } => Self::invalid_input("body", &err.to_string()),
            Error::Decode { http_status, .. } => {
                let mut out = Self::new(ErrorCode::Api, err.to_string());
                out.http_status = Some(http_status);
                out
            }
            // `Error` is `#[non_exhaustive]`: a variant added to the core later arrives as an
            // API error with the core's (secret-free) message until it gets its own arm.
            _ => Self::new(ErrorCode::Api, err.to_string()),
        }
    }
}

impl From<nicepay_snap::TransportError> for NodeError {
    fn from(err: nicepay_snap::TransportError) -> Self {
        let mut out = Self::new(ErrorCode::Transport, err.to_string());
        out.kind = Some(transport_kind(err.kind()).to_owned());
        out
    }
}

pub(crate) fn transport_kind(kind: nicepay_snap::TransportErrorKind) -> &'static str {
    use nicepay_snap::TransportErrorKind as K;
    match kind {
        K::Connect => "connect",
        K::Timeout => "timeout",
        K::Io => "io",
        K::BodyTooLarge => "bodyTooLarge",
        _ => "other",
    }
}

impl From<nicepay_snap_client::ClientError> for NodeError {
    fn from(err: nicepay_snap_client::ClientError) -> Self {
        use nicepay_snap_client::ClientError;
        let message = err.to_string();
        match err {
            ClientError::Snap(e) => e.into(),
            ClientError::Transport(e) => e.into(),
            ClientError::OutcomeUnknown {
                operation,
                external_id,
                identifiers,
                response_code,
                ..
            } => {
                let mut out = Self::new(ErrorCode::OutcomeUnknown, message);
                out.operation = Some(operation.to_owned());
                out.external_id = Some(external_id.as_str().to_owned());
                out.identifiers = identifiers;
                // 0 when no answer came back (a dropped connection or a timeout).
                out.http_status = Some(response_code.as_ref().map_or(0, |c| c.http_status()));
                out.response_code = response_code.map(|c| c.as_str().to_owned());
                out
            }
            // `ClientError` is `#[non_exhaustive]`; a new variant keeps its (secret-free) message.
            _ => Self::new(ErrorCode::Transport, message),
        }
    }
}

/// `private_key` -> `privateKey`; header names (`X-TIMESTAMP`) and camelCase names unchanged.
pub(crate) fn js_field_name(field: &str) -> String {
    if !field.contains('_') {
        return field.to_owned();
    }
    let mut out = String::with_capacity(field.len());
    let mut upper = false;
    for c in field.chars() {
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

/// `.node(env)?` maps any error convertible to [`NodeError`] to the JavaScript error.
pub(crate) trait IntoNapiResult<T> {
    /// Maps the error with [`NodeError::into_napi`].
    fn node(self, env: &Env) -> napi::Result<T>;
}

impl<T, E: Into<NodeError>> IntoNapiResult<T> for std::result::Result<T, E> {
    fn node(self, env: &Env) -> napi::Result<T> {
        self.map_err(|e| e.into().into_napi(env))
    }
}

/// The properties every error of this package carries besides `message`, for TypeScript:
/// `catch (e) { const err = e as Error & NicepayErrorFields }`. Never constructed: the objects
/// are built by `NodeError::into_napi`; this type only describes them.
#[napi_derive::napi(object, object_to_js = false)]
#[derive(Debug)]
pub struct NicepayErrorFields {
    /// The stable error code.
    #[napi(
        ts_type = "'ERR_NICEPAY_INVALID_INPUT' | 'ERR_NICEPAY_SIGNATURE' | 'ERR_NICEPAY_API' | 'ERR_NICEPAY_TRANSPORT' | 'ERR_NICEPAY_OUTCOME_UNKNOWN'"
    )]
    pub code: String,
    /// `ERR_NICEPAY_INVALID_INPUT`: the offending field (`clientSecret`, `X-TIMESTAMP`, ...).
    pub field: Option<String>,
    /// `ERR_NICEPAY_API` and `ERR_NICEPAY_OUTCOME_UNKNOWN`: the HTTP status NICEPAY answered with
    /// (0 when no answer came back).
    pub http_status: Option<u32>,
    /// `ERR_NICEPAY_API` and `ERR_NICEPAY_OUTCOME_UNKNOWN`: the 7-character SNAP `responseCode`.
    pub response_code: Option<String>,
    /// With `responseCode`: its service code (characters 4-5, e.g. `"78"` for a QRIS refund).
    pub service_code: Option<String>,
    /// With `responseCode`: its case code (characters 6-7; `"01"` with HTTP 409 is a duplicate
    /// `partnerReferenceNo` / `partnerRefundNo`).
    pub case_code: Option<String>,
    /// `ERR_NICEPAY_API`: the `responseMessage`.
    pub response_message: Option<String>,
    /// `ERR_NICEPAY_TRANSPORT`: `connect` (certainly not delivered), `timeout`, `io`,
    /// `bodyTooLarge` or `other`.
    pub kind: Option<String>,
    /// `ERR_NICEPAY_TRANSPORT`: `true` when the request certainly never reached the server
    /// (`kind` `connect`), so repeating it cannot apply it twice.
    pub not_delivered: Option<bool>,
    /// `ERR_NICEPAY_OUTCOME_UNKNOWN`: the operation (`qris.refund`).
    pub operation: Option<String>,
    /// `ERR_NICEPAY_OUTCOME_UNKNOWN`: `X-EXTERNAL-ID` of the last attempt.
    pub external_id: Option<String>,
    /// `ERR_NICEPAY_OUTCOME_UNKNOWN`: identifiers to query the status with (`partnerRefundNo`, ...).
    #[napi(ts_type = "Record<string, string>")]
    pub identifiers: Option<String>,
}
