//! RSA key parsing (every encoding the official SDKs use) and SHA256withRSA.
//!
//! Keys are always parsed by the pure-Rust `rsa` crate, so the accepted encodings do not depend
//! on the backend. With the `aws-lc` cargo feature, signing and verification run on aws-lc-rs
//! (AWS-LC) for keys of 2048 to 8192 bits (the range it accepts); other keys stay on `rsa`.
//! RSASSA-PKCS1-v1_5 is deterministic, so both backends produce the same bytes (the golden
//! vectors run under both in CI).

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
#[cfg(feature = "aws-lc")]
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey, EncodeRsaPublicKey};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey};
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
#[cfg(feature = "aws-lc")]
use rsa::traits::PublicKeyParts;

use crate::error::{echo, Error, Result};

/// Longest key text accepted, in bytes (an 8192-bit RSA private key in PEM is under 7 KB).
/// Longer text is refused before any processing.
pub const MAX_KEY_TEXT_BYTES: usize = 64 * 1024;

/// Which armour (if any) the text carried.
#[derive(Debug, PartialEq, Eq)]
enum Armor {
    None,
    Label(String),
}

/// Normalises key text: literal `\n` sequences (as found in env vars), CR/LF, spaces,
/// PEM armour. Returns the DER bytes and the PEM label, if any. Exactly one key: a second PEM
/// block, or any text after the footer, is refused (it would otherwise be silently ignored).
fn decode_key_text(field: &str, text: &str) -> Result<(Vec<u8>, Armor)> {
    if text.len() > MAX_KEY_TEXT_BYTES {
        return Err(Error::key(
            field,
            format!(
                "key text is {} bytes, more than the {MAX_KEY_TEXT_BYTES} bytes a key can take",
                text.len()
            ),
        ));
    }
    let text = text.replace("\\n", "\n").replace("\\r", "");
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(Error::key(field, "empty key"));
    }
    let (armor, b64): (Armor, String) = if let Some(rest) = trimmed.strip_prefix("-----BEGIN ") {
        let (label, after) = rest
            .split_once("-----")
            .ok_or_else(|| Error::key(field, "malformed PEM header"))?;
        let end_marker = format!("-----END {label}-----");
        let (body, rest) = after
            .split_once(end_marker.as_str())
            .ok_or_else(|| Error::key(field, format!("missing PEM footer {}", echo(&end_marker))))?;
        if !rest.trim().is_empty() || body.contains("-----") {
            return Err(Error::key(
                field,
                "more than one PEM block (or text after the PEM footer): give exactly one key",
            ));
        }
        if body.contains("Proc-Type:") || label.contains("ENCRYPTED") {
            return Err(Error::key(
                field,
                "encrypted private keys are not supported; decrypt it first",
            ));
        }
        (
            Armor::Label(label.to_owned()),
            body.chars().filter(|c| !c.is_whitespace()).collect(),
        )
    } else {
        (Armor::None, trimmed.chars().filter(|c| !c.is_whitespace()).collect())
    };
    let der = STANDARD
        .decode(b64.as_bytes())
        // The decoder's message would quote a character of the key: keep it out of errors.
        .map_err(|_| Error::key(field, "key is not valid base64 (PEM armour and whitespace removed)"))?;
    Ok((der, armor))
}

/// Decodes key text (see [`decode_key_text`]) and parses the DER it holds with `from_der`.
fn parse_key_text<K>(field: &str, text: &str, from_der: fn(&[u8]) -> Result<K>) -> Result<K> {
    let (der, _armor) = decode_key_text(field, text)?;
    from_der(&der)
}

/// The merchant's RSA private key, parsed once and ready to sign.
///
/// Accepts bare base64 PKCS#8 DER, PEM `PRIVATE KEY` (PKCS#8), PEM `RSA PRIVATE KEY` (PKCS#1, or
/// PKCS#8 wrapped with that label as the PHP SDK does), with or without line breaks or literal
/// `\n` sequences. Its `Debug` output never shows key material.
#[derive(Clone)]
pub struct PrivateKey {
    signing_key: SigningKey<Sha256>,
    #[cfg(feature = "aws-lc")]
    aws: Option<aws_lc_rs::rsa::KeyPair>,
    public: PublicKey,
}

impl PrivateKey {
    /// Parses a private key from text (PEM or bare base64).
    pub fn parse(text: &str) -> Result<Self> {
        parse_key_text("private_key", text, Self::from_der)
    }

    /// Parses a private key from DER bytes (PKCS#8 or PKCS#1).
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let key = rsa::PrivateKey::from_pkcs8_der(der)
            .or_else(|_| rsa::PrivateKey::from_pkcs1_der(der))
            .map_err(|_| Error::key("private_key", "not an RSA private key in PKCS#8 or PKCS#1 DER form"))?;
        let public = PublicKey::from_rsa(key.to_public_key());
        #[cfg(feature = "aws-lc")]
        let aws = if aws_lc::size_supported(public.key.n().bit_width()) {
            // Re-encode what `rsa` parsed, so aws-lc sees the one form it always accepts.
            key.to_pkcs1_der()
                .ok()
                .and_then(|der| aws_lc_rs::rsa::KeyPair::from_der(der.as_bytes()).ok())
        } else {
            None
        };
        Ok(Self {
            signing_key: SigningKey::<Sha256>::new(key),
            #[cfg(feature = "aws-lc")]
            aws,
            public,
        })
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`, base64 (standard alphabet, padded).
    pub fn sign_base64(&self, message: &[u8]) -> Result<String> {
        #[cfg(feature = "aws-lc")]
        if let Some(pair) = &self.aws {
            return aws_lc::sign(pair, message)
                .map(|sig| STANDARD.encode(sig))
                .map_err(|()| Error::key("private_key", "RSA signing failed"));
        }
        let sig: Signature = self
            .signing_key
            .try_sign(message)
            .map_err(|_| Error::key("private_key", "RSA signing failed"))?;
        Ok(STANDARD.encode(sig.to_bytes()))
    }

    /// The name of the RSA implementation that signs with this key: `"aws-lc"` (cargo feature
    /// `aws-lc`, keys of 2048 to 8192 bits) or `"rsa"`.
    pub fn backend(&self) -> &'static str {
        #[cfg(feature = "aws-lc")]
        if self.aws.is_some() {
            return "aws-lc";
        }
        "rsa"
    }

    /// The matching public key (what the merchant registers with NICEPAY).
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }
}

#[cfg(feature = "aws-lc")]
mod aws_lc {
    use aws_lc_rs::rsa::KeyPair;
    use aws_lc_rs::signature::RSA_PKCS1_SHA256;

    /// aws-lc-rs signs and verifies RSA keys of 2048 to 8192 bits.
    pub(super) fn size_supported(bits: u32) -> bool {
        (2048..=8192).contains(&bits)
    }

    pub(super) fn sign(pair: &KeyPair, message: &[u8]) -> Result<Vec<u8>, ()> {
        let mut sig = vec![0u8; pair.public_modulus_len()];
        // PKCS#1 v1.5 uses no randomness; aws-lc-rs ignores this argument.
        let rng = aws_lc_rs::rand::SystemRandom::new();
        pair.sign(&RSA_PKCS1_SHA256, &rng, message, &mut sig).map_err(|_| ())?;
        Ok(sig)
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey([redacted])")
    }
}

/// An RSA public key used to verify SHA256withRSA signatures (NICEPAY notifications, or the
/// merchant's token signature inside a simulator).
///
/// Accepts bare base64 of X.509 SubjectPublicKeyInfo DER, PEM `PUBLIC KEY`, or PEM
/// `RSA PUBLIC KEY` (PKCS#1).
#[derive(Clone)]
pub struct PublicKey {
    key: rsa::PublicKey,
    verifying_key: VerifyingKey<Sha256>,
    #[cfg(feature = "aws-lc")]
    aws: Option<aws_lc_rs::signature::ParsedPublicKey>,
}

impl PublicKey {
    fn from_rsa(key: rsa::PublicKey) -> Self {
        #[cfg(feature = "aws-lc")]
        let aws = if aws_lc::size_supported(key.n().bit_width()) {
            key.to_pkcs1_der().ok().and_then(|der| {
                aws_lc_rs::signature::ParsedPublicKey::new(
                    &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
                    der.as_bytes(),
                )
                .ok()
            })
        } else {
            None
        };
        Self {
            verifying_key: VerifyingKey::<Sha256>::new(key.clone()),
            key,
            #[cfg(feature = "aws-lc")]
            aws,
        }
    }

    /// Parses a public key from text (PEM or bare base64).
    pub fn parse(text: &str) -> Result<Self> {
        parse_key_text("public_key", text, Self::from_der)
    }

    /// Parses a public key from DER bytes (SPKI or PKCS#1).
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let key = rsa::PublicKey::from_public_key_der(der)
            .or_else(|_| rsa::PublicKey::from_pkcs1_der(der))
            .map_err(|_| Error::key("public_key", "not an RSA public key in SPKI or PKCS#1 DER form"))?;
        Ok(Self::from_rsa(key))
    }

    /// Verifies a base64 SHA256withRSA signature over `message`.
    pub fn verify_base64(&self, message: &[u8], signature_b64: &str) -> Result<()> {
        let mismatch = || Error::SignatureMismatch {
            context: "SHA256withRSA signature does not verify with the configured public key".into(),
        };
        let raw = STANDARD
            .decode(signature_b64.trim().as_bytes())
            .map_err(|_| Error::invalid("X-SIGNATURE", "signature is not valid standard base64"))?;
        #[cfg(feature = "aws-lc")]
        if let Some(key) = &self.aws {
            return key.verify_sig(message, &raw).map_err(|_| mismatch());
        }
        let sig = Signature::try_from(raw.as_slice()).map_err(|_| mismatch())?;
        self.verifying_key.verify(message, &sig).map_err(|_| mismatch())
    }

    /// The name of the RSA implementation that signs and verifies with this key: `"aws-lc"` or
    /// `"rsa"` (for benchmarks and diagnostics).
    pub fn backend(&self) -> &'static str {
        #[cfg(feature = "aws-lc")]
        if self.aws.is_some() {
            return "aws-lc";
        }
        "rsa"
    }

    /// Bare base64 of the SubjectPublicKeyInfo DER, the form NICEPAY exchanges by email.
    pub fn to_base64_spki(&self) -> String {
        let doc = self
            .key
            .to_public_key_der()
            .expect("encoding an in-memory RSA public key cannot fail");
        STANDARD.encode(doc.as_bytes())
    }

    /// PEM `PUBLIC KEY` (SPKI) text.
    pub fn to_pem(&self) -> String {
        let b64 = self.to_base64_spki();
        let mut out = String::from("-----BEGIN PUBLIC KEY-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
            out.push('\n');
        }
        out.push_str("-----END PUBLIC KEY-----\n");
        out
    }

    /// Bare base64 of the PKCS#1 `RSAPublicKey` DER.
    pub fn to_base64_pkcs1(&self) -> String {
        let doc = self
            .key
            .to_pkcs1_der()
            .expect("encoding an in-memory RSA public key cannot fail");
        STANDARD.encode(doc.as_bytes())
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PublicKey").field(&self.to_base64_spki()).finish()
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for PublicKey {}

/// Key sizes [`PrivateKey::generate`] makes: 2048 bits (what NICEPAY's own keys use) up to 4096.
pub const GENERATED_KEY_BITS: std::ops::RangeInclusive<usize> = 2048..=4096;

/// The random source [`PrivateKey::generate`] draws from (the `rand_core` traits the `rsa`
/// crate uses). The caller brings it: this crate reads no operating-system state itself.
pub use rsa::rand_core::TryCryptoRng;

impl PrivateKey {
    /// Generates a new RSA private key of `bits` bits (a multiple of 8 in
    /// [`GENERATED_KEY_BITS`]) with public exponent 65537, drawing randomness from `rng`.
    pub fn generate<R: TryCryptoRng + ?Sized>(rng: &mut R, bits: usize) -> Result<Self> {
        if !GENERATED_KEY_BITS.contains(&bits) || !bits.is_multiple_of(8) {
            return Err(Error::invalid(
                "bits",
                format!("must be a multiple of 8 from 2048 to 4096 (got {bits})"),
            ));
        }
        let key = rsa::PrivateKey::new(rng, bits)
            .map_err(|_| Error::key("private_key", "RSA key generation failed (random source)"))?;
        let der = rsa::pkcs8::EncodePrivateKey::to_pkcs8_der(&key)
            .map_err(|_| Error::key("private_key", "encoding the generated key failed"))?;
        Self::from_der(der.as_bytes())
    }

    /// The key as PEM `PRIVATE KEY` (PKCS#8) text, wrapped so that it never prints.
    pub fn to_pkcs8_pem(&self) -> crate::secret::PrivateKeyPem {
        let pem = rsa::pkcs8::EncodePrivateKey::to_pkcs8_pem(self.signing_key.as_ref(), rsa::pkcs8::LineEnding::LF)
            .expect("encoding an in-memory RSA private key cannot fail");
        crate::secret::PrivateKeyPem::new(pem.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic (insecure) random source for tests: SplitMix64.
    struct TestRng(u64);

    impl rsa::rand_core::TryRng for TestRng {
        type Error = std::convert::Infallible;
        fn try_next_u32(&mut self) -> std::result::Result<u32, Self::Error> {
            self.try_next_u64().map(|v| v as u32)
        }
        fn try_next_u64(&mut self) -> std::result::Result<u64, Self::Error> {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            Ok(z ^ (z >> 31))
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> std::result::Result<(), Self::Error> {
            for chunk in dst.chunks_mut(8) {
                let v = self.try_next_u64()?.to_le_bytes();
                chunk.copy_from_slice(&v[..chunk.len()]);
            }
            Ok(())
        }
    }

    impl rsa::rand_core::TryCryptoRng for TestRng {}

    #[test]
    fn generated_keys_sign_round_trip_and_never_print() {
        let key = PrivateKey::generate(&mut TestRng(7), 2048).unwrap();
        let pem = key.to_pkcs8_pem();
        assert!(pem.expose_secret().starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(!format!("{pem:?}").contains("BEGIN"));
        let again = PrivateKey::parse(pem.expose_secret()).unwrap();
        assert_eq!(again.public_key(), key.public_key());
        let sig = key.sign_base64(b"IONPAYTEST|2024-07-05T10:11:40+07:00").unwrap();
        key.public_key()
            .verify_base64(b"IONPAYTEST|2024-07-05T10:11:40+07:00", &sig)
            .unwrap();
        for bits in [0, 1024, 2047, 2056 + 1, 8192] {
            assert!(PrivateKey::generate(&mut TestRng(1), bits).is_err(), "{bits}");
        }
    }

    const NOTIF_PUB: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApizrKJl/1Legp3Zj8f0oTIjKnUWe2HJCBSoRsVLxtpf0Dr1MI+23y+AMNKKxVXxbvReZq/sD91uN4GFYMUr16LY9oX7nJXh9C1JlI4/Xb/Q9MF30o1XYvogHLATtvTR/KQ8hxrf6Nlj/yuzeqrT+PiQMZt1CaKiE6UMn36kq11DmDq4ocwcNhChKDudNZSZ4YYIFn5IgH05K+VsRjehpa0szbO8qHmvnprXVVcqvk7ZSS+6fYwDynOq0f552aL0LWX0glNhh9F0oJqmTreW4lM0mdhNDq4GhlJZl5IpaUiaGRM2Rz/t6spgwR7nqUhI9aE2kjzaorgP4ZWUGm3wlTwIDAQAB";

    #[test]
    fn public_key_round_trips_through_every_encoding() {
        let key = PublicKey::parse(NOTIF_PUB).unwrap();
        assert_eq!(key.to_base64_spki(), NOTIF_PUB);
        assert_eq!(PublicKey::parse(&key.to_pem()).unwrap(), key);
        assert_eq!(PublicKey::parse(&key.to_pem().replace('\n', "\\n")).unwrap(), key);
        let pkcs1 = format!(
            "-----BEGIN RSA PUBLIC KEY-----\n{}\n-----END RSA PUBLIC KEY-----",
            key.to_base64_pkcs1()
        );
        assert_eq!(PublicKey::parse(&pkcs1).unwrap(), key);
    }

    #[test]
    fn bad_keys_are_typed_errors() {
        for bad in ["", "   ", "not base64 !!", "QUJD", "-----BEGIN PRIVATE KEY-----\nQUJD"] {
            match PrivateKey::parse(bad) {
                Err(Error::InvalidKey { field, .. }) => assert_eq!(field, "private_key"),
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
        let enc = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nQUJD\n-----END ENCRYPTED PRIVATE KEY-----";
        assert!(matches!(PrivateKey::parse(enc), Err(Error::InvalidKey { .. })));
        assert!(matches!(PublicKey::parse("QUJD"), Err(Error::InvalidKey { .. })));
    }

    const MERCHANT_KEY: &str = include_str!("../../../tests/keys/merchant-test-private-pkcs8.pem");

    #[test]
    fn two_concatenated_pem_keys_are_refused() {
        let key = PrivateKey::parse(MERCHANT_KEY).unwrap();
        let public = key.public_key().to_pem();
        let other = PublicKey::parse(NOTIF_PUB).unwrap().to_pem();
        for (text, what) in [
            (format!("{MERCHANT_KEY}{MERCHANT_KEY}"), "private twice"),
            (format!("{MERCHANT_KEY}\n{public}"), "private then public"),
            (format!("{MERCHANT_KEY}trailing words"), "text after the footer"),
        ] {
            match PrivateKey::parse(&text) {
                Err(Error::InvalidKey { reason, .. }) => {
                    assert!(reason.contains("exactly one key"), "{what}: {reason}")
                }
                other => panic!("{what}: {other:?}"),
            }
        }
        for text in [format!("{public}{other}"), format!("{other}{public}")] {
            assert!(matches!(PublicKey::parse(&text), Err(Error::InvalidKey { .. })));
        }
        // One key with surrounding whitespace is still fine.
        assert!(PrivateKey::parse(&format!("\n  {MERCHANT_KEY}\n\n")).is_ok());
        assert_eq!(PublicKey::parse(&format!("{public}\r\n")).unwrap(), *key.public_key());
    }

    #[test]
    fn key_text_over_the_cap_is_refused_before_decoding() {
        let huge = "A".repeat(MAX_KEY_TEXT_BYTES + 1);
        for err in [
            PrivateKey::parse(&huge).unwrap_err(),
            PublicKey::parse(&huge).unwrap_err(),
        ] {
            let message = err.to_string();
            assert!(message.contains("more than the 65536 bytes"), "{message}");
            assert!(message.len() < 200, "{message}");
        }
    }

    #[test]
    fn backend_is_the_one_built() {
        let key = PrivateKey::parse(MERCHANT_KEY).unwrap();
        let expected = if cfg!(feature = "aws-lc") { "aws-lc" } else { "rsa" };
        assert_eq!(key.backend(), expected);
        assert_eq!(key.public_key().backend(), expected);
        assert_eq!(PublicKey::parse(NOTIF_PUB).unwrap().backend(), expected);
    }

    /// Under `aws-lc`, every signature equals the `rsa` crate's, and each backend verifies the
    /// other's signatures.
    #[cfg(feature = "aws-lc")]
    mod aws_lc_agrees_with_rsa {
        use super::*;
        use proptest::prelude::*;

        fn rsa_sign(message: &[u8]) -> String {
            let key = PrivateKey::parse(MERCHANT_KEY).unwrap();
            let sig: Signature = key.signing_key.try_sign(message).unwrap();
            STANDARD.encode(sig.to_bytes())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(32))]
            #[test]
            fn same_signatures(message in proptest::collection::vec(any::<u8>(), 0..300)) {
                let key = PrivateKey::parse(MERCHANT_KEY).unwrap();
                let aws = key.sign_base64(&message).unwrap();
                prop_assert_eq!(&aws, &rsa_sign(&message));
                let public = key.public_key();
                public.verify_base64(&message, &aws).unwrap();
                let raw = STANDARD.decode(&aws).unwrap();
                let sig = Signature::try_from(raw.as_slice()).unwrap();
                prop_assert!(public.verifying_key.verify(&message, &sig).is_ok());
                let mut other = message.clone();
                other.push(0);
                prop_assert!(public.verify_base64(&other, &aws).is_err());
            }
        }
    }

    #[test]
    fn garbage_signature_is_mismatch_not_panic() {
        let key = PublicKey::parse(NOTIF_PUB).unwrap();
        assert!(matches!(
            key.verify_base64(b"x", "QUJD"),
            Err(Error::SignatureMismatch { .. })
        ));
        assert!(matches!(
            key.verify_base64(b"x", "***"),
            Err(Error::InvalidInput { .. })
        ));
    }
}
