//! The `locklab` binary's pictures and report: `explore`/`replay --svg` and `report`
//! on the report crate's fixtures.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use xml_check::assert_well_formed;

#[path = "../../report/tests/report/xml_check.rs"]
mod xml_check;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../report/tests/fixtures/report")
}

/// A fresh, empty directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli-report-tests")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "expected {needle:?} in:\n{text}");
}

fn locklab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_locklab"))
        .args(args)
        .output()
        .expect("locklab runs")
}

#[test]
fn explore_and_replay_write_the_timeline_picture_of_a_violation() {
    let dir = scratch("explore-svg");
    let svg = dir.join("select-then-update.svg");
    let out = locklab(&[
        "explore",
        "device-claim/select-then-update",
        "--svg",
        svg.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let picture = fs::read_to_string(&svg).expect("the picture is written");
    assert_well_formed(&picture, "explore --svg");
    for label in [
        "device-claim/select-then-update",
        "violates exclusive-connection",
        "found by states",
        "locklab replay &apos;device-claim/select-then-update@servers=3,devices=1@states:",
    ] {
        assert_contains(&picture, label);
    }
    // Replaying the printed string draws the same steps.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let replay = stdout
        .lines()
        .find_map(|l| l.strip_prefix("replay: "))
        .expect("a replay string");
    let again = dir.join("replayed.svg");
    let out = locklab(&[
        "replay",
        "device-claim/select-then-update",
        replay,
        "--svg",
        again.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let replayed = fs::read_to_string(&again).unwrap();
    let steps = |s: &str| {
        s.lines()
            .filter(|l| l.contains("class=\"mono\" font-size=\"12\""))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(steps(&replayed), steps(&picture));

    let passed = dir.join("none.svg");
    let out = locklab(&[
        "explore",
        "device-claim/epoch-lease",
        "--iterations",
        "50",
        "--svg",
        passed.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!passed.exists());
    assert_contains(&String::from_utf8_lossy(&out.stderr), "no violation");
}

#[test]
fn report_command_writes_the_report_and_exits_2_naming_a_missing_input() {
    let out = scratch("cli-report");
    let criterion = fixtures().join("criterion");
    let check = fixtures().join("check.json");
    let args = |check: &Path| {
        let v: Vec<String> = [
            "report",
            "--criterion",
            criterion.to_str().unwrap(),
            "--check",
            check.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        v
    };
    let run = |a: Vec<String>| {
        Command::new(env!("CARGO_BIN_EXE_locklab"))
            .args(a)
            .output()
            .unwrap()
    };
    let ok = run(args(&check));
    // The fixture holds one failed expectation: reported, and the exit code says so.
    assert_eq!(
        ok.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_contains(
        &String::from_utf8_lossy(&ok.stdout),
        "5 charts, 1 timelines",
    );
    assert!(out.join("REPORT.md").is_file());

    let missing = out.join("absent/check.json");
    let bad = run(args(&missing));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{err}");
    assert_contains(&err, &missing.display().to_string());
    assert_contains(&err, "locklab report --measure");
}
