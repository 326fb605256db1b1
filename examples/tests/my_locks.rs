//! The example crate as its user runs it: `cargo run -p locklab-example -- …`.

use std::process::{Command, Output};

fn my_locks(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_my-locks"))
        .args(args)
        .output()
        .expect("my-locks runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn timeline(text: &str) -> String {
    text.lines()
        .skip_while(|l| !l.contains("#    t"))
        .take_while(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn explore_finds_the_race_through_the_users_own_cli_and_its_replay_string_replays_it() {
    let out = my_locks(&["explore", "my-lock/get-then-del", "--engine", "loom"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("VIOLATED one-holder"), "{text}");
    assert!(
        text.contains("C0      paused"),
        "the stall between GET and DEL shows:\n{text}"
    );
    let command = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("my-locks replay "))
        .expect("a replay command naming this binary");
    let again = my_locks(&["replay", command.trim_matches('\'')]);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(timeline(&stdout(&again)), timeline(&text));
    assert!(!timeline(&text).is_empty());
}

#[test]
fn check_runs_the_users_scenarios_and_the_fix_passes() {
    let out = my_locks(&["check"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("my-lock/compare-and-delete"), "{text}");
    assert!(
        !text.contains("device-claim/"),
        "built-ins only with --all:\n{text}"
    );
    assert!(text.contains("all 6 expectations held"), "{text}");
}

#[test]
fn list_shows_the_users_scenarios_beside_the_built_ins() {
    let text = stdout(&my_locks(&["list"]));
    let mine = text.find("my-lock/get-then-del").expect("mine listed");
    let builtin = text
        .find("device-claim/epoch-lease")
        .expect("built-ins listed");
    assert!(mine < builtin, "{text}");
}

#[test]
fn check_json_carries_coverage_per_run() {
    let out = my_locks(&["check", "--json", "--only", "my-lock/compare-and-delete"]);
    let text = stdout(&out);
    assert!(
        text.contains("\"coverage\": \"preemption-bounded\""),
        "{text}"
    );
    assert!(text.contains("\"coverage\": \"sampled\""), "{text}");
}
