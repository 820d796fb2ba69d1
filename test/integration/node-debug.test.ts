// `kubectl debug`: an ephemeral container added to a running pod through
// pods/NAME/ephemeralcontainers, started by the node's kubelet, never restarted,
// reachable by attach and exec; and the API server's rules around it.
import { describe, it, expect, beforeAll } from "vitest";
import { callJson } from "./helpers";
import { FakeClock, boundPod, createPod, execWs, getPod, runUntil, startNode, type AgentStub } from "./node-helpers";
import type { Pod } from "../../src/model/types";

const clock = new FakeClock();
let node: AgentStub;
const PATH = "/api/v1/namespaces/default/pods/web/ephemeralcontainers";
const SMP = "application/strategic-merge-patch+json";
const DEBUGGER = { name: "debugger", image: "busybox:1.37", stdin: true, tty: true, targetContainerName: "web" };

beforeAll(async () => {
  node = await startNode("kn-debug", clock);
  await createPod(boundPod("web", "kn-debug", { containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80 }] }] }));
  await node.poke();
  await runUntil(node, clock, clock.t + 10_000);
});

describe("ephemeral containers", () => {
  it("a pod cannot be created with one", async () => {
    const r = await callJson<{ message: string }>("/api/v1/namespaces/default/pods", {
      method: "POST",
      body: { apiVersion: "v1", kind: "Pod", metadata: { name: "born-with" }, spec: { containers: [{ name: "a", image: "busybox" }], ephemeralContainers: [{ name: "d", image: "busybox" }] } },
    });
    expect(r.status).toBe(422);
    expect(r.body.message).toContain("spec.ephemeralContainers: Forbidden: cannot be set on create");
  });

  it("added through the subresource: only spec.ephemeralContainers changes, defaulted; the kubelet runs it", async () => {
    const r = await callJson<Pod>(PATH, { method: "PATCH", contentType: SMP, body: { spec: { ephemeralContainers: [DEBUGGER], nodeName: "elsewhere" }, metadata: { labels: { sneaky: "x" } } } });
    expect(r.status).toBe(200);
    expect(r.body.spec.nodeName).toBe("kn-debug");
    expect(r.body.metadata.labels?.sneaky).toBeUndefined();
    expect(r.body.spec.ephemeralContainers?.[0]).toMatchObject({ ...DEBUGGER, imagePullPolicy: "IfNotPresent", terminationMessagePolicy: "File" });
    await node.poke();
    await runUntil(node, clock, clock.t + 5_000);
    const pod = await getPod("web");
    const status = pod?.status?.ephemeralContainerStatuses?.[0];
    expect(status?.name).toBe("debugger");
    expect(status?.state?.running).toBeDefined();
    expect(status?.ready).toBe(false);
    expect(pod?.status?.containerStatuses?.map((c) => c.name)).toEqual(["web"]);
  });

  it("attach and exec reach it by name", async () => {
    const a = await execWs("web", [], { subresource: "attach", container: "debugger", stdin: ["echo debugging $(hostname)\n"], hangUpAfter: "debugging web\n" });
    expect(a.stdout).toBe("debugging web\n");
    const e = await execWs("web", ["cat", "/etc/hostname"], { container: "debugger" });
    expect(e.stdout).toBe("web\n");
  });

  it("when it exits it is not restarted", async () => {
    await execWs("web", [], { subresource: "attach", container: "debugger", tty: true, stdin: ["exit 0\r"] });
    await runUntil(node, clock, clock.t + 60_000);
    const s = (await getPod("web"))?.status?.ephemeralContainerStatuses?.[0];
    expect(s?.state?.terminated?.exitCode).toBe(0);
    expect(s?.restartCount).toBe(0);
    expect((await getPod("web"))?.status?.phase).toBe("Running");
  });

  it("one already there cannot be changed or removed, through the subresource or the pod", async () => {
    const changed = await callJson<{ message: string }>(PATH, { method: "PATCH", contentType: SMP, body: { spec: { ephemeralContainers: [{ name: "debugger", image: "busybox:1.36" }] } } });
    expect(changed.status).toBe(422);
    expect(changed.body.message).toContain('existing ephemeral containers "debugger" may not be changed');
    const removed = await callJson<{ message: string }>(PATH, { method: "PATCH", contentType: "application/merge-patch+json", body: { spec: { ephemeralContainers: [] } } });
    expect(removed.status).toBe(422);
    expect(removed.body.message).toContain('existing ephemeral containers "debugger" may not be removed');
    // An update of the pod itself keeps them whatever it sends.
    const cur = (await getPod("web"))!;
    const put = await callJson<Pod>("/api/v1/namespaces/default/pods/web", { method: "PUT", body: { ...cur, spec: { ...cur.spec, ephemeralContainers: [] } } });
    expect(put.status).toBe(200);
    expect(put.body.spec.ephemeralContainers?.map((c) => c.name)).toEqual(["debugger"]);
  });

  it("refuses the fields an ephemeral container may not have, and duplicate names", async () => {
    const r = await callJson<{ message: string }>(PATH, {
      method: "PATCH",
      contentType: SMP,
      body: { spec: { ephemeralContainers: [{ name: "web", image: "busybox", ports: [{ containerPort: 80 }], readinessProbe: { tcpSocket: { port: 80 } }, targetContainerName: "nope" }] } },
    });
    expect(r.status).toBe(422);
    // Where the new entry lands in the merged list is the strategic merge's business.
    expect(r.body.message).toMatch(/spec\.ephemeralContainers\[\d\]\.name: Duplicate value: "web"/);
    expect(r.body.message).toMatch(/spec\.ephemeralContainers\[\d\]\.ports: Forbidden: cannot be set for an Ephemeral Container/);
    expect(r.body.message).toMatch(/spec\.ephemeralContainers\[\d\]\.readinessProbe: Forbidden: cannot be set for an Ephemeral Container/);
    expect(r.body.message).toMatch(/spec\.ephemeralContainers\[\d\]\.targetContainerName: Not found: "nope"/);
    expect((await getPod("web"))?.spec.ephemeralContainers).toHaveLength(1);
  });
});
