//! # nicepay-snap
//!
//! The sans-IO core of the NICEPAY SNAP SDK (Bank Indonesia's *Standar Nasional Open API
//! Pembayaran*). It builds canonical strings-to-sign, signatures and typed payloads, and parses
//! responses. It does no networking and reads no clock: timestamps and ids come in as
//! arguments, so every output is reproducible. Transports (`nicepay-snap-ureq`,
//! `nicepay-snap-reqwest`) and the token-caching client sit on top.
//!
//! ```
//! use nicepay_snap::api::qris::{QrisRefund, QrisRefundAdditionalInfo, QrisRefundRequest};
//! use nicepay_snap::{AccessToken, Amount, Config, ExternalId, RequestContext, Timestamp};
//!
//! # fn main() -> Result<(), nicepay_snap::Error> {
//! # let pem = include_str!("../../../tests/keys/merchant-test-private-pkcs8.pem");
//! let config = Config::builder()
//!     .client_id("TNICEQR081")
//!     .client_secret("test-client-secret")
//!     .private_key_text(pem)
//!     .base_url("http://127.0.0.1:8080") // or .environment(Environment::Sandbox)
//!     .build()?;
//!
//! let refund = QrisRefundRequest {
//!     original_reference_no: "TNICEQR08108202309122320370700".into(),
//!     original_partner_reference_no: "ncpy20221017161458".into(),
//!     partner_refund_no: "refund20240705101140".into(),
//!     merchant_id: "TNICEQR081".into(),
//!     external_store_id: "NicepayStoreID1".into(),
//!     refund_amount: Amount::idr("10000.00")?,
//!     reason: "Refund Trans".into(),
//!     additional_info: QrisRefundAdditionalInfo::default(),
//! };
//! let token = AccessToken::new("TESTACCESSTOKEN123");
//! let ctx = RequestContext {
//!     access_token: &token,
//!     timestamp: Timestamp::parse("2024-07-05T10:11:40+07:00")?,
//!     external_id: ExternalId::new("41807553358950093184")?,
//! };
//! let request = config.prepare::<QrisRefund>(&refund, &ctx)?;
//!
//! assert_eq!(request.url, "http://127.0.0.1:8080/nicepay/api/v1.0/qr/qr-mpm-refund");
//! assert_eq!(request.header("X-TIMESTAMP"), Some("2024-07-05T10:11:40+07:00"));
//! assert_eq!(
//!     request.header("X-SIGNATURE"),
//!     Some("fkXE8cTi7Wg131Kr+pqhzIeAI7c2I6CdoTkM94mPxcOh1J8OEl4uTwEH1F7U75i0jAHMov74tn9tKmq9s2MWIg==")
//! );
//! // Debug output never shows the access token.
//! assert!(!format!("{request:?}").contains("TESTACCESSTOKEN123"));
//! # Ok(())
//! # }
//! ```

#[macro_use]
pub mod api;
pub mod canonical;
pub mod config;
pub mod diagnose;
pub mod error;
pub mod http;
mod json;
pub mod keys;
pub mod minify;
pub mod response;
pub mod scrub;
pub mod secret;
pub mod server;
pub mod status;
pub mod symmetric;
pub mod timestamp;
pub mod types;

pub use api::notification::{Acknowledgement, NotificationVerifier};
pub use api::{Operation, RequestContext, Validate};
pub use config::{
    validate_client_id, validate_header_value, Config, ConfigBuilder, Environment, HostFamily, ENV_VARIABLES,
    MAX_CLIENT_ID_LEN,
};
pub use error::{Error, Result};
pub use http::{
    AsyncTransport, HeaderIter, HeaderName, Headers, Method, PreparedRequest, RawResponse, SyncTransport,
    TransportError, TransportErrorKind,
};
pub use keys::{PrivateKey, PublicKey};
pub use minify::minify_json;
pub use response::{Outcome, ResponseCode};
pub use secret::{AccessToken, ClientSecret};
pub use status::TransactionStatus;
pub use symmetric::{SignerCache, SymmetricSigner};
pub use timestamp::Timestamp;
pub use types::{Amount, ExternalId};

/// `FromStr` for the types read from text by their `parse` constructor.
macro_rules! from_str_by_parse {
    ($($ty:ty),*) => {$(
        impl std::str::FromStr for $ty {
            type Err = Error;

            fn from_str(s: &str) -> Result<Self> {
                Self::parse(s)
            }
        }
    )*};
}

from_str_by_parse!(ResponseCode, Timestamp);

/// `schemars::JsonSchema` for the core's string newtypes that payloads carry: each is a JSON
/// string on the wire (its own serde impls decide the exact form).
#[cfg(feature = "schema")]
mod schema {
    macro_rules! string_schema {
        ($($ty:ty),*) => {$(
            impl schemars::JsonSchema for $ty {
                fn inline_schema() -> bool {
                    true
                }

                fn schema_name() -> std::borrow::Cow<'static, str> {
                    stringify!($ty).into()
                }

                fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                    schemars::json_schema!({ "type": "string" })
                }
            }
        )*};
    }

    string_schema!(crate::ResponseCode, crate::TransactionStatus, crate::AccessToken);
}
