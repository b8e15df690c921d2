//! Response parsing for every operation: arbitrary status and body never panic, and a parsed
//! success always carries a 2xx `responseCode`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nicepay_snap::{with_operation, Operation, RawResponse, ResponseCode};

const NAMES: &[&str] = nicepay_snap::api::OPERATION_NAMES;

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let status = u16::from_be_bytes([data[0], data[1]]) % 600;
    let op = NAMES[usize::from(data[2]) % NAMES.len()];
    let body = &data[3..];
    let raw = RawResponse::new(
        status,
        vec![("Content-Type".into(), "application/json".into())],
        body.to_vec(),
    );
    with_operation!(op, Op => {
        let _ = nicepay_snap::response::parse_response::<<Op as Operation>::Response>(&raw);
    }, unreachable!());
    let _ = nicepay_snap::response::parse_response::<nicepay_snap::api::token::AccessTokenResponse>(&raw);
    let _ = nicepay_snap::response::parse_response::<serde_json::Value>(&raw);
    if let Ok(text) = std::str::from_utf8(body) {
        if let Ok(code) = ResponseCode::parse(text) {
            let _ = (code.outcome(), code.meaning(), code.http_status(), code.service_code());
        }
    }
});
