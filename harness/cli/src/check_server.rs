//! `check --backend postgres|redis`: every rung with a form on that server, held
//! against it — as a table, or (`--json`) as the report's `agreement.json` data.

use locklab::agreement::{AgreementRow, ServerAgreement};
use locklab::Scenario;

use crate::backend::{self, Backend};
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
        let Some(done) = backend::check_one(s, on)? else {
            continue;
        };
        let a = &done.agreement;
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
                .map_or_else(Vec::new, |r| r.harm.clone()),
            orders: a.orders,
            agreeing: a.agreeing,
            harmed: a.harmed,
            scope: backend::scope(a, backend::AGREEMENT_BOUND),
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
    println!();
    let failed = rows.iter().filter(|r| !r.ok).count();
    if failed == 0 {
        // Agreement is only as wide as the orders compared: say which.
        println!(
            "all {} rungs agree with {} on every order compared (per rung: a loom search \
             with ≤{} preemptions, at the sizes shown)",
            rows.len(),
            on.server(),
            backend::AGREEMENT_BOUND
        );
    } else {
        println!(
            "{failed} of {} rungs DISAGREE with {}",
            rows.len(),
            on.server()
        );
    }
}
