// `npm run bench:exec [-- --execs 1000 --delays 0ms,100ms --parallel 4 --no-load]`
//
// How often the real kubectl loses exec output, with both cores kept busy. kubectl up
// to 1.32 discards frames that arrive before its WebSocket client has created their
// stream ("Unknown stream id 2, discarding message"); the server holds output for the
// runtime's exec start (EXEC_START_DELAY) when the client is not expected to speak
// first (src/node/explore/exec-channels.ts). For each delay, one local cluster over
// https (kubectl only sends its token over TLS) runs --execs of
// `kubectl exec drops -- sh -c 'echo out; echo err >&2'`, --parallel at a time, while
// two busy loops (one per core) run beside it. An exec counts as dropped when its
// stdout is not exactly "out\n" or its stderr not exactly "err\n". Results go to the
// console and bench/results/exec-drops-*.json.
import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { buildBench, startCluster, TOKEN } from "./cluster.mjs";
import { log, median, resultFile, sleep, textTable } from "./util.mjs";

function parseArgs(argv) {
  const o = { execs: 1000, delays: ["0ms", "100ms"], parallel: 4, load: true };
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = argv[i].includes("=") ? argv[i].split("=", 2) : [argv[i], argv[i + 1]];
    if (k === "--no-load") {
      o.load = false;
      continue;
    }
    if (!argv[i].includes("=")) i++;
    if (k === "--execs") o.execs = Number(v);
    else if (k === "--delays") o.delays = v.split(",");
    else if (k === "--parallel") o.parallel = Number(v);
    else throw new Error(`unknown argument ${k}`);
  }
  if (!(o.execs >= 1) || !(o.parallel >= 1) || !o.delays.length) throw new Error("bad arguments: --execs >= 1, --parallel >= 1, --delays a,b");
  return o;
}

const opts = parseArgs(process.argv.slice(2));
process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";

/** One busy loop per core, in processes of their own: the machine a busy CI gives. */
function startLoad() {
  if (!opts.load) return () => undefined;
  const kids = cpus().map(() => spawn(process.execPath, ["-e", "for(;;){}"], { stdio: "ignore" }));
  return () => kids.forEach((k) => k.kill("SIGKILL"));
}

function kubeconfigFor(url, dir) {
  const file = join(dir, "kubeconfig");
  writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: b\n  cluster: {server: "${url}", insecure-skip-tls-verify: true}\nusers:\n- name: b\n  user: {token: ${TOKEN}}\ncontexts:\n- name: b\n  context: {cluster: b, user: b, namespace: default}\ncurrent-context: b\n`,
  );
  return file;
}

function kubectl(kubeconfig, dir, args) {
  return new Promise((resolve) => {
    const started = performance.now();
    execFile("kubectl", ["--kubeconfig", kubeconfig, "--cache-dir", join(dir, "cache"), ...args], { env: { ...process.env, HOME: dir }, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr, ms: performance.now() - started }),
    );
  });
}

async function measure(config, delay) {
  const cluster = await startCluster(config, { DEFAULT_NODE_COUNT: "1", EXEC_START_DELAY: delay }, { protocol: "https" });
  const dir = mkdtempSync(join(tmpdir(), "edgekube-exec-"));
  const kc = kubeconfigFor(cluster.url, dir);
  try {
    await kubectl(kc, dir, ["run", "drops", "--image=busybox:1.37", "--restart=Never", "--", "sleep", "86400"]);
    const deadline = Date.now() + 120_000;
    while ((await kubectl(kc, dir, ["get", "pod", "drops", "-o", "jsonpath={.status.phase}"])).stdout !== "Running") {
      if (Date.now() > deadline) throw new Error("pod drops did not start");
      await sleep(500);
    }
    const stopLoad = startLoad();
    const results = [];
    let next = 0;
    const worker = async () => {
      while (next < opts.execs) {
        next++;
        results.push(await kubectl(kc, dir, ["exec", "drops", "--", "sh", "-c", "echo out; echo err >&2"]));
        if (results.length % 100 === 0) log(`  EXEC_START_DELAY=${delay}: ${results.length}/${opts.execs}, dropped so far ${results.filter(dropped).length}`);
      }
    };
    try {
      await Promise.all(Array.from({ length: opts.parallel }, worker));
    } finally {
      stopLoad();
    }
    const ms = results.map((r) => r.ms);
    return {
      delay,
      execs: results.length,
      dropped: results.filter(dropped).length,
      failed: results.filter((r) => r.code !== 0).length,
      sample: results.find(dropped)?.stderr.slice(0, 300),
      execMs: { median: median(ms), min: Math.min(...ms), max: Math.max(...ms) },
      loadavg: loadavg()[0],
    };
  } finally {
    await cluster.stop();
  }
}

const dropped = (r) => r.stdout !== "out\n" || r.stderr !== "err\n";

const { config, cleanup } = buildBench();
const runs = [];
try {
  for (const delay of opts.delays) {
    log(`EXEC_START_DELAY=${delay}: ${opts.execs} execs, ${opts.parallel} at a time${opts.load ? ", both cores busy" : ""}`);
    runs.push(await measure(config, delay));
  }
} finally {
  cleanup();
}
const base = runs[0];
const rows = [["EXEC_START_DELAY", "execs", "dropped", "drop rate", "exec median (min-max)", "median vs first"]];
for (const r of runs) {
  rows.push([
    r.delay,
    String(r.execs),
    String(r.dropped),
    `${((100 * r.dropped) / r.execs).toFixed(2)}%`,
    `${Math.round(r.execMs.median)} ms (${Math.round(r.execMs.min)}-${Math.round(r.execMs.max)})`,
    `${(r.execMs.median / base.execMs.median).toFixed(2)}x`,
  ]);
}
console.log(textTable(rows));
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
const file = resultFile("exec-drops", "json");
writeFileSync(file, JSON.stringify({ opts, cpus: cpus().length, runs }, null, 2));
log(`wrote ${file.pathname}`);
