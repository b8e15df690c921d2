//! The one place where Rust errors become JavaScript `Error` objects.
//!
//! Every failure reaches JavaScript as an `Error` whose `code` is a stable `ERR_NICEPAY_*`
//! string, plus properties for the caller to act on (described by [`NicepayErrorFields`]):
//! `field` for `ERR_NICEPAY_INVALID_INPUT` (a bad argument, an unusable key, an undecodable
//! notification body), `httpStatus`, `responseCode`, `serviceCode`, `caseCode`,
//! `responseMessage` for `ERR_NICEPAY_API`, `kind` and `notDelivered` for
//! `ERR_NICEPAY_TRANSPORT`, and `operation`, `externalId`, `identifiers`, `httpStatus` (0: no
//! answer), `responseCode` for `ERR_NICEPAY_OUTCOME_UNKNOWN`.
//!
//! The table lives in `nicepay_snap_client::binding_support` ([`ErrorReport`], shared with the
//! Python binding); this module only turns a report into the `Error` object. No message built
//! here contains a secret: the core's messages never do, the binding's own messages name fields
//! but never echo values, and nothing else is added.

use napi::bindgen_prelude::{JsValue, Object};
use napi::{Env, Status};
use nicepay_snap_client::binding_support::{ErrorReport, Naming};

/// A failure on its way to JavaScript (boxed: results stay small).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NodeError(Box<ErrorReport>);

/// `Result` of the binding's internals.
pub(crate) type NodeResult<T> = std::result::Result<T, NodeError>;

impl NodeError {
    /// `ERR_NICEPAY_INVALID_INPUT` for `field` (either spelling; reported in camelCase), with the
    /// core's message format. `reason` must not contain the value (a value is quoted only
    /// through `nicepay_snap::error::echo`); it is cut like the core's reasons.
    pub(crate) fn invalid_input(field: &str, reason: &str) -> Self {
        Self(Box::new(ErrorReport::invalid_input(field, reason, Naming::Camel)))
    }

    /// Builds the JavaScript `Error` and returns it as a napi error that throws (or rejects
    /// with) exactly that object. If building it fails, a plain error with the same message is
    /// thrown instead.
    pub(crate) fn into_napi(self, env: &Env) -> napi::Error {
        let build = || -> napi::Result<Object<'_>> {
            let mut obj = env.create_error(napi::Error::new(Status::GenericFailure, self.0.message.as_str()))?;
            obj.set("code", self.0.class.node_code())?;
            for (name, value) in &self.0.attributes {
                obj.set(name.as_str(), value)?;
            }
            Ok(obj)
        };
        match build() {
            Ok(obj) => napi::Error::from(obj.to_unknown()),
            Err(_) => napi::Error::new(Status::GenericFailure, self.0.message.clone()),
        }
    }
}

impl From<nicepay_snap::Error> for NodeError {
    fn from(err: nicepay_snap::Error) -> Self {
        Self(Box::new(ErrorReport::of_error(err, Naming::Camel)))
    }
}

impl From<nicepay_snap::TransportError> for NodeError {
    fn from(err: nicepay_snap::TransportError) -> Self {
        Self(Box::new(ErrorReport::of_transport(&err, Naming::Camel)))
    }
}

impl From<nicepay_snap_client::ClientError> for NodeError {
    fn from(err: nicepay_snap_client::ClientError) -> Self {
        Self(Box::new(ErrorReport::of_client_error(err, Naming::Camel)))
    }
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
