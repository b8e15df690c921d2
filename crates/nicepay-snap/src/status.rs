//! `latestTransactionStatus`: an open set of two-digit codes.

use std::fmt;

/// The product a status code belongs to (the same code means different things per product).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Product {
    /// Virtual Account.
    VirtualAccount,
    /// QRIS.
    Qris,
    /// E-wallet direct debit.
    Ewallet,
    /// Payout / disbursement.
    Payout,
}

impl Product {
    /// The product's name in the SDK's string APIs: `"va"`, `"qris"`, `"ewallet"`, `"payout"`.
    pub fn name(self) -> &'static str {
        match self {
            Self::VirtualAccount => "va",
            Self::Qris => "qris",
            Self::Ewallet => "ewallet",
            Self::Payout => "payout",
        }
    }

    /// The SNAP service code of the product's payment notification (the middle two digits of
    /// the acknowledgement's `responseCode`).
    pub fn notification_service_code(self) -> &'static str {
        match self {
            Self::VirtualAccount => crate::api::va::VA_NOTIFICATION_SERVICE_CODE,
            Self::Qris => crate::api::qris::QRIS_NOTIFICATION_SERVICE_CODE,
            Self::Ewallet => crate::api::ewallet::EWALLET_NOTIFICATION_SERVICE_CODE,
            Self::Payout => crate::api::payout::PAYOUT_NOTIFICATION_SERVICE_CODE,
        }
    }
}

/// Parses [`Product::name`].
impl std::str::FromStr for Product {
    type Err = crate::Error;

    fn from_str(name: &str) -> crate::Result<Self> {
        [Self::VirtualAccount, Self::Qris, Self::Ewallet, Self::Payout]
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| crate::Error::invalid("product", "must be \"qris\", \"va\", \"ewallet\" or \"payout\""))
    }
}

/// A `latestTransactionStatus` code. Unknown codes are preserved in [`TransactionStatus::Other`].
///
/// ```
/// use nicepay_snap::{TransactionStatus, status::Product};
/// let s: TransactionStatus = serde_json::from_str("\"04\"").unwrap();
/// assert_eq!(s, TransactionStatus::Refunded);
/// assert_eq!(s.describe(Product::VirtualAccount), "Cancel/Expired");
/// let odd: TransactionStatus = serde_json::from_str("\"42\"").unwrap();
/// assert_eq!(odd.code(), "42");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransactionStatus {
    /// `00`.
    Success,
    /// `01` (VA: reversal).
    Initiated,
    /// `02`.
    Paying,
    /// `03`.
    Pending,
    /// `04` (VA: cancelled/expired; payout: cancelled).
    Refunded,
    /// `05` (payout: rejected).
    Canceled,
    /// `06`.
    Failed,
    /// `07`.
    NotFound,
    /// Any other code, kept verbatim.
    Other(String),
}

impl TransactionStatus {
    /// Parses a code (never fails; unknown codes become [`TransactionStatus::Other`]).
    pub fn from_code(code: &str) -> Self {
        match code {
            "00" => Self::Success,
            "01" => Self::Initiated,
            "02" => Self::Paying,
            "03" => Self::Pending,
            "04" => Self::Refunded,
            "05" => Self::Canceled,
            "06" => Self::Failed,
            "07" => Self::NotFound,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The two-digit code.
    pub fn code(&self) -> &str {
        match self {
            Self::Success => "00",
            Self::Initiated => "01",
            Self::Paying => "02",
            Self::Pending => "03",
            Self::Refunded => "04",
            Self::Canceled => "05",
            Self::Failed => "06",
            Self::NotFound => "07",
            Self::Other(code) => code,
        }
    }

    /// The product-specific meaning (spec §9).
    pub fn describe(&self, product: Product) -> &'static str {
        match (product, self.code()) {
            (_, "00") => match product {
                Product::VirtualAccount => "Paid",
                Product::Payout => "Success",
                _ => "Success",
            },
            (Product::VirtualAccount, "01") => "Reversal",
            (Product::VirtualAccount, "03") => "Unpaid",
            (Product::VirtualAccount, "04") => "Cancel/Expired",
            (Product::Payout, "03") => "Pending (awaiting approve/reject)",
            (Product::Payout, "04") => "Canceled",
            (Product::Payout, "05") => "Rejected",
            (Product::Payout, "08") => "Pending (suspect)",
            (Product::Payout, "09") => "Failed",
            (Product::Qris | Product::Ewallet, "04") => "Refunded",
            (_, "01") => "Initiated",
            (_, "02") => "Paying",
            (_, "03") => "Pending",
            (_, "05") => "Canceled",
            (_, "06") => "Failed",
            (_, "07") => "Not found",
            _ => "Unknown status",
        }
    }
}

impl fmt::Display for TransactionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl serde::Serialize for TransactionStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> serde::Deserialize<'de> for TransactionStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(Self::from_code(&s))
    }
}
