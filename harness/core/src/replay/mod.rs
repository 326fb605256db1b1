//! Replay strings: one word that names a scenario, every parameter it ran with and
//! the exact schedule of an execution, sealed by a checksum.
//!
//! ```text
//! device-claim/select-then-update@servers=2,ttl=3@pct:91020c00…@5f3a9c21
//! └─ scenario                     └─ parameters   └─ schedule   └─ CRC-32 of the rest
//! ```
//!
//! A run [focused](locklab_models::sim::focus) on one property names it after the
//! scenario, `cart-reservation/per-instance-cache#sold-within-stock@…`: replayed
//! without it, the execution would stop at the first property it violates.
//!
//! The schedule part is described in [`Schedule`]. A string is refused (never
//! replayed as something else) when its checksum does not match — a copy cut short,
//! a character changed — and, by [`ReplayString::params_for`], when it names another
//! scenario or parameters other than exactly the scenario's.

mod path_text;
mod schedule;
pub(crate) mod shuttle_hex;

use std::fmt;
use std::str::FromStr;

use locklab_models::sim::{Params, Scenario};

pub use path_text::MAX_PATH;
use schedule::abbreviate;
pub use schedule::Schedule;

/// A whole replay string: which scenario, at which parameters, which execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayString {
    /// The scenario id (`scheme/variant`).
    pub scenario: String,
    /// The one property the run looked for, if it was focused.
    pub focus: Option<String>,
    /// Every parameter of the scenario with the value the run used, in the
    /// scenario's order.
    pub params: Vec<(String, u64)>,
    /// The schedule.
    pub schedule: Schedule,
}

/// What to do with a string that is refused.
const COPY_HELP: &str = "copy the whole string locklab printed after 'replay:' (quoted, as printed), or run explore again for a fresh one";

impl ReplayString {
    /// The replay string of `schedule` run on `scenario` at `params`.
    pub fn new(scenario: &Scenario, params: &Params, schedule: Schedule) -> Self {
        ReplayString {
            scenario: scenario.id().to_owned(),
            focus: params.focus().map(str::to_owned),
            params: params.values().map(|(k, v)| (k.to_owned(), v)).collect(),
            schedule,
        }
    }

    /// The parameters to replay `scenario` at: `Err` (saying what does not match) if
    /// the string names another scenario, leaves a parameter out, names one the
    /// scenario does not have, or gives a value out of its range.
    pub fn params_for(&self, scenario: &Scenario) -> Result<Params, String> {
        if self.scenario != scenario.id() {
            return Err(format!(
                "this replay string is for {}, not {}: replay it as `replay {} …`",
                self.scenario,
                scenario.id(),
                self.scenario
            ));
        }
        let params = scenario
            .resolve(&self.params)?
            .focused_on(self.focus.as_deref());
        let mut named: Vec<&str> = self.params.iter().map(|(k, _)| k.as_str()).collect();
        named.sort_unstable();
        let mut wanted: Vec<&str> = params.values().map(|(k, _)| k).collect();
        wanted.sort_unstable();
        if named != wanted {
            return Err(format!(
                "this replay string gives the parameters {} but {} has {}: it was not made by this locklab for this scenario",
                list(&named),
                scenario.id(),
                list(&wanted)
            ));
        }
        Ok(params)
    }

    /// The text before the checksum.
    fn body(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let focus = self
            .focus
            .as_ref()
            .map(|p| format!("#{p}"))
            .unwrap_or_default();
        format!(
            "{}{focus}@{}@{}",
            self.scenario,
            params.join(","),
            self.schedule
        )
    }
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

/// The checksum of a replay string's body, as written.
fn checksum(body: &str) -> String {
    format!("{:08x}", crc32fast::hash(body.as_bytes()))
}

impl fmt::Display for ReplayString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = self.body();
        write!(f, "{body}@{}", checksum(&body))
    }
}

impl FromStr for ReplayString {
    type Err = String;

    /// Reads a replay string, checking its checksum first and then that it is
    /// written exactly as locklab writes it: an altered or cut string is refused,
    /// never read as another execution.
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let Some((body, sum)) = s.rsplit_once('@') else {
            return Err(format!(
                "'{}' is not a replay string: it has no scenario and checksum (a string from an older locklab, or a piece of one); {COPY_HELP}",
                abbreviate(s)
            ));
        };
        if sum != checksum(body) {
            return Err(format!(
                "the replay string is damaged: its checksum '{}' does not match the rest (cut short, or a character changed); {COPY_HELP}",
                abbreviate(sum)
            ));
        }
        let mut parts = body.splitn(3, '@');
        let (Some(scenario), Some(params), Some(schedule)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!(
                "the replay string has no scenario@parameters@schedule parts; {COPY_HELP}"
            ));
        };
        let (scenario, focus) = match scenario.split_once('#') {
            Some((id, property)) if is_param_name(property) => (id, Some(property.to_owned())),
            Some(_) => {
                return Err(format!(
                    "the replay string's property after '#' is not a property name; {COPY_HELP}"
                ))
            }
            None => (scenario, None),
        };
        let parsed = ReplayString {
            scenario: scenario.to_owned(),
            focus,
            params: parse_params(params)?,
            schedule: schedule.parse()?,
        };
        if parsed.body() != body {
            return Err(format!(
                "the replay string is not written as locklab writes it (its checksum matches, so it was made by hand); {COPY_HELP}"
            ));
        }
        Ok(parsed)
    }
}

/// `name=value,…` (empty: none).
fn parse_params(text: &str) -> Result<Vec<(String, u64)>, String> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',').map(parse_assignment).collect()
}

/// A parameter assignment, `NAME=VALUE` with a whole number (as `--set` takes it and
/// replay strings write it).
pub fn parse_assignment(s: &str) -> Result<(String, u64), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("'{}' is not NAME=VALUE (e.g. ttl=4)", abbreviate(s)))?;
    if !is_param_name(k) {
        return Err(format!(
            "'{}' is not a parameter name (letters, digits, '-' and '_'; `locklab list` shows each scenario's)",
            abbreviate(k)
        ));
    }
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "'{}' is not a whole number (in '{}')",
            abbreviate(v),
            abbreviate(s)
        ));
    }
    let v = v.parse().map_err(|_| {
        format!(
            "{} is too large for {k} (at most {}; see `locklab list` for its range)",
            abbreviate(v),
            u64::MAX
        )
    })?;
    Ok((k.to_owned(), v))
}

/// Whether `name` can name a parameter: ASCII letters, digits, `-` and `_` (so it
/// never holds the `,`, `=` and `@` of a replay string).
pub fn is_param_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
