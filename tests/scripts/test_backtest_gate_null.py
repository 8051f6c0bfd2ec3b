"""scripts/backtest_gate_null.py: its t quantiles against tabulated values, and
its coverage counting against the closed form where the walk's sd is known."""

import importlib.util
import math
import os
import sys

import numpy as np

ROOT = os.environ.get("BANENSIM_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
spec = importlib.util.spec_from_file_location("gate_null", os.path.join(ROOT, "scripts", "backtest_gate_null.py"))
gate_null = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gate_null)


def test_t_quantiles_match_tables():
    # Student t quantiles (e.g. Abramowitz & Stegun table 26.10), 6 digits.
    for p, nu, expected in [(0.75, 3, 0.764892), (0.95, 3, 2.353363), (0.75, 10, 0.699812),
                            (0.95, 10, 1.812461), (0.975, 5, 2.570582)]:
        assert abs(gate_null.t_quantile(p, nu) - expected) < 2e-6, (p, nu)


def test_coverage_is_exact_where_the_sd_is_known():
    # With a prior worth 10^7 increments at the true sd, the predictive is the
    # normal one with sd sigma sqrt(k + k^2/sum h), exact for a walk with
    # drift: each forecast covers with probability 0.5 and 0.9, so the pooled
    # mean coverage is 0.5 and 0.9 within a few standard errors (the
    # replications are independent; each pooled coverage has sd <= 0.5).
    years = [2012] + list(range(2015, 2024))
    reps = 20_000
    n, c50, c90 = gate_null.simulate(years, list(range(2016, 2023)), 1000.0, 500.0, 1000.0, 10**7, reps, 3)
    assert n == 28
    for counts, p in [(c50, 0.5), (c90, 0.9)]:
        f = counts / n
        assert abs(f.mean() - p) < 4 * f.std() / math.sqrt(reps), (p, f.mean())


def test_a_misspecified_forecaster_is_caught():
    # The same counting on forecasts whose prior claims half the true sd (and
    # weighs 10^7 increments): the intervals are too narrow and the mean 50%
    # coverage falls well below 0.5 -- the test above could fail.
    years = [2012] + list(range(2015, 2024))
    n, c50, _ = gate_null.simulate(years, list(range(2016, 2023)), 1000.0, 500.0, 500.0, 10**7, 5_000, 3)
    assert (c50 / n).mean() < 0.35
