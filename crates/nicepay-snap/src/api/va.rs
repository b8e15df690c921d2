//! Virtual Account: create (27), status (26), delete (31, HTTP DELETE with a body) and the
//! paid notification (25).

use serde::{Deserialize, Serialize};

pub use super::markers::va::*;

use super::{check, Extra, Validate};
use crate::error::{Error, Result};
use crate::response::ResponseCode;
use crate::status::TransactionStatus;
use crate::types::Amount;

/// `additionalInfo` of a VA create request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct VaCreateAdditionalInfo {
    /// Bank code: `BMRI`, `BRIN`, `CENA`, `BBBA`, `BBBB`, `BDIN`, `BNIA`, `HNBN`, ...
    pub bank_cd: String,
    /// Goods name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goods_nm: Option<String>,
    /// Where NICEPAY posts the paid notification.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db_process_url: Option<String>,
    /// Expiry date `YYYYMMDD` (may be `""`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vacct_valid_dt: Option<String>,
    /// Expiry time `HHmmss` (may be `""`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vacct_valid_tm: Option<String>,
    /// Marketplace id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ms_id: Option<String>,
    /// Marketplace fee.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ms_fee: Option<String>,
    /// Marketplace fee type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ms_fee_type: Option<String>,
    /// Merchant bank fee.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mb_fee: Option<String>,
    /// Merchant bank fee type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mb_fee_type: Option<String>,
    /// Any further keys.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `POST /api/v1.0/transfer-va/create-va` request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct VaCreateRequest {
    /// Bank/NICEPAY prefix; `""` for a normal VA.
    pub partner_service_id: String,
    /// `""` for a normal VA; the fixed VA id otherwise.
    pub customer_no: String,
    /// `""` lets NICEPAY generate the number.
    pub virtual_account_no: String,
    /// Customer name.
    pub virtual_account_name: String,
    /// Merchant order id.
    pub trx_id: String,
    /// Amount to pay.
    pub total_amount: Amount,
    /// Bank code, expiry, notification URL, ...
    pub additional_info: VaCreateAdditionalInfo,
}

impl Validate for VaCreateRequest {
    fn validate(&self) -> Result<()> {
        check("partnerServiceId", &self.partner_service_id, 20, false)?;
        check("customerNo", &self.customer_no, 40, false)?;
        check("virtualAccountNo", &self.virtual_account_no, 25, false)?;
        check("virtualAccountName", &self.virtual_account_name, 255, true)?;
        check("trxId", &self.trx_id, 40, true)?;
        validate_amount("totalAmount", &self.total_amount)?;
        check("additionalInfo.bankCd", &self.additional_info.bank_cd, 4, true)?;
        check_date_opt(
            "additionalInfo.vacctValidDt",
            self.additional_info.vacct_valid_dt.as_ref(),
            8,
        )?;
        check_date_opt(
            "additionalInfo.vacctValidTm",
            self.additional_info.vacct_valid_tm.as_ref(),
            6,
        )?;
        Ok(())
    }
}

/// Renames the `amount.*` field of an amount error to the JSON name used by the request.
pub(crate) fn validate_amount(name: &str, amount: &Amount) -> Result<()> {
    amount.validate().map_err(|e| match e {
        Error::InvalidInput { field, reason } => Error::InvalidInput {
            field: field.replacen("amount", name, 1),
            reason,
        },
        other => other,
    })
}

/// Checks an optional all-digits field of an exact length (`""` allowed).
pub(crate) fn check_date_opt(field: &str, value: Option<&String>, len: usize) -> Result<()> {
    match value {
        Some(v) if !v.is_empty() && (v.len() != len || !v.bytes().all(|b| b.is_ascii_digit())) => {
            Err(Error::invalid(field, format!("expected {len} digits")))
        }
        _ => Ok(()),
    }
}

/// `virtualAccountData` in VA responses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct VaData {
    /// Prefix.
    #[serde(default)]
    pub partner_service_id: Option<String>,
    /// Customer number.
    #[serde(default)]
    pub customer_no: Option<String>,
    /// The VA number the customer pays to.
    #[serde(default)]
    pub virtual_account_no: Option<String>,
    /// Customer name.
    #[serde(default)]
    pub virtual_account_name: Option<String>,
    /// Merchant order id.
    #[serde(default)]
    pub trx_id: Option<String>,
    /// Amount.
    #[serde(default)]
    pub total_amount: Option<Amount>,
    /// `bankCd`, `tXidVA`, `goodsNm`, `vacctValidDt`, `vacctValidTm`, `latestTransactionStatus`, ...
    #[serde(default)]
    pub additional_info: Option<Extra>,
    /// Any other fields.
    #[serde(flatten)]
    pub extra: Extra,
}

impl VaData {
    /// `additionalInfo.tXidVA`: NICEPAY's VA transaction id.
    pub fn txid_va(&self) -> Option<&str> {
        self.additional_info.as_ref()?.get("tXidVA")?.as_str()
    }
}

/// `2002700` response of VA create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct VaCreateResponse {
    /// `2002700`.
    pub response_code: ResponseCode,
    /// `Successful`.
    pub response_message: String,
    /// The created VA.
    #[serde(default)]
    pub virtual_account_data: Option<VaData>,
    /// Any other fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `additionalInfo` of a VA status or delete request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct VaStatusAdditionalInfo {
    /// Amount of the VA.
    pub total_amount: Amount,
    /// Merchant order id.
    pub trx_id: String,
    /// NICEPAY's VA transaction id.
    #[serde(rename = "tXidVA")]
    pub txid_va: String,
    /// Any further keys.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `POST /api/v1.0/transfer-va/status` request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct VaStatusRequest {
    /// Prefix (may be `""`).
    pub partner_service_id: String,
    /// Customer number.
    pub customer_no: String,
    /// VA number.
    pub virtual_account_no: String,
    /// Inquiry id (NICEPAY's docs: the same value as `X-EXTERNAL-ID`), max 128.
    pub inquiry_request_id: String,
    /// Amount, order id and `tXidVA`.
    pub additional_info: VaStatusAdditionalInfo,
}

impl Validate for VaStatusRequest {
    fn validate(&self) -> Result<()> {
        check("partnerServiceId", &self.partner_service_id, 20, false)?;
        check("customerNo", &self.customer_no, 40, false)?;
        check("virtualAccountNo", &self.virtual_account_no, 25, true)?;
        check("inquiryRequestId", &self.inquiry_request_id, 128, true)?;
        validate_amount("additionalInfo.totalAmount", &self.additional_info.total_amount)?;
        check("additionalInfo.trxId", &self.additional_info.trx_id, 40, true)?;
        check("additionalInfo.tXidVA", &self.additional_info.txid_va, 40, true)?;
        Ok(())
    }
}

/// `2002600` response of VA status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct VaStatusResponse {
    /// `2002600`.
    pub response_code: ResponseCode,
    /// `Successful`.
    pub response_message: String,
    /// The VA with its status in `additionalInfo`.
    #[serde(default)]
    pub virtual_account_data: Option<VaData>,
    /// Additional info.
    #[serde(default)]
    pub additional_info: Option<Extra>,
    /// Any other fields.
    #[serde(flatten)]
    pub extra: Extra,
}

impl VaStatusResponse {
    /// `latestTransactionStatus`, wherever NICEPAY put it (top level, `additionalInfo`, or
    /// `virtualAccountData.additionalInfo`): `00` paid, `03` unpaid, `04` cancelled/expired.
    pub fn latest_transaction_status(&self) -> Option<TransactionStatus> {
        let key = "latestTransactionStatus";
        let found = self
            .extra
            .get(key)
            .or_else(|| self.additional_info.as_ref()?.get(key))
            .or_else(|| self.virtual_account_data.as_ref()?.additional_info.as_ref()?.get(key))
            .or_else(|| self.virtual_account_data.as_ref()?.extra.get(key))?;
        found.as_str().map(TransactionStatus::from_code)
    }
}

/// `additionalInfo` of a VA delete request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct VaDeleteAdditionalInfo {
    /// Amount of the VA.
    pub total_amount: Amount,
    /// NICEPAY's VA transaction id.
    #[serde(rename = "tXidVA")]
    pub txid_va: String,
    /// Why it is cancelled (max 255).
    pub cancel_message: String,
    /// Any further keys.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `DELETE /api/v1.0/transfer-va/delete-va` request body (sent with HTTP DELETE; `DELETE` is
/// what gets signed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct VaDeleteRequest {
    /// Prefix (may be `""`).
    pub partner_service_id: String,
    /// Customer number (mandatory for a fixed VA).
    pub customer_no: String,
    /// VA number.
    pub virtual_account_no: String,
    /// Merchant order id.
    pub trx_id: String,
    /// Amount, `tXidVA`, cancel message.
    pub additional_info: VaDeleteAdditionalInfo,
}

impl Validate for VaDeleteRequest {
    fn validate(&self) -> Result<()> {
        check("partnerServiceId", &self.partner_service_id, 20, false)?;
        check("customerNo", &self.customer_no, 40, false)?;
        check("virtualAccountNo", &self.virtual_account_no, 25, true)?;
        check("trxId", &self.trx_id, 40, true)?;
        validate_amount("additionalInfo.totalAmount", &self.additional_info.total_amount)?;
        check("additionalInfo.tXidVA", &self.additional_info.txid_va, 40, true)?;
        check(
            "additionalInfo.cancelMessage",
            &self.additional_info.cancel_message,
            255,
            true,
        )?;
        Ok(())
    }
}

/// `2003100` response of VA delete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct VaDeleteResponse {
    /// `2003100`.
    pub response_code: ResponseCode,
    /// `Successful`.
    pub response_message: String,
    /// The deleted VA.
    #[serde(default)]
    pub virtual_account_data: Option<VaData>,
    /// Any other fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Body of the VA paid notification (service 25).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct VaNotification {
    /// Prefix.
    #[serde(default)]
    pub partner_service_id: Option<String>,
    /// Customer number.
    #[serde(default)]
    pub customer_no: Option<String>,
    /// VA number.
    #[serde(default)]
    pub virtual_account_no: Option<String>,
    /// Customer name.
    #[serde(default)]
    pub virtual_account_name: Option<String>,
    /// Merchant order id.
    #[serde(default)]
    pub trx_id: Option<String>,
    /// NICEPAY payment id.
    #[serde(default)]
    pub payment_request_id: Option<String>,
    /// Paid amount.
    #[serde(default)]
    pub paid_amount: Option<Amount>,
    /// Payment time.
    #[serde(default)]
    pub trx_date_time: Option<String>,
    /// Additional info (`tXidVA`, `bankCd`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<Extra>,
    /// Any other fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Service code of the inbound VA paid notification.
pub const VA_NOTIFICATION_SERVICE_CODE: &str = "25";
