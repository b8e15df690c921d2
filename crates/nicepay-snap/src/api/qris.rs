//! QRIS MPM: generate (47), query (51), refund (78) and the payment notification (52).

use serde::{Deserialize, Serialize};

pub use super::markers::qris::*;

use super::{check, check_opt, Extra, Validate};
use crate::error::{Error, Result};
use crate::response::ResponseCode;
use crate::status::TransactionStatus;
use crate::types::Amount;

/// `additionalInfo` of a QRIS generate request. Unset fields are omitted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct QrisGenerateAdditionalInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goods_nm: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_nm: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_addr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_post_cd: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_country: Option<String>,
    /// Where the customer's browser returns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_back_url: Option<String>,
    /// Where NICEPAY posts the payment notification.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db_process_url: Option<String>,
    #[serde(rename = "userIP", skip_serializing_if = "Option::is_none")]
    pub user_ip: Option<String>,
    /// A JSON document encoded as a string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cart_data: Option<String>,
    /// QRIS acquirer: `QSHP`, `NOBU`, `NICE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mitra_cd: Option<String>,
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
    /// Any further keys, serialized after the known ones.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `POST /api/v1.0/qr/qr-mpm-generate` request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct QrisGenerateRequest {
    /// Merchant order id, max 40.
    pub partner_reference_no: String,
    /// Amount to pay.
    pub amount: Amount,
    /// iMid, max 10.
    pub merchant_id: String,
    /// Store id configured at NICEPAY.
    pub store_id: String,
    /// Optional sub-merchant id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_merchant_id: Option<String>,
    /// ISO-8601 validity end; the official SDKs send `""`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validity_period: Option<String>,
    /// Additional info (goods name, billing data, `dbProcessUrl`, ...).
    pub additional_info: QrisGenerateAdditionalInfo,
}

impl Validate for QrisGenerateRequest {
    fn validate(&self) -> Result<()> {
        check("partnerReferenceNo", &self.partner_reference_no, 40, true)?;
        self.amount.validate()?;
        check("merchantId", &self.merchant_id, 10, true)?;
        check("storeId", &self.store_id, 32, true)?;
        check_opt("subMerchantId", self.sub_merchant_id.as_ref(), 32)?;
        if let Some(url) = &self.additional_info.db_process_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(Error::invalid("additionalInfo.dbProcessUrl", "must be an http(s) URL"));
            }
        }
        Ok(())
    }
}

/// `2004700` response of QRIS generate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct QrisGenerateResponse {
    /// `2004700`.
    pub response_code: ResponseCode,
    /// `Successful`.
    pub response_message: String,
    /// NICEPAY transaction id (tXid).
    #[serde(default)]
    pub reference_no: Option<String>,
    /// Echo of the merchant order id.
    #[serde(default)]
    pub partner_reference_no: Option<String>,
    /// EMV QR payload to render.
    #[serde(default)]
    pub qr_content: Option<String>,
    /// URL of a QR image.
    #[serde(default)]
    pub qr_url: Option<String>,
    /// Additional info.
    #[serde(default)]
    pub additional_info: Option<Extra>,
    /// Any other fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The QRIS query `serviceCode` body value chosen by default.
///
/// Sources disagree (spec open question 3): NICEPAY's docs and the Python SDK send `"47"`
/// (the original generate's service code, as generic SNAP does); the Kotlin SDK sends `"51"`.
/// Override per request via [`QrisQueryRequest::service_code`].
pub const QRIS_QUERY_DEFAULT_SERVICE_CODE: &str = "47";

/// `POST /api/v1.0/qr/qr-mpm-query` request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct QrisQueryRequest {
    /// tXid from generate.
    pub original_reference_no: String,
    /// Merchant order id.
    pub original_partner_reference_no: String,
    /// iMid.
    pub merchant_id: String,
    /// Store id (V2 `storeCd`).
    pub external_store_id: String,
    /// See [`QRIS_QUERY_DEFAULT_SERVICE_CODE`].
    pub service_code: String,
    /// Usually `{}`.
    pub additional_info: Extra,
}

impl QrisQueryRequest {
    /// A query with the default service code and empty `additionalInfo`.
    pub fn new(
        original_reference_no: impl Into<String>,
        original_partner_reference_no: impl Into<String>,
        merchant_id: impl Into<String>,
        external_store_id: impl Into<String>,
    ) -> Self {
        Self {
            original_reference_no: original_reference_no.into(),
            original_partner_reference_no: original_partner_reference_no.into(),
            merchant_id: merchant_id.into(),
            external_store_id: external_store_id.into(),
            service_code: QRIS_QUERY_DEFAULT_SERVICE_CODE.to_owned(),
            additional_info: Extra::new(),
        }
    }
}

impl Validate for QrisQueryRequest {
    fn validate(&self) -> Result<()> {
        check("originalReferenceNo", &self.original_reference_no, 40, true)?;
        check(
            "originalPartnerReferenceNo",
            &self.original_partner_reference_no,
            40,
            true,
        )?;
        check("merchantId", &self.merchant_id, 10, true)?;
        check("externalStoreId", &self.external_store_id, 32, true)?;
        if self.service_code.len() != 2 || !self.service_code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid("serviceCode", "must be two digits"));
        }
        Ok(())
    }
}

/// `2005100` response of QRIS query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct QrisQueryResponse {
    /// `2005100`.
    pub response_code: ResponseCode,
    /// `Successful`.
    pub response_message: String,
    /// tXid.
    #[serde(default)]
    pub original_reference_no: Option<String>,
    /// Merchant order id.
    #[serde(default)]
    pub original_partner_reference_no: Option<String>,
    /// Service code echo.
    #[serde(default)]
    pub service_code: Option<String>,
    /// `00` success, `03` pending, `04` refunded, `05` canceled, `06` failed, ...
    #[serde(default)]
    pub latest_transaction_status: Option<TransactionStatus>,
    /// Description of the status.
    #[serde(default)]
    pub transaction_status_desc: Option<String>,
    /// Paid amount.
    #[serde(default)]
    pub amount: Option<Amount>,
    /// Additional info.
    #[serde(default)]
    pub additional_info: Option<Extra>,
    /// Any other fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `additionalInfo` of a QRIS refund request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct QrisRefundAdditionalInfo {
    /// `"1"` in every official SDK (V2: `1` full, `2` partial; spec open question 11).
    pub cancel_type: String,
    /// Any further keys.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Default for QrisRefundAdditionalInfo {
    fn default() -> Self {
        Self {
            cancel_type: "1".to_owned(),
            extra: Extra::new(),
        }
    }
}

/// `POST /api/v1.0/qr/qr-mpm-refund` request body (the seed API).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct QrisRefundRequest {
    /// tXid of the paid QRIS transaction (V2 `tXid`).
    pub original_reference_no: String,
    /// Merchant order id (V2 `referenceNo`).
    pub original_partner_reference_no: String,
    /// Merchant refund reference (V2 `merReferenceRefundNo`); keep it stable across retries.
    pub partner_refund_no: String,
    /// iMid.
    pub merchant_id: String,
    /// Store id (V2 `storeCd`).
    pub external_store_id: String,
    /// Amount to refund.
    pub refund_amount: Amount,
    /// Reason text.
    pub reason: String,
    /// `{"cancelType":"1"}`.
    pub additional_info: QrisRefundAdditionalInfo,
}

impl Validate for QrisRefundRequest {
    fn validate(&self) -> Result<()> {
        check("originalReferenceNo", &self.original_reference_no, 40, true)?;
        check(
            "originalPartnerReferenceNo",
            &self.original_partner_reference_no,
            40,
            true,
        )?;
        check("partnerRefundNo", &self.partner_refund_no, 40, true)?;
        check("merchantId", &self.merchant_id, 10, true)?;
        check("externalStoreId", &self.external_store_id, 32, true)?;
        self.refund_amount.validate().map_err(|e| match e {
            Error::InvalidInput { field, reason } => Error::InvalidInput {
                field: field.replace("amount", "refundAmount"),
                reason,
            },
            other => other,
        })?;
        check("reason", &self.reason, 255, true)?;
        check("additionalInfo.cancelType", &self.additional_info.cancel_type, 2, true)?;
        Ok(())
    }
}

/// `additionalInfo` of a QRIS refund response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct QrisRefundResponseAdditionalInfo {
    /// Cancel transaction serial number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_trx_sn: Option<String>,
    /// Any further keys.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `2007800` response of QRIS refund.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct QrisRefundResponse {
    /// `2007800`.
    pub response_code: ResponseCode,
    /// `Successful`.
    pub response_message: String,
    /// tXid of the original payment.
    #[serde(default)]
    pub original_reference_no: Option<String>,
    /// Merchant order id.
    #[serde(default)]
    pub original_partner_reference_no: Option<String>,
    /// NICEPAY's refund transaction id.
    #[serde(default)]
    pub reference_no: Option<String>,
    /// Echo of the merchant refund reference.
    #[serde(default)]
    pub partner_refund_no: Option<String>,
    /// Refunded amount.
    #[serde(default)]
    pub refund_amount: Option<Amount>,
    /// ISO-8601 refund time.
    #[serde(default)]
    pub refund_time: Option<String>,
    /// `{"cancelTrxSn": ...}`.
    #[serde(default)]
    pub additional_info: Option<QrisRefundResponseAdditionalInfo>,
    /// Any other fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Body of the QRIS payment notification NICEPAY posts to the merchant (service 52).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct QrisNotification {
    /// tXid.
    #[serde(default)]
    pub original_reference_no: Option<String>,
    /// Merchant order id.
    #[serde(default)]
    pub original_partner_reference_no: Option<String>,
    /// `00` success, `05` canceled, ...
    #[serde(default)]
    pub latest_transaction_status: Option<TransactionStatus>,
    /// Status description.
    #[serde(default)]
    pub transaction_status_desc: Option<String>,
    /// Paid amount.
    #[serde(default)]
    pub amount: Option<Amount>,
    /// Note the capital `ID` NICEPAY uses in this one field name.
    #[serde(rename = "externalStoreID", default)]
    pub external_store_id: Option<String>,
    /// Payment time, if sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_date_time: Option<String>,
    /// Additional info.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<Extra>,
    /// Any other fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Service code of the inbound QRIS notification.
pub const QRIS_NOTIFICATION_SERVICE_CODE: &str = "52";
