//! `check --backend postgres|redis`: every rung with a form on that server, held
//! against it — as a table, or (`--json`) as the report's `agreement.json` data.

use std::sync::Arc;

use locklab::agreement::{AgreementRow, ServerAgreement};
use locklab::check::replay_string;
use locklab::engine::{Budget, States};
use locklab::{Expected, Params, Scenario};
use locklab_servers::{follow_harm, AgainstError, ServerRun};

use crate::backend::{self, Backend, Compared, Runner, AGREEMENT_ACTORS, AGREEMENT_BOUND};
use crate::UsageError;

/// Runs the rungs of `scenarios` with a form on `on`, then prints the table (or the
/// JSON); exit code 1 if any rung did not agree.
pub fn check_on_server(scenarios: &[&Scenario], on: Backend, json: bool) -> Result<u8, UsageError> {
    let held = held_against(scenarios, on)?;
    let failed = held.rows.iter().filter(|r| !r.ok).count();
    if json {
        let text = serde_json::to_string_pretty(&held).expect("an agreement serialises");
        println!("{text}");
    } else {
        print_table(&held, on);
    }
    Ok(u8::from(failed > 0))
}

/// Every rung of `scenarios` with a form on `on`, held against it (progress on
/// stderr); bad input if none has one.
pub fn held_against(scenarios: &[&Scenario], on: Backend) -> Result<ServerAgreement, UsageError> {
    let with_form: Vec<&&Scenario> = scenarios
        .iter()
        .filter(|s| s.build(&s.defaults()).is_ok_and(|m| on.runs(&m)))
        .collect();
    if with_form.is_empty() {
        return Err(UsageError(format!(
            "no {} form in these scenarios: try {}",
            on.server(),
            match on {
                Backend::Redis => "--only singleton-poller/",
                _ => "--only jackpot/",
            }
        )));
    }
    let mut rows = Vec::new();
    for s in with_form {
        eprintln!("{} on {}…", s.id(), on.server());
        let Some(done) = check_one(s, on)? else {
            continue;
        };
        let a = &done.agreement;
        let followed = done.reproduced.as_ref().and_then(|r| r.followed.as_ref());
        // A rung that holds must show no harm on the server in any order either: the
        // witness of its answers is a second judge of the model's verdict.
        let holds = done.reproduced.is_none();
        let ok = a.agreeing == a.orders
            && a.orders > 0
            && done.reproduced.as_ref().is_none_or(|r| r.agreed)
            && !(holds && a.harmed > 0);
        rows.push(AgreementRow {
            scenario: s.id().to_owned(),
            expected: s.expected().to_string(),
            counterexample: done.reproduced.as_ref().map(|r| r.describe(on.unit())),
            harm_on_server: done
                .reproduced
                .as_ref()
                .map_or_else(Vec::new, Reproduced::harm_on_server),
            followed_to: followed.map(|f| f.property.clone()),
            followed_replay: followed.map(|f| f.replay.clone()),
            orders: a.orders,
            agreeing: a.agreeing,
            harmed: a.harmed,
            scope: backend::scope(a, AGREEMENT_BOUND),
            params: done.params.to_string(),
            ok,
        });
    }
    Ok(ServerAgreement {
        server: on.server().to_owned(),
        unit: on.unit().to_owned(),
        rows,
    })
}

fn print_table(held: &ServerAgreement, on: Backend) {
    let rows = &held.rows;
    let w = rows.iter().map(|r| r.scenario.len()).max().unwrap_or(8);
    let x = rows.iter().map(|r| r.expected.len()).max().unwrap_or(8);
    let repro = |r: &AgreementRow| r.counterexample.clone().unwrap_or_else(|| "-".into());
    let c = rows
        .iter()
        .map(|r| repro(r).chars().count())
        .chain([24])
        .max()
        .unwrap_or(24);
    println!(
        "{:w$}  {:x$}  {:c$}  agreement ({} for {})",
        "scenario",
        "expected",
        "counterexample on server",
        on.unit(),
        on.unit()
    );
    for r in rows {
        let harmed = if r.counterexample.is_none() && r.harmed > 0 {
            format!(", but the server shows HARM in {}", r.harmed)
        } else {
            String::new()
        };
        println!(
            "{:w$}  {:x$}  {:c$}  {} of {} orders agree{harmed} ({}; at {})",
            r.scenario,
            r.expected,
            repro(r),
            r.agreeing,
            r.orders,
            r.scope,
            r.params
        );
    }
    let followed: Vec<&AgreementRow> = rows.iter().filter(|r| r.followed_to.is_some()).collect();
    if !followed.is_empty() {
        println!(
            "\nfollowed past a harm in process to one the server shows (searched for that \
             property alone):"
        );
        for r in followed {
            let replay = r.followed_replay.as_deref().unwrap_or("-");
            println!(
                "  {}: locklab replay '{replay}' --backend {}",
                r.scenario,
                on.flag()
            );
        }
    }
    println!();
    let failed = rows.iter().filter(|r| !r.ok).count();
    if failed == 0 {
        // Agreement is only as wide as the orders compared: say which.
        println!(
            "all {} rungs agree with {} on every order compared (per rung: a loom search \
             with ≤{} preemptions, at the sizes shown)",
            rows.len(),
            on.server(),
            AGREEMENT_BOUND
        );
    } else {
        println!(
            "{failed} of {} rungs DISAGREE with {}",
            rows.len(),
            on.server()
        );
    }
}

/// `check --backend` for one rung: the comparison at 2 actors and ≤2 preemptions,
/// and for a violating rung its model counterexample (found by the state-caching
/// engine at the rung's default sizes) reproduced.
pub struct CheckedOnServer {
    /// The comparison.
    pub agreement: Compared,
    /// The sizes it ran at.
    pub params: Params,
    /// For a violating rung: how its counterexample ran on the server.
    pub reproduced: Option<Reproduced>,
}

/// A violating rung's model counterexample, run on the server.
pub struct Reproduced {
    /// The model's replay violated the property and the server answered every
    /// step as the model did.
    pub agreed: bool,
    /// Steps it ran on the server (none: the harm is all in process memory).
    pub steps: usize,
    /// The harms the server showed (its rows, its answers); none: the harm is in
    /// what the processes did with answers the server gave correctly.
    pub harm: Vec<String>,
    /// Where the harm was in process: the bug followed to a harm the server shows,
    /// if a counterexample of another property leads there at these sizes.
    pub followed: Option<FollowedHarm>,
}

/// A buggy rung followed past its first symptom (see `locklab_servers::follow_harm`).
pub struct FollowedHarm {
    /// The property searched for alone.
    pub property: String,
    /// Steps its counterexample ran on the server.
    pub steps: usize,
    /// What the server showed.
    pub harm: Vec<String>,
    /// Its replay string (it names the property).
    pub replay: String,
}

impl Reproduced {
    /// The `check --backend` column: what the server showed of the counterexample.
    pub fn describe(&self, unit: &str) -> String {
        let n = |steps: usize| match steps {
            1 => format!("1 {unit}"),
            n => format!("{n} {unit}s"),
        };
        let first = match &self.harm {
            _ if !self.agreed => return "NOT reproduced".to_owned(),
            _ if self.steps == 0 => format!("no {unit}s: harm in process"),
            harm if harm.is_empty() => format!("agrees ({}), harm in process", n(self.steps)),
            harm => return format!("reproduced ({}): {}", n(self.steps), harm.join(", ")),
        };
        match &self.followed {
            Some(f) => format!(
                "{first}; followed to {}: reproduced ({}): {}",
                f.property,
                n(f.steps),
                f.harm.join(", ")
            ),
            None => first,
        }
    }

    /// The harms the server showed: the counterexample's own, or the followed one's.
    pub fn harm_on_server(&self) -> Vec<String> {
        match &self.followed {
            Some(f) if self.harm.is_empty() => f.harm.clone(),
            _ => self.harm.clone(),
        }
    }
}

/// Runs [`CheckedOnServer`] for `scenario` on `backend`; `None` if it has no form
/// there.
pub fn check_one(
    scenario: &Scenario,
    backend: Backend,
) -> Result<Option<CheckedOnServer>, UsageError> {
    let usage = |e: String| UsageError(format!("{}: {e}", scenario.id()));
    let defaults = scenario.defaults();
    let model = scenario.build(&defaults).map_err(usage)?;
    if !backend.runs(&model) {
        return Ok(None);
    }
    let mut runner = backend::open(backend, scenario, &model)?;
    let server =
        |e: AgainstError| UsageError(format!("{} on {}: {e}", scenario.id(), backend.flag()));
    let reproduced = match scenario.expected() {
        Expected::Holds => None,
        Expected::Violates(_) => {
            Some(reproduce_counterexample(scenario, &defaults, &mut runner).map_err(server)?)
        }
    };
    let params = match scenario.actors_param() {
        Some(actors) => scenario
            .with_sizes(&[(actors, AGREEMENT_ACTORS)])
            .map_err(usage)?,
        None => defaults,
    };
    let model = scenario.build(&params).map_err(usage)?;
    let agreement = runner.agreement(model, AGREEMENT_BOUND).map_err(server)?;
    Ok(Some(CheckedOnServer {
        agreement,
        params,
        reproduced,
    }))
}

/// A buggy rung's shortest counterexample at `params`, run on the server; where the
/// server shows no harm in it, the bug followed to one it does show.
fn reproduce_counterexample(
    scenario: &Scenario,
    params: &Params,
    runner: &mut Runner,
) -> Result<Reproduced, AgainstError> {
    let model = scenario.build(params).map_err(AgainstError::Server)?;
    let found = locklab::engine::explore(Arc::clone(&model), &States, Budget::default());
    let Some((failure, schedule)) = found.failure().and_then(|f| Some((f, f.schedule.clone()?)))
    else {
        return Ok(Reproduced {
            agreed: false,
            steps: 0,
            harm: Vec::new(),
            followed: None,
        });
    };
    let r = runner.reproduce(Arc::clone(&model), &schedule)?;
    let agreed = r.reproduced();
    let harm = r.run.harms_seen();
    let followed = if agreed && harm.is_empty() {
        let first = failure.violation.property;
        follow_harm(&model, first, Budget::default(), |m, s| {
            runner.reproduce(m, s)
        })?
        .map(|f| {
            let focused = params.clone().focused_on(Some(f.property.name));
            FollowedHarm {
                property: f.property.name.to_owned(),
                steps: f.reproduction.run.steps(),
                harm: f.reproduction.run.harms_seen(),
                replay: replay_string(scenario, &focused, f.schedule),
            }
        })
    } else {
        None
    };
    Ok(Reproduced {
        agreed,
        steps: r.run.steps(),
        harm,
        followed,
    })
}
