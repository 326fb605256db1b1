//! Bad input, table-driven: hundreds of malformed invocations across every
//! subcommand and flag — unknown ids, odd characters, huge and negative numbers,
//! malformed, damaged and cross-scenario replay strings, corrupt report inputs. Each
//! must exit 2 with an `error:` message that says what to do, print nothing on
//! stdout, and never panic.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use locklab::engine::{explore, Budget, States};
use locklab::replay::ReplayString;

/// One malformed invocation.
struct Case {
    args: Vec<OsString>,
    /// Part of the message that must appear (case-insensitive), beyond `error`.
    says: &'static str,
    /// The command may print on stdout before refusing (a verdict, then an SVG
    /// path it cannot write).
    stdout_ok: bool,
}

fn case(args: &[&str], says: &'static str) -> Case {
    Case {
        args: args.iter().map(OsString::from).collect(),
        says,
        stdout_ok: false,
    }
}

const BUGGY: &str = "device-claim/select-then-update";
const CORRECT: &str = "device-claim/epoch-lease";

/// Ids that name no scenario.
const BAD_IDS: [&str; 14] = [
    "",
    "nope",
    "device-claim",
    "device-claim/",
    "/epoch-lease",
    "DEVICE-CLAIM/EPOCH-LEASE",
    "device-claim/epoch-lease/extra",
    "device-claim/epoch lease",
    "../../etc/passwd",
    "device-claim/épée",
    "device-claim/epoch-lease\u{200b}",
    "🔒/🔑",
    "-",
    "device-claim/*",
];

/// Values that are not a number at all, or not a whole non-negative one.
const NOT_NUMBERS: [&str; 14] = [
    "", "many", "-1", "1.5", "1e3", "0x10", " 5", "5 ", "NaN", "inf", "٣", "5s", "1_000", "--",
];

/// Whole numbers too large for any counter here.
const HUGE: [&str; 3] = [
    "18446744073709551616",
    "99999999999999999999999999",
    "340282366920938463463374607431768211456",
];

fn explore_flag_cases() -> Vec<Case> {
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

fn check_and_list_cases() -> Vec<Case> {
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
    // Backends: a value that names none, a rung or a set of rungs with no server
    // form, Redis (no scheme has a Redis form yet), --json with a backend.
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
        "no server form",
    ));
    cases.push(case(
        &["explore", CORRECT, "--backend", "redis"],
        "--backend postgres",
    ));
    cases.push(case(&["check", "--backend", "redis"], "--backend postgres"));
    cases.push(case(
        &["check", "--backend", "postgres", "--json"],
        "leave it out",
    ));
    cases.push(case(
        &[
            "check",
            "--only",
            "singleton-poller/",
            "--backend",
            "postgres",
        ],
        "no server form",
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

/// A real replay string of `id` at its defaults (the states engine's shortest
/// counterexample).
fn real_string(id: &str) -> String {
    let s = locklab::scenarios::find(id).unwrap();
    let params = s.defaults();
    let v = explore(s.build(&params).unwrap(), &States, Budget::default());
    let schedule = v.failure().unwrap().schedule.clone().unwrap();
    ReplayString::new(s, &params, schedule).to_string()
}

/// Counterexamples of these buggy rungs, computed once.
fn strings() -> &'static [(&'static str, String)] {
    static STRINGS: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();
    STRINGS.get_or_init(|| {
        [
            BUGGY,
            "device-claim/validate-then-connect",
            "instance-coordinator/unlocked-purchase",
            "jackpot/read-modify-write",
            "singleton-poller/unguarded-pollers",
        ]
        .into_iter()
        .map(|id| (id, real_string(id)))
        .collect()
    })
}

fn replay_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    // Malformed by hand.
    for s in [
        "",
        " ",
        "not-a-schedule",
        "pct:91",
        "shuttle:zz",
        "loom:pb=2:abc",
        "loom:pb=2,mb=20000:17",
        "states:0.1.2",
        "pct:910228a2d9f783a4c8fc8156000000924092242cdab62449200100#servers=3",
        "@",
        "@@@",
        "@@@00000000",
        "a/b@@pct:00@00000000",
        "device-claim/select-then-update@servers=3,devices=1@pct:00@",
        "device-claim/select-then-update@servers=3,devices=1@@xyz",
        "device-claim/select-then-update@servers=3,devices=1@states:0@GGGGGGGG",
        "%00",
        "'quoted'",
        "💥",
        "\\x91\\x02",
    ] {
        cases.push(case(&["replay", BUGGY, s], "replay string"));
        cases.push(case(&["replay", s], "replay string"));
    }
    let strings = strings();
    // Every string against every other scenario: refused, naming both.
    for (from, s) in strings {
        for (to, _) in strings {
            if from != to {
                cases.push(case(&["replay", to, s], "is for"));
            }
        }
        cases.push(case(&["replay", CORRECT, s], "is for"));
        for id in ["nope", "device-claim/", ""] {
            cases.push(case(&["replay", id, s], ""));
        }
    }
    // Damaged: cut short, a character changed, parameters edited in the text.
    let (_, s) = &strings[0];
    for cut in [1, 2, 8, 9, 12, s.len() / 2, s.len() - 30, s.len() - 10] {
        cases.push(case(&["replay", &s[..s.len() - cut]], "replay string"));
    }
    for edit in [
        s.replace("servers=3", "servers=2"),
        s.replace("servers=3", "servers=4"),
        s.replace("devices=1", "devices=2"),
        s.replace("states:", "pct:"),
        s.replace("select-then-update", "conditional-update"),
        s.to_uppercase(),
        format!("{s}0"),
        format!("x{s}"),
        format!("{s}@00000000"),
        s.replacen('@', "#", 1),
    ] {
        cases.push(case(&["replay", &edit], "replay string"));
    }
    cases.push(case(&["replay"], "required"));
    cases.push(case(
        &["replay", BUGGY, &strings[0].1, "extra"],
        "unexpected value",
    ));
    cases
}

/// A corruption of a good `check --json` file.
type Edit = fn(&mut serde_json::Value);

fn report_cases(dir: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    let good: serde_json::Value = {
        let out = Command::new(env!("CARGO_BIN_EXE_locklab"))
            .args(["check", "--only", BUGGY, "--json"])
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let mut files: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("brace", "{".into()),
        ("array", "[]".into()),
        ("null", "null".into()),
        ("number", "5".into()),
        ("results-number", r#"{"results": 5}"#.into()),
        ("results-strings", r#"{"results": ["a"]}"#.into()),
        (
            "truncated",
            good.to_string()[..good.to_string().len() / 2].to_owned(),
        ),
    ];
    let edits: [(&str, Edit); 8] = [
        ("negative-seconds", |v| {
            v["results"][0]["seconds"] = (-1.0).into()
        }),
        ("nan-seconds", |v| v["results"][0]["seconds"] = "NaN".into()),
        ("duplicate", |v| {
            let first = v["results"][0].clone();
            v["results"].as_array_mut().unwrap().push(first);
        }),
        ("bad-id", |v| v["results"][0]["scenario"] = "noslash".into()),
        ("string-executions", |v| {
            v["results"][0]["executions"] = "many".into()
        }),
        ("negative-executions", |v| {
            v["results"][0]["executions"] = (-5).into()
        }),
        ("found-after-beyond", |v| {
            v["results"][0]["found_after"] = u64::MAX.into()
        }),
        ("bad-replay", |v| {
            for r in v["results"].as_array_mut().unwrap() {
                if r["replay"].is_string() {
                    r["replay"] = "pct:zz".into();
                }
            }
        }),
    ];
    // JSON has no infinity: a number beyond f64 is text only.
    let seconds = format!("\"seconds\":{}", good["results"][0]["seconds"]);
    files.push((
        "huge-seconds",
        good.to_string().replacen(&seconds, "\"seconds\":1e400", 1),
    ));
    for (name, edit) in edits {
        let mut v = good.clone();
        edit(&mut v);
        files.push((name, v.to_string()));
    }
    let criterion = dir.join("criterion");
    std::fs::create_dir_all(&criterion).unwrap();
    let out = dir.join("out");
    for (name, text) in &files {
        let path = dir.join(format!("{name}.json"));
        std::fs::write(&path, text).unwrap();
        cases.push(Case {
            args: [
                "report".into(),
                "--check".into(),
                path.into_os_string(),
                "--criterion".into(),
                criterion.clone().into_os_string(),
                "--out".into(),
                out.clone().into_os_string(),
            ]
            .to_vec(),
            says: "check",
            stdout_ok: false,
        });
    }
    let invalid_utf8 = dir.join("invalid-utf8.json");
    std::fs::write(&invalid_utf8, [0xff, 0xfe, 0x00]).unwrap();
    for check in [
        invalid_utf8,
        dir.join("missing.json"),
        dir.to_path_buf(),
        PathBuf::from("/dev/null"),
    ] {
        cases.push(Case {
            args: vec![
                "report".into(),
                "--check".into(),
                check.into_os_string(),
                "--out".into(),
                out.clone().into_os_string(),
            ],
            says: "",
            stdout_ok: false,
        });
    }
    cases.push(case(&["report", "--check"], "value is required"));
    cases.push(case(
        &["report", "--measure", "--measure"],
        "cannot be used multiple times",
    ));
    cases.push(case(&["report", "extra"], "unexpected argument"));
    cases
}

#[cfg(unix)]
fn non_utf8_cases() -> Vec<Case> {
    use std::os::unix::ffi::OsStringExt;
    let bad = || OsString::from_vec(vec![0x66, 0x6f, 0xff, 0x6f]);
    let mut cases = Vec::new();
    for prefix in [
        &["explore"][..],
        &["replay"],
        &["explore", CORRECT, "--set"],
        &["check", "--only"],
        &["explore", CORRECT, "--engine"],
    ] {
        let mut args: Vec<OsString> = prefix.iter().map(OsString::from).collect();
        args.push(bad());
        cases.push(Case {
            args,
            says: "",
            stdout_ok: false,
        });
    }
    cases
}

#[cfg(not(unix))]
fn non_utf8_cases() -> Vec<Case> {
    Vec::new()
}

fn run(c: &Case) -> Output {
    Command::new(env!("CARGO_BIN_EXE_locklab"))
        .args(&c.args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("locklab runs")
}

/// What is wrong with the outcome of `c`, if anything.
fn fault(c: &Case, out: &Output) -> Option<String> {
    let err = String::from_utf8_lossy(&out.stderr);
    let shown = format!("{:?}\nstderr: {err}", c.args);
    if out.status.code() != Some(2) {
        return Some(format!("exit {:?}: {shown}", out.status.code()));
    }
    if err.contains("panicked") || err.contains("RUST_BACKTRACE") {
        return Some(format!("a panic: {shown}"));
    }
    // No arguments at all: clap's usage screen (on stderr, exit 2) is the message.
    let usage = c.args.is_empty() && err.contains("Usage:");
    let message = err.lines().find(|l| l.starts_with("error") || usage);
    let Some(message) = message else {
        return Some(format!("no error: line: {shown}"));
    };
    // A message that says what to do: more than a bare complaint.
    if message.len() < 30 && !err.contains("--help") {
        return Some(format!("a terse message: {shown}"));
    }
    if !err.to_lowercase().contains(&c.says.to_lowercase()) {
        return Some(format!("the message does not say '{}': {shown}", c.says));
    }
    if !c.stdout_ok && !out.stdout.is_empty() {
        let stdout = String::from_utf8_lossy(&out.stdout);
        return Some(format!("printed on stdout: {shown}\nstdout: {stdout}"));
    }
    None
}

#[test]
fn every_malformed_invocation_exits_2_with_a_message_and_no_panic() {
    let dir = std::env::temp_dir().join(format!("locklab-bad-input-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cases = explore_flag_cases();
    cases.extend(check_and_list_cases());
    cases.extend(replay_cases());
    cases.extend(report_cases(&dir));
    cases.extend(non_utf8_cases());
    assert!(cases.len() >= 300, "only {} cases", cases.len());
    let faults: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = cases
            .chunks(cases.len().div_ceil(4))
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .filter_map(|c| fault(c, &run(c)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        faults.is_empty(),
        "{} of {} invocations misbehaved:\n\n{}",
        faults.len(),
        cases.len(),
        faults.join("\n\n")
    );
    eprintln!(
        "{} malformed invocations, every one refused cleanly",
        cases.len()
    );
}
