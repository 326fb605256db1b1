//! Replay strings: one shell word that names a scenario's sizes and the exact
//! schedule of an execution.
//!
//! ```text
//! pct:91020c00…                 a schedule shuttle's PCT scheduler made (shuttle's own hex,
//! random:91020c00…              usable with shuttle::replay); `shuttle:` is accepted too
//! dfs:91020c00…/a0.0=1          …with the choice script the search ran under
//! loom:pb=2,mb=20000:17         loom's 17th execution with preemption bound 2, branch limit 20000
//! loom:pb=2,mb=20000,c=a0.0=1:3 …under a choice script
//! …#servers=2,ttl=3             the scenario parameters the run used
//! ```

use std::fmt;
use std::panic;
use std::str::FromStr;

use locklab_models::sim::choice::ChoiceScript;
use shuttle::scheduler::Schedule as ShuttleSchedule;

/// The engine-specific part: which execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// A recorded shuttle schedule.
    Shuttle {
        /// The scheduler that made it (`pct`, `random`, `dfs`; `shuttle` if unknown).
        scheduler: String,
        /// shuttle's hex encoding.
        hex: String,
        /// The choice script the search ran under (DFS; empty otherwise).
        choices: ChoiceScript,
    },
    /// loom settings and the 1-based index of the execution.
    Loom {
        /// Preemption bound (`None`: unbounded).
        preemption_bound: Option<usize>,
        /// Branch limit.
        max_branches: usize,
        /// The choice script of the loom run the execution belongs to.
        choices: ChoiceScript,
        /// Which execution of that run.
        execution: u64,
    },
    /// A path of the state-caching engine: every scheduling decision from the start.
    States {
        /// The decisions.
        path: crate::engine::states::Path,
        /// For a lasso (a liveness counterexample): where in `path` the cycle starts;
        /// the path ends back in the state it started from.
        cycle_from: Option<usize>,
    },
}

impl Schedule {
    /// The engine family that made it.
    pub fn family(&self) -> &str {
        match self {
            Schedule::Shuttle { scheduler, .. } => scheduler,
            Schedule::Loom { .. } => "loom",
            Schedule::States { .. } => "states",
        }
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::Shuttle {
                scheduler,
                hex,
                choices,
            } => {
                write!(f, "{scheduler}:{hex}")?;
                if !choices.is_empty() {
                    write!(f, "/{choices}")?;
                }
                Ok(())
            }
            Schedule::Loom {
                preemption_bound,
                max_branches,
                choices,
                execution,
            } => {
                let pb = preemption_bound.map_or_else(|| "none".to_owned(), |p| p.to_string());
                write!(f, "loom:pb={pb},mb={max_branches}")?;
                if !choices.is_empty() {
                    write!(f, ",c={choices}")?;
                }
                write!(f, ":{execution}")
            }
            Schedule::States {
                path,
                cycle_from: None,
            } => write!(f, "states:{}", encode_path(path)),
            Schedule::States {
                path,
                cycle_from: Some(at),
            } => write!(
                f,
                "states:{}~{}",
                encode_path(&path[..*at]),
                encode_path(&path[*at..])
            ),
        }
    }
}

/// A whole replay string: schedule plus scenario parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayString {
    /// The schedule.
    pub schedule: Schedule,
    /// `name=value` scenario parameters, in the order given.
    pub params: Vec<(String, u64)>,
}

impl fmt::Display for ReplayString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.schedule)?;
        if !self.params.is_empty() {
            let params: Vec<String> = self
                .params
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            write!(f, "#{}", params.join(","))?;
        }
        Ok(())
    }
}

const FORMAT_HELP: &str = "expected 'pct:HEX', 'random:HEX', 'dfs:HEX', 'states:PATH' or 'loom:pb=N,mb=N:INDEX', optionally followed by '#name=value,…'; copy the string locklab printed after 'replay:'";

/// The shuttle schedulers whose schedules replay strings name.
const SHUTTLE_SCHEDULERS: [&str; 4] = ["pct", "random", "dfs", "shuttle"];

impl FromStr for ReplayString {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (schedule, params) = s.split_once('#').unwrap_or((s, ""));
        let schedule = parse_schedule(schedule)?;
        let params = if params.is_empty() {
            Vec::new()
        } else {
            params
                .split(',')
                .map(|kv| {
                    let (k, v) = kv
                        .split_once('=')
                        .ok_or_else(|| format!("malformed parameter '{kv}': {FORMAT_HELP}"))?;
                    let v = v.parse().map_err(|_| {
                        format!("parameter '{k}' has a non-numeric value '{v}': {FORMAT_HELP}")
                    })?;
                    Ok((k.to_owned(), v))
                })
                .collect::<Result<_, String>>()?
        };
        Ok(ReplayString { schedule, params })
    }
}

fn parse_schedule(s: &str) -> Result<Schedule, String> {
    if let Some(rest) = s.strip_prefix("loom:") {
        return parse_loom(s, rest);
    }
    if let Some(rest) = s.strip_prefix("states:") {
        let bad = || {
            format!(
                "malformed states path '{}': {FORMAT_HELP}",
                abbreviate(rest)
            )
        };
        return match rest.split_once('~') {
            None => decode_path(rest).map(|path| Schedule::States {
                path,
                cycle_from: None,
            }),
            Some((prefix, cycle)) => {
                decode_path(prefix)
                    .zip(decode_path(cycle))
                    .map(|(mut p, c)| {
                        let at = p.len();
                        p.extend(c);
                        Schedule::States {
                            path: p,
                            cycle_from: Some(at),
                        }
                    })
            }
        }
        .ok_or_else(bad);
    }
    let Some((scheduler, rest)) = s
        .split_once(':')
        .filter(|(name, _)| SHUTTLE_SCHEDULERS.contains(name))
    else {
        return Err(format!(
            "unknown replay string '{}': {FORMAT_HELP}",
            abbreviate(s)
        ));
    };
    let (hex, choices) = rest.split_once('/').unwrap_or((rest, ""));
    if decode_shuttle(hex).is_none() {
        return Err(format!(
            "the shuttle schedule '{}' is not valid: {FORMAT_HELP}",
            abbreviate(hex)
        ));
    }
    Ok(Schedule::Shuttle {
        scheduler: scheduler.to_owned(),
        hex: hex.to_owned(),
        choices: choices.parse()?,
    })
}

fn parse_loom(s: &str, rest: &str) -> Result<Schedule, String> {
    let bad = || format!("malformed loom schedule '{}': {FORMAT_HELP}", abbreviate(s));
    let (settings, execution) = rest.rsplit_once(':').ok_or_else(bad)?;
    let execution: u64 = execution.parse().map_err(|_| bad())?;
    if execution == 0 {
        return Err(bad());
    }
    let (mut pb, mut mb, mut choices) = (None, None, ChoiceScript::default());
    for kv in settings.split(',') {
        match kv.split_once('=') {
            Some(("pb", "none")) => pb = Some(None),
            Some(("pb", v)) => pb = Some(Some(v.parse().map_err(|_| bad())?)),
            Some(("mb", v)) => mb = Some(v.parse().map_err(|_| bad())?),
            Some(("c", v)) => choices = v.parse()?,
            _ => return Err(bad()),
        }
    }
    Ok(Schedule::Loom {
        preemption_bound: pb.ok_or_else(bad)?,
        max_branches: mb.ok_or_else(bad)?,
        choices,
        execution,
    })
}

fn abbreviate(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_owned()
    }
}

/// shuttle's own hex encoding, without its line breaks (so it is one shell word).
pub(crate) fn encode_shuttle(schedule: &ShuttleSchedule) -> String {
    shuttle_engine::scheduler::serialization::serialize_schedule(schedule)
        .split_whitespace()
        .collect()
}

/// Decodes a shuttle schedule; `None` if malformed. shuttle's decoder indexes and
/// unwraps freely, so it runs behind `catch_unwind` to turn bad input into an error.
pub(crate) fn decode_shuttle(encoded: &str) -> Option<ShuttleSchedule> {
    if encoded.is_empty()
        || !encoded.chars().all(|c| c.is_ascii_hexdigit())
        || encoded.len() % 2 != 0
    {
        return None;
    }
    let _quiet = crate::quiet::QuietGuard::new();
    panic::catch_unwind(|| shuttle_engine::scheduler::serialization::deserialize_schedule(encoded))
        .ok()
        .flatten()
}

/// A states path as text: task numbers and `c`-prefixed choice answers, dot
/// separated, with runs of one decision written `d*n` (`0*3.1.c2` is task 0 three
/// times, task 1, then the answer 2).
fn encode_path(path: &[crate::engine::states::Step]) -> String {
    use crate::engine::states::Step;
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

fn decode_path(text: &str) -> Option<crate::engine::states::Path> {
    use crate::engine::states::Step;
    if text == "-" {
        return Some(Vec::new());
    }
    let mut path = Vec::new();
    for part in text.split('.') {
        let (word, times) = match part.split_once('*') {
            Some((w, n)) => (
                w,
                n.parse::<usize>()
                    .ok()
                    .filter(|&n| n > 0 && n < 1_000_000)?,
            ),
            None => (part, 1),
        };
        let step = match word.strip_prefix('c') {
            Some(v) => Step::Choose(v.parse().ok()?),
            None => Step::Run(word.parse().ok()?),
        };
        path.extend(std::iter::repeat_n(step, times));
    }
    Some(path)
}
