//! The scenarios one command line knows: the user's own (if any) and the built-ins.

use locklab::Scenario;

use crate::UsageError;

/// The scenarios a command line knows, checked once at start-up.
pub struct Registry {
    /// How the user runs this command line (its binary's name), for the commands it
    /// prints.
    pub(crate) program: String,
    mine: Vec<Scenario>,
    builtin: &'static [Scenario],
}

impl Registry {
    /// `mine` beside the built-ins. Each of `mine` must be well formed (see
    /// [`Scenario::validate`]) and no two scenarios may share an id.
    pub(crate) fn new(program: String, mine: Vec<Scenario>) -> Result<Self, UsageError> {
        let builtin = locklab::scenarios::all();
        for (i, s) in mine.iter().enumerate() {
            s.validate().map_err(UsageError)?;
            let clash = mine[..i].iter().any(|o| o.id() == s.id());
            if clash || builtin.iter().any(|b| b.id() == s.id()) {
                let whose = if clash {
                    "another of your scenarios"
                } else {
                    "a built-in scenario"
                };
                return Err(UsageError(format!(
                    "two scenarios are named '{}' (yours and {whose}): give each a unique scheme/variant id",
                    s.id()
                )));
            }
        }
        Ok(Registry {
            program,
            mine,
            builtin,
        })
    }

    /// The user's own scenarios.
    pub fn mine(&self) -> &[Scenario] {
        &self.mine
    }

    /// Every scenario: the user's first, then the built-ins.
    pub fn all(&self) -> impl Iterator<Item = &Scenario> {
        self.mine.iter().chain(self.builtin.iter())
    }

    /// The scenario with `id`, or a usage error listing close matches.
    pub(crate) fn find(&self, id: &str) -> Result<&Scenario, UsageError> {
        if let Some(s) = self.all().find(|s| s.id() == id) {
            return Ok(s);
        }
        let scheme = id.split('/').next().unwrap_or(id);
        let close: Vec<&str> = self
            .all()
            .map(|s| s.id())
            .filter(|s| s.contains(id) || (!scheme.is_empty() && s.starts_with(scheme)))
            .take(8)
            .collect();
        let hint = if close.is_empty() {
            format!("run `{} list` to see every scenario", self.program)
        } else {
            format!(
                "did you mean one of: {}? (`{} list` shows all)",
                close.join(", "),
                self.program
            )
        };
        Err(UsageError(format!("unknown scenario '{id}': {hint}")))
    }
}
