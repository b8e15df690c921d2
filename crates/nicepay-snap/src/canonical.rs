//! Canonical strings-to-sign and the body hash, public for debugging and test vectors.

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::http::Method;

/// The prefix every NICEPAY SNAP URL path carries but no signature covers.
pub const NICEPAY_PREFIX: &str = "/nicepay";

/// `clientId|X-TIMESTAMP`: what the merchant signs with SHA256withRSA to get an access token,
/// and what NICEPAY signs on notifications.
pub fn token_string_to_sign(client_id: &str, timestamp: &str) -> String {
    format!("{client_id}|{timestamp}")
}

/// The notification string-to-sign. NICEPAY uses the same `clientId|X-TIMESTAMP` form as the
/// token request (not the generic SNAP `METHOD:path:hash:timestamp` form); the body is **not**
/// covered.
pub fn notification_string_to_sign(client_id: &str, timestamp: &str) -> String {
    token_string_to_sign(client_id, timestamp)
}

/// Lowercase hex SHA-256 of the exact body bytes.
pub fn body_sha256_hex(body: &[u8]) -> String {
    let hex = body_sha256_hex_bytes(body);
    hex.as_flattened().iter().map(|b| char::from(*b)).collect()
}

/// The two lowercase hex digits of every byte value.
const HEX_PAIRS: [[u8; 2]; 256] = {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut pairs = [[0u8; 2]; 256];
    let mut b = 0;
    while b < 256 {
        pairs[b] = [HEX[b >> 4], HEX[b & 0x0f]];
        b += 1;
    }
    pairs
};

/// Lowercase hex SHA-256 of `body` into a stack buffer (the hot signing path allocates nothing
/// for it).
pub(crate) fn body_sha256_hex_bytes(body: &[u8]) -> [[u8; 2]; 32] {
    let digest = Sha256::digest(body);
    let mut out = [[0u8; 2]; 32];
    for (pair, b) in out.iter_mut().zip(digest.iter()) {
        *pair = HEX_PAIRS[usize::from(*b)];
    }
    out
}

/// Normalises a path into the form that is signed: starts with `/`, no `/nicepay` prefix,
/// no scheme/host, no query string, no trailing slash.
///
/// ```
/// use nicepay_snap::canonical::signed_path;
/// assert_eq!(signed_path("/nicepay/api/v1.0/qr/qr-mpm-refund").unwrap(), "/api/v1.0/qr/qr-mpm-refund");
/// assert_eq!(signed_path("/api/v1.0/qr/qr-mpm-refund").unwrap(), "/api/v1.0/qr/qr-mpm-refund");
/// assert!(signed_path("https://dev.nicepay.co.id/nicepay/api/v1.0/qr/qr-mpm-refund").is_err());
/// ```
pub fn signed_path(path: &str) -> Result<&str> {
    if !path.starts_with('/') {
        return Err(Error::invalid("path", "must start with '/' (no scheme or host)"));
    }
    // One pass over the bytes; a query or fragment is named first, as it is the likelier mistake.
    if path.bytes().any(|b| !b.is_ascii_graphic() || b == b'?' || b == b'#') {
        if path.contains(['?', '#']) {
            return Err(Error::invalid("path", "must not contain a query string or fragment"));
        }
        return Err(Error::invalid("path", "must be printable ASCII without spaces"));
    }
    let path = match path.strip_prefix(NICEPAY_PREFIX) {
        Some(rest) if rest.starts_with('/') => rest,
        Some("") => return Err(Error::invalid("path", "is only the /nicepay prefix")),
        _ => path,
    };
    if path.len() > 1 && path.ends_with('/') {
        return Err(Error::invalid("path", "must not end with '/'"));
    }
    Ok(path)
}

/// `METHOD:path:accessToken:sha256hex(body):X-TIMESTAMP` (path without `/nicepay`).
///
/// `body` must be the exact bytes that are sent. The result contains the access token, so
/// treat it as a secret.
pub fn transaction_string_to_sign(
    method: Method,
    path: &str,
    access_token: &str,
    body: &[u8],
    timestamp: &str,
) -> Result<String> {
    let mut out = String::new();
    Transaction::new(method, path, access_token, body, timestamp)?.push_to(&mut out);
    Ok(out)
}

/// The parts of a transaction's string-to-sign, the path already in signed form: the one
/// place that knows the layout, shared by [`transaction_string_to_sign`] and the signer.
#[derive(Clone, Copy)]
pub(crate) struct Transaction<'a> {
    pub(crate) method: Method,
    /// The signed path ([`signed_path`]'s output, or an operation's constant path).
    pub(crate) path: &'a str,
    pub(crate) access_token: &'a str,
    pub(crate) body: &'a [u8],
    pub(crate) timestamp: &'a str,
}

impl<'a> Transaction<'a> {
    /// The parts of a request to `path` (checked and normalised by [`signed_path`]).
    pub(crate) fn new(
        method: Method,
        path: &'a str,
        access_token: &'a str,
        body: &'a [u8],
        timestamp: &'a str,
    ) -> Result<Self> {
        Ok(Self {
            method,
            path: signed_path(path)?,
            access_token,
            body,
            timestamp,
        })
    }

    /// Appends the string-to-sign to `out`, the body as its lowercase hex hash.
    pub(crate) fn push_to(&self, out: &mut String) {
        let body_hash = body_sha256_hex_bytes(self.body);
        out.reserve(self.string_to_sign_len());
        out.push_str(self.method.as_str());
        out.push(':');
        out.push_str(self.path);
        out.push(':');
        out.push_str(self.access_token);
        out.push(':');
        // Lowercase hex digits are ASCII, so the conversion cannot fail.
        out.push_str(std::str::from_utf8(body_hash.as_flattened()).unwrap_or_default());
        out.push(':');
        out.push_str(self.timestamp);
    }

    /// The length of the string-to-sign in bytes.
    pub(crate) fn string_to_sign_len(&self) -> usize {
        self.method.as_str().len() + self.path.len() + self.access_token.len() + 64 + self.timestamp.len() + 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn spec_body_hash() {
        let body = br#"{"originalReferenceNo":"TNICEQR08108202309122320370700","originalPartnerReferenceNo":"ncpy20221017161458","partnerRefundNo":"refund20240705101140","merchantId":"TNICEQR081","externalStoreId":"NicepayStoreID1","refundAmount":{"value":"10000.00","currency":"IDR"},"reason":"Refund Trans","additionalInfo":{"cancelType":"1"}}"#;
        assert_eq!(
            body_sha256_hex(body),
            "3a67191727ceefa79f6447724ef7acf81eac9aec10f22a7392f09faff77da1d0"
        );
        assert_eq!(
            body_sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn path_rules() {
        assert!(signed_path("/nicepay").is_err());
        assert!(signed_path("/api/v1.0/x/").is_err());
        assert!(signed_path("/api/v1.0/x?y=1").is_err());
        assert!(signed_path("api/v1.0/x").is_err());
        assert_eq!(signed_path("/nicepayfoo").unwrap(), "/nicepayfoo");
    }

    proptest! {
        #[test]
        fn signed_path_never_keeps_the_prefix(rest in "(/[a-z0-9.-]{1,12}){1,4}") {
            let full = format!("/nicepay{rest}");
            let signed = signed_path(&full).unwrap();
            prop_assert_eq!(signed, rest.as_str());
            prop_assert!(!signed.starts_with("/nicepay/"));
            prop_assert_eq!(signed_path(&rest).unwrap(), rest.as_str());
        }

        #[test]
        fn body_hash_is_64_lower_hex(body in proptest::collection::vec(any::<u8>(), 0..256)) {
            let h = body_sha256_hex(&body);
            prop_assert_eq!(h.len(), 64);
            prop_assert!(h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        }
    }
}
