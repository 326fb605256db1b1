//! `locklab`: list, explore, replay and check the built-in locking-scheme models.

fn main() -> std::process::ExitCode {
    locklab_cli::main(Vec::new())
}
