#!/usr/bin/env bash
# Fuzzes the replay-string and parameter parsers for a bounded time each (not part of
# .ci/run: run it on demand, and before changing those parsers).
#
#   bash ci/fuzz.sh            # 60 s per target
#   SECONDS_EACH=600 bash ci/fuzz.sh
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). libFuzzer's sanitizer flags need a
# nightly compiler; RUSTC_BOOTSTRAP=1 lets the stable one take them. Findings (a crash
# and its input) land in fuzz/artifacts/<target>/; the corpus grows in fuzz/corpus/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${SECONDS_EACH:-60}"
export RUSTC_BOOTSTRAP=1
for target in replay_string params; do
    mkdir -p "fuzz/corpus/$target"
    echo "fuzzing $target for ${seconds}s"
    cargo fuzz run "$target" "fuzz/corpus/$target" fuzz/seeds/"$target" -- \
        -max_total_time="$seconds" -max_len=4096
done
