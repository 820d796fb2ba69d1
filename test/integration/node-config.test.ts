// Pods consuming ConfigMaps and Secrets on a real node Durable Object: environment from
// keys and whole objects, files in configMap/secret volumes, CreateContainerConfigError
// and FailedMount while an object or key is missing, and the start (or new files) that
// follows when the object appears or changes. The node's clock stands still while the
// test waits for the object's change to reach the pod, so what moves it is the
// dispatcher's poke to the node, not the kubelet's retry timer.
import { describe, it, expect, beforeAll } from "vitest";
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import type { NodeAgent } from "../../src/node/node-agent";
import type { Kubelet } from "../../src/node/kubelet/kubelet";
import { ObjectStore } from "../../src/store/store";
import { Registry } from "../../src/registry/registry";
import { defaultingFrom } from "../../src/registry/defaults";
import { readConfig } from "../../src/config";
import type { ConfigMap } from "../../src/model/types";
import { callJson, waitFor } from "./helpers";
import { FakeClock, boundPod, createPod, execWs, getPod, podEvents, runUntil, startNode, type AgentStub } from "./node-helpers";

const NODE = "kn-config";
const clock = new FakeClock();
let node: AgentStub;

const NS = "/api/v1/namespaces/default";
const sleeper = (extra: Record<string, unknown> = {}) => ({ name: "app", image: "busybox:1.37", command: ["sh", "-c", "sleep 3600"], ...extra });

async function put(resource: "configmaps" | "secrets", body: { metadata: { name: string } } & Record<string, unknown>): Promise<void> {
  const existing = await callJson<{ metadata: { resourceVersion: string } }>(`${NS}/${resource}/${body.metadata.name}`);
  const res =
    existing.status === 200
      ? await callJson(`${NS}/${resource}/${body.metadata.name}`, { method: "PUT", body: { ...body, metadata: { ...body.metadata, resourceVersion: existing.body.metadata.resourceVersion } } })
      : await callJson(`${NS}/${resource}`, { method: "POST", body });
  if (res.status >= 300) throw new Error(`${resource} write failed: ${JSON.stringify(res.body)}`);
}

const waiting = async (pod: string) => (await getPod(pod))?.status?.containerStatuses?.[0]?.state?.waiting;
const running = async (pod: string) => !!(await getPod(pod))?.status?.containerStatuses?.[0]?.state?.running;
const out = async (pod: string, cmd: string[]) => (await execWs(pod, cmd)).stdout;

beforeAll(async () => {
  node = await startNode(NODE, clock);
  await put("configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "special-config" }, data: { "special.how": "very", "special.type": "charm" } });
  await put("secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "db" }, stringData: { username: "admin", password: "S3cr!t" } });
});

describe("a pod that uses ConfigMaps and Secrets", () => {
  beforeAll(async () => {
    await createPod(
      boundPod("uses-config", NODE, {
        containers: [
          sleeper({
            envFrom: [{ configMapRef: { name: "special-config" }, prefix: "CFG_" }],
            env: [
              { name: "SPECIAL_LEVEL_KEY", valueFrom: { configMapKeyRef: { name: "special-config", key: "special.how" } } },
              { name: "DB_USER", valueFrom: { secretKeyRef: { name: "db", key: "username" } } },
              { name: "GREETING", value: "level $(SPECIAL_LEVEL_KEY)" },
              { name: "MAYBE", valueFrom: { configMapKeyRef: { name: "absent", key: "k", optional: true } } },
            ],
            volumeMounts: [
              { name: "config", mountPath: "/etc/config" },
              { name: "creds", mountPath: "/etc/creds", readOnly: true },
              { name: "none", mountPath: "/etc/none" },
            ],
          }),
        ],
        volumes: [
          { name: "config", configMap: { name: "special-config", items: [{ key: "special.how", path: "how" }] } },
          { name: "creds", secret: { secretName: "db" } },
          { name: "none", configMap: { name: "absent", optional: true } },
        ],
      }),
    );
    await node.poke();
    await runUntil(node, clock, clock.t + 10_000);
  });

  it("sees keys as environment variables, a missing optional one not at all", async () => {
    expect(await running("uses-config")).toBe(true);
    const env = (await out("uses-config", ["env"])).split("\n");
    expect(env).toEqual(expect.arrayContaining(["CFG_special.how=very", "CFG_special.type=charm", "SPECIAL_LEVEL_KEY=very", "DB_USER=admin", "GREETING=level very"]));
    expect(env.some((l) => l.startsWith("MAYBE="))).toBe(false);
  });

  it("sees keys as files: the listed items of a ConfigMap, every key of a Secret, decoded", async () => {
    expect(await out("uses-config", ["cat", "/etc/config/how"])).toBe("very");
    expect((await out("uses-config", ["ls", "/etc/config"])).trim()).toBe("how");
    expect(await out("uses-config", ["cat", "/etc/creds/password"])).toBe("S3cr!t");
    expect((await out("uses-config", ["ls", "/etc/creds"])).split(/\s+/).filter(Boolean).sort()).toEqual(["password", "username"]);
    expect((await out("uses-config", ["ls", "/etc/none"])).trim()).toBe("");
  });

  it("gets new files when the ConfigMap changes; the environment stays as it started", async () => {
    await put("configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "special-config" }, data: { "special.how": "extremely", "special.type": "charm" } });
    await waitFor(async () => (await out("uses-config", ["cat", "/etc/config/how"])) === "extremely", "the volume to show the new value");
    expect((await out("uses-config", ["env"])).split("\n")).toContain("SPECIAL_LEVEL_KEY=very");
  });

  it("a change the node never heard of reaches the volume at the kubelet's periodic resync", async () => {
    // Written through a store that pokes no one, as if the dispatcher's call were lost.
    const silent = new Registry(new ObjectStore(env.DB), { now: clock.now, defaults: defaultingFrom(readConfig({})) });
    await silent.patch("configmaps", "default", "special-config", (cm) => ({ ...cm, data: { ...(cm as ConfigMap).data, "special.how": "quietly" } }));
    await runUntil(node, clock, clock.t + 10_000);
    expect(await out("uses-config", ["cat", "/etc/config/how"])).toBe("extremely");
    await runUntil(node, clock, clock.t + 5 * 60_000);
    expect(await out("uses-config", ["cat", "/etc/config/how"])).toBe("quietly");
  });

  it("keeps what its pods use, and a pod started after a change it never heard of gets the object as it is now", async () => {
    // The kubelet holds special-config and db for uses-config (and kube-root-ca.crt for its token volume).
    const kept = () => runInDurableObject(node, (inst: NodeAgent) => (inst as unknown as { kubelet(): Kubelet }).kubelet().configs.size);
    expect(await kept()).toBeGreaterThanOrEqual(2);
    const silent = new Registry(new ObjectStore(env.DB), { now: clock.now, defaults: defaultingFrom(readConfig({})) });
    await silent.patch("configmaps", "default", "special-config", (cm) => ({ ...cm, data: { ...(cm as ConfigMap).data, "special.how": "unheard" } }));
    // The list that brings the new pod checks what the kubelet keeps.
    await createPod(boundPod("late-reader", NODE, { containers: [sleeper({ env: [{ name: "HOW", valueFrom: { configMapKeyRef: { name: "special-config", key: "special.how" } } }] })] }));
    await node.poke();
    await runUntil(node, clock, clock.t + 10_000);
    await waitFor(() => running("late-reader"), "late-reader to run");
    expect((await out("late-reader", ["env"])).split("\n")).toContain("HOW=unheard");
  });
});

describe("a pod whose ConfigMap is not there yet", () => {
  it("waits in CreateContainerConfigError, says which key is missing, then starts", async () => {
    await createPod(boundPod("waits", NODE, { containers: [sleeper({ env: [{ name: "K", valueFrom: { configMapKeyRef: { name: "late-config", key: "k" } } }] })] }));
    await node.poke();
    const first = await waitFor(() => waiting("waits"), "the container to wait");
    expect(first).toEqual({ reason: "CreateContainerConfigError", message: 'configmap "late-config" not found' });
    expect((await getPod("waits"))?.status?.phase).toBe("Pending");
    const events = await podEvents("waits");
    expect(events.find((e) => e.reason === "Failed")?.message).toBe('Error: configmap "late-config" not found');

    const frozen = clock.t;
    await put("configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "late-config" }, data: { other: "x" } });
    await waitFor(async () => (await waiting("waits"))?.message === "couldn't find key k in ConfigMap default/late-config", "the missing key to be reported");
    await put("configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "late-config" }, data: { k: "finally" } });
    await waitFor(() => running("waits"), "the container to start once the key exists");
    expect(clock.t).toBe(frozen);
    expect((await out("waits", ["env"])).split("\n")).toContain("K=finally");
  });

  it("a Secret missing from a volume holds the pod in ContainerCreating with FailedMount, then it starts", async () => {
    await createPod(
      boundPod("mount-waits", NODE, {
        containers: [sleeper({ volumeMounts: [{ name: "tls", mountPath: "/etc/tls" }] })],
        volumes: [{ name: "tls", secret: { secretName: "late-tls" } }],
      }),
    );
    await node.poke();
    await waitFor(async () => (await podEvents("mount-waits")).some((e) => e.reason === "FailedMount"), "FailedMount");
    const ev = (await podEvents("mount-waits")).find((e) => e.reason === "FailedMount")!;
    expect(ev.type).toBe("Warning");
    expect(ev.message).toBe('MountVolume.SetUp failed for volume "tls" : secret "late-tls" not found');
    expect(await waiting("mount-waits")).toEqual({ reason: "ContainerCreating" });

    const tls = { "tls.crt": btoa("CERT"), "tls.key": btoa("KEY") };
    await put("secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "late-tls" }, type: "kubernetes.io/tls", data: tls });
    await waitFor(() => running("mount-waits"), "the pod to start once the Secret exists");
    expect(await out("mount-waits", ["cat", "/etc/tls/tls.crt"])).toBe("CERT");
  });
});
