//! The state a client keeps beyond one call: the shared access token, the journal of
//! money-moving calls and the notifications already processed. One [`Store`], three backends,
//! chosen by one URL ([`Store::open`]):
//!
//! | URL | backend | shared by |
//! |---|---|---|
//! | `memory:` (the default) | this process's memory | the clients of one process that share the [`Store`] |
//! | `sqlite:///abs/path/state.db` | one SQLite file (WAL mode) | every process on one machine |
//! | `redis://[user:password@]host:port[/db]` | a Redis server | every process on every machine |
//!
//! Query parameters tune it: `retention` (seconds a settled journal entry is kept, default one
//! week), `dedupe` (seconds a processed notification is remembered, default one week) and
//! `grace` (seconds an in-flight journal entry is left alone by
//! [`resolve_pending`](crate::Client::resolve_pending), default 120: its process may still be
//! waiting for the answer) and, for SQLite, `sync` (`full`, the default, or `normal`: see
//! [`StoreSettings::full_sync`]), e.g. `sqlite:///var/lib/shop/nicepay.db?retention=86400`.
//!
//! Nothing here does HTTP: the clients decide when to read and write, the backends only store.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use nicepay_snap::{AccessToken, Config, PreparedRequest};
use serde::{Deserialize, Serialize};

use crate::policy::CachedToken;
use crate::ClientError;

mod memory;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "sqlite")]
mod sqlite;

pub(crate) use memory::Memory;

/// Where a money-moving call stands in the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum JournalState {
    /// Recorded before the send; no answer yet (the process may have died while waiting).
    InFlight,
    /// The answer did not settle it (timeout, dropped connection, 5xx, `202`): query it.
    Unknown,
    /// Applied (a success answer, or a status query said so).
    Succeeded,
    /// Not applied (a definitive refusal, or a status query said so).
    Refused,
}

impl JournalState {
    /// `true` for [`JournalState::InFlight`] and [`JournalState::Unknown`]: the outcome is open.
    pub fn is_open(self) -> bool {
        matches!(self, Self::InFlight | Self::Unknown)
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::InFlight => "inFlight",
            Self::Unknown => "unknown",
            Self::Succeeded => "succeeded",
            Self::Refused => "refused",
        }
    }
}

/// One money-moving call in the journal: its intent (written before the request is sent) and
/// its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct JournalEntry {
    /// The merchant (`X-PARTNER-ID`) that made the call.
    pub client_id: String,
    /// Operation name (`qris.refund`, `ewallet.refund`, `payout.approve`, or `raw`).
    pub operation: String,
    /// `X-EXTERNAL-ID` of the request.
    pub external_id: String,
    /// The references that identify the transaction (`originalReferenceNo`,
    /// `partnerRefundNo`, ...).
    pub references: BTreeMap<String, String>,
    /// The amount moved (`refundAmount.value` or `amount.value`), when the request names one.
    pub amount: Option<String>,
    /// The request body as JSON, to build the status query from.
    pub request: serde_json::Value,
    /// When the intent was written, in Unix milliseconds.
    pub created_millis: u64,
    /// Where it stands.
    pub state: JournalState,
    /// When the state last changed, in Unix milliseconds.
    pub updated_millis: u64,
    /// Why it is in this state (a response code, a transport failure, the status query's answer).
    pub detail: Option<String>,
}

impl JournalEntry {
    /// The entry as JSON (camelCase), as the language bindings return it.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// A backend's failure: the operation is refused and nothing was sent.
pub(crate) fn store_error(backend: &'static str, reason: impl fmt::Display) -> ClientError {
    ClientError::Store {
        backend,
        reason: nicepay_snap::error::bound_reason(reason.to_string()),
    }
}

/// What every backend does. Times are Unix milliseconds, given by the caller's clock.
pub(crate) trait Backend: Send + Sync + fmt::Debug {
    /// `"memory"`, `"sqlite"` or `"redis"`.
    fn kind(&self) -> &'static str;
    /// The token of `scope` and when it must be refreshed, if one is stored.
    fn token(&self, scope: &str) -> Result<Option<(String, u64)>, ClientError>;
    /// Takes the refresh lock of `scope` for `owner` until `now + ttl`, unless someone else holds
    /// it: `true` when taken.
    fn lock(&self, scope: &str, owner: &str, now: u64, ttl: u64) -> Result<bool, ClientError>;
    /// Stores a token (valid until `refresh_at`) and releases `owner`'s lock.
    fn put_token(&self, scope: &str, owner: &str, token: &str, refresh_at: u64, now: u64) -> Result<(), ClientError>;
    /// Releases `owner`'s lock, if it still holds it.
    fn unlock(&self, scope: &str, owner: &str) -> Result<(), ClientError>;
    /// Forgets the token of `scope` if it is still `rejected`.
    fn drop_token(&self, scope: &str, rejected: &str) -> Result<(), ClientError>;
    /// Writes (inserts or replaces) a journal entry; a settled one is kept `retention` ms.
    fn journal_put(&self, entry: &JournalEntry, retention: u64) -> Result<(), ClientError>;
    /// The open entries of `client_id`, oldest first.
    fn journal_open(&self, client_id: &str) -> Result<Vec<JournalEntry>, ClientError>;
    /// Drops the settled entries whose retention ended before `now`.
    fn journal_prune(&self, now: u64) -> Result<(), ClientError>;
    /// Records `key` as processed until `now + keep`: `true` when it was not yet recorded.
    fn claim(&self, key: &str, now: u64, keep: u64) -> Result<bool, ClientError>;
}

/// Tunables of a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreSettings {
    /// How long a settled journal entry is kept.
    pub retention: Duration,
    /// How long a processed notification is remembered.
    pub dedupe_window: Duration,
    /// How long an in-flight journal entry is left alone by `resolve_pending`.
    pub in_flight_grace: Duration,
    /// SQLite only: `true` (the default, `sync=full`) syncs every commit to disk, so a journal
    /// entry survives a power loss; `false` (`sync=normal`) survives a crash of the process but
    /// may lose the last entries on a power loss, for a fraction of the cost per money call.
    pub full_sync: bool,
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            retention: Duration::from_secs(7 * 86_400),
            dedupe_window: Duration::from_secs(7 * 86_400),
            in_flight_grace: Duration::from_secs(120),
            full_sync: true,
        }
    }
}

/// A state store: cheap to clone (clones share the backend). See the module docs.
#[derive(Clone)]
pub struct Store(Arc<Inner>);

struct Inner {
    backend: Arc<dyn Backend>,
    settings: StoreSettings,
    /// The URL with any password replaced by `***`.
    shown: String,
    /// Settled journal writes so far: every [`PRUNE_EVERY`]th prunes the journal.
    settled: AtomicU64,
}

/// Settled journal writes between two prunes of expired entries.
const PRUNE_EVERY: u64 = 64;

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("url", &self.0.shown)
            .field("settings", &self.0.settings)
            .finish()
    }
}

impl Default for Store {
    fn default() -> Self {
        Self::memory()
    }
}

impl Store {
    /// A new, empty in-memory store (per process; what a client has without a store).
    pub fn memory() -> Self {
        Self::with_backend(Arc::new(Memory::default()), "memory:".into(), StoreSettings::default())
    }

    fn with_backend(backend: Arc<dyn Backend>, shown: String, settings: StoreSettings) -> Self {
        Self(Arc::new(Inner {
            backend,
            settings,
            shown,
            settled: AtomicU64::new(0),
        }))
    }

    /// Opens the store a URL names (see the module docs). A malformed URL, an unwritable SQLite
    /// file or an unreachable Redis is an error here, not at the first call.
    pub fn open(url: &str) -> Result<Self, ClientError> {
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let shown = redacted(base);
        let invalid = |reason: &str| {
            ClientError::Snap(nicepay_snap::Error::InvalidInput {
                field: "store".into(),
                reason: format!("{reason} (got {})", nicepay_snap::error::echo(&shown)),
            })
        };
        let settings = parse_settings(query).map_err(|r| invalid(&r))?;
        let backend: Arc<dyn Backend> = if base == "memory:" || base == "memory://" {
            Arc::new(Memory::default())
        } else if let Some(path) = base.strip_prefix("sqlite://") {
            if !path.starts_with('/') || path.len() < 2 {
                return Err(invalid(
                    "a SQLite store needs an absolute path: sqlite:///path/to/state.db",
                ));
            }
            open_sqlite(path, settings.full_sync)?
        } else if base.starts_with("redis://") || base.starts_with("rediss://") {
            open_redis(base)?
        } else {
            return Err(invalid(
                "expected memory:, sqlite:///absolute/path.db or redis://host:port/db",
            ));
        };
        Ok(Self::with_backend(backend, shown, settings))
    }

    /// Replaces the settings.
    pub fn with_settings(self, settings: StoreSettings) -> Self {
        Self::with_backend(Arc::clone(&self.0.backend), self.0.shown.clone(), settings)
    }

    /// The settings.
    pub fn settings(&self) -> &StoreSettings {
        &self.0.settings
    }

    /// `"memory"`, `"sqlite"` or `"redis"`.
    pub fn kind(&self) -> &'static str {
        self.0.backend.kind()
    }

    /// `true` when other processes may share this store (SQLite, Redis).
    pub fn is_shared(&self) -> bool {
        self.kind() != "memory"
    }

    pub(crate) fn backend(&self) -> &dyn Backend {
        &*self.0.backend
    }

    /// Records a processed notification under `key`: `true` the first time (within the dedupe
    /// window), `false` for a repeat.
    pub(crate) fn claim_notification(&self, key: &str, now: u64) -> Result<bool, ClientError> {
        self.0.backend.claim(key, now, millis(self.0.settings.dedupe_window))
    }
}

/// How long a process may hold the token refresh lock: it expires then, so a process that died
/// while refreshing does not block the others for longer.
const TOKEN_LOCK_TTL: Duration = Duration::from_secs(30);
/// Pause between two looks while another process refreshes the token.
pub(crate) const TOKEN_WAIT: Duration = Duration::from_millis(20);

/// What [`Store::shared_token`] found.
pub(crate) enum SharedToken {
    /// A fresh token from the store.
    Fresh(CachedToken),
    /// None, and the caller now holds the refresh lock: fetch one and [`Store::put_token`] it
    /// (or [`Store::unlock_token`] on failure).
    Locked,
    /// None, and another process is fetching one: wait [`TOKEN_WAIT`] and look again.
    Busy,
}

/// The store key of a merchant's token: its client id and the API it is for.
pub(crate) fn token_scope(config: &Config) -> String {
    format!("{}@{}", config.client_id(), config.base_url())
}

impl Store {
    /// The shared token of `scope` if it is fresh at `now`; else the refresh lock for `owner`
    /// if nobody holds it.
    pub(crate) fn shared_token(&self, scope: &str, owner: &str, now: u64) -> Result<SharedToken, ClientError> {
        let backend = self.backend();
        let fresh = |found: Option<(String, u64)>| -> Result<Option<CachedToken>, ClientError> {
            match found {
                Some((token, refresh_at_millis)) if refresh_at_millis > now => Ok(Some(CachedToken {
                    token: AccessToken::parse(token)?,
                    refresh_at_millis,
                })),
                _ => Ok(None),
            }
        };
        if let Some(token) = fresh(backend.token(scope)?)? {
            return Ok(SharedToken::Fresh(token));
        }
        if !backend.lock(scope, owner, now, millis(TOKEN_LOCK_TTL))? {
            return Ok(SharedToken::Busy);
        }
        // Stored between the look and the lock?
        match fresh(backend.token(scope)?)? {
            Some(token) => {
                backend.unlock(scope, owner)?;
                Ok(SharedToken::Fresh(token))
            }
            None => Ok(SharedToken::Locked),
        }
    }

    /// Shares a fetched token and releases `owner`'s refresh lock.
    pub(crate) fn put_token(&self, scope: &str, owner: &str, token: &CachedToken, now: u64) -> Result<(), ClientError> {
        self.backend()
            .put_token(scope, owner, token.token.expose_secret(), token.refresh_at_millis, now)
    }

    /// Releases `owner`'s refresh lock after a failed fetch.
    pub(crate) fn unlock_token(&self, scope: &str, owner: &str) -> Result<(), ClientError> {
        self.backend().unlock(scope, owner)
    }

    /// Forgets the shared token if it is still `rejected` (answered `401xx01`).
    pub(crate) fn drop_token(&self, scope: &str, rejected: &AccessToken) -> Result<(), ClientError> {
        self.backend().drop_token(scope, rejected.expose_secret())
    }

    /// Writes a journal entry (an intent, or an outcome); every [`PRUNE_EVERY`]th settled one
    /// also drops the settled entries past their retention.
    pub(crate) fn journal_write(&self, entry: &JournalEntry) -> Result<(), ClientError> {
        self.backend().journal_put(entry, millis(self.0.settings.retention))?;
        if !entry.state.is_open()
            && self
                .0
                .settled
                .fetch_add(1, Ordering::Relaxed)
                .is_multiple_of(PRUNE_EVERY)
        {
            self.backend().journal_prune(entry.updated_millis)?;
        }
        Ok(())
    }

    /// The open journal entries of `client_id` (every process's), oldest first.
    pub(crate) fn journal_open(&self, client_id: &str) -> Result<Vec<JournalEntry>, ClientError> {
        self.backend().journal_open(client_id)
    }
}

impl JournalEntry {
    /// The intent of a money-moving call of `operation`, about to send `request` (whose body,
    /// as JSON, is `body`), at `now`.
    pub(crate) fn intent(
        config: &Config,
        operation: &str,
        request: &PreparedRequest,
        body: Option<serde_json::Value>,
        now: u64,
    ) -> Self {
        let body = body.unwrap_or(serde_json::Value::Null);
        let amount = ["refundAmount", "amount"]
            .iter()
            .find_map(|k| body.get(k)?.get("value")?.as_str())
            .map(str::to_owned);
        Self {
            client_id: config.client_id().to_owned(),
            operation: operation.to_owned(),
            external_id: request.header("X-EXTERNAL-ID").unwrap_or_default().to_owned(),
            references: crate::policy::identifiers(&body).into_iter().collect(),
            amount,
            request: body,
            created_millis: now,
            state: JournalState::InFlight,
            updated_millis: now,
            detail: None,
        }
    }

    /// Moves the entry to `state` at `now`, saying why.
    pub(crate) fn settle(&mut self, state: JournalState, detail: Option<String>, now: u64) {
        self.state = state;
        self.detail = detail;
        self.updated_millis = now;
    }

    /// The state a call's result puts its entry in: a success applied it, an unknown outcome
    /// leaves it open, any other failure (a refusal, or a request that certainly never arrived)
    /// did not apply it.
    pub(crate) fn outcome_of<R>(result: &Result<R, ClientError>) -> (JournalState, Option<String>) {
        match result {
            Ok(_) => (JournalState::Succeeded, None),
            Err(e @ ClientError::OutcomeUnknown { .. }) => (JournalState::Unknown, Some(e.to_string())),
            Err(e) => (JournalState::Refused, Some(e.to_string())),
        }
    }
}

/// Runs a store operation on the calling thread (the blocking client).
pub(crate) fn run_here<R>(store: &Store, op: impl FnOnce(&Store) -> Result<R, ClientError>) -> Result<R, ClientError> {
    op(store)
}

/// Runs a store operation for the async client: off the executor (on tokio's blocking pool) when
/// the backend does IO, in place for the in-memory one.
pub(crate) async fn run_off<R: Send + 'static>(
    store: &Store,
    op: impl FnOnce(&Store) -> Result<R, ClientError> + Send + 'static,
) -> Result<R, ClientError> {
    if !store.is_shared() {
        return op(store);
    }
    let kind = store.kind();
    let store = store.clone();
    tokio::task::spawn_blocking(move || op(&store))
        .await
        .unwrap_or_else(|e| Err(store_error(kind, format!("the store task failed: {e}"))))
}

#[cfg(feature = "sqlite")]
fn open_sqlite(path: &str, full_sync: bool) -> Result<Arc<dyn Backend>, ClientError> {
    Ok(Arc::new(sqlite::Sqlite::open(path, full_sync)?))
}

#[cfg(not(feature = "sqlite"))]
fn open_sqlite(_path: &str, _full_sync: bool) -> Result<Arc<dyn Backend>, ClientError> {
    Err(store_error(
        "sqlite",
        "this build has no SQLite store (feature `sqlite`)",
    ))
}

#[cfg(feature = "redis")]
fn open_redis(url: &str) -> Result<Arc<dyn Backend>, ClientError> {
    Ok(Arc::new(redis::Redis::open(url)?))
}

#[cfg(not(feature = "redis"))]
fn open_redis(_url: &str) -> Result<Arc<dyn Backend>, ClientError> {
    Err(store_error("redis", "this build has no Redis store (feature `redis`)"))
}

/// A duration in whole milliseconds, saturating.
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// `retention=..&dedupe=..&grace=..` (seconds) over the defaults.
fn parse_settings(query: &str) -> Result<StoreSettings, String> {
    let mut settings = StoreSettings::default();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if name == "sync" {
            settings.full_sync = match value {
                "full" => true,
                "normal" => false,
                _ => return Err("`sync` must be full or normal".into()),
            };
            continue;
        }
        let seconds = value
            .parse::<f64>()
            .ok()
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .ok_or_else(|| format!("`{name}` must be a number of seconds"))?;
        match name {
            "retention" => settings.retention = seconds,
            "dedupe" => settings.dedupe_window = seconds,
            "grace" => settings.in_flight_grace = seconds,
            _ => return Err("unknown parameter; expected retention, dedupe, grace or sync".into()),
        }
    }
    Ok(settings)
}

/// The URL with the password of its `user:password@` part replaced by `***`.
fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => {
            let user = rest[..at].split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***{}", &rest[at..])
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_or_fail_with_a_typed_error_that_hides_the_password() {
        assert_eq!(Store::open("memory:").unwrap().kind(), "memory");
        let s = Store::open("memory:?retention=60&dedupe=1.5&grace=0").unwrap();
        assert_eq!(s.settings().retention, Duration::from_secs(60));
        assert_eq!(s.settings().dedupe_window, Duration::from_millis(1500));
        assert_eq!(s.settings().in_flight_grace, Duration::ZERO);
        assert!(s.settings().full_sync && !Store::open("memory:?sync=normal").unwrap().settings().full_sync);
        for bad in [
            "",
            "postgres://x",
            "memory:?retention=-1",
            "memory:?colour=red",
            "sqlite",
        ] {
            let err = Store::open(bad).unwrap_err();
            assert!(err.to_string().contains("`store`"), "{bad}: {err}");
        }
        let err = Store::open("mongodb://user:hunter2@127.0.0.1/x").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        assert_eq!(redacted("redis://u:p@h:1/0"), "redis://u:***@h:1/0");
        assert_eq!(redacted("redis://:p@h:1/0"), "redis://:***@h:1/0");
        assert_eq!(redacted("redis://h:1/0"), "redis://h:1/0");
    }

    #[test]
    fn a_notification_is_claimed_once() {
        let store = Store::memory();
        assert!(store.claim_notification("qris:T1:00", 1).unwrap());
        assert!(!store.claim_notification("qris:T1:00", 2).unwrap());
        assert!(store.claim_notification("qris:T2:00", 2).unwrap());
    }
}
