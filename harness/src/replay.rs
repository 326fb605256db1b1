//! Replay strings: one shell word that names a scenario's sizes and the exact
//! schedule of a failing execution.
//!
//! ```text
//! shuttle:91020c00…           a shuttle schedule (shuttle's own hex, usable with shuttle::replay)
//! loom:pb=2,mb=20000:17       loom's 17th execution with preemption bound 2, branch limit 20000
//! …#servers=2,ttl=3           the scenario parameters the run used
//! ```

use std::fmt;
use std::str::FromStr;

/// The engine-specific part: which execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// A recorded shuttle schedule (hex).
    Shuttle(String),
    /// loom settings and the 1-based index of the execution.
    Loom {
        /// Preemption bound (`None`: unbounded).
        preemption_bound: Option<usize>,
        /// Branch limit.
        max_branches: usize,
        /// Which execution.
        execution: u64,
    },
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::Shuttle(hex) => write!(f, "shuttle:{hex}"),
            Schedule::Loom {
                preemption_bound,
                max_branches,
                execution,
            } => {
                let pb = preemption_bound.map_or_else(|| "none".to_owned(), |p| p.to_string());
                write!(f, "loom:pb={pb},mb={max_branches}:{execution}")
            }
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

const FORMAT_HELP: &str = "expected 'shuttle:HEX' or 'loom:pb=N,mb=N:INDEX', optionally followed by '#name=value,…'; copy the string locklab printed after 'replay:'";

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
    if let Some(hex) = s.strip_prefix("shuttle:") {
        if crate::engine::decode_shuttle(hex).is_none() {
            return Err(format!(
                "the shuttle schedule '{}' is not valid: {FORMAT_HELP}",
                abbreviate(hex)
            ));
        }
        return Ok(Schedule::Shuttle(hex.to_owned()));
    }
    if let Some(rest) = s.strip_prefix("loom:") {
        let bad = || format!("malformed loom schedule '{s}': {FORMAT_HELP}");
        let (settings, execution) = rest.rsplit_once(':').ok_or_else(bad)?;
        let execution: u64 = execution.parse().map_err(|_| bad())?;
        if execution == 0 {
            return Err(bad());
        }
        let (mut pb, mut mb) = (None, None);
        for kv in settings.split(',') {
            match kv.split_once('=') {
                Some(("pb", "none")) => pb = Some(None),
                Some(("pb", v)) => pb = Some(Some(v.parse().map_err(|_| bad())?)),
                Some(("mb", v)) => mb = Some(v.parse().map_err(|_| bad())?),
                _ => return Err(bad()),
            }
        }
        return Ok(Schedule::Loom {
            preemption_bound: pb.ok_or_else(bad)?,
            max_branches: mb.ok_or_else(bad)?,
            execution,
        });
    }
    Err(format!(
        "unknown replay string '{}': {FORMAT_HELP}",
        abbreviate(s)
    ))
}

fn abbreviate(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_owned()
    }
}
