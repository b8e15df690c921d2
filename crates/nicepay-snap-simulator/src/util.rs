//! Clock, randomness, identifiers and the fake EMV QR payload.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use nicepay_snap::Timestamp;

/// Seconds since the Unix epoch.
pub(crate) fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Now as a `+07:00` timestamp.
pub(crate) fn now_timestamp() -> Timestamp {
    Timestamp::from_unix_seconds(now_unix())
        .unwrap_or_else(|_| Timestamp::from_unix_seconds(0).expect("the epoch is a valid timestamp"))
}

/// The Jakarta calendar day (days since 1970-01-01 in UTC+7) of a Unix instant.
pub(crate) fn jakarta_day(unix: i64) -> i64 {
    (unix + nicepay_snap::timestamp::JAKARTA_OFFSET_SECONDS).div_euclid(86_400)
}

/// `yyyyMMddHHmmss` in Jakarta time.
pub(crate) fn jakarta_compact(ts: Timestamp) -> String {
    ts.to_string().chars().take(19).filter(char::is_ascii_digit).collect()
}

/// `n` random bytes from the OS; if the OS source fails, a non-repeating fallback derived from
/// the clock and a counter (the simulator must never panic).
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    static FALLBACK: AtomicU64 = AtomicU64::new(0);
    let mut buf = [0u8; N];
    if getrandom::fill(&mut buf).is_err() {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let mut x = nanos ^ FALLBACK.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
        for b in &mut buf {
            // xorshift64*
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            *b = (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8;
        }
    }
    buf
}

/// NICEPAY pay-method codes used inside simulated transaction ids.
pub(crate) const PAY_METHOD_VA: &str = "02";
/// E-wallet.
pub(crate) const PAY_METHOD_EWALLET: &str = "05";
/// Payout.
pub(crate) const PAY_METHOD_PAYOUT: &str = "07";
/// QRIS.
pub(crate) const PAY_METHOD_QRIS: &str = "08";

/// A NICEPAY-like transaction id: client id + pay method (`02` VA, `05` e-wallet, `07` payout,
/// `08` QRIS) + `yyyyMMddHHmmss` (Jakarta) + 4 digits, unique within `taken`.
pub(crate) fn new_txid(client_id: &str, pay_method: &str, seq: u64, taken: impl Fn(&str) -> bool) -> String {
    let stamp = jakarta_compact(now_timestamp());
    let mut n = seq;
    let mut attempts = 0u64;
    loop {
        // NICEPAY's 30-character form has a 4-digit counter per second. Once those 10,000 are
        // used up within one second, widen the counter to 8 digits (34 characters, still within
        // String(40)) instead of spinning under the state lock.
        let id = if attempts < 10_000 {
            format!("{client_id}{pay_method}{stamp}{:04}", n % 10_000)
        } else {
            format!("{client_id}{pay_method}{stamp}{:08}", n % 100_000_000)
        };
        if !taken(&id) {
            return id;
        }
        n += 1;
        attempts += 1;
    }
}

/// `minor` as a SNAP amount string, e.g. `"10000.00"`.
pub(crate) fn minor_to_string(minor: u64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// A process-unique sequence number (transaction ids, refund ids, payment request ids).
pub(crate) fn next_seq() -> u64 {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    SEQ.fetch_add(1, Ordering::Relaxed) + 1
}

/// Is this an absolute `http://` or `https://` URL (what NICEPAY accepts as a callback)?
pub(crate) fn is_http_url(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An opaque access token (48 hex characters of OS randomness).
pub(crate) fn new_token() -> String {
    hex(&random_bytes::<24>())
}

/// `digits` random decimal digits.
pub(crate) fn random_digits(digits: usize) -> String {
    random_bytes::<32>()
        .iter()
        .cycle()
        .take(digits)
        .map(|b| char::from(b'0' + b % 10))
        .collect()
}

/// The HTTP client for what the simulator sends (notifications, NIVA calls): direct
/// connections only, no proxy from the environment, no redirects.
pub(crate) fn loopback_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// Is this a plain `http://` URL on the loopback interface? The simulator never connects
/// anywhere else.
pub(crate) fn is_loopback_http_url(url: &str) -> bool {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return false;
    };
    if parsed.scheme() != "http" {
        return false;
    }
    match parsed.host_str() {
        Some(host) => {
            let bare = host.trim_start_matches('[').trim_end_matches(']');
            match bare.parse::<std::net::IpAddr>() {
                Ok(ip) => ip.is_loopback(),
                Err(_) => bare.eq_ignore_ascii_case("localhost"),
            }
        }
        None => false,
    }
}

/// A plausible (fake) dynamic EMVCo/QRIS payload with a correct CRC-16/CCITT-FALSE checksum.
pub(crate) fn emv_qr(merchant_name: &str, reference_no: &str, partner_reference_no: &str, amount_minor: u64) -> String {
    fn tlv(out: &mut String, tag: &str, value: &str) {
        let value: String = value.chars().filter(char::is_ascii).take(99).collect();
        out.push_str(tag);
        out.push_str(&format!("{:02}", value.len()));
        out.push_str(&value);
    }
    let mut account = String::new();
    tlv(&mut account, "00", "ID.CO.NICEPAY.WWW");
    tlv(&mut account, "01", "936000000000000001");
    tlv(&mut account, "02", &reference_no.chars().take(15).collect::<String>());
    tlv(&mut account, "03", "UMI");
    let mut additional = String::new();
    tlv(
        &mut additional,
        "01",
        &partner_reference_no.chars().take(25).collect::<String>(),
    );
    tlv(
        &mut additional,
        "05",
        &reference_no
            .chars()
            .rev()
            .take(25)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<String>(),
    );
    tlv(&mut additional, "07", "SIMULATOR");

    let mut qr = String::new();
    tlv(&mut qr, "00", "01");
    tlv(&mut qr, "01", "12");
    tlv(&mut qr, "26", &account);
    tlv(&mut qr, "52", "5499");
    tlv(&mut qr, "53", "360");
    tlv(&mut qr, "54", &minor_to_string(amount_minor));
    tlv(&mut qr, "58", "ID");
    tlv(&mut qr, "59", &merchant_name.chars().take(25).collect::<String>());
    tlv(&mut qr, "60", "JAKARTA");
    tlv(&mut qr, "61", "10110");
    tlv(&mut qr, "62", &additional);
    qr.push_str("6304");
    let crc = crc16_ccitt_false(qr.as_bytes());
    qr.push_str(&format!("{crc:04X}"));
    qr
}

/// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), as EMVCo QR codes use.
pub(crate) fn crc16_ccitt_false(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for &byte in data {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

#[cfg(test)]
mod tests {
    #[test]
    fn txids_stay_unique_past_ten_thousand_in_one_second() {
        let mut seen = std::collections::HashSet::new();
        for seq in 0..10_050u64 {
            let id = new_txid("IONPAYTEST", "08", seq, |c| seen.contains(c));
            assert!(id.len() <= 40, "{id}");
            assert!(seen.insert(id));
        }
    }

    use super::*;

    #[test]
    fn crc_check_value() {
        assert_eq!(crc16_ccitt_false(b"123456789"), 0x29B1);
    }

    #[test]
    fn emv_is_well_formed() {
        let qr = emv_qr("IONPAYTEST", "IONPAYTEST08202607051011400001", "order-1", 1_000_000);
        assert!(qr.starts_with("000201010212"));
        assert!(qr.contains("540810000.00"));
        let (body, crc) = qr.split_at(qr.len() - 4);
        assert_eq!(format!("{:04X}", crc16_ccitt_false(body.as_bytes())), crc);
    }

    #[test]
    fn http_urls_only() {
        assert!(is_http_url("https://merchant.example/notify"));
        assert!(is_http_url("http://127.0.0.1:9/x"));
        assert!(!is_http_url("ftp://merchant.example/notify"));
        assert!(!is_http_url("merchant.example/notify"));
    }

    #[test]
    fn loopback_only() {
        assert!(is_loopback_http_url("http://127.0.0.1:8080/notify"));
        assert!(is_loopback_http_url("http://localhost/notify"));
        assert!(is_loopback_http_url("http://[::1]:9/x"));
        assert!(!is_loopback_http_url("https://127.0.0.1/notify"));
        assert!(!is_loopback_http_url("http://example.com/notify"));
        assert!(!is_loopback_http_url("http://10.0.0.1/notify"));
        assert!(!is_loopback_http_url("not a url"));
    }

    #[test]
    fn jakarta_day_boundary() {
        // 2024-07-05T16:59:59Z is 23:59:59 in Jakarta; one second later is the next day.
        let t = 1_720_198_799;
        assert_eq!(jakarta_day(t) + 1, jakarta_day(t + 1));
    }

    #[test]
    fn compact_time() {
        let ts = Timestamp::parse("2024-07-05T10:11:40+07:00").unwrap();
        assert_eq!(jakarta_compact(ts), "20240705101140");
    }
}
