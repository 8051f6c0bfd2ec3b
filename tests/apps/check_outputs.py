#!/usr/bin/python3
"""End-to-end checks of banensim's outputs, as a user's scripts would read them.

  check_outputs.py BANENSIM SOURCE_DIR ARTEFACT_DIR [--part formats|browser]

Two parts (both without --part). "formats" needs no browser and runs small
compares, so that it can run under the sanitizers (CTest check_formats,
label "formats"; the asan-ubsan preset runs it): every format of `compare`
-- table, CSV, JSON, the HTML report -- and of `compare --assumptions`.
"browser" is what needs headless Chromium (CTest check_outputs, label
"outputs", left out of the sanitizer run):

- (formats) `compare` of the five shipped scenarios as JSON validates against
  docs/result.schema.json, and the paired-difference intervals are narrower
  than independent-sample intervals at the same path count;
- (formats) the CSV loads with Python's csv module into the documented
  columns; the table names every scenario; the report holds the charts and
  needs no network; the same for `compare --assumptions`;
- (browser) the HTML report renders in headless Chromium without errors, contains the
  charts, and a screenshot is kept in ARTEFACT_DIR;
- (browser) the report of `compare` and of `compare --assumptions` at 390, 800, 1280, 1602
  and 1920 px wide: nothing wider than the window (measured in the DOM), the
  first heading a finding with numbers, and the report says which intervals
  are Monte Carlo intervals and which are ranges over plausible assumptions
  (screenshots report-W.png and report-assumptions-W.png in ARTEFACT_DIR).
Exits non-zero with a message on the first failure.
"""
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

import jsonschema

banensim, source, artefacts = sys.argv[1:4]
parts = {"formats", "browser"}
if sys.argv[4:5] == ["--part"] and sys.argv[5:6] in (["formats"], ["browser"]):
    parts = {sys.argv[5]}
elif sys.argv[4:]:
    sys.exit("usage: check_outputs.py BANENSIM SOURCE_DIR ARTEFACT_DIR [--part formats|browser]")
os.makedirs(artefacts, exist_ok=True)
scenarios = [f"scenarios/{s}.toml" for s in
             ("status-quo", "keep-split", "purchase-at-buyer", "exclude-security", "all-three")]
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def run(*args):
    r = subprocess.run([banensim, *args], cwd=source, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"banensim {' '.join(args)} failed ({r.returncode}): {r.stderr}")
    return r.stdout


with open(os.path.join(source, "docs", "result.schema.json")) as f:
    schema = json.load(f)


def check_report_file(report, what):
    """The report as a file: its charts, and nothing fetched from the network."""
    with open(report, encoding="utf-8") as f:
        html = f.read()
    check(html.count("<svg") >= 6, f"{what} has the bar chart and one fan chart per scenario")
    check("http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html,
          f"{what} needs no network")


if "formats" in parts:
    # JSON against the schema kept in the repo.
    doc = json.loads(run("compare", *scenarios, "--paths", "20000", "--format", "json"))
    try:
        jsonschema.validate(doc, schema)
        check(True, "compare JSON validates against docs/result.schema.json")
    except jsonschema.ValidationError as e:
        check(False, f"compare JSON validates against the schema: {e.message} at {list(e.path)}")

    # Totals far beyond the first histogram range (docs/OUTPUT.md, "Quantiles"):
    # still valid, the range grew, and no quantile is the largest path.
    far = json.loads(run("run", "scenarios/status-quo.toml", "--set", "supply.max_working_share=1", "--set",
                         "growth.market.trend_mean=11000", "--target-year", "2060", "--paths", "5000", "--format", "json"))
    try:
        jsonschema.validate(far, schema)
        check(True, "JSON of a run beyond the first histogram range validates against the schema")
    except jsonschema.ValidationError as e:
        check(False, f"JSON beyond the first range validates against the schema: {e.message} at {list(e.path)}")
    step = far["scenarios"][0]["results"]["series"]["total"]["steps"][-1]
    check(step["bin_width"] > 250 and step["outside_histogram"] == 0 and step["quantile_bounds"] == {}
          and step["p50"] < step["p75"] < step["p95"] < step["max"],
          f"2060 totals: the range grew (bin width {step['bin_width']}) and p50 < p75 < p95 < max")

    # Paired differences are narrower than two independent Wilson intervals would give.
    n = doc["paths"]
    ref = doc["scenarios"][0]
    p0 = ref["probability"]
    for sc in doc["scenarios"][1:]:
        d = sc["vs_reference"]["indicators"]["reach_target"]
        paired_hw = (d["ci_high"] - d["ci_low"]) / 2
        p1 = sc["probability"]
        independent_hw = 1.959963984540054 * math.sqrt((p0 * (1 - p0) + p1 * (1 - p1)) / n)
        check(paired_hw < independent_hw,
              f"{sc['name']}: paired half-width {paired_hw:.4f} < independent {independent_hw:.4f}")

    # CSV: documented columns, one row per scenario and year, numbers parse.
    text = run("compare", *scenarios, "--paths", "5000", "--format", "csv")
    rows = list(csv.DictReader(text.splitlines()))
    expected = ["scenario", "year", "seed", "paths"] + [
        f"{s}_{q}" for s in ("total",) for q in ("mean", "std_error", "p05", "p25", "p50", "p75", "p95")]
    header = text.splitlines()[0].split(",")
    check(header[:len(expected)] == expected, "CSV header starts with the documented columns")
    years = sorted({r["year"] for r in rows})
    check(len(rows) == 5 * len(years), f"CSV has one row per scenario and year ({len(rows)} rows)")
    check(all(float(r["total_p05"]) <= float(r["total_p50"]) <= float(r["total_p95"]) for r in rows),
          "CSV quantiles are ordered and numeric")

    # The table (the default format) names every scenario and the reference.
    table = run("compare", *scenarios, "--paths", "2000")
    check(all(sc["name"] in table for sc in doc["scenarios"]) and "reference" in table,
          "compare table names every scenario and the reference")

    # The report (beside JSON), and compare --assumptions in every format, small (4 sets).
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.html")
        rdoc = json.loads(run("compare", *scenarios, "--paths", "2000", "--format", "json", "--report", report))
        check_report_file(report, "compare report")
        # Under the finding, "When": the reference's P(reached by the target
        # year + 4) and the option that changes it most, paired -- the JSON's figures.
        with open(report, encoding="utf-8") as f:
            page = f.read()
        ref = rdoc["scenarios"][0]
        year = min(ref["target_year"] + 4, ref["horizon_year"])
        p_by = next(c for c in ref["results"]["scalars"]["first_year_reached"]["cumulative"] if c["value"] == year)
        diffs = [(next(d for d in sc["vs_reference"]["scalars"]["first_year_reached"]["cumulative_difference"]
                       if d["value"] == year), sc["name"]) for sc in rdoc["scenarios"][1:]]
        best, best_name = max(diffs, key=lambda t: abs(t[0]["difference"]))
        pts = 100 * best["difference"]
        dec = 2 if 100 * max(abs(best[k]) for k in ("difference", "ci_low", "ci_high")) < 1 else 1
        when = page[page.find('<p id="when"'):page.find("</p>", page.find('<p id="when"'))]
        x = 100 * p_by["probability"]
        check(f"by the end of {year}" in when and (f"{x:.1f}%" if x < 10 else f"{x:.0f}%") in when
              and f"{best_name}&rsquo;s, {'+' if pts > 0 else '&minus;'}{abs(pts):.{dec}f} points" in when
              and "paired on the same paths" in when,
              f"the report says when: P(by {year}) {p_by['probability']:.3f} and {best_name}'s paired change "
              f"{best['difference']:+.4f}: {when[:200]}...")
        # The chart of each option's paired change by then: one dot per option, at the JSON's difference.
        def difference_chart(html):
            i = html.find('<svg class="differences"')
            return html[i:html.find("</svg>", i)] if i >= 0 else ""
        chart = difference_chart(page)
        labels = [d for d, _ in diffs]
        def points(d):  # as the report prints a change: 2 decimals when all its figures are below one point
            dec = 2 if max(abs(100 * d[k]) for k in ("difference", "ci_low", "ci_high")) < 1 else 1
            sign = "+" if d["difference"] > 0 else "&minus;" if d["difference"] < 0 else ""
            return f"{sign}{abs(100 * d['difference']):.{dec}f}"
        shown = [points(d) for d in labels]
        check(chart.count("<circle") == len(diffs) and 'class="assumption-range"' not in chart
              and all(f">{t}</text>" in chart for t in shown),
              f"the report charts each option's paired change in P(reached by {year}): {', '.join(shown)}")
        report_a = os.path.join(tmp, "report-assumptions.html")
        small_a = json.loads(run("compare", *scenarios, "--assumptions", "4", "--paths", "1000", "--format", "json",
                                 "--report", report_a))
        try:
            jsonschema.validate(small_a, schema)
            check(True, "compare --assumptions 4 JSON validates against docs/result.schema.json")
        except jsonschema.ValidationError as e:
            check(False, f"compare --assumptions 4 JSON validates against the schema: {e.message} at {list(e.path)}")
        check_report_file(report_a, "compare --assumptions report")
        # "By when" across the assumptions: the by-year table, and under the
        # finding the best option's share of sets where it beats by then -- the JSON's.
        with open(report_a, encoding="utf-8") as f:
            page_a = f.read()
        diffs_a = [(next(d for d in sc["vs_reference"]["scalars"]["first_year_reached"]["cumulative_difference"]
                         if d["value"] == year), sc["name"]) for sc in small_a["scenarios"][1:]]
        best_a = max(diffs_a, key=lambda t: abs(t[0]["difference"]))[1]
        by_a = next(o for o in small_a["assumptions"]["options"] if o["name"] == best_a)["by_year"]
        when_a = page_a[page_a.find('<p id="when"'):page_a.find("</p>", page_a.find('<p id="when"'))]
        xs = 100 * by_a["beats"]["share"]
        share = f"{xs:.1f}%" if xs < 10 else f"{xs:.0f}%"
        check(difference_chart(page_a).count('class="assumption-range"') == len(diffs),
              "with --assumptions the change chart adds each option's range over plausible assumptions")
        check(small_a["assumptions"]["by_year"] == year and 'id="assumptions-by-year"' in page_a
              and f"across 4 plausible assumption sets it beats {ref['name']} by then in {share}" in when_a,
              f"the --assumptions report judges P(reached by {year}) across the sets: {best_a} beats in {share}: "
              f"{when_a[-300:]}")
    table_a = run("compare", *scenarios, "--assumptions", "4", "--paths", "1000")
    check(all(sc["name"] in table_a for sc in doc["scenarios"]), "compare --assumptions table names every scenario")
    csv_a = list(csv.reader(run("compare", *scenarios, "--assumptions", "4", "--paths", "1000", "--format",
                                "csv").splitlines()))
    check(len(csv_a) > 5 and all(len(r) == len(csv_a[0]) for r in csv_a if r and not r[0].startswith("#")),
          f"compare --assumptions CSV: a header and rows of its width ({len(csv_a)} lines)")

# HTML report in headless Chromium.
chromium = shutil.which("chromium") if "browser" in parts else None
if "browser" in parts and chromium is None:
    check(False, "chromium is installed (scripts/setup.sh installs it)")
elif chromium is not None:
    report = os.path.join(artefacts, "report.html")
    run("compare", *scenarios, "--paths", "5000", "--report", report, "--out", os.path.join(artefacts, "compare.json"),
        "--format", "json")
    check_report_file(report, "report")
    with tempfile.TemporaryDirectory() as profile:
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}"]
        dom = subprocess.run([chromium, *flags, "--dump-dom", "file://" + report],
                             capture_output=True, text=True, timeout=120)
        check(dom.returncode == 0 and "<svg" in dom.stdout and 'id="comparison"' in dom.stdout,
              "Chromium loads the report and its DOM holds the table and the charts")
        shot = os.path.join(artefacts, "report.png")
        subprocess.run([chromium, *flags, "--window-size=1200,1800", f"--screenshot={shot}", "file://" + report],
                       capture_output=True, text=True, timeout=120)
        check(os.path.exists(shot) and os.path.getsize(shot) > 10000, f"screenshot written to {shot}")

# The report at four widths, measured in the DOM by a script added to a copy
# (the report itself has none): the page's scroll width and every element's
# box against the window, the first heading, the words about the intervals.
MEASURE = """<script>
window.addEventListener('load', function () {
  var W = window.innerWidth, bad = [];
  document.querySelectorAll('body *').forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return;
    if (r.right > W + 0.5 || r.left < -0.5 || r.width > W + 0.5)
      bad.push(el.tagName + (el.id ? '#' + el.id : '') + (el.className && el.className.baseVal === undefined ? '.' + el.className : '') +
               ' [' + Math.round(r.left) + ', ' + Math.round(r.right) + ']');
  });
  var first = document.querySelector('h1, h2, h3');
  var out = {inner: W, scroll: document.documentElement.scrollWidth, bad: bad.slice(0, 8), n_bad: bad.length,
             first_tag: first ? first.tagName : '', first_text: first ? first.textContent : '',
             text: document.body.innerText};
  var pre = document.createElement('pre');
  pre.id = 'measure';
  pre.style.display = 'none';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def measure(report, width, shot):
    """The report laid out `width` px wide, measured in the DOM. Headless
    Chromium's window is at least 500 px wide, so the report is measured in
    an iframe of that width (the frame's innerWidth is `width`); the
    screenshot is of the window itself."""
    with open(report, encoding="utf-8") as f:
        html = f.read()
    probe = report + f".probe-{width}.html"
    top = report + f".top-{width}.html"
    with open(probe, "w", encoding="utf-8") as f:
        f.write(html.replace("</body>", MEASURE + "</body>"))
    with open(top, "w", encoding="utf-8") as f:
        f.write(f"""<!DOCTYPE html><html><body style="margin:0"><iframe id="f" src="{os.path.basename(probe)}"
style="width:{width}px;height:2000px;border:0"></iframe><script>
document.getElementById('f').addEventListener('load', function () {{
  var d = document.getElementById('f').contentDocument, m = d && d.getElementById('measure');
  var p = document.createElement('pre'); p.id = 'measure'; p.textContent = m ? m.textContent : 'null';
  document.body.appendChild(p);
}});</script></body></html>""")
    with tempfile.TemporaryDirectory() as profile:
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--hide-scrollbars", "--force-device-scale-factor=1", f"--user-data-dir={profile}"]
        dom = subprocess.run([chromium, *flags, "--allow-file-access-from-files", "--virtual-time-budget=10000",
                              f"--window-size={max(width, 1000)},2100", "--dump-dom", "file://" + top],
                             capture_output=True, text=True, timeout=120)
        subprocess.run([chromium, *flags, f"--window-size={width},5200", f"--screenshot={shot}", "file://" + report],
                       capture_output=True, text=True, timeout=120)
    os.remove(probe)
    os.remove(top)
    start = dom.stdout.find('<pre id="measure"')
    if start < 0:
        return None
    text = dom.stdout[dom.stdout.index(">", start) + 1:dom.stdout.index("</pre>", start)]
    import html as html_module
    return json.loads(html_module.unescape(text))


if chromium is not None:
    reports = {"report": os.path.join(artefacts, "report.html")}
    reports["report-assumptions"] = os.path.join(artefacts, "report-assumptions.html")
    doc_a = json.loads(run("compare", *scenarios, "--assumptions", "16", "--paths", "2000", "--format", "json",
                           "--report", reports["report-assumptions"]))
    try:
        jsonschema.validate(doc_a, schema)
        check(True, "compare --assumptions JSON validates against docs/result.schema.json")
    except jsonschema.ValidationError as e:
        check(False, f"compare --assumptions JSON validates against the schema: {e.message} at {list(e.path)}")
    for name, report in reports.items():
        for width in (390, 800, 1280, 1602, 1920):
            m = measure(report, width, os.path.join(artefacts, f"{name}-{width}.png"))
            if m is None:
                check(False, f"{name} at {width} px: Chromium ran the measuring script")
                continue
            check(m["inner"] == width, f"{name}: the window is {width} px wide (innerWidth {m['inner']})")
            check(m["scroll"] <= m["inner"] and m["n_bad"] == 0,
                  f"{name} at {width} px: no horizontal overflow (scrollWidth {m['scroll']}, {m['n_bad']} elements "
                  f"beyond the window: {m['bad']})")
            first = m["first_text"]
            check(m["first_tag"] == "H1" and any(c.isdigit() for c in first) and "%" in first
                  and "Monte Carlo interval" in first,
                  f"{name} at {width} px: the first heading is a finding with numbers and its kind of interval: "
                  f"{first[:100]}...")
            text = m["text"]
            check("What the intervals cover" in text and "Monte Carlo interval" in text,
                  f"{name} at {width} px: the box says what a Monte Carlo interval covers")
            if name == "report":
                check("Monte Carlo intervals only" in text and "range over plausible assumptions" in text.lower(),
                      f"{name} at {width} px: says its intervals are Monte Carlo only")
            else:
                check("range over plausible assumptions" in first and "Range over plausible assumptions" in text,
                      f"{name} at {width} px: the finding and the box name the range over plausible assumptions")

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
