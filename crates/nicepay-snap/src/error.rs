//! The one error type of the core crate.

use crate::response::ResponseCode;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while preparing a request, signing, verifying or parsing.
///
/// The variants are categories a caller can act on:
/// - [`Error::InvalidInput`]: fix the named field and try again; nothing was sent.
/// - [`Error::InvalidKey`]: the configured key material is unusable.
/// - [`Error::SignatureMismatch`]: a signature did not verify (for example an inbound notification).
/// - [`Error::Api`]: NICEPAY answered with a non-success `responseCode`.
/// - [`Error::Decode`]: a response or notification body could not be decoded; the raw body is
///   kept, except for the access-token response (it may hold the token: the body is dropped).
///
/// No variant carries a client secret, private key or access token. `Debug` of [`Error::Decode`]
/// prints only the kept body's length; read the field itself when you need the bytes.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A caller-supplied value is missing or malformed.
    #[error("invalid input for `{field}`: {reason}")]
    InvalidInput {
        /// Name of the offending field (a config field, header or JSON field name).
        field: String,
        /// Human-readable reason.
        reason: String,
    },
    /// Key material could not be parsed or used.
    #[error("invalid key `{field}`: {reason}")]
    InvalidKey {
        /// Which key (`private_key`, `public_key`, ...).
        field: String,
        /// Why it was rejected (never contains key material).
        reason: String,
    },
    /// A signature did not verify.
    #[error("signature mismatch: {context}")]
    SignatureMismatch {
        /// What was being verified.
        context: String,
    },
    /// NICEPAY answered with a `responseCode` that is not a final success.
    #[error("NICEPAY API error {response_code} (HTTP {http_status}): {response_message}")]
    Api {
        /// HTTP status the transport saw.
        http_status: u16,
        /// The parsed 7-character `responseCode`.
        response_code: ResponseCode,
        /// The `responseMessage` that came with it.
        response_message: String,
    },
    /// A body could not be decoded as the expected JSON document.
    #[error("could not decode response (HTTP {http_status}): {reason}")]
    Decode {
        /// HTTP status the transport saw (0 when not applicable, e.g. a notification body).
        http_status: u16,
        /// Why decoding failed.
        reason: String,
        /// The raw bytes, kept for diagnostics.
        body: Vec<u8>,
    },
}

impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::InvalidInput { field, reason } => f
                .debug_struct("InvalidInput")
                .field("field", field)
                .field("reason", reason)
                .finish(),
            Self::InvalidKey { field, reason } => f
                .debug_struct("InvalidKey")
                .field("field", field)
                .field("reason", reason)
                .finish(),
            Self::SignatureMismatch { context } => {
                f.debug_struct("SignatureMismatch").field("context", context).finish()
            }
            Self::Api {
                http_status,
                response_code,
                response_message,
            } => f
                .debug_struct("Api")
                .field("http_status", http_status)
                .field("response_code", response_code)
                .field("response_message", response_message)
                .finish(),
            Self::Decode {
                http_status,
                reason,
                body,
            } => f
                .debug_struct("Decode")
                .field("http_status", http_status)
                .field("reason", reason)
                .field("body", &format_args!("<{} bytes>", body.len()))
                .finish(),
        }
    }
}

impl Error {
    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn key(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidKey {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The `responseCode` if this is an [`Error::Api`].
    pub fn response_code(&self) -> Option<&ResponseCode> {
        match self {
            Self::Api { response_code, .. } => Some(response_code),
            _ => None,
        }
    }
}
