//! `REPORT.md`: the measurement context, how to read it, the check verdicts, every
//! table and chart, and links to the timelines.

use std::fmt::Write as _;
use std::path::Path;

use super::charts::{self, ChartFile};
use super::check_data::CheckResult;
use super::format::{cell, code, counted, duration_s, table, Align};
use super::measurements::{Measurements, BASELINE_SCHEME, BASELINE_VARIANT};
use super::meta::Meta;
use super::tables;
use super::timelines::RungTimeline;

/// Everything the page shows.
#[derive(Debug, Clone, Copy)]
pub struct Page<'a> {
    /// Where and when.
    pub meta: &'a Meta,
    /// criterion's directory, as given.
    pub criterion_dir: &'a Path,
    /// The check JSON, as given.
    pub check_file: &'a Path,
    /// The check results.
    pub checks: &'a [CheckResult],
    /// The state-caching engine's measurements, if made.
    pub states: Option<&'a locklab::comparison::StatesReport>,
    /// Where they are (or would be).
    pub states_file: &'a Path,
    /// The real-server bench, if run.
    pub servers: Option<&'a locklab::server_bench::ServerBench>,
    /// Where it is (or would be).
    pub servers_file: &'a Path,
    /// The models held against the real servers, if done.
    pub agreement: Option<&'a locklab::agreement::AgreementReport>,
    /// Where that is (or would be).
    pub agreement_file: &'a Path,
    /// The benchmarks.
    pub measurements: &'a Measurements,
    /// The charts written.
    pub charts: &'a [ChartFile],
    /// The timelines written (or why not).
    pub timelines: &'a [RungTimeline],
}

const REGENERATE: &str = "cargo run --release -- report --measure";

const GLOSSARY: &str = "\
- **ops/s**: lock operations per second, all threads together, on real OS threads. One \
operation is one pass of a worker through the scheme (acquire, the guarded work, release) \
against the in-memory store. The rate comes from criterion's estimate (the fitted slope \
of time over iterations, else the mean); the interval is criterion's bootstrap confidence \
interval.
- **× baseline**: the variant's ops/s divided by a plain `std::sync::Mutex` doing the \
same work at the same threads and contention: the price of the scheme's protocol.
- **≥ 1000 ops/s**: *yes* only when the whole confidence interval clears 1000.
- **execution**: one complete run of a model under one schedule; **exec/s** is how many \
an engine explores per second.
- **loom**: every interleaving, in order; `pb=N` bounds the preemptions (forced switches) \
per execution, which keeps the search small and still finds most real bugs.
- **pct**: shuttle's Probabilistic Concurrency Testing: random thread priorities with d−1 \
priority change points, which catches any bug of depth d with a known probability per \
execution. **random**: shuttle's uniformly random scheduler. **dfs**: shuttle's \
depth-first enumeration. **raw-shuttle-…**: shuttle driven directly on the same model, \
with no locklab engine around it (the ratio column is locklab's overhead).
- **time to bug**: median, over seeds, of the time one search takes to hit the violation.
- **growth**: the cost of one search as actors are added to a correct rung.";

impl Page<'_> {
    /// The page.
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let m = &self.meta;
        let _ = writeln!(md, "# locklab report\n");
        let _ = writeln!(
            md,
            "Measured on {} · {} · {} · commit {}.\n",
            cell(&m.date),
            cell(&m.machine),
            code(&m.toolchain),
            code(&m.commit)
        );
        let _ = writeln!(
            md,
            "Regenerate (benchmarks, then `locklab check`, then this page): `{REGENERATE}`. \
             Redraw from the saved data only: `cargo run --release -- report`.\n"
        );
        md.push_str(
            "[Verdicts](#verdicts) · [Throughput](#throughput) · [Search speed](#search-speed) · \
             [Time to bug](#time-to-bug) · [Growth](#growth) · \
             [State-caching engine](#state-caching-engine) · [Real servers](#real-servers) · \
             [Timelines](#timelines)\n\n",
        );
        let _ = writeln!(md, "## What the numbers mean\n\n{GLOSSARY}\n");
        self.verdicts(&mut md);
        self.throughput(&mut md);
        self.section(&mut md, "Search speed", "search-speed", |m| {
            (!m.search_speed.is_empty()).then(|| tables::search_speed(&m.search_speed))
        });
        self.section(&mut md, "Time to bug", "time-to-bug", |m| {
            (!m.time_to_bug.is_empty()).then(|| tables::time_to_bug(m))
        });
        self.section(&mut md, "Growth", "growth", |m| {
            (!m.growth.is_empty()).then(|| tables::growth(&m.growth))
        });
        md.push_str(&super::states_section::markdown(
            self.states,
            self.checks,
            self.states_file,
        ));
        md.push_str(&super::servers_section::markdown(
            self.servers,
            self.servers_file,
        ));
        md.push_str(&super::agreement_section::markdown(
            self.agreement,
            self.agreement_file,
        ));
        self.timelines(&mut md);
        if !self.measurements.other.is_empty() {
            let _ = writeln!(
                md,
                "## Other benchmarks\n\n{}",
                tables::other(self.measurements)
            );
        }
        let _ = writeln!(
            md,
            "---\n\nGenerated by `locklab report` from the criterion results in {} and the \
             check results in {}.",
            code(&self.criterion_dir.display().to_string()),
            code(&self.check_file.display().to_string())
        );
        md
    }

    fn chart(&self, subject: &str) -> Option<&ChartFile> {
        self.charts.iter().find(|c| c.subject == subject)
    }

    fn section(
        &self,
        md: &mut String,
        title: &str,
        subject: &str,
        body: impl Fn(&Measurements) -> Option<String>,
    ) {
        let _ = writeln!(md, "## {title}\n");
        match body(self.measurements) {
            None => {
                let _ = writeln!(md, "No `{subject}` benchmarks in the criterion results: run `cargo bench -p locklab-bench`.\n");
            }
            Some(table) => {
                if let Some(chart) = self.chart(subject) {
                    let _ = writeln!(md, "![{title}]({})\n", chart.path);
                }
                let _ = writeln!(md, "{table}");
            }
        }
    }

    fn throughput(&self, md: &mut String) {
        let m = self.measurements;
        let _ = writeln!(md, "## Throughput\n");
        if m.throughput.is_empty() {
            let _ = writeln!(md, "No `throughput` benchmarks in the criterion results: run `cargo bench -p locklab-bench`.\n");
            return;
        }
        let schemes = charts::schemes(&m.throughput);
        for scheme in &schemes {
            let _ = writeln!(md, "### {}\n", cell(scheme));
            if let Some(chart) = self.chart(&format!("throughput/{scheme}")) {
                let _ = writeln!(md, "![{} throughput]({})\n", cell(scheme), chart.path);
            }
            let _ = writeln!(md, "{}", tables::throughput(m, scheme, self.checks));
        }
        let has_baseline = m.throughput.iter().any(|p| p.is_baseline());
        if has_baseline && !schemes.iter().any(|s| s == BASELINE_SCHEME) {
            let _ = writeln!(
                md,
                "### {BASELINE_SCHEME} ({BASELINE_VARIANT}: the same work under one `std::sync::Mutex`)\n\n{}",
                tables::throughput(m, BASELINE_SCHEME, self.checks)
            );
        }
    }

    fn verdicts(&self, md: &mut String) {
        let _ = writeln!(md, "## Verdicts\n");
        let failed = self.checks.iter().filter(|c| !c.met).count();
        let rungs = unique(self.checks.iter().map(|c| c.scenario.as_str()));
        let status = if failed == 0 {
            "every expectation held".to_owned()
        } else {
            let s = if failed == 1 { "" } else { "s" };
            format!("**{failed} expectation{s} FAILED**")
        };
        let _ = writeln!(
            md,
            "`locklab check`: {} rungs, {} runs: {status}. A correct rung (*holds*) must pass \
             every execution explored; a buggy rung must be caught violating the property it \
             names.\n",
            rungs.len(),
            self.checks.len()
        );
        for scheme in unique(self.checks.iter().map(|c| c.scheme.as_str())) {
            let rows: Vec<&CheckResult> =
                self.checks.iter().filter(|c| c.scheme == scheme).collect();
            let families = unique(rows.iter().map(|c| c.engine_family()));
            let mut table_rows = Vec::new();
            for rung in unique(rows.iter().map(|c| c.scenario.as_str())) {
                let runs: Vec<&&CheckResult> = rows.iter().filter(|c| c.scenario == rung).collect();
                let first = runs[0];
                let mut row = vec![cell(first.variant()), cell(&first.expected)];
                for family in &families {
                    let cells: Vec<String> = runs
                        .iter()
                        .filter(|c| c.engine_family() == *family)
                        .map(|c| run_cell(c))
                        .collect();
                    row.push(if cells.is_empty() {
                        "—".to_owned()
                    } else {
                        cells.join("<br>")
                    });
                }
                row.push(self.timeline_cell(rung));
                table_rows.push(row);
            }
            let mut headers: Vec<(&str, Align)> =
                vec![("rung", Align::Left), ("expected", Align::Left)];
            headers.extend(families.iter().map(|f| (*f, Align::Left)));
            headers.push(("timeline", Align::Left));
            let _ = writeln!(
                md,
                "### {}\n\n{}",
                cell(scheme),
                table(&headers, &table_rows)
            );
        }
    }

    fn timeline_cell(&self, scenario: &str) -> String {
        match self.timelines.iter().find(|t| t.scenario == scenario) {
            Some(RungTimeline {
                path: Some(path), ..
            }) => format!("[timeline]({path})"),
            Some(RungTimeline {
                note: Some(note), ..
            }) => cell(note),
            _ => String::new(),
        }
    }

    fn timelines(&self, md: &mut String) {
        let _ = writeln!(md, "## Timelines\n");
        if self.timelines.is_empty() {
            let _ = writeln!(
                md,
                "No buggy rung in the check results has a replay string.\n"
            );
            return;
        }
        let _ = writeln!(
            md,
            "Each buggy rung's counterexample, replayed from its replay string (the shortest \
             when several engines caught it): one column per actor, one box per atomic step, \
             virtual time down the side, the violating step in red.\n"
        );
        for t in self.timelines {
            match (&t.path, &t.note) {
                (Some(path), _) => {
                    let _ = writeln!(
                        md,
                        "- [{}]({path}): {}, found by {}",
                        cell(&t.scenario),
                        counted(t.steps as u64, "step"),
                        cell(&t.engine)
                    );
                }
                (None, note) => {
                    let _ = writeln!(
                        md,
                        "- {}: {}",
                        cell(&t.scenario),
                        cell(note.as_deref().unwrap_or("no timeline"))
                    );
                }
            }
        }
        md.push('\n');
    }
}

/// One check run in a verdict cell: what it found, then how hard it looked.
fn run_cell(c: &CheckResult) -> String {
    let mark = if c.met {
        "✓"
    } else {
        "✗ **expectation failed**:"
    };
    let params: Vec<String> = c.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let settings = c
        .engine_settings()
        .map(|s| format!("{s} · "))
        .unwrap_or_default();
    let shortest = match (c.decisions, c.preemptions) {
        (Some(d), Some(p)) => format!("<br><sub>shortest: {d} decisions · {p} preemptions</sub>"),
        _ => String::new(),
    };
    format!(
        "{mark} {}<br><sub>{settings}{} · {} · {}</sub>{shortest}",
        cell(&c.got),
        counted(c.executions, "execution"),
        duration_s(c.seconds),
        cell(&params.join(", "))
    )
}

/// The distinct items in order of first appearance (the check file's ladder order).
fn unique<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}
