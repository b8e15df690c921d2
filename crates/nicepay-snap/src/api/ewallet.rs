//! E-wallet direct debit: payment host-to-host (54), status (55), refund (58) and the payment
//! notification (56).

pub use super::markers::ewallet::*;

use super::{check, check_id, check_opt, validate_amount, Extra, Validate};
use crate::error::{Error, Result};
use crate::status::TransactionStatus;
use crate::types::Amount;

/// Checks the fields naming the original payment in a status or refund request, in their JSON
/// order: `merchantId`, `originalPartnerReferenceNo`, `originalReferenceNo`. Returns the first
/// error from the enclosing `validate`.
macro_rules! check_original {
    ($request:expr) => {
        check("merchantId", &$request.merchant_id, 10, true)?;
        check_id("originalPartnerReferenceNo", &$request.original_partner_reference_no)?;
        check_id("originalReferenceNo", &$request.original_reference_no)?;
    };
}

outbound! {
    /// One `urlParam` entry.
    pub struct UrlParam {
        /// The URL.
        url: String,
        /// `PAY_NOTIFY` (notification) or `PAY_RETURN` (customer return).
        #[serde(rename = "type")]
        kind: String,
        /// `"Y"` or `"N"`.
        is_deeplink: String,
    }
}

impl UrlParam {
    /// A `PAY_NOTIFY` entry.
    pub fn notify(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            kind: "PAY_NOTIFY".into(),
            is_deeplink: "N".into(),
        }
    }

    /// A `PAY_RETURN` entry.
    pub fn pay_return(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            kind: "PAY_RETURN".into(),
            is_deeplink: "N".into(),
        }
    }
}

outbound! {
    /// `additionalInfo` of an e-wallet payment request.
    #[derive(Default)]
    #[allow(missing_docs)]
    pub struct EwalletPaymentAdditionalInfo {
        /// Wallet: `DANA`, `ESHP` (ShopeePay), `LINK` (LinkAja), `OVOE` (OVO).
        mitra_cd: String,
        goods_nm: Option<String>,
        billing_nm: Option<String>,
        billing_phone: Option<String>,
        billing_email: Option<String>,
        /// Where NICEPAY posts the notification.
        db_process_url: Option<String>,
        call_back_url: Option<String>,
        /// A JSON document encoded as a string.
        cart_data: Option<String>,
        ..marketplace_fees,
        /// Any further keys.
        #[serde(flatten)]
        extra: Extra,
    }
}

outbound! {
    /// `POST /api/v1.0/debit/payment-host-to-host` request body.
    pub struct EwalletPaymentRequest {
        /// Merchant order id.
        partner_reference_no: String,
        /// iMid.
        merchant_id: String,
        /// Usually `""`.
        sub_merchant_id: String,
        /// Usually `""`.
        external_store_id: String,
        /// Usually `""`.
        valid_up_to: String,
        /// e.g. `"Mobile App"`.
        point_of_initiation: String,
        /// Amount to pay.
        amount: Amount,
        /// An **array** of URLs (not one object).
        url_param: Vec<UrlParam>,
        /// Wallet and billing data.
        additional_info: EwalletPaymentAdditionalInfo,
    }
}

impl Validate for EwalletPaymentRequest {
    fn validate(&self) -> Result<()> {
        check_id("partnerReferenceNo", &self.partner_reference_no)?;
        check("merchantId", &self.merchant_id, 10, true)?;
        check("subMerchantId", &self.sub_merchant_id, 32, false)?;
        check("externalStoreId", &self.external_store_id, 32, false)?;
        validate_amount("amount", &self.amount)?;
        for (i, p) in self.url_param.iter().enumerate() {
            if !matches!(p.kind.as_str(), "PAY_NOTIFY" | "PAY_RETURN") {
                return Err(Error::invalid(
                    format!("urlParam[{i}].type"),
                    "expected PAY_NOTIFY or PAY_RETURN",
                ));
            }
            if !matches!(p.is_deeplink.as_str(), "Y" | "N") {
                return Err(Error::invalid(
                    format!("urlParam[{i}].isDeeplink"),
                    "expected \"Y\" or \"N\"",
                ));
            }
            check(&format!("urlParam[{i}].url"), &p.url, 512, true)?;
        }
        check("additionalInfo.mitraCd", &self.additional_info.mitra_cd, 4, true)?;
        Ok(())
    }
}

inbound! {
    /// `2005400` response of e-wallet payment.
    pub struct EwalletPaymentResponse("2005400") {
        /// Echo of the order id.
        partner_reference_no: Option<String>,
        /// NICEPAY transaction id (tXid).
        reference_no: Option<String>,
        /// Where the customer approves the payment.
        web_redirect_url: Option<String>,
        /// Deeplink, when applicable.
        app_redirect_url: Option<String>,
        /// Additional info.
        additional_info: Option<Extra>,
    }
}

outbound! {
    /// `POST /api/v1.0/debit/status` request body.
    pub struct EwalletStatusRequest {
        /// iMid.
        merchant_id: String,
        /// Usually `""`.
        sub_merchant_id: String,
        /// Merchant order id.
        original_partner_reference_no: String,
        /// tXid.
        original_reference_no: String,
        /// `"54"`: the service code of the original payment.
        service_code: String,
        /// Transaction date (`yyyy-MM-ddTHH:mm:ss+07:00`).
        transaction_date: String,
        /// Usually `""`.
        external_store_id: String,
        /// Amount of the payment.
        amount: Amount,
        /// Usually `{}`.
        additional_info: Extra,
    }
}

impl Validate for EwalletStatusRequest {
    fn validate(&self) -> Result<()> {
        check_original!(self);
        check("serviceCode", &self.service_code, 2, true)?;
        if !self.transaction_date.is_empty() {
            crate::Timestamp::parse(&self.transaction_date)
                .map_err(|_| Error::invalid("transactionDate", "expected yyyy-MM-ddTHH:mm:ss+07:00"))?;
        }
        validate_amount("amount", &self.amount)
    }
}

inbound! {
    /// `2005500` response of e-wallet status.
    pub struct EwalletStatusResponse("2005500") {
        /// tXid.
        original_reference_no: Option<String>,
        /// Order id.
        original_partner_reference_no: Option<String>,
        /// Service code echo.
        service_code: Option<String>,
        /// `00` success, `01` initiated, `03` pending, `04` refunded, `05` canceled, `06` failed.
        latest_transaction_status: Option<TransactionStatus>,
        /// Description.
        transaction_status_desc: Option<String>,
        /// Transaction amount.
        trans_amount: Option<Amount>,
        /// Amount.
        amount: Option<Amount>,
        /// Additional info.
        additional_info: Option<Extra>,
    }
}

outbound! {
    /// `additionalInfo` of an e-wallet refund request.
    pub struct EwalletRefundAdditionalInfo {
        /// `"1"` in the official SDKs.
        refund_type: String,
        /// Any further keys.
        #[serde(flatten)]
        extra: Extra,
    }
}

impl Default for EwalletRefundAdditionalInfo {
    fn default() -> Self {
        Self {
            refund_type: "1".into(),
            extra: Extra::new(),
        }
    }
}

outbound! {
    /// `POST /api/v1.0/debit/refund` request body.
    pub struct EwalletRefundRequest {
        /// iMid.
        merchant_id: String,
        /// Usually `""`.
        sub_merchant_id: String,
        /// Order id.
        original_partner_reference_no: String,
        /// tXid.
        original_reference_no: String,
        /// Merchant refund reference; keep it stable across retries.
        partner_refund_no: String,
        /// Usually `""`.
        external_store_id: String,
        /// Amount to refund.
        refund_amount: Amount,
        /// Reason text.
        reason: String,
        /// `{"refundType":"1"}`.
        additional_info: EwalletRefundAdditionalInfo,
    }
}

impl Validate for EwalletRefundRequest {
    fn validate(&self) -> Result<()> {
        check_original!(self);
        check_id("partnerRefundNo", &self.partner_refund_no)?;
        validate_amount("refundAmount", &self.refund_amount)?;
        check("reason", &self.reason, 255, true)?;
        check_opt("additionalInfo.refundType", Some(&self.additional_info.refund_type), 2)
    }
}

inbound! {
    /// `2005800` response of e-wallet refund.
    pub struct EwalletRefundResponse("2005800") {
        /// tXid.
        original_reference_no: Option<String>,
        /// Order id.
        original_partner_reference_no: Option<String>,
        /// NICEPAY's refund id.
        refund_no: Option<String>,
        /// Echo of the merchant refund reference.
        partner_refund_no: Option<String>,
        /// Refunded amount.
        refund_amount: Option<Amount>,
        /// Refund time.
        refund_time: Option<String>,
        /// Additional info.
        additional_info: Option<Extra>,
    }
}

inbound! {
    /// Body of the e-wallet payment notification (service 56).
    pub struct EwalletNotification {
        /// tXid.
        original_reference_no: Option<String>,
        /// Order id.
        original_partner_reference_no: Option<String>,
        /// Capital `ID`, as NICEPAY sends it.
        #[serde(rename = "externalStoreID")]
        external_store_id: Option<String>,
        /// Amount.
        amount: Option<Amount>,
        /// Status.
        latest_transaction_status: Option<TransactionStatus>,
        /// Status description.
        transaction_status_desc: Option<String>,
        /// Additional info.
        #[serde(skip_serializing_if = "Option::is_none")]
        additional_info: Option<Extra>,
    }
}

/// Service code of the inbound e-wallet notification.
pub const EWALLET_NOTIFICATION_SERVICE_CODE: &str = "56";
