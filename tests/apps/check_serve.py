#!/usr/bin/env python3
"""`banensim serve` over HTTP: bad input gets 400 with the command line's
message, the limits hold, a client's new request cancels its old one, and
answers are reproducible.

    check_serve.py BANENSIM SOURCE_DIR

Starts `banensim serve --port 0` on loopback in SOURCE_DIR, sends requests
with http.client (standard library only), stops the server. Exit 0 when every
check passes.
"""
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

binary, source = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


server = subprocess.Popen([binary, "serve", "--port", "0", "--max-paths", "200000"], cwd=source,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
line = server.stdout.readline()
m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
if not m:
    print("serve did not start: " + line + server.stderr.read())
    server.kill()
    sys.exit(1)
port = int(m.group(1))


def stop(proc, sig=signal.SIGTERM):
    """SIGTERM (or `sig`: SIGINT is Ctrl-C); SIGKILL if it has not stopped within 10 s."""
    proc.send_signal(sig)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def request(method, path, body=None, headers=None, raw=False):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    data = body if isinstance(body, (bytes, type(None))) else (body if isinstance(body, str) else json.dumps(body))
    c.request(method, path, body=data, headers=headers or {"Content-Type": "application/json"})
    r = c.getresponse()
    payload = r.read()
    c.close()
    return r.status, dict(r.getheaders()), payload if raw else payload.decode("utf-8", "replace")


def exchange(conn, method, path, body=None, chunked=False):
    """One request on an open connection, framed exactly as asked: without a body, no Content-Length
    (http.client's request() sends 'Content-Length: 0' with a PUT); with one, its Content-Length or
    chunked transfer encoding."""
    conn.putrequest(method, path)
    if body is not None:
        conn.putheader("Content-Type", "application/json")
        if chunked:
            conn.putheader("Transfer-Encoding", "chunked")
        else:
            conn.putheader("Content-Length", str(len(body)))
    conn.endheaders()
    if body is not None:
        conn.send(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body) if chunked else body)
    r = conn.getresponse()
    payload = r.read()
    return r.status, dict(r.getheaders()), payload.decode("utf-8", "replace")


def cli_message(*set_args):
    """The first problem line the command line prints for these --set values."""
    args = [binary, "run", "scenarios/status-quo.toml", "--paths", "10"]
    for s in set_args:
        args += ["--set", s]
    p = subprocess.run(args, cwd=source, capture_output=True, text=True)
    assert p.returncode == 2, p
    return p.stderr.strip()


def bad(body, what, expect=None, headers=None):
    status, _, text = request("POST", "/api/compute", body, headers)
    try:
        message = json.loads(text)["error"]
    except (ValueError, KeyError):
        message = None
    ok = status == 400 and message is not None and (expect is None or re.search(expect, message) is not None)
    check(ok, f"{what}: 400 \"{(message or text)[:110]}\"")
    return message


def stream(body, into, first_line):
    """POSTs a computation and appends each line it answers to `into`; sets `first_line` at the first."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        c.request("POST", "/api/compute", body=json.dumps(body), headers={"Content-Type": "application/json"})
        r = c.getresponse()
        while True:
            line = r.readline()
            if not line:
                break
            if line.strip():
                into.append(json.loads(line))
                first_line.set()
    finally:
        c.close()
        first_line.set()


try:
    # Bad values: the scenario loader's own message, as --set gives it.
    for key, value in [("quota.respons_max", "0.2"), ("quota.response_max", "2"), ("supply.shape", "-5"),
                       ("target.year", "2012"), ("policy.keep_split.enabled", "maybe")]:
        cli = cli_message(f"{key}={value}")
        parsed = json.loads(value) if value not in ("maybe",) else value
        msg = bad({"client": "c1", "set": {key: parsed}}, f"set {key} = {value}")
        check(msg is not None and msg.replace("request", "command line", 1) == cli,
              f"  the same message as --set {key}={value}: \"{cli}\"")
    cli = cli_message("policy.purchase_at_buyer.enabled=true", "policy.purchase_at_buyer.year=2100")
    msg = bad({"client": "c1", "set": {"policy.purchase_at_buyer.enabled": True, "policy.purchase_at_buyer.year": 2100}},
              "a lever outside the simulated years")
    check(msg is not None and msg.replace("request", "command line", 1) == cli, "  the same message as on the command line")

    # Levers that cannot be on together: /api/model says so both ways (the
    # page switches the other off), and a request with both is refused with
    # the loader's message naming both switches.
    status, _, text = request("GET", "/api/model")
    stamp = json.loads(text)["calibration"]
    check(stamp["fit_year"] == 2023 and stamp["data_fingerprint"].startswith("fnv1a64 ") and stamp["mismatch"] is None,
          "/api/model: the calibration stamp of the shipped data, and nothing to warn of")
    levers = {l["key"]: l for l in json.loads(text)["levers"]}
    check(levers["policy.keep_split"]["excludes"] == ["policy.abolish_split"] and
          levers["policy.abolish_split"]["excludes"] == ["policy.keep_split"] and
          levers["policy.purchase_at_buyer"]["excludes"] == [],
          "/api/model: keeping and abolishing the split exclude each other, and nothing else")
    cli = cli_message("policy.keep_split.enabled=true", "policy.abolish_split.enabled=true")
    msg = bad({"client": "c1", "set": {"policy.keep_split.enabled": True, "policy.abolish_split.enabled": True}},
              "both split levers on", r"policy\.abolish_split\.enabled.*cannot both be enabled")
    check(msg is not None and msg.replace("request:", "command line:") == cli,
          "  the same message as on the command line (one line per switch)")

    bad({"client": "c1", "paths": 10**12}, "huge path count", r"'paths'.*200000")
    bad({"client": "c1", "paths": 0}, "zero paths", r"'paths'")
    bad({"client": "c1", "paths": 5.5}, "fractional paths", r"whole number")
    bad({"client": "c1", "seed": -1}, "negative seed", r"'seed'")
    # seed and paths written as decimals: a value that is not exactly whole, or out of range, is refused with
    # a message naming the field, the value as written and the constraint (a whole one is accepted, below).
    bad('{"client": "c1", "paths": 2048.5}', "paths 2048.5", r"^field 'paths' = 2048\.5: must be a whole number "
                                                           r"from 1 to 200000$")
    bad('{"client": "c1", "paths": 1e300}', "paths 1e300", r"^field 'paths' = 1e300: must be from 1 to 200000$")
    bad('{"client": "c1", "paths": 2.5e5}', "paths 2.5e5 (whole, over --max-paths)",
        r"^field 'paths' = 2\.5e5: must be from 1 to 200000$")
    bad('{"client": "c1", "paths": 0.0}', "paths 0.0", r"^field 'paths' = 0\.0: must be from 1 to 200000$")
    bad('{"client": "c1", "paths": -2048.0}', "paths -2048.0", r"^field 'paths' = -2048\.0: must be from 1 to 200000$")
    bad('{"client": "c1", "paths": 1e-400}', "paths 1e-400 (the double 0, not whole)",
        r"^field 'paths' = 1e-400: must be a whole number from 1 to 200000$")
    bad('{"client": "c1", "paths": 2048.0000000000000001}', "paths 2048.0000000000000001 (the double 2048)",
        r"^field 'paths' = 2048\.0000000000000001: must be a whole number")
    bad('{"client": "c1", "seed": -1.0}', "seed -1.0",
        r"^field 'seed' = -1\.0: must be from 0 to 18446744073709551615$")
    bad('{"client": "c1", "seed": 18446744073709551616.0}', "seed 2^64 as a decimal",
        r"^field 'seed' = 18446744073709551616\.0: must be from 0 to 18446744073709551615$")
    bad('{"client": "c1", "seed": 7.5}', "seed 7.5", r"^field 'seed' = 7\.5: must be a whole number from 0 to")
    bad('{"client": "c1", "paths": NaN}', "paths NaN (not JSON)", r"not valid JSON")
    bad('{"client": "c1", "paths": "NaN"}', "paths \"NaN\"", r"^field 'paths' = \"NaN\": must be a whole number")
    bad('{"client": "c1", "paths": 1e400}', "paths 1e400 (beyond a double)", r"not valid JSON.*1e400")
    bad({"client": "c1", "seed": "7"}, "seed as text", r"'seed'")
    bad({"client": "c1", "color": "red"}, "unknown field", r"unknown field 'color'")
    bad({"set": {}}, "no client", r"'client' is missing")
    bad({"client": "a b"}, "client with a space", r"'client'")
    bad({"client": "x" * 65}, "client too long", r"'client'")
    bad({"client": "c1", "set": []}, "set not an object", r"'set'")
    bad({"client": "c1", "set": {"quota.response_max": {"a": 1}}}, "a value that is an object", r"number or true/false")
    bad({"client": "c1", "set": {"quota.response_max": None}}, "a null value", r"number or true/false")
    bad({"client": "c1", "set": {"history.file": "/etc/passwd"}}, "a file key", r"cannot be set over HTTP")
    bad({"client": "c1", "set": {"scenario.name": "x"}}, "a label key", r"cannot be set over HTTP")
    bad({"client": "c1", "set": {f"k{i}": 1 for i in range(300)}}, "too many keys", r"at most 256")
    bad('{"client": "c1", "set": {', "malformed JSON", r"not valid JSON")
    bad("", "empty body", r"not valid JSON")
    bad(b"\xff\xfe{}", "bytes that are not UTF-8", r"not valid JSON")
    bad('{"client": "c1", "set": {"supply.shape": 1e400}}', "a number beyond a double", r"not valid JSON")
    bad("[1, 2]", "an array", r"one JSON object")
    # A key given twice: JSON readers differ in which value they keep (nlohmann::json the last), so it is refused.
    twice = r" given twice \({}, then {}\): each key at most once per object$"
    bad('{"client": "c1", "seed": 1, "seed": 2}', "a field given twice", "^field 'seed'" + twice.format(1, 2))
    bad('{"client": "c1", "client": "c2"}', "the client given twice", "^field 'client'" + twice.format('"c1"', '"c2"'))
    bad('{"client": "c1", "set": {"quota.response_max": 0.4, "supply.shape": 2, "quota.response_max": 0.5}}',
        "a setting given twice", r"^set 'quota\.response_max'" + twice.format(0.4, 0.5))
    bad('{"client": "c1", "set": {}, "set": {"supply.shape": 2}}', "set given twice", "^field 'set'" +
        twice.format("{...}", "{...}"))
    bad('{"client": "c1", "set": {"quota.response_max": {"a": 1, "a": [2]}}}', "a key given twice deeper",
        r"^key 'a' in /set/quota\.response_max" + twice.format(1, r"\[\.\.\.\]"))
    bad("[" * 5000 + "]" * 5000, "deep nesting", r"one JSON object|not valid JSON")
    bad(json.dumps({"client": "c1", "pad": "a" * 20000}), "a 20 kB body", r"at most 16384 bytes")
    # Sent as a form, a body meets cpp-httplib's own limit for a form, 8,192 bytes, before the parser's 16,384: the
    # message names the limit that applied (it said 16,384 for 8-16 kB), and 8,192 bytes still reach the parser.
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    padded = lambda n: '{"client": "c1", "pad": "' + "a" * (n - 27) + '"}'
    assert len(padded(8193)) == 8193
    bad(padded(8193), "a body of 8,193 bytes sent as a form", r"^request body too long: sent as application/x-www-form-"
        r"urlencoded, it must be at most 8192 bytes \(sent as application/json, at most 16384\)$", headers=form)
    bad(padded(10000), "a 10 kB body sent as a form", r"form-urlencoded, it must be at most 8192 bytes", headers=form)
    bad(padded(8192), "a body of 8,192 bytes sent as a form: the parser's message", r"^unknown field 'pad'",
        headers=form)
    bad(padded(16384), "a body of 16,384 bytes of JSON: the parser's message", r"^unknown field 'pad'")
    bad(padded(16385), "a body of 16,385 bytes of JSON", r"^request body of 16385 bytes: must be at most 16384 bytes$")
    bad(b"a" * (4 * 1024 * 1024), "a 4 MB body", r"at most 16384 bytes")

    status, _, text = request("GET", "/", headers={"Host": "evil.example:80"})
    check(status == 403, f"a foreign Host header is refused (DNS rebinding): {status}")
    status, _, text = request("POST", "/api/compute", {"client": "c1"},
                              headers={"Content-Type": "application/json", "Origin": "http://evil.example"})
    check(status == 403, f"a POST from another origin is refused: {status}")
    status, _, text = request("GET", "/nothing")
    check(status == 404 and "error" in json.loads(text), "an unknown path: 404 with a message")
    # A path that exists asked with a method it does not take: 405 with Allow, not 404, whether the request
    # has no body (no Content-Length: httplib read a PUT's or PATCH's body to the end of the connection and
    # answered 400 after its 5 s timeout), a body, a chunked body or a body over the size limit.
    for method, path, allow in [("GET", "/api/compute", "POST"), ("GET", "/api/report", "POST"),
                                ("HEAD", "/api/compute", "POST"), ("PUT", "/api/compute", "POST"),
                                ("PATCH", "/api/compute", "POST"), ("DELETE", "/api/report", "POST"),
                                ("OPTIONS", "/api/compute", "POST"), ("TRACE", "/api/report", "POST"),
                                ("CONNECT", "/api/compute", "POST"), ("POST", "/", "GET, HEAD"),
                                ("POST", "/api/model", "GET, HEAD"), ("PUT", "/", "GET, HEAD"),
                                ("PATCH", "/api/model", "GET, HEAD"), ("DELETE", "/", "GET, HEAD"),
                                ("TRACE", "/api/model", "GET, HEAD")]:
        for framing in ["no body", "a body", "a chunked body", "a 100 kB body"]:
            if method == "HEAD" and framing != "no body":
                continue
            body = {"no body": None, "a 100 kB body": b"x" * 100000}.get(framing, b'{"client": "c1"}')
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            status, headers, text = exchange(c, method, path, body, chunked=framing == "a chunked body")
            c.close()
            try:
                message = json.loads(text)["error"]
            except (ValueError, KeyError):
                message = None
            expect = None if method == "HEAD" else f"{method} {path}: method not allowed ({path} takes {allow})"
            check(status == 405 and headers.get("Allow") == allow and message == expect,
                  f"{method} {path} with {framing}: {status}, Allow: {headers.get('Allow')}, {message!r}")
    # The body of a refused request is read off the connection, not taken for the next request on it.
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    first = exchange(c, "PUT", "/api/compute", b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % port)
    second = exchange(c, "GET", "/api/model")
    c.close()
    check(first[0] == 405 and second[0] == 200 and second[2].startswith("{") and '"scenario"' in second[2],
          f"after a refused PUT with a body, the connection answers its next request: {first[0]}, then "
          f"{second[0]} {second[2][:30]!r}")
    # A POST without a body (no Content-Length) is answered at once, not after the read timeout; so is any
    # method on a path that does not exist.
    for method, path, expect_status in [("POST", "/api/compute", 411), ("POST", "/api/report", 411),
                                        ("PUT", "/nothing", 404), ("POST", "/nothing", 404)]:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.monotonic()
        status, _, text = exchange(c, method, path)
        seconds = time.monotonic() - started
        c.close()
        check(status == expect_status and "error" in json.loads(text) and seconds < 3,
              f"{method} {path} without a body: {status} in {seconds:.1f} s: {text.strip()[:90]}")

    # The page: one document, nothing from the network.
    status, headers, page = request("GET", "/")
    check(status == 200 and "<script>" in page and "<svg" not in page[:200], "GET / serves the page")
    check(not re.search(r"<link|<script src|@import|url\(|https?://", page), "the page names no other resource")
    check("default-src 'none'" in headers.get("Content-Security-Policy", ""), "the page is served with a strict CSP")
    # The reference is the scenario the server was started on: the page calls it by /api/model's label, never by
    # a fixed "status quo" (a server started on all-three.toml has two levers on in its reference; below).
    check("status quo" not in page.lower(), "the page itself never calls the reference 'status quo'")
    status, _, text = request("GET", "/api/model")
    scenario = json.loads(text)["scenario"]
    check(scenario.get("label") == "as started: status quo (scenarios/status-quo.toml), no lever on" and
          scenario.get("levers_on") == [], f"/api/model labels the reference by what it is: {scenario.get('label')!r}")

    # Still alive, and reproducible: the same request twice gives the same lines.
    # A lever that acts in today's scenarios (purchasing counted at the buyer
    # from 2028, inside the simulated years 2024-2035), a target year after
    # it, and an assumption.
    good = {"client": "c2", "seed": 7, "paths": 8192, "set": {"policy.purchase_at_buyer.enabled": True,
                                                               "policy.purchase_at_buyer.year": 2028,
                                                               "target.year": 2031, "quota.response_max": 0.45}}
    compare_args = ["compare", "scenarios/status-quo.toml", "scenarios/purchase-at-buyer.toml", "--seed", "7",
                    "--set", "policy.purchase_at_buyer.year=2028", "--set", "target.year=2031",
                    "--set", "quota.response_max=0.45", "--format", "json"]
    status, headers, a = request("POST", "/api/compute", good)
    status2, _, b = request("POST", "/api/compute", good)
    lines = [json.loads(x) for x in a.splitlines()]
    check(status == 200 and status2 == 200 and lines[-1]["final"] and lines[-1]["paths"] == 8192,
          f"a good request after all that: {len(lines)} progressive results, the last final at 8192 paths")
    check(a == b, "the same request gives the same answer, line for line")
    # seed and paths written as decimals whose value is whole (as Python writes a float): the same request.
    for written in ['"seed": 7.0, "paths": 8192.0', '"seed": 7e0, "paths": 8.192e3', '"seed": 700e-2, "paths": 8192']:
        decimal = json.dumps(good)[:-1].replace('"seed": 7, "paths": 8192', written) + "}"
        status3, _, c3 = request("POST", "/api/compute", decimal)
        check(written in decimal and status3 == 200 and c3 == a, f"{{{written}, ...}}: the same answer as 7 and 8192")
    # ... decided on the digits written, not on the nearest double (9007199254740993.0 reads as ...992.0).
    status3, _, c3 = request("POST", "/api/compute", '{"client": "c2", "paths": 4096, "seed": 9007199254740993.0}')
    check(status3 == 200 and json.loads(c3.splitlines()[-1])["seed"] == 9007199254740993,
          f"seed 9007199254740993.0 is the seed 9007199254740993: {c3[:60]!r}")
    check([x["paths"] for x in lines] == [4096, 8192], f"results after 4 blocks and at the end: {[x['paths'] for x in lines]}")
    cmp = subprocess.run([binary] + compare_args + ["--paths", "8192"], cwd=source, capture_output=True, text=True)
    cj = json.loads(cmp.stdout)
    check(lines[-1]["variant"]["p"] == cj["scenarios"][1]["probability"] and
          lines[-1]["reference"]["p"] == cj["scenarios"][0]["probability"],
          "the final figures equal banensim compare with the same settings, seed and paths")
    check(lines[-1]["variant"]["p"] != lines[-1]["reference"]["p"],
          f"the lever acts: P(reach) {lines[-1]['variant']['p']} with it, {lines[-1]['reference']['p']} without")
    # P(target reached by year): the engine's figures that compare reports
    # (first_year_reached's "cumulative"), for every simulated year, both scenarios.
    same = True
    for k, side in enumerate(["reference", "variant"]):
        by_value = {int(c["value"]): c for c in cj["scenarios"][k]["results"]["scalars"]["first_year_reached"]["cumulative"]}
        for y in lines[-1]["reached_by_year"]:
            c = by_value.get(y["year"])
            same = same and c is not None and (y[side]["p"], y[side]["lo"], y[side]["hi"]) == (
                c["probability"], c["ci_low"], c["ci_high"])
    years = [y["year"] for y in lines[-1]["reached_by_year"]]
    check(same and years[0] == 2024 and years[-1] == 2035,
          f"P(reached by year) {years[0]}-{years[-1]} equals compare's, year by year, with its intervals")
    # Their paired difference, year by year: compare's vs_reference cumulative_difference.
    diffs = {int(d["value"]): d for d in cj["scenarios"][1]["vs_reference"]["scalars"]["first_year_reached"]
             ["cumulative_difference"]}
    same_diff = all((y["difference"]["mean"], y["difference"]["lo"], y["difference"]["hi"]) ==
                    (diffs[y["year"]]["difference"], diffs[y["year"]]["ci_low"], diffs[y["year"]]["ci_high"])
                    for y in lines[-1]["reached_by_year"])
    moved = [y["year"] for y in lines[-1]["reached_by_year"] if y["difference"]["mean"] != 0]
    check(same_diff and moved and abs(diffs[2033]["difference"] - (
        lines[-1]["reached_by_year"][-3]["variant"]["p"] - lines[-1]["reached_by_year"][-3]["reference"]["p"])) < 1e-12,
          f"the paired difference in P(reached by year) equals compare's, year by year (nonzero in {moved[:3]}...)")
    check("note" not in lines[-1], "a lever that changes some path gets no same-paths note")
    # A lever acting only after the target year (2027 against end 2026): the
    # same note as compare's vs_reference.note, under the difference.
    status, _, text = request("POST", "/api/compute", {"client": "c2", "seed": 7, "paths": 4096,
                                                       "set": {"policy.purchase_at_buyer.enabled": True,
                                                               "policy.purchase_at_buyer.year": 2027}})
    last = json.loads(text.splitlines()[-1])
    later = json.loads(subprocess.run([binary, "compare", "scenarios/status-quo.toml", "scenarios/purchase-at-buyer.toml",
                                       "--seed", "7", "--paths", "4096", "--format", "json"], cwd=source,
                                      capture_output=True, text=True).stdout)["scenarios"][1]["vs_reference"]
    check(status == 200 and last["difference"]["mean"] == 0 and
          last.get("note") == later.get("note") and "act only after the end-2026 measurement" in last.get("note", ""),
          f"a lever from 2027: the page says why P(reach) in 2026 is the same: {last.get('note', '(no note)')[:90]}...")
    check(lines[0]["variant"]["p"] == json.loads(subprocess.run(
        [binary] + compare_args + ["--paths", "4096"], cwd=source, capture_output=True,
        text=True).stdout)["scenarios"][1]["probability"], "the quick estimate equals compare at 4096 paths")

    # One computation per client: a new request cancels the running one. The
    # second request goes out as soon as the first has streamed its quick
    # estimate, while it refines (a fixed delay raced the model: 200,000
    # paths can finish within it).
    results = {"first": []}
    streaming = threading.Event()

    t = threading.Thread(target=stream, args=({"client": "c3", "paths": 200000}, results["first"], streaming))
    t.start()
    streaming.wait(60)
    _, _, second = request("POST", "/api/compute", {"client": "c3", "paths": 4096})
    t.join(60)
    first = results["first"]
    check(not any(x.get("final") for x in first), f"the first request of a client was cancelled by its second "
                                                  f"({len(first)} results, none final)")
    check(json.loads(second.splitlines()[-1])["final"], "the second request completed")
    # ... and said so as its last line, so that the client can tell it from a cut connection.
    check(first and first[-1] == {"final": False, "cancelled": True,
                                  "reason": "a newer request of this client replaced it"} and
          not any("cancelled" in x for x in first[:-1]),
          f"the cancelled stream ends with a line saying it was cancelled and why: {str(first[-1:])[:90]}")

    # The report: the compare report of these settings.
    status, headers, report = request("POST", "/api/report", good)
    check(status == 200 and "attachment" in headers.get("Content-Disposition", "") and report.count("<svg") >= 3,
          "POST /api/report returns the HTML report as a download")
    check("--set quota.response_max=0.45" in report and "seed" in report, "the report's provenance holds the settings")
    # ... and, but for the variant's name and the provenance (which names the
    # scenarios and the wall time), byte for byte the report `compare --report` writes.
    with tempfile.TemporaryDirectory() as tmp:
        cli_report = os.path.join(tmp, "report.html")
        subprocess.run([binary] + compare_args + ["--paths", "8192", "--report", cli_report], cwd=source,
                       capture_output=True, check=True)
        with open(cli_report, encoding="utf-8") as f:
            cli_html = f.read()
    variant_name = lines[-1]["variant"]["name"]
    body = lambda html, name: html.replace(name, "VARIANT").split("<h2>Provenance</h2>")[0]
    check("<h2>Provenance</h2>" in report and body(report, variant_name) == body(cli_html, "purchase at buyer"),
          f"the report is compare --report's for these settings (but the name \"{variant_name}\" and the provenance)")
finally:
    stop(server)
# Stopped by a signal, serve is an interrupted command like any other: exit 130 (README "Exit codes").
server_err = server.stderr.read()
check(server.returncode == 130 and "banensim serve: stopped" in server_err,
      f"the server stopped cleanly on SIGTERM, exit code 130 (interrupted): {server.returncode}")
check("warning" not in server_err, "no warning on stderr for the shipped scenario")

# A reference whose calibrated keys were not fitted on its data: serve says so
# on stderr, as every command does, with the reason /api/model gives the page.
with tempfile.TemporaryDirectory() as tmp:
    stale_file = os.path.join(tmp, "stale.toml")
    with open(stale_file, "w", encoding="utf-8") as f:
        f.write(f'extends = ["{os.path.join(source, "scenarios", "status-quo.toml")}"]\n'
                "[calibrated]\nfit_year = 2022\n")
    stale = subprocess.Popen([binary, "serve", stale_file, "--port", "0"], cwd=source,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", stale.stdout.readline())
        port = int(m.group(1)) if m else port
        status, _, text = request("GET", "/api/model") if m else (0, {}, "{}")
        mismatch = json.loads(text).get("calibration", {}).get("mismatch")
        check(m is not None and status == 200 and isinstance(mismatch, str) and "2022" in mismatch,
              "/api/model of a reference calibrated on data up to 2022 gives the mismatch")
        # A second server on a port in use fails at once: it must not share the
        # port and take half the connections (cpp-httplib's SO_REUSEPORT).
        if m:
            try:
                second = subprocess.run([binary, "serve", "--port", str(port)], cwd=source, capture_output=True,
                                        text=True, timeout=30)
                check(second.returncode == 1 and f"cannot bind to 127.0.0.1:{port}" in second.stderr,
                      f"a second serve on the port in use exits 1 saying it cannot bind "
                      f"(exit {second.returncode}: {second.stderr.strip()!r})")
            except subprocess.TimeoutExpired:
                check(False, "a second serve on the port in use exits 1 (it ran on instead)")
    finally:
        stop(stale)
    err = stale.stderr.read()
    check(isinstance(mismatch, str) and f"banensim: warning: {stale_file}: {mismatch}\n" in err,
          "serve prints that reason on stderr, naming the scenario file")

# Ctrl-C is SIGINT: it stops the server as SIGTERM does, exit code 130.
sigint_server = subprocess.Popen([binary, "serve", "--port", "0"], cwd=source,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
try:
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", sigint_server.stdout.readline())
    if m:
        port = int(m.group(1))
    check(m is not None and request("GET", "/api/model")[0] == 200, "serve starts and answers (to stop it by SIGINT)")
finally:
    stop(sigint_server, signal.SIGINT)
sigint_err = sigint_server.stderr.read()
check(sigint_server.returncode == 130 and "banensim serve: stopped" in sigint_err,
      f"Ctrl-C (SIGINT) stops the server cleanly, exit code 130 (interrupted): {sigint_server.returncode}")

# A server started on a scenario with levers on: its reference is that
# scenario (levers and all), and the page and the API say so. One thread per
# computation and one computation at a time, so that a long one holds the
# slot while the cancellations below are checked.
lever_server = subprocess.Popen([binary, "serve", "scenarios/all-three.toml", "--port", "0", "--threads", "1",
                                 "--max-computations", "1", "--max-paths", "20000000"], cwd=source,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
stopped_lines, threads = [], []
try:
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", lever_server.stdout.readline())
    check(m is not None, "serve scenarios/all-three.toml starts")
    if m:
        port = int(m.group(1))
        scenario = json.loads(request("GET", "/api/model")[2])["scenario"]
        check(scenario.get("label") == "as started: all three (scenarios/all-three.toml), levers on: "
                                       "purchase_at_buyer from 2027, exclude_security from 2027",
              f"all-three.toml: /api/model labels the reference {scenario.get('label')!r}")
        check(scenario.get("levers_on") == [{"key": "policy.purchase_at_buyer", "year": 2027},
                                        {"key": "policy.exclude_security", "year": 2027}],
              f"all-three.toml: /api/model lists the reference's levers on: {scenario.get('levers_on')}")
        check("status quo" not in request("GET", "/")[2].lower(), "all-three.toml: the page says no 'status quo'")
        # Both levers switched off on screen: the reference keeps them (it is the scenario as started).
        status, _, text = request("POST", "/api/compute", {"client": "c1", "paths": 4096, "set": {
            "policy.purchase_at_buyer.enabled": False, "policy.exclude_security.enabled": False,
            "target.year": 2030}})
        last = json.loads(text.splitlines()[-1]) if status == 200 else {}
        check(last.get("reference", {}).get("name") == "all three" and
              last.get("variant", {}).get("name") == "settings on screen (no lever)" and
              last.get("difference", {}).get("mean", 0) < 0,
              f"all-three.toml, levers off on screen: reference {last.get('reference', {}).get('name')!r} keeps "
              f"them (difference {last.get('difference', {}).get('mean')})")

        # Cancelled while waiting for the slot (held by a long run), by a newer request of its client: the
        # stream ends with a line saying so. Then the server stops under the long run: its stream says that.
        long_first, waiting, waiting_first = threading.Event(), [], threading.Event()
        threads = [threading.Thread(target=stream, args=({"client": "long", "paths": 20000000}, stopped_lines,
                                                        long_first))]
        threads[0].start()
        long_first.wait(60)
        threads.append(threading.Thread(target=stream, args=({"client": "w", "paths": 8192}, waiting, waiting_first)))
        threads[1].start()
        waiting_first.wait(60)  # its quick estimate: it now waits for the slot
        status, _, newer = request("POST", "/api/compute", {"client": "w", "paths": 4096})
        threads[1].join(60)
        check([x["paths"] for x in waiting[:-1]] == [4096] and
              waiting[-1:] == [{"final": False, "cancelled": True,
                                "reason": "a newer request of this client replaced it"}] and
              json.loads(newer.splitlines()[-1])["final"],
              f"a request waiting for its turn, replaced by a newer one of its client, ends with the line saying so: "
              f"{str(waiting[-1:])[:90]}")
finally:
    stop(lever_server)
    for t in threads:
        t.join(60)
check(len(stopped_lines) >= 1 and not any(x.get("final") for x in stopped_lines) and
      stopped_lines[-1] == {"final": False, "cancelled": True, "reason": "the server is stopping"},
      f"a computation running when the server stops ends with a line saying so: "
      f"{str(stopped_lines[-1:])[:90]}")
check(lever_server.returncode == 130, f"the server stopped cleanly under a running computation, exit code 130 "
                                      f"(interrupted): {lever_server.returncode}")

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
