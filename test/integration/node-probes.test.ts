// Probes run by a node's kubelet under Miniflare, the node's alarm stepped on a fake
// clock: a failing exec liveness probe restarts the container with upstream's events,
// a readiness probe flips the pod's Ready condition and its Service endpoint, and
// probes that keep answering the same write nothing to D1.
import { describe, it, expect, beforeAll } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import type { Endpoints, Event, Pod } from "../../src/model/types";
import type { NodeAgent } from "../../src/node/node-agent";
import { callJson, waitFor } from "./helpers";
import { FakeClock, boundPod, condition, createPod, getPod, podEvents, record, runUntil, startNode, type AgentStub } from "./node-helpers";

const clock = new FakeClock();
let node: AgentStub;

beforeAll(async () => {
  node = await startNode("kn-probe", clock);
});

/** Run a command in a pod's container through the node's runtime (what `kubectl exec` reaches). */
async function exec(pod: Pod, command: string[]): Promise<number> {
  const rec = await record(node, pod.metadata.uid ?? "");
  const id = rec?.containers[pod.spec.containers[0].name]?.current?.id ?? "";
  return runInDurableObject(node, async (inst: NodeAgent) => {
    const rt = (inst as unknown as { kubelet(): { runtime(): import("../../src/node/runtime").Runtime | undefined } }).kubelet().runtime()!;
    return (await rt.runtime.execSync(id, command)).exitCode;
  });
}

function reasons(events: Event[]): string[] {
  return events.map((e) => `${e.reason}: ${e.message}`);
}

describe("kubelet probes", () => {
  it("restarts a container whose exec liveness probe fails (the docs' cat /tmp/healthy pod)", async () => {
    await createPod(
      boundPod("liveness-exec", "kn-probe", {
        containers: [
          {
            name: "liveness",
            image: "busybox:1.36",
            args: ["/bin/sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"],
            livenessProbe: { exec: { command: ["cat", "/tmp/healthy"] }, initialDelaySeconds: 5, periodSeconds: 5 },
          },
        ],
      }),
    );
    await node.poke();
    const start = clock.t;
    // Healthy while the file exists: no Unhealthy event, no restart.
    await runUntil(node, clock, start + 29_000);
    expect(reasons(await podEvents("liveness-exec")).filter((r) => r.startsWith("Unhealthy"))).toEqual([]);
    // The file goes at 30 s; three failures 5 s apart condemn it; sh as PID 1 ignores
    // SIGTERM, so it dies when the 30 s grace period ends, and starts again.
    await runUntil(node, clock, start + 100_000);
    const pod = (await getPod("liveness-exec"))!;
    const events = await podEvents("liveness-exec");
    const unhealthy = events.find((e) => e.reason === "Unhealthy")!;
    expect(unhealthy).toMatchObject({ type: "Warning", message: "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory\n", involvedObject: { fieldPath: "spec.containers{liveness}" } });
    expect(unhealthy.count).toBeGreaterThanOrEqual(3);
    expect(events.find((e) => e.reason === "Killing")).toMatchObject({ type: "Normal", message: "Container liveness failed liveness probe, will be restarted" });
    const cs = pod.status!.containerStatuses![0];
    expect(cs.restartCount).toBe(1);
    expect(cs.lastState?.terminated).toMatchObject({ exitCode: 137, reason: "Error" });
    expect(cs.state?.running).toBeTruthy();
    expect(events.filter((e) => e.reason === "Started").map((e) => e.count ?? 1)).toEqual([2]);
  });

  it("drives Ready and the Service endpoint from the readiness probe", async () => {
    await createPod(
      boundPod("ready-web", "kn-probe", {
        containers: [
          {
            name: "web",
            image: "nginx:1.27",
            ports: [{ name: "http", containerPort: 80 }],
            readinessProbe: { httpGet: { path: "/ready.html", port: "http" }, periodSeconds: 2, failureThreshold: 1 },
          },
        ],
      }),
    );
    const svc = await callJson("/api/v1/namespaces/default/services", {
      method: "POST",
      body: { apiVersion: "v1", kind: "Service", metadata: { name: "ready-web" }, spec: { selector: { app: "ready-web" }, ports: [{ port: 80 }] } },
    });
    expect(svc.status).toBe(201);
    await node.poke();
    await runUntil(node, clock, clock.t + 8_000);
    let pod = (await getPod("ready-web"))!;
    expect(pod.status?.phase).toBe("Running");
    expect(pod.status?.containerStatuses?.[0]).toMatchObject({ ready: false, started: true });
    expect(condition(pod, "Ready")).toBe("False");
    expect(condition(pod, "ContainersReady")).toBe("False");
    expect(pod.status?.conditions?.find((c) => c.type === "Ready")?.message).toBe("containers with unready status: [web]");
    expect(reasons(await podEvents("ready-web"))).toContain("Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 404");
    const ip = pod.status?.podIP;
    await waitFor(async () => {
      const ep = (await callJson<Endpoints>("/api/v1/namespaces/default/endpoints/ready-web")).body;
      return ep.subsets?.[0]?.notReadyAddresses?.[0]?.ip === ip && !ep.subsets?.[0]?.addresses ? true : undefined;
    }, "the unready pod's address under notReadyAddresses");
    await waitFor(async () => {
      const slices = (await callJson<{ items: { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] }[] }>(
        "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dready-web",
      )).body.items;
      const ep = slices.flatMap((sl) => sl.endpoints ?? []).find((e) => e.addresses.includes(ip ?? ""));
      return ep?.conditions?.ready === false ? true : undefined;
    }, "the slice's endpoint with ready: false");

    // The page appears: the next probe succeeds and the pod is Ready, its address ready.
    expect(await exec(pod, ["sh", "-c", "echo ok > /usr/share/nginx/html/ready.html"])).toBe(0);
    await runUntil(node, clock, clock.t + 3_000);
    pod = (await getPod("ready-web"))!;
    expect(pod.status?.containerStatuses?.[0].ready).toBe(true);
    expect(condition(pod, "Ready")).toBe("True");
    await waitFor(async () => {
      const ep = (await callJson<Endpoints>("/api/v1/namespaces/default/endpoints/ready-web")).body;
      return ep.subsets?.[0]?.addresses?.[0]?.ip === ip && !ep.subsets?.[0]?.notReadyAddresses ? true : undefined;
    }, "the ready pod's address under addresses");

    // And goes again: one failure (failureThreshold 1) makes it unready.
    expect(await exec(pod, ["rm", "/usr/share/nginx/html/ready.html"])).toBe(0);
    await runUntil(node, clock, clock.t + 3_000);
    expect(condition(await getPod("ready-web"), "Ready")).toBe("False");
  });

  it("writes nothing to D1 while probe results stay the same", async () => {
    await createPod(
      boundPod("steady", "kn-probe", {
        containers: [
          {
            name: "web",
            image: "nginx:1.27",
            livenessProbe: { httpGet: { path: "/", port: 80 }, periodSeconds: 1 },
            readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 1 },
          },
        ],
      }),
    );
    await node.poke();
    await runUntil(node, clock, clock.t + 5_000);
    const before = (await getPod("steady"))!;
    expect(condition(before, "Ready")).toBe("True");
    const eventsBefore = await podEvents("steady");
    const logsBefore = await runInDurableObject(node, (_i: NodeAgent, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM timers WHERE key LIKE 'probe/%'").toArray()[0].n);
    expect(logsBefore).toBeGreaterThan(0);
    // 60 probes of each kind later: same resourceVersion, no new event.
    await runUntil(node, clock, clock.t + 60_000);
    const after = (await getPod("steady"))!;
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect((await podEvents("steady")).map((e) => `${e.metadata.name}@${e.metadata.resourceVersion}`)).toEqual(eventsBefore.map((e) => `${e.metadata.name}@${e.metadata.resourceVersion}`));
    // The probes did run: nginx logged kube-probe's requests.
    const rec = await record(node, after.metadata.uid ?? "");
    const lines = await runInDurableObject(node, async (inst: NodeAgent) => {
      const rt = (inst as unknown as { kubelet(): { runtime(): import("../../src/node/runtime").Runtime | undefined } }).kubelet().runtime()!;
      return rt.runtime.containerLogs(rec!.containers.web.current!.id);
    });
    expect(lines.filter((l) => l.text.includes('"GET / HTTP/1.1" 200') && l.text.includes("kube-probe/1.32")).length).toBeGreaterThanOrEqual(60);
  });
});
