//! Virtual Account: create (27), status (26), delete (31, HTTP DELETE with a body) and the
//! paid notification (25).

pub use super::markers::va::*;

use super::{check, check_date_opt, check_id, validate_amount, Extra, Validate};
use crate::error::Result;
use crate::status::TransactionStatus;
use crate::types::Amount;

/// Checks the fields naming a VA in a create, status or delete request: `partnerServiceId`,
/// `customerNo` and `virtualAccountNo` (mandatory except on create, where `""` lets NICEPAY
/// generate the number). Returns the first error from the enclosing `validate`.
macro_rules! check_va {
    ($request:expr, number_required: $required:expr) => {
        check("partnerServiceId", &$request.partner_service_id, 20, false)?;
        check("customerNo", &$request.customer_no, 40, false)?;
        check("virtualAccountNo", &$request.virtual_account_no, 25, $required)?;
    };
}

outbound! {
    /// `additionalInfo` of a VA create request.
    #[derive(Default)]
    pub struct VaCreateAdditionalInfo {
        /// Bank code: `BMRI`, `BRIN`, `CENA`, `BBBA`, `BBBB`, `BDIN`, `BNIA`, `HNBN`, ...
        bank_cd: String,
        /// Goods name.
        goods_nm: Option<String>,
        /// Where NICEPAY posts the paid notification.
        db_process_url: Option<String>,
        /// Expiry date `YYYYMMDD` (may be `""`).
        vacct_valid_dt: Option<String>,
        /// Expiry time `HHmmss` (may be `""`).
        vacct_valid_tm: Option<String>,
        ..marketplace_fees,
        /// Any further keys.
        #[serde(flatten)]
        extra: Extra,
    }
}

outbound! {
    /// `POST /api/v1.0/transfer-va/create-va` request body.
    pub struct VaCreateRequest {
        /// Bank/NICEPAY prefix; `""` for a normal VA.
        partner_service_id: String,
        /// `""` for a normal VA; the fixed VA id otherwise.
        customer_no: String,
        /// `""` lets NICEPAY generate the number.
        virtual_account_no: String,
        /// Customer name.
        virtual_account_name: String,
        /// Merchant order id.
        trx_id: String,
        /// Amount to pay.
        total_amount: Amount,
        /// Bank code, expiry, notification URL, ...
        additional_info: VaCreateAdditionalInfo,
    }
}

impl Validate for VaCreateRequest {
    fn validate(&self) -> Result<()> {
        check_va!(self, number_required: false);
        check("virtualAccountName", &self.virtual_account_name, 255, true)?;
        check_id("trxId", &self.trx_id)?;
        validate_amount("totalAmount", &self.total_amount)?;
        let info = &self.additional_info;
        check("additionalInfo.bankCd", &info.bank_cd, 4, true)?;
        check_date_opt("additionalInfo.vacctValidDt", info.vacct_valid_dt.as_ref(), 8)?;
        check_date_opt("additionalInfo.vacctValidTm", info.vacct_valid_tm.as_ref(), 6)?;
        Ok(())
    }
}

inbound! {
    /// `virtualAccountData` in VA responses.
    #[derive(Default)]
    pub struct VaData {
        /// Prefix.
        partner_service_id: Option<String>,
        /// Customer number.
        customer_no: Option<String>,
        /// The VA number the customer pays to.
        virtual_account_no: Option<String>,
        /// Customer name.
        virtual_account_name: Option<String>,
        /// Merchant order id.
        trx_id: Option<String>,
        /// Amount.
        total_amount: Option<Amount>,
        /// `bankCd`, `tXidVA`, `goodsNm`, `vacctValidDt`, `vacctValidTm`, `latestTransactionStatus`, ...
        additional_info: Option<Extra>,
    }
}

impl VaData {
    /// `additionalInfo.tXidVA`: NICEPAY's VA transaction id.
    pub fn txid_va(&self) -> Option<&str> {
        self.additional_info.as_ref()?.get("tXidVA")?.as_str()
    }
}

inbound! {
    /// `2002700` response of VA create.
    pub struct VaCreateResponse("2002700") {
        /// The created VA.
        virtual_account_data: Option<VaData>,
    }
}

outbound! {
    /// `additionalInfo` of a VA status or delete request.
    pub struct VaStatusAdditionalInfo {
        /// Amount of the VA.
        total_amount: Amount,
        /// Merchant order id.
        trx_id: String,
        /// NICEPAY's VA transaction id.
        #[serde(rename = "tXidVA")]
        txid_va: String,
        /// Any further keys.
        #[serde(flatten)]
        extra: Extra,
    }
}

outbound! {
    /// `POST /api/v1.0/transfer-va/status` request body.
    pub struct VaStatusRequest {
        /// Prefix (may be `""`).
        partner_service_id: String,
        /// Customer number.
        customer_no: String,
        /// VA number.
        virtual_account_no: String,
        /// Inquiry id (NICEPAY's docs: the same value as `X-EXTERNAL-ID`), max 128.
        inquiry_request_id: String,
        /// Amount, order id and `tXidVA`.
        additional_info: VaStatusAdditionalInfo,
    }
}

impl Validate for VaStatusRequest {
    fn validate(&self) -> Result<()> {
        check_va!(self, number_required: true);
        check("inquiryRequestId", &self.inquiry_request_id, 128, true)?;
        validate_amount("additionalInfo.totalAmount", &self.additional_info.total_amount)?;
        check_id("additionalInfo.trxId", &self.additional_info.trx_id)?;
        check_id("additionalInfo.tXidVA", &self.additional_info.txid_va)?;
        Ok(())
    }
}

inbound! {
    /// `2002600` response of VA status.
    pub struct VaStatusResponse("2002600") {
        /// The VA with its status in `additionalInfo`.
        virtual_account_data: Option<VaData>,
        /// Additional info.
        additional_info: Option<Extra>,
    }
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

outbound! {
    /// `additionalInfo` of a VA delete request.
    pub struct VaDeleteAdditionalInfo {
        /// Amount of the VA.
        total_amount: Amount,
        /// NICEPAY's VA transaction id.
        #[serde(rename = "tXidVA")]
        txid_va: String,
        /// Why it is cancelled (max 255).
        cancel_message: String,
        /// Any further keys.
        #[serde(flatten)]
        extra: Extra,
    }
}

outbound! {
    /// `DELETE /api/v1.0/transfer-va/delete-va` request body (sent with HTTP DELETE; `DELETE` is
    /// what gets signed).
    pub struct VaDeleteRequest {
        /// Prefix (may be `""`).
        partner_service_id: String,
        /// Customer number (mandatory for a fixed VA).
        customer_no: String,
        /// VA number.
        virtual_account_no: String,
        /// Merchant order id.
        trx_id: String,
        /// Amount, `tXidVA`, cancel message.
        additional_info: VaDeleteAdditionalInfo,
    }
}

impl Validate for VaDeleteRequest {
    fn validate(&self) -> Result<()> {
        check_va!(self, number_required: true);
        check_id("trxId", &self.trx_id)?;
        let info = &self.additional_info;
        validate_amount("additionalInfo.totalAmount", &info.total_amount)?;
        check_id("additionalInfo.tXidVA", &info.txid_va)?;
        check("additionalInfo.cancelMessage", &info.cancel_message, 255, true)?;
        Ok(())
    }
}

inbound! {
    /// `2003100` response of VA delete.
    pub struct VaDeleteResponse("2003100") {
        /// The deleted VA.
        virtual_account_data: Option<VaData>,
    }
}

inbound! {
    /// Body of the VA paid notification (service 25).
    pub struct VaNotification {
        /// Prefix.
        partner_service_id: Option<String>,
        /// Customer number.
        customer_no: Option<String>,
        /// VA number.
        virtual_account_no: Option<String>,
        /// Customer name.
        virtual_account_name: Option<String>,
        /// Merchant order id.
        trx_id: Option<String>,
        /// NICEPAY payment id.
        payment_request_id: Option<String>,
        /// Paid amount.
        paid_amount: Option<Amount>,
        /// Payment time.
        trx_date_time: Option<String>,
        /// Additional info (`tXidVA`, `bankCd`, ...).
        #[serde(skip_serializing_if = "Option::is_none")]
        additional_info: Option<Extra>,
    }
}

/// Service code of the inbound VA paid notification.
pub const VA_NOTIFICATION_SERVICE_CODE: &str = "25";
