// PriorityClasses through the API and the Priority admission in front of pods: the
// system classes bootstrap makes, upstream's validation and admission errors (each
// changing nothing), and a pod's priority resolved from its class or the default.
import { describe, it, expect } from "vitest";
import { callJson, pod } from "./helpers";

type PC = { metadata: { name: string; resourceVersion?: string }; value: number; globalDefault?: boolean; preemptionPolicy?: string; description?: string };
type Status = { kind: string; code: number; reason: string; message: string; details?: { causes?: { field: string; message: string }[] } };
type Pod = { metadata: { name: string }; spec: { priority?: number; priorityClassName?: string; preemptionPolicy?: string } };

const PCS = "/apis/scheduling.k8s.io/v1/priorityclasses";
const PODS = "/api/v1/namespaces/default/pods";
const pc = (name: string, value: number, extra: Record<string, unknown> = {}) => ({ apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name }, value, ...extra });

describe("PriorityClasses", () => {
  it("bootstrap made the two system classes, and kubectl get prints NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY", async () => {
    const critical = await callJson<PC>(`${PCS}/system-cluster-critical`);
    expect(critical.status).toBe(200);
    expect(critical.body).toMatchObject({ value: 2000000000, preemptionPolicy: "PreemptLowerPriority" });
    expect((await callJson<PC>(`${PCS}/system-node-critical`)).body.value).toBe(2000001000);
    const table = await callJson<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>(PCS, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" });
    expect(table.body.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Value", "Global-Default", "Age", "PreemptionPolicy"]);
    const row = table.body.rows.find((r) => r.cells[0] === "system-node-critical")!;
    expect([row.cells[1], row.cells[2], row.cells[4]]).toEqual([2000001000, false, "PreemptLowerPriority"]);
    const del = await callJson<Status>(`${PCS}/system-node-critical`, { method: "DELETE" });
    expect(del.status).toBe(403);
    expect(del.body.message).toBe(`priorityclasses.scheduling.k8s.io "system-node-critical" is forbidden: this is a system priority class and cannot be deleted`);
    expect((await callJson(`${PCS}/system-node-critical`)).status).toBe(200);
  });

  it("refuses reserved names, values above one billion, bad policies and changed values with upstream's words", async () => {
    const reserved = await callJson<Status>(PCS, { method: "POST", body: pc("system-mine", 10) });
    expect(reserved.status).toBe(422);
    expect(reserved.body.message).toBe(
      `PriorityClass.scheduling.k8s.io "system-mine" is invalid: metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class`,
    );
    const tooHigh = await callJson<Status>(PCS, { method: "POST", body: pc("too-high", 1000000001) });
    expect(tooHigh.body.message).toBe(`PriorityClass.scheduling.k8s.io "too-high" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000`);
    const policy = await callJson<Status>(PCS, { method: "POST", body: pc("bad-policy", 5, { preemptionPolicy: "Sometimes" }) });
    expect(policy.body.message).toBe(`PriorityClass.scheduling.k8s.io "bad-policy" is invalid: preemptionPolicy: Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"`);
    for (const name of ["system-mine", "too-high", "bad-policy"]) expect((await callJson(`${PCS}/${name}`)).status).toBe(404);

    expect((await callJson(PCS, { method: "POST", body: pc("fixed", 100, { description: "first" }) })).status).toBe(201);
    const changed = await callJson<Status>(`${PCS}/fixed`, { method: "PATCH", contentType: "application/merge-patch+json", body: { value: 200, preemptionPolicy: "Never" } });
    expect(changed.status).toBe(422);
    expect(changed.body.details?.causes?.map((c) => `${c.field}: ${c.message}`)).toEqual([`value: Forbidden: may not be changed in an update.`, `preemptionPolicy: Invalid value: "Never": field is immutable`]);
    const described = await callJson<PC>(`${PCS}/fixed`, { method: "PATCH", contentType: "application/merge-patch+json", body: { description: "second" } });
    expect(described.body).toMatchObject({ value: 100, description: "second" });
  });

  it("resolves a pod's class to spec.priority and spec.preemptionPolicy; an unknown class or a disagreeing priority is 403", async () => {
    expect((await callJson(PCS, { method: "POST", body: pc("high", 1000, { preemptionPolicy: "Never" }) })).status).toBe(201);
    const high = await callJson<Pod>(PODS, { method: "POST", body: pod("p-high", { priorityClassName: "high" }) });
    expect(high.status).toBe(201);
    expect(high.body.spec).toMatchObject({ priority: 1000, preemptionPolicy: "Never" });
    const plain = await callJson<Pod>(PODS, { method: "POST", body: pod("p-plain") });
    expect(plain.body.spec).toMatchObject({ priority: 0, preemptionPolicy: "PreemptLowerPriority" });
    expect(plain.body.spec.priorityClassName).toBeUndefined();

    const unknown = await callJson<Status>(PODS, { method: "POST", body: pod("p-unknown", { priorityClassName: "nope" }) });
    expect(unknown.status).toBe(403);
    expect(unknown.body).toMatchObject({ reason: "Forbidden", message: `pods "p-unknown" is forbidden: no PriorityClass with name nope was found` });
    const mismatch = await callJson<Status>(PODS, { method: "POST", body: pod("p-mismatch", { priorityClassName: "high", priority: 7 }) });
    expect(mismatch.body.message).toBe(
      `pods "p-mismatch" is forbidden: the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name`,
    );
    const policy = await callJson<Status>(PODS, { method: "POST", body: pod("p-policy", { priorityClassName: "high", preemptionPolicy: "PreemptLowerPriority" }) });
    expect(policy.body.message).toBe(
      `pods "p-policy" is forbidden: the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; priority admission controller computed Never from the given PriorityClass name`,
    );
    for (const name of ["p-unknown", "p-mismatch", "p-policy"]) expect((await callJson(`${PODS}/${name}`)).status).toBe(404);

    // A PUT that leaves priority out keeps it, as admission set it at creation. The pod's
    // kubelet writes its status meanwhile, so the read and the PUT are retried on a
    // conflict, as client-go's RetryOnConflict does.
    let put: { status: number; body: Pod } = { status: 0, body: {} as Pod };
    for (let attempt = 0; attempt < 5; attempt++) {
      const { body: stored } = await callJson<Pod & { metadata: { resourceVersion: string } }>(`${PODS}/p-high`);
      const { priority: _p, preemptionPolicy: _pp, ...spec } = stored.spec;
      put = await callJson<Pod>(`${PODS}/p-high`, { method: "PUT", body: { ...stored, metadata: { ...stored.metadata, labels: { x: "y" } }, spec } });
      if (put.status !== 409) break;
    }
    expect(put.status).toBe(200);
    expect(put.body.spec).toMatchObject({ priority: 1000, preemptionPolicy: "Never" });
  });

  it("gives pods without a class the one globalDefault class; a second default is refused", async () => {
    expect((await callJson(PCS, { method: "POST", body: pc("cluster-default", 50, { globalDefault: true }) })).status).toBe(201);
    const second = await callJson<Status>(PCS, { method: "POST", body: pc("another-default", 60, { globalDefault: true }) });
    expect(second.status).toBe(403);
    expect(second.body.message).toBe(`priorityclasses.scheduling.k8s.io "another-default" is forbidden: PriorityClass cluster-default is already marked as default. Only one default can exist`);
    const marked = await callJson<Status>(`${PCS}/fixed`, { method: "PATCH", contentType: "application/merge-patch+json", body: { globalDefault: true } });
    expect(marked.status).toBe(403);
    const defaulted = await callJson<Pod>(PODS, { method: "POST", body: pod("p-defaulted") });
    expect(defaulted.body.spec).toMatchObject({ priorityClassName: "cluster-default", priority: 50 });
    expect((await callJson(`${PCS}/cluster-default`, { method: "DELETE" })).status).toBe(200);
    const after = await callJson<Pod>(PODS, { method: "POST", body: pod("p-after") });
    expect(after.body.spec.priority).toBe(0);
  });
});
