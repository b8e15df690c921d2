//! One generic store for every product's transactions (QRIS, VA, e-wallet, payout): records in
//! creation order, the merchant references already used, the refund numbers already used, and
//! the shared transitions — create, look up, refund, settle (the customer pays) and resend the
//! notification. What differs per product lives behind the [`Record`], [`Refundable`] and
//! [`Payable`] traits in the product modules.
//!
//! The ledger knows nothing of locks or HTTP: the server calls it under the one state lock, and
//! the admin layer delivers the notifications a settlement returns after releasing the lock.

use std::collections::{HashMap, HashSet};

use nicepay_snap::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::SimulatorError;
use crate::notify::{NotificationDelivery, PendingNotification};
use crate::refund::{Refund, RefundNos, Refunds};
use crate::snap::{amount_json, SnapError};
use crate::util;

/// A transaction kept in a [`Ledger`].
pub(crate) trait Record {
    /// What the admin API calls it (`"QRIS transaction"`).
    const KIND: &'static str;
    /// NICEPAY pay-method code inside its ids (`util::PAY_METHOD_*`).
    const PAY_METHOD: &'static str;
    /// What `GET /__admin/state` shows of it.
    type Snapshot;

    /// The owning merchant.
    fn client_id(&self) -> &str;
    /// The merchant's reference, unique per merchant (`partnerReferenceNo`, or `trxId` for VA).
    fn partner_reference_no(&self) -> &str;
    /// The state dump view.
    fn snapshot(&self) -> Self::Snapshot;
}

/// A record whose paid amount can be refunded in parts (QRIS, e-wallet).
pub(crate) trait Refundable: Record {
    /// The paid amount in minor units.
    fn amount_minor(&self) -> u64;
    /// The refunds booked so far.
    fn refunds_mut(&mut self) -> &mut Refunds;
    /// Whether the record may be refunded now (`403{svc}15` with the reason otherwise).
    fn check_refundable(&self, service: &'static str) -> Result<(), SnapError>;
    /// The refunds now add up to the paid amount.
    fn mark_fully_refunded(&mut self);
}

/// A record the customer pays and NICEPAY notifies the merchant about (QRIS, VA, e-wallet).
pub(crate) trait Payable: Record {
    /// `latestTransactionStatus` code and description now.
    fn latest_status(&self) -> (&'static str, &'static str);
    /// Whether a notification may be sent again (the customer has acted).
    fn has_notification(&self) -> bool;
    /// The signed notification's target and body; `None` without a notification URL.
    fn notification(&self) -> Result<Option<PendingNotification>, SimulatorError>;
    /// What the admin API answers after the customer acted at `at`.
    fn outcome(&self, at: Timestamp) -> PaymentOutcome;
    /// Where the wallet page sends the customer back to (e-wallet `PAY_RETURN`).
    fn return_url(&self) -> Option<String> {
        None
    }
    /// The key of the record an admin id names (VA: a `tXidVA` or a `virtualAccountNo`).
    fn resolve(ledger: &Ledger<Self>, id: &str) -> Option<String>
    where
        Self: Sized,
    {
        ledger.records.contains_key(id).then(|| id.to_owned())
    }
}

/// The status answer QRIS query and e-wallet status share: both ids, `serviceCode`, the
/// status, `paidTime` once paid, `amount`, then `additionalInfo` = `extra` followed by
/// `refundedAmount`, `refund_count` (`refundCount`, QRIS) and `remainingAmount`.
pub(crate) fn status_answer<T: Payable + Refundable>(
    record: &T,
    (reference_no, service_code): (&str, &str),
    paid_at: Option<Timestamp>,
    mut extra: Map<String, Value>,
    refunds: &Refunds,
    with_refund_count: bool,
) -> Value {
    let (code, description) = record.latest_status();
    let mut body = Map::new();
    body.insert("originalReferenceNo".into(), json!(reference_no));
    body.insert(
        "originalPartnerReferenceNo".into(),
        json!(record.partner_reference_no()),
    );
    body.insert("serviceCode".into(), json!(service_code));
    body.insert("latestTransactionStatus".into(), json!(code));
    body.insert("transactionStatusDesc".into(), json!(description));
    if let Some(p) = paid_at {
        body.insert("paidTime".into(), json!(p.to_string()));
    }
    body.insert("amount".into(), amount_json(record.amount_minor()));
    let refunded = refunds.refunded_minor();
    extra.insert("refundedAmount".into(), amount_json(refunded));
    if with_refund_count {
        extra.insert("refundCount".into(), json!(refunds.booked().len().to_string()));
    }
    extra.insert(
        "remainingAmount".into(),
        amount_json(record.amount_minor().saturating_sub(refunded)),
    );
    body.insert("additionalInfo".into(), Value::Object(extra));
    Value::Object(body)
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

/// What a settlement leaves to do once the state lock is released.
#[derive(Debug)]
pub(crate) struct Settled {
    /// The answer, without the notification's fate yet.
    pub(crate) outcome: PaymentOutcome,
    /// The notification to deliver.
    pub(crate) notification: Option<PendingNotification>,
    /// Where to send the customer back to.
    pub(crate) return_url: Option<String>,
}

/// The transactions of one product, oldest first.
#[derive(Debug)]
pub(crate) struct Ledger<T> {
    records: HashMap<String, T>,
    order: Vec<String>,
    partner_refs: HashSet<(String, String)>,
    refund_nos: RefundNos,
}

impl<T> Default for Ledger<T> {
    fn default() -> Self {
        Self {
            records: HashMap::new(),
            order: Vec::new(),
            partner_refs: HashSet::new(),
            refund_nos: RefundNos::default(),
        }
    }
}

impl<T: Record> Ledger<T> {
    /// Every record, oldest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.order.iter().filter_map(|id| self.records.get(id))
    }

    /// The state dump of every record, oldest first.
    pub(crate) fn snapshot(&self) -> Vec<T::Snapshot> {
        self.iter().map(T::snapshot).collect()
    }

    /// The record with this id.
    pub(crate) fn get(&self, id: &str) -> Option<&T> {
        self.records.get(id)
    }

    /// Stores a new record of `client_id`: `409{svc}01 Duplicate {duplicate_field}` when the
    /// merchant used `partner_ref` before; otherwise `build` gets the ledger, a fresh sequence
    /// number and a fresh NICEPAY-like id, and may still refuse.
    pub(crate) fn create(
        &mut self,
        service: &'static str,
        client_id: &str,
        (duplicate_field, partner_ref): (&str, &str),
        build: impl FnOnce(&Self, u64, String) -> Result<T, SnapError>,
    ) -> Result<&T, SnapError> {
        let key = (client_id.to_owned(), partner_ref.to_owned());
        if self.partner_refs.contains(&key) {
            return Err(SnapError::duplicate(service, duplicate_field));
        }
        let seq = util::next_seq();
        let id = util::new_txid(client_id, T::PAY_METHOD, seq, |id| self.records.contains_key(id));
        let record = build(self, seq, id.clone())?;
        self.partner_refs.insert(key);
        self.order.push(id.clone());
        Ok(self.records.entry(id).or_insert(record))
    }

    /// The record `id` of `client_id` with this merchant reference; `404{svc}01 Transaction
    /// Not Found` otherwise (another merchant's record is not found either).
    pub(crate) fn open(
        &mut self,
        service: &'static str,
        client_id: &str,
        id: &str,
        partner_ref: &str,
    ) -> Result<&mut T, SnapError> {
        self.records
            .get_mut(id)
            .filter(|r| r.client_id() == client_id && r.partner_reference_no() == partner_ref)
            .ok_or_else(|| SnapError::not_found(service))
    }
}

impl<T: Refundable> Ledger<T> {
    /// Books a refund of `amount_minor` against record `id` under the money rules QRIS and
    /// e-wallet share: `partnerRefundNo` once per merchant (`409{svc}01`), the record must be
    /// refundable (`403{svc}15`), refunds add up to at most the paid amount (`403{svc}02`).
    pub(crate) fn refund(
        &mut self,
        service: &'static str,
        client_id: &str,
        (id, partner_ref): (&str, &str),
        partner_refund_no: &str,
        amount_minor: u64,
    ) -> Result<Refund, SnapError> {
        self.refund_nos.ensure_unused(service, client_id, partner_refund_no)?;
        let seq = util::next_seq();
        let record = self.open(service, client_id, id, partner_ref)?;
        record.check_refundable(service)?;
        let paid = record.amount_minor();
        let (refund, fully) =
            record
                .refunds_mut()
                .book(service, client_id, seq, paid, partner_refund_no, amount_minor)?;
        if fully {
            record.mark_fully_refunded();
        }
        self.refund_nos.remember(client_id, &refund);
        Ok(refund)
    }
}

impl<T: Payable> Ledger<T> {
    fn resolve_mut(&mut self, id: &str) -> Result<&mut T, SimulatorError> {
        T::resolve(self, id)
            .and_then(|key| self.records.get_mut(&key))
            .ok_or_else(|| SimulatorError::NotFound(format!("{} {id}", T::KIND)))
    }

    /// The customer acts on record `id` (an admin id): `act` changes it at the current time, or
    /// refuses with the status the record is in (admin `409`). Returns the outcome and the
    /// notification to deliver.
    pub(crate) fn settle(
        &mut self,
        id: &str,
        act: impl FnOnce(&mut T, Timestamp) -> Result<(), (&'static str, &'static str)>,
    ) -> Result<Settled, SimulatorError> {
        let record = self.resolve_mut(id)?;
        let at = util::now_timestamp();
        act(record, at).map_err(|(code, description)| {
            SimulatorError::Conflict(format!(
                "{} {id} is not awaiting payment (status {code} {description})",
                T::KIND
            ))
        })?;
        Ok(Settled {
            outcome: record.outcome(at),
            notification: record.notification()?,
            return_url: record.return_url(),
        })
    }

    /// The notification of record `id` (an admin id) again, once the customer has acted.
    pub(crate) fn renotify(&mut self, id: &str) -> Result<Option<PendingNotification>, SimulatorError> {
        let record = self.resolve_mut(id)?;
        if !record.has_notification() {
            let (code, description) = record.latest_status();
            return Err(SimulatorError::Conflict(format!(
                "{} {id} is not paid (status {code} {description})",
                T::KIND
            )));
        }
        record.notification()
    }
}
