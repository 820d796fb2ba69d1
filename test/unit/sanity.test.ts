import { describe, it, expect } from "vitest";
import { RESOURCES, findResource, storageKey } from "../../src/model/resources";

describe("resource table", () => {
  it("finds served resources by group/version/plural", () => {
    const d = findResource("apps", "v1", "deployments");
    expect(d?.kind).toBe("Deployment");
    expect(storageKey(d!)).toBe("deployments.apps");
    expect(findResource("", "v1", "configmaps")?.shortNames).toEqual(["cm"]);
    expect(findResource("", "v1", "podtemplates")).toBeUndefined();
    expect(storageKey(findResource("discovery.k8s.io", "v1", "endpointslices")!)).toBe("endpointslices.discovery.k8s.io");
    expect(new Set(RESOURCES.map((r) => `${r.group}/${r.version}/${r.kind}`)).size).toBe(RESOURCES.length);
  });
});
