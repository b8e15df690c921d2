//! The in-memory backend: this process only.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use super::Backend;
use crate::ClientError;

#[derive(Debug, Default)]
struct State {
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
