//! The Redis model's specification: each rule as commands run on the real Redis and
//! on the model on the same clock, reply by reply. Keys are `{p}name` (a per-run
//! prefix); times are `{now±N}` ms from the server's clock at the start of the case.

use locklab_models::sim::store::redis::{
    Reply, COMPARE_AND_DELETE, COMPARE_AND_PEXPIRE, COMPARE_AND_PEXPIREAT,
};
use locklab_servers::{At, RedisCase};

fn bulk(s: &str) -> Reply {
    Reply::Bulk(s.into())
}
fn err(s: &str) -> Reply {
    Reply::Error(s.into())
}

macro_rules! spec {
    ($name:ident, $clients:expr, |$c:ident| $body:expr) => {
        #[test]
        fn $name() {
            let $c = RedisCase::new(stringify!($name), $clients);
            let case: RedisCase = $body;
            case.check();
        }
    };
}

spec!(set_nx_px_race_one_wins, 2, |c| c
    .step(0, &["SET", "{p}lock", "a", "NX", "PX", "30000"])
    .expect(Reply::Ok)
    .step(1, &["SET", "{p}lock", "b", "NX", "PX", "30000"])
    .expect(Reply::Nil)
    .step(1, &["GET", "{p}lock"])
    .expect(bulk("a"))
    .step(0, &["PTTL", "{p}lock"])
    .expect(Reply::Int(30000))
    .within(1000));

spec!(set_nx_succeeds_once_the_holder_expired, 2, |c| c
    .step(0, &["SET", "{p}lock", "a", "NX", "PX", "30000"])
    .expect(Reply::Ok)
    .step(0, &["PEXPIREAT", "{p}lock", "{now-1}"])
    .expect(Reply::Int(1))
    .step(1, &["GET", "{p}lock"])
    .expect(Reply::Nil)
    .step(1, &["SET", "{p}lock", "b", "NX", "PX", "30000"])
    .expect(Reply::Ok)
    .step(0, &["GET", "{p}lock"])
    .expect(bulk("b")));

spec!(key_is_visible_in_the_millisecond_it_expires, 1, |c| c
    .step(0, &["SET", "{p}lock", "a", "PX", "40"])
    .expect(Reply::Ok)
    .step_at(0, At::Expiry("{p}lock".into()), &["GET", "{p}lock"])
    .expect(bulk("a"))
    .step_at(0, At::AfterExpiry("{p}lock".into()), &["GET", "{p}lock"])
    .expect(Reply::Nil));

spec!(set_nx_fails_in_the_millisecond_the_holder_expires, 2, |c| c
    .step(0, &["SET", "{p}lock", "a", "PX", "40"])
    .expect(Reply::Ok)
    .step_at(
        1,
        At::Expiry("{p}lock".into()),
        &["SET", "{p}lock", "b", "NX", "PX", "1000"]
    )
    .expect(Reply::Nil)
    .step_at(
        1,
        At::AfterExpiry("{p}lock".into()),
        &["SET", "{p}lock", "b", "NX", "PX", "30000"]
    )
    .expect(Reply::Ok));

spec!(set_px_zero_is_an_error, 1, |c| c
    .step(0, &["SET", "{p}lock", "a", "NX", "PX", "0"])
    .expect(err("ERR invalid expire time in 'set' command"))
    .step(0, &["SET", "{p}lock", "a", "PX", "-5"])
    .expect(err("ERR invalid expire time in 'set' command"))
    .step(0, &["SET", "{p}lock", "a", "EX", "0"])
    .expect(err("ERR invalid expire time in 'set' command"))
    .step(0, &["EXISTS", "{p}lock"])
    .expect(Reply::Int(0)));

spec!(set_with_expiry_already_due_deletes_the_key, 1, |c| c
    .step(0, &["SET", "{p}k", "a"])
    .expect(Reply::Ok)
    .step(0, &["SET", "{p}k", "b", "PXAT", "{now-1000}"])
    .expect(Reply::Ok)
    .step(0, &["EXISTS", "{p}k"])
    .expect(Reply::Int(0))
    .step(0, &["SET", "{p}k", "b", "PXAT", "0"])
    .expect(err("ERR invalid expire time in 'set' command")));

spec!(set_option_syntax_errors, 1, |c| c
    .step(0, &["SET", "{p}k", "a", "NX", "XX"])
    .expect(err("ERR syntax error"))
    .step(0, &["SET", "{p}k", "a", "PX", "10", "EX", "10"])
    .expect(err("ERR syntax error"))
    .step(0, &["SET", "{p}k", "a", "PX"])
    .expect(err("ERR syntax error"))
    .step(0, &["SET", "{p}k", "a", "PX", "ten"])
    .expect(err("ERR value is not an integer or out of range")));

spec!(set_xx_and_keepttl, 1, |c| c
    .step(0, &["SET", "{p}k", "a", "XX"])
    .expect(Reply::Nil)
    .step(0, &["SET", "{p}k", "a", "PXAT", "{now+60000}"])
    .expect(Reply::Ok)
    .step(0, &["SET", "{p}k", "b", "XX", "KEEPTTL"])
    .expect(Reply::Ok)
    .step(0, &["PEXPIRETIME", "{p}k"])
    .step(0, &["SET", "{p}k", "c", "XX"])
    .expect(Reply::Ok)
    .step(0, &["PTTL", "{p}k"])
    .expect(Reply::Int(-1))
    .step(0, &["GET", "{p}k"])
    .expect(bulk("c")));

spec!(get_then_del_release_deletes_a_successors_lock, 2, |c| c
    .step(0, &["SET", "{p}lock", "a", "NX", "PX", "30000"])
    .expect(Reply::Ok)
    .step(0, &["GET", "{p}lock"])
    .expect(bulk("a"))
    .step(1, &["PEXPIREAT", "{p}lock", "{now-1}"])
    .expect(Reply::Int(1))
    .step(1, &["SET", "{p}lock", "b", "NX", "PX", "30000"])
    .expect(Reply::Ok)
    .step(0, &["DEL", "{p}lock"])
    .expect(Reply::Int(1))
    .step(1, &["GET", "{p}lock"])
    .expect(Reply::Nil));

spec!(compare_and_delete_only_deletes_own_token, 2, |c| c
    .step(0, &["SET", "{p}lock", "a", "NX", "PX", "30000"])
    .expect(Reply::Ok)
    .step(1, &["EVAL", COMPARE_AND_DELETE, "1", "{p}lock", "b"])
    .expect(Reply::Int(0))
    .step(1, &["GET", "{p}lock"])
    .expect(bulk("a"))
    .step(0, &["EVAL", COMPARE_AND_DELETE, "1", "{p}lock", "a"])
    .expect(Reply::Int(1))
    .step(0, &["EVAL", COMPARE_AND_DELETE, "1", "{p}lock", "a"])
    .expect(Reply::Int(0)));

spec!(compare_and_delete_of_an_expired_lock_does_nothing, 1, |c| c
    .step(0, &["SET", "{p}lock", "a", "PX", "40"])
    .expect(Reply::Ok)
    .step_at(
        0,
        At::AfterExpiry("{p}lock".into()),
        &["EVAL", COMPARE_AND_DELETE, "1", "{p}lock", "a"]
    )
    .expect(Reply::Int(0)));

spec!(compare_and_pexpire_renews_only_own_lock, 2, |c| c
    .step(0, &["SET", "{p}lock", "a", "PX", "30000"])
    .expect(Reply::Ok)
    .step(
        1,
        &["EVAL", COMPARE_AND_PEXPIRE, "1", "{p}lock", "b", "60000"]
    )
    .expect(Reply::Int(0))
    .step(
        0,
        &["EVAL", COMPARE_AND_PEXPIRE, "1", "{p}lock", "a", "60000"]
    )
    .expect(Reply::Int(1))
    .step(0, &["PTTL", "{p}lock"])
    .expect(Reply::Int(60000))
    .within(1000)
    .step(0, &["EVAL", COMPARE_AND_PEXPIRE, "1", "{p}lock", "a", "0"])
    .expect(Reply::Int(1))
    .step(0, &["EXISTS", "{p}lock"])
    .expect(Reply::Int(0)));

spec!(
    compare_and_pexpireat_renews_only_own_lock_to_a_deadline,
    2,
    |c| c
        .step(0, &["SET", "{p}lock", "a", "PXAT", "{now+30000}"])
        .expect(Reply::Ok)
        .step(
            1,
            &[
                "EVAL",
                COMPARE_AND_PEXPIREAT,
                "1",
                "{p}lock",
                "b",
                "{now+60000}"
            ]
        )
        .expect(Reply::Int(0))
        .step(
            0,
            &[
                "EVAL",
                COMPARE_AND_PEXPIREAT,
                "1",
                "{p}lock",
                "a",
                "{now+60000}"
            ]
        )
        .expect(Reply::Int(1))
        .step(0, &["PEXPIRETIME", "{p}lock"])
        .step(
            0,
            &[
                "EVAL",
                COMPARE_AND_PEXPIREAT,
                "1",
                "{p}lock",
                "a",
                "{now-1}"
            ]
        )
        .expect(Reply::Int(1))
        .step(0, &["EXISTS", "{p}lock"])
        .expect(Reply::Int(0))
);

spec!(pexpire_options_and_non_positive_ttls, 1, |c| c
    .step(0, &["PEXPIRE", "{p}k", "1000"])
    .expect(Reply::Int(0))
    .step(0, &["SET", "{p}k", "a"])
    .expect(Reply::Ok)
    .step(0, &["PEXPIRE", "{p}k", "60000", "XX"])
    .expect(Reply::Int(0))
    .step(0, &["PEXPIRE", "{p}k", "60000", "NX"])
    .expect(Reply::Int(1))
    .step(0, &["PEXPIRE", "{p}k", "30000", "GT"])
    .expect(Reply::Int(0))
    .step(0, &["PEXPIRE", "{p}k", "30000", "LT"])
    .expect(Reply::Int(1))
    .step(0, &["PEXPIREAT", "{p}k", "{now+90000}", "GT"])
    .expect(Reply::Int(1))
    .step(0, &["PEXPIRETIME", "{p}k"])
    .step(0, &["PEXPIRE", "{p}k", "-1"])
    .expect(Reply::Int(1))
    .step(0, &["PTTL", "{p}k"])
    .expect(Reply::Int(-2))
    .step(0, &["PEXPIRETIME", "{p}k"])
    .expect(Reply::Int(-2)));

spec!(incr_counts_keeps_ttl_and_rejects_non_integers, 1, |c| c
    .step(0, &["INCR", "{p}n"])
    .expect(Reply::Int(1))
    .step(0, &["INCR", "{p}n"])
    .expect(Reply::Int(2))
    .step(0, &["PEXPIRE", "{p}n", "60000"])
    .expect(Reply::Int(1))
    .step(0, &["INCR", "{p}n"])
    .expect(Reply::Int(3))
    .step(0, &["PTTL", "{p}n"])
    .expect(Reply::Int(60000))
    .within(1000)
    .step(0, &["SET", "{p}s", "x"])
    .expect(Reply::Ok)
    .step(0, &["INCR", "{p}s"])
    .expect(err("ERR value is not an integer or out of range"))
    .step(0, &["SET", "{p}m", "9223372036854775807"])
    .expect(Reply::Ok)
    .step(0, &["INCR", "{p}m"])
    .expect(err("ERR increment or decrement would overflow")));

spec!(del_and_exists_count_keys, 1, |c| c
    .step(0, &["SET", "{p}a", "1"])
    .expect(Reply::Ok)
    .step(0, &["SET", "{p}b", "2", "PX", "30000"])
    .expect(Reply::Ok)
    .step(0, &["EXISTS", "{p}a", "{p}a", "{p}b", "{p}c"])
    .expect(Reply::Int(3))
    .step(0, &["DEL", "{p}a", "{p}c"])
    .expect(Reply::Int(1))
    .step(0, &["PTTL", "{p}a"])
    .expect(Reply::Int(-2))
    .step(0, &["GET", "{p}b"])
    .expect(bulk("2")));

spec!(wrong_arity_is_an_error, 1, |c| c
    .step(0, &["GET"])
    .expect(err("ERR wrong number of arguments for 'get' command"))
    .step(0, &["SET", "{p}k"])
    .expect(err(
        "ERR wrong number of arguments for 'set' command"
    )));
