// Restarting `npm run dev` keeps the cluster: objects in D1, and the pods' containers,
// logs, files and timers in the nodes' Durable Object storage. Watches resume from the
// last resourceVersion their clients saw, with every change exactly once; a rollout and
// a failover that a restart interrupts finish.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn } from "node:child_process";
import { startCluster, eventually, kubectlArgs, kubectlEnv, LOCAL_TOKEN, FAST_PROFILE, type Cluster } from "./cluster";
import { Churn } from "../support/churn";
import { Reflector, type ListResult } from "../support/watch-client";
import { checkWatches, History, type WatchEvent, type WatchObject, type WatcherLog } from "../support/watch-checker";

// The fast profile's tolerations, with a grace period longer than a restart takes: the
// nodes' silence while `wrangler dev` is down is not a failure.
const RESTART_PROFILE = { ...FAST_PROFILE, NODE_MONITOR_GRACE_PERIOD: "40s" };

interface PodJson {
  metadata: { name: string; deletionTimestamp?: string; ownerReferences?: { name: string }[] };
  spec: { nodeName?: string; containers: { image: string }[] };
  status: { phase?: string; containerStatuses?: { ready: boolean }[] };
}
const running = (p: PodJson) => p.status.phase === "Running" && (p.status.containerStatuses ?? []).every((s) => s.ready);

/** Splits kubectl's `-o json` stream (indented objects one after another) into objects. */
function jsonObjects(): { push(text: string): unknown[] } {
  let buf = "";
  return {
    push(text: string) {
      buf += text;
      const out: unknown[] = [];
      let depth = 0;
      let inString = false;
      let escaped = false;
      let start = -1;
      let consumed = 0;
      for (let i = 0; i < buf.length; i++) {
        const ch = buf[i];
        if (inString) {
          if (escaped) escaped = false;
          else if (ch === "\\") escaped = true;
          else if (ch === '"') inString = false;
          continue;
        }
        if (ch === '"') inString = true;
        else if (ch === "{") {
          if (depth === 0) start = i;
          depth++;
        } else if (ch === "}") {
          depth--;
          if (depth === 0) {
            out.push(JSON.parse(buf.slice(start, i + 1)));
            consumed = i + 1;
          }
        }
      }
      buf = buf.slice(consumed);
      return out;
    },
  };
}

describe("a restarted local cluster resumes where it was", () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster(RESTART_PROFILE);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it("keeps pods, logs and files across a restart", async () => {
    await c.kubectl(["create", "deployment", "keeper", "--image=gcr.io/google-samples/kubernetes-bootcamp:v1"]);
    const name = await eventually(async () => {
      const out = (await c.kubectl(["get", "pods", "-l", "app=keeper", "-o", "jsonpath={.items[?(@.status.phase=='Running')].metadata.name}"])).stdout.trim();
      return out || undefined;
    }, 90_000, "a running pod");
    await c.kubectl(["exec", name, "--", "sh", "-c", "echo kept > /tmp/marker"]);
    const logsBefore = (await c.kubectl(["logs", name])).stdout;
    expect(logsBefore).toMatch(/Kubernetes Bootcamp App Started At: .* \| Running On:  /);

    await c.restart();

    const after = await eventually(async () => {
      const pod = JSON.parse((await c.kubectl(["get", "pod", name, "-o", "json"])).stdout);
      return pod.status.phase === "Running" ? pod : undefined;
    }, 60_000, "the same pod running");
    expect(after.status.containerStatuses[0].restartCount).toBe(0);
    expect((await c.kubectl(["logs", name])).stdout).toContain(logsBefore.split("\n")[0]);
    expect((await c.kubectl(["exec", name, "--", "cat", "/tmp/marker"])).stdout).toBe("kept\n");
    const nodes = (await c.kubectl(["get", "nodes", "-o", "name"])).stdout.trim().split("\n");
    expect(nodes).toEqual(["node/node-1", "node/node-2", "node/node-3"]);
  });

  it("resumes every watch from its last resourceVersion: each change exactly once, in order", async () => {
    const namespaces = ["watch-e2e-a", "watch-e2e-b"];
    for (const ns of namespaces) await c.kubectl(["create", "namespace", ns]);
    const send = async (path: string, method: string, body?: unknown, contentType?: string) =>
      c.api(path, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: contentType ? { "content-type": contentType } : {} });
    const churn = new Churn(send, namespaces, 3);
    const rv = async () => Number((await c.api<{ metadata: { resourceVersion: string } }>("/api/v1/namespaces/watch-e2e-a/pods")).body.metadata.resourceVersion);
    const start = await rv();

    const open = (path: string) => (from: string, signal: AbortSignal) =>
      fetch(`${c.url}${path}${path.includes("?") ? "&" : "?"}watch=1&resourceVersion=${from}`, { headers: { authorization: `Bearer ${LOCAL_TOKEN}` }, signal });
    const lister = (path: string, kind: string, apiVersion: string) => async (): Promise<ListResult> => {
      const res = await c.api<{ metadata: { resourceVersion: string }; items: WatchObject[] }>(path);
      return { rv: Number(res.body.metadata.resourceVersion), items: res.body.items.map((o) => ({ ...o, kind, apiVersion })) };
    };
    const inNs = (ns: string) => (o: WatchObject) => o.metadata.namespace === ns;
    const watchers = [
      { key: "pods-a", resource: "pods", path: "/api/v1/namespaces/watch-e2e-a/pods?allowWatchBookmarks=true", matches: inNs("watch-e2e-a") },
      { key: "pods-b", resource: "pods", path: "/api/v1/namespaces/watch-e2e-b/pods?allowWatchBookmarks=true&timeoutSeconds=5", matches: inNs("watch-e2e-b") },
      { key: "pods-app-x", resource: "pods", path: "/api/v1/namespaces/watch-e2e-a/pods?labelSelector=app%3Dx&allowWatchBookmarks=true", matches: (o: WatchObject) => inNs("watch-e2e-a")(o) && o.metadata.labels?.app === "x" },
      { key: "leases-b", resource: "leases", path: "/apis/coordination.k8s.io/v1/namespaces/watch-e2e-b/leases?allowWatchBookmarks=true&timeoutSeconds=4", matches: inNs("watch-e2e-b") },
    ].map((w) => ({
      ...w,
      reflector: new Reflector(w.key, open(w.path), lister(w.path.split("?")[0] + (w.path.includes("labelSelector") ? "?labelSelector=app%3Dx" : ""), w.resource === "pods" ? "Pod" : "Lease", w.resource === "pods" ? "v1" : "coordination.k8s.io/v1"), { kind: "rv", rv: start }),
    }));

    // kubectl's own watch (list, then watch from the list's resourceVersion) until the
    // restart ends it: kubectl get -w does not reconnect.
    const kubectlEvents: WatchEvent[] = [];
    const kubectlRv = await rv();
    const parser = jsonObjects();
    const kw = spawn("kubectl", kubectlArgs(c, ["get", "pods", "-n", "watch-e2e-a", "-w", "-o", "json", "--output-watch-events"]), { env: kubectlEnv(c), stdio: ["ignore", "pipe", "pipe"] });
    kw.stdout.on("data", (d) => kubectlEvents.push(...(parser.push(String(d)) as WatchEvent[])));
    const kubectlExited = new Promise<void>((r) => kw.once("exit", () => r()));

    await churn.round(60, 1);
    // Restart while the watchers are still catching up; the writers wait for the API.
    const before = churn.writes.length;
    const owedAtRestart = watchers.reduce((n, w) => {
      const owed = new History(churn.writes, w.resource).expectedAfter(start, w.matches);
      const seen = new Set(w.reflector.segments.flatMap((sg) => sg.client.events.map((e) => Number(e.object.metadata?.resourceVersion))));
      return n + [...owed.keys()].filter((r) => !seen.has(r)).length;
    }, 0);
    await c.restart();
    // kubectl ends its watch when the connection goes (a deadline in case it does not).
    await Promise.race([kubectlExited, new Promise((r) => setTimeout(r, 30_000))]);
    kw.kill();
    await churn.round(60, 2);
    // The watchers with a timeout get a bookmark before it, and watch again from it.
    const timed = watchers.filter((w) => w.path.includes("timeoutSeconds"));
    await eventually(async () => timed.every((w) => w.reflector.current.events.some((e) => e.type === "BOOKMARK") && w.reflector.current.streamsEnded > 1), 60_000, "bookmarks and reconnections");
    await churn.round(30, 3);

    const histories = { pods: new History(churn.writes, "pods"), leases: new History(churn.writes, "leases") };
    const behind = () =>
      watchers.filter((w) => {
        const seg = w.reflector.segments[w.reflector.segments.length - 1];
        const from = seg.start.kind === "initial" ? start : seg.start.rv;
        const seen = new Set(seg.client.events.map((e) => Number(e.object.metadata?.resourceVersion)));
        return ![...histories[w.resource as "pods" | "leases"].expectedAfter(from, w.matches).keys()].every((r) => seen.has(r));
      });
    await eventually(async () => behind().length === 0, 60_000, "every watcher caught up").catch(() => undefined);
    for (const w of watchers) await w.reflector.stop();

    const finalPods = (await lister("/api/v1/pods", "Pod", "v1")()).items.filter((o) => namespaces.includes(o.metadata.namespace ?? ""));
    const finalLeases = (await lister("/apis/coordination.k8s.io/v1/leases", "Lease", "coordination.k8s.io/v1")()).items.filter((o) => namespaces.includes(o.metadata.namespace ?? ""));
    const logs: WatcherLog[] = watchers.flatMap((w) => w.reflector.logs(w.resource, w.matches));
    const lastKubectlRv = Math.max(kubectlRv, ...kubectlEvents.map((e) => Number(e.object.metadata?.resourceVersion)));
    logs.push({ name: "kubectl get -w", resource: "pods", matches: inNs("watch-e2e-a"), start: { kind: "initial", notBeforeRv: kubectlRv }, events: kubectlEvents, until: lastKubectlRv });
    const result = checkWatches(churn.writes, logs, { pods: finalPods, leases: finalLeases });

    const reconnects = watchers.reduce((n, w) => n + w.reflector.segments.reduce((m, s) => m + s.client.streamsEnded, 0), 0);
    const relists = watchers.reduce((n, w) => n + w.reflector.expired.length, 0);
    const bookmarks = watchers.reduce((n, w) => n + w.reflector.segments.reduce((m, s) => m + s.client.events.filter((e) => e.type === "BOOKMARK").length, 0), 0);
    console.log(
      `watch across a restart: ${watchers.length + 1} watchers (kubectl get -w until the restart), ${churn.writes.length} writes (${before} before the restart), ` +
        `${result.eventsChecked} events checked (${bookmarks} bookmarks, ${kubectlEvents.length} from kubectl), 1 restart (${owedAtRestart} events owed when it came), ${reconnects} reconnections, ${relists} relists, ${result.violations.length} violations`,
    );
    expect(result.violations.slice(0, 20)).toEqual([]);
    expect(behind().map((w) => w.key)).toEqual([]);
    expect(relists).toBe(0);
    // Every watcher lost its connection to the restart and came back.
    for (const w of watchers) expect(w.reflector.segments[0].client.connections).toBeGreaterThan(1);
    expect(kubectlEvents.length).toBeGreaterThan(0);
    expect(bookmarks).toBeGreaterThan(0);
  });

  it("finishes a rollout that a restart interrupts", async () => {
    await c.kubectl(["create", "deployment", "roll", "--image=gcr.io/google-samples/kubernetes-bootcamp:v1", "--replicas=4"]);
    const pods = async () => JSON.parse((await c.kubectl(["get", "pods", "-l", "app=roll", "-o", "json"])).stdout).items as PodJson[];
    await eventually(async () => {
      const p = await pods();
      return p.length === 4 && p.every(running);
    }, 90_000, "4 running pods");
    await c.kubectl(["set", "image", "deployment/roll", "kubernetes-bootcamp=docker.io/jocatalin/kubernetes-bootcamp:v2"]);
    // Mid-rollout: the new ReplicaSet has pods, not all of them yet.
    await eventually(async () => {
      const p = await pods();
      const v2 = p.filter((x) => x.spec.containers[0].image.endsWith(":v2") && !x.metadata.deletionTimestamp);
      return v2.length > 0 && v2.length < 4;
    }, 60_000, "a rollout under way");
    await c.restart();
    const status = await c.kubectl(["rollout", "status", "deployment/roll", "--timeout=150s"], { timeoutMs: 160_000 });
    expect(status.stdout).toContain('deployment "roll" successfully rolled out');
    const settled = await eventually(async () => {
      const p = await pods();
      return p.length === 4 && p.every((x) => running(x) && !x.metadata.deletionTimestamp && x.spec.containers[0].image.endsWith(":v2")) ? p : undefined;
    }, 90_000, "4 running v2 pods and no others");
    expect(settled).toHaveLength(4);
    const rss = JSON.parse((await c.kubectl(["get", "rs", "-l", "app=roll", "-o", "json"])).stdout).items as { metadata: { name: string }; spec: { replicas: number }; status: { replicas?: number; readyReplicas?: number } }[];
    const full = rss.filter((r) => r.spec.replicas > 0);
    expect(full).toHaveLength(1);
    expect(full[0].spec.replicas).toBe(4);
    expect(full[0].status.readyReplicas).toBe(4);
    expect(new Set(settled.map((p) => p.metadata.ownerReferences?.[0]?.name))).toEqual(new Set([full[0].metadata.name]));
    const deploy = JSON.parse((await c.kubectl(["get", "deployment", "roll", "-o", "json"])).stdout) as { status: { replicas: number; updatedReplicas: number; availableReplicas: number } };
    expect(deploy.status).toMatchObject({ replicas: 4, updatedReplicas: 4, availableReplicas: 4 });
  });

  it("finishes a failover that a restart interrupts", async () => {
    await c.kubectl(["create", "deployment", "failover", "--image=nginx:1.27", "--replicas=6"]);
    const live = async () =>
      (JSON.parse((await c.kubectl(["get", "pods", "-l", "app=failover", "-o", "json"])).stdout).items as PodJson[]).filter((p) => !p.metadata.deletionTimestamp);
    const before = await eventually(async () => {
      const p = await live();
      // On at least two nodes, so some pods survive the crash (the scheduler's spread
      // weighs what earlier tests left on the nodes: all three is not guaranteed).
      return p.length === 6 && p.every(running) && new Set(p.map((x) => x.spec.nodeName)).size >= 2 ? p : undefined;
    }, 90_000, "6 running pods over at least 2 nodes");
    const victim = before[0].spec.nodeName!;
    const survivors = before.filter((p) => p.spec.nodeName !== victim).map((p) => p.metadata.name).sort();
    await c.kubectl(["label", "node", victim, "sim.edgekube.io/fault=crash"]);
    await eventually(async () => new RegExp(`^${victim}\\s+NotReady`, "m").test((await c.kubectl(["get", "nodes"])).stdout), 90_000, `${victim} NotReady`);
    // The evictions are due 5 s after the taint: the restart comes before or among them.
    await c.restart();
    const after = await eventually(async () => {
      const p = await live();
      return p.length === 6 && p.every(running) && p.every((x) => x.spec.nodeName !== victim) ? p : undefined;
    }, 150_000, "6 running pods, none on the failed node");
    // The pods on the other nodes were never touched; the replacements are new.
    expect(after.map((p) => p.metadata.name).filter((n) => survivors.includes(n)).sort()).toEqual(survivors);
    const rss = JSON.parse((await c.kubectl(["get", "rs", "-l", "app=failover", "-o", "json"])).stdout).items as { spec: { replicas: number } }[];
    expect(rss.map((r) => r.spec.replicas)).toEqual([6]);

    await c.kubectl(["label", "node", victim, "sim.edgekube.io/fault-"]);
    // The evicted pods are cleaned up on the recovered node: exactly the 6 remain.
    const final = await eventually(async () => {
      const all = JSON.parse((await c.kubectl(["get", "pods", "-l", "app=failover", "-o", "json"])).stdout).items as PodJson[];
      return all.length === 6 && all.every((p) => !p.metadata.deletionTimestamp && running(p)) ? all : undefined;
    }, 90_000, "only the 6 pods left");
    expect(final).toHaveLength(6);
  });
});
