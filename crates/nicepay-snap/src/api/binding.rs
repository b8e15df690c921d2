//! E-wallet account binding (AstraPay `ASTR` and AlloBank `ALLO` only): registration-account-
//! binding (service 07), registration-account-inquiry (08), registration-account-unbinding (09),
//! and the B2B2C customer token (74) the flow needs.
//!
//! The flow (NICEPAY's account binding page): the merchant asks for a binding (07) and sends the
//! customer to the answer's `redirectUrl`; the customer authenticates at the e-wallet, which gives
//! NICEPAY an auth code that reaches the merchant (on its `callbackUrl`); the merchant exchanges
//! the auth code for a customer token ([`Config::prepare_customer_token`]), whose refresh token
//! the inquiry (08) needs; the unbinding (09) needs the binding's `referenceNo` and the auth code.
//!
//! Sources and confidence: the request fields are from NICEPAY's binding pages (medium); the
//! response fields and the customer token follow the BI/ASPI SNAP standard (low for NICEPAY:
//! NICEPAY's response tables and its B2B2C page were not retrievable). Every request
//! `additionalInfo` keeps extra fields (`extra`) and every response keeps unknown fields, so what
//! NICEPAY turns out to want can be sent without waiting for a release; the customer token's
//! `grantType` spelling is a plain string for the same reason.

pub use super::markers::binding::*;
use super::token::{check_token, parse_token_response};
use super::{check, check_id, check_opt, Extra, Validate};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::http::{PreparedRequest, RawResponse};
use crate::secret::AccessToken;
use crate::timestamp::Timestamp;

/// Signed path of the B2B2C (customer) token endpoint (by analogy with the B2B one: no `/api`).
pub const CUSTOMER_TOKEN_PATH: &str = "/v1.0/access-token/b2b2c";
/// Service code of the customer token endpoint.
pub const CUSTOMER_TOKEN_SERVICE_CODE: &str = "74";
/// The e-wallets that support binding.
pub const BINDING_MITRA_CODES: &[&str] = &["ASTR", "ALLO"];

outbound! {
    /// The customer in a binding request (`additionalData`).
    #[derive(Default)]
    pub struct BindingCustomer {
        /// The customer's name (NICEPAY calls it `userId`).
        user_id: String,
        /// E-mail address.
        email: String,
        /// Phone number, e.g. `081234567890`.
        phone_no: String,
    }
}

outbound! {
    /// `additionalInfo` of a binding request.
    #[derive(Default)]
    pub struct AccountBindingAdditionalInfo {
        /// `ASTR` (AstraPay) or `ALLO` (AlloBank).
        mitra_cd: String,
        /// Where the customer's browser goes after the e-wallet (with the auth code).
        callback_url: String,
        /// Any other fields to send.
        #[serde(flatten)]
        extra: Extra,
    }
}

outbound! {
    /// Body of registration-account-binding (07).
    #[derive(Default)]
    pub struct AccountBindingRequest {
        /// Merchant's id of this binding.
        partner_reference_no: String,
        /// iMid.
        merchant_id: String,
        /// The customer.
        additional_data: BindingCustomer,
        /// E-wallet and callback.
        additional_info: AccountBindingAdditionalInfo,
    }
}

fn check_mitra(value: &str) -> Result<()> {
    check("additionalInfo.mitraCd", value, 4, true)
}

impl Validate for AccountBindingRequest {
    fn validate(&self) -> Result<()> {
        check_id("partnerReferenceNo", &self.partner_reference_no)?;
        check("merchantId", &self.merchant_id, 10, true)?;
        check("additionalData.userId", &self.additional_data.user_id, 100, true)?;
        check("additionalData.email", &self.additional_data.email, 40, true)?;
        check("additionalData.phoneNo", &self.additional_data.phone_no, 15, true)?;
        check_mitra(&self.additional_info.mitra_cd)?;
        check(
            "additionalInfo.callbackUrl",
            &self.additional_info.callback_url,
            255,
            true,
        )
    }
}

inbound! {
    /// `2000700` response of registration-account-binding.
    pub struct AccountBindingResponse("2000700") {
        /// NICEPAY's id of the binding (needed to unbind).
        reference_no: Option<String>,
        /// The merchant's id, echoed.
        partner_reference_no: Option<String>,
        /// Where to send the customer to authenticate at the e-wallet.
        redirect_url: Option<String>,
        /// Additional info.
        additional_info: Option<Extra>,
    }
}

outbound! {
    /// `additionalInfo` of a binding inquiry.
    #[derive(Default)]
    pub struct AccountInquiryAdditionalInfo {
        /// The customer token's refresh token.
        refresh_token: String,
        /// `ASTR` or `ALLO`.
        mitra_cd: String,
        /// Any other fields to send.
        #[serde(flatten)]
        extra: Extra,
    }
}

outbound! {
    /// Body of registration-account-inquiry (08).
    #[derive(Default)]
    pub struct AccountInquiryRequest {
        /// The binding's `partnerReferenceNo`.
        partner_reference_no: String,
        /// Refresh token and e-wallet.
        additional_info: AccountInquiryAdditionalInfo,
    }
}

impl Validate for AccountInquiryRequest {
    fn validate(&self) -> Result<()> {
        check_id("partnerReferenceNo", &self.partner_reference_no)?;
        check(
            "additionalInfo.refreshToken",
            &self.additional_info.refresh_token,
            512,
            true,
        )?;
        check_mitra(&self.additional_info.mitra_cd)
    }
}

inbound! {
    /// `2000800` response of registration-account-inquiry.
    pub struct AccountInquiryResponse("2000800") {
        /// NICEPAY's id of the binding.
        reference_no: Option<String>,
        /// The merchant's id.
        partner_reference_no: Option<String>,
        /// Name on the bound account.
        account_name: Option<String>,
        /// The bound account (masked).
        account_no: Option<String>,
        /// Additional info (binding status, ...).
        additional_info: Option<Extra>,
    }
}

outbound! {
    /// `additionalInfo` of an unbinding.
    #[derive(Default)]
    pub struct AccountUnbindingAdditionalInfo {
        /// The binding's `referenceNo` (from the binding response).
        reference_no: String,
        /// `ASTR` or `ALLO`.
        mitra_cd: String,
        /// The auth code the binding produced.
        auth_code: String,
        /// Any other fields to send.
        #[serde(flatten)]
        extra: Extra,
    }
}

outbound! {
    /// Body of registration-account-unbinding (09).
    #[derive(Default)]
    pub struct AccountUnbindingRequest {
        /// The binding's `partnerReferenceNo`.
        partner_reference_no: String,
        /// iMid.
        merchant_id: String,
        /// Binding id, e-wallet and auth code.
        additional_info: AccountUnbindingAdditionalInfo,
    }
}

impl Validate for AccountUnbindingRequest {
    fn validate(&self) -> Result<()> {
        check_id("partnerReferenceNo", &self.partner_reference_no)?;
        check("merchantId", &self.merchant_id, 10, true)?;
        check_id("additionalInfo.referenceNo", &self.additional_info.reference_no)?;
        check_mitra(&self.additional_info.mitra_cd)?;
        check("additionalInfo.authCode", &self.additional_info.auth_code, 256, true)
    }
}

inbound! {
    /// `2000900` response of registration-account-unbinding.
    pub struct AccountUnbindingResponse("2000900") {
        /// NICEPAY's id of the binding.
        reference_no: Option<String>,
        /// The merchant's id.
        partner_reference_no: Option<String>,
        /// iMid.
        merchant_id: Option<String>,
        /// `success` when the binding is gone.
        unlink_result: Option<String>,
        /// Additional info.
        additional_info: Option<Extra>,
    }
}

outbound! {
    /// The customer token request body: an auth code (after binding) or a refresh token.
    pub struct CustomerTokenRequest {
        /// `AUTHORIZATION_CODE` or `REFRESH_TOKEN` (the SNAP standard's spelling; a plain string
        /// so that another spelling can be sent).
        grant_type: String,
        /// With `AUTHORIZATION_CODE`.
        auth_code: Option<String>,
        /// With `REFRESH_TOKEN`.
        refresh_token: Option<String>,
        /// `{}` unless NICEPAY asks for more.
        #[serde(default)]
        additional_info: Extra,
    }
}

impl CustomerTokenRequest {
    /// Exchanges the auth code a binding produced.
    pub fn authorization_code(auth_code: impl Into<String>) -> Self {
        Self {
            grant_type: "AUTHORIZATION_CODE".into(),
            auth_code: Some(auth_code.into()),
            refresh_token: None,
            additional_info: Extra::new(),
        }
    }

    /// Renews a customer token.
    pub fn refresh_token(refresh_token: impl Into<String>) -> Self {
        Self {
            grant_type: "REFRESH_TOKEN".into(),
            auth_code: None,
            refresh_token: Some(refresh_token.into()),
            additional_info: Extra::new(),
        }
    }
}

impl Validate for CustomerTokenRequest {
    fn validate(&self) -> Result<()> {
        check("grantType", &self.grant_type, 32, true)?;
        check_opt("authCode", self.auth_code.as_ref(), 256)?;
        check_opt("refreshToken", self.refresh_token.as_ref(), 512)?;
        match self.grant_type.to_ascii_uppercase().as_str() {
            "AUTHORIZATION_CODE" if self.auth_code.as_deref().is_none_or(str::is_empty) => Err(Error::invalid(
                "authCode",
                "is mandatory with grantType AUTHORIZATION_CODE",
            )),
            "REFRESH_TOKEN" if self.refresh_token.as_deref().is_none_or(str::is_empty) => Err(Error::invalid(
                "refreshToken",
                "is mandatory with grantType REFRESH_TOKEN",
            )),
            _ => Ok(()),
        }
    }
}

inbound! {
    /// `2007400` response of the customer token endpoint. The tokens are redacted in `Debug`.
    pub struct CustomerTokenResponse("2007400") {
        /// The customer token.
        access_token: Option<AccessToken>,
        /// `Bearer`.
        token_type: Option<String>,
        /// When the token expires (ISO-8601 with offset, not seconds).
        access_token_expiry_time: Option<String>,
        /// Renews the token; the binding inquiry needs it.
        refresh_token: Option<AccessToken>,
        /// When the refresh token expires.
        refresh_token_expiry_time: Option<String>,
        /// Additional info.
        additional_info: Option<Extra>,
    }
}

impl Config {
    /// Prepares `POST /nicepay/v1.0/access-token/b2b2c`, signed like the B2B token request
    /// (SHA256withRSA over `clientId|X-TIMESTAMP` with the merchant's key).
    pub fn prepare_customer_token(
        &self,
        request: &CustomerTokenRequest,
        timestamp: Timestamp,
    ) -> Result<PreparedRequest> {
        request.validate()?;
        let body = serde_json::to_vec(request).map_err(|e| Error::invalid("body", format!("cannot serialize: {e}")))?;
        self.prepare_rsa_signed(CUSTOMER_TOKEN_PATH, body, timestamp)
    }

    /// Parses the customer token response. Like the B2B token's, an undecodable body is not kept
    /// in the error (it may hold tokens), and the tokens must be usable header values.
    pub fn parse_customer_token(&self, raw: &RawResponse) -> Result<CustomerTokenResponse> {
        let response: CustomerTokenResponse = parse_token_response(raw, "customer token")?;
        for token in [&response.access_token, &response.refresh_token].into_iter().flatten() {
            check_token(raw, "customer token", token)?;
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_serialize_in_nicepays_field_order_and_validate() {
        let request = AccountBindingRequest {
            partner_reference_no: "bind-1".into(),
            merchant_id: "IONPAYTEST".into(),
            additional_data: BindingCustomer {
                user_id: "John Doe".into(),
                email: "john@example.com".into(),
                phone_no: "081234567890".into(),
            },
            additional_info: AccountBindingAdditionalInfo {
                mitra_cd: "ASTR".into(),
                callback_url: "https://merchant.example/binding".into(),
                extra: Extra::new(),
            },
        };
        request.validate().unwrap();
        assert_eq!(
            serde_json::to_string(&request).unwrap(),
            r#"{"partnerReferenceNo":"bind-1","merchantId":"IONPAYTEST","additionalData":{"userId":"John Doe","email":"john@example.com","phoneNo":"081234567890"},"additionalInfo":{"mitraCd":"ASTR","callbackUrl":"https://merchant.example/binding"}}"#
        );
        let mut bad = request.clone();
        bad.additional_data.phone_no = "0".repeat(16);
        assert!(bad.validate().is_err());
        assert!(CustomerTokenRequest::authorization_code("").validate().is_err());
        assert_eq!(
            serde_json::to_string(&CustomerTokenRequest::refresh_token("r1")).unwrap(),
            r#"{"grantType":"REFRESH_TOKEN","refreshToken":"r1","additionalInfo":{}}"#
        );
    }

    #[test]
    fn customer_token_responses_keep_tokens_out_of_debug_and_errors() {
        let config = Config::builder()
            .client_id("IONPAYTEST")
            .client_secret("secret")
            .private_key_text(include_str!("../../../../tests/keys/merchant-test-private-pkcs8.pem"))
            .build()
            .unwrap();
        let ok = RawResponse {
            status: 200,
            headers: Vec::new(),
            body: br#"{"responseCode":"2007400","responseMessage":"Successful","accessToken":"CUST-TOKEN-1","tokenType":"Bearer","accessTokenExpiryTime":"2024-07-05T10:26:40+07:00","refreshToken":"REFRESH-1","refreshTokenExpiryTime":"2024-08-05T10:11:40+07:00"}"#.to_vec(),
        };
        let parsed = config.parse_customer_token(&ok).unwrap();
        assert_eq!(parsed.refresh_token.as_ref().unwrap().expose_secret(), "REFRESH-1");
        let shown = format!("{parsed:?}");
        assert!(
            !shown.contains("CUST-TOKEN-1") && !shown.contains("REFRESH-1"),
            "{shown}"
        );
        let garbled = RawResponse {
            status: 200,
            headers: Vec::new(),
            body: br#"{"responseCode":"2007400","accessToken":["CUST-TOKEN-1"]}"#.to_vec(),
        };
        let err = config.parse_customer_token(&garbled).unwrap_err();
        assert!(!format!("{err:?}{err}").contains("CUST-TOKEN-1"));
        let prepared = config
            .prepare_customer_token(
                &CustomerTokenRequest::authorization_code("code-1"),
                Timestamp::from_unix_seconds(1_720_149_100).unwrap(),
            )
            .unwrap();
        assert_eq!(prepared.path, CUSTOMER_TOKEN_PATH);
        assert!(prepared.url.ends_with("/nicepay/v1.0/access-token/b2b2c"));
        assert_eq!(
            prepared.body_str(),
            r#"{"grantType":"AUTHORIZATION_CODE","authCode":"code-1","additionalInfo":{}}"#
        );
    }
}
