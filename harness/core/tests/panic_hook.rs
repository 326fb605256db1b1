//! shuttle's panic hook prints "Task failed, serializing schedule" and a schedule for
//! any panic in the process once a shuttle run has happened. locklab keeps that
//! banner to panics inside a shuttle run: a failed assertion in a user's own test,
//! after a search, reads as the assertion alone.
//!
//! The panic must be observed from outside, so the test runs itself as a child
//! process (this same test binary, one test, with an environment variable set).

use std::process::Command;
use std::sync::Arc;

use locklab::engine::{explore, Budget, Random};

const CHILD: &str = "LOCKLAB_PANIC_HOOK_CHILD";

#[test]
fn a_failed_assertion_after_a_shuttle_search_prints_no_shuttle_banner() {
    if std::env::var_os(CHILD).is_some() {
        let s = locklab::scenarios::find("device-claim/select-then-update").unwrap();
        let model = s.build(&s.defaults()).unwrap();
        let v = explore(
            Arc::clone(&model),
            &Random,
            Budget::default().executions(50),
        );
        assert!(v.failure().is_some(), "random finds the race");
        panic!("the user's own assertion failed");
    }
    let me = std::env::current_exe().unwrap();
    let out = Command::new(me)
        .args([
            "--exact",
            "a_failed_assertion_after_a_shuttle_search_prints_no_shuttle_banner",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the child's assertion fails");
    assert!(
        stderr.contains("the user's own assertion failed"),
        "Rust's hook still reports it: {stderr}"
    );
    assert!(
        !stderr.contains("Task failed") && !stderr.contains("shuttle::replay"),
        "no shuttle banner: {stderr}"
    );
}
