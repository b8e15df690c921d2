//! The non-SNAP admin API under `/__admin`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::error::SimulatorError;
use crate::fault::{Fault, FaultRule};
use crate::state::Shared;
use crate::{ewallet, qris, va};

impl IntoResponse for SimulatorError {
    fn into_response(self) -> Response {
        let status = match &self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::InvalidFault(_) | Self::Config { .. } => StatusCode::BAD_REQUEST,
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

async fn pay(State(shared): State<Arc<Shared>>, Path(reference_no): Path<String>) -> Response {
    match qris::pay(&shared, &reference_no).await {
        Ok(outcome) => Json(outcome).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn notify(State(shared): State<Arc<Shared>>, Path(reference_no): Path<String>) -> Response {
    match qris::resend_notification(&shared, &reference_no).await {
        Ok(delivery) => Json(json!({ "referenceNo": reference_no, "notification": delivery })).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn pay_va(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    match va::pay(&shared, &id).await {
        Ok(outcome) => Json(outcome).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn pay_ewallet(State(shared): State<Arc<Shared>>, Path(reference_no): Path<String>) -> Response {
    match ewallet::pay(&shared, &reference_no).await {
        Ok((outcome, _)) => Json(outcome).into_response(),
        Err(e) => e.into_response(),
    }
}

/// The simulated wallet page behind `webRedirectUrl`: opening it is the customer approving the
/// payment. Answers `303 See Other` to the `PAY_RETURN` URL (or the outcome JSON without one).
async fn approve_ewallet(State(shared): State<Arc<Shared>>, Path(reference_no): Path<String>) -> Response {
    match ewallet::pay(&shared, &reference_no).await {
        Ok((_, Some(return_url))) => {
            (StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, return_url)]).into_response()
        }
        Ok((outcome, None)) => Json(outcome).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn notify_va(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    match va::resend_notification(&shared, &id).await {
        Ok(delivery) => Json(json!({ "id": id, "notification": delivery })).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn notify_ewallet(State(shared): State<Arc<Shared>>, Path(reference_no): Path<String>) -> Response {
    match ewallet::resend_notification(&shared, &reference_no).await {
        Ok(delivery) => Json(json!({ "referenceNo": reference_no, "notification": delivery })).into_response(),
        Err(e) => e.into_response(),
    }
}

/// The wallet page's "decline" button: `GET /__sim/ewallet/{referenceNo}/cancel`.
async fn decline_ewallet(State(shared): State<Arc<Shared>>, Path(reference_no): Path<String>) -> Response {
    match ewallet::decline(&shared, &reference_no).await {
        Ok((_, Some(return_url))) => {
            (StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, return_url)]).into_response()
        }
        Ok((outcome, None)) => Json(outcome).into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BalanceBody {
    available_balance: String,
    #[serde(default)]
    client_id: Option<String>,
}

fn balance_json(shared: &Shared) -> Response {
    let state = shared.lock();
    let clients: Vec<String> = shared.settings.clients.iter().map(|c| c.client_id.clone()).collect();
    Json(json!({ "payoutBalances": state.payout.balances(&clients, shared.settings.payout_balance_minor) }))
        .into_response()
}

async fn get_balance(State(shared): State<Arc<Shared>>) -> Response {
    balance_json(&shared)
}

async fn set_balance(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let parsed: BalanceBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({ "error": nicepay_snap::error::bound_reason(e.to_string()) })),
            )
                .into_response()
        }
    };
    let minor = match nicepay_snap::Amount::idr(parsed.available_balance.as_str()).and_then(|a| a.minor_units()) {
        Ok(m) => m,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({ "error": nicepay_snap::error::bound_reason(e.to_string()) })),
            )
                .into_response()
        }
    };
    let client_id = parsed.client_id.unwrap_or_else(|| shared.info.client_id.clone());
    if shared.settings.client(&client_id).is_none() {
        return SimulatorError::NotFound(format!("client {}", nicepay_snap::error::echo(&client_id))).into_response();
    }
    shared.lock().payout.set_balance(&client_id, minor);
    balance_json(&shared)
}

async fn state(State(shared): State<Arc<Shared>>) -> Response {
    let snapshot = shared.lock().snapshot(&shared.settings);
    Json(snapshot).into_response()
}

async fn info(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.info.clone()).into_response()
}

async fn list_faults(State(shared): State<Arc<Shared>>) -> Response {
    faults_json(&shared)
}

async fn post_faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
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

async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    shared.lock().faults.clear();
    faults_json(&shared)
}

async fn expire_tokens(State(shared): State<Arc<Shared>>) -> Response {
    shared.lock().expire_tokens();
    Json(json!({ "expired": true })).into_response()
}

async fn shutdown(State(shared): State<Arc<Shared>>) -> Response {
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
        .route("/__admin/qris/{reference_no}/pay", post(pay))
        .route("/__admin/qris/{reference_no}/notify", post(notify))
        .route("/__admin/va/{id}/pay", post(pay_va))
        .route("/__admin/va/{id}/notify", post(notify_va))
        .route("/__admin/ewallet/{reference_no}/pay", post(pay_ewallet))
        .route("/__admin/ewallet/{reference_no}/notify", post(notify_ewallet))
        .route("/__sim/ewallet/{reference_no}/approve", get(approve_ewallet))
        .route("/__sim/ewallet/{reference_no}/cancel", get(decline_ewallet))
        .route("/__admin/payout/balance", get(get_balance).post(set_balance))
        .route("/__admin/state", get(state))
        .route("/__admin/info", get(info))
        .route(
            "/__admin/faults",
            get(list_faults).post(post_faults).delete(clear_faults),
        )
        .route("/__admin/tokens/expire", post(expire_tokens))
        .route("/__admin/shutdown", post(shutdown))
}
