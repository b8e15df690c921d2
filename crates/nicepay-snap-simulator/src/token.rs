//! `POST /nicepay/v1.0/access-token/b2b` (service 73, spec §4.1).

use axum::http::HeaderMap;
use nicepay_snap::canonical::token_string_to_sign;
use serde_json::{json, Value};

use crate::auth::{check_timestamp, known_client, required_header};
use crate::snap::{success, SnapError};
use crate::state::Shared;
use crate::util;

/// Signed path of the token endpoint.
pub(crate) const TOKEN_PATH: &str = "/v1.0/access-token/b2b";
/// Service code of the token endpoint.
pub(crate) const SERVICE_CODE: &str = "73";

/// Checks a token request (signature over `clientId|X-TIMESTAMP`, body) and issues a token.
pub(crate) fn issue(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Result<Value, SnapError> {
    let svc = SERVICE_CODE;
    let (timestamp, _) = check_timestamp(shared, headers, svc)?;
    let (client_id, client) = known_client(shared, headers, "X-CLIENT-KEY", svc)?;
    let signature = required_header(headers, "X-SIGNATURE", svc)?;
    client
        .public_key
        .verify_base64(token_string_to_sign(client_id, &timestamp).as_bytes(), signature)
        .map_err(|_| SnapError::unauthorized(svc, "Signature"))?;
    let body = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => map,
        _ => return Err(SnapError::bad_request(svc)),
    };
    match body.get("grantType") {
        None | Some(Value::Null) => return Err(SnapError::mandatory(svc, "grantType")),
        Some(Value::String(s)) if s == "client_credentials" => {}
        Some(Value::String(s)) if s.is_empty() => return Err(SnapError::mandatory(svc, "grantType")),
        Some(_) => return Err(SnapError::invalid_format(svc, "grantType")),
    }
    let token = util::new_token();
    let ttl = shared.settings.tunables.token_ttl;
    shared.lock().issue_token(token.clone(), client_id, ttl);
    Ok(success(
        svc,
        json!({
            "accessToken": token,
            "tokenType": "Bearer",
            "expiresIn": ttl.as_secs().to_string(),
        }),
    ))
}
