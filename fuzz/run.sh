#!/usr/bin/env bash
# Runs every cargo-fuzz target for N seconds each (default 180), one after another, on one
# core and at the lowest priority, and prints libFuzzer's final figures for each.
#
#   fuzz/run.sh [SECONDS] [TARGET...]
#
# Only the stable toolchain is needed: RUSTC_BOOTSTRAP=1 lets it take cargo-fuzz's nightly
# flags. SANITIZER=none skips AddressSanitizer (default: address, cargo-fuzz's own).
# The working corpus grows in fuzz/corpus/<target> (ignored by git), starting from the
# committed seeds in fuzz/seeds/<target>; crashes land in fuzz/artifacts/<target>.
set -euo pipefail

seconds="${1:-180}"
shift || true
cd "$(dirname "$0")"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(feed_csv period graphql_http graphql_query feed_http)
fi
sanitizer="${SANITIZER:-address}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    nice -n 19 cargo install cargo-fuzz
fi

nice -n 19 cargo fuzz build --sanitizer "$sanitizer"
status=0
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    log="$(mktemp)"
    echo "== $target: ${seconds}s"
    start=$(date +%s)
    if ! nice -n 19 cargo fuzz run --sanitizer "$sanitizer" "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
        status=1
        echo "!! $target found a crash: see fuzz/artifacts/$target and the log below"
        tail -n 60 "$log"
    fi
    end=$(date +%s)
    grep -E '^(Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added|stat::peak_rss_mb)' "$log" || true
    echo "wall time: $((end - start))s; corpus: $(find "corpus/$target" -type f | wc -l) files"
    rm -f "$log"
done
exit "$status"
