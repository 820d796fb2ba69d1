// `npm run bench -- decide [-- --nodes 1000,5000 --pods 10000 --rounds 5 --baseline REF]`
//
// The scheduler's deciding alone: filter and score for a backlog of pods over
// kubelet-less nodes, pure CPU with no cluster, D1 or Durable Objects (what the
// scheduler benchmark's backlog spends in `SchedulerLoop.decide`; locally it holds the
// thread every other component shares). bench/decide-core.mts is bundled with esbuild
// and each measurement runs in a fresh Node process. With --baseline REF the same core
// also runs against REF's sources (checked out in a temporary git worktree), the two
// taking turns round by round, and the report says whether both builds placed every pod
// on the same node. Medians (min-max) go to the console and bench/results/decide-*.json.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { checkoutRef, cliArgs, log, median, resultFile, textTable } from "./util.mjs";

const ROOT = new URL("..", import.meta.url).pathname;

function parseArgs(argv) {
  const o = { nodes: [1000, 5000], pods: 10000, rounds: 5, baseline: undefined };
  for (const [k, v] of cliArgs(argv)) {
    if (k === "--nodes") o.nodes = String(v).split(",").map(Number);
    else if (k === "--pods") o.pods = Number(v);
    else if (k === "--rounds") o.rounds = Number(v);
    else if (k === "--baseline") o.baseline = v;
    else throw new Error(`unknown argument ${k}`);
  }
  if (!o.nodes.every((n) => n >= 1) || !(o.pods >= 1) || !(o.rounds >= 1)) throw new Error("--nodes, --pods and --rounds must be positive");
  return o;
}

/** The core of the tree at `root`, bundled for Node into `out`. */
async function bundle(root, out) {
  await build({ entryPoints: [join(root, "bench/decide-core.mts")], bundle: true, platform: "node", format: "esm", outfile: out, logLevel: "warning" });
  return out;
}

function measure(script, nodes, pods) {
  const line = execFileSync(process.execPath, [script, String(nodes), String(pods)], { encoding: "utf8" }).trim().split("\n").pop();
  return JSON.parse(line);
}

const opts = parseArgs(process.argv.slice(2));
const loadAtStart = loadavg();
log(`edgekube decide benchmark: nodes ${opts.nodes.join(", ")}; ${opts.pods} pods; ${opts.rounds} rounds${opts.baseline ? `, against ${opts.baseline}` : ""}; ${cpus().length} cores, load ${loadAtStart.map((l) => l.toFixed(2)).join(" ")}`);
const work = mkdtempSync(join(tmpdir(), "edgekube-decide-bundle-"));
// The core is this tree's, measuring REF's sources.
const base = opts.baseline ? checkoutRef(opts.baseline, ["bench/decide-core.mts"]) : undefined;
const sides = [];
try {
  if (base) sides.push({ name: `baseline ${base.commit}`, script: await bundle(base.dir, join(work, "baseline.mjs")) });
  sides.push({ name: "this tree", script: await bundle(ROOT, join(work, "tree.mjs")) });
} finally {
  base?.remove();
}

const results = [];
for (const nodes of opts.nodes) {
  const runs = new Map(sides.map((s) => [s.name, []]));
  for (let r = 1; r <= opts.rounds; r++) {
    for (const side of sides) {
      const m = measure(side.script, nodes, opts.pods);
      runs.get(side.name).push(m);
      log(`  ${nodes} nodes, round ${r}/${opts.rounds}, ${side.name}: ${m.ms.toFixed(0)} ms (${((1000 * m.ms) / opts.pods).toFixed(0)} us a pod)`);
    }
  }
  const summary = sides.map((s) => {
    const ms = runs.get(s.name).map((m) => m.ms);
    return { side: s.name, medianMs: median(ms), minMs: Math.min(...ms), maxMs: Math.max(...ms), usPerPod: (1000 * median(ms)) / opts.pods, runs: runs.get(s.name) };
  });
  const hashes = new Set([...runs.values()].flat().map((m) => m.decisions));
  results.push({ nodes, pods: opts.pods, sameDecisions: hashes.size === 1, sides: summary });
}
rmSync(work, { recursive: true, force: true });

const rows = [["nodes", "build", "median ms", "min-max", "us a pod", "÷ baseline", "same decisions"]];
for (const r of results) {
  for (const s of r.sides) {
    const ratio = base ? (s.medianMs / r.sides[0].medianMs).toFixed(2) : "-";
    rows.push([String(r.nodes), s.side, s.medianMs.toFixed(0), `${s.minMs.toFixed(0)}-${s.maxMs.toFixed(0)}`, s.usPerPod.toFixed(0), ratio, base ? String(r.sameDecisions) : "-"]);
  }
}
console.log("\n" + textTable(rows) + "\n");
const file = resultFile("decide", "json");
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, loadAtStart, loadAverage: loadavg(), node: process.version, options: opts, results }, null, 2) + "\n");
log(`results written to ${file.pathname}`);
if (results.some((r) => !r.sameDecisions)) {
  // Not an error: a change may place pods differently on purpose. Said, so it is not missed.
  log("the builds placed some pods differently (see sameDecisions)");
}
