import { waitFor as pollUntil } from "./helpers";
// Shared by the scheduler's integration tests: pods with requests, polling the API
// until the scheduler (woken through ctx.waitUntil, so never synchronously) acts.
import { callJson, pod } from "./helpers";
import type { Event, Node, Pod } from "../../src/model/types";

export function podWithCpu(name: string, cpu: string, extra: Record<string, unknown> = {}) {
  return pod(name, { containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu } } }], ...extra });
}

export async function createPod(body: unknown): Promise<Pod> {
  const res = await callJson<Pod>("/api/v1/namespaces/default/pods", { method: "POST", body });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function getPod(name: string): Promise<Pod> {
  return (await callJson<Pod>(`/api/v1/namespaces/default/pods/${name}`)).body;
}

export async function listPods(): Promise<Pod[]> {
  return (await callJson<{ items: Pod[] }>("/api/v1/namespaces/default/pods")).body.items;
}

export async function listNodes(): Promise<Node[]> {
  return (await callJson<{ items: Node[] }>("/api/v1/nodes")).body.items;
}

export async function podEvents(name: string): Promise<Event[]> {
  return (await callJson<{ items: Event[] }>(`/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3D${name}`)).body.items;
}

/** Poll until `check` returns a truthy value; fails with the last value seen. */
/** The shared poll, with the argument order these tests use. */
export function waitFor<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 15_000, what = "condition"): Promise<T> {
  return pollUntil(check, what, timeoutMs);
}

export async function waitBound(name: string, timeoutMs?: number): Promise<Pod> {
  return waitFor(async () => {
    const p = await getPod(name);
    return p.spec?.nodeName ? p : undefined;
  }, timeoutMs, `${name} to be bound`);
}
