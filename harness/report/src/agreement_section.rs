//! The "Model against server" part of the real-server section: every rung with a form
//! on PostgreSQL or Redis, its model held against the real server (`check --backend`):
//! the counterexample reproduced and whether the server itself shows the harm, and
//! every statement order of a bounded loom search compared.

use std::fmt::Write as _;
use std::path::Path;

use locklab::agreement::{AgreementReport, ServerAgreement};

use super::criterion_data::read_json;
use super::error::ReportError;
use super::format::{cell, code, table, Align};

/// The command that measures it (one server; `report --measure` runs both).
pub const MEASURE: &str = "cargo run --release -- check --backend postgres --json";

/// Reads `reports/agreement.json`, if it is there.
pub fn load(path: &Path) -> Result<Option<AgreementReport>, ReportError> {
    if !path.is_file() {
        return Ok(None);
    }
    read_json(path).map(Some)
}

/// The subsection's markdown.
pub fn markdown(report: Option<&AgreementReport>, file: &Path) -> String {
    let mut md = String::from("### Model against server\n\n");
    let Some(report) = report else {
        let _ = writeln!(
            md,
            "No {} yet: `locklab report --measure` writes it (`{MEASURE}` prints one \
             server's part).\n",
            code(&file.display().to_string())
        );
        return md;
    };
    let _ = writeln!(
        md,
        "Every rung whose statements (commands) are SQL on the kit's PostgreSQL model or \
         commands to its Redis model, held against the real server by `check --backend`: a \
         buggy rung's model counterexample sent there in the model's order, one connection \
         per actor, and every distinct order of a loom search at 2 actors with ≤2 \
         preemptions compared answer for answer. *Harm on the server* is what the server \
         itself shows — its rows (a harm query) or its answers, read by the scheme's \
         witness without the model's state (two claims both granted, an acknowledged change \
         lost); *harm in process* means the server answered every step correctly and the \
         harm is in what a process did with the answers. Where it is, the bug is *followed* \
         on: each other safety property searched for alone (the others' violations let \
         pass), and the first counterexample whose harm the server shows reproduced \
         there (its replay string is listed under the table). A rung that holds must show \
         no harm in any compared order.\n"
    );
    for server in &report.servers {
        let _ = writeln!(md, "{}", server_table(server));
    }
    md
}

fn server_table(s: &ServerAgreement) -> String {
    let rows: Vec<Vec<String>> = s
        .rows
        .iter()
        .map(|r| {
            let orders = format!("{} of {}", r.agreeing, r.orders);
            let harmed = match (&r.counterexample, r.harmed) {
                (None, 0) => "none".to_owned(),
                (None, n) => format!("**{n}**"),
                (Some(_), n) => n.to_string(),
            };
            vec![
                code(&r.scenario),
                cell(&r.expected),
                r.counterexample.as_deref().map_or("-".into(), cell),
                orders,
                harmed,
                cell(&r.scope),
                if r.ok { "yes".into() } else { "**NO**".into() },
            ]
        })
        .collect();
    let agreeing = s.rows.iter().filter(|r| r.ok).count();
    let on_server = s
        .rows
        .iter()
        .filter(|r| !r.harm_on_server.is_empty())
        .count();
    let buggy = s.rows.iter().filter(|r| r.counterexample.is_some()).count();
    let followed: Vec<String> = s
        .rows
        .iter()
        .filter_map(|r| {
            let replay = r.followed_replay.as_deref()?;
            Some(format!("- {}: {}\n", code(&r.scenario), code(replay)))
        })
        .collect();
    let (followed_note, followed_list) = if followed.is_empty() {
        (String::new(), String::new())
    } else {
        (
            format!(
                " ({} of them followed past a first symptom in process)",
                followed.len()
            ),
            format!(
                "\nFollowed to a harm the server shows (`locklab replay '…' --backend …`):\n\n{}",
                followed.concat()
            ),
        )
    };
    format!(
        "**{}**: {agreeing} of {} rungs agree; {on_server} of {buggy} buggy rungs show their \
         harm on the server{followed_note}.\n\n{}{followed_list}",
        s.server,
        s.rows.len(),
        table(
            &[
                ("rung", Align::Left),
                ("expected", Align::Left),
                ("counterexample on the server", Align::Left),
                (&format!("{} orders agreeing", s.unit), Align::Right),
                ("orders with harm on the server", Align::Right),
                ("orders compared", Align::Left),
                ("agrees", Align::Left),
            ],
            &rows
        )
    )
}
