// Shared by the node (kubelet) integration tests: a node Durable Object started with a
// fake clock, pods created bound to it through the API, and stepping through its
// timers by moving the clock to the next one and running the alarm.
import { env, exports as workerExports } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { NodeAgent } from "../../src/node/node-agent";
import type { NodeLifecycleController } from "../../src/controllers/node-lifecycle/node-lifecycle-controller";
import { lifecycleShardOf } from "../../src/controlplane/stubs";
import { readConfig } from "../../src/config";
import type { NodeConfig } from "../../src/controlplane/node-api";
import type { Event, Pod } from "../../src/model/types";
import type { PodRecord } from "../../src/node/kubelet/state";
import { BASE, TOKEN, callJson } from "./helpers";

export type AgentStub = DurableObjectStub<NodeAgent>;
type LifecycleStub = DurableObjectStub<NodeLifecycleController>;

export class FakeClock {
  t = Math.floor(Date.now() / 1000) * 1000;
  now = () => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export function agentOf(name: string): AgentStub {
  return env.NODE_AGENT.get(env.NODE_AGENT.idFromName(name)) as unknown as AgentStub;
}

/** The node lifecycle controller shard that watches `nodeName`. */
export function lifecycleOf(nodeName: string): LifecycleStub {
  const shard = lifecycleShardOf(nodeName, readConfig(env).nodeLifecycleShards);
  return env.NODE_LIFECYCLE.get(env.NODE_LIFECYCLE.idFromName(shard)) as unknown as LifecycleStub;
}

export async function startNode(name: string, clock: FakeClock, cfg: Partial<NodeConfig> = {}): Promise<AgentStub> {
  const stub = agentOf(name);
  await runInDurableObject(stub, (inst: NodeAgent) => inst.useClock(clock.now));
  await runInDurableObject(lifecycleOf(name), (inst: NodeLifecycleController) => inst.useClock(clock.now));
  await stub.start({ name, cpu: "4", memory: "8Gi", pods: 110, ephemeralStorage: "100Gi", runtime: "containerd", ...cfg });
  return stub;
}

export function boundPod(name: string, node: string, spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app: name }, ...meta },
    spec: { nodeName: node, containers: [{ name: "app", image: "nginx:1.27" }], ...spec },
  };
}

export async function createPod(body: unknown): Promise<Pod> {
  const res = await callJson<Pod>("/api/v1/namespaces/default/pods", { method: "POST", body });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function getPod(name: string): Promise<Pod | undefined> {
  const res = await callJson<Pod>(`/api/v1/namespaces/default/pods/${name}`);
  return res.status === 200 ? res.body : undefined;
}

export async function podEvents(name: string): Promise<Event[]> {
  const res = await callJson<{ items: Event[] }>(`/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3D${name}`);
  return res.body.items;
}

/**
 * The next timer, if any: by default any timer; `prefix` narrows it (e.g. "kubelet/"
 * for kubelet tests, so the node's heartbeats do not count as steps).
 */
export async function nextTimer(stub: AgentStub | LifecycleStub, prefix = ""): Promise<number | undefined> {
  return runInDurableObject(stub as AgentStub, (_inst: NodeAgent, state) => {
    const row = state.storage.sql.exec<{ at: number | null }>("SELECT MIN(at) AS at FROM timers WHERE substr(key, 1, ?) = ?", prefix.length, prefix).toArray()[0];
    return row?.at ?? undefined;
  });
}

/** Move the clock to the next kubelet timer (not past `limit`) and run the alarm. */
export async function step(stub: AgentStub, clock: FakeClock, limit = Infinity, prefix = "kubelet/"): Promise<boolean> {
  const at = await nextTimer(stub, prefix);
  if (at === undefined || at > limit) return false;
  clock.t = Math.max(clock.t, at);
  await runDurableObjectAlarm(stub);
  return true;
}

/**
 * Step through the timers of the node and of the lifecycle controller that watches it,
 * earliest first, until `limit` (ms since epoch), then set the clock there.
 */
export async function runUntil(stub: AgentStub, clock: FakeClock, limit: number): Promise<void> {
  const name = await runInDurableObject(stub, (_inst: NodeAgent, state) => state.storage.kv.get<NodeConfig>("config")?.name);
  const controller = name ? lifecycleOf(name) : undefined;
  for (let i = 0; i < 800; i++) {
    const atNode = await nextTimer(stub);
    const atController = controller ? await nextTimer(controller) : undefined;
    const next = Math.min(atNode ?? Infinity, atController ?? Infinity);
    if (next > limit) break;
    clock.t = Math.max(clock.t, next);
    await runDurableObjectAlarm(next === atNode ? stub : controller!);
  }
  clock.t = Math.max(clock.t, limit);
}

/** Step only the lifecycle controller watching `nodeName` (the node itself does nothing). */
export async function runControllerUntil(nodeName: string, clock: FakeClock, limit: number): Promise<void> {
  const controller = lifecycleOf(nodeName);
  for (let i = 0; i < 800; i++) {
    const at = await nextTimer(controller);
    if (at === undefined || at > limit) break;
    clock.t = Math.max(clock.t, at);
    await runDurableObjectAlarm(controller);
  }
  clock.t = Math.max(clock.t, limit);
}

export async function record(stub: AgentStub, uid: string): Promise<PodRecord | undefined> {
  return runInDurableObject(stub, (_inst: NodeAgent, state) => state.storage.kv.get<PodRecord>(`kl/pod/${uid}`));
}

export function condition(pod: Pod | undefined, type: string): string | undefined {
  return pod?.status?.conditions?.find((c) => c.type === type)?.status;
}

/** A DELETE through the API, as kubectl sends it. */
export async function deletePod(name: string, body: Record<string, unknown> = { propagationPolicy: "Background" }): Promise<number> {
  const res = await callJson(`/api/v1/namespaces/default/pods/${name}`, { method: "DELETE", body });
  return res.status;
}

// The worker's fetch, for requests helpers.call cannot make (WebSocket upgrades).
const worker = (workerExports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;

interface ExecResult {
  status: number;
  protocol: string | null;
  stdout: string;
  /** stdout's bytes as they came, for data that is not text. */
  stdoutBytes: Uint8Array;
  stderr: string;
  exit?: { status: string; reason?: string; message?: string; details?: { causes?: { reason?: string; message?: string }[] } };
  body?: { message?: string; reason?: string; code?: number };
}

/**
 * pods/exec over a WebSocket, as kubectl does it: one `command=` per word. `stdin`
 * chunks are sent one by one, each after the output so far contains `waitFor[i]`.
 */
export async function execWs(
  pod: string,
  command: string[],
  opts: {
    container?: string;
    tty?: boolean;
    stdin?: (string | Uint8Array)[];
    waitFor?: (string | undefined)[];
    closeStdin?: boolean;
    query?: Record<string, string>;
    namespace?: string;
    /** pods/attach (the command is then empty) instead of pods/exec. */
    subresource?: "exec" | "attach";
    /** Hang up once stdout contains this, instead of waiting for the server to close. */
    hangUpAfter?: string;
  } = {},
): Promise<ExecResult> {
  const q = new URLSearchParams();
  for (const w of command) q.append("command", w);
  if (opts.container) q.set("container", opts.container);
  if (opts.stdin) q.set("stdin", "true");
  if (opts.tty) q.set("tty", "true");
  else {
    q.set("stdout", "true");
    q.set("stderr", "true");
  }
  for (const [k, v] of Object.entries(opts.query ?? {})) q.set(k, v);
  const res = await worker.fetch(
    new Request(`${BASE}/api/v1/namespaces/${opts.namespace ?? "default"}/pods/${pod}/${opts.subresource ?? "exec"}?${q}`, {
      headers: { authorization: `Bearer ${TOKEN}`, upgrade: "websocket", "sec-websocket-protocol": "v5.channel.k8s.io" },
    }),
  );
  const out: ExecResult = { status: res.status, protocol: res.headers.get("sec-websocket-protocol"), stdout: "", stdoutBytes: new Uint8Array(0), stderr: "" };
  if (res.status !== 101) {
    out.body = (await res.json()) as ExecResult["body"];
    return out;
  }
  const ws = res.webSocket!;
  ws.accept();
  ws.binaryType = "arraybuffer";
  const decoder = new TextDecoder();
  let progress: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    ws.addEventListener("close", () => resolve());
    ws.addEventListener("message", (ev) => {
      const bytes = new Uint8Array(ev.data as ArrayBuffer);
      const text = decoder.decode(bytes.subarray(1));
      if (bytes[0] === 1) {
        out.stdout += text;
        const all = new Uint8Array(out.stdoutBytes.length + bytes.length - 1);
        all.set(out.stdoutBytes);
        all.set(bytes.subarray(1), out.stdoutBytes.length);
        out.stdoutBytes = all;
      }
      else if (bytes[0] === 2) out.stderr += text;
      else if (bytes[0] === 3) out.exit = JSON.parse(text) as ExecResult["exit"];
      progress();
    });
  });
  const frame = (channel: number, data: string | Uint8Array) => {
    const b = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const f = new Uint8Array(b.length + 1);
    f[0] = channel;
    f.set(b, 1);
    return f;
  };
  for (const [i, chunk] of (opts.stdin ?? []).entries()) {
    const want = opts.waitFor?.[i];
    if (want) {
      await Promise.race([
        new Promise<void>((resolve) => {
          const check = () => (out.stdout.includes(want) ? resolve() : undefined);
          progress = check;
          check();
        }),
        closed,
      ]);
    }
    ws.send(frame(0, chunk));
  }
  if (opts.closeStdin) ws.send(new Uint8Array([255, 0]));
  const hangUp = opts.hangUpAfter;
  if (hangUp) {
    await Promise.race([
      new Promise<void>((resolve) => {
        const check = () => (out.stdout.includes(hangUp) ? resolve() : undefined);
        progress = check;
        check();
      }),
      closed,
    ]);
    ws.close();
  }
  await closed;
  return out;
}

/** A request to the worker that does not follow redirects. */
export function fetchManual(path: string): Promise<Response> {
  return worker.fetch(new Request(BASE + path, { headers: { authorization: `Bearer ${TOKEN}` }, redirect: "manual" }));
}

/** What `crictl ps` would show on the node: names of the runtime's running containers, by pod. */
export async function runningContainers(stub: AgentStub): Promise<string[]> {
  return runInDurableObject(stub, async (inst: NodeAgent) => {
    const rt = (inst as unknown as { kubelet(): { runtime(): import("../../src/node/runtime").Runtime | undefined } }).kubelet().runtime();
    if (!rt) return [];
    const running = await rt.runtime.listContainers({ state: "CONTAINER_RUNNING" });
    return running.map((c) => `${c.labels["io.kubernetes.pod.name"] ?? c.podSandboxId}/${c.metadata.name}`).sort();
  });
}
