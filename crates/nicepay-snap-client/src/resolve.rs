//! Settling the open entries of the money-call journal by status query, never by resending: the
//! query each money-moving operation is settled by, and what its answer means.

use nicepay_snap::api::ewallet::EwalletStatusRequest;
use nicepay_snap::api::payout::{PayoutReference, PayoutResponse};
use nicepay_snap::api::qris::QrisQueryRequest;
use nicepay_snap::api::Extra;
use nicepay_snap::{Amount, TransactionStatus};
use serde_json::Value;

use crate::store::{JournalEntry, JournalState};

/// The status query that settles a journal entry.
#[derive(Debug)]
pub(crate) enum Query {
    /// A QRIS refund: the payment's QRIS query.
    Qris(QrisQueryRequest),
    /// An e-wallet refund: the payment's e-wallet status.
    Ewallet(EwalletStatusRequest),
    /// A payout approve: the payout inquiry.
    Payout(PayoutReference),
}

/// What a status answer says about an open entry.
#[derive(Debug)]
pub(crate) enum Verdict {
    /// Settled: applied or not.
    Settled(JournalState, String),
    /// Still open, and why.
    Open(String),
}

fn text(request: &Value, field: &str) -> Option<String> {
    request.get(field)?.as_str().map(str::to_owned)
}

impl Query {
    /// The query for `entry`, or why there is none.
    pub(crate) fn of(entry: &JournalEntry) -> Result<Self, String> {
        let r = &entry.request;
        let missing = || {
            format!(
                "the journalled {} request lacks the identifiers to query",
                entry.operation
            )
        };
        let original = || Some((text(r, "originalReferenceNo")?, text(r, "originalPartnerReferenceNo")?));
        match entry.operation.as_str() {
            "qris.refund" => {
                let (reference, partner) = original().ok_or_else(missing)?;
                let merchant = text(r, "merchantId").ok_or_else(missing)?;
                let store = text(r, "externalStoreId").ok_or_else(missing)?;
                Ok(Self::Qris(QrisQueryRequest::new(reference, partner, merchant, store)))
            }
            "ewallet.refund" => {
                let (reference, partner) = original().ok_or_else(missing)?;
                let amount = r.get("refundAmount").cloned().ok_or_else(missing)?;
                Ok(Self::Ewallet(EwalletStatusRequest {
                    merchant_id: text(r, "merchantId").ok_or_else(missing)?,
                    sub_merchant_id: text(r, "subMerchantId").unwrap_or_default(),
                    original_partner_reference_no: partner,
                    original_reference_no: reference,
                    service_code: "54".to_owned(),
                    transaction_date: String::new(),
                    external_store_id: text(r, "externalStoreId").unwrap_or_default(),
                    amount: serde_json::from_value(amount).map_err(|_| missing())?,
                    additional_info: Extra::new(),
                }))
            }
            "payout.approve" => match serde_json::from_value::<PayoutReference>(r.clone()) {
                Ok(reference) if reference.beneficiary_account_no.is_some() => Ok(Self::Payout(reference)),
                Ok(_) => Err(
                    "the payout inquiry needs beneficiaryAccountNo: send it with the approve (or inquire by hand)"
                        .into(),
                ),
                Err(_) => Err(missing()),
            },
            other => Err(format!(
                "{other} calls cannot be settled by a status query here: check them by hand"
            )),
        }
    }
}

/// A refund, from the status of the payment it refunds: `04` (refunded) applied it; a payment
/// still paid (`00`) after what would have been a full refund, or reporting nothing refunded,
/// did not; anything else cannot tell (a partial refund among others, a pending payment).
pub(crate) fn refund(
    entry: &JournalEntry,
    status: Option<&TransactionStatus>,
    paid: Option<&Amount>,
    info: Option<&Extra>,
) -> Verdict {
    let refund_value = entry.amount.as_deref().and_then(|v| v.parse::<f64>().ok());
    let paid_value = paid.and_then(|a| a.value().parse::<f64>().ok());
    let refunded = info
        .and_then(|i| i.get("refundedAmount"))
        .and_then(|a| a.get("value").or(Some(a)))
        .and_then(|v| v.as_str())
        .and_then(|v| v.parse::<f64>().ok());
    match status {
        Some(TransactionStatus::Refunded) => {
            Verdict::Settled(JournalState::Succeeded, "the payment is refunded (04)".into())
        }
        Some(TransactionStatus::Success) if refunded == Some(0.0) => Verdict::Settled(
            JournalState::Refused,
            "the payment is paid (00) with nothing refunded".into(),
        ),
        Some(TransactionStatus::Success) if refund_value.is_some() && refund_value == paid_value => Verdict::Settled(
            JournalState::Refused,
            "the payment is still paid (00) after what would have been a full refund".into(),
        ),
        other => Verdict::Open(format!(
            "the payment's status ({}) does not tell whether this refund applied: check its refunds",
            other.map_or("none", |s| s.code())
        )),
    }
}

/// A payout approve, from the payout inquiry: `00` paid out, `04`/`05`/`06` not; anything else
/// (`03` pending) is not final yet.
pub(crate) fn payout(answer: &PayoutResponse) -> Verdict {
    match answer.status() {
        Some(TransactionStatus::Success) => {
            Verdict::Settled(JournalState::Succeeded, "the payout is paid out (00)".into())
        }
        Some(s @ (TransactionStatus::Refunded | TransactionStatus::Canceled | TransactionStatus::Failed)) => {
            Verdict::Settled(
                JournalState::Refused,
                format!("the payout is not paid out ({})", s.code()),
            )
        }
        other => Verdict::Open(format!(
            "the payout is not final yet ({})",
            other.map_or("none", |s| s.code())
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(operation: &str, request: Value, amount: Option<&str>) -> JournalEntry {
        serde_json::from_value(serde_json::json!({
            "clientId": "IONPAYTEST", "operation": operation, "externalId": "1", "references": {},
            "amount": amount, "request": request, "createdMillis": 0, "state": "unknown",
            "updatedMillis": 0, "detail": null,
        }))
        .unwrap()
    }

    fn idr(v: &str) -> Amount {
        Amount::idr(v).unwrap()
    }

    #[test]
    fn refund_answers_settle_only_what_they_prove() {
        let e = entry("qris.refund", Value::Null, Some("10000.00"));
        let refunded = |v: &str| -> Extra {
            serde_json::from_value(serde_json::json!({"refundedAmount": {"value": v, "currency": "IDR"}})).unwrap()
        };
        let state = |v: Verdict| match v {
            Verdict::Settled(state, _) => Some(state),
            Verdict::Open(_) => None,
        };
        let paid = Some(&TransactionStatus::Success);
        assert_eq!(
            state(refund(&e, Some(&TransactionStatus::Refunded), None, None)),
            Some(JournalState::Succeeded)
        );
        assert_eq!(
            state(refund(&e, paid, Some(&idr("10000.00")), None)),
            Some(JournalState::Refused)
        );
        assert_eq!(
            state(refund(&e, paid, Some(&idr("50000.00")), Some(&refunded("0.00")))),
            Some(JournalState::Refused)
        );
        // A partial refund among others, a pending payment: cannot tell.
        assert_eq!(
            state(refund(&e, paid, Some(&idr("50000.00")), Some(&refunded("10000.00")))),
            None
        );
        assert_eq!(state(refund(&e, paid, Some(&idr("50000.00")), None)), None);
        assert_eq!(state(refund(&e, Some(&TransactionStatus::Pending), None, None)), None);
    }

    #[test]
    fn queries_are_built_from_the_journalled_request() {
        let approve =
            serde_json::json!({"originalReferenceNo": "T", "originalPartnerReferenceNo": "P", "merchantId": "M"});
        assert!(Query::of(&entry("payout.approve", approve.clone(), None))
            .unwrap_err()
            .contains("beneficiaryAccountNo"));
        let mut with_account = approve;
        with_account["beneficiaryAccountNo"] = "5345000060".into();
        assert!(matches!(
            Query::of(&entry("payout.approve", with_account, None)),
            Ok(Query::Payout(_))
        ));
        assert!(Query::of(&entry("raw", Value::Null, None))
            .unwrap_err()
            .contains("by hand"));
        assert!(Query::of(&entry("qris.refund", serde_json::json!({}), None)).is_err());
        let answer = |code: &str| -> PayoutResponse {
            serde_json::from_value(
                serde_json::json!({"responseCode": "2000000", "responseMessage": "ok", "transactionStatus": code}),
            )
            .unwrap()
        };
        assert!(matches!(
            payout(&answer("00")),
            Verdict::Settled(JournalState::Succeeded, _)
        ));
        assert!(matches!(
            payout(&answer("05")),
            Verdict::Settled(JournalState::Refused, _)
        ));
        assert!(matches!(payout(&answer("03")), Verdict::Open(_)));
    }
}
