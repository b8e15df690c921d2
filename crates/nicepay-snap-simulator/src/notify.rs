//! Delivery of signed notifications to the merchant (spec §8.1), loopback only, with retries.
//!
//! A notification the merchant does not acknowledge (no answer, or an answer other than 2xx)
//! is posted again after each delay of the retry schedule in turn (see
//! [`DEFAULT_NOTIFICATION_RETRY_SCHEDULE`](crate::DEFAULT_NOTIFICATION_RETRY_SCHEDULE)), each
//! time with a fresh `X-TIMESTAMP` and signature and the same body bytes, until one is
//! acknowledged or the schedule is used up. Every attempt is kept in the notification log.

use std::collections::BTreeMap;
use std::time::Duration;

use nicepay_snap::api::notification::sign_notification;
use nicepay_snap::{Amount, PrivateKey};
use serde::{Deserialize, Serialize};

use crate::error::SimulatorError;
use crate::util;

/// A notification ready to send.
#[derive(Debug, Clone)]
pub(crate) struct PendingNotification {
    pub(crate) url: String,
    pub(crate) client_id: String,
    pub(crate) body: Vec<u8>,
    /// The product (`"qris"`, `"va"`, `"ewallet"`, `"payout"`) and the transaction it is about.
    pub(crate) subject: (&'static str, String),
}

impl PendingNotification {
    /// The notification of `client_id`'s transaction `subject` to `url` (none without a URL),
    /// with `body` serialized as JSON.
    pub(crate) fn json(
        url: Option<&String>,
        client_id: &str,
        subject: (&'static str, &str),
        body: &impl Serialize,
    ) -> Result<Option<Self>, SimulatorError> {
        let Some(url) = url else {
            return Ok(None);
        };
        Ok(Some(Self {
            url: url.clone(),
            client_id: client_id.to_owned(),
            body: serde_json::to_vec(body).map_err(|e| SimulatorError::Internal(e.to_string()))?,
            subject: (subject.0, subject.1.to_owned()),
        }))
    }
}

/// A notification's amount from minor units.
pub(crate) fn amount(minor: u64) -> Result<Amount, SimulatorError> {
    Amount::from_minor_units(minor).map_err(|e| SimulatorError::Internal(e.to_string()))
}

/// What happened when the simulator posted a notification (one attempt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NotificationDelivery {
    /// Target URL (`additionalInfo.dbProcessUrl`).
    pub url: String,
    /// `true` when the merchant answered with a 2xx status (acknowledged).
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
    /// Which attempt this was: 1 for the first post, 2 for the first retry, ...
    #[serde(default = "first_attempt")]
    pub attempt: u32,
    /// The request headers that were sent (none when nothing was sent).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Milliseconds from sending the request to the end of the merchant's answer (or failure).
    #[serde(default)]
    pub latency_ms: Option<u64>,
    /// When not acknowledged: milliseconds until the next retry; `None` when none follows.
    #[serde(default)]
    pub retry_in_ms: Option<u64>,
}

fn first_attempt() -> u32 {
    1
}

impl NotificationDelivery {
    /// Whether the request reached the network (so a retry makes sense).
    pub(crate) fn was_sent(&self) -> bool {
        self.timestamp.is_some()
    }
}

/// One line of the notification log: an attempt and what it was about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NotificationAttempt {
    /// Shared by every attempt of one notification.
    pub notification_id: u64,
    /// `qris`, `va`, `ewallet` or `payout`.
    pub product: String,
    /// The transaction (`referenceNo`, or `tXidVA`).
    pub reference_no: String,
    /// The attempt.
    pub delivery: NotificationDelivery,
}

/// The newest notification attempts (at most [`NotificationLog::CAP`]).
#[derive(Debug, Default)]
pub(crate) struct NotificationLog {
    attempts: std::collections::VecDeque<NotificationAttempt>,
}

impl NotificationLog {
    /// Attempts kept; older ones are dropped.
    const CAP: usize = 1000;

    pub(crate) fn record(&mut self, attempt: NotificationAttempt) {
        if self.attempts.len() == Self::CAP {
            self.attempts.pop_front();
        }
        self.attempts.push_back(attempt);
    }

    /// Every kept attempt, oldest first.
    pub(crate) fn attempts(&self) -> Vec<NotificationAttempt> {
        self.attempts.iter().cloned().collect()
    }
}

/// Per-attempt timeout.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Signs (with `key`) and posts a notification over `http`. Never fails: the outcome is
/// described in the result (as attempt 1).
pub(crate) async fn deliver(http: &reqwest::Client, key: &PrivateKey, n: &PendingNotification) -> NotificationDelivery {
    let mut out = NotificationDelivery {
        url: n.url.clone(),
        delivered: false,
        http_status: None,
        response_body: None,
        error: None,
        timestamp: None,
        body: String::from_utf8_lossy(&n.body).into_owned(),
        attempt: 1,
        headers: BTreeMap::new(),
        latency_ms: None,
        retry_in_ms: None,
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
    out.headers = [
        ("Content-Type", "application/json".to_owned()),
        ("X-TIMESTAMP", timestamp.clone()),
        ("X-CLIENT-KEY", n.client_id.clone()),
        ("X-SIGNATURE", signature),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    out.timestamp = Some(timestamp);
    let mut request = http.post(&n.url).timeout(TIMEOUT).body(n.body.clone());
    for (name, value) in &out.headers {
        request = request.header(name, value);
    }
    let started = std::time::Instant::now();
    match request.send().await {
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
    out.latency_ms = Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
    out
}
