//! B2B access token (`POST /v1.0/access-token/b2b`, service 73).

use serde::Deserialize;

use super::Extra;
use crate::canonical::token_string_to_sign;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::http::{Method, PreparedRequest, RawResponse};
use crate::response::{parse_response, ResponseCode};
use crate::secret::AccessToken;
use crate::timestamp::Timestamp;

/// Signed path of the token endpoint.
pub const ACCESS_TOKEN_PATH: &str = "/v1.0/access-token/b2b";
/// Service code of the token endpoint.
pub const ACCESS_TOKEN_SERVICE_CODE: &str = "73";

outbound! {
    /// The token request body: `{"grantType":"client_credentials","additionalInfo":{}}`.
    pub struct AccessTokenRequest {
        /// Always `client_credentials`.
        grant_type: String,
        /// Always `{}` (not `""`, see spec pitfall 8).
        additional_info: Extra,
    }
}

impl Default for AccessTokenRequest {
    fn default() -> Self {
        Self {
            grant_type: "client_credentials".to_owned(),
            additional_info: Extra::new(),
        }
    }
}

payload! {
    /// A successful token response (`2007300`).
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
        /// Lifetime in seconds, as a string (`"900"`); a JSON number (`900`) is accepted too.
        #[serde(default, deserialize_with = "string_or_number")]
        pub expires_in: Option<String>,
        /// Any other fields.
        #[serde(flatten)]
        pub extra: Extra,
    }
}

/// `expiresIn` as NICEPAY documents it (`"900"`) or as a plain JSON number (`900`).
fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Lifetime {
        Text(String),
        Number(u64),
    }
    Ok(Option::<Lifetime>::deserialize(d)?.map(|l| match l {
        Lifetime::Text(s) => s,
        Lifetime::Number(n) => n.to_string(),
    }))
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
        let body = serde_json::to_vec(&AccessTokenRequest::default()).expect("the token request always serializes");
        self.prepare_rsa_signed(ACCESS_TOKEN_PATH, body, timestamp)
    }

    /// A `POST` of `body` to `path` with the token requests' headers: `X-CLIENT-KEY` and
    /// `X-SIGNATURE` = SHA256withRSA over `clientId|X-TIMESTAMP` with the merchant's key.
    pub(crate) fn prepare_rsa_signed(
        &self,
        path: &'static str,
        body: Vec<u8>,
        timestamp: Timestamp,
    ) -> Result<PreparedRequest> {
        let ts = timestamp.to_string();
        let signature = self
            .private_key()
            .sign_base64(token_string_to_sign(self.client_id(), &ts).as_bytes())?;
        Ok(PreparedRequest {
            method: Method::Post,
            url: self.url_for(path),
            path: path.into(),
            headers: [
                ("Content-Type", "application/json"),
                ("X-TIMESTAMP", &ts),
                ("X-CLIENT-KEY", self.client_id()),
                ("X-SIGNATURE", &signature),
            ]
            .into_iter()
            .collect(),
            body,
        })
    }

    /// Parses the token endpoint's response. A body that does not decode is **not** kept in the
    /// error (unlike other responses): it may hold the access token.
    /// The token must pass [`AccessToken::validate`] (printable ASCII, at most
    /// [`AccessToken::MAX_LEN`] characters): an absurd token is refused here, not when a
    /// money-moving request carrying it fails half-written.
    pub fn parse_access_token(&self, raw: &RawResponse) -> Result<AccessTokenResponse> {
        let response: AccessTokenResponse = parse_token_response(raw, "access-token")?;
        check_token(raw, "access-token", &response.access_token)?;
        Ok(response)
    }
}

/// Parses a token endpoint's response (`what`: `access-token`, `customer token`). A body that
/// does not decode is **not** kept in the error: it may hold a token.
pub(crate) fn parse_token_response<T: serde::de::DeserializeOwned>(raw: &RawResponse, what: &str) -> Result<T> {
    parse_response(raw).map_err(|e| match e {
        Error::Decode { http_status, .. } => Error::Decode {
            http_status,
            reason: format!("the {what} response is not the expected JSON (body withheld: it may hold a token)"),
            body: Vec::new(),
        },
        other => other,
    })
}

/// A token from a token response must be a usable header value ([`AccessToken::validate`]).
pub(crate) fn check_token(raw: &RawResponse, what: &str, token: &AccessToken) -> Result<()> {
    token.validate().map_err(|e| Error::Decode {
        http_status: raw.status,
        reason: format!("the {what} response holds an unusable token: {e}"),
        body: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::builder()
            .client_id("IONPAYTEST")
            .client_secret("secret")
            .private_key_text(include_str!("../../../../tests/keys/merchant-test-private-pkcs8.pem"))
            .build()
            .unwrap()
    }

    fn raw(body: &str) -> RawResponse {
        RawResponse::new(200, Vec::new(), body.as_bytes().to_vec())
    }

    #[test]
    fn expires_in_may_be_a_string_or_a_number() {
        let c = config();
        for body in [
            r#"{"responseCode":"2007300","responseMessage":"Successful","accessToken":"T","expiresIn":"900"}"#,
            r#"{"responseCode":"2007300","responseMessage":"Successful","accessToken":"T","expiresIn":900}"#,
        ] {
            let parsed = c.parse_access_token(&raw(body)).unwrap();
            assert_eq!(parsed.expires_in_seconds(), Some(900), "{body}");
            assert_eq!(parsed.expires_in.as_deref(), Some("900"));
        }
        let absent = r#"{"responseCode":"2007300","responseMessage":"Successful","accessToken":"T","expiresIn":null}"#;
        assert_eq!(c.parse_access_token(&raw(absent)).unwrap().expires_in, None);
    }

    #[test]
    fn absurd_tokens_are_refused_when_the_token_response_is_parsed() {
        let huge = "A".repeat(2_000_000);
        for token in [huge.as_str(), "has space", "bad\\u0000nul"] {
            let body =
                format!(r#"{{"responseCode":"2007300","responseMessage":"Successful","accessToken":"{token}"}}"#);
            let err = config().parse_access_token(&raw(&body)).unwrap_err();
            let Error::Decode { body, .. } = &err else {
                panic!("expected a decode error, got {err:?}")
            };
            assert!(body.is_empty());
            let text = err.to_string();
            assert!(text.contains("unusable token") && text.len() < 300, "{text}");
        }
    }

    #[test]
    fn an_undecodable_token_response_does_not_keep_the_token() {
        let body = r#"{"responseCode":"2007300","responseMessage":"Successful","accessToken":"SECRET-TOKEN-123","expiresIn":[1]}"#;
        let err = config().parse_access_token(&raw(body)).unwrap_err();
        let Error::Decode { http_status, body, .. } = &err else {
            panic!("expected a decode error, got {err:?}")
        };
        assert_eq!(*http_status, 200);
        assert!(body.is_empty());
        for text in [format!("{err}"), format!("{err:?}")] {
            assert!(!text.contains("SECRET-TOKEN-123"), "{text}");
        }
    }

    #[test]
    fn the_token_request_signature_is_redacted_in_debug() {
        let c = config();
        let req = c
            .prepare_access_token(Timestamp::parse("2024-07-05T10:11:40+07:00").unwrap())
            .unwrap();
        let signature = req.header("X-SIGNATURE").unwrap().to_owned();
        let debug = format!("{req:?}");
        assert!(!debug.contains(&signature), "{debug}");
        assert!(debug.contains("X-CLIENT-KEY"));
    }
}
