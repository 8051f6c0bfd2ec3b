#!/usr/bin/python3
"""The install tree works on its own.

  check_install.py CMAKE BUILD_DIR BANENSIM SOURCE_DIR [PYTHON_DIR]

Installs BUILD_DIR (`cmake --install BUILD_DIR --prefix P`) into a scratch
prefix P, then checks, from P's share/banensim/ and never from the source
tree:

- the program, scenarios (today's and 2018's), their data files with
  SOURCES.md, and the example study are where docs say;
- `P/bin/banensim validate` accepts every installed scenario;
- `P/bin/banensim compare` of the five shipped scenarios and `backtest`
  give the build's numbers bit for bit (the JSON without its provenance,
  which names the files and the time);
- with PYTHON_DIR (the package's directory under the prefix; empty when the
  module is not built): Debian's python3 imports banensim from
  P/PYTHON_DIR, not from elsewhere, and its `run` gives the program's
  numbers.
"""
import json
import os
import subprocess
import sys
import tempfile

cmake, build_dir, banensim, source = sys.argv[1:5]
python_dir = sys.argv[5] if len(sys.argv) > 5 else ""
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def run(args, cwd, env=None):
    r = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)} (in {cwd}) failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r.stdout


def numbers(text):
    """The JSON's results: everything but the provenance (files, commit, time)."""
    d = json.loads(text)
    d.pop("provenance", None)
    return d


scenarios = [f"scenarios/{s}.toml" for s in
             ("status-quo", "keep-split", "purchase-at-buyer", "exclude-security", "all-three")]

with tempfile.TemporaryDirectory(prefix="banensim-install-") as prefix:
    run([cmake, "--install", build_dir, "--prefix", prefix], cwd=source)
    program = os.path.join(prefix, "bin", "banensim")
    share = os.path.join(prefix, "share", "banensim")
    check(os.access(program, os.X_OK), "bin/banensim is installed and executable")
    for rel in ("scenarios/base.toml", "scenarios/2018/status-quo.toml", "data/monitor-history.csv",
                "data/law.csv", "data/SOURCES.md", "studies/example.toml", "studies/example-points.csv", *scenarios):
        check(os.path.isfile(os.path.join(share, rel)), f"share/banensim/{rel} is installed")

    # Every installed scenario validates from the installed tree.
    installed = sorted(os.path.relpath(os.path.join(d, f), share)
                       for d, _, files in os.walk(os.path.join(share, "scenarios")) for f in files)
    out = run([program, "validate", *installed], cwd=share)
    check(len(installed) >= 12, f"{len(installed)} scenarios installed (today's and 2018's)")
    check(out.count(": ok\n") == len(installed), "validate accepts every installed scenario")

    # The same numbers as the build, from the installed scenarios and data.
    args = ["compare", *scenarios, "--paths", "4000", "--format", "json"]
    check(numbers(run([program, *args], cwd=share)) == numbers(run([banensim, *args], cwd=source)),
          "compare of the five scenarios: the installed program on the installed files gives the build's numbers")
    args = ["backtest", "scenarios/status-quo.toml", "--rolling", "2021:2022", "--paths", "4000", "--format", "json"]
    check(numbers(run([program, *args], cwd=share)) == numbers(run([banensim, *args], cwd=source)),
          "backtest: the installed program on the installed history gives the build's numbers")

    if python_dir:
        package = os.path.join(prefix, python_dir)
        env = dict(os.environ, PYTHONPATH=package)
        script = ("import banensim, json; r = banensim.run('scenarios/status-quo.toml', paths=4000); "
                  "print(json.dumps({'file': banensim.__file__, 'p': r['scenarios'][0]['probability']}))")
        got = json.loads(run(["/usr/bin/python3", "-c", script], cwd=share, env=env))
        check(got["file"].startswith(package + os.sep), f"python3 imports banensim from the prefix ({got['file']})")
        cli = json.loads(run([program, "run", "scenarios/status-quo.toml", "--paths", "4000", "--format", "json"],
                             cwd=share))
        check(got["p"] == cli["scenarios"][0]["probability"],
              f"banensim.run from the installed package gives the program's P(reach) ({got['p']})")
    else:
        print("(the Python module is not built: its installation is not checked)")

if failures:
    sys.exit(f"{len(failures)} install check(s) failed")
print("install tree: all checks passed")
