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


def test_coverage_of_given_histories_by_hand():
    # One origin (2016) on the calendar 2012 (baseline), 2015, 2016, 2017, worked
    # by hand: increments 3000 over 3 years and 500 over 1, drift 3500/4 = 875,
    # SS = 375^2/3 + 375^2 = 187,500, nu = 2 - 1 + 2 = 3, s^2 = (187,500 + 2 * 1000^2) / 3,
    # scale one year ahead sqrt(s^2 (1 + 1/4)) = 954.7; t_3 quantiles 0.7649 (75%)
    # and 2.3534 (95%). Forecast of 2017: 3500 + 875 = 4375.
    years = [2012, 2015, 2016, 2017]
    histories = [[0, 3000, 3500, 5000],   # z = 625 / 954.7 = 0.65: inside both
                 [0, 3000, 3500, 5375],   # z = 1.05: outside 50%, inside 90%
                 [0, 3000, 3500, 2000]]   # z = 2375 / 954.7 = 2.49: outside both
    n, c50, c90, per = gate_null.coverage(years, histories, [2016], 1000.0, 2)
    assert n == 1
    assert list(c50) == [1, 0, 0]
    assert list(c90) == [1, 1, 0]
    assert [o for o, _, _ in per] == [2016] and list(per[0][1]) == [1, 0, 0] and per[0][2] == 1


def test_the_observed_history_is_read_by_column():
    years, values = gate_null.read_history(os.path.join(ROOT, "data", "monitor-history.csv"), "government_counted")
    assert years[0] == 2015 and len(years) == len(values)
    assert gate_null.read_history(os.path.join(ROOT, "data", "monitor-history.csv")) == years
