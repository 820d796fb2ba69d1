// `npm run bench:failover:compare -- --baseline REF [--runs 3 --nodes 4 --pods 100]
//   [--placement adopt --state-dir /dev/shm --var NAME=VALUE]` (the last three go to every run)
//
// The failover benchmark (failover.mjs) of this tree and of the commit REF side by
// side, in one invocation: REF is checked out in a temporary git worktree, and the two
// take turns (REF's run 1, this tree's run 1, REF's run 2, ...), each run on a fresh
// local cluster, so a machine that gets busier or quieter during the comparison
// weighs on both alike. Medians with min-max for every stage of the timeline, and the
// ratio of this tree to the baseline, go to the console,
// bench/results/failover-compare-*.json and a bar chart in
// bench/results/failover-compare-*.svg.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { checkoutRef, log, median, resultFile, textTable } from "./util.mjs";

const ROOT = new URL("..", import.meta.url).pathname;
const STAGES = [
  ["faultToDetectSeconds", "fault → detected"],
  ["detectToEvictedSeconds", "detected → evicted"],
  ["detectToBoundSeconds", "detected → bound"],
  ["detectToRunningSeconds", "detected → Running"],
  ["detectToRunningSeenSeconds", "(seen by client)"],
];

function parseArgs(argv) {
  const o = { baseline: undefined, runs: 3, nodes: 4, pods: 100, pass: [] };
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = argv[i].includes("=") ? argv[i].split("=", 2) : [argv[i], argv[++i]];
    if (k === "--baseline") o.baseline = v;
    else if (k === "--runs") o.runs = Number(v);
    else if (k === "--nodes") o.nodes = Number(v);
    else if (k === "--pods") o.pods = Number(v);
    // Passed on to every failover run, the baseline's and this tree's alike.
    else if (k === "--placement" || k === "--state-dir" || k === "--var") o.pass.push(k, v);
    else throw new Error(`unknown argument ${k}`);
  }
  if (!o.baseline) throw new Error("--baseline REF is required (a commit, tag or branch to compare with)");
  if (!(o.runs >= 1)) throw new Error("--runs must be at least 1");
  return o;
}

/** One failover run in `root`; its result file is read and removed (the comparison keeps the runs). */
async function runOnce(root, label, o) {
  const results = join(root, "bench/results");
  const before = new Set(existsSync(results) ? readdirSync(results) : []);
  const child = spawn(process.execPath, [join(root, "bench/failover.mjs"), "--runs", "1", "--nodes", String(o.nodes), "--pods", String(o.pods), ...o.pass], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  child.stdout.on("data", (d) => process.stdout.write(String(d).replace(/^(?=.)/gm, `  ${label} | `)));
  const code = await new Promise((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`${label}: failover run failed (exit ${code})`);
  const fresh = readdirSync(results).filter((f) => !before.has(f) && f.startsWith("failover-"));
  const json = fresh.find((f) => f.endsWith(".json"));
  if (!json) throw new Error(`${label}: the run wrote no result`);
  const run = JSON.parse(readFileSync(join(results, json), "utf8")).runs[0];
  for (const f of fresh) rmSync(join(results, f));
  return run;
}

function summarise(runs) {
  const out = {};
  for (const [k] of STAGES) {
    const xs = runs.map((r) => r[k]);
    out[k] = { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
  }
  return out;
}

/** Grouped bars (baseline, this tree) per stage with min-max whiskers. */
function chart(base, ours, labels) {
  const W = 760, H = 320, left = 60, bottom = 60, top = 40;
  const top_ = Math.max(...STAGES.flatMap(([k]) => [base[k].max, ours[k].max])) * 1.1 || 1;
  const y = (v) => H - bottom - (v / top_) * (H - bottom - top);
  const slot = (W - left - 20) / STAGES.length;
  const colours = ["#8a8f98", "#2f6fde"];
  let bars = "";
  STAGES.forEach(([k, name], i) => {
    [base, ours].forEach((s, j) => {
      const x = left + i * slot + 12 + j * (slot / 2 - 8);
      const w = slot / 2 - 16;
      bars += `<rect x="${x}" y="${y(s[k].median)}" width="${w}" height="${H - bottom - y(s[k].median)}" fill="${colours[j]}"/>`;
      bars += `<line x1="${x + w / 2}" x2="${x + w / 2}" y1="${y(s[k].min)}" y2="${y(s[k].max)}" stroke="#222" stroke-width="1.5"/>`;
      bars += `<text x="${x + w / 2}" y="${y(s[k].max) - 4}" font-size="10" text-anchor="middle">${s[k].median.toFixed(1)}</text>`;
    });
    bars += `<text x="${left + i * slot + slot / 2}" y="${H - bottom + 16}" font-size="11" text-anchor="middle">${name}</text>`;
  });
  let axis = "";
  for (let t = 0; t <= 4; t++) {
    const v = (top_ / 4) * t;
    axis += `<line x1="${left}" x2="${W - 20}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${left - 6}" y="${y(v) + 4}" font-size="10" text-anchor="end">${v.toFixed(1)}</text>`;
  }
  const legend = labels.map((l, j) => `<rect x="${left + j * 260}" y="${H - 22}" width="12" height="12" fill="${colours[j]}"/><text x="${left + j * 260 + 18}" y="${H - 12}" font-size="12">${l}</text>`).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/><text x="${left}" y="22" font-size="14">Node failover, seconds: median (bar) and min-max (line) per stage</text>${axis}${bars}${legend}</svg>\n`;
}

const o = parseArgs(process.argv.slice(2));
const base = checkoutRef(o.baseline, [".dev.vars"]);
const ours = execFileSync("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
const dirty = execFileSync("git", ["-C", ROOT, "status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" }).trim() !== "";
const oursLabel = `this tree (${ours}${dirty ? ", modified" : ""})`;
const baseLabel = `baseline (${base.commit})`;
log(`failover side by side: ${baseLabel} vs ${oursLabel}; ${o.runs} runs each, ${o.pods} pods, ${o.nodes} nodes; ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
const runs = { baseline: [], ours: [] };
try {
  for (let r = 1; r <= o.runs; r++) {
    log(`round ${r}/${o.runs}: baseline`);
    runs.baseline.push(await runOnce(base.dir, "baseline", o));
    log(`round ${r}/${o.runs}: this tree`);
    runs.ours.push(await runOnce(ROOT, "this tree", o));
  }
} finally {
  base.remove();
}

const b = summarise(runs.baseline);
const t = summarise(runs.ours);
const cell = (s) => `${s.median.toFixed(1)} (${s.min.toFixed(1)}-${s.max.toFixed(1)})`;
console.log(
  "\n" +
    textTable([
      ["stage, s", baseLabel, oursLabel, "ratio"],
      ...STAGES.map(([k, name]) => [name, cell(b[k]), cell(t[k]), b[k].median > 0 ? `${(t[k].median / b[k].median).toFixed(2)}x` : "-"]),
    ]) +
    "\n",
);
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
const stamp = new Date();
const json = resultFile("failover-compare", "json", stamp);
writeFileSync(json, JSON.stringify({ date: stamp.toISOString(), cores: cpus().length, loadAverage: loadavg(), node: process.version, options: o, baseline: { commit: base.commit, summary: b, runs: runs.baseline }, ours: { commit: ours, dirty, summary: t, runs: runs.ours } }, null, 2) + "\n");
const svg = resultFile("failover-compare", "svg", stamp);
writeFileSync(svg, chart(b, t, [baseLabel, oursLabel]));
log(`results written to ${json.pathname} and ${svg.pathname}`);
