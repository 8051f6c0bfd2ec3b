#!/usr/bin/python3
"""Independent, vectorised NumPy implementation of docs/MODEL.md (model v2).

What it is
    A re-implementation of the banenafspraak model written from docs/MODEL.md
    alone (sections 3, 4.1-4.13, 5, 9 and 10), not translated from
    models/*.cpp. It serves two purposes:
      (a) a check of the page: its numbers should agree with `banensim run`
          within Monte Carlo error;
      (b) the NumPy speed reference of issue 19 for the model banensim runs
          today (origin end 2023, years 2024-2035).

How it works
    Arrays over paths (float64), a Python loop over the years, NumPy's
    default_rng (PCG64) normals and uniforms. Paths are processed in blocks
    (default 100,000), so memory stays flat in the number of paths. Every
    draw the page lists is made on every path whether or not it is used:
    nu_R + nu_I normals for the chi-square scale draws (sum of nu squared
    normals), 7 normals + 3 uniforms once per path (banenafspraak.path draws
    0-6, 8-10) and 7 normals + 3 uniforms per path and year
    (banenafspraak.year draws 0-6, 8-10). Per-year series are summarised like
    banensim: exact sums (mean, sd, std_error), exact min/max, and a
    fixed-width histogram per series and year (np.bincount; bins and the
    range-doubling rule of docs/OUTPUT.md "Quantiles"), quantiles linearly
    interpolated within a bin and clipped to min/max. first_year_reached is
    tallied per year (np.bincount).

How to run (Debian's python3 with numpy; nothing else)
    /usr/bin/python3 bench/numpy_model.py scenarios/status-quo.toml \
        --banensim build/release/apps/banensim --paths 1000000 --seed 1 \
        [--json out.json] [--block 100000]
    or with a saved `banensim explain SCENARIO` output:
    /usr/bin/python3 bench/numpy_model.py --explain-file explain.txt ...
    The parameters are the fully resolved ones `banensim explain` prints
    (key = value lines), data files as named there.
    For the speed figure run it under
        OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 taskset -c 0
    and give --explain-file so banensim is not run inside the timing (the
    script reports its own wall time, start to end, too).
    Data file names in the explain output are relative to the directory
    banensim explain ran in: run this script from the same directory (the
    repository root in the examples).

Comparison with banensim
    Compare with banensim (any number of paths on each side):
    build/release/apps/banensim run scenarios/status-quo.toml --paths 1000000 \
        --format json > bs.json
    /usr/bin/python3 bench/numpy_model.py scenarios/status-quo.toml \
        --paths 1000000 --compare bs.json
    prints one row per output (indicators, P(reached by Y), P(first year = Y),
    mean charge, and per series and year the mean, sd, p05, p50, p95): both
    values, the difference, the combined Monte Carlo standard error and z.
    Standard errors: probabilities sqrt(p(1-p)/n) per side; means their
    std_error; an sd sd*sqrt((kurtosis-1)/(4n)) with the kurtosis this script
    measures on its first block; a quantile sqrt(p(1-p)/n)/f with f the
    normal density of the series' sd (approximate), and a quantile may differ
    by one histogram bin more (resolution). --compare also takes another
    --json output of this script (a numpy-vs-numpy check of the z's).

STATUS (2026-11-30)
    Implemented: origin (parameter uncertainty with the chi-square scale
    draws, hired-in bridge, true key, split of counts, quota replay of the
    observed years with the law and the decisions, undecided activation per
    path; the baseline origin 2012); the year step 4.1-4.13 with levers 1
    (abolish/keep split), 2 (purchase at buyer) and 3 (exclude security),
    the levy (G with employer dispersion; erf by Abramowitz-Stegun 7.1.26,
    error <= 1.5e-7) and the surcharge; the outputs of section 5: the five
    indicators, P(reached by Y) and the first-year distribution (including
    an observed first year), per-year mean/sd/p05/p50/p95 of total, market,
    government, quota_charge_total_eur (mean, quantiles).
    Agreement with banensim 0.1.0 (commit 7401b0e), 10^6 paths on both
    sides: every compared output (210-397 per run) within 4 combined
    standard errors for the five shipped 2023-origin scenarios, the five
    2018 scenarios, origins 2012, 2016, 2017, 2019 and 2022, --target 50000
    (an observed first year), --target-year 2030 (status quo and keep split),
    no deactivation with activation probability 1 and dispersion 0, a
    singular correlation matrix, and no scale draws (dof 0); with another
    numpy seed also abolish split from 2025, keep split from 2027, the 2018
    law from origin 2023 (levy charged), floor 0, working share 0.4, trend
    sds 0, horizon 2026, persistence 0.99. Pooled over 80 seeds x 10^6
    paths a side (status quo), P(reach) 0.025843 vs 0.025832 (+/- 0.000028),
    means within 1-3 jobs (s.e. 0.4-2.6) and sds within 0.04% (largest
    |z| 2.9 among 72 correlated year cells; seeds 1-40 alone showed the
    market sd of 2029-31 0.05% low at z -3 to -4, seeds 41-80 did not).
    Rechecked 2026-12-02 (banensim commit 8acc520, 200,000 paths a side,
    some at 10^6): every output within 4 combined standard errors for all
    ten shipped scenarios and 52 --set variations (levy/bonus doubled,
    cycle sd 0, working share 0.5 and 0.01, origins 2015-2023, the 2018 law
    from 2023, law files with a mid-course regime, a charged national levy, a
    charged sector surcharge and a lag change, extreme quota responses with
    lever 3's base share 0.95, security share 0 and 1, singular R, ...).
    --set KEY=VALUE (repeatable) passes the settings to `banensim explain`.
    No gap in docs/MODEL.md changed a number; the points where the page
    needed a judgement are under PAGE NOTES below.
    Not implemented: paired differences between scenarios (no common random
    numbers with banensim's streams: a different generator), --precision,
    the pivoted LDL^T factor (a symmetric eigen square root with the same
    F F^T = R replaces it when R is not positive definite: same
    distribution), the quantiles p25/p75, histogram min/max reporting of
    first_year_reached quantiles. No input checks beyond Python's own errors:
    give it what banensim explain accepted.

PAGE NOTES (docs/MODEL.md as of commit 7401b0e; judgement calls made while
implementing from the page, each confirmed by agreement with banensim)
    - section 3, origin 2012: "At the baseline every count is 0 ...
      Otherwise, ..." leaves open which of the following paragraphs apply
      at the baseline. Taken: the parameter uncertainty, kappa_0 =
      clamp(k^(2012) + sd z) and C = sigma_C z are drawn as at any origin;
      only the split of counts is replaced by zeros (agrees at origin 2012).
    - section 3 replay: "Missed, and neither active nor pending" does not
      say "nor undecided"; immaterial (a quota becomes undecided only for
      the miss at t0).
    - section 4.1 reset: the page now says a reset sets the last shortfall
      to 0 (sections 3 and 4.1); done here since 2026-12-02 (it was left
      alone before: immaterial, a quota is active again only after a
      measurement, which sets it).
    - section 5 / docs/OUTPUT.md: "linearly interpolated within a bin" does
      not give the rank convention (p N is used here); differences stay
      within one bin.
"""

import argparse
import csv
import json
import math
import os
import subprocess
import sys
import time

import numpy as np

NONE_YEAR = 1 << 30  # "nothing pending"


# --------------------------------------------------------------------------
# input


def parse_explain(text):
    params = {}
    for line in text.splitlines():
        if "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip()
        if not key or " " in key:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
            value = value[1:-1]
        params[key] = value
    return params


class P:
    """Typed access to the resolved parameters."""

    def __init__(self, d, base_dir):
        self.d = d
        self.base_dir = base_dir

    def f(self, k):
        return float(self.d[k])

    def i(self, k):
        return int(float(self.d[k]))

    def b(self, k):
        v = self.d[k].lower()
        if v in ("true", "1", "yes"):
            return True
        if v in ("false", "0", "no"):
            return False
        raise ValueError(f"{k}: not a bool: {v}")

    def path(self, k):
        v = self.d[k]
        return v if os.path.isabs(v) else os.path.join(self.base_dir, v)


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = [r for r in csv.DictReader(fh)]
    return [r for r in rows if any((v or "").strip() for v in r.values())]


def measurement_time(date):
    y, m, _ = (int(s) for s in date.split("-"))
    return y + m / 12.0 - 1.0


class Data:
    def __init__(self, p):
        self.history = {}
        for r in read_csv(p.path("history.file")):
            self.history[int(r["year"])] = (float(r["market_counted"]), float(r["government_counted"]))
        self.targets = {}
        for r in read_csv(p.path("targets.file")):
            self.targets[int(r["year"])] = (float(r["market"]), float(r["government"]))
        self.t_first = min(self.targets)
        self.t_last = max(self.targets)
        self.trend = []
        for r in read_csv(p.path("history.trend_file")):
            x = measurement_time(r["period_end"])
            inl = r.get("inleen_extra", "").strip()
            reg = r.get("register_persons", "").strip()
            self.trend.append((x, float(inl) if inl else None, float(reg) if reg else None))
        self.keys = [(int(r["sample_year"]), float(r["government_share"]))
                     for r in read_csv(p.path("inleen.key_samples_file"))]
        self.law = []
        for r in read_csv(p.path("law.file")):
            self.law.append((int(r["from_year"]), r["regime"].strip(), r["targets"].strip(),
                             r["instrument"].strip(), int(r["charged"]), int(r["activation_lag_years"])))
        self.law.sort()
        self.decisions = {}
        for r in read_csv(p.path("quota.decisions_file")):
            self.decisions[(r["quota"].strip(), int(r["missed_year"]))] = (
                int(r["decided_year"]), int(r["effective_year"]))

    def target(self, y):
        if y < self.t_first:
            return 0.0, 0.0
        return self.targets[min(y, self.t_last)]

    def law_row(self, y):
        row = self.law[0]
        for r in self.law:
            if r[0] <= y:
                row = r
        return row


# --------------------------------------------------------------------------
# histograms as in docs/OUTPUT.md "Quantiles"


class Hist:
    def __init__(self, lo, hi, width):
        self.c = 0.5 * (lo + hi)
        self.half = 0.5 * (hi - lo)
        self.w = width
        self.n = int(round((hi - lo) / width))
        self.counts = np.zeros(self.n, dtype=np.int64)
        self.mn = math.inf
        self.mx = -math.inf

    def lo(self):
        return self.c - self.half

    def add(self, v):
        vmin = float(v.min())
        vmax = float(v.max())
        self.mn = min(self.mn, vmin)
        self.mx = max(self.mx, vmax)
        while vmin < self.c - self.half or vmax >= self.c + self.half:
            # double about the centre, bins twice as wide
            new = np.zeros(self.n, dtype=np.int64)
            q = self.n // 4
            np.add.at(new, q + np.arange(self.n) // 2, self.counts)
            self.counts = new
            self.half *= 2
            self.w *= 2
        idx = ((v - self.lo()) / self.w).astype(np.int64)
        np.clip(idx, 0, self.n - 1, out=idx)
        self.counts += np.bincount(idx, minlength=self.n)

    def quantile(self, p):
        tot = self.counts.sum()
        if tot == 0:
            return None
        cum = np.cumsum(self.counts)
        target = p * tot
        b = int(np.searchsorted(cum, target, side="left"))
        b = min(b, self.n - 1)
        before = cum[b - 1] if b > 0 else 0
        cnt = self.counts[b]
        frac = (target - before) / cnt if cnt > 0 else 0.0
        val = self.lo() + self.w * (b + frac)
        return float(min(max(val, self.mn), self.mx))


class Moments:
    def __init__(self):
        self.n = 0
        self.s = 0.0
        self.ss = 0.0

    kurt = None

    def add(self, v):
        if self.kurt is None and v.size > 1:
            c = v - v.mean()
            c2 = c * c
            var = c2.mean()
            self.kurt = float((c2 * c2).mean() / (var * var)) if var > 0 else 3.0
        # shifted sums would be more robust; the values here are O(1e5) and
        # the counts O(1e6): double precision keeps ~1e-3 relative on the sd
        self.n += v.size
        self.s += float(v.sum())
        self.ss += float(np.dot(v, v))

    def mean(self):
        return self.s / self.n

    def sd(self):
        m = self.mean()
        return math.sqrt(max(0.0, (self.ss - self.n * m * m) / (self.n - 1)))


# --------------------------------------------------------------------------
# the model


class Model:
    QUOTAS = ("market", "government", "national")

    def __init__(self, p, data):
        self.p = p
        self.data = data
        hist_years = sorted(data.history)
        oy = p.i("history.origin_year")
        self.t0 = oy if oy != 0 else hist_years[-1]
        self.T = p.i("target.year")
        self.H = max(self.T, p.i("target.horizon_year"))
        self.years = list(range(self.t0 + 1, self.H + 1))
        self.tot_target = p.f("target.total_jobs")

        # key extrapolation (section 3)
        drift = p.f("inleen.key_drift_per_year")
        ks = [k for k in data.keys if k[0] <= self.t0] or [data.keys[0]]

        def khat(y):
            if y <= ks[0][0]:
                return ks[0][1]
            for (ya, ka), (yb, kb) in zip(ks, ks[1:]):
                if ya <= y <= yb:
                    return ka + (kb - ka) * (y - ya) / (yb - ya)
            yl, kl = ks[-1]
            return kl + drift * (y - yl)

        self.khat0 = khat(self.t0)

        # register observations known at t0 (section 4.4)
        regs = [(2012.0, p.f("supply.register_at_baseline"))]
        regs += [(x, r) for (x, _, r) in data.trend if r is not None and x <= self.t0]
        regs.sort()
        self.regs = regs

        # last hired-in observation with x <= t0
        inl = [(x, v) for (x, v, _) in data.trend if v is not None and x <= self.t0]
        self.inl_last = max(inl) if inl else (2012.0, 0.0)

        # regimes
        self.lever = {}
        for name in ("abolish_split", "purchase_at_buyer", "exclude_security", "keep_split"):
            en = p.b(f"policy.{name}.enabled")
            self.lever[name] = p.i(f"policy.{name}.year") if en else NONE_YEAR

        # correlation factor (section 4.5)
        rmg = p.f("shocks.correlation.market_government")
        rmi = p.f("shocks.correlation.market_inleen")
        rgi = p.f("shocks.correlation.government_inleen")
        rso = p.f("shocks.correlation.security_other")
        R = np.array([[1, rmg, rmg, rmi], [rmg, 1, rso, rgi], [rmg, rso, 1, rgi], [rmi, rgi, rgi, 1]], float)
        try:
            self.chol = np.linalg.cholesky(R)
        except np.linalg.LinAlgError:
            w, v = np.linalg.eigh(R)
            self.chol = v * np.sqrt(np.clip(w, 0, None))

        self.replay()

    # regime of year y: (name, targets, instrument, charged)
    def regime(self, y):
        _, name, targets, instrument, charged, _ = self.data.law_row(y)
        if y >= self.lever["abolish_split"]:
            targets = "national"
        if y >= self.lever["keep_split"]:
            targets = "sector"
        return name, targets, instrument, charged

    def lag(self, y):
        return self.data.law_row(y)[5]

    def reg_at(self, x):
        regs = self.regs
        if x <= regs[0][0]:
            return regs[0][1]
        for (xa, ra), (xb, rb) in zip(regs, regs[1:]):
            if xa <= x <= xb:
                return ra + (rb - ra) * (x - xa) / (xb - xa)
        return None  # after the last observation: path dependent

    def replay(self):
        """Section 3: quota states at the origin by replaying observed years."""
        p, d, t0 = self.p, self.data, self.t0
        deact = p.b("quota.deactivate_when_met")
        st = {q: dict(active=False, pending=NONE_YEAR, undecided=NONE_YEAR, short=0.0) for q in self.QUOTAS}
        years = [y for y in sorted(d.history) if y <= t0]
        for y in years:
            if self.regime(y)[:2] != self.regime(y - 1)[:2]:
                for q in st.values():
                    q.update(active=False, pending=NONE_YEAR, undecided=NONE_YEAR, short=0.0)
            for q in st.values():
                if q["pending"] <= y:
                    q["active"] = True
                    q["pending"] = NONE_YEAR
            tm, tg = d.target(y)
            mk, gv = d.history[y]
            if self.regime(y)[1] == "sector":
                meas = [("market", tm, mk), ("government", tg, gv)]
            else:
                meas = [("national", tm + tg, mk + gv)]
            for qn, target, count in meas:
                q = st[qn]
                q["short"] = max(0.0, target - count)
                if target <= 0 or count >= target:
                    if deact:
                        q.update(active=False, pending=NONE_YEAR, undecided=NONE_YEAR)
                elif not q["active"] and q["pending"] == NONE_YEAR and q["undecided"] == NONE_YEAR:
                    dec = d.decisions.get((qn, y))
                    if dec is not None and dec[0] <= t0:
                        if dec[1] <= y:
                            q["active"] = True
                        else:
                            q["pending"] = dec[1]
                    elif y + 1 <= t0:
                        pass
                    else:
                        q["undecided"] = max(t0 + 1, y + self.lag(y + 1))
        for q in st.values():
            if q["pending"] <= t0:
                q["active"] = True
                q["pending"] = NONE_YEAR
        self.origin_quota = st

    def simulate(self, n_paths, seed, block=100_000):
        p, d = self.p, self.data
        rng = np.random.default_rng(seed)
        years = self.years
        nY = len(years)
        series = {
            "total": [Hist(-100_000, 400_000, 250) for _ in years],
            "market": [Hist(-100_000, 400_000, 250) for _ in years],
            "government": [Hist(-50_000, 100_000, 100) for _ in years],
        }
        moments = {k: [Moments() for _ in years] for k in series}
        charge_hist = Hist(-2e9, 6e9, 1e6)
        charge_m = Moments()
        first_counts = np.zeros(nY + 2, dtype=np.int64)  # index nY: never, nY + 1: an observed year
        ind = {k: 0 for k in ("reach_target", "market_meets_target", "government_meets_target",
                              "quota_in_force_target_year", "charge_owed")}

        # observed first year reached
        obs_first = None
        for y in sorted(d.history):
            if y <= self.t0 and sum(d.history[y]) >= self.tot_target:
                obs_first = y
                break

        done = 0
        while done < n_paths:
            n = min(block, n_paths - done)
            self._block(n, rng, series, moments, charge_hist, charge_m, first_counts, ind, obs_first)
            done += n
        return dict(n=n_paths, series=series, moments=moments, charge_hist=charge_hist, charge_m=charge_m,
                    first_counts=first_counts, ind=ind, obs_first=obs_first)

    def _block(self, n, rng, series, moments, charge_hist, charge_m, first_counts, ind, obs_first):
        p, d, t0 = self.p, self.data, self.t0
        f = p.f
        nuR = p.i("uncertainty.dof.regular")
        nuI = p.i("uncertainty.dof.inleen")

        # ---- section 3: once per path
        if nuR > 0:
            zr = rng.standard_normal((nuR, n))
            gR = np.sqrt(nuR / np.einsum("ij,ij->j", zr, zr))
        else:
            gR = np.ones(n)
        if nuI > 0:
            zi = rng.standard_normal((nuI, n))
            gI = np.sqrt(nuI / np.einsum("ij,ij->j", zi, zi))
        else:
            gI = np.ones(n)
        zp = rng.standard_normal((7, n))
        up = rng.random((3, n))

        rho = f("shocks.correlation.market_government")
        s = f("composition.security_share")
        mM, mS, mO, mI = (f(f"growth.{c}.trend_mean") for c in ("market", "government_security", "government_other", "inleen"))
        sdM, sdS, sdO, sdI = (f(f"growth.{c}.trend_sd") for c in ("market", "government_security", "government_other", "inleen"))
        vM, vS, vO, vI = (f(f"growth.{c}.volatility") for c in ("market", "government_security", "government_other", "inleen"))
        k0 = self.khat0

        zm, zo, zi_ = zp[0], zp[1], zp[2]
        zg = rho * zm + math.sqrt(1 - rho * rho) * zo
        muM = mM + sdM * gR * zm
        muS = mS + sdS * gR * zg
        muO = mO + sdO * gR * zg
        muI = mI + sdI * gI * zi_
        dI = muI - mI
        muM -= (1 - k0) * dI
        muS -= s * k0 * dI
        muO -= (1 - s) * k0 * dI
        sig = np.stack([vM * gR, vS * gR, vO * gR, vI * gI])  # (4, n)
        greg = f("supply.register_growth_per_year") + f("supply.register_growth_sd") * zp[3]

        sigC = f("cycle.sd")
        floor = f("inleen.floor_jobs")
        lI = f("cycle.loading.inleen")
        xL, IL = self.inl_last
        if xL == t0:
            I = np.full(n, IL)
        else:
            sI = math.sqrt(vI ** 2 + (lI * abs(mI) * sigC) ** 2)
            dt = t0 - xL
            I = np.maximum(floor, IL + muI * dt + sI * gI * math.sqrt(dt) * zp[6])
        kappa = np.clip(k0 + f("inleen.government_share_sd") * zp[4], 0.0, 1.0)
        C = sigC * zp[5]

        if t0 == 2012:
            M = np.zeros(n); S = np.zeros(n); O = np.zeros(n); I = np.zeros(n); Pj = np.zeros(n)
        else:
            mk0, gv0 = d.history[t0]
            Rg = gv0 - kappa * I
            S = s * Rg
            O = (1 - s) * Rg
            Pj = np.full(n, f("purchasing.jobs_at_origin"))
            M = mk0 - (1 - kappa) * I - Pj

        # quota states per path
        pa = f("quota.activation_probability")
        qs = {}
        for j, qn in enumerate(self.QUOTAS):
            o = self.origin_quota[qn]
            active = np.full(n, o["active"])
            pending = np.full(n, o["pending"], dtype=np.int64)
            if o["undecided"] != NONE_YEAR:
                act = up[j] < pa
                pending = np.where(act & ~active & (pending == NONE_YEAR), o["undecided"], pending)
            # pending <= t0 became active at the origin already
            qs[qn] = [active, pending, np.full(n, o["short"])]

        # ---- parameters of the year step
        phi = f("cycle.persistence")
        sq = math.sqrt(1 - phi * phi) * sigC
        jpw, mws, bj, gam = f("supply.jobs_per_worker"), f("supply.max_working_share"), f("supply.baseline_jobs"), f("supply.shape")
        lM, lG = f("cycle.loading.market"), f("cycle.loading.government")
        fg = f("policy.abolish_split.friction_gain")
        gal = f("policy.abolish_split.government_accountability_loss")
        sgc = f("policy.exclude_security.security_growth_change")
        bshare = f("policy.exclude_security.base_share")
        levy, bonus, liable = f("quota.levy_per_job_eur"), f("quota.bonus_per_job_eur"), f("quota.liable_share")
        rmax, rhalf = f("quota.response_max"), f("quota.response_half_eur")
        delta = f("quota.employer_dispersion")
        h_ins = f("purchasing.insourcing_per_year")
        stop_ins = p.b("policy.purchase_at_buyer.stop_insourcing")
        pgain = f("policy.purchase_at_buyer.procurement_gain_per_year")
        kdrift, kdsd, ksd = f("inleen.key_drift_per_year"), f("inleen.key_drift_sd"), f("inleen.key_sample_sd")
        deact = p.b("quota.deactivate_when_met")
        xlast, rlast = self.regs[-1]

        L = np.zeros(n)
        # per-path constants of the growth step (4.9), hoisted out of the year loop
        aM, aS, aO, aI = lM * np.abs(muM), lG * np.abs(muS), lG * np.abs(muO), lI * np.abs(muI)
        z = np.empty((7, n))
        u = np.empty((3, n))
        # index into years; -1 not yet; -2 reached in an observed year (section 5)
        first = np.full(n, -1 if obs_first is None else -2, dtype=np.int64)
        owed = np.zeros(n, dtype=bool)

        for yi, t in enumerate(self.years):
            # 4.1
            name, targets, instrument, charged = self.regime(t)
            if (name, targets) != self.regime(t - 1)[:2]:
                for q in qs.values():
                    q[0] = np.zeros(n, dtype=bool)
                    q[1] = np.full(n, NONE_YEAR, dtype=np.int64)
                    q[2] = np.zeros(n)  # "last shortfall 0" (section 4.1)
            for q in qs.values():
                now = q[1] <= t
                q[0] = q[0] | now
                q[1] = np.where(now, NONE_YEAR, q[1])
            national = targets == "national"
            B = t >= self.lever["purchase_at_buyer"]
            X = t >= self.lever["exclude_security"]
            any_active = qs["market"][0] | qs["government"][0] | qs["national"][0]
            if t == self.T:
                ind["quota_in_force_target_year"] += int(any_active.sum())
            if charged:
                owed |= any_active

            # 4.2 draws
            rng.standard_normal(out=z)
            rng.random(out=u)

            # 4.3
            C = phi * C + sq * z[0]

            # 4.4
            E = M + S + O + I + Pj
            if t - 1 >= xlast:
                reg = rlast + greg * ((t - 1) - xlast)
            else:
                reg = self.reg_at(t - 1)
            K = jpw * mws * reg - bj
            Kpos = np.maximum(K, 1e-300) if isinstance(K, np.ndarray) else max(K, 1e-300)
            with np.errstate(over="ignore"):
                F = np.where(K > 0, np.maximum(0.0, 1.0 - (np.maximum(E, 0.0) / Kpos) ** gam), 0.0)

            # 4.5
            eps = (self.chol @ z[1:5]) * sig

            # 4.6
            lamM = lamS = lamO = 1.0
            if national:
                lamM *= 1 + fg
                lamS *= (1 + fg) * (1 - gal)
                lamO *= (1 + fg) * (1 - gal)
            if X:
                lamS *= 1 + sgc

            # 4.7
            tm, tg = d.target(t)
            price = levy if instrument == "levy" else bonus
            i_t = price * liable if charged else 0.0
            r = rmax * i_t / (i_t + rhalf)
            if r != 0.0:
                rF = r * F
                r_m = np.where(qs["market"][0], rF * qs["market"][2], 0.0)
                r_g = np.where(qs["government"][0], rF * qs["government"][2], 0.0)
                r_n = np.where(qs["national"][0], rF * qs["national"][2], 0.0)
                w = tg / (tm + tg) if (tm + tg) != 0 else 0.0
                sp = 0.0 if X else s
                respM = r_m + (1 - w) * r_n
                respG = r_g + w * r_n
                respS = sp * respG
                respO = (1 - sp) * respG
            else:
                respM = respS = respO = 0.0

            # 4.8
            if B and stop_ins:
                ins = 0.0
            else:
                ins = np.minimum(h_ins, np.maximum(Pj, 0.0))
            proc = pgain * F if B else 0.0

            # 4.9
            M = M + F * (muM + aM * C) * lamM + eps[0] + respM
            S = S + F * (muS + aS * C) * lamS + eps[1] + respS
            O = O + F * (muO + aO * C) * lamO + eps[2] + respO
            I = np.maximum(floor, I + muI + aI * C + eps[3])
            O = O + ins
            Pj = Pj + proc - ins

            # 4.10
            kappa = np.clip(kappa + kdrift + kdsd * z[6], 0.0, 1.0)
            kt = np.clip(kappa + ksd * z[5], 0.0, 1.0)
            share = kappa if national else kt
            Mk = M + (1 - share) * I + (0.0 if B else Pj)
            Gv = S + O + share * I + (Pj if B else 0.0)
            N = Mk + Gv
            Gq = Gv - S if X else Gv
            tgq = tg * (1 - bshare) if X else tg

            # 4.11
            if national:
                meas = [("national", tm + tgq, Mk + Gq, u[2])]
            else:
                meas = [("market", tm, Mk, u[0]), ("government", tgq, Gq, u[1])]
            if charged:
                for qn, target, count in (("market", tm, Mk), ("government", tgq, Gq), ("national", tm + tgq, Mk + Gq)):
                    act = qs[qn][0]
                    if instrument == "levy":
                        L += np.where(act, levy * liable * G(target, count, delta), 0.0)
                    else:
                        L += np.where(act, bonus * liable * (target - count), 0.0)

            # 4.12
            lag_next = self.lag(t + 1)
            for qn, target, count, uq in meas:
                q = qs[qn]
                q[2] = np.maximum(0.0, target - count)
                if target > 0:
                    missed = count < target
                else:
                    missed = np.zeros(n, dtype=bool)
                newp = missed & ~q[0] & (q[1] == NONE_YEAR) & (uq < pa)
                q[1] = np.where(newp, t + lag_next, q[1])
                if deact:
                    met = ~missed
                    q[0] = q[0] & ~met
                    q[1] = np.where(met, NONE_YEAR, q[1])

            # 4.13 records
            for key, v in (("total", N), ("market", Mk), ("government", Gv)):
                series[key][yi].add(v)
                moments[key][yi].add(v)
            first = np.where((first == -1) & (N >= self.tot_target), yi, first)
            if t == self.T:
                ind["reach_target"] += int((N >= self.tot_target).sum())
                ind["market_meets_target"] += int((Mk >= tm).sum())
                ind["government_meets_target"] += int((Gq >= tgq).sum())

        ind["charge_owed"] += int(owed.sum())
        charge_hist.add(L)
        charge_m.add(L)
        nY = len(self.years)
        first_counts += np.bincount(np.where(first == -1, nY, np.where(first == -2, nY + 1, first)),
                                    minlength=nY + 2)


def _erf(x):
    """erf, Abramowitz and Stegun 7.1.26 (absolute error <= 1.5e-7), vectorised."""
    sgn = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
               + 0.254829592) * t * np.exp(-a * a)
    return sgn * y


def G(T, X, delta):
    """Section 4.11: sum of employers' shortfalls."""
    if T <= 0:
        return np.zeros_like(X)
    if delta == 0:
        return np.maximum(0.0, T - X)
    g = 1.0 - X / T
    a = g / delta
    Phi = 0.5 * (1.0 + _erf(a / math.sqrt(2.0)))
    phi = np.exp(-0.5 * a * a) / math.sqrt(2 * math.pi)
    return T * (g * Phi + delta * phi)


# --------------------------------------------------------------------------
# summaries


def wilson(k, n, z=1.959963984540054):
    p = k / n
    den = 1 + z * z / n
    c = (p + z * z / (2 * n)) / den
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return p, c - h, c + h


def summarise(model, res):
    n = res["n"]
    out = {"paths": n, "origin_year": model.t0, "target_year": model.T, "horizon_year": model.H}
    out["indicators"] = {k: dict(zip(("probability", "ci_low", "ci_high"), wilson(v, n)), successes=v)
                         for k, v in res["ind"].items()}
    fc = res["first_counts"]
    nY = len(model.years)
    yrs = list(model.years)
    at = list(fc[:nY])
    if res["obs_first"] is not None:
        yrs = [res["obs_first"]] + yrs
        at = [fc[nY + 1]] + at
    cum = np.cumsum(at)
    out["first_year_reached"] = {
        "paths_at_value": {str(y): int(c) for y, c in zip(yrs, at)},
        "never": int(fc[nY]),
        "p_reached_by": {str(y): dict(zip(("probability", "ci_low", "ci_high"), wilson(int(c), n)), successes=int(c))
                         for y, c in zip(yrs, cum)},
        "observed_first_year": res["obs_first"],
    }
    cm = res["charge_m"]
    ch = res["charge_hist"]
    out["quota_charge_total_eur"] = dict(mean=cm.mean(), sd=cm.sd(), std_error=cm.sd() / math.sqrt(n),
                                         **{f"p{int(q*100):02d}": ch.quantile(q) for q in (0.05, 0.5, 0.95)})
    out["series"] = {}
    for key in ("total", "market", "government"):
        steps = []
        for yi, y in enumerate(model.years):
            m = res["moments"][key][yi]
            h = res["series"][key][yi]
            steps.append(dict(step=str(y), mean=m.mean(), sd=m.sd(), std_error=m.sd() / math.sqrt(n), kurtosis=m.kurt,
                              p05=h.quantile(0.05), p50=h.quantile(0.5), p95=h.quantile(0.95),
                              min=h.mn, max=h.mx, bin_width=h.w))
        out["series"][key] = steps
    return out



# --------------------------------------------------------------------------
# comparison with `banensim run SCENARIO --format json`

PHI_INV = {0.05: -1.6448536269514722, 0.5: 0.0, 0.95: 1.6448536269514722}


def compare(out, bj, zmax):
    """Rows (output, numpy, banensim, difference, combined MC s.e., z, within)."""
    sc = bj["scenarios"][0]
    r = sc["results"]
    n1 = out["paths"]
    n2 = r["paths"]
    rows = []

    def prob(name, k1, k2):
        p1, p2 = k1 / n1, k2 / n2
        se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
        # with both counts 0 (or all) the difference is exactly 0
        rows.append((name, p1, p2, p1 - p2, se, (p1 - p2) / se if se > 0 else 0.0, 0.0))

    def mean(name, m1, se1, m2, se2, extra=0.0):
        se = math.sqrt(se1 ** 2 + se2 ** 2)
        rows.append((name, m1, m2, m1 - m2, se, (m1 - m2) / se if se > 0 else 0.0, extra))

    for k, v in out["indicators"].items():
        prob(f"P({k})", v["successes"], r["indicators"][k]["successes"])
    fy = r["scalars"]["first_year_reached"]
    cum2 = {str(int(c["value"])): c for c in fy["cumulative"]}
    for y, v in out["first_year_reached"]["p_reached_by"].items():
        prob(f"P(reached by {y})", v["successes"], cum2[y]["successes"])
    for y, k in out["first_year_reached"]["paths_at_value"].items():
        prob(f"P(first year = {y})", k, cum2[y]["paths_at_value"])
    ch1 = out["quota_charge_total_eur"]
    ch2 = r["scalars"]["quota_charge_total_eur"]
    mean("mean charge EUR", ch1["mean"], ch1["std_error"], ch2["mean"], ch2["std_error"])
    for key in ("total", "market", "government"):
        steps2 = {s["step"]: s for s in r["series"][key]["steps"]}
        for s1 in out["series"][key]:
            s2 = steps2[s1["step"]]
            y = s1["step"]
            mean(f"{key} {y} mean", s1["mean"], s1["std_error"], s2["mean"], s2["std_error"])
            # s.e. of an sd: sd sqrt((kurtosis - 1) / (4 n)), the kurtosis this
            # script measured on its first block (heavy tails: the scale draws)
            kf = math.sqrt(max(s1.get("kurtosis") or 3.0, 1.0) - 1.0) / 2.0
            mean(f"{key} {y} sd", s1["sd"], s1["sd"] * kf / math.sqrt(n1), s2["sd"], s2["sd"] * kf / math.sqrt(n2))
            for q, qk in ((0.05, "p05"), (0.5, "p50"), (0.95, "p95")):
                # s.e. of a quantile: sqrt(p(1-p)/n) / f(x_p), density from a normal
                # with the series' sd; plus the histogram's resolution (one bin)
                dens = math.exp(-0.5 * PHI_INV[q] ** 2) / math.sqrt(2 * math.pi) / s1["sd"]
                se1 = math.sqrt(q * (1 - q) / n1) / dens
                se2 = math.sqrt(q * (1 - q) / n2) / dens
                mean(f"{key} {y} {qk}", s1[qk], se1, s2[qk], se2, extra=max(s1["bin_width"], s2["bin_width"]))
    return rows


def as_banensim_json(out):
    """This script's summary in the shape compare() reads (for numpy-vs-numpy checks of the z statistic)."""
    fy = out["first_year_reached"]
    cum = [{"value": int(y), "successes": v["successes"], "paths_at_value": fy["paths_at_value"][y]}
           for y, v in fy["p_reached_by"].items()]
    series = {k: {"steps": v} for k, v in out["series"].items()}
    return {"scenarios": [{"results": {
        "paths": out["paths"], "indicators": out["indicators"],
        "scalars": {"first_year_reached": {"cumulative": cum},
                    "quota_charge_total_eur": out["quota_charge_total_eur"]},
        "series": series}}]}


def print_compare(rows, zmax):
    bad = 0
    print(f"{'output':34s} {'numpy':>13s} {'banensim':>13s} {'diff':>11s} {'comb.se':>9s} {'z':>6s}  ok(|z|<={zmax:g})")
    for name, a, b, d, se, z, extra in rows:
        # quantiles: the difference may also hold one histogram bin
        zz = (abs(d) - extra) / se if se > 0 else (0.0 if abs(d) <= extra else math.inf)
        ok = abs(z) <= zmax or zz <= zmax
        bad += not ok
        print(f"{name:34s} {a:13.6g} {b:13.6g} {d:11.4g} {se:9.3g} {z:6.2f}  {'yes' if ok else 'NO'}")
    zs = [r[5] for r in rows]
    print(f"{len(rows)} outputs compared, {len(rows) - bad} within {zmax:g} combined standard errors, {bad} not; "
          f"|z| > 2: {sum(abs(z) > 2 for z in zs)}, |z| > 3: {sum(abs(z) > 3 for z in zs)}, "
          f"mean z^2 {sum(z * z for z in zs) / len(zs):.2f} (quantiles and sds are approximate, the rows correlated)")
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario", nargs="?")
    ap.add_argument("--banensim", default="build/release/apps/banensim")
    ap.add_argument("--explain-file", help="saved output of `banensim explain SCENARIO`")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="passed to `banensim explain` (repeatable): the parameters of `banensim run --set ...`")
    ap.add_argument("--paths", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--block", type=int, default=100_000)
    ap.add_argument("--json", help="write the summary as JSON to this file")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--compare", help="banensim run ... --format json output to compare with")
    ap.add_argument("--zmax", type=float, default=4.0)
    a = ap.parse_args()
    t_start = time.perf_counter()
    if a.explain_file:
        with open(a.explain_file, encoding="utf-8") as fh:
            text = fh.read()
    else:
        if not a.scenario:
            ap.error("give a SCENARIO or --explain-file")
        text = subprocess.run([a.banensim, "explain", a.scenario, *(x for kv in a.set for x in ("--set", kv))], check=True,
                              capture_output=True, text=True).stdout
    params = parse_explain(text)
    p = P(params, os.getcwd())
    data = Data(p)
    model = Model(p, data)
    t_sim = time.perf_counter()
    res = model.simulate(a.paths, a.seed, a.block)
    t_end = time.perf_counter()
    out = summarise(model, res)
    out["seed"] = a.seed
    out["block"] = a.block
    out["wall_seconds_simulate"] = t_end - t_sim
    out["wall_seconds_total"] = time.perf_counter() - t_start
    out["paths_per_second_total"] = a.paths / out["wall_seconds_total"]
    if a.json:
        with open(a.json, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=1)
    if not a.quiet:
        ind = out["indicators"]
        print(f"paths {a.paths} seed {a.seed} origin {model.t0} horizon {model.H}")
        for k, v in ind.items():
            print(f"  {k:28s} {v['probability']:.4f} [{v['ci_low']:.4f}, {v['ci_high']:.4f}]")
        for y, v in out["first_year_reached"]["p_reached_by"].items():
            print(f"  P(reached by {y}) {v['probability']:.4f}")
        c = out["quota_charge_total_eur"]
        print(f"  charge mean {c['mean']:.4g} +- {c['std_error']:.3g}")
        for key in ("total", "market", "government"):
            for st in out["series"][key]:
                print(f"  {key:10s} {st['step']} mean {st['mean']:10.1f} sd {st['sd']:9.1f} "
                      f"p05 {st['p05']:10.1f} p50 {st['p50']:10.1f} p95 {st['p95']:10.1f}")
    if a.compare:
        with open(a.compare, encoding="utf-8") as fh:
            bj = json.load(fh)
        if "scenarios" not in bj:  # another run of this script (--json)
            bj = as_banensim_json(bj)
        bad = print_compare(compare(out, bj, a.zmax), a.zmax)
    print(f"wall {out['wall_seconds_total']:.3f} s total, {out['wall_seconds_simulate']:.3f} s simulate, "
          f"{out['paths_per_second_total']:.0f} paths/s")
    if a.compare and bad:
        sys.exit(1)  # some output differs from banensim's by more than --zmax combined standard errors


if __name__ == "__main__":
    main()
