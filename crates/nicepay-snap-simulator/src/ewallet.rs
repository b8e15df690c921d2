//! E-wallet direct debit: payment host-to-host (54), status (55), refund (58), and the customer's
//! approval at `webRedirectUrl` with its signed e-wallet notification (56).

use nicepay_snap::api::ewallet::EwalletNotification;
use nicepay_snap::{Timestamp, TransactionStatus};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::SimulatorError;
use crate::ledger::{status_answer, Ledger, Payable, PaymentOutcome, Record, Refundable};
use crate::notify::{self, PendingNotification};
use crate::refund::Refunds;
use crate::snap::{amount_json, success, HandlerResult, Operation, SnapError, Verified};
use crate::util;

/// The e-wallet store.
pub(crate) type EwalletLedger = Ledger<EwalletTxn>;

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

/// One simulated e-wallet payment.
#[derive(Debug, Clone)]
pub(crate) struct EwalletTxn {
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

impl Record for EwalletTxn {
    const KIND: &'static str = "e-wallet payment";
    const PAY_METHOD: &'static str = util::PAY_METHOD_EWALLET;
    type Snapshot = EwalletSnapshot;

    fn client_id(&self) -> &str {
        &self.client_id
    }

    fn partner_reference_no(&self) -> &str {
        &self.partner_reference_no
    }

    fn snapshot(&self) -> EwalletSnapshot {
        EwalletSnapshot {
            reference_no: self.reference_no.clone(),
            partner_reference_no: self.partner_reference_no.clone(),
            client_id: self.client_id.clone(),
            mitra_cd: self.mitra_cd.clone(),
            status: self.status,
            latest_transaction_status: self.status.code().to_owned(),
            amount: util::minor_to_string(self.amount_minor),
            refunded_amount: util::minor_to_string(self.refunds.refunded_minor()),
            notify_url: self.notify_url.clone(),
            return_url: self.return_url.clone(),
            created_at: self.created_at.to_string(),
            paid_at: self.paid_at.map(|p| p.to_string()),
            refund_nos: self
                .refunds
                .booked()
                .iter()
                .map(|r| r.partner_refund_no.clone())
                .collect(),
        }
    }
}

impl Refundable for EwalletTxn {
    fn amount_minor(&self) -> u64 {
        self.amount_minor
    }

    fn refunds_mut(&mut self) -> &mut Refunds {
        &mut self.refunds
    }

    fn check_refundable(&self, service: &'static str) -> Result<(), SnapError> {
        match self.status {
            EwalletStatus::Paid => Ok(()),
            EwalletStatus::Pending => Err(SnapError::not_permitted(service, "Transaction Is Not Paid")),
            EwalletStatus::Refunded => Err(SnapError::not_permitted(service, "Transaction Already Fully Refunded")),
            EwalletStatus::Canceled => Err(SnapError::not_permitted(service, "Transaction Canceled")),
        }
    }

    fn mark_fully_refunded(&mut self) {
        self.status = EwalletStatus::Refunded;
    }
}

impl Payable for EwalletTxn {
    fn latest_status(&self) -> (&'static str, &'static str) {
        (self.status.code(), self.status.description())
    }

    fn has_notification(&self) -> bool {
        self.status != EwalletStatus::Pending
    }

    /// The e-wallet notification (body per [`EwalletNotification`]).
    fn notification(&self) -> Result<Option<PendingNotification>, SimulatorError> {
        let mut extra = Map::new();
        if let Some(p) = self.paid_at {
            extra.insert("transactionDateTime".into(), json!(p.to_string()));
        }
        let body = EwalletNotification {
            original_reference_no: Some(self.reference_no.clone()),
            original_partner_reference_no: Some(self.partner_reference_no.clone()),
            external_store_id: Some(self.external_store_id.clone()),
            amount: Some(notify::amount(self.amount_minor)?),
            latest_transaction_status: Some(TransactionStatus::from_code(self.status.code())),
            transaction_status_desc: Some(self.status.description().to_owned()),
            additional_info: Some([("mitraCd".to_owned(), json!(self.mitra_cd))].into_iter().collect()),
            extra,
        };
        PendingNotification::json(self.notify_url.as_ref(), &self.client_id, &body)
    }

    fn outcome(&self, at: Timestamp) -> PaymentOutcome {
        PaymentOutcome {
            reference_no: self.reference_no.clone(),
            partner_reference_no: self.partner_reference_no.clone(),
            latest_transaction_status: self.status.code().to_owned(),
            paid_at: at.to_string(),
            virtual_account_no: None,
            notification: None,
        }
    }

    fn return_url(&self) -> Option<String> {
        self.return_url.clone()
    }
}

/// The customer approves a pending e-wallet payment at the wallet page (or the admin API).
pub(crate) fn approve(txn: &mut EwalletTxn, at: Timestamp) -> Result<(), (&'static str, &'static str)> {
    decide(txn, at, true)
}

/// The customer declines a pending e-wallet payment at the wallet page: `05` Canceled.
pub(crate) fn decline(txn: &mut EwalletTxn, at: Timestamp) -> Result<(), (&'static str, &'static str)> {
    decide(txn, at, false)
}

fn decide(txn: &mut EwalletTxn, at: Timestamp, approve: bool) -> Result<(), (&'static str, &'static str)> {
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
        |_, _, reference_no| {
            Ok(EwalletTxn {
                client_id: req.client_id.clone(),
                reference_no,
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
            })
        },
    )?;
    Ok(success(
        req.service,
        json!({
            "partnerReferenceNo": partner_reference_no,
            "referenceNo": txn.reference_no,
            "webRedirectUrl": approve_url(&req.base_url, &txn.reference_no),
            "additionalInfo": { "mitraCd": mitra_cd },
        }),
    ))
}

/// The simulated wallet page: `GET {base}/__sim/ewallet/{referenceNo}/approve`.
pub(crate) fn approve_url(base_url: &str, reference_no: &str) -> String {
    format!("{base_url}/__sim/ewallet/{reference_no}/approve")
}

fn status(ledger: &mut EwalletLedger, req: &Verified) -> HandlerResult {
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

    let txn = ledger.open(req.service, &req.client_id, reference_no, partner_reference_no)?;
    let mitra = [("mitraCd".to_owned(), json!(txn.mitra_cd))].into_iter().collect();
    let body = status_answer(
        &*txn,
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
