//! Scrubbing secrets out of what a server sends back.
//!
//! A server (or a proxy in front of it) may echo what it received: the access token, the
//! request's signature, even the client secret in a debugging message. Text from a response
//! reaches errors, their `Display`/`Debug`, exception messages and logs, so every known secret
//! is replaced by `[redacted]` before a response-derived error leaves the SDK.

use std::borrow::Cow;

use crate::config::Config;
use crate::error::Error;
use crate::http::PreparedRequest;

const REDACTED: &str = "[redacted]";

/// Secrets shorter than this are not scrubbed: replacing every occurrence of a two-letter
/// value would mangle ordinary words, and real tokens, signatures and secrets are far longer.
pub const MIN_SCRUBBED_LEN: usize = 6;

fn scrubbable<'a>(secrets: &'a [&'a str]) -> impl Iterator<Item = &'a str> + 'a {
    secrets.iter().copied().filter(|s| s.len() >= MIN_SCRUBBED_LEN)
}

/// `text` with every occurrence of each secret (of at least [`MIN_SCRUBBED_LEN`] bytes)
/// replaced by `[redacted]`.
pub fn scrub_text<'t>(text: &'t str, secrets: &[&str]) -> Cow<'t, str> {
    let mut out = Cow::Borrowed(text);
    for secret in scrubbable(secrets) {
        if out.contains(secret) {
            out = Cow::Owned(out.replace(secret, REDACTED));
        }
    }
    out
}

/// `bytes` with every occurrence of each secret replaced by `[redacted]`.
pub fn scrub_bytes(bytes: Vec<u8>, secrets: &[&str]) -> Vec<u8> {
    let mut out = bytes;
    for secret in scrubbable(secrets) {
        let needle = secret.as_bytes();
        if !out.windows(needle.len()).any(|w| w == needle) {
            continue;
        }
        let mut next = Vec::with_capacity(out.len());
        let mut i = 0;
        while i < out.len() {
            if out[i..].starts_with(needle) {
                next.extend_from_slice(REDACTED.as_bytes());
                i += needle.len();
            } else {
                next.push(out[i]);
                i += 1;
            }
        }
        out = next;
    }
    out
}

impl Error {
    /// The same error with `secrets` scrubbed from everything a server could have put in it
    /// (the response message, the kept body, a decode reason quoting the body).
    #[must_use]
    pub fn scrub(self, secrets: &[&str]) -> Self {
        match self {
            Self::Api {
                http_status,
                response_code,
                response_message,
            } => Self::Api {
                http_status,
                response_code,
                response_message: scrub_text(&response_message, secrets).into_owned(),
            },
            Self::Decode {
                http_status,
                reason,
                body,
            } => Self::Decode {
                http_status,
                reason: scrub_text(&reason, secrets).into_owned(),
                body: scrub_bytes(body, secrets),
            },
            other => other,
        }
    }
}

impl Config {
    /// The secrets that went out with `request` (its access token and `X-SIGNATURE`) and the
    /// client secret, for [`Error::scrub`].
    pub fn secrets_of<'a>(&'a self, request: &'a PreparedRequest) -> [&'a str; 3] {
        let token = request
            .header("Authorization")
            .map_or("", |v| v.strip_prefix("Bearer ").unwrap_or(v));
        [
            token,
            request.header("X-SIGNATURE").unwrap_or(""),
            self.client_secret().expose_secret(),
        ]
    }

    /// `err`, from the response to `request`, with every secret of the exchange scrubbed.
    #[must_use]
    pub fn scrub_response_error(&self, err: Error, request: &PreparedRequest) -> Error {
        err.scrub(&self.secrets_of(request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::ResponseCode;

    #[test]
    fn secrets_are_replaced_in_text_and_bytes() {
        let secrets = ["TOKEN-123456", "sig/abc+def==", "s3cr3t-value", "ab"];
        let text = "bad token TOKEN-123456 and sig/abc+def== (secret s3cr3t-value) ab";
        assert_eq!(
            scrub_text(text, &secrets),
            "bad token [redacted] and [redacted] (secret [redacted]) ab"
        );
        assert!(matches!(scrub_text("nothing here", &secrets), Cow::Borrowed(_)));
        let bytes = scrub_bytes(b"\xff{TOKEN-123456TOKEN-123456}".to_vec(), &secrets);
        assert_eq!(bytes, b"\xff{[redacted][redacted]}".to_vec());
    }

    #[test]
    fn api_and_decode_errors_are_scrubbed() {
        let api = Error::Api {
            http_status: 401,
            response_code: ResponseCode::parse("4017301").unwrap(),
            response_message: "Invalid token TOKEN-123456".into(),
        }
        .scrub(&["TOKEN-123456"]);
        assert!(!format!("{api} {api:?}").contains("TOKEN-123456"));
        let decode = Error::Decode {
            http_status: 500,
            reason: "expected value near TOKEN-123456".into(),
            body: b"<html>TOKEN-123456</html>".to_vec(),
        }
        .scrub(&["TOKEN-123456"]);
        let Error::Decode { reason, body, .. } = &decode else {
            unreachable!()
        };
        assert!(!reason.contains("TOKEN-123456"));
        assert_eq!(body, b"<html>[redacted]</html>");
    }
}
