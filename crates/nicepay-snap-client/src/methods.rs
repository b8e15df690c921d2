//! The client type, constructor and methods that [`crate::Client`] and [`crate::AsyncClient`]
//! share, written once. The flavour is `[]` (blocking) or `[async await]`: it makes each method
//! `async` and awaits each call that may wait. What differs beyond that is named by the caller:
//! how a thread or task waits for a token refresh and sleeps, and how a call is sent
//! (`send_call`, a method each client writes itself).

/// Declares the client struct and its shared methods (see the module docs).
macro_rules! client {
    (
        $(#[$attr:meta])*
        pub struct $Client:ident<T> {
            transport: $Transport:ty = $wrap:path,
        }
        bound: [$($bound:tt)+],
        flavour: [$($async:ident $await:ident)?],
        refresher: $refresher:ident,
        wait: $wait:ident,
        sleep: $sleep:path,
        store_io: $store_io:path,
    ) => {
        $(#[$attr])*
        #[derive(Debug)]
        pub struct $Client<T> {
            config: std::sync::Arc<nicepay_snap::Config>,
            transport: $Transport,
            options: $crate::ClientOptions,
            clock: std::sync::Arc<dyn $crate::Clock>,
            ids: $crate::ExternalIdGenerator,
            tokens: $crate::token::TokenCache,
        }

        impl<T: $($bound)+> $Client<T> {
            /// A client with default options and the system clock.
            pub fn new(config: nicepay_snap::Config, transport: T) -> Self {
                Self {
                    config: std::sync::Arc::new(config),
                    transport: $wrap(transport),
                    options: $crate::ClientOptions::default(),
                    clock: std::sync::Arc::new($crate::SystemClock),
                    ids: $crate::ExternalIdGenerator::default(),
                    tokens: $crate::token::TokenCache::default(),
                }
            }

            /// Replaces the options.
            pub fn with_options(mut self, options: $crate::ClientOptions) -> Self {
                self.options = options;
                self
            }

            /// Replaces the clock (tests).
            pub fn with_clock(mut self, clock: std::sync::Arc<dyn $crate::Clock>) -> Self {
                self.clock = clock;
                self
            }

            /// The configuration.
            pub fn config(&self) -> &nicepay_snap::Config {
                &self.config
            }

            /// The transport.
            pub fn transport(&self) -> &T {
                &self.transport
            }

            /// A valid access token: the cached one, or a new one (single-flight: concurrent
            /// callers wait for one refresh). No lock is held while the token is fetched or
            /// while [`ClientOptions::on_exchange`](crate::ClientOptions::on_exchange) runs, so
            /// the observer may call the client; cancelling an async call that is refreshing
            /// lets the next waiter refresh.
            pub $($async)? fn access_token(&self) -> Result<nicepay_snap::AccessToken, $crate::ClientError> {
                use $crate::token::{Lookup, Refresher};
                let mut refresh = loop {
                    match self
                        .tokens
                        .lookup(self.clock.now_unix_millis(), Refresher::$refresher(), &self.options)?
                    {
                        Lookup::Fresh(token) => return Ok(token),
                        Lookup::Busy => self.tokens.$wait() $(.$await)?,
                        Lookup::Refresh(guard) => break guard,
                    }
                };
                // With a shared store: the token another process fetched, or the lock to fetch it.
                let store = &self.options.store;
                let scope = $crate::store::token_scope(&self.config);
                let owner = self.ids.next(self.clock.now_unix_millis()).as_str().to_owned();
                while store.is_shared() {
                    let (s, o, now) = (scope.clone(), owner.clone(), self.clock.now_unix_millis());
                    match $store_io(store, move |st| st.shared_token(&s, &o, now)) $(.$await)?? {
                        $crate::store::SharedToken::Fresh(token) => return Ok(refresh.store(token)),
                        $crate::store::SharedToken::Locked => break,
                        $crate::store::SharedToken::Busy => $sleep($crate::store::TOKEN_WAIT) $(.$await)?,
                    }
                }
                let fetched = self.fetch_token(&mut refresh) $(.$await)?;
                if store.is_shared() {
                    let (s, o, now) = (scope, owner, self.clock.now_unix_millis());
                    match &fetched {
                        Ok(token) => {
                            let token = token.clone();
                            $store_io(store, move |st| st.put_token(&s, &o, &token, now)) $(.$await)??;
                        }
                        // The fetch error is the one to report; the lock expires anyway.
                        Err(_) => drop($store_io(store, move |st| st.unlock_token(&s, &o)) $(.$await)?),
                    }
                }
                Ok(refresh.store(fetched?))
            }

            /// Sends the token request (resending what certainly never arrived) and reads the token.
            $($async)? fn fetch_token(
                &self,
                refresh: &mut $crate::token::RefreshGuard<'_>,
            ) -> Result<$crate::policy::CachedToken, $crate::ClientError> {
                let now = self.clock.now_unix_millis();
                let mut fetch = $crate::call::TokenFetch::new(&self.config, &self.options, self.clock.now())?;
                let response = loop {
                    match fetch.poll() {
                        $crate::call::Step::Send { attempt } => {
                            let started = $crate::observe::start(&self.options);
                            let sent = self.transport.send(fetch.request()) $(.$await)?;
                            fetch.sent(sent, started, attempt, refresh);
                        }
                        $crate::call::Step::Sleep(pause) => $sleep(pause) $(.$await)?,
                        $crate::call::Step::Done(result) => break result?,
                        $crate::call::Step::Token { rejected } => match rejected {},
                    }
                };
                Ok($crate::policy::CachedToken::new(response, now, &self.options))
            }

            /// Exchanges an auth code (after an e-wallet account binding) or a refresh token for
            /// a customer (B2B2C) token, signed like the B2B token request. Not cached: a customer
            /// token belongs to one customer; keep its refresh token for the binding inquiry.
            pub $($async)? fn customer_token(
                &self,
                request: &nicepay_snap::api::binding::CustomerTokenRequest,
            ) -> Result<nicepay_snap::api::binding::CustomerTokenResponse, $crate::ClientError> {
                let prepared = self.config.prepare_customer_token(request, self.clock.now())?;
                let sent = self.send_call($crate::CUSTOMER_TOKEN_OPERATION, false, &prepared, 1) $(.$await)?;
                self.config
                    .parse_customer_token(&sent?)
                    .map_err(|e| self.config.scrub_response_error(e, &prepared).into())
            }

            /// [`customer_token`](Self::customer_token) with a JSON request and response (the
            /// language bindings): `{"grantType", "authCode" | "refreshToken", ...}`.
            pub $($async)? fn customer_token_json(
                &self,
                request: serde_json::Value,
            ) -> Result<serde_json::Value, $crate::ClientError> {
                let request = serde_json::from_value(request).map_err(|e| $crate::invalid_request("customer token", e))?;
                let response = self.customer_token(&request) $(.$await)??;
                $crate::encode_response(&response)
            }

            /// [`execute_raw`](Self::execute_raw) with a method name and a JSON body (the language
            /// bindings).
            pub $($async)? fn execute_raw_json(
                &self,
                method: &str,
                path: &str,
                body: serde_json::Value,
                money_moving: bool,
            ) -> Result<serde_json::Value, $crate::ClientError> {
                let method = nicepay_snap::Method::parse(method)?;
                let body = serde_json::to_vec(&body).map_err(|e| $crate::invalid_request("raw", e))?;
                self.execute_raw(method, path, &body, money_moving) $(.$await)?
            }

            /// Executes any typed operation.
            pub $($async)? fn execute<O: nicepay_snap::Operation>(
                &self,
                request: &O::Request,
            ) -> Result<O::Response, $crate::ClientError> {
                self.drive($crate::call::Typed::<O>(request)) $(.$await)?
            }

            /// A raw signed call, for endpoints or fields NICEPAY adds before this SDK types
            /// them: `body` (JSON, minified once) is signed with the cached token and sent to
            /// `path` (with or without `/nicepay`) under the same rules as the typed calls (a
            /// fresh `X-EXTERNAL-ID`, one token refresh on `401xx01`, resends only of requests
            /// that certainly never arrived). Set `money_moving` for calls that move money: a
            /// timeout, 5xx or `202` is then [`ClientError::OutcomeUnknown`]($crate::ClientError::OutcomeUnknown)
            /// (operation `"raw"`), to resolve by a status query. Answers the response JSON when
            /// its `responseCode` is a success.
            pub $($async)? fn execute_raw(
                &self,
                method: nicepay_snap::Method,
                path: &str,
                body: &[u8],
                money_moving: bool,
            ) -> Result<serde_json::Value, $crate::ClientError> {
                nicepay_snap::canonical::signed_path(path)?;
                let raw = $crate::call::Raw {
                    method,
                    path: path.to_owned(),
                    body: nicepay_snap::minify_json(body)?,
                    money_moving,
                };
                self.drive(raw) $(.$await)?
            }

            /// Runs a call to its end: tokens, sends, pauses.
            $($async)? fn drive<S: $crate::call::Spec>(&self, spec: S) -> Result<S::Response, $crate::ClientError> {
                use $crate::call::Step;
                use $crate::store::{JournalEntry, JournalState};
                let store = &self.options.store;
                let mut call = $crate::call::Call::new(&self.config, &self.options, spec);
                // The journal entry of the money-moving request under way.
                let mut journal: Option<JournalEntry> = None;
                loop {
                    match call.poll() {
                        Step::Token { rejected } => {
                            if let Some(rejected) = rejected {
                                self.tokens.invalidate(&rejected);
                                if store.is_shared() {
                                    let scope = $crate::store::token_scope(&self.config);
                                    $store_io(store, move |s| s.drop_token(&scope, &rejected)) $(.$await)??;
                                }
                            }
                            let token = self.access_token() $(.$await)??;
                            call.token(token, self.clock.now(), self.ids.next(self.clock.now_unix_millis()));
                        }
                        Step::Send { attempt } => {
                            let id = call.request().header("X-EXTERNAL-ID");
                            if call.money_moving() && journal.as_ref().map(|e| e.external_id.as_str()) != id {
                                let now = self.clock.now_unix_millis();
                                // The previous identity was refused (`401xx01`) and is replaced.
                                if let Some(mut old) = journal.take() {
                                    old.settle(JournalState::Refused, Some("access token rejected (401xx01)".into()), now);
                                    $store_io(store, move |s| s.journal_write(&old)) $(.$await)??;
                                }
                                // The intent is durable before the request leaves; if it cannot
                                // be written, nothing is sent.
                                let entry = JournalEntry::intent(&self.config, call.name(), call.request(), call.body_json(), now);
                                let written = entry.clone();
                                $store_io(store, move |s| s.journal_write(&written)) $(.$await)??;
                                journal = Some(entry);
                            }
                            let sent = self.send_call(call.name(), call.money_moving(), call.request(), attempt) $(.$await)?;
                            call.sent(sent);
                        }
                        Step::Sleep(pause) => $sleep(pause) $(.$await)?,
                        Step::Done(result) => {
                            if let Some(mut entry) = journal {
                                let (state, detail) = JournalEntry::outcome_of(&result);
                                entry.settle(state, detail, self.clock.now_unix_millis());
                                // The request went out: its result reaches the caller even if the
                                // outcome cannot be written (the entry then stays in flight,
                                // for `resolve_pending`).
                                drop($store_io(store, move |s| s.journal_write(&entry)) $(.$await)?);
                            }
                            return result;
                        }
                    }
                }
            }

            /// Executes an operation by name (`"qris.refund"`, `"va.create"`, ... see
            /// [`nicepay_snap::api::OPERATION_NAMES`]) with a JSON request, returning the JSON of
            /// the typed response. The JSON is first decoded into the operation's typed request,
            /// so unknown shapes are rejected before anything is signed. Used by the language
            /// bindings.
            pub $($async)? fn execute_json(
                &self,
                operation: &str,
                request: serde_json::Value,
            ) -> Result<serde_json::Value, $crate::ClientError> {
                nicepay_snap::with_operation!(
                    operation,
                    Op => {
                        let typed = $crate::decode_request::<Op>(request)?;
                        let response = self.execute::<Op>(&typed) $(.$await)??;
                        $crate::encode_response(&response)
                    },
                    Err($crate::unknown_operation(operation))
                )
            }

            /// The money-moving calls of this merchant whose outcome is open in the client's
            /// [`Store`](crate::Store), oldest first: in flight (written before the send; its
            /// process may have died waiting) or unknown (a timeout, 5xx, `202`). With a SQLite
            /// or Redis store, every process's.
            pub $($async)? fn pending_outcomes(&self) -> Result<Vec<$crate::JournalEntry>, $crate::ClientError> {
                let client_id = self.config.client_id().to_owned();
                $store_io(&self.options.store, move |s| s.journal_open(&client_id)) $(.$await)?
            }

            /// Settles each [pending outcome](Self::pending_outcomes) by the product's status
            /// query (QRIS query, e-wallet status, payout inquiry) and records the settled
            /// result; never resends a money-moving call. Entries whose state changed less than
            /// the store's `in_flight_grace` ago are left alone (their process may still be
            /// waiting for the answer), as are those the query cannot settle (their `detail`
            /// says why). Returns every entry it looked at, settled or not.
            pub $($async)? fn resolve_pending(&self) -> Result<Vec<$crate::JournalEntry>, $crate::ClientError> {
                use $crate::resolve::{Query, Verdict};
                let grace = $crate::store::millis(self.options.store.settings().in_flight_grace);
                let mut looked = Vec::new();
                for mut entry in self.pending_outcomes() $(.$await)?? {
                    let now = self.clock.now_unix_millis();
                    if now.saturating_sub(entry.updated_millis) < grace {
                        looked.push(entry);
                        continue;
                    }
                    let verdict = match Query::of(&entry) {
                        Ok(Query::Qris(q)) => self.qris_query(&q) $(.$await)?.map(|a| {
                            $crate::resolve::refund(&entry, a.latest_transaction_status.as_ref(), a.amount.as_ref(), a.additional_info.as_ref())
                        }),
                        Ok(Query::Ewallet(q)) => self.ewallet_status(&q) $(.$await)?.map(|a| {
                            $crate::resolve::refund(&entry, a.latest_transaction_status.as_ref(), a.amount.as_ref(), a.additional_info.as_ref())
                        }),
                        Ok(Query::Payout(q)) => self.payout_inquiry(&q) $(.$await)?.map(|a| $crate::resolve::payout(&a)),
                        Err(why) => Ok(Verdict::Open(why)),
                    };
                    match verdict {
                        Ok(Verdict::Settled(state, detail)) => {
                            entry.settle(state, Some(detail), self.clock.now_unix_millis());
                            let written = entry.clone();
                            $store_io(&self.options.store, move |s| s.journal_write(&written)) $(.$await)??;
                        }
                        Ok(Verdict::Open(why)) => entry.detail = Some(why),
                        Err(e) => entry.detail = Some(format!("the status query failed: {e}")),
                    }
                    looked.push(entry);
                }
                Ok(looked)
            }

            /// [`pending_outcomes`](Self::pending_outcomes) (`resolve: false`) or
            /// [`resolve_pending`](Self::resolve_pending) (`resolve: true`) as a JSON array of
            /// entries (camelCase), for the language bindings.
            pub $($async)? fn journal_json(&self, resolve: bool) -> Result<serde_json::Value, $crate::ClientError> {
                let entries = if resolve {
                    self.resolve_pending() $(.$await)??
                } else {
                    self.pending_outcomes() $(.$await)??
                };
                Ok(entries.iter().map($crate::JournalEntry::to_json).collect())
            }

            /// A notification verifier for the configured NICEPAY notification public key.
            pub fn notification_verifier(&self) -> Result<nicepay_snap::NotificationVerifier, $crate::ClientError> {
                $crate::notification_verifier(&self.config)
            }

            /// Verifies an inbound notification's headers against the current time and parses its
            /// body.
            pub fn verify_notification<N: serde::de::DeserializeOwned>(
                &self,
                headers: &[(String, String)],
                body: &[u8],
            ) -> Result<N, $crate::ClientError> {
                Ok(self.notification_verifier()?.verify(headers, body, self.clock.now())?)
            }

            /// Verifies a notification (signature, freshness, client id), then confirms it with a
            /// status query, because the signature does not cover the body. Fulfil the order only
            /// when [`crate::Confirmed::paid`] is `true` and [`crate::Confirmed::duplicate`] is
            /// `false`: a notification confirmed as paid is recorded in the client's
            /// [`Store`](crate::Store), and a repeat of it (a redelivery, or the same notification
            /// at another process on a shared store) is reported as a duplicate.
            pub $($async)? fn verify_and_confirm<N: $crate::Confirmable>(
                &self,
                headers: &[(String, String)],
                body: &[u8],
            ) -> Result<$crate::Confirmed<N>, $crate::ClientError> {
                let notification: N = self.verify_notification(headers, body)?;
                let request = notification.status_request(&self.config)?;
                let status = self.execute::<N::Query>(&request) $(.$await)??;
                let paid = notification.confirms(&status);
                let key = $crate::confirm::dedupe_key(&self.config, &notification).filter(|_| paid);
                let duplicate = match key {
                    Some(key) => {
                        let now = self.clock.now_unix_millis();
                        !$store_io(&self.options.store, move |s| s.claim_notification(&key, now)) $(.$await)??
                    }
                    None => false,
                };
                Ok($crate::Confirmed {
                    notification,
                    status,
                    paid,
                    duplicate,
                })
            }

            /// [`verify_and_confirm`](Self::verify_and_confirm) for the notification type of
            /// `product`, as JSON: `{"notification": ..., "status": ..., "paid": bool, "duplicate": bool}`. Used by
            /// the language bindings.
            pub $($async)? fn verify_and_confirm_json(
                &self,
                product: nicepay_snap::status::Product,
                headers: &[(String, String)],
                body: &[u8],
            ) -> Result<serde_json::Value, $crate::ClientError> {
                $crate::confirm::with_notification!(product, N => {
                    $crate::confirm::confirmed_json(self.verify_and_confirm::<N>(headers, body) $(.$await)??)
                })
            }
        }

        impl<T: $($bound)+> $crate::NotificationHandler<$Client<T>> {
            /// Handles one notification received at `path` (its product is known from the path
            /// when it ends with one of [`NOTIFICATION_PATHS`]($crate::NOTIFICATION_PATHS), else
            /// from the body): verifies it, confirms it with a status query, and answers the
            /// acknowledgement to send back. Never fails: a refusal is an acknowledgement too.
            pub $($async)? fn handle(
                &self,
                path: &str,
                headers: &[(String, String)],
                body: &[u8],
            ) -> $crate::HandledNotification {
                self.handle_as(None, Some(path), headers, body) $(.$await)?
            }

            /// [`handle`](Self::handle) with the product given (`Some`: an endpoint that serves
            /// one product) or detected from `path` (when given) and the body.
            pub $($async)? fn handle_as(
                &self,
                product: Option<nicepay_snap::status::Product>,
                path: Option<&str>,
                headers: &[(String, String)],
                body: &[u8],
            ) -> $crate::HandledNotification {
                let now = self.client.clock.now().to_string();
                let product = match $crate::handler::triage(product, path, body, self.max_body_bytes) {
                    Ok(product) => product,
                    Err((product, refusal)) => {
                        return $crate::HandledNotification::refused(product, refusal, None, &now)
                    }
                };
                let outcome = if self.confirm {
                    self.client.verify_and_confirm_json(product, headers, body) $(.$await)?
                } else {
                    // Verification only: the body parsed as the product's notification, re-encoded.
                    $crate::confirm::with_notification!(product, N => {
                        self.client
                            .verify_notification::<N>(headers, body)
                            .and_then(|n| $crate::encode_response(&n))
                    })
                };
                $crate::handler::conclude(product, self.confirm, outcome, &now)
            }
        }

        nicepay_snap::for_each_operation!(
            $crate::methods::named_methods,
            [$($async $await)?] impl<T: $($bound)+> $Client<T>
        );

        /// Sends `request` once and reports the exchange to the observer, if there is one.
        $($async)? fn send_reported<T: $($bound)+>(
            transport: &T,
            options: &$crate::ClientOptions,
            operation: &'static str,
            request: &nicepay_snap::PreparedRequest,
            attempt: u32,
        ) -> Result<nicepay_snap::RawResponse, nicepay_snap::TransportError> {
            let started = $crate::observe::start(options);
            let sent = transport.send(request) $(.$await)?;
            $crate::observe::report(options, started, operation, request, attempt, &sent);
            sent
        }
    };
}
pub(crate) use client;

/// One method per row of the core's operation registry ([`nicepay_snap::for_each_operation!`]),
/// in the flavour and `impl` header given in the brackets.
macro_rules! named_methods {
    ([$flavour:tt $($head:tt)+] $($module:ident { $($method:ident => $marker:ident($req:ident -> $resp:ident),
        $label:literal, $http:ident, $path:literal, $svc:literal, money: $money:tt, $doc:literal;)* })*) => {
        $($head)+ {
            $($(
                $crate::methods::named_method!($flavour $module $method $marker $req $resp $label $money $doc);
            )*)*
        }
    };
}
pub(crate) use named_methods;

/// One method of [`named_methods!`].
macro_rules! named_method {
    ([$($async:ident $await:ident)?] $module:ident $method:ident $marker:ident $req:ident $resp:ident
        $label:literal $money:tt $doc:literal) => {
        #[doc = $doc]
        #[doc = ""]
        #[doc = concat!("Runs [`", stringify!($marker), "`](nicepay_snap::api::", stringify!($module), "::", stringify!($marker), ") (`", $label, "`).")]
        #[doc = $crate::money_note!($money)]
        pub $($async)? fn $method(
            &self,
            request: &nicepay_snap::api::$module::$req,
        ) -> Result<nicepay_snap::api::$module::$resp, $crate::ClientError> {
            self.execute::<nicepay_snap::api::$module::$marker>(request) $(.$await)?
        }
    };
}
pub(crate) use named_method;
