// The Service address allocator over an in-memory store: claims, picks, conflicts,
// releases, and what a full range does.
import { describe, it, expect } from "vitest";
import { ServiceAllocator, type AllocationStore } from "../../src/controllers/service-allocator";
import type { Owner } from "../../src/controlplane/service-allocation";

class MapStore implements AllocationStore {
  readonly m = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.m.get(key) as T | undefined;
  }
  put<T>(key: string, value: T): void {
    this.m.set(key, value);
  }
  delete(key: string): boolean {
    return this.m.delete(key);
  }
  *list<T>(options: { prefix: string }): Iterable<[string, T]> {
    for (const [k, v] of [...this.m.entries()].sort()) if (k.startsWith(options.prefix)) yield [k, v as T];
  }
}

const owner = (name: string, uid = `${name}-uid`): Owner => ({ namespace: "default", name, uid });

/** A deterministic "random": the sequence given, then 0.5 forever. */
function seq(...xs: number[]): () => number {
  let i = 0;
  return () => (i < xs.length ? xs[i++] : 0.5);
}

describe("service address allocator", () => {
  it("picks a free cluster IP in 10.96.0.0/12 and a node port in 30000-32767, and records them", () => {
    const kv = new MapStore();
    const a = new ServiceAllocator(kv, seq(0, 0));
    const r = a.allocate({ owner: owner("web"), clusterIP: "", nodePorts: [{ index: 0, protocol: "TCP", nodePort: 0 }] }, 1000);
    // random 0 lands on the first dynamic address (after the low band) and the first port.
    expect(r).toEqual({ ok: true, clusterIP: "10.96.0.16", nodePorts: [30000] });
    expect([...kv.m.keys()].sort()).toEqual(["svc-ip:10.96.0.16", "svc-port:30000/TCP"]);
  });

  it("does not hand out a taken address twice, even when the random picks collide", () => {
    const kv = new MapStore();
    const a = new ServiceAllocator(kv, seq(0, 0, 0, 0));
    a.allocate({ owner: owner("one"), clusterIP: "", nodePorts: [{ index: 0, protocol: "TCP", nodePort: 0 }] }, 1000);
    const r = a.allocate({ owner: owner("two"), clusterIP: "", nodePorts: [{ index: 0, protocol: "TCP", nodePort: 0 }] }, 1000);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.clusterIP).not.toBe("10.96.0.16");
    expect(r.nodePorts[0]).not.toBe(30000);
  });

  it("two ports of one Service never share a node port", () => {
    const a = new ServiceAllocator(new MapStore(), seq(0, 0, 0));
    const r = a.allocate({ owner: owner("web"), clusterIP: null, nodePorts: [{ index: 0, protocol: "TCP", nodePort: 0 }, { index: 1, protocol: "TCP", nodePort: 0 }] }, 1000);
    expect(r.ok && r.nodePorts[0] !== r.nodePorts[1]).toBe(true);
  });

  it("answers a taken or out-of-range claim with the registry's messages and records nothing", () => {
    const kv = new MapStore();
    const a = new ServiceAllocator(kv);
    a.allocate({ owner: owner("one"), clusterIP: "10.96.0.50", nodePorts: [{ index: 0, protocol: "TCP", nodePort: 30080 }] }, 1000);
    const before = kv.m.size;
    const r = a.allocate({ owner: owner("two"), clusterIP: "10.96.0.50", nodePorts: [{ index: 0, protocol: "TCP", nodePort: 30081 }, { index: 1, protocol: "TCP", nodePort: 30080 }, { index: 2, protocol: "UDP", nodePort: 80 }] }, 1000);
    expect(r).toEqual({
      ok: false,
      causes: [
        { reason: "FieldValueInvalid", field: "spec.clusterIPs", message: 'Invalid value: []string{"10.96.0.50"}: failed to allocate IP 10.96.0.50: provided IP is already allocated' },
        { reason: "FieldValueInvalid", field: "spec.ports[1].nodePort", message: "Invalid value: 30080: provided port is already allocated" },
        { reason: "FieldValueInvalid", field: "spec.ports[2].nodePort", message: "Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767" },
      ],
    });
    expect(kv.m.size).toBe(before);
    const outside = a.allocate({ owner: owner("three"), clusterIP: "10.0.0.5", nodePorts: [] }, 1000);
    expect(outside.ok ? "" : outside.causes[0].message).toBe("Invalid value: []string{\"10.0.0.5\"}: failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/12");
  });

  it("the same port number is free again for another protocol, and for the same owner", () => {
    const a = new ServiceAllocator(new MapStore());
    a.allocate({ owner: owner("one"), clusterIP: null, nodePorts: [{ index: 0, protocol: "TCP", nodePort: 30080 }] }, 1000);
    expect(a.allocate({ owner: owner("two"), clusterIP: null, nodePorts: [{ index: 0, protocol: "UDP", nodePort: 30080 }] }, 1000).ok).toBe(true);
    expect(a.allocate({ owner: owner("one"), clusterIP: null, nodePorts: [{ index: 0, protocol: "TCP", nodePort: 30080 }] }, 2000).ok).toBe(true);
  });

  it("a dry run picks without recording", () => {
    const kv = new MapStore();
    const r = new ServiceAllocator(kv).allocate({ owner: owner("web"), clusterIP: "", nodePorts: [{ index: 0, protocol: "TCP", nodePort: 0 }], dryRun: true }, 1000);
    expect(r.ok).toBe(true);
    expect(kv.m.size).toBe(0);
  });

  it("releases what a Service no longer uses, what a gone Service held after the grace period, and a deleted one's at once", () => {
    const kv = new MapStore();
    const a = new ServiceAllocator(kv);
    a.allocate({ owner: owner("web"), clusterIP: "10.96.0.60", nodePorts: [{ index: 0, protocol: "TCP", nodePort: 30001 }, { index: 1, protocol: "TCP", nodePort: 30002 }] }, 1000);
    // The Service now uses one of its two ports.
    expect(a.release({ namespace: "default", name: "web" }, { uid: "web-uid", clusterIP: "10.96.0.60", nodePorts: [{ nodePort: 30001, protocol: "TCP" }] }, 100_000, 60_000)).toBe(1);
    expect(kv.m.has("svc-port:30002/TCP")).toBe(false);
    // Gone, but allocated recently: kept (its create may still be on the way).
    a.allocate({ owner: owner("late"), clusterIP: "10.96.0.61", nodePorts: [] }, 100_000);
    expect(a.release({ namespace: "default", name: "late" }, null, 120_000, 60_000)).toBe(0);
    expect(a.release({ namespace: "default", name: "late" }, null, 161_000, 60_000)).toBe(1);
    // Deleted through the API: released at once, only that uid's.
    expect(a.releaseOwner(owner("web", "other-uid"))).toBe(0);
    expect(a.releaseOwner(owner("web"))).toBe(2);
    expect(kv.m.size).toBe(0);
  });

  it("says so when the node port range is full", () => {
    const kv = new MapStore();
    for (let p = 30000; p <= 32767; p++) kv.put(`svc-port:${p}/TCP`, { owner: owner("x"), at: 0 });
    const r = new ServiceAllocator(kv).allocate({ owner: owner("web"), clusterIP: null, nodePorts: [{ index: 0, protocol: "TCP", nodePort: 0 }] }, 1000);
    expect(r).toEqual({ ok: false, causes: [{ reason: "FieldValueInvalid", field: "spec.ports[0].nodePort", message: "Invalid value: 0: failed to allocate a nodePort: range is full" }] });
  });

  it("keeps 10.96.0.1 for default/kubernetes, which may take it over from a stale record", () => {
    const kv = new MapStore();
    const a = new ServiceAllocator(kv);
    expect(a.allocate({ owner: owner("mine"), clusterIP: "10.96.0.1", nodePorts: [] }, 1000).ok).toBe(false);
    kv.put("svc-ip:10.96.0.1", { owner: { namespace: "default", name: "kubernetes", uid: "old" }, at: 0 });
    expect(a.allocate({ owner: { namespace: "default", name: "kubernetes", uid: "new" }, clusterIP: "10.96.0.1", nodePorts: [] }, 1000)).toEqual({ ok: true, clusterIP: "10.96.0.1", nodePorts: [] });
  });

  it("repairs a stored Service's lost records, and reports addresses another Service holds", () => {
    const kv = new MapStore();
    const a = new ServiceAllocator(kv);
    a.allocate({ owner: owner("other"), clusterIP: null, nodePorts: [{ index: 0, protocol: "TCP", nodePort: 30500 }] }, 1000);
    const taken = a.repair(owner("web"), "10.96.0.70", [{ nodePort: 30501, protocol: "TCP" }, { nodePort: 30500, protocol: "TCP" }], 2000);
    expect(taken).toEqual(["30500/TCP"]);
    expect(kv.get<{ owner: Owner }>("svc-ip:10.96.0.70")?.owner).toEqual(owner("web"));
    expect(kv.get<{ owner: Owner }>("svc-port:30501/TCP")?.owner).toEqual(owner("web"));
    expect(kv.get<{ owner: Owner }>("svc-port:30500/TCP")?.owner).toEqual(owner("other"));
  });
});
