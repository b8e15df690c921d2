//! One generic store for every product's transactions (QRIS, VA, e-wallet, payout): records in
//! creation order, the merchant references already used, the refund numbers already used, and
//! the shared transitions — create, look up, refund, settle (the customer pays) and resend the
//! notification. What differs per product lives behind the [`Product`], [`Refundable`] and
//! [`Payable`] traits in the product modules.
//!
//! The ledger knows nothing of locks or HTTP: the server calls it under the one state lock, and
//! the admin layer delivers the notifications a settlement returns after releasing the lock.

use std::collections::{HashMap, HashSet};
use std::ops::{Deref, DerefMut};

use nicepay_snap::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::SimulatorError;
use crate::notify::{NotificationDelivery, PendingNotification};
use crate::refund::{Refund, RefundNos, Refunds};
use crate::snap::{amount_json, SnapError};
use crate::util;

/// One stored transaction: what every product's transaction has, and the product's own part
/// `D` (reachable through `Deref`).
#[derive(Debug, Clone)]
pub(crate) struct Entry<D> {
    /// The owning merchant.
    pub(crate) client_id: String,
    /// NICEPAY's id of it (`referenceNo` tXid, or `tXidVA`).
    pub(crate) id: String,
    /// The merchant's reference, unique per merchant (`partnerReferenceNo`, or `trxId` for VA).
    pub(crate) partner_ref: String,
    /// The amount in minor units.
    pub(crate) amount_minor: u64,
    /// When it was created.
    pub(crate) created_at: Timestamp,
    /// The product's own fields.
    pub(crate) detail: D,
}

impl<D> Deref for Entry<D> {
    type Target = D;

    fn deref(&self) -> &D {
        &self.detail
    }
}

impl<D> DerefMut for Entry<D> {
    fn deref_mut(&mut self) -> &mut D {
        &mut self.detail
    }
}

/// A product's part of a transaction kept in a [`Ledger`].
pub(crate) trait Product: Sized {
    /// What the admin API calls it (`"QRIS transaction"`) and the NICEPAY pay-method code
    /// inside its ids (`util::PAY_METHOD_*`).
    const KIND: (&'static str, &'static str);
    /// What `GET /__admin/state` shows of it.
    type Snapshot;

    /// The state dump view.
    fn snapshot(entry: &Entry<Self>) -> Self::Snapshot;
}

/// A product whose paid amount can be refunded in parts (QRIS, e-wallet).
pub(crate) trait Refundable: Payable {
    /// The refunds booked so far.
    fn refunds_mut(&mut self) -> &mut Refunds;
    /// The refunds now add up to the paid amount.
    fn mark_fully_refunded(&mut self);
    /// Whether it may be refunded now: only when paid (`00`); otherwise `403{svc}15` saying
    /// why (`03` not paid, `04` fully refunded, `05` canceled).
    fn check_refundable(&self, service: &'static str) -> Result<(), SnapError> {
        let reason = match self.latest_status().0 {
            "00" => return Ok(()),
            "03" => "Transaction Is Not Paid",
            "04" => "Transaction Already Fully Refunded",
            _ => "Transaction Canceled",
        };
        Err(SnapError::not_permitted(service, reason))
    }
}

/// A product the customer pays and NICEPAY notifies the merchant about (QRIS, VA, e-wallet).
pub(crate) trait Payable: Product {
    /// `latestTransactionStatus` code and description now.
    fn latest_status(&self) -> (&'static str, &'static str);
    /// Whether a notification may be sent again: the customer has acted (no longer `03`).
    fn has_notification(&self) -> bool {
        self.latest_status().0 != "03"
    }
    /// The signed notification's target and body; `None` without a notification URL.
    fn notification(entry: &Entry<Self>) -> Result<Option<PendingNotification>, SimulatorError>;
    /// The VA number the customer paid to (VA only).
    fn virtual_account_no(&self) -> Option<String> {
        None
    }
    /// Where the wallet page sends the customer back to (e-wallet `PAY_RETURN`).
    fn return_url(&self) -> Option<String> {
        None
    }
    /// The key of the entry an admin id names (VA: a `tXidVA` or a `virtualAccountNo`).
    fn resolve(ledger: &Ledger<Self>, id: &str) -> Option<String> {
        ledger.records.contains_key(id).then(|| id.to_owned())
    }
}

/// The status answer QRIS query and e-wallet status share: both ids, `serviceCode`, the
/// status, `paidTime` once paid, `amount`, then `additionalInfo` = `extra` followed by
/// `refundedAmount`, `refund_count` (`refundCount`, QRIS) and `remainingAmount`.
pub(crate) fn status_answer<D: Payable + Refundable>(
    record: &Entry<D>,
    (reference_no, service_code): (&str, &str),
    paid_at: Option<Timestamp>,
    mut extra: Map<String, Value>,
    refunds: &Refunds,
    with_refund_count: bool,
) -> Value {
    let (code, description) = record.latest_status();
    let mut body = Map::new();
    body.insert("originalReferenceNo".into(), json!(reference_no));
    body.insert("originalPartnerReferenceNo".into(), json!(record.partner_ref));
    body.insert("serviceCode".into(), json!(service_code));
    body.insert("latestTransactionStatus".into(), json!(code));
    body.insert("transactionStatusDesc".into(), json!(description));
    if let Some(p) = paid_at {
        body.insert("paidTime".into(), json!(p.to_string()));
    }
    body.insert("amount".into(), amount_json(record.amount_minor));
    let refunded = refunds.refunded_minor();
    extra.insert("refundedAmount".into(), amount_json(refunded));
    if with_refund_count {
        extra.insert("refundCount".into(), json!(refunds.booked().len().to_string()));
    }
    extra.insert(
        "remainingAmount".into(),
        amount_json(record.amount_minor.saturating_sub(refunded)),
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

/// What a new entry gets from [`Ledger::create`].
#[derive(Debug)]
pub(crate) struct Fresh {
    /// A process-unique sequence number.
    pub(crate) seq: u64,
    /// Its NICEPAY-like id, unique in the ledger.
    pub(crate) id: String,
    /// Its creation time.
    pub(crate) created_at: Timestamp,
}

/// The transactions of one product, oldest first.
#[derive(Debug)]
pub(crate) struct Ledger<D> {
    records: HashMap<String, Entry<D>>,
    order: Vec<String>,
    partner_refs: HashSet<(String, String)>,
    refund_nos: RefundNos,
}

impl<D> Default for Ledger<D> {
    fn default() -> Self {
        Self {
            records: HashMap::new(),
            order: Vec::new(),
            partner_refs: HashSet::new(),
            refund_nos: RefundNos::default(),
        }
    }
}

impl<D: Product> Ledger<D> {
    /// Every entry, oldest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Entry<D>> {
        self.order.iter().filter_map(|id| self.records.get(id))
    }

    /// The state dump of every entry, oldest first.
    pub(crate) fn snapshot(&self) -> Vec<D::Snapshot> {
        self.iter().map(D::snapshot).collect()
    }

    /// The entry with this id.
    pub(crate) fn get(&self, id: &str) -> Option<&Entry<D>> {
        self.records.get(id)
    }

    /// The entry with this id, to change it.
    pub(crate) fn find_mut(&mut self, id: &str) -> Option<&mut Entry<D>> {
        self.records.get_mut(id)
    }

    /// Stores a new entry of `client_id` for `amount_minor`: `409{svc}01 Duplicate
    /// {duplicate_field}` when the merchant used `partner_ref` before; otherwise `build` gets the
    /// ledger and the new entry's sequence number, id and time, and may still refuse.
    pub(crate) fn create(
        &mut self,
        service: &'static str,
        client_id: &str,
        (duplicate_field, partner_ref): (&str, &str),
        amount_minor: u64,
        build: impl FnOnce(&Self, &Fresh) -> Result<D, SnapError>,
    ) -> Result<&Entry<D>, SnapError> {
        let key = (client_id.to_owned(), partner_ref.to_owned());
        if self.partner_refs.contains(&key) {
            return Err(SnapError::duplicate(service, duplicate_field));
        }
        let seq = util::next_seq();
        let fresh = Fresh {
            seq,
            id: util::new_txid(client_id, D::KIND.1, seq, |id| self.records.contains_key(id)),
            created_at: util::now_timestamp(),
        };
        let entry = Entry {
            detail: build(self, &fresh)?,
            client_id: client_id.to_owned(),
            id: fresh.id.clone(),
            partner_ref: partner_ref.to_owned(),
            amount_minor,
            created_at: fresh.created_at,
        };
        self.partner_refs.insert(key);
        self.order.push(fresh.id.clone());
        Ok(self.records.entry(fresh.id).or_insert(entry))
    }

    /// The entry `id` of `client_id` with this merchant reference; `404{svc}01 Transaction
    /// Not Found` otherwise (another merchant's entry is not found either).
    pub(crate) fn open(
        &mut self,
        service: &'static str,
        client_id: &str,
        id: &str,
        partner_ref: &str,
    ) -> Result<&mut Entry<D>, SnapError> {
        self.records
            .get_mut(id)
            .filter(|r| r.client_id == client_id && r.partner_ref == partner_ref)
            .ok_or_else(|| SnapError::not_found(service))
    }
}

impl<D: Refundable> Ledger<D> {
    /// Books a refund of `amount_minor` against entry `id` under the money rules QRIS and
    /// e-wallet share: `partnerRefundNo` once per merchant (`409{svc}01`), the entry must be
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
        let entry = self.open(service, client_id, id, partner_ref)?;
        entry.check_refundable(service)?;
        let paid = entry.amount_minor;
        let (refund, fully) =
            entry
                .refunds_mut()
                .book(service, client_id, seq, paid, partner_refund_no, amount_minor)?;
        if fully {
            entry.mark_fully_refunded();
        }
        self.refund_nos.remember(client_id, &refund);
        Ok(refund)
    }
}

impl<D: Payable> Ledger<D> {
    fn resolve_mut(&mut self, id: &str) -> Result<&mut Entry<D>, SimulatorError> {
        D::resolve(self, id)
            .and_then(|key| self.records.get_mut(&key))
            .ok_or_else(|| SimulatorError::NotFound(format!("{} {id}", D::KIND.0)))
    }

    /// The customer acts on entry `id` (an admin id): `act` changes it at the current time, or
    /// refuses with the status it is in (admin `409`). Returns the outcome and the
    /// notification to deliver.
    pub(crate) fn settle(
        &mut self,
        id: &str,
        act: impl FnOnce(&mut D, Timestamp) -> Result<(), (&'static str, &'static str)>,
    ) -> Result<Settled, SimulatorError> {
        let entry = self.resolve_mut(id)?;
        let at = util::now_timestamp();
        act(entry, at).map_err(|(code, description)| {
            SimulatorError::Conflict(format!(
                "{} {id} is not awaiting payment (status {code} {description})",
                D::KIND.0
            ))
        })?;
        Ok(Settled {
            outcome: PaymentOutcome {
                reference_no: entry.id.clone(),
                partner_reference_no: entry.partner_ref.clone(),
                latest_transaction_status: entry.latest_status().0.to_owned(),
                paid_at: at.to_string(),
                virtual_account_no: entry.virtual_account_no(),
                notification: None,
            },
            notification: D::notification(entry)?,
            return_url: entry.return_url(),
        })
    }

    /// The notification of entry `id` (an admin id) again, once the customer has acted.
    pub(crate) fn renotify(&mut self, id: &str) -> Result<Option<PendingNotification>, SimulatorError> {
        let entry = self.resolve_mut(id)?;
        if !entry.has_notification() {
            let (code, description) = entry.latest_status();
            return Err(SimulatorError::Conflict(format!(
                "{} {id} is not paid (status {code} {description})",
                D::KIND.0
            )));
        }
        D::notification(entry)
    }
}
