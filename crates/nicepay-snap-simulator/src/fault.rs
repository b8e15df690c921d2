//! Fault injection for money-safety tests: latency, canned error answers before or after the
//! request is applied, and dropped connections.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::error::SimulatorError;
use crate::snap::{snap_body_response, NICEPAY_PREFIX};

/// Closes the connection a request arrived on (no response is written). The server puts one
/// in every request's extensions.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConnKill(Arc<Notify>);

impl ConnKill {
    /// Closes the connection.
    pub(crate) fn fire(&self) {
        self.0.notify_one();
    }

    /// Resolves once [`ConnKill::fire`] was called.
    pub(crate) async fn fired(&self) {
        self.0.notified().await;
    }
}

/// What a matching fault does to a SNAP request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum FaultKind {
    /// Nothing but the configured latency.
    #[default]
    None,
    /// Answer with the fault's status/code **without** applying the request.
    RespondBefore,
    /// Apply the request (e.g. record the refund), then answer with the fault's status/code
    /// instead of the real response.
    RespondAfter,
    /// Close the connection without any response and without applying the request.
    DropBefore,
    /// Apply the request, then close the connection without any response: the client sees a
    /// transport error although the money moved.
    DropAfter,
    /// Apply the request first, then wait `latencyMs` before answering normally: a client with
    /// a shorter timeout gives up although the request was certainly applied. (For every other
    /// kind the latency comes before the request is handled.)
    DelayAfter,
}

/// One fault-injection rule, as accepted by `POST /__admin/faults` and
/// [`SimulatorHandle::set_fault`](crate::SimulatorHandle::set_fault).
///
/// JSON (camelCase, unknown keys rejected):
/// `{"path":"/api/v1.0/qr/qr-mpm-refund","kind":"respondAfter","status":504,"times":1}`.
/// Omitted `responseCode` defaults to `{status}{service code}00`; omitted `responseMessage` to
/// the usual SNAP text for the status (`General Error`, `Request Timeout`, ...).
///
/// ```
/// use nicepay_snap_simulator::{Fault, FaultKind};
/// let f = Fault::respond_after("/api/v1.0/qr/qr-mpm-refund", 504).times(1);
/// assert_eq!(f.kind, FaultKind::RespondAfter);
/// let json = serde_json::to_string(&f).unwrap();
/// assert_eq!(
///     json,
///     r#"{"path":"/api/v1.0/qr/qr-mpm-refund","kind":"respondAfter","latencyMs":0,"status":504,"times":1}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Fault {
    /// Path the rule applies to, with or without the `/nicepay` prefix
    /// (`/api/v1.0/qr/qr-mpm-refund`, `/v1.0/access-token/b2b`); absent or `"*"` = every SNAP path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What to do.
    #[serde(default)]
    pub kind: FaultKind,
    /// Delay added before the request is handled, in milliseconds.
    #[serde(default)]
    pub latency_ms: u64,
    /// HTTP status for `respondBefore` / `respondAfter` (e.g. 500, 504, 202).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// `responseCode` to answer with (default `{status}{svc}00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_code: Option<String>,
    /// `responseMessage` to answer with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_message: Option<String>,
    /// How many matching requests the rule affects; absent = until cleared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
}

impl Fault {
    fn with_kind(path: &str, kind: FaultKind) -> Self {
        Self {
            path: Some(path.to_owned()),
            kind,
            ..Self::default()
        }
    }

    /// Only latency, on `path` (`"*"` for every path).
    pub fn latency(path: &str, millis: u64) -> Self {
        Self::with_kind(path, FaultKind::None).latency_ms(millis)
    }

    /// Answer `status` without applying the request.
    pub fn respond_before(path: &str, status: u16) -> Self {
        Self {
            status: Some(status),
            ..Self::with_kind(path, FaultKind::RespondBefore)
        }
    }

    /// Apply the request, then answer `status`.
    pub fn respond_after(path: &str, status: u16) -> Self {
        Self {
            status: Some(status),
            ..Self::with_kind(path, FaultKind::RespondAfter)
        }
    }

    /// Close the connection without applying the request.
    pub fn drop_before(path: &str) -> Self {
        Self::with_kind(path, FaultKind::DropBefore)
    }

    /// Apply the request, then close the connection without a response.
    pub fn drop_after(path: &str) -> Self {
        Self::with_kind(path, FaultKind::DropAfter)
    }

    /// Apply the request, then wait `millis` before answering normally.
    pub fn delay_after(path: &str, millis: u64) -> Self {
        Self::with_kind(path, FaultKind::DelayAfter).latency_ms(millis)
    }

    setters! {
        /// Limits the rule to the next `n` matching requests.
        times(n: u32) => times = Some(n);
        /// Adds latency (milliseconds) to matching requests.
        latency_ms(millis: u64) => latency_ms = millis;
    }

    /// Sets an explicit `responseCode` and `responseMessage`.
    pub fn with_code(mut self, response_code: &str, response_message: &str) -> Self {
        self.response_code = Some(response_code.to_owned());
        self.response_message = Some(response_message.to_owned());
        self
    }

    /// Checks the rule is usable.
    pub(crate) fn validate(&self) -> Result<(), SimulatorError> {
        let bad = |why: &str| Err(SimulatorError::InvalidFault(why.to_owned()));
        if matches!(self.kind, FaultKind::RespondBefore | FaultKind::RespondAfter) {
            match self.status {
                Some(s) if (100..=599).contains(&s) => {}
                _ => return bad("respondBefore/respondAfter need a status between 100 and 599"),
            }
        }
        if let Some(code) = &self.response_code {
            if code.len() != 7 || !code.bytes().all(|b| b.is_ascii_digit()) {
                return bad("responseCode must be 7 digits");
            }
        }
        if self.times == Some(0) {
            return bad("times must be at least 1 (omit it for 'until cleared')");
        }
        if self.latency_ms > 600_000 {
            return bad("latencyMs must be at most 600000");
        }
        Ok(())
    }

    /// The path in signed form, or `None` for "every path".
    fn normalized_path(&self) -> Option<String> {
        let p = self.path.as_deref()?.trim();
        if p.is_empty() || p == "*" {
            return None;
        }
        Some(signed_path(p).trim_end_matches('/').to_owned())
    }
}

/// A stored rule with its remaining count.
#[derive(Debug, Clone)]
pub(crate) struct FaultRule {
    fault: Fault,
    path: Option<String>,
}

impl FaultRule {
    pub(crate) fn new(fault: Fault) -> Self {
        Self {
            path: fault.normalized_path(),
            fault,
        }
    }

    pub(crate) fn to_fault(&self) -> Fault {
        self.fault.clone()
    }
}

/// Takes one use of the first rule matching `signed_path`.
pub(crate) fn take_matching(rules: &mut Vec<FaultRule>, signed_path: &str) -> Option<Fault> {
    let idx = rules
        .iter()
        .position(|r| r.path.as_deref().is_none_or(|p| p == signed_path))?;
    let rule = &mut rules[idx];
    let taken = rule.fault.clone();
    if let Some(n) = rule.fault.times.as_mut() {
        *n = n.saturating_sub(1);
        if *n == 0 {
            rules.remove(idx);
        }
    }
    Some(taken)
}

fn default_message(status: u16) -> &'static str {
    match status {
        200 => "Successful",
        202 => "Request In Progress",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Transaction Not Permitted",
        404 => "Transaction Not Found",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "General Error",
        503 => "Service Unavailable",
        504 => "Request Timeout",
        _ => "Simulated Fault",
    }
}

fn fault_response(fault: &Fault, service_code: &str) -> Response {
    let status = fault.status.unwrap_or(500);
    let code = fault
        .response_code
        .clone()
        .unwrap_or_else(|| format!("{status:03}{service_code}00"));
    let message = fault
        .response_message
        .clone()
        .unwrap_or_else(|| default_message(status).to_owned());
    snap_body_response(status, &code, &message)
}

/// Closes the connection carrying this request without answering.
async fn drop_connection(kill: Option<ConnKill>) -> Response {
    if let Some(kill) = kill {
        kill.fire();
        // The connection task drops this future together with the connection.
        std::future::pending::<()>().await;
    }
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// Runs `apply` (one SNAP request of service `service_code`) as the matching `fault` (taken
/// with [`take_matching`]) says: with latency, answered instead, or with the connection `kill`ed.
pub(crate) async fn around(
    fault: Option<Fault>,
    service_code: &str,
    kill: Option<ConnKill>,
    apply: impl FnOnce() -> Response,
) -> Response {
    let Some(fault) = fault else {
        return apply();
    };
    let latency = Duration::from_millis(fault.latency_ms);
    if fault.kind != FaultKind::DelayAfter && !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match fault.kind {
        FaultKind::RespondBefore => fault_response(&fault, service_code),
        FaultKind::RespondAfter => {
            let _applied = apply();
            fault_response(&fault, service_code)
        }
        FaultKind::DropBefore => drop_connection(kill).await,
        FaultKind::DropAfter => {
            let _applied = apply();
            drop_connection(kill).await
        }
        FaultKind::DelayAfter => {
            let response = apply();
            tokio::time::sleep(latency).await;
            response
        }
        FaultKind::None => apply(),
    }
}

/// The signed form of a request path (without `/nicepay`).
pub(crate) fn signed_path(path: &str) -> &str {
    match path.strip_prefix(NICEPAY_PREFIX) {
        Some(rest) if rest.starts_with('/') => rest,
        _ => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_consumed_in_order() {
        let mut rules = vec![
            FaultRule::new(Fault::respond_before("/nicepay/api/v1.0/qr/qr-mpm-refund", 500).times(2)),
            FaultRule::new(Fault::latency("*", 5)),
        ];
        let p = "/api/v1.0/qr/qr-mpm-refund";
        assert_eq!(take_matching(&mut rules, p).unwrap().kind, FaultKind::RespondBefore);
        assert_eq!(take_matching(&mut rules, p).unwrap().kind, FaultKind::RespondBefore);
        assert_eq!(take_matching(&mut rules, p).unwrap().kind, FaultKind::None);
        assert_eq!(rules.len(), 1);
        assert_eq!(
            take_matching(&mut rules, "/v1.0/access-token/b2b").unwrap().latency_ms,
            5
        );
    }

    #[test]
    fn validation() {
        assert!(Fault::respond_after("*", 504).validate().is_ok());
        assert!(Fault::respond_after("*", 42).validate().is_err());
        assert!(Fault::drop_after("*").times(0).validate().is_err());
        assert!(Fault::respond_before("*", 500)
            .with_code("50078", "x")
            .validate()
            .is_err());
        let parsed: Fault = serde_json::from_str(r#"{"kind":"dropAfter","path":"*"}"#).unwrap();
        assert_eq!(parsed, Fault::drop_after("*"));
        assert!(serde_json::from_str::<Fault>(r#"{"kind":"dropAfter","pth":"*"}"#).is_err());
    }
}
