//! Typed SNAP operations and the `prepare` / `parse` pair that turns them into bytes and back.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::canonical::signed_path;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::http::{Method, PreparedRequest, RawResponse};
use crate::minify::minify_json;
use crate::response::parse_response;
use crate::secret::AccessToken;
use crate::timestamp::Timestamp;
use crate::types::ExternalId;

/// Declares a marker type implementing [`Operation`].
macro_rules! operation {
    ($(#[$doc:meta])* $name:ident, $req:ty, $resp:ty, $label:literal, $method:expr, $path:literal, $svc:literal, $money:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $name;

        impl $crate::api::Operation for $name {
            type Request = $req;
            type Response = $resp;
            const NAME: &'static str = $label;
            const METHOD: $crate::http::Method = $method;
            const PATH: &'static str = $path;
            const SERVICE_CODE: &'static str = $svc;
            const MONEY_MOVING: bool = $money;
        }
    };
}

pub mod ewallet;
pub mod notification;
pub mod payout;
pub mod qris;
pub mod token;
pub mod va;

/// Runs `$body` with `$op` bound (as a type alias) to the operation named `$name`
/// (`"qris.refund"`, `"va.create"`, ...); evaluates `$unknown` for any other name. This is the
/// one registry of operations that name-based callers (bindings, CLI) dispatch through.
///
/// ```
/// use nicepay_snap::{with_operation, Operation};
/// let path = with_operation!("va.delete", Op => Op::PATH, "?");
/// assert_eq!(path, "/api/v1.0/transfer-va/delete-va");
/// assert_eq!(with_operation!("nope", Op => Op::PATH, "?"), "?");
/// ```
#[macro_export]
macro_rules! with_operation {
    ($name:expr, $op:ident => $body:expr, $unknown:expr) => {{
        use $crate::api::{ewallet, payout, qris, va};
        match $name {
            "qris.generate" => {
                type $op = qris::QrisGenerate;
                $body
            }
            "qris.query" => {
                type $op = qris::QrisQuery;
                $body
            }
            "qris.refund" => {
                type $op = qris::QrisRefund;
                $body
            }
            "va.create" => {
                type $op = va::VaCreate;
                $body
            }
            "va.status" => {
                type $op = va::VaStatus;
                $body
            }
            "va.delete" => {
                type $op = va::VaDelete;
                $body
            }
            "ewallet.payment" => {
                type $op = ewallet::EwalletPayment;
                $body
            }
            "ewallet.status" => {
                type $op = ewallet::EwalletStatus;
                $body
            }
            "ewallet.refund" => {
                type $op = ewallet::EwalletRefund;
                $body
            }
            "payout.registration" => {
                type $op = payout::PayoutRegistration;
                $body
            }
            "payout.approve" => {
                type $op = payout::PayoutApprove;
                $body
            }
            "payout.inquiry" => {
                type $op = payout::PayoutInquiry;
                $body
            }
            "payout.cancel" => {
                type $op = payout::PayoutCancel;
                $body
            }
            "payout.reject" => {
                type $op = payout::PayoutReject;
                $body
            }
            "payout.balance" => {
                type $op = payout::BalanceInquiry;
                $body
            }
            _ => $unknown,
        }
    }};
}

/// Every operation name [`with_operation!`] accepts.
pub const OPERATION_NAMES: &[&str] = &[
    "qris.generate",
    "qris.query",
    "qris.refund",
    "va.create",
    "va.status",
    "va.delete",
    "ewallet.payment",
    "ewallet.status",
    "ewallet.refund",
    "payout.registration",
    "payout.approve",
    "payout.inquiry",
    "payout.cancel",
    "payout.reject",
    "payout.balance",
];

/// Extra JSON fields kept verbatim, so new NICEPAY fields never break parsing.
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// A request payload that can check itself before anything is signed.
pub trait Validate {
    /// Returns [`Error::InvalidInput`] naming the first bad JSON field.
    fn validate(&self) -> Result<()>;
}

/// One outbound SNAP operation: its path, method, service code and payload types.
pub trait Operation {
    /// Request body type.
    type Request: Serialize + DeserializeOwned + Validate + std::fmt::Debug + Clone + Send + Sync;
    /// Success response type.
    type Response: Serialize + DeserializeOwned + std::fmt::Debug + Clone + Send + Sync;
    /// Short name, e.g. `qris.refund`.
    const NAME: &'static str;
    /// HTTP method (sent and signed).
    const METHOD: Method;
    /// Signed path (without `/nicepay`).
    const PATH: &'static str;
    /// SNAP service code (middle two digits of `responseCode`).
    const SERVICE_CODE: &'static str;
    /// `true` when the call moves money: a timeout or 5xx is then an unknown outcome that must be
    /// resolved by a status query, never by resending with a new identity.
    const MONEY_MOVING: bool;
}

/// The per-request inputs the core cannot make itself: token, clock reading and a unique id.
#[derive(Debug, Clone)]
pub struct RequestContext<'a> {
    /// Current access token.
    pub access_token: &'a AccessToken,
    /// `X-TIMESTAMP` instant.
    pub timestamp: Timestamp,
    /// `X-EXTERNAL-ID`.
    pub external_id: ExternalId,
}

impl Config {
    /// Prepares a typed operation: validates, serializes once to compact JSON, hashes and signs
    /// those exact bytes, and returns them with the headers.
    pub fn prepare<O: Operation>(&self, request: &O::Request, ctx: &RequestContext<'_>) -> Result<PreparedRequest> {
        request.validate()?;
        let body = serde_json::to_vec(request).map_err(|e| Error::invalid("body", format!("cannot serialize: {e}")))?;
        self.prepare_bytes(O::METHOD, O::PATH, body, ctx)
    }

    /// Prepares a request from a caller-supplied JSON document. The JSON is minified lexically
    /// (whitespace only; key order, numbers and escapes kept) and the minified bytes are what is
    /// hashed, signed and sent.
    pub fn prepare_json(
        &self,
        method: Method,
        path: &str,
        json: &[u8],
        ctx: &RequestContext<'_>,
    ) -> Result<PreparedRequest> {
        let body = minify_json(json)?;
        self.prepare_bytes(method, path, body, ctx)
    }

    fn prepare_bytes(
        &self,
        method: Method,
        path: &str,
        body: Vec<u8>,
        ctx: &RequestContext<'_>,
    ) -> Result<PreparedRequest> {
        let path = signed_path(path)?;
        ctx.access_token.validate()?;
        let token = ctx.access_token.expose_secret();
        let timestamp = ctx.timestamp.to_string();
        let signature = self.signer().sign_transaction(method, path, token, &body, &timestamp)?;
        let headers = vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("Authorization".to_owned(), format!("Bearer {token}")),
            ("X-TIMESTAMP".to_owned(), timestamp),
            ("X-SIGNATURE".to_owned(), signature),
            ("X-PARTNER-ID".to_owned(), self.client_id().to_owned()),
            ("X-EXTERNAL-ID".to_owned(), ctx.external_id.as_str().to_owned()),
            ("CHANNEL-ID".to_owned(), self.channel_id().to_owned()),
        ];
        Ok(PreparedRequest {
            method,
            url: self.url_for(path),
            path: path.to_owned(),
            headers,
            body,
        })
    }

    /// Parses the response of a typed operation.
    pub fn parse<O: Operation>(&self, raw: &RawResponse) -> Result<O::Response> {
        parse_response(raw)
    }
}

/// Checks a string field: `required` means non-empty; `max` is in characters.
pub(crate) fn check(field: &str, value: &str, max: usize, required: bool) -> Result<()> {
    if required && value.trim().is_empty() {
        return Err(Error::invalid(field, "is mandatory"));
    }
    if value.chars().count() > max {
        return Err(Error::invalid(field, format!("at most {max} characters")));
    }
    Ok(())
}

pub(crate) fn check_opt(field: &str, value: Option<&String>, max: usize) -> Result<()> {
    value.map_or(Ok(()), |v| check(field, v, max, false))
}
