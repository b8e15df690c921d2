//! E-wallet direct debit: payment host-to-host (54), status (55), refund (58), and the customer's
//! approval at `webRedirectUrl` with its signed e-wallet notification (56).

use std::collections::HashMap;

use nicepay_snap::api::ewallet::EwalletNotification;
use nicepay_snap::{Amount, Method, Timestamp, TransactionStatus};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::SimulatorError;
use crate::notify::{deliver, NotificationDelivery, PendingNotification};
use crate::qris::PaymentOutcome;
use crate::refund::{RefundNos, Refunds};
use crate::snap::{amount_json, success, Endpoint, HandlerResult, SnapError, Verified};
use crate::state::Shared;
use crate::util;

/// E-wallet payment host-to-host.
pub(crate) const PAYMENT: Endpoint = Endpoint {
    path: "/api/v1.0/debit/payment-host-to-host",
    method: Method::Post,
    service_code: "54",
    handler: payment,
};

/// E-wallet status.
pub(crate) const STATUS: Endpoint = Endpoint {
    path: "/api/v1.0/debit/status",
    method: Method::Post,
    service_code: "55",
    handler: status,
};

/// E-wallet refund.
pub(crate) const REFUND: Endpoint = Endpoint {
    path: "/api/v1.0/debit/refund",
    method: Method::Post,
    service_code: "58",
    handler: refund,
};

/// Wallets the simulator accepts in `additionalInfo.mitraCd`.
pub const EWALLET_MITRA_CODES: &[&str] = &["DANA", "ESHP", "LINK", "OVOE", "ASTR", "ALLO"];

/// Lifecycle of a simulated e-wallet payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum EwalletStatus {
    /// Created, waiting for the customer to approve at `webRedirectUrl` (`03`).
    Pending,
    /// Approved and paid, possibly partially refunded (`00`).
    Paid,
    /// Fully refunded (`04`).
    Refunded,
    /// The customer declined at the wallet page (`05`).
    Canceled,
}

impl EwalletStatus {
    /// `latestTransactionStatus` code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "03",
            Self::Paid => "00",
            Self::Refunded => "04",
            Self::Canceled => "05",
        }
    }

    /// `transactionStatusDesc`.
    pub fn description(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Paid => "Success",
            Self::Refunded => "Refunded",
            Self::Canceled => "Canceled",
        }
    }
}

#[derive(Debug, Clone)]
struct EwalletTxn {
    client_id: String,
    reference_no: String,
    partner_reference_no: String,
    external_store_id: String,
    mitra_cd: String,
    amount_minor: u64,
    status: EwalletStatus,
    notify_url: Option<String>,
    return_url: Option<String>,
    created_at: Timestamp,
    paid_at: Option<Timestamp>,
    refunds: Refunds,
}

/// E-wallet part of the simulator state.
#[derive(Debug, Default)]
pub(crate) struct EwalletState {
    txns: HashMap<String, EwalletTxn>,
    order: Vec<String>,
    by_partner_ref: HashMap<(String, String), String>,
    refund_nos: RefundNos,
}

impl EwalletState {
    pub(crate) fn snapshot(&self) -> Vec<EwalletSnapshot> {
        self.order
            .iter()
            .filter_map(|r| self.txns.get(r))
            .map(|t| EwalletSnapshot {
                reference_no: t.reference_no.clone(),
                partner_reference_no: t.partner_reference_no.clone(),
                client_id: t.client_id.clone(),
                mitra_cd: t.mitra_cd.clone(),
                status: t.status,
                latest_transaction_status: t.status.code().to_owned(),
                amount: util::minor_to_string(t.amount_minor),
                refunded_amount: util::minor_to_string(t.refunds.refunded_minor()),
                notify_url: t.notify_url.clone(),
                return_url: t.return_url.clone(),
                created_at: t.created_at.to_string(),
                paid_at: t.paid_at.map(|p| p.to_string()),
                refund_nos: t.refunds.booked().iter().map(|r| r.partner_refund_no.clone()).collect(),
            })
            .collect()
    }
}

/// An e-wallet payment as shown by the state dump.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EwalletSnapshot {
    /// tXid.
    pub reference_no: String,
    /// Merchant order id.
    pub partner_reference_no: String,
    /// Owning merchant.
    pub client_id: String,
    /// Wallet (`DANA`, `ESHP`, `LINK`, `OVOE`, ...).
    pub mitra_cd: String,
    /// Lifecycle state.
    pub status: EwalletStatus,
    /// The `latestTransactionStatus` a status call returns (`03`, `00`, `04`).
    pub latest_transaction_status: String,
    /// Amount, e.g. `"10000.00"`.
    pub amount: String,
    /// Sum of successful refunds.
    pub refunded_amount: String,
    /// Where the notification goes (`urlParam` `PAY_NOTIFY`, else `additionalInfo.dbProcessUrl`).
    pub notify_url: Option<String>,
    /// Where the customer is sent after approving (`urlParam` `PAY_RETURN`).
    pub return_url: Option<String>,
    /// Creation time (`+07:00`).
    pub created_at: String,
    /// Payment time (`+07:00`).
    pub paid_at: Option<String>,
    /// `partnerRefundNo`s of successful refunds, oldest first.
    pub refund_nos: Vec<String>,
}

/// Validates `urlParam` (an **array** of `{url, type, isDeeplink}`; one object is a format
/// error) and returns the `PAY_NOTIFY` and `PAY_RETURN` URLs.
fn url_params(req: &Verified) -> Result<(Option<String>, Option<String>), SnapError> {
    let svc = req.service;
    let list = match req.fields().raw("urlParam") {
        None => return Err(SnapError::mandatory(svc, "urlParam")),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(SnapError::invalid_format(svc, "urlParam")),
    };
    let (mut notify, mut ret) = (None, None);
    for (i, entry) in list.iter().enumerate() {
        let field = |name: &str| format!("urlParam[{i}].{name}");
        let Value::Object(entry) = entry else {
            return Err(SnapError::invalid_format(svc, &format!("urlParam[{i}]")));
        };
        let text = |name: &str| -> Result<&str, SnapError> {
            match entry.get(name) {
                Some(Value::String(s)) if !s.trim().is_empty() => Ok(s),
                None | Some(Value::Null) => Err(SnapError::mandatory(svc, &field(name))),
                Some(Value::String(_)) => Err(SnapError::mandatory(svc, &field(name))),
                Some(_) => Err(SnapError::invalid_format(svc, &field(name))),
            }
        };
        let url = text("url")?;
        if url.len() > 512 || reqwest::Url::parse(url).map_or(true, |u| !matches!(u.scheme(), "http" | "https")) {
            return Err(SnapError::invalid_format(svc, &field("url")));
        }
        if !matches!(text("isDeeplink")?, "Y" | "N") {
            return Err(SnapError::invalid_format(svc, &field("isDeeplink")));
        }
        match text("type")? {
            "PAY_NOTIFY" => notify = Some(url.to_owned()),
            "PAY_RETURN" => ret = Some(url.to_owned()),
            _ => return Err(SnapError::invalid_format(svc, &field("type"))),
        }
    }
    Ok((notify, ret))
}

fn payment(shared: &Shared, req: &Verified) -> HandlerResult {
    let f = req.fields();
    let partner_reference_no = f.required_str("partnerReferenceNo", 40)?;
    f.merchant_id(&req.client_id)?;
    f.optional_str("subMerchantId", 32)?;
    let external_store_id = f.optional_str("externalStoreId", 32)?.unwrap_or_default();
    f.optional_str("validUpTo", 40)?;
    f.optional_str("pointOfInitiation", 20)?;
    let amount_minor = f.amount("amount")?;
    let (pay_notify, pay_return) = url_params(req)?;
    f.required_object("additionalInfo")?;
    let mitra_cd = f.required_one_of("additionalInfo.mitraCd", EWALLET_MITRA_CODES)?;
    let db_process_url = f.optional_url("additionalInfo.dbProcessUrl", 255)?;
    for name in ["goodsNm", "billingNm", "billingPhone", "billingEmail", "cartData"] {
        f.optional_str(&format!("additionalInfo.{name}"), 4_000)?;
    }

    let mut state = shared.lock();
    let key = (req.client_id.clone(), partner_reference_no.to_owned());
    if state.ewallet.by_partner_ref.contains_key(&key) {
        return Err(SnapError::duplicate(req.service, "partnerReferenceNo"));
    }
    let seq = state.next_seq();
    let reference_no = util::new_txid(&req.client_id, util::PAY_METHOD_EWALLET, seq, |id| {
        state.ewallet.txns.contains_key(id)
    });
    let txn = EwalletTxn {
        client_id: req.client_id.clone(),
        reference_no: reference_no.clone(),
        partner_reference_no: partner_reference_no.to_owned(),
        external_store_id: external_store_id.to_owned(),
        mitra_cd: mitra_cd.to_owned(),
        amount_minor,
        status: EwalletStatus::Pending,
        notify_url: pay_notify.or_else(|| db_process_url.map(str::to_owned)),
        return_url: pay_return,
        created_at: util::now_timestamp(),
        paid_at: None,
        refunds: Refunds::default(),
    };
    state.ewallet.by_partner_ref.insert(key, reference_no.clone());
    state.ewallet.order.push(reference_no.clone());
    state.ewallet.txns.insert(reference_no.clone(), txn);
    drop(state);

    Ok(success(
        req.service,
        json!({
            "partnerReferenceNo": partner_reference_no,
            "referenceNo": reference_no,
            "webRedirectUrl": approve_url(&shared.info.base_url, &reference_no),
            "additionalInfo": { "mitraCd": mitra_cd },
        }),
    ))
}

/// The simulated wallet page: `GET {base}/__sim/ewallet/{referenceNo}/approve`.
pub(crate) fn approve_url(base_url: &str, reference_no: &str) -> String {
    format!("{base_url}/__sim/ewallet/{reference_no}/approve")
}

fn find<'a>(
    state: &'a mut crate::state::State,
    req: &Verified,
    reference_no: &str,
    partner_reference_no: &str,
) -> Result<&'a mut EwalletTxn, SnapError> {
    state
        .ewallet
        .txns
        .get_mut(reference_no)
        .filter(|t| t.client_id == req.client_id && t.partner_reference_no == partner_reference_no)
        .ok_or_else(|| SnapError::not_found(req.service))
}

fn status(shared: &Shared, req: &Verified) -> HandlerResult {
    let f = req.fields();
    f.merchant_id(&req.client_id)?;
    f.optional_str("subMerchantId", 32)?;
    let partner_reference_no = f.required_str("originalPartnerReferenceNo", 40)?;
    let reference_no = f.required_str("originalReferenceNo", 40)?;
    let service_code = f.required_one_of("serviceCode", &["54", "55"])?;
    if let Some(date) = f.optional_str("transactionDate", 40)? {
        Timestamp::parse(date).map_err(|_| SnapError::invalid_format(req.service, "transactionDate"))?;
    }
    f.optional_str("externalStoreId", 32)?;
    // The amount is checked for format only: a status call answers with the real amount, so a
    // caller confirming a notification can compare.
    if f.raw("amount").is_some() {
        f.amount("amount")?;
    }
    f.optional_object("additionalInfo")?;

    let mut state = shared.lock();
    let txn = find(&mut state, req, reference_no, partner_reference_no)?;
    let refunded = txn.refunds.refunded_minor();
    let mut body = Map::new();
    body.insert("originalReferenceNo".into(), json!(txn.reference_no));
    body.insert("originalPartnerReferenceNo".into(), json!(txn.partner_reference_no));
    body.insert("serviceCode".into(), json!(service_code));
    body.insert("latestTransactionStatus".into(), json!(txn.status.code()));
    body.insert("transactionStatusDesc".into(), json!(txn.status.description()));
    if let Some(p) = txn.paid_at {
        body.insert("paidTime".into(), json!(p.to_string()));
    }
    body.insert("amount".into(), amount_json(txn.amount_minor));
    body.insert(
        "additionalInfo".into(),
        json!({
            "mitraCd": txn.mitra_cd,
            "refundedAmount": amount_json(refunded),
            "remainingAmount": amount_json(txn.amount_minor.saturating_sub(refunded)),
        }),
    );
    Ok(success(req.service, Value::Object(body)))
}

fn refund(shared: &Shared, req: &Verified) -> HandlerResult {
    let f = req.fields();
    f.merchant_id(&req.client_id)?;
    f.optional_str("subMerchantId", 32)?;
    let partner_reference_no = f.required_str("originalPartnerReferenceNo", 40)?;
    let reference_no = f.required_str("originalReferenceNo", 40)?;
    let partner_refund_no = f.required_str("partnerRefundNo", 40)?;
    f.optional_str("externalStoreId", 32)?;
    let amount_minor = f.amount("refundAmount")?;
    f.required_str("reason", 255)?;
    f.required_object("additionalInfo")?;
    f.required_str("additionalInfo.refundType", 2)?;

    // One lock for the checks and the booking: concurrent refunds never over-refund.
    let mut state = shared.lock();
    state
        .ewallet
        .refund_nos
        .ensure_unused(req.service, &req.client_id, partner_refund_no)?;
    let seq = state.next_seq();
    let txn = find(&mut state, req, reference_no, partner_reference_no)?;
    match txn.status {
        EwalletStatus::Paid => {}
        EwalletStatus::Pending => return Err(SnapError::not_permitted(req.service, "Transaction Is Not Paid")),
        EwalletStatus::Refunded => {
            return Err(SnapError::not_permitted(
                req.service,
                "Transaction Already Fully Refunded",
            ))
        }
        EwalletStatus::Canceled => return Err(SnapError::not_permitted(req.service, "Transaction Canceled")),
    }
    let (refund, fully) = txn.refunds.book(
        req.service,
        &req.client_id,
        seq,
        txn.amount_minor,
        partner_refund_no,
        amount_minor,
    )?;
    if fully {
        txn.status = EwalletStatus::Refunded;
    }
    let original_reference_no = txn.reference_no.clone();
    let original_partner_reference_no = txn.partner_reference_no.clone();
    state.ewallet.refund_nos.remember(&req.client_id, &refund);
    drop(state);

    Ok(success(
        req.service,
        json!({
            "originalReferenceNo": original_reference_no,
            "originalPartnerReferenceNo": original_partner_reference_no,
            "refundNo": refund.refund_no,
            "partnerRefundNo": partner_refund_no,
            "refundAmount": amount_json(amount_minor),
            "refundTime": refund.refund_time.to_string(),
            "additionalInfo": {},
        }),
    ))
}

/// Builds the e-wallet notification (body per [`EwalletNotification`]).
fn notification_for(txn: &EwalletTxn) -> Result<Option<PendingNotification>, SimulatorError> {
    let Some(url) = txn.notify_url.clone() else {
        return Ok(None);
    };
    let mut extra = Map::new();
    if let Some(p) = txn.paid_at {
        extra.insert("transactionDateTime".into(), json!(p.to_string()));
    }
    let body = EwalletNotification {
        original_reference_no: Some(txn.reference_no.clone()),
        original_partner_reference_no: Some(txn.partner_reference_no.clone()),
        external_store_id: Some(txn.external_store_id.clone()),
        amount: Some(Amount::from_minor_units(txn.amount_minor).map_err(|e| SimulatorError::Internal(e.to_string()))?),
        latest_transaction_status: Some(TransactionStatus::from_code(txn.status.code())),
        transaction_status_desc: Some(txn.status.description().to_owned()),
        additional_info: Some([("mitraCd".to_owned(), json!(txn.mitra_cd))].into_iter().collect()),
        extra,
    };
    let body = serde_json::to_vec(&body).map_err(|e| SimulatorError::Internal(e.to_string()))?;
    Ok(Some(PendingNotification {
        url,
        client_id: txn.client_id.clone(),
        body,
    }))
}

/// The customer approves a pending e-wallet payment: marks it paid and delivers the signed
/// notification. Also returns the `PAY_RETURN` URL the customer is sent back to.
pub(crate) async fn pay(
    shared: &Shared,
    reference_no: &str,
) -> Result<(PaymentOutcome, Option<String>), SimulatorError> {
    decide(shared, reference_no, true).await
}

/// The customer declines a pending e-wallet payment at the wallet page: `05` Canceled, with a
/// signed notification saying so.
pub(crate) async fn decline(
    shared: &Shared,
    reference_no: &str,
) -> Result<(PaymentOutcome, Option<String>), SimulatorError> {
    decide(shared, reference_no, false).await
}

async fn decide(
    shared: &Shared,
    reference_no: &str,
    approve: bool,
) -> Result<(PaymentOutcome, Option<String>), SimulatorError> {
    let (outcome, pending, return_url) = {
        let mut state = shared.lock();
        let txn = state
            .ewallet
            .txns
            .get_mut(reference_no)
            .ok_or_else(|| SimulatorError::NotFound(format!("e-wallet payment {reference_no}")))?;
        if txn.status != EwalletStatus::Pending {
            return Err(SimulatorError::Conflict(format!(
                "e-wallet payment {reference_no} is not pending (status {})",
                txn.status.code()
            )));
        }
        let paid_at = util::now_timestamp();
        if approve {
            txn.status = EwalletStatus::Paid;
            txn.paid_at = Some(paid_at);
        } else {
            txn.status = EwalletStatus::Canceled;
        }
        let outcome = PaymentOutcome {
            reference_no: txn.reference_no.clone(),
            partner_reference_no: txn.partner_reference_no.clone(),
            latest_transaction_status: txn.status.code().to_owned(),
            paid_at: paid_at.to_string(),
            virtual_account_no: None,
            notification: None,
        };
        (outcome, notification_for(txn)?, txn.return_url.clone())
    };
    let notification = match pending {
        Some(p) => Some(deliver(shared, p).await),
        None => None,
    };
    Ok((
        PaymentOutcome {
            notification,
            ..outcome
        },
        return_url,
    ))
}

/// Sends the notification of a paid (or refunded) e-wallet payment again.
pub(crate) async fn resend_notification(
    shared: &Shared,
    reference_no: &str,
) -> Result<Option<NotificationDelivery>, SimulatorError> {
    let pending = {
        let state = shared.lock();
        let txn = state
            .ewallet
            .txns
            .get(reference_no)
            .ok_or_else(|| SimulatorError::NotFound(format!("e-wallet payment {reference_no}")))?;
        if txn.status == EwalletStatus::Pending {
            return Err(SimulatorError::Conflict(format!(
                "e-wallet payment {reference_no} is not paid yet"
            )));
        }
        notification_for(txn)?
    };
    Ok(match pending {
        Some(p) => Some(deliver(shared, p).await),
        None => None,
    })
}
