//! The access-token cache shared by every call of one client, with single-flight refresh.
//!
//! No lock is held while a token is fetched or while user code runs: the cache's mutex guards a
//! few words (the cached token and who is refreshing it) and is released before any send. The
//! exchanges of a refresh are handed to [`ClientOptions::on_exchange`] only after the new token is
//! in the cache and the refresh is over, so an observer that calls back into the client (for
//! example `client.access_token()` from a logging hook) finds the fresh token instead of waiting
//! for a refresh that is waiting for it.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread::ThreadId;

use nicepay_snap::AccessToken;

use crate::observe::{self, Exchange};
use crate::policy::CachedToken;
use crate::{ClientError, ClientOptions};

/// Who is fetching a token, so that a call back into the client from inside that very fetch
/// (a transport that asks its own client for a token) is refused instead of waiting forever.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Refresher {
    Thread(ThreadId),
    /// `None` outside a tokio task (e.g. `Runtime::block_on`): never taken for a re-entry.
    Task(Option<tokio::task::Id>),
}

impl Refresher {
    pub(crate) fn this_thread() -> Self {
        Self::Thread(std::thread::current().id())
    }

    pub(crate) fn this_task() -> Self {
        Self::Task(tokio::task::try_id())
    }

    fn same(self, other: Self) -> bool {
        match (self, other) {
            (Self::Thread(a), Self::Thread(b)) => a == b,
            (Self::Task(Some(a)), Self::Task(Some(b))) => a == b,
            _ => false,
        }
    }
}

#[derive(Debug, Default)]
struct State {
    cached: Option<CachedToken>,
    refresher: Option<Refresher>,
}

/// What [`TokenCache::lookup`] found.
pub(crate) enum Lookup<'a> {
    /// A fresh token.
    Fresh(AccessToken),
    /// Someone else is refreshing: wait for [`TokenCache`] to announce the end, then look again.
    Busy,
    /// Nobody is refreshing: the caller now is, and must end it through the guard.
    Refresh(RefreshGuard<'a>),
}

/// The token cache of one client.
#[derive(Debug, Default)]
pub(crate) struct TokenCache {
    state: Mutex<State>,
    /// Wakes blocking waiters when a refresh ends.
    ended: Condvar,
    /// Wakes async waiters when a refresh ends.
    ended_async: tokio::sync::Notify,
}

impl TokenCache {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is two plain fields, consistent at every instruction: a panic elsewhere
        // while the lock was held cannot have left it half-written.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Looks for a fresh token at `now_millis`, or makes `me` the refresher when nobody is.
    pub(crate) fn lookup<'a>(
        &'a self,
        now_millis: u64,
        me: Refresher,
        options: &'a ClientOptions,
    ) -> Result<Lookup<'a>, ClientError> {
        let mut state = self.lock();
        if let Some(cached) = state.cached.as_ref().filter(|c| c.is_fresh(now_millis)) {
            return Ok(Lookup::Fresh(cached.token.clone()));
        }
        match state.refresher {
            Some(refresher) if refresher.same(me) => Err(ClientError::Snap(nicepay_snap::Error::InvalidInput {
                field: "access_token".into(),
                reason: "requested from inside its own token refresh (a transport calling back into its client)".into(),
            })),
            Some(_) => Ok(Lookup::Busy),
            None => {
                state.refresher = Some(me);
                Ok(Lookup::Refresh(RefreshGuard {
                    cache: self,
                    options,
                    reports: Vec::new(),
                }))
            }
        }
    }

    /// Blocks the thread until the refresh under way ends (or a spurious wake-up).
    pub(crate) fn wait_blocking(&self) {
        let state = self.lock();
        if state.refresher.is_some() {
            drop(self.ended.wait(state).unwrap_or_else(|p| p.into_inner()));
        }
    }

    /// Waits until the refresh under way ends. Registers for the wake-up before looking, so an
    /// end between the caller's lookup and this wait is not missed.
    pub(crate) async fn wait_async(&self) {
        let ended = self.ended_async.notified();
        tokio::pin!(ended);
        ended.as_mut().enable();
        if self.lock().refresher.is_none() {
            return;
        }
        ended.await;
    }

    /// Forgets the cached token if it is still `rejected` (answered `401xx01`).
    pub(crate) fn invalidate(&self, rejected: &AccessToken) {
        let mut state = self.lock();
        if state.cached.as_ref().is_some_and(|c| &c.token == rejected) {
            state.cached = None;
        }
    }
}

/// The right, and duty, to refresh the token. Dropping it (the refresh finished, failed, or its
/// future was cancelled) ends the refresh, wakes the waiters, and then, with no lock held,
/// delivers the refresh's exchanges to the observer.
pub(crate) struct RefreshGuard<'a> {
    cache: &'a TokenCache,
    options: &'a ClientOptions,
    reports: Vec<Exchange>,
}

impl RefreshGuard<'_> {
    /// Keeps an exchange of this refresh, to be reported when the refresh is over.
    pub(crate) fn record(&mut self, exchange: Option<Exchange>) {
        self.reports.extend(exchange);
    }

    /// Stores the new token (ending the refresh when the guard drops) and returns it.
    pub(crate) fn store(&mut self, fresh: CachedToken) -> AccessToken {
        let token = fresh.token.clone();
        self.cache.lock().cached = Some(fresh);
        token
    }
}

impl Drop for RefreshGuard<'_> {
    fn drop(&mut self) {
        self.cache.lock().refresher = None;
        self.cache.ended.notify_all();
        self.cache.ended_async.notify_waiters();
        if !std::thread::panicking() {
            for exchange in self.reports.drain(..) {
                observe::deliver(self.options, &exchange);
            }
        }
    }
}
