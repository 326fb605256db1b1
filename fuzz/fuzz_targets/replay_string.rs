//! Any text given to `locklab replay`: parsing never panics; what parses is written
//! back exactly as it was read; a parsed string checked against the scenario it names
//! never panics either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use locklab::replay::ReplayString;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(replay) = text.parse::<ReplayString>() else {
        return;
    };
    assert_eq!(
        replay.to_string(),
        text.trim(),
        "a parsed string round-trips"
    );
    if let Some(scenario) = locklab::scenarios::find(&replay.scenario) {
        let _ = replay.params_for(scenario);
    }
});
