#!/usr/bin/env bash
# The whole test suite, from a fresh clone or an existing build tree:
#   1. install missing Debian packages (scripts/setup.sh);
#   2. release build with -Werror, every test (slow ones included);
#   3. AddressSanitizer + UndefinedBehaviorSanitizer build, every fast test;
#   4. the libFuzzer targets for a bounded time (FUZZ_SECONDS, default 60 each).
# Stops at the first failure with a non-zero exit.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
cmake --preset ci
cmake --build --preset ci
ctest --preset ci
cmake --preset asan-ubsan
cmake --build --preset asan-ubsan
ctest --preset asan-ubsan
if [[ -x fuzz/run.sh ]]; then
  fuzz/run.sh "${FUZZ_SECONDS:-60}"
fi
