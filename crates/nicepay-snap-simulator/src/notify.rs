//! Delivery of signed notifications to the merchant (spec §8.1), loopback only.

use std::time::Duration;

use nicepay_snap::api::notification::sign_notification;
use nicepay_snap::{Amount, PrivateKey};
use serde::{Deserialize, Serialize};

use crate::error::SimulatorError;
use crate::util;

/// A notification ready to send.
#[derive(Debug)]
pub(crate) struct PendingNotification {
    pub(crate) url: String,
    pub(crate) client_id: String,
    pub(crate) body: Vec<u8>,
}

impl PendingNotification {
    /// The notification of `client_id`'s transaction to `url` (none without a URL), with `body`
    /// serialized as JSON.
    pub(crate) fn json(
        url: Option<&String>,
        client_id: &str,
        body: &impl Serialize,
    ) -> Result<Option<Self>, SimulatorError> {
        let Some(url) = url else {
            return Ok(None);
        };
        Ok(Some(Self {
            url: url.clone(),
            client_id: client_id.to_owned(),
            body: serde_json::to_vec(body).map_err(|e| SimulatorError::Internal(e.to_string()))?,
        }))
    }
}

/// A notification's amount from minor units.
pub(crate) fn amount(minor: u64) -> Result<Amount, SimulatorError> {
    Amount::from_minor_units(minor).map_err(|e| SimulatorError::Internal(e.to_string()))
}

/// What happened when the simulator posted a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NotificationDelivery {
    /// Target URL (`additionalInfo.dbProcessUrl`).
    pub url: String,
    /// `true` when the merchant answered with a 2xx status.
    pub delivered: bool,
    /// HTTP status the merchant answered with, if it answered.
    pub http_status: Option<u16>,
    /// The merchant's response body (lossy UTF-8, at most 4 KiB).
    pub response_body: Option<String>,
    /// Why nothing was delivered (connection refused, non-loopback URL, ...).
    pub error: Option<String>,
    /// `X-TIMESTAMP` that was sent.
    pub timestamp: Option<String>,
    /// The exact body that was sent.
    pub body: String,
}

/// Per-notification timeout.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Signs (with `key`) and posts a notification over `http`. Never fails: the outcome is
/// described in the result.
pub(crate) async fn deliver(http: &reqwest::Client, key: &PrivateKey, n: PendingNotification) -> NotificationDelivery {
    let body_text = String::from_utf8_lossy(&n.body).into_owned();
    let mut out = NotificationDelivery {
        url: n.url.clone(),
        delivered: false,
        http_status: None,
        response_body: None,
        error: None,
        timestamp: None,
        body: body_text,
    };
    if !util::is_loopback_http_url(&n.url) {
        out.error = Some("not delivered: the simulator only posts to http:// loopback URLs".into());
        return out;
    }
    let timestamp = util::now_timestamp().to_string();
    let signature = match sign_notification(key, &n.client_id, &timestamp) {
        Ok(s) => s,
        Err(e) => {
            out.error = Some(format!("signing failed: {e}"));
            return out;
        }
    };
    out.timestamp = Some(timestamp.clone());
    let result = http
        .post(&n.url)
        .timeout(TIMEOUT)
        .header("Content-Type", "application/json")
        .header("X-TIMESTAMP", &timestamp)
        .header("X-CLIENT-KEY", &n.client_id)
        .header("X-SIGNATURE", signature)
        .body(n.body)
        .send()
        .await;
    match result {
        Ok(resp) => {
            let status = resp.status().as_u16();
            out.http_status = Some(status);
            out.delivered = (200..300).contains(&status);
            match resp.bytes().await {
                Ok(bytes) => {
                    let cut = &bytes[..bytes.len().min(4096)];
                    out.response_body = Some(String::from_utf8_lossy(cut).into_owned());
                }
                Err(e) => out.error = Some(format!("reading the response failed: {e}")),
            }
        }
        Err(e) => out.error = Some(format!("request failed: {e}")),
    }
    out
}
