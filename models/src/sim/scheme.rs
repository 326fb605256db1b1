//! [`Scheme`]: what a locking scheme says about itself — the world, the actors, what
//! must hold at the end — and [`Model`], the object-safe form the engines run.

use std::hash::Hash;
use std::sync::Arc;

use super::cast::{Cast, CastSummary};
use super::runtime::Runtime;
use super::store::sql::Value;
use super::{Property, Recorder, Step};

/// A locking scheme the kit can run. The kit owns the execution: it builds the world
/// from [`init`](Scheme::init), starts the actors of [`cast`](Scheme::cast) (with the
/// clock and faults the cast asks for), waits for them, then runs
/// [`at_end`](Scheme::at_end) — once per explored schedule, on whichever runtime the
/// engine chose.
pub trait Scheme: Send + Sync + 'static {
    /// The shared world: tables, key-value stores, files, the resource the lock
    /// protects, and what the properties need to remember. Plain data; `Hash`, so an
    /// engine can recognise a state it has seen.
    type State: Send + Hash + 'static;

    /// The world at the start of every execution.
    fn init(&self) -> Self::State;

    /// The actors, and the clock and faults around them.
    fn cast(&self, cast: &mut Cast<Self::State>);

    /// Checks at the end of every complete execution (liveness deadlines, money
    /// conserved); skipped when a violation already stopped the execution.
    fn at_end(&self, _end: &mut Step<'_, Self::State>) {}

    /// The properties this scheme checks (besides the kit's own `deadlock`,
    /// `step-bound` and `panic`). A verdict reports how often each one's check ran,
    /// and one that never ran as vacuous.
    fn properties(&self) -> Vec<Property>;

    /// The scheme's form on a real server, for a scheme whose world is a
    /// [`Db`](super::store::sql::Db) driven by [`Actor::sql`](super::Actor::sql):
    /// the same set-up SQL its `init` runs, and the queries that show harm.
    fn server(&self) -> Option<ServerForm> {
        None
    }

    /// The scheme's form on a real Redis, for a scheme whose shared store is the
    /// kit's [`Redis`](super::store::redis::Redis) model driven by
    /// [`Actor::redis`](super::Actor::redis).
    fn redis(&self) -> Option<RedisForm> {
        None
    }
}

/// What a real Redis needs to run a scheme's commands: the keys they touch (a run
/// puts them under its own prefix, and shows what they hold at the end). The store
/// starts empty, as the scheme's model store does.
#[derive(Debug, Clone)]
pub struct RedisForm {
    /// The keys, as the scheme names them.
    pub keys: Vec<&'static str>,
    /// The scheme's judge of the server's replies (see [`super::served`]).
    pub witness: Option<super::RedisWitness>,
}

/// What a real server needs to run a scheme's statements.
#[derive(Debug, Clone)]
pub struct ServerForm {
    /// The statements (with their parameters) that create the tables and their first
    /// rows: the scheme's `init` runs exactly these on its model database.
    pub postgres_setup: Vec<(&'static str, Vec<Value>)>,
    /// The tables whose committed rows are compared at the end (and dropped between
    /// runs on the server).
    pub tables: Vec<&'static str>,
    /// Queries over the final committed rows, each returning one boolean: `true`
    /// means the named harm happened (`("money lost", "SELECT sum(paid) > 100 FROM …")`).
    pub harm: Vec<(String, String)>,
    /// The scheme's judge of the server's answers (see [`super::served`]): the harms
    /// they show that no query of the final rows can (two claims both granted, an
    /// acknowledged change lost). `None`: the rows are all there is to see.
    pub witness: Option<super::Witness>,
}

/// A runnable model: a [`Scheme`] with its type erased, so scenarios can keep models
/// in one list and the engine can be chosen at run time.
pub trait Model: Send + Sync + 'static {
    /// Runs one execution on `runtime`, recording into `recorder`. Called once per
    /// explored schedule (from inside loom's or shuttle's runner for those runtimes).
    fn run(&self, runtime: Runtime, recorder: &Recorder);

    /// The declared properties.
    fn properties(&self) -> Vec<Property>;

    /// Who takes part, without running anything; `Err` if the cast is malformed.
    fn summary(&self) -> Result<CastSummary, String>;

    /// The scheme's form on a real server, if it has one.
    fn server(&self) -> Option<ServerForm>;

    /// The scheme's form on a real Redis, if it has one.
    fn redis(&self) -> Option<RedisForm>;
}

impl<M: Scheme> Model for M {
    fn run(&self, runtime: Runtime, recorder: &Recorder) {
        super::exec::execute(self, runtime, recorder);
    }

    fn properties(&self) -> Vec<Property> {
        Scheme::properties(self)
    }

    fn summary(&self) -> Result<CastSummary, String> {
        let mut cast = Cast::default();
        self.cast(&mut cast);
        cast.validate()?;
        Ok(cast.summary())
    }

    fn server(&self) -> Option<ServerForm> {
        Scheme::server(self)
    }

    fn redis(&self) -> Option<RedisForm> {
        Scheme::redis(self)
    }
}

/// A model behind an `Arc`, as scenarios build them.
pub type SharedModel = Arc<dyn Model>;
