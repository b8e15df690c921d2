//! Inbound notifications: signature and freshness checks, typed bodies, acknowledgements.
//!
//! NICEPAY signs notifications with SHA256withRSA over `clientId|X-TIMESTAMP` using its own
//! notification key (not any merchant credential). **The signature does not cover the body**: it
//! proves origin and time only. Check freshness (done here) and confirm the payment with a status
//! query before fulfilling an order.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::canonical::notification_string_to_sign;
use crate::error::{echo, Error, Result};
use crate::http::find_header;
use crate::keys::{PrivateKey, PublicKey};
use crate::timestamp::Timestamp;

/// Default accepted distance between `X-TIMESTAMP` and "now", in seconds.
pub const DEFAULT_MAX_SKEW_SECONDS: u32 = 300;

/// Verifies NICEPAY notifications for one merchant.
#[derive(Debug, Clone)]
pub struct NotificationVerifier {
    public_key: PublicKey,
    client_id: String,
    max_skew_seconds: u32,
}

/// What a verified notification's headers said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedHeaders {
    /// `X-TIMESTAMP` as received.
    pub timestamp: String,
    /// `X-TIMESTAMP` parsed.
    pub instant: Timestamp,
}

impl NotificationVerifier {
    /// A verifier for `client_id` using NICEPAY's notification public key.
    pub fn new(public_key: PublicKey, client_id: impl Into<String>) -> Self {
        Self {
            public_key,
            client_id: client_id.into(),
            max_skew_seconds: DEFAULT_MAX_SKEW_SECONDS,
        }
    }

    /// Changes the freshness window (seconds either side of "now").
    pub fn with_max_skew_seconds(mut self, seconds: u32) -> Self {
        self.max_skew_seconds = seconds;
        self
    }

    /// The configured freshness window.
    pub fn max_skew_seconds(&self) -> u32 {
        self.max_skew_seconds
    }

    /// Checks only the signature over `clientId|timestamp` (timestamp exactly as received).
    pub fn verify_signature(&self, timestamp: &str, signature_b64: &str) -> Result<()> {
        let message = notification_string_to_sign(&self.client_id, timestamp);
        self.public_key
            .verify_base64(message.as_bytes(), signature_b64)
            .map_err(|e| match e {
                Error::SignatureMismatch { .. } => Error::SignatureMismatch {
                    context: "notification signature does not verify with the NICEPAY notification public key".into(),
                },
                other => other,
            })
    }

    /// Checks headers: `X-TIMESTAMP` well-formed and within the window around `now`,
    /// `X-CLIENT-KEY` (when present) equal to our client id, and `X-SIGNATURE` valid.
    pub fn verify_headers(&self, headers: &[(String, String)], now: Timestamp) -> Result<VerifiedHeaders> {
        let get = |name: &str| find_header(headers, name).ok_or_else(|| Error::invalid(name, "header is missing"));
        let timestamp = get("X-TIMESTAMP")?;
        let signature = get("X-SIGNATURE")?;
        if let Some(client_key) = find_header(headers, "X-CLIENT-KEY") {
            if client_key != self.client_id {
                return Err(Error::invalid(
                    "X-CLIENT-KEY",
                    format!("expected {}, got {}", echo(&self.client_id), echo(client_key)),
                ));
            }
        }
        let instant = Timestamp::parse(timestamp)?;
        let skew = (instant.unix_seconds() - now.unix_seconds()).unsigned_abs();
        if skew > u64::from(self.max_skew_seconds) {
            return Err(Error::invalid(
                "X-TIMESTAMP",
                format!("{skew} s away from now, outside the {} s window", self.max_skew_seconds),
            ));
        }
        self.verify_signature(timestamp, signature)?;
        Ok(VerifiedHeaders {
            timestamp: timestamp.to_owned(),
            instant,
        })
    }

    /// Verifies the headers, then parses the body as `T` (e.g. [`super::qris::QrisNotification`]).
    pub fn verify<T: DeserializeOwned>(&self, headers: &[(String, String)], body: &[u8], now: Timestamp) -> Result<T> {
        self.verify_headers(headers, now)?;
        parse_notification(body)
    }
}

/// Parses a notification body (without verifying anything).
pub fn parse_notification<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| Error::decode(0, format!("notification body: {e}"), body.to_vec()))
}

/// Signs a notification the way NICEPAY does (for simulators and tests): base64
/// SHA256withRSA over `clientId|timestamp`.
pub fn sign_notification(key: &PrivateKey, client_id: &str, timestamp: &str) -> Result<String> {
    key.sign_base64(notification_string_to_sign(client_id, timestamp).as_bytes())
}

/// The HTTP answer a merchant returns to a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    /// HTTP status.
    pub status: u16,
    /// JSON body bytes.
    pub body: Vec<u8>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AckBody<'a> {
    response_code: String,
    response_message: &'a str,
}

impl Acknowledgement {
    /// Success: HTTP 200 `{"responseCode":"200{svc}00","responseMessage":"Successful"}`
    /// (generic SNAP practice; NICEPAY's exact expected body is an open question, and its V2
    /// docs treat any HTTP 200 as acknowledged).
    pub fn success(service_code: &str) -> Self {
        Self::build(200, service_code, "00", "Successful")
    }

    /// Rejection for a bad signature: HTTP 401 `401{svc}00` `Unauthorized. Invalid Signature`.
    pub fn unauthorized(service_code: &str) -> Self {
        Self::build(401, service_code, "00", "Unauthorized. Invalid Signature")
    }

    /// Rejection for a malformed notification: HTTP 400 `400{svc}01`.
    pub fn bad_request(service_code: &str, message: &str) -> Self {
        Self::build(400, service_code, "01", message)
    }

    /// A custom acknowledgement.
    pub fn build(status: u16, service_code: &str, case_code: &str, message: &str) -> Self {
        let body = AckBody {
            response_code: format!("{status:03}{service_code}{case_code}"),
            response_message: message,
        };
        Self {
            status,
            body: serde_json::to_vec(&body).expect("ack body serializes"),
        }
    }

    /// The body as text.
    pub fn body_str(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap_or_default()
    }
}
