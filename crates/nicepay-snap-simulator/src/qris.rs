//! QRIS MPM: generate (47), query (51), refund (78), and the simulated payment with its
//! signed notification (52).

use nicepay_snap::api::qris::QrisNotification;
use nicepay_snap::{Timestamp, TransactionStatus};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::SimulatorError;
use crate::ledger::{status_answer, Entry, Ledger, Payable, Product, Refundable};
use crate::notify::{self, PendingNotification};
use crate::refund::Refunds;
use crate::snap::{amount_json, success, HandlerResult, Operation, SnapError, Verified};
use crate::util;

/// The QRIS store.
pub(crate) type QrisLedger = Ledger<Qris>;

/// QRIS operations: generate, query, refund.
pub(crate) const OPERATIONS: &[Operation<QrisLedger>] = &[
    Operation::post("/api/v1.0/qr/qr-mpm-generate", "47", generate),
    Operation::post("/api/v1.0/qr/qr-mpm-query", "51", query),
    Operation::post("/api/v1.0/qr/qr-mpm-refund", "78", refund),
];

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
    /// Not paid in time: expired by the simulator's operator (`05`, desc `Expired`; our choice
    /// within NICEPAY's QRIS codes, where `05` is the not-paid end state).
    Expired,
}

impl QrisStatus {
    /// `latestTransactionStatus` code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "03",
            Self::Paid => "00",
            Self::Refunded => "04",
            Self::Expired => "05",
        }
    }

    /// `transactionStatusDesc`.
    pub fn description(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Paid => "Success",
            Self::Refunded => "Refund",
            Self::Expired => "Expired",
        }
    }
}

/// One simulated QRIS transaction (`id` = `referenceNo`).
pub(crate) type QrisTxn = Entry<Qris>;

/// The QRIS part of a transaction.
#[derive(Debug, Clone)]
pub(crate) struct Qris {
    store_id: String,
    status: QrisStatus,
    db_process_url: Option<String>,
    qr_content: String,
    paid_at: Option<Timestamp>,
    refunds: Refunds,
}

impl Product for Qris {
    const KIND: (&'static str, &'static str) = ("QRIS transaction", util::PAY_METHOD_QRIS);
    type Snapshot = QrisTransactionSnapshot;

    fn snapshot(t: &QrisTxn) -> QrisTransactionSnapshot {
        QrisTransactionSnapshot {
            reference_no: t.id.clone(),
            partner_reference_no: t.partner_ref.clone(),
            client_id: t.client_id.clone(),
            store_id: t.store_id.clone(),
            status: t.status,
            latest_transaction_status: t.status.code().to_owned(),
            amount: util::minor_to_string(t.amount_minor),
            refunded_amount: util::minor_to_string(t.refunds.refunded_minor()),
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
                    amount: util::minor_to_string(r.amount_minor),
                    refund_time: r.refund_time.to_string(),
                    cancel_trx_sn: r.cancel_trx_sn.clone(),
                })
                .collect(),
        }
    }
}

impl Refundable for Qris {
    fn refunds_mut(&mut self) -> &mut Refunds {
        &mut self.refunds
    }

    fn mark_fully_refunded(&mut self) {
        self.status = QrisStatus::Refunded;
    }
}

impl Payable for Qris {
    fn latest_status(&self) -> (&'static str, &'static str) {
        (self.status.code(), self.status.description())
    }

    fn has_notification(&self) -> bool {
        !matches!(self.status, QrisStatus::Pending | QrisStatus::Expired)
    }

    /// The notification of a paid transaction (body per `QrisNotification`).
    fn notification(t: &QrisTxn) -> Result<Option<PendingNotification>, SimulatorError> {
        let body = QrisNotification {
            original_reference_no: Some(t.id.clone()),
            original_partner_reference_no: Some(t.partner_ref.clone()),
            latest_transaction_status: Some(TransactionStatus::from_code(t.status.code())),
            transaction_status_desc: Some(t.status.description().to_owned()),
            amount: Some(notify::amount(t.amount_minor)?),
            external_store_id: Some(t.store_id.clone()),
            transaction_date_time: t.paid_at.map(|p| p.to_string()),
            additional_info: Some(Map::new()),
            extra: Map::new(),
        };
        PendingNotification::json(t.db_process_url.as_ref(), &t.client_id, ("qris", &t.id), &body)
    }
}

/// The simulator's operator expires a pending QR (no notification).
pub(crate) fn expire(txn: &mut Qris, _at: Timestamp) -> Result<(), (&'static str, &'static str)> {
    if txn.status != QrisStatus::Pending {
        return Err(txn.latest_status());
    }
    txn.status = QrisStatus::Expired;
    Ok(())
}

/// The customer pays a pending QR (`POST /__admin/qris/{referenceNo}/pay`).
pub(crate) fn pay(txn: &mut Qris, at: Timestamp) -> Result<(), (&'static str, &'static str)> {
    if txn.status != QrisStatus::Pending {
        return Err(txn.latest_status());
    }
    txn.status = QrisStatus::Paid;
    txn.paid_at = Some(at);
    Ok(())
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

fn generate(ledger: &mut QrisLedger, req: &Verified) -> HandlerResult {
    let f = req.fields();
    let partner_reference_no = f.required_str("partnerReferenceNo", 40)?;
    let amount_minor = f.amount("amount")?;
    f.merchant_id(&req.client_id)?;
    let store_id = f.required_str("storeId", 32)?;
    f.optional_str("subMerchantId", 32)?;
    f.optional_str("validityPeriod", 40)?;
    f.required_object("additionalInfo")?;
    let db_process_url = f.optional_url("additionalInfo.dbProcessUrl", 255)?;
    let mitra_cd = f.optional_str("additionalInfo.mitraCd", 4)?;

    let txn = ledger.create(
        req.service,
        &req.client_id,
        ("partnerReferenceNo", partner_reference_no),
        amount_minor,
        |_, new| {
            Ok(Qris {
                qr_content: util::emv_qr(&req.client_id, &new.id, partner_reference_no, amount_minor),
                store_id: store_id.to_owned(),
                status: QrisStatus::Pending,
                db_process_url: db_process_url.map(str::to_owned),
                paid_at: None,
                refunds: Refunds::default(),
            })
        },
    )?;
    let mut additional = Map::new();
    if let Some(m) = mitra_cd {
        additional.insert("mitraCd".into(), Value::String(m.to_owned()));
    }
    Ok(success(
        req.service,
        json!({
            "referenceNo": txn.id,
            "partnerReferenceNo": partner_reference_no,
            "qrContent": txn.qr_content,
            "qrUrl": format!("{}/nicepay/api/generateQrisImage/{}", req.base_url, txn.id),
            "amount": amount_json(amount_minor),
            "additionalInfo": additional,
        }),
    ))
}

fn query(ledger: &mut QrisLedger, req: &Verified) -> HandlerResult {
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

    let txn = ledger.open(req.service, &req.client_id, reference_no, partner_reference_no)?;
    let body = status_answer(
        txn,
        (reference_no, service_code),
        txn.paid_at,
        Map::new(),
        &txn.refunds,
        true,
    );
    Ok(success(req.service, body))
}

fn refund(ledger: &mut QrisLedger, req: &Verified) -> HandlerResult {
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

    let refund = ledger.refund(
        req.service,
        &req.client_id,
        (reference_no, partner_reference_no),
        partner_refund_no,
        amount_minor,
    )?;
    Ok(success(
        req.service,
        json!({
            "originalReferenceNo": reference_no,
            "originalPartnerReferenceNo": partner_reference_no,
            "referenceNo": refund.refund_no,
            "partnerRefundNo": partner_refund_no,
            "refundAmount": amount_json(amount_minor),
            "refundTime": refund.refund_time.to_string(),
            "additionalInfo": { "cancelTrxSn": refund.cancel_trx_sn },
        }),
    ))
}
