"""banensim from Python: the Monte Carlo model of the Dutch banenafspraak and
its studies, over the same library as the ``banensim`` program -- for the
same seed, the same numbers.

    import banensim
    r = banensim.run("scenarios/status-quo.toml", paths=2000, samples=["total"])
    r["scenarios"][0]["p_reach_target"]      # as `banensim run --format json`
    r["samples"]["total"]                    # NumPy array: total on every path
    s = banensim.sensitivity("scenarios/status-quo.toml", method="sobol", samples=16, paths=500)
    s["indices"]["ST"]                       # SALib's names: S1, S1_conf, ST, ST_conf
    banensim.to_frame(s["indices"])          # a pandas DataFrame (needs pandas)
    a = banensim.compare(["scenarios/status-quo.toml", "scenarios/keep-split.toml"], assumptions=16, paths=2000)
    a["assumptions"]["options"][1]["beats"]  # share of plausible assumption sets it wins
    b = banensim.backtest("scenarios/status-quo.toml", rolling=(2016, 2022))
    b["summary_table"]["coverage_90"]        # pooled 90% interval coverage per series
    c = banensim.compare(["scenarios/status-quo.toml", "scenarios/purchase-at-buyer.toml"])
    c["reached_by_table"]["p_reached_by_diff"]   # per option and year: its paired change of P(reached by year)

The functions take the options of the command line's commands: ``set`` (a
dict of scenario keys and values, like --set; sweep's ``keys`` are its
--set, and backtest takes no scenario options), ``target`` and
``target_year``; ``seed`` (default 2013, or a study file's), ``paths`` and
``threads`` (0 = all cores; the numbers do not depend on it). Bad input (a
scenario, study or data file, a setting) raises ``banensim.InputError`` (a
ValueError) with the same messages the program prints, and an argument of
the wrong type a TypeError naming it (file names are a str or a
pathlib.Path); Ctrl-C stops a run at its next block of paths and raises
KeyboardInterrupt. A scenario whose calibrated keys are not those of the
data it reads (a newer measurement in the history, a revised figure:
docs/MODEL.md section 7, "The stamp") runs, with a
``banensim.CalibrationWarning`` at the line that called banensim, from every
function that loads a scenario but calibrate() and backtest() (which
calibrate themselves); the result's ``calibration`` says why.

``samples`` and ``outputs`` take a list of names or one name as a string;
compare's ``scenarios`` and a sweep key's values must be lists (tuples,
arrays): a string there is a TypeError, not its characters one by one.

Tables (design rows, indices, trajectories) are dicts of columns: a NumPy
float array for a numeric column, a list of strings otherwise, in row
order; the ``seed`` column, in every table, is a NumPy uint64 array (its
pandas dtype uint64): exact for every seed from 0 to 2^64 - 1, where a
float would round those above 2^53. docs/STUDIES.md describes study files
and the results.
"""

import collections.abc
import csv
import decimal
import io
import json
import math
import numbers
import os
import sys
import warnings

import numpy as np

from banensim import _core

__all__ = ["run", "compare", "backtest", "calibrate", "sensitivity", "sobol", "morris", "discover", "sweep", "factors",
           "problem", "to_frame", "version", "InputError", "CalibrationWarning"]

InputError = _core.InputError


# The program's ranges of its settings (apps/cli.cpp's parse_count and
# parse_real), and what else the functions take, by parameter name.
_WHOLE = {"paths": (1, 10**12), "max_paths": (1, 10**12), "block_size": (1, 10**6), "threads": (0, 1024),
          "boxes": (1, 10), "seed": (0, 2**64 - 1), "samples": (2, 10**6), "assumptions": (2, 100_000)}
_REAL = {"precision": (1e-6, 0.5), "min_density": (0.0, 1.0), "threshold": (-math.inf, math.inf)}
_FLAGS = ("resume", "one_at_a_time", "range_from_schema", "second_order")
_VALUES = ("target", "target_year")


def _check(fn, **given):
    """The program's range checks on the settings (apps/cli.cpp), with its
    words: a setting out of range raises InputError instead of running on
    (paths=0 would give a backtest 0% coverage, precision=0 run to
    max_paths). A setting of the wrong type raises TypeError naming it and
    the type due, here rather than as the core's list of its argument types
    (or, for resume="no", a resume). None means "not given"."""
    for name, value in given.items():
        if value is None:
            continue
        option = name.replace("_", "-")
        if name in _WHOLE:
            lo, hi = _WHOLE[name]
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"{fn}: {name} must be a whole number, not {type(value).__name__}")
            if value < lo or value > hi:
                bound = f"from {lo} to {hi}"
                raise InputError(f"{fn}: {name} {value} (--{option}): must be {bound}")
        elif name in _REAL:
            lo, hi = _REAL[name]
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
                raise TypeError(f"{fn}: {name} must be a number, not {type(value).__name__}")
            if not (math.isfinite(float(value)) and lo <= float(value) <= hi):
                bound = f"a number from {lo:g} to {hi:g}" if math.isfinite(lo) else "a finite number"
                raise InputError(f"{fn}: {name} {value} (--{option}): must be {bound}")
        elif name in _FLAGS:
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"{fn}: {name} must be True or False, not {type(value).__name__}")
        elif name in _VALUES:
            _value(fn, name, value)
        elif name == "method":
            if not isinstance(value, str):
                raise TypeError(f"{fn}: method must be a str ('sobol' or 'morris'), not {type(value).__name__}")
        elif name == "design":
            if not isinstance(value, str):
                raise TypeError(f"{fn}: design must be a str ('sobol', 'lhs' or 'monte_carlo'), "
                                f"not {type(value).__name__}")
            if value not in ("sobol", "lhs", "monte_carlo"):
                raise InputError(f"{fn}: design {value!r} (--design): must be sobol, lhs or monte_carlo")
        else:
            raise AssertionError(f"_check: no rule for {name}")


def _value(fn, name, value):
    """A scenario value (set's, target, target_year): what the core reads
    as a scenario reads its text (python/banensim_core.cpp, value_text)."""
    if not isinstance(value, (str, bool, numbers.Real, decimal.Decimal)):
        raise TypeError(f"{fn}: {name} must be a number, a bool or a string, not {type(value).__name__}")


def _settings(fn, name, value):
    """``set`` (or a variant's settings): {scenario key: value} -> a dict."""
    if value is None:
        return {}
    if not isinstance(value, collections.abc.Mapping):
        raise TypeError(f"{fn}: {name} must be a dict of scenario keys and values, not {type(value).__name__}")
    for key, v in value.items():
        if not isinstance(key, str):
            raise TypeError(f"{fn}: {name}: the key {key!r} must be a scenario key (a str), not {type(key).__name__}")
        _value(fn, f"{name}[{key!r}]", v)
    return dict(value)


def _file(fn, name, value):
    """A file name: a str or an os.PathLike (pathlib.Path) -> a str; None
    stays None (not given)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, os.PathLike):
        path = os.fspath(value)
        if isinstance(path, str):
            return path
    raise TypeError(f"{fn}: {name} must be a file name (a str or a pathlib.Path), not {type(value).__name__}")


def _check_resume(fn, resume, file, option):
    if resume and file is None:
        raise InputError(f"{fn}: resume=True needs {option}= (the file to continue)")


def _listed(fn, name, value, what):
    """A parameter that takes a list (or a tuple, an array, any iterable but
    a dict), as a list; None is the empty list. A string is refused: it
    would be taken apart into its characters (compare("a.toml") as the
    files "a", ".", ...; a sweep over the values "a", "b", "c")."""
    if value is None:
        return []
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{fn}: {name} must be a list of {what}, not a string (for one: {name}=[{value!r}])")
    if isinstance(value, dict) or not hasattr(value, "__iter__"):
        raise TypeError(f"{fn}: {name} must be a list of {what}, not {type(value).__name__}")
    return list(value)


def _names(fn, name, value):
    """``samples`` and ``outputs``: a list of names, or one name as a string
    (samples="total" is samples=["total"], not the names "t", "o", ...)."""
    names = [value] if isinstance(value, str) else _listed(fn, name, value, "names")
    for i, n in enumerate(names):
        if not isinstance(n, str):
            raise TypeError(f"{fn}: {name}[{i}] must be a name (a str), not {type(n).__name__}")
    return names


DEFAULT_SEED = 2013


class CalibrationWarning(UserWarning):
    """A scenario's calibrated keys were not fitted on the data it reads: the
    message says what differs and how to recalibrate (the program says it
    on stderr)."""


def _caller_stacklevel():
    """warnings.warn's stacklevel, called from the function that calls it, of
    the first frame outside this package: the user's line that called
    banensim, however deep inside the package the warning is issued (run ->
    _run -> here, sobol -> sensitivity -> here)."""
    package = os.path.dirname(os.path.abspath(__file__))
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == package:
        frame, level = frame.f_back, level + 1
    return level


def _warn_calibration(scenarios):
    """One CalibrationWarning per distinct reason, naming the scenario files
    it applies to, as the program's "banensim: warning: FILE, ...: REASON"
    (apps/cli.hpp): ``scenarios`` are (file, its ``calibration`` dict)."""
    seen = {}
    for file, calibration in scenarios:
        why = (calibration or {}).get("mismatch")
        if why is not None and file not in seen.setdefault(why, []):
            seen[why].append(file)
    for why, files in seen.items():
        warnings.warn(f"{', '.join(files)}: {why}", CalibrationWarning, stacklevel=_caller_stacklevel())


def _warn_run(result):
    _warn_calibration((s["file"], s.get("calibration")) for s in result.get("scenarios", []))


def version():
    """The program's version and commit, as `banensim --version` prints them."""
    return _core.version()


# Columns that are text whatever their cells look like: a hash of hex digits
# may read as a number ("1234e567"), a file name too.
_TEXT_COLUMNS = frozenset({"file", "resolved_hash", "identity_hash"})
# Columns of whole numbers to 2^64 - 1 that must read exactly: a seed above
# 2^53 would lose its last digits as a float (2^64 - 1 read as 2^64).
_UINT64_COLUMNS = frozenset({"seed"})


def _uint64_column(cells):
    """A seed column's cells -> a NumPy uint64 array, cell for cell exact
    (int() of the text, never a float); a cell that is not a whole number
    from 0 to 2^64 - 1 (an empty one, say) leaves the column as text."""
    try:
        values = [int(c) for c in cells]
    except ValueError:
        return cells
    if any(v < 0 or v > 2**64 - 1 for v in values):
        return cells
    return np.array(values, dtype=np.uint64)


def _columns(names, rows):
    """Cells as text -> a dict of columns: a seed as a uint64 array, other
    numbers as float arrays, else lists."""
    out = {}
    for j, name in enumerate(names):
        cells = [r[j] if j < len(r) else "" for r in rows]
        if name in _TEXT_COLUMNS:
            out[name] = cells
            continue
        if name in _UINT64_COLUMNS:
            out[name] = _uint64_column(cells)
            continue
        try:
            out[name] = np.array([float(c) if c != "" else np.nan for c in cells], dtype=float)
        except ValueError:
            out[name] = cells
    return out


def _csv_columns(text):
    if not text:
        return {}
    records = list(csv.reader(io.StringIO(text)))
    return _columns(records[0], records[1:])


def _table(t):
    return _columns(t["columns"], t["rows"])


def _drivers_table(assumptions):
    """The partial rank correlations of every option's change over the sets
    (the JSON's options[].drivers and options[].by_year.drivers), one row
    per option (not the reference: it is what the others change), figure
    and factor; NaN where undefined (too few sets, or no change at all)."""
    figures = (("p_reach", lambda o: o), (f"p_reached_by_{assumptions['by_year']}", lambda o: o["by_year"]))
    columns = ("option", "figure", "key", "prcc", "ci_low", "ci_high", "p_value", "in_words")
    rows = []
    for option in assumptions["options"]:
        for figure, judged in figures:
            for d in judged(option).get("drivers", []):
                rows.append((option["name"], figure, d["key"], d["prcc"], d["ci_low"], d["ci_high"], d["p_value"],
                             d["in_words"]))
    out = {name: [r[j] for r in rows] for j, name in enumerate(columns)}
    for name in ("prcc", "ci_low", "ci_high", "p_value"):
        out[name] = np.array([np.nan if v is None else float(v) for v in out[name]], dtype=float)
    out["in_words"] = np.array(out["in_words"], dtype=bool)
    return out


def to_frame(table):
    """A table (a dict of columns) as a pandas DataFrame (the ``seed``
    column of dtype uint64, exact). Needs pandas (Debian: python3-pandas);
    everything else works without it."""
    try:
        import pandas as pd
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise ImportError("banensim.to_frame needs pandas (Debian: apt install python3-pandas)") from e
    return pd.DataFrame({k: list(v) if isinstance(v, list) else v for k, v in table.items()})


def _variants(variants):
    """compare's ``variants``: {name: (scenario file, {key: value})} -> the
    core's list of (name, file, settings), in the dict's order."""
    if variants is None:
        return []
    if not isinstance(variants, collections.abc.Mapping):
        raise TypeError(f"compare: variants must be a dict {{name: (scenario file, {{key: value}})}}, "
                        f"not {type(variants).__name__}")
    out = []
    for name, spec in variants.items():
        try:
            file, settings = spec
        except (TypeError, ValueError):
            raise TypeError(f"compare: variants[{name!r}]: must be (scenario file, {{key: value}})") from None
        if not isinstance(file, (str, os.PathLike)) or not isinstance(settings, collections.abc.Mapping):
            raise TypeError(f"compare: variants[{name!r}]: must be (scenario file, {{key: value}})")
        out.append((str(name), _file("compare", f"variants[{name!r}]", file),
                    _settings("compare", f"variants[{name!r}]", settings)))
    return out


def _reached_by_table(result):
    """When: per scenario and simulated year, P(the total has reached the
    target by that year) with its 95% Wilson interval, the share first
    reaching it that year (and its interval, the last two columns), and the paired difference from the reference
    (NaN for the reference) with its 95% interval -- the columns of the same
    names in `--format csv`, from the JSON's first_year_reached."""
    names = ["scenario", "year", "p_reached_by", "p_reached_by_ci_low", "p_reached_by_ci_high", "p_first_year",
             "p_reached_by_diff", "p_reached_by_diff_ci_low", "p_reached_by_diff_ci_high",
             "p_first_year_ci_low", "p_first_year_ci_high"]
    rows = []
    for sc in result["scenarios"]:
        res = sc["results"]
        cumulative = {int(c["value"]): c for c in res["scalars"]["first_year_reached"]["cumulative"]}
        paired = sc.get("vs_reference", {}).get("scalars", {}).get("first_year_reached", {})
        diffs = {int(d["value"]): d for d in paired.get("cumulative_difference", [])}
        for step in res["series"]["total"]["steps"]:
            year = int(step["step"])
            c = cumulative[year]
            d = diffs.get(year, {})
            rows.append([sc["name"], year, c["probability"], c["ci_low"], c["ci_high"],
                         c["paths_at_value"] / res["paths"], d.get("difference"), d.get("ci_low"), d.get("ci_high"),
                         c["at_value_ci_low"], c["at_value_ci_high"]])
    out = {"scenario": [r[0] for r in rows]}
    for j, name in enumerate(names[1:], start=1):
        out[name] = np.array([np.nan if r[j] is None else float(r[j]) for r in rows], dtype=float)
    return out


def _run(scenarios, set, target, target_year, paths, seed, block_size, precision, max_paths, samples, threads,
         variants=()):
    raw = _core.run(list(scenarios), list(variants), set, target, target_year, paths, seed,
                    block_size, precision, max_paths, samples, threads)
    result = json.loads(raw["json"])
    _warn_run(result)
    result["samples"] = {name: raw["samples"][:, r, :] for r, name in enumerate(raw["sample_names"])}
    result["reached_by_table"] = _reached_by_table(result)
    return result


def run(scenario, *, paths=None, seed=DEFAULT_SEED, set=None, target=None, target_year=None, precision=None,
        max_paths=10_000_000, samples=None, block_size=1024, threads=0):
    """One Monte Carlo run of a scenario: the dict `banensim run --format json`
    prints (docs/OUTPUT.md), plus ``samples``: for each name in ``samples``
    the output on every path, in path order, as a NumPy array of length
    ``paths``. A sample name is a series (its value in the target year),
    SERIES@YEAR, a per-path scalar, or an indicator (0/1). And
    ``reached_by_table`` (for to_frame): per simulated year, P(reached by
    year) with its interval and P(first reached in year), as the CSV's
    columns of those names."""
    _check("run", paths=paths, seed=seed, block_size=block_size, precision=precision, max_paths=max_paths,
           threads=threads, target=target, target_year=target_year)
    scenario = _file("run", "scenario", scenario)
    set = _settings("run", "set", set)
    samples = _names("run", "samples", samples)
    r = _run([scenario], set, target, target_year, paths, seed, block_size, precision, max_paths, samples, threads)
    r["samples"] = {k: v[0] for k, v in r["samples"].items()}
    return r


def compare(scenarios, *, variants=None, paths=None, seed=None, set=None, target=None, target_year=None,
            precision=None, max_paths=10_000_000, samples=None, block_size=1024, threads=0, assumptions=None,
            study=None, rows=None, resume=False, min_density=None, design=None):
    """Scenarios on common random numbers, paired against the first: the dict
    `banensim compare --format json` prints; ``samples`` as in run(), each
    an array of shape (options, paths) -- path i of every option saw the
    same random numbers. ``reached_by_table`` as in run(), per option and
    year, with the paired difference of P(reached by year) from the
    reference (``p_reached_by_diff`` and its 95% interval; NaN for the
    reference): what an option whose levers act after the target year
    changes.

    ``variants``: options defined here rather than in a file, as
    `--variant "NAME=FILE KEY=VALUE ..."`: {name: (scenario file, {key:
    value})}, after the scenario files (the first is the reference when
    ``scenarios`` is empty); its settings apply to it alone, after ``set``.

    With ``assumptions=N``, as `banensim compare --assumptions N
    --format json`: the comparison at the scenarios' own values (Monte Carlo
    intervals) and, under ``assumptions``, each option over N plausible
    assumption sets (ranges over plausible assumptions: median and 5-95%
    range of P(reach) and of the difference, the shares of sets it beats,
    ties and loses, the worst-case regret and the rule that decides the
    sign; under each option's ``by_year`` the same for P(reached by the
    year ``assumptions["by_year"]``, the target year + 4: by when;
    docs/ANALYSIS.md section 7). ``paths`` per set (default 20,000);
    ``study``: a study file whose factors replace the plausible ranges;
    ``rows``: a CSV file the sets' rows are journaled to as they complete
    (``resume=True`` continues it); ``min_density``: of the sign rule's box
    (default 0.8); ``design``: how the sets are drawn, "sobol" (a randomised
    Sobol' design, the default), "lhs" (a Latin hypercube) or "monte_carlo"
    (default: the study file's ``design``). Adds ``sets`` (a table: one row per set, its factor
    values and every option's figures), ``options_table`` (one row per
    option: the CSV of `--format csv`, both figures' summaries over the
    sets), ``drivers_table`` (one row per option, figure and factor: the
    partial rank correlation of the option's change with the factor over
    the sets, its 95% interval from their number, its p-value and whether
    the option's sentence names it; the JSON's ``drivers``), ``factors``
    and ``notes``."""
    scenarios = [_file("compare", f"scenarios[{i}]", f)
                 for i, f in enumerate(_listed("compare", "scenarios", scenarios, "scenario files"))]
    variants = _variants(variants)
    if len(scenarios) + len(variants) < 2:
        raise InputError("compare needs at least two options, scenarios or variants (the first is the reference)")
    _check("compare", paths=paths, seed=seed, block_size=block_size, precision=precision, max_paths=max_paths,
           threads=threads, min_density=min_density, assumptions=assumptions, target=target, target_year=target_year,
           resume=resume, design=design)
    samples = _names("compare", "samples", samples)
    set = _settings("compare", "set", set)
    study, rows = _file("compare", "study", study), _file("compare", "rows", rows)
    _check_resume("compare", resume, rows, "rows")
    if assumptions is None:
        for name, given in (("study", study is not None), ("rows", rows is not None), ("resume", resume),
                            ("min_density", min_density is not None), ("design", design is not None)):
            if given:
                raise InputError(f"compare: {name} needs assumptions=N")
        return _run(scenarios, set, target, target_year, paths, DEFAULT_SEED if seed is None else seed, block_size,
                    precision, max_paths, samples, threads, variants)
    if precision is not None:
        raise InputError("compare: precision and assumptions conflict: give paths per assumption set")
    if samples:
        raise InputError("compare: samples are kept for a run at the scenarios' own values, not with assumptions")
    raw = _core.compare_assumptions(scenarios, variants, set, target, target_year, paths,
                                    seed, block_size, assumptions, study, min_density, design, rows, resume, threads)
    result = json.loads(raw["json"])
    _warn_run(result)
    result["sets"] = _table(raw["sets"])
    result["options_table"] = _csv_columns(raw["options_csv"])
    result["drivers_table"] = _drivers_table(result["assumptions"])
    result["factors"] = raw["factors"]
    result["notes"] = raw["notes"]
    return result


def backtest(scenario, *, fit_until=None, rolling=None, paths=None, seed=DEFAULT_SEED, block_size=1024, threads=0):
    """A backtest, as `banensim backtest --format json`: for one origin
    (``fit_until=YEAR``) or each origin of ``rolling=(FROM, TO)``, calibrate
    on the history up to the origin only, forecast every later observed year
    and score it (quantiles, 50% and 90% coverage, PIT, CRPS) beside a random
    walk with drift and a linear trend fitted on the same data
    (docs/BACKTEST_AND_SWEEPS.md section 2). Adds two tables for
    to_frame(): ``forecasts_table`` (one row per origin, series and scored
    year: the CSV of `--format csv`) and ``summary_table`` (one row per
    series, pooled over the forecasts: the program's FILE.summary.csv)."""
    if (fit_until is None) == (rolling is None):
        raise InputError("backtest: give one of fit_until=YEAR (one origin) and rolling=(FROM, TO) (several)")
    if fit_until is not None:
        first, last, name = fit_until, fit_until, "fit_until"
    else:
        try:
            first, last = rolling
        except (TypeError, ValueError):
            raise TypeError(f"backtest: rolling={rolling!r}: must be (FROM, TO), two years") from None
        name = "rolling"
    for year in (first, last):
        if isinstance(year, bool) or not isinstance(year, (int, np.integer)):
            raise TypeError(f"backtest: {name}={year!r}: must be a year (a whole number)")
    if last < first:
        raise InputError(f"backtest: rolling=({first}, {last}): TO must not be before FROM")
    _check("backtest", paths=paths, seed=seed, block_size=block_size, threads=threads)
    scenario = _file("backtest", "scenario", scenario)
    raw = _core.backtest(scenario, int(first), int(last), name, rolling is not None, paths, seed, block_size,
                         threads)
    result = json.loads(raw["json"])
    result["forecasts_table"] = _csv_columns(raw["forecasts_csv"])
    result["summary_table"] = _csv_columns(raw["summary_csv"])
    return result


def calibrate(scenario="scenarios/base.toml", *, fit_until=None, history=None, set=None, target=None,
              target_year=None):
    """The calibration `banensim calibrate` computes (docs/MODEL.md section
    7): from the data dated up to ``fit_until`` (default: all) of the
    scenario's data files (or the history CSV ``history``), under the
    scenario's assumptions (with ``set`` applied). Returns ``estimates``
    (a table: key, value, std_error, unit, note, scenario_key; the text of
    the data fingerprint is in ``keys``), ``keys`` ({scenario key: value} as
    `calibrate --out` writes them, the stamp included: pass them as ``set=``
    to run() or compare() to forecast with them), ``toml`` (the text of that
    file), ``first_year``, ``last_year``, ``n_increments``, ``method``,
    ``history_file`` and ``data_fingerprint``."""
    if fit_until is not None and (isinstance(fit_until, bool) or not isinstance(fit_until, (int, np.integer))):
        raise TypeError(f"calibrate: fit_until {fit_until!r}: must be a year (a whole number)")
    if fit_until is not None and not 2013 <= fit_until <= 2100:
        raise InputError(f"calibrate: fit_until {fit_until!r}: must be a year from 2013 to 2100")
    _check("calibrate", target=target, target_year=target_year)
    scenario, history = _file("calibrate", "scenario", scenario), _file("calibrate", "history", history)
    r = _core.calibrate(scenario, _settings("calibrate", "set", set), target, target_year, int(fit_until or 0),
                        history)
    rows = r.pop("estimates")
    r["estimates"] = {
        "key": [e["key"] for e in rows],
        "value": np.array([e["value"] if isinstance(e["value"], float) else np.nan for e in rows], dtype=float),
        "std_error": np.array([e["std_error"] for e in rows], dtype=float),
        "unit": [e["unit"] for e in rows],
        "note": [e["note"] for e in rows],
        "scenario_key": np.array([e["scenario_key"] for e in rows], dtype=bool),
    }
    return r


def _design(d):
    d["rows"] = _table(d["rows"])
    return d


def sensitivity(scenario, *, method=None, study=None, samples=None, paths=None, seed=None, outputs=None,
                second_order=None, set=None, target=None, target_year=None, out=None, resume=False, threads=0):
    """Sobol' indices or Morris screening, as `banensim sensitivity`: the
    factors of ``study`` (a study file, docs/STUDIES.md) or every uncertain
    parameter the scenario uses on its plausible range (``notes`` says which
    were left out and why). Returns a dict with ``indices`` (columns output,
    factor, S1, S1_conf, ST, ST_conf -- or mu, mu_star, mu_star_conf,
    sigma -- then seed, resolved_hash, identity_hash: what they were
    computed from), ``S2`` with second order (output, factor_1, factor_2,
    S2, S2_conf, the same three), ``rows`` (the design rows as the result file holds them),
    ``factors``, ``problem`` (SALib's dict), ``svg`` and the provenance.
    X_conf is SALib's: the half-width of the 95% interval. With ``out`` the
    rows are journaled to that file as they complete (``resume=True``
    continues it) and, as `banensim sensitivity --out`, the indices go to
    FILE.indices.csv (and second order to FILE.s2.csv) at the end; ``files``
    lists those written."""
    _check("sensitivity", method=method, samples=samples, paths=paths, seed=seed, second_order=second_order,
           target=target, target_year=target_year, resume=resume, threads=threads)
    _check_resume("sensitivity", resume, out, "out")
    outputs = _names("sensitivity", "outputs", outputs)
    scenario, study, out = (_file("sensitivity", n, v) for n, v in (("scenario", scenario), ("study", study),
                                                                     ("out", out)))
    d = _design(_core.sensitivity(scenario, method, _settings("sensitivity", "set", set), target, target_year, study,
                                  samples, paths, seed, outputs, second_order, out, resume, threads))
    _warn_calibration([(scenario, d["calibration"])])
    d["indices"] = _csv_columns(d.pop("indices_csv"))
    s2 = d.pop("s2_csv")
    if s2:
        d["S2"] = _csv_columns(s2)
    d["problem"] = _problem(d["factors"])
    return d


def sobol(scenario, **kw):
    """sensitivity(method="sobol", ...)."""
    return sensitivity(scenario, method="sobol", **kw)


def morris(scenario, **kw):
    """sensitivity(method="morris", ...)."""
    return sensitivity(scenario, method="morris", **kw)


def discover(scenario, *, study=None, samples=None, paths=None, seed=None, threshold=None, min_density=None,
             boxes=None, set=None, target=None, target_year=None, out=None, resume=False, threads=0, design=None):
    """Scenario discovery with PRIM, as `banensim discover`, on ``samples``
    points drawn by ``design``: "sobol" (a randomised Sobol' design, the
    default), "lhs" (a Latin hypercube, EMA Workbench's default sampler) or
    "monte_carlo" (default: the study file's ``design``). ``boxes`` (each
    with ``limits`` -- per restricted factor its exact bounds, the design
    values at which PRIM cut, and the quasi-p-value of each cut side --
    coverage, density, mass and counts), ``trajectory`` (every box of the
    peeling and pasting, as FILE.trajectory.csv), ``rows``, ``of_interest``,
    ``svg`` (the coverage-density trade-off). With ``out`` the rows are
    journaled to that file as they complete (``resume=True`` continues it)
    and, as `banensim discover --out`, the trajectory goes to
    FILE.trajectory.csv at the end; ``files`` lists it."""
    _check("discover", samples=samples, paths=paths, seed=seed, threshold=threshold, min_density=min_density,
           boxes=boxes, target=target, target_year=target_year, resume=resume, threads=threads, design=design)
    _check_resume("discover", resume, out, "out")
    scenario, study, out = (_file("discover", n, v) for n, v in (("scenario", scenario), ("study", study),
                                                                  ("out", out)))
    d = _design(_core.discover(scenario, _settings("discover", "set", set), target, target_year, study, samples,
                               paths, seed, threshold, min_density, boxes, design, out, resume, threads))
    _warn_calibration([(scenario, d["calibration"])])
    d["trajectory"] = _csv_columns(d.pop("trajectory_csv"))
    d["of_interest"] = np.array(d["of_interest"], dtype=bool)
    d["problem"] = _problem(d["factors"])
    return d


def sweep(scenario, keys=None, *, one_at_a_time=False, range_from_schema=False, study=None, paths=None,
          seed=None, outputs=None, target=None, target_year=None, out=None, resume=False, threads=0, samples=None,
          design=None):
    """A sweep, as `banensim sweep`: ``keys`` maps scenario keys to lists of
    values (the full grid, the first key slowest, or one key at a time around
    the scenario with ``one_at_a_time``); ``study``'s factors become keys.
    With ``samples=N`` instead: N points drawn by ``design`` ("sobol", the
    default; "lhs", a Latin hypercube; "monte_carlo") over ``study``'s
    factors or the plausible ranges, as `banensim sweep --samples N`.
    With ``out`` the rows are journaled there as they complete (``resume=True``
    continues it); returns ``rows`` and the ``svg`` of one key, two or a tornado."""
    _check("sweep", one_at_a_time=one_at_a_time, range_from_schema=range_from_schema, paths=paths, seed=seed,
           target=target, target_year=target_year, resume=resume, threads=threads, samples=samples, design=design)
    if design is not None and samples is None:
        raise InputError("sweep: design needs samples=N (a grid has no design to draw)")
    _check_resume("sweep", resume, out, "out")
    if keys is not None:
        if not isinstance(keys, collections.abc.Mapping):
            raise TypeError(f"sweep: keys must be a dict of scenario keys and lists of values, "
                            f"not {type(keys).__name__}")
        for k in keys:
            if not isinstance(k, str):
                raise TypeError(f"sweep: keys: the key {k!r} must be a scenario key (a str), not {type(k).__name__}")
        keys = {k: _listed("sweep", f"keys[{k!r}]", v, "values") for k, v in keys.items()}
        for k, values in keys.items():
            for i, v in enumerate(values):
                _value("sweep", f"keys[{k!r}][{i}]", v)
    outputs = _names("sweep", "outputs", outputs)
    scenario, study, out = (_file("sweep", n, v) for n, v in (("scenario", scenario), ("study", study), ("out", out)))
    d = _core.sweep(scenario, keys, one_at_a_time, range_from_schema, target, target_year, study, paths, seed,
                    outputs, samples, design, None, None, out, resume, threads)
    _warn_calibration([(scenario, d["calibration"])])
    d["rows"] = _table(d["rows"])
    return d


def evaluate(scenario, X, names=None, *, outputs=None, paths=None, seed=None, target=None, target_year=None,
             out=None, resume=False, threads=0):
    """The model at the points you give -- any sampler's, e.g. SALib's:
    row i of ``X`` (an N x d array-like) sets the d scenario keys ``names``
    (e.g. ``problem(scenario)["names"]``), as `banensim sweep --points FILE`.
    ``X`` may be a pandas DataFrame whose columns are the keys: ``names``
    then defaults to them, and names given select the DataFrame's columns by
    name (X[names], in that order; a name that is not a column raises
    InputError naming it). For an array or a list of rows, names are
    positional: ``names[k]`` is the key of column k.
    Every point runs on the same seed and paths (common random numbers) and
    is checked as a scenario is (a bad value raises InputError naming
    X[i], the key, the value and the constraint). Returns the dict of
    sweep(): ``rows`` (a table, one row per point, its values and the
    ``outputs``; default as sweep's) -- so ``evaluate(...)["rows"]["p_reach"]``
    is the Y a SALib analyser takes; its ``seed`` column is exact (uint64).
    With ``out`` the rows are journaled there as they complete
    (``resume=True`` continues it)."""
    _check("evaluate", paths=paths, seed=seed, target=target, target_year=target_year, resume=resume,
           threads=threads)
    _check_resume("evaluate", resume, out, "out")
    if hasattr(X, "columns") and hasattr(X, "to_numpy"):  # a DataFrame: its columns are the keys
        columns = [str(c) for c in X.columns]
        if names is None:
            names = columns
        else:  # the columns of those names, in the order of names -- never by position
            names = _names("evaluate", "names", names)
            missing = [n for n in names if n not in columns]
            if missing:
                raise InputError(f"evaluate: names {', '.join(map(repr, missing))}: not a column of the DataFrame X "
                                 f"(its columns: {', '.join(map(repr, columns))})")
            for n in names:
                if columns.count(n) > 1:
                    raise InputError(f"evaluate: names {n!r}: the DataFrame X has {columns.count(n)} columns "
                                     f"of that name")
            X = X.iloc[:, [columns.index(n) for n in names]]
        X = X.to_numpy(dtype=object)
    if names is None:
        raise InputError("evaluate: names is missing: give the scenario key of each column of X")
    names = _names("evaluate", "names", names)
    if not names:
        raise InputError("evaluate: names is empty: give the scenario key of each column of X")
    # The study's own checks of the keys, in evaluate's words rather than sweep's options.
    for n in names:
        if names.count(n) > 1:
            raise InputError(f"evaluate: names: {n} is given more than once")
        if n == "simulation.paths":
            raise InputError("evaluate: names: simulation.paths: the path count is not a parameter to vary (every "
                             "point runs paths= paths on the same random draws); give paths=N")
    if isinstance(X, (str, bytes)) or not isinstance(X, (collections.abc.Sequence, np.ndarray)):
        raise TypeError(f"evaluate: X must be a 2-D array or a list of rows, not {type(X).__name__}")
    rows = []
    for i, r in enumerate(X):
        if isinstance(r, (str, bytes)) or not isinstance(r, (collections.abc.Sequence, np.ndarray)):
            raise TypeError(f"evaluate: X[{i}] must be a row of values (X is 2-D: a row per point), "
                            f"not {type(r).__name__}")
        rows.append(list(r.tolist() if isinstance(r, np.ndarray) else r))
    if not rows:
        raise InputError("evaluate: X has no rows (one row per point)")
    for i, row in enumerate(rows):
        if len(row) != len(names):
            raise InputError(f"evaluate: X[{i}] has {len(row)} values for {len(names)} names")
        for k, v in enumerate(row):
            _value("evaluate", f"X[{i}][{k}] ({names[k]})", v)
    outputs = _names("evaluate", "outputs", outputs)
    scenario, out = _file("evaluate", "scenario", scenario), _file("evaluate", "out", out)
    d = _core.sweep(scenario, None, False, False, target, target_year, None, paths, seed, outputs, None, None,
                    names, rows, out, resume, threads)
    _warn_calibration([(scenario, d["calibration"])])
    d["rows"] = _table(d["rows"])
    return d


def factors(scenario, *, study=None, set=None, target=None, target_year=None):
    """The factors a study would vary on ``scenario``: a study file's, or the
    declared plausible ranges without a switched-off lever's parameters;
    ``notes`` says what was left out and why."""
    return _factors("factors", scenario, study, set, target, target_year)


def _factors(fn, scenario, study, set, target, target_year):
    _check(fn, target=target, target_year=target_year)
    scenario, study = _file(fn, "scenario", scenario), _file(fn, "study", study)
    d = _core.factors(scenario, _settings(fn, "set", set), target, target_year, study)
    _warn_calibration([(scenario, d["calibration"])])
    return d


def _problem(factor_list):
    # SALib's keys: num_vars, names, bounds (each factor's support). SALib reads a
    # "dists" key with its own names (unif, norm, truncnorm, ...) and refuses
    # others, so banensim's distributions go under "distributions": SALib's
    # samplers take the dict as uniform on each support; banensim's own studies
    # apply the distributions.
    return {"num_vars": len(factor_list), "names": [f["key"] for f in factor_list],
            "bounds": [[f["low"], f["high"]] for f in factor_list],
            "distributions": [f["distribution"] for f in factor_list]}


def problem(scenario, *, study=None, set=None, target=None, target_year=None):
    """The factors as SALib's ``problem`` dict: num_vars, names and bounds
    (each factor's support), which SALib's samplers read as uniform; and
    ``distributions`` (banensim's: uniform, normal, triangular, log-uniform,
    discrete), which banensim's own studies apply."""
    return _problem(_factors("problem", scenario, study, set, target, target_year)["factors"])
