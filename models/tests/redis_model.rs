//! The Redis model alone: commands as argument lists on a virtual clock.

use locklab_models::sim::store::redis::{Redis, Reply, COMPARE_AND_DELETE};

#[test]
fn a_key_is_visible_until_the_millisecond_after_its_expiry() {
    let mut r = Redis::new();
    assert_eq!(r.exec(&["SET", "k", "a", "NX", "PX", "10"], 100), Reply::Ok);
    assert_eq!(r.exec(&["PEXPIRETIME", "k"], 100), Reply::Int(110));
    assert_eq!(r.exec(&["GET", "k"], 110), Reply::Bulk("a".into()));
    assert_eq!(r.exec(&["PTTL", "k"], 110), Reply::Int(0));
    assert_eq!(
        r.exec(&["SET", "k", "b", "NX", "PX", "10"], 110),
        Reply::Nil
    );
    assert_eq!(r.exec(&["GET", "k"], 111), Reply::Nil);
    assert_eq!(r.exec(&["SET", "k", "b", "NX", "PX", "10"], 111), Reply::Ok);
}

#[test]
fn non_positive_set_expiry_is_an_error_and_an_expiry_already_due_deletes() {
    let mut r = Redis::new();
    let invalid = Reply::Error("ERR invalid expire time in 'set' command".into());
    assert_eq!(r.exec(&["SET", "k", "a", "NX", "PX", "0"], 5), invalid);
    assert_eq!(r.exec(&["SET", "k", "a", "PXAT", "5"], 5), Reply::Ok);
    assert_eq!(r.exec(&["EXISTS", "k"], 5), Reply::Int(0));
    assert_eq!(r.exec(&["SET", "k", "a"], 5), Reply::Ok);
    assert_eq!(r.exec(&["PEXPIREAT", "k", "5"], 5), Reply::Int(1));
    assert_eq!(r.exec(&["EXISTS", "k"], 5), Reply::Int(0));
}

#[test]
fn scripts_are_recognised_by_text_whatever_the_layout() {
    let mut r = Redis::new();
    r.exec(&["SET", "k", "a"], 0);
    let reformatted = COMPARE_AND_DELETE
        .replace(' ', "\n  ")
        .replace('\'', "\"")
        .replace("get", "GET");
    assert_eq!(
        r.exec(&["EVAL", &reformatted, "1", "k", "b"], 0),
        Reply::Int(0)
    );
    assert_eq!(
        r.exec(&["EVAL", &reformatted, "1", "k", "a"], 0),
        Reply::Int(1)
    );
    let other = r.exec(&["EVAL", "return 1", "0"], 0);
    assert!(matches!(other, Reply::Error(e) if e.contains("compare-and-delete")));
}

#[test]
fn unsupported_commands_are_named() {
    let mut r = Redis::new();
    assert!(matches!(r.exec(&["HSET", "h", "f", "v"], 0), Reply::Error(e) if e.contains("'hset'")));
    assert!(matches!(r.exec(&["SET", "k", "v", "GET"], 0), Reply::Error(e) if e.contains("GET")));
}

#[test]
fn purging_expired_keys_makes_equal_states_equal() {
    let mut a = Redis::new();
    a.exec(&["SET", "x", "1", "PX", "5"], 0);
    a.exec(&["SET", "y", "2"], 0);
    let mut b = Redis::new();
    b.exec(&["SET", "y", "2"], 0);
    assert_ne!(a, b);
    a.purge_expired(6);
    assert_eq!(a, b);
    assert_eq!(a.live_entries(6).collect::<Vec<_>>(), vec![("y", "2")]);
}
