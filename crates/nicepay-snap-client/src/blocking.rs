use nicepay_snap::{PreparedRequest, RawResponse, SyncTransport, TransportError};

crate::methods::client! {
    /// A blocking NICEPAY SNAP client over any [`SyncTransport`] (e.g. `nicepay_snap_ureq::UreqTransport`).
    ///
    /// It caches the access token and refreshes it before expiry (one refresh at a time, shared by
    /// all threads), retries once with a fresh token on `401xx01`, gives every request a fresh
    /// `X-EXTERNAL-ID`, and reports an unknown outcome of a money-moving call as
    /// [`ClientError::OutcomeUnknown`](crate::ClientError::OutcomeUnknown) instead of resending
    /// it. Cheap to share behind an `Arc`.
    pub struct Client<T> {
        transport: T = std::convert::identity,
    }
    bound: [SyncTransport],
    flavour: [],
    refresher: this_thread,
    wait: wait_blocking,
    sleep: std::thread::sleep,
    store_io: crate::store::run_here,
}

impl<T: SyncTransport> Client<T> {
    /// Sends the request of a call of `operation` once, reporting the exchange.
    fn send_call(
        &self,
        operation: &'static str,
        _money_moving: bool,
        request: &PreparedRequest,
        attempt: u32,
    ) -> Result<RawResponse, TransportError> {
        send_reported(&self.transport, &self.options, operation, request, attempt)
    }
}
