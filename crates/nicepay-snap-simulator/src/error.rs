//! The simulator's error type.

/// Everything that can go wrong when starting or driving the simulator from Rust.
///
/// SNAP-level failures (bad signature, unknown transaction, ...) are not errors here: they are
/// HTTP answers with a SNAP `responseCode`, as the real sandbox gives.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimulatorError {
    /// A builder setting is unusable (e.g. a key that does not parse).
    #[error("invalid simulator setting `{field}`: {reason}")]
    Config {
        /// The builder setting.
        field: &'static str,
        /// Why it was rejected (never contains key material).
        reason: String,
    },
    /// Binding the listener or building the runtime failed.
    #[error("simulator I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// An admin operation named something that does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// An admin operation does not fit the current state (e.g. paying a paid QR).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A fault-injection rule was rejected.
    #[error("invalid fault: {0}")]
    InvalidFault(String),
    /// A blocking helper was called from inside an async runtime, or the runtime is gone.
    #[error("runtime error: {0}")]
    Runtime(String),
    /// An unexpected internal failure.
    #[error("internal simulator error: {0}")]
    Internal(String),
}
