//! Where [`Actor::choose`](super::Actor::choose) gets its values.
//!
//! A choice is nondeterminism in the data rather than in the schedule ("the client
//! retries or gives up", "the reply is lost or delivered"). Each engine explores it in
//! its own way, and the engine sets the source on the [`Recorder`](super::Recorder)
//! before it runs:
//! - shuttle's schedulers draw it from shuttle's controlled RNG, so it is part of the
//!   recorded schedule and replays with it;
//! - an exhaustive engine (loom, DFS) runs its whole search once per [`ChoiceScript`],
//!   and enumerates the scripts over every choice point the searches met, so every
//!   combination of choices is explored under every interleaving;
//! - real threads draw from a seeded generator.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// One choice point: the `index`-th choice (0-based) of actor `actor`. An actor is
/// deterministic between steps, so its k-th choice is the same decision in every
/// execution that reaches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChoicePoint {
    /// The choosing actor's index.
    pub actor: usize,
    /// Which of its choices.
    pub index: u32,
}

/// Fixed answers for some choice points; every other choice point answers 0.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChoiceScript {
    /// Non-zero answers only, so equal scripts compare equal.
    pub answers: BTreeMap<ChoicePoint, usize>,
}

impl ChoiceScript {
    /// The answer at `point` (0 where the script says nothing).
    pub fn answer(&self, point: ChoicePoint) -> usize {
        self.answers.get(&point).copied().unwrap_or(0)
    }

    /// This script with `point` answered `value`.
    pub fn with(&self, point: ChoicePoint, value: usize) -> Self {
        let mut next = self.clone();
        if value == 0 {
            next.answers.remove(&point);
        } else {
            next.answers.insert(point, value);
        }
        next
    }

    /// Whether it answers 0 everywhere (the only script of a scheme with no choices).
    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }
}

/// `a0.1=2;a1.0=1`: actor 0's second choice is 2, actor 1's first is 1.
impl fmt::Display for ChoiceScript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .answers
            .iter()
            .map(|(p, v)| format!("a{}.{}={v}", p.actor, p.index))
            .collect();
        f.write_str(&parts.join(";"))
    }
}

impl FromStr for ChoiceScript {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let mut script = ChoiceScript::default();
        for part in s.split(';').filter(|p| !p.is_empty()) {
            let bad = || format!("malformed choice '{part}': expected aACTOR.INDEX=VALUE");
            let (point, value) = part.split_once('=').ok_or_else(bad)?;
            let (actor, index) = point
                .strip_prefix('a')
                .and_then(|p| p.split_once('.'))
                .ok_or_else(bad)?;
            let point = ChoicePoint {
                actor: actor.parse().map_err(|_| bad())?,
                index: index.parse().map_err(|_| bad())?,
            };
            script = script.with(point, value.parse().map_err(|_| bad())?);
        }
        Ok(script)
    }
}

/// The source of choices for the current run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choices {
    /// Answers from a script (0 elsewhere): the exhaustive engines.
    Script(ChoiceScript),
    /// shuttle's RNG, recorded in the schedule.
    Shuttle,
    /// A seeded generator (real threads); the state advances with every draw.
    Seeded(u64),
}

impl Default for Choices {
    fn default() -> Self {
        Choices::Script(ChoiceScript::default())
    }
}

impl Choices {
    /// The answer at `point` among `n` options.
    pub(crate) fn draw(&mut self, point: ChoicePoint, n: usize) -> usize {
        match self {
            Choices::Script(script) => script.answer(point).min(n - 1),
            Choices::Shuttle => {
                use shuttle::rand::Rng as _;
                shuttle::rand::thread_rng().gen_range(0..n)
            }
            Choices::Seeded(state) => (splitmix64(state) % n as u64) as usize,
        }
    }
}

/// One step of SplitMix64: small, fast and good enough to spread choices.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_round_trip_through_text() {
        let s = ChoiceScript::default()
            .with(ChoicePoint { actor: 0, index: 1 }, 2)
            .with(ChoicePoint { actor: 3, index: 0 }, 1);
        let text = s.to_string();
        assert_eq!(text, "a0.1=2;a3.0=1");
        assert_eq!(text.parse::<ChoiceScript>().unwrap(), s);
        assert!("a0=1".parse::<ChoiceScript>().is_err());
    }
}
