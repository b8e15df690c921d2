//! The in-memory backend: this process only.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use super::{Backend, JournalEntry};
use crate::ClientError;

#[derive(Debug, Default)]
struct State {
    tokens: HashMap<String, (String, u64)>,
    locks: HashMap<String, (String, u64)>,
    /// By `X-EXTERNAL-ID`, with the time a settled entry may be dropped.
    journal: HashMap<String, (JournalEntry, u64)>,
    /// Processed notification keys and until when they are remembered.
    claims: HashMap<String, u64>,
}

/// The in-memory backend.
#[derive(Debug, Default)]
pub(crate) struct Memory(Mutex<State>);

impl Memory {
    fn state(&self) -> MutexGuard<'_, State> {
        // Every method leaves the maps consistent at each step: a panic elsewhere cannot have
        // left them half-written.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Backend for Memory {
    fn kind(&self) -> &'static str {
        "memory"
    }

    fn token(&self, scope: &str) -> Result<Option<(String, u64)>, ClientError> {
        Ok(self.state().tokens.get(scope).cloned())
    }

    fn lock(&self, scope: &str, owner: &str, now: u64, ttl: u64) -> Result<bool, ClientError> {
        let mut state = self.state();
        match state.locks.get(scope) {
            Some((holder, until)) if holder != owner && *until > now => Ok(false),
            _ => {
                state
                    .locks
                    .insert(scope.to_owned(), (owner.to_owned(), now.saturating_add(ttl)));
                Ok(true)
            }
        }
    }

    fn put_token(&self, scope: &str, owner: &str, token: &str, refresh_at: u64, _now: u64) -> Result<(), ClientError> {
        self.state()
            .tokens
            .insert(scope.to_owned(), (token.to_owned(), refresh_at));
        self.unlock(scope, owner)
    }

    fn unlock(&self, scope: &str, owner: &str) -> Result<(), ClientError> {
        let mut state = self.state();
        if state.locks.get(scope).is_some_and(|(holder, _)| holder == owner) {
            state.locks.remove(scope);
        }
        Ok(())
    }

    fn drop_token(&self, scope: &str, rejected: &str) -> Result<(), ClientError> {
        let mut state = self.state();
        if state.tokens.get(scope).is_some_and(|(token, _)| token == rejected) {
            state.tokens.remove(scope);
        }
        Ok(())
    }

    fn journal_put(&self, entry: &JournalEntry, retention: u64) -> Result<(), ClientError> {
        let drop_at = entry.updated_millis.saturating_add(retention);
        self.state()
            .journal
            .insert(entry.external_id.clone(), (entry.clone(), drop_at));
        Ok(())
    }

    fn journal_open(&self, client_id: &str) -> Result<Vec<JournalEntry>, ClientError> {
        let mut open: Vec<JournalEntry> = self
            .state()
            .journal
            .values()
            .filter(|(e, _)| e.state.is_open() && e.client_id == client_id)
            .map(|(e, _)| e.clone())
            .collect();
        open.sort_by_key(|e| e.created_millis);
        Ok(open)
    }

    fn journal_prune(&self, now: u64) -> Result<(), ClientError> {
        self.state()
            .journal
            .retain(|_, (e, drop_at)| e.state.is_open() || *drop_at > now);
        Ok(())
    }

    fn claim(&self, key: &str, now: u64, keep: u64) -> Result<bool, ClientError> {
        let mut state = self.state();
        if state.claims.get(key).is_some_and(|until| *until > now) {
            return Ok(false);
        }
        if state.claims.len() >= 4096 {
            state.claims.retain(|_, until| *until > now);
        }
        state.claims.insert(key.to_owned(), now.saturating_add(keep));
        Ok(true)
    }
}
