//! The non-SNAP admin API under `/__admin`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State as Extract};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{Json, Router};
use nicepay_snap::Timestamp;
use serde_json::json;

use crate::error::SimulatorError;
use crate::ewallet::{self, Ewallet};
use crate::fault::{Fault, FaultRule};
use crate::ledger::{Ledger, Payable, PaymentOutcome};
use crate::notify::{self, NotificationAttempt, NotificationDelivery, PendingNotification};
use crate::qris::{self, Qris};
use crate::state::{Shared, State};
use crate::va::{self, Va};

impl IntoResponse for SimulatorError {
    fn into_response(self) -> Response {
        let status = match &self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::InvalidFault(_) | Self::InvalidInput(_) | Self::Config { .. } => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, Json(json!({ "error": self.to_string() }))).into_response()
    }
}

/// Adds fault rules (validated first; all or nothing).
pub(crate) fn add_faults(shared: &Shared, faults: Vec<Fault>) -> Result<(), SimulatorError> {
    for f in &faults {
        f.validate()?;
    }
    shared.lock().faults.extend(faults.into_iter().map(FaultRule::new));
    Ok(())
}

fn faults_json(shared: &Shared) -> Response {
    let faults: Vec<Fault> = shared.lock().faults.iter().map(FaultRule::to_fault).collect();
    Json(json!({ "faults": faults })).into_response()
}

/// How the customer acts on a record (`qris::pay`, `va::pay`, `ewallet::approve`, ...).
pub(crate) type Act<T> = fn(&mut T, Timestamp) -> Result<(), (&'static str, &'static str)>;

/// The customer acts on record `id` of product `T`; the notification is delivered after the
/// state lock is released. Returns the outcome and where to send the customer back to.
pub(crate) async fn settle<T: Payable>(
    shared: &Arc<Shared>,
    id: &str,
    act: Act<T>,
) -> Result<(PaymentOutcome, Option<String>), SimulatorError>
where
    State: AsMut<Ledger<T>>,
{
    settle_checked(shared, id, act, |_| Ok(())).await
}

/// [`settle`], after `check` passed under the same lock (nothing changes when it fails).
pub(crate) async fn settle_checked<T: Payable>(
    shared: &Arc<Shared>,
    id: &str,
    act: Act<T>,
    check: impl FnOnce(&Ledger<T>) -> Result<(), SimulatorError>,
) -> Result<(PaymentOutcome, Option<String>), SimulatorError>
where
    State: AsMut<Ledger<T>>,
{
    let settled = {
        let mut state = shared.lock();
        let ledger = AsMut::<Ledger<T>>::as_mut(&mut *state);
        check(ledger)?;
        ledger.settle(id, act)?
    };
    let notification = deliver(shared, settled.notification).await;
    Ok((
        PaymentOutcome {
            notification,
            ..settled.outcome
        },
        settled.return_url,
    ))
}

/// The customer transfers `paid_minor` (default: the bill) to virtual account `id`. NICEPAY's
/// VAs are closed-amount bills: the bank refuses any other amount, and nothing changes.
pub(crate) async fn pay_va(
    shared: &Arc<Shared>,
    id: &str,
    paid_minor: Option<u64>,
) -> Result<PaymentOutcome, SimulatorError> {
    let check = |ledger: &Ledger<Va>| match paid_minor {
        Some(paid) => va::check_transfer(ledger, id, paid),
        None => Ok(()),
    };
    settle_checked(shared, id, va::pay, check)
        .await
        .map(|(outcome, _)| outcome)
}

/// Expires pending record `id` of product `T` (no notification: NICEPAY sends none for it).
pub(crate) fn expire<T: Payable>(shared: &Shared, id: &str, act: Act<T>) -> Result<PaymentOutcome, SimulatorError>
where
    State: AsMut<Ledger<T>>,
{
    let settled = AsMut::<Ledger<T>>::as_mut(&mut *shared.lock()).settle(id, act)?;
    Ok(settled.outcome)
}

/// Approves or rejects pending payout `id` as the merchant's SNAP call would (the dashboard's
/// buttons), then delivers its notification.
pub(crate) fn decide_payout(shared: &Arc<Shared>, id: &str, approve: bool) -> Result<(), SimulatorError> {
    shared
        .lock()
        .payout
        .decide(crate::payout::SERVICE_CODE, id, approve)
        .map_err(|e| match e.status {
            404 => SimulatorError::NotFound(format!("payout {}", nicepay_snap::error::echo(id))),
            _ => SimulatorError::Conflict(format!("payout {}: {}", nicepay_snap::error::echo(id), e.message)),
        })?;
    deliver_payout_outbox(shared);
    Ok(())
}

/// Sends the notification of record `id` of product `T` again, as NICEPAY retries do.
pub(crate) async fn renotify<T: Payable>(
    shared: &Arc<Shared>,
    id: &str,
) -> Result<Option<NotificationDelivery>, SimulatorError>
where
    State: AsMut<Ledger<T>>,
{
    let pending = AsMut::<Ledger<T>>::as_mut(&mut *shared.lock()).renotify(id)?;
    Ok(deliver(shared, pending).await)
}

async fn deliver(shared: &Arc<Shared>, pending: Option<PendingNotification>) -> Option<NotificationDelivery> {
    match pending {
        Some(p) => Some(notify_merchant(shared, p).await),
        None => None,
    }
}

/// Posts `pending` (attempt 1) and records it; when the merchant does not acknowledge it, a
/// task of its own posts it again on the retry schedule until one attempt is acknowledged.
pub(crate) async fn notify_merchant(shared: &Arc<Shared>, pending: PendingNotification) -> NotificationDelivery {
    let id = crate::util::next_seq();
    let first = attempt(shared, id, &pending, 1).await;
    if first.retry_in_ms.is_some() {
        let shared = Arc::clone(shared);
        tokio::spawn(async move {
            let mut stop = shared.stop.subscribe();
            let schedule = shared.settings.tunables.notification_retries.clone();
            for (n, delay) in (2u32..).zip(schedule) {
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    _ = stop.wait_for(|s| *s) => return,
                }
                if attempt(&shared, id, &pending, n).await.retry_in_ms.is_none() {
                    return;
                }
            }
        });
    }
    first
}

/// Attempt `n` of notification `id`: posts it and records it in the notification log (and a
/// payout's in the payout deliveries).
async fn attempt(shared: &Shared, id: u64, pending: &PendingNotification, n: u32) -> NotificationDelivery {
    let mut delivery = notify::deliver(&shared.http, &shared.settings.notification_key, pending).await;
    delivery.attempt = n;
    if !delivery.delivered && delivery.was_sent() {
        let retries = &shared.settings.tunables.notification_retries;
        delivery.retry_in_ms = usize::try_from(n)
            .ok()
            .and_then(|n| retries.get(n - 1))
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    }
    let (product, reference_no) = &pending.subject;
    let mut state = shared.lock();
    if *product == "payout" {
        state.payout.deliveries.push(delivery.clone());
    }
    state.notifications.record(NotificationAttempt {
        notification_id: id,
        product: (*product).to_owned(),
        reference_no: reference_no.clone(),
        delivery: delivery.clone(),
    });
    delivery
}

/// `POST /__admin/{product}/{id}/pay` (answers the [`PaymentOutcome`]), or with `page` the
/// simulated wallet page `GET /__sim/ewallet/{referenceNo}/{approve,cancel}`, which answers
/// `303 See Other` to the `PAY_RETURN` URL (the outcome JSON without one).
fn settle_route<T: Payable + Send + 'static>(act: Act<T>, page: bool) -> MethodRouter<Arc<Shared>>
where
    State: AsMut<Ledger<T>>,
{
    let handler = move |Extract(shared): Extract<Arc<Shared>>, Path(id): Path<String>| async move {
        match settle(&shared, &id, act).await {
            Ok((_, Some(return_url))) if page => {
                (StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, return_url)]).into_response()
            }
            Ok((outcome, _)) => Json(outcome).into_response(),
            Err(e) => e.into_response(),
        }
    };
    if page {
        get(handler)
    } else {
        post(handler)
    }
}

/// `POST /__admin/{product}/{id}/notify`: answers `{"{id_name}":id,"notification":...}`.
fn notify_route<T: Payable + Send + 'static>(id_name: &'static str) -> MethodRouter<Arc<Shared>>
where
    State: AsMut<Ledger<T>>,
{
    post(
        move |Extract(shared): Extract<Arc<Shared>>, Path(id): Path<String>| async move {
            match renotify::<T>(&shared, &id).await {
                Ok(delivery) => Json(json!({ id_name: id, "notification": delivery })).into_response(),
                Err(e) => e.into_response(),
            }
        },
    )
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BalanceBody {
    available_balance: String,
    #[serde(default)]
    client_id: Option<String>,
}

/// The client named in a balance body, if any, and the balance in minor units; or why the body
/// is not one.
fn parse_balance(body: &[u8]) -> Result<(Option<String>, u64), String> {
    let parsed: BalanceBody = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    Ok((parsed.client_id, parse_amount(&parsed.available_balance)?))
}

/// An IDR amount such as `"10000.00"` in minor units, or why it is not one (negative, too
/// large, not a number, more than two decimals).
pub(crate) fn parse_amount(text: &str) -> Result<u64, String> {
    nicepay_snap::Amount::idr(text)
        .and_then(|a| a.minor_units())
        .map_err(|e| e.to_string())
}

fn balance_json(shared: &Shared) -> Response {
    let balances = shared.lock().payout.balances(&shared.settings.client_ids());
    Json(json!({ "payoutBalances": balances })).into_response()
}

async fn get_balance(Extract(shared): Extract<Arc<Shared>>) -> Response {
    balance_json(&shared)
}

async fn set_balance(Extract(shared): Extract<Arc<Shared>>, body: Bytes) -> Response {
    let (client_id, minor) = match parse_balance(&body) {
        Ok(parsed) => parsed,
        Err(reason) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({ "error": nicepay_snap::error::bound_reason(reason) })),
            )
                .into_response()
        }
    };
    let client_id = client_id.unwrap_or_else(|| shared.info.client_id.clone());
    if shared.settings.client(&client_id).is_none() {
        return SimulatorError::NotFound(format!("client {}", nicepay_snap::error::echo(&client_id))).into_response();
    }
    shared.lock().payout.set_balance(&client_id, minor);
    balance_json(&shared)
}

async fn state(Extract(shared): Extract<Arc<Shared>>) -> Response {
    let snapshot = shared.lock().snapshot(&shared.settings);
    Json(snapshot).into_response()
}

async fn info(Extract(shared): Extract<Arc<Shared>>) -> Response {
    Json(shared.info.clone()).into_response()
}

async fn list_faults(Extract(shared): Extract<Arc<Shared>>) -> Response {
    faults_json(&shared)
}

async fn post_faults(Extract(shared): Extract<Arc<Shared>>, body: Bytes) -> Response {
    let faults = match serde_json::from_slice::<Vec<Fault>>(&body) {
        Ok(list) => Ok(list),
        Err(_) => serde_json::from_slice::<Fault>(&body).map(|f| vec![f]),
    };
    let faults = match faults {
        Ok(f) => f,
        Err(e) => return SimulatorError::InvalidFault(e.to_string()).into_response(),
    };
    match add_faults(&shared, faults) {
        Ok(()) => faults_json(&shared),
        Err(e) => e.into_response(),
    }
}

/// Removes fault rule number `index` (0-based, as listed) and returns it.
pub(crate) fn remove_fault(shared: &Shared, index: &str) -> Result<Fault, SimulatorError> {
    let mut state = shared.lock();
    match index.parse::<usize>() {
        Ok(i) if i < state.faults.len() => Ok(state.faults.remove(i).to_fault()),
        _ => Err(SimulatorError::NotFound(format!(
            "fault rule {}",
            nicepay_snap::error::echo(index)
        ))),
    }
}

/// `DELETE /__admin/faults/{index}`: removes one rule; answers the rules left.
async fn delete_fault(Extract(shared): Extract<Arc<Shared>>, Path(index): Path<String>) -> Response {
    match remove_fault(&shared, &index) {
        Ok(_) => faults_json(&shared),
        Err(e) => e.into_response(),
    }
}

async fn clear_faults(Extract(shared): Extract<Arc<Shared>>) -> Response {
    shared.lock().faults.clear();
    faults_json(&shared)
}

async fn expire_tokens(Extract(shared): Extract<Arc<Shared>>) -> Response {
    shared.lock().expire_tokens();
    Json(json!({ "expired": true })).into_response()
}

async fn shutdown(Extract(shared): Extract<Arc<Shared>>) -> Response {
    let stop = shared.stop.clone();
    tokio::spawn(async move {
        // Let this answer reach the caller before connections are closed.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let _ = stop.send(true);
    });
    Json(json!({ "shuttingDown": true })).into_response()
}

/// The admin routes.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/__admin/qris/{id}/pay", settle_route::<Qris>(qris::pay, false))
        .route("/__admin/qris/{id}/notify", notify_route::<Qris>("referenceNo"))
        .route("/__admin/va/{id}/pay", post(pay_va_route))
        .route("/__admin/va/{id}/notify", notify_route::<Va>("id"))
        .route(
            "/__admin/ewallet/{id}/pay",
            settle_route::<Ewallet>(ewallet::approve, false),
        )
        .route("/__admin/ewallet/{id}/notify", notify_route::<Ewallet>("referenceNo"))
        .route(
            "/__sim/ewallet/{id}/approve",
            settle_route::<Ewallet>(ewallet::approve, true),
        )
        .route(
            "/__sim/ewallet/{id}/cancel",
            settle_route::<Ewallet>(ewallet::decline, true),
        )
        .route("/__admin/payout/balance", get(get_balance).post(set_balance))
        .route("/__admin/state", get(state))
        .route("/__admin/info", get(info))
        .route(
            "/__admin/faults",
            get(list_faults).post(post_faults).delete(clear_faults),
        )
        .route("/__admin/faults/{index}", axum::routing::delete(delete_fault))
        .route("/__admin/tokens/expire", post(expire_tokens))
        .route("/__admin/shutdown", post(shutdown))
        .route("/__admin/niva/pay", post(niva_pay))
        .route("/__admin/binding/{id}/approve", post(approve_binding))
        .route("/__sim/binding/{id}/approve", get(approve_binding_page))
        .route("/__admin/payout/notification-url", post(set_payout_notification_url))
        .route("/__admin/payout/notifications", get(payout_notifications))
        .route("/__admin/payout/{id}/execute", post(execute_payout))
        .route("/__admin/payout/{id}/approve", post(decide_payout_route::<true>))
        .route("/__admin/payout/{id}/reject", post(decide_payout_route::<false>))
        .route("/__admin/qris/{id}/expire", expire_route::<Qris>(qris::expire))
        .route("/__admin/va/{id}/expire", expire_route::<Va>(va::expire))
        .route("/__admin/ewallet/{id}/expire", expire_route::<Ewallet>(ewallet::expire))
        .route("/__admin/notifications", get(notification_log))
}

/// An admin answer: the value as JSON, or the error.
fn answer<T: serde::Serialize>(result: Result<T, SimulatorError>) -> Response {
    match result {
        Ok(value) => Json(value).into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct VaPayBody {
    /// What the customer transfers (default: the bill).
    #[serde(default)]
    paid_amount: Option<String>,
}

/// `POST /__admin/va/{id}/pay`, optionally with `{"paidAmount":"5000.00"}`: another amount than
/// the bill is refused (`409`, nothing changes).
async fn pay_va_route(Extract(shared): Extract<Arc<Shared>>, Path(id): Path<String>, body: Bytes) -> Response {
    let parsed: VaPayBody = if body.iter().all(u8::is_ascii_whitespace) {
        VaPayBody::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(b) => b,
            Err(e) => return SimulatorError::InvalidInput(e.to_string()).into_response(),
        }
    };
    let paid = match parsed.paid_amount.as_deref().map(parse_amount).transpose() {
        Ok(paid) => paid,
        Err(e) => return SimulatorError::InvalidInput(format!("paidAmount: {e}")).into_response(),
    };
    answer(pay_va(&shared, &id, paid).await)
}

/// `POST /__admin/{product}/{id}/expire`: the pending transaction expires (answers the outcome).
fn expire_route<T: Payable + Send + 'static>(act: Act<T>) -> MethodRouter<Arc<Shared>>
where
    State: AsMut<Ledger<T>>,
{
    post(
        move |Extract(shared): Extract<Arc<Shared>>, Path(id): Path<String>| async move {
            answer(expire(&shared, &id, act))
        },
    )
}

/// `POST /__admin/payout/{id}/{approve,reject}`: as the merchant's SNAP call, without one.
async fn decide_payout_route<const APPROVE: bool>(
    Extract(shared): Extract<Arc<Shared>>,
    Path(id): Path<String>,
) -> Response {
    answer(decide_payout(&shared, &id, APPROVE).map(|()| {
        let payout = shared
            .lock()
            .payout
            .snapshot()
            .into_iter()
            .find(|p| p.reference_no == id);
        json!({ "payout": payout })
    }))
}

/// `GET /__admin/notifications`: every notification attempt, oldest first.
async fn notification_log(Extract(shared): Extract<Arc<Shared>>) -> Response {
    let attempts = shared.lock().notifications.attempts();
    Json(json!({ "notifications": attempts })).into_response()
}

/// Posts the queued payout notifications from tasks of their own (after a SNAP call released
/// the state lock), recording each delivery.
pub(crate) fn deliver_payout_outbox(shared: &Arc<Shared>) {
    let pending = std::mem::take(&mut shared.lock().payout.outbox);
    for p in pending {
        let shared = Arc::clone(shared);
        tokio::spawn(async move { notify_merchant(&shared, p).await });
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NotificationUrlBody {
    /// `""` or absent clears it.
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    client_id: Option<String>,
}

/// `POST /__admin/payout/notification-url` `{"url": "http://127.0.0.1:…/notify", "clientId"?}`:
/// where the merchant receives payout result notifications (NICEPAY sets it at onboarding).
async fn set_payout_notification_url(Extract(shared): Extract<Arc<Shared>>, body: Bytes) -> Response {
    let parsed: NotificationUrlBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            return SimulatorError::Config {
                field: "body",
                reason: nicepay_snap::error::bound_reason(e.to_string()),
            }
            .into_response()
        }
    };
    let url = parsed.url.filter(|u| !u.is_empty());
    if let Some(u) = &url {
        if !crate::util::is_http_url(u) {
            return SimulatorError::Config {
                field: "url",
                reason: "must be an absolute http:// or https:// URL".into(),
            }
            .into_response();
        }
    }
    let client_id = parsed.client_id.unwrap_or_else(|| shared.info.client_id.clone());
    if shared.settings.client(&client_id).is_none() {
        return SimulatorError::NotFound(format!("client {}", nicepay_snap::error::echo(&client_id))).into_response();
    }
    shared.lock().payout.set_notify_url(&client_id, url.clone());
    Json(json!({ "clientId": client_id, "url": url })).into_response()
}

/// `GET /__admin/payout/notifications`: every payout notification delivery, oldest first.
async fn payout_notifications(Extract(shared): Extract<Arc<Shared>>) -> Response {
    let deliveries = shared.lock().payout.deliveries.clone();
    Json(json!({ "notifications": deliveries })).into_response()
}

/// Executes scheduled payout `id` and delivers its notification (if the merchant has a URL).
pub(crate) async fn execute_scheduled_payout(
    shared: &Arc<Shared>,
    id: &str,
) -> Result<Option<NotificationDelivery>, SimulatorError> {
    let pending = {
        let mut state = shared.lock();
        state.payout.execute(id)?;
        std::mem::take(&mut state.payout.outbox)
    };
    let mut delivered = None;
    for p in pending {
        delivered = Some(notify_merchant(shared, p).await);
    }
    Ok(delivered)
}

/// `POST /__admin/payout/{id}/execute`: executes an approved scheduled payout; answers
/// `{"referenceNo": id, "notification": delivery or null}`.
async fn execute_payout(Extract(shared): Extract<Arc<Shared>>, Path(id): Path<String>) -> Response {
    match execute_scheduled_payout(&shared, &id).await {
        Ok(delivered) => Json(json!({ "referenceNo": id, "notification": delivered })).into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NivaBody {
    merchant: crate::niva::NivaMerchant,
    payment: crate::niva::NivaPayment,
}

/// `POST /__admin/niva/pay`: the simulator plays NICEPAY against a merchant's NIVA server
/// (`{"merchant":{baseUrl,clientId,clientSecret},"payment":{partnerServiceId,customerNo,...}}`)
/// and answers the whole exchange.
async fn niva_pay(Extract(shared): Extract<Arc<Shared>>, body: Bytes) -> Response {
    let parsed: NivaBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({ "error": nicepay_snap::error::bound_reason(e.to_string()) })),
            )
                .into_response()
        }
    };
    let run = crate::niva::run_with(
        &shared.http,
        &shared.settings.notification_key,
        &parsed.merchant,
        &parsed.payment,
    )
    .await;
    Json(run).into_response()
}

/// `POST /__admin/binding/{id}/approve`: the customer approves the binding at the e-wallet;
/// answers `{"referenceNo", "authCode", "callbackUrl"}` (the URL the browser would be sent to).
async fn approve_binding(Extract(shared): Extract<Arc<Shared>>, Path(id): Path<String>) -> Response {
    match shared.lock().binding.approve(&id) {
        Ok((code, callback)) => {
            Json(json!({ "referenceNo": id, "authCode": code, "callbackUrl": callback })).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// `GET /__sim/binding/{id}/approve` (the binding's `redirectUrl`): approves and sends the
/// browser to the merchant's callback URL with the auth code.
async fn approve_binding_page(Extract(shared): Extract<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let approved = shared.lock().binding.approve(&id);
    match approved {
        Ok((_, callback)) => (StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, callback)]).into_response(),
        Err(e) => e.into_response(),
    }
}
