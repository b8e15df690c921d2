//! E-wallet direct debit: payment host-to-host (54), status (55), refund (58), and the customer's
//! approval at `webRedirectUrl` with its signed e-wallet notification (56).

use nicepay_snap::api::ewallet::EwalletNotification;
use nicepay_snap::{Timestamp, TransactionStatus};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::SimulatorError;
use crate::ledger::{status_answer, Entry, Ledger, Payable, Product, Refundable};
use crate::notify::{self, PendingNotification};
use crate::refund::Refunds;
use crate::snap::{amount_json, success, HandlerResult, Operation, SnapError, Verified};
use crate::util;

/// The e-wallet store.
pub(crate) type EwalletLedger = Ledger<Ewallet>;

/// E-wallet operations: payment host-to-host, status, refund.
pub(crate) const OPERATIONS: &[Operation<EwalletLedger>] = &[
    Operation::post("/api/v1.0/debit/payment-host-to-host", "54", payment),
    Operation::post("/api/v1.0/debit/status", "55", status),
    Operation::post("/api/v1.0/debit/refund", "58", refund),
];

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
    /// Not approved in time: expired by the simulator's operator (`05`, desc `Expired`).
    Expired,
}

impl EwalletStatus {
    /// `latestTransactionStatus` code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "03",
            Self::Paid => "00",
            Self::Refunded => "04",
            Self::Canceled | Self::Expired => "05",
        }
    }

    /// `transactionStatusDesc`.
    pub fn description(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Paid => "Success",
            Self::Refunded => "Refunded",
            Self::Canceled => "Canceled",
            Self::Expired => "Expired",
        }
    }
}

/// One simulated e-wallet payment (`id` = `referenceNo`).
pub(crate) type EwalletTxn = Entry<Ewallet>;

/// The e-wallet part of a payment.
#[derive(Debug, Clone)]
pub(crate) struct Ewallet {
    external_store_id: String,
    mitra_cd: String,
    status: EwalletStatus,
    notify_url: Option<String>,
    return_url: Option<String>,
    paid_at: Option<Timestamp>,
    refunds: Refunds,
}

impl Product for Ewallet {
    const KIND: (&'static str, &'static str) = ("e-wallet payment", util::PAY_METHOD_EWALLET);
    type Snapshot = EwalletSnapshot;

    fn snapshot(t: &EwalletTxn) -> EwalletSnapshot {
        EwalletSnapshot {
            reference_no: t.id.clone(),
            partner_reference_no: t.partner_ref.clone(),
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
        }
    }
}

impl Refundable for Ewallet {
    fn refunds_mut(&mut self) -> &mut Refunds {
        &mut self.refunds
    }

    fn mark_fully_refunded(&mut self) {
        self.status = EwalletStatus::Refunded;
    }
}

impl Payable for Ewallet {
    fn latest_status(&self) -> (&'static str, &'static str) {
        (self.status.code(), self.status.description())
    }

    fn has_notification(&self) -> bool {
        !matches!(self.status, EwalletStatus::Pending | EwalletStatus::Expired)
    }

    /// The e-wallet notification (body per [`EwalletNotification`]).
    fn notification(t: &EwalletTxn) -> Result<Option<PendingNotification>, SimulatorError> {
        let mut extra = Map::new();
        if let Some(p) = t.paid_at {
            extra.insert("transactionDateTime".into(), json!(p.to_string()));
        }
        let body = EwalletNotification {
            original_reference_no: Some(t.id.clone()),
            original_partner_reference_no: Some(t.partner_ref.clone()),
            external_store_id: Some(t.external_store_id.clone()),
            amount: Some(notify::amount(t.amount_minor)?),
            latest_transaction_status: Some(TransactionStatus::from_code(t.status.code())),
            transaction_status_desc: Some(t.status.description().to_owned()),
            additional_info: Some([("mitraCd".to_owned(), json!(t.mitra_cd))].into_iter().collect()),
            extra,
        };
        PendingNotification::json(t.notify_url.as_ref(), &t.client_id, ("ewallet", &t.id), &body)
    }

    fn return_url(&self) -> Option<String> {
        self.return_url.clone()
    }
}

/// The customer approves a pending e-wallet payment at the wallet page (or the admin API).
pub(crate) fn approve(txn: &mut Ewallet, at: Timestamp) -> Result<(), (&'static str, &'static str)> {
    decide(txn, at, true)
}

/// The customer declines a pending e-wallet payment at the wallet page: `05` Canceled.
pub(crate) fn decline(txn: &mut Ewallet, at: Timestamp) -> Result<(), (&'static str, &'static str)> {
    decide(txn, at, false)
}

fn decide(txn: &mut Ewallet, at: Timestamp, approve: bool) -> Result<(), (&'static str, &'static str)> {
    if txn.status != EwalletStatus::Pending {
        return Err(txn.latest_status());
    }
    if approve {
        txn.status = EwalletStatus::Paid;
        txn.paid_at = Some(at);
    } else {
        txn.status = EwalletStatus::Canceled;
    }
    Ok(())
}

/// The simulator's operator expires a pending payment (no notification).
pub(crate) fn expire(txn: &mut Ewallet, _at: Timestamp) -> Result<(), (&'static str, &'static str)> {
    if txn.status != EwalletStatus::Pending {
        return Err(txn.latest_status());
    }
    txn.status = EwalletStatus::Expired;
    Ok(())
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
        if url.len() > 512 || !util::is_http_url(url) {
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

fn payment(ledger: &mut EwalletLedger, req: &Verified) -> HandlerResult {
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

    let txn = ledger.create(
        req.service,
        &req.client_id,
        ("partnerReferenceNo", partner_reference_no),
        amount_minor,
        |_, _| {
            Ok(Ewallet {
                external_store_id: external_store_id.to_owned(),
                mitra_cd: mitra_cd.to_owned(),
                status: EwalletStatus::Pending,
                notify_url: pay_notify.or_else(|| db_process_url.map(str::to_owned)),
                return_url: pay_return,
                paid_at: None,
                refunds: Refunds::default(),
            })
        },
    )?;
    Ok(success(
        req.service,
        json!({
            "partnerReferenceNo": partner_reference_no,
            "referenceNo": txn.id,
            "webRedirectUrl": approve_url(&req.base_url, &txn.id),
            "additionalInfo": { "mitraCd": mitra_cd },
        }),
    ))
}

/// The simulated wallet page: `GET {base}/__sim/ewallet/{referenceNo}/approve`.
pub(crate) fn approve_url(base_url: &str, reference_no: &str) -> String {
    format!("{base_url}/__sim/ewallet/{reference_no}/approve")
}

/// The merchant and the payment a status or refund call names: `merchantId`, `subMerchantId`,
/// `originalPartnerReferenceNo`, `originalReferenceNo` (in NICEPAY's order).
fn original_ids(req: &Verified) -> Result<(&str, &str), SnapError> {
    let f = req.fields();
    f.merchant_id(&req.client_id)?;
    f.optional_str("subMerchantId", 32)?;
    let partner_reference_no = f.required_str("originalPartnerReferenceNo", 40)?;
    Ok((f.required_str("originalReferenceNo", 40)?, partner_reference_no))
}

fn status(ledger: &mut EwalletLedger, req: &Verified) -> HandlerResult {
    let f = req.fields();
    let (reference_no, partner_reference_no) = original_ids(req)?;
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

    let txn = ledger.open(req.service, &req.client_id, reference_no, partner_reference_no)?;
    let mitra = [("mitraCd".to_owned(), json!(txn.mitra_cd))].into_iter().collect();
    let body = status_answer(
        txn,
        (reference_no, service_code),
        txn.paid_at,
        mitra,
        &txn.refunds,
        false,
    );
    Ok(success(req.service, body))
}

fn refund(ledger: &mut EwalletLedger, req: &Verified) -> HandlerResult {
    let f = req.fields();
    let (reference_no, partner_reference_no) = original_ids(req)?;
    let partner_refund_no = f.required_str("partnerRefundNo", 40)?;
    f.optional_str("externalStoreId", 32)?;
    let amount_minor = f.amount("refundAmount")?;
    f.required_str("reason", 255)?;
    f.required_object("additionalInfo")?;
    f.required_str("additionalInfo.refundType", 2)?;

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
            "refundNo": refund.refund_no,
            "partnerRefundNo": partner_refund_no,
            "refundAmount": amount_json(amount_minor),
            "refundTime": refund.refund_time.to_string(),
            "additionalInfo": {},
        }),
    ))
}
