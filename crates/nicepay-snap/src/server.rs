//! The merchant as a SNAP server, for NICEPAY's NIVA ("NICEPAY Inquiry Virtual Account"),
//! where NICEPAY calls the merchant (spec §8.2). NICO (convenience store) follows the same model
//! on `/api/v1.0/cvs/inquiry` and `/api/v1.0/cvs/payment`, whose bodies NICEPAY's pages do not
//! show: those paths are not handled yet (they answer `404`).
//!
//! 1. `POST {merchant}/api/v1.0/access-token/b2b` (NICEPAY's NIVA page gives it with `/api`;
//!    `/v1.0/access-token/b2b`, the path of NICEPAY's own token endpoint, is accepted too):
//!    NICEPAY asks for a token, signing
//!    `clientId|X-TIMESTAMP` with SHA256withRSA under **NICEPAY's** private key; the merchant
//!    checks it with the public key NICEPAY supplied and issues a token (15 minutes by default).
//! 2. `POST {merchant}/api/v1.0/transfer-va/inquiry` (service 24): "what is the bill for this VA?"
//! 3. `POST {merchant}/api/v1.0/transfer-va/payment` (service 25): "this VA was paid".
//! 4. `POST {merchant}/api/v1.0/transfer-va/reversal`: a bank reversed a paid VA (body and
//!    service code undocumented: typed where the payment's fields apply, the rest kept).
//!
//! Steps 2 to 4 carry the transactional headers of spec §5 with an HMAC-SHA512 signature under
//! the client secret **the merchant issued to NICEPAY**, over
//! `METHOD:path:token:sha256hex(body):X-TIMESTAMP`.
//!
//! [`MerchantServer`] is sans-IO: hand it each request (method, path, headers, body), the current
//! time and 32 fresh random bytes; it verifies everything it can and either answers by itself
//! (a token, or an error with the SNAP response code) or hands back a typed, verified request
//! for the merchant's bill lookup, whose answer it turns into the SNAP response.
//!
//! Sources and confidence: the flow, the paths and the inquiry fields are from NICEPAY's NIVA
//! pages (M); the payment fields are those of NICEPAY's VA paid notification on the same path
//! (M); response bodies and codes follow the BI/ASPI SNAP standard for VA inquiry/payment (L for
//! NICEPAY specifically): error answers carry the standard `{http}{service}{case}` codes listed
//! on [`Rejection`] (NICEPAY's own general table numbers some cases differently, e.g. `13` for a
//! paid bill; which table it reads in merchant answers is not documented). Unknown request
//! fields are kept (`extra`).
//!
//! NICEPAY's plain VA paid notification arrives on the same payment path signed with RSA and
//! without `Authorization`: route a request without `Authorization` to the notification
//! verifier ([`crate::NotificationVerifier`]) instead of this server.
//!
//! The sources behind each field and code, with their confidence: `crates/nicepay-snap/SOURCES.md`.
//!
//! Tokens and seen `X-EXTERNAL-ID`s live in this value's memory: one process. Run one server
//! value per process behind a sticky route, or share it behind a lock.

use std::collections::{HashMap, VecDeque};
use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};

use crate::api::notification::NotificationVerifier;
use crate::api::Extra;
use crate::error::{echo, Error, Result};
use crate::http::{find_header as header, Method};
use crate::keys::PublicKey;
use crate::secret::ClientSecret;
use crate::symmetric::SymmetricSigner;
use crate::timestamp::{Timestamp, JAKARTA_OFFSET_SECONDS};
use crate::types::Amount;

/// Path of NICEPAY's token request to the merchant, as NICEPAY's NIVA page gives it.
pub const TOKEN_PATH: &str = "/api/v1.0/access-token/b2b";
/// The token path without `/api` (the form of NICEPAY's own token endpoint), also accepted.
pub const TOKEN_PATH_SHORT: &str = "/v1.0/access-token/b2b";
/// Path of the VA inquiry (service 24).
pub const VA_INQUIRY_PATH: &str = "/api/v1.0/transfer-va/inquiry";
/// Path of the VA payment (service 25).
pub const VA_PAYMENT_PATH: &str = "/api/v1.0/transfer-va/payment";
/// Path of the VA reversal.
pub const VA_REVERSAL_PATH: &str = "/api/v1.0/transfer-va/reversal";
/// Default token lifetime: 15 minutes, as NICEPAY's own tokens.
pub const DEFAULT_TOKEN_LIFETIME_SECONDS: u32 = 900;
/// Most live tokens kept; issuing more drops the oldest.
pub const MAX_LIVE_TOKENS: usize = 10_000;
/// Most `X-EXTERNAL-ID`s remembered for duplicate detection; more drops the oldest.
pub const MAX_REMEMBERED_EXTERNAL_IDS: usize = 200_000;
/// Longest `X-EXTERNAL-ID` accepted (spec §3.3: String(40)).
pub const MAX_EXTERNAL_ID_LEN: usize = 40;

/// The inbound endpoints, with their SNAP service codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// B2B access token (73).
    AccessToken,
    /// VA inquiry (24).
    VaInquiry,
    /// VA payment (25).
    VaPayment,
    /// VA reversal (service code undocumented; answered under 25, the VA payment family).
    VaReversal,
}

impl Endpoint {
    /// The SNAP service code.
    pub fn service_code(self) -> &'static str {
        match self {
            Self::AccessToken => "73",
            Self::VaInquiry => "24",
            Self::VaPayment | Self::VaReversal => "25",
        }
    }

    /// The SNAP path (what is signed).
    pub fn path(self) -> &'static str {
        match self {
            Self::AccessToken => TOKEN_PATH,
            Self::VaInquiry => VA_INQUIRY_PATH,
            Self::VaPayment => VA_PAYMENT_PATH,
            Self::VaReversal => VA_REVERSAL_PATH,
        }
    }

    fn from_path(path: &str) -> Option<Self> {
        if path == TOKEN_PATH_SHORT {
            return Some(Self::AccessToken);
        }
        [Self::AccessToken, Self::VaInquiry, Self::VaPayment, Self::VaReversal]
            .into_iter()
            .find(|e| e.path() == path)
    }
}

/// What the merchant issued to NICEPAY, and what NICEPAY gave the merchant.
#[derive(Clone)]
pub struct ServerConfig {
    client_id: String,
    client_secret: ClientSecret,
    nicepay_public_key: PublicKey,
    token_lifetime_seconds: u32,
    max_skew_seconds: u32,
    mount_prefix: String,
}

impl ServerConfig {
    /// `client_id` and `client_secret`: the credentials the merchant issued to NICEPAY (NICEPAY
    /// sends the ID as `X-CLIENT-KEY` / `X-PARTNER-ID` and signs with the secret);
    /// `nicepay_public_key`: the key NICEPAY supplied to verify its token requests.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: ClientSecret,
        nicepay_public_key: PublicKey,
    ) -> Result<Self> {
        let client_id = client_id.into();
        crate::config::validate_client_id(&client_id)?;
        if client_secret.expose_secret().is_empty() {
            return Err(Error::invalid("client_secret", "must not be empty"));
        }
        Ok(Self {
            client_id,
            client_secret,
            nicepay_public_key,
            token_lifetime_seconds: DEFAULT_TOKEN_LIFETIME_SECONDS,
            max_skew_seconds: crate::api::notification::DEFAULT_MAX_SKEW_SECONDS,
            mount_prefix: String::new(),
        })
    }

    /// Lifetime of issued tokens, 60 s to 1 day (default 900).
    pub fn with_token_lifetime_seconds(mut self, seconds: u32) -> Result<Self> {
        if !(60..=86_400).contains(&seconds) {
            return Err(Error::invalid("token_lifetime_seconds", "must be 60 to 86400"));
        }
        self.token_lifetime_seconds = seconds;
        Ok(self)
    }

    /// Accepted distance of `X-TIMESTAMP` from now, either side (default 300 s).
    pub fn with_max_skew_seconds(mut self, seconds: u32) -> Self {
        self.max_skew_seconds = seconds;
        self
    }

    /// A prefix the merchant's routes are mounted under (e.g. `/snap` when NICEPAY calls
    /// `https://merchant/snap/api/v1.0/transfer-va/inquiry`). It is removed before the path is
    /// matched and verified: whether NICEPAY signs the path with or without the merchant's
    /// prefix is not documented, so both are accepted (the SNAP path first).
    pub fn with_mount_prefix(mut self, prefix: impl Into<String>) -> Result<Self> {
        let prefix = prefix.into();
        if !prefix.is_empty() && (!prefix.starts_with('/') || prefix.ends_with('/')) {
            return Err(Error::invalid(
                "mount_prefix",
                "must be empty or start with '/' and not end with '/'",
            ));
        }
        self.mount_prefix = prefix;
        Ok(self)
    }
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("token_lifetime_seconds", &self.token_lifetime_seconds)
            .field("max_skew_seconds", &self.max_skew_seconds)
            .field("mount_prefix", &self.mount_prefix)
            .finish()
    }
}

/// An HTTP answer to send back to NICEPAY.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerResponse {
    /// HTTP status.
    pub status: u16,
    /// The SNAP `responseCode` in the body.
    pub response_code: String,
    /// Compact JSON body bytes (send these exactly).
    pub body: Vec<u8>,
}

impl ServerResponse {
    /// `{"responseCode": code, "responseMessage": message, ...fields}` with HTTP `status`.
    fn snap(status: u16, code: String, message: &str, fields: Value) -> Self {
        let mut body = serde_json::Map::new();
        body.insert("responseCode".into(), json!(code));
        body.insert("responseMessage".into(), json!(message));
        if let Value::Object(fields) = fields {
            body.extend(fields);
        }
        Self {
            status,
            response_code: code,
            body: serde_json::to_vec(&body).expect("a JSON value serializes"),
        }
    }

    /// The header to send with the body.
    pub fn content_type(&self) -> &'static str {
        "application/json"
    }

    /// The headers to send: `Content-Type` and `X-TIMESTAMP` (the answer's time, +07:00).
    pub fn headers(&self, now: Timestamp) -> Vec<(String, String)> {
        vec![
            ("Content-Type".to_owned(), self.content_type().to_owned()),
            ("X-TIMESTAMP".to_owned(), now.to_string()),
        ]
    }

    /// The body as text.
    pub fn body_str(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap_or_default()
    }
}

impl fmt::Debug for ServerResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A token answer carries the issued token: never print bodies.
        f.debug_struct("ServerResponse")
            .field("status", &self.status)
            .field("response_code", &self.response_code)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Why the server core refused a request, with the SNAP answer it implies
/// (`{http}{service}{case}` codes; `xx` is the endpoint's service code).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
    /// `400xx00 Bad Request`: the body is not a JSON object.
    BadRequest,
    /// `400xx02 Invalid Mandatory Field [name]`.
    MissingField(String),
    /// `400xx01 Invalid Field Format [name]`.
    InvalidField(String),
    /// `401xx00 Unauthorized. [reason]`: bad signature or unknown client.
    Unauthorized(String),
    /// `401xx01 Invalid Token (B2B)`: unknown or expired access token.
    InvalidToken,
    /// `401xx03 Token Not Found (B2B)`: no `Authorization` header.
    TokenNotFound,
    /// `409xx00 Conflict`: `X-EXTERNAL-ID` already used today.
    DuplicateExternalId,
    /// `404xx12 Invalid Bill/Virtual Account [Not Found]`.
    BillNotFound,
    /// `404xx13 Invalid Amount`.
    InvalidAmount,
    /// `404xx14 Paid Bill`.
    BillPaid,
    /// `404xx19 Invalid Bill/Virtual Account [Expired]`.
    BillExpired,
    /// `404 4040000 Not Found`: no such endpoint.
    UnknownEndpoint,
    /// `405 4050000 Method Not Allowed`.
    MethodNotAllowed,
}

impl Rejection {
    fn parts(&self) -> (u16, &'static str, String) {
        match self {
            Self::BadRequest => (400, "00", "Bad Request".into()),
            Self::MissingField(f) => (400, "02", format!("Invalid Mandatory Field [{}]", bounded_name(f))),
            Self::InvalidField(f) => (400, "01", format!("Invalid Field Format [{}]", bounded_name(f))),
            Self::Unauthorized(why) => (401, "00", format!("Unauthorized. [{}]", bounded_name(why))),
            Self::InvalidToken => (401, "01", "Invalid Token (B2B)".into()),
            Self::TokenNotFound => (401, "03", "Token Not Found (B2B)".into()),
            Self::DuplicateExternalId => (409, "00", "Conflict".into()),
            Self::BillNotFound => (404, "12", "Invalid Bill/Virtual Account [Not Found]".into()),
            Self::InvalidAmount => (404, "13", "Invalid Amount".into()),
            Self::BillPaid => (404, "14", "Paid Bill".into()),
            Self::BillExpired => (404, "19", "Invalid Bill/Virtual Account [Expired]".into()),
            Self::UnknownEndpoint => (404, "00", "Not Found".into()),
            Self::MethodNotAllowed => (405, "00", "Method Not Allowed".into()),
        }
    }

    /// The SNAP answer for `endpoint` (`None` for requests to no known endpoint).
    pub fn response(&self, endpoint: Option<Endpoint>) -> ServerResponse {
        self.response_with(endpoint, json!({}))
    }

    /// The SNAP answer with `fields` after the response code and message.
    fn response_with(&self, endpoint: Option<Endpoint>, fields: Value) -> ServerResponse {
        let (status, case, message) = self.parts();
        let service = endpoint.map_or("00", Endpoint::service_code);
        ServerResponse::snap(status, format!("{status}{service}{case}"), &message, fields)
    }
}

/// Field names echoed in messages are ours or short; cap anything else.
fn bounded_name(name: &str) -> String {
    if name.len() <= 64 {
        name.to_owned()
    } else {
        echo(name).to_string()
    }
}

outbound! {
    /// A verified VA inquiry (service 24). Mandatory: `partnerServiceId`, `customerNo`,
    /// `virtualAccountNo`, `inquiryRequestId`.
    pub struct VaInquiryRequest {
        /// The VA prefix (bank/partner service id, may be left-padded with spaces).
        partner_service_id: String,
        /// The customer number part of the VA.
        customer_no: String,
        /// The whole VA number.
        virtual_account_no: String,
        /// NICEPAY's id of this inquiry (echoed back).
        inquiry_request_id: String,
        /// When the customer started the transaction.
        trx_date_init: Option<String>,
        /// Amount the customer entered, when the channel sends one.
        amount: Option<Amount>,
        /// `additionalInfo` (e.g. `bankCd`).
        additional_info: Option<Extra>,
        /// Every other field, kept.
        #[serde(flatten)]
        extra: Extra,
    }
}

outbound! {
    /// A verified VA payment (service 25). Mandatory: `partnerServiceId`, `customerNo`,
    /// `virtualAccountNo`, `paymentRequestId`, `paidAmount`.
    pub struct VaPaymentRequest {
        /// The VA prefix.
        partner_service_id: String,
        /// The customer number part of the VA.
        customer_no: String,
        /// The whole VA number.
        virtual_account_no: String,
        /// NICEPAY's id of this payment (echoed back).
        payment_request_id: String,
        /// What the customer paid.
        paid_amount: Amount,
        /// Customer name as NICEPAY has it.
        virtual_account_name: Option<String>,
        /// NICEPAY's inquiry id when the payment follows an inquiry.
        inquiry_request_id: Option<String>,
        /// Merchant order id, when known to NICEPAY.
        trx_id: Option<String>,
        /// Payment time.
        trx_date_time: Option<String>,
        /// Bank reference number.
        reference_no: Option<String>,
        /// `additionalInfo`.
        additional_info: Option<Extra>,
        /// Every other field, kept.
        #[serde(flatten)]
        extra: Extra,
    }
}

outbound! {
    /// A verified VA reversal. Its body is not documented: the VA number is required, the
    /// payment's identifiers are read when present, and everything else is kept in `extra`.
    pub struct VaReversalRequest {
        /// The whole VA number.
        virtual_account_no: String,
        /// The VA prefix.
        partner_service_id: Option<String>,
        /// The customer number part of the VA.
        customer_no: Option<String>,
        /// Merchant order id.
        trx_id: Option<String>,
        /// NICEPAY's id of the reversed payment.
        payment_request_id: Option<String>,
        /// The reversed amount.
        paid_amount: Option<Amount>,
        /// `additionalInfo`.
        additional_info: Option<Extra>,
        /// Every other field, kept.
        #[serde(flatten)]
        extra: Extra,
    }
}

/// The bill behind a VA, as the merchant knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bill {
    /// Name shown to the customer.
    pub virtual_account_name: String,
    /// Amount due.
    pub total_amount: Amount,
    /// `additionalInfo` to return, if any.
    pub additional_info: Option<Extra>,
}

/// The merchant's answer to an inquiry or a payment.
#[derive(Debug, Clone, PartialEq)]
pub enum BillAnswer {
    /// The bill exists and is open: answer the inquiry with it, or accept the payment when the
    /// paid amount equals `total_amount` (otherwise `404xx13 Invalid Amount`).
    Open(Bill),
    /// No such VA or bill (`404xx12`).
    NotFound,
    /// Already paid (`404xx14`).
    Paid,
    /// Expired (`404xx19`).
    Expired,
}

/// What [`MerchantServer::receive`] made of a request.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Received {
    /// Send this answer as it is: an issued token, or a refusal.
    Respond(ServerResponse),
    /// A verified inquiry: look the bill up and answer with [`MerchantServer::answer_inquiry`].
    VaInquiry(VaInquiryRequest),
    /// A verified payment: check and record it, and answer with
    /// [`MerchantServer::answer_payment`] (record the payment only when that answer is 200).
    VaPayment(VaPaymentRequest),
    /// A verified reversal of a paid VA: undo the order (or flag it) and answer with
    /// [`MerchantServer::answer_reversal`].
    VaReversal(VaReversalRequest),
}

/// The sans-IO SNAP server of one merchant: token issuing, verification, duplicate detection
/// and the SNAP answers.
pub struct MerchantServer {
    config: ServerConfig,
    signer: SymmetricSigner,
    token_verifier: NotificationVerifier,
    /// token -> expiry (unix seconds), and issue order for eviction.
    tokens: HashMap<String, i64>,
    token_order: VecDeque<String>,
    /// (partner, external id) -> Jakarta day number it was seen on.
    seen: HashMap<(String, String), i64>,
    seen_order: VecDeque<((String, String), i64)>,
}

impl fmt::Debug for MerchantServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MerchantServer")
            .field("config", &self.config)
            .field("live_tokens", &self.tokens.len())
            .field("remembered_external_ids", &self.seen.len())
            .finish()
    }
}

/// Jakarta calendar day of an instant (X-EXTERNAL-ID is unique per day).
fn jakarta_day(now: Timestamp) -> i64 {
    (now.unix_seconds() + JAKARTA_OFFSET_SECONDS).div_euclid(86_400)
}

impl MerchantServer {
    /// A server with no tokens issued yet.
    pub fn new(config: ServerConfig) -> Self {
        let token_verifier = NotificationVerifier::new(config.nicepay_public_key.clone(), config.client_id.clone())
            .with_max_skew_seconds(config.max_skew_seconds);
        Self {
            signer: SymmetricSigner::new(&config.client_secret),
            token_verifier,
            config,
            tokens: HashMap::new(),
            token_order: VecDeque::new(),
            seen: HashMap::new(),
            seen_order: VecDeque::new(),
        }
    }

    /// Tokens issued and not yet expired at `now`.
    pub fn live_tokens(&self, now: Timestamp) -> usize {
        self.tokens.values().filter(|&&exp| exp > now.unix_seconds()).count()
    }

    /// Verifies one request from NICEPAY. `path` is the request path as received (query
    /// string, if any, is ignored); `random` must be 32 fresh random bytes from a secure source
    /// (used only when a token is issued).
    pub fn receive(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: &[u8],
        now: Timestamp,
        random: [u8; 32],
    ) -> Received {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let snap_path = path.strip_prefix(self.config.mount_prefix.as_str()).unwrap_or(path);
        let Some(endpoint) = Endpoint::from_path(snap_path) else {
            return Received::Respond(Rejection::UnknownEndpoint.response(None));
        };
        if !method.eq_ignore_ascii_case("POST") {
            return Received::Respond(Rejection::MethodNotAllowed.response(Some(endpoint)));
        }
        let outcome = match endpoint {
            Endpoint::AccessToken => self.issue_token(headers, body, now, random).map(Received::Respond),
            Endpoint::VaInquiry => self
                .verify_transaction(snap_path, path, headers, body, now)
                .and_then(|()| parse_request(body, &INQUIRY_FIELDS))
                .map(Received::VaInquiry),
            Endpoint::VaPayment => self
                .verify_transaction(snap_path, path, headers, body, now)
                .and_then(|()| parse_request(body, &PAYMENT_FIELDS))
                .map(Received::VaPayment),
            Endpoint::VaReversal => self
                .verify_transaction(snap_path, path, headers, body, now)
                .and_then(|()| parse_request(body, &REVERSAL_FIELDS))
                .map(Received::VaReversal),
        };
        outcome.unwrap_or_else(|rejection| Received::Respond(rejection.response(Some(endpoint))))
    }

    fn issue_token(
        &mut self,
        headers: &[(String, String)],
        body: &[u8],
        now: Timestamp,
        random: [u8; 32],
    ) -> std::result::Result<ServerResponse, Rejection> {
        for name in ["X-TIMESTAMP", "X-CLIENT-KEY", "X-SIGNATURE"] {
            if header(headers, name).is_none_or(str::is_empty) {
                return Err(Rejection::MissingField(name.into()));
            }
        }
        if header(headers, "X-CLIENT-KEY") != Some(self.config.client_id.as_str()) {
            return Err(Rejection::Unauthorized("Unknown client".into()));
        }
        match self.token_verifier.verify_headers(headers, now) {
            Ok(_) => {}
            Err(Error::SignatureMismatch { .. }) => return Err(Rejection::Unauthorized("Signature".into())),
            Err(_) => return Err(Rejection::InvalidField("X-TIMESTAMP".into())),
        }
        let body: Value = serde_json::from_slice(body).map_err(|_| Rejection::BadRequest)?;
        if !body.is_object() {
            return Err(Rejection::BadRequest);
        }
        match body.get("grantType") {
            Some(Value::String(g)) if g == "client_credentials" => {}
            None => return Err(Rejection::MissingField("grantType".into())),
            Some(_) => return Err(Rejection::InvalidField("grantType".into())),
        }
        let token = URL_SAFE_NO_PAD.encode(random);
        let expires = now.unix_seconds() + i64::from(self.config.token_lifetime_seconds);
        self.tokens.retain(|_, &mut exp| exp > now.unix_seconds());
        self.token_order.retain(|t| self.tokens.contains_key(t));
        while self.tokens.len() >= MAX_LIVE_TOKENS {
            match self.token_order.pop_front() {
                Some(old) => {
                    self.tokens.remove(&old);
                }
                None => break,
            }
        }
        self.tokens.insert(token.clone(), expires);
        self.token_order.push_back(token.clone());
        Ok(ServerResponse::snap(
            200,
            "2007300".to_owned(),
            "Successful",
            json!({
                "accessToken": token,
                "tokenType": "Bearer",
                "expiresIn": self.config.token_lifetime_seconds.to_string(),
            }),
        ))
    }

    fn verify_transaction(
        &mut self,
        snap_path: &str,
        received_path: &str,
        headers: &[(String, String)],
        body: &[u8],
        now: Timestamp,
    ) -> std::result::Result<(), Rejection> {
        if header(headers, "Authorization").is_none_or(str::is_empty) {
            return Err(Rejection::TokenNotFound);
        }
        for name in ["X-TIMESTAMP", "X-SIGNATURE", "X-PARTNER-ID", "X-EXTERNAL-ID"] {
            if header(headers, name).is_none_or(str::is_empty) {
                return Err(Rejection::MissingField(name.into()));
            }
        }
        let get = |name| header(headers, name).unwrap_or_default();
        let token = get("Authorization")
            .strip_prefix("Bearer ")
            .ok_or(Rejection::InvalidToken)?;
        match self.tokens.get(token) {
            Some(&exp) if exp > now.unix_seconds() => {}
            _ => return Err(Rejection::InvalidToken),
        }
        if get("X-PARTNER-ID") != self.config.client_id {
            return Err(Rejection::Unauthorized("Unknown client".into()));
        }
        let timestamp = get("X-TIMESTAMP");
        let instant = Timestamp::parse(timestamp).map_err(|_| Rejection::InvalidField("X-TIMESTAMP".into()))?;
        if (instant.unix_seconds() - now.unix_seconds()).unsigned_abs() > u64::from(self.config.max_skew_seconds) {
            return Err(Rejection::InvalidField("X-TIMESTAMP".into()));
        }
        let external_id = get("X-EXTERNAL-ID");
        if external_id.len() > MAX_EXTERNAL_ID_LEN || !external_id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Rejection::InvalidField("X-EXTERNAL-ID".into()));
        }
        let signature = get("X-SIGNATURE");
        let verifies = |path: &str| {
            self.signer
                .verify_transaction(Method::Post, path, token, body, timestamp, signature)
                .is_ok()
        };
        if !verifies(snap_path) && (snap_path == received_path || !verifies(received_path)) {
            return Err(Rejection::Unauthorized("Signature".into()));
        }
        self.remember_external_id(get("X-PARTNER-ID"), external_id, now)
    }

    /// Records `(partner, id)` for today; a repeat within the same Jakarta day is a conflict.
    fn remember_external_id(&mut self, partner: &str, id: &str, now: Timestamp) -> std::result::Result<(), Rejection> {
        let today = jakarta_day(now);
        let key = (partner.to_owned(), id.to_owned());
        if self.seen.get(&key) == Some(&today) {
            return Err(Rejection::DuplicateExternalId);
        }
        // The queue is in arrival order: drop ids of earlier days, and the oldest when full.
        while let Some((_, day)) = self.seen_order.front() {
            if *day == today && self.seen.len() < MAX_REMEMBERED_EXTERNAL_IDS {
                break;
            }
            let (old, day) = self.seen_order.pop_front().expect("the front exists");
            if self.seen.get(&old) == Some(&day) {
                self.seen.remove(&old);
            }
        }
        self.seen.insert(key.clone(), today);
        self.seen_order.push_back((key, today));
        Ok(())
    }

    /// The SNAP answer to a verified inquiry, from the merchant's bill lookup.
    pub fn answer_inquiry(&self, request: &VaInquiryRequest, answer: &BillAnswer) -> ServerResponse {
        let data = json!({
            "partnerServiceId": request.partner_service_id,
            "customerNo": request.customer_no,
            "virtualAccountNo": request.virtual_account_no,
            "inquiryRequestId": request.inquiry_request_id,
        });
        bill_answer(Endpoint::VaInquiry, "inquiry", data, answer, |_| true)
    }

    /// The SNAP answer to a verified payment. For [`BillAnswer::Open`] the paid amount must
    /// equal the bill's total (same value and currency); record the payment as done only when
    /// the answer's status is 200.
    pub fn answer_payment(&self, request: &VaPaymentRequest, answer: &BillAnswer) -> ServerResponse {
        let mut data = json!({
            "partnerServiceId": request.partner_service_id,
            "customerNo": request.customer_no,
            "virtualAccountNo": request.virtual_account_no,
            "paymentRequestId": request.payment_request_id,
            "paidAmount": request.paid_amount,
        });
        for (key, value) in [("trxId", &request.trx_id), ("trxDateTime", &request.trx_date_time)] {
            if let Some(v) = value {
                data[key] = json!(v);
            }
        }
        bill_answer(Endpoint::VaPayment, "paymentFlag", data, answer, |bill| {
            request.paid_amount.same_value(&bill.total_amount)
        })
    }

    /// The answer to a verified reversal: `accepted` gives `2002500 Successful`, otherwise
    /// `4042512` (no such paid VA).
    pub fn answer_reversal(&self, _request: &VaReversalRequest, accepted: bool) -> ServerResponse {
        if accepted {
            ServerResponse::snap(200, "2002500".to_owned(), "Successful", json!({}))
        } else {
            Rejection::BillNotFound.response(Some(Endpoint::VaReversal))
        }
    }
}

/// The answer to an inquiry or payment (`status_key` `inquiry` or `paymentFlag`): `200{svc}00`
/// with the bill for an open bill that `accepts`, otherwise the refusal, each with
/// `virtualAccountData` built on `data` (the request's identifiers).
fn bill_answer(
    endpoint: Endpoint,
    status_key: &str,
    mut data: Value,
    answer: &BillAnswer,
    accepts: impl FnOnce(&Bill) -> bool,
) -> ServerResponse {
    let rejection = match answer {
        BillAnswer::Open(bill) if accepts(bill) => {
            data[format!("{status_key}Status")] = json!("00");
            data[format!("{status_key}Reason")] = json!({"english": "Success", "indonesia": "Sukses"});
            data["virtualAccountName"] = json!(bill.virtual_account_name);
            data["totalAmount"] = json!(bill.total_amount);
            if endpoint == Endpoint::VaInquiry {
                data["virtualAccountTrxType"] = json!("C");
            }
            data["additionalInfo"] = json!(bill.additional_info.clone().unwrap_or_default());
            let code = format!("200{}00", endpoint.service_code());
            let fields = json!({"virtualAccountData": data, "additionalInfo": {}});
            return ServerResponse::snap(200, code, "Successful", fields);
        }
        BillAnswer::Open(_) => Rejection::InvalidAmount,
        BillAnswer::NotFound => Rejection::BillNotFound,
        BillAnswer::Paid => Rejection::BillPaid,
        BillAnswer::Expired => Rejection::BillExpired,
    };
    let (english, indonesia) = match rejection {
        Rejection::BillNotFound => ("Bill not found", "Tagihan tidak ditemukan"),
        Rejection::BillPaid => ("Bill has been paid", "Tagihan sudah dibayar"),
        Rejection::BillExpired => ("Bill has expired", "Tagihan sudah kedaluwarsa"),
        Rejection::InvalidAmount => ("Invalid amount", "Jumlah tidak sesuai"),
        _ => ("Failed", "Gagal"),
    };
    data[format!("{status_key}Status")] = json!("01");
    data[format!("{status_key}Reason")] = json!({"english": english, "indonesia": indonesia});
    rejection.response_with(Some(endpoint), json!({ "virtualAccountData": data }))
}

/// Mandatory fields, in the order checked: (name, is an amount object).
const INQUIRY_FIELDS: [(&str, bool); 4] = [
    ("partnerServiceId", false),
    ("customerNo", false),
    ("virtualAccountNo", false),
    ("inquiryRequestId", false),
];
const REVERSAL_FIELDS: [(&str, bool); 1] = [("virtualAccountNo", false)];
const PAYMENT_FIELDS: [(&str, bool); 5] = [
    ("partnerServiceId", false),
    ("customerNo", false),
    ("virtualAccountNo", false),
    ("paymentRequestId", false),
    ("paidAmount", true),
];

/// Parses a verified body, naming the first missing or malformed field.
fn parse_request<T: serde::de::DeserializeOwned>(
    body: &[u8],
    mandatory: &[(&str, bool)],
) -> std::result::Result<T, Rejection> {
    let value: Value = serde_json::from_slice(body).map_err(|_| Rejection::BadRequest)?;
    let Value::Object(map) = &value else {
        return Err(Rejection::BadRequest);
    };
    for &(name, is_amount) in mandatory {
        match map.get(name) {
            None | Some(Value::Null) => return Err(Rejection::MissingField(name.into())),
            Some(Value::String(s)) if !is_amount => {
                if s.trim().is_empty() {
                    return Err(Rejection::MissingField(name.into()));
                }
            }
            Some(v @ Value::Object(_)) if is_amount => {
                let amount: Amount =
                    serde_json::from_value(v.clone()).map_err(|_| Rejection::InvalidField(name.into()))?;
                amount.validate().map_err(|_| Rejection::InvalidField(name.into()))?;
            }
            Some(_) => return Err(Rejection::InvalidField(name.into())),
        }
    }
    serde_json::from_value(value).map_err(|e| {
        // Name the field serde choked on when it says which.
        let text = e.to_string();
        let field = text.split('`').nth(1).unwrap_or("body").to_owned();
        Rejection::InvalidField(field)
    })
}

#[cfg(test)]
mod tests;
