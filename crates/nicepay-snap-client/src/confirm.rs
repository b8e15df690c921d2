//! "Verify and confirm by query": a notification's signature covers only `clientId|X-TIMESTAMP`,
//! not the body, so before fulfilling an order the clients re-read the transaction's status from
//! NICEPAY and compare it with what the notification claims.

use nicepay_snap::api::ewallet::{EwalletNotification, EwalletStatus, EwalletStatusRequest};
use nicepay_snap::api::payout::{PayoutInquiry, PayoutNotification, PayoutReference};
use nicepay_snap::api::qris::{QrisNotification, QrisQuery, QrisQueryRequest};
use nicepay_snap::api::va::{VaNotification, VaStatus, VaStatusAdditionalInfo, VaStatusRequest};
use nicepay_snap::api::Extra;
use nicepay_snap::{Amount, Config, Error, Operation, TransactionStatus};
use serde::de::DeserializeOwned;

use crate::ClientError;

/// A notification body that can be confirmed with a status query.
pub trait Confirmable: DeserializeOwned + std::fmt::Debug + Clone {
    /// The status operation to ask.
    type Query: Operation;

    /// Builds the status request from the notification.
    fn status_request(&self, config: &Config) -> Result<<Self::Query as Operation>::Request, ClientError>;

    /// `true` when the status response confirms a completed payment matching the notification.
    fn confirms(&self, status: &<Self::Query as Operation>::Response) -> bool;

    /// The product and the transaction's reference (`qris:{originalReferenceNo}`,
    /// `va:{tXidVA}`, ...): with the confirmed status, what makes a notification a repeat.
    fn dedupe_reference(&self) -> Option<String>;
}

/// The store key of a notification confirmed as paid, per merchant.
pub(crate) fn dedupe_key<N: Confirmable>(config: &Config, notification: &N) -> Option<String> {
    let reference = notification.dedupe_reference()?;
    Some(format!("notification:{}:{reference}:00", config.client_id()))
}

/// A verified notification together with the status NICEPAY reported for it.
#[derive(Debug, Clone)]
pub struct Confirmed<N: Confirmable> {
    /// The verified, parsed notification.
    pub notification: N,
    /// What the status query answered.
    pub status: <N::Query as Operation>::Response,
    /// `true` when the status query confirms the payment: paid, and the amount it reports equals
    /// the notification's. Only fulfil the order when this is `true`, and when the notified
    /// order and amount are the ones you expect (the notification body is not signed).
    pub paid: bool,
    /// `true` when this notification (same product, reference and confirmed status) was already
    /// confirmed as paid by a client on the same [`Store`](crate::Store): across processes with
    /// a SQLite or Redis store, within this process with the default in-memory one. Fulfil the
    /// order only when `paid` and not `duplicate`. Only paid confirmations are recorded, so a
    /// forged body (not paid) can never make the genuine notification look like a repeat.
    pub duplicate: bool,
}

fn missing(field: &str) -> ClientError {
    ClientError::Snap(Error::InvalidInput {
        field: field.to_owned(),
        reason: "missing from the notification, so its status cannot be queried".to_owned(),
    })
}

/// `true` only when both amounts are present and equal. The notification body is not signed, so
/// its amount proves nothing by itself; a status answer without an amount cannot confirm it and
/// leaves `paid` false (check the order by hand, or query again).
fn same_amount(notified: Option<&Amount>, queried: Option<&Amount>) -> bool {
    matches!((notified, queried), (Some(a), Some(b)) if a.same_value(b))
}

impl Confirmable for QrisNotification {
    type Query = QrisQuery;

    fn status_request(&self, config: &Config) -> Result<QrisQueryRequest, ClientError> {
        Ok(QrisQueryRequest::new(
            self.original_reference_no
                .clone()
                .ok_or_else(|| missing("originalReferenceNo"))?,
            self.original_partner_reference_no
                .clone()
                .ok_or_else(|| missing("originalPartnerReferenceNo"))?,
            config.client_id(),
            self.external_store_id
                .clone()
                .ok_or_else(|| missing("externalStoreID"))?,
        ))
    }

    fn dedupe_reference(&self) -> Option<String> {
        Some(format!("qris:{}", self.original_reference_no.as_ref()?))
    }

    fn confirms(&self, status: &nicepay_snap::api::qris::QrisQueryResponse) -> bool {
        status.latest_transaction_status == Some(TransactionStatus::Success)
            && same_amount(self.amount.as_ref(), status.amount.as_ref())
    }
}

impl Confirmable for EwalletNotification {
    type Query = EwalletStatus;

    fn status_request(&self, config: &Config) -> Result<EwalletStatusRequest, ClientError> {
        Ok(EwalletStatusRequest {
            merchant_id: config.client_id().to_owned(),
            sub_merchant_id: String::new(),
            original_partner_reference_no: self
                .original_partner_reference_no
                .clone()
                .ok_or_else(|| missing("originalPartnerReferenceNo"))?,
            original_reference_no: self
                .original_reference_no
                .clone()
                .ok_or_else(|| missing("originalReferenceNo"))?,
            service_code: "54".to_owned(),
            transaction_date: String::new(),
            external_store_id: self.external_store_id.clone().unwrap_or_default(),
            amount: self.amount.clone().ok_or_else(|| missing("amount"))?,
            additional_info: Extra::new(),
        })
    }

    fn dedupe_reference(&self) -> Option<String> {
        Some(format!("ewallet:{}", self.original_reference_no.as_ref()?))
    }

    fn confirms(&self, status: &nicepay_snap::api::ewallet::EwalletStatusResponse) -> bool {
        status.latest_transaction_status == Some(TransactionStatus::Success)
            && same_amount(
                self.amount.as_ref(),
                status.amount.as_ref().or(status.trans_amount.as_ref()),
            )
    }
}

impl Confirmable for VaNotification {
    type Query = VaStatus;

    fn status_request(&self, _config: &Config) -> Result<VaStatusRequest, ClientError> {
        let info = self.additional_info.as_ref();
        let txid_va = info
            .and_then(|i| i.get("tXidVA"))
            .and_then(|v| v.as_str())
            .or(self.payment_request_id.as_deref())
            .ok_or_else(|| missing("additionalInfo.tXidVA"))?;
        let trx_id = self.trx_id.clone().ok_or_else(|| missing("trxId"))?;
        Ok(VaStatusRequest {
            partner_service_id: self.partner_service_id.clone().unwrap_or_default(),
            customer_no: self.customer_no.clone().unwrap_or_default(),
            virtual_account_no: self
                .virtual_account_no
                .clone()
                .ok_or_else(|| missing("virtualAccountNo"))?,
            inquiry_request_id: format!("confirm-{trx_id}"),
            additional_info: VaStatusAdditionalInfo {
                total_amount: self.paid_amount.clone().ok_or_else(|| missing("paidAmount"))?,
                trx_id,
                txid_va: txid_va.to_owned(),
                extra: Extra::new(),
            },
        })
    }

    fn dedupe_reference(&self) -> Option<String> {
        let info = self.additional_info.as_ref();
        let txid_va = info.and_then(|i| i.get("tXidVA")).and_then(|v| v.as_str());
        Some(format!("va:{}:{}", txid_va?, self.trx_id.as_ref()?))
    }

    fn confirms(&self, status: &nicepay_snap::api::va::VaStatusResponse) -> bool {
        let amount = status
            .virtual_account_data
            .as_ref()
            .and_then(|d| d.total_amount.as_ref());
        status.latest_transaction_status() == Some(TransactionStatus::Success)
            && same_amount(self.paid_amount.as_ref(), amount)
    }
}

impl Confirmable for PayoutNotification {
    type Query = PayoutInquiry;

    fn status_request(&self, config: &Config) -> Result<PayoutReference, ClientError> {
        Ok(PayoutReference {
            original_reference_no: self
                .original_reference_no
                .clone()
                .ok_or_else(|| missing("originalReferenceNo"))?,
            original_partner_reference_no: self
                .original_partner_reference_no
                .clone()
                .ok_or_else(|| missing("originalPartnerReferenceNo"))?,
            merchant_id: config.client_id().to_owned(),
            // The inquiry needs the destination account.
            beneficiary_account_no: Some(
                self.beneficiary_account_no
                    .clone()
                    .ok_or_else(|| missing("beneficiaryAccountNo"))?,
            ),
        })
    }

    fn dedupe_reference(&self) -> Option<String> {
        Some(format!("payout:{}", self.original_reference_no.as_ref()?))
    }

    /// `paid` for a payout means: NICEPAY's inquiry says it was paid out (`00`) for the notified
    /// amount. A rejected, canceled or failed payout confirms as not paid.
    fn confirms(&self, status: &nicepay_snap::api::payout::PayoutResponse) -> bool {
        status.status() == Some(&TransactionStatus::Success)
            && same_amount(self.amount.as_ref(), status.amount.as_ref())
    }
}

/// `{"notification": ..., "status": ..., "paid": bool, "duplicate": bool}`: a confirmation as the
/// language bindings return it.
pub(crate) fn confirmed_json<N>(confirmed: Confirmed<N>) -> Result<serde_json::Value, ClientError>
where
    N: Confirmable + serde::Serialize,
{
    let encode = |v: serde_json::Result<serde_json::Value>| {
        v.map_err(|e| {
            ClientError::Snap(Error::InvalidInput {
                field: "body".into(),
                reason: format!("the notification could not be re-encoded: {e}"),
            })
        })
    };
    Ok(serde_json::json!({
        "notification": encode(serde_json::to_value(&confirmed.notification))?,
        "status": encode(serde_json::to_value(&confirmed.status))?,
        "paid": confirmed.paid,
        "duplicate": confirmed.duplicate,
    }))
}

/// The error for a product whose notifications cannot be confirmed (yet).
pub(crate) fn unconfirmable(product: nicepay_snap::status::Product) -> ClientError {
    ClientError::Snap(Error::InvalidInput {
        field: "product".into(),
        reason: format!(
            "{:?} notifications cannot be confirmed: use \"qris\", \"va\", \"ewallet\" or \"payout\"",
            product.name()
        ),
    })
}

/// Runs `$body` with `$n` bound to the notification type of `$product`, or returns the
/// [`unconfirmable`] error: the one dispatch from product to notification type.
macro_rules! with_notification {
    ($product:expr, $n:ident => $body:expr) => {{
        use nicepay_snap::status::Product;
        match $product {
            Product::Qris => {
                type $n = nicepay_snap::api::qris::QrisNotification;
                $body
            }
            Product::VirtualAccount => {
                type $n = nicepay_snap::api::va::VaNotification;
                $body
            }
            Product::Ewallet => {
                type $n = nicepay_snap::api::ewallet::EwalletNotification;
                $body
            }
            Product::Payout => {
                type $n = nicepay_snap::api::payout::PayoutNotification;
                $body
            }
            other => Err($crate::confirm::unconfirmable(other)),
        }
    }};
}
pub(crate) use with_notification;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_two_equal_amounts_confirm() {
        let idr = |v: &str| Amount::idr(v).unwrap();
        assert!(same_amount(Some(&idr("10000.00")), Some(&idr("10000.00"))));
        assert!(!same_amount(Some(&idr("10000.00")), Some(&idr("1.00"))));
        // A status answer without an amount cannot confirm the (unsigned) notified amount.
        assert!(!same_amount(Some(&idr("10000.00")), None));
        assert!(!same_amount(None, Some(&idr("10000.00"))));
        assert!(!same_amount(None, None));
    }
}
