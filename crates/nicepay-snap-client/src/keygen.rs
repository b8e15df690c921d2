//! RSA key generation for the merchant's access-token key pair, from the operating system's
//! random source.

use nicepay_snap::PrivateKey;

/// Generates a new RSA private key of `bits` bits (2048 to 4096, a multiple of 8; NICEPAY's own
/// keys are 2048-bit) from the operating system's random source. Register
/// `key.public_key().to_pem()` with NICEPAY and keep `key.to_pkcs8_pem()` secret.
///
/// ```
/// let key = nicepay_snap_client::generate_private_key(2048).unwrap();
/// assert!(key.public_key().to_pem().starts_with("-----BEGIN PUBLIC KEY-----"));
/// ```
pub fn generate_private_key(bits: usize) -> nicepay_snap::Result<PrivateKey> {
    PrivateKey::generate(&mut getrandom::SysRng, bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_keys_differ_and_bad_sizes_are_refused() {
        let a = generate_private_key(2048).unwrap();
        let b = generate_private_key(2048).unwrap();
        assert_ne!(a.public_key(), b.public_key());
        assert!(matches!(
            generate_private_key(1024),
            Err(nicepay_snap::Error::InvalidInput { .. })
        ));
    }
}
