// The dashboard at scale (`npm run bench -- dashboard [--nodes 250] [--pods 3000]`):
// a local cluster of that many nodes (at most 256: the cluster CIDR 10.244.0.0/16 holds
// 256 node /24s) and a Deployment of that many pods, the page in
// the system's Chromium (/usr/bin/chromium). Measures
//   - sign-in to the first full picture (every node and pod listed and drawn), and the
//     same after a reload (navigation start to the first full picture, the token kept
//     in the tab's session storage);
//   - while pods churn (a rolling update of every pod): the page's own drawing time per
//     animation frame, and the intervals between animation frames (what a person sees:
//     JSON parsing, style, layout and paint included).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { buildBench, startCluster, TOKEN } from "./cluster.mjs";
import { log, sleep, median, percentile, resultFile } from "./util.mjs";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const NODES = arg("nodes", 250);
const PODS = arg("pods", 3000);
const APP = "churn";

const build = buildBench();
const cluster = await startCluster(build.config, { DEFAULT_NODE_COUNT: String(NODES), NODE_LEASE_RENEW_INTERVAL: "10s" }, { startTimeoutMs: 300_000 });
const profile = mkdtempSync(join(tmpdir(), "edgekube-chromium-"));
let context;
try {
  log(`cluster up at ${cluster.url}; waiting for ${NODES} nodes`);
  await until(async () => ((await cluster.api("/api/v1/nodes")).body.items ?? []).length >= NODES, 300_000, "nodes");

  log(`creating a Deployment of ${PODS} pods`);
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: APP, labels: { app: APP } },
    spec: {
      replicas: PODS,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      selector: { matchLabels: { app: APP } },
      template: { metadata: { labels: { app: APP } }, spec: { containers: [{ name: "app", image: "busybox", command: ["sleep", "3600"], resources: { requests: { cpu: "10m", memory: "16Mi" } } }] } },
    },
  };
  const created = await cluster.api("/apis/apps/v1/namespaces/default/deployments", { method: "POST", body: JSON.stringify(deployment) });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const t0 = Date.now();
  await until(async () => {
    const d = (await cluster.api(`/apis/apps/v1/namespaces/default/deployments/${APP}`)).body;
    log(`  ${d.status?.readyReplicas ?? 0}/${PODS} ready`);
    return (d.status?.readyReplicas ?? 0) >= PODS;
  }, 900_000, "pods ready", 10_000);
  log(`all ${PODS} pods ready after ${((Date.now() - t0) / 1000).toFixed(0)} s`);

  context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1600, height: 1000 },
  });
  const page = await context.newPage();
  await page.goto(`${cluster.url}/ui/`);
  await page.fill("#token", TOKEN);
  await page.click("#login-form button[type=submit]");
  await page.waitForSelector("body[data-rendered=true]", { timeout: 300_000 });
  const signIn = await page.evaluate(() => window.edgekubeStats.firstFullRender - window.edgekubeStats.signIn);
  log(`sign-in to first full render: ${signIn.toFixed(0)} ms`);

  await page.reload();
  await page.waitForSelector("body[data-rendered=true]", { timeout: 300_000 });
  const load = await page.evaluate(() => window.edgekubeStats.firstFullRender);
  const drawn = await page.evaluate(() => ({ tiles: document.querySelectorAll("[data-node]").length, summary: document.getElementById("summary")?.textContent }));
  log(`page load to first full render: ${load.toFixed(0)} ms (${drawn.tiles} nodes drawn; ${drawn.summary})`);

  // Frame intervals as the browser paints them, beside the page's own drawing time.
  await page.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.edgekubeStats.frameMs.length = 0;
    w.edgekubeStats.maxFrameMs = 0;
    w.frameGaps = [];
    let last = performance.now();
    const loop = (/** @type {number} */ t) => {
      w.frameGaps.push(t - last);
      last = t;
      if (!w.stopGaps) requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  });
  log("rolling update of every pod (set image)");
  const churnStart = Date.now();
  const file = resultFile("dashboard", "json");
  writeFileSync(file, JSON.stringify({ nodes: NODES, pods: PODS, signInToFirstRenderMs: signIn, loadToFirstRenderMs: load }));
  // At 10,000 pods the PATCH itself may wait minutes for an answer (the rollout's first
  // ReplicaSet is written meanwhile): its outcome is read from the Deployment's status.
  const patched = cluster
    .api(`/apis/apps/v1/namespaces/default/deployments/${APP}`, {
      method: "PATCH",
      headers: { "content-type": "application/strategic-merge-patch+json" },
      body: JSON.stringify({ spec: { template: { spec: { containers: [{ name: "app", image: "busybox:1.37" }] } } } }),
    })
    .catch((e) => ({ status: 0, body: e.message }));
  await until(async () => {
    const d = (await cluster.api(`/apis/apps/v1/namespaces/default/deployments/${APP}`)).body;
    log(`  ${d.status?.updatedReplicas ?? 0} updated, ${d.status?.readyReplicas ?? 0} ready, ${d.status?.replicas ?? 0} in all`);
    // Done once the controller has seen the new template (observedGeneration) and rolled it out.
    return d.status?.observedGeneration >= d.metadata.generation && d.metadata.generation > 1 && d.status?.updatedReplicas >= PODS && d.status?.replicas === PODS && d.status?.readyReplicas >= PODS;
  }, 900_000, "rollout", 10_000);
  const churnSeconds = (Date.now() - churnStart) / 1000;
  log(`set image answered ${(await patched).status}`);
  const frames = await page.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.stopGaps = true;
    return { draw: w.edgekubeStats.frameMs.slice(), gaps: w.frameGaps.slice(1), events: w.edgekubeStats.frames };
  });
  const fmt = (xs) => `p50 ${median(xs).toFixed(1)} ms, p95 ${percentile(xs, 95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
  log(`churn: ${churnSeconds.toFixed(0)} s; draw per frame (last ${frames.draw.length} frames): ${fmt(frames.draw)}`);
  log(`frame intervals (${frames.gaps.length}): ${fmt(frames.gaps)}; over 50 ms: ${frames.gaps.filter((g) => g > 50).length}`);
  const result = { nodes: NODES, pods: PODS, signInToFirstRenderMs: signIn, loadToFirstRenderMs: load, churnSeconds, drawMs: frames.draw, frameGapsMs: frames.gaps };
  writeFileSync(file, JSON.stringify(result));
  log(`written to ${file.pathname}`);
} finally {
  await context?.close();
  rmSync(profile, { recursive: true, force: true });
  await cluster.stop();
  build.cleanup();
}

async function until(check, timeoutMs, what, everyMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch (e) {
      log(`  (${what}: ${e.message})`);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
