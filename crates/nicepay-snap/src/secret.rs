//! Secret newtypes that never print their contents.

use std::fmt;

const REDACTED: &str = "[redacted]";

macro_rules! secret_string {
    ($(#[$doc:meta])* $name:ident $(, checked by $check:path)?) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name {
            value: String,
            // Whether the value passes the type's rule, worked out once when it is wrapped (a
            // function of `value`, so the derived equality stays right).
            $(checked: secret_string!(@bool $check),)?
        }

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                let value = value.into();
                Self { $(checked: $check(&value),)? value }
            }

            /// The secret value. Call only where the value is really needed (signing, headers).
            pub fn expose_secret(&self) -> &str {
                &self.value
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), REDACTED)
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::new(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::new(value)
            }
        }
    };
    (@bool $check:path) => { bool };
}

secret_string!(
    /// The merchant's client secret: the HMAC-SHA512 key for transactional signatures.
    ClientSecret
);
secret_string!(
    /// A private key as PEM text (from [`crate::PrivateKey::to_pkcs8_pem`]).
    PrivateKeyPem
);
secret_string!(
    /// A B2B access token issued by `/v1.0/access-token/b2b`.
    AccessToken, checked by token_is_valid
);

/// The rule of [`AccessToken::parse`]: 1 to [`AccessToken::MAX_LEN`] printable ASCII
/// characters.
fn token_is_valid(token: &str) -> bool {
    // A fold without early exit, which the compiler vectorizes (a token is often hundreds of
    // bytes).
    !token.is_empty()
        && token.len() <= AccessToken::MAX_LEN
        && token.bytes().fold(true, |ok, b| ok & b.is_ascii_graphic())
}

impl<'de> serde::Deserialize<'de> for AccessToken {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

impl serde::Serialize for AccessToken {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.value)
    }
}

impl AccessToken {
    /// The longest access token accepted. NICEPAY's tokens are JWTs of a few hundred
    /// characters; a token this long is an answer to distrust (and would not fit in the header
    /// limits of common HTTP servers).
    pub const MAX_LEN: usize = 2048;

    /// A token as it will be sent in `Authorization: Bearer <token>`: 1 to
    /// [`AccessToken::MAX_LEN`] printable ASCII characters, no spaces. The error never
    /// contains the value.
    pub fn parse(value: impl Into<String>) -> crate::Result<Self> {
        let token = Self::new(value);
        token.validate()?;
        Ok(token)
    }

    /// Checks the rule of [`AccessToken::parse`] on a token built with [`AccessToken::new`]
    /// (the check itself ran once, when the token was wrapped: signing a request only reads
    /// its outcome).
    pub fn validate(&self) -> crate::Result<()> {
        if self.checked {
            Ok(())
        } else {
            Err(crate::Error::InvalidInput {
                field: "access_token".into(),
                reason: format!(
                    "must be 1 to {} printable ASCII characters without spaces ({} bytes given; value withheld)",
                    Self::MAX_LEN,
                    self.value.len()
                ),
            })
        }
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
    fn access_tokens_are_bounded_printable_ascii_and_errors_withhold_them() {
        assert!(AccessToken::parse("eyJhbGciOi.J9-_x").is_ok());
        assert!(AccessToken::parse("a".repeat(AccessToken::MAX_LEN)).is_ok());
        for bad in [
            String::new(),
            "has space".into(),
            "tab\there".into(),
            "é-token".into(),
            "x".repeat(AccessToken::MAX_LEN + 1),
        ] {
            let err = AccessToken::parse(bad.as_str()).unwrap_err().to_string();
            assert!(err.contains("access_token"), "{err}");
            if !bad.is_empty() {
                assert!(!err.contains(bad.as_str()), "the value is withheld: {err}");
            }
        }
    }
}
