//! The `locklab` command line, for the built-in scenarios and for your own.
//!
//! A crate of your own gets `list`, `explore`, `replay`, `check` (with `--json`) and
//! `--svg` timelines for its scenarios, beside the built-ins, from a three-line
//! `main.rs`:
//!
//! ```no_run
//! fn main() -> std::process::ExitCode {
//!     locklab_cli::main(vec![/* my_buggy_lock(), my_fixed_lock() */])
//! }
//! ```
#![deny(missing_docs)]

// Shadow std's printing macros for the whole crate (textual scope: before the
// modules): output that survives a closed pipe. See `output`.
macro_rules! print {
    ($($t:tt)*) => { $crate::output::stdout(format_args!($($t)*)) };
}
macro_rules! println {
    () => { $crate::output::stdout(format_args!("\n")) };
    ($($t:tt)*) => { $crate::output::stdout(format_args!("{}\n", format_args!($($t)*))) };
}
macro_rules! eprintln {
    () => { $crate::output::stderr(format_args!("\n")) };
    ($($t:tt)*) => { $crate::output::stderr(format_args!("{}\n", format_args!($($t)*))) };
}

mod args;
mod backend;
mod check;
mod check_server;
mod explore;
mod output;
mod registry;
mod render;
mod report;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;
use locklab::Scenario;

pub use registry::Registry;

/// Bad input: printed as `error: …` with exit code 2.
pub(crate) struct UsageError(pub String);

/// Runs the command line of the process with `scenarios` (yours) beside the
/// built-ins; returns the exit code: 0 nothing violated / every expectation held, 1
/// a property was violated or an expectation failed, 2 bad input.
pub fn main(scenarios: Vec<Scenario>) -> ExitCode {
    ExitCode::from(run(std::env::args_os(), scenarios))
}

/// [`main`] with explicit arguments (the first is the program name); returns the exit
/// code as a number, for tests.
pub fn run(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    scenarios: Vec<Scenario>,
) -> u8 {
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let program = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_stem())
        .map_or_else(
            || "locklab".to_owned(),
            |s| s.to_string_lossy().into_owned(),
        );
    let cli = match args::Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        // clap prints help and version to stdout with 0, and usage errors to stderr
        // with 2.
        Err(e) => {
            let _ = e.print();
            return u8::try_from(e.exit_code()).unwrap_or(2);
        }
    };
    let result = Registry::new(program, scenarios).and_then(|registry| dispatch(cli, &registry));
    match result {
        Ok(code) => code,
        Err(UsageError(message)) => {
            eprintln!("error: {message}");
            2
        }
    }
}

fn dispatch(cli: args::Cli, registry: &Registry) -> Result<u8, UsageError> {
    use args::Command;
    match cli.command {
        Command::List => {
            render::list(registry);
            Ok(0)
        }
        Command::Explore(args) => explore::explore(args, registry),
        Command::Replay(args) => explore::replay(args, registry),
        Command::Check(args) => check::check(args, registry),
        Command::Report(args) => report::report(args),
    }
}
