//! Who may call: the access-token and `X-TIMESTAMP` checks and the shared "verify a
//! transactional request" layer (spec §4.2, §5), over the simulator's settings and tokens.

use axum::http::HeaderMap;
use nicepay_snap::{Method, Timestamp};
use serde_json::Value;

use crate::snap::{SnapError, Verified, NICEPAY_PREFIX};
use crate::state::{ClientCredentials, Shared};
use crate::util;

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

/// The merchant a header names: absent → `400{svc}02`, unknown → `401{svc}00 Unauthorized.
/// Unknown Client`.
pub(crate) fn known_client<'a>(
    shared: &'a Shared,
    headers: &'a HeaderMap,
    name: &str,
    service: &'static str,
) -> Result<(&'a str, &'a ClientCredentials), SnapError> {
    let client_id = required_header(headers, name, service)?;
    let client = shared
        .settings
        .client(client_id)
        .ok_or_else(|| SnapError::unauthorized(service, "Unknown Client"))?;
    Ok((client_id, client))
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
    if shared.settings.tunables.require_jakarta_offset && !(raw.len() == 25 && raw.ends_with("+07:00")) {
        return Err(bad());
    }
    let skew = (ts.unix_seconds() - util::now_unix()).unsigned_abs();
    if skew > shared.settings.tunables.max_skew.as_secs() {
        return Err(bad());
    }
    Ok((raw.to_owned(), ts))
}

/// The checks every transactional SNAP endpoint shares (spec §4.2, §5):
/// bearer token, `X-TIMESTAMP`, `X-PARTNER-ID`, `X-EXTERNAL-ID`, `CHANNEL-ID`, the HMAC
/// `X-SIGNATURE` over the **raw received body bytes**, JSON well-formedness, and same-day
/// `X-EXTERNAL-ID` uniqueness (recorded only once everything else passed).
pub(crate) fn verify_transactional(
    shared: &Shared,
    (method, svc): (Method, &'static str),
    request_path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Verified, SnapError> {
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
    let (partner, client) = known_client(shared, headers, "X-PARTNER-ID", svc)?;
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
        .verify_transaction(method, signed_path, token, body, &timestamp, signature)
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
        base_url: shared.info.base_url.clone(),
    })
}
