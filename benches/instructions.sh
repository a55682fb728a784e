#!/usr/bin/env bash
# Instructions executed (valgrind's callgrind), planlint against the toml floor on the same
# generated corpus, one thread. Wall-clock ratios on a shared 2-core machine move by ±10 % from
# run to run; instruction counts do not, so a change too small for hyperfine to see shows here.
# They count work, not cache misses or allocation stalls: the wall-clock ratio of bulk.sh stays
# the target's measure. Needs valgrind (Debian package `valgrind`).
#
#   bash benches/instructions.sh [COUNT]      (default 300)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-300}
if ! command -v valgrind > /dev/null; then
  echo "valgrind is not installed (apt-get install valgrind); nothing measured" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --bin planlint --example corpus --example toml_floor
./target/release/examples/corpus "$count" "$work/plans" 2021 > /dev/null
instructions() {
  RAYON_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file="$work/out" "$@" \
    2>&1 > /dev/null | sed -n 's/.*refs: *//p' | tr -d ,
}
floor=$(instructions ./target/release/examples/toml_floor "$work/plans")
check=$(instructions ./target/release/planlint check --format json "$work/plans" || true)
echo "$count plans, one thread: toml floor $floor instructions, planlint check $check"
awk -v f="$floor" -v c="$check" 'BEGIN { printf "ratio: %.2fx the floor\n", c / f }'
