"""The Python module against the program: for the same seed, the same numbers.

Run under CTest (test python_module) with PYTHONPATH at the built package and
BANENSIM_BIN the program; from the source directory (the scenarios' paths).
"""

import csv
import json
import math
import os
import subprocess

import numpy as np
import pytest

import banensim

BIN = os.environ.get("BANENSIM_BIN", "build/release/apps/banensim")
SRC = os.environ.get("BANENSIM_SOURCE_DIR", ".")
SQ = os.path.join(SRC, "scenarios/status-quo.toml")
ALL3 = os.path.join(SRC, "scenarios/all-three.toml")


def cli(*args):
    r = subprocess.run([BIN, *args], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    return r.stdout


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.reader(f) if r and not r[0].startswith("#")]
    return rows[0], rows[1:]


def read_csv_text(text):
    rows = [r for r in csv.reader(text.splitlines()) if r and not r[0].startswith("#")]
    return rows[0], rows[1:]


def without_wall_time(result):
    result = dict(result)
    timing = ("wall_seconds", "assumption_sets_wall_seconds", "threads")
    result["provenance"] = {k: v for k, v in result["provenance"].items() if k not in timing}
    result.pop("samples", None)
    result.pop("reached_by_table", None)
    return result


# The three-factor study the C++ study tests read too.
STUDY = os.path.join(SRC, "tests/data/good/study-three-factors.toml")


@pytest.fixture()
def study(tmp_path):
    # The shared study with 300 paths a point, as these tests have always run it.
    with open(STUDY, encoding="utf-8") as f:
        text = f.read()
    assert "\npaths = 200\n" in text
    p = tmp_path / "study.toml"
    p.write_text(text.replace("\npaths = 200\n", "\npaths = 300\n"))
    return str(p)


def test_compare_gives_the_cli_numbers():
    py = banensim.compare([SQ, ALL3], paths=3000, seed=7, set={"quota.levy_per_job_eur": 6000}, target_year=2025,
                          threads=1)
    out = json.loads(cli("compare", SQ, ALL3, "--paths", "3000", "--seed", "7", "--set",
                         "quota.levy_per_job_eur=6000", "--target-year", "2025", "--format", "json", "--threads", "2"))
    assert without_wall_time(py) == without_wall_time(out)
    assert py["seed"] == 7
    assert py["scenarios"][0]["name"] == "status quo"
    assert py["scenarios"][0]["target_year"] == 2025
    assert 0.0 < py["scenarios"][1]["probability"] < 1.0


def test_reached_by_table_is_the_cli_csv_columns():
    # Purchase at buyer acts from 2027: alike up to 2026, a paired change after.
    buyer = os.path.join(SRC, "scenarios/purchase-at-buyer.toml")
    py = banensim.compare([SQ, buyer], paths=3000, seed=5, threads=1)["reached_by_table"]
    header, rows = None, []
    for r in csv.reader(cli("compare", SQ, buyer, "--paths", "3000", "--seed", "5", "--format", "csv").splitlines()):
        if header is None:
            header = r
        else:
            rows.append(r)
    assert len(py["scenario"]) == len(rows) == 2 * 12
    for name, column in py.items():
        cells = [r[header.index(name)] for r in rows]
        if name == "scenario":
            assert column == cells
            continue
        expected = np.array([float(c) if c else np.nan for c in cells])
        np.testing.assert_allclose(column, expected, rtol=1e-9, atol=0, equal_nan=True, err_msg=name)
    diff = py["p_reached_by_diff"]
    years = py["year"]
    option = np.array([s != "status quo" for s in py["scenario"]])
    assert np.all(np.isnan(diff[~option]))
    assert np.all(diff[option & (years <= 2026)] == 0)
    assert np.any(py["p_reached_by_diff_ci_low"][option & (years > 2026)] > 0)
    np.testing.assert_allclose(diff[option], py["p_reached_by"][option] - py["p_reached_by"][~option], atol=1e-12)
    single = banensim.run(SQ, paths=1000)["reached_by_table"]
    assert len(single["year"]) == 12 and np.all(np.isnan(single["p_reached_by_diff"]))


def test_run_per_path_samples_are_numpy_arrays_in_path_order_and_match_the_summary():
    r = banensim.run(SQ, paths=4000, seed=11, samples=["total", "reach_target"], threads=2)
    total = r["samples"]["total"]
    reach = r["samples"]["reach_target"]
    assert isinstance(total, np.ndarray) and total.shape == (4000,)
    assert set(np.unique(reach)) <= {0.0, 1.0}
    # The same numbers at another thread count, and a summary of them is the result's.
    again = banensim.run(SQ, paths=4000, seed=11, samples=["total"], threads=1)
    assert np.array_equal(total, again["samples"]["total"])
    s = r["scenarios"][0]
    assert reach.sum() == s["results"]["indicators"]["reach_target"]["successes"]
    assert reach.mean() == pytest.approx(s["probability"], abs=1e-12)


def test_compare_samples_are_paired_per_path():
    c = banensim.compare([SQ, SQ], paths=1000, seed=3, samples=["total"])
    t = c["samples"]["total"]
    assert t.shape == (2, 1000)
    assert np.array_equal(t[0], t[1])  # the same scenario on common random numbers


def test_sobol_study_gives_the_cli_indices(study, tmp_path):
    out = tmp_path / "sobol.csv"
    cli("sensitivity", SQ, "--study", study, "--set", "quota.levy_per_job_eur=6000", "--target-year", "2025",
        "--out", str(out), "--threads", "2")
    names, rows = read_csv(str(tmp_path / "sobol.indices.csv"))
    assert names == ["output", "factor", "S1", "S1_conf", "ST", "ST_conf", "seed", "resolved_hash", "identity_hash"]
    py = banensim.sensitivity(SQ, study=study, set={"quota.levy_per_job_eur": 6000}, target_year=2025, threads=1)
    ix = py["indices"]
    assert list(ix) == names
    assert ix["factor"] == [r[1] for r in rows]
    for j, name in enumerate(names[2:7], start=2):
        assert np.array_equal(ix[name], np.array([float(r[j]) for r in rows])), name
    # The same computation, named the same way: the hashes are text, equal to the file's.
    assert ix["resolved_hash"] == [r[7] for r in rows] and ix["identity_hash"] == [r[8] for r in rows]
    # The design rows are the result file's, cell for cell.
    file_names, file_rows = read_csv(str(out))
    assert list(py["rows"]) == file_names[:-1]  # without the check column
    assert np.array_equal(py["rows"]["p_reach"], np.array([float(r[file_names.index("p_reach")]) for r in file_rows]))
    assert py["problem"]["names"] == ["supply.max_working_share", "quota.bonus_per_job_eur", "quota.response_max"]
    assert [f["distribution"] for f in py["factors"]] == ["normal", "discrete", "log-uniform"]
    assert py["svg"].startswith("<svg") or "<svg" in py["svg"]


def test_sensitivity_out_writes_the_cli_indices_files(study, tmp_path):
    # `banensim sensitivity --out FILE` writes FILE.indices.csv and, with second
    # order, FILE.s2.csv beside the rows; sensitivity(out=FILE) the same bytes.
    (tmp_path / "cli").mkdir()
    (tmp_path / "py").mkdir()
    cli("sensitivity", SQ, "--study", study, "--second-order", "--seed", "5", "--out",
        str(tmp_path / "cli" / "s.csv"), "--threads", "2")
    py = banensim.sensitivity(SQ, study=study, second_order=True, seed=5, out=str(tmp_path / "py" / "s.csv"),
                              threads=1)
    assert py["files"] == [str(tmp_path / "py" / "s.indices.csv"), str(tmp_path / "py" / "s.s2.csv")]
    for name in ("s.indices.csv", "s.s2.csv"):
        written = (tmp_path / "py" / name).read_bytes()
        assert written == (tmp_path / "cli" / name).read_bytes(), name
        assert len(written.splitlines()) > 1, name  # a header and rows
    assert (tmp_path / "py" / "s.indices.csv").read_text().startswith(
        "output,factor,S1,S1_conf,ST,ST_conf,seed,resolved_hash,identity_hash\n")
    # Without second order only the indices, as the program.
    m = banensim.sensitivity(SQ, study=study, method="morris", samples=4, out=str(tmp_path / "py" / "m"), threads=1)
    assert m["files"] == [str(tmp_path / "py" / "m.indices.csv")]
    assert not (tmp_path / "py" / "m.s2.csv").exists()


def test_discover_out_writes_the_cli_trajectory_file(study, tmp_path):
    # `banensim discover --out FILE` writes FILE.trajectory.csv beside the rows;
    # discover(out=FILE) the same bytes, for the same study and seed.
    (tmp_path / "cli").mkdir()
    (tmp_path / "py").mkdir()
    cli("discover", SQ, "--study", study, "--samples", "32", "--threshold", "0.3", "--target-year", "2029", "--seed",
        "5", "--out", str(tmp_path / "cli" / "d.csv"), "--threads", "2")
    py = banensim.discover(SQ, study=study, samples=32, threshold=0.3, target_year=2029, seed=5,
                           out=str(tmp_path / "py" / "d.csv"), threads=1)
    assert py["boxes"], py["stop"]
    assert py["files"] == [str(tmp_path / "py" / "d.trajectory.csv")]
    written = (tmp_path / "py" / "d.trajectory.csv").read_bytes()
    assert written == (tmp_path / "cli" / "d.trajectory.csv").read_bytes()
    assert written.decode().startswith("search,box,phase,shown,coverage,density,mass,")
    assert len(written.splitlines()) > 2  # a header, the whole design and at least one peeled box
    # Without out, nothing is written and no file is named.
    assert banensim.discover(SQ, study=study, samples=32, threshold=0.3, target_year=2029, seed=5)["files"] == []


def test_discover_design_lhs_gives_the_cli_rows(study, tmp_path):
    # design="lhs", as `banensim discover --design lhs`: the same rows, a Latin
    # hypercube (each factor's u = F(x) one per stratum of 1/n), named so in the header.
    out = tmp_path / "lhs.csv"
    cli("discover", SQ, "--study", study, "--samples", "16", "--threshold", "0.3", "--target-year", "2029",
        "--design", "lhs", "--out", str(out), "--threads", "2")
    py = banensim.discover(SQ, study=study, samples=16, threshold=0.3, target_year=2029, design="lhs", threads=1)
    assert "; design latin_hypercube points 16; " in py["provenance"].splitlines()[0]
    names, rows = read_csv(str(out))
    for key in py["problem"]["names"]:
        assert np.array_equal(py["rows"][key], np.array([float(r[names.index(key)]) for r in rows])), key
    x = py["rows"]["quota.response_max"]  # log-uniform on its support: u = log(x / low) / log(high / low)
    f = next(f for f in py["factors"] if f["key"] == "quota.response_max")
    u = np.log(x / f["low"]) / np.log(f["high"] / f["low"])
    assert sorted(np.floor(u * 16).astype(int)) == list(range(16))
    with pytest.raises(banensim.InputError, match="design 'latin' \\(--design\\): must be sobol, lhs or monte_carlo"):
        banensim.discover(SQ, study=study, samples=16, design="latin")
    with pytest.raises(TypeError, match="design must be a str"):
        banensim.discover(SQ, study=study, samples=16, design=1)
    c = banensim.compare([SQ, SQ], assumptions=4, paths=200, design="monte_carlo", study=study)
    assert c["assumptions"]["design"] == "monte_carlo points 4"
    # sweep(samples=N, design=...), as `banensim sweep --samples N --design ...`: the same rows.
    cli("sweep", SQ, "--study", study, "--samples", "8", "--design", "lhs", "--out", str(tmp_path / "sw.csv"))
    sw = banensim.sweep(SQ, study=study, samples=8, design="lhs", threads=1)
    names, rows = read_csv(str(tmp_path / "sw.csv"))
    for key in ("quota.response_max", "p_reach", "total_mean"):
        assert np.array_equal(sw["rows"][key], np.array([float(r[names.index(key)]) for r in rows])), key
    with pytest.raises(banensim.InputError, match="design needs samples=N"):
        banensim.sweep(SQ, {"supply.shape": [1, 2]}, design="lhs")


def test_evaluate_runs_any_samplers_points_as_sweep_points_does(tmp_path):
    # SALib's workflow: problem() -> your sampler's X -> evaluate() -> Y. The
    # rows equal `banensim sweep --points FILE` on the same points, cell for cell.
    p = banensim.problem(SQ)
    lo = np.array([b[0] for b in p["bounds"]])
    hi = np.array([b[1] for b in p["bounds"]])
    X = lo + np.random.default_rng(5).random((5, p["num_vars"])) * (hi - lo)
    r = banensim.evaluate(SQ, X, p["names"], paths=400, threads=1)
    assert len(r["rows"]["p_reach"]) == 5
    for k, name in enumerate(p["names"]):
        assert np.array_equal(r["rows"][name], X[:, k]), name  # the values as given (shortest round trip)
    points = tmp_path / "points.csv"
    lines = [",".join(p["names"])] + [",".join(repr(float(v)) for v in row) for row in X]
    points.write_text("\n".join(lines) + "\n")
    cli("sweep", SQ, "--points", str(points), "--paths", "400", "--out", str(tmp_path / "given.csv"))
    names, rows = read_csv(str(tmp_path / "given.csv"))
    for col in ("p_reach", "total_p50", "charge_mean_eur"):
        assert np.array_equal(r["rows"][col], np.array([float(row[names.index(col)]) for row in rows])), col
    # A bad value names the row, the key, the value and the constraint; shapes are checked first.
    with pytest.raises(banensim.InputError, match=r"X\[1\] \(point 1\): key 'supply.shape' = 20.0: must be in"):
        banensim.evaluate(SQ, [[2.0], [20.0]], ["supply.shape"], paths=100)
    with pytest.raises(banensim.InputError, match=r"X\[0\] has 2 values for 1 names"):
        banensim.evaluate(SQ, [[2.0, 3.0]], ["supply.shape"], paths=100)
    with pytest.raises(TypeError, match=r"X\[0\] must be a row of values"):
        banensim.evaluate(SQ, [2.0, 3.0], ["supply.shape"], paths=100)
    with pytest.raises(banensim.InputError, match="X has no rows"):
        banensim.evaluate(SQ, [], ["supply.shape"], paths=100)
    with pytest.raises(banensim.InputError, match="names is missing"):
        banensim.evaluate(SQ, [[2.0]], paths=100)


def test_evaluate_takes_a_dataframe_whose_columns_are_the_keys():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"supply.shape": [1.5, 3.0], "quota.bonus_per_job_eur": [1000, 4000]})
    a = banensim.evaluate(SQ, df, paths=300, threads=1)
    b = banensim.evaluate(SQ, [[1.5, 1000], [3.0, 4000]], ["supply.shape", "quota.bonus_per_job_eur"], paths=300)
    for col in ("supply.shape", "quota.bonus_per_job_eur", "p_reach", "total_p50"):
        assert np.array_equal(a["rows"][col], b["rows"][col]), col


def test_evaluate_takes_a_dataframes_columns_by_name_when_names_are_given():
    # names select the DataFrame's columns by name, in the order of names -- never by position.
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"cycle.sd": [0.3, 0.2], "supply.max_working_share": [0.9, 0.8]})
    names = ["supply.max_working_share", "cycle.sd"]
    by_name = banensim.evaluate(SQ, df, names, paths=200, threads=1)["rows"]
    as_keys = banensim.evaluate(SQ, df, paths=200, threads=1)["rows"]
    for rows in (by_name, as_keys):
        assert np.array_equal(rows["cycle.sd"], [0.3, 0.2])
        assert np.array_equal(rows["supply.max_working_share"], [0.9, 0.8])
    for col in ("p_reach", "total_p50"):
        assert np.array_equal(by_name[col], as_keys[col]), col
    # A subset of the columns, and an array's names stay positional.
    one = banensim.evaluate(SQ, df, ["supply.max_working_share"], paths=200, threads=1)["rows"]
    assert "cycle.sd" not in one and np.array_equal(one["supply.max_working_share"], [0.9, 0.8])
    arr = banensim.evaluate(SQ, df.to_numpy(), names, paths=200, threads=1)["rows"]
    assert np.array_equal(arr["supply.max_working_share"], [0.3, 0.2])
    assert np.array_equal(arr["cycle.sd"], [0.9, 0.8])
    with pytest.raises(banensim.InputError, match=r"evaluate: names 'supply\.shape': not a column of the DataFrame X "
                                                  r"\(its columns: 'cycle\.sd', 'supply\.max_working_share'\)"):
        banensim.evaluate(SQ, df, ["cycle.sd", "supply.shape"], paths=200)
    with pytest.raises(ValueError, match="not a column"):
        banensim.evaluate(SQ, df, ["cycle_sd"], paths=200)


def test_evaluate_says_its_own_errors():
    # evaluate's words (names, paths=), not sweep's options (--paths).
    with pytest.raises(banensim.InputError, match=r"^evaluate: names: cycle\.sd is given more than once$"):
        banensim.evaluate(SQ, [[0.3, 0.4]], ["cycle.sd", "cycle.sd"], paths=50)
    with pytest.raises(banensim.InputError, match=r"^evaluate: names: simulation\.paths: .*give paths=N$"):
        banensim.evaluate(SQ, [[100]], ["simulation.paths"], paths=50)


@pytest.mark.parametrize("seed", [2**64 - 1, 2**63 + 12345])
def test_seed_columns_are_exact_to_2_to_the_64(tmp_path, seed):
    # A seed above 2^53 is kept digit for digit (a uint64 column), as the program's files keep it.
    ev = banensim.evaluate(SQ, [[0.3], [0.2]], ["cycle.sd"], paths=50, seed=seed, out=str(tmp_path / "e.csv"))
    names, rows = read_csv(str(tmp_path / "e.csv"))
    assert [r[names.index("seed")] for r in rows] == [str(seed)] * 2
    sw = banensim.sweep(SQ, {"cycle.sd": [0.2, 0.3]}, paths=50, seed=seed)
    s = banensim.sensitivity(SQ, method="sobol", samples=4, paths=50, seed=seed)
    d = banensim.discover(SQ, samples=32, threshold=0.3, target_year=2029, paths=50, seed=seed)
    c = banensim.compare([SQ, ALL3], assumptions=2, paths=50, seed=seed)
    b = banensim.backtest(SQ, fit_until=2019, paths=50, seed=seed)
    tables = {"evaluate rows": ev["rows"], "sweep rows": sw["rows"], "sensitivity indices": s["indices"],
              "sensitivity rows": s["rows"], "discover trajectory": d["trajectory"], "discover rows": d["rows"],
              "compare sets": c["sets"], "compare options_table": c["options_table"],
              "backtest forecasts_table": b["forecasts_table"], "backtest summary_table": b["summary_table"]}
    for what, table in tables.items():
        column = table["seed"]
        assert isinstance(column, np.ndarray) and column.dtype == np.uint64, what
        assert len(column) > 0 and [int(v) for v in column] == [seed] * len(column), what
    try:
        import pandas  # noqa: F401  (to_frame needs it)
    except ImportError:
        return
    f = banensim.to_frame(s["indices"])
    assert f["seed"].dtype == np.uint64 and int(f["seed"].iloc[0]) == seed


def test_morris_and_prim_from_a_study_file(study):
    m = banensim.morris(SQ, study=study, samples=6)
    assert list(m["indices"]) == ["output", "factor", "mu", "mu_star", "mu_star_conf", "sigma", "seed",
                                  "resolved_hash", "identity_hash"]
    assert np.all(m["indices"]["mu_star"] >= np.abs(m["indices"]["mu"]) - 1e-12)
    d = banensim.discover(SQ, study=study, samples=64, threshold=0.3, target_year=2029)  # P(reach) near 0.6
    assert d["boxes"], d["stop"]
    box = d["boxes"][0]
    # The box recounts exactly from its own rows: bounds are design values.
    rows = d["rows"]
    inside = np.ones(len(rows["row"]), dtype=bool)
    for key, lim in box["limits"].items():
        inside &= (rows[key] >= lim["low"]) & (rows[key] <= lim["high"])
    assert inside.sum() == box["n_inside"]
    assert (inside & d["of_interest"]).sum() == box["n_interest_inside"]
    assert box["coverage"] == box["n_interest_inside"] / d["n_interest"]
    assert box["density"] == box["n_interest_inside"] / box["n_inside"]
    t = d["trajectory"]
    assert {"coverage", "density", "mass", "phase"} <= set(t)


def test_pandas_frames_when_pandas_is_installed(study):
    pd = pytest.importorskip("pandas")
    m = banensim.morris(SQ, study=study, samples=4)
    f = banensim.to_frame(m["indices"])
    assert isinstance(f, pd.DataFrame)
    assert list(f.columns) == ["output", "factor", "mu", "mu_star", "mu_star_conf", "sigma", "seed", "resolved_hash",
                               "identity_hash"]
    assert len(f) == 2 * 3


def test_default_factors_leave_out_switched_off_levers_and_say_why():
    f = banensim.factors(SQ)
    keys = [x["key"] for x in f["factors"]]
    assert "supply.max_working_share" in keys
    assert not any(k.startswith(("policy.purchase_at_buyer.", "policy.exclude_security.")) for k in keys)
    assert "policy.abolish_split.friction_gain" in keys  # acts whenever the targets are national (the law from 2026)
    assert any("switches off" in n for n in f["notes"])
    on = banensim.factors(SQ, set={"policy.purchase_at_buyer.enabled": True, "policy.purchase_at_buyer.year": 2027})
    assert any(k["key"].startswith("policy.purchase_at_buyer.") for k in on["factors"])


def test_sweep_rows(tmp_path):
    values = np.array([0.6, 0.9])  # NumPy numbers are values too
    s = banensim.sweep(SQ, {"supply.max_working_share": values}, paths=500, out=str(tmp_path / "w.csv"))
    assert list(s["rows"]["supply.max_working_share"]) == [0.6, 0.9]
    assert s["rows"]["p_reach"][0] <= s["rows"]["p_reach"][1]


def test_sweep_records_p_reached_by_year():
    # P(reached by 2030) as a study output: at the scenario's own target it is
    # run's figure; a lower target is reached by then on every path it was
    # (common random numbers), so never less often.
    s = banensim.sweep(SQ, {"target.total_jobs": [125000, 110000]}, paths=2000,
                       outputs=["p_reached_by@2030", "first_year_reached_cdf@2028"])
    rows = s["rows"]
    assert {"p_reached_by@2030", "p_reached_by@2030_ci_low", "p_reached_by@2030_ci_high",
            "first_year_reached_cdf@2028"} <= set(rows)
    by = banensim.run(SQ, paths=2000)["reached_by_table"]
    at = {int(y): i for i, y in enumerate(by["year"])}
    assert rows["p_reached_by@2030"][0] == by["p_reached_by"][at[2030]]
    assert rows["p_reached_by@2030_ci_low"][0] == by["p_reached_by_ci_low"][at[2030]]
    assert rows["first_year_reached_cdf@2028"][0] == by["p_reached_by"][at[2028]]
    assert rows["p_reached_by@2030"][1] > rows["p_reached_by@2030"][0]
    for bad, why in (("p_reached_by@2040", "range 2024-2035"), ("first_year_reached_cdf", "needs @VALUE"),
                     ("p_reached_by@20x0", "whole number"), ("quota_charge_total_eur_cdf@5", "not a whole-number")):
        with pytest.raises(banensim.InputError, match=why):
            banensim.sweep(SQ, {"target.total_jobs": [125000]}, paths=100, outputs=[bad])


def test_compare_variants_are_the_programs_variants():
    variants = {"levy2": (SQ, {"quota.levy_per_job_eur": 10000, "quota.response_max": 0.2})}
    py = banensim.compare([SQ], variants=variants, paths=2000, seed=9, threads=1, samples=["quota_charge_total_eur"])
    out = json.loads(cli("compare", SQ, "--variant", f"levy2={SQ} quota.levy_per_job_eur=10000 quota.response_max=0.2",
                         "--paths", "2000", "--seed", "9", "--format", "json"))
    charge = py["samples"]["quota_charge_total_eur"]
    assert without_wall_time(py) == without_wall_time(out)
    assert [s["name"] for s in py["scenarios"]] == ["status quo", "levy2"]
    assert charge.shape == (2, 2000) and not np.array_equal(charge[0], charge[1])
    # Only variants: the first is the reference.
    two = banensim.compare([], variants={"a": (SQ, {}), "b": (SQ, {"quota.response_max": 0.2})}, paths=500)
    assert [s["name"] for s in two["scenarios"]] == ["a", "b"]


def test_compare_bad_variants_are_input_or_type_errors():
    for variants, message in (({"bad,name": (SQ, {})}, "may hold only"),
                              ({"status quo": (SQ, {})}, "may hold only"),
                              ({"x": (SQ, {"quota.response_max": 7})}, "quota.response_max"),
                              ({"x": (SQ, {"no.such_key": 1})}, "no.such_key")):
        with pytest.raises(banensim.InputError, match=message):
            banensim.compare([SQ], variants=variants, paths=100)
    # A variant of the wrong shape is a wrong type, as every other argument's.
    for variants in ({"x": SQ}, {"x": (SQ,)}, {"x": (1, {})}):
        with pytest.raises(TypeError, match="must be \\(scenario file"):
            banensim.compare([SQ], variants=variants, paths=100)
    with pytest.raises(banensim.InputError, match="at least two options"):
        banensim.compare([], variants={"x": (SQ, {})}, paths=100)


def test_backtest_gives_the_cli_numbers_and_tables(tmp_path):
    py = banensim.backtest(SQ, rolling=(2019, 2021), paths=3000, seed=5, threads=1)
    out = json.loads(cli("backtest", SQ, "--rolling", "2019:2021", "--paths", "3000", "--seed", "5", "--format", "json",
                         "--threads", "2"))
    tables = {k: py.pop(k + "_table") for k in ("forecasts", "summary")}
    assert without_wall_time(py) == without_wall_time(out)
    # The tables are the program's CSV files, cell for cell.
    cli("backtest", SQ, "--rolling", "2019:2021", "--paths", "3000", "--seed", "5", "--format", "csv",
        "--out", str(tmp_path / "b.csv"))
    for name, path in (("forecasts", tmp_path / "b.csv"), ("summary", tmp_path / "b.summary.csv")):
        header, rows = read_csv(path)
        assert list(tables[name]) == header
        for j, column in enumerate(header):
            cells = [r[j] for r in rows]
            got = tables[name][column]
            if isinstance(got, list):
                assert got == cells, column
            else:
                assert np.array_equal(got, np.array([float(c) for c in cells]), equal_nan=True), column
    # 3 origins x 3 series, each scoring the years after it up to 2023: 4 + 3 + 2 years.
    assert len(tables["forecasts"]["year"]) == 3 * (4 + 3 + 2)
    assert list(tables["summary"]["series"]) == ["total", "market", "government"]
    one = banensim.backtest(SQ, fit_until=2021, paths=3000, seed=5)
    assert one["origins"] == [2021, 2021] and set(one["forecasts_table"]["origin"]) == {2021.0}
    # What each row was computed from, as text: the file, and the hash of the scenario as run from its origin.
    assert set(one["forecasts_table"]["resolved_hash"]) == {one["forecasts"][0]["resolved_hash"]}
    assert set(one["forecasts_table"]["file"]) == {SQ} and one["summary_table"]["file"] == [SQ] * 3
    # ... even a hash that would read as a number.
    columns = banensim._columns(["resolved_hash", "x"], [["1234567890123e45", "1e3"]])
    assert columns["resolved_hash"] == ["1234567890123e45"] and columns["x"].tolist() == [1000.0]


def test_backtest_bad_origins_are_input_or_type_errors():
    for kwargs, message in ((dict(fit_until=2023), "fit_until 2023: must be before the last observed year"),
                            (dict(rolling=(2010, 2016)), "rolling 2010:2016: FROM 2010: .* starts in 2015"),
                            (dict(rolling=(2016, 2030)), "rolling 2016:2030: TO 2030: must be before the last"),
                            (dict(rolling=(2019, 2017)), "TO must not be before FROM"),
                            (dict(), "give one of fit_until"),
                            (dict(fit_until=2019, rolling=(2019, 2020)), "give one of fit_until")):
        with pytest.raises(banensim.InputError, match=message):
            banensim.backtest(SQ, paths=100, **kwargs)
    # Origins of the wrong type are wrong types.
    for kwargs, message in ((dict(rolling=2019), "must be \\(FROM, TO\\)"),
                            (dict(fit_until=2019.5), "must be a year \\(a whole number\\)"),
                            (dict(rolling=(2019, "2020")), "must be a year")):
        with pytest.raises(TypeError, match=message):
            banensim.backtest(SQ, paths=100, **kwargs)
    with pytest.raises(TypeError, match="fit_until 2020.0: must be a year \\(a whole number\\)"):
        banensim.calibrate(SQ, fit_until=2020.0)
    with pytest.raises(banensim.InputError, match="fit_until 2012: must be a year from 2013 to 2100"):
        banensim.calibrate(SQ, fit_until=2012)


def test_compare_across_assumptions_gives_the_cli_numbers_and_rows(tmp_path):
    args = dict(assumptions=5, paths=1000, seed=3, threads=1)
    py = banensim.compare([SQ, ALL3], rows=str(tmp_path / "py.csv"), **args)
    out = json.loads(cli("compare", SQ, ALL3, "--assumptions", "5", "--paths", "1000", "--seed", "3", "--format",
                         "json", "--rows", str(tmp_path / "cli.csv")))
    sets = py.pop("sets")
    factors = py.pop("factors")
    notes = py.pop("notes")
    options = py.pop("options_table")
    drivers = py.pop("drivers_table")
    assert without_wall_time(py) == without_wall_time(out)
    # The drivers' table is the JSON's drivers, one row per option (the reference has none), figure and factor.
    n_factors = len(factors)
    assert len(drivers["key"]) == 1 * 2 * n_factors
    assert drivers["option"] == [out["assumptions"]["options"][1]["name"]] * (2 * n_factors)
    assert set(drivers["figure"]) == {"p_reach", "p_reached_by_2030"}
    last = out["assumptions"]["options"][1]["by_year"]["drivers"]
    assert drivers["key"][-n_factors:] == [d["key"] for d in last]
    assert np.array_equal(drivers["prcc"][-n_factors:],
                          np.array([np.nan if d["prcc"] is None else d["prcc"] for d in last]), equal_nan=True)
    assert list(drivers["in_words"][-n_factors:]) == [d["in_words"] for d in last]
    # The options' table is the CLI's --format csv, column for column.
    header, rows = read_csv_text(cli("compare", SQ, ALL3, "--assumptions", "5", "--paths", "1000", "--seed", "3",
                                     "--format", "csv"))
    assert list(options) == header and len(rows) == 2
    assert list(options["option"]) == [r[0] for r in rows]
    assert np.array_equal(options["p_reached_by_diff_median"][1:],
                          np.array([float(r[header.index("p_reached_by_diff_median")]) for r in rows[1:]]))
    assert py["assumptions"]["sets"] == 5
    # The sets' table is the rows file, and both rows files are the same bytes.
    assert (tmp_path / "py.csv").read_bytes() == (tmp_path / "cli.csv").read_bytes()
    header, rows = read_csv(tmp_path / "py.csv")
    assert header[-1] == "check"  # the file's row checksum (docs/OUTPUT.md), not a figure
    assert list(sets) == header[:-1] and len(rows) == 5
    assert np.array_equal(sets["s1_diff"], np.array([float(r[header.index("s1_diff")]) for r in rows]))
    # By when: each set's P(reached by the target year + 4) difference, summarised under by_year.
    by = py["assumptions"]["options"][1]["by_year"]
    assert py["assumptions"]["by_year"] == 2030
    assert by["difference"]["median"] == pytest.approx(np.quantile(sets["s1_diff_by"], 0.5), rel=1e-12)
    assert by["difference"]["max"] == pytest.approx(sets["s1_diff_by"].max(), rel=1e-12)
    assert [f["key"] for f in factors] == [f for f in header if "." in f]
    assert all(isinstance(n, str) for n in notes)


def test_compare_across_assumptions_refuses_what_the_program_refuses(tmp_path):
    with pytest.raises(banensim.InputError, match="precision and assumptions conflict"):
        banensim.compare([SQ, ALL3], assumptions=4, precision=0.01)
    with pytest.raises(banensim.InputError, match="rows needs assumptions"):
        banensim.compare([SQ, ALL3], rows=str(tmp_path / "r.csv"))
    with pytest.raises(banensim.InputError, match="assumptions 1 \\(--assumptions\\): must be from 2 to 100000"):
        banensim.compare([SQ, ALL3], assumptions=1, paths=100)
    # The rows file may not be one of the inputs (here the reference scenario itself).
    with pytest.raises(banensim.InputError, match="rows"):
        banensim.compare([SQ, ALL3], assumptions=4, paths=100, rows=SQ)


def test_bad_input_is_an_input_error_naming_the_problem(tmp_path):
    with pytest.raises(banensim.InputError, match="quota.response_max"):
        banensim.run(SQ, paths=100, set={"quota.response_max": 7})
    bad = tmp_path / "bad.toml"
    bad.write_text('[[factors]]\nkey = "supply.max_working_share"\ndistribution = "gamma"\n')
    with pytest.raises(banensim.InputError, match="distribution"):
        banensim.sobol(SQ, study=str(bad), samples=4)
    assert isinstance(banensim.InputError("x"), ValueError)


def test_settings_out_of_the_programs_ranges_are_input_errors():
    # As the program refuses them (exit 2), not run on: paths=0 gave a backtest 0% coverage, precision=0 ran
    # to max_paths, resume=True without a file did nothing.
    ks = os.path.join(SRC, "scenarios/keep-split.toml")
    cases = [
        (lambda: banensim.run(SQ, paths=0), "paths 0 \\(--paths\\): must be from 1 to"),
        (lambda: banensim.run(SQ, paths=100, precision=0), "precision 0 \\(--precision\\)"),
        (lambda: banensim.run(SQ, paths=100, threads=100000), "threads 100000"),
        (lambda: banensim.backtest(SQ, fit_until=2019, paths=0), "paths 0"),
        (lambda: banensim.compare([SQ, ks], assumptions=4, paths=100, min_density=2), "min_density 2"),
        (lambda: banensim.discover(SQ, samples=8, paths=100, boxes=0), "boxes 0"),
        (lambda: banensim.sobol(SQ, samples=4, paths=100, resume=True), "resume=True needs out="),
        (lambda: banensim.sweep(SQ, {"cycle.sd": [0.1, 0.2]}, paths=100, resume=True), "resume=True needs out="),
        (lambda: banensim.compare([SQ, ks], assumptions=4, paths=100, resume=True), "resume=True needs rows="),
    ]
    for call, message in cases:
        with pytest.raises(banensim.InputError, match=message):
            call()
    with pytest.raises(TypeError, match="paths must be a whole number"):
        banensim.run(SQ, paths=100.0)


def test_a_string_where_a_list_is_due_is_one_name_or_refused_not_split_into_characters():
    # samples and outputs take one name as a string; it used to be split ("t", "o", ...: unknown sample 't').
    one = banensim.run(SQ, paths=100, samples="total")
    assert list(one["samples"]) == ["total"] and len(one["samples"]["total"]) == 100
    assert np.array_equal(one["samples"]["total"], banensim.run(SQ, paths=100, samples=["total"])["samples"]["total"])
    ks = os.path.join(SRC, "scenarios/keep-split.toml")
    assert list(banensim.compare([SQ, ks], paths=100, samples="total")["samples"]) == ["total"]
    s = banensim.sobol(SQ, study=STUDY, samples=2, paths=50, outputs="p_reach")
    assert set(s["indices"]["output"]) == {"p_reach"}
    w = banensim.sweep(SQ, {"cycle.sd": [0.1]}, paths=50, outputs="p_reach")
    assert "p_reach" in w["rows"] and len(w["rows"]["p_reach"]) == 1
    # Files and a sweep's values must be a list: one file is no comparison, and a sweep over "abc" ran the values
    # "a", "b" and "c".
    refused = [
        (lambda: banensim.compare(SQ, paths=100), "compare: scenarios must be a list of scenario files, not a string"),
        (lambda: banensim.sweep(SQ, {"scenario.name": "abc"}, paths=50),
         "sweep: keys\\['scenario.name'\\] must be a list of values, not a string"),
        (lambda: banensim.sweep(SQ, {"cycle.sd": 0.1}, paths=50),
         "sweep: keys\\['cycle.sd'\\] must be a list of values, not float"),
        (lambda: banensim.run(SQ, paths=100, samples=["total", 3]),
         "run: samples\\[1\\] must be a name \\(a str\\), not int"),
        (lambda: banensim.morris(SQ, samples=2, paths=50, outputs={"p_reach": 1}),
         "sensitivity: outputs must be a list of names, not dict"),
    ]
    for call, message in refused:
        with pytest.raises(TypeError, match=message):
            call()


def test_a_wrong_type_is_a_short_type_error_naming_the_parameter_not_the_cores_signature():
    # These reached the core, whose TypeError listed all its argument types and the values it was called with
    # ("run(): incompatible function arguments. The following argument types are supported: ..."), or a cast
    # error naming no parameter; resume="no" was taken as a resume.
    import pathlib
    ks = os.path.join(SRC, "scenarios/keep-split.toml")
    cases = [
        (lambda: banensim.run(3, paths=100),
         "run: scenario must be a file name \\(a str or a pathlib.Path\\), not int"),
        (lambda: banensim.run(SQ, paths=100, seed=1.5), "run: seed must be a whole number, not float"),
        (lambda: banensim.run(SQ, paths=100, set=["cycle.sd"]),
         "run: set must be a dict of scenario keys and values, not list"),
        (lambda: banensim.run(SQ, paths=100, set={1: 2}), "run: set: the key 1 must be a scenario key \\(a str\\)"),
        (lambda: banensim.run(SQ, paths=100, set={"cycle.sd": [0.1]}),
         "run: set\\['cycle.sd'\\] must be a number, a bool or a string, not list"),
        (lambda: banensim.run(SQ, paths=100, target=[1]), "run: target must be a number, a bool or a string, not list"),
        (lambda: banensim.compare([SQ, 5], paths=100), "compare: scenarios\\[1\\] must be a file name"),
        (lambda: banensim.compare([SQ, ks], assumptions=2.5, paths=100), "compare: assumptions must be a whole number"),
        (lambda: banensim.compare([SQ], variants={"v": (SQ, {"cycle.sd": None})}, paths=100),
         "compare: variants\\['v'\\]\\['cycle.sd'\\] must be a number, a bool or a string, not NoneType"),
        (lambda: banensim.compare([SQ], variants=[("v", SQ, {})], paths=100), "compare: variants must be a dict"),
        (lambda: banensim.backtest(SQ, fit_until=2020, paths=100, seed="7"), "backtest: seed must be a whole number"),
        (lambda: banensim.calibrate(SQ, history=5), "calibrate: history must be a file name"),
        (lambda: banensim.sobol(SQ, study=3, samples=2, paths=50), "sensitivity: study must be a file name"),
        (lambda: banensim.sobol(SQ, study=STUDY, samples=2.5, paths=50), "sensitivity: samples must be a whole number"),
        (lambda: banensim.sobol(SQ, study=STUDY, samples=2, paths=50, second_order="no"),
         "sensitivity: second_order must be True or False, not str"),
        (lambda: banensim.sensitivity(SQ, method=1, samples=2, paths=50), "sensitivity: method must be a str"),
        (lambda: banensim.discover(SQ, study=STUDY, samples=8, paths=50, threshold="0.5"),
         "discover: threshold must be a number, not str"),
        (lambda: banensim.sweep(SQ, ["cycle.sd"], paths=50), "sweep: keys must be a dict"),
        (lambda: banensim.sweep(SQ, {"cycle.sd": [0.1]}, paths=50, out=7), "sweep: out must be a file name"),
        (lambda: banensim.sweep(SQ, {"cycle.sd": [0.1]}, paths=50, one_at_a_time="yes"),
         "sweep: one_at_a_time must be True or False, not str"),
        (lambda: banensim.sweep(SQ, {"cycle.sd": [0.1]}, paths=50, out=None, resume="no"),
         "sweep: resume must be True or False, not str"),
        (lambda: banensim.factors(SQ, study=3.0), "factors: study must be a file name"),
        (lambda: banensim.problem(SQ, set="cycle.sd=0.1"), "problem: set must be a dict"),
    ]
    for call, message in cases:
        with pytest.raises(TypeError, match=message) as e:
            call()
        assert "\n" not in str(e.value) and "incompatible function arguments" not in str(e.value), str(e.value)
    # Out of range rather than of the wrong type: the program's range, as for paths.
    with pytest.raises(banensim.InputError, match="run: seed -1 \\(--seed\\): must be from 0 to 18446744073709551615"):
        banensim.run(SQ, paths=100, seed=-1)
    with pytest.raises(banensim.InputError, match="discover: threshold nan \\(--threshold\\): must be a finite number"):
        banensim.discover(SQ, study=STUDY, samples=8, paths=50, threshold=float("nan"))
    # A pathlib.Path is a file name, and a NumPy year a year.
    assert banensim.run(pathlib.Path(SQ), paths=100)["scenarios"][0]["probability"] == \
        banensim.run(SQ, paths=100)["scenarios"][0]["probability"]
    by_path = banensim.factors(pathlib.Path(SQ), study=pathlib.Path(STUDY))
    assert by_path["factors"] == banensim.factors(SQ, study=STUDY)["factors"] and len(by_path["factors"]) == 3
    assert banensim.calibrate(SQ, fit_until=np.int64(2020))["last_year"] == 2020


def test_ctrl_c_stops_a_run_and_raises_keyboard_interrupt():
    import signal
    import threading
    import time
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        banensim.run(SQ, paths=50_000_000, threads=1)
    timer.cancel()
    assert time.monotonic() - start < 30  # stopped at a block, not after 5e7 paths


def newer_measurement(tmp_path):
    """A copy of the scenarios whose data have a 2024 measurement their calibrated keys leave out."""
    import shutil
    shutil.copytree(os.path.join(SRC, "scenarios"), tmp_path / "scenarios")
    shutil.copytree(os.path.join(SRC, "data"), tmp_path / "data")
    with open(tmp_path / "data" / "monitor-history.csv", "a", encoding="utf-8") as f:
        f.write("2024,80000,25000,77000,12000,89000,test\n")
    return str(tmp_path / "scenarios" / "status-quo.toml"), str(tmp_path / "scenarios" / "keep-split.toml")


def test_a_newer_measurement_runs_with_a_calibration_warning(tmp_path):
    import warnings
    newer_measurement(tmp_path)
    with pytest.warns(banensim.CalibrationWarning, match="leave out 2024"):
        r = banensim.run(str(tmp_path / "scenarios" / "status-quo.toml"), paths=200)
    assert r["scenarios"][0]["origin_year"] == 2024
    assert r["scenarios"][0]["calibration"]["fit_year"] == 2023
    assert "leave out 2024" in r["scenarios"][0]["calibration"]["mismatch"]
    # The shipped scenarios are stamped with their own data: no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error", banensim.CalibrationWarning)
        r = banensim.run(SQ, paths=200)
    assert r["scenarios"][0]["calibration"]["mismatch"] is None


def test_every_entry_point_that_loads_a_scenario_warns_of_its_calibration_at_the_callers_line(tmp_path):
    # As the program warns (docs/MODEL.md section 7: every command that loads a scenario but calibrate and
    # backtest, which calibrate themselves), attributed to the line that called banensim -- not to a line of
    # the package (run's pointed one frame short, at run() itself; sobol, discover and sweep did not warn).
    import warnings
    sq, ks = newer_measurement(tmp_path)
    calls = [
        lambda: banensim.run(sq, paths=100),
        lambda: banensim.compare([sq, ks], paths=100),
        lambda: banensim.compare([sq, ks], assumptions=2, paths=100),
        lambda: banensim.sobol(sq, study=STUDY, samples=2, paths=50),
        lambda: banensim.morris(sq, study=STUDY, samples=2, paths=50),
        lambda: banensim.sensitivity(sq, method="sobol", study=STUDY, samples=2, paths=50),
        lambda: banensim.discover(sq, study=STUDY, samples=8, paths=50),
        lambda: banensim.sweep(sq, {"cycle.sd": [0.1]}, paths=50),
        lambda: banensim.factors(sq),
        lambda: banensim.problem(sq, study=STUDY),
    ]
    for call in calls:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call()
        stale = [w for w in caught if issubclass(w.category, banensim.CalibrationWarning)]
        where = call.__code__.co_firstlineno
        assert len(stale) == 1, (where, [str(w.message) for w in caught])
        assert "leave out 2024" in str(stale[0].message)
        # compare names both files, with the one reason they share.
        assert str(stale[0].message).startswith(f"{sq}, {ks}: " if "compare" in call.__code__.co_names else f"{sq}: ")
        assert (stale[0].filename, stale[0].lineno) == (__file__, where)
    # What the program does not warn of: a calibration of its own.
    with warnings.catch_warnings():
        warnings.simplefilter("error", banensim.CalibrationWarning)
        banensim.calibrate(sq)
        banensim.backtest(sq, fit_until=2022, paths=50)
    # The studies' results say why, as a run's scenarios[i]["calibration"] does.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", banensim.CalibrationWarning)
        f = banensim.factors(sq)
    assert f["calibration"]["fit_year"] == 2023 and "leave out 2024" in f["calibration"]["mismatch"]
    assert banensim.factors(SQ)["calibration"]["mismatch"] is None


def test_calibrate_gives_the_program_s_keys_and_file(tmp_path):
    import tomllib
    base = os.path.join(SRC, "scenarios/base.toml")
    c = banensim.calibrate(base)
    assert (c["first_year"], c["last_year"], c["n_increments"]) == (2015, 2023, 9)
    # The keys are the shipped base file's (it holds calibrate's output, the stamp included).
    with open(base, "rb") as f:
        shipped = tomllib.load(f)

    def at(doc, key):
        for part in key.split("."):
            doc = doc[part]
        return doc
    assert c["keys"]["calibrated.fit_year"] == 2023
    for key, value in c["keys"].items():
        assert at(shipped, key) == value, key
    # The file `calibrate --out` writes, byte for byte.
    cli("calibrate", base, "--out", str(tmp_path / "k.toml"))
    assert (tmp_path / "k.toml").read_text() == c["toml"]
    e = c["estimates"]
    i = e["key"].index("growth.market.trend_mean")
    assert e["scenario_key"][i] and e["unit"][i] == "jobs/year" and e["std_error"][i] > 0
    # Fitted up to 2018: the 2018 question's keys; used with set=, a run from 2018 has nothing to warn of.
    then = banensim.calibrate(os.path.join(SRC, "scenarios/2018/base.toml"), fit_until=2018)
    with open(os.path.join(SRC, "scenarios/2018/base.toml"), "rb") as f:
        shipped_2018 = tomllib.load(f)
    for key, value in then["keys"].items():
        assert at(shipped_2018, key) == value, key
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", banensim.CalibrationWarning)
        r = banensim.run(SQ, paths=200, set={**then["keys"], "history.origin_year": 2018})
    assert r["scenarios"][0]["origin_year"] == 2018
    with pytest.raises(banensim.InputError, match="fit_until"):
        banensim.calibrate(base, fit_until=1999)


def test_problem_is_a_dict_salib_samplers_take():
    # SALib reads "dists" with its own names and refuses others: banensim's go under "distributions".
    p = banensim.problem(SQ, study=STUDY)
    assert set(p) == {"num_vars", "names", "bounds", "distributions"}
    assert p["num_vars"] == len(p["names"]) == len(p["bounds"]) == 3
    assert p["distributions"] == ["normal", "discrete", "log-uniform"]
    assert all(lo < hi for lo, hi in p["bounds"])


def test_sweep_and_evaluate_refuse_to_write_over_an_input(tmp_path):
    # As the program: out= that names the scenario (or its data) is refused
    # before anything runs, and the file is left as it was.
    scenario = tmp_path / "sq.toml"
    scenario.write_text('extends = ["%s"]\n' % os.path.abspath(SQ))
    before = scenario.read_bytes()
    with pytest.raises(banensim.InputError, match="input"):
        banensim.evaluate(str(scenario), [[0.3]], ["cycle.sd"], paths=50, out=str(scenario))
    with pytest.raises(banensim.InputError, match="input"):
        banensim.sweep(str(scenario), {"cycle.sd": [0.2, 0.3]}, paths=50, out=str(scenario))
    assert scenario.read_bytes() == before


def test_evaluate_takes_whole_floats_for_integer_keys_as_salib_designs_give_them(tmp_path):
    # np.round(X) and every 2-D NumPy design are float: 2027.0 is the integer 2027.
    names = ["target.year", "uncertainty.dof.regular", "quota.bonus_per_job_eur"]
    floats = banensim.evaluate(SQ, np.array([[2027.0, 3.0, 1000.0], [2030.0, 5.0, 2000.0]]), names, paths=200)
    ints = banensim.evaluate(SQ, [[2027, 3, 1000], [2030, 5, 2000]], names, paths=200)
    for col in ("p_reach", "total_p50", "charge_mean_eur"):
        assert np.array_equal(floats["rows"][col], ints["rows"][col]), col
    with pytest.raises(banensim.InputError, match=r"key 'uncertainty.dof.regular' = 3.5: must be an integer"):
        banensim.evaluate(SQ, np.array([[2027.0, 3.5, 1000.0]]), names, paths=100)
    # The same points resume the file the program began from their integer spelling (to_numpy() gives 1000.0).
    points, out = tmp_path / "points.csv", tmp_path / "given.csv"
    points.write_text(",".join(names) + "\n2027,3,1000\n2030,5,2000\n")
    cli("sweep", SQ, "--points", str(points), "--paths", "200", "--out", str(out))
    text = out.read_text()
    out.write_text(text[:text.index("\n", text.index("\n0,") + 1) + 1])  # the first row only
    resumed = banensim.evaluate(SQ, np.array([[2027.0, 3.0, 1000.0], [2030.0, 5.0, 2000.0]]), names, paths=200,
                                out=str(out), resume=True)
    assert np.array_equal(resumed["rows"]["p_reach"], ints["rows"]["p_reach"])


def test_sensitivity_notes_an_output_without_indices_and_keeps_its_rows(study, tmp_path):
    # A target no path reaches: P(reach) is 0 at every row, its Sobol' indices undefined.
    s = banensim.sensitivity(SQ, study=study, samples=4, paths=100, target=10_000_000, out=str(tmp_path / "z.csv"))
    ix = s["indices"]
    reach = [i for i, o in enumerate(ix["output"]) if o == "p_reach"]
    assert len(reach) == len(s["factors"])
    assert all(np.isnan(ix[c][i]) for c in ("S1", "S1_conf", "ST", "ST_conf") for i in reach)
    assert any(n.startswith("p_reach: no Sobol' indices (zero variance: ") for n in s["notes"]), s["notes"]
    assert "p_reach" in s["failures"]
    # second_order=False overrides a study file's second_order = true, and removes the earlier S2 file.
    so = tmp_path / "so.toml"
    so.write_text(open(study, encoding="utf-8").read() + "\n[sobol]\nsecond_order = true\n")
    first = banensim.sensitivity(SQ, study=str(so), samples=4, paths=100, out=str(tmp_path / "so.csv"))
    assert "S2" in first and (tmp_path / "so.s2.csv").exists()
    second = banensim.sensitivity(SQ, study=str(so), samples=4, paths=100, second_order=False,
                                  out=str(tmp_path / "so.csv"))
    assert "S2" not in second and not (tmp_path / "so.s2.csv").exists()
    assert any(n.startswith("removed " + str(tmp_path / "so.s2.csv")) for n in second["notes"]), second["notes"]
