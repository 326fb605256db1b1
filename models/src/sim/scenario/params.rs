//! Scenario parameters: named sizes with defaults and ranges, referred to by value.

use std::fmt;
use std::ops::RangeInclusive;

/// A size a scenario accepts (`servers`, `ttl`, …), declared once as a constant:
///
/// ```
/// use locklab_models::sim::{Param, Params};
/// const CLIENTS: Param = Param::new("clients", 1..=4, 2).help("clients racing for the lock");
/// let p = Params::new().with(CLIENTS, 3);
/// assert_eq!(p.get(CLIENTS), 3);
/// assert_eq!(Params::new().get(CLIENTS), 2); // its default
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Param {
    /// Kebab-case name, as given to `--set name=value`.
    pub name: &'static str,
    /// Default value.
    pub default: u64,
    /// Smallest allowed value.
    pub min: u64,
    /// Largest allowed value.
    pub max: u64,
    /// What it means.
    pub help: &'static str,
}

impl Param {
    /// A parameter taking values in `range`, `default` unless set.
    pub const fn new(name: &'static str, range: RangeInclusive<u64>, default: u64) -> Self {
        Param {
            name,
            default,
            min: *range.start(),
            max: *range.end(),
            help: "",
        }
    }

    /// Says what it means (shown when a value is out of range).
    pub const fn help(mut self, help: &'static str) -> Self {
        self.help = help;
        self
    }

    /// The same parameter with another default (a scenario that needs a bigger size).
    pub const fn with_default(mut self, default: u64) -> Self {
        self.default = default;
        self
    }

    /// `Err` with what is allowed if `value` is out of range.
    pub fn check(&self, value: u64) -> Result<(), String> {
        if (self.min..=self.max).contains(&value) {
            Ok(())
        } else {
            let about = if self.help.is_empty() {
                String::new()
            } else {
                format!(" ({})", self.help)
            };
            Err(format!(
                "{} must be between {} and {}, got {value}{about}",
                self.name, self.min, self.max
            ))
        }
    }
}

/// Parameter values: every declared parameter of a scenario, in declaration order.
/// A parameter that was never set reads as its default.
///
/// Besides the sizes, a run may be *focused* on one property (see
/// [`focus`](crate::sim::focus)): [`Scenario::build`](super::Scenario::build) then
/// builds a model that looks for that property alone, and a replay string carries it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    values: Vec<(Param, u64)>,
    focus: Option<String>,
}

impl Params {
    /// No values set: every parameter reads as its default.
    pub fn new() -> Self {
        Params::default()
    }

    /// Every parameter of `spec` at its default.
    pub fn defaults(spec: &[Param]) -> Self {
        Params {
            values: spec.iter().map(|p| (*p, p.default)).collect(),
            focus: None,
        }
    }

    /// These values with `param` set to `value`.
    pub fn with(mut self, param: Param, value: u64) -> Self {
        self.set(param, value);
        self
    }

    /// Sets `param` to `value`.
    pub fn set(&mut self, param: Param, value: u64) {
        match self.values.iter_mut().find(|(p, _)| p.name == param.name) {
            Some(slot) => slot.1 = value,
            None => self.values.push((param, value)),
        }
    }

    /// The value of `param` (its default if unset).
    pub fn get(&self, param: Param) -> u64 {
        self.values
            .iter()
            .find(|(p, _)| p.name == param.name)
            .map_or(param.default, |(_, v)| *v)
    }

    /// [`Params::get`] as a count.
    pub fn count(&self, param: Param) -> usize {
        self.get(param) as usize
    }

    /// The parameter named `name`, if present.
    pub fn find(&self, name: &str) -> Option<Param> {
        self.values
            .iter()
            .find(|(p, _)| p.name == name)
            .map(|(p, _)| *p)
    }

    /// Every `(name, value)`, in declaration order.
    pub fn values(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        self.values.iter().map(|(p, v)| (p.name, *v))
    }

    /// These values, with the run looking for `property` alone (`None`: every
    /// property the scheme declares).
    pub fn focused_on(mut self, property: Option<&str>) -> Self {
        self.focus = property.map(str::to_owned);
        self
    }

    /// The one property the run looks for, if it is focused.
    pub fn focus(&self) -> Option<&str> {
        self.focus.as_deref()
    }

    /// Only the values that differ from their defaults.
    pub fn changed(&self) -> Vec<(String, u64)> {
        self.values
            .iter()
            .filter(|(p, v)| *v != p.default)
            .map(|(p, v)| (p.name.to_owned(), *v))
            .collect()
    }
}

/// `servers=3, ttl=3`
impl fmt::Display for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.values().map(|(k, v)| format!("{k}={v}")).collect();
        f.write_str(&parts.join(", "))
    }
}
