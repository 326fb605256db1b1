//! Unreachable servers: a failure in CI, a skip on a developer's machine.

use std::fmt;

/// A server could not be reached (connect or first query failed).
#[derive(Debug, Clone)]
pub struct ServerUnavailable {
    /// Which server and where (`PostgreSQL at host=127.0.0.1 …`).
    pub server: String,
    /// The client library's error.
    pub reason: String,
}

impl fmt::Display for ServerUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is unreachable: {}", self.server, self.reason)
    }
}

impl std::error::Error for ServerUnavailable {}

/// Whether this is a CI run (`CI=true`), where every server must be up.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The probe, or `None` after printing a skip notice. Under `CI=true` an unreachable
/// server panics with a clear message instead: CI must not pass without the servers.
pub fn require<T>(test: &str, probe: Result<T, ServerUnavailable>) -> Option<T> {
    match probe {
        Ok(p) => Some(p),
        Err(e) if in_ci() => {
            panic!("{test}: {e}. CI=true requires the real server (start it before the tests)")
        }
        Err(e) => {
            eprintln!("SKIP {test}: {e} (set CI=true to make this a failure)");
            None
        }
    }
}
