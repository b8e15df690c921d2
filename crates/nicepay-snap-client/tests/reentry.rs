//! Regression tests for the deadlock found by adversarial testing (issue "Hardening", item 1):
//! an `on_exchange` observer that calls back into the client while a token exchange is being
//! reported never returned, and blocked every other caller of the client. No lock may be held
//! while user code runs. Every wait here is bounded, so a regression fails instead of hanging.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use nicepay_snap::{PreparedRequest, RawResponse, TransportError};
mod common;

use common::{config, query, token_reply, QUERY_OK};
use nicepay_snap_client::{AsyncClient, Client, ClientError, ClientOptions, Exchange, ACCESS_TOKEN_OPERATION};

const TOKEN_PATH: &str = "/v1.0/access-token/b2b";
const LIMIT: Duration = Duration::from_secs(10);

fn reply(req: &PreparedRequest, tokens: &AtomicUsize) -> Result<RawResponse, TransportError> {
    if req.path == TOKEN_PATH {
        return Ok(token_reply(tokens.fetch_add(1, Ordering::SeqCst) + 1));
    }
    Ok(RawResponse::new(200, vec![], QUERY_OK.as_bytes().to_vec()))
}

/// Runs `f` on a thread of its own and fails the test if it has not returned within `LIMIT`.
fn within_limit<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(LIMIT)
        .expect("the call did not return: the client deadlocked")
}

/// An `on_exchange` observer that calls back into the client in `slot` during every token
/// exchange (through `token_of`) and records the token that call returned in `seen`.
fn on_token_exchange<C: Send + Sync + 'static>(
    slot: &Arc<OnceLock<Weak<C>>>,
    seen: &Arc<Mutex<Vec<String>>>,
    token_of: impl Fn(&C) -> String + Send + Sync + 'static,
) -> impl Fn(&Exchange) + Send + Sync + 'static {
    let (slot, seen) = (Arc::clone(slot), Arc::clone(seen));
    move |e: &Exchange| {
        if e.operation == ACCESS_TOKEN_OPERATION {
            let client = slot.get().and_then(Weak::upgrade).expect("client is alive");
            seen.lock().unwrap().push(token_of(&client));
        }
    }
}

type Blocking = Client<Box<dyn Fn(&PreparedRequest) -> Result<RawResponse, TransportError> + Send + Sync>>;

#[test]
fn on_exchange_calling_access_token_during_a_token_exchange_does_not_deadlock() {
    let tokens = Arc::new(AtomicUsize::new(0));
    let slot: Arc<OnceLock<Weak<Blocking>>> = Arc::default();
    let inner_tokens = Arc::new(Mutex::new(Vec::new()));
    let observer = on_token_exchange(&slot, &inner_tokens, |client: &Blocking| {
        let token = client.access_token().expect("the re-entrant call gets the token");
        token.expose_secret().to_owned()
    });
    let transport = {
        let tokens = Arc::clone(&tokens);
        Box::new(move |req: &PreparedRequest| reply(req, &tokens))
            as Box<dyn Fn(&PreparedRequest) -> Result<RawResponse, TransportError> + Send + Sync>
    };
    let client: Arc<Blocking> = Arc::new(Client::new(config(), transport).with_options(ClientOptions {
        on_exchange: Some(Arc::new(observer)),
        ..ClientOptions::default()
    }));
    slot.set(Arc::downgrade(&client)).unwrap();

    let outer = Arc::clone(&client);
    let token = within_limit(move || outer.access_token().unwrap());
    assert_eq!(token.expose_secret(), "TOKEN1");
    assert_eq!(
        *inner_tokens.lock().unwrap(),
        ["TOKEN1"],
        "the observer saw the fresh token"
    );
    assert_eq!(tokens.load(Ordering::SeqCst), 1, "still one token request");

    // Other threads are not blocked either, and later calls run normally.
    let others: Vec<_> = (0..4)
        .map(|_| {
            let c = Arc::clone(&client);
            std::thread::spawn(move || c.qris_query(&query()).map(|_| ()))
        })
        .collect();
    within_limit(move || others.into_iter().for_each(|t| t.join().unwrap().unwrap()));
}

#[test]
fn a_transport_calling_its_own_client_during_a_refresh_gets_an_error_not_a_hang() {
    let slot: Arc<OnceLock<Weak<Blocking>>> = Arc::default();
    let transport = {
        let slot = Arc::clone(&slot);
        Box::new(move |_: &PreparedRequest| {
            let client = slot.get().and_then(Weak::upgrade).expect("client is alive");
            match client.access_token() {
                Err(ClientError::Snap(nicepay_snap::Error::InvalidInput { field, .. })) if field == "access_token" => {
                    Err(TransportError::new(
                        nicepay_snap::TransportErrorKind::Connect,
                        "refused re-entry",
                    ))
                }
                other => panic!("expected the re-entry to be refused, got {other:?}"),
            }
        }) as Box<dyn Fn(&PreparedRequest) -> Result<RawResponse, TransportError> + Send + Sync>
    };
    let client: Arc<Blocking> = Arc::new(Client::new(config(), transport).with_options(ClientOptions {
        connect_retries: 0,
        ..ClientOptions::default()
    }));
    slot.set(Arc::downgrade(&client)).unwrap();
    let outer = Arc::clone(&client);
    let result = within_limit(move || outer.access_token());
    assert!(matches!(result, Err(ClientError::Transport(_))), "{result:?}");
}

/// An async transport over the same scripted replies, optionally hanging on the first token
/// request.
#[derive(Clone, Default)]
struct Scripted {
    tokens: Arc<AtomicUsize>,
    hang_first_token: bool,
}

impl nicepay_snap::AsyncTransport for Scripted {
    async fn send(&self, req: &PreparedRequest) -> Result<RawResponse, TransportError> {
        if self.hang_first_token && req.path == TOKEN_PATH && self.tokens.load(Ordering::SeqCst) == 0 {
            self.tokens.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        reply(req, &self.tokens)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_on_exchange_blocking_on_the_client_during_a_token_exchange_does_not_deadlock() {
    let transport = Scripted::default();
    let slot: Arc<OnceLock<Weak<AsyncClient<Scripted>>>> = Arc::default();
    let seen = Arc::new(Mutex::new(Vec::new()));
    // What a Python coroutine run from a synchronous callback does: wait, on another thread and
    // event loop, for a call into the same client.
    let observer = on_token_exchange(&slot, &seen, |client: &AsyncClient<Scripted>| {
        let token = std::thread::scope(|s| {
            s.spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(client.access_token())
            })
            .join()
            .unwrap()
        });
        token.unwrap().expose_secret().to_owned()
    });
    let client = Arc::new(
        AsyncClient::new(config(), transport.clone()).with_options(ClientOptions {
            on_exchange: Some(Arc::new(observer)),
            ..ClientOptions::default()
        }),
    );
    slot.set(Arc::downgrade(&client)).unwrap();
    let outer = Arc::clone(&client);
    let token = tokio::time::timeout(LIMIT, tokio::spawn(async move { outer.access_token().await }))
        .await
        .expect("the call did not return: the client deadlocked")
        .unwrap()
        .unwrap();
    assert_eq!(token.expose_secret(), "TOKEN1");
    assert_eq!(*seen.lock().unwrap(), ["TOKEN1"]);
    assert_eq!(transport.tokens.load(Ordering::SeqCst), 1);
    tokio::time::timeout(LIMIT, client.qris_query(&query()))
        .await
        .expect("later calls run")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_token_refresh_lets_the_next_caller_refresh() {
    let transport = Scripted {
        hang_first_token: true,
        ..Scripted::default()
    };
    let client = Arc::new(AsyncClient::new(config(), transport.clone()));
    // The first refresh hangs; its caller gives up.
    let gave_up = tokio::time::timeout(Duration::from_millis(100), client.access_token()).await;
    assert!(gave_up.is_err(), "the first refresh should still be hanging");
    // Nobody is left refreshing: the next caller does it instead of waiting forever.
    let token = tokio::time::timeout(LIMIT, client.access_token())
        .await
        .expect("the next caller was left waiting for a cancelled refresh")
        .unwrap();
    assert_eq!(token.expose_secret(), "TOKEN2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiters_share_an_async_refresh_that_is_under_way() {
    let transport = Scripted::default();
    let client = Arc::new(AsyncClient::new(config(), transport.clone()));
    let calls: Vec<_> = (0..16)
        .map(|_| {
            let c = Arc::clone(&client);
            tokio::spawn(async move { c.qris_query(&query()).await })
        })
        .collect();
    for call in calls {
        tokio::time::timeout(LIMIT, call).await.unwrap().unwrap().unwrap();
    }
    assert_eq!(transport.tokens.load(Ordering::SeqCst), 1);
}
