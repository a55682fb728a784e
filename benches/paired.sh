#!/usr/bin/env bash
# The toml floor and planlint run in turns, RUNS times each, on the same generated corpus: on a
# shared machine whose speed drifts over minutes (hyperfine runs one command's runs and then the
# other's), a ratio taken pair by pair is steadier than one of two separate series. Prints the
# fastest run of each, the ratio of those, and the median of the pairs' ratios.
#
#   bash benches/paired.sh [COUNT] [RUNS] [THREADS]      (default 10000 15 1)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10000}
runs=${2:-15}
threads=${3:-1}
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cargo build --release --quiet --bin planlint --example corpus --example toml_floor
./target/release/examples/corpus "$count" "$corpus/plans" 2021 > /dev/null
# The JSON goes to a file, as a bulk run's would (the floor prints a count).
elapsed_ns() {
  local start
  start=$(date +%s%N)
  RAYON_NUM_THREADS=$threads "$@" > "$corpus/out.json" 2> /dev/null || true
  echo $(($(date +%s%N) - start))
}
for _ in $(seq "$runs"); do
  floor=$(elapsed_ns ./target/release/examples/toml_floor "$corpus/plans")
  check=$(elapsed_ns ./target/release/planlint check --format json "$corpus/plans")
  echo "$floor $check"
done > "$corpus/pairs"
min_floor=$(cut -d' ' -f1 "$corpus/pairs" | sort -n | head -1)
min_check=$(cut -d' ' -f2 "$corpus/pairs" | sort -n | head -1)
awk '{ printf "%.4f\n", $2 / $1 }' "$corpus/pairs" | sort -n > "$corpus/ratios"
awk -v count="$count" -v threads="$threads" -v f="$min_floor" -v c="$min_check" '
  { ratio[NR] = $1 }
  END {
    median = (NR % 2) ? ratio[(NR + 1) / 2] : (ratio[NR / 2] + ratio[NR / 2 + 1]) / 2
    printf "%d plans, %d thread(s), %d pairs: floor %.0f ms, planlint %.0f ms (fastest); ratio %.2fx (fastest), %.2fx (median pair; %.2f-%.2f)\n",
      count, threads, NR, f / 1e6, c / 1e6, c / f, median, ratio[1], ratio[NR]
  }' "$corpus/ratios"
