#!/bin/sh
# The issue-17 figure: the five shipped scenarios compared across 256
# assumption sets x 20,000 paths (banensim compare --assumptions), timed as a
# user would run it. Not a test: run it by hand on a quiet machine and put the
# figure, the machine and the date in bench/README.md.
#
#   bench/compare_assumptions.sh [BANENSIM] [THREADS]
set -eu
B=${1:-./build/release/apps/banensim}
T=${2:-0}
cd "$(dirname "$0")/.."
threads=""
[ "$T" != 0 ] && threads="--threads $T"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "program: $($B --version)"
# /usr/bin/time: wall, and the CPU time, which a busy machine inflates far less.
# shellcheck disable=SC2086
/usr/bin/time -f "256 sets x 20,000 paths x 5 scenarios (+ the central compare): %e s wall, %U s user, %S s system CPU" \
  $B compare scenarios/status-quo.toml scenarios/keep-split.toml scenarios/purchase-at-buyer.toml \
  scenarios/exclude-security.toml scenarios/all-three.toml --assumptions 256 --paths 20000 $threads \
  --rows "$out/rows.csv" --format csv --out "$out/summary.csv"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
