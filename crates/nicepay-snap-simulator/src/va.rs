//! Virtual Account: create (27), status (26), delete (31, HTTP `DELETE` only) and the simulated
//! bank transfer with its signed VA paid notification (25).

use nicepay_snap::api::va::VaNotification;
use nicepay_snap::{Method, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::SimulatorError;
use crate::ledger::{Entry, Ledger, Payable, Product};
use crate::notify::{self, PendingNotification};
use crate::snap::{amount_json, success, HandlerResult, Operation, SnapError, Verified};
use crate::util;

/// The VA store, keyed by `tXidVA`.
pub(crate) type VaLedger = Ledger<Va>;

/// VA operations: create, status, and delete (HTTP `DELETE` with a JSON body; any other method
/// gets `4053100`).
pub(crate) const OPERATIONS: &[Operation<VaLedger>] = &[
    Operation::post("/api/v1.0/transfer-va/create-va", "27", create),
    Operation::post("/api/v1.0/transfer-va/status", "26", status),
    Operation {
        path: "/api/v1.0/transfer-va/delete-va",
        method: Method::Delete,
        service_code: "31",
        handler: delete,
    },
];

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

/// One simulated virtual account (`id` = `tXidVA`, `partner_ref` = `trxId`).
pub(crate) type VaTxn = Entry<Va>;

/// The VA part of a virtual account.
#[derive(Debug, Clone)]
pub(crate) struct Va {
    partner_service_id: String,
    customer_no: String,
    virtual_account_no: String,
    virtual_account_name: String,
    bank_cd: String,
    goods_nm: Option<String>,
    status: VaStatus,
    db_process_url: Option<String>,
    valid_dt: Option<String>,
    valid_tm: Option<String>,
    paid_at: Option<Timestamp>,
    payment_request_id: Option<String>,
    cancel_message: Option<String>,
}

impl Va {
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
}

impl VaTxn {
    /// `virtualAccountData` as create and status return it.
    fn data(&self, with_status: bool) -> Value {
        let mut info = Map::new();
        info.insert("bankCd".into(), json!(self.bank_cd));
        info.insert("tXidVA".into(), json!(self.id));
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
            "trxId": self.partner_ref,
            "totalAmount": amount_json(self.amount_minor),
            "additionalInfo": info,
        })
    }
}

impl Product for Va {
    const KIND: (&'static str, &'static str) = ("virtual account", util::PAY_METHOD_VA);
    type Snapshot = VaSnapshot;

    fn snapshot(t: &VaTxn) -> VaSnapshot {
        VaSnapshot {
            txid_va: t.id.clone(),
            virtual_account_no: t.virtual_account_no.clone(),
            trx_id: t.partner_ref.clone(),
            client_id: t.client_id.clone(),
            bank_cd: t.bank_cd.clone(),
            status: t.status_now(),
            latest_transaction_status: t.status_now().code().to_owned(),
            amount: util::minor_to_string(t.amount_minor),
            db_process_url: t.db_process_url.clone(),
            created_at: t.created_at.to_string(),
            paid_at: t.paid_at.map(|p| p.to_string()),
            cancel_message: t.cancel_message.clone(),
        }
    }
}

impl Payable for Va {
    fn latest_status(&self) -> (&'static str, &'static str) {
        (self.status_now().code(), self.status_now().description())
    }

    fn has_notification(&self) -> bool {
        self.status == VaStatus::Paid
    }

    /// The VA paid notification (body per [`VaNotification`]).
    fn notification(t: &VaTxn) -> Result<Option<PendingNotification>, SimulatorError> {
        let mut info = Map::new();
        info.insert("bankCd".into(), json!(t.bank_cd));
        info.insert("tXidVA".into(), json!(t.id));
        info.insert("latestTransactionStatus".into(), json!(t.status.code()));
        info.insert("transactionStatusDesc".into(), json!(t.status.description()));
        let body = VaNotification {
            partner_service_id: Some(t.partner_service_id.clone()),
            customer_no: Some(t.customer_no.clone()),
            virtual_account_no: Some(t.virtual_account_no.clone()),
            virtual_account_name: Some(t.virtual_account_name.clone()),
            trx_id: Some(t.partner_ref.clone()),
            payment_request_id: t.payment_request_id.clone(),
            paid_amount: Some(notify::amount(t.amount_minor)?),
            trx_date_time: t.paid_at.map(|p| p.to_string()),
            additional_info: Some(info),
            extra: Map::new(),
        };
        PendingNotification::json(t.db_process_url.as_ref(), &t.client_id, ("va", &t.id), &body)
    }

    fn virtual_account_no(&self) -> Option<String> {
        Some(self.virtual_account_no.clone())
    }

    /// A `tXidVA`, or else a `virtualAccountNo` (the newest unpaid VA with it first).
    fn resolve(ledger: &VaLedger, id: &str) -> Option<String> {
        if ledger.get(id).is_some() {
            return Some(id.to_owned());
        }
        let mut candidates: Vec<&VaTxn> = ledger.iter().filter(|t| t.virtual_account_no == id).collect();
        candidates.reverse();
        candidates.sort_by_key(|t| t.status_now() != VaStatus::Unpaid);
        candidates.first().map(|t| t.id.clone())
    }
}

/// The customer transfers to an unpaid VA (`POST /__admin/va/{id}/pay`).
pub(crate) fn pay(txn: &mut Va, at: Timestamp) -> Result<(), (&'static str, &'static str)> {
    if txn.refresh() != VaStatus::Unpaid {
        return Err(txn.latest_status());
    }
    txn.status = VaStatus::Paid;
    txn.paid_at = Some(at);
    txn.payment_request_id = Some(format!(
        "{}{:06}",
        util::jakarta_compact(at),
        util::next_seq() % 1_000_000
    ));
    Ok(())
}

/// The bank takes a transfer of `paid_minor` to unpaid virtual account `id` only when it is the
/// bill's amount (NICEPAY's VAs are closed-amount); otherwise it refuses, saying how it differs.
pub(crate) fn check_transfer(ledger: &VaLedger, id: &str, paid_minor: u64) -> Result<(), SimulatorError> {
    let Some(txn) = Va::resolve(ledger, id).and_then(|key| ledger.get(&key)) else {
        return Ok(()); // settle reports the unknown id
    };
    if txn.status_now() != VaStatus::Unpaid || paid_minor == txn.amount_minor {
        return Ok(()); // settle reports a VA that is not awaiting payment
    }
    let kind = if paid_minor < txn.amount_minor {
        "a partial payment"
    } else {
        "more than the bill"
    };
    Err(SimulatorError::Conflict(format!(
        "the bank refused the transfer of IDR {} to virtual account {} ({kind}): it is a closed-amount bill of IDR {}",
        util::minor_to_string(paid_minor),
        txn.virtual_account_no,
        util::minor_to_string(txn.amount_minor),
    )))
}

/// The simulator's operator expires an unpaid VA now (`04` Expired), before its
/// `vacctValidDt`/`vacctValidTm`.
pub(crate) fn expire(txn: &mut Va, _at: Timestamp) -> Result<(), (&'static str, &'static str)> {
    if txn.refresh() != VaStatus::Unpaid {
        return Err(txn.latest_status());
    }
    txn.status = VaStatus::Expired;
    Ok(())
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

fn create(ledger: &mut VaLedger, req: &Verified) -> HandlerResult {
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

    let txn = ledger.create(
        req.service,
        &req.client_id,
        ("trxId", trx_id),
        amount_minor,
        |ledger, new| {
            // A number may be reused once its previous VA is paid, cancelled or expired, never
            // while another VA with it is still waiting for a transfer.
            let busy = |no: &str| {
                ledger
                    .iter()
                    .any(|t| t.virtual_account_no == no && t.status_now() == VaStatus::Unpaid)
            };
            let virtual_account_no = match requested_no {
                Some(n) => n.trim().to_owned(),
                // A fixed VA: prefix + customer number.
                None if !customer_no.is_empty() => format!("{partner_service_id}{customer_no}"),
                // A normal VA: an 8-digit bank/NICEPAY prefix and 8 more digits.
                None => loop {
                    let candidate = format!("8808{:04}{}", new.seq % 10_000, util::random_digits(8));
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
            Ok(Va {
                partner_service_id: partner_service_id.to_owned(),
                customer_no: customer_no.to_owned(),
                virtual_account_no,
                virtual_account_name: name.to_owned(),
                bank_cd: bank_cd.to_owned(),
                goods_nm: goods_nm.map(str::to_owned),
                status: VaStatus::Unpaid,
                db_process_url: db_process_url.map(str::to_owned),
                valid_dt: valid_dt.map(str::to_owned),
                valid_tm: valid_tm.map(str::to_owned),
                paid_at: None,
                payment_request_id: None,
                cancel_message: None,
            })
        },
    )?;
    Ok(success(req.service, json!({ "virtualAccountData": txn.data(false) })))
}

/// Finds the VA a status/delete request names (the fields both share, with `trxId` at
/// `trx_id_path`): `tXidVA` + merchant + `trxId` must match (`404xx01` otherwise), the VA number
/// too (`404xx19`). `additionalInfo.totalAmount` must be well-formed; a delete must also name
/// the VA's amount (`400xx01`), while a status inquiry answers with the real amount (so
/// confirming a notification whose body was edited yields "not paid", as for QRIS and
/// e-wallet). An expiry that happened since the last look is stored.
fn open<'a>(
    ledger: &'a mut VaLedger,
    req: &Verified,
    trx_id_path: &str,
    amount_must_match: bool,
) -> Result<&'a mut VaTxn, SnapError> {
    let f = req.fields();
    f.optional_str("partnerServiceId", 20)?;
    f.optional_str("customerNo", 40)?;
    let virtual_account_no = f.required_str("virtualAccountNo", 25)?;
    f.required_object("additionalInfo")?;
    let trx_id = f.required_str(trx_id_path, 40)?;
    let txid_va = f.required_str("additionalInfo.tXidVA", 40)?;
    let amount_minor = f.amount("additionalInfo.totalAmount")?;
    let txn = ledger.open(req.service, &req.client_id, txid_va, trx_id)?;
    if txn.virtual_account_no != virtual_account_no.trim() {
        return Err(SnapError::invalid_va(req.service));
    }
    if amount_must_match && txn.amount_minor != amount_minor {
        return Err(SnapError::invalid_format(
            req.service,
            "additionalInfo.totalAmount.value",
        ));
    }
    txn.refresh();
    Ok(txn)
}

fn status(ledger: &mut VaLedger, req: &Verified) -> HandlerResult {
    let inquiry_request_id = req.fields().required_str("inquiryRequestId", 128)?;
    let txn = open(ledger, req, "additionalInfo.trxId", false)?;
    Ok(success(
        req.service,
        json!({
            "virtualAccountData": txn.data(true),
            "inquiryRequestId": inquiry_request_id,
        }),
    ))
}

fn delete(ledger: &mut VaLedger, req: &Verified) -> HandlerResult {
    let cancel_message = req.fields().required_str("additionalInfo.cancelMessage", 255)?;
    let txn = open(ledger, req, "trxId", true)?;
    match txn.status {
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
                "trxId": txn.partner_ref,
                "totalAmount": amount_json(txn.amount_minor),
                "additionalInfo": {
                    "tXidVA": txn.id,
                    "cancelMessage": cancel_message,
                    "latestTransactionStatus": txn.status.code(),
                    "transactionStatusDesc": txn.status.description(),
                },
            },
        }),
    ))
}
