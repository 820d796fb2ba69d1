// The dashboard at scale (`npm run bench -- dashboard [--nodes 250] [--pods 3000]
// [--churn N] [--then-still S] [--browser 0] [--profile 1] [--rollout-timeout 900]`): a local cluster of that many
// nodes (pod CIDRs come from 10.128.0.0/9: thousands of node /24s) and that many pods,
// the page in the system's Chromium (/usr/bin/chromium). Measures
//   - sign-in to the first full picture (every node and pod listed and drawn), and the
//     same after a reload (navigation start to the first full picture, the token kept
//     in the tab's session storage);
//   - the browser's memory with everything drawn and after the churn: the page's JS heap
//     and DOM nodes (Performance.getMetrics) and the renderer process's resident memory
//     and peak (/proc);
//   - while pods churn (a rolling update, `set image`): the page's own drawing time per
//     animation frame, and the intervals between animation frames (what a person sees:
//     JSON parsing, style, layout and paint included).
// --churn N rolls a Deployment of N pods while the other pods-N (a second Deployment)
// sit still; by default every pod rolls. --then-still S then rolls those others too,
// watched for at most S seconds. --browser 0 runs the same rollouts without the page
// (what the page's watches cost the cluster). --profile 1 records the cluster's CPU profile
// (bench/results/dashboard-*.cpuprofile) from the set image to the end of the rollout.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { buildBench, freePort, startCluster, TOKEN } from "./cluster.mjs";
import { startProfiler, selfTimes } from "./devtools.mjs";
import { pageMetrics, rendererMemory } from "./browser-memory.mjs";
import { log, sleep, median, percentile, resultFile, until, textTable } from "./util.mjs";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const NODES = arg("nodes", 250);
const PODS = arg("pods", 3000);
const CHURN = Math.min(arg("churn", PODS), PODS);
const PROFILE = arg("profile", 0) > 0;
const ROLLOUT_TIMEOUT_S = arg("rollout-timeout", 900);
const THEN_STILL_S = arg("then-still", 0);
const BROWSER = arg("browser", 1) > 0;
const APP = "churn";
const STILL = "still";

const build = buildBench();
const inspectorPort = PROFILE ? await freePort() : 0;
const cluster = await startCluster(build.config, { DEFAULT_NODE_COUNT: String(NODES), NODE_LEASE_RENEW_INTERVAL: "10s" }, { startTimeoutMs: 300_000, inspectorPort });
const profileDir = mkdtempSync(join(tmpdir(), "edgekube-chromium-"));
const file = resultFile("dashboard", "json");
const result = { nodes: NODES, pods: PODS, churnPods: CHURN };
const save = () => writeFileSync(file, JSON.stringify(result));
let context;
try {
  log(`cluster up at ${cluster.url}; waiting for ${NODES} nodes`);
  await until(async () => ((await cluster.api("/api/v1/nodes")).body.items ?? []).length >= NODES, 300_000, "nodes");

  const t0 = Date.now();
  if (CHURN < PODS) await createDeployment(STILL, PODS - CHURN);
  await createDeployment(APP, CHURN);
  await until(async () => (await readyOf(STILL)) + (await readyOf(APP)) >= PODS, 1_800_000, "pods ready", 10_000);
  log(`all ${PODS} pods ready after ${((Date.now() - t0) / 1000).toFixed(0)} s`);

  // Pods ready is not the end of the work they caused (statuses, events, endpoints):
  // the page is opened once the API answers at once again, so its first render is the
  // page's time, not the time the cluster takes to settle on one local thread.
  result.settleSeconds = await settle();
  log(`the API answers promptly again after ${result.settleSeconds.toFixed(0)} s`);
  const page = BROWSER ? await openPage() : undefined;
  result.churn = await roll(page, APP, CHURN, ROLLOUT_TIMEOUT_S);
  if (page) {
    result.memoryAfterChurn = { ...(await pageMetrics(page)), renderer: rendererMemory(profileDir) };
    log(`browser memory after the churn: ${memoryText(result.memoryAfterChurn)}`);
  }
  save();
  // Then the other pods too, for as long as --then-still says: how far a rollout of
  // thousands gets, and how long the API keeps a request waiting meanwhile.
  if (THEN_STILL_S > 0 && CHURN < PODS) {
    result.stillChurn = await roll(page, STILL, PODS - CHURN, THEN_STILL_S);
    save();
  }
  log(`written to ${file.pathname}`);
} finally {
  await context?.close();
  rmSync(profileDir, { recursive: true, force: true });
  await cluster.stop();
  build.cleanup();
}

/** Seconds until five GET /version in a row answer within 100 ms (at most 5 minutes). */
async function settle() {
  const start = Date.now();
  let quiet = 0;
  while (quiet < 5 && Date.now() - start < 300_000) {
    const t = Date.now();
    await fetch(`${cluster.url}/version`).then((r) => r.text(), () => undefined);
    quiet = Date.now() - t < 100 ? quiet + 1 : 0;
    await sleep(200);
  }
  return (Date.now() - start) / 1000;
}

/** The page signed in and drawn twice (sign-in, then a reload): first-render times and memory. */
async function openPage() {
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1600, height: 1000 },
  });
  const page = await context.newPage();
  await page.goto(`${cluster.url}/ui/`);
  await page.fill("#token", TOKEN);
  await page.click("#login-form button[type=submit]");
  await page.waitForSelector("body[data-rendered=true]", { timeout: 300_000 });
  result.signInToFirstRenderMs = await page.evaluate(() => window.edgekubeStats.firstFullRender - window.edgekubeStats.signIn);
  log(`sign-in to first full render: ${result.signInToFirstRenderMs.toFixed(0)} ms`);

  await page.reload();
  await page.waitForSelector("body[data-rendered=true]", { timeout: 300_000 });
  result.loadToFirstRenderMs = await page.evaluate(() => window.edgekubeStats.firstFullRender);
  const drawn = await page.evaluate(() => ({ tiles: document.querySelectorAll("[data-node]").length, summary: document.getElementById("summary")?.textContent }));
  log(`page load to first full render: ${result.loadToFirstRenderMs.toFixed(0)} ms (${drawn.tiles} nodes drawn; ${drawn.summary})`);
  result.memoryLoaded = { ...(await pageMetrics(page)), renderer: rendererMemory(profileDir) };
  log(`browser memory, everything drawn: ${memoryText(result.memoryLoaded)}`);
  save();

  return page;
}

/**
 * A rolling update of Deployment `name` (set image) watched to its end or `timeoutS`:
 * the page's drawing time per frame and the browser's frame intervals meanwhile, the
 * set image's answer, and GET /version's latency every half second.
 */
async function roll(page, name, replicas, timeoutS) {
  const out = { name, replicas };
  await page?.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.edgekubeStats.frameMs.length = 0;
    w.edgekubeStats.maxFrameMs = 0;
    w.frameGaps = [];
    w.stopGaps = false;
    let last = performance.now();
    const loop = (/** @type {number} */ t) => {
      w.frameGaps.push(t - last);
      last = t;
      if (!w.stopGaps) requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  });
  log(`rolling update of ${replicas} pods (set image on ${name})`);
  const profiler = PROFILE ? await startProfiler(inspectorPort) : undefined;
  const start = Date.now();
  // /version reads nothing from D1: its latency is the time a request waits to be read
  // and its answer to be sent.
  const versionMs = [];
  let rolling = true;
  const probing = (async () => {
    while (rolling) {
      const t = Date.now();
      await fetch(`${cluster.url}/version`).then((r) => r.text(), () => undefined);
      versionMs.push(Date.now() - t);
      await sleep(500);
    }
  })();
  // The PATCH may wait long for its answer: the rollout's progress is read from the
  // Deployment's status meanwhile.
  const patched = cluster
    .api(`/apis/apps/v1/namespaces/default/deployments/${name}`, {
      method: "PATCH",
      headers: { "content-type": "application/strategic-merge-patch+json" },
      body: JSON.stringify({ spec: { template: { spec: { containers: [{ name: "app", image: "busybox:1.37" }] } } } }),
    })
    .then((r) => ({ status: r.status, ms: Date.now() - start }))
    .catch((e) => ({ status: 0, error: e.message, ms: Date.now() - start }));
  out.progress = [];
  try {
    await until(async () => {
      const d = (await cluster.api(`/apis/apps/v1/namespaces/default/deployments/${name}`)).body;
      const st = d.status ?? {};
      out.progress.push({ s: (Date.now() - start) / 1000, updated: st.updatedReplicas ?? 0, ready: st.readyReplicas ?? 0, replicas: st.replicas ?? 0 });
      log(`  ${st.updatedReplicas ?? 0} updated, ${st.readyReplicas ?? 0} ready, ${st.replicas ?? 0} in all`);
      // Done once the controller has seen the new template (observedGeneration) and rolled it out.
      return st.observedGeneration >= d.metadata.generation && d.metadata.generation > 1 && st.updatedReplicas >= replicas && st.replicas === replicas && st.readyReplicas >= replicas;
    }, timeoutS * 1000, "rollout", 10_000);
    out.seconds = (Date.now() - start) / 1000;
  } catch (e) {
    out.error = e.message;
    log(e.message);
  }
  rolling = false;
  await probing;
  out.versionMs = versionMs;
  out.setImage = await Promise.race([patched, sleep(1000).then(() => ({ status: -1, error: "no answer yet" }))]);
  if (profiler) {
    const profile = await profiler.stop();
    const pfile = resultFile("dashboard", "cpuprofile");
    writeFileSync(pfile, JSON.stringify(profile));
    const times = selfTimes(profile);
    const total = times.reduce((s, [, v]) => s + v, 0);
    const idle = times.filter(([k]) => k.startsWith("(idle)")).reduce((s, [, v]) => s + v, 0);
    const rows = times.filter(([k]) => !k.startsWith("(idle)")).slice(0, 25).map(([k, ms]) => [k, ms.toFixed(0), ((100 * ms) / (total - idle)).toFixed(1)]);
    console.log("\n" + textTable([["function  file:line", "self ms", "% busy"], ...rows]) + "\n");
    log(`profiled ${(total / 1000).toFixed(0)} s, busy ${((total - idle) / 1000).toFixed(0)} s; written to ${pfile.pathname}`);
  }
  const frames = (await page?.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.stopGaps = true;
    return { draw: w.edgekubeStats.frameMs.slice(), gaps: w.frameGaps.slice(1) };
  })) ?? { draw: [], gaps: [] };
  out.drawMs = frames.draw;
  out.frameGapsMs = frames.gaps;
  const fmt = (xs) => (xs.length ? `p50 ${median(xs).toFixed(1)} ms, p95 ${percentile(xs, 95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms` : "none");
  log(`${name}: ${out.seconds?.toFixed(0) ?? "unfinished"} s; set image answered ${JSON.stringify(out.setImage)}`);
  log(`  GET /version meanwhile (${versionMs.length}): ${fmt(versionMs)}`);
  log(`  draw per frame (last ${frames.draw.length} frames): ${fmt(frames.draw)}`);
  log(`  frame intervals (${frames.gaps.length}): ${fmt(frames.gaps)}; over 50 ms: ${frames.gaps.filter((g) => g > 50).length}`);
  return out;
}

function memoryText(m) {
  const r = m.renderer;
  return `JS heap ${m.jsHeapUsedMiB.toFixed(0)} MiB used of ${m.jsHeapTotalMiB.toFixed(0)}, ${m.domNodes} DOM nodes; renderer ${r ? `${r.rssMiB.toFixed(0)} MiB resident (peak ${r.peakMiB.toFixed(0)})` : "not found"}`;
}

async function createDeployment(name, replicas) {
  log(`creating Deployment ${name} of ${replicas} pods`);
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image: "busybox", command: ["sleep", "3600"], resources: { requests: { cpu: "10m", memory: "16Mi" } } }] } },
    },
  };
  const created = await cluster.api("/apis/apps/v1/namespaces/default/deployments", { method: "POST", body: JSON.stringify(deployment) });
  if (created.status !== 201) throw new Error(`create ${name}: ${created.status} ${JSON.stringify(created.body)}`);
}

async function readyOf(name) {
  const res = await cluster.api(`/apis/apps/v1/namespaces/default/deployments/${name}`);
  const n = res.status === 200 ? (res.body.status?.readyReplicas ?? 0) : 0;
  if (res.status === 200) log(`  ${name}: ${n}/${res.body.spec.replicas} ready`);
  return n;
}
