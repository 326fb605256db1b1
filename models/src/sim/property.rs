//! Properties, as schemes declare them, and the violation of one.

use std::fmt;

use super::Tick;

/// Whether a property is about something bad happening, or something good failing to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PropertyKind {
    /// "Nothing bad ever happens" (two holders, money lost, an item sold twice).
    Safety,
    /// "Something good eventually happens" (no deadlock, a crashed holder's work resumes).
    Liveness,
}

impl fmt::Display for PropertyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PropertyKind::Safety => "safety",
            PropertyKind::Liveness => "liveness",
        })
    }
}

/// A named property, declared once as a constant and referred to by value everywhere
/// (in checks, in a scenario's expected verdict, in tests):
///
/// ```
/// use locklab_models::sim::Property;
/// pub const ONE_HOLDER: Property = Property::safety("one-holder");
/// assert_eq!(ONE_HOLDER.to_string(), "one-holder");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Property {
    /// Stable kebab-case name, e.g. `exclusive-connection`.
    pub name: &'static str,
    /// Safety or liveness.
    pub kind: PropertyKind,
}

impl Property {
    /// A safety property ("always").
    pub const fn safety(name: &'static str) -> Self {
        Property {
            name,
            kind: PropertyKind::Safety,
        }
    }

    /// A liveness property ("eventually").
    pub const fn liveness(name: &'static str) -> Self {
        Property {
            name,
            kind: PropertyKind::Liveness,
        }
    }

    /// Whether the kit checks this property itself, for every scheme.
    pub fn is_builtin(&self) -> bool {
        [builtin::DEADLOCK, builtin::STEP_BOUND, builtin::PANIC].contains(self)
    }
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// Properties every simulation checks, whatever the scheme.
pub mod builtin {
    use super::Property;
    /// Every live actor is blocked waiting for another.
    pub const DEADLOCK: Property = Property::liveness("deadlock");
    /// An execution ran more steps than its bound (a livelock, or a model that never ends).
    pub const STEP_BOUND: Property = Property::liveness("step-bound");
    /// The model panicked: a bug in the model, not a property of the scheme.
    pub const PANIC: Property = Property::safety("panic");
}

/// One violated property, in the stable form `property-name: detail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Which property.
    pub property: Property,
    /// What happened, for a person.
    pub detail: String,
    /// Virtual time at which it was detected.
    pub at: Tick,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.property.name, self.detail)
    }
}
