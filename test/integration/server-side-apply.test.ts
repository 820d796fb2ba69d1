// Server-side apply and managedFields through the API: every write records its
// manager; PATCH application/apply-patch+yaml creates, merges, conflicts with upstream's
// 409 body (byte for byte in the API server's field order), forces, dry-runs, and a
// refused apply changes nothing.
import { describe, it, expect } from "vitest";
import { call, callJson, waitFor } from "./helpers";

type Entry = { manager: string; operation: string; apiVersion: string; time: string; fieldsType: string; fieldsV1: Record<string, unknown>; subresource?: string };
type Obj = { metadata: { name: string; resourceVersion: string; labels?: Record<string, string>; managedFields?: Entry[]; uid?: string }; spec?: Record<string, unknown>; data?: Record<string, string>; status?: Record<string, unknown> };

const APPLY = "application/apply-patch+yaml";
const NS = "/api/v1/namespaces/default";
const DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments";

const apply = (path: string, manager: string, body: string, extra = "") => callJson<Obj>(`${path}?fieldManager=${manager}${extra}`, { method: "PATCH", body, contentType: APPLY });
const owners = (o: Obj) => (o.metadata.managedFields ?? []).map((e) => `${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ""}`);

function deployment(name: string, replicas: number): Record<string, unknown> {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] } } },
  };
}

describe("managedFields on every write", () => {
  it("records a create as an Update by the fieldManager, without the status the server owns", async () => {
    const { status, body } = await callJson<Obj>(`${DEPLOYMENTS}?fieldManager=kubectl-create`, { method: "POST", body: deployment("mf-create", 1) });
    expect(status).toBe(201);
    const [entry] = body.metadata.managedFields!;
    expect(entry).toMatchObject({ manager: "kubectl-create", operation: "Update", apiVersion: "apps/v1", fieldsType: "FieldsV1" });
    expect(entry.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const fields = entry.fieldsV1 as { "f:spec": Record<string, unknown> };
    // Defaults the server filled in belong to the creator, as upstream records them.
    expect(Object.keys(fields["f:spec"])).toEqual(expect.arrayContaining(["f:replicas", "f:selector", "f:template", "f:strategy", "f:revisionHistoryLimit"]));
    expect(entry.fieldsV1).not.toHaveProperty("f:status");
    expect(JSON.stringify(entry.fieldsV1)).toContain('"k:{\\"name\\":\\"nginx\\"}":{".":{}');
  });

  it("names the manager after the User-Agent when no fieldManager is given", async () => {
    const { body } = await callJson<Obj>(`${NS}/configmaps`, { method: "POST", body: { metadata: { name: "mf-ua" }, data: { a: "1" } }, headers: { "user-agent": "kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9" } });
    expect(owners(body)).toEqual(["kubectl/Update"]);
  });

  it("gives what an update changed to its manager and records status writes with their subresource", async () => {
    await callJson(`${NS}/configmaps?fieldManager=alice`, { method: "POST", body: { metadata: { name: "mf-upd" }, data: { a: "1", b: "2" } } });
    const { body } = await callJson<Obj>(`${NS}/configmaps/mf-upd?fieldManager=bob`, { method: "PATCH", body: { data: { b: "3" } }, contentType: "application/merge-patch+json" });
    expect(body.metadata.managedFields!.map((e) => [e.manager, e.fieldsV1])).toEqual([
      ["alice", { "f:data": { ".": {}, "f:a": {} } }],
      ["bob", { "f:data": { "f:b": {} } }],
    ]);
    const d = await callJson<Obj>(`${DEPLOYMENTS}?fieldManager=kubectl-create`, { method: "POST", body: deployment("mf-status", 1) });
    const st = await callJson<Obj>(`${DEPLOYMENTS}/mf-status/status?fieldManager=tester`, { method: "PATCH", body: { status: { observedGeneration: 9 } }, contentType: "application/merge-patch+json" });
    expect(st.status).toBe(200);
    const entry = st.body.metadata.managedFields!.find((e) => e.manager === "tester")!;
    expect(entry).toMatchObject({ operation: "Update", subresource: "status", fieldsV1: { "f:status": { "f:observedGeneration": {} } } });
    expect(d.body.metadata.uid).toBe(st.body.metadata.uid);
  });

  it("records the controllers under kube-controller-manager", async () => {
    await callJson(`${DEPLOYMENTS}?fieldManager=kubectl-create`, { method: "POST", body: deployment("mf-kcm", 1) });
    const rs = await waitFor(async () => {
      const { body } = await callJson<{ items: Obj[] }>("/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dmf-kcm");
      return body.items[0];
    }, "the deployment's ReplicaSet");
    expect(owners(rs)[0]).toBe("kube-controller-manager/Update");
  });

  it("resets managedFields when a client sends an empty list", async () => {
    await callJson(`${NS}/configmaps?fieldManager=alice`, { method: "POST", body: { metadata: { name: "mf-reset" }, data: { a: "1" } } });
    const { body } = await callJson<Obj>(`${NS}/configmaps/mf-reset`, { method: "PATCH", body: { metadata: { managedFields: [] } }, contentType: "application/merge-patch+json" });
    expect(body.metadata.managedFields).toBeUndefined();
  });
});

describe("PATCH application/apply-patch+yaml", () => {
  const cm = (labels: string, data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-cm\n${labels ? `  labels: {${labels}}\n` : ""}${data ? `data: {${data}}\n` : ""}`;

  it("creates when absent, merges, and removes what the applier no longer applies", async () => {
    const created = await apply(`${NS}/configmaps/ssa-cm`, "alice", cm("a: x, b: y", "k: v"));
    expect(created.status).toBe(201);
    expect(created.body.metadata.managedFields).toEqual([
      { manager: "alice", operation: "Apply", apiVersion: "v1", time: expect.any(String), fieldsType: "FieldsV1", fieldsV1: { "f:data": { "f:k": {} }, "f:metadata": { "f:labels": { "f:a": {}, "f:b": {} } } } },
    ]);
    const again = await apply(`${NS}/configmaps/ssa-cm`, "alice", cm("a: x, b: y", "k: v"));
    expect(again.status).toBe(200);
    expect(again.body.metadata.resourceVersion).toBe(created.body.metadata.resourceVersion);
    const fewer = await apply(`${NS}/configmaps/ssa-cm`, "alice", cm("a: x", "k: v"));
    expect(fewer.body.metadata.labels).toEqual({ a: "x" });
  });

  it("answers a conflict with upstream's 409, byte for byte, and changes nothing; force takes the field", async () => {
    const before = await callJson<Obj>(`${NS}/configmaps/ssa-cm`);
    const res = await call(`${NS}/configmaps/ssa-cm?fieldManager=bob`, { method: "PATCH", body: cm("", "k: other"), contentType: APPLY });
    expect(res.status).toBe(409);
    expect(await res.text()).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Apply failed with 1 conflict: conflict with \\"alice\\": .data.k","reason":"Conflict","details":{"causes":[{"type":"FieldManagerConflict","message":"conflict with \\"alice\\"","field":".data.k"}]},"code":409}\n',
    );
    expect((await callJson<Obj>(`${NS}/configmaps/ssa-cm`)).body.metadata.resourceVersion).toBe(before.body.metadata.resourceVersion);
    const forced = await apply(`${NS}/configmaps/ssa-cm`, "bob", cm("", "k: other"), "&force=true");
    expect(forced.status).toBe(200);
    expect(forced.body.data).toEqual({ k: "other" });
    const byManager = Object.fromEntries(forced.body.metadata.managedFields!.map((e) => [e.manager, e.fieldsV1]));
    expect(byManager.alice).toEqual({ "f:metadata": { "f:labels": { "f:a": {} } } });
    expect(byManager.bob).toEqual({ "f:data": { "f:k": {} } });
  });

  it("conflicts with a client-side applier's replicas, naming its version", async () => {
    await callJson(`${DEPLOYMENTS}?fieldManager=kubectl-client-side-apply`, { method: "POST", body: deployment("ssa-deploy", 2) });
    const body = JSON.stringify(deployment("ssa-deploy", 3));
    const { status, body: st } = await callJson<{ message: string; reason: string; details: { causes: { type: string; field: string; message: string }[] } }>(`${DEPLOYMENTS}/ssa-deploy?fieldManager=kubectl`, {
      method: "PATCH",
      body,
      contentType: APPLY,
    });
    expect(status).toBe(409);
    expect(st.reason).toBe("Conflict");
    expect(st.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    expect(st.details.causes).toEqual([{ type: "FieldManagerConflict", message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: ".spec.replicas" }]);
    // The same value is shared, not a conflict; a container added by key merges in.
    const shared = JSON.stringify({ ...deployment("ssa-deploy", 2), spec: { ...(deployment("ssa-deploy", 2).spec as object), template: { metadata: { labels: { app: "ssa-deploy" } }, spec: { containers: [{ name: "sidecar", image: "envoy" }] } } } });
    const ok = await callJson<Obj>(`${DEPLOYMENTS}/ssa-deploy?fieldManager=kubectl`, { method: "PATCH", body: shared, contentType: APPLY });
    expect(ok.status).toBe(200);
    const containers = (ok.body.spec as { template: { spec: { containers: { name: string }[] } } }).template.spec.containers;
    expect(containers.map((c) => c.name)).toEqual(["nginx", "sidecar"]);
    // (The deployment controller's status writes have an entry of their own.)
    expect(owners(ok.body).filter((o) => !o.endsWith("/status"))).toEqual(["kubectl/Apply", "kubectl-client-side-apply/Update"]);
  });

  it("honours dryRun=All: the created object is answered, not stored", async () => {
    const dry = await apply(`${NS}/configmaps/ssa-dry`, "alice", "apiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n", "&dryRun=All");
    expect(dry.status).toBe(201);
    expect(owners(dry.body)).toEqual(["alice/Apply"]);
    expect((await call(`${NS}/configmaps/ssa-dry`)).status).toBe(404);
  });

  it("applies a Pod again: the token volume admission added is nobody's, so it stays", async () => {
    const manifest = (label: string) => JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "ssa-pod", labels: { tier: label } }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } });
    const first = await apply(`${NS}/pods/ssa-pod`, "ssa-pod", manifest("a"));
    expect(first.status).toBe(201);
    const volumes = (first.body.spec?.volumes as { name: string }[]).map((v) => v.name);
    expect(volumes).toEqual([expect.stringMatching(/^kube-api-access-/)]);
    expect(JSON.stringify(first.body.metadata.managedFields)).not.toContain("kube-api-access");
    const again = await apply(`${NS}/pods/ssa-pod`, "ssa-pod", manifest("b"));
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.metadata.labels).toEqual({ tier: "b" });
    expect((again.body.spec?.volumes as { name: string }[]).map((v) => v.name)).toEqual(volumes);
  });

  it("refuses an apply without a fieldManager with upstream's 422", async () => {
    const { status, body } = await callJson<{ message: string }>(`${NS}/configmaps/ssa-cm`, { method: "PATCH", body: cm("", ""), contentType: APPLY });
    expect(status).toBe(422);
    expect(body.message).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  });
});
