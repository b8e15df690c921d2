//! Payout (disbursement): registration, approve, inquiry, cancel, reject (service `00`) and
//! balance inquiry (11), with a simulated merchant balance.
//!
//! State machine (any other transition answers `4030015 Transaction Not Permitted`):
//!
//! ```text
//! registration ──► 03 Pending ──approve──► 00 Success   (debits the balance; 4030014 if short)
//!                     │    └────reject───► 05 Rejected
//!                     └─cancel (scheduled only)──► 04 Canceled
//! 00 Success ──cancel (scheduled, not yet executed)──► 04 Canceled (credited back)
//! ```
//!
//! A scheduled payout (`reservedDt`) is executed by the admin call
//! `POST /__admin/payout/{referenceNo}/execute` (the simulator keeps no calendar). With a
//! notification URL set for the merchant (`POST /__admin/payout/notification-url`; NICEPAY sets
//! it at onboarding, the registration body has none), the simulator posts the signed payout
//! result notification after an immediate payout's approve, a reject, and a scheduled payout's
//! execution.

use std::collections::{BTreeMap, HashMap};

use nicepay_snap::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::SimulatorError;
use crate::ledger::{Entry, Ledger, Product};
use crate::notify::{NotificationDelivery, PendingNotification};
use crate::snap::{amount_json, success, HandlerResult, Operation, SnapError, Verified};
use crate::util;

/// The payout operations' service code.
pub(crate) const SERVICE_CODE: &str = "00";

/// Payout operations (service `00`) and the balance inquiry (11).
pub(crate) const OPERATIONS: &[Operation<PayoutState>] = &[
    Operation::post("/api/v1.0/transfer/registration", "00", registration),
    Operation::post("/api/v1.0/transfer/approve", "00", approve),
    Operation::post("/api/v1.0/transfer/inquiry", "00", inquiry),
    Operation::post("/api/v1.0/transfer/cancel", "00", cancel),
    Operation::post("/api/v1.0/transfer/reject", "00", reject),
    Operation::post("/api/v1.0/balance-inquiry", "11", balance),
];

/// Lifecycle of a simulated payout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum PayoutStatus {
    /// Registered, awaiting approve or reject (`03`).
    Pending,
    /// Approved; the balance was debited (`00`).
    Approved,
    /// Cancelled (scheduled payouts only) (`04`).
    Canceled,
    /// Rejected by the merchant (`05`).
    Rejected,
}

impl PayoutStatus {
    /// `transactionStatus` code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "03",
            Self::Approved => "00",
            Self::Canceled => "04",
            Self::Rejected => "05",
        }
    }

    /// `transactionStatusDesc`.
    pub fn description(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Approved => "Success",
            Self::Canceled => "Canceled",
            Self::Rejected => "Rejected",
        }
    }
}

/// One simulated payout (`id` = `referenceNo`).
pub(crate) type PayoutTxn = Entry<Payout>;

/// The payout part of a payout.
#[derive(Debug, Clone)]
pub(crate) struct Payout {
    beneficiary_account_no: String,
    beneficiary_name: String,
    beneficiary_bank_code: String,
    delivery_name: Option<String>,
    reserved_dt: Option<String>,
    reserved_tm: Option<String>,
    status: PayoutStatus,
    updated_at: Timestamp,
    /// A scheduled payout the admin call has executed (no longer cancellable).
    executed: bool,
}

impl PayoutTxn {
    /// The payout result notification's body.
    fn notification(&self) -> Value {
        json!({
            "originalPartnerReferenceNo": self.partner_ref,
            "originalReferenceNo": self.id,
            "latestTransactionStatus": self.status.code(),
            "transactionStatusDesc": self.status.description(),
            "beneficiaryBankCode": self.beneficiary_bank_code,
            "beneficiaryAccountNo": self.beneficiary_account_no,
            "beneficiaryName": self.beneficiary_name,
            "amount": amount_json(self.amount_minor),
            "additionalInfo": {},
        })
    }

    fn scheduled(&self) -> bool {
        self.reserved_dt.is_some()
    }

    fn response(&self) -> Value {
        json!({
            "originalPartnerReferenceNo": self.partner_ref,
            "originalReferenceNo": self.id,
            "beneficiaryAccountNo": self.beneficiary_account_no,
            "beneficiaryName": self.beneficiary_name,
            "beneficiaryBankCode": self.beneficiary_bank_code,
            "amount": amount_json(self.amount_minor),
            "transactionStatus": self.status.code(),
            "transactionStatusDesc": self.status.description(),
        })
    }
}

impl Product for Payout {
    const KIND: (&'static str, &'static str) = ("payout", util::PAY_METHOD_PAYOUT);
    type Snapshot = PayoutSnapshot;

    fn snapshot(t: &PayoutTxn) -> PayoutSnapshot {
        PayoutSnapshot {
            reference_no: t.id.clone(),
            partner_reference_no: t.partner_ref.clone(),
            client_id: t.client_id.clone(),
            beneficiary_account_no: t.beneficiary_account_no.clone(),
            beneficiary_bank_code: t.beneficiary_bank_code.clone(),
            delivery_name: t.delivery_name.clone(),
            reserved_dt: t.reserved_dt.clone(),
            reserved_tm: t.reserved_tm.clone(),
            status: t.status,
            transaction_status: t.status.code().to_owned(),
            amount: util::minor_to_string(t.amount_minor),
            created_at: t.created_at.to_string(),
            updated_at: t.updated_at.to_string(),
        }
    }
}

/// Payout part of the simulator state: the payouts and every merchant's balance.
#[derive(Debug)]
pub(crate) struct PayoutState {
    payouts: Ledger<Payout>,
    /// Available balance per merchant, in minor units; absent = `initial`.
    balances: HashMap<String, u64>,
    /// Every merchant's balance at start.
    initial: u64,
    /// Where each merchant receives payout notifications.
    notify_urls: HashMap<String, String>,
    /// Notifications to post once the state lock is released.
    pub(crate) outbox: Vec<PendingNotification>,
    /// Every payout notification delivery, oldest first.
    pub(crate) deliveries: Vec<NotificationDelivery>,
}

impl PayoutState {
    /// No payouts; every merchant starts with `initial` minor units.
    pub(crate) fn new(initial: u64) -> Self {
        Self {
            payouts: Ledger::default(),
            balances: HashMap::new(),
            initial,
            notify_urls: HashMap::new(),
            outbox: Vec::new(),
            deliveries: Vec::new(),
        }
    }

    /// Sets (or, with `None`, clears) where `client_id` receives payout notifications.
    pub(crate) fn set_notify_url(&mut self, client_id: &str, url: Option<String>) {
        match url {
            Some(url) => self.notify_urls.insert(client_id.to_owned(), url),
            None => self.notify_urls.remove(client_id),
        };
    }

    /// Queues the notification of payout `body` for `client_id`, when it has a URL.
    fn notify(&mut self, client_id: &str, reference_no: &str, body: &Value) {
        let url = self.notify_urls.get(client_id);
        if let Ok(Some(pending)) = PendingNotification::json(url, client_id, ("payout", reference_no), body) {
            self.outbox.push(pending);
        }
    }

    /// Executes scheduled payout `reference_no` of `client_id` (approved, not yet executed) and
    /// queues its notification.
    pub(crate) fn execute(&mut self, reference_no: &str) -> Result<(), SimulatorError> {
        let payout = self
            .payouts
            .find_mut(reference_no)
            .ok_or_else(|| SimulatorError::NotFound(format!("payout {}", nicepay_snap::error::echo(reference_no))))?;
        if !payout.scheduled() || payout.status != PayoutStatus::Approved || payout.executed {
            return Err(SimulatorError::Conflict(format!(
                "payout {} is not an approved scheduled payout awaiting execution",
                payout.id
            )));
        }
        payout.executed = true;
        payout.updated_at = util::now_timestamp();
        let (client_id, body) = (payout.client_id.clone(), payout.notification());
        self.notify(&client_id, reference_no, &body);
        Ok(())
    }

    /// Approves (debiting the balance; `4030014` when short) or rejects pending payout `id`
    /// (`4030015` in any other status) and queues its notification: a reject's at once, an
    /// approve's for an immediate payout (a scheduled one's when it is executed). Answers the
    /// payout as the SNAP calls do. The SNAP approve/reject and the dashboard's buttons both
    /// come here.
    pub(crate) fn decide(&mut self, service: &'static str, id: &str, approve: bool) -> Result<Value, SnapError> {
        let action = if approve { "approve" } else { "reject" };
        let Some(payout) = self.payouts.get(id) else {
            return Err(SnapError::not_found(service));
        };
        let client_id = payout.client_id.clone();
        let balance = self.balance(&client_id);
        if payout.status != PayoutStatus::Pending {
            return Err(not_permitted(service, action, payout.status));
        }
        if approve && payout.amount_minor > balance {
            return Err(SnapError::insufficient_funds(service));
        }
        let payout = self.payouts.find_mut(id).ok_or_else(|| SnapError::not_found(service))?;
        payout.status = if approve {
            PayoutStatus::Approved
        } else {
            PayoutStatus::Rejected
        };
        payout.updated_at = util::now_timestamp();
        let body = payout.response();
        let amount = payout.amount_minor;
        // An immediate payout is paid out now; a scheduled one when it is executed.
        let notification = (!approve || !payout.scheduled()).then(|| payout.notification());
        if approve {
            self.set_balance(&client_id, balance - amount);
        }
        if let Some(n) = notification {
            self.notify(&client_id, id, &n);
        }
        Ok(body)
    }

    /// The payouts as the state dump shows them, oldest first.
    pub(crate) fn snapshot(&self) -> Vec<PayoutSnapshot> {
        self.payouts.snapshot()
    }

    /// The available balance of `client_id`.
    pub(crate) fn balance(&self, client_id: &str) -> u64 {
        self.balances.get(client_id).copied().unwrap_or(self.initial)
    }

    /// Sets the available balance of `client_id`.
    pub(crate) fn set_balance(&mut self, client_id: &str, minor: u64) {
        self.balances.insert(client_id.to_owned(), minor);
    }

    /// Every merchant's balance as `"123.45"` strings.
    pub(crate) fn balances(&self, clients: &[String]) -> BTreeMap<String, String> {
        clients
            .iter()
            .map(|c| (c.clone(), util::minor_to_string(self.balance(c))))
            .collect()
    }
}

/// A payout as shown by the state dump.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PayoutSnapshot {
    /// NICEPAY payout id (tXid).
    pub reference_no: String,
    /// Merchant reference.
    pub partner_reference_no: String,
    /// Owning merchant.
    pub client_id: String,
    /// Destination account.
    pub beneficiary_account_no: String,
    /// Destination bank.
    pub beneficiary_bank_code: String,
    /// `deliveryName` or `deliveryNm`, whichever was sent.
    pub delivery_name: Option<String>,
    /// Scheduled date (`reservedDt`), if any.
    pub reserved_dt: Option<String>,
    /// Scheduled time (`reservedTm`), if any.
    pub reserved_tm: Option<String>,
    /// Lifecycle state.
    pub status: PayoutStatus,
    /// The `transactionStatus` an inquiry returns (`03`, `00`, `04`, `05`).
    pub transaction_status: String,
    /// Amount, e.g. `"10000.00"`.
    pub amount: String,
    /// Registration time (`+07:00`).
    pub created_at: String,
    /// Time of the last transition (`+07:00`).
    pub updated_at: String,
}

fn registration(state: &mut PayoutState, req: &Verified) -> HandlerResult {
    let f = req.fields();
    let partner_reference_no = f.required_str("partnerReferenceNo", 40)?;
    f.merchant_id(&req.client_id)?;
    f.optional_str("msId", 20)?;
    let account_no = f.required_str("beneficiaryAccountNo", 25)?;
    if !account_no.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SnapError::invalid_format(req.service, "beneficiaryAccountNo"));
    }
    let name = f.required_str("beneficiaryName", 100)?;
    f.required_str("beneficiaryPhone", 20)?;
    f.required_one_of("beneficiaryCustomerResidence", &["1", "2"])?;
    f.required_one_of("beneficiaryCustomerType", &["1", "2", "3"])?;
    f.optional_str("beneficiaryPostalCode", 10)?;
    let bank_code = f.required_str("beneficiaryBankCode", 8)?;
    f.required_one_of("payoutMethod", &["0", "1", "2", "3", "4"])?;
    f.optional_str("description", 255)?;
    let reserved_dt = f.optional_digits("reservedDt", 8)?;
    let reserved_tm = f.optional_digits("reservedTm", 6)?;
    f.optional_str("deliveryId", 40)?;
    // Open question (spec §7.11): the Kotlin SDK sends `deliveryName`, the Python SDK
    // `deliveryNm`. Both are accepted.
    let delivery_name = match f.optional_str("deliveryName", 100)? {
        Some(n) => Some(n),
        None => f.optional_str("deliveryNm", 100)?,
    };
    let amount_minor = f.amount("amount")?;

    let payout = state.payouts.create(
        req.service,
        &req.client_id,
        ("partnerReferenceNo", partner_reference_no),
        amount_minor,
        |_, new| {
            Ok(Payout {
                beneficiary_account_no: account_no.to_owned(),
                beneficiary_name: name.to_owned(),
                beneficiary_bank_code: bank_code.to_owned(),
                delivery_name: delivery_name.map(str::to_owned),
                reserved_dt: reserved_dt.map(str::to_owned),
                reserved_tm: reserved_tm.map(str::to_owned),
                status: PayoutStatus::Pending,
                updated_at: new.created_at,
                executed: false,
            })
        },
    )?;
    Ok(success(
        req.service,
        json!({
            "partnerReferenceNo": partner_reference_no,
            "referenceNo": payout.id,
            "beneficiaryAccountNo": account_no,
            "beneficiaryName": name,
            "beneficiaryBankCode": bank_code,
            "amount": amount_json(amount_minor),
            "transactionStatus": PayoutStatus::Pending.code(),
            "transactionStatusDesc": PayoutStatus::Pending.description(),
        }),
    ))
}

/// The fields approve, reject, cancel and inquiry share; finds the payout (`4040001` if unknown
/// or not this merchant's, `4040011 Invalid Account` if `beneficiaryAccountNo` does not match).
fn find<'a>(
    state: &'a mut PayoutState,
    req: &Verified,
    account_required: bool,
) -> Result<&'a mut PayoutTxn, SnapError> {
    let f = req.fields();
    let reference_no = f.required_str("originalReferenceNo", 40)?;
    let partner_reference_no = f.required_str("originalPartnerReferenceNo", 40)?;
    f.merchant_id(&req.client_id)?;
    let account = if account_required {
        Some(f.required_str("beneficiaryAccountNo", 25)?)
    } else {
        f.optional_str("beneficiaryAccountNo", 25)?
    };
    let payout = state
        .payouts
        .open(req.service, &req.client_id, reference_no, partner_reference_no)?;
    if account.is_some_and(|a| a != payout.beneficiary_account_no) {
        return Err(SnapError::invalid_account(req.service));
    }
    Ok(payout)
}

fn not_permitted(service: &'static str, action: &str, status: PayoutStatus) -> SnapError {
    SnapError::not_permitted(
        service,
        &format!(
            "Cannot {action} a payout in status {} ({})",
            status.code(),
            status.description()
        ),
    )
}

fn approve(state: &mut PayoutState, req: &Verified) -> HandlerResult {
    let payout = find(state, req, false)?;
    let id = payout.id.clone();
    let body = state.decide(req.service, &id, true)?;
    Ok(success(req.service, body))
}

fn reject(state: &mut PayoutState, req: &Verified) -> HandlerResult {
    let payout = find(state, req, false)?;
    let id = payout.id.clone();
    let body = state.decide(req.service, &id, false)?;
    Ok(success(req.service, body))
}

fn cancel(state: &mut PayoutState, req: &Verified) -> HandlerResult {
    let balance = state.balance(&req.client_id);
    let payout = find(state, req, false)?;
    if !payout.scheduled() {
        return Err(SnapError::not_permitted(
            req.service,
            "Only Scheduled Payouts (reservedDt) Can Be Cancelled",
        ));
    }
    let credit = match payout.status {
        PayoutStatus::Pending => 0,
        PayoutStatus::Approved if !payout.executed => payout.amount_minor,
        _ => return Err(not_permitted(req.service, "cancel", payout.status)),
    };
    payout.status = PayoutStatus::Canceled;
    payout.updated_at = util::now_timestamp();
    let body = payout.response();
    state.set_balance(&req.client_id, balance.saturating_add(credit));
    Ok(success(req.service, body))
}

fn inquiry(state: &mut PayoutState, req: &Verified) -> HandlerResult {
    let payout = find(state, req, true)?;
    Ok(success(req.service, payout.response()))
}

fn balance(state: &mut PayoutState, req: &Verified) -> HandlerResult {
    let f = req.fields();
    // The Kotlin SDK sends the iMid, the Python SDK "": both mean "this merchant".
    let account_no = f.optional_str("accountNo", 32)?;
    if account_no.is_some_and(|a| a != req.client_id) {
        return Err(SnapError::invalid_account(req.service));
    }
    f.optional_object("additionalInfo")?;
    f.optional_str("additionalInfo.msId", 20)?;
    let available = state.balance(&req.client_id);
    let mut info = Map::new();
    info.insert("balanceType".into(), json!("Cash"));
    info.insert("availableBalance".into(), amount_json(available));
    Ok(success(
        req.service,
        json!({
            "accountNo": req.client_id,
            "accountInfos": [Value::Object(info)],
        }),
    ))
}
