#!/usr/bin/env bash
# What CI checks: formatting, lints, then the README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --release --workspace
# Smoke-run every benchmark once (criterion's test mode); full numbers come from
# `locklab report --measure`, not from CI.
cargo bench -p locklab-bench -- --test
