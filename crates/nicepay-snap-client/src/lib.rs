//! Clients for NICEPAY SNAP on top of the sans-IO `nicepay-snap` core: [`Client`] (blocking,
//! over a [`nicepay_snap::SyncTransport`] such as `nicepay-snap-ureq`) and [`AsyncClient`]
//! (over a [`nicepay_snap::AsyncTransport`] such as `nicepay-snap-reqwest`).
//!
//! Both:
//! - cache the B2B access token and refresh it [`ClientOptions::token_refresh_margin`] before it
//!   expires, with one refresh at a time (concurrent callers wait and share it);
//! - retry a call once with a fresh token when NICEPAY answers `401xx01` (Access Token Invalid);
//! - give every request a fresh `X-EXTERNAL-ID` and a Jakarta-time `X-TIMESTAMP`;
//! - resend byte-identical requests only when they certainly never reached the server;
//! - never replay a money-moving call: a timeout, dropped connection, 5xx, `504` or `202` on a
//!   refund is reported as [`ClientError::OutcomeUnknown`] with the identifiers to query;
//! - report every HTTP exchange (operation, `X-EXTERNAL-ID`, attempt, latency, status,
//!   `responseCode` or transport failure; never a secret) to [`ClientOptions::on_exchange`], for
//!   logs and metrics.
//!
//! Cancelling an [`AsyncClient`] call (dropping its future, e.g. under `tokio::time::timeout`)
//! cannot hand the caller an [`ClientError::OutcomeUnknown`]. The send of a money-moving call
//! runs in a task of its own, so it still completes and its outcome still reaches
//! [`ClientOptions::on_exchange`]; the caller should treat a cancelled refund or payout approve
//! as unknown and query it. Prefer bounding calls with the transport's timeout.
//!
//! ```
//! use nicepay_snap::{PreparedRequest, RawResponse, TransportError};
//! use nicepay_snap_client::Client;
//! # let pem = include_str!("../../../tests/keys/merchant-test-private-pkcs8.pem");
//! let config = nicepay_snap::Config::builder()
//!     .client_id("IONPAYTEST")
//!     .client_secret("secret")
//!     .private_key_text(pem)
//!     .build()
//!     .unwrap();
//! // Any closure is a transport: handy for tests.
//! let transport = |_req: &PreparedRequest| -> Result<RawResponse, TransportError> {
//!     Ok(RawResponse::new(200, vec![], br#"{"responseCode":"2007300","responseMessage":"Successful","accessToken":"T","tokenType":"Bearer","expiresIn":"900"}"#.to_vec()))
//! };
//! let client = Client::new(config, transport);
//! assert_eq!(client.access_token().unwrap().expose_secret(), "T");
//! ```
//!
//! # Method families
//!
//! Each example below runs as a doctest against the simulator (`nicepay-snap-simulator`) on
//! `127.0.0.1`; the lines that start it are hidden. The user guide (`docs/` in the repository)
//! shows the same code.
#![doc = include_str!("../guide/access-token.md")]
#![doc = include_str!("../guide/qris.md")]
#![doc = include_str!("../guide/va.md")]
#![doc = include_str!("../guide/ewallet.md")]
#![doc = include_str!("../guide/payout.md")]
#![doc = include_str!("../guide/binding.md")]
#![doc = include_str!("../guide/notifications.md")]
#![doc = include_str!("../guide/outcomes.md")]

/// The money-safety line of a named method's docs, from the registry's `money` flag.
macro_rules! money_note {
    (true) => {
        "Moves money: a timeout, dropped connection, 5xx, `504` or `202` is [`ClientError::OutcomeUnknown`](crate::ClientError::OutcomeUnknown); resolve it with a status query, never by resending."
    };
    (false) => {
        "Does not move money."
    };
}
pub(crate) use money_note;

/// Shared by the Python and Node bindings: error classes and attributes, observer payloads, naming.
pub mod binding_support;
mod blocking;
mod call;
mod clock;
mod confirm;
mod error;
mod handler;
mod keygen;
mod methods;
pub mod native;
mod nonblocking;
mod observe;
mod policy;
mod resolve;
mod sources;
mod store;
mod token;

pub use blocking::Client;
pub use call::RAW_OPERATION;

/// Operation name of customer (B2B2C) token requests in exchange reports.
pub const CUSTOMER_TOKEN_OPERATION: &str = "binding.customer-token";
pub use clock::{Clock, ExternalIdGenerator, SystemClock};
pub use confirm::{Confirmable, Confirmed};
pub use error::ClientError;
pub use handler::{
    ack_headers, claims_paid, conclude, detect_product, triage, HandledNotification, NotificationHandler, Refusal,
    DEFAULT_MAX_NOTIFICATION_BYTES, NOTIFICATION_PATHS,
};
pub use keygen::generate_private_key;
pub use nonblocking::AsyncClient;
pub use observe::{Exchange, ExchangeObserver, ACCESS_TOKEN_OPERATION};
pub use policy::{positive_seconds, ClientOptions, MAX_TIMEOUT_SECONDS};
pub use sources::{SourceAllowList, MAX_SOURCE_NETWORKS, NICEPAY_NOTIFICATION_SOURCES};
pub use store::{JournalEntry, JournalState, Store, StoreSettings};

use nicepay_snap::error::{bound_reason, echo};

fn notification_verifier(config: &nicepay_snap::Config) -> Result<nicepay_snap::NotificationVerifier, ClientError> {
    let key = config
        .notification_public_key()
        .ok_or_else(|| nicepay_snap::Error::InvalidKey {
            field: "notification_public_key".into(),
            reason: "not configured; NICEPAY sends it to merchants separately".into(),
        })?;
    Ok(nicepay_snap::NotificationVerifier::new(key.clone(), config.client_id()))
}

fn decode_request<O: nicepay_snap::Operation>(request: serde_json::Value) -> Result<O::Request, ClientError> {
    serde_json::from_value(request).map_err(|e| invalid_request(O::NAME, e))
}

/// A request (of operation `name`) that does not match its shape.
fn invalid_request(name: &str, e: impl std::fmt::Display) -> ClientError {
    ClientError::Snap(nicepay_snap::Error::InvalidInput {
        field: "request".into(),
        reason: bound_reason(format!("does not match the {name} request shape: {e}")),
    })
}

fn encode_response<T: serde::Serialize>(response: &T) -> Result<serde_json::Value, ClientError> {
    serde_json::to_value(response).map_err(|e| {
        ClientError::Snap(nicepay_snap::Error::Decode {
            http_status: 200,
            reason: bound_reason(format!("cannot re-encode the response: {e}")),
            body: Vec::new(),
        })
    })
}

fn unknown_operation(name: &str) -> ClientError {
    ClientError::Snap(nicepay_snap::Error::InvalidInput {
        field: "operation".into(),
        reason: format!(
            "unknown operation {}; expected one of {:?}",
            echo(name),
            nicepay_snap::api::OPERATION_NAMES
        ),
    })
}
