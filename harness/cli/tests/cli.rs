//! The `locklab` binary as a user runs it.

use std::process::{Command, Output};

fn locklab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_locklab"))
        .args(args)
        .output()
        .expect("locklab runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn check_passes_on_the_built_in_models() {
    let out = locklab(&["check"]);
    let text = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("expectations held"), "{text}");
    assert!(!text.contains(" NO"), "{text}");
}

#[test]
fn check_json_lists_every_scenario_with_its_verdict() {
    let out = locklab(&[
        "check",
        "--only",
        "device-claim/select-then-update",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let results = json["results"].as_array().unwrap();
    assert_eq!(results.len(), 3, "one loom, one shuttle and one states row");
    assert!(results.iter().all(|r| r["met"] == true));
    for (row, family) in results.iter().zip(["loom:", "pct:", "states:"]) {
        assert_eq!(row["scenario"], "device-claim/select-then-update");
        assert_eq!(row["coverage"], "incomplete");
        assert_eq!(row["stopped_by"]["reason"], "violation");
        let replay = row["replay"].as_str().unwrap();
        assert!(
            replay.starts_with("device-claim/select-then-update@servers="),
            "{row}"
        );
        assert_eq!(
            replay.split('@').nth(2).map(|s| s.starts_with(family)),
            Some(true),
            "{row}"
        );
    }
}

#[test]
fn explore_of_a_buggy_rung_exits_1_and_its_printed_replay_command_reproduces_it() {
    let out = locklab(&["explore", "device-claim/expiring-claim", "--seed", "5"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("VIOLATED exclusive-connection"), "{text}");
    let command = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("locklab replay "))
        .expect("a replay command");
    let replay_string = command.trim_matches('\'');
    let again = locklab(&["replay", replay_string]);
    assert_eq!(again.status.code(), Some(1));
    let timeline = |t: &str| {
        t.lines()
            .skip_while(|l| !l.contains("#    t"))
            .take_while(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(timeline(&stdout(&again)), timeline(&text));
    assert!(!timeline(&text).is_empty());
    // The scenario id may come first, as it did before replay strings named it.
    let with_id = locklab(&["replay", "device-claim/expiring-claim", replay_string]);
    assert_eq!(timeline(&stdout(&with_id)), timeline(&stdout(&again)));
}

#[test]
fn explore_of_a_correct_rung_exits_0() {
    let out = locklab(&["explore", "device-claim/epoch-lease", "--iterations", "500"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn bad_input_exits_2_with_a_message_and_no_panic() {
    let cases: &[&[&str]] = &[
        &["explore", "device-claim/nope"],
        &["explore", "device-claim/epoch-lease", "--engine", "fast"],
        &["explore", "device-claim/epoch-lease", "--set", "ttl=0"],
        &["explore", "device-claim/epoch-lease", "--set", "nonsense=1"],
        &[
            "explore",
            "device-claim/epoch-lease",
            "--iterations",
            "many",
        ],
        &["replay", "device-claim/epoch-lease", "not-a-schedule"],
        &["replay", "device-claim/epoch-lease", "pct:91"],
        &["replay", "device-claim/epoch-lease", "shuttle:zz"],
        &["replay", "device-claim/epoch-lease", "loom:pb=2:abc"],
        &["check", "--only", "no-such-scheme/"],
        &["frobnicate"],
    ];
    for args in cases {
        let out = locklab(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("error"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
#[cfg(unix)]
fn a_closed_stdout_ends_the_program_quietly() {
    // `true` exits at once, so by the time locklab writes (0.3 s later) the pipe has
    // no reader and every write fails with EPIPE — once a panic with a backtrace.
    let script = format!(
        "( sleep 0.3; '{}' list; echo \"exit $?\" >&2 ) | true",
        env!("CARGO_BIN_EXE_locklab")
    );
    let out = Command::new("sh")
        .args(["-c", &script])
        .output()
        .expect("sh runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.trim(), "exit 141", "quiet, with SIGPIPE's status");
}
