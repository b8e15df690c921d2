//! `Timestamp::parse` never panics; what it accepts prints to a form that parses back to the
//! same instant.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nicepay_snap::Timestamp;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(ts) = Timestamp::parse(text) {
        let printed = ts.to_string();
        assert_eq!(
            Timestamp::parse(&printed).expect("printed form parses"),
            ts,
            "{text:?} -> {printed}"
        );
        assert_eq!(Timestamp::from_unix_seconds(ts.unix_seconds()).expect("in range"), ts);
    }
});
