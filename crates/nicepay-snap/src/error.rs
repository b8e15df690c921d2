//! The one error type of the core crate, and the rule for echoing refused input in messages.
//!
//! An error message never repeats a whole caller- or attacker-supplied value: [`echo`] shows at
//! most [`ECHO_MAX_CHARS`] characters of it (quoted and escaped) followed by its length, and
//! every reason is cut to [`MAX_REASON_CHARS`] characters (a safety net for text that embeds a
//! third party's message, such as a JSON parser's). A 10 MB `X-TIMESTAMP` gives a message of
//! about a hundred bytes.

use std::fmt;

use crate::response::ResponseCode;

/// `Display`, and the same `Debug`, for a wrapper of a `&str` shown cut to `$max` characters
/// (see [`write_cut`]).
macro_rules! cut_text {
    ($wrapper:ident, $max:expr, quoted: $quoted:expr) => {
        impl fmt::Display for $wrapper<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write_cut(f, self.0, $max, $quoted)
            }
        }

        impl fmt::Debug for $wrapper<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(self, f)
            }
        }
    };
}

/// At most this many characters of a refused value appear in an error message ([`echo`]).
pub const ECHO_MAX_CHARS: usize = 64;

/// An error's reason (and each string of its `Display`) is cut to at most this many characters.
pub const MAX_REASON_CHARS: usize = 512;

/// A refused value as it may appear in an error message: quoted and escaped like `{:?}`, and, when
/// longer than [`ECHO_MAX_CHARS`] characters, cut there and followed by `… (N bytes)`.
///
/// ```
/// use nicepay_snap::error::echo;
/// assert_eq!(echo("POST ").to_string(), r#""POST ""#);
/// let long = "9".repeat(10_000_000);
/// let shown = echo(&long).to_string();
/// assert!(shown.len() < 100);
/// assert!(shown.ends_with("… (10000000 bytes)"));
/// ```
pub fn echo(value: &str) -> Echo<'_> {
    Echo(value)
}

/// The [`Display`](fmt::Display) of [`echo`].
#[derive(Clone, Copy)]
pub struct Echo<'a>(&'a str);

cut_text!(Echo, ECHO_MAX_CHARS, quoted: true);

/// `text` cut to at most [`MAX_REASON_CHARS`] characters, followed by `… (N bytes)` when cut.
/// For messages that embed text the SDK does not control (a parser's error, a server's
/// `responseMessage`); quote single values with [`echo`] instead.
pub fn bounded(text: &str) -> Bounded<'_> {
    Bounded(text)
}

/// The [`Display`](fmt::Display) of [`bounded`].
#[derive(Clone, Copy)]
pub struct Bounded<'a>(&'a str);

cut_text!(Bounded, MAX_REASON_CHARS, quoted: false);

/// Writes `text` (quoted and escaped like `{:?}` when `quoted`) cut to `max` characters and,
/// when cut, followed by `… (N bytes)`.
fn write_cut(f: &mut fmt::Formatter<'_>, text: &str, max: usize, quoted: bool) -> fmt::Result {
    let shown = text.char_indices().nth(max).map_or(text, |(cut, _)| &text[..cut]);
    if quoted {
        write!(f, "{shown:?}")?;
    } else {
        f.write_str(shown)?;
    }
    if shown.len() < text.len() {
        write!(f, "… ({} bytes)", text.len())?;
    }
    Ok(())
}

/// Cuts an owned reason to [`MAX_REASON_CHARS`] characters (see [`bounded`]).
pub fn bound_reason(reason: String) -> String {
    match reason.char_indices().nth(MAX_REASON_CHARS) {
        None => reason,
        Some(_) => bounded(&reason).to_string(),
    }
}

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
///   kept, except for token responses (they may hold a token: the body is dropped).
///
/// No variant carries a client secret, private key or access token. `Debug` of [`Error::Decode`]
/// prints only the kept body's length; read the field itself when you need the bytes.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A caller-supplied value is missing or malformed.
    #[error("invalid input for `{}`: {}", bounded(field), bounded(reason))]
    InvalidInput {
        /// Name of the offending field (a config field, header or JSON field name).
        field: String,
        /// Human-readable reason.
        reason: String,
    },
    /// Key material could not be parsed or used.
    #[error("invalid key `{}`: {}", bounded(field), bounded(reason))]
    InvalidKey {
        /// Which key (`private_key`, `public_key`, ...).
        field: String,
        /// Why it was rejected (never contains key material).
        reason: String,
    },
    /// A signature did not verify.
    #[error("signature mismatch: {}", bounded(context))]
    SignatureMismatch {
        /// What was being verified.
        context: String,
    },
    /// NICEPAY answered with a `responseCode` that is not a final success.
    #[error(
        "NICEPAY API error {response_code} (HTTP {http_status}): {}",
        bounded(response_message)
    )]
    Api {
        /// HTTP status the transport saw.
        http_status: u16,
        /// The parsed 7-character `responseCode`.
        response_code: ResponseCode,
        /// The `responseMessage` that came with it.
        response_message: String,
    },
    /// A body could not be decoded as the expected JSON document.
    #[error("could not decode response (HTTP {http_status}): {}", bounded(reason))]
    Decode {
        /// HTTP status the transport saw (0 when not applicable, e.g. a notification body).
        http_status: u16,
        /// Why decoding failed.
        reason: String,
        /// The raw bytes, kept for diagnostics.
        body: Vec<u8>,
    },
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidInput { field, reason } => f
                .debug_struct("InvalidInput")
                .field("field", &echo(field))
                .field("reason", &echo_long(reason))
                .finish(),
            Self::InvalidKey { field, reason } => f
                .debug_struct("InvalidKey")
                .field("field", &echo(field))
                .field("reason", &echo_long(reason))
                .finish(),
            Self::SignatureMismatch { context } => f
                .debug_struct("SignatureMismatch")
                .field("context", &echo_long(context))
                .finish(),
            Self::Api {
                http_status,
                response_code,
                response_message,
            } => f
                .debug_struct("Api")
                .field("http_status", http_status)
                .field("response_code", response_code)
                .field("response_message", &echo_long(response_message))
                .finish(),
            Self::Decode {
                http_status,
                reason,
                body,
            } => f
                .debug_struct("Decode")
                .field("http_status", http_status)
                .field("reason", &echo_long(reason))
                .field("body", &format_args!("<{} bytes>", body.len()))
                .finish(),
        }
    }
}

/// A quoted string for `Debug`, cut at [`MAX_REASON_CHARS`].
fn echo_long(text: &str) -> impl fmt::Debug + '_ {
    struct Quoted<'a>(&'a str);
    cut_text!(Quoted, MAX_REASON_CHARS, quoted: true);
    Quoted(text)
}

impl Error {
    /// [`Error::InvalidInput`]; `reason` is cut to [`MAX_REASON_CHARS`] characters.
    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: bound_reason(field.into()),
            reason: bound_reason(reason.into()),
        }
    }

    /// [`Error::InvalidKey`]; `reason` is cut to [`MAX_REASON_CHARS`] characters.
    pub(crate) fn key(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidKey {
            field: bound_reason(field.into()),
            reason: bound_reason(reason.into()),
        }
    }

    /// [`Error::Decode`]; `reason` is cut to [`MAX_REASON_CHARS`] characters.
    pub(crate) fn decode(http_status: u16, reason: impl Into<String>, body: Vec<u8>) -> Self {
        Self::Decode {
            http_status,
            reason: bound_reason(reason.into()),
            body,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::notification::NotificationVerifier;
    use crate::{Amount, Method, PrivateKey, Timestamp};

    const TEN_MB: usize = 10 * 1024 * 1024;

    /// A message refusing a 10 MB value stays short and names the value's length.
    fn assert_short(err: &Error, len: usize) {
        assert_shorter_than(err, len, 300);
    }

    fn assert_shorter_than(err: &Error, len: usize, max: usize) {
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(text.len() < max, "{} bytes: {}", text.len(), &text[..max]);
            assert!(text.contains(&format!("… ({len} bytes)")), "{text}");
        }
    }

    #[test]
    fn echo_keeps_short_values_and_cuts_long_ones() {
        assert_eq!(echo("2024-07-05").to_string(), "\"2024-07-05\"");
        assert_eq!(echo("a\nb").to_string(), "\"a\\nb\"");
        let exact = "x".repeat(ECHO_MAX_CHARS);
        assert_eq!(echo(&exact).to_string(), format!("{exact:?}"));
        let over = "é".repeat(ECHO_MAX_CHARS + 1);
        let shown = echo(&over).to_string();
        assert_eq!(
            shown,
            format!("{:?}… ({} bytes)", "é".repeat(ECHO_MAX_CHARS), over.len())
        );
        let long = "y".repeat(MAX_REASON_CHARS * 2);
        assert_eq!(
            bounded(&long).to_string(),
            format!("{}… ({} bytes)", &long[..MAX_REASON_CHARS], long.len())
        );
        assert_eq!(bound_reason(long.clone()), bounded(&long).to_string());
        assert_eq!(bound_reason("short".into()), "short");
    }

    #[test]
    fn ten_megabyte_timestamp_gives_a_short_message() {
        let ts = format!("2024-07-05T10:11:40+07:00{}", "0".repeat(TEN_MB));
        assert_short(&Timestamp::parse(&ts).unwrap_err(), ts.len());
    }

    #[test]
    fn ten_megabyte_method_gives_a_short_message() {
        let method = "P".repeat(TEN_MB);
        assert_short(&Method::parse(&method).unwrap_err(), TEN_MB);
    }

    #[test]
    fn ten_megabyte_client_key_gives_a_short_message() {
        let key = PrivateKey::parse(include_str!("../../../tests/keys/merchant-test-private-pkcs8.pem")).unwrap();
        let verifier = NotificationVerifier::new(key.public_key().clone(), "IONPAYTEST");
        let now = Timestamp::parse("2024-07-05T10:11:40+07:00").unwrap();
        let client_key = "K".repeat(TEN_MB);
        let mut headers = vec![
            ("X-TIMESTAMP".to_owned(), now.to_string()),
            ("X-SIGNATURE".to_owned(), "QUJD".to_owned()),
            ("X-CLIENT-KEY".to_owned(), client_key),
        ];
        assert_short(&verifier.verify_headers(&headers, now).unwrap_err(), TEN_MB);
        headers[2].1 = "IONPAYTEST".into();
        headers[0].1 = "9".repeat(TEN_MB);
        assert_short(&verifier.verify_headers(&headers, now).unwrap_err(), TEN_MB);
    }

    #[test]
    fn ten_megabyte_amount_value_and_currency_give_short_messages() {
        let value = "1".repeat(TEN_MB);
        assert_short(&Amount::idr(value.clone()).unwrap_err(), TEN_MB);
        assert_short(&Amount::new("1.00", value).unwrap_err(), TEN_MB);
    }

    #[test]
    fn ten_megabyte_pem_label_gives_a_short_message() {
        let text = format!("-----BEGIN {}-----\nQUJD\n", "L".repeat(TEN_MB));
        // Refused by the key-text cap before the label is looked at.
        let err = PrivateKey::parse(&text).unwrap_err();
        assert!(err.to_string().len() < 300);
    }

    #[test]
    fn long_reasons_are_cut_at_construction_and_in_display() {
        let err = Error::invalid("body", "z".repeat(TEN_MB));
        let Error::InvalidInput { reason, .. } = &err else {
            unreachable!()
        };
        assert!(reason.len() < MAX_REASON_CHARS + 40);
        assert!(err.to_string().len() < MAX_REASON_CHARS + 80);
        // A variant built directly (other crates do) is still cut when displayed.
        let direct = Error::InvalidInput {
            field: "request".into(),
            reason: "z".repeat(TEN_MB),
        };
        assert_shorter_than(&direct, TEN_MB, MAX_REASON_CHARS + 200);
        let api = Error::Api {
            http_status: 400,
            response_code: crate::ResponseCode::parse("4004701").unwrap(),
            response_message: "m".repeat(TEN_MB),
        };
        assert_shorter_than(&api, TEN_MB, MAX_REASON_CHARS + 200);
    }
}
