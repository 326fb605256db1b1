//! Scenario parameters: named sizes with defaults and ranges.

/// A parameter a scenario accepts (`servers`, `ttl`, ...).
#[derive(Debug, Clone, Copy)]
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

/// Resolved parameter values, in the scenario's declaration order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    values: Vec<(&'static str, u64)>,
    defaults: Vec<u64>,
}

impl Params {
    pub(crate) fn resolve(
        id: &str,
        spec: &[Param],
        overrides: &[(String, u64)],
    ) -> Result<Self, String> {
        let mut values: Vec<(&'static str, u64)> =
            spec.iter().map(|p| (p.name, p.default)).collect();
        for (name, value) in overrides {
            let Some(p) = spec.iter().find(|p| p.name == name) else {
                let names: Vec<&str> = spec.iter().map(|p| p.name).collect();
                return Err(format!(
                    "{id} has no parameter '{name}'; it takes: {}",
                    names.join(", ")
                ));
            };
            if !(p.min..=p.max).contains(value) {
                return Err(format!(
                    "{id}: {name} must be between {} and {} (got {value}): {}",
                    p.min, p.max, p.help
                ));
            }
            values
                .iter_mut()
                .find(|(n, _)| n == name)
                .expect("declared")
                .1 = *value;
        }
        Ok(Params {
            values,
            defaults: spec.iter().map(|p| p.default).collect(),
        })
    }

    /// The value of `name`. Panics if the scenario did not declare it (a bug in the
    /// scenario, caught by its tests).
    pub fn get(&self, name: &str) -> u64 {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("undeclared parameter '{name}'"))
            .1
    }

    /// `get` as a `usize`.
    pub fn count(&self, name: &str) -> usize {
        self.get(name) as usize
    }

    /// Every value, in declaration order.
    pub fn values(&self) -> &[(&'static str, u64)] {
        &self.values
    }

    /// Only the values that differ from the defaults.
    pub fn changed(&self) -> Vec<(String, u64)> {
        self.values
            .iter()
            .zip(&self.defaults)
            .filter(|((_, v), d)| v != *d)
            .map(|((n, v), _)| ((*n).to_owned(), *v))
            .collect()
    }
}
