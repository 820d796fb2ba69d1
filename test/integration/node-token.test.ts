import { describe, it, expect } from "vitest";
import { callJson } from "./helpers";

const LEASES = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";

function lease(name: string) {
  return { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date().toISOString() } };
}

describe("per-node lease tokens for external kubelets", () => {
  it("let a node renew its own Lease and nothing else", async () => {
    for (const n of ["ext-1", "ext-2"]) await callJson(LEASES, { method: "POST", body: lease(n) });
    const { body: minted } = await callJson<{ token: string }>("/edgekube/v1/nodes/ext-1/token");
    expect(minted.token.startsWith("node:ext-1:")).toBe(true);

    const renewed = await callJson<{ spec: { renewTime: string } }>(`${LEASES}/ext-1`, {
      method: "PATCH",
      token: minted.token,
      contentType: "application/merge-patch+json",
      body: { spec: { renewTime: "2030-01-01T00:00:00.000000Z" } },
    });
    expect(renewed.status).toBe(200);
    expect(renewed.body.spec.renewTime).toBe("2030-01-01T00:00:00.000000Z");

    const other = await callJson<{ reason: string; message: string }>(`${LEASES}/ext-2`, {
      method: "PATCH",
      token: minted.token,
      contentType: "application/merge-patch+json",
      body: { spec: { renewTime: "2030-01-01T00:00:00.000000Z" } },
    });
    expect(other.status).toBe(403);
    expect(other.body.reason).toBe("Forbidden");
    expect(other.body.message).toContain('User "system:node:ext-1" cannot patch resource "leases"');
    const untouched = await callJson<{ spec: { renewTime: string } }>(`${LEASES}/ext-2`);
    expect(untouched.body.spec.renewTime).not.toBe("2030-01-01T00:00:00.000000Z");

    expect((await callJson("/api/v1/namespaces/default/pods", { token: minted.token })).status).toBe(403);
    expect((await callJson("/edgekube/v1/nodes/ext-2/token", { token: minted.token })).status).toBe(403);
  });

  it("refuses a forged node token", async () => {
    const forged = await callJson(`${LEASES}/ext-1`, { token: "node:ext-1:00ff" });
    expect(forged.status).toBe(401);
  });
});
