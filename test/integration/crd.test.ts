// CustomResourceDefinitions through the API: established by the controller, their
// custom objects served at once with schema validation, defaulting and pruning, the
// status and scale subresources, several versions, and removed with the CRD.
import { describe, it, expect } from "vitest";
import { env } from "cloudflare:workers";
import { call, callJson, waitFor } from "./helpers";
import { cronTabCRD, CRDS, waitForCondition, type CRDStatus } from "./crd-fixtures";

type Obj = { apiVersion: string; kind: string; metadata: Record<string, unknown> & { name?: string; resourceVersion?: string; generation?: number }; spec?: Record<string, unknown>; status?: Record<string, unknown> };
type Failure = { status: string; reason: string; message: string; code: number; details?: { causes?: { field: string; message: string }[] } };

const CT = "/apis/stable.example.com/v1/namespaces/default/crontabs";
const cronTab = (name: string, spec: Record<string, unknown> = { cronSpec: "* * * * */5", image: "my-awesome-cron-image" }) => ({ apiVersion: "stable.example.com/v1", kind: "CronTab", metadata: { name }, spec });

describe("CustomResourceDefinitions", () => {
  it("validates the CRD with upstream's messages and writes nothing when invalid", async () => {
    const bad = cronTabCRD();
    bad.metadata.name = "wrong.stable.example.com";
    bad.spec.versions[1].storage = true;
    const res = await callJson<Failure>(CRDS, { method: "POST", body: bad });
    expect(res.status).toBe(422);
    expect(res.body.reason).toBe("Invalid");
    const messages = res.body.details!.causes!.map((c) => `${c.field}: ${c.message}`);
    expect(messages).toContain('metadata.name: Invalid value: "wrong.stable.example.com": must be spec.names.plural+"."+spec.group');
    expect(messages.some((m) => m.startsWith("spec.versions: Invalid value: ") && m.endsWith("must have exactly one version marked as storage version"))).toBe(true);
    const unstructured = cronTabCRD({ plural: "loose" });
    const v1Schema = unstructured.spec.versions[0].schema.openAPIV3Schema as { properties: { spec: { properties: Record<string, unknown> } } };
    v1Schema.properties.spec.properties.image = { description: "no type" };
    const res2 = await callJson<Failure>(CRDS, { method: "POST", body: unstructured });
    expect(res2.status).toBe(422);
    expect(res2.body.message).toContain("spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[image].type: Required value: must not be empty for specified object fields");
    expect((await call(`${CRDS}/wrong.stable.example.com`)).status).toBe(404);
    // Bodies of the wrong JSON shape are refused the same way, never a 500.
    for (const spec of [{ group: "x.example.com", names: "crontabs", versions: "v1" }, { group: "x.example.com", scope: "Namespaced", names: { plural: "xs", kind: "X" }, versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: [] } } }] }]) {
      const r = await callJson<Failure>(CRDS, { method: "POST", body: { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "xs.x.example.com" }, spec } });
      expect(r.status).toBe(422);
    }
  });

  it("is established by the controller, then its custom objects are served with defaults, validation and pruning", async () => {
    const created = await callJson<Obj & { status: CRDStatus }>(CRDS, { method: "POST", body: cronTabCRD() });
    expect(created.status).toBe(201);
    expect(created.body.status.storedVersions).toEqual(["v1"]);
    expect(created.body.spec!.conversion).toEqual({ strategy: "None" });
    const crd = await waitForCondition("crontabs.stable.example.com", "Established");
    const conds = Object.fromEntries(crd.status!.conditions!.map((c) => [c.type, c]));
    expect(conds.NamesAccepted).toMatchObject({ status: "True", reason: "NoConflicts", message: "no conflicts found" });
    expect(conds.Established).toMatchObject({ reason: "InitialNamesAccepted", message: "the initial names have been accepted" });
    expect(crd.status!.acceptedNames).toMatchObject({ plural: "crontabs", singular: "crontab", kind: "CronTab", listKind: "CronTabList", shortNames: ["ct"] });

    // Served at once: discovery lists it with its short name and category.
    const disc = await callJson<{ resources: { name: string; shortNames?: string[]; categories?: string[] }[] }>("/apis/stable.example.com/v1");
    expect(disc.body.resources.find((r) => r.name === "crontabs")).toMatchObject({ shortNames: ["ct"], categories: ["all"] });
    expect(disc.body.resources.map((r) => r.name)).toEqual(expect.arrayContaining(["crontabs/status", "crontabs/scale"]));
    const aggregated = await callJson<{ items: { metadata: { name: string }; versions: { version: string; resources: { resource: string; categories?: string[] }[] }[] }[] }>("/apis", { accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList" });
    const group = aggregated.body.items.find((g) => g.metadata.name === "stable.example.com")!;
    expect(group.versions.map((v) => v.version)).toEqual(["v1", "v1beta1"]);
    expect(group.versions[0].resources.find((r) => r.resource === "crontabs")?.categories).toEqual(["all"]);
    // OpenAPI v3 publishes the CRD's schema for kubectl explain and validation.
    const index = await callJson<{ paths: Record<string, { serverRelativeURL: string }> }>("/openapi/v3");
    const doc = await callJson<{ components: { schemas: Record<string, { properties: Record<string, { properties?: Record<string, unknown> }>; "x-kubernetes-group-version-kind": unknown }> } }>(index.body.paths["apis/stable.example.com/v1"].serverRelativeURL);
    const schema = doc.body.components.schemas["com.example.stable.v1.CronTab"];
    expect(schema["x-kubernetes-group-version-kind"]).toEqual([{ group: "stable.example.com", version: "v1", kind: "CronTab" }]);
    expect(Object.keys(schema.properties.spec.properties!)).toEqual(["cronSpec", "image", "replicas"]);

    const ok = await callJson<Obj>(CT, { method: "POST", body: { ...cronTab("my-new-cron-object"), spec: { cronSpec: "* * * * */5", image: "img", extra: "dropped" }, status: { replicas: 9 } } });
    expect(ok.status).toBe(201);
    expect(ok.body.spec).toEqual({ cronSpec: "* * * * */5", image: "img", replicas: 1 });
    expect(ok.body.status).toBeUndefined();
    expect(ok.body.metadata.generation).toBe(1);

    const wrongType = await callJson<Failure>(CT, { method: "POST", body: cronTab("bad", { cronSpec: "* * * * */5", replicas: "three" }) });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.message).toBe('CronTab.stable.example.com "bad" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"');
    const several = await callJson<Failure>(CT, { method: "POST", body: cronTab("bad", { cronSpec: "nope", replicas: 11 }) });
    expect(several.body.details!.causes!.map((c) => `${c.field}: ${c.message}`)).toEqual([
      "spec.cronSpec: Invalid value: \"nope\": spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'",
      "spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10",
    ]);
    const badMeta = await callJson<Failure>(CT, { method: "POST", body: { ...cronTab("bad"), metadata: { name: "bad", labels: 5 } } });
    expect(badMeta.status).toBe(422);
    const missing = await callJson<Failure>(CT, { method: "POST", body: cronTab("bad", { image: "x" }) });
    expect(missing.body.details!.causes!.map((c) => `${c.field}: ${c.message}`)).toEqual(["spec.cronSpec: Required value"]);
    expect((await call(`${CT}/bad`)).status).toBe(404);

    // Strict field validation reports what pruning would drop.
    const strict = await callJson<Failure>(`${CT}?fieldValidation=Strict`, { method: "POST", body: { ...cronTab("strict"), spec: { cronSpec: "* * * * *", bogus: 1 } } });
    expect(strict.status).toBe(400);
    expect(strict.body.message).toBe('strict decoding error: unknown field "spec.bogus"');

    // Strategic merge is not served for custom objects.
    const smp = await callJson<Failure>(`${CT}/my-new-cron-object`, { method: "PATCH", body: { spec: { image: "x" } }, contentType: "application/strategic-merge-patch+json" });
    expect(smp.status).toBe(415);
    expect(smp.body.message).toBe("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
    const merged = await callJson<Obj>(`${CT}/my-new-cron-object`, { method: "PATCH", body: { spec: { image: "v2" } }, contentType: "application/merge-patch+json" });
    expect(merged.body.spec!.image).toBe("v2");
    expect(merged.body.metadata.generation).toBe(2);
    const jp = await callJson<Obj>(`${CT}/my-new-cron-object`, { method: "PATCH", body: [{ op: "replace", path: "/spec/replicas", value: 3 }], contentType: "application/json-patch+json" });
    expect(jp.body.spec!.replicas).toBe(3);

    // Table with the printer columns; the short name is discovery's business, the list works by plural.
    const table = await callJson<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>(CT, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" });
    expect(table.body.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Spec", "Replicas", "Age"]);
    expect(table.body.rows[0].cells.slice(0, 3)).toEqual(["my-new-cron-object", "* * * * */5", 3]);
    const list = await callJson<{ kind: string; items: Obj[] }>(`/apis/stable.example.com/v1/crontabs?fieldSelector=metadata.name%3Dmy-new-cron-object`);
    expect(list.body.kind).toBe("CronTabList");
    expect(list.body.items.map((i) => i.metadata.name)).toEqual(["my-new-cron-object"]);

    // deletecollection by label selector.
    for (const n of ["tmp-1", "tmp-2"]) await callJson(CT, { method: "POST", body: { ...cronTab(n), metadata: { name: n, labels: { batch: "tmp" } } } });
    const removed = await callJson<{ kind: string; items: Obj[] }>(`${CT}?labelSelector=batch%3Dtmp`, { method: "DELETE" });
    expect(removed.body.kind).toBe("CronTabList");
    expect(removed.body.items.map((i) => i.metadata.name).sort()).toEqual(["tmp-1", "tmp-2"]);
    expect((await callJson<{ items: Obj[] }>(`${CT}?labelSelector=batch%3Dtmp`)).body.items).toEqual([]);
  });

  it("keeps status and spec apart through the status subresource, and scales through /scale", async () => {
    await waitForCondition("crontabs.stable.example.com", "Established");
    await callJson(CT, { method: "POST", body: cronTab("split") });
    const main = await callJson<Obj>(`${CT}/split`, { method: "PATCH", body: { status: { replicas: 5 } }, contentType: "application/merge-patch+json" });
    expect(main.body.status).toBeUndefined();
    expect(main.body.metadata.generation).toBe(1);
    const st = await callJson<Obj>(`${CT}/split/status`, { method: "PATCH", body: { spec: { image: "ignored" }, status: { replicas: 2, labelSelector: "app=split" } }, contentType: "application/merge-patch+json" });
    expect(st.status).toBe(200);
    expect(st.body.status).toEqual({ replicas: 2, labelSelector: "app=split" });
    expect(st.body.spec!.image).toBe("my-awesome-cron-image");
    expect(st.body.metadata.generation).toBe(1);

    const scaled = await callJson<{ kind: string; spec: { replicas: number }; status: { replicas: number; selector: string } }>(`${CT}/split/scale`, { method: "PATCH", body: { spec: { replicas: 4 } }, contentType: "application/merge-patch+json" });
    expect(scaled.body).toMatchObject({ kind: "Scale", spec: { replicas: 4 }, status: { replicas: 2, selector: "app=split" } });
    const after = await callJson<Obj>(`${CT}/split`);
    expect(after.body.spec!.replicas).toBe(4);
    expect(after.body.metadata.generation).toBe(2);
    // The schema holds for a scale too.
    const tooMany = await callJson<Failure>(`${CT}/split/scale`, { method: "PATCH", body: { spec: { replicas: 40 } }, contentType: "application/merge-patch+json" });
    expect(tooMany.status).toBe(422);
  });

  it("serves every served version from the one storage version", async () => {
    await waitForCondition("crontabs.stable.example.com", "Established");
    const v1beta1 = "/apis/stable.example.com/v1beta1/namespaces/default/crontabs";
    // Validated and pruned by v1beta1's schema (which keeps anything), stored at v1.
    const created = await callJson<Obj>(v1beta1, { method: "POST", body: { ...cronTab("old"), apiVersion: "stable.example.com/v1beta1", spec: { cronSpec: "whenever", replicas: 50, extra: true } } });
    expect(created.status).toBe(201);
    expect(created.body.apiVersion).toBe("stable.example.com/v1beta1");
    expect(created.body.spec).toEqual({ cronSpec: "whenever", replicas: 50, extra: true });
    const asV1 = await callJson<Obj>(`${CT}/old`);
    expect(asV1.body.apiVersion).toBe("stable.example.com/v1");
    const stored = await env.DB.prepare("SELECT body FROM objects WHERE resource = ? AND name = ?").bind("crontabs.stable.example.com", "old").first<{ body: string }>();
    expect((JSON.parse(stored!.body) as Obj).apiVersion).toBe("stable.example.com/v1");
    // The same body at v1 meets v1's schema.
    expect((await callJson(CT, { method: "POST", body: { ...cronTab("old-v1"), spec: { cronSpec: "whenever", replicas: 50 } } })).status).toBe(422);
    // An update through v1beta1 keeps the generation when only apiVersion differs from storage.
    const same = await callJson<Obj>(`${v1beta1}/old`, { method: "PATCH", body: { metadata: { labels: { a: "b" } } }, contentType: "application/merge-patch+json" });
    expect(same.body.metadata.generation).toBe(1);
    const group = await callJson<{ preferredVersion: { version: string }; versions: { version: string }[] }>("/apis/stable.example.com");
    expect(group.body.preferredVersion.version).toBe("v1");
    expect(group.body.versions.map((v) => v.version)).toEqual(["v1", "v1beta1"]);
  });

  it("watches custom objects like built-ins, at the version asked for", async () => {
    await waitForCondition("crontabs.stable.example.com", "Established");
    const { body: created } = await callJson<Obj>(CT, { method: "POST", body: cronTab("watched") });
    await call(`${CT}/watched`, { method: "PATCH", contentType: "application/merge-patch+json", body: { metadata: { labels: { x: "y" } } } });
    const v1beta1 = "/apis/stable.example.com/v1beta1/namespaces/default/crontabs";
    const res = await call(`${v1beta1}?watch=1&labelSelector=x%3Dy&resourceVersion=${created.metadata.resourceVersion}&timeoutSeconds=1`);
    const events = (await res.text())
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { type: string; object: Obj });
    expect(events.map((e) => [e.type, e.object.metadata.name, e.object.apiVersion])).toEqual([["ADDED", "watched", "stable.example.com/v1beta1"]]);
  });

  it("collects custom objects whose owner went, and empties a deleted namespace of them", async () => {
    await waitForCondition("crontabs.stable.example.com", "Established");
    // A custom object owned by another: the owner's deletion wakes the garbage collector.
    const owner = await callJson<Obj>(CT, { method: "POST", body: cronTab("owner") });
    const owned = { ...cronTab("owned"), metadata: { name: "owned", ownerReferences: [{ apiVersion: "stable.example.com/v1", kind: "CronTab", name: "owner", uid: owner.body.metadata.uid, controller: true }] } };
    expect((await callJson(CT, { method: "POST", body: owned })).status).toBe(201);
    await call(`${CT}/owner`, { method: "DELETE" });
    await waitFor(async () => (await call(`${CT}/owned`)).status === 404, "the owned CronTab to be collected");

    expect((await callJson("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name: "scratch" } } })).status).toBe(201);
    const inScratch = "/apis/stable.example.com/v1/namespaces/scratch/crontabs";
    expect((await callJson(inScratch, { method: "POST", body: cronTab("tmp") })).status).toBe(201);
    await call("/api/v1/namespaces/scratch", { method: "DELETE" });
    await waitFor(async () => (await call("/api/v1/namespaces/scratch")).status === 404, "the namespace to go");
    expect((await callJson<{ items: Obj[] }>(inScratch)).body.items).toEqual([]);
  });

  it("accepts no name another CRD of the group was given first", async () => {
    await waitForCondition("crontabs.stable.example.com", "Established");
    const clash = cronTabCRD({ plural: "crontabz", kind: "CronTabZ", shortNames: ["ct"] });
    expect((await callJson(CRDS, { method: "POST", body: clash })).status).toBe(201);
    const crd = await waitForCondition("crontabz.stable.example.com", "NamesAccepted", "False");
    const names = crd.status!.conditions!.find((c) => c.type === "NamesAccepted")!;
    expect(names).toMatchObject({ reason: "ShortNamesConflict", message: '"ct" is already in use' });
    expect(crd.status!.conditions!.find((c) => c.type === "Established")).toMatchObject({ status: "False", reason: "NotAccepted", message: "not all names are accepted" });
    expect((await call("/apis/stable.example.com/v1/namespaces/default/crontabz")).status).toBe(404);
    expect((await call(`${CRDS}/crontabz.stable.example.com`, { method: "DELETE" })).status).toBe(200);
  });

  it("removes every custom object before the CRD itself when the CRD is deleted", async () => {
    const body = cronTabCRD({ group: "gone.example.com", plural: "widgets", kind: "Widget", shortNames: [] });
    expect((await callJson(CRDS, { method: "POST", body })).status).toBe(201);
    await waitForCondition("widgets.gone.example.com", "Established");
    const base = "/apis/gone.example.com/v1/namespaces/default/widgets";
    const widget = (n: string, finalizers?: string[]) => ({ ...cronTab(n), apiVersion: "gone.example.com/v1", kind: "Widget", metadata: { name: n, finalizers } });
    for (const n of ["a", "b"]) expect((await callJson(base, { method: "POST", body: widget(n) })).status).toBe(201);
    // One held by a finalizer of its own keeps the CRD terminating until it is let go.
    expect((await callJson(base, { method: "POST", body: widget("held", ["example.com/hold"]) })).status).toBe(201);
    const del = await callJson<Obj>(`${CRDS}/widgets.gone.example.com`, { method: "DELETE" });
    expect(del.status).toBe(200);
    expect(del.body.metadata.finalizers).toEqual(["customresourcecleanup.apiextensions.k8s.io"]);
    const terminating = await waitForCondition("widgets.gone.example.com", "Terminating");
    expect(terminating.status!.conditions!.find((c) => c.type === "Terminating")).toMatchObject({ reason: "InstanceDeletionInProgress", message: "CustomResource deletion is in progress" });
    const refused = await callJson<Failure>(base, { method: "POST", body: widget("late") });
    expect(refused.status).toBe(405);
    expect(refused.body.message).toBe("create not allowed while custom resource definition is terminating");
    await waitFor(async () => (await callJson<{ items: Obj[] }>(base)).body.items.map((o) => o.metadata.name).join() === "held", "all but the held widget to go");
    expect((await call(`${CRDS}/widgets.gone.example.com`)).status).toBe(200);
    await call(`${base}/held`, { method: "PATCH", contentType: "application/merge-patch+json", body: { metadata: { finalizers: null } } });
    await waitFor(async () => (await call(`${CRDS}/widgets.gone.example.com`)).status === 404, "the CRD to go");
    expect((await callJson<{ items: Obj[] }>("/apis/apiextensions.k8s.io/v1/customresourcedefinitions")).body.items.map((c) => c.metadata.name)).not.toContain("widgets.gone.example.com");
    expect((await call(base)).status).toBe(404);
    // Gone from the store, not merely unserved.
    const left = await env.DB.prepare("SELECT count(*) AS n FROM objects WHERE resource = ?").bind("widgets.gone.example.com").first<{ n: number }>();
    expect(left?.n).toBe(0);
  });
});
