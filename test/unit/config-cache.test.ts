// The kubelet's ConfigMaps and Secrets between syncs: read once, checked with each list,
// dropped when they change or no pod refers to them.
import { describe, expect, it } from "vitest";
import { ConfigCache } from "../../src/node/kubelet/config-cache";
import type { ConfigReader } from "../../src/node/kubelet/config-sources";
import type { ConfigMap } from "../../src/model/types";

const cm = (name: string, rv: number, value = "v"): ConfigMap => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default", resourceVersion: String(rv) }, data: { k: value } });

/** A store with the objects given, counting its reads. */
function store(objects: ConfigMap[]) {
  const reads: string[] = [];
  const byName = new Map(objects.map((o) => [o.metadata.name!, o]));
  const read: ConfigReader = async (_resource, _namespace, name) => {
    reads.push(name);
    return byName.get(name) ?? null;
  };
  return { read, reads, byName };
}

const ROOT = "configmaps/default/kube-root-ca.crt";

describe("the kubelet's config cache", () => {
  it("reads an object once, for every pod and every later sync, and keeps no missing one", async () => {
    const s = store([cm("kube-root-ca.crt", 5)]);
    const cache = new ConfigCache();
    const sync1 = cache.reader(s.read);
    const [a, b] = await Promise.all([sync1("configmaps", "default", "kube-root-ca.crt"), sync1("configmaps", "default", "kube-root-ca.crt")]);
    expect(a).toBe(b);
    expect(await cache.reader(s.read)("configmaps", "default", "kube-root-ca.crt")).toBe(a);
    expect(await cache.reader(s.read)("configmaps", "default", "absent")).toBeNull();
    expect(await cache.reader(s.read)("configmaps", "default", "absent")).toBeNull();
    expect(s.reads).toEqual(["kube-root-ca.crt", "absent", "absent"]);
    expect(cache.size).toBe(1);
  });

  it("asks the list about what it keeps, and takes its answers: unchanged, moved on, gone", async () => {
    const s = store([cm("a", 1), cm("b", 2), cm("c", 3)]);
    const cache = new ConfigCache();
    const read = cache.reader(s.read);
    for (const n of ["a", "b", "c"]) await read("configmaps", "default", n);
    const refs = new Set(["a", "b", "c"].map((n) => `configmaps/default/${n}`));
    const held = cache.held(refs);
    expect(held).toEqual([
      { resource: "configmaps", namespace: "default", name: "a", heldRv: 1 },
      { resource: "configmaps", namespace: "default", name: "b", heldRv: 2 },
      { resource: "configmaps", namespace: "default", name: "c", heldRv: 3 },
    ]);
    cache.checked(held, ["unchanged", cm("b", 9, "new"), null]);
    const next = cache.reader(s.read);
    expect((await next("configmaps", "default", "a"))?.metadata.resourceVersion).toBe("1");
    expect(((await next("configmaps", "default", "b")) as ConfigMap).data).toEqual({ k: "new" });
    expect(s.reads).toEqual(["a", "b", "c"]);
    // The gone one is read again (and found missing in this store only if it is).
    s.byName.delete("c");
    expect(await next("configmaps", "default", "c")).toBeNull();
    expect(s.reads).toEqual(["a", "b", "c", "c"]);
  });

  it("drops what no pod refers to before the list is asked, and what changed", async () => {
    const s = store([cm("kube-root-ca.crt", 5), cm("app", 6)]);
    const cache = new ConfigCache();
    const read = cache.reader(s.read);
    await read("configmaps", "default", "kube-root-ca.crt");
    await read("configmaps", "default", "app");
    expect(cache.held(new Set([ROOT])).map((h) => h.name)).toEqual(["kube-root-ca.crt"]);
    expect(cache.size).toBe(1);
    cache.forget([ROOT]);
    expect(cache.size).toBe(0);
    await cache.reader(s.read)("configmaps", "default", "kube-root-ca.crt");
    expect(s.reads).toEqual(["kube-root-ca.crt", "app", "kube-root-ca.crt"]);
  });

  it("does not let a list's answer or a slow read replace a newer copy", async () => {
    const s = store([cm("a", 1)]);
    const cache = new ConfigCache();
    await cache.reader(s.read)("configmaps", "default", "a");
    const held = cache.held(new Set(["configmaps/default/a"]));
    // A newer copy arrived (a later sync's read) while the list was out.
    cache.forget(["configmaps/default/a"]);
    s.byName.set("a", cm("a", 7, "newer"));
    await cache.reader(s.read)("configmaps", "default", "a");
    cache.checked(held, [null]);
    expect(cache.held(new Set(["configmaps/default/a"]))).toEqual([{ resource: "configmaps", namespace: "default", name: "a", heldRv: 7 }]);

    // A read that started before the newer copy was kept, answering after it.
    let release!: (o: ConfigMap) => void;
    const slow: ConfigReader = () => new Promise((r) => (release = r));
    cache.forget(["configmaps/default/a"]);
    const pending = cache.reader(slow)("configmaps", "default", "a");
    await cache.reader(s.read)("configmaps", "default", "a");
    release(cm("a", 3, "older"));
    await pending;
    expect(cache.held(new Set(["configmaps/default/a"]))[0].heldRv).toBe(7);
  });
});
