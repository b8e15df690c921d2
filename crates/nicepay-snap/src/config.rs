//! Merchant credentials and environment, validated once by a builder.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::keys::{PrivateKey, PublicKey};
use crate::secret::ClientSecret;
use crate::symmetric::SymmetricSigner;

/// NICEPAY environment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Environment {
    /// Sandbox (`dev.nicepay.co.id` / `dev-services.nicepay.co.id`).
    Sandbox,
    /// Staging (`staging.nicepay.co.id`; classic host family only, as NICEPAY's Python SDK
    /// names it; spec §2, medium confidence).
    Staging,
    /// Production (`www.nicepay.co.id` / `services.nicepay.co.id`).
    Production,
    /// Any other host root, e.g. `http://127.0.0.1:8080` for the simulator. `/nicepay` is
    /// appended to it just as for the real hosts.
    Custom(String),
}

/// Which host family the merchant was onboarded on (decided by NICEPAY).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HostFamily {
    /// `dev.nicepay.co.id` / `www.nicepay.co.id`.
    #[default]
    Classic,
    /// `dev-services.nicepay.co.id` / `services.nicepay.co.id`.
    Cloud,
}

impl Environment {
    /// The host root (scheme + host [+ port]) for this environment and host family; an error
    /// for a combination NICEPAY does not offer (staging on the cloud family).
    pub fn host(&self, family: HostFamily) -> Result<&str> {
        Ok(match (self, family) {
            (Self::Sandbox, HostFamily::Classic) => "https://dev.nicepay.co.id",
            (Self::Sandbox, HostFamily::Cloud) => "https://dev-services.nicepay.co.id",
            (Self::Staging, HostFamily::Classic) => "https://staging.nicepay.co.id",
            (Self::Staging, HostFamily::Cloud) => {
                return Err(Error::invalid(
                    "host_family",
                    "staging has no cloud host: use \"classic\"",
                ))
            }
            (Self::Production, HostFamily::Classic) => "https://www.nicepay.co.id",
            (Self::Production, HostFamily::Cloud) => "https://services.nicepay.co.id",
            (Self::Custom(url), _) => url.trim_end_matches('/'),
        })
    }
}

/// `FromStr` from a name, trimmed and in any case; any other name is refused under `$field`.
macro_rules! from_name {
    ($(#[$doc:meta])* $ty:ident, $field:literal, $expected:literal { $($name:literal => $value:ident,)* }) => {
        $(#[$doc])*
        impl FromStr for $ty {
            type Err = Error;

            fn from_str(name: &str) -> Result<Self> {
                match name.trim().to_ascii_lowercase().as_str() {
                    $($name => Ok(Self::$value),)*
                    _ => Err(Error::invalid($field, $expected)),
                }
            }
        }
    };
}

from_name!(
    /// `"sandbox"`, `"staging"` or `"production"`, in any case.
    Environment, "environment", "must be \"sandbox\", \"staging\" or \"production\" (or give base_url)" {
        "sandbox" => Sandbox,
        "staging" => Staging,
        "production" => Production,
    }
);

from_name!(
    /// `"classic"` or `"cloud"`, in any case.
    HostFamily, "host_family", "must be \"classic\" or \"cloud\"" {
        "classic" => Classic,
        "cloud" => Cloud,
    }
);

/// The environment variables that [`ConfigBuilder::from_env_lookup`] reads, with the builder
/// field each one fills. The first three are required.
pub const ENV_VARIABLES: [(&str, &str); 8] = [
    ("NICEPAY_CLIENT_ID", "client_id"),
    ("NICEPAY_CLIENT_SECRET", "client_secret"),
    ("NICEPAY_PRIVATE_KEY", "private_key"),
    ("NICEPAY_NOTIFICATION_PUBLIC_KEY", "notification_public_key"),
    ("NICEPAY_BASE_URL", "base_url"),
    ("NICEPAY_ENVIRONMENT", "environment"),
    ("NICEPAY_HOST_FAMILY", "host_family"),
    ("NICEPAY_CHANNEL_ID", "channel_id"),
];

/// Validated merchant configuration: identities, parsed keys and the base URL.
///
/// Build it with [`Config::builder`]. Keys are parsed and the HMAC key prepared once here, never
/// per request. `Debug` output redacts the client secret and private key.
#[derive(Clone)]
pub struct Config {
    client_id: String,
    channel_id: String,
    base_url: String,
    signer: SymmetricSigner,
    client_secret: ClientSecret,
    private_key: PrivateKey,
    notification_public_key: Option<PublicKey>,
}

impl Config {
    /// Starts a builder.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// Client ID (iMid): `X-CLIENT-KEY`, `X-PARTNER-ID`, and usually the `merchantId` field.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// `CHANNEL-ID` header value (default: client ID + `"01"`).
    pub fn channel_id(&self) -> &str {
        &self.channel_id
    }

    /// Base URL including the `/nicepay` prefix, e.g. `https://dev.nicepay.co.id/nicepay`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The client secret (for scrubbing it from server answers; sign with [`Config::signer`]).
    pub fn client_secret(&self) -> &ClientSecret {
        &self.client_secret
    }

    /// The prepared HMAC-SHA512 signer.
    pub fn signer(&self) -> &SymmetricSigner {
        &self.signer
    }

    /// The merchant private key.
    pub fn private_key(&self) -> &PrivateKey {
        &self.private_key
    }

    /// NICEPAY's notification public key, if configured.
    pub fn notification_public_key(&self) -> Option<&PublicKey> {
        self.notification_public_key.as_ref()
    }

    /// Full URL for a signed path (`/api/v1.0/...`).
    pub fn url_for(&self, signed_path: &str) -> String {
        format!("{}{}", self.base_url, signed_path)
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("client_id", &self.client_id)
            .field("channel_id", &self.channel_id)
            .field("base_url", &self.base_url)
            .field("client_secret", &"[redacted]")
            .field("private_key", &"[redacted]")
            .field("notification_public_key", &self.notification_public_key.is_some())
            .finish()
    }
}

/// Builder for [`Config`]; `build()` reports the first missing or invalid field by name.
///
/// ```
/// use nicepay_snap::{Config, Environment};
/// let err = Config::builder().client_id("IONPAYTEST").build().unwrap_err();
/// assert!(err.to_string().contains("client_secret"));
/// ```
#[derive(Default, Clone)]
pub struct ConfigBuilder {
    client_id: Option<String>,
    client_secret: Option<ClientSecret>,
    private_key: Option<std::result::Result<PrivateKey, String>>,
    notification_public_key: Option<std::result::Result<PublicKey, String>>,
    channel_id: Option<String>,
    environment: Option<Environment>,
    host_family: HostFamily,
    /// Filled by [`ConfigBuilder::from_env_lookup`]: a missing required value is then reported
    /// under its variable's name.
    from_env: bool,
}

/// Builder methods that each set one field and return the builder:
/// `name(arg: Type) => field = value;` becomes `pub fn name(mut self, arg: Type) -> Self`.
macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident($arg:ident: $ty:ty) => $field:ident = $value:expr;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, $arg: $ty) -> Self {
                self.$field = $value;
                self
            }
        )*
    };
}

impl ConfigBuilder {
    setters! {
        /// Client ID (iMid), e.g. `IONPAYTEST`.
        client_id(client_id: impl Into<String>) => client_id = Some(client_id.into());
        /// Client secret (HMAC key).
        client_secret(secret: impl Into<ClientSecret>) => client_secret = Some(secret.into());
        /// Merchant private key as text: bare base64 PKCS#8, PEM PKCS#8 or PEM PKCS#1.
        /// Parse errors are reported by `build()`.
        private_key_text(text: &str) => private_key = Some(PrivateKey::parse(text).map_err(|e| e.to_string()));
        /// An already parsed private key.
        private_key(key: PrivateKey) => private_key = Some(Ok(key));
        /// NICEPAY's notification public key as text (bare base64 SPKI or PEM).
        notification_public_key_text(text: &str) =>
            notification_public_key = Some(PublicKey::parse(text).map_err(|e| e.to_string()));
        /// An already parsed notification public key.
        notification_public_key(key: PublicKey) => notification_public_key = Some(Ok(key));
        /// Overrides `CHANNEL-ID` (default: client ID + `"01"`; see spec open question 7).
        channel_id(channel_id: impl Into<String>) => channel_id = Some(channel_id.into());
        /// Environment (default: [`Environment::Sandbox`]).
        environment(environment: Environment) => environment = Some(environment);
        /// Host family (default: [`HostFamily::Classic`]).
        host_family(family: HostFamily) => host_family = family;
    }

    /// Where to connect, from strings as configuration files and language bindings give them:
    /// `base_url` (a host root such as a simulator's) wins over `environment` (`"sandbox"`,
    /// `"staging"`, `"production"`; default sandbox); `host_family` is `"classic"` (default) or
    /// `"cloud"`.
    pub fn location(
        mut self,
        base_url: Option<&str>,
        environment: Option<&str>,
        host_family: Option<&str>,
    ) -> Result<Self> {
        self.environment = Some(match (base_url, environment) {
            (Some(url), _) => Environment::Custom(url.to_owned()),
            (None, Some(name)) => name.parse()?,
            (None, None) => Environment::Sandbox,
        });
        if let Some(family) = host_family {
            self.host_family = family.parse()?;
        }
        Ok(self)
    }

    /// A builder filled from the documented `NICEPAY_*` variables ([`ENV_VARIABLES`]), read
    /// through `lookup` (e.g. a closure over the process environment: the core itself reads no
    /// environment). Values are trimmed; empty ones count as unset. Keys may carry literal `\n`
    /// sequences. Setters called afterwards override what the variables gave, and `build()`
    /// reports a missing required value under its variable's name (`NICEPAY_CLIENT_ID`, ...).
    pub fn from_env_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let var = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let mut builder = Self {
            from_env: true,
            ..Self::default()
        };
        if let Some(id) = var("NICEPAY_CLIENT_ID") {
            builder = builder.client_id(id);
        }
        if let Some(secret) = var("NICEPAY_CLIENT_SECRET") {
            builder = builder.client_secret(secret);
        }
        if let Some(key) = var("NICEPAY_PRIVATE_KEY") {
            builder = builder.private_key_text(&key);
        }
        if let Some(key) = var("NICEPAY_NOTIFICATION_PUBLIC_KEY") {
            builder = builder.notification_public_key_text(&key);
        }
        if let Some(channel) = var("NICEPAY_CHANNEL_ID") {
            builder = builder.channel_id(channel);
        }
        builder.location(
            var("NICEPAY_BASE_URL").as_deref(),
            var("NICEPAY_ENVIRONMENT").as_deref(),
            var("NICEPAY_HOST_FAMILY").as_deref(),
        )
    }

    fn missing(&self, field: &str) -> Error {
        match ENV_VARIABLES.iter().find(|(_, f)| *f == field) {
            Some((var, _)) if self.from_env => Error::invalid(*var, "environment variable is not set"),
            _ => Error::invalid(field, "is required"),
        }
    }

    /// Shorthand for `environment(Environment::Custom(url))`.
    pub fn base_url(self, url: impl Into<String>) -> Self {
        self.environment(Environment::Custom(url.into()))
    }

    /// Validates everything and builds the config.
    pub fn build(mut self) -> Result<Config> {
        let client_id = self.client_id.take().ok_or_else(|| self.missing("client_id"))?;
        validate_client_id(&client_id)?;
        let secret = self.client_secret.take().ok_or_else(|| self.missing("client_secret"))?;
        if secret.expose_secret().is_empty() {
            return Err(Error::invalid("client_secret", "must not be empty"));
        }
        let private_key = match self.private_key.take() {
            None => return Err(self.missing("private_key")),
            Some(Err(reason)) => return Err(Error::key("private_key", reason)),
            Some(Ok(key)) => key,
        };
        let notification_public_key = match self.notification_public_key {
            None => None,
            Some(Err(reason)) => return Err(Error::key("notification_public_key", reason)),
            Some(Ok(key)) => Some(key),
        };
        let channel_id = self.channel_id.unwrap_or_else(|| format!("{client_id}01"));
        validate_header_value("channel_id", &channel_id, 40)?;
        let environment = self.environment.unwrap_or(Environment::Sandbox);
        let host = environment.host(self.host_family)?;
        if !(host.starts_with("https://") || host.starts_with("http://")) {
            return Err(Error::invalid("base_url", "must start with http:// or https://"));
        }
        let authority = host
            .split_once("://")
            .map_or("", |(_, rest)| rest.split('/').next().unwrap_or(""));
        if authority.contains('@') {
            // Never echoed: the value holds a password. SNAP authenticates with headers, so a
            // URL never needs credentials, and refusing them keeps them out of every error,
            // `Debug` output and `repr`.
            return Err(Error::invalid(
                "base_url",
                "must not contain user:password@ credentials (value withheld)",
            ));
        }
        if host.contains('?') || host.contains('#') || host.bytes().any(|b| b.is_ascii_whitespace()) {
            return Err(Error::invalid("base_url", "must be a plain scheme://host[:port] root"));
        }
        Ok(Config {
            base_url: format!("{host}{}", crate::canonical::NICEPAY_PREFIX),
            signer: SymmetricSigner::new(&secret),
            client_secret: secret,
            client_id,
            channel_id,
            private_key,
            notification_public_key,
        })
    }
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("client_id", &self.client_id)
            .field("environment", &self.environment)
            .field("host_family", &self.host_family)
            .finish_non_exhaustive()
    }
}

/// The longest client id (iMid) accepted.
pub const MAX_CLIENT_ID_LEN: usize = 20;

/// The rule for a client id (iMid): a header value of at most [`MAX_CLIENT_ID_LEN`] characters
/// without `|` (the separator of the signed `clientId|X-TIMESTAMP`).
pub fn validate_client_id(value: &str) -> Result<()> {
    validate_header_value("client_id", value, MAX_CLIENT_ID_LEN)?;
    if value.contains('|') {
        return Err(Error::invalid("client_id", "must not contain '|'"));
    }
    Ok(())
}

/// The rule for signed header values and ids (client id, channel id, tokens): 1 to `max`
/// bytes of printable ASCII without spaces. The error names `field` and never the value.
pub fn validate_header_value(field: &str, value: &str, max: usize) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.len() > max {
        return Err(Error::invalid(field, format!("at most {max} characters")));
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::invalid(field, "only printable ASCII without spaces is allowed"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = include_str!("../../../tests/keys/merchant-test-private-pkcs8.pem");

    fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
    }

    #[test]
    fn environments_and_host_families_parse_from_names() {
        assert_eq!("Sandbox".parse::<Environment>().unwrap(), Environment::Sandbox);
        assert_eq!(" staging ".parse::<Environment>().unwrap(), Environment::Staging);
        assert_eq!("PRODUCTION".parse::<Environment>().unwrap(), Environment::Production);
        assert!("prod"
            .parse::<Environment>()
            .unwrap_err()
            .to_string()
            .contains("environment"));
        assert_eq!("cloud".parse::<HostFamily>().unwrap(), HostFamily::Cloud);
        assert!("edge"
            .parse::<HostFamily>()
            .unwrap_err()
            .to_string()
            .contains("host_family"));
        assert_eq!(
            Environment::Staging.host(HostFamily::Classic).unwrap(),
            "https://staging.nicepay.co.id"
        );
        assert!(Environment::Staging.host(HostFamily::Cloud).is_err());
    }

    #[test]
    fn location_prefers_the_base_url() {
        let b = Config::builder()
            .client_id("IONPAYTEST")
            .client_secret("s")
            .private_key_text(KEY);
        let c = b
            .clone()
            .location(Some("http://127.0.0.1:9"), Some("production"), None)
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(c.base_url(), "http://127.0.0.1:9/nicepay");
        let c = b
            .clone()
            .location(None, Some("staging"), Some("classic"))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(c.base_url(), "https://staging.nicepay.co.id/nicepay");
        let err = b
            .location(None, Some("staging"), Some("cloud"))
            .unwrap()
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("host_family"), "{err}");
    }

    #[test]
    fn from_env_lookup_reads_trims_and_names_missing_variables() {
        let escaped = KEY.replace('\n', "\\n");
        let vars = [
            ("NICEPAY_CLIENT_ID", " IONPAYTEST "),
            ("NICEPAY_CLIENT_SECRET", "env-secret"),
            ("NICEPAY_PRIVATE_KEY", escaped.as_str()),
            ("NICEPAY_ENVIRONMENT", "production"),
            ("NICEPAY_HOST_FAMILY", "cloud"),
            ("NICEPAY_CHANNEL_ID", ""),
        ];
        let c = ConfigBuilder::from_env_lookup(lookup(&vars)).unwrap().build().unwrap();
        assert_eq!(c.client_id(), "IONPAYTEST");
        assert_eq!(c.channel_id(), "IONPAYTEST01", "an empty variable is unset");
        assert_eq!(c.base_url(), "https://services.nicepay.co.id/nicepay");
        let err = ConfigBuilder::from_env_lookup(lookup(&vars[1..]))
            .unwrap()
            .build()
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { field, .. } if field == "NICEPAY_CLIENT_ID"),
            "{err:?}"
        );
        // A setter after the lookup fills what the environment lacks.
        let c = ConfigBuilder::from_env_lookup(lookup(&vars[1..]))
            .unwrap()
            .client_id("OTHER")
            .build()
            .unwrap();
        assert_eq!(c.client_id(), "OTHER");
        let bad = [("NICEPAY_ENVIRONMENT", "moon")];
        assert!(ConfigBuilder::from_env_lookup(lookup(&bad)).is_err());
    }

    #[test]
    fn credentials_in_the_base_url_are_refused_without_echoing_them() {
        let err = Config::builder()
            .client_id("IONPAYTEST")
            .client_secret("s")
            .private_key_text(KEY)
            .base_url("http://user:hunter2-password@127.0.0.1:9")
            .build()
            .unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(text.contains("base_url") && !text.contains("hunter2"), "{text}");
        // An `@` in a path segment of a custom root is not a credential.
        assert!(Config::builder()
            .client_id("IONPAYTEST")
            .client_secret("s")
            .private_key_text(KEY)
            .base_url("http://127.0.0.1:9/a@b")
            .build()
            .is_ok());
    }

    #[test]
    fn client_ids_follow_one_rule() {
        assert!(validate_client_id("IONPAYTEST").is_ok());
        for bad in ["", "A|B", "with space", "é", &"X".repeat(MAX_CLIENT_ID_LEN + 1)] {
            assert!(validate_client_id(bad).is_err(), "{bad:?}");
        }
    }
}
