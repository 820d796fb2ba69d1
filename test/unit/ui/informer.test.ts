// The dashboard's informer (public/ui/js/informer.js) against a real HTTP server in this
// process that serves a pods collection the way the API does: lists in pages with the
// collection's resourceVersion, watches from a resourceVersion with newline-delimited
// events, and a resourceVersion older than the compacted change log answered by 200 and
// one ERROR event carrying the 410 Expired Status (src/watch/cacher.ts), then the end.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Informer } from "../../../public/ui/js/informer.js";

const TOKEN = "t0ken";

interface Pod {
  metadata: { name: string; namespace: string; resourceVersion: string };
  spec: { nodeName?: string };
}

/** The pods collection with a change log that can be compacted, as the API server keeps it. */
class PodsApi {
  rv = 100;
  compactedRv = 0;
  readonly pods = new Map<string, Pod>();
  readonly log: { rv: number; type: string; pod: Pod }[] = [];
  readonly watches = new Set<ServerResponse>();
  /** Each request: list (with its continue token) or watch (with its resourceVersion) and the answer. */
  readonly requests: { kind: "list" | "watch"; rv?: string; answer: string }[] = [];
  server: Server;
  base = "";

  constructor() {
    this.server = createServer((req, res) => this.serve(req, res));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const w of this.watches) w.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  write(type: "ADDED" | "MODIFIED" | "DELETED", name: string, nodeName?: string): void {
    this.rv++;
    const pod: Pod = { metadata: { name, namespace: "default", resourceVersion: String(this.rv) }, spec: { nodeName } };
    if (type === "DELETED") this.pods.delete(name);
    else this.pods.set(name, pod);
    this.log.push({ rv: this.rv, type, pod });
    for (const w of this.watches) w.write(JSON.stringify({ type, object: pod }) + "\n");
  }

  /** The change log keeps nothing at or before the current revision. */
  compact(): void {
    this.compactedRv = this.rv;
    this.log.length = 0;
  }

  /** Every open watch ends, as when the API's stream is cut. */
  endWatches(): void {
    for (const w of this.watches) w.end();
    this.watches.clear();
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", this.base);
    const q = url.searchParams;
    const json = (code: number, body: unknown) => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      this.requests.push({ kind: q.get("watch") ? "watch" : "list", answer: "401" });
      return json(401, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 });
    }
    if (url.pathname !== "/api/v1/pods") return json(404, { kind: "Status", code: 404 });
    if (q.get("watch") === "true") {
      const since = Number(q.get("resourceVersion"));
      res.writeHead(200, { "content-type": "application/json" });
      if (since < this.compactedRv) {
        this.requests.push({ kind: "watch", rv: String(since), answer: "410" });
        const status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: `too old resource version: ${since} (${this.compactedRv})`, reason: "Expired", code: 410 };
        res.end(JSON.stringify({ type: "ERROR", object: status }) + "\n");
        return;
      }
      this.requests.push({ kind: "watch", rv: String(since), answer: "200" });
      for (const e of this.log) if (e.rv > since) res.write(JSON.stringify({ type: e.type, object: e.pod }) + "\n");
      this.watches.add(res);
      res.on("close", () => this.watches.delete(res));
      return;
    }
    // A list in pages of `limit`: the continue token is the offset; every page carries
    // the collection's revision at the first page (a consistent snapshot).
    const limit = Number(q.get("limit") ?? "500");
    const offset = Number(q.get("continue") || "0");
    const names = [...this.pods.keys()].sort();
    const items = names.slice(offset, offset + limit).map((n) => this.pods.get(n));
    const next = offset + limit < names.length ? String(offset + limit) : "";
    this.requests.push({ kind: "list", answer: "200" });
    json(200, { kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: String(this.rv), continue: next || undefined }, items });
  }
}

/** What the page keeps of the informer's events: pods by name, with their resourceVersion. */
function mirror() {
  const pods = new Map<string, string>();
  const replaced: number[] = [];
  return {
    pods,
    replaced,
    handlers: {
      replace: (items: Pod[]) => {
        replaced.push(items.length);
        pods.clear();
        for (const p of items) pods.set(p.metadata.name, p.metadata.resourceVersion);
      },
      event: (type: string, p: Pod) => {
        if (type === "DELETED") pods.delete(p.metadata.name);
        else pods.set(p.metadata.name, p.metadata.resourceVersion);
      },
    },
  };
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const serverState = (api: PodsApi) => new Map([...api.pods].map(([n, p]) => [n, p.metadata.resourceVersion]));

describe("dashboard informer", () => {
  let api: PodsApi;
  let informer: Informer | undefined;

  beforeEach(async () => {
    // The page's token lives in the tab's sessionStorage; a refused one is announced on window.
    const store = new Map<string, string>();
    vi.stubGlobal("sessionStorage", { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => store.set(k, v), removeItem: (k: string) => store.delete(k) });
    vi.stubGlobal("window", new EventTarget());
    sessionStorage.setItem("edgekube.token", TOKEN);
    api = new PodsApi();
    await api.listen();
    for (const name of ["a", "b", "c", "d", "e"]) api.write("ADDED", name);
  });

  afterEach(async () => {
    informer?.stop();
    informer = undefined;
    await api.close();
    vi.unstubAllGlobals();
  });

  it("lists in pages, watches from the list's resourceVersion, and resumes a dropped watch where it was", async () => {
    const m = mirror();
    informer = new Informer(`${api.base}/api/v1/pods`, m.handlers, { pageSize: 2 }).start();
    await until("the watch", () => api.watches.size === 1);
    // Five pods in pages of two: three list requests, one replace with all five.
    expect(api.requests.filter((r) => r.kind === "list")).toHaveLength(3);
    expect(m.replaced).toEqual([5]);
    expect(api.requests.at(-1)).toEqual({ kind: "watch", rv: "105", answer: "200" });

    api.write("MODIFIED", "a", "node-1");
    await until("the MODIFIED event", () => m.pods.get("a") === "106");
    api.endWatches();
    // Written while no watch is open: the resumed watch replays it from the change log.
    api.write("DELETED", "b");
    await until("the resumed watch", () => !m.pods.has("b"));
    expect(api.requests.at(-1)).toEqual({ kind: "watch", rv: "106", answer: "200" });
    expect(informer.stats.lists).toBe(1);
    expect(informer.stats.expired).toBe(0);
    expect(m.pods).toEqual(serverState(api));
  });

  it("relists on 410 Expired and shows the current state", async () => {
    const m = mirror();
    informer = new Informer(`${api.base}/api/v1/pods`, m.handlers).start();
    await until("the watch", () => api.watches.size === 1);

    // The stream is cut, and before the informer is back the pods change and the change
    // log is compacted past its resourceVersion (all in this one turn of the event loop:
    // the reconnect cannot come in between).
    api.endWatches();
    api.write("DELETED", "c");
    api.write("ADDED", "f", "node-2");
    api.write("MODIFIED", "d", "node-1");
    api.compact();
    api.write("ADDED", "g");

    await until("the relist", () => informer!.stats.lists === 2 && api.watches.size === 1);
    expect(informer.stats.expired).toBe(1);
    const watches = api.requests.filter((r) => r.kind === "watch");
    expect(watches.map((w) => `${w.rv} ${w.answer}`)).toEqual(["105 200", "105 410", "109 200"]);
    expect(m.replaced).toEqual([5, 6]);
    expect(m.pods).toEqual(serverState(api));
    expect([...m.pods.keys()].sort()).toEqual(["a", "b", "d", "e", "f", "g"]);

    // And it goes on watching from the new list's resourceVersion.
    api.write("DELETED", "g");
    await until("an event after the relist", () => !m.pods.has("g"));
    expect(m.pods).toEqual(serverState(api));
  });

  it("stops on 401 and tells the page, instead of retrying", async () => {
    sessionStorage.setItem("edgekube.token", "wrong");
    let told = "";
    window.addEventListener("edgekube:unauthorized", (e) => (told = String((e as CustomEvent).detail)));
    const m = mirror();
    informer = new Informer(`${api.base}/api/v1/pods`, m.handlers).start();
    await until("the informer to stop", () => informer!.stopped);
    expect(told).toBe("Unauthorized");
    expect(api.requests).toEqual([{ kind: "list", answer: "401" }]);
    expect(m.replaced).toEqual([]);
  });
});
