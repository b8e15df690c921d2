//! Small validated value types: [`Amount`] and [`ExternalId`].

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{echo, Error, Result};

/// The only currency NICEPAY SNAP accepts.
pub const IDR: &str = "IDR";

/// A SNAP amount object: `{"value":"10000.00","currency":"IDR"}`.
///
/// `value` is a string with 1 to 9 integer digits (no leading zeros), a `.` and exactly two
/// decimals (at most 12 characters); `currency` is `IDR`. Constructors validate; deserialising
/// a response is lenient (so an unexpected form from the server never breaks parsing) and
/// [`Amount::validate`] can be called on the result.
///
/// ```
/// use nicepay_snap::Amount;
/// assert_eq!(Amount::idr("10000.00").unwrap().value(), "10000.00");
/// assert_eq!(Amount::from_minor_units(1_000_050).unwrap().value(), "10000.50");
/// assert!(Amount::idr("10000").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Amount {
    /// 1 to 9 integer digits without leading zeros, `.`, exactly two decimals (`"10000.00"`).
    value: String,
    /// Always `"IDR"`.
    currency: String,
}

impl Amount {
    /// Largest representable value in minor units (999,999,999.99).
    pub const MAX_MINOR_UNITS: u64 = 99_999_999_999;

    /// Validates and builds an amount.
    pub fn new(value: impl Into<String>, currency: impl Into<String>) -> Result<Self> {
        let amount = Self {
            value: value.into(),
            currency: currency.into(),
        };
        amount.validate()?;
        Ok(amount)
    }

    /// An IDR amount from its string value, e.g. `"10000.00"`.
    pub fn idr(value: impl Into<String>) -> Result<Self> {
        Self::new(value, IDR)
    }

    /// An IDR amount from minor units (sen): `1_000_000` is `"10000.00"`.
    pub fn from_minor_units(minor: u64) -> Result<Self> {
        if minor > Self::MAX_MINOR_UNITS {
            return Err(Error::invalid("amount.value", "more than 999999999.99"));
        }
        Ok(Self {
            value: format!("{}.{:02}", minor / 100, minor % 100),
            currency: IDR.to_owned(),
        })
    }

    /// The string value, e.g. `"10000.00"`.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The currency code, `IDR`.
    pub fn currency(&self) -> &str {
        &self.currency
    }

    /// The value in minor units, if the value is well-formed.
    pub fn minor_units(&self) -> Result<u64> {
        self.validate_value()?;
        let (int, frac) = self.value.split_once('.').unwrap_or((&self.value, "00"));
        let int: u64 = int
            .parse()
            .map_err(|_| Error::invalid("amount.value", "not a number"))?;
        let frac: u64 = frac
            .parse()
            .map_err(|_| Error::invalid("amount.value", "not a number"))?;
        Ok(int * 100 + frac)
    }

    /// Whether both amounts are well-formed and equal: the same currency and the same value in
    /// minor units (`"10000.00"` equals `"10000.0"`).
    pub fn same_value(&self, other: &Self) -> bool {
        self.currency() == other.currency()
            && matches!((self.minor_units(), other.minor_units()), (Ok(a), Ok(b)) if a == b)
    }

    /// Checks the value format and the currency.
    pub fn validate(&self) -> Result<()> {
        self.validate_value()?;
        if self.currency != IDR {
            return Err(Error::invalid(
                "amount.currency",
                format!("only IDR is supported, got {}", echo(&self.currency)),
            ));
        }
        Ok(())
    }

    fn validate_value(&self) -> Result<()> {
        let bad = |why: &str| {
            Err(Error::invalid(
                "amount.value",
                format!("{why} (got {})", echo(&self.value)),
            ))
        };
        let Some((int, frac)) = self.value.split_once('.') else {
            return bad("expected digits, '.', and exactly two decimals");
        };
        if int.is_empty() || int.len() > 9 || !int.bytes().all(|b| b.is_ascii_digit()) {
            return bad("expected 1 to 9 integer digits");
        }
        if int.len() > 1 && int.starts_with('0') {
            return bad("leading zeros are not allowed");
        }
        if frac.len() != 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return bad("expected exactly two decimals");
        }
        Ok(())
    }
}

impl fmt::Debug for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Amount({} {})", self.value, self.currency)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.value, self.currency)
    }
}

/// The `X-EXTERNAL-ID` header: unique per request per day, at most 36 characters of
/// `[0-9A-Za-z-]`.
///
/// The core has no randomness: either supply a value, or build one from a clock reading and
/// random bits that you supply with [`ExternalId::from_parts`] (numeric, as NICEPAY's docs ask).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ExternalId(String);

impl ExternalId {
    /// Maximum length (the BI SNAP standard's limit).
    pub const MAX_LEN: usize = 36;

    /// Validates a caller-chosen id.
    pub fn new(value: impl Into<String>) -> Result<Self> {
        let value = value.into();
        if value.is_empty() || value.len() > Self::MAX_LEN {
            return Err(Error::invalid(
                "X-EXTERNAL-ID",
                format!("length must be 1..={}", Self::MAX_LEN),
            ));
        }
        if !value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(Error::invalid(
                "X-EXTERNAL-ID",
                "only ASCII letters, digits and '-' are allowed",
            ));
        }
        Ok(Self(value))
    }

    /// A 33-digit numeric id from milliseconds since the epoch and 64 random bits.
    pub fn from_parts(unix_millis: u64, random: u64) -> Self {
        Self(format!("{:013}{:020}", unix_millis % 10_000_000_000_000, random))
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ExternalId {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        Self::new(value)
    }
}

impl From<ExternalId> for String {
    fn from(value: ExternalId) -> Self {
        value.0
    }
}

impl fmt::Debug for ExternalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExternalId({})", self.0)
    }
}

impl fmt::Display for ExternalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amount_forms() {
        for ok in ["0.00", "1.00", "10000.00", "999999999.99"] {
            assert!(Amount::idr(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "10000",
            "10000.0",
            "10000.000",
            "010.00",
            "1,000.00",
            "-1.00",
            "1e3.00",
            "1000000000.00",
            " 1.00",
            "1.0a",
        ] {
            assert!(matches!(Amount::idr(bad), Err(Error::InvalidInput { .. })), "{bad}");
        }
        assert!(Amount::new("1.00", "USD").is_err());
        assert_eq!(
            serde_json::to_string(&Amount::idr("1.00").unwrap()).unwrap(),
            r#"{"value":"1.00","currency":"IDR"}"#
        );
        assert_eq!(Amount::idr("10000.50").unwrap().minor_units().unwrap(), 1_000_050);
        assert!(Amount::from_minor_units(Amount::MAX_MINOR_UNITS + 1).is_err());
    }

    #[test]
    fn external_id_rules() {
        assert!(ExternalId::new("ordNo20240705101140").is_ok());
        assert!(ExternalId::new("").is_err());
        assert!(ExternalId::new("a".repeat(37)).is_err());
        assert!(ExternalId::new("abc def").is_err());
        let id = ExternalId::from_parts(1_720_149_100_123, u64::MAX);
        assert_eq!(id.as_str().len(), 33);
        assert!(id.as_str().bytes().all(|b| b.is_ascii_digit()));
        assert!(ExternalId::new(id.as_str()).is_ok());
    }

    proptest! {
        #[test]
        fn amount_accepts_exactly_the_valid_forms(s in "[0-9.,a+-]{0,14}") {
            // Oracle: a value is valid exactly when it is the canonical rendering of some
            // number of minor units in range.
            let canonical = s
                .replacen('.', "", 1)
                .parse::<u64>()
                .ok()
                .filter(|n| *n <= Amount::MAX_MINOR_UNITS)
                .map(|n| format!("{}.{:02}", n / 100, n % 100));
            prop_assert_eq!(Amount::idr(s.clone()).is_ok(), canonical.as_deref() == Some(s.as_str()));
        }

        #[test]
        fn canonical_amounts_are_accepted(n in 0u64..=Amount::MAX_MINOR_UNITS) {
            let s = format!("{}.{:02}", n / 100, n % 100);
            prop_assert!(Amount::idr(s).is_ok());
        }

        #[test]
        fn minor_units_round_trip(minor in 0u64..=Amount::MAX_MINOR_UNITS) {
            let a = Amount::from_minor_units(minor).unwrap();
            prop_assert!(a.validate().is_ok());
            prop_assert!(a.value().len() <= 12);
            prop_assert_eq!(a.minor_units().unwrap(), minor);
        }

        #[test]
        fn external_id_from_parts_is_always_valid(ms in any::<u64>(), r in any::<u64>()) {
            let id = ExternalId::from_parts(ms, r);
            prop_assert!(ExternalId::new(id.as_str()).is_ok());
        }
    }
}
