//! The SNAP envelope: error responses, header checks, the shared "verify a transactional
//! request" layer, JSON field validation, and the endpoint table every service plugs into.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use nicepay_snap::{Amount, Method, Timestamp};
use serde_json::{json, Map, Value};

use crate::state::Shared;
use crate::util;

/// A SNAP error answer: HTTP status plus `responseCode` = status + service code + case code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SnapError {
    pub(crate) status: u16,
    pub(crate) service: &'static str,
    pub(crate) case: &'static str,
    pub(crate) message: String,
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

    /// `400{svc}00 Bad Request` (malformed JSON and the like).
    pub(crate) fn bad_request(service: &'static str) -> Self {
        Self::new(400, service, "00", "Bad Request")
    }

    /// `400{svc}01 Invalid Field Format {field}`.
    pub(crate) fn invalid_format(service: &'static str, field: &str) -> Self {
        Self::new(400, service, "01", format!("Invalid Field Format {field}"))
    }

    /// `400{svc}02 Invalid Mandatory Field {field}`.
    pub(crate) fn mandatory(service: &'static str, field: &str) -> Self {
        Self::new(400, service, "02", format!("Invalid Mandatory Field {field}"))
    }

    /// `401{svc}00 Unauthorized. {reason}`.
    pub(crate) fn unauthorized(service: &'static str, reason: &str) -> Self {
        Self::new(401, service, "00", format!("Unauthorized. {reason}"))
    }

    /// `401{svc}01 Access Token Invalid`.
    pub(crate) fn token_invalid(service: &'static str) -> Self {
        Self::new(401, service, "01", "Access Token Invalid")
    }

    /// `403{svc}02 Exceeds Transaction Amount Limit`.
    pub(crate) fn exceeds_amount(service: &'static str) -> Self {
        Self::new(403, service, "02", "Exceeds Transaction Amount Limit")
    }

    /// `403{svc}15 Transaction Not Permitted. {reason}`.
    pub(crate) fn not_permitted(service: &'static str, reason: &str) -> Self {
        Self::new(403, service, "15", format!("Transaction Not Permitted. {reason}"))
    }

    /// `404{svc}01 Transaction Not Found`.
    pub(crate) fn not_found(service: &'static str) -> Self {
        Self::new(404, service, "01", "Transaction Not Found")
    }

    /// `403{svc}14 Insufficient Funds`.
    pub(crate) fn insufficient_funds(service: &'static str) -> Self {
        Self::new(403, service, "14", "Insufficient Funds")
    }

    /// `404{svc}13 Paid Bill` (NICEPAY's table; the BI SNAP standard uses 14).
    pub(crate) fn paid_bill(service: &'static str) -> Self {
        Self::new(404, service, "13", "Paid Bill")
    }

    /// `404{svc}11 Invalid Account`.
    pub(crate) fn invalid_account(service: &'static str) -> Self {
        Self::new(404, service, "11", "Invalid Account")
    }

    /// `404{svc}19 Invalid Virtual Account`.
    pub(crate) fn invalid_va(service: &'static str) -> Self {
        Self::new(404, service, "19", "Invalid Virtual Account")
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

    /// `409{svc}00 Conflict` (X-EXTERNAL-ID reused on the same Jakarta day).
    pub(crate) fn conflict(service: &'static str) -> Self {
        Self::new(409, service, "00", "Conflict")
    }

    /// `409{svc}01 Duplicate {what}`.
    pub(crate) fn duplicate(service: &'static str, what: &str) -> Self {
        Self::new(409, service, "01", format!("Duplicate {what}"))
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

/// One header as a trimmed string; `None` when absent, empty or not visible ASCII.
fn header_value<'a>(headers: &'a HeaderMap, name: &str) -> Result<Option<&'a str>, ()> {
    match headers.get(name) {
        None => Ok(None),
        Some(v) => match v.to_str() {
            Ok(s) if s.trim().is_empty() => Ok(None),
            Ok(s) => Ok(Some(s.trim())),
            Err(_) => Err(()),
        },
    }
}

/// A mandatory header: absent → `400{svc}02`, non-ASCII → `400{svc}01`.
pub(crate) fn required_header<'a>(
    headers: &'a HeaderMap,
    name: &str,
    service: &'static str,
) -> Result<&'a str, SnapError> {
    match header_value(headers, name) {
        Ok(Some(v)) => Ok(v),
        Ok(None) => Err(SnapError::mandatory(service, name)),
        Err(()) => Err(SnapError::invalid_format(service, name)),
    }
}

/// Checks `X-TIMESTAMP`: present, `yyyy-MM-ddTHH:mm:ss+07:00` (any offset when the simulator
/// was configured to allow it), and within the allowed skew of the simulator's clock.
pub(crate) fn check_timestamp(
    shared: &Shared,
    headers: &HeaderMap,
    service: &'static str,
) -> Result<(String, Timestamp), SnapError> {
    let raw = required_header(headers, "X-TIMESTAMP", service)?;
    let bad = || SnapError::invalid_format(service, "X-TIMESTAMP");
    let ts = Timestamp::parse(raw).map_err(|_| bad())?;
    if shared.settings.require_jakarta_offset && !(raw.len() == 25 && raw.ends_with("+07:00")) {
        return Err(bad());
    }
    let skew = (ts.unix_seconds() - util::now_unix()).unsigned_abs();
    if skew > shared.settings.max_skew_seconds {
        return Err(bad());
    }
    Ok((raw.to_owned(), ts))
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

/// The checks every transactional SNAP endpoint shares (spec §4.2, §5):
/// bearer token, `X-TIMESTAMP`, `X-PARTNER-ID`, `X-EXTERNAL-ID`, `CHANNEL-ID`, the HMAC
/// `X-SIGNATURE` over the **raw received body bytes**, JSON well-formedness, and same-day
/// `X-EXTERNAL-ID` uniqueness (recorded only once everything else passed).
pub(crate) fn verify_transactional(
    shared: &Shared,
    endpoint: &Endpoint,
    request_path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Verified, SnapError> {
    let svc = endpoint.service_code;
    // 1. Bearer token.
    let token = match header_value(headers, "Authorization") {
        Ok(Some(v)) => v
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("Bearer"))
            .map(|(_, t)| t.trim())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| SnapError::token_invalid(svc))?,
        _ => return Err(SnapError::token_invalid(svc)),
    };
    let token_client = shared
        .lock()
        .token_client(token)
        .ok_or_else(|| SnapError::token_invalid(svc))?;
    // 2. Timestamp.
    let (timestamp, _) = check_timestamp(shared, headers, svc)?;
    // 3. Partner id: a known client, the one the token was issued to.
    let partner = required_header(headers, "X-PARTNER-ID", svc)?;
    let client = shared
        .settings
        .client(partner)
        .ok_or_else(|| SnapError::unauthorized(svc, "Unknown Client"))?;
    if partner != token_client {
        return Err(SnapError::unauthorized(
            svc,
            "X-PARTNER-ID does not match the access token",
        ));
    }
    // 4. External id and channel id.
    let external_id = required_header(headers, "X-EXTERNAL-ID", svc)?;
    if external_id.len() > 36 {
        return Err(SnapError::invalid_format(svc, "X-EXTERNAL-ID"));
    }
    let channel_id = required_header(headers, "CHANNEL-ID", svc)?;
    if channel_id.len() > 40 {
        return Err(SnapError::invalid_format(svc, "CHANNEL-ID"));
    }
    // 5. Signature over the exact bytes received, signed path without `/nicepay`.
    let signature = required_header(headers, "X-SIGNATURE", svc)?;
    let signed_path = request_path.strip_prefix(NICEPAY_PREFIX).unwrap_or(request_path);
    client
        .signer
        .verify_transaction(endpoint.method, signed_path, token, body, &timestamp, signature)
        .map_err(|_| SnapError::unauthorized(svc, "Signature"))?;
    // 6. JSON body.
    let body = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => map,
        _ => return Err(SnapError::bad_request(svc)),
    };
    // 7. X-EXTERNAL-ID unique per client per Jakarta day.
    if !shared.lock().record_external_id(partner, external_id) {
        return Err(SnapError::conflict(svc));
    }
    Ok(Verified {
        client_id: partner.to_owned(),
        body,
        service: svc,
    })
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
            if reqwest::Url::parse(u).map_or(true, |u| !matches!(u.scheme(), "http" | "https")) {
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
        .unwrap_or_else(|| json!({ "value": format!("{}.{:02}", minor / 100, minor % 100), "currency": "IDR" }))
}

/// The prefix every SNAP URL path carries but no signature covers.
pub(crate) const NICEPAY_PREFIX: &str = "/nicepay";

/// What a transactional endpoint's business logic returns: the success body fields.
pub(crate) type HandlerResult = Result<Value, SnapError>;

/// One transactional SNAP endpoint. Each service module (QRIS, VA, e-wallet, payout)
/// contributes entries to [`ENDPOINTS`]; routing, verification, fault injection and
/// error rendering are shared.
#[derive(Debug)]
pub(crate) struct Endpoint {
    /// Signed path (without `/nicepay`).
    pub(crate) path: &'static str,
    /// HTTP method (routed and signed).
    pub(crate) method: Method,
    /// SNAP service code used in this endpoint's response codes.
    pub(crate) service_code: &'static str,
    /// Business logic, run with the state lock taken inside as needed.
    pub(crate) handler: fn(&Shared, &Verified) -> HandlerResult,
}

/// Every transactional endpoint the simulator serves.
pub(crate) const ENDPOINTS: &[Endpoint] = &[
    crate::qris::GENERATE,
    crate::qris::QUERY,
    crate::qris::REFUND,
    crate::va::CREATE,
    crate::va::STATUS,
    crate::va::DELETE,
    crate::ewallet::PAYMENT,
    crate::ewallet::STATUS,
    crate::ewallet::REFUND,
    crate::payout::REGISTRATION,
    crate::payout::APPROVE,
    crate::payout::INQUIRY,
    crate::payout::CANCEL,
    crate::payout::REJECT,
    crate::payout::BALANCE,
];

/// The service code for a signed path (`73` for the token endpoint, `00` if unknown).
pub(crate) fn service_code_for(signed_path: &str) -> &'static str {
    if signed_path == crate::token::TOKEN_PATH {
        return crate::token::SERVICE_CODE;
    }
    ENDPOINTS
        .iter()
        .find(|e| e.path == signed_path)
        .map_or("00", |e| e.service_code)
}

/// Runs one transactional request end to end.
pub(crate) fn dispatch(
    shared: &Arc<Shared>,
    endpoint: &'static Endpoint,
    method: &axum::http::Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    if !method.as_str().eq_ignore_ascii_case(endpoint.method.as_str()) {
        return SnapError::method_not_allowed(endpoint.service_code, endpoint.method).into_response();
    }
    let result = verify_transactional(shared, endpoint, uri.path(), headers, body)
        .and_then(|verified| (endpoint.handler)(shared, &verified));
    match result {
        Ok(body) => (StatusCode::OK, Json(body)).into_response(),
        Err(err) => err.into_response(),
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
