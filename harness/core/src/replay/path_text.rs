//! A states path as text: task numbers and `c`-prefixed choice answers, dot
//! separated, with runs of one decision written `d*n` (`0*3.1.c2` is task 0 three
//! times, task 1, then the answer 2); `-` is the empty path.

use crate::engine::states::{Path, Step};

/// The longest path a replay string may name. The states engine's counterexamples
/// are shortest paths, far below this; the limit keeps a hostile `0*999999.0*999999…`
/// from allocating without end.
pub const MAX_PATH: usize = 1_000_000;

/// `path` as text.
pub(super) fn encode_path(path: &[Step]) -> String {
    let word = |s: &Step| match s {
        Step::Run(t) => t.to_string(),
        Step::Choose(v) => format!("c{v}"),
    };
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < path.len() {
        let run = path[i..].iter().take_while(|s| **s == path[i]).count();
        parts.push(if run > 1 {
            format!("{}*{run}", word(&path[i]))
        } else {
            word(&path[i])
        });
        i += run;
    }
    if parts.is_empty() {
        "-".to_owned()
    } else {
        parts.join(".")
    }
}

/// The path `text` names; `None` if malformed or longer than [`MAX_PATH`] (`budget`
/// is what is left of it, shared by a lasso's prefix and cycle).
pub(super) fn decode_path(text: &str, budget: &mut usize) -> Option<Path> {
    if text == "-" {
        return Some(Vec::new());
    }
    let mut path = Vec::new();
    for part in text.split('.') {
        let (word, times) = match part.split_once('*') {
            Some((w, n)) => (w, n.parse::<usize>().ok().filter(|&n| n > 1)?),
            None => (part, 1),
        };
        *budget = budget.checked_sub(times)?;
        let step = match word.strip_prefix('c') {
            Some(v) => Step::Choose(digits(v)?),
            None => Step::Run(digits(word)?),
        };
        path.extend(std::iter::repeat_n(step, times));
    }
    Some(path)
}

/// A decimal number as the encoder writes it: digits only (no sign, no spaces).
fn digits(s: &str) -> Option<u16> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}
