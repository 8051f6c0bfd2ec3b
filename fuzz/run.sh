#!/usr/bin/env bash
# Builds the libFuzzer harnesses and runs each for a bounded time.
#
#   fuzz/run.sh [SECONDS]      # default 60 seconds per fuzzer
#
# 1. configures and builds fuzz/ with clang++ into $FUZZ_BUILD_DIR (default
#    fuzz/build);
# 2. replays every file in fuzz/regressions/ through every fuzzer (past
#    crashes stay fixed);
# 3. runs each fuzzer for SECONDS seconds on a scratch copy of its seed corpus
#    ($FUZZ_BUILD_DIR/corpus/<fuzzer>/, kept between runs so they build on each
#    other; fuzz/corpus/ itself is never written), FUZZ_JOBS of them at a time
#    (default: the number of cores; each fuzzer uses one);
# 4. exits 1 when any fuzzer found a crash, leak, timeout or out-of-memory
#    (the input is saved under $FUZZ_BUILD_DIR/artifacts/<fuzzer>/), else 0.
#
# Environment: FUZZ_BUILD_DIR, FUZZ_JOBS, CXX (default clang++), UBSAN_OPTIONS/ASAN_OPTIONS.
set -euo pipefail
cd "$(dirname "$0")"
fuzz_dir="$PWD"

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [SECONDS]   (a positive whole number of seconds per fuzzer)" >&2
  exit 2
fi

jobs_max="${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}"
if ! [[ "$jobs_max" =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz/run.sh: FUZZ_JOBS=$jobs_max: expected a positive whole number of fuzzers to run at once" >&2
  exit 2
fi

build_dir="${FUZZ_BUILD_DIR:-$fuzz_dir/build}"
mkdir -p "$build_dir"
build_dir="$(cd "$build_dir" && pwd)"
cxx="${CXX:-clang++}"
if ! command -v "$cxx" >/dev/null; then
  echo "fuzz/run.sh: $cxx not found (the fuzzers need clang with libFuzzer: clang-14, libclang-rt-14-dev)" >&2
  exit 2
fi

# --- build ------------------------------------------------------------------
generator=()
if [[ ! -f "$build_dir/CMakeCache.txt" ]] && command -v ninja >/dev/null; then
  generator=(-G Ninja)
fi
echo "== fuzz: configure and build in $build_dir"
cmake -S "$fuzz_dir" -B "$build_dir" "${generator[@]}" -DCMAKE_CXX_COMPILER="$cxx" >/dev/null
cmake --build "$build_dir" --parallel "$(nproc 2>/dev/null || echo 2)"

# fuzzer name : seed corpus : dictionary
fuzzers=(
  "scenario_loader_fuzzer:corpus/scenario:toml.dict"
  "history_fuzzer:corpus/history:csv.dict"
  "journal_fuzzer:corpus/journal:journal.dict"
  "serve_request_fuzzer:corpus/serve:serve.dict"
)
common_flags=(-timeout=10 -rss_limit_mb=2048)
# Stack traces for UBSan findings too (ASan prints them anyway).
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=()

# Prints where libFuzzer saved the offending input(s), from its log.
report_artifacts() {
  local log="$1"
  grep -E "Test unit written to|^(SUMMARY|==[0-9]+==ERROR)|runtime error|FUZZ INVARIANT" "$log" | sed 's/^/    /' || true
}

# --- 1. regressions -----------------------------------------------------------
regressions=()
while IFS= read -r -d '' file; do regressions+=("$file"); done \
  < <(find "$fuzz_dir/regressions" -type f ! -name 'README*' ! -name '.*' -print0 2>/dev/null | sort -z)

if ((${#regressions[@]} > 0)); then
  for entry in "${fuzzers[@]}"; do
    IFS=: read -r name _ _ <<<"$entry"
    log="$build_dir/logs/$name-regressions.log"
    mkdir -p "$build_dir/logs" "$build_dir/artifacts/$name"
    echo "== fuzz: $name: replaying ${#regressions[@]} regression input(s) from fuzz/regressions/"
    if "$build_dir/$name" "${common_flags[@]}" -artifact_prefix="$build_dir/artifacts/$name/" \
         "${regressions[@]}" >"$log" 2>&1; then
      echo "   ok"
    else
      echo "   FAILED: a regression input crashes $name again (log: $log)"
      report_artifacts "$log"
      tail -n 40 "$log" | sed 's/^/    | /'
      failed+=("$name (regressions)")
    fi
  done
fi

# --- 2. time-bounded fuzzing --------------------------------------------------
# A libFuzzer process runs on one core, so up to FUZZ_JOBS of them (default:
# the number of cores) run at once, each for the full SECONDS: the fuzzing
# done per fuzzer is the same on any machine, only the wall time differs.
echo "== fuzz: ${#fuzzers[@]} fuzzers for ${seconds}s each, up to $jobs_max at a time"
declare -A running=()   # pid -> fuzzer, while it runs
declare -A status=()    # fuzzer -> exit status
# Waits for any one fuzzer to finish and keeps its exit status.
reap_one() {
  local pid="" st=0
  wait -n -p pid || st=$?
  status[${running[$pid]}]=$st
  unset "running[$pid]"
}
# Interrupted: stop the fuzzers still running too.
trap 'for pid in "${!running[@]}"; do kill "$pid" 2>/dev/null || true; done; exit 130' INT TERM
for entry in "${fuzzers[@]}"; do
  IFS=: read -r name seeds dict <<<"$entry"
  work="$build_dir/corpus/$name"
  artifacts="$build_dir/artifacts/$name"
  log="$build_dir/logs/$name.log"
  mkdir -p "$work" "$artifacts" "$build_dir/logs"
  cp -R "$fuzz_dir/$seeds/." "$work/"
  while ((${#running[@]} >= jobs_max)); do reap_one; done
  echo "== fuzz: $name started (corpus $work, log $log)"
  "$build_dir/$name" "${common_flags[@]}" -max_total_time="$seconds" -dict="$fuzz_dir/$dict" \
    -artifact_prefix="$artifacts/" -print_final_stats=1 "$work" >"$log" 2>&1 &
  running[$!]="$name"
done
while ((${#running[@]} > 0)); do reap_one; done

# The results in the fuzzers' order, whichever finished first.
for entry in "${fuzzers[@]}"; do
  IFS=: read -r name _ _ <<<"$entry"
  log="$build_dir/logs/$name.log"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  units=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -n 1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n 1 || true)
  echo "== fuzz: $name, ${seconds}s"
  echo "   runs: ${runs:-?}, exec/s: ${rate:-?}, new units: ${units:-?}, peak rss: ${rss:-?} MB, ${cov:-}"
  if ((status[$name] == 0)); then
    echo "   ok (exit 0)"
  else
    echo "   FAILED: $name exited with ${status[$name]}: a crash, leak, timeout or out-of-memory (log: $log)"
    report_artifacts "$log"
    echo "   reproduce: $build_dir/$name <saved input>"
    failed+=("$name")
  fi
done

if ((${#failed[@]} > 0)); then
  echo "== fuzz: FAILED: ${failed[*]}"
  echo "   To keep a crash as a regression case once understood, copy the input to fuzz/regressions/ (see fuzz/README.md)."
  exit 1
fi
echo "== fuzz: all fuzzers ran ${seconds}s each without a finding"
