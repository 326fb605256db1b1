//! [`Scenario`]: a scheme with its sizes and the verdict it must reach, as the CLI,
//! `locklab check` and the test helpers run it. Built-in rungs and a user's own are
//! the same thing, built the same way:
//!
//! ```ignore
//! Scenario::new("my-lock/two-step-release", |p| TwoStepRelease { clients: p.count(CLIENTS) })
//!     .about("GET then DEL: a release can delete the next holder's lock")
//!     .violates(ONE_HOLDER)
//!     .actors(CLIENTS)
//! ```

mod params;
mod plan;

use std::fmt;
use std::sync::Arc;

pub use params::{Param, Params};
pub use plan::{LoomPlan, ShuttlePlan, StatesPlan};

use super::{Property, Scheme, SharedModel};

/// What a scenario must conclude.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expected {
    /// Every explored execution satisfies every property (and every declared
    /// property's check ran).
    Holds,
    /// Some execution violates this property.
    Violates(Property),
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Holds => f.write_str("holds"),
            Expected::Violates(p) => write!(f, "violates {}", p.name),
        }
    }
}

type Build = Arc<dyn Fn(&Params) -> Result<SharedModel, String> + Send + Sync>;

/// One rung of one ladder: a scheme variant, its sizes, and its expected verdict.
#[derive(Clone)]
pub struct Scenario {
    id: String,
    summary: String,
    expected: Expected,
    params: Vec<Param>,
    actors: Option<&'static str>,
    build: Build,
    loom: Option<LoomPlan>,
    shuttle: Option<ShuttlePlan>,
    states: StatesPlan,
}

impl fmt::Debug for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scenario")
            .field("id", &self.id)
            .field("expected", &self.expected)
            .finish()
    }
}

impl Scenario {
    /// A scenario `id` (`scheme/variant`, kebab case) whose model `build` makes from
    /// the parameter values. It is expected to hold until told otherwise; engine
    /// plans default to loom with ≤2 preemptions and 10,000 PCT executions.
    pub fn new<M: Scheme>(
        id: impl Into<String>,
        build: impl Fn(&Params) -> M + Send + Sync + 'static,
    ) -> Self {
        Self::try_new(id, move |p| Ok::<M, String>(build(p)))
    }

    /// [`Scenario::new`] for a build that can refuse its parameters (a margin larger
    /// than the TTL): the error says what to change.
    pub fn try_new<M: Scheme, E: fmt::Display>(
        id: impl Into<String>,
        build: impl Fn(&Params) -> Result<M, E> + Send + Sync + 'static,
    ) -> Self {
        Scenario {
            id: id.into(),
            summary: String::new(),
            expected: Expected::Holds,
            params: Vec::new(),
            actors: None,
            build: Arc::new(move |p| {
                build(p)
                    .map(|m| Arc::new(m) as SharedModel)
                    .map_err(|e| e.to_string())
            }),
            loom: Some(LoomPlan::default()),
            shuttle: Some(ShuttlePlan::default()),
            states: StatesPlan::default(),
        }
    }

    /// One line: what the variant does, and what goes wrong if anything does.
    pub fn about(mut self, summary: impl Into<String>) -> Self {
        self.summary = summary.into();
        self
    }

    /// Every execution must satisfy every property.
    pub fn holds(mut self) -> Self {
        self.expected = Expected::Holds;
        self
    }

    /// Some execution must violate `property` (a known bug the search must find).
    pub fn violates(mut self, property: Property) -> Self {
        self.expected = Expected::Violates(property);
        self
    }

    /// Declares a parameter (settable with `--set name=value`).
    pub fn param(mut self, param: Param) -> Self {
        match self.params.iter_mut().find(|p| p.name == param.name) {
            Some(existing) => *existing = param,
            None => self.params.push(param),
        }
        self
    }

    /// Declares several parameters.
    pub fn params(self, params: &[Param]) -> Self {
        params.iter().fold(self, |s, p| s.param(*p))
    }

    /// Declares `param` as the number of actors (what `--actors N` sets), and
    /// declares it as a parameter unless one of that name already is.
    pub fn actors(mut self, param: Param) -> Self {
        self.actors = Some(param.name);
        if self.params.iter().any(|p| p.name == param.name) {
            self
        } else {
            self.param(param)
        }
    }

    /// How `locklab check` runs it under loom.
    pub fn loom(mut self, plan: LoomPlan) -> Self {
        self.loom = Some(plan);
        self
    }

    /// How `locklab check` runs it under shuttle PCT.
    pub fn shuttle(mut self, plan: ShuttlePlan) -> Self {
        self.shuttle = Some(plan);
        self
    }

    /// `locklab check` runs it under the state-caching engine only: its runs never
    /// end (a livelock, a worker that loops for ever), and an engine that runs each
    /// execution to its end can only stop it at its step bound, undecided.
    pub fn states_only(mut self) -> Self {
        self.loom = None;
        self.shuttle = None;
        self
    }

    /// How `locklab check` runs it under the state-caching engine.
    pub fn states(mut self, plan: StatesPlan) -> Self {
        self.states = plan;
        self
    }

    /// `scheme/variant`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The scheme part of the id (`device-claim`).
    pub fn scheme(&self) -> &str {
        self.id.split_once('/').map_or(&self.id, |(s, _)| s)
    }

    /// The variant part of the id (`epoch-lease`).
    pub fn variant(&self) -> &str {
        self.id.split_once('/').map_or(&self.id, |(_, v)| v)
    }

    /// The one-line summary.
    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// The expected verdict.
    pub fn expected(&self) -> Expected {
        self.expected
    }

    /// The declared parameters.
    pub fn declared(&self) -> &[Param] {
        &self.params
    }

    /// The parameter `--actors` sets, if declared.
    pub fn actors_param(&self) -> Option<Param> {
        let name = self.actors?;
        self.params.iter().find(|p| p.name == name).copied()
    }

    /// The loom plan, unless the scenario is checked by the state-caching engine only.
    pub fn loom_plan(&self) -> Option<&LoomPlan> {
        self.loom.as_ref()
    }

    /// The shuttle plan, unless the scenario is checked by the state-caching engine
    /// only.
    pub fn shuttle_plan(&self) -> Option<&ShuttlePlan> {
        self.shuttle.as_ref()
    }

    /// The state-caching plan.
    pub fn states_plan(&self) -> &StatesPlan {
        &self.states
    }

    /// Every declared parameter at its default.
    pub fn defaults(&self) -> Params {
        Params::defaults(&self.params)
    }

    /// The defaults with `overrides` (by name, as the CLI and replay strings give
    /// them) applied; an unknown name or an out-of-range value is an error that says
    /// what is allowed.
    pub fn resolve(&self, overrides: &[(String, u64)]) -> Result<Params, String> {
        let mut params = self.defaults();
        for (name, value) in overrides {
            let Some(p) = params.find(name) else {
                let names: Vec<&str> = self.params.iter().map(|p| p.name).collect();
                let takes = if names.is_empty() {
                    "it takes no parameters".to_owned()
                } else {
                    format!("it takes: {}", names.join(", "))
                };
                return Err(format!("{} has no parameter '{name}'; {takes}", self.id));
            };
            p.check(*value).map_err(|e| format!("{}: {e}", self.id))?;
            params.set(p, *value);
        }
        Ok(params)
    }

    /// The defaults with typed `sizes` applied (a plan's, a test's).
    pub fn with_sizes(&self, sizes: &[(Param, u64)]) -> Result<Params, String> {
        let named: Vec<(String, u64)> =
            sizes.iter().map(|(p, v)| (p.name.to_owned(), *v)).collect();
        self.resolve(&named)
    }

    /// Builds the model for `params` (looking for one property alone if they are
    /// [focused](Params::focused_on)).
    pub fn build(&self, params: &Params) -> Result<SharedModel, String> {
        let model = (self.build)(params).map_err(|e| format!("{}: {e}", self.id))?;
        match params.focus() {
            Some(property) => {
                crate::sim::focus(model, property).map_err(|e| format!("{}: {e}", self.id))
            }
            None => Ok(model),
        }
    }

    /// Checks the scenario is well formed, with a message that says what to fix: its
    /// id, its defaults and plans within range, a model that builds, an expected
    /// property the scheme declares.
    pub fn validate(&self) -> Result<(), String> {
        let id = &self.id;
        let (scheme, variant) = id.split_once('/').ok_or_else(|| {
            format!("scenario id '{id}' must read scheme/variant (e.g. my-lock/two-step-release)")
        })?;
        let kebab = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        };
        if !kebab(scheme) || !kebab(variant) {
            return Err(format!(
                "scenario id '{id}' must be lower-case kebab case on both sides of the '/'"
            ));
        }
        for p in &self.params {
            p.check(p.default)
                .map_err(|e| format!("{id}: the default of {e}"))?;
        }
        let none = Vec::new();
        for (plan, sizes) in [
            ("loom", self.loom.as_ref().map_or(&none, |p| &p.sizes)),
            ("shuttle", self.shuttle.as_ref().map_or(&none, |p| &p.sizes)),
            ("states", &self.states.sizes),
        ] {
            self.with_sizes(sizes)
                .map_err(|e| format!("{e} (in its {plan} plan)"))?;
        }
        let model = self.build(&self.defaults())?;
        model.summary().map_err(|e| format!("{id}: {e}"))?;
        if let Expected::Violates(p) = self.expected {
            if !p.is_builtin() && !model.properties().contains(&p) {
                let declared: Vec<&str> = model.properties().iter().map(|p| p.name).collect();
                return Err(format!(
                    "{id} expects to violate '{}', which its scheme does not declare (it declares: {})",
                    p.name,
                    if declared.is_empty() { "none".to_owned() } else { declared.join(", ") }
                ));
            }
        }
        Ok(())
    }
}
