#!/usr/bin/env bash
# Instructions executed (valgrind's callgrind) per import of a document, against the import
# benchmark's floor (decode + lines) and a scan that decodes and tests every character once, on
# the same bytes: the deterministic side of `cargo bench --bench check -- import`. UTF-8 text
# only (the floor and scan decode the file's bytes as they are). Needs valgrind.
#
#   bash benches/import_instructions.sh [FILE] [ROUNDS]
#        (default tests/fixtures/texts/changzhi-city-2021-2025.txt, 10 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
file=${1:-tests/fixtures/texts/changzhi-city-2021-2025.txt}
rounds=${2:-10}
if ! command -v valgrind > /dev/null; then
  echo "valgrind is not installed (apt-get install valgrind); nothing measured" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
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
