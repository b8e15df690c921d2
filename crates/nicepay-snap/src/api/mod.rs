//! Typed SNAP operations and the `prepare` / `parse` pair that turns them into bytes and back.

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::canonical::{signed_path, Transaction};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::http::{Headers, Method, PreparedRequest, RawResponse};
use crate::minify::minify_json;
use crate::response::parse_response;
use crate::secret::AccessToken;
use crate::symmetric::SIGNATURE_LEN;
use crate::timestamp::Timestamp;
use crate::types::{Amount, ExternalId};

#[macro_use]
mod macros;

pub mod binding;
pub mod ewallet;
pub mod notification;
pub mod payout;
pub mod qris;
pub mod token;
pub mod va;

/// The one registry of outbound operations. Each row is
/// `method_name => Marker(Request -> Response), "label", HttpMethod, "path", "service code",
/// money: bool, "doc line";`, grouped by the module (`qris`, `va`, ...) that holds the payload
/// structs.
///
/// `for_each_operation!(callback)` expands to `callback! { [] rows }`;
/// `for_each_operation!(callback, args...)` to `callback! { [args...] rows }`. Everything that
/// lists operations expands it: the marker types implementing [`Operation`] (declared here, used
/// as `api::qris::QrisRefund`), [`with_operation!`](crate::with_operation), [`OPERATION_NAMES`], the named methods of
/// the Rust clients and of the Python and Node bindings, and (through `cargo run -p xtask --
/// codegen`) the generated Python and TypeScript declarations. Adding an operation is one
/// payload struct pair plus one row here.
///
/// ```
/// macro_rules! labels {
///     ([] $($module:ident { $($method:ident => $marker:ident($req:ident -> $resp:ident), $label:literal,
///         $http:ident, $path:literal, $svc:literal, money: $money:tt, $doc:literal;)* })*) => {
///         [$($($label),*),*]
///     };
/// }
/// let labels = nicepay_snap::for_each_operation!(labels);
/// assert_eq!(labels, nicepay_snap::api::OPERATION_NAMES);
/// ```
#[macro_export]
macro_rules! for_each_operation {
    ($first:tt $(:: $callback:ident)* $(, $($args:tt)*)?) => {
        $first $(:: $callback)*! {
            [$($($args)*)?]
            qris {
                qris_generate => QrisGenerate(QrisGenerateRequest -> QrisGenerateResponse), "qris.generate",
                    Post, "/api/v1.0/qr/qr-mpm-generate", "47", money: false,
                    "QRIS generate: create a dynamic QR for an amount (`referenceNo`, `qrContent`).";
                qris_query => QrisQuery(QrisQueryRequest -> QrisQueryResponse), "qris.query",
                    Post, "/api/v1.0/qr/qr-mpm-query", "51", money: false,
                    "QRIS status query: the latest status of a QRIS transaction.";
                qris_refund => QrisRefund(QrisRefundRequest -> QrisRefundResponse), "qris.refund",
                    Post, "/api/v1.0/qr/qr-mpm-refund", "78", money: true,
                    "QRIS refund: return (part of) a paid QRIS payment.";
            }
            va {
                va_create => VaCreate(VaCreateRequest -> VaCreateResponse), "va.create",
                    Post, "/api/v1.0/transfer-va/create-va", "27", money: false,
                    "Virtual Account create: an empty `virtualAccountNo` is generated; keep `additionalInfo.tXidVA` for status and delete.";
                va_status => VaStatus(VaStatusRequest -> VaStatusResponse), "va.status",
                    Post, "/api/v1.0/transfer-va/status", "26", money: false,
                    "Virtual Account status inquiry: `latestTransactionStatus` `03` unpaid, `00` paid, `04` cancelled or expired.";
                va_delete => VaDelete(VaDeleteRequest -> VaDeleteResponse), "va.delete",
                    Delete, "/api/v1.0/transfer-va/delete-va", "31", money: false,
                    "Virtual Account delete, sent and signed as HTTP `DELETE` with a JSON body (a paid VA cannot be deleted).";
            }
            ewallet {
                ewallet_payment => EwalletPayment(EwalletPaymentRequest -> EwalletPaymentResponse), "ewallet.payment",
                    Post, "/api/v1.0/debit/payment-host-to-host", "54", money: false,
                    "E-wallet payment host-to-host: the customer then approves at `webRedirectUrl` (or `appRedirectUrl`).";
                ewallet_status => EwalletStatus(EwalletStatusRequest -> EwalletStatusResponse), "ewallet.status",
                    Post, "/api/v1.0/debit/status", "55", money: false,
                    "E-wallet payment status: `latestTransactionStatus` `03` pending, `00` paid, `04` refunded, `05` declined.";
                ewallet_refund => EwalletRefund(EwalletRefundRequest -> EwalletRefundResponse), "ewallet.refund",
                    Post, "/api/v1.0/debit/refund", "58", money: true,
                    "E-wallet refund of a paid e-wallet payment.";
            }
            payout {
                payout_registration => PayoutRegistration(PayoutRegistrationRequest -> PayoutRegistrationResponse), "payout.registration",
                    Post, "/api/v1.0/transfer/registration", "00", money: false,
                    "Payout registration: creates a payout awaiting approve or reject (`transactionStatus` `03`; no money moves yet).";
                payout_approve => PayoutApprove(PayoutReference -> PayoutResponse), "payout.approve",
                    Post, "/api/v1.0/transfer/approve", "00", money: true,
                    "Payout approve: sends a registered payout.";
                payout_inquiry => PayoutInquiry(PayoutReference -> PayoutResponse), "payout.inquiry",
                    Post, "/api/v1.0/transfer/inquiry", "00", money: false,
                    "Payout status inquiry (needs `beneficiaryAccountNo`): `transactionStatus` `03` pending, `00` success, `04` cancelled, `05` rejected.";
                payout_cancel => PayoutCancel(PayoutReference -> PayoutResponse), "payout.cancel",
                    Post, "/api/v1.0/transfer/cancel", "00", money: false,
                    "Payout cancel (scheduled payouts only).";
                payout_reject => PayoutReject(PayoutReference -> PayoutResponse), "payout.reject",
                    Post, "/api/v1.0/transfer/reject", "00", money: false,
                    "Payout reject of a registered payout.";
                balance_inquiry => BalanceInquiry(BalanceInquiryRequest -> BalanceInquiryResponse), "payout.balance",
                    Post, "/api/v1.0/balance-inquiry", "11", money: false,
                    "Merchant balance inquiry: `accountInfos[0].availableBalance`.";
            }
            binding {
                account_binding => AccountBinding(AccountBindingRequest -> AccountBindingResponse), "account.binding",
                    Post, "/api/v1.0/registration-account-binding", "07", money: false,
                    "E-wallet account binding (AstraPay `ASTR`, AlloBank `ALLO`): send the customer to `redirectUrl`; the auth code then buys a customer token.";
                account_inquiry => AccountInquiry(AccountInquiryRequest -> AccountInquiryResponse), "account.inquiry",
                    Post, "/api/v1.0/registration-account-inquiry", "08", money: false,
                    "E-wallet binding inquiry, with the customer token's refresh token.";
                account_unbinding => AccountUnbinding(AccountUnbindingRequest -> AccountUnbindingResponse), "account.unbinding",
                    Post, "/api/v1.0/registration-account-unbinding", "09", money: false,
                    "E-wallet account unbinding, with the binding's `referenceNo` and auth code.";
            }
        }
    };
}

/// Declares the marker type of every registry row, in a module per product (re-exported by
/// `qris`, `va`, ...), and [`OPERATION_NAMES`].
macro_rules! declare_operations {
    ([] $($module:ident { $($method:ident => $marker:ident($req:ident -> $resp:ident), $label:literal,
        $http:ident, $path:literal, $svc:literal, money: $money:tt, $doc:literal;)* })*) => {
        mod markers {
            $(
                pub(super) mod $module {
                    $(
                        #[doc = $doc]
                        #[doc = ""]
                        #[doc = concat!("Operation `", $label, "`: `", stringify!($http), " ", $path, "`, service code `", $svc, "`.")]
                        #[derive(Debug, Clone, Copy, Default)]
                        pub struct $marker;

                        impl $crate::api::Operation for $marker {
                            type Request = $crate::api::$module::$req;
                            type Response = $crate::api::$module::$resp;
                            const NAME: &'static str = $label;
                            const METHOD: $crate::http::Method = $crate::http::Method::$http;
                            const PATH: &'static str = $path;
                            const SERVICE_CODE: &'static str = $svc;
                            const MONEY_MOVING: bool = $money;
                        }
                    )*
                }
            )*
        }

        /// Every operation name [`with_operation!`](crate::with_operation) accepts, in registry order.
        pub const OPERATION_NAMES: &[&str] = &[$($($label),*),*];
    };
}

for_each_operation!(declare_operations);

/// Runs `$body` with `$op` bound (as a type alias) to the operation named `$name`
/// (`"qris.refund"`, `"va.create"`, ...); evaluates `$unknown` for any other name. Expands the
/// registry ([`for_each_operation!`]); name-based callers (bindings, CLI) dispatch through it.
///
/// ```
/// use nicepay_snap::{with_operation, Operation};
/// let path = with_operation!("va.delete", Op => Op::PATH, "?");
/// assert_eq!(path, "/api/v1.0/transfer-va/delete-va");
/// assert_eq!(with_operation!("nope", Op => Op::PATH, "?"), "?");
/// ```
#[macro_export]
macro_rules! with_operation {
    ($name:expr, $op:ident => $body:expr, $unknown:expr) => {
        $crate::for_each_operation!($crate::__with_operation, $name, $op, $body, $unknown)
    };
}

/// The expansion of [`with_operation!`] over the registry rows.
#[doc(hidden)]
#[macro_export]
macro_rules! __with_operation {
    ([$name:expr, $op:ident, $body:expr, $unknown:expr]
        $($module:ident { $($method:ident => $marker:ident($req:ident -> $resp:ident), $label:literal,
        $http:ident, $path:literal, $svc:literal, money: $money:tt, $doc:literal;)* })*) => {{
        match $name {
            $($(
                $label => {
                    type $op = $crate::api::$module::$marker;
                    $body
                }
            )*)*
            _ => $unknown,
        }
    }};
}

/// The `Authorization` scheme prefix.
const BEARER: &str = "Bearer ";

/// The `Content-Type` of every SNAP request.
const JSON: &str = "application/json";

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

/// The capacity a typed body is serialized into: most SNAP bodies fit, so the buffer is
/// allocated once instead of growing from serde_json's default of 128 bytes.
const BODY_CAPACITY: usize = 1024;

impl Config {
    /// Prepares a typed operation: validates, serializes once to compact JSON, hashes and signs
    /// those exact bytes, and returns them with the headers.
    pub fn prepare<O: Operation>(&self, request: &O::Request, ctx: &RequestContext<'_>) -> Result<PreparedRequest> {
        request.validate()?;
        let mut body = Vec::with_capacity(BODY_CAPACITY);
        crate::json::to_writer(&mut body, request)
            .map_err(|e| Error::invalid("body", format!("cannot serialize: {e}")))?;
        // Serde's compact output needs no minifying, and `O::PATH` is already in signed form
        // (a test checks every operation's), so neither is checked again here.
        self.prepare_signed(O::METHOD, Cow::Borrowed(O::PATH), body, ctx)
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
        let path = signed_path(path)?.to_owned();
        let body = minify_json(json)?;
        self.prepare_signed(method, Cow::Owned(path), body, ctx)
    }

    /// Signs `body` for `path` (in signed form) and builds the headers: every value written
    /// once into the headers' one string, the timestamp rendered and the signature encoded on
    /// the stack.
    fn prepare_signed(
        &self,
        method: Method,
        path: Cow<'static, str>,
        body: Vec<u8>,
        ctx: &RequestContext<'_>,
    ) -> Result<PreparedRequest> {
        ctx.access_token.validate()?;
        let token = ctx.access_token.expose_secret();
        let rendered = ctx.timestamp.render();
        // ASCII by construction, so the conversion cannot fail.
        let timestamp = std::str::from_utf8(&rendered).unwrap_or_default();
        let message = Transaction {
            method,
            path: &path,
            access_token: token,
            body: &body,
            timestamp,
        };
        let (client_id, external_id, channel_id) = (self.client_id(), ctx.external_id.as_str(), self.channel_id());
        let value_bytes = JSON.len()
            + BEARER.len()
            + token.len()
            + timestamp.len()
            + SIGNATURE_LEN
            + client_id.len()
            + external_id.len()
            + channel_id.len();
        // The string-to-sign is assembled in the same string, after the values, then removed.
        let mut headers = Headers::with_capacity(7, value_bytes + message.string_to_sign_len());
        let signature = headers.scratch(|out| message.push_to(out), |sts| self.signer().mac_base64(sts));
        headers.push("Content-Type", JSON);
        headers.push_with("Authorization", |out| {
            out.push_str(BEARER);
            out.push_str(token);
        });
        headers.push("X-TIMESTAMP", timestamp);
        // The base64 alphabet is ASCII, so the conversion cannot fail.
        headers.push("X-SIGNATURE", std::str::from_utf8(&signature).unwrap_or_default());
        headers.push("X-PARTNER-ID", client_id);
        headers.push("X-EXTERNAL-ID", external_id);
        headers.push("CHANNEL-ID", channel_id);
        Ok(PreparedRequest {
            method,
            url: self.url_for(&path),
            path,
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
#[inline]
pub(crate) fn check(field: &str, value: &str, max: usize, required: bool) -> Result<()> {
    // A value starting with a visible ASCII character is not blank: no need to trim it.
    let visible = value.as_bytes().first().is_some_and(u8::is_ascii_graphic);
    if required && !visible && value.trim_start().is_empty() {
        return Err(Error::invalid(field, "is mandatory"));
    }
    // A string has at most as many characters as bytes: count them only when that could matter.
    if value.len() > max && value.chars().count() > max {
        return Err(Error::invalid(field, format!("at most {max} characters")));
    }
    Ok(())
}

pub(crate) fn check_opt(field: &str, value: Option<&String>, max: usize) -> Result<()> {
    value.map_or(Ok(()), |v| check(field, v, max, false))
}

/// Checks a mandatory identifier of at most 40 characters: the SNAP reference numbers
/// (`partnerReferenceNo`, `originalReferenceNo`, `partnerRefundNo`, ...) and order or
/// transaction ids (`trxId`, `tXidVA`).
#[inline]
pub(crate) fn check_id(field: &str, value: &str) -> Result<()> {
    check(field, value, 40, true)
}

/// Checks an amount, naming its fields after the request's JSON name (`refundAmount.value`).
pub(crate) fn validate_amount(name: &str, amount: &Amount) -> Result<()> {
    amount.validate().map_err(|e| match e {
        Error::InvalidInput { field, reason } => Error::InvalidInput {
            field: field.replacen("amount", name, 1),
            reason,
        },
        other => other,
    })
}

/// Checks an optional all-digits field of an exact length (`""` allowed).
pub(crate) fn check_date_opt(field: &str, value: Option<&String>, len: usize) -> Result<()> {
    match value {
        Some(v) if !v.is_empty() && (v.len() != len || !v.bytes().all(|b| b.is_ascii_digit())) => {
            Err(Error::invalid(field, format!("expected {len} digits")))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bindings name each operation's method after its label (`qris.refund` is
    /// `qris_refund` / `qrisRefund`); only `payout.balance` is `balance_inquiry`.
    #[test]
    fn method_names_follow_the_labels() {
        macro_rules! pairs {
            ([] $($module:ident { $($method:ident => $marker:ident($req:ident -> $resp:ident), $label:literal,
                $http:ident, $path:literal, $svc:literal, money: $money:tt, $doc:literal;)* })*) => {
                [$($((stringify!($method), $label)),*),*]
            };
        }
        for (method, label) in crate::for_each_operation!(pairs) {
            let expected = if label == "payout.balance" {
                "balance_inquiry".to_owned()
            } else {
                label.replace('.', "_")
            };
            assert_eq!(method, expected, "{label}");
        }
    }

    /// `Config::prepare` signs `O::PATH` as it is, without `signed_path`.
    #[test]
    fn every_operation_path_is_already_in_signed_form() {
        for name in OPERATION_NAMES {
            let path = with_operation!(*name, Op => Op::PATH, "");
            assert_eq!(signed_path(path).ok(), Some(path), "{name}");
        }
    }
}
