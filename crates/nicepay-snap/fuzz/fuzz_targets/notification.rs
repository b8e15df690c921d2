//! Notification parsing and verification: arbitrary headers and bodies never panic. (The seed
//! corpus holds genuinely signed test notifications, so some inputs do verify.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use nicepay_snap::api::notification::{parse_notification, NotificationVerifier};
use nicepay_snap::api::qris::QrisNotification;
use nicepay_snap::api::va::VaNotification;
use nicepay_snap::{PublicKey, Timestamp};

const PUBLIC: &str = include_str!("../../../../tests/keys/nicepay-notification-test-public.pem");

fuzz_target!(|data: &[u8]| {
    let _ = parse_notification::<QrisNotification>(data);
    let _ = parse_notification::<VaNotification>(data);
    // Headers: the first lines of the input as `name: value`, the rest is the body.
    let text = String::from_utf8_lossy(data);
    let mut headers = Vec::new();
    let mut body = "";
    for (i, line) in text.splitn(5, '\n').enumerate() {
        match line.split_once(':') {
            Some((name, value)) if i < 4 => headers.push((name.trim().to_owned(), value.trim().to_owned())),
            _ => body = line,
        }
    }
    let verifier = NotificationVerifier::new(PublicKey::parse(PUBLIC).expect("test key"), "IONPAYTEST");
    let now = Timestamp::parse("2024-08-19T17:12:40+07:00").expect("now");
    let _ = verifier.verify::<serde_json::Value>(&headers, body.as_bytes(), now);
    if let Some((ts, sig)) = text.split_once('|') {
        let _ = verifier.verify_signature(ts, sig);
    }
});
