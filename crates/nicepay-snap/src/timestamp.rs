//! `X-TIMESTAMP`: an instant that always renders in Jakarta time (`+07:00`).

use std::fmt;

use crate::error::{echo, Error, Result};

/// Jakarta's fixed offset from UTC in seconds (Indonesia has no daylight saving time).
pub const JAKARTA_OFFSET_SECONDS: i64 = 7 * 3600;

/// Earliest accepted instant: 0001-01-01T00:00:00Z.
const MIN_UNIX: i64 = -62_135_596_800;
/// Latest accepted instant whose Jakarta rendering still has four year digits.
const MAX_UNIX: i64 = 253_402_300_799 - JAKARTA_OFFSET_SECONDS;

/// An instant in time that always renders as `yyyy-MM-ddTHH:mm:ss+07:00`.
///
/// The core never reads the clock: build one from a UTC instant you supply
/// ([`Timestamp::from_unix_seconds`]) or parse one ([`Timestamp::parse`], which accepts any
/// offset and normalises it).
///
/// ```
/// use nicepay_snap::Timestamp;
/// let ts = Timestamp::from_unix_seconds(1_720_149_100).unwrap();
/// assert_eq!(ts.to_string(), "2024-07-05T10:11:40+07:00");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    unix: i64,
}

impl Timestamp {
    /// From seconds since the Unix epoch (UTC).
    pub fn from_unix_seconds(unix: i64) -> Result<Self> {
        if !(MIN_UNIX..=MAX_UNIX).contains(&unix) {
            return Err(Error::invalid("timestamp", "instant is outside years 0001..9999"));
        }
        Ok(Self { unix })
    }

    /// Seconds since the Unix epoch (UTC).
    pub fn unix_seconds(self) -> i64 {
        self.unix
    }

    /// Parses `yyyy-MM-ddTHH:mm:ss` followed by `Z` or `±HH:MM` (no fractional seconds).
    pub fn parse(text: &str) -> Result<Self> {
        let err = |reason: &str| Error::invalid("X-TIMESTAMP", format!("{reason} (got {})", echo(text)));
        let b = text.as_bytes();
        if b.len() < 20 {
            return Err(err("expected yyyy-MM-ddTHH:mm:ss+07:00"));
        }
        let digits = |range: std::ops::Range<usize>| -> Result<i64> {
            let part = &b[range];
            if part.iter().all(u8::is_ascii_digit) {
                Ok(part.iter().fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')))
            } else {
                Err(err("expected digits"))
            }
        };
        if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
            return Err(err("expected yyyy-MM-ddTHH:mm:ss"));
        }
        let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
        if year == 0 || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(err("date out of range"));
        }
        if hour > 23 || minute > 59 || second > 59 {
            return Err(err("time out of range"));
        }
        let offset = match &b[19..] {
            b"Z" => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let oh = digits(20..22)?;
                let om = digits(23..25)?;
                let _ = (h1, h2, m1, m2);
                if oh > 23 || om > 59 {
                    return Err(err("offset out of range"));
                }
                let s = oh * 3600 + om * 60;
                if *sign == b'-' {
                    -s
                } else {
                    s
                }
            }
            _ => return Err(err("expected offset `Z` or `+HH:MM`")),
        };
        let days = days_from_civil(year, month, day);
        let local = days * 86_400 + hour * 3600 + minute * 60 + second;
        Self::from_unix_seconds(local - offset)
    }
}

impl Timestamp {
    /// Parses an `X-TIMESTAMP` that is about to be **signed and sent**: it must parse and already
    /// be in the canonical Jakarta form `yyyy-MM-ddTHH:mm:ss+07:00`, because the string is signed
    /// exactly as given and must equal the header that is sent. Use [`Timestamp::parse`] for
    /// timestamps received from NICEPAY (any offset) and `to_string()` to normalise one.
    pub fn parse_outbound(text: &str) -> Result<Self> {
        let parsed = Self::parse(text)?;
        // `parse` fixes every field's width, so a parsed `...+07:00` string is already
        // canonical: no need to render it again (this runs on every signature).
        if text.len() == 25 && text.ends_with("+07:00") {
            return Ok(parsed);
        }
        Err(Error::invalid(
            "X-TIMESTAMP",
            format!(
                "must be Jakarta time in the form yyyy-MM-ddTHH:mm:ss+07:00 (the same instant is {:?}: normalise it first)",
                parsed.to_string()
            ),
        ))
    }
}

/// The length of an `X-TIMESTAMP` as this crate renders it (`yyyy-MM-ddTHH:mm:ss+07:00`).
pub(crate) const RENDERED_LEN: usize = 25;

impl Timestamp {
    /// The canonical rendering as ASCII bytes, without the formatting machinery (this runs for
    /// every signed request).
    pub(crate) fn render(self) -> [u8; RENDERED_LEN] {
        // Counted from 0000-03-01, every accepted instant (years 0001..=9999) is positive and
        // its day count fits 32 bits: unsigned division throughout.
        let shifted = u64::try_from(self.unix + JAKARTA_OFFSET_SECONDS + FROM_0000_03_01).unwrap_or(0);
        let (days, secs) = (shifted / 86_400, shifted % 86_400);
        let (y, m, d) = civil_from_shifted_days(u32::try_from(days).unwrap_or(0));
        let secs = u32::try_from(secs).unwrap_or(0);
        let mut out = *b"0000-00-00T00:00:00+07:00";
        let fields = [
            (0, y / 100),
            (2, y % 100),
            (5, m),
            (8, d),
            (11, secs / 3600),
            (14, (secs / 60) % 60),
            (17, secs % 60),
        ];
        for (at, value) in fields {
            // Each field is in 0..100 by construction (years 0001..=9999, see `MAX_UNIX`).
            let value = u8::try_from(value).unwrap_or(0);
            out[at] = b'0' + value / 10;
            out[at + 1] = b'0' + value % 10;
        }
        out
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(std::str::from_utf8(&self.render()).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Seconds from 0000-03-01T00:00:00 (where the civil calendar's 400-year eras start) to the
/// Unix epoch.
const FROM_0000_03_01: i64 = 719_468 * 86_400;

/// Year, month and day of a day count from 0000-03-01 (Howard Hinnant's `civil_from_days`,
/// in unsigned arithmetic).
fn civil_from_shifted_days(z: u32) -> (u32, u32, u32) {
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + u32::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn renders_in_jakarta_time() {
        assert_eq!(
            Timestamp::from_unix_seconds(0).unwrap().to_string(),
            "1970-01-01T07:00:00+07:00"
        );
        // 2024-07-05T03:11:40Z
        let ts = Timestamp::from_unix_seconds(1_720_149_100).unwrap();
        assert_eq!(ts.to_string(), "2024-07-05T10:11:40+07:00");
        assert_eq!(ts.to_string().len(), 25);
        // Crossing midnight UTC -> next day in Jakarta.
        let late = Timestamp::parse("2024-02-28T20:30:00Z").unwrap();
        assert_eq!(late.to_string(), "2024-02-29T03:30:00+07:00");
    }

    #[test]
    fn parse_normalises_offsets() {
        let a = Timestamp::parse("2024-07-05T10:11:40+07:00").unwrap();
        let b = Timestamp::parse("2024-07-05T03:11:40Z").unwrap();
        let c = Timestamp::parse("2024-07-04T22:11:40-05:00").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(c.to_string(), "2024-07-05T10:11:40+07:00");
    }

    #[test]
    fn outbound_timestamps_must_already_be_jakarta_time() {
        let ts = Timestamp::parse_outbound("2024-07-05T10:11:40+07:00").unwrap();
        assert_eq!(ts.to_string(), "2024-07-05T10:11:40+07:00");
        for other in [
            "2024-07-05T03:11:40Z",
            "2024-07-04T22:11:40-05:00",
            "2024-07-05T10:11:40+0700",
        ] {
            let err = Timestamp::parse_outbound(other).unwrap_err().to_string();
            assert!(err.contains("X-TIMESTAMP"), "{err}");
        }
        let err = Timestamp::parse_outbound("2024-07-05T03:11:40Z")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("2024-07-05T10:11:40+07:00"),
            "names the canonical spelling: {err}"
        );
    }

    #[test]
    fn parse_rejects_malformed() {
        for bad in [
            "",
            "2024-07-05 10:11:40+07:00",
            "2024-07-05T10:11:40",
            "2024-07-05T10:11:40.123+07:00",
            "2024-13-05T10:11:40+07:00",
            "2023-02-29T10:11:40+07:00",
            "2024-07-05T24:00:00+07:00",
            "2024-07-05T10:11:40+0700",
            "2024-07-05T10:11:40+07:00x",
            "２024-07-05T10:11:40+07:00",
        ] {
            assert!(
                matches!(Timestamp::parse(bad), Err(Error::InvalidInput { .. })),
                "{bad:?} should be rejected"
            );
        }
        assert!(Timestamp::from_unix_seconds(i64::MAX).is_err());
    }

    proptest! {
        #[test]
        fn render_then_parse_round_trips(unix in MIN_UNIX..=MAX_UNIX) {
            let ts = Timestamp::from_unix_seconds(unix).unwrap();
            let s = ts.to_string();
            prop_assert_eq!(s.len(), 25);
            prop_assert!(s.ends_with("+07:00"));
            prop_assert_eq!(Timestamp::parse(&s).unwrap(), ts);
        }

        #[test]
        fn render_matches_the_formatted_fields(unix in MIN_UNIX..=MAX_UNIX) {
            // Checked through the inverse algorithm: the rendered date is a real calendar date
            // whose day count, with the rendered time, is the Jakarta-local instant.
            let rendered = Timestamp::from_unix_seconds(unix).unwrap().render();
            let field = |at: usize, len: usize| -> i64 {
                std::str::from_utf8(&rendered[at..at + len]).unwrap().parse().unwrap()
            };
            let (y, m, d) = (field(0, 4), field(5, 2), field(8, 2));
            let (hh, mm, ss) = (field(11, 2), field(14, 2), field(17, 2));
            prop_assert!((1..=12).contains(&m) && hh < 24 && mm < 60 && ss < 60);
            let next_month = if m == 12 { days_from_civil(y + 1, 1, 1) } else { days_from_civil(y, m + 1, 1) };
            prop_assert!(d >= 1 && d <= next_month - days_from_civil(y, m, 1));
            prop_assert_eq!(
                days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss,
                unix + JAKARTA_OFFSET_SECONDS
            );
            prop_assert_eq!(&rendered[19..], b"+07:00");
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = Timestamp::parse(&s);
        }
    }
}
