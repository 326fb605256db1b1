//! The schedule part of a replay string: which execution, in the words of the
//! engine that ran it.
//!
//! ```text
//! pct:91020c00…                 a schedule shuttle's PCT scheduler made (shuttle's own hex,
//! random:91020c00…              usable with shuttle::replay); `shuttle:` is accepted too
//! dfs:91020c00…/a0.0=1          …with the choice script the search ran under
//! loom:pb=2,mb=20000:17         loom's 17th execution with preemption bound 2, branch limit 20000
//! loom:pb=2,mb=20000,c=a0.0=1:3 …under a choice script
//! states:0*3.1.c2               the states engine's path of decisions (`~` starts a lasso's cycle)
//! ```

use std::fmt;
use std::str::FromStr;

use locklab_models::sim::choice::ChoiceScript;

use super::path_text::{decode_path, encode_path, MAX_PATH};
use super::shuttle_hex;
use crate::engine::LOOM_MAX_PREEMPTION_BOUND;

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

const FORMAT_HELP: &str =
    "a schedule reads 'pct:HEX', 'random:HEX', 'dfs:HEX', 'states:PATH' or 'loom:pb=N,mb=N:INDEX'";

/// The shuttle schedulers whose schedules replay strings name.
const SHUTTLE_SCHEDULERS: [&str; 4] = ["pct", "random", "dfs", "shuttle"];

impl FromStr for Schedule {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        parse_schedule(s)
    }
}

fn parse_schedule(s: &str) -> Result<Schedule, String> {
    if let Some(rest) = s.strip_prefix("loom:") {
        return parse_loom(s, rest);
    }
    if let Some(rest) = s.strip_prefix("states:") {
        let bad = || {
            format!(
                "malformed states path '{}' (task numbers and cN answers, dot separated, at most {MAX_PATH} steps): {FORMAT_HELP}",
                abbreviate(rest)
            )
        };
        let mut budget = MAX_PATH;
        return match rest.split_once('~') {
            None => decode_path(rest, &mut budget).map(|path| Schedule::States {
                path,
                cycle_from: None,
            }),
            Some((prefix, cycle)) => decode_path(prefix, &mut budget)
                .zip(decode_path(cycle, &mut budget))
                .filter(|(_, c)| !c.is_empty())
                .map(|(mut p, c)| {
                    let at = p.len();
                    p.extend(c);
                    Schedule::States {
                        path: p,
                        cycle_from: Some(at),
                    }
                }),
        }
        .ok_or_else(bad);
    }
    let Some((scheduler, rest)) = s
        .split_once(':')
        .filter(|(name, _)| SHUTTLE_SCHEDULERS.contains(name))
    else {
        return Err(format!(
            "unknown schedule '{}': {FORMAT_HELP}",
            abbreviate(s)
        ));
    };
    let (hex, choices) = rest.split_once('/').unwrap_or((rest, ""));
    if let Err(e) = shuttle_hex::decode(hex) {
        return Err(format!(
            "the shuttle schedule '{}' is not valid ({e}); {FORMAT_HELP}",
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
            Some(("pb", v)) => {
                let bound: usize = v.parse().map_err(|_| bad())?;
                if bound > LOOM_MAX_PREEMPTION_BOUND {
                    return Err(format!("the loom preemption bound {bound} is beyond loom's limit of {LOOM_MAX_PREEMPTION_BOUND}: the replay string is corrupt"));
                }
                pb = Some(Some(bound));
            }
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

pub(super) fn abbreviate(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_owned()
    }
}
