// End-to-end test of `banensim serve` in headless Chromium (Debian's
// /usr/bin/chromium driven by puppeteer-core; no browser is downloaded).
//
//   node serve_e2e.mjs BANENSIM SOURCE_DIR [SCREENSHOT.png]
//
// 1. starts `banensim serve --port 0` (a free loopback port) in SOURCE_DIR;
// 2. opens the page; checks that a quick estimate (fewer paths) is shown
//    before the final one, and that the final status-quo figures equal
//    `banensim compare` for the same seed and path count;
// 3. switches the lever keep_split on; checks that the shown P(reach), the status
//    quo and the paired difference change to exactly what `banensim compare
//    REFERENCE VARIANT` gives, VARIANT being the reference with that lever on;
// 4. downloads the report and checks it is the compare report of those
//    settings (charts, seed, the settings in its provenance);
// 5. checks that the page asked nothing of any other host.
// Exits 0 when every check passes, 1 otherwise (each failure printed).

import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import puppeteer from "puppeteer-core";

const [binaryArg, sourceArg, screenshotArg] = process.argv.slice(2);
if (!binaryArg || !sourceArg) {
  console.error("usage: node serve_e2e.mjs BANENSIM SOURCE_DIR [SCREENSHOT.png]");
  process.exit(2);
}
const binary = path.resolve(binaryArg);
const sourceDir = path.resolve(sourceArg);
const screenshot = screenshotArg ? path.resolve(screenshotArg) : null;
const scenario = "scenarios/status-quo.toml";
const failures = [];
function check(ok, what) {
  console.log((ok ? "ok   " : "FAIL ") + what);
  if (!ok) failures.push(what);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "banensim-e2e-"));
let server = null;
let browser = null;

function startServer() {
  return new Promise((resolve, reject) => {
    server = spawn(binary, ["serve", scenario, "--port", "0"], { cwd: sourceDir, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const timer = setTimeout(() => reject(new Error("serve did not print its address within 20 s: " + out)), 20000);
    server.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) { clearTimeout(timer); resolve(`http://127.0.0.1:${m[1]}/`); }
    });
    server.stderr.on("data", (d) => process.stderr.write("[serve] " + d));
    server.on("error", (e) => reject(e));
    server.on("exit", (code) => reject(new Error("serve exited early with code " + code)));
  });
}

function compare(files, paths, seed) {
  const out = execFileSync(binary, ["compare", ...files, "--paths", String(paths), "--seed", String(seed), "--format", "json"],
                           { cwd: sourceDir, encoding: "utf8" });
  return JSON.parse(out);
}

// Waits for the final figures of a change of settings later than the
// `after`-th; returns what the page shows.
async function finalFigures(page, after) {
  await page.waitForFunction((n) => {
    const st = document.getElementById("status");
    return st.dataset.final === "true" && Number(st.dataset.request) > n;
  }, { timeout: 60000 }, after);
  return page.evaluate(() => ({
    request: Number(document.getElementById("status").dataset.request),
    variant: Number(document.getElementById("p-variant").dataset.value),
    variantText: document.getElementById("p-variant").textContent,
    reference: Number(document.getElementById("p-reference").dataset.value),
    difference: Number(document.getElementById("p-difference").dataset.value),
    paths: Number(document.getElementById("status").dataset.paths),
    status: document.getElementById("status").textContent,
    seen: window.__pathsSeen.slice(),
  }));
}

try {
  const url = await startServer();
  console.log("server at " + url);
  const origin = url.replace(/\/$/, "");
  browser = await puppeteer.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    userDataDir: path.join(tmp, "profile"),
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  const foreign = [];
  const bodies = [];
  page.on("request", (req) => {
    const u = req.url();
    if (!u.startsWith(origin) && !u.startsWith("blob:") && !u.startsWith("data:")) foreign.push(u);
    if (u === origin + "/api/compute") bodies.push(JSON.parse(req.postData()));
  });
  const consoleErrors = [];
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  // Record every path count the page shows, to see the progressive results:
  // from each mutation record (its old value, and the value after it), not
  // from the element when the observer runs -- snapshots that arrive in one
  // network read are rendered in one task, and the observer, called after
  // it, would see only the last one.
  await page.evaluateOnNewDocument(() => {
    window.__pathsSeen = [];
    new MutationObserver((records) => {
      const st = document.getElementById("status");
      const push = (v) => {
        if (v && v !== "0" && window.__pathsSeen[window.__pathsSeen.length - 1] !== v) window.__pathsSeen.push(v);
      };
      for (let i = 0; i < records.length; ++i) {
        // Each record's value after the change is the next record's old value (the last: the current one).
        push(i + 1 < records.length ? records[i + 1].oldValue : st && st.dataset.paths);
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-paths"], attributeOldValue: true });
  });
  await page.goto(url, { waitUntil: "load" });
  const model = await page.evaluate(() => fetch("/api/model").then((r) => r.json()));
  check(model.levers.length >= 1, `the page offers the ${model.levers.length} levers of the declarations`);
  check(model.calibration.mismatch === null && (await page.$eval("#calibration-warning", (e) => e.hidden)),
        "the shipped calibration is its data's: no warning shown");
  // The reference is called by its label, the scenario as started (never a fixed "status quo").
  const shownRef = await page.$eval("#ref-name", (e) => e.textContent);
  const pageText = await page.evaluate(() => document.body.innerText);
  check(shownRef === model.scenario.label && !pageText.split(model.scenario.label).join("").includes("status quo"),
        `the reference is shown as "${shownRef}", and nothing else on the page says "status quo"`);
  check(await page.$$eval("#sliders input[type=range]", (els) => els.length) === model.sliders.length && model.sliders.length >= 3,
        `the page shows ${model.sliders.length} assumption sliders`);

  const before = await finalFigures(page, 0);
  const seed = model.seed;
  const paths = model.paths;
  check(before.paths === paths, `the final figures are those of ${paths} paths (shown: ${before.paths})`);
  check(before.seen.length >= 2 && Number(before.seen[0]) < paths,
        `a quick estimate came first (paths shown in turn: ${before.seen.join(", ")})`);
  check(before.seen.every((p) => Number(p) % 1024 === 0 || Number(p) === paths), "every estimate is of whole blocks of 1,024 paths");
  const sq = compare([scenario, scenario], paths, seed);
  check(before.reference === sq.scenarios[0].probability && before.variant === sq.scenarios[0].probability,
        `status quo on the page ${before.reference} = banensim compare ${sq.scenarios[0].probability}`);

  // Switch a lever on that acts in today's scenarios: keep_split (the
  // market/government split kept from its year, inside 2024-2035).
  const lever = model.levers.find((l) => l.key === "policy.keep_split");
  check(lever !== undefined, "the page offers the lever policy.keep_split");
  await page.evaluate(() => { window.__pathsSeen = []; });
  await page.click(`input[id="lever-${lever.key}"]`);
  const after = await finalFigures(page, before.request);
  const sent = bodies[bodies.length - 1];
  check(sent.set[lever.enabled_key] === true, `the page sent ${lever.enabled_key} = true`);
  // The variant as a scenario file: the reference with that lever on, from the year the page sent.
  const table = lever.key;
  const variantFile = path.join(tmp, "variant.toml");
  fs.writeFileSync(variantFile, `extends = ${JSON.stringify(path.resolve(sourceDir, scenario))}\n\n[${table}]\nenabled = true\n` +
                                `year = ${sent.set[lever.year_key]}\n`);
  const cmp = compare([scenario, variantFile], paths, seed);
  const cliVariant = cmp.scenarios[1].probability;
  const cliDiff = cmp.scenarios[1].vs_reference.indicators.reach_target.difference;
  check(after.variant !== before.variant, `switching ${lever.key} on changed the shown P(reach): ${before.variant} -> ${after.variant}`);
  check(after.variant === cliVariant, `shown P(reach) ${after.variant} = banensim compare ${cliVariant} (seed ${seed}, ${paths} paths)`);
  check(after.variantText === cliVariant.toFixed(4), `shown text "${after.variantText}" is compare's value to 4 decimals`);
  check(after.reference === cmp.scenarios[0].probability, `status quo ${after.reference} = compare's reference ${cmp.scenarios[0].probability}`);
  check(after.difference === cliDiff, `paired difference ${after.difference} = compare's ${cliDiff}`);
  check(after.seen.length >= 2 && Number(after.seen[0]) < paths, `refined in steps: ${after.seen.join(", ")}`);
  // A quick estimate is a whole number of blocks: compare with that many paths gives it too.
  const quick = Number(after.seen[0]);
  const cmpQuick = compare([scenario, variantFile], quick, seed);
  check(cmpQuick.scenarios[1].probability > 0, `compare at the quick estimate's ${quick} paths runs`);
  check(/95% Monte Carlo interval/.test(await page.$eval("#ci-variant", (e) => e.textContent)), "the interval is labelled as a Monte Carlo interval");
  // The paired difference in P(reached by target year + 4) under the chart: compare's, for that year.
  const byYear = cmp.scenarios[1].vs_reference.scalars.first_year_reached.cumulative_difference;
  const shownYear = Number(await page.$eval("#reach-difference", (e) => e.dataset.year));
  const cliByYear = byYear.find((d) => d.value === shownYear);
  check(shownYear === cmp.scenarios[0].target_year + 4 && cliByYear !== undefined &&
        Number(await page.$eval("#reach-difference", (e) => e.dataset.value)) === cliByYear.difference &&
        (await page.$eval("#reach-difference", (e) => e.textContent)).includes(`P(reached by ${shownYear})`),
        `the paired difference in P(reached by ${shownYear}) under the chart is compare's ` +
        `${cliByYear && cliByYear.difference}`);
  // keep_split changes some paths: no same-paths note (compare gives none either).
  check((await page.$eval("#same-reach", (e) => e.hidden)) === !("note" in cmp.scenarios[1].vs_reference),
        "the same-paths note is shown exactly when compare gives one (here: hidden)");

  if (screenshot) {
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log("screenshot: " + screenshot);
  }

  // The report for the settings on screen.
  const downloads = path.join(tmp, "downloads");
  fs.mkdirSync(downloads);
  const cdp = await page.createCDPSession();
  await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads });
  await page.click("#download");
  let report = null;
  for (let i = 0; i < 600 && !report; ++i) {
    await new Promise((r) => setTimeout(r, 100));
    const done = fs.readdirSync(downloads).filter((f) => f.endsWith(".html"));
    if (done.length) report = fs.readFileSync(path.join(downloads, done[0]), "utf8");
  }
  check(report !== null, "the report downloads");
  if (report) {
    check((report.match(/<svg/g) || []).length >= 3, "the report has its charts");
    check(report.includes(`seed ${seed}`) || report.includes(`"seed": ${seed}`), "the report names the seed");
    check(report.includes(lever.enabled_key), "the report's provenance holds the settings on screen");
    check(report.includes(cliVariant.toFixed(3)), `the report shows compare's P(reach) ${cliVariant.toFixed(3)}`);
  }

  // Levers that exclude each other: switching abolish_split on switches
  // keep_split off (no request with both, no error shown).
  const sentBefore = bodies.length;
  await page.click('input[id="lever-policy.abolish_split"]');
  const both = await page.evaluate(() => [document.getElementById("lever-policy.abolish_split").checked,
                                          document.getElementById("lever-policy.keep_split").checked]);
  check(both[0] === true && both[1] === false, `abolish_split on switches keep_split off: ${both}`);
  // The page sends the next request after its debounce: wait for it (up to 10 s on a busy machine).
  for (let i = 0; i < 100 && bodies.length === sentBefore; ++i) await new Promise((r) => setTimeout(r, 100));
  const last = bodies[bodies.length - 1];
  check(last.set["policy.abolish_split.enabled"] === true && last.set["policy.keep_split.enabled"] === false,
        "the next request has abolish_split on and keep_split off");

  // Figures that answer other settings are greyed out until the new ones arrive.
  const settled = await finalFigures(page, 0);
  check(!(await page.evaluate(() => document.body.classList.contains("stale"))),
        `the final figures (${settled.paths} paths) are not marked stale`);
  // A seed the page cannot send exactly (empty, or above 2^53 - 1) is refused, not sent as 0 or rounded.
  for (const bad of ["", "9007199254740993"]) {
    const sent = bodies.length;
    await page.$eval("#seed", (e, v) => { e.value = v; e.dispatchEvent(new Event("change")); }, bad);
    await page.waitForFunction(() => document.getElementById("error").textContent.startsWith("seed:"), { timeout: 10000 });
    await new Promise((r) => setTimeout(r, 300));
    check(bodies.length === sent && (await page.evaluate(() => document.body.classList.contains("stale"))) &&
          (await page.$eval("#status", (e) => e.textContent)).startsWith("not computed"),
          `seed "${bad}": refused on the page, nothing sent, the figures marked stale`);
  }

  // A stream the server cancelled before its final figures, and one that was cut: the page tells which.
  // Canned answers (a real quick estimate, then the cancellation line or nothing) through request interception.
  const quickLine = await page.evaluate(async () => {
    const res = await fetch("/api/compute", { method: "POST", headers: { "Content-Type": "application/json" },
                                              body: JSON.stringify({ client: "e2e-canned", paths: 8192 }) });
    return (await res.text()).split("\n")[0];
  });
  check(JSON.parse(quickLine).final === false, "a quick estimate to replay");
  const canned = [];
  await page.setRequestInterception(true);
  page.on("request", (req) => {
    if (req.url() === origin + "/api/compute" && canned.length) {
      req.respond({ status: 200, contentType: "application/x-ndjson", body: canned.shift() });
    } else {
      req.continue();
    }
  });
  const stop = { final: false, cancelled: true, reason: "the server is stopping" };
  for (const [seedValue, body, status, error] of [
    ["5", quickLine + "\n" + JSON.stringify(stop) + "\n", "cancelled before the final figures: the server is stopping",
     "The computation was cancelled: the server is stopping"],
    ["6", quickLine + "\n", "not finished", "The connection to the server ended before the final figures"]]) {
    canned.push(body);
    await page.$eval("#seed", (e, v) => { e.value = v; e.dispatchEvent(new Event("change")); }, seedValue);
    await page.waitForFunction((t) => document.getElementById("status").textContent.startsWith(t),
                               { timeout: 10000 }, status).catch(() => {});
    const shown = await page.evaluate(() => [document.getElementById("status").textContent,
                                             document.getElementById("error").textContent,
                                             document.getElementById("status").dataset.final]);
    check(shown[0].startsWith(status) && shown[1].startsWith(error) && shown[2] === "false",
          `a stream that ends ${seedValue === "5" ? "with the cancellation line" : "cut"}: the page says ` +
          `"${shown[0]}" / "${shown[1]}"`);
  }
  await page.setRequestInterception(false);

  check(foreign.length === 0, "the page asked no other host" + (foreign.length ? ": " + foreign.join(" ") : ""));
  check(consoleErrors.length === 0, "no script error" + (consoleErrors.length ? ": " + consoleErrors.join(" ") : ""));
} catch (e) {
  check(false, "the test ran to the end: " + (e && e.stack ? e.stack : e));
} finally {
  if (browser) await browser.close().catch(() => {});
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await new Promise((r) => { server.on("exit", r); setTimeout(r, 5000); });
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(`${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
