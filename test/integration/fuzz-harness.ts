// The fuzz suite's harness: a seeded PRNG (so every run sends the same cases), a
// snapshot of the whole store, and `refuse`, which sends one bad request and checks
// that it was refused cleanly: a 4xx whose body is a Kubernetes Status, and nothing
// in the store changed. Failures are collected, not thrown, so one run lists them all.
import { expect } from "vitest";
import { env, exports } from "cloudflare:workers";
import { call, callJson, waitFor } from "./helpers";
import { seededRandom } from "../../src/util/seeded-random";

/** Seeded cases: the same seed gives the same cases on every run. */
export class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed);
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
  /** `n` characters drawn from `alphabet`. */
  string(n: number, alphabet: string): string {
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }
}

/** Strings that have broken parsers, logs, SQL and terminals before. */
export const HOSTILE = [
  "'; DROP TABLE objects; --",
  "\" OR 1=1 --",
  "' OR '1'='1",
  "1; DELETE FROM revision",
  "%",
  "%%",
  "_%_",
  "\\",
  "\u0000",
  "a\u0000b",
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  "line\r\nSet-Cookie: x=y",
  "log\nINFO forged entry",
  "\u001b[31mred\u001b[0m",
  "\u001b]0;title\u0007",
  "\ud800",
  "x\udfffy",
  "\u202eevil",
  "\ufeff",
  "😀".repeat(40),
  "é".repeat(300),
  "../../etc/passwd",
  "..",
  ".",
  "${jndi:ldap://x}",
  "{{7*7}}",
  "$(rm -rf /)",
  "`id`",
  "null",
  "undefined",
  "__proto__",
  "constructor",
  " ",
  "\t",
  "a".repeat(70_000),
];

export interface Snapshot {
  rv: number;
  objects: string[];
}

/** Every object's key and resourceVersion, and the revision counter: any write changes it. */
export async function snapshot(): Promise<Snapshot> {
  const [rows, rev] = await env.DB.batch<{ k: string; rv?: number }>([
    env.DB.prepare("SELECT resource || '/' || namespace || '/' || name || '@' || resource_version AS k FROM objects ORDER BY resource, namespace, name"),
    env.DB.prepare("SELECT rv, '' AS k FROM revision WHERE id = 1"),
  ]);
  return { rv: rev.results[0]?.rv ?? 0, objects: rows.results.map((r) => r.k) };
}

const same = (a: Snapshot, b: Snapshot) => a.rv === b.rv && a.objects.length === b.objects.length && a.objects.every((k, i) => k === b.objects[i]);

/** Wait until nothing writes for a while (controllers reacting to the fixtures). */
export async function settle(quietMs = 1_500): Promise<Snapshot> {
  let last = await snapshot();
  let since = Date.now();
  await waitFor(async () => {
    await new Promise((r) => setTimeout(r, 100));
    const now = await snapshot();
    if (!same(now, last)) {
      last = now;
      since = Date.now();
      return false;
    }
    return Date.now() - since >= quietMs;
  }, "the store to settle");
  return last;
}

/**
 * A cluster that nothing writes to on its own: bootstrap runs, then its nodes are
 * deleted (their kubelets stop heartbeating) and the controllers finish with them.
 */
export async function quietCluster(): Promise<void> {
  await call("/api/v1/namespaces");
  const nodes = await callJson<{ items: { metadata: { name: string } }[] }>("/api/v1/nodes");
  for (const n of nodes.body.items) await call(`/api/v1/nodes/${n.metadata.name}`, { method: "DELETE" });
  await waitFor(async () => { const r = await callJson<{ items?: unknown[] }>("/api/v1/nodes"); if (!r.body.items) throw new Error(JSON.stringify(r)); return r.body.items.length === 0; }, "nodes to go");
  const leases = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";
  await call(leases, { method: "DELETE" });
  await waitFor(async () => (await callJson<{ items: unknown[] }>(leases)).body.items.length === 0, "node leases to go");
  // Objects for the cases to aim at. The pod names a scheduler that does not exist, so
  // nothing schedules it; the deployment has no replicas, so it makes no pods.
  const created = await Promise.all([
    call("/api/v1/namespaces/default/pods", {
      method: "POST",
      body: { apiVersion: "v1", kind: "Pod", metadata: { name: "fuzz-pod", labels: { app: "fuzz" } }, spec: { schedulerName: "fuzz-scheduler", containers: [{ name: "app", image: "nginx:1.27" }] } },
    }),
    call("/apis/apps/v1/namespaces/default/deployments", {
      method: "POST",
      body: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "fuzz-deploy" },
        spec: { replicas: 0, selector: { matchLabels: { app: "fuzz-deploy" } }, template: { metadata: { labels: { app: "fuzz-deploy" } }, spec: { containers: [{ name: "app", image: "nginx:1.27" }] } } },
      },
    }),
    call("/api/v1/namespaces/default/services", { method: "POST", body: { apiVersion: "v1", kind: "Service", metadata: { name: "fuzz-svc" }, spec: { ports: [{ port: 80 }] } } }),
  ]);
  for (const r of created) expect(r.status).toBe(201);
}

export interface Failure {
  category: string;
  what: string;
  problem: string;
}

interface RequestSpec {
  method?: string;
  path: string;
  body?: string | Uint8Array;
  contentType?: string | null;
  headers?: Record<string, string>;
}

const BASE = "https://edgekube.test";
const worker = exports as unknown as { default: { fetch(req: Request): Promise<Response> } };

/** Sends raw requests (paths are not normalised by us; bodies are sent as given). */
export async function send(spec: RequestSpec): Promise<Response> {
  const headers: Record<string, string> = { authorization: "Bearer test-token", ...spec.headers };
  if (spec.body !== undefined && spec.contentType !== null) headers["content-type"] = spec.contentType ?? "application/json";
  return worker.default.fetch(new Request(BASE + spec.path, { method: spec.method ?? "GET", headers, body: spec.body as BodyInit | undefined }));
}

const clip = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);

/** Runs cases, counts them by category, and records every case not refused cleanly. */
export class FuzzRun {
  readonly counts = new Map<string, number>();
  readonly failures: Failure[] = [];
  private baseline?: Snapshot;
  slowest = { ms: 0, what: "" };

  async start(): Promise<void> {
    this.baseline = await settle();
  }

  /**
   * One case: the request must be refused with a 4xx Kubernetes Status (optionally
   * one of `statuses`) and leave the store as it was.
   */
  async refuse(category: string, what: string, spec: RequestSpec, statuses?: number[], check?: (status: Record<string, unknown>) => string | undefined): Promise<void> {
    this.counts.set(category, (this.counts.get(category) ?? 0) + 1);
    const t0 = Date.now();
    const fail = (problem: string) => this.failures.push({ category, what: clip(what), problem: clip(problem, 600) });
    let res: Response;
    try {
      res = await send(spec);
    } catch (e) {
      fail(`the worker threw: ${(e as Error).message}`);
      return;
    }
    const ms = Date.now() - t0;
    if (ms > this.slowest.ms) this.slowest = { ms, what: `${category}: ${clip(what, 80)}` };
    // A watch that was accepted streams until its timeout: do not wait for it.
    const streaming = res.status < 400 && /[?&]watch=(true|1)/.test(spec.path);
    const text = streaming ? (await res.body?.cancel(), "") : await res.text();
    let problem: string | undefined;
    let status: Record<string, unknown> | undefined;
    try {
      status = JSON.parse(text) as Record<string, unknown>;
    } catch {
      problem = `${res.status}, body is not JSON: ${clip(text)}`;
    }
    if (!problem && status) {
      if (res.status < 400 || res.status >= 500) problem = `HTTP ${res.status}: ${clip(text, 400)}`;
      else if (statuses && !statuses.includes(res.status)) problem = `HTTP ${res.status}, expected ${statuses.join("/")}: ${clip(text, 400)}`;
      else if (status.kind !== "Status" || status.status !== "Failure") problem = `not a Failure Status: ${clip(text)}`;
      else if (typeof status.reason !== "string" || !status.reason) problem = `no reason: ${clip(text)}`;
      else if (typeof status.message !== "string" || !status.message) problem = `no message: ${clip(text)}`;
      else if (status.code !== res.status) problem = `code ${String(status.code)} != HTTP ${res.status}`;
      else problem = check?.(status);
    }
    if (problem) fail(problem);
    const after = await snapshot();
    if (this.baseline && !same(after, this.baseline)) {
      const before = new Set(this.baseline.objects);
      const changed = after.objects.filter((k) => !before.has(k));
      fail(`the store changed (rv ${this.baseline.rv} -> ${after.rv}): ${clip(changed.join(", "), 300)}`);
      this.baseline = after;
    }
  }

  total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }

  /** The counts (for the report) and every failure, then the assertions. */
  finish(minimum: number): void {
    const rows = [...this.counts.entries()].map(([c, n]) => `${String(n).padStart(5)}  ${c}`);
    console.log(`fuzz cases by category (total ${this.total()}; slowest ${this.slowest.ms} ms: ${this.slowest.what}):\n${rows.join("\n")}`);
    if (this.failures.length) console.log(this.failures.map((f) => `[${f.category}] ${f.what}\n    -> ${f.problem}`).join("\n"));
    expect(this.failures).toEqual([]);
    expect(this.total()).toBeGreaterThanOrEqual(minimum);
  }
}

/** A quiet cluster, a run with its snapshot taken, and the generator of its cases. */
export async function startFuzz(seed: number): Promise<{ run: FuzzRun; rng: Rng }> {
  await quietCluster();
  const run = new FuzzRun();
  await run.start();
  return { run, rng: new Rng(seed) };
}
