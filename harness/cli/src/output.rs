//! Writing to stdout and stderr without panicking when the reader has gone.
//!
//! std's `println!` panics when stdout is a closed pipe (`locklab list | head`), with
//! a backtrace. Here a closed stdout ends the program at once, quietly, with the exit
//! code a process killed by SIGPIPE reports (141), as `cat` or `grep` would; a closed
//! stderr loses the message and nothing else. The crate's `println!`, `print!` and
//! `eprintln!` (defined in lib.rs) come here.

use std::fmt;
use std::io::{self, Write};

/// The exit status of a shell pipeline's writer that SIGPIPE killed (128 + 13).
const BROKEN_PIPE_EXIT: i32 = 141;

/// Writes `args` to stdout; exits quietly if stdout is closed.
pub fn stdout(args: fmt::Arguments<'_>) {
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_fmt(args) {
        if e.kind() == io::ErrorKind::BrokenPipe {
            std::process::exit(BROKEN_PIPE_EXIT);
        }
        // Any other failure to write (a full disk) cannot be reported on stdout;
        // say it where the user looks for errors.
        stderr(format_args!("error: cannot write to stdout: {e}\n"));
        std::process::exit(2);
    }
}

/// Writes `args` to stderr; a closed stderr is ignored.
pub fn stderr(args: fmt::Arguments<'_>) {
    let _ = io::stderr().lock().write_fmt(args);
}
