use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use nicepay_snap::{ExternalId, Timestamp};

/// A source of wall-clock time. Inject a fake one in tests to exercise token expiry.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Milliseconds since the Unix epoch (UTC).
    fn now_unix_millis(&self) -> u64;

    /// The current instant as a SNAP [`Timestamp`].
    fn now(&self) -> Timestamp {
        let secs = i64::try_from(self.now_unix_millis() / 1000).unwrap_or(i64::MAX);
        Timestamp::from_unix_seconds(secs).expect("the system clock is within years 0001..9999")
    }
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix_millis(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0)
    }
}

/// Makes `X-EXTERNAL-ID`s: a millisecond clock reading plus 64 bits that are random per process
/// and never repeat within it (a counter through a bijective mix), so ids are unique per request.
#[derive(Debug)]
pub struct ExternalIdGenerator {
    seed: u64,
    counter: AtomicU64,
}

impl Default for ExternalIdGenerator {
    fn default() -> Self {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(SystemClock.now_unix_millis());
        Self {
            seed: hasher.finish(),
            counter: AtomicU64::new(0),
        }
    }
}

impl ExternalIdGenerator {
    /// The next id for a request made at `unix_millis`.
    pub fn next(&self, unix_millis: u64) -> ExternalId {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        // Multiplying by an odd constant is a bijection on u64, so distinct counters give
        // distinct values; the seed makes them unpredictable across processes.
        let random = self.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        ExternalId::from_parts(unix_millis, random)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_valid() {
        let g = ExternalIdGenerator::default();
        let ids: HashSet<String> = (0..10_000)
            .map(|_| g.next(1_700_000_000_000).as_str().to_owned())
            .collect();
        assert_eq!(ids.len(), 10_000);
        assert!(ids.iter().all(|id| ExternalId::new(id.as_str()).is_ok()));
    }

    #[test]
    fn system_clock_renders_jakarta_time() {
        assert!(SystemClock.now().to_string().ends_with("+07:00"));
    }
}
