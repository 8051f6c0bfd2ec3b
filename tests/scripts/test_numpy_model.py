"""docs/MODEL.md against the program: bench/numpy_model.py, written from the
page alone, must give banensim's outputs within Monte Carlo error (every
output within 4 combined standard errors, at 200,000 paths a side, fixed
seeds) -- and must notice when the program computes something else."""

import os
import subprocess
import sys
import tempfile

import pytest

ROOT = os.environ.get("BANENSIM_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("BANENSIM_BIN", os.path.join(ROOT, "build", "release", "apps", "banensim"))
PATHS = "200000"


def compare(scenario, *banensim_settings):
    """numpy_model.py's exit status and last lines against `banensim run` with the settings."""
    with tempfile.TemporaryDirectory() as tmp:
        result = os.path.join(tmp, "banensim.json")
        with open(result, "w", encoding="utf-8") as out:
            subprocess.run([BIN, "run", scenario, "--paths", PATHS, "--format", "json", *banensim_settings],
                           cwd=ROOT, check=True, stdout=out)
        run = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "numpy_model.py"), scenario,
                              "--banensim", BIN, "--paths", PATHS, "--seed", "1", "--quiet", "--compare", result],
                             cwd=ROOT, capture_output=True, text=True)
        return run.returncode, "\n".join(run.stdout.splitlines()[-2:]) + run.stderr


@pytest.mark.parametrize("scenario", ["scenarios/status-quo.toml", "scenarios/all-three.toml",
                                      "scenarios/2018/status-quo.toml"])
def test_the_page_gives_the_programs_numbers(scenario):
    code, tail = compare(scenario)
    assert code == 0, tail


def test_a_program_that_computes_something_else_is_caught():
    # banensim with a market trend 500 jobs/year higher than the page's
    # re-implementation reads: the comparison must fail.
    code, tail = compare("scenarios/status-quo.toml", "--set", "growth.market.trend_mean=9440.3")
    assert code == 1, tail
    assert " not;" in tail and ", 0 not;" not in tail
