//! `check --backend postgres|redis` as data (`reports/agreement.json`): per rung with a
//! form on that server, how its model held against the real server. Written by
//! `locklab check --backend … --json` and `locklab report --measure`, read by the
//! report's "Model against server" table.

use serde::{Deserialize, Serialize};

/// Every server a run held the models against.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreementReport {
    /// One entry per server.
    pub servers: Vec<ServerAgreement>,
}

/// One server's rungs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerAgreement {
    /// `PostgreSQL` or `Redis`.
    pub server: String,
    /// What a step is there: `statement` or `command`.
    pub unit: String,
    /// One row per rung with a form on it.
    pub rows: Vec<AgreementRow>,
}

/// One rung held against one server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreementRow {
    /// The scenario id.
    pub scenario: String,
    /// Its expected verdict (`holds`, `violates P`).
    pub expected: String,
    /// A buggy rung's model counterexample on the server, described
    /// (`reproduced (4 statements): two owners`); `None` for a rung that holds.
    pub counterexample: Option<String>,
    /// The harms the server showed for that counterexample (its rows' harm queries,
    /// the scheme's witness of its answers) or, where its harm was in process and
    /// the bug was followed to another property ([`AgreementRow::followed_to`]), for
    /// that one's counterexample; empty: the harm is in process.
    pub harm_on_server: Vec<String>,
    /// The property a buggy rung was followed to, searched for alone, when its own
    /// counterexample's harm was in process and this one's shows on the server.
    #[serde(default)]
    pub followed_to: Option<String>,
    /// The replay string of that followed counterexample (it names the property).
    #[serde(default)]
    pub followed_replay: Option<String>,
    /// Distinct statement (command) orders of the compared loom search.
    pub orders: usize,
    /// How many of them the server answered as the model did.
    pub agreeing: usize,
    /// How many showed harm on the server (none may, on a rung that holds).
    pub harmed: usize,
    /// What the compared orders cover (`36 loom executions, every interleaving with
    /// ≤2 preemptions`).
    pub scope: String,
    /// The sizes the comparison ran at.
    pub params: String,
    /// Whether the rung met everything: every order agreed, the counterexample was
    /// reproduced, and a rung that holds showed no harm.
    pub ok: bool,
}
