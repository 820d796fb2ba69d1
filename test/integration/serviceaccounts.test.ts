// The serviceaccounts controller and the ServiceAccount defaulting of pods, through
// the API and the real controller manager.
import { describe, it, expect } from "vitest";
import { call, callJson, pod, waitFor } from "./helpers";

type Obj = { kind: string; metadata: { name?: string; uid?: string; namespace?: string }; spec?: Record<string, unknown> };

const getDefaultSA = async (ns: string) => {
  const res = await callJson<Obj>(`/api/v1/namespaces/${ns}/serviceaccounts/default`);
  return res.status === 200 ? res.body : undefined;
};

describe("the default ServiceAccount", () => {
  it("exists in the standard namespaces", async () => {
    for (const ns of ["default", "kube-system"]) expect((await waitFor(() => getDefaultSA(ns), `default SA in ${ns}`)).kind).toBe("ServiceAccount");
  });

  it("is made in a new namespace, and made again when deleted", async () => {
    await callJson("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } } });
    const first = await waitFor(() => getDefaultSA("team-a"), "default SA in team-a");
    const table = await callJson<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>("/api/v1/namespaces/team-a/serviceaccounts", {
      accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
    });
    expect(table.body.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Secrets", "Age"]);
    expect(table.body.rows.map((r) => r.cells.slice(0, 2))).toEqual([["default", 0]]);

    expect((await call("/api/v1/namespaces/team-a/serviceaccounts/default", { method: "DELETE" })).status).toBe(200);
    const again = await waitFor(async () => {
      const sa = await getDefaultSA("team-a");
      return sa && sa.metadata.uid !== first.metadata.uid && sa;
    }, "the default SA to be made again");
    expect(again.metadata.namespace).toBe("team-a");
  });

  it("other ServiceAccounts are the user's: created as asked and not made again", async () => {
    const created = await callJson<Obj>("/api/v1/namespaces/default/serviceaccounts", { method: "POST", body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "build-robot" } } });
    expect(created.status).toBe(201);
    const bad = await callJson<{ message: string }>("/api/v1/namespaces/default/serviceaccounts", { method: "POST", body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "Build_Robot" } } });
    expect(bad.body.message).toMatch(/^ServiceAccount "Build_Robot" is invalid: metadata.name: Invalid value: "Build_Robot": a lowercase RFC 1123 subdomain/);
  });
});

describe("pods and their ServiceAccount", () => {
  it("a pod that names none runs as default; both fields are kept equal", async () => {
    const plain = await callJson<Obj>("/api/v1/namespaces/default/pods", { method: "POST", body: pod("sa-plain") });
    expect(plain.body.spec?.serviceAccountName).toBe("default");
    expect(plain.body.spec?.serviceAccount).toBe("default");
    const named = await callJson<Obj>("/api/v1/namespaces/default/pods", { method: "POST", body: pod("sa-named", { serviceAccountName: "build-robot" }) });
    expect([named.body.spec?.serviceAccountName, named.body.spec?.serviceAccount]).toEqual(["build-robot", "build-robot"]);
    const deprecated = await callJson<Obj>("/api/v1/namespaces/default/pods", { method: "POST", body: pod("sa-deprecated", { serviceAccount: "build-robot" }) });
    expect([deprecated.body.spec?.serviceAccountName, deprecated.body.spec?.serviceAccount]).toEqual(["build-robot", "build-robot"]);
  });
});
