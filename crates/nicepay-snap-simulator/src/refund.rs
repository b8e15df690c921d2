//! The refund rules QRIS and e-wallet share: partial refunds add up to at most the paid amount,
//! a `partnerRefundNo` is used once per merchant, and every booked refund gets its own id.
//!
//! Both products call these under the one state lock, so concurrent refunds can never book more
//! than was paid. What differs per product (which statuses may be refunded, the response body)
//! stays in `qris.rs` and `ewallet.rs`.

use std::collections::HashMap;

use nicepay_snap::Timestamp;

use crate::snap::SnapError;
use crate::util;

/// One booked refund.
#[derive(Debug, Clone)]
pub(crate) struct Refund {
    /// The simulator's id of the refund (`referenceNo` / `refundNo` in the answer).
    pub(crate) refund_no: String,
    /// The merchant's `partnerRefundNo`.
    pub(crate) partner_refund_no: String,
    pub(crate) amount_minor: u64,
    pub(crate) refund_time: Timestamp,
    /// The acquirer's serial number of the cancellation (QRIS answers it as `cancelTrxSn`).
    pub(crate) cancel_trx_sn: String,
}

/// The refunds booked against one paid transaction, oldest first.
#[derive(Debug, Clone, Default)]
pub(crate) struct Refunds {
    booked: Vec<Refund>,
}

impl Refunds {
    /// The refunds booked so far, oldest first.
    pub(crate) fn booked(&self) -> &[Refund] {
        &self.booked
    }

    /// The sum of the booked refunds, in minor units.
    pub(crate) fn refunded_minor(&self) -> u64 {
        self.booked.iter().map(|r| r.amount_minor).sum()
    }

    /// Books a refund of `amount_minor` against a transaction of `original_minor`: refused with
    /// `403{svc}02 Exceeds Transaction Amount Limit` when the refunds would add up to more than
    /// was paid. Returns the booked refund and whether the transaction is now fully refunded.
    pub(crate) fn book(
        &mut self,
        service: &'static str,
        client_id: &str,
        seq: u64,
        original_minor: u64,
        partner_refund_no: &str,
        amount_minor: u64,
    ) -> Result<(Refund, bool), SnapError> {
        let total = self
            .refunded_minor()
            .checked_add(amount_minor)
            .filter(|total| *total <= original_minor)
            .ok_or_else(|| SnapError::exceeds_amount(service))?;
        let refund_time = util::now_timestamp();
        let refund = Refund {
            refund_no: format!(
                "{client_id}{}{:06}",
                util::jakarta_compact(refund_time),
                seq % 1_000_000
            ),
            partner_refund_no: partner_refund_no.to_owned(),
            amount_minor,
            refund_time,
            cancel_trx_sn: util::random_digits(20),
        };
        self.booked.push(refund.clone());
        Ok((refund, total == original_minor))
    }
}

/// The `partnerRefundNo`s used so far, per merchant (client id), with the refund each booked.
#[derive(Debug, Default)]
pub(crate) struct RefundNos {
    used: HashMap<(String, String), String>,
}

impl RefundNos {
    /// Refuses a `partnerRefundNo` the merchant has used before: `409{svc}01 Duplicate
    /// partnerRefundNo`.
    pub(crate) fn ensure_unused(
        &self,
        service: &'static str,
        client_id: &str,
        partner_refund_no: &str,
    ) -> Result<(), SnapError> {
        if self
            .used
            .contains_key(&(client_id.to_owned(), partner_refund_no.to_owned()))
        {
            return Err(SnapError::duplicate(service, "partnerRefundNo"));
        }
        Ok(())
    }

    /// Records a booked refund's `partnerRefundNo`.
    pub(crate) fn remember(&mut self, client_id: &str, refund: &Refund) {
        self.used.insert(
            (client_id.to_owned(), refund.partner_refund_no.clone()),
            refund.refund_no.clone(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_refunds_add_up_to_at_most_the_paid_amount() {
        let mut refunds = Refunds::default();
        let (first, fully) = refunds.book("78", "MID", 1, 10_000, "r1", 4_000).unwrap();
        assert!(!fully);
        assert!(first.refund_no.starts_with("MID"), "{}", first.refund_no);
        assert!(first.refund_no.ends_with("000001"), "{}", first.refund_no);
        assert_eq!(first.cancel_trx_sn.len(), 20);
        let over = refunds.book("78", "MID", 2, 10_000, "r2", 6_001).unwrap_err();
        assert_eq!((over.status, over.service, over.case), (403, "78", "02"));
        assert_eq!(refunds.booked().len(), 1, "a refused refund books nothing");
        let (_, fully) = refunds.book("78", "MID", 3, 10_000, "r3", 6_000).unwrap();
        assert!(fully);
        assert_eq!(refunds.refunded_minor(), 10_000);
        let more = refunds.book("78", "MID", 4, 10_000, "r4", 1).unwrap_err();
        assert_eq!(more.case, "02");
        // An amount that would overflow the running total is refused, not wrapped.
        let huge = refunds.book("78", "MID", 5, u64::MAX, "r5", u64::MAX).unwrap_err();
        assert_eq!(huge.case, "02");
    }

    #[test]
    fn partner_refund_numbers_are_unique_per_merchant() {
        let mut refunds = Refunds::default();
        let mut nos = RefundNos::default();
        nos.ensure_unused("58", "A", "r1").unwrap();
        let (refund, _) = refunds.book("58", "A", 1, 100, "r1", 10).unwrap();
        nos.remember("A", &refund);
        let dup = nos.ensure_unused("58", "A", "r1").unwrap_err();
        assert_eq!((dup.status, dup.case), (409, "01"));
        nos.ensure_unused("58", "B", "r1").unwrap();
        nos.ensure_unused("58", "A", "r2").unwrap();
    }
}
