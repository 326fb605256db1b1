//! Corrupt `report` inputs written to disk: bad numbers, duplicated runs, broken JSON.

use super::*;

/// A corruption of a good `check --json` file.
type Edit = fn(&mut serde_json::Value);

pub(super) fn report_cases(dir: &Path) -> Vec<Case> {
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
