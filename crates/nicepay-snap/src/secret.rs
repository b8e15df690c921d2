//! Secret newtypes that never print their contents.

use std::fmt;

const REDACTED: &str = "[redacted]";

macro_rules! secret_string {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret value. Call only where the value is really needed (signing, headers).
            pub fn expose_secret(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), REDACTED)
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }
    };
}

secret_string!(
    /// The merchant's client secret: the HMAC-SHA512 key for transactional signatures.
    ClientSecret
);
secret_string!(
    /// A B2B access token issued by `/v1.0/access-token/b2b`.
    AccessToken
);

impl AccessToken {
    /// Checks that the token can be sent and signed as given: non-empty printable ASCII without
    /// spaces (what [`crate::Config::prepare`] requires). The error never contains the token.
    pub fn validate(&self) -> crate::Result<()> {
        if self.0.is_empty() || !self.0.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(crate::Error::invalid(
                "access_token",
                "must be non-empty printable ASCII without spaces",
            ));
        }
        Ok(())
    }
}

impl<'de> serde::Deserialize<'de> for AccessToken {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

impl serde::Serialize for AccessToken {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

pub(crate) fn redacted() -> &'static str {
    REDACTED
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = ClientSecret::new("super-secret-value");
        let t = AccessToken::new("token-value-123");
        assert_eq!(format!("{s:?}"), "ClientSecret([redacted])");
        assert_eq!(format!("{t:?}"), "AccessToken([redacted])");
        assert!(!format!("{s:#?}{t:#?}").contains("secret-value"));
        assert_eq!(s.expose_secret(), "super-secret-value");
    }

    #[test]
    fn access_token_validation_never_echoes_the_token() {
        assert!(AccessToken::new("eyJ.abc-_~").validate().is_ok());
        for bad in ["", "has space", "tab\there", "é", "line\n"] {
            let err = AccessToken::new(bad).validate().unwrap_err();
            assert!(matches!(&err, crate::Error::InvalidInput { field, .. } if field == "access_token"));
            if !bad.is_empty() {
                assert!(!err.to_string().contains(bad), "{err}");
            }
        }
    }
}
