//! The SNAP response envelope: `responseCode` / `responseMessage`, and response parsing.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::{echo, Error, Result};
use crate::http::RawResponse;

/// A 7-character SNAP `responseCode`: HTTP status (3) + service code (2) + case code (2),
/// e.g. `2007800` = 200 / 78 / 00.
///
/// ```
/// use nicepay_snap::ResponseCode;
/// let code: ResponseCode = "4017301".parse().unwrap();
/// assert_eq!(code.http_status(), 401);
/// assert_eq!(code.service_code(), "73");
/// assert_eq!(code.case_code(), "01");
/// assert_eq!(code.meaning(), Some("Access Token Invalid"));
/// assert!(code.is_access_token_invalid());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResponseCode([u8; 7]);

/// How to treat a response code, especially for calls that move money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// Final success (`200xx00`).
    Success,
    /// Accepted, not final (`202xxxx`): resolve with a status query.
    InProgress,
    /// A definitive rejection (4xx): the request was not applied.
    Rejected,
    /// Server error or timeout (5xx, including `504xx00`): the request may or may not have been
    /// applied. Resolve with a status query; never resend it with a new identity.
    Unknown,
}

impl ResponseCode {
    /// Parses a 7-digit code.
    pub fn parse(code: &str) -> Result<Self> {
        let bytes: [u8; 7] = code
            .as_bytes()
            .try_into()
            .map_err(|_| Error::invalid("responseCode", format!("expected 7 digits, got {}", echo(code))))?;
        if !bytes.iter().all(u8::is_ascii_digit) {
            return Err(Error::invalid(
                "responseCode",
                format!("expected 7 digits, got {}", echo(code)),
            ));
        }
        if !(100..=599).contains(&Self(bytes).http_status()) {
            return Err(Error::invalid(
                "responseCode",
                format!("HTTP part out of range in {}", echo(code)),
            ));
        }
        Ok(Self(bytes))
    }

    /// Builds a code from its parts, e.g. `(200, "78", "00")`.
    pub fn from_parts(http_status: u16, service_code: &str, case_code: &str) -> Result<Self> {
        Self::parse(&format!("{http_status:03}{service_code}{case_code}"))
    }

    /// The full 7-character string.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII digits")
    }

    /// The HTTP status part (first three digits).
    pub fn http_status(&self) -> u16 {
        self.0[..3].iter().fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'))
    }

    /// The two-digit service code (e.g. `78` for QRIS refund).
    pub fn service_code(&self) -> &str {
        &self.as_str()[3..5]
    }

    /// The two-digit case code.
    pub fn case_code(&self) -> &str {
        &self.as_str()[5..7]
    }

    /// `true` only for a final success: HTTP part `200` and case `00`.
    pub fn is_success(&self) -> bool {
        self.http_status() == 200 && self.case_code() == "00"
    }

    /// `true` for `202xxxx` "Request In Progress": accepted but not final.
    pub fn is_in_progress(&self) -> bool {
        self.http_status() == 202
    }

    /// `true` for `401xx01` "Access Token Invalid" (get a fresh token and retry once).
    pub fn is_access_token_invalid(&self) -> bool {
        self.http_status() == 401 && self.case_code() == "01"
    }

    /// Classifies the code for money-safety decisions.
    pub fn outcome(&self) -> Outcome {
        match self.http_status() {
            200 if self.case_code() == "00" => Outcome::Success,
            202 => Outcome::InProgress,
            500..=599 => Outcome::Unknown,
            // Any other 2xx/3xx is not a success we understand: treat as not final.
            200..=399 => Outcome::InProgress,
            _ => Outcome::Rejected,
        }
    }

    /// NICEPAY's documented meaning (spec §6.1), falling back to the generic BI SNAP table.
    /// A hint only: always show the server's `responseMessage` too.
    pub fn meaning(&self) -> Option<&'static str> {
        let m = match (self.http_status(), self.case_code()) {
            (200, "00") => "Successful",
            (202, "00") => "Request In Progress",
            (400, "00") => "Bad Request",
            (400, "01") => "Invalid Field Format",
            (400, "02") => "Invalid Mandatory Field",
            (401, "00") => "Unauthorized",
            (401, "01") => "Access Token Invalid",
            (401, "02") => "Invalid Customer Token",
            (401, "03") => "Token Not Found",
            (403, "01") => "Feature Not Allowed",
            (403, "02") => "Exceeds Transaction Amount Limit",
            (403, "05") => "Do Not Honor",
            (403, "14") => "Insufficient Funds",
            (403, "15") => "Transaction Not Permitted",
            (403, "21") => "Set Limit Not Allowed",
            (403, "23") => "Account Limit Exceed",
            (404, "01") => "Transaction Not Found",
            (404, "11") => "Invalid Account",
            (404, "12") => "Invalid Bill/Virtual Account",
            (404, "13") => "Paid Bill",
            (404, "18") => "Account Inactive",
            (404, "19") => "Invalid Virtual Account",
            (409, "00") => "Conflict",
            (409, "01") => "Duplicate partnerReferenceNo",
            (429, "00") => "Too Many Requests",
            (500, "00") => "General Error",
            (500, "01") => "Internal Server Error",
            (500, "02") => "External Server Error",
            (504, "00") => "Request Timeout",
            _ => return None,
        };
        Some(m)
    }
}

impl fmt::Display for ResponseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ResponseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResponseCode({})", self.as_str())
    }
}

impl serde::Serialize for ResponseCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ResponseCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    response_code: Option<String>,
    response_message: Option<String>,
}

/// Parses a raw response into `T` when its `responseCode` is a final success, otherwise
/// returns [`Error::Api`] (non-success code) or [`Error::Decode`] (not a SNAP JSON body; the
/// raw body is kept).
pub fn parse_response<T: DeserializeOwned>(raw: &RawResponse) -> Result<T> {
    let decode = |reason: String| Error::decode(raw.status, reason, raw.body.clone());
    let envelope: Envelope =
        serde_json::from_slice(&raw.body).map_err(|e| decode(format!("body is not a JSON object: {e}")))?;
    let code = envelope
        .response_code
        .ok_or_else(|| decode("body has no responseCode".into()))?;
    let code = ResponseCode::parse(&code).map_err(|e| decode(e.to_string()))?;
    if !code.is_success() {
        return Err(Error::Api {
            http_status: raw.status,
            response_code: code,
            response_message: envelope.response_message.unwrap_or_default(),
        });
    }
    serde_json::from_slice(&raw.body).map_err(|e| decode(format!("unexpected response shape: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parse_and_classify() {
        let c = ResponseCode::parse("2007800").unwrap();
        assert!(c.is_success());
        assert_eq!(c.outcome(), Outcome::Success);
        assert_eq!(ResponseCode::parse("2027800").unwrap().outcome(), Outcome::InProgress);
        assert!(!ResponseCode::parse("2027800").unwrap().is_success());
        assert_eq!(ResponseCode::parse("5047800").unwrap().outcome(), Outcome::Unknown);
        assert_eq!(ResponseCode::parse("5007800").unwrap().outcome(), Outcome::Unknown);
        assert_eq!(ResponseCode::parse("4047801").unwrap().outcome(), Outcome::Rejected);
        assert_eq!(ResponseCode::parse("2007801").unwrap().outcome(), Outcome::InProgress);
        assert_eq!(
            ResponseCode::parse("4097801").unwrap().meaning(),
            Some("Duplicate partnerReferenceNo")
        );
        for bad in [
            "",
            "200780",
            "20078000",
            "20078a0",
            "0007800",
            "9997800",
            "２００７８００",
        ] {
            assert!(ResponseCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parse_response_paths() {
        #[derive(Deserialize, Debug)]
        struct R {
            #[serde(rename = "x")]
            _x: u8,
        }
        let ok = RawResponse::new(
            200,
            vec![],
            br#"{"responseCode":"2007800","responseMessage":"Successful","x":1}"#.to_vec(),
        );
        assert!(parse_response::<R>(&ok).is_ok());
        let api = RawResponse::new(
            409,
            vec![],
            br#"{"responseCode":"4097801","responseMessage":"Duplicate"}"#.to_vec(),
        );
        match parse_response::<R>(&api) {
            Err(Error::Api {
                http_status,
                response_code,
                response_message,
            }) => {
                assert_eq!(http_status, 409);
                assert_eq!(response_code.as_str(), "4097801");
                assert_eq!(response_message, "Duplicate");
            }
            other => panic!("{other:?}"),
        }
        let html = RawResponse::new(502, vec![], b"<html>bad gateway</html>".to_vec());
        match parse_response::<R>(&html) {
            Err(Error::Decode {
                http_status: 502, body, ..
            }) => assert_eq!(body, b"<html>bad gateway</html>"),
            other => panic!("{other:?}"),
        }
        let shape = RawResponse::new(200, vec![], br#"{"responseCode":"2007800"}"#.to_vec());
        assert!(matches!(parse_response::<R>(&shape), Err(Error::Decode { .. })));
    }

    proptest! {
        #[test]
        fn code_round_trips(http in 100u16..600, svc in "[0-9]{2}", case in "[0-9]{2}") {
            let c = ResponseCode::from_parts(http, &svc, &case).unwrap();
            prop_assert_eq!(c.http_status(), http);
            prop_assert_eq!(c.service_code(), svc.as_str());
            prop_assert_eq!(c.case_code(), case.as_str());
            let again = ResponseCode::parse(&c.to_string()).unwrap();
            prop_assert_eq!(&again, &c);
            let json = serde_json::to_string(&c).unwrap();
            prop_assert_eq!(serde_json::from_str::<ResponseCode>(&json).unwrap(), c);
        }

        #[test]
        fn parse_response_never_panics(status in any::<u16>(), body in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse_response::<serde_json::Value>(&RawResponse::new(status, vec![], body));
        }
    }
}
