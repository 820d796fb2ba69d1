// Writers for watch tests: each owns a few pods and leases and creates, updates (PUT),
// patches (merge: a label flip in and out of app=x; JSON patch: an annotation) and
// deletes them at random (seeded), recording every write as the API answered it.
// The pods name a scheduler that does not exist, so nothing else in the cluster writes them.
import type { Write, WatchObject } from "./watch-checker";
import { seededRandom } from "../../src/util/seeded-random";

/** One HTTP request to the API: status and parsed body. */
export type Send = (path: string, method: string, body?: unknown, contentType?: string) => Promise<{ status: number; body: unknown }>;


const LEASES = "/apis/coordination.k8s.io/v1";

export class Churn {
  readonly writes: Write[] = [];
  /** Called after each write (to start a watcher in the middle of the churn). */
  afterWrite?: () => void;
  private readonly alive: Map<string, WatchObject>[];

  constructor(
    private readonly send: Send,
    private readonly namespaces: string[],
    private readonly writers: number,
  ) {
    this.alive = Array.from({ length: writers }, () => new Map());
  }

  /** The resourceVersion each object was last written at, to tell a no-op update. */
  private readonly lastRv = new Map<string, string | undefined>();

  async write(type: Write["type"], resource: string, path: string, method: string, body?: unknown, contentType?: string): Promise<WatchObject> {
    const res = await this.send(path, method, body, contentType);
    if (res.status !== 200 && res.status !== 201) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    const object = res.body as WatchObject;
    // An update that changes nothing writes nothing (the API server answers with the
    // object as it was): no change for any watcher to see.
    const key = `${resource}/${object.metadata.namespace}/${object.metadata.name}`;
    const unchanged = type === "MODIFIED" && this.lastRv.get(key) === object.metadata.resourceVersion;
    this.lastRv.set(key, object.metadata.resourceVersion);
    if (!unchanged) this.writes.push({ resource, type, object });
    this.afterWrite?.();
    return object;
  }

  /** `ops` writes by each writer, all at once. */
  async round(ops: number, seed: number): Promise<void> {
    await Promise.all(Array.from({ length: this.writers }, (_, w) => this.writer(w, ops, seed * 1_000 + w)));
  }

  private async writer(writer: number, ops: number, seed: number): Promise<void> {
    const rand = seededRandom(seed);
    const live = this.alive[writer];
    for (let i = 0; i < ops; i++) {
      const kind = rand() < 0.25 ? "leases" : "pods";
      const ns = this.namespaces[Math.floor(rand() * this.namespaces.length)];
      const name = `w${writer}-${kind === "pods" ? "p" : "l"}${Math.floor(rand() * 4)}`;
      const key = `${kind}/${ns}/${name}`;
      const base = kind === "pods" ? `/api/v1/namespaces/${ns}/pods` : `${LEASES}/namespaces/${ns}/leases`;
      const app = rand() < 0.5 ? "x" : "y";
      const current = live.get(key);
      if (!current) {
        const obj =
          kind === "pods"
            ? { apiVersion: "v1", kind: "Pod", metadata: { name, labels: { app, writer: String(writer) } }, spec: { schedulerName: "churn-no-scheduler", containers: [{ name: "app", image: "nginx:1.27" }] } }
            : { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name, labels: { app } }, spec: { holderIdentity: `h${i}` } };
        live.set(key, await this.write("ADDED", kind, base, "POST", obj));
        continue;
      }
      // A DELETE answers with the object for pods (so the writer learns the deletion's
      // resourceVersion) but with a bare Status for leases, as upstream: leases are not deleted.
      const r = kind === "leases" ? rand() * 0.8 : rand();
      if (r < 0.3) {
        const next = structuredClone(current) as WatchObject & { metadata: { annotations?: Record<string, string> } };
        next.metadata.annotations = { ...next.metadata.annotations, gen: String(i) };
        live.set(key, await this.write("MODIFIED", kind, `${base}/${name}`, "PUT", next));
      } else if (r < 0.6) {
        live.set(key, await this.write("MODIFIED", kind, `${base}/${name}`, "PATCH", { metadata: { labels: { app } } }, "application/merge-patch+json"));
      } else if (r < 0.8) {
        live.set(key, await this.write("MODIFIED", kind, `${base}/${name}`, "PATCH", [{ op: "add", path: "/metadata/annotations", value: { step: String(i) } }], "application/json-patch+json"));
      } else {
        await this.write("DELETED", kind, `${base}/${name}`, "DELETE");
        live.delete(key);
      }
    }
  }
}
