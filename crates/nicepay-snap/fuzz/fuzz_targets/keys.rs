//! Key parsing from text and DER never panics, and errors never quote the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nicepay_snap::{PrivateKey, PublicKey};

fuzz_target!(|data: &[u8]| {
    let _ = PrivateKey::from_der(data);
    let _ = PublicKey::from_der(data);
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(e) = PrivateKey::parse(text) {
            let shown = format!("{e} {e:?}");
            // A long input without spaces or armour (key-like base64) is never echoed back.
            let t = text.trim();
            if t.len() >= 16 && !t.contains(|c: char| c.is_whitespace() || c == '-') {
                assert!(!shown.contains(t), "error quotes the key text: {shown}");
            }
        }
        if let Ok(key) = PublicKey::parse(text) {
            // Whatever parsed re-encodes and parses back to the same key.
            assert_eq!(PublicKey::parse(&key.to_pem()).expect("re-parse"), key);
        }
    }
});
