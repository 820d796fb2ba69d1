// The kubelet of a node Durable Object under Miniflare: pods bound to it get a sandbox
// with an IP from the node's podCIDR, run, report status with their events, and go
// away gracefully when deleted.
import { describe, it, expect, beforeAll } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ObjectStore } from "../../src/store/store";
import type { Node, Pod } from "../../src/model/types";
import type { NodeAgent } from "../../src/node/node-agent";
import type { KubeletState } from "../../src/node/kubelet/state";
import { call, callJson } from "./helpers";
import { FakeClock, boundPod, condition, createPod, deletePod, getPod, podEvents, record, runUntil, startNode, type AgentStub } from "./node-helpers";

const clock = new FakeClock();
let node: AgentStub;
let podCIDR = "";

beforeAll(async () => {
  node = await startNode("kn-run", clock);
  podCIDR = (await callJson<Node>("/api/v1/nodes/kn-run")).body.spec.podCIDR ?? "";
});

/** Let image pulls (modelled as taking a second or two) finish. */
async function settle(): Promise<void> {
  await runUntil(node, clock, clock.t + 5_000);
}

describe("kubelet pod sync", () => {
  it("runs a pod: Running and Ready, with container statuses, IPs, conditions and events", async () => {
    await createPod(boundPod("web", "kn-run", { containers: [{ name: "app", image: "nginx:1.27", ports: [{ containerPort: 80 }] }] }));
    await node.poke();
    const pending = await getPod("web");
    expect(pending?.status?.phase).toBe("Pending");
    expect(pending?.status?.containerStatuses?.[0].state?.waiting?.reason).toBe("ContainerCreating");
    expect(condition(pending, "PodReadyToStartContainers")).toBe("True");
    await settle();

    const pod = (await getPod("web"))!;
    const st = pod.status!;
    expect(st.phase).toBe("Running");
    expect(st.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual([
      "PodReadyToStartContainers=True",
      "Initialized=True",
      "Ready=True",
      "ContainersReady=True",
      "PodScheduled=True",
    ]);
    expect(st.hostIP).toMatch(/^192\.168\.\d+\.\d+$/);
    expect(st.hostIPs).toEqual([{ ip: st.hostIP }]);
    expect(st.podIPs).toEqual([{ ip: st.podIP }]);
    expect(st.startTime).toBeTruthy();
    const cs = st.containerStatuses![0];
    expect(cs).toMatchObject({ name: "app", ready: true, started: true, restartCount: 0, image: "docker.io/library/nginx:1.27" });
    expect(cs.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(cs.imageID).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    expect(cs.state?.running?.startedAt).toBeTruthy();

    const events = await podEvents("web");
    expect(events.map((e) => e.reason)).toEqual(["Pulling", "Pulled", "Created", "Started"]);
    expect(events[1].message).toMatch(/^Successfully pulled image "nginx:1\.27" in [\d.]+m?s \([\d.]+m?s including waiting\)\. Image size: \d+ bytes\.$/);
    expect(events[2]).toMatchObject({
      type: "Normal",
      message: "Created container app",
      source: { component: "kubelet", host: "kn-run" },
      reportingComponent: "kubelet",
      reportingInstance: "kn-run",
      involvedObject: { kind: "Pod", name: "web", namespace: "default", uid: pod.metadata.uid, fieldPath: "spec.containers{app}" },
    });
    expect(events[2].metadata.name).toMatch(/^web\.[0-9a-f]{16}$/);
  });

  it("writes status only when it changed", async () => {
    const before = (await getPod("web"))!.metadata.resourceVersion;
    await node.poke();
    await node.poke();
    expect((await getPod("web"))!.metadata.resourceVersion).toBe(before);
  });

  it("gives every pod its own IP from the podCIDR (never .0 or .1) and reuses freed ones", async () => {
    for (const n of ["ip-a", "ip-b", "ip-c"]) await createPod(boundPod(n, "kn-run"));
    await node.poke();
    const ips = await Promise.all(["web", "ip-a", "ip-b", "ip-c"].map(async (n) => (await getPod(n))!.status!.podIP!));
    expect(new Set(ips).size).toBe(4);
    const prefix = podCIDR.replace(/\.0\/24$/, ".");
    for (const ip of ips) {
      expect(ip.startsWith(prefix)).toBe(true);
      expect(ip).not.toBe(`${prefix}0`);
      expect(ip).not.toBe(`${prefix}1`);
    }
    const freed = ips[2];
    expect(await deletePod("ip-b")).toBe(200);
    await node.poke();
    await settle();
    expect(await getPod("ip-b")).toBeUndefined();
    await createPod(boundPod("ip-d", "kn-run"));
    await node.poke();
    expect((await getPod("ip-d"))!.status!.podIP).toBe(freed);
  });

  it("uses the image cache: a second pod of the same tag finds it present", async () => {
    await createPod(boundPod("cached", "kn-run"));
    await node.poke();
    const events = await podEvents("cached");
    expect(events.find((e) => e.reason === "Pulled")?.message).toBe('Container image "nginx:1.27" already present on machine');
    expect(events.some((e) => e.reason === "Pulling")).toBe(false);
  });

  it("deletes a pod gracefully: Killing, the grace period, then gone", async () => {
    await createPod(boundPod("slow", "kn-run", { containers: [{ name: "app", image: "gcr.io/google-samples/kubernetes-bootcamp:v1" }], terminationGracePeriodSeconds: 20 }));
    await node.poke();
    await settle();
    const pod = (await getPod("slow"))!;
    expect(pod.status?.phase).toBe("Running");
    expect(await deletePod("slow")).toBe(200);
    await node.poke();
    // The bootcamp app ignores SIGTERM: it stays Terminating for the grace period.
    const terminating = await getPod("slow");
    expect(terminating?.metadata.deletionTimestamp).toBeTruthy();
    expect((await podEvents("slow")).find((e) => e.reason === "Killing")?.message).toBe("Stopping container app");
    const killAt = clock.t + 20_000;
    await runUntil(node, clock, killAt - 1_000);
    expect(await getPod("slow")).toBeDefined();
    await runUntil(node, clock, killAt + 1_000);
    expect(await getPod("slow")).toBeUndefined();
    expect(await record(node, pod.metadata.uid!)).toBeUndefined();
  });

  it("runs init containers in order before the app, and completes a run-once pod", async () => {
    await createPod(
      boundPod("job", "kn-run", {
        restartPolicy: "Never",
        volumes: [{ name: "work", emptyDir: {} }],
        initContainers: [
          { name: "first", image: "busybox:1.37", command: ["sh", "-c", "echo one > /work/log"], volumeMounts: [{ name: "work", mountPath: "/work" }] },
          { name: "second", image: "busybox:1.37", command: ["sh", "-c", "echo two >> /work/log"], volumeMounts: [{ name: "work", mountPath: "/work" }] },
        ],
        containers: [{ name: "main", image: "busybox:1.37", command: ["sh", "-c", "cat /work/log"], volumeMounts: [{ name: "work", mountPath: "/work" }] }],
      }),
    );
    await node.poke();
    await settle();
    const pod = (await getPod("job"))!;
    expect(pod.status?.phase).toBe("Succeeded");
    expect(pod.status?.initContainerStatuses?.map((s) => [s.name, s.state?.terminated?.reason, s.ready])).toEqual([
      ["first", "Completed", true],
      ["second", "Completed", true],
    ]);
    expect(pod.status?.containerStatuses?.[0].state?.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
    expect(condition(pod, "Ready")).toBe("False");
    expect(pod.status?.conditions?.find((c) => c.type === "Ready")?.reason).toBe("PodCompleted");
    expect(condition(pod, "PodReadyToStartContainers")).toBe("False");
    // The init containers wrote to the shared emptyDir in order; the app read it.
    expect(await (await call("/api/v1/namespaces/default/pods/job/log")).text()).toBe("one\ntwo\n");
  });

  it("restarts an exited container under restartPolicy Always with lastState and restartCount", async () => {
    await createPod(boundPod("once", "kn-run", { containers: [{ name: "app", image: "busybox:1.37", command: ["sh", "-c", "echo hi; sleep 5; exit 3"] }] }));
    await node.poke();
    await settle();
    await runUntil(node, clock, clock.t + 10_000);
    const pod = (await getPod("once"))!;
    const cs = pod.status!.containerStatuses![0];
    expect(cs.restartCount).toBeGreaterThanOrEqual(1);
    expect(cs.lastState?.terminated).toMatchObject({ exitCode: 3, reason: "Error" });
    expect(pod.status?.phase).toBe("Running");
  });
});

describe("status writes against a stale view", () => {
  it("re-reads the pod on a conflict and writes only what is still needed", async () => {
    const pod = await createPod(boundPod("stale", "kn-run"));
    await node.poke();
    await settle();
    const current = (await getPod("stale"))!;
    expect(current.status?.phase).toBe("Running");
    // The kubelet's copy goes stale: an old resourceVersion and a status it believes differs.
    await runInDurableObject(node, (inst: NodeAgent) => {
      const kept = (inst as unknown as { kubelet(): { state: KubeletState } }).kubelet().state;
      const rec = kept.pod(pod.metadata.uid!)!;
      rec.pod.metadata.resourceVersion = "1";
      rec.pod.status = { phase: "Pending" };
      kept.putPod(rec);
    });
    await runInDurableObject(node, async (inst: NodeAgent, state) => {
      state.storage.sql.exec("INSERT OR REPLACE INTO timers (key, at, kind, payload) VALUES ('kubelet/test', ?, 'kubelet-sync', 'null')", clock.t);
      await inst.alarm();
    });
    // The conflict was resolved by reading the pod again: the store already had this status.
    expect((await getPod("stale"))!.metadata.resourceVersion).toBe(current.metadata.resourceVersion);
    expect((await record(node, pod.metadata.uid!))!.pod.metadata.resourceVersion).toBe(current.metadata.resourceVersion);
  });
});

describe("lost pokes", () => {
  it("are covered by the periodic re-list", async () => {
    // Written straight to the store: nobody pokes the node about it.
    const store = new ObjectStore(env.DB);
    const pod = boundPod("quiet", "kn-run") as unknown as Pod;
    pod.metadata.namespace = "default";
    pod.metadata.uid = crypto.randomUUID();
    pod.metadata.creationTimestamp = new Date(clock.t).toISOString().replace(/\.\d+Z$/, "Z");
    pod.status = { phase: "Pending" };
    await store.create("pods", pod);
    await runUntil(node, clock, clock.t + 60_000);
    expect((await getPod("quiet"))!.status?.phase).toBe("Pending");
    await runUntil(node, clock, clock.t + 5 * 60_000);
    expect((await getPod("quiet"))!.status?.phase).toBe("Running");
  });
});
