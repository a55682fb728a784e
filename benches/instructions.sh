#!/usr/bin/env bash
# Instructions executed (valgrind's callgrind), one thread. Wall-clock ratios on a shared 2-core
# machine move by ±10 % from run to run; instruction counts do not, so a change too small for
# hyperfine to see shows here. They count work, not cache misses or allocation stalls: the
# wall-clock ratios of bulk.sh and of the criterion import benchmark stay the targets' measure.
# Needs valgrind (Debian package `valgrind`).
#
#   bash benches/instructions.sh [COUNT]
#       planlint check --format json against the toml floor on the same generated corpus
#       (default 300 plans)
#   bash benches/instructions.sh import [FILE] [ROUNDS]
#       per import of a UTF-8 text, against the import benchmark's floor (decode + lines) and a
#       scan that decodes and tests every character once, on the same bytes
#       (default tests/fixtures/texts/changzhi-city-2021-2025.txt, 10 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v valgrind > /dev/null; then
  echo "valgrind is not installed (apt-get install valgrind); nothing measured" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "${1:-}" = import ]; then
  file=${2:-tests/fixtures/texts/changzhi-city-2021-2025.txt}
  rounds=${3:-10}
  cargo build --release --quiet --example import_instructions
  declare -A per_round
  for mode in floor scan import; do
    total=$(valgrind --tool=callgrind --callgrind-out-file="$work/out" \
      --toggle-collect='import_instructions::measured' \
      ./target/release/examples/import_instructions "$mode" "$file" "$rounds" 2>&1 > /dev/null |
      sed -n 's/.*Collected : *//p' | tr -d ,)
    per_round[$mode]=$((total / rounds))
  done
  echo "$file, instructions per round: floor ${per_round[floor]}, scan ${per_round[scan]}, import ${per_round[import]}"
  awk -v f="${per_round[floor]}" -v s="${per_round[scan]}" -v i="${per_round[import]}" \
    'BEGIN { printf "scan %.1fx the floor; import %.1fx the floor, %.1fx the scan\n", s / f, i / f, i / s }'
  exit 0
fi

count=${1:-300}
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
