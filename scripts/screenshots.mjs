// `npm run screenshots`: the README's pictures of the dashboard, taken from a real local
// cluster in the system's Chromium (/usr/bin/chromium):
//   docs/dashboard.png               6 nodes, a Deployment of 20 pods and its Service;
//   docs/dashboard-node-failure.png  a node crashed from the page: NotReady (Unknown)
//                                    with its taint, its pods evicted and replaced on
//                                    the other nodes, the failure timeline filling in.
// Failure detection is shortened (as the e2e tests do) so the pictures come in seconds.
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { buildBench, startCluster, TOKEN } from "../bench/cluster.mjs";
import { log, sleep } from "../bench/util.mjs";

const NODES = 6;
const APP = "kubernetes-bootcamp";
const REPLICAS = 20;
const OUT = new URL("../docs/", import.meta.url);
const VIEWPORT = { width: 1400, height: 900 };

const build = buildBench();
const cluster = await startCluster(build.config, {
  DEFAULT_NODE_COUNT: String(NODES),
  NODE_MONITOR_GRACE_PERIOD: "6s",
  NODE_LEASE_DURATION_SECONDS: "4",
  NODE_LEASE_RENEW_INTERVAL: "2s",
  NODE_LEASE_WRITE_INTERVAL: "4s",
  DEFAULT_NOT_READY_TOLERATION_SECONDS: "5",
  DEFAULT_UNREACHABLE_TOLERATION_SECONDS: "5",
});
const profileDir = mkdtempSync(join(tmpdir(), "edgekube-chromium-"));
let context;
try {
  mkdirSync(OUT, { recursive: true });
  await until(async () => ((await cluster.api("/api/v1/nodes")).body.items ?? []).length >= NODES, 120_000, "nodes");
  log(`creating Deployment ${APP} (${REPLICAS} pods) and its Service`);
  await create("/apis/apps/v1/namespaces/default/deployments", {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: APP, labels: { app: APP } },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: APP } },
      template: {
        metadata: { labels: { app: APP } },
        spec: { containers: [{ name: APP, image: "gcr.io/google-samples/kubernetes-bootcamp:v1", ports: [{ containerPort: 8080 }], resources: { requests: { cpu: "100m", memory: "128Mi" } } }] },
      },
    },
  });
  await create("/api/v1/namespaces/default/services", {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: APP, labels: { app: APP } },
    spec: { type: "NodePort", selector: { app: APP }, ports: [{ port: 8080, targetPort: 8080 }] },
  });
  await until(async () => ((await cluster.api(`/apis/apps/v1/namespaces/default/deployments/${APP}`)).body.status?.readyReplicas ?? 0) >= REPLICAS, 180_000, "pods ready");

  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: VIEWPORT,
  });
  const page = await context.newPage();
  await page.goto(`${cluster.url}/ui/`);
  await page.fill("#token", TOKEN);
  await page.click("#login-form button[type=submit]");
  await page.waitForSelector("body[data-rendered=true]");
  // Every pod drawn Running with its IP, the Service's endpoints listed, the heartbeats in.
  await page.waitForFunction((n) => document.querySelectorAll('article[data-node] [data-pod][data-status="Running"]').length === n, REPLICAS);
  await page.waitForFunction(([app, n]) => document.querySelectorAll(`#services [data-service=${app}] .endpoint.ok`).length === n, [APP, REPLICAS]);
  await page.waitForFunction(() => document.querySelectorAll("span.heartbeat[data-renew]").length > 0);
  await shoot(page, "dashboard.png");

  // The node with the most pods crashes, from its own button.
  const victim = await page.evaluate(() => {
    const boxes = [...document.querySelectorAll("article[data-node]")];
    boxes.sort((a, b) => b.querySelectorAll("[data-pod]").length - a.querySelectorAll("[data-pod]").length);
    return boxes[0].getAttribute("data-node");
  });
  log(`crashing ${victim} from the page`);
  await page.click(`article[data-node=${victim}] button[data-action=crash]`);
  await page.waitForSelector(`article[data-node=${victim}][data-ready=Unknown]`, { timeout: 60_000 });
  await page.waitForSelector(`article[data-node=${victim}] .taint`, { timeout: 60_000 });
  // Evictions done and replacements bound: the moment the picture tells the story.
  const stage = (s) => `#timeline [data-failure=${victim}] [data-stage=${s}]`;
  await page.waitForFunction((sel) => /replacements bound: [1-9]/.test(document.querySelector(sel)?.textContent ?? ""), stage("bound"), { timeout: 60_000 });
  await page.waitForFunction((sel) => /replacements started: [1-9]/.test(document.querySelector(sel)?.textContent ?? ""), stage("running"), { timeout: 60_000 });
  await shoot(page, "dashboard-node-failure.png");
} finally {
  await context?.close();
  rmSync(profileDir, { recursive: true, force: true });
  await cluster.stop();
  build.cleanup();
}

async function shoot(page, name) {
  const path = new URL(name, OUT).pathname;
  await page.screenshot({ path });
  log(`${path}: ${(statSync(path).size / 1024).toFixed(0)} KiB`);
}

async function create(path, body) {
  const res = await cluster.api(path, { method: "POST", body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
}

async function until(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(1000);
  }
}
