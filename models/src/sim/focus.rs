//! A focused search: the executions look for one property only. Every other
//! property's violation is let pass — noted on its step in the timeline — and the run
//! goes on, so the search can follow a bug past its first symptom to where it does its
//! harm (a double reservation in a process's memory, on to the item sold twice in the
//! shop's database), as stateright reports a discovery per property.

use std::sync::Arc;

use super::cast::CastSummary;
use super::runtime::Runtime;
use super::scheme::{Model, RedisForm, ServerForm, SharedModel};
use super::{Property, Recorder};

/// `model`, looking only for `property`: a violation of any other declared property
/// no longer stops an execution (nor does a deadlock, unless `property` is the kit's
/// `deadlock`), and only `property` is reported on. `Err` names the properties there
/// are if `model` does not declare `property`.
pub fn focus(model: SharedModel, property: &str) -> Result<SharedModel, String> {
    let declared = model.properties();
    let found = declared
        .iter()
        .chain([&super::builtin::DEADLOCK])
        .find(|p| p.name == property)
        .copied();
    match found {
        Some(property) => Ok(Arc::new(Focused { model, property })),
        None => {
            let names: Vec<&str> = declared.iter().map(|p| p.name).collect();
            Err(format!(
                "this scenario has no property '{property}': it checks {} (and the kit's \
                 deadlock)",
                names.join(", ")
            ))
        }
    }
}

/// A model whose executions look for one property only; see [`focus`].
struct Focused {
    model: SharedModel,
    property: Property,
}

impl Model for Focused {
    fn run(&self, runtime: Runtime, recorder: &Recorder) {
        recorder.focus_on(Some(self.property));
        self.model.run(runtime, recorder);
    }

    /// Only the focus: the others were let pass, so nothing is known of them.
    fn properties(&self) -> Vec<Property> {
        vec![self.property]
    }

    fn summary(&self) -> Result<CastSummary, String> {
        self.model.summary()
    }

    fn server(&self) -> Option<ServerForm> {
        self.model.server()
    }

    fn redis(&self) -> Option<RedisForm> {
        self.model.redis()
    }
}
