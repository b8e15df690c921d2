//! Payout (disbursement): registration, approve, inquiry, cancel, reject (service `00`) and
//! balance inquiry (11), with a simulated merchant balance.
//!
//! State machine (any other transition answers `4030015 Transaction Not Permitted`):
//!
//! ```text
//! registration ──► 03 Pending ──approve──► 00 Success   (debits the balance; 4030014 if short)
//!                     │    └────reject───► 05 Rejected
//!                     └─cancel (scheduled only)──► 04 Canceled
//! 00 Success ──cancel (scheduled only: the simulator never executes it)──► 04 Canceled (credited back)
//! ```

use std::collections::HashMap;

use nicepay_snap::{Method, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::snap::{amount_json, success, Endpoint, HandlerResult, SnapError, Verified};
use crate::state::Shared;
use crate::util;

/// Payout registration.
pub(crate) const REGISTRATION: Endpoint = Endpoint {
    path: "/api/v1.0/transfer/registration",
    method: Method::Post,
    service_code: "00",
    handler: registration,
};

/// Payout approve.
pub(crate) const APPROVE: Endpoint = Endpoint {
    path: "/api/v1.0/transfer/approve",
    method: Method::Post,
    service_code: "00",
    handler: approve,
};

/// Payout inquiry.
pub(crate) const INQUIRY: Endpoint = Endpoint {
    path: "/api/v1.0/transfer/inquiry",
    method: Method::Post,
    service_code: "00",
    handler: inquiry,
};

/// Payout cancel.
pub(crate) const CANCEL: Endpoint = Endpoint {
    path: "/api/v1.0/transfer/cancel",
    method: Method::Post,
    service_code: "00",
    handler: cancel,
};

/// Payout reject.
pub(crate) const REJECT: Endpoint = Endpoint {
    path: "/api/v1.0/transfer/reject",
    method: Method::Post,
    service_code: "00",
    handler: reject,
};

/// Balance inquiry.
pub(crate) const BALANCE: Endpoint = Endpoint {
    path: "/api/v1.0/balance-inquiry",
    method: Method::Post,
    service_code: "11",
    handler: balance,
};

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

#[derive(Debug, Clone)]
struct Payout {
    client_id: String,
    reference_no: String,
    partner_reference_no: String,
    beneficiary_account_no: String,
    beneficiary_name: String,
    beneficiary_bank_code: String,
    delivery_name: Option<String>,
    reserved_dt: Option<String>,
    reserved_tm: Option<String>,
    amount_minor: u64,
    status: PayoutStatus,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl Payout {
    fn scheduled(&self) -> bool {
        self.reserved_dt.is_some()
    }

    fn response(&self) -> Value {
        json!({
            "originalPartnerReferenceNo": self.partner_reference_no,
            "originalReferenceNo": self.reference_no,
            "beneficiaryAccountNo": self.beneficiary_account_no,
            "beneficiaryName": self.beneficiary_name,
            "beneficiaryBankCode": self.beneficiary_bank_code,
            "amount": amount_json(self.amount_minor),
            "transactionStatus": self.status.code(),
            "transactionStatusDesc": self.status.description(),
        })
    }
}

/// Payout part of the simulator state.
#[derive(Debug, Default)]
pub(crate) struct PayoutState {
    payouts: HashMap<String, Payout>,
    order: Vec<String>,
    by_partner_ref: HashMap<(String, String), String>,
    /// Available balance per merchant, in minor units; absent = the configured initial balance.
    balances: HashMap<String, u64>,
}

impl PayoutState {
    pub(crate) fn snapshot(&self) -> Vec<PayoutSnapshot> {
        self.order
            .iter()
            .filter_map(|r| self.payouts.get(r))
            .map(|p| PayoutSnapshot {
                reference_no: p.reference_no.clone(),
                partner_reference_no: p.partner_reference_no.clone(),
                client_id: p.client_id.clone(),
                beneficiary_account_no: p.beneficiary_account_no.clone(),
                beneficiary_bank_code: p.beneficiary_bank_code.clone(),
                delivery_name: p.delivery_name.clone(),
                reserved_dt: p.reserved_dt.clone(),
                reserved_tm: p.reserved_tm.clone(),
                status: p.status,
                transaction_status: p.status.code().to_owned(),
                amount: util::minor_to_string(p.amount_minor),
                created_at: p.created_at.to_string(),
                updated_at: p.updated_at.to_string(),
            })
            .collect()
    }

    /// The available balance of `client_id`.
    pub(crate) fn balance(&self, client_id: &str, initial: u64) -> u64 {
        self.balances.get(client_id).copied().unwrap_or(initial)
    }

    /// Sets the available balance of `client_id`.
    pub(crate) fn set_balance(&mut self, client_id: &str, minor: u64) {
        self.balances.insert(client_id.to_owned(), minor);
    }

    /// Every merchant's balance as `"123.45"` strings.
    pub(crate) fn balances(&self, clients: &[String], initial: u64) -> std::collections::BTreeMap<String, String> {
        clients
            .iter()
            .map(|c| (c.clone(), util::minor_to_string(self.balance(c, initial))))
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

fn registration(shared: &Shared, req: &Verified) -> HandlerResult {
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

    let mut state = shared.lock();
    let key = (req.client_id.clone(), partner_reference_no.to_owned());
    if state.payout.by_partner_ref.contains_key(&key) {
        return Err(SnapError::duplicate(req.service, "partnerReferenceNo"));
    }
    let seq = state.next_seq();
    let reference_no = util::new_txid(&req.client_id, util::PAY_METHOD_PAYOUT, seq, |id| {
        state.payout.payouts.contains_key(id)
    });
    let now = util::now_timestamp();
    let payout = Payout {
        client_id: req.client_id.clone(),
        reference_no: reference_no.clone(),
        partner_reference_no: partner_reference_no.to_owned(),
        beneficiary_account_no: account_no.to_owned(),
        beneficiary_name: name.to_owned(),
        beneficiary_bank_code: bank_code.to_owned(),
        delivery_name: delivery_name.map(str::to_owned),
        reserved_dt: reserved_dt.map(str::to_owned),
        reserved_tm: reserved_tm.map(str::to_owned),
        amount_minor,
        status: PayoutStatus::Pending,
        created_at: now,
        updated_at: now,
    };
    state.payout.by_partner_ref.insert(key, reference_no.clone());
    state.payout.order.push(reference_no.clone());
    state.payout.payouts.insert(reference_no.clone(), payout);
    Ok(success(
        req.service,
        json!({
            "partnerReferenceNo": partner_reference_no,
            "referenceNo": reference_no,
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
    state: &'a mut crate::state::State,
    req: &Verified,
    account_required: bool,
) -> Result<&'a mut Payout, SnapError> {
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
        .payout
        .payouts
        .get_mut(reference_no)
        .filter(|p| p.client_id == req.client_id && p.partner_reference_no == partner_reference_no)
        .ok_or_else(|| SnapError::not_found(req.service))?;
    if account.is_some_and(|a| a != payout.beneficiary_account_no) {
        return Err(SnapError::invalid_account(req.service));
    }
    Ok(payout)
}

fn not_permitted(req: &Verified, action: &str, payout: &Payout) -> SnapError {
    SnapError::not_permitted(
        req.service,
        &format!(
            "Cannot {action} a payout in status {} ({})",
            payout.status.code(),
            payout.status.description()
        ),
    )
}

fn approve(shared: &Shared, req: &Verified) -> HandlerResult {
    let initial = shared.settings.payout_balance_minor;
    let mut state = shared.lock();
    let balance = state.payout.balance(&req.client_id, initial);
    let payout = find(&mut state, req, false)?;
    if payout.status != PayoutStatus::Pending {
        return Err(not_permitted(req, "approve", payout));
    }
    if payout.amount_minor > balance {
        return Err(SnapError::insufficient_funds(req.service));
    }
    payout.status = PayoutStatus::Approved;
    payout.updated_at = util::now_timestamp();
    let body = payout.response();
    let amount = payout.amount_minor;
    state.payout.set_balance(&req.client_id, balance - amount);
    Ok(success(req.service, body))
}

fn reject(shared: &Shared, req: &Verified) -> HandlerResult {
    let mut state = shared.lock();
    let payout = find(&mut state, req, false)?;
    if payout.status != PayoutStatus::Pending {
        return Err(not_permitted(req, "reject", payout));
    }
    payout.status = PayoutStatus::Rejected;
    payout.updated_at = util::now_timestamp();
    Ok(success(req.service, payout.response()))
}

fn cancel(shared: &Shared, req: &Verified) -> HandlerResult {
    let initial = shared.settings.payout_balance_minor;
    let mut state = shared.lock();
    let balance = state.payout.balance(&req.client_id, initial);
    let payout = find(&mut state, req, false)?;
    if !payout.scheduled() {
        return Err(SnapError::not_permitted(
            req.service,
            "Only Scheduled Payouts (reservedDt) Can Be Cancelled",
        ));
    }
    let credit = match payout.status {
        PayoutStatus::Pending => 0,
        PayoutStatus::Approved => payout.amount_minor,
        _ => return Err(not_permitted(req, "cancel", payout)),
    };
    payout.status = PayoutStatus::Canceled;
    payout.updated_at = util::now_timestamp();
    let body = payout.response();
    state.payout.set_balance(&req.client_id, balance.saturating_add(credit));
    Ok(success(req.service, body))
}

fn inquiry(shared: &Shared, req: &Verified) -> HandlerResult {
    let mut state = shared.lock();
    let payout = find(&mut state, req, true)?;
    Ok(success(req.service, payout.response()))
}

fn balance(shared: &Shared, req: &Verified) -> HandlerResult {
    let f = req.fields();
    // The Kotlin SDK sends the iMid, the Python SDK "": both mean "this merchant".
    let account_no = f.optional_str("accountNo", 32)?;
    if account_no.is_some_and(|a| a != req.client_id) {
        return Err(SnapError::invalid_account(req.service));
    }
    f.optional_object("additionalInfo")?;
    f.optional_str("additionalInfo.msId", 20)?;
    let available = shared
        .lock()
        .payout
        .balance(&req.client_id, shared.settings.payout_balance_minor);
    let mut info = Map::new();
    info.insert("balanceType".into(), json!("Cash"));
    info.insert(
        "availableBalance".into(),
        json!({ "value": util::minor_to_string(available), "currency": "IDR" }),
    );
    Ok(success(
        req.service,
        json!({
            "accountNo": req.client_id,
            "accountInfos": [Value::Object(info)],
        }),
    ))
}
