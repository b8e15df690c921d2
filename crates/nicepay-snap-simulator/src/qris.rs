//! QRIS MPM: generate (47), query (51), refund (78), and the simulated payment with its
//! signed notification (52).

use std::collections::HashMap;

use nicepay_snap::api::qris::QrisNotification;
use nicepay_snap::{Amount, Method, Timestamp, TransactionStatus};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::SimulatorError;
use crate::notify::{deliver, NotificationDelivery, PendingNotification};
use crate::refund::{RefundNos, Refunds};
use crate::snap::{amount_json, success, Endpoint, HandlerResult, SnapError, Verified};
use crate::state::Shared;
use crate::util;

/// QRIS generate.
pub(crate) const GENERATE: Endpoint = Endpoint {
    path: "/api/v1.0/qr/qr-mpm-generate",
    method: Method::Post,
    service_code: "47",
    handler: generate,
};

/// QRIS query.
pub(crate) const QUERY: Endpoint = Endpoint {
    path: "/api/v1.0/qr/qr-mpm-query",
    method: Method::Post,
    service_code: "51",
    handler: query,
};

/// QRIS refund.
pub(crate) const REFUND: Endpoint = Endpoint {
    path: "/api/v1.0/qr/qr-mpm-refund",
    method: Method::Post,
    service_code: "78",
    handler: refund,
};

/// Lifecycle of a simulated QRIS transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum QrisStatus {
    /// Generated, not paid (`03`).
    Pending,
    /// Paid, possibly partially refunded (`00`).
    Paid,
    /// Fully refunded (`04`).
    Refunded,
}

impl QrisStatus {
    /// `latestTransactionStatus` code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "03",
            Self::Paid => "00",
            Self::Refunded => "04",
        }
    }

    /// `transactionStatusDesc`.
    pub fn description(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Paid => "Success",
            Self::Refunded => "Refund",
        }
    }
}

#[derive(Debug, Clone)]
struct QrisTxn {
    client_id: String,
    reference_no: String,
    partner_reference_no: String,
    store_id: String,
    amount_minor: u64,
    status: QrisStatus,
    db_process_url: Option<String>,
    qr_content: String,
    created_at: Timestamp,
    paid_at: Option<Timestamp>,
    refunds: Refunds,
}

/// QRIS part of the simulator state.
#[derive(Debug, Default)]
pub(crate) struct QrisState {
    txns: HashMap<String, QrisTxn>,
    order: Vec<String>,
    by_partner_ref: HashMap<(String, String), String>,
    refund_nos: RefundNos,
}

impl QrisState {
    pub(crate) fn snapshot(&self) -> Vec<QrisTransactionSnapshot> {
        self.order
            .iter()
            .filter_map(|r| self.txns.get(r))
            .map(|t| QrisTransactionSnapshot {
                reference_no: t.reference_no.clone(),
                partner_reference_no: t.partner_reference_no.clone(),
                client_id: t.client_id.clone(),
                store_id: t.store_id.clone(),
                status: t.status,
                latest_transaction_status: t.status.code().to_owned(),
                amount: minor_to_string(t.amount_minor),
                refunded_amount: minor_to_string(t.refunds.refunded_minor()),
                db_process_url: t.db_process_url.clone(),
                created_at: t.created_at.to_string(),
                paid_at: t.paid_at.map(|p| p.to_string()),
                qr_content: t.qr_content.clone(),
                refunds: t
                    .refunds
                    .booked()
                    .iter()
                    .map(|r| QrisRefundSnapshot {
                        reference_no: r.refund_no.clone(),
                        partner_refund_no: r.partner_refund_no.clone(),
                        amount: minor_to_string(r.amount_minor),
                        refund_time: r.refund_time.to_string(),
                        cancel_trx_sn: r.cancel_trx_sn.clone(),
                    })
                    .collect(),
            })
            .collect()
    }
}

fn minor_to_string(minor: u64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// A QRIS transaction as shown by the state dump.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct QrisTransactionSnapshot {
    /// tXid.
    pub reference_no: String,
    /// Merchant order id.
    pub partner_reference_no: String,
    /// Owning merchant.
    pub client_id: String,
    /// `storeId` from generate.
    pub store_id: String,
    /// Lifecycle state.
    pub status: QrisStatus,
    /// The `latestTransactionStatus` a query returns (`03`, `00`, `04`).
    pub latest_transaction_status: String,
    /// Amount, e.g. `"10000.00"` (IDR).
    pub amount: String,
    /// Sum of successful refunds, e.g. `"2500.00"`.
    pub refunded_amount: String,
    /// Notification URL from `additionalInfo.dbProcessUrl`.
    pub db_process_url: Option<String>,
    /// Creation time (`+07:00`).
    pub created_at: String,
    /// Payment time (`+07:00`).
    pub paid_at: Option<String>,
    /// The EMV payload returned as `qrContent`.
    pub qr_content: String,
    /// Successful refunds, oldest first.
    pub refunds: Vec<QrisRefundSnapshot>,
}

/// One refund as shown by the state dump.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct QrisRefundSnapshot {
    /// Refund transaction id returned as `referenceNo`.
    pub reference_no: String,
    /// Merchant refund reference.
    pub partner_refund_no: String,
    /// Refunded amount, e.g. `"2500.00"`.
    pub amount: String,
    /// Refund time (`+07:00`).
    pub refund_time: String,
    /// `additionalInfo.cancelTrxSn`.
    pub cancel_trx_sn: String,
}

fn generate(shared: &Shared, req: &Verified) -> HandlerResult {
    let f = req.fields();
    let partner_reference_no = f.required_str("partnerReferenceNo", 40)?;
    let amount_minor = f.amount("amount")?;
    f.merchant_id(&req.client_id)?;
    let store_id = f.required_str("storeId", 32)?;
    f.optional_str("subMerchantId", 32)?;
    f.optional_str("validityPeriod", 40)?;
    f.required_object("additionalInfo")?;
    let db_process_url = f.optional_str("additionalInfo.dbProcessUrl", 255)?;
    if let Some(url) = db_process_url {
        if reqwest::Url::parse(url).map_or(true, |u| !matches!(u.scheme(), "http" | "https")) {
            return Err(SnapError::invalid_format(req.service, "additionalInfo.dbProcessUrl"));
        }
    }
    let mitra_cd = f.optional_str("additionalInfo.mitraCd", 4)?;

    let mut state = shared.lock();
    let key = (req.client_id.clone(), partner_reference_no.to_owned());
    if state.qris.by_partner_ref.contains_key(&key) {
        return Err(SnapError::duplicate(req.service, "partnerReferenceNo"));
    }
    let seq = state.next_seq();
    let reference_no = util::new_txid(&req.client_id, util::PAY_METHOD_QRIS, seq, |id| {
        state.qris.txns.contains_key(id)
    });
    let qr_content = util::emv_qr(&req.client_id, &reference_no, partner_reference_no, amount_minor);
    let qr_url = format!(
        "{}/nicepay/api/generateQrisImage/{}",
        shared.info.base_url, reference_no
    );
    let txn = QrisTxn {
        client_id: req.client_id.clone(),
        reference_no: reference_no.clone(),
        partner_reference_no: partner_reference_no.to_owned(),
        store_id: store_id.to_owned(),
        amount_minor,
        status: QrisStatus::Pending,
        db_process_url: db_process_url.map(str::to_owned),
        qr_content: qr_content.clone(),
        created_at: util::now_timestamp(),
        paid_at: None,
        refunds: Refunds::default(),
    };
    state.qris.by_partner_ref.insert(key, reference_no.clone());
    state.qris.order.push(reference_no.clone());
    state.qris.txns.insert(reference_no.clone(), txn);
    drop(state);

    let mut additional = Map::new();
    if let Some(m) = mitra_cd {
        additional.insert("mitraCd".into(), Value::String(m.to_owned()));
    }
    Ok(success(
        req.service,
        json!({
            "referenceNo": reference_no,
            "partnerReferenceNo": partner_reference_no,
            "qrContent": qr_content,
            "qrUrl": qr_url,
            "amount": amount_json(amount_minor),
            "additionalInfo": additional,
        }),
    ))
}

/// Looks up a transaction by tXid for `client_id`, also checking the merchant order id.
fn find<'a>(
    state: &'a mut crate::state::State,
    service: &'static str,
    client_id: &str,
    reference_no: &str,
    partner_reference_no: &str,
) -> Result<&'a mut QrisTxn, SnapError> {
    state
        .qris
        .txns
        .get_mut(reference_no)
        .filter(|t| t.client_id == client_id && t.partner_reference_no == partner_reference_no)
        .ok_or_else(|| SnapError::not_found(service))
}

fn query(shared: &Shared, req: &Verified) -> HandlerResult {
    let f = req.fields();
    let reference_no = f.required_str("originalReferenceNo", 40)?;
    let partner_reference_no = f.required_str("originalPartnerReferenceNo", 40)?;
    f.merchant_id(&req.client_id)?;
    f.required_str("externalStoreId", 32)?;
    let service_code = f.required_str("serviceCode", 2)?;
    if !matches!(service_code, "47" | "51") {
        return Err(SnapError::invalid_format(req.service, "serviceCode"));
    }
    f.optional_object("additionalInfo")?;

    let mut state = shared.lock();
    let txn = find(
        &mut state,
        req.service,
        &req.client_id,
        reference_no,
        partner_reference_no,
    )?;
    let refunded = txn.refunds.refunded_minor();
    let mut additional = Map::new();
    additional.insert("refundedAmount".into(), amount_json(refunded));
    additional.insert(
        "refundCount".into(),
        Value::String(txn.refunds.booked().len().to_string()),
    );
    additional.insert(
        "remainingAmount".into(),
        amount_json(txn.amount_minor.saturating_sub(refunded)),
    );
    let mut body = json!({
        "originalReferenceNo": txn.reference_no,
        "originalPartnerReferenceNo": txn.partner_reference_no,
        "serviceCode": service_code,
        "latestTransactionStatus": txn.status.code(),
        "transactionStatusDesc": txn.status.description(),
    });
    if let (Some(paid_at), Value::Object(map)) = (txn.paid_at, &mut body) {
        map.insert("paidTime".into(), Value::String(paid_at.to_string()));
    }
    if let Value::Object(map) = &mut body {
        map.insert("amount".into(), amount_json(txn.amount_minor));
        map.insert("additionalInfo".into(), Value::Object(additional));
    }
    Ok(success(req.service, body))
}

fn refund(shared: &Shared, req: &Verified) -> HandlerResult {
    let f = req.fields();
    let reference_no = f.required_str("originalReferenceNo", 40)?;
    let partner_reference_no = f.required_str("originalPartnerReferenceNo", 40)?;
    let partner_refund_no = f.required_str("partnerRefundNo", 40)?;
    f.merchant_id(&req.client_id)?;
    f.required_str("externalStoreId", 32)?;
    let amount_minor = f.amount("refundAmount")?;
    f.required_str("reason", 255)?;
    f.required_object("additionalInfo")?;
    f.required_str("additionalInfo.cancelType", 2)?;

    // Everything below happens under one lock: concurrent refunds can never over-refund.
    let mut state = shared.lock();
    state
        .qris
        .refund_nos
        .ensure_unused(req.service, &req.client_id, partner_refund_no)?;
    let seq = state.next_seq();
    let txn = find(
        &mut state,
        req.service,
        &req.client_id,
        reference_no,
        partner_reference_no,
    )?;
    match txn.status {
        QrisStatus::Paid => {}
        QrisStatus::Pending => return Err(SnapError::not_permitted(req.service, "Transaction Is Not Paid")),
        QrisStatus::Refunded => {
            return Err(SnapError::not_permitted(
                req.service,
                "Transaction Already Fully Refunded",
            ))
        }
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
        txn.status = QrisStatus::Refunded;
    }
    let original_reference_no = txn.reference_no.clone();
    let original_partner_reference_no = txn.partner_reference_no.clone();
    state.qris.refund_nos.remember(&req.client_id, &refund);
    drop(state);

    Ok(success(
        req.service,
        json!({
            "originalReferenceNo": original_reference_no,
            "originalPartnerReferenceNo": original_partner_reference_no,
            "referenceNo": refund.refund_no,
            "partnerRefundNo": partner_refund_no,
            "refundAmount": amount_json(amount_minor),
            "refundTime": refund.refund_time.to_string(),
            "additionalInfo": { "cancelTrxSn": refund.cancel_trx_sn },
        }),
    ))
}

/// Result of a simulated payment: QRIS (`POST /__admin/qris/{referenceNo}/pay`), VA
/// (`POST /__admin/va/{id}/pay`: `referenceNo` = `tXidVA`, `partnerReferenceNo` = `trxId`) or
/// e-wallet (`POST /__admin/ewallet/{referenceNo}/pay` and the customer approval page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PaymentOutcome {
    /// tXid that was paid.
    pub reference_no: String,
    /// Merchant order id.
    pub partner_reference_no: String,
    /// `latestTransactionStatus` after the payment (`00`).
    pub latest_transaction_status: String,
    /// Payment time (`+07:00`).
    pub paid_at: String,
    /// The VA number that was paid (VA payments only; omitted otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_account_no: Option<String>,
    /// What happened to the notification; `None` when the transaction had no `dbProcessUrl`.
    pub notification: Option<NotificationDelivery>,
}

/// Builds the notification for a paid transaction (body per `QrisNotification`).
fn notification_for(txn: &QrisTxn) -> Result<Option<PendingNotification>, SimulatorError> {
    let Some(url) = txn.db_process_url.clone() else {
        return Ok(None);
    };
    let body = QrisNotification {
        original_reference_no: Some(txn.reference_no.clone()),
        original_partner_reference_no: Some(txn.partner_reference_no.clone()),
        latest_transaction_status: Some(TransactionStatus::from_code(txn.status.code())),
        transaction_status_desc: Some(txn.status.description().to_owned()),
        amount: Some(Amount::from_minor_units(txn.amount_minor).map_err(|e| SimulatorError::Internal(e.to_string()))?),
        external_store_id: Some(txn.store_id.clone()),
        transaction_date_time: txn.paid_at.map(|p| p.to_string()),
        additional_info: Some(Map::new()),
        extra: Map::new(),
    };
    let body = serde_json::to_vec(&body).map_err(|e| SimulatorError::Internal(e.to_string()))?;
    Ok(Some(PendingNotification {
        url,
        client_id: txn.client_id.clone(),
        body,
    }))
}

/// Marks a pending QRIS transaction paid and delivers its signed notification.
pub(crate) async fn pay(shared: &Shared, reference_no: &str) -> Result<PaymentOutcome, SimulatorError> {
    let (outcome, pending) = {
        let mut state = shared.lock();
        let txn = state
            .qris
            .txns
            .get_mut(reference_no)
            .ok_or_else(|| SimulatorError::NotFound(format!("QRIS transaction {reference_no}")))?;
        if txn.status != QrisStatus::Pending {
            return Err(SimulatorError::Conflict(format!(
                "QRIS transaction {reference_no} is not pending (status {})",
                txn.status.code()
            )));
        }
        let paid_at = util::now_timestamp();
        txn.status = QrisStatus::Paid;
        txn.paid_at = Some(paid_at);
        let outcome = PaymentOutcome {
            reference_no: txn.reference_no.clone(),
            partner_reference_no: txn.partner_reference_no.clone(),
            latest_transaction_status: txn.status.code().to_owned(),
            paid_at: paid_at.to_string(),
            virtual_account_no: None,
            notification: None,
        };
        (outcome, notification_for(txn)?)
    };
    let notification = match pending {
        Some(p) => Some(deliver(shared, p).await),
        None => None,
    };
    Ok(PaymentOutcome {
        notification,
        ..outcome
    })
}

/// Sends the notification of an already paid (or refunded) transaction again, as NICEPAY
/// retries do.
pub(crate) async fn resend_notification(
    shared: &Shared,
    reference_no: &str,
) -> Result<Option<NotificationDelivery>, SimulatorError> {
    let pending = {
        let state = shared.lock();
        let txn = state
            .qris
            .txns
            .get(reference_no)
            .ok_or_else(|| SimulatorError::NotFound(format!("QRIS transaction {reference_no}")))?;
        if txn.status == QrisStatus::Pending {
            return Err(SimulatorError::Conflict(format!(
                "QRIS transaction {reference_no} is not paid yet"
            )));
        }
        notification_for(txn)?
    };
    Ok(match pending {
        Some(p) => Some(deliver(shared, p).await),
        None => None,
    })
}
