//! `locklab report` on fixture data: a small criterion output written by hand in
//! criterion 0.8's format (`tests/fixtures/report/criterion`, including a saved
//! `base/` run and an HTML `report/` directory that must be ignored) and a check JSON
//! (`tests/fixtures/report/check.json`) with real replay strings, a failed
//! expectation, and a scheme and engine no code knows about.

use std::fs;
use std::path::{Path, PathBuf};

use locklab_report::{generate, Inputs, Meta, ReportError, Summary};
use xml_check::assert_well_formed;

#[path = "report/xml_check.rs"]
mod xml_check;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report")
}

/// A fresh, empty directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("report-tests")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn meta() -> Meta {
    Meta {
        date: "2000-01-01".into(),
        machine: "2 cores, test-machine".into(),
        toolchain: "rustc 1.0.0-test".into(),
        commit: "abc1234".into(),
    }
}

fn inputs(criterion_dir: PathBuf, check_file: PathBuf) -> Inputs {
    Inputs {
        criterion_dir,
        states_file: check_file.with_file_name("states.json"),
        servers_file: check_file.with_file_name("servers.json"),
        agreement_file: check_file.with_file_name("agreement.json"),
        check_file,
        meta: meta(),
    }
}

fn fixture_inputs() -> Inputs {
    inputs(fixtures().join("criterion"), fixtures().join("check.json"))
}

fn generate_into(name: &str) -> (PathBuf, Summary, String) {
    let out = scratch(name);
    let summary = generate(&fixture_inputs(), &out).expect("the fixtures make a report");
    let report = fs::read_to_string(out.join("REPORT.md")).unwrap();
    (out, summary, report)
}

fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
}

#[test]
fn tables_show_the_fixture_numbers() {
    let (_, summary, md) = generate_into("tables");
    assert_contains(
        &md,
        "Measured on 2000-01-01 · 2 cores, test-machine · `rustc 1.0.0-test` · commit `abc1234`.",
    );
    // 1000 ops per iteration in 400 µs (the fitted slope; the mean says 410 µs) = 2.5 M/s,
    // a quarter of the mutex baseline's 10 M/s; the interval comes from the slope's.
    assert_contains(
        &md,
        "| variant | verdict | contention | 1 thread | 2 threads | ≥ 1000 ops/s |",
    );
    assert_contains(&md, "| conditional-update | correct | hot-key | 2.50 M<br><sub>2.38 M – 2.63 M · 0.250×</sub> | 1.25 M<br><sub>1.23 M – 1.27 M · 0.250×</sub> | yes |");
    // 1000 ops in 1 s: the interval straddles 1000 ops/s; no disjoint-keys baseline.
    assert_contains(&md, "| epoch-lease | correct (**check failed**) | disjoint-keys | 1.00 k<br><sub>952 – 1.05 k · no baseline</sub> | — | ≈ at 1 thread (interval spans it) |");
    assert_contains(
        &md,
        "|  |  | hot-key | 500<br><sub>476 – 526 · 5.0e-5×</sub> | — | **no** at 1 thread |",
    );
    // The baseline from new/ (the saved base/ run is three times slower).
    assert_contains(&md, "| std-mutex | — | hot-key | 10.0 M<br><sub>9.52 M – 10.5 M · 1.00×</sub> | 5.00 M<br><sub>4.76 M – 5.26 M · 1.00×</sub> | yes |");
    // Search speed: locklab random at half the raw shuttle rate.
    assert_contains(&md, "| random ÷ raw-shuttle-random |");
    assert_contains(&md, "| device-claim/select-then-update | 100 k<br><sub>98.0 k – 102 k</sub> | 50.0 k<br><sub>47.6 k – 52.6 k</sub> | 100 k<br><sub>95.2 k – 105 k</sub> | 10.0 M<br><sub>9.09 M – 11.1 M</sub> | 0.500× |");
    // Time to bug: the median, not the mean.
    assert_contains(&md, "150 µs<br><sub>120 µs – 180 µs · 3 executions</sub>");
    assert_contains(
        &md,
        "2.50 ms<br><sub>2.30 ms – 2.70 ms · 31 executions</sub>",
    );
    // Growth: loom could not run 4 actors.
    assert_contains(&md, "| 3 | 480 ms<br><sub>24,000 executions · 50.0 k exec/s</sub> | 12.0 ms<br><sub>1,000 executions · 83.3 k exec/s</sub> |");
    assert_contains(&md, "| 4 | — (not run) | 14.0 ms");
    // Verdicts, per scheme, with the failed expectation called out.
    assert_contains(
        &md,
        "`locklab check`: 5 rungs, 8 runs: **1 expectation FAILED**.",
    );
    assert_contains(&md, "| select-then-update | violates exclusive-connection | ✓ violates exclusive-connection<br><sub>31 executions · 2.19 ms · devices=1, servers=2</sub>");
    assert_contains(&md, "✗ **expectation failed**: violates exclusive-connection<br><sub>d=3 · 10,000 executions · 500 ms");
    assert_eq!(summary.benchmarks, 19, "base/ and report/ are not read");
    assert_eq!((summary.checks, summary.failed_expectations), (8, 1));
}

#[test]
fn the_model_against_server_table_says_where_the_harm_is() {
    let (_, _, md) = generate_into("agreement");
    assert_contains(&md, "### Model against server");
    assert_contains(
        &md,
        "**PostgreSQL**: 4 of 4 rungs agree; 2 of 3 buggy rungs show their harm on the server (1 of them followed past a first symptom in process).",
    );
    // A followed rung names the property and lists the replay string that reaches the
    // harm; rows written before there was following (no such fields) still read.
    assert_contains(
        &md,
        "| `cart-reservation/per-instance-cache` | violates one-live-reservation | no statements: harm in process; followed to sold-within-stock: reproduced (4 statements): an item sold beyond its stock | 2 of 2 | 0 |",
    );
    assert_contains(
        &md,
        "- `cart-reservation/per-instance-cache`: `cart-reservation/per-instance-cache#sold-within-stock@users=2,cart-items=2,stock=1@states:2*2.1*2.2.1@09c8b6c0`",
    );
    assert_contains(
        &md,
        "| `jackpot/version-reset` | violates version-monotonic | reproduced (1 statement): a version not advanced | 1 of 1 | 1 |",
    );
    assert_contains(&md, "| `jackpot/version-cas` | holds | - | 6 of 6 | none |");
}

#[test]
fn unknown_schemes_engines_and_groups_appear_without_code_changes() {
    let (out, summary, md) = generate_into("unknown");
    assert_contains(&md, "### quantum-lock");
    assert_contains(
        &md,
        "| entangled | correct | hot-key | 1.00 M<br><sub>990 k – 1.01 M · 0.100×</sub> | yes |",
    );
    assert_contains(&md, "| rung | expected | loom | warp-drive | timeline |");
    assert_contains(&md, "| warp-drive (exec/s) |");
    assert_contains(&md, "| mystery-group/thing/1 | 5.00 µs | — |");
    assert_contains(&md, "| decoherence | violates no-cloning |");
    assert_contains(&md, "not a built-in scenario of this locklab: no timeline");
    let chart = fs::read_to_string(out.join("charts/throughput-quantum-lock.svg")).unwrap();
    assert_contains(&chart, "entangled · hot-key");
    let speed = fs::read_to_string(out.join("charts/search-speed.svg")).unwrap();
    assert_contains(&speed, "warp-drive");
    let subjects: Vec<&str> = summary.charts.iter().map(|c| c.subject.as_str()).collect();
    assert_eq!(
        subjects,
        [
            "throughput/device-claim",
            "throughput/quantum-lock",
            "search-speed",
            "time-to-bug",
            "growth"
        ]
    );
}

#[test]
fn every_svg_is_well_formed_and_carries_its_labels() {
    let (out, summary, md) = generate_into("svgs");
    let expectations: &[(&str, &[&str])] = &[
        ("charts/throughput-device-claim.svg", &["device-claim: lock operations per second", "conditional-update · hot-key", "baseline/std-mutex · hot-key", "1000 ops/s", "threads"]),
        ("charts/search-speed.svg", &["device-claim/select-then-update", "raw-shuttle-random", "executions / s (log)"]),
        ("charts/time-to-bug.svg", &["device-claim/select-then-update", "pct", "100 µs"]),
        ("charts/growth.svg", &["loom-pb2", "executions per search", "time per search", "actors"]),
        // The shortest counterexample (loom's, 6 steps) with its replay command.
        ("timelines/device-claim/select-then-update.svg", &["S1", "S2", "select owner", "violates exclusive-connection (safety property)", "✗ #5", "locklab replay &apos;device-claim/select-then-update@servers=2,devices=1@loom:pb=none,mb=20000:31@cd71416e&apos;", "t=0"]),
    ];
    for (file, labels) in expectations {
        let svg = fs::read_to_string(out.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_well_formed(&svg, file);
        for label in *labels {
            assert!(svg.contains(label), "{file} lacks {label:?}");
        }
        assert_contains(&md, file);
    }
    let drawn: Vec<_> = summary
        .timelines
        .iter()
        .filter_map(|t| t.path.as_deref())
        .collect();
    assert_eq!(drawn, ["timelines/device-claim/select-then-update.svg"]);
    assert_eq!(
        summary
            .timelines
            .iter()
            .find(|t| t.path.is_some())
            .unwrap()
            .steps,
        6
    );
}

#[test]
fn the_same_inputs_give_byte_identical_outputs() {
    let (a, _, _) = generate_into("identical-a");
    let (b, _, _) = generate_into("identical-b");
    let (files_a, files_b) = (files(&a), files(&b));
    assert_eq!(files_a.len(), 7, "{files_a:?}");
    for (fa, fb) in files_a.iter().zip(&files_b) {
        assert_eq!(fa.strip_prefix(&a).unwrap(), fb.strip_prefix(&b).unwrap());
        assert!(
            fs::read(fa).unwrap() == fs::read(fb).unwrap(),
            "{} differs",
            fa.display()
        );
    }
}

#[test]
fn svgs_of_a_previous_run_are_replaced_and_other_files_kept() {
    let out = scratch("stale");
    fs::create_dir_all(out.join("timelines/gone-scheme")).unwrap();
    fs::write(out.join("timelines/gone-scheme/old-rung.svg"), "<svg/>").unwrap();
    fs::write(out.join("README.md"), "kept").unwrap();
    generate(&fixture_inputs(), &out).unwrap();
    assert!(!out.join("timelines/gone-scheme").exists());
    assert_eq!(fs::read_to_string(out.join("README.md")).unwrap(), "kept");
}

#[test]
fn missing_inputs_name_the_file_and_the_command_that_makes_it() {
    let out = scratch("missing");
    let no_check = out.join("nowhere/check.json");
    let e = generate(
        &inputs(fixtures().join("criterion"), no_check.clone()),
        &out,
    )
    .unwrap_err();
    assert!(matches!(e, ReportError::Missing { .. }), "{e:?}");
    assert_contains(&e.to_string(), &no_check.display().to_string());
    assert_contains(&e.to_string(), "locklab check --json");
    let no_criterion = out.join("no-criterion");
    let e = generate(
        &inputs(no_criterion.clone(), fixtures().join("check.json")),
        &out,
    )
    .unwrap_err();
    assert_contains(&e.to_string(), &no_criterion.display().to_string());
    assert_contains(&e.to_string(), "cargo bench -p locklab");
    assert!(
        !out.join("REPORT.md").exists(),
        "nothing is written before the inputs are read"
    );
}

/// A copy of the fixture criterion directory to break.
fn criterion_copy(name: &str) -> PathBuf {
    let dir = scratch(name).join("criterion");
    copy_dir(&fixtures().join("criterion"), &dir);
    dir
}

#[test]
fn malformed_inputs_name_the_file() {
    let out = scratch("malformed-out");
    let check = fixtures().join("check.json");

    let crit = criterion_copy("malformed-estimates");
    let estimates =
        crit.join("search-speed/loom/device-claim_select-then-update/new/estimates.json");
    fs::write(&estimates, "{\"mean\": 12").unwrap();
    let e = generate(&inputs(crit, check.clone()), &out).unwrap_err();
    assert!(matches!(e, ReportError::Malformed { .. }), "{e:?}");
    assert_contains(&e.to_string(), &estimates.display().to_string());

    let crit = criterion_copy("malformed-id");
    let benchmark = crit.join("growth/pct/2/new/benchmark.json");
    let text = fs::read_to_string(&benchmark)
        .unwrap()
        .replace("\"value_str\":\"2\"", "\"value_str\":\"two\"");
    fs::write(&benchmark, text).unwrap();
    let e = generate(&inputs(crit, check.clone()), &out).unwrap_err();
    assert_contains(&e.to_string(), &benchmark.display().to_string());
    assert_contains(&e.to_string(), "'two' is not a number of actors");

    let crit = criterion_copy("missing-estimates");
    let estimates = crit.join("growth/pct/3/new/estimates.json");
    fs::remove_file(&estimates).unwrap();
    let e = generate(&inputs(crit, check.clone()), &out).unwrap_err();
    assert!(matches!(e, ReportError::Missing { .. }), "{e:?}");
    assert_contains(&e.to_string(), &estimates.display().to_string());

    let bad_check = scratch("malformed-check").join("check.json");
    fs::write(&bad_check, "{\"results\": [{\"scenario\": 3}]}").unwrap();
    let e = generate(
        &inputs(fixtures().join("criterion"), bad_check.clone()),
        &out,
    )
    .unwrap_err();
    assert_contains(&e.to_string(), &bad_check.display().to_string());

    let bad_replay = scratch("malformed-replay").join("check.json");
    let text = fs::read_to_string(&check)
        .unwrap()
        .replace("loom:pb=none,mb=20000:31", "loom:pb=none:31");
    fs::write(&bad_replay, text).unwrap();
    let e = generate(
        &inputs(fixtures().join("criterion"), bad_replay.clone()),
        &out,
    )
    .unwrap_err();
    assert_contains(&e.to_string(), &bad_replay.display().to_string());
    assert_contains(
        &e.to_string(),
        "device-claim/select-then-update (loom, {\"devices\": 1, \"servers\": 2}): the replay string is damaged",
    );
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn the_states_section_shows_the_engine_beside_loom_and_its_growth() {
    let (_, _, md) = generate_into("states-section");
    assert_contains(&md, "## State-caching engine");
    // conditional-update: loom finished, 72,422 / 30 executions.
    assert_contains(
        &md,
        "| device-claim/conditional-update | devices=1, servers=3 | 37 |",
    );
    assert_contains(&md, "2410×");
    // epoch-lease: loom did not finish; its bounded run stands beside.
    assert_contains(&md, "**did not finish**");
    assert_contains(&md, "≤2 preemptions");
    assert_contains(&md, "### Growth");
}
