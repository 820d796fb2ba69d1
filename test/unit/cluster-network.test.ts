// Which names a pod's requests resolve as Service names (cluster DNS's search path).
import { describe, it, expect } from "vitest";
import { serviceName } from "../../src/node/cluster-network";

describe("service names seen from a pod", () => {
  it("resolves the short, namespaced and fully qualified forms", () => {
    expect(serviceName("web", "shop")).toEqual({ name: "web", namespace: "shop" });
    expect(serviceName("web.other", "shop")).toEqual({ name: "web", namespace: "other" });
    expect(serviceName("web.other.svc", "shop")).toEqual({ name: "web", namespace: "other" });
    expect(serviceName("Web.Other.svc.cluster.local.", "shop")).toEqual({ name: "web", namespace: "other" });
  });

  it("does not take other names for Services", () => {
    expect(serviceName("a.b.c", "shop")).toBeNull();
    expect(serviceName("web.other.svc.example.com", "shop")).toBeNull();
    expect(serviceName("-web", "shop")).toBeNull();
    expect(serviceName("", "shop")).toBeNull();
  });
});
