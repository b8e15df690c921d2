use nicepay_snap::{ExternalId, ResponseCode, TransportError};

/// Everything a client call can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// Invalid input, key problems, API rejections, undecodable responses (from the core).
    #[error(transparent)]
    Snap(#[from] nicepay_snap::Error),
    /// The request could not be exchanged, and the call does not move money (or it certainly
    /// never reached the server).
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// A call that moves money may or may not have been applied (timeout, dropped connection,
    /// 5xx, `504`, `202`, or an undecodable success). Do **not** resend it with a new identity:
    /// resolve it with a status query for `identifiers`. Resending the same request unchanged
    /// (same `partnerRefundNo` / `partnerReferenceNo`) can never apply it twice, but it does not
    /// tell you the outcome either: if NICEPAY recorded the first attempt, the resend is refused
    /// with `409xx01` Duplicate ([`ClientError::is_duplicate`]), which only proves the first one
    /// arrived. Query.
    #[error(
        "outcome of {operation} is unknown ({}); resolve it with a status query for {identifiers:?}",
        nicepay_snap::error::bounded(reason)
    )]
    OutcomeUnknown {
        /// Operation name, e.g. `qris.refund`.
        operation: &'static str,
        /// What happened.
        reason: String,
        /// `X-EXTERNAL-ID` of the last attempt.
        external_id: ExternalId,
        /// Identifiers from the request body needed to query the status
        /// (`originalReferenceNo`, `partnerRefundNo`, ...).
        identifiers: Vec<(String, String)>,
        /// The `responseCode`, if the server sent one.
        response_code: Option<ResponseCode>,
    },
    /// The state store ([`crate::Store`]) could not be opened, read or written. When this
    /// comes from a money-moving call, its journal entry could not be written and **nothing was
    /// sent**.
    #[error("state store ({backend}) failed: {reason}")]
    Store {
        /// `"memory"`, `"sqlite"` or `"redis"`.
        backend: &'static str,
        /// What failed (never a password).
        reason: String,
    },
}

impl ClientError {
    /// The SNAP `responseCode`, if the server sent one.
    pub fn response_code(&self) -> Option<&ResponseCode> {
        match self {
            Self::Snap(e) => e.response_code(),
            Self::OutcomeUnknown { response_code, .. } => response_code.as_ref(),
            Self::Transport(_) | Self::Store { .. } => None,
        }
    }

    /// `true` for [`ClientError::OutcomeUnknown`].
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, Self::OutcomeUnknown { .. })
    }

    /// `true` when NICEPAY refused the request as a duplicate (`409xx01`: the
    /// `partnerReferenceNo` / `partnerRefundNo` / `trxId` is already taken). After an unknown
    /// outcome, a same-identity resend answered so proves that the first attempt arrived, not
    /// that it succeeded: query its status.
    pub fn is_duplicate(&self) -> bool {
        matches!(self, Self::Snap(_))
            && self
                .response_code()
                .is_some_and(|c| c.http_status() == 409 && c.case_code() == "01")
    }
}
