//! Malformed `explore`, `check` and `list` invocations: ids, numbers, flags, backends.

use super::*;

pub(super) fn explore_flag_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for flag in [
        "--iterations",
        "--seed",
        "--actors",
        "--depth",
        "--max-time",
        "--preemption-bound",
    ] {
        for v in NOT_NUMBERS.iter().chain(&HUGE) {
            // `--preemption-bound` takes 'none' too; '--' would end the options.
            if *v == "--" {
                continue;
            }
            cases.push(case(&["explore", CORRECT, flag, v], "invalid value"));
        }
        cases.push(case(&["explore", CORRECT, flag], "value is required"));
    }
    // In range for u64, out of range for the flag (a value that once wrapped or
    // panicked further in).
    for (flag, v) in [
        ("--iterations", "0"),
        ("--iterations", "18446744073709551615"),
        ("--iterations", "1000000000001"),
        ("--depth", "0"),
        ("--depth", "1001"),
        ("--depth", "18446744073709551615"),
        ("--max-time", "0"),
        ("--max-time", "604801"),
        ("--max-time", "18446744073709551615"),
        ("--preemption-bound", "256"),
        ("--preemption-bound", "18446744073709551615"),
        ("--preemption-bound", "None"),
        ("--preemption-bound", "NONE"),
        ("--preemption-bound", "unbounded"),
    ] {
        cases.push(case(&["explore", CORRECT, flag, v], "invalid value"));
    }
    // Sizes the scenario does not allow, and engine limits.
    for v in ["0", "1000", "4294967296", "18446744073709551615"] {
        cases.push(case(&["explore", CORRECT, "--actors", v], "servers"));
    }
    for (args, says) in [
        (
            &["explore", BUGGY, "--engine", "loom", "--actors", "5"][..],
            "at most 4 actors",
        ),
        (
            &["explore", BUGGY, "--engine", "loom", "--set", "servers=5"][..],
            "at most 4 actors",
        ),
        (
            &[
                "explore",
                "cart-reservation/ttl-reservation-cache",
                "--engine",
                "loom",
                "--set",
                "users=6",
            ][..],
            "loom",
        ),
    ] {
        cases.push(case(args, says));
    }
    for engine in [
        "",
        "fast",
        "LOOM",
        "loom ",
        "shuttle",
        "pct(d=3)",
        "states,loom",
        "dfs2",
    ] {
        cases.push(case(&["explore", CORRECT, "--engine", engine], "one of"));
    }
    for set in [
        "ttl",
        "=4",
        "ttl=",
        "ttl=-1",
        "ttl=abc",
        "ttl=4=5",
        "ttl=1.5",
        "ttl=99999999999999999999",
        "ttl =4",
        "tt l=4",
        "ttl=0",
        "TTL=4",
        "nonsense=1",
        "servers=0",
        "servers=1000",
        "servers=18446744073709551615",
        "devices=0",
        ",",
        "ttl=4,servers=2",
        "é=1",
    ] {
        cases.push(case(&["explore", CORRECT, "--set", set], ""));
    }
    cases.push(case(&["explore", CORRECT, "--set"], "value is required"));
    // A property the scenario does not check, to look for alone.
    for property in [
        "nope",
        "",
        "Exclusive-Connection",
        "deadlock ",
        "step-bound",
        "panic",
    ] {
        cases.push(case(
            &["explore", CORRECT, "--property", property],
            "has no property",
        ));
    }
    cases.push(case(
        &["explore", CORRECT, "--property"],
        "value is required",
    ));
    cases.push(case(
        &["explore", CORRECT, "--bogus"],
        "unexpected argument",
    ));
    cases.push(case(
        &["explore", CORRECT, "--iterations", "5", "--iterations", "6"],
        "cannot be used multiple times",
    ));
    cases.push(case(&["explore", CORRECT, "extra"], "unexpected argument"));
    cases.push(case(&["explore"], "required"));
    for id in BAD_IDS {
        cases.push(case(&["explore", id], "locklab list"));
    }
    // A timeline picture that cannot be written (the verdict is printed first).
    for svg in ["/nonexistent-dir/x.svg", "/", "/proc/version"] {
        let mut c = case(&["explore", BUGGY, "--svg", svg], "cannot write");
        c.stdout_ok = true;
        cases.push(c);
    }
    cases
}

pub(super) fn check_and_list_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for flag in ["--deep", "--seed", "--max-time"] {
        for v in NOT_NUMBERS.iter().chain(&HUGE) {
            if *v == "--" {
                continue;
            }
            cases.push(case(&["check", flag, v], "invalid value"));
        }
    }
    for (flag, v) in [
        ("--deep", "0"),
        ("--deep", "1001"),
        ("--max-time", "0"),
        ("--max-time", "604801"),
    ] {
        cases.push(case(&["check", flag, v], "invalid value"));
    }
    for only in [
        "no-such-scheme/",
        "Device-claim/",
        "🔒",
        "device-claim/epoch-lease-x",
        " ",
    ] {
        cases.push(case(&["check", "--only", only], "locklab list"));
    }
    cases.push(case(&["check", "--only"], "value is required"));
    cases.push(case(
        &["check", "--json", "--json"],
        "cannot be used multiple times",
    ));
    // Backends: a value that names none, a rung or a set of rungs with no form on
    // that server (SQL rungs on Redis, a host-file rung on either), --json with a
    // backend.
    for v in ["mysql", "POSTGRES", "pg"] {
        cases.push(case(&["explore", BUGGY, "--backend", v], "possible values"));
        cases.push(case(&["check", "--backend", v], "possible values"));
        cases.push(case(&["replay", "x", "--backend", v], "possible values"));
    }
    cases.push(case(
        &["explore", BUGGY, "--backend", ""],
        "possible values",
    ));
    cases.push(case(
        &[
            "explore",
            "singleton-poller/kernel-file-lock",
            "--backend",
            "postgres",
        ],
        "no PostgreSQL form",
    ));
    cases.push(case(
        &[
            "explore",
            "singleton-poller/kernel-file-lock",
            "--backend",
            "redis",
        ],
        "no Redis form",
    ));
    cases.push(case(
        &["explore", CORRECT, "--backend", "redis"],
        "the singleton-poller lease ones",
    ));
    cases.push(case(
        &["replay", "x", "--backend", "redis"],
        "replay string",
    ));
    cases.push(case(
        &["check", "--only", "jackpot/", "--backend", "redis"],
        "no Redis form in these scenarios: try --only singleton-poller/",
    ));
    cases.push(case(
        &[
            "check",
            "--backend",
            "postgres",
            "--json",
            "--only",
            "nothing/",
        ],
        "no scenario id starts with 'nothing/'",
    ));
    cases.push(case(
        &[
            "check",
            "--only",
            "singleton-poller/",
            "--backend",
            "postgres",
        ],
        "no PostgreSQL form in these scenarios",
    ));
    cases.push(case(&["check", "extra"], "unexpected argument"));
    cases.push(case(&["list", "extra"], "unexpected argument"));
    cases.push(case(&["list", "--json"], "unexpected argument"));
    for sub in ["frobnicate", "explorer", "LIST", "-x", "--iterations"] {
        cases.push(case(&[sub], ""));
    }
    cases.push(case(&[], "Usage"));
    cases
}
