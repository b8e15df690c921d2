//! HMAC-SHA512 transactional signatures (SNAP's "symmetric signature").

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha512;
use subtle::ConstantTimeEq;

use crate::canonical::Transaction;
use crate::error::{Error, Result};
use crate::http::Method;
use crate::secret::ClientSecret;

/// The length of a base64 HMAC-SHA512 (64 bytes, padded).
pub(crate) const SIGNATURE_LEN: usize = 88;

/// An HMAC-SHA512 key prepared once from the client secret; signing clones the prepared state
/// instead of re-deriving the key for every request.
#[derive(Clone)]
pub struct SymmetricSigner {
    mac: Hmac<Sha512>,
}

impl SymmetricSigner {
    /// Prepares the key (the secret's UTF-8 bytes, no base64 decoding).
    pub fn new(secret: &ClientSecret) -> Self {
        let mac = <Hmac<Sha512> as KeyInit>::new_from_slice(secret.expose_secret().as_bytes())
            .expect("HMAC accepts keys of any length");
        Self { mac }
    }

    /// base64(HMAC-SHA512(secret, message)).
    pub fn sign_base64(&self, message: &[u8]) -> String {
        let mut mac = self.mac.clone();
        mac.update(message);
        STANDARD.encode(mac.finalize().into_bytes())
    }

    /// Signs a transactional request: HMACs the string-to-sign of
    /// [`crate::canonical::transaction_string_to_sign`], fed to the MAC piece by piece so that
    /// no string is built on this hot path (the bytes, and so the signature, are the same).
    pub fn sign_transaction(
        &self,
        method: Method,
        path: &str,
        access_token: &str,
        body: &[u8],
        timestamp: &str,
    ) -> Result<String> {
        Ok(self.sign(&Transaction::new(method, path, access_token, body, timestamp)?))
    }

    /// base64(HMAC-SHA512) of a transaction's string-to-sign.
    pub(crate) fn sign(&self, message: &Transaction<'_>) -> String {
        let mut string_to_sign = String::new();
        message.push_to(&mut string_to_sign);
        let signature = self.mac_base64(string_to_sign.as_bytes());
        // The base64 alphabet is ASCII, so the conversion cannot fail.
        std::str::from_utf8(&signature).unwrap_or_default().to_owned()
    }

    /// base64(HMAC-SHA512(secret, message)) as ASCII bytes, encoded on the stack.
    pub(crate) fn mac_base64(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        let mut mac = self.mac.clone();
        mac.update(message);
        base64_mac(&mac.finalize().into_bytes().into())
    }

    /// Verifies a received `X-SIGNATURE` for a transactional request in constant time
    /// (what a SNAP server, or this project's simulator, does).
    pub fn verify_transaction(
        &self,
        method: Method,
        path: &str,
        access_token: &str,
        body: &[u8],
        timestamp: &str,
        signature_b64: &str,
    ) -> Result<()> {
        let expected = self.sign_transaction(method, path, access_token, body, timestamp)?;
        if bool::from(expected.as_bytes().ct_eq(signature_b64.trim().as_bytes())) {
            Ok(())
        } else {
            Err(Error::SignatureMismatch {
                context: "HMAC-SHA512 transaction signature".into(),
            })
        }
    }
}

/// The standard base64 of an HMAC-SHA512, padded: ten groups of six bytes (eight characters
/// each, from one 64-bit word), one of three bytes, one byte left over, and `==`. Written out
/// for this one size because it runs for every signed request; the `base64` crate encodes
/// everything else here.
fn base64_mac(mac: &[u8; 64]) -> [u8; SIGNATURE_LEN] {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sextet = |bits: u64| ALPHABET[(bits & 63) as usize];
    let mut out = [b'='; SIGNATURE_LEN];
    for (six, eight) in mac[..60].chunks_exact(6).zip(out.chunks_exact_mut(8)) {
        let mut word = [0u8; 8];
        word[..6].copy_from_slice(six);
        let bits = u64::from_be_bytes(word) >> 16;
        for (i, c) in eight.iter_mut().enumerate() {
            *c = sextet(bits >> (42 - 6 * i));
        }
    }
    let bits = u64::from(mac[60]) << 16 | u64::from(mac[61]) << 8 | u64::from(mac[62]);
    out[80..84].copy_from_slice(&[sextet(bits >> 18), sextet(bits >> 12), sextet(bits >> 6), sextet(bits)]);
    let last = u64::from(mac[63]);
    out[84] = sextet(last >> 2);
    out[85] = sextet(last << 4);
    out
}

impl fmt::Debug for SymmetricSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SymmetricSigner([redacted])")
    }
}

/// The prepared signer of the last client secret seen, for callers that receive the secret with
/// every call (the Python and Node `sign_transaction` functions). Preparing the HMAC-SHA512 key
/// costs two of the five SHA-512 blocks of a signature, and a merchant signs with one secret, so
/// keeping the last one saves that work on every call after the first. The cached secret is
/// compared in constant time; a different secret replaces it.
///
/// Holds no lock: keep one per thread (or behind your own mutex).
#[derive(Default)]
pub struct SignerCache {
    last: Option<(ClientSecret, SymmetricSigner)>,
}

impl SignerCache {
    /// An empty cache.
    pub const fn new() -> Self {
        Self { last: None }
    }

    /// The prepared signer for `secret`: the cached one when the secret is the last one seen,
    /// otherwise a new one, which replaces it.
    pub fn signer(&mut self, secret: &str) -> &SymmetricSigner {
        let hit = matches!(&self.last, Some((cached, _))
            if constant_time_eq(cached.expose_secret().as_bytes(), secret.as_bytes()));
        if !hit {
            self.last = None;
        }
        let (_, signer) = self.last.get_or_insert_with(|| {
            let secret = ClientSecret::new(secret);
            let signer = SymmetricSigner::new(&secret);
            (secret, signer)
        });
        signer
    }
}

impl fmt::Debug for SignerCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.last.is_some() {
            "SignerCache([redacted])"
        } else {
            "SignerCache(empty)"
        })
    }
}

/// Compares two secrets (tokens, signatures) in constant time.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const BODY: &[u8] = br#"{"originalReferenceNo":"TNICEQR08108202309122320370700","originalPartnerReferenceNo":"ncpy20221017161458","partnerRefundNo":"refund20240705101140","merchantId":"TNICEQR081","externalStoreId":"NicepayStoreID1","refundAmount":{"value":"10000.00","currency":"IDR"},"reason":"Refund Trans","additionalInfo":{"cancelType":"1"}}"#;

    #[test]
    fn signer_cache_reuses_the_last_secret_and_replaces_it_on_change() {
        let mut cache = SignerCache::new();
        assert_eq!(format!("{cache:?}"), "SignerCache(empty)");
        let path = "/api/v1.0/qr/qr-mpm-refund";
        let sign = |c: &mut SignerCache, secret: &str| {
            c.signer(secret)
                .sign_transaction(Method::Post, path, "tok", BODY, "2024-07-05T10:11:40+07:00")
                .unwrap()
        };
        let fresh = |secret: &str| {
            SymmetricSigner::new(&ClientSecret::new(secret))
                .sign_transaction(Method::Post, path, "tok", BODY, "2024-07-05T10:11:40+07:00")
                .unwrap()
        };
        let a = sign(&mut cache, "secret-a");
        assert_eq!(a, fresh("secret-a"));
        let first = std::ptr::from_ref(cache.signer("secret-a"));
        assert_eq!(
            first,
            std::ptr::from_ref(cache.signer("secret-a")),
            "same secret: same prepared signer"
        );
        assert_eq!(sign(&mut cache, "secret-b"), fresh("secret-b"));
        assert_ne!(sign(&mut cache, "secret-b"), a);
        // A prefix of the cached secret, and the empty secret, are different secrets.
        assert_eq!(sign(&mut cache, "secret-"), fresh("secret-"));
        assert_eq!(sign(&mut cache, ""), fresh(""));
        assert_eq!(sign(&mut cache, "secret-a"), a);
        let debug = format!("{cache:?}");
        assert_eq!(debug, "SignerCache([redacted])");
    }

    fn signer() -> SymmetricSigner {
        SymmetricSigner::new(&ClientSecret::new("test-client-secret"))
    }

    #[test]
    fn spec_vector() {
        let sig = signer()
            .sign_transaction(
                Method::Post,
                "/nicepay/api/v1.0/qr/qr-mpm-refund",
                "TESTACCESSTOKEN123",
                BODY,
                "2024-07-05T10:11:40+07:00",
            )
            .unwrap();
        assert_eq!(
            sig,
            "fkXE8cTi7Wg131Kr+pqhzIeAI7c2I6CdoTkM94mPxcOh1J8OEl4uTwEH1F7U75i0jAHMov74tn9tKmq9s2MWIg=="
        );
        signer()
            .verify_transaction(
                Method::Post,
                "/api/v1.0/qr/qr-mpm-refund",
                "TESTACCESSTOKEN123",
                BODY,
                "2024-07-05T10:11:40+07:00",
                &sig,
            )
            .unwrap();
        assert!(signer()
            .verify_transaction(
                Method::Delete,
                "/api/v1.0/qr/qr-mpm-refund",
                "TESTACCESSTOKEN123",
                BODY,
                "2024-07-05T10:11:40+07:00",
                &sig
            )
            .is_err());
    }

    #[test]
    fn debug_redacts() {
        assert_eq!(format!("{:?}", signer()), "SymmetricSigner([redacted])");
    }

    proptest! {
        #[test]
        fn the_mac_encoding_is_standard_base64(mac in proptest::array::uniform32(any::<u8>()).prop_flat_map(|a| (Just(a), proptest::array::uniform32(any::<u8>())))) {
            let mut bytes = [0u8; 64];
            bytes[..32].copy_from_slice(&mac.0);
            bytes[32..].copy_from_slice(&mac.1);
            let expected = STANDARD.encode(bytes);
            prop_assert_eq!(&base64_mac(&bytes)[..], expected.as_bytes());
        }

        #[test]
        fn any_single_component_change_changes_the_signature(
            which in 0usize..5,
            path in "(/[a-z0-9]{1,8}){1,3}",
            token in "[A-Za-z0-9]{1,20}",
            body in proptest::collection::vec(any::<u8>(), 0..64),
            ts in "[0-9T:+-]{1,25}",
            flip in any::<u8>().prop_filter("nonzero", |b| *b != 0),
        ) {
            let s = signer();
            let base = s.sign_transaction(Method::Post, &path, &token, &body, &ts).unwrap();
            let (mut m, mut p, mut t, mut b, mut x) = (Method::Post, path.clone(), token.clone(), body.clone(), ts.clone());
            match which {
                0 => m = Method::Delete,
                1 => p.push('x'),
                2 => t.push('x'),
                3 => if b.is_empty() { b.push(flip) } else { b[0] ^= flip },
                _ => x.push('0'),
            }
            let changed = s.sign_transaction(m, &p, &t, &b, &x).unwrap();
            prop_assert_ne!(base, changed);
        }

        #[test]
        fn streamed_signature_equals_hmac_of_the_string_to_sign(
            path in "(/[a-z0-9.-]{1,8}){1,3}",
            token in "[ -~]{0,24}",
            body in proptest::collection::vec(any::<u8>(), 0..200),
            ts in "[ -~]{0,30}",
            delete in any::<bool>(),
        ) {
            let method = if delete { Method::Delete } else { Method::Post };
            let s = signer();
            let sts = crate::canonical::transaction_string_to_sign(method, &path, &token, &body, &ts).unwrap();
            prop_assert_eq!(s.sign_transaction(method, &path, &token, &body, &ts).unwrap(), s.sign_base64(sts.as_bytes()));
        }

        #[test]
        fn other_secret_other_signature(secret in "[ -~]{1,40}") {
            prop_assume!(secret != "test-client-secret");
            let other = SymmetricSigner::new(&ClientSecret::new(secret));
            prop_assert_ne!(other.sign_base64(b"msg"), signer().sign_base64(b"msg"));
        }

        /// Whatever sequence of secrets a cache sees (repeats, prefixes, the empty secret), it
        /// hands out a signer equal to one prepared from scratch for the secret asked for.
        #[test]
        fn signer_cache_always_signs_like_a_fresh_signer(
            picks in proptest::collection::vec(0usize..4, 1..24),
            pool in proptest::collection::vec("[ -~]{0,6}", 4),
        ) {
            let mut cache = SignerCache::new();
            for i in picks {
                let secret = &pool[i];
                let fresh = SymmetricSigner::new(&ClientSecret::new(secret.as_str()));
                prop_assert_eq!(cache.signer(secret).sign_base64(b"msg"), fresh.sign_base64(b"msg"));
            }
        }
    }
}
