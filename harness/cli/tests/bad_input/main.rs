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

mod flags;
mod replay;
mod report_inputs;

use flags::{check_and_list_cases, explore_flag_cases};
use replay::replay_cases;
use report_inputs::report_cases;

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
