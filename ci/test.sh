#!/usr/bin/env bash
# What CI checks: formatting, lints, then the README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo test --release
