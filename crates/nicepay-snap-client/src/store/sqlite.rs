//! The SQLite backend: one file shared by the processes of one machine, in WAL mode (readers do
//! not block the writer), with a busy timeout so that concurrent writers queue instead of
//! failing. Every change is one `BEGIN IMMEDIATE` transaction, committed with
//! `synchronous=FULL` by default: a journal entry that was acknowledged survives a crash of the
//! process and of the machine (`sync=normal`: of the process only).

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{store_error, Backend, JournalEntry, JournalState};
use crate::ClientError;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tokens (scope TEXT PRIMARY KEY, token TEXT NOT NULL, refresh_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS locks (scope TEXT PRIMARY KEY, owner TEXT NOT NULL, until INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS journal (
    external_id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    state TEXT NOT NULL,
    created INTEGER NOT NULL,
    drop_at INTEGER NOT NULL,
    entry TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_open ON journal (client_id, state, created);
CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, until INTEGER NOT NULL);
";

/// The SQLite backend.
#[derive(Debug)]
pub(crate) struct Sqlite(Mutex<Connection>);

fn failed(e: impl std::fmt::Display) -> ClientError {
    store_error("sqlite", e)
}

impl Sqlite {
    /// Opens (creating it if needed) the database at `path` and checks that it can be written;
    /// `full_sync` syncs every commit (else WAL's `synchronous=NORMAL`).
    pub(crate) fn open(path: &str, full_sync: bool) -> Result<Self, ClientError> {
        let conn = Connection::open(path).map_err(failed)?;
        conn.busy_timeout(Duration::from_secs(10)).map_err(failed)?;
        // `journal_mode` answers with the mode in force.
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(failed)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(failed(format!(
                "the database cannot use WAL mode (it is in {mode} mode)"
            )));
        }
        let sync = if full_sync { "FULL" } else { "NORMAL" };
        conn.execute_batch(&format!("PRAGMA synchronous={sync};"))
            .map_err(failed)?;
        let store = Self(Mutex::new(conn));
        // A write, so that a read-only file or directory fails now.
        store.write(|tx| tx.execute_batch(SCHEMA))?;
        Ok(store)
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // SQLite rolls back a transaction that was not committed: a panic while the lock was
        // held cannot leave a half-written change.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `change` in one immediate (write-locking) transaction.
    fn write<R>(
        &self,
        change: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<R>,
    ) -> Result<R, ClientError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(failed)?;
        let result = change(&tx).map_err(failed)?;
        tx.commit().map_err(failed)?;
        Ok(result)
    }
}

impl Sqlite {
    /// Runs one two-parameter `DELETE`.
    fn delete(&self, sql: &str, a: &str, b: &str) -> Result<(), ClientError> {
        self.write(|tx| tx.execute(sql, params![a, b])).map(drop)
    }
}

impl Backend for Sqlite {
    fn kind(&self) -> &'static str {
        "sqlite"
    }

    fn token(&self, scope: &str) -> Result<Option<(String, u64)>, ClientError> {
        self.conn()
            .query_row("SELECT token, refresh_at FROM tokens WHERE scope = ?1", [scope], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })
            .optional()
            .map(|found| found.map(|(token, at)| (token, u64::try_from(at).unwrap_or(0))))
            .map_err(failed)
    }

    fn lock(&self, scope: &str, owner: &str, now: u64, ttl: u64) -> Result<bool, ClientError> {
        let (now, until) = (sql_time(now), sql_time(now.saturating_add(ttl)));
        self.write(|tx| {
            tx.execute(
                "DELETE FROM locks WHERE scope = ?1 AND (until <= ?2 OR owner = ?3)",
                params![scope, now, owner],
            )?;
            let taken = tx.execute(
                "INSERT OR IGNORE INTO locks (scope, owner, until) VALUES (?1, ?2, ?3)",
                params![scope, owner, until],
            )?;
            Ok(taken == 1)
        })
    }

    fn put_token(&self, scope: &str, owner: &str, token: &str, refresh_at: u64, _now: u64) -> Result<(), ClientError> {
        self.write(|tx| {
            tx.execute(
                "INSERT OR REPLACE INTO tokens (scope, token, refresh_at) VALUES (?1, ?2, ?3)",
                params![scope, token, sql_time(refresh_at)],
            )?;
            tx.execute(
                "DELETE FROM locks WHERE scope = ?1 AND owner = ?2",
                params![scope, owner],
            )?;
            Ok(())
        })
    }

    fn unlock(&self, scope: &str, owner: &str) -> Result<(), ClientError> {
        self.delete("DELETE FROM locks WHERE scope = ?1 AND owner = ?2", scope, owner)
    }

    fn drop_token(&self, scope: &str, rejected: &str) -> Result<(), ClientError> {
        self.delete("DELETE FROM tokens WHERE scope = ?1 AND token = ?2", scope, rejected)
    }

    fn journal_put(&self, entry: &JournalEntry, retention: u64) -> Result<(), ClientError> {
        let json = serde_json::to_string(entry).map_err(failed)?;
        let drop_at = if entry.state.is_open() {
            i64::MAX
        } else {
            sql_time(entry.updated_millis.saturating_add(retention))
        };
        self.write(|tx| {
            tx.execute(
                "INSERT OR REPLACE INTO journal (external_id, client_id, state, created, drop_at, entry)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    entry.external_id,
                    entry.client_id,
                    entry.state.as_str(),
                    sql_time(entry.created_millis),
                    drop_at,
                    json
                ],
            )
        })
        .map(drop)
    }

    fn journal_open(&self, client_id: &str) -> Result<Vec<JournalEntry>, ClientError> {
        let conn = self.conn();
        let mut query = conn
            .prepare_cached("SELECT entry FROM journal WHERE client_id = ?1 AND state IN (?2, ?3) ORDER BY created")
            .map_err(failed)?;
        let rows = query
            .query_map(
                params![
                    client_id,
                    JournalState::InFlight.as_str(),
                    JournalState::Unknown.as_str()
                ],
                |r| r.get::<_, String>(0),
            )
            .map_err(failed)?;
        rows.map(|row| {
            let text = row.map_err(failed)?;
            serde_json::from_str(&text).map_err(failed)
        })
        .collect()
    }

    fn journal_prune(&self, now: u64) -> Result<(), ClientError> {
        let now = sql_time(now);
        self.write(|tx| {
            tx.execute("DELETE FROM journal WHERE drop_at <= ?1", [now])?;
            tx.execute("DELETE FROM claims WHERE until <= ?1", [now])
        })
        .map(drop)
    }

    fn claim(&self, key: &str, now: u64, keep: u64) -> Result<bool, ClientError> {
        let (now, until) = (sql_time(now), sql_time(now.saturating_add(keep)));
        self.write(|tx| {
            tx.execute("DELETE FROM claims WHERE key = ?1 AND until <= ?2", params![key, now])?;
            let inserted = tx.execute(
                "INSERT OR IGNORE INTO claims (key, until) VALUES (?1, ?2)",
                params![key, until],
            )?;
            Ok(inserted == 1)
        })
    }
}

/// Unix milliseconds as SQLite's integer (saturating).
fn sql_time(millis: u64) -> i64 {
    i64::try_from(millis).unwrap_or(i64::MAX)
}
