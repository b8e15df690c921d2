//! The SNAP envelope: error responses, success bodies, JSON field validation, and the shape of
//! an operation every product lists (the server registers them). Depends on nothing but `util`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use nicepay_snap::{Amount, Method};
use serde_json::{json, Map, Value};

use crate::util;

/// A SNAP error answer: HTTP status plus `responseCode` = status + service code + case code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SnapError {
    pub(crate) status: u16,
    pub(crate) service: &'static str,
    pub(crate) case: &'static str,
    pub(crate) message: String,
}

/// The constructors of the SNAP errors: `name(argument) => status, case, message`; the message
/// may name the argument (`{field}`).
macro_rules! snap_errors {
    ($($(#[$doc:meta])* $name:ident($($arg:ident)?) => $status:literal, $case:literal, $message:literal;)*) => {$(
        $(#[$doc])*
        pub(crate) fn $name(service: &'static str $(, $arg: &str)?) -> Self {
            Self::new($status, service, $case, format!($message))
        }
    )*};
}

impl SnapError {
    pub(crate) fn new(status: u16, service: &'static str, case: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            service,
            case,
            message: message.into(),
        }
    }

    snap_errors! {
        /// `400{svc}00 Bad Request` (malformed JSON and the like).
        bad_request() => 400, "00", "Bad Request";
        /// `400{svc}01 Invalid Field Format {field}`.
        invalid_format(field) => 400, "01", "Invalid Field Format {field}";
        /// `400{svc}02 Invalid Mandatory Field {field}`.
        mandatory(field) => 400, "02", "Invalid Mandatory Field {field}";
        /// `401{svc}00 Unauthorized. {reason}`.
        unauthorized(reason) => 401, "00", "Unauthorized. {reason}";
        /// `401{svc}01 Access Token Invalid`.
        token_invalid() => 401, "01", "Access Token Invalid";
        /// `403{svc}02 Exceeds Transaction Amount Limit`.
        exceeds_amount() => 403, "02", "Exceeds Transaction Amount Limit";
        /// `403{svc}15 Transaction Not Permitted. {reason}`.
        not_permitted(reason) => 403, "15", "Transaction Not Permitted. {reason}";
        /// `404{svc}01 Transaction Not Found`.
        not_found() => 404, "01", "Transaction Not Found";
        /// `403{svc}14 Insufficient Funds`.
        insufficient_funds() => 403, "14", "Insufficient Funds";
        /// `404{svc}13 Paid Bill` (NICEPAY's table; the BI SNAP standard uses 14).
        paid_bill() => 404, "13", "Paid Bill";
        /// `404{svc}11 Invalid Account`.
        invalid_account() => 404, "11", "Invalid Account";
        /// `404{svc}19 Invalid Virtual Account`.
        invalid_va() => 404, "19", "Invalid Virtual Account";
        /// `409{svc}00 Conflict` (X-EXTERNAL-ID reused on the same Jakarta day).
        conflict() => 409, "00", "Conflict";
        /// `409{svc}01 Duplicate {what}`.
        duplicate(what) => 409, "01", "Duplicate {what}";
    }

    /// `405{svc}00 Method Not Allowed` (e.g. VA delete sent as POST).
    pub(crate) fn method_not_allowed(service: &'static str, expected: Method) -> Self {
        Self::new(
            405,
            service,
            "00",
            format!("Method Not Allowed. Use {}", expected.as_str()),
        )
    }

    pub(crate) fn response_code(&self) -> String {
        format!("{:03}{}{}", self.status, self.service, self.case)
    }
}

impl IntoResponse for SnapError {
    fn into_response(self) -> Response {
        snap_body_response(self.status, &self.response_code(), &self.message)
    }
}

/// A bare SNAP envelope with any status, code and message.
pub(crate) fn snap_body_response(status: u16, response_code: &str, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        Json(json!({ "responseCode": response_code, "responseMessage": message })),
    )
        .into_response()
}

/// A successful SNAP body: `responseCode` `200{svc}00`, `responseMessage` `Successful`, then
/// the given fields in order.
pub(crate) fn success(service: &'static str, fields: Value) -> Value {
    let mut out = Map::new();
    out.insert("responseCode".into(), Value::String(format!("200{service}00")));
    out.insert("responseMessage".into(), Value::String("Successful".into()));
    if let Value::Object(fields) = fields {
        out.extend(fields);
    }
    Value::Object(out)
}

/// A request that passed the shared transactional checks.
#[derive(Debug)]
pub(crate) struct Verified {
    /// The authenticated merchant (client id).
    pub(crate) client_id: String,
    /// The parsed JSON object body.
    pub(crate) body: Map<String, Value>,
    /// Service code of the endpoint (for error codes).
    pub(crate) service: &'static str,
    /// Host root of this simulator (for the URLs some answers carry).
    pub(crate) base_url: String,
}

impl Verified {
    /// Field accessors over the body.
    pub(crate) fn fields(&self) -> Fields<'_> {
        Fields {
            body: &self.body,
            service: self.service,
        }
    }
}

/// Typed, validating access to a JSON object body. Field names in errors are the JSON names
/// (dotted for nested fields), as NICEPAY reports them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields<'a> {
    body: &'a Map<String, Value>,
    service: &'static str,
}

impl<'a> Fields<'a> {
    fn lookup(&self, path: &str) -> Option<&'a Value> {
        let mut parts = path.split('.');
        let mut cur = self.body.get(parts.next()?)?;
        for part in parts {
            cur = cur.as_object()?.get(part)?;
        }
        (!cur.is_null()).then_some(cur)
    }

    /// An optional string of at most `max` characters (`""` counts as absent).
    pub(crate) fn optional_str(&self, path: &str, max: usize) -> Result<Option<&'a str>, SnapError> {
        match self.lookup(path) {
            None => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) if s.chars().count() <= max => Ok(Some(s)),
            Some(_) => Err(SnapError::invalid_format(self.service, path)),
        }
    }

    /// A mandatory non-blank string of at most `max` characters.
    pub(crate) fn required_str(&self, path: &str, max: usize) -> Result<&'a str, SnapError> {
        match self.optional_str(path, max)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(SnapError::mandatory(self.service, path)),
        }
    }

    /// An optional `http(s)://` URL of at most `max` characters (`""` counts as absent).
    pub(crate) fn optional_url(&self, path: &str, max: usize) -> Result<Option<&'a str>, SnapError> {
        let url = self.optional_str(path, max)?;
        if let Some(u) = url {
            if !util::is_http_url(u) {
                return Err(SnapError::invalid_format(self.service, path));
            }
        }
        Ok(url)
    }

    /// An optional string of exactly `len` ASCII digits (`""` counts as absent).
    pub(crate) fn optional_digits(&self, path: &str, len: usize) -> Result<Option<&'a str>, SnapError> {
        match self.optional_str(path, len)? {
            Some(s) if s.len() != len || !s.bytes().all(|b| b.is_ascii_digit()) => {
                Err(SnapError::invalid_format(self.service, path))
            }
            other => Ok(other),
        }
    }

    /// A mandatory string that must be one of `allowed`.
    pub(crate) fn required_one_of(&self, path: &str, allowed: &[&str]) -> Result<&'a str, SnapError> {
        let max = allowed.iter().map(|a| a.len()).max().unwrap_or(0);
        let value = self.required_str(path, max.max(1))?;
        if !allowed.contains(&value) {
            return Err(SnapError::invalid_format(self.service, path));
        }
        Ok(value)
    }

    /// The raw JSON value at `path` (absent or `null` → `None`).
    pub(crate) fn raw(&self, path: &str) -> Option<&'a Value> {
        self.lookup(path)
    }

    /// An optional JSON object.
    pub(crate) fn optional_object(&self, path: &str) -> Result<Option<&'a Map<String, Value>>, SnapError> {
        match self.lookup(path) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(_) => Err(SnapError::invalid_format(self.service, path)),
        }
    }

    /// A mandatory JSON object (may be empty).
    pub(crate) fn required_object(&self, path: &str) -> Result<&'a Map<String, Value>, SnapError> {
        self.optional_object(path)?
            .ok_or_else(|| SnapError::mandatory(self.service, path))
    }

    /// A mandatory SNAP amount object (`{"value":"10000.00","currency":"IDR"}`), returned in
    /// minor units. A zero amount is rejected as a format error.
    pub(crate) fn amount(&self, path: &str) -> Result<u64, SnapError> {
        self.required_object(path)?;
        let value_path = format!("{path}.value");
        let currency_path = format!("{path}.currency");
        let value = self.required_str(&value_path, 12)?;
        let currency = self.required_str(&currency_path, 3)?;
        if currency != "IDR" {
            return Err(SnapError::invalid_format(self.service, &currency_path));
        }
        let minor = Amount::idr(value)
            .and_then(|a| a.minor_units())
            .map_err(|_| SnapError::invalid_format(self.service, &value_path))?;
        if minor == 0 {
            return Err(SnapError::invalid_format(self.service, &value_path));
        }
        Ok(minor)
    }

    /// `merchantId`: mandatory and equal to the authenticated client id.
    pub(crate) fn merchant_id(&self, client_id: &str) -> Result<&'a str, SnapError> {
        let merchant = self.required_str("merchantId", 10.max(client_id.len()))?;
        if merchant != client_id {
            return Err(SnapError::invalid_format(self.service, "merchantId"));
        }
        Ok(merchant)
    }
}

/// The SNAP amount JSON for an amount in minor units (`0` is `{"value":"0.00","currency":"IDR"}`).
pub(crate) fn amount_json(minor: u64) -> Value {
    Amount::from_minor_units(minor)
        .ok()
        .and_then(|a| serde_json::to_value(a).ok())
        .unwrap_or_else(|| json!({ "value": util::minor_to_string(minor), "currency": "IDR" }))
}

/// The prefix every SNAP URL path carries but no signature covers.
pub(crate) const NICEPAY_PREFIX: &str = "/nicepay";

/// What a transactional endpoint's business logic returns: the success body fields.
pub(crate) type HandlerResult = Result<Value, SnapError>;

/// One transactional SNAP operation of a product whose state is `S`. Each product (QRIS, VA,
/// e-wallet, payout) lists its operations; the server registers them all and shares routing,
/// verification, fault injection and error rendering.
#[derive(Debug)]
pub(crate) struct Operation<S> {
    /// Signed path (without `/nicepay`).
    pub(crate) path: &'static str,
    /// HTTP method (routed and signed).
    pub(crate) method: Method,
    /// SNAP service code used in this operation's response codes.
    pub(crate) service_code: &'static str,
    /// Business logic, run under the state lock.
    pub(crate) handler: fn(&mut S, &Verified) -> HandlerResult,
}

impl<S> Operation<S> {
    /// A `POST` operation.
    pub(crate) const fn post(
        path: &'static str,
        service_code: &'static str,
        handler: fn(&mut S, &Verified) -> HandlerResult,
    ) -> Self {
        Self {
            path,
            method: Method::Post,
            service_code,
            handler,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amount_json_renders_minor_units_including_zero() {
        assert_eq!(amount_json(0), json!({ "value": "0.00", "currency": "IDR" }));
        assert_eq!(
            amount_json(1_000_050),
            json!({ "value": "10000.50", "currency": "IDR" })
        );
    }
}
