//! How a PostgreSQL run prints: each statement with the model's and the server's
//! answers, the tables at the end, the harm queries.

use locklab::sim::store::sql::rows_text;
use locklab_servers::LogRun;

/// The statements, what the model answered and what the server answered.
pub fn print_run(run: &LogRun, schema: Option<&str>) {
    if let Some(schema) = schema {
        println!("on PostgreSQL (schema {schema}, dropped at exit), the model's statements in the model's order:");
    }
    let w = super::actor_width(run.steps.iter().map(|c| c.model.actor.as_str()));
    println!("{:>3}  {:w$}  statement  →  model | server", "#", "actor");
    for (i, c) in run.steps.iter().enumerate() {
        if c.model.dropped {
            let server = match &c.server.completion {
                locklab_servers::Completion::StillWaiting => "NOT terminated   <<< differs",
                _ => "backend terminated",
            };
            println!(
                "{i:>3}  {:w$}  (connection dropped: the actor crashed)  →  rolled back | {server}",
                c.model.actor
            );
            continue;
        }
        let params: Vec<String> = c.model.params.iter().map(ToString::to_string).collect();
        let model = describe(
            &locklab_servers::completion_of(&c.model.result),
            c.model.waited,
        );
        let server = describe(&c.server.completion, c.server.waited);
        let mark = if c.agrees() { "" } else { "   <<< differs" };
        println!(
            "{i:>3}  {:w$}  {} [{}]  →  {model} | {server}{mark}",
            c.model.actor,
            c.model.sql,
            params.join(", ")
        );
    }
    for (table, rows) in &run.server_rows {
        println!("{table} on the server at the end: {}", rows_text(rows));
    }
    for (harm, happened) in &run.harm {
        println!(
            "{harm}: {}",
            if *happened {
                "HAPPENED on the server"
            } else {
                "no"
            }
        );
    }
    for h in &run.witnessed {
        println!("in the server's answers, {}: {}", h.name, h.how);
    }
}

fn describe(c: &locklab_servers::Completion, waited: bool) -> String {
    use locklab_servers::Completion;
    let what = match c {
        Completion::Rows { rows, affected } if rows.is_empty() => format!("{affected} row(s)"),
        Completion::Rows { rows, .. } => rows_text(rows),
        Completion::Error { code } => format!("ERROR {code}"),
        Completion::StillWaiting => "still waiting when the run ended".into(),
    };
    if waited {
        format!("waited, {what}")
    } else {
        what
    }
}
