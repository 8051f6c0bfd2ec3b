#!/usr/bin/python3
"""Regression check: the shipped scenarios give the same numbers, bit for bit.

  check_regression.py BANENSIM SOURCE_DIR            compare with tests/data/regression/
  check_regression.py BANENSIM SOURCE_DIR --update   rewrite tests/data/regression/

A refactoring must not move any output; a change of the model or of its
parameters moves them on purpose: run with --update and say why in the
commit. What is compared (provenance -- commit, timings, threads -- is left
out, everything else is kept):

- `compare` of the five shipped scenarios, 4,096 paths, as JSON: its SHA-256
  (every double in full), and as CSV verbatim (readable when it differs);
- each scenario's resolved hash (`explain`: every parameter value);
- `calibrate --out` verbatim;
- a Morris design of `sensitivity` (2 trajectories, 200 paths): its factor
  lines (the uncertain parameters, their order and ranges) verbatim, and the
  SHA-256 of its rows.
"""
import difflib
import hashlib
import json
import os
import subprocess
import sys
import tempfile

banensim, source = sys.argv[1:3]
update = "--update" in sys.argv[3:]
expected_dir = os.path.join(source, "tests", "data", "regression")
scenarios = [f"scenarios/{s}.toml" for s in
             ("status-quo", "keep-split", "purchase-at-buyer", "exclude-security", "all-three")]


def run(*args):
    r = subprocess.run([banensim, *args], cwd=source, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"banensim {' '.join(args)} failed ({r.returncode}):\n{r.stderr}")
    return r.stdout


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


outputs = {}
doc = json.loads(run("compare", *scenarios, "--paths", "4096", "--format", "json"))
doc.pop("provenance")
outputs["compare.sha256"] = sha256(json.dumps(doc, sort_keys=True)) + "\n"
outputs["compare.csv"] = run("compare", *scenarios, "--paths", "4096", "--format", "csv")
hashes = ""
for s in scenarios:
    first = run("explain", s).splitlines()[0]
    hashes += s + " " + first.rsplit("hash ", 1)[1] + "\n"
outputs["resolved-hashes.txt"] = hashes
with tempfile.TemporaryDirectory() as tmp:
    run("calibrate", "--out", os.path.join(tmp, "calibrated.toml"))
    with open(os.path.join(tmp, "calibrated.toml")) as f:
        outputs["calibrated.toml"] = f.read()
    design = os.path.join(tmp, "morris.csv")
    run("sensitivity", "scenarios/status-quo.toml", "--method", "morris", "--samples", "2", "--paths", "200",
        "--out", design)
    with open(design) as f:
        lines = f.read().splitlines(keepends=True)
    outputs["morris-factors.txt"] = "".join(l for l in lines if l.startswith("# factor "))
    # The last column ("check") hashes the row with the file's header, which
    # names the program's commit; the rows' numbers are what must not move.
    rows = [l.rstrip("\n").rsplit(",", 1)[0] + "\n" for l in lines if not l.startswith("#")]
    outputs["morris-rows.sha256"] = sha256("".join(rows)) + "\n"

if update:
    os.makedirs(expected_dir, exist_ok=True)
    for name, text in outputs.items():
        with open(os.path.join(expected_dir, name), "w") as f:
            f.write(text)
    print(f"wrote {len(outputs)} files to {expected_dir}")
    sys.exit(0)

failures = 0
for name, text in outputs.items():
    path = os.path.join(expected_dir, name)
    with open(path) as f:
        expected = f.read()
    if text == expected:
        print(f"ok   {name}")
        continue
    failures += 1
    print(f"FAIL {name} differs from {path}:")
    sys.stdout.writelines(difflib.unified_diff(expected.splitlines(keepends=True), text.splitlines(keepends=True),
                                               "expected", "now", n=1))
if failures:
    sys.exit(f"{failures} output(s) changed; if the change is meant, run "
             f"tests/apps/check_regression.py BANENSIM SOURCE_DIR --update and say why in the commit")
