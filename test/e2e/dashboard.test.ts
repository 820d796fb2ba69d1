// The dashboard at /ui/ in a real Chromium against a real cluster: sign-in (a wrong
// token's message, then the right one), the live picture following kubectl's changes
// without a reload, actions that make the same API calls kubectl makes, a pod's logs
// and a shell over the exec WebSocket, and a crashed node's pods replaced elsewhere.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import type { Page } from "playwright-core";
import { startCluster, eventually, FAST_PROFILE, LOCAL_TOKEN, type Cluster } from "./cluster";
import { launchBrowser, type Browser } from "./browser";

const APP = "kubernetes-bootcamp";
const IMAGE = "gcr.io/google-samples/kubernetes-bootcamp:v1";

describe("dashboard", () => {
  let c: Cluster;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const requestedUrls: string[] = [];

  beforeAll(async () => {
    c = await startCluster(FAST_PROFILE);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("request", (r) => requestedUrls.push(r.url()));
  });
  afterAll(async () => {
    await browser?.close();
    await c?.stop();
  });

  /** The pods of the app as the page draws them: name, node, status. */
  async function drawnPods(): Promise<{ pod: string; node: string; status: string }[]> {
    return page.$$eval(`article[data-node] [data-pod^="default/${APP}-"]`, (els) =>
      els.map((el) => ({ pod: el.getAttribute("data-pod") ?? "", node: el.closest("article")?.getAttribute("data-node") ?? "", status: el.getAttribute("data-status") ?? "" })),
    );
  }

  async function kubectlPods(): Promise<{ name: string; node: string; phase: string; deleting: boolean }[]> {
    const out = JSON.parse((await c.kubectl(["get", "pods", "-l", `app=${APP}`, "-o", "json"])).stdout) as {
      items: { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string }; status: { phase?: string } }[];
    };
    return out.items.map((p) => ({ name: p.metadata.name, node: p.spec.nodeName ?? "", phase: p.status.phase ?? "", deleting: !!p.metadata.deletionTimestamp }));
  }

  it("serves the page with a strict Content-Security-Policy, while the API still answers at /api", async () => {
    const res = await page.goto(`${c.url}/ui/`);
    expect(res?.status()).toBe(200);
    const headers = res!.headers();
    expect(headers["content-security-policy"]).toContain("script-src 'self'");
    expect(headers["content-security-policy"]).toContain("connect-src 'self'");
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect((await c.api("/api/v1/nodes")).status).toBe(200);
    expect((await fetch(`${c.url}/api/v1/nodes`)).status).toBe(401);
  });

  it("shows the API server's message for a wrong token, then signs in with the right one", async () => {
    await page.fill("#token", "not-the-token");
    await page.click("#login-form button[type=submit]");
    await page.waitForSelector("#login-error:has-text('Unauthorized')");
    expect(await page.textContent("#login-error")).toBe("The API server refused the token: Unauthorized (401 Unauthorized)");
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    await page.fill("#token", LOCAL_TOKEN);
    await page.click("#login-form button[type=submit]");
    await page.waitForSelector("#app:not([hidden])");
    await page.waitForFunction(() => document.querySelectorAll("article[data-node]").length === 3);
    const nodes = await page.$$eval("article[data-node]", (els) => els.map((e) => `${e.getAttribute("data-node")}=${e.getAttribute("data-ready")}`));
    expect(nodes).toEqual(["node-1=Ready", "node-2=Ready", "node-3=Ready"]);
    // Each node's runtime and heartbeat, as `kubectl get nodes -o wide` and its Lease tell
    // (the Leases are read beside the nodes' list: they may come a moment later).
    await page.waitForSelector("article[data-node=node-3] .node-info span.heartbeat[data-renew]");
    expect(await page.textContent("article[data-node=node-3] .node-info")).toMatch(/^cri-o:\/\/\S+ · heartbeat \d+s ago$/);
    expect(await page.textContent("article[data-node=node-1] .node-info")).toMatch(/^containerd:\/\/\S+ · /);
    // The token never travels in a URL.
    expect(requestedUrls.filter((u) => u.includes(LOCAL_TOKEN) || u.includes("not-the-token"))).toEqual([]);
  });

  it("draws the pods of a deployment created with kubectl as they start, without a reload", async () => {
    await c.kubectl(["create", "deployment", APP, `--image=${IMAGE}`, "--replicas=2"]);
    await eventually(async () => {
      const pods = await drawnPods();
      return pods.length === 2 && pods.every((p) => p.status === "Running" && p.node.startsWith("node-"));
    }, 90_000, "2 Running pods drawn");
    await page.waitForSelector(`#deployments [data-deployment=${APP}]`);
  });

  it("scales the deployment from the page, as kubectl scale does", async () => {
    await page.waitForSelector(`#act-deployment option[value=${APP}]`, { state: "attached" });
    await page.selectOption("#act-deployment", APP);
    await page.fill("#act-scale", "4");
    await page.click("#act-do-scale");
    await page.waitForSelector(`#activity li:has-text("kubectl scale deployment/${APP} --replicas=4") .result.ok`);
    expect((await c.kubectl(["get", "deployment", APP, "-o", "jsonpath={.spec.replicas}"])).stdout).toBe("4");
    await eventually(async () => {
      const pods = await drawnPods();
      return pods.length === 4 && pods.every((p) => p.status === "Running");
    }, 90_000, "4 Running pods drawn");
    const listed = await kubectlPods();
    expect(listed.map((p) => p.name).sort()).toEqual((await drawnPods()).map((p) => p.pod.slice("default/".length)).sort());
  });

  it("opens a pod's page with its logs and a shell that runs hostname", async () => {
    const [first] = await drawnPods();
    const name = first.pod.slice("default/".length);
    await page.click(`[data-pod="${first.pod}"]`);
    await page.waitForSelector("#pod-view:not([hidden])");
    await page.waitForSelector(`#pod-logs:has-text("Kubernetes Bootcamp App Started At")`);
    expect(await page.textContent("#pod-logs")).toContain(`Running On:  ${name}`);
    expect(await page.textContent("#pod-containers")).toContain(IMAGE);
    await page.waitForSelector("#exec-state[data-state=open]");
    expect(await page.textContent("#exec-state")).toBe("connected (v5.channel.k8s.io)");
    await page.fill("#exec-input", "hostname");
    await page.press("#exec-input", "Enter");
    await page.waitForFunction((n) => (document.getElementById("exec-output")?.textContent ?? "").includes(`$ hostname\n${n}\n`), name);
    await page.waitForSelector(`#pod-scheduling-summary:has-text("Chosen: ${first.node}")`);
    // Events of the pod, as describe lists them.
    await page.waitForSelector(`#pod-view .events li:has-text("Successfully assigned default/${name} to ${first.node}")`);
    await page.click("#pod-view a[href='#/']");
    await page.waitForSelector("#cluster-view:not([hidden])");
  });

  it("crashes a node from the page: it goes NotReady and its pods are replaced on the other nodes", async () => {
    const before = await drawnPods();
    const victim = before[0].node;
    const onVictim = before.filter((p) => p.node === victim).length;
    await page.click(`article[data-node=${victim}] button[data-action=crash]`);
    await page.waitForSelector(`#activity li:has-text("kubectl label node ${victim} sim.edgekube.io/fault=crash --overwrite") .result.ok`);
    await page.waitForSelector(`article[data-node=${victim}][data-ready=Unknown]`, { timeout: 60_000 });
    await page.waitForSelector(`#timeline [data-failure=${victim}]`);

    const replaced = await eventually(async () => {
      const live = (await drawnPods()).filter((p) => p.node !== victim && p.status === "Running");
      return live.length === 4 ? live : undefined;
    }, 120_000, "4 Running pods on the other nodes");
    expect(replaced.every((p) => p.node !== victim)).toBe(true);
    // kubectl sees the same: 4 live pods, none on the crashed node.
    const live = (await kubectlPods()).filter((p) => !p.deleting && p.phase === "Running");
    expect(live.length).toBe(4);
    expect(live.some((p) => p.node === victim)).toBe(false);
    await page.waitForFunction(
      ([node, n]) => Number(/evicted: (\d+)/.exec(document.querySelector(`[data-failure=${node}] [data-stage=evicted]`)?.textContent ?? "")?.[1] ?? 0) >= Number(n),
      [victim, String(onVictim)] as const,
    );
  });

  it("keeps four watches, and resumes them from the last resourceVersion when the API server restarts", async () => {
    const watched = new Set(requestedUrls.filter((u) => u.includes("watch=true")).map((u) => new URL(u).pathname));
    expect([...watched].sort()).toEqual(["/api/v1/events", "/api/v1/nodes", "/api/v1/pods", "/apis/discovery.k8s.io/v1/endpointslices"]);
    type Stats = Record<string, { lists: number; watches: number }>;
    const informers = () => page.evaluate(() => (window as unknown as { edgekubeStats: { informers: Stats } }).edgekubeStats.informers);
    const before = (await informers())["/api/v1/pods"];
    expect(before.lists).toBe(1);

    await c.restart();
    await c.kubectl(["scale", `deployment/${APP}`, "--replicas=5"]);
    await eventually(async () => {
      const drawn = (await drawnPods()).filter((p) => p.status === "Running").length;
      const listed = (await kubectlPods()).filter((p) => !p.deleting && p.phase === "Running").length;
      return drawn === 5 && listed === 5;
    }, 120_000, "the fifth pod drawn after the restart");
    const after = (await informers())["/api/v1/pods"];
    // The broken watch was opened again from where it stopped, not listed afresh.
    expect(after.watches).toBeGreaterThan(before.watches);
    expect(after.lists).toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
