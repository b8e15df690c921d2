//! B2B access token (`POST /v1.0/access-token/b2b`, service 73).

use serde::{Deserialize, Serialize};

use super::Extra;
use crate::canonical::token_string_to_sign;
use crate::config::Config;
use crate::error::Result;
use crate::http::{Method, PreparedRequest, RawResponse};
use crate::response::{parse_response, ResponseCode};
use crate::secret::AccessToken;
use crate::timestamp::Timestamp;

/// Signed path of the token endpoint.
pub const ACCESS_TOKEN_PATH: &str = "/v1.0/access-token/b2b";
/// Service code of the token endpoint.
pub const ACCESS_TOKEN_SERVICE_CODE: &str = "73";

/// The token request body: `{"grantType":"client_credentials","additionalInfo":{}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessTokenRequest {
    /// Always `client_credentials`.
    pub grant_type: String,
    /// Always `{}` (not `""`, see spec pitfall 8).
    pub additional_info: Extra,
}

impl Default for AccessTokenRequest {
    fn default() -> Self {
        Self {
            grant_type: "client_credentials".to_owned(),
            additional_info: Extra::new(),
        }
    }
}

/// A successful token response (`2007300`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessTokenResponse {
    /// `2007300`.
    pub response_code: ResponseCode,
    /// `Successful`.
    pub response_message: String,
    /// The token (redacted in `Debug`).
    pub access_token: AccessToken,
    /// `Bearer`.
    #[serde(default)]
    pub token_type: Option<String>,
    /// Lifetime in seconds, as a string (`"900"`).
    #[serde(default)]
    pub expires_in: Option<String>,
    /// Any other fields.
    #[serde(flatten)]
    pub extra: Extra,
}

impl AccessTokenResponse {
    /// Lifetime in seconds if `expiresIn` is a number (NICEPAY documents 900).
    pub fn expires_in_seconds(&self) -> Option<u64> {
        self.expires_in.as_deref().and_then(|s| s.trim().parse().ok())
    }
}

impl Config {
    /// The token string-to-sign for this client at `timestamp`: `clientId|X-TIMESTAMP`.
    pub fn token_string_to_sign(&self, timestamp: Timestamp) -> String {
        token_string_to_sign(self.client_id(), &timestamp.to_string())
    }

    /// Prepares `POST /nicepay/v1.0/access-token/b2b` signed with SHA256withRSA.
    pub fn prepare_access_token(&self, timestamp: Timestamp) -> Result<PreparedRequest> {
        let ts = timestamp.to_string();
        let signature = self
            .private_key()
            .sign_base64(token_string_to_sign(self.client_id(), &ts).as_bytes())?;
        let body = serde_json::to_vec(&AccessTokenRequest::default()).expect("the token request always serializes");
        Ok(PreparedRequest {
            method: Method::Post,
            url: self.url_for(ACCESS_TOKEN_PATH),
            path: ACCESS_TOKEN_PATH.to_owned(),
            headers: vec![
                ("Content-Type".to_owned(), "application/json".to_owned()),
                ("X-TIMESTAMP".to_owned(), ts),
                ("X-CLIENT-KEY".to_owned(), self.client_id().to_owned()),
                ("X-SIGNATURE".to_owned(), signature),
            ],
            body,
        })
    }

    /// Parses the token endpoint's response.
    pub fn parse_access_token(&self, raw: &RawResponse) -> Result<AccessTokenResponse> {
        parse_response(raw)
    }
}
