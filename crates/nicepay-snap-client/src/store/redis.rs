//! The Redis backend: shared by every process that reaches the server. Keys live under
//! `nicepay-snap:`; settled journal entries and processed notifications expire by themselves
//! (`PX`), open journal entries are listed in one set per merchant.
//!
//! One connection per [`Store`](super::Store), reopened after a failure: while the server is
//! down every operation fails at once with [`ClientError::Store`], and works again when it is
//! back.

use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use redis::{Connection, RedisResult};

use super::{store_error, Backend, JournalEntry};
use crate::ClientError;

/// How long connecting, and each command, may take.
const TIMEOUT: Duration = Duration::from_secs(2);
const PREFIX: &str = "nicepay-snap:";

/// Deletes `KEYS[1]` when its field `t` is `ARGV[1]`.
const DROP_TOKEN: &str =
    "if redis.call('hget', KEYS[1], 't') == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";
/// Deletes `KEYS[1]` when it is `ARGV[1]`.
const UNLOCK: &str = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

/// The Redis backend.
pub(crate) struct Redis {
    client: redis::Client,
    conn: Mutex<Option<Connection>>,
    /// Removed from error messages, should a driver message ever quote it.
    password: Option<String>,
}

impl fmt::Debug for Redis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redis").finish_non_exhaustive()
    }
}

impl Redis {
    /// Connects to the server `url` names (checking it answers `PING`).
    pub(crate) fn open(url: &str) -> Result<Self, ClientError> {
        let client = redis::Client::open(url).map_err(|e| store_error("redis", e))?;
        let password = client.get_connection_info().redis.password.clone();
        let store = Self {
            client,
            conn: Mutex::new(None),
            password,
        };
        store.run(|c| redis::cmd("PING").query::<String>(c))?;
        Ok(store)
    }

    fn failed(&self, e: impl fmt::Display) -> ClientError {
        let mut reason = e.to_string();
        if let Some(p) = self.password.as_deref().filter(|p| !p.is_empty()) {
            reason = reason.replace(p, "***");
        }
        store_error("redis", reason)
    }

    fn conn(&self) -> MutexGuard<'_, Option<Connection>> {
        // Only an `Option` of a connection: a panic while it was held leaves it whole or `None`.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `op` on the connection (opened first when there is none); a failed connection is
    /// dropped so that the next operation reconnects.
    fn run<R>(&self, op: impl FnOnce(&mut Connection) -> RedisResult<R>) -> Result<R, ClientError> {
        let mut slot = self.conn();
        if slot.is_none() {
            let conn = self
                .client
                .get_connection_with_timeout(TIMEOUT)
                .map_err(|e| self.failed(e))?;
            conn.set_read_timeout(Some(TIMEOUT)).map_err(|e| self.failed(e))?;
            conn.set_write_timeout(Some(TIMEOUT)).map_err(|e| self.failed(e))?;
            *slot = Some(conn);
        }
        let conn = slot.as_mut().expect("connected above");
        op(conn).map_err(|e| {
            if e.is_io_error() || e.is_connection_dropped() || e.is_unrecoverable_error() || e.is_timeout() {
                *slot = None;
            }
            self.failed(e)
        })
    }
}

impl Redis {
    /// Sets `name` to `value` for `ttl` ms unless it exists (`SET NX PX`): `true` when set.
    fn set_new(&self, name: &str, value: &str, ttl: u64) -> Result<bool, ClientError> {
        let set: Option<String> = self.run(|c| {
            redis::cmd("SET")
                .arg(name)
                .arg(value)
                .arg("NX")
                .arg("PX")
                .arg(px(ttl))
                .query(c)
        })?;
        Ok(set.is_some())
    }

    /// Runs a compare-and-delete `script` on `name` with the expected value `value`.
    fn delete_if(&self, script: &str, name: &str, value: &str) -> Result<(), ClientError> {
        self.run(|c| {
            redis::cmd("EVAL")
                .arg(script)
                .arg(1)
                .arg(name)
                .arg(value)
                .query::<i64>(c)
        })
        .map(drop)
    }
}

fn key(kind: &str, name: &str) -> String {
    format!("{PREFIX}{kind}:{name}")
}

/// At least 1 ms: Redis refuses `PX 0`.
fn px(millis: u64) -> u64 {
    millis.max(1)
}

impl Backend for Redis {
    fn kind(&self) -> &'static str {
        "redis"
    }

    fn token(&self, scope: &str) -> Result<Option<(String, u64)>, ClientError> {
        let (token, at): (Option<String>, Option<u64>) =
            self.run(|c| redis::cmd("HMGET").arg(key("token", scope)).arg("t").arg("r").query(c))?;
        Ok(token.zip(at))
    }

    fn lock(&self, scope: &str, owner: &str, _now: u64, ttl: u64) -> Result<bool, ClientError> {
        self.set_new(&key("lock", scope), owner, ttl)
    }

    fn put_token(&self, scope: &str, owner: &str, token: &str, refresh_at: u64, now: u64) -> Result<(), ClientError> {
        let name = key("token", scope);
        self.run(|c| {
            redis::pipe()
                .atomic()
                .cmd("HSET")
                .arg(&name)
                .arg("t")
                .arg(token)
                .arg("r")
                .arg(refresh_at)
                .ignore()
                .cmd("PEXPIRE")
                .arg(&name)
                .arg(px(refresh_at.saturating_sub(now)))
                .ignore()
                .query::<()>(c)
        })?;
        self.unlock(scope, owner)
    }

    fn unlock(&self, scope: &str, owner: &str) -> Result<(), ClientError> {
        self.delete_if(UNLOCK, &key("lock", scope), owner)
    }

    fn drop_token(&self, scope: &str, rejected: &str) -> Result<(), ClientError> {
        self.delete_if(DROP_TOKEN, &key("token", scope), rejected)
    }

    fn journal_put(&self, entry: &JournalEntry, retention: u64) -> Result<(), ClientError> {
        let json = serde_json::to_string(entry).map_err(|e| self.failed(e))?;
        let (name, open) = (key("journal", &entry.external_id), key("open", &entry.client_id));
        self.run(|c| {
            let mut pipe = redis::pipe();
            pipe.atomic();
            if entry.state.is_open() {
                pipe.cmd("SET").arg(&name).arg(&json).ignore();
                pipe.cmd("SADD").arg(&open).arg(&entry.external_id).ignore();
            } else {
                pipe.cmd("SET")
                    .arg(&name)
                    .arg(&json)
                    .arg("PX")
                    .arg(px(retention))
                    .ignore();
                pipe.cmd("SREM").arg(&open).arg(&entry.external_id).ignore();
            }
            pipe.query::<()>(c)
        })
    }

    fn journal_open(&self, client_id: &str) -> Result<Vec<JournalEntry>, ClientError> {
        let ids: Vec<String> = self.run(|c| redis::cmd("SMEMBERS").arg(key("open", client_id)).query(c))?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<String> = ids.iter().map(|id| key("journal", id)).collect();
        let texts: Vec<Option<String>> = self.run(|c| redis::cmd("MGET").arg(&names).query(c))?;
        let mut open = texts
            .into_iter()
            .flatten()
            .map(|t| serde_json::from_str::<JournalEntry>(&t).map_err(|e| self.failed(e)))
            .collect::<Result<Vec<_>, _>>()?;
        open.retain(|e| e.state.is_open());
        open.sort_by_key(|e| e.created_millis);
        Ok(open)
    }

    fn journal_prune(&self, _now: u64) -> Result<(), ClientError> {
        // Settled entries and claims expire by themselves.
        Ok(())
    }

    fn claim(&self, name: &str, _now: u64, keep: u64) -> Result<bool, ClientError> {
        self.set_new(&key("seen", name), "1", keep)
    }
}
