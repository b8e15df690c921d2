use std::sync::Arc;

use nicepay_snap::{AsyncTransport, PreparedRequest, RawResponse, TransportError, TransportErrorKind};

crate::methods::client! {
    /// An async NICEPAY SNAP client over any [`AsyncTransport`] (e.g. `nicepay_snap_reqwest::ReqwestTransport`).
    ///
    /// It caches the access token and refreshes it before expiry (one refresh at a time, shared by
    /// all threads), retries once with a fresh token on `401xx01`, gives every request a fresh
    /// `X-EXTERNAL-ID`, and reports an unknown outcome of a money-moving call as
    /// [`ClientError::OutcomeUnknown`](crate::ClientError::OutcomeUnknown) instead of resending
    /// it. Cheap to share behind an `Arc`.
    ///
    /// The send of a money-moving call (refund, payout approve) runs in a task of its own: if the
    /// caller's future is dropped (a timeout around the call, a cancelled task) after the request
    /// went out, the exchange still completes and is reported to
    /// [`ClientOptions::on_exchange`](crate::ClientOptions::on_exchange), so its outcome reaches
    /// the logs even though it can no longer reach the caller. Needs a tokio runtime, as the
    /// client's timers already do.
    pub struct AsyncClient<T> {
        transport: Arc<T> = Arc::new,
    }
    bound: [AsyncTransport + 'static],
    flavour: [async await],
    refresher: this_task,
    wait: wait_async,
    sleep: tokio::time::sleep,
    store_io: crate::store::run_off,
}

impl<T: AsyncTransport + 'static> AsyncClient<T> {
    /// Sends the request of a call of `operation` once, reporting the exchange; a money-moving
    /// one from a task of its own (see [`AsyncClient::send_detached`]).
    async fn send_call(
        &self,
        operation: &'static str,
        money_moving: bool,
        request: &PreparedRequest,
        attempt: u32,
    ) -> Result<RawResponse, TransportError> {
        if money_moving {
            self.send_detached(request, operation, attempt).await
        } else {
            send_reported(&*self.transport, &self.options, operation, request, attempt).await
        }
    }

    /// Sends a money-moving request from a task of its own, which finishes (and reports the
    /// exchange) even when the caller stops waiting. A panic in the transport counts as an I/O
    /// failure: the request may have gone out.
    async fn send_detached(
        &self,
        prepared: &PreparedRequest,
        operation: &'static str,
        attempt: u32,
    ) -> Result<RawResponse, TransportError> {
        let transport = Arc::clone(&self.transport);
        let options = self.options.clone();
        let request = prepared.clone();
        let task =
            tokio::spawn(async move { send_reported(&*transport, &options, operation, &request, attempt).await });
        task.await.unwrap_or_else(|e| {
            Err(TransportError::new(
                TransportErrorKind::Io,
                format!("the send task of {operation} failed: {e}"),
            ))
        })
    }
}
