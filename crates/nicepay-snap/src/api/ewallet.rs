//! E-wallet direct debit: payment host-to-host (54), status (55), refund (58) and the payment
//! notification (56).

use serde::{Deserialize, Serialize};

pub use super::markers::ewallet::*;

use super::va::validate_amount;
use super::{check, check_opt, Extra, Validate};
use crate::error::{Error, Result};
use crate::response::ResponseCode;
use crate::status::TransactionStatus;
use crate::types::Amount;

/// One `urlParam` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct UrlParam {
    /// The URL.
    pub url: String,
    /// `PAY_NOTIFY` (notification) or `PAY_RETURN` (customer return).
    #[serde(rename = "type")]
    pub kind: String,
    /// `"Y"` or `"N"`.
    pub is_deeplink: String,
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

/// `additionalInfo` of an e-wallet payment request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct EwalletPaymentAdditionalInfo {
    /// Wallet: `DANA`, `ESHP` (ShopeePay), `LINK` (LinkAja), `OVOE` (OVO).
    pub mitra_cd: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goods_nm: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_nm: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_email: Option<String>,
    /// Where NICEPAY posts the notification.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db_process_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_back_url: Option<String>,
    /// A JSON document encoded as a string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cart_data: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ms_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ms_fee: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ms_fee_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mb_fee: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mb_fee_type: Option<String>,
    /// Any further keys.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `POST /api/v1.0/debit/payment-host-to-host` request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EwalletPaymentRequest {
    /// Merchant order id.
    pub partner_reference_no: String,
    /// iMid.
    pub merchant_id: String,
    /// Usually `""`.
    pub sub_merchant_id: String,
    /// Usually `""`.
    pub external_store_id: String,
    /// Usually `""`.
    pub valid_up_to: String,
    /// e.g. `"Mobile App"`.
    pub point_of_initiation: String,
    /// Amount to pay.
    pub amount: Amount,
    /// An **array** of URLs (not one object).
    pub url_param: Vec<UrlParam>,
    /// Wallet and billing data.
    pub additional_info: EwalletPaymentAdditionalInfo,
}

impl Validate for EwalletPaymentRequest {
    fn validate(&self) -> Result<()> {
        check("partnerReferenceNo", &self.partner_reference_no, 40, true)?;
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

/// `2005400` response of e-wallet payment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EwalletPaymentResponse {
    /// `2005400`.
    pub response_code: ResponseCode,
    /// `Successful`.
    pub response_message: String,
    /// Echo of the order id.
    #[serde(default)]
    pub partner_reference_no: Option<String>,
    /// NICEPAY transaction id (tXid).
    #[serde(default)]
    pub reference_no: Option<String>,
    /// Where the customer approves the payment.
    #[serde(default)]
    pub web_redirect_url: Option<String>,
    /// Deeplink, when applicable.
    #[serde(default)]
    pub app_redirect_url: Option<String>,
    /// Additional info.
    #[serde(default)]
    pub additional_info: Option<Extra>,
    /// Any other fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `POST /api/v1.0/debit/status` request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EwalletStatusRequest {
    /// iMid.
    pub merchant_id: String,
    /// Usually `""`.
    pub sub_merchant_id: String,
    /// Merchant order id.
    pub original_partner_reference_no: String,
    /// tXid.
    pub original_reference_no: String,
    /// `"54"`: the service code of the original payment.
    pub service_code: String,
    /// Transaction date (`yyyy-MM-ddTHH:mm:ss+07:00`).
    pub transaction_date: String,
    /// Usually `""`.
    pub external_store_id: String,
    /// Amount of the payment.
    pub amount: Amount,
    /// Usually `{}`.
    pub additional_info: Extra,
}

impl Validate for EwalletStatusRequest {
    fn validate(&self) -> Result<()> {
        check("merchantId", &self.merchant_id, 10, true)?;
        check(
            "originalPartnerReferenceNo",
            &self.original_partner_reference_no,
            40,
            true,
        )?;
        check("originalReferenceNo", &self.original_reference_no, 40, true)?;
        check("serviceCode", &self.service_code, 2, true)?;
        if !self.transaction_date.is_empty() {
            crate::Timestamp::parse(&self.transaction_date)
                .map_err(|_| Error::invalid("transactionDate", "expected yyyy-MM-ddTHH:mm:ss+07:00"))?;
        }
        validate_amount("amount", &self.amount)
    }
}

/// `2005500` response of e-wallet status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EwalletStatusResponse {
    /// `2005500`.
    pub response_code: ResponseCode,
    /// `Successful`.
    pub response_message: String,
    /// tXid.
    #[serde(default)]
    pub original_reference_no: Option<String>,
    /// Order id.
    #[serde(default)]
    pub original_partner_reference_no: Option<String>,
    /// Service code echo.
    #[serde(default)]
    pub service_code: Option<String>,
    /// `00` success, `01` initiated, `03` pending, `04` refunded, `05` canceled, `06` failed.
    #[serde(default)]
    pub latest_transaction_status: Option<TransactionStatus>,
    /// Description.
    #[serde(default)]
    pub transaction_status_desc: Option<String>,
    /// Transaction amount.
    #[serde(default)]
    pub trans_amount: Option<Amount>,
    /// Amount.
    #[serde(default)]
    pub amount: Option<Amount>,
    /// Additional info.
    #[serde(default)]
    pub additional_info: Option<Extra>,
    /// Any other fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `additionalInfo` of an e-wallet refund request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EwalletRefundAdditionalInfo {
    /// `"1"` in the official SDKs.
    pub refund_type: String,
    /// Any further keys.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Default for EwalletRefundAdditionalInfo {
    fn default() -> Self {
        Self {
            refund_type: "1".into(),
            extra: Extra::new(),
        }
    }
}

/// `POST /api/v1.0/debit/refund` request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EwalletRefundRequest {
    /// iMid.
    pub merchant_id: String,
    /// Usually `""`.
    pub sub_merchant_id: String,
    /// Order id.
    pub original_partner_reference_no: String,
    /// tXid.
    pub original_reference_no: String,
    /// Merchant refund reference; keep it stable across retries.
    pub partner_refund_no: String,
    /// Usually `""`.
    pub external_store_id: String,
    /// Amount to refund.
    pub refund_amount: Amount,
    /// Reason text.
    pub reason: String,
    /// `{"refundType":"1"}`.
    pub additional_info: EwalletRefundAdditionalInfo,
}

impl Validate for EwalletRefundRequest {
    fn validate(&self) -> Result<()> {
        check("merchantId", &self.merchant_id, 10, true)?;
        check(
            "originalPartnerReferenceNo",
            &self.original_partner_reference_no,
            40,
            true,
        )?;
        check("originalReferenceNo", &self.original_reference_no, 40, true)?;
        check("partnerRefundNo", &self.partner_refund_no, 40, true)?;
        validate_amount("refundAmount", &self.refund_amount)?;
        check("reason", &self.reason, 255, true)?;
        check_opt("additionalInfo.refundType", Some(&self.additional_info.refund_type), 2)
    }
}

/// `2005800` response of e-wallet refund.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EwalletRefundResponse {
    /// `2005800`.
    pub response_code: ResponseCode,
    /// `Successful`.
    pub response_message: String,
    /// tXid.
    #[serde(default)]
    pub original_reference_no: Option<String>,
    /// Order id.
    #[serde(default)]
    pub original_partner_reference_no: Option<String>,
    /// NICEPAY's refund id.
    #[serde(default)]
    pub refund_no: Option<String>,
    /// Echo of the merchant refund reference.
    #[serde(default)]
    pub partner_refund_no: Option<String>,
    /// Refunded amount.
    #[serde(default)]
    pub refund_amount: Option<Amount>,
    /// Refund time.
    #[serde(default)]
    pub refund_time: Option<String>,
    /// Additional info.
    #[serde(default)]
    pub additional_info: Option<Extra>,
    /// Any other fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Body of the e-wallet payment notification (service 56).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EwalletNotification {
    /// tXid.
    #[serde(default)]
    pub original_reference_no: Option<String>,
    /// Order id.
    #[serde(default)]
    pub original_partner_reference_no: Option<String>,
    /// Capital `ID`, as NICEPAY sends it.
    #[serde(rename = "externalStoreID", default)]
    pub external_store_id: Option<String>,
    /// Amount.
    #[serde(default)]
    pub amount: Option<Amount>,
    /// Status.
    #[serde(default)]
    pub latest_transaction_status: Option<TransactionStatus>,
    /// Status description.
    #[serde(default)]
    pub transaction_status_desc: Option<String>,
    /// Additional info.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<Extra>,
    /// Any other fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Service code of the inbound e-wallet notification.
pub const EWALLET_NOTIFICATION_SERVICE_CODE: &str = "56";
