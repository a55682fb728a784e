#!/usr/bin/env bash
# Whole-process benchmarks: planlint over a generated corpus against merely reading and parsing
# the same files with the `toml` crate (examples/toml_floor.rs), on 1 core and on all cores, with
# peak memory; the JSON goes to a file, as a bulk run's would. Needs hyperfine (1.15 or later)
# and GNU time. Figures go to docs/BENCHMARKS.md.
#
#   bash benches/bulk.sh [COUNT]      (default 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10000}
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cargo build --release --quiet --bin planlint --example corpus --example toml_floor
./target/release/examples/corpus "$count" "$corpus/plans" 2021
for threads in 1 "$(nproc)"; do
  echo "== $count plans, RAYON_NUM_THREADS=$threads"
  RAYON_NUM_THREADS=$threads hyperfine --warmup 1 --runs 5 -N \
    "./target/release/examples/toml_floor $corpus/plans" \
    "./target/release/planlint check --format json $corpus/plans" \
    --output "$corpus/out.json" \
    --export-markdown "$corpus/bulk-$threads.md" --ignore-failure > /dev/null
  cat "$corpus/bulk-$threads.md"
done
echo "== peak memory (max RSS)"
/usr/bin/time -f "toml floor: %M KB" ./target/release/examples/toml_floor "$corpus/plans" > /dev/null
/usr/bin/time -f "planlint:   %M KB" ./target/release/planlint check --format json "$corpus/plans" > /dev/null || true
echo "== one-file check, whole process (start-up with the embedded packs)"
hyperfine --warmup 3 --runs 30 -N --ignore-failure \
  "./target/release/planlint check tests/fixtures/plans/changzhi-city-2021-2025.plan.toml" \
  "./target/release/planlint rules" \
  --export-markdown "$corpus/startup.md" > /dev/null
cat "$corpus/startup.md"
echo "== one plan at 1x, 10x, 100x size: time and peak memory"
for growth in 1 10 100; do
  ./target/release/examples/corpus 1 "$corpus/size-$growth" 7 "$growth" 2>/dev/null
  file=$(find "$corpus/size-$growth" -name '*.plan.toml')
  size=$(stat -c %s "$file")
  /usr/bin/time -f "growth ${growth}x: $size bytes, %e s, %M KB" ./target/release/planlint check --format json "$file" > /dev/null || true
done
