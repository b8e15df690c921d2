//! The simulator's error type. Messages are cut like the core's ([`bounded`]): an admin request
//! naming a 10 MB reference number gets a short answer.

use nicepay_snap::error::bounded;

/// Everything that can go wrong when starting or driving the simulator from Rust.
///
/// SNAP-level failures (bad signature, unknown transaction, ...) are not errors here: they are
/// HTTP answers with a SNAP `responseCode`, as the real sandbox gives.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimulatorError {
    /// A builder setting is unusable (e.g. a key that does not parse).
    #[error("invalid simulator setting `{field}`: {}", bounded(reason))]
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
    #[error("not found: {}", bounded(.0))]
    NotFound(String),
    /// An admin operation does not fit the current state (e.g. paying a paid QR).
    #[error("conflict: {}", bounded(.0))]
    Conflict(String),
    /// An admin request's input is unusable (e.g. a malformed or negative amount).
    #[error("invalid input: {}", bounded(.0))]
    InvalidInput(String),
    /// A fault-injection rule was rejected.
    #[error("invalid fault: {}", bounded(.0))]
    InvalidFault(String),
    /// A blocking helper was called from inside an async runtime, or the runtime is gone.
    #[error("runtime error: {0}")]
    Runtime(String),
    /// An unexpected internal failure.
    #[error("internal simulator error: {}", bounded(.0))]
    Internal(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_megabyte_names_give_short_messages() {
        let name = "r".repeat(10 * 1024 * 1024);
        for err in [
            SimulatorError::NotFound(format!("QRIS transaction {name}")),
            SimulatorError::Conflict(name.clone()),
            SimulatorError::InvalidFault(name.clone()),
            SimulatorError::Internal(name.clone()),
            SimulatorError::Config {
                field: "merchant_public_key",
                reason: name.clone(),
            },
        ] {
            let message = err.to_string();
            assert!(message.len() < 700, "{} bytes", message.len());
            assert!(message.ends_with(" bytes)"), "{}", &message[message.len() - 40..]);
        }
    }
}
