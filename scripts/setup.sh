#!/usr/bin/env bash
# Installs the Debian 12 packages banensim needs, and only those missing.
# Safe to run again: with everything present it installs nothing.
set -euo pipefail

packages=(
  cmake ninja-build g++ git pkg-config
  libeigen3-dev libboost-program-options-dev libtbb-dev doctest-dev
  librandom123-dev libtomlplusplus-dev nlohmann-json3-dev libbenchmark-dev
  # `banensim serve`: the HTTP server library (header and libcpp-httplib.so, found by pkg-config)
  libcpp-httplib-dev
  python3
  # tests/apps/check_outputs.py (tests check_formats, check_outputs): schema validation, HTML report in headless Chromium
  python3-jsonschema chromium
  # the libFuzzer targets (fuzz/run.sh): clang++ and its fuzzer/sanitizer runtimes
  clang libclang-rt-14-dev
  # banensim-mpi and its tests (the ci preset builds it): OpenMPI
  libopenmpi-dev openmpi-bin
  # the Python module banensim (python/, docs/STUDIES.md) for /usr/bin/python3, its pytest suite,
  # NumPy for its arrays and pandas for DataFrames
  python3-dev pybind11-dev python3-pybind11 python3-numpy python3-pandas python3-pytest
)

# The browser test of `banensim serve` (tests/browser/) runs on Node.js with
# npm; a machine that has both already (e.g. from NodeSource, whose nodejs
# package brings its own npm and conflicts with Debian's) keeps them.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "setup: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
