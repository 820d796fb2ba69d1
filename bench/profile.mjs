// `npm run bench:profile [-- --nodes 3 --pods 100 --concurrency 16]`
// `npm run bench:profile -- --nodes 1000 --pods 0 --idle 30`: an idle cluster instead
// `npm run bench:profile -- --nodes 2000 --pods 0 --bringup 1`: the nodes' bring-up
// `--state-dir /dev/shm`: the cluster's storage in memory (default: the system's temp dir)
//
// Where the local runtime's time goes while pods are created, scheduled and started:
// a local cluster (wrangler dev serving bench/worker.mts) with its inspector on a
// fixed port, the V8 CPU profiler attached over the DevTools protocol while --pods
// pods are created through the API and run. Prints the functions with the most self
// time and writes the profile to bench/results/profile-*.cpuprofile (open it in
// Chrome DevTools, Performance panel). In `wrangler dev` the API worker and every
// Durable Object share one JavaScript thread, so this is the whole pipeline's cost.
import { mkdirSync, writeFileSync } from "node:fs";
import { buildBench, freePort, startCluster } from "./cluster.mjs";
import { devtools, selfTimes } from "./devtools.mjs";
import { log, resultFile, sleep, textTable } from "./util.mjs";

function parseArgs(argv) {
  const o = { nodes: 3, pods: 100, concurrency: 16, top: 30, idle: 0, bringup: 0, stateDir: undefined };
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = argv[i].includes("=") ? argv[i].split("=", 2) : [argv[i], argv[++i]];
    const name = k.replace(/^--/, "");
    if (name === "state-dir") o.stateDir = v;
    else if (name in o) o[name] = Number(v);
    else throw new Error(`unknown argument ${k}`);
  }
  return o;
}

function pod(name) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app: "profile" } },
    spec: { containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu: "10m", memory: "16Mi" } } }] },
  };
}

const opts = parseArgs(process.argv.slice(2));
log(`profiling ${opts.pods} pod creates (${opts.concurrency} in flight) on ${opts.nodes} nodes`);
const build = buildBench();
const inspectorPort = await freePort();
const cluster = await startCluster(build.config, { DEFAULT_NODE_COUNT: String(opts.nodes) }, { inspectorPort, stateDir: opts.stateDir });
try {
  // Bring-up: the first /api request bootstraps the nodes; profile from before it.
  const early = opts.bringup ? await devtools(inspectorPort) : undefined;
  if (early) {
    await early.send("Profiler.enable");
    await early.send("Profiler.setSamplingInterval", { interval: 200 });
    await early.send("Profiler.start");
  }
  const tBoot = Date.now();
  for (;;) {
    const list = await cluster.api("/api/v1/nodes");
    if (list.status === 200 && list.body.items.filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")).length >= opts.nodes) break;
    await sleep(500);
  }
  if (early) log(`all ${opts.nodes} Ready after ${((Date.now() - tBoot) / 1000).toFixed(1)} s`);
  if (!early) await sleep(3_000);
  const dt = early ?? (await devtools(inspectorPort));
  log(`attached to ${dt.title}`);
  if (!early) {
    await dt.send("Profiler.enable");
    await dt.send("Profiler.setSamplingInterval", { interval: 200 });
    await dt.send("Profiler.start");
  }
  const t0 = Date.now();
  if (opts.pods === 0) await sleep(opts.idle * 1000);
  let next = 0;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (next < opts.pods) {
        const name = `p-${next++}`;
        const res = await cluster.api("/api/v1/namespaces/default/pods", { method: "POST", body: JSON.stringify(pod(name)) });
        if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }),
  );
  const tCreated = Date.now();
  while (opts.pods > 0) {
    const list = await cluster.api("/api/v1/namespaces/default/pods?fieldSelector=status.phase%3DRunning");
    const n = list.body.items.length;
    if (n >= opts.pods) break;
    log(`  ${n}/${opts.pods} running`);
    await sleep(1_000);
  }
  const tRunning = Date.now();
  const { profile } = await dt.send("Profiler.stop");
  dt.close();
  const sampled = profile.timeDeltas.reduce((s, d) => s + d, 0) / 1000;
  const idle = selfTimes(profile).filter(([k]) => k.startsWith("(idle)")).reduce((s, [, v]) => s + v, 0);
  log(`created in ${((tCreated - t0) / 1000).toFixed(1)} s, all Running after ${((tRunning - t0) / 1000).toFixed(1)} s; profiled ${(sampled / 1000).toFixed(1)} s, busy ${((sampled - idle) / 1000).toFixed(1)} s = ${((sampled - idle) / Math.max(1, opts.pods)).toFixed(1)} ms per pod`);
  const rows = selfTimes(profile)
    .filter(([k]) => !k.startsWith("(idle)"))
    .slice(0, opts.top)
    .map(([k, ms]) => [k, ms.toFixed(0), ((100 * ms) / (sampled - idle)).toFixed(1)]);
  console.log("\n" + textTable([["function  file:line", "self ms", "% busy"], ...rows]) + "\n");
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  const file = resultFile("profile", "cpuprofile");
  writeFileSync(file, JSON.stringify(profile));
  log(`profile written to ${file.pathname}`);
} finally {
  await cluster.stop();
  build.cleanup();
}
