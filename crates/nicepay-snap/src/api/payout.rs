//! Payout (disbursement): registration, approve, inquiry, cancel, reject (service `00` as
//! observed) and balance inquiry (11).
//!
//! Flow: registration (returns the tXid) → approve or reject → notification → inquiry for the
//! final status. An approve that times out is an *unknown outcome*: resolve it with
//! [`PayoutInquiry`], never by approving under a new reference.

pub use super::markers::payout::*;

use super::{check, check_date_opt, check_id, check_opt, validate_amount, Extra, Validate};
use crate::error::{Error, Result};
use crate::status::TransactionStatus;
use crate::types::Amount;

outbound! {
    /// `POST /api/v1.0/transfer/registration` request body.
    ///
    /// The delivery name's JSON key is an open question (spec §12.9): the Kotlin SDK sends
    /// `deliveryName`, the Python SDK `deliveryNm`. Set whichever your NICEPAY onboarding confirms
    /// (or both); unset ones are omitted.
    #[allow(missing_docs)]
    pub struct PayoutRegistrationRequest {
        /// Merchant payout reference (max 40).
        partner_reference_no: String,
        /// iMid.
        merchant_id: String,
        ms_id: Option<String>,
        /// Destination account number (max 25).
        beneficiary_account_no: String,
        /// Account holder name (max 100).
        beneficiary_name: String,
        /// Phone (max 20).
        beneficiary_phone: String,
        /// `"1"` resident (WNI), `"2"` non-resident.
        beneficiary_customer_residence: String,
        /// `"1"` personal, `"2"` company, `"3"` government.
        beneficiary_customer_type: String,
        beneficiary_postal_code: String,
        /// Bank code, e.g. `BNIA`, `CENA`, `BDIN`, `BMRI`, `BBBA`.
        beneficiary_bank_code: String,
        /// `"0"` overbooking, `"1"` online, `"2"` SKN, `"3"` RTGS, `"4"` cashout (V2 meanings).
        payout_method: String,
        description: Option<String>,
        /// Scheduled date `YYYYMMDD` (or `""`).
        reserved_dt: String,
        /// Scheduled time `HHmmss` (or `""`).
        reserved_tm: String,
        delivery_id: String,
        /// Sent as `deliveryName` (Kotlin SDK).
        delivery_name: Option<String>,
        /// Sent as `deliveryNm` (Python SDK).
        delivery_nm: Option<String>,
        /// Amount to pay out.
        amount: Amount,
        #[serde(rename = "beneficiaryPOE")]
        beneficiary_poe: Option<String>,
        #[serde(rename = "beneficiaryDOE")]
        beneficiary_doe: Option<String>,
        beneficiary_co_no: Option<String>,
        beneficiary_address: Option<String>,
        beneficiary_auth_phone_number: Option<String>,
        beneficiary_mer_category: Option<String>,
        beneficiary_co_mgmt_name: Option<String>,
        beneficiary_co_sh_name: Option<String>,
        /// Any further keys.
        #[serde(flatten)]
        extra: Extra,
    }
}

impl Validate for PayoutRegistrationRequest {
    fn validate(&self) -> Result<()> {
        check_id("partnerReferenceNo", &self.partner_reference_no)?;
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

inbound! {
    /// `2000000` response of payout registration.
    pub struct PayoutRegistrationResponse("2000000") {
        /// Echo of the merchant reference.
        partner_reference_no: Option<String>,
        /// NICEPAY payout id (tXid): needed to approve, reject, cancel or query.
        reference_no: Option<String>,
        /// Status.
        transaction_status: Option<TransactionStatus>,
    }
}

outbound! {
    /// Body of payout approve / cancel / reject / inquiry: identifies one payout.
    #[derive(Default)]
    pub struct PayoutReference {
        /// NICEPAY payout id (tXid) from registration.
        original_reference_no: String,
        /// The merchant reference used at registration.
        original_partner_reference_no: String,
        /// iMid.
        merchant_id: String,
        /// Required by inquiry (and sent on reject by the Kotlin SDK); omitted when `None`.
        beneficiary_account_no: Option<String>,
    }
}

impl Validate for PayoutReference {
    fn validate(&self) -> Result<()> {
        check_id("originalReferenceNo", &self.original_reference_no)?;
        check_id("originalPartnerReferenceNo", &self.original_partner_reference_no)?;
        check("merchantId", &self.merchant_id, 10, true)?;
        check_opt("beneficiaryAccountNo", self.beneficiary_account_no.as_ref(), 25)
    }
}

inbound! {
    /// `2000000` response of approve / cancel / reject / inquiry.
    pub struct PayoutResponse("2000000") {
        /// Merchant reference.
        original_partner_reference_no: Option<String>,
        /// tXid.
        original_reference_no: Option<String>,
        /// Destination account.
        beneficiary_account_no: Option<String>,
        /// Holder name.
        beneficiary_name: Option<String>,
        /// Bank code.
        beneficiary_bank_code: Option<String>,
        /// Amount.
        amount: Option<Amount>,
        /// `00` success, `03` pending, `04` canceled, `05` rejected, `08` suspect, `09` failed.
        transaction_status: Option<TransactionStatus>,
        /// Some responses use this name instead.
        latest_transaction_status: Option<TransactionStatus>,
    }
}

inbound! {
    /// The payout result notification NICEPAY posts to `{merchant}/api/v1.0/transfer/notify`
    /// (URL set at onboarding: the registration body has no URL field), signed like the other
    /// notifications (SHA256withRSA over `clientId|X-TIMESTAMP`, NICEPAY's notification key;
    /// the body is not covered). Fields from NICEPAY's payout notification page (medium
    /// confidence; the page's table ends after `beneficiaryName`) and NICEPAY's Magento plugin,
    /// which reads `amount.value`; every other field is kept in `extra`. Confirm it with
    /// [`PayoutInquiry`] before acting on it.
    pub struct PayoutNotification {
        /// The merchant reference used at registration.
        original_partner_reference_no: Option<String>,
        /// NICEPAY payout id (tXid).
        original_reference_no: Option<String>,
        /// `00` success, `03` pending, `09` failed (and the rest of the payout set).
        latest_transaction_status: Option<TransactionStatus>,
        /// Status description (documented as an object of at most 50 characters; usually text).
        transaction_status_desc: Option<serde_json::Value>,
        /// Bank code, e.g. `BMRI`.
        beneficiary_bank_code: Option<String>,
        /// Destination account.
        beneficiary_account_no: Option<String>,
        /// Holder name.
        beneficiary_name: Option<String>,
        /// Amount paid out.
        amount: Option<Amount>,
        /// Additional info, if sent.
        #[serde(skip_serializing_if = "Option::is_none")]
        additional_info: Option<Extra>,
    }
}

/// Service code of the payout result notification: its acknowledgement is `2000000`, the
/// payout family's success code (NICEPAY's Magento plugin answers that).
pub const PAYOUT_NOTIFICATION_SERVICE_CODE: &str = "00";

impl PayoutResponse {
    /// The payout status from whichever field carried it.
    pub fn status(&self) -> Option<&TransactionStatus> {
        self.transaction_status
            .as_ref()
            .or(self.latest_transaction_status.as_ref())
    }
}

outbound! {
    /// `additionalInfo` of a balance inquiry.
    #[derive(Default)]
    pub struct BalanceInquiryAdditionalInfo {
        /// Marketplace id (may be `""`).
        ms_id: String,
        /// Any further keys.
        #[serde(flatten)]
        extra: Extra,
    }
}

outbound! {
    /// `POST /api/v1.0/balance-inquiry` request body.
    #[derive(Default)]
    pub struct BalanceInquiryRequest {
        /// The iMid (Kotlin SDK) or `""` (Python SDK).
        account_no: String,
        /// `{"msId": ...}`.
        additional_info: BalanceInquiryAdditionalInfo,
    }
}

impl Validate for BalanceInquiryRequest {
    fn validate(&self) -> Result<()> {
        check("accountNo", &self.account_no, 32, false)
    }
}

inbound! {
    /// One entry of `accountInfos`.
    #[derive(Default)]
    pub struct AccountInfo {
        /// Available balance.
        available_balance: Option<Amount>,
    }
}

inbound! {
    /// `2001100` response of balance inquiry.
    pub struct BalanceInquiryResponse("2001100") {
        /// Account number.
        account_no: Option<String>,
        /// Balances.
        account_infos: Vec<AccountInfo>,
    }
}
