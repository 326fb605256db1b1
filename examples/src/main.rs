//! `my-locks`: the locklab command line over this crate's scenarios.

fn main() -> std::process::ExitCode {
    locklab_cli::main(locklab_example::scenarios())
}
