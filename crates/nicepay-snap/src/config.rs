//! Merchant credentials and environment, validated once by a builder.

use std::fmt;

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
    /// The host root (scheme + host [+ port]) for this environment and host family.
    pub fn host(&self, family: HostFamily) -> &str {
        match (self, family) {
            (Self::Sandbox, HostFamily::Classic) => "https://dev.nicepay.co.id",
            (Self::Sandbox, HostFamily::Cloud) => "https://dev-services.nicepay.co.id",
            (Self::Production, HostFamily::Classic) => "https://www.nicepay.co.id",
            (Self::Production, HostFamily::Cloud) => "https://services.nicepay.co.id",
            (Self::Custom(url), _) => url.trim_end_matches('/'),
        }
    }
}

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
}

impl ConfigBuilder {
    /// Client ID (iMid), e.g. `IONPAYTEST`.
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// Client secret (HMAC key).
    pub fn client_secret(mut self, secret: impl Into<ClientSecret>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }

    /// Merchant private key as text: bare base64 PKCS#8, PEM PKCS#8 or PEM PKCS#1.
    /// Parse errors are reported by `build()`.
    pub fn private_key_text(mut self, text: &str) -> Self {
        self.private_key = Some(PrivateKey::parse(text).map_err(|e| e.to_string()));
        self
    }

    /// An already parsed private key.
    pub fn private_key(mut self, key: PrivateKey) -> Self {
        self.private_key = Some(Ok(key));
        self
    }

    /// NICEPAY's notification public key as text (bare base64 SPKI or PEM).
    pub fn notification_public_key_text(mut self, text: &str) -> Self {
        self.notification_public_key = Some(PublicKey::parse(text).map_err(|e| e.to_string()));
        self
    }

    /// An already parsed notification public key.
    pub fn notification_public_key(mut self, key: PublicKey) -> Self {
        self.notification_public_key = Some(Ok(key));
        self
    }

    /// Overrides `CHANNEL-ID` (default: client ID + `"01"`; see spec open question 7).
    pub fn channel_id(mut self, channel_id: impl Into<String>) -> Self {
        self.channel_id = Some(channel_id.into());
        self
    }

    /// Environment (default: [`Environment::Sandbox`]).
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = Some(environment);
        self
    }

    /// Host family (default: [`HostFamily::Classic`]).
    pub fn host_family(mut self, family: HostFamily) -> Self {
        self.host_family = family;
        self
    }

    /// Shorthand for `environment(Environment::Custom(url))`.
    pub fn base_url(self, url: impl Into<String>) -> Self {
        self.environment(Environment::Custom(url.into()))
    }

    /// Validates everything and builds the config.
    pub fn build(self) -> Result<Config> {
        let client_id = self
            .client_id
            .ok_or_else(|| Error::invalid("client_id", "is required"))?;
        validate_client_id(&client_id)?;
        let secret = self
            .client_secret
            .ok_or_else(|| Error::invalid("client_secret", "is required"))?;
        if secret.expose_secret().is_empty() {
            return Err(Error::invalid("client_secret", "must not be empty"));
        }
        let private_key = match self.private_key {
            None => return Err(Error::invalid("private_key", "is required")),
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
        let host = environment.host(self.host_family);
        if !(host.starts_with("https://") || host.starts_with("http://")) {
            return Err(Error::invalid("base_url", "must start with http:// or https://"));
        }
        if host.contains('?') || host.contains('#') || host.bytes().any(|b| b.is_ascii_whitespace()) {
            return Err(Error::invalid("base_url", "must be a plain scheme://host[:port] root"));
        }
        Ok(Config {
            base_url: format!("{host}{}", crate::canonical::NICEPAY_PREFIX),
            signer: SymmetricSigner::new(&secret),
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

/// Checks a client ID (iMid) the way [`ConfigBuilder::build`] does: 1 to 20 printable ASCII
/// characters, no spaces, no `|` (the separator of `clientId|X-TIMESTAMP`). For tools that take
/// a client ID without building a [`Config`].
///
/// ```
/// use nicepay_snap::config::validate_client_id;
/// assert!(validate_client_id("IONPAYTEST").is_ok());
/// assert!(validate_client_id("ION|PAY").is_err());
/// assert!(validate_client_id("").is_err());
/// ```
pub fn validate_client_id(client_id: &str) -> Result<()> {
    validate_header_value("client_id", client_id, 20)?;
    if client_id.contains('|') {
        return Err(Error::invalid("client_id", "must not contain '|'"));
    }
    Ok(())
}

pub(crate) fn validate_header_value(field: &str, value: &str, max: usize) -> Result<()> {
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
