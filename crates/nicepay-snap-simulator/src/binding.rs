//! E-wallet account binding (AstraPay `ASTR`, AlloBank `ALLO`): registration-account-binding
//! (07), -inquiry (08), -unbinding (09), and the B2B2C customer token (74).
//!
//! ```text
//! bind (07) ──► Pending ──customer approves at redirectUrl──► Bound (auth code issued,
//!                                                               sent to callbackUrl)
//! Bound ──b2b2c token (authCode, once)──► customer token + refresh token
//! Bound ──inquiry (08, refreshToken)──► account details
//! Bound ──unbind (09, referenceNo + authCode)──► Unbound (tokens revoked)
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};

use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::auth::verify_token_request;
use crate::error::SimulatorError;
use crate::snap::{success, HandlerResult, Operation, SnapError, Verified};
use crate::state::Shared;
use crate::util;

/// Binding operations.
pub(crate) const OPERATIONS: &[Operation<BindingState>] = &[
    Operation::post("/api/v1.0/registration-account-binding", "07", bind),
    Operation::post("/api/v1.0/registration-account-inquiry", "08", inquiry),
    Operation::post("/api/v1.0/registration-account-unbinding", "09", unbind),
];

/// Signed path of the customer token endpoint.
pub(crate) const CUSTOMER_TOKEN_PATH: &str = "/v1.0/access-token/b2b2c";
/// Service code of the customer token endpoint.
pub(crate) const CUSTOMER_TOKEN_SERVICE_CODE: &str = "74";
/// Lifetime of a customer token (15 minutes) and of its refresh token (30 days).
const CUSTOMER_TOKEN_TTL: i64 = 900;
const REFRESH_TOKEN_TTL: i64 = 30 * 86_400;

/// Where a binding stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum BindingStatus {
    /// Requested; the customer has not approved at `redirectUrl` yet.
    Pending,
    /// Approved: the auth code exists.
    Bound,
    /// Unbound by the merchant.
    Unbound,
}

#[derive(Debug, Clone)]
struct Binding {
    client_id: String,
    partner_ref: String,
    mitra: String,
    callback_url: String,
    user_name: String,
    phone: String,
    status: BindingStatus,
    auth_code: Option<String>,
    /// The auth code was exchanged for a customer token (once only).
    code_used: bool,
    refresh_token: Option<String>,
}

/// A binding as the state dump shows it (no codes or tokens).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BindingSnapshot {
    /// NICEPAY's id of the binding.
    pub reference_no: String,
    /// The merchant's id.
    pub partner_reference_no: String,
    /// Merchant.
    pub client_id: String,
    /// `ASTR` or `ALLO`.
    pub mitra_cd: String,
    /// Where it stands.
    pub status: BindingStatus,
}

/// The binding part of the simulator state.
#[derive(Debug, Default)]
pub(crate) struct BindingState {
    bindings: BTreeMap<String, Binding>,
    partner_refs: HashSet<(String, String)>,
    /// customer token -> (reference_no, expiry unix seconds)
    customer_tokens: HashMap<String, (String, i64)>,
}

impl BindingState {
    /// Every binding, oldest reference first.
    pub(crate) fn snapshot(&self) -> Vec<BindingSnapshot> {
        self.bindings
            .iter()
            .map(|(id, b)| BindingSnapshot {
                reference_no: id.clone(),
                partner_reference_no: b.partner_ref.clone(),
                client_id: b.client_id.clone(),
                mitra_cd: b.mitra.clone(),
                status: b.status,
            })
            .collect()
    }

    /// The customer approves binding `id` at the e-wallet: it is bound and an auth code issued.
    /// Answers the auth code and the merchant's callback URL carrying it.
    pub(crate) fn approve(&mut self, id: &str) -> Result<(String, String), SimulatorError> {
        let binding = self
            .bindings
            .get_mut(id)
            .ok_or_else(|| SimulatorError::NotFound(format!("binding {}", nicepay_snap::error::echo(id))))?;
        if binding.status != BindingStatus::Pending {
            return Err(SimulatorError::Conflict(format!("binding {id} is not pending")));
        }
        let code = util::random_digits(24);
        binding.status = BindingStatus::Bound;
        binding.auth_code = Some(code.clone());
        let separator = if binding.callback_url.contains('?') { '&' } else { '?' };
        let callback = format!("{}{separator}authCode={code}&referenceNo={id}", binding.callback_url);
        Ok((code, callback))
    }

    fn find(&mut self, req: &Verified, partner_ref: &str) -> Result<(&String, &mut Binding), SnapError> {
        self.bindings
            .iter_mut()
            .find(|(_, b)| b.client_id == req.client_id && b.partner_ref == partner_ref)
            .ok_or_else(|| SnapError::not_found(req.service))
    }
}

fn bind(state: &mut BindingState, req: &Verified) -> HandlerResult {
    let f = req.fields();
    let partner_ref = f.required_str("partnerReferenceNo", 40)?;
    f.merchant_id(&req.client_id)?;
    let user = f.required_str("additionalData.userId", 100)?;
    f.required_str("additionalData.email", 40)?;
    let phone = f.required_str("additionalData.phoneNo", 15)?;
    let mitra = f.required_one_of(
        "additionalInfo.mitraCd",
        nicepay_snap::api::binding::BINDING_MITRA_CODES,
    )?;
    let callback = f
        .optional_url("additionalInfo.callbackUrl", 255)?
        .ok_or_else(|| SnapError::mandatory(req.service, "additionalInfo.callbackUrl"))?;
    let key = (req.client_id.clone(), partner_ref.to_owned());
    if state.partner_refs.contains(&key) {
        return Err(SnapError::duplicate(req.service, "partnerReferenceNo"));
    }
    let id = util::new_txid(&req.client_id, "09", util::next_seq(), |id| {
        state.bindings.contains_key(id)
    });
    state.partner_refs.insert(key);
    state.bindings.insert(
        id.clone(),
        Binding {
            client_id: req.client_id.clone(),
            partner_ref: partner_ref.to_owned(),
            mitra: mitra.to_owned(),
            callback_url: callback.to_owned(),
            user_name: user.to_owned(),
            phone: phone.to_owned(),
            status: BindingStatus::Pending,
            auth_code: None,
            code_used: false,
            refresh_token: None,
        },
    );
    Ok(success(
        req.service,
        json!({
            "referenceNo": id,
            "partnerReferenceNo": partner_ref,
            "redirectUrl": approve_url(&req.base_url, &id),
            "additionalInfo": {"mitraCd": mitra},
        }),
    ))
}

/// The page where the customer approves binding `id`.
pub(crate) fn approve_url(base_url: &str, id: &str) -> String {
    format!("{base_url}/__sim/binding/{id}/approve")
}

fn inquiry(state: &mut BindingState, req: &Verified) -> HandlerResult {
    let f = req.fields();
    let partner_ref = f.required_str("partnerReferenceNo", 40)?;
    let refresh = f.required_str("additionalInfo.refreshToken", 512)?;
    let mitra = f.required_one_of(
        "additionalInfo.mitraCd",
        nicepay_snap::api::binding::BINDING_MITRA_CODES,
    )?;
    let (id, binding) = state.find(req, partner_ref)?;
    if binding.refresh_token.as_deref() != Some(refresh) || binding.mitra != mitra {
        return Err(SnapError::unauthorized(req.service, "Invalid Refresh Token"));
    }
    let masked = format!(
        "{}****{}",
        &binding.phone[..binding.phone.len().min(4)],
        &binding.phone[binding.phone.len().saturating_sub(3)..]
    );
    Ok(success(
        req.service,
        json!({
            "referenceNo": id,
            "partnerReferenceNo": partner_ref,
            "accountName": binding.user_name,
            "accountNo": masked,
            "additionalInfo": {"mitraCd": binding.mitra, "bindingStatus": binding.status},
        }),
    ))
}

fn unbind(state: &mut BindingState, req: &Verified) -> HandlerResult {
    let f = req.fields();
    let partner_ref = f.required_str("partnerReferenceNo", 40)?;
    f.merchant_id(&req.client_id)?;
    let reference_no = f.required_str("additionalInfo.referenceNo", 40)?;
    let mitra = f.required_one_of(
        "additionalInfo.mitraCd",
        nicepay_snap::api::binding::BINDING_MITRA_CODES,
    )?;
    let auth_code = f.required_str("additionalInfo.authCode", 256)?;
    let (id, binding) = state.find(req, partner_ref)?;
    if id != reference_no || binding.mitra != mitra {
        return Err(SnapError::not_found(req.service));
    }
    if binding.status != BindingStatus::Bound {
        return Err(SnapError::not_permitted(req.service, "The account is not bound"));
    }
    if binding.auth_code.as_deref() != Some(auth_code) {
        return Err(SnapError::unauthorized(req.service, "Invalid Auth Code"));
    }
    binding.status = BindingStatus::Unbound;
    binding.refresh_token = None;
    let id = id.clone();
    state.customer_tokens.retain(|_, (owner, _)| *owner != id);
    Ok(success(
        req.service,
        json!({
            "referenceNo": id,
            "partnerReferenceNo": partner_ref,
            "merchantId": req.client_id,
            "unlinkResult": "success",
            "additionalInfo": {},
        }),
    ))
}

/// `POST /nicepay/v1.0/access-token/b2b2c`: checked like the B2B token request, then an auth
/// code (once) or a refresh token of a bound account buys a customer token.
pub(crate) fn customer_token(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Result<Value, SnapError> {
    let svc = CUSTOMER_TOKEN_SERVICE_CODE;
    let client_id = verify_token_request(shared, headers, svc)?;
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
        return Err(SnapError::bad_request(svc));
    };
    let text = |name: &str| match body.get(name) {
        None | Some(Value::Null) => Err(SnapError::mandatory(svc, name)),
        Some(Value::String(s)) if !s.is_empty() && s.len() <= 512 => Ok(s.as_str()),
        Some(Value::String(s)) if s.is_empty() => Err(SnapError::mandatory(svc, name)),
        Some(_) => Err(SnapError::invalid_format(svc, name)),
    };
    let grant = text("grantType")?.to_ascii_uppercase();
    let mut state = shared.lock();
    let bindings = &mut state.binding;
    let (id, binding) = match grant.as_str() {
        "AUTHORIZATION_CODE" => {
            let code = text("authCode")?;
            let found = bindings
                .bindings
                .iter_mut()
                .find(|(_, b)| b.client_id == client_id && b.auth_code.as_deref() == Some(code) && !b.code_used);
            let (id, binding) = found.ok_or_else(|| SnapError::unauthorized(svc, "Invalid Auth Code"))?;
            binding.code_used = true;
            (id.clone(), binding)
        }
        "REFRESH_TOKEN" => {
            let refresh = text("refreshToken")?;
            let found = bindings
                .bindings
                .iter_mut()
                .find(|(_, b)| b.client_id == client_id && b.refresh_token.as_deref() == Some(refresh));
            let (id, binding) = found.ok_or_else(|| SnapError::unauthorized(svc, "Invalid Refresh Token"))?;
            (id.clone(), binding)
        }
        _ => return Err(SnapError::invalid_format(svc, "grantType")),
    };
    if binding.status != BindingStatus::Bound {
        return Err(SnapError::unauthorized(svc, "The account is not bound"));
    }
    let now = util::now_unix();
    let token = util::new_token();
    let refresh = util::new_token();
    binding.refresh_token = Some(refresh.clone());
    bindings
        .customer_tokens
        .retain(|_, (owner, exp)| *owner != id && *exp > now);
    bindings
        .customer_tokens
        .insert(token.clone(), (id, now + CUSTOMER_TOKEN_TTL));
    let at = |secs: i64| {
        nicepay_snap::Timestamp::from_unix_seconds(now + secs)
            .map(|t| t.to_string())
            .unwrap_or_default()
    };
    Ok(success(
        svc,
        json!({
            "accessToken": token,
            "tokenType": "Bearer",
            "accessTokenExpiryTime": at(CUSTOMER_TOKEN_TTL),
            "refreshToken": refresh,
            "refreshTokenExpiryTime": at(REFRESH_TOKEN_TTL),
            "additionalInfo": {},
        }),
    ))
}
