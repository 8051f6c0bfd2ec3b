#!/usr/bin/env python3
"""How often does a perfectly calibrated forecaster pass issue 15's backtest gate?

The rolling backtest (docs/BACKTEST_AND_SWEEPS.md §2) pools 28 forecasts per
series from the origins 2016-2022; they overlap (one year is scored from up to
seven origins) and share the few increments each origin is fitted on, so their
coverage is far less certain than 28 independent checks would be. This script
measures that sampling spread where the answer is known: histories drawn from
a Gaussian random walk with drift on the monitor's calendar (0 at the 2012
baseline, then the observed years of the history file), and at every origin the
exact Bayesian predictive of that walk -- the calibration of docs/MODEL.md §7
with its conjugate prior (nu0 increments of sd s0): the drift's weighted mean,
sigma^2 = (SS + nu0 s0^2) / (n - 1 + nu0), and for year o + k a Student t with
n - 1 + nu0 degrees of freedom and scale sigma sqrt(k + k^2 / sum h). The
forecaster's model is then the true one, up to its prior's pull on the sd (the
mean coverage stays within about 0.01 of the nominal); the script counts how
often the pooled 50% and 90% coverage of such forecasts lands inside the gate
(50% in [0.35, 0.75], 90% >= 0.85) and how often the 50% coverage reaches the
count the shipped model got. Last, it applies the same predictive to the
observed history itself (one history, no simulation): what such a forecaster
would have covered of what happened, beside the model's count.

It leaves out what the banenafspraak model adds to a random walk (the supply
limit, the cycle, hired-in jobs, the quotas), so it measures the gate, not the
model. Only numpy; deterministic (fixed seed).

    /usr/bin/python3 scripts/backtest_gate_null.py [--history data/monitor-history.csv] [--rolling 2016:2022]
"""

import argparse
import csv
import math

import numpy as np

BASELINE = 2012


def t_quantile(p, nu):
    """The p-quantile of Student's t with nu degrees of freedom (p > 1/2), by
    bisection on its CDF integrated numerically (error far below 1e-6)."""
    log_c = math.lgamma((nu + 1) / 2) - math.lgamma(nu / 2) - 0.5 * math.log(nu * math.pi)

    def cdf(x):
        grid = np.linspace(0.0, x, 20001)
        density = np.exp(log_c - (nu + 1) / 2 * np.log1p(grid * grid / nu))
        return 0.5 + float(np.sum((density[1:] + density[:-1]) * 0.5 * np.diff(grid)))

    lo, hi = 0.0, 50.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if cdf(mid) < p else (lo, mid)
    return 0.5 * (lo + hi)


def read_history(path, column=None):
    """The history file's years, and with ``column`` its values in that column."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    years = [int(row["year"]) for row in rows]
    return years if column is None else (years, [float(row[column]) for row in rows])


def simulate(years, origins, sigma, drift, prior_sd, prior_df, replications, seed):
    """Coverage counts (50%, 90%) of every replication, and the number of forecasts each pools."""
    rng = np.random.default_rng(seed)
    h = np.diff(np.array(years, dtype=float))
    increments = drift * h + sigma * np.sqrt(h) * rng.standard_normal((replications, len(h)))
    values = np.concatenate([np.zeros((replications, 1)), np.cumsum(increments, axis=1)], axis=1)
    forecasts, inside50, inside90, _ = coverage(years, values, origins, prior_sd, prior_df)
    return forecasts, inside50, inside90


def coverage(years, values, origins, prior_sd, prior_df):
    """The exact Bayesian predictive's coverage of histories ``values`` (a row per
    history, a column per year of ``years``, 0 at the baseline): the number of
    forecasts, the 50% and 90% counts per history, and per origin the 50% count
    and the number of forecasts (per history)."""
    values = np.asarray(values, dtype=float)
    h = np.diff(np.array(years, dtype=float))
    increments = np.diff(values, axis=1)
    replications = values.shape[0]
    inside50 = np.zeros(replications, dtype=int)
    inside90 = np.zeros(replications, dtype=int)
    per_origin = []
    forecasts = 0
    for o in origins:
        i_o = years.index(o)
        d, hh = increments[:, :i_o], h[:i_o]
        mean = d.sum(axis=1) / hh.sum()
        ss = (((d - mean[:, None] * hh) ** 2) / hh).sum(axis=1)
        nu = i_o - 1 + prior_df
        s2 = (ss + prior_df * prior_sd**2) / nu
        q50, q90 = t_quantile(0.75, nu), t_quantile(0.95, nu)
        here50 = np.zeros(replications, dtype=int)
        for y in years[i_o + 1 :]:
            k = y - o
            z = np.abs(values[:, years.index(y)] - values[:, i_o] - k * mean) / np.sqrt(s2 * (k + k * k / hh.sum()))
            here50 += z <= q50
            inside90 += z <= q90
            forecasts += 1
        inside50 += here50
        per_origin.append((o, here50, len(years) - i_o - 1))
    return forecasts, inside50, inside90, per_origin


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--history", default="data/monitor-history.csv")
    ap.add_argument("--rolling", default="2016:2022", help="FROM:TO, the origins")
    ap.add_argument("--replications", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    first, last = (int(x) for x in args.rolling.split(":"))
    years = [BASELINE] + read_history(args.history)
    origins = [o for o in range(first, last + 1) if o in years and o != years[-1]]

    # (series, shock sd of the walk, drift, prior sd, history column): the
    # calibrated sector sds and trends on the shipped data (docs/MODEL.md §7)
    # and the priors of scenarios/base.toml; the observed 50% count of the
    # shipped model.
    cases = [
        ("market", 4178.0, 8940.0, 4000.0, 12, "market_counted"),
        ("government", 1751.0, 1595.0, 1500.0, 22, "government_counted"),
    ]
    print(f"origins {origins[0]}-{origins[-1]}, years {years[1]}-{years[-1]}, prior_df 2, "
          f"{args.replications} replications, seed {args.seed}")
    print("series      forecasts  50%: mean   sd  P(in [0.35,0.75])  P(>= observed)   "
          "90%: mean  P(>= 0.85)  P(whole gate)")
    for name, sigma, drift, prior_sd, observed, _ in cases:
        n, c50, c90 = simulate(years, origins, sigma, drift, prior_sd, 2, args.replications, args.seed)
        f50, f90 = c50 / n, c90 / n
        in50 = (f50 >= 0.35) & (f50 <= 0.75)
        ok90 = f90 >= 0.85
        tail = (c50 >= observed).mean() if observed * 2 >= n else (c50 <= observed).mean()
        sign = ">=" if observed * 2 >= n else "<="
        print(f"{name:<11} {n:>9}  {f50.mean():9.3f} {f50.std():5.3f}  {in50.mean():17.3f}  "
              f"P({sign} {observed}/{n}) {tail:.3f}  {f90.mean():9.3f}  {ok90.mean():10.3f}  {(in50 & ok90).mean():13.3f}")

    # The same exact predictive on the observed history itself: what a random
    # walk with drift under the calibration's prior covers of what happened,
    # beside the shipped model's count (docs/BACKTEST_AND_SWEEPS.md §2).
    print("\nThe exact predictive of that walk on the observed history (no simulation):")
    print("series      forecasts  50%       90%       50% per origin (covered/forecasts)")
    for name, _, _, prior_sd, _, column in cases:
        obs_years, values = read_history(args.history, column)
        n, c50, c90, per = coverage([BASELINE] + obs_years, [[0.0] + values], origins, prior_sd, 2)
        per_text = " ".join(f"{o} {int(c[0])}/{k}" for o, c, k in per)
        print(f"{name:<11} {n:>9}  {int(c50[0]):>2}/{n:<6} {int(c90[0]):>2}/{n:<6} {per_text}")


if __name__ == "__main__":
    main()
