import { describe, it, expect } from "vitest";
import { RESOURCES, findResource, storageKey } from "../../src/model/resources";

describe("resource table", () => {
  it("finds served resources by group/version/plural", () => {
    const d = findResource("apps", "v1", "deployments");
    expect(d?.kind).toBe("Deployment");
    expect(storageKey(d!)).toBe("deployments.apps");
    expect(findResource("", "v1", "services")).toBeUndefined();
    expect(new Set(RESOURCES.map((r) => r.kind)).size).toBe(RESOURCES.length);
  });
});
