//! Any `--set` values: each `NAME=VALUE` parses or is refused without panicking, and
//! whatever parses is resolved against every built-in scenario without panicking; a
//! resolved value is always within its parameter's range.
#![no_main]

use libfuzzer_sys::fuzz_target;
use locklab::replay::parse_assignment;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let assignments: Vec<(String, u64)> = text
        .split('\n')
        .filter_map(|a| parse_assignment(a).ok())
        .collect();
    for scenario in locklab::scenarios::all() {
        if let Ok(params) = scenario.resolve(&assignments) {
            for p in scenario.declared() {
                let value = params.get(*p);
                assert!(p.check(value).is_ok(), "{} = {value} out of range", p.name);
            }
        }
    }
});
