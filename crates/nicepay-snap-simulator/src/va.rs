//! Virtual Account: create (27), status (26), delete (31, HTTP `DELETE` only) and the simulated
//! bank transfer with its signed VA paid notification (25).

use std::collections::HashMap;

use nicepay_snap::api::va::VaNotification;
use nicepay_snap::{Amount, Method, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::SimulatorError;
use crate::notify::{deliver, NotificationDelivery, PendingNotification};
use crate::qris::PaymentOutcome;
use crate::snap::{amount_json, success, Endpoint, HandlerResult, SnapError, Verified};
use crate::state::Shared;
use crate::util;

/// VA create.
pub(crate) const CREATE: Endpoint = Endpoint {
    path: "/api/v1.0/transfer-va/create-va",
    method: Method::Post,
    service_code: "27",
    handler: create,
};

/// VA status inquiry.
pub(crate) const STATUS: Endpoint = Endpoint {
    path: "/api/v1.0/transfer-va/status",
    method: Method::Post,
    service_code: "26",
    handler: status,
};

/// VA delete: HTTP `DELETE` with a JSON body (any other method gets `4053100`).
pub(crate) const DELETE: Endpoint = Endpoint {
    path: "/api/v1.0/transfer-va/delete-va",
    method: Method::Delete,
    service_code: "31",
    handler: delete,
};

/// Lifecycle of a simulated virtual account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum VaStatus {
    /// Created, waiting for the transfer (`03`).
    Unpaid,
    /// Paid (`00`).
    Paid,
    /// Deleted by the merchant (`04`).
    Cancelled,
    /// Not paid before `vacctValidDt` + `vacctValidTm` (Jakarta time) (`04`).
    Expired,
}

impl VaStatus {
    /// `latestTransactionStatus` code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Unpaid => "03",
            Self::Paid => "00",
            Self::Cancelled | Self::Expired => "04",
        }
    }

    /// `transactionStatusDesc`.
    pub fn description(self) -> &'static str {
        match self {
            Self::Unpaid => "Unpaid",
            Self::Paid => "Paid",
            Self::Cancelled => "Cancel",
            Self::Expired => "Expired",
        }
    }
}

#[derive(Debug, Clone)]
struct VaTxn {
    client_id: String,
    txid_va: String,
    partner_service_id: String,
    customer_no: String,
    virtual_account_no: String,
    virtual_account_name: String,
    trx_id: String,
    bank_cd: String,
    goods_nm: Option<String>,
    amount_minor: u64,
    status: VaStatus,
    db_process_url: Option<String>,
    valid_dt: Option<String>,
    valid_tm: Option<String>,
    created_at: Timestamp,
    paid_at: Option<Timestamp>,
    payment_request_id: Option<String>,
    cancel_message: Option<String>,
}

impl VaTxn {
    /// The status now: an unpaid VA past its `vacctValidDt`/`vacctValidTm` (Jakarta time; time
    /// defaults to `235959`) is expired.
    fn status_now(&self) -> VaStatus {
        match (&self.status, &self.valid_dt) {
            (VaStatus::Unpaid, Some(dt)) => {
                let deadline = format!("{dt}{}", self.valid_tm.as_deref().unwrap_or("235959"));
                if util::jakarta_compact(util::now_timestamp()) > deadline {
                    VaStatus::Expired
                } else {
                    VaStatus::Unpaid
                }
            }
            (status, _) => *status,
        }
    }

    /// Stores an expiry that happened since the last look.
    fn refresh(&mut self) -> VaStatus {
        self.status = self.status_now();
        self.status
    }

    /// `virtualAccountData` as create and status return it.
    fn data(&self, with_status: bool) -> Value {
        let mut info = Map::new();
        info.insert("bankCd".into(), json!(self.bank_cd));
        info.insert("tXidVA".into(), json!(self.txid_va));
        if let Some(g) = &self.goods_nm {
            info.insert("goodsNm".into(), json!(g));
        }
        info.insert("vacctValidDt".into(), json!(self.valid_dt.clone().unwrap_or_default()));
        info.insert("vacctValidTm".into(), json!(self.valid_tm.clone().unwrap_or_default()));
        if with_status {
            info.insert("latestTransactionStatus".into(), json!(self.status.code()));
            info.insert("transactionStatusDesc".into(), json!(self.status.description()));
            if let Some(p) = self.paid_at {
                info.insert("paidTime".into(), json!(p.to_string()));
            }
        }
        json!({
            "partnerServiceId": self.partner_service_id,
            "customerNo": self.customer_no,
            "virtualAccountNo": self.virtual_account_no,
            "virtualAccountName": self.virtual_account_name,
            "trxId": self.trx_id,
            "totalAmount": amount_json(self.amount_minor),
            "additionalInfo": info,
        })
    }
}

/// VA part of the simulator state.
#[derive(Debug, Default)]
pub(crate) struct VaState {
    txns: HashMap<String, VaTxn>,
    order: Vec<String>,
    by_trx_id: HashMap<(String, String), String>,
}

impl VaState {
    pub(crate) fn snapshot(&self) -> Vec<VaSnapshot> {
        self.order
            .iter()
            .filter_map(|r| self.txns.get(r))
            .map(|t| VaSnapshot {
                txid_va: t.txid_va.clone(),
                virtual_account_no: t.virtual_account_no.clone(),
                trx_id: t.trx_id.clone(),
                client_id: t.client_id.clone(),
                bank_cd: t.bank_cd.clone(),
                status: t.status_now(),
                latest_transaction_status: t.status_now().code().to_owned(),
                amount: util::minor_to_string(t.amount_minor),
                db_process_url: t.db_process_url.clone(),
                created_at: t.created_at.to_string(),
                paid_at: t.paid_at.map(|p| p.to_string()),
                cancel_message: t.cancel_message.clone(),
            })
            .collect()
    }

    /// Finds a VA by `tXidVA`, or else by `virtualAccountNo` (the newest unpaid one first).
    fn resolve(&self, id: &str) -> Option<String> {
        if self.txns.contains_key(id) {
            return Some(id.to_owned());
        }
        let mut candidates: Vec<&VaTxn> = self
            .order
            .iter()
            .rev()
            .filter_map(|r| self.txns.get(r))
            .filter(|t| t.virtual_account_no == id)
            .collect();
        candidates.sort_by_key(|t| t.status_now() != VaStatus::Unpaid);
        candidates.first().map(|t| t.txid_va.clone())
    }
}

/// A virtual account as shown by the state dump.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct VaSnapshot {
    /// NICEPAY VA transaction id (`additionalInfo.tXidVA`).
    #[serde(rename = "tXidVA")]
    pub txid_va: String,
    /// The number the customer transfers to.
    pub virtual_account_no: String,
    /// Merchant order id.
    pub trx_id: String,
    /// Owning merchant.
    pub client_id: String,
    /// Bank code.
    pub bank_cd: String,
    /// Lifecycle state.
    pub status: VaStatus,
    /// The `latestTransactionStatus` a status inquiry returns (`03`, `00`, `04`).
    pub latest_transaction_status: String,
    /// Amount, e.g. `"10000.00"`.
    pub amount: String,
    /// Notification URL from `additionalInfo.dbProcessUrl`.
    pub db_process_url: Option<String>,
    /// Creation time (`+07:00`).
    pub created_at: String,
    /// Payment time (`+07:00`).
    pub paid_at: Option<String>,
    /// `additionalInfo.cancelMessage` of the delete.
    pub cancel_message: Option<String>,
}

fn create(shared: &Shared, req: &Verified) -> HandlerResult {
    let f = req.fields();
    let partner_service_id = f.optional_str("partnerServiceId", 20)?.unwrap_or_default();
    let customer_no = f.optional_str("customerNo", 40)?.unwrap_or_default();
    let requested_no = f.optional_str("virtualAccountNo", 25)?;
    if requested_no.is_some_and(|n| !n.trim().bytes().all(|b| b.is_ascii_digit())) {
        return Err(SnapError::invalid_format(req.service, "virtualAccountNo"));
    }
    let name = f.required_str("virtualAccountName", 255)?;
    let trx_id = f.required_str("trxId", 40)?;
    let amount_minor = f.amount("totalAmount")?;
    f.required_object("additionalInfo")?;
    let bank_cd = f.required_str("additionalInfo.bankCd", 4)?;
    if bank_cd.len() != 4 || !bank_cd.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(SnapError::invalid_format(req.service, "additionalInfo.bankCd"));
    }
    let goods_nm = f.optional_str("additionalInfo.goodsNm", 100)?;
    let db_process_url = f.optional_url("additionalInfo.dbProcessUrl", 255)?;
    let valid_dt = f.optional_digits("additionalInfo.vacctValidDt", 8)?;
    let valid_tm = f.optional_digits("additionalInfo.vacctValidTm", 6)?;

    let mut state = shared.lock();
    let key = (req.client_id.clone(), trx_id.to_owned());
    if state.va.by_trx_id.contains_key(&key) {
        return Err(SnapError::duplicate(req.service, "trxId"));
    }
    let seq = state.next_seq();
    // A number may be reused once its previous VA is paid, cancelled or expired, never while
    // another VA with it is still waiting for a transfer.
    let busy = |no: &str| {
        state
            .va
            .txns
            .values()
            .any(|t| t.virtual_account_no == no && t.status_now() == VaStatus::Unpaid)
    };
    let virtual_account_no = match requested_no {
        Some(n) => n.trim().to_owned(),
        // A fixed VA: prefix + customer number.
        None if !customer_no.is_empty() => format!("{partner_service_id}{customer_no}"),
        // A normal VA: an 8-digit bank/NICEPAY prefix and 8 more digits.
        None => loop {
            let candidate = format!("8808{:04}{}", seq % 10_000, util::random_digits(8));
            if !busy(&candidate) {
                break candidate;
            }
        },
    };
    if busy(&virtual_account_no) {
        return Err(SnapError::duplicate(req.service, "virtualAccountNo"));
    }
    if virtual_account_no.len() > 25 {
        return Err(SnapError::invalid_format(req.service, "virtualAccountNo"));
    }
    let txid_va = util::new_txid(&req.client_id, util::PAY_METHOD_VA, seq, |id| {
        state.va.txns.contains_key(id)
    });
    let txn = VaTxn {
        client_id: req.client_id.clone(),
        txid_va: txid_va.clone(),
        partner_service_id: partner_service_id.to_owned(),
        customer_no: customer_no.to_owned(),
        virtual_account_no,
        virtual_account_name: name.to_owned(),
        trx_id: trx_id.to_owned(),
        bank_cd: bank_cd.to_owned(),
        goods_nm: goods_nm.map(str::to_owned),
        amount_minor,
        status: VaStatus::Unpaid,
        db_process_url: db_process_url.map(str::to_owned),
        valid_dt: valid_dt.map(str::to_owned),
        valid_tm: valid_tm.map(str::to_owned),
        created_at: util::now_timestamp(),
        paid_at: None,
        payment_request_id: None,
        cancel_message: None,
    };
    let data = txn.data(false);
    state.va.by_trx_id.insert(key, txid_va.clone());
    state.va.order.push(txid_va.clone());
    state.va.txns.insert(txid_va, txn);
    Ok(success(req.service, json!({ "virtualAccountData": data })))
}

/// Finds the VA a status/delete request names: `tXidVA` + merchant + `trxId` must match
/// (`404xx01` otherwise), the VA number too (`404xx19`). The amount must be well-formed; a
/// delete must also name the VA's amount (`400xx01`), while a status inquiry answers with the
/// real amount (so confirming a notification whose body was edited yields "not paid", as for
/// QRIS and e-wallet).
fn find<'a>(
    state: &'a mut crate::state::State,
    req: &Verified,
    txid_va: &str,
    trx_id: &str,
    virtual_account_no: &str,
    amount_path: &str,
    amount_must_match: bool,
) -> Result<&'a mut VaTxn, SnapError> {
    let f = req.fields();
    let amount_minor = f.amount(amount_path)?;
    let txn = state
        .va
        .txns
        .get_mut(txid_va)
        .filter(|t| t.client_id == req.client_id && t.trx_id == trx_id)
        .ok_or_else(|| SnapError::not_found(req.service))?;
    if txn.virtual_account_no != virtual_account_no.trim() {
        return Err(SnapError::invalid_va(req.service));
    }
    if amount_must_match && txn.amount_minor != amount_minor {
        return Err(SnapError::invalid_format(req.service, &format!("{amount_path}.value")));
    }
    Ok(txn)
}

fn status(shared: &Shared, req: &Verified) -> HandlerResult {
    let f = req.fields();
    f.optional_str("partnerServiceId", 20)?;
    f.optional_str("customerNo", 40)?;
    let virtual_account_no = f.required_str("virtualAccountNo", 25)?;
    let inquiry_request_id = f.required_str("inquiryRequestId", 128)?;
    f.required_object("additionalInfo")?;
    let trx_id = f.required_str("additionalInfo.trxId", 40)?;
    let txid_va = f.required_str("additionalInfo.tXidVA", 40)?;

    let mut state = shared.lock();
    let txn = find(
        &mut state,
        req,
        txid_va,
        trx_id,
        virtual_account_no,
        "additionalInfo.totalAmount",
        false,
    )?;
    txn.refresh();
    Ok(success(
        req.service,
        json!({
            "virtualAccountData": txn.data(true),
            "inquiryRequestId": inquiry_request_id,
        }),
    ))
}

fn delete(shared: &Shared, req: &Verified) -> HandlerResult {
    let f = req.fields();
    f.optional_str("partnerServiceId", 20)?;
    f.optional_str("customerNo", 40)?;
    let virtual_account_no = f.required_str("virtualAccountNo", 25)?;
    let trx_id = f.required_str("trxId", 40)?;
    f.required_object("additionalInfo")?;
    let txid_va = f.required_str("additionalInfo.tXidVA", 40)?;
    let cancel_message = f.required_str("additionalInfo.cancelMessage", 255)?;

    let mut state = shared.lock();
    let txn = find(
        &mut state,
        req,
        txid_va,
        trx_id,
        virtual_account_no,
        "additionalInfo.totalAmount",
        true,
    )?;
    match txn.refresh() {
        VaStatus::Unpaid => {}
        VaStatus::Paid => return Err(SnapError::paid_bill(req.service)),
        VaStatus::Cancelled => {
            return Err(SnapError::not_permitted(
                req.service,
                "Virtual Account Already Cancelled",
            ))
        }
        VaStatus::Expired => return Err(SnapError::not_permitted(req.service, "Virtual Account Expired")),
    }
    txn.status = VaStatus::Cancelled;
    txn.cancel_message = Some(cancel_message.to_owned());
    Ok(success(
        req.service,
        json!({
            "virtualAccountData": {
                "partnerServiceId": txn.partner_service_id,
                "customerNo": txn.customer_no,
                "virtualAccountNo": txn.virtual_account_no,
                "trxId": txn.trx_id,
                "totalAmount": amount_json(txn.amount_minor),
                "additionalInfo": {
                    "tXidVA": txn.txid_va,
                    "cancelMessage": cancel_message,
                    "latestTransactionStatus": txn.status.code(),
                    "transactionStatusDesc": txn.status.description(),
                },
            },
        }),
    ))
}

/// Builds the VA paid notification (body per [`VaNotification`]).
fn notification_for(txn: &VaTxn) -> Result<Option<PendingNotification>, SimulatorError> {
    let Some(url) = txn.db_process_url.clone() else {
        return Ok(None);
    };
    let mut info = Map::new();
    info.insert("bankCd".into(), json!(txn.bank_cd));
    info.insert("tXidVA".into(), json!(txn.txid_va));
    info.insert("latestTransactionStatus".into(), json!(txn.status.code()));
    info.insert("transactionStatusDesc".into(), json!(txn.status.description()));
    let body = VaNotification {
        partner_service_id: Some(txn.partner_service_id.clone()),
        customer_no: Some(txn.customer_no.clone()),
        virtual_account_no: Some(txn.virtual_account_no.clone()),
        virtual_account_name: Some(txn.virtual_account_name.clone()),
        trx_id: Some(txn.trx_id.clone()),
        payment_request_id: txn.payment_request_id.clone(),
        paid_amount: Some(
            Amount::from_minor_units(txn.amount_minor).map_err(|e| SimulatorError::Internal(e.to_string()))?,
        ),
        trx_date_time: txn.paid_at.map(|p| p.to_string()),
        additional_info: Some(info),
        extra: Map::new(),
    };
    let body = serde_json::to_vec(&body).map_err(|e| SimulatorError::Internal(e.to_string()))?;
    Ok(Some(PendingNotification {
        url,
        client_id: txn.client_id.clone(),
        body,
    }))
}

/// The customer transfers to an unpaid VA (named by `tXidVA` or `virtualAccountNo`): marks it
/// paid and delivers the signed notification to its `dbProcessUrl`.
pub(crate) async fn pay(shared: &Shared, id: &str) -> Result<PaymentOutcome, SimulatorError> {
    let (outcome, pending) = {
        let mut state = shared.lock();
        let txid_va = state
            .va
            .resolve(id)
            .ok_or_else(|| SimulatorError::NotFound(format!("virtual account {id}")))?;
        let seq = state.next_seq();
        let txn = state
            .va
            .txns
            .get_mut(&txid_va)
            .ok_or_else(|| SimulatorError::NotFound(format!("virtual account {id}")))?;
        if txn.refresh() != VaStatus::Unpaid {
            return Err(SimulatorError::Conflict(format!(
                "virtual account {id} is not unpaid (status {} {})",
                txn.status.code(),
                txn.status.description()
            )));
        }
        let paid_at = util::now_timestamp();
        txn.status = VaStatus::Paid;
        txn.paid_at = Some(paid_at);
        txn.payment_request_id = Some(format!("{}{:06}", util::jakarta_compact(paid_at), seq % 1_000_000));
        let outcome = PaymentOutcome {
            reference_no: txn.txid_va.clone(),
            partner_reference_no: txn.trx_id.clone(),
            latest_transaction_status: txn.status.code().to_owned(),
            paid_at: paid_at.to_string(),
            virtual_account_no: Some(txn.virtual_account_no.clone()),
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

/// Sends the notification of a paid VA again (as NICEPAY retries do).
pub(crate) async fn resend_notification(
    shared: &Shared,
    id: &str,
) -> Result<Option<NotificationDelivery>, SimulatorError> {
    let pending = {
        let state = shared.lock();
        let txn = state
            .va
            .resolve(id)
            .and_then(|t| state.va.txns.get(&t))
            .ok_or_else(|| SimulatorError::NotFound(format!("virtual account {id}")))?;
        if txn.status != VaStatus::Paid {
            return Err(SimulatorError::Conflict(format!("virtual account {id} is not paid")));
        }
        notification_for(txn)?
    };
    Ok(match pending {
        Some(p) => Some(deliver(shared, p).await),
        None => None,
    })
}
