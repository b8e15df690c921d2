//! Payout (disbursement): registration, approve, inquiry, cancel, reject (service `00` as
//! observed) and balance inquiry (11).
//!
//! Flow: registration (returns the tXid) → approve or reject → notification → inquiry for the
//! final status. An approve that times out is an *unknown outcome*: resolve it with
//! [`PayoutInquiry`], never by approving under a new reference.

use serde::{Deserialize, Serialize};

pub use super::markers::payout::*;

use super::va::{check_date_opt, validate_amount};
use super::{check, check_opt, Extra, Validate};
use crate::error::{Error, Result};
use crate::response::ResponseCode;
use crate::status::TransactionStatus;
use crate::types::Amount;

/// `POST /api/v1.0/transfer/registration` request body.
///
/// The delivery name's JSON key is an open question (spec §12.9): the Kotlin SDK sends
/// `deliveryName`, the Python SDK `deliveryNm`. Set whichever your NICEPAY onboarding confirms
/// (or both); unset ones are omitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct PayoutRegistrationRequest {
    /// Merchant payout reference (max 40).
    pub partner_reference_no: String,
    /// iMid.
    pub merchant_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ms_id: Option<String>,
    /// Destination account number (max 25).
    pub beneficiary_account_no: String,
    /// Account holder name (max 100).
    pub beneficiary_name: String,
    /// Phone (max 20).
    pub beneficiary_phone: String,
    /// `"1"` resident (WNI), `"2"` non-resident.
    pub beneficiary_customer_residence: String,
    /// `"1"` personal, `"2"` company, `"3"` government.
    pub beneficiary_customer_type: String,
    pub beneficiary_postal_code: String,
    /// Bank code, e.g. `BNIA`, `CENA`, `BDIN`, `BMRI`, `BBBA`.
    pub beneficiary_bank_code: String,
    /// `"0"` overbooking, `"1"` online, `"2"` SKN, `"3"` RTGS, `"4"` cashout (V2 meanings).
    pub payout_method: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Scheduled date `YYYYMMDD` (or `""`).
    pub reserved_dt: String,
    /// Scheduled time `HHmmss` (or `""`).
    pub reserved_tm: String,
    pub delivery_id: String,
    /// Sent as `deliveryName` (Kotlin SDK).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_name: Option<String>,
    /// Sent as `deliveryNm` (Python SDK).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_nm: Option<String>,
    /// Amount to pay out.
    pub amount: Amount,
    #[serde(rename = "beneficiaryPOE", skip_serializing_if = "Option::is_none")]
    pub beneficiary_poe: Option<String>,
    #[serde(rename = "beneficiaryDOE", skip_serializing_if = "Option::is_none")]
    pub beneficiary_doe: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beneficiary_co_no: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beneficiary_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beneficiary_auth_phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beneficiary_mer_category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beneficiary_co_mgmt_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beneficiary_co_sh_name: Option<String>,
    /// Any further keys.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Validate for PayoutRegistrationRequest {
    fn validate(&self) -> Result<()> {
        check("partnerReferenceNo", &self.partner_reference_no, 40, true)?;
        check("merchantId", &self.merchant_id, 10, true)?;
        check_opt("msId", self.ms_id.as_ref(), 20)?;
        check("beneficiaryAccountNo", &self.beneficiary_account_no, 25, true)?;
        check("beneficiaryName", &self.beneficiary_name, 100, true)?;
        check("beneficiaryPhone", &self.beneficiary_phone, 20, true)?;
        for (field, value, allowed) in [
            (
                "beneficiaryCustomerResidence",
                &self.beneficiary_customer_residence,
                &["1", "2"][..],
            ),
            (
                "beneficiaryCustomerType",
                &self.beneficiary_customer_type,
                &["1", "2", "3"][..],
            ),
        ] {
            if !allowed.contains(&value.as_str()) {
                return Err(Error::invalid(field, format!("expected one of {allowed:?}")));
            }
        }
        check("beneficiaryBankCode", &self.beneficiary_bank_code, 8, true)?;
        check("payoutMethod", &self.payout_method, 1, true)?;
        check_date_opt("reservedDt", Some(&self.reserved_dt), 8)?;
        check_date_opt("reservedTm", Some(&self.reserved_tm), 6)?;
        validate_amount("amount", &self.amount)
    }
}

/// `2000000` response of payout registration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PayoutRegistrationResponse {
    /// `2000000`.
    pub response_code: ResponseCode,
    /// `Successful`.
    pub response_message: String,
    /// Echo of the merchant reference.
    #[serde(default)]
    pub partner_reference_no: Option<String>,
    /// NICEPAY payout id (tXid): needed to approve, reject, cancel or query.
    #[serde(default)]
    pub reference_no: Option<String>,
    /// Status.
    #[serde(default)]
    pub transaction_status: Option<TransactionStatus>,
    /// Any other fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Body of payout approve / cancel / reject / inquiry: identifies one payout.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PayoutReference {
    /// NICEPAY payout id (tXid) from registration.
    pub original_reference_no: String,
    /// The merchant reference used at registration.
    pub original_partner_reference_no: String,
    /// iMid.
    pub merchant_id: String,
    /// Required by inquiry (and sent on reject by the Kotlin SDK); omitted when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beneficiary_account_no: Option<String>,
}

impl Validate for PayoutReference {
    fn validate(&self) -> Result<()> {
        check("originalReferenceNo", &self.original_reference_no, 40, true)?;
        check(
            "originalPartnerReferenceNo",
            &self.original_partner_reference_no,
            40,
            true,
        )?;
        check("merchantId", &self.merchant_id, 10, true)?;
        check_opt("beneficiaryAccountNo", self.beneficiary_account_no.as_ref(), 25)
    }
}

/// `2000000` response of approve / cancel / reject / inquiry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PayoutResponse {
    /// `2000000`.
    pub response_code: ResponseCode,
    /// `Successful`.
    pub response_message: String,
    /// Merchant reference.
    #[serde(default)]
    pub original_partner_reference_no: Option<String>,
    /// tXid.
    #[serde(default)]
    pub original_reference_no: Option<String>,
    /// Destination account.
    #[serde(default)]
    pub beneficiary_account_no: Option<String>,
    /// Holder name.
    #[serde(default)]
    pub beneficiary_name: Option<String>,
    /// Bank code.
    #[serde(default)]
    pub beneficiary_bank_code: Option<String>,
    /// Amount.
    #[serde(default)]
    pub amount: Option<Amount>,
    /// `00` success, `03` pending, `04` canceled, `05` rejected, `08` suspect, `09` failed.
    #[serde(default)]
    pub transaction_status: Option<TransactionStatus>,
    /// Some responses use this name instead.
    #[serde(default)]
    pub latest_transaction_status: Option<TransactionStatus>,
    /// Any other fields.
    #[serde(flatten)]
    pub extra: Extra,
}

impl PayoutResponse {
    /// The payout status from whichever field carried it.
    pub fn status(&self) -> Option<&TransactionStatus> {
        self.transaction_status
            .as_ref()
            .or(self.latest_transaction_status.as_ref())
    }
}

/// `additionalInfo` of a balance inquiry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct BalanceInquiryAdditionalInfo {
    /// Marketplace id (may be `""`).
    pub ms_id: String,
    /// Any further keys.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `POST /api/v1.0/balance-inquiry` request body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct BalanceInquiryRequest {
    /// The iMid (Kotlin SDK) or `""` (Python SDK).
    pub account_no: String,
    /// `{"msId": ...}`.
    pub additional_info: BalanceInquiryAdditionalInfo,
}

impl Validate for BalanceInquiryRequest {
    fn validate(&self) -> Result<()> {
        check("accountNo", &self.account_no, 32, false)
    }
}

/// One entry of `accountInfos`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AccountInfo {
    /// Available balance.
    #[serde(default)]
    pub available_balance: Option<Amount>,
    /// Any other fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `2001100` response of balance inquiry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct BalanceInquiryResponse {
    /// `2001100`.
    pub response_code: ResponseCode,
    /// `Successful`.
    pub response_message: String,
    /// Account number.
    #[serde(default)]
    pub account_no: Option<String>,
    /// Balances.
    #[serde(default)]
    pub account_infos: Vec<AccountInfo>,
    /// Any other fields.
    #[serde(flatten)]
    pub extra: Extra,
}
