//! `locklab report`: turns criterion's saved benchmark results and the JSON of
//! `locklab check --json` into `REPORT.md`, SVG charts and a timeline picture of every
//! buggy rung's counterexample.
//!
//! ```text
//! <criterion-dir>/**/new/{benchmark,estimates}.json ─┐
//!                                 check.json ────────┼─ generate ─> REPORT.md
//!                                 Meta (CLI) ────────┘              charts/*.svg
//!                                                                   timelines/<scheme>/<variant>.svg
//! ```
//!
//! [`generate`] reads every input before writing anything, names the file in every
//! error, and writes byte-identical output for identical inputs: everything is sorted
//! or kept in the check file's order, and the clock, machine and commit come in as
//! [`Meta`] from the caller.
//!
//! [`timeline_svg::Timeline`] draws one failing execution; `locklab explore --svg`
//! uses it too.

pub mod agreement_section;
pub mod charts;
pub mod check_data;
pub mod criterion_data;
mod error;
pub mod format;
pub mod measurements;
pub mod meta;
mod page;
pub mod servers_section;
pub mod states_section;
mod svg;
pub mod tables;
mod timeline_layout;
pub mod timeline_svg;
pub mod timelines;

use std::fs;
use std::path::{Path, PathBuf};

pub use charts::ChartFile;
pub use error::ReportError;
pub use meta::Meta;
pub use timelines::RungTimeline;

/// What to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    /// criterion's output directory (`target/criterion`).
    pub criterion_dir: PathBuf,
    /// The JSON of `locklab check --json`.
    pub check_file: PathBuf,
    /// The state-caching engine's measurements (`report --measure` writes them).
    pub states_file: PathBuf,
    /// The real-server bench's results (`locklab-pgload` writes them).
    pub servers_file: PathBuf,
    /// The models held against the real servers (`report --measure` writes it).
    pub agreement_file: PathBuf,
    /// Where and when the numbers were measured.
    pub meta: Meta,
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// `REPORT.md`.
    pub report: PathBuf,
    /// The charts.
    pub charts: Vec<ChartFile>,
    /// One entry per buggy rung with a replay string.
    pub timelines: Vec<RungTimeline>,
    /// Benchmarks read.
    pub benchmarks: usize,
    /// Check runs read.
    pub checks: usize,
    /// Check runs whose expectation failed.
    pub failed_expectations: usize,
}

/// The report file's name inside the output directory.
pub const REPORT_FILE: &str = "REPORT.md";

/// Reads the inputs and writes `REPORT.md`, `charts/` and `timelines/` under
/// `out_dir`, replacing the SVGs a previous run left there.
pub fn generate(inputs: &Inputs, out_dir: &Path) -> Result<Summary, ReportError> {
    let checks = check_data::load(&inputs.check_file)?;
    let states = states_section::load(&inputs.states_file)?;
    let servers = servers_section::load(&inputs.servers_file)?;
    let agreement = agreement_section::load(&inputs.agreement_file)?;
    let benchmarks = criterion_data::load(&inputs.criterion_dir)?;
    let measurements = measurements::classify(&benchmarks)?;

    fs::create_dir_all(out_dir).map_err(|e| ReportError::io(out_dir, "create directory", e))?;
    for generated in ["charts", "timelines"] {
        remove_svgs(&out_dir.join(generated))?;
    }
    let charts = charts::write_all(&measurements, out_dir)?;
    let timelines = timelines::write_all(&checks, &inputs.check_file, out_dir)?;
    let markdown = page::Page {
        meta: &inputs.meta,
        criterion_dir: &inputs.criterion_dir,
        check_file: &inputs.check_file,
        checks: &checks,
        states: states.as_ref(),
        states_file: &inputs.states_file,
        servers: servers.as_ref(),
        servers_file: &inputs.servers_file,
        agreement: agreement.as_ref(),
        agreement_file: &inputs.agreement_file,
        measurements: &measurements,
        charts: &charts,
        timelines: &timelines,
    }
    .markdown();
    let report = out_dir.join(REPORT_FILE);
    fs::write(&report, markdown).map_err(|e| ReportError::io(&report, "write", e))?;
    Ok(Summary {
        report,
        charts,
        timelines,
        benchmarks: benchmarks.len(),
        checks: checks.len(),
        failed_expectations: checks.iter().filter(|c| !c.met).count(),
    })
}

/// Removes the `.svg` files (only those) below `dir`, and directories left empty, so a
/// rung or scheme that disappeared leaves no stale picture behind.
fn remove_svgs(dir: &Path) -> Result<(), ReportError> {
    if !dir.is_dir() {
        return Ok(());
    }
    let entries = fs::read_dir(dir).map_err(|e| ReportError::io(dir, "read directory", e))?;
    for entry in entries {
        let path = entry
            .map_err(|e| ReportError::io(dir, "read directory", e))?
            .path();
        if path.is_dir() {
            remove_svgs(&path)?;
            // Fails harmlessly when something other than an SVG remains.
            let _ = fs::remove_dir(&path);
        } else if path.extension().is_some_and(|e| e == "svg") {
            fs::remove_file(&path).map_err(|e| ReportError::io(&path, "remove", e))?;
        }
    }
    Ok(())
}
