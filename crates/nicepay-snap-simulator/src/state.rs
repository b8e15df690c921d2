//! In-memory simulator state behind one mutex (never held across an `.await`), and the
//! serializable snapshot exposed by `GET /__admin/state` and `state()`.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use nicepay_snap::{PrivateKey, PublicKey, SymmetricSigner};
use serde::{Deserialize, Serialize};

use crate::binding::BindingState;
use crate::ewallet::{EwalletLedger, EwalletSnapshot};
use crate::fault::{Fault, FaultRule};
use crate::notify::NotificationLog;
use crate::payout::{PayoutSnapshot, PayoutState};
use crate::qris::{QrisLedger, QrisTransactionSnapshot};
use crate::util;
use crate::va::{VaLedger, VaSnapshot};
use crate::Tunables;

/// One merchant the simulator knows.
pub(crate) struct ClientCredentials {
    pub(crate) client_id: String,
    pub(crate) signer: SymmetricSigner,
    pub(crate) public_key: PublicKey,
}

/// Immutable settings fixed at start.
pub(crate) struct Settings {
    pub(crate) clients: Vec<ClientCredentials>,
    pub(crate) notification_key: PrivateKey,
    /// What the builder set.
    pub(crate) tunables: Tunables,
}

/// How long and how much the server waits for and reads from a client.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// From the first byte of a request to the end of its headers.
    pub(crate) header_read_timeout: Duration,
    /// From the end of the headers to the end of the body.
    pub(crate) body_read_timeout: Duration,
    /// How long a connection may sit without a request (after connecting or between requests).
    pub(crate) idle_timeout: Duration,
    /// Open connections at most; at the cap the longest-idle one is closed for a new client.
    pub(crate) max_connections: usize,
    /// Largest request body read; a larger one is drained and answered `413`.
    pub(crate) max_body_bytes: usize,
}

impl Settings {
    pub(crate) fn client(&self, client_id: &str) -> Option<&ClientCredentials> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }

    /// Every merchant's client id.
    pub(crate) fn client_ids(&self) -> Vec<String> {
        self.clients.iter().map(|c| c.client_id.clone()).collect()
    }
}

/// Everything shared by the request handlers.
pub(crate) struct Shared {
    pub(crate) settings: Settings,
    pub(crate) state: Mutex<State>,
    /// Client used to deliver notifications (loopback only, no proxy, no redirects).
    pub(crate) http: reqwest::Client,
    /// What clients need to talk to this simulator (includes `baseUrl`).
    pub(crate) info: SimulatorInfo,
    /// Turns `true` to stop the server (`POST /__admin/shutdown`, handle shutdown or drop).
    pub(crate) stop: tokio::sync::watch::Sender<bool>,
}

impl Shared {
    /// Locks the state; a poisoned lock is recovered (the state stays usable).
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct TokenEntry {
    client_id: String,
    expires_at: Instant,
}

/// Mutable state.
pub(crate) struct State {
    tokens: HashMap<String, TokenEntry>,
    /// Access tokens issued since the start.
    tokens_issued: u64,
    external_ids: HashSet<(String, String)>,
    external_ids_day: i64,
    pub(crate) qris: QrisLedger,
    pub(crate) va: VaLedger,
    pub(crate) ewallet: EwalletLedger,
    pub(crate) payout: PayoutState,
    pub(crate) binding: BindingState,
    pub(crate) faults: Vec<FaultRule>,
    /// Every notification attempt (the newest 1000).
    pub(crate) notifications: NotificationLog,
}

/// Each product's part of the state, for code generic over products (the server's operation
/// table, the admin settlement helpers).
macro_rules! product_parts {
    ($($field:ident: $ty:ty),*) => {$(
        impl AsMut<$ty> for State {
            fn as_mut(&mut self) -> &mut $ty {
                &mut self.$field
            }
        }
    )*};
}
product_parts!(qris: QrisLedger, va: VaLedger, ewallet: EwalletLedger, payout: PayoutState, binding: BindingState);

impl State {
    /// Nothing stored yet; payout balances start at `settings.tunables.payout_balance_minor`.
    pub(crate) fn new(settings: &Settings) -> Self {
        Self {
            tokens: HashMap::new(),
            tokens_issued: 0,
            external_ids: HashSet::new(),
            external_ids_day: 0,
            qris: QrisLedger::default(),
            va: VaLedger::default(),
            ewallet: EwalletLedger::default(),
            payout: PayoutState::new(settings.tunables.payout_balance_minor),
            binding: BindingState::default(),
            faults: Vec::new(),
            notifications: NotificationLog::default(),
        }
    }

    /// Stores a new token for `client_id`, valid for `ttl`; drops expired ones.
    pub(crate) fn issue_token(&mut self, token: String, client_id: &str, ttl: Duration) {
        let now = Instant::now();
        self.tokens_issued += 1;
        self.tokens.retain(|_, t| t.expires_at > now);
        self.tokens.insert(
            token,
            TokenEntry {
                client_id: client_id.to_owned(),
                expires_at: now + ttl,
            },
        );
    }

    /// The client a valid, unexpired token belongs to.
    pub(crate) fn token_client(&self, token: &str) -> Option<String> {
        self.tokens
            .get(token)
            .filter(|t| t.expires_at > Instant::now())
            .map(|t| t.client_id.clone())
    }

    /// Makes every issued token invalid (to test re-authentication).
    pub(crate) fn expire_tokens(&mut self) {
        self.tokens.clear();
    }

    /// Records an `X-EXTERNAL-ID`; `false` if the client already used it on this Jakarta day.
    pub(crate) fn record_external_id(&mut self, client_id: &str, external_id: &str) -> bool {
        let day = util::jakarta_day(util::now_unix());
        if day != self.external_ids_day {
            self.external_ids.clear();
            self.external_ids_day = day;
        }
        self.external_ids.insert((client_id.to_owned(), external_id.to_owned()))
    }

    pub(crate) fn snapshot(&self, settings: &Settings) -> StateSnapshot {
        let now = Instant::now();
        StateSnapshot {
            client_ids: settings.client_ids(),
            active_tokens: self.tokens.values().filter(|t| t.expires_at > now).count(),
            tokens_issued: self.tokens_issued,
            external_ids_today: self.external_ids.len(),
            qris: self.qris.snapshot(),
            va: self.va.snapshot(),
            ewallet: self.ewallet.snapshot(),
            payouts: self.payout.snapshot(),
            payout_balances: self.payout.balances(&settings.client_ids()),
            bindings: self.binding.snapshot(),
            faults: self.faults.iter().map(FaultRule::to_fault).collect(),
        }
    }
}

/// A point-in-time view of the simulator (no secrets: tokens are only counted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StateSnapshot {
    /// Merchants the simulator accepts.
    pub client_ids: Vec<String>,
    /// Number of unexpired access tokens.
    pub active_tokens: usize,
    /// Access tokens issued since the start (B2B token requests answered with a token).
    #[serde(default)]
    pub tokens_issued: u64,
    /// `X-EXTERNAL-ID`s recorded for the current Jakarta day.
    pub external_ids_today: usize,
    /// QRIS transactions, oldest first.
    pub qris: Vec<QrisTransactionSnapshot>,
    /// Virtual accounts, oldest first.
    pub va: Vec<VaSnapshot>,
    /// E-wallet payments, oldest first.
    pub ewallet: Vec<EwalletSnapshot>,
    /// Payouts, oldest first.
    pub payouts: Vec<PayoutSnapshot>,
    /// Available payout balance per merchant, e.g. `{"IONPAYTEST":"100000000.00"}`.
    pub payout_balances: std::collections::BTreeMap<String, String>,
    /// E-wallet account bindings (no codes or tokens).
    pub bindings: Vec<crate::binding::BindingSnapshot>,
    /// Pending fault rules.
    pub faults: Vec<Fault>,
}

/// What a client needs to talk to a running simulator. Serializes to one JSON line (see
/// [`SimulatorInfo::to_json_line`]) that `nicepay-snap simulate` prints and the Python/Node
/// test suites read:
///
/// `{"baseUrl":"http://127.0.0.1:PORT","clientId":"IONPAYTEST","clientSecret":"...","privateKeyPem":"-----BEGIN PRIVATE KEY-----\n...","notificationPublicKey":"-----BEGIN PUBLIC KEY-----\n..."}`
///
/// All values are TEST-ONLY; `Debug` still redacts the secret and the private key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimulatorInfo {
    /// Host root, e.g. `http://127.0.0.1:41234` (clients append `/nicepay`).
    pub base_url: String,
    /// Merchant client id.
    pub client_id: String,
    /// Merchant client secret (HMAC key).
    pub client_secret: String,
    /// Merchant private key PEM that signs token requests; `null` when the simulator was given
    /// only the public key.
    pub private_key_pem: Option<String>,
    /// PEM (`PUBLIC KEY`, SPKI) of the key notifications are signed with.
    pub notification_public_key: String,
}

impl SimulatorInfo {
    /// A client configuration for this simulator's merchant: its credentials, notification key
    /// and base URL.
    pub fn client_config(&self) -> nicepay_snap::Result<nicepay_snap::Config> {
        nicepay_snap::Config::builder()
            .client_id(&self.client_id)
            .client_secret(self.client_secret.as_str())
            .private_key_text(self.private_key_pem.as_deref().unwrap_or_default())
            .notification_public_key_text(&self.notification_public_key)
            .base_url(&self.base_url)
            .build()
    }

    /// Compact JSON on one line (no trailing newline).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl fmt::Debug for SimulatorInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimulatorInfo")
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("private_key_pem", &self.private_key_pem.as_ref().map(|_| "[redacted]"))
            .field("notification_public_key", &self.notification_public_key)
            .finish()
    }
}
