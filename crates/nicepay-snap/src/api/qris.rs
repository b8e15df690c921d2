//! QRIS MPM: generate (47), query (51), refund (78) and the payment notification (52).

pub use super::markers::qris::*;

use super::{check, check_id, check_opt, validate_amount, Extra, Validate};
use crate::error::{Error, Result};
use crate::status::TransactionStatus;
use crate::types::Amount;

/// Checks the merchant and store a QRIS request names: `merchantId` (the iMid) and the store id,
/// sent as `store_field` (`storeId` on generate, `externalStoreId` afterwards).
fn check_merchant(merchant_id: &str, store_field: &str, store_id: &str) -> Result<()> {
    check("merchantId", merchant_id, 10, true)?;
    check(store_field, store_id, 32, true)
}

outbound! {
    /// `additionalInfo` of a QRIS generate request. Unset fields are omitted.
    #[derive(Default)]
    #[allow(missing_docs)]
    pub struct QrisGenerateAdditionalInfo {
        goods_nm: Option<String>,
        billing_nm: Option<String>,
        billing_phone: Option<String>,
        billing_email: Option<String>,
        billing_addr: Option<String>,
        billing_city: Option<String>,
        billing_state: Option<String>,
        billing_post_cd: Option<String>,
        billing_country: Option<String>,
        /// Where the customer's browser returns.
        call_back_url: Option<String>,
        /// Where NICEPAY posts the payment notification.
        db_process_url: Option<String>,
        #[serde(rename = "userIP")]
        user_ip: Option<String>,
        /// A JSON document encoded as a string.
        cart_data: Option<String>,
        /// QRIS acquirer: `QSHP`, `NOBU`, `NICE`.
        mitra_cd: Option<String>,
        ..marketplace_fees,
        /// Any further keys, serialized after the known ones.
        #[serde(flatten)]
        extra: Extra,
    }
}

outbound! {
    /// `POST /api/v1.0/qr/qr-mpm-generate` request body.
    pub struct QrisGenerateRequest {
        /// Merchant order id, max 40.
        partner_reference_no: String,
        /// Amount to pay.
        amount: Amount,
        /// iMid, max 10.
        merchant_id: String,
        /// Store id configured at NICEPAY.
        store_id: String,
        /// Optional sub-merchant id.
        sub_merchant_id: Option<String>,
        /// ISO-8601 validity end; the official SDKs send `""`.
        validity_period: Option<String>,
        /// Additional info (goods name, billing data, `dbProcessUrl`, ...).
        additional_info: QrisGenerateAdditionalInfo,
    }
}

impl Validate for QrisGenerateRequest {
    fn validate(&self) -> Result<()> {
        check_id("partnerReferenceNo", &self.partner_reference_no)?;
        validate_amount("amount", &self.amount)?;
        check_merchant(&self.merchant_id, "storeId", &self.store_id)?;
        check_opt("subMerchantId", self.sub_merchant_id.as_ref(), 32)?;
        if let Some(url) = &self.additional_info.db_process_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(Error::invalid("additionalInfo.dbProcessUrl", "must be an http(s) URL"));
            }
        }
        Ok(())
    }
}

inbound! {
    /// `2004700` response of QRIS generate.
    pub struct QrisGenerateResponse("2004700") {
        /// NICEPAY transaction id (tXid).
        reference_no: Option<String>,
        /// Echo of the merchant order id.
        partner_reference_no: Option<String>,
        /// EMV QR payload to render.
        qr_content: Option<String>,
        /// URL of a QR image.
        qr_url: Option<String>,
        /// Additional info.
        additional_info: Option<Extra>,
    }
}

/// The QRIS query `serviceCode` body value chosen by default.
///
/// Sources disagree (spec open question 3): NICEPAY's docs and the Python SDK send `"47"`
/// (the original generate's service code, as generic SNAP does); the Kotlin SDK sends `"51"`.
/// Override per request via [`QrisQueryRequest::service_code`].
pub const QRIS_QUERY_DEFAULT_SERVICE_CODE: &str = "47";

outbound! {
    /// `POST /api/v1.0/qr/qr-mpm-query` request body.
    pub struct QrisQueryRequest {
        /// tXid from generate.
        original_reference_no: String,
        /// Merchant order id.
        original_partner_reference_no: String,
        /// iMid.
        merchant_id: String,
        /// Store id (V2 `storeCd`).
        external_store_id: String,
        /// See [`QRIS_QUERY_DEFAULT_SERVICE_CODE`].
        service_code: String,
        /// Usually `{}`.
        additional_info: Extra,
    }
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
        check_id("originalReferenceNo", &self.original_reference_no)?;
        check_id("originalPartnerReferenceNo", &self.original_partner_reference_no)?;
        check_merchant(&self.merchant_id, "externalStoreId", &self.external_store_id)?;
        if self.service_code.len() != 2 || !self.service_code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid("serviceCode", "must be two digits"));
        }
        Ok(())
    }
}

inbound! {
    /// `2005100` response of QRIS query.
    pub struct QrisQueryResponse("2005100") {
        /// tXid.
        original_reference_no: Option<String>,
        /// Merchant order id.
        original_partner_reference_no: Option<String>,
        /// Service code echo.
        service_code: Option<String>,
        /// `00` success, `03` pending, `04` refunded, `05` canceled, `06` failed, ...
        latest_transaction_status: Option<TransactionStatus>,
        /// Description of the status.
        transaction_status_desc: Option<String>,
        /// Paid amount.
        amount: Option<Amount>,
        /// Additional info.
        additional_info: Option<Extra>,
    }
}

outbound! {
    /// `additionalInfo` of a QRIS refund request.
    pub struct QrisRefundAdditionalInfo {
        /// `"1"` in every official SDK (V2: `1` full, `2` partial; spec open question 11).
        cancel_type: String,
        /// Any further keys.
        #[serde(flatten)]
        extra: Extra,
    }
}

impl Default for QrisRefundAdditionalInfo {
    fn default() -> Self {
        Self {
            cancel_type: "1".to_owned(),
            extra: Extra::new(),
        }
    }
}

outbound! {
    /// `POST /api/v1.0/qr/qr-mpm-refund` request body (the seed API).
    pub struct QrisRefundRequest {
        /// tXid of the paid QRIS transaction (V2 `tXid`).
        original_reference_no: String,
        /// Merchant order id (V2 `referenceNo`).
        original_partner_reference_no: String,
        /// Merchant refund reference (V2 `merReferenceRefundNo`); keep it stable across retries.
        partner_refund_no: String,
        /// iMid.
        merchant_id: String,
        /// Store id (V2 `storeCd`).
        external_store_id: String,
        /// Amount to refund.
        refund_amount: Amount,
        /// Reason text.
        reason: String,
        /// `{"cancelType":"1"}`.
        additional_info: QrisRefundAdditionalInfo,
    }
}

impl Validate for QrisRefundRequest {
    fn validate(&self) -> Result<()> {
        check_id("originalReferenceNo", &self.original_reference_no)?;
        check_id("originalPartnerReferenceNo", &self.original_partner_reference_no)?;
        check_id("partnerRefundNo", &self.partner_refund_no)?;
        check_merchant(&self.merchant_id, "externalStoreId", &self.external_store_id)?;
        validate_amount("refundAmount", &self.refund_amount)?;
        check("reason", &self.reason, 255, true)?;
        check("additionalInfo.cancelType", &self.additional_info.cancel_type, 2, true)?;
        Ok(())
    }
}

inbound! {
    /// `additionalInfo` of a QRIS refund response.
    #[derive(Default)]
    pub struct QrisRefundResponseAdditionalInfo {
        /// Cancel transaction serial number.
        #[serde(skip_serializing_if = "Option::is_none")]
        cancel_trx_sn: Option<String>,
    }
}

inbound! {
    /// `2007800` response of QRIS refund.
    pub struct QrisRefundResponse("2007800") {
        /// tXid of the original payment.
        original_reference_no: Option<String>,
        /// Merchant order id.
        original_partner_reference_no: Option<String>,
        /// NICEPAY's refund transaction id.
        reference_no: Option<String>,
        /// Echo of the merchant refund reference.
        partner_refund_no: Option<String>,
        /// Refunded amount.
        refund_amount: Option<Amount>,
        /// ISO-8601 refund time.
        refund_time: Option<String>,
        /// `{"cancelTrxSn": ...}`.
        additional_info: Option<QrisRefundResponseAdditionalInfo>,
    }
}

inbound! {
    /// Body of the QRIS payment notification NICEPAY posts to the merchant (service 52).
    pub struct QrisNotification {
        /// tXid.
        original_reference_no: Option<String>,
        /// Merchant order id.
        original_partner_reference_no: Option<String>,
        /// `00` success, `05` canceled, ...
        latest_transaction_status: Option<TransactionStatus>,
        /// Status description.
        transaction_status_desc: Option<String>,
        /// Paid amount.
        amount: Option<Amount>,
        /// Note the capital `ID` NICEPAY uses in this one field name.
        #[serde(rename = "externalStoreID")]
        external_store_id: Option<String>,
        /// Payment time, if sent.
        #[serde(skip_serializing_if = "Option::is_none")]
        transaction_date_time: Option<String>,
        /// Additional info.
        #[serde(skip_serializing_if = "Option::is_none")]
        additional_info: Option<Extra>,
    }
}

/// Service code of the inbound QRIS notification.
pub const QRIS_NOTIFICATION_SERVICE_CODE: &str = "52";
