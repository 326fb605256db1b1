//! Malformed, damaged and cross-scenario replay strings, built from real counterexamples.

use super::*;

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

pub(super) fn replay_cases() -> Vec<Case> {
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
    // A property after the id: edited by hand (the checksum no longer matches), or
    // sealed but not one the scenario checks, or not a name at all.
    cases.push(case(
        &["replay", &s.replacen('@', "#exclusive-connection@", 1)],
        "replay string",
    ));
    for property in ["nope", "deadlock-free", "panic"] {
        let sealed = resealed(s, property);
        cases.push(case(&["replay", &sealed], "has no property"));
    }
    for property in ["", "not a name", "a#b"] {
        let sealed = resealed(s, property);
        cases.push(case(&["replay", &sealed], "not a property name"));
    }
    cases.push(case(&["replay"], "required"));
    cases.push(case(
        &["replay", BUGGY, &strings[0].1, "extra"],
        "unexpected value",
    ));
    cases
}

/// `s` looking for `property` alone, sealed with a checksum that matches: a string
/// as a tool (not a typo) would make it.
fn resealed(s: &str, property: &str) -> String {
    let mut replay: ReplayString = s.parse().unwrap();
    replay.focus = Some(property.to_owned());
    replay.to_string()
}
