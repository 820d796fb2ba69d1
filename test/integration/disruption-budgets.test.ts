// PodDisruptionBudgets inside workerd: the disruption controller keeps a budget's
// status true to its pods and their Deployment's scale, and the eviction subresource
// spends the budget in the same commit as the pod's deletion. Pods are left unbound
// (a nodeSelector no node has) and the tests play kubelet through /status; pods that
// must stay visible after their eviction carry a finalizer.
import { describe, it, expect } from "vitest";
import { call, callJson, waitFor } from "./helpers";
import { settleControllers } from "./controller-helpers";
import type { Pod, PodDisruptionBudget, Status } from "../../src/model/types";

const PDBS = (ns: string) => `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`;
const PODS = (ns: string) => `/api/v1/namespaces/${ns}/pods`;
const HOLD = "edgekube.test/hold";

async function namespace(name: string): Promise<void> {
  expect((await callJson("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name } } })).status).toBe(201);
}

const nowIso = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

/** Play kubelet: Running, and Ready or not. */
async function markRunning(ns: string, pod: string, ready = true): Promise<void> {
  const res = await callJson(`${PODS(ns)}/${pod}/status`, {
    method: "PATCH",
    contentType: "application/strategic-merge-patch+json",
    body: { status: { phase: "Running", conditions: [{ type: "Ready", status: ready ? "True" : "False", lastTransitionTime: nowIso() }] } },
  });
  if (res.status !== 404) expect(res.status).toBe(200);
}

async function barePod(ns: string, name: string, app: string, ready = true, nodeName?: string): Promise<void> {
  // Bound to a node no kubelet runs, a pod is deleted gracefully and stays until then.
  const placement = nodeName ? { nodeName } : { nodeSelector: { "edgekube.test/unschedulable": "yes" } };
  const body = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app }, finalizers: [HOLD] },
    spec: { ...placement, containers: [{ name: "app", image: "nginx:1.27" }] },
  };
  expect((await callJson(PODS(ns), { method: "POST", body })).status).toBe(201);
  await markRunning(ns, name, ready);
}

async function createBudget(ns: string, name: string, spec: Record<string, unknown>): Promise<PodDisruptionBudget> {
  const res = await callJson<PodDisruptionBudget>(PDBS(ns), { method: "POST", body: { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name }, spec } });
  expect(res.status).toBe(201);
  return res.body;
}

const budget = async (ns: string, name: string) => (await callJson<PodDisruptionBudget>(`${PDBS(ns)}/${name}`)).body;
const getPod = (ns: string, name: string) => callJson<Pod>(`${PODS(ns)}/${name}`);
const listPods = async (ns: string, app: string) => (await callJson<{ items: Pod[] }>(`${PODS(ns)}?labelSelector=app%3D${app}`)).body.items;

function evict(ns: string, pod: string, deleteOptions?: Record<string, unknown>) {
  return callJson<Status>(`${PODS(ns)}/${pod}/eviction`, { method: "POST", body: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: pod, namespace: ns }, ...(deleteOptions ? { deleteOptions } : {}) } });
}

/** Wait until the controller's status says `want`. */
function budgetReaches(ns: string, name: string, want: Partial<NonNullable<PodDisruptionBudget["status"]>>): Promise<PodDisruptionBudget> {
  return waitFor(async () => {
    const b = await budget(ns, name);
    const s = b.status as unknown as Record<string, unknown> | undefined;
    return s && Object.entries(want).every(([k, v]) => s[k] === v) && b;
  }, `${ns}/${name} status ${JSON.stringify(want)}`);
}

describe("the disruption controller", () => {
  it("counts the pods against the Deployment's scale, and follows a scale-up", { timeout: 120_000 }, async () => {
    const ns = "pdb-status";
    await namespace(ns);
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { nodeSelector: { "edgekube.test/unschedulable": "yes" }, containers: [{ name: "web", image: "nginx:1.27" }] } },
      },
    };
    expect((await callJson(`/apis/apps/v1/namespaces/${ns}/deployments`, { method: "POST", body: deployment })).status).toBe(201);
    const created = await createBudget(ns, "web-pdb", { maxUnavailable: 1, selector: { matchLabels: { app: "web" } } });
    // The server starts the status empty, whatever was sent.
    expect(created.status).toEqual({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
    expect(created.metadata.generation).toBe(1);

    // Three pods, none Ready yet: two must stay healthy, none may go.
    let b = await budgetReaches(ns, "web-pdb", { expectedPods: 3, desiredHealthy: 2, currentHealthy: 0, disruptionsAllowed: 0, observedGeneration: 1 });
    expect(b.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([["DisruptionAllowed", "False", "InsufficientPods"]]);

    await waitFor(async () => (await listPods(ns, "web")).length === 3, "three pods");
    for (const p of await listPods(ns, "web")) await markRunning(ns, p.metadata.name!);
    b = await budgetReaches(ns, "web-pdb", { currentHealthy: 3, disruptionsAllowed: 1 });
    expect(b.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([["DisruptionAllowed", "True", "SufficientPods"]]);

    // Scaled to 5: the budget counts the Deployment's 5, so 4 must be healthy and 2 new pods are not yet.
    const scaled = await callJson(`/apis/apps/v1/namespaces/${ns}/deployments/web/scale`, { method: "PATCH", contentType: "application/merge-patch+json", body: { spec: { replicas: 5 } } });
    expect(scaled.status).toBe(200);
    await budgetReaches(ns, "web-pdb", { expectedPods: 5, desiredHealthy: 4, currentHealthy: 3, disruptionsAllowed: 0 });
    await waitFor(async () => (await listPods(ns, "web")).length === 5, "five pods");
    for (const p of await listPods(ns, "web")) await markRunning(ns, p.metadata.name!);
    await budgetReaches(ns, "web-pdb", { expectedPods: 5, currentHealthy: 5, disruptionsAllowed: 1 });

    // A spec change moves the generation; the controller catches up.
    const patched = await callJson<PodDisruptionBudget>(`${PDBS(ns)}/web-pdb`, { method: "PATCH", contentType: "application/merge-patch+json", body: { spec: { maxUnavailable: 2 } } });
    expect(patched.body.metadata.generation).toBe(2);
    await budgetReaches(ns, "web-pdb", { observedGeneration: 2, desiredHealthy: 3, disruptionsAllowed: 2 });
  });

  it("counts a ReplicationController's and a StatefulSet's replicas; a Job's pods fail safe", { timeout: 60_000 }, async () => {
    const ns = "pdb-finders";
    await namespace(ns);
    const template = (app: string) => ({ metadata: { labels: { app } }, spec: { nodeSelector: { "edgekube.test/unschedulable": "yes" }, containers: [{ name: "c", image: "nginx:1.27" }] } });
    const rc = { apiVersion: "v1", kind: "ReplicationController", metadata: { name: "rc" }, spec: { replicas: 2, selector: { app: "rc" }, template: template("rc") } };
    expect((await callJson(`/api/v1/namespaces/${ns}/replicationcontrollers`, { method: "POST", body: rc })).status).toBe(201);
    await createBudget(ns, "rc-pdb", { maxUnavailable: "50%", selector: { matchLabels: { app: "rc" } } });
    await budgetReaches(ns, "rc-pdb", { expectedPods: 2, desiredHealthy: 1 });

    // OrderedReady: only web-0 exists until it is Ready, but the budget counts the 3 wanted.
    const sts = { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "web" }, spec: { replicas: 3, serviceName: "web", selector: { matchLabels: { app: "sts" } }, template: template("sts") } };
    expect((await callJson(`/apis/apps/v1/namespaces/${ns}/statefulsets`, { method: "POST", body: sts })).status).toBe(201);
    await createBudget(ns, "sts-pdb", { maxUnavailable: 1, selector: { matchLabels: { app: "sts" } } });
    await budgetReaches(ns, "sts-pdb", { expectedPods: 3, desiredHealthy: 2, disruptionsAllowed: 0 });

    // A Job's pods under a percentage-free maxUnavailable: a Job has no scale, the counts cannot be made.
    const job = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "batch" }, spec: { template: { ...template("job"), spec: { ...template("job").spec, restartPolicy: "Never" } } } };
    expect((await callJson(`/apis/batch/v1/namespaces/${ns}/jobs`, { method: "POST", body: job })).status).toBe(201);
    await createBudget(ns, "job-pdb", { maxUnavailable: 1, selector: { matchLabels: { app: "job" } } });
    const failed = await waitFor(async () => {
      const b = await budget(ns, "job-pdb");
      return b.status?.conditions?.some((c) => c.reason === "SyncFailed") && b;
    }, "job-pdb SyncFailed");
    expect(failed.status?.disruptionsAllowed).toBe(0);
    expect(failed.status?.conditions).toMatchObject([{ type: "DisruptionAllowed", status: "False", reason: "SyncFailed", message: "jobs.batch does not implement the scale subresource" }]);
    // Said once: the controllers come to rest and the budget is not rewritten.
    await settleControllers();
    expect((await budget(ns, "job-pdb")).metadata.resourceVersion).toBe(failed.metadata.resourceVersion);
  });
});

describe("the eviction subresource", () => {
  it("refuses with 429 when the budget is spent and leaves the pod untouched; an allowed eviction marks the pod and spends the budget", { timeout: 60_000 }, async () => {
    const ns = "pdb-evict";
    await namespace(ns);
    for (const name of ["a", "b", "c"]) await barePod(ns, name, "zk");
    await createBudget(ns, "zk-pdb", { minAvailable: 2, selector: { matchLabels: { app: "zk" } } });
    await budgetReaches(ns, "zk-pdb", { expectedPods: 3, currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1 });

    const ok = await evict(ns, "a");
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ kind: "Status", status: "Success" });
    const a = (await getPod(ns, "a")).body;
    expect(a.metadata.deletionTimestamp).toBeTruthy();
    expect(a.status?.conditions?.find((c) => c.type === "DisruptionTarget")).toMatchObject({ status: "True", reason: "EvictionByEvictionAPI", message: "Eviction API: evicting" });
    // Spent in the same write: the very next eviction is refused without waiting for the controller.
    const before = (await getPod(ns, "b")).body;
    const refused = await evict(ns, "b");
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ kind: "Status", apiVersion: "v1", status: "Failure", message: "Cannot evict pod as it would violate the pod's disruption budget.", reason: "TooManyRequests", code: 429 });
    // 3 as the eviction left it, 2 once the controller has seen pod a terminating.
    expect(refused.body.details?.causes).toEqual([{ reason: "DisruptionBudget", message: expect.stringMatching(/^The disruption budget zk-pdb needs 2 healthy pods and has [23] currently$/) }]);
    const after = (await getPod(ns, "b")).body;
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.metadata.deletionTimestamp).toBeUndefined();

    // The controller drops the terminating pod from the healthy count and from disruptedPods.
    const settled = await budgetReaches(ns, "zk-pdb", { currentHealthy: 2, disruptionsAllowed: 0 });
    expect(settled.status?.disruptedPods).toBeUndefined();
    // A pod already terminating may be evicted again, budget or not.
    expect((await evict(ns, "a")).status).toBe(201);
  });

  it("never lets two concurrent evictions spend a budget of one", { timeout: 60_000 }, async () => {
    const ns = "pdb-race";
    await namespace(ns);
    const names = ["r1", "r2", "r3", "r4"];
    for (const name of names) await barePod(ns, name, "race");
    await createBudget(ns, "race-pdb", { minAvailable: 3, selector: { matchLabels: { app: "race" } } });
    await budgetReaches(ns, "race-pdb", { currentHealthy: 4, disruptionsAllowed: 1 });

    const results = await Promise.all(names.map((n) => evict(ns, n)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 429, 429, 429]);
    const terminating = (await listPods(ns, "race")).filter((p) => p.metadata.deletionTimestamp).map((p) => p.metadata.name);
    expect(terminating).toEqual([names[results.findIndex((r) => r.status === 201)]]);
  });

  it("honours the Eviction's DeleteOptions: a uid precondition, dry run, the grace period", async () => {
    const ns = "pdb-options";
    await namespace(ns);
    await barePod(ns, "p", "opts");
    const pod = (await getPod(ns, "p")).body;
    const stale = await evict(ns, "p", { preconditions: { uid: "not-the-uid" } });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toBe(`Operation cannot be fulfilled on pods "p": Precondition failed: UID in precondition: not-the-uid, UID in object meta: ${pod.metadata.uid}`);
    expect((await evict(ns, "p", { dryRun: ["All"] })).status).toBe(201);
    expect((await getPod(ns, "p")).body.metadata.resourceVersion).toBe(pod.metadata.resourceVersion);
    expect((await evict(ns, "p", { preconditions: { uid: pod.metadata.uid } })).status).toBe(201);
    expect((await getPod(ns, "p")).body.metadata.deletionTimestamp).toBeTruthy();

    await barePod(ns, "bound", "opts", true, "pdb-ghost-node");
    expect((await evict(ns, "bound", { gracePeriodSeconds: 7 })).status).toBe(201);
    const bound = (await getPod(ns, "bound")).body;
    expect(bound.metadata.deletionGracePeriodSeconds).toBe(7);
    expect(bound.status?.conditions?.filter((c) => c.type === "DisruptionTarget")).toHaveLength(1);
    expect((await evict(ns, "bound", { gracePeriodSeconds: -1 })).status).toBe(400);
  });

  it("answers 500 for a pod under two budgets; lets an unready pod go under AlwaysAllow", { timeout: 60_000 }, async () => {
    const ns = "pdb-policies";
    await namespace(ns);
    await barePod(ns, "twice", "two");
    await createBudget(ns, "one", { minAvailable: 0, selector: { matchLabels: { app: "two" } } });
    await createBudget(ns, "two", { maxUnavailable: 1, selector: { matchExpressions: [{ key: "app", operator: "Exists" }] } });
    const multi = await evict(ns, "twice");
    expect(multi.status).toBe(500);
    expect(multi.body).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.", code: 500 });
    expect((await getPod(ns, "twice")).body.metadata.deletionTimestamp).toBeUndefined();

    const ns2 = "pdb-unhealthy";
    await namespace(ns2);
    await barePod(ns2, "well", "u");
    await barePod(ns2, "sick", "u", false);
    await createBudget(ns2, "strict", { minAvailable: 2, selector: { matchLabels: { app: "u" } } });
    await budgetReaches(ns2, "strict", { currentHealthy: 1, desiredHealthy: 2, disruptionsAllowed: 0 });
    // IfHealthyBudget (the default): below its budget, even the unready pod stays.
    expect((await evict(ns2, "sick")).status).toBe(429);
    const patched = await call(`${PDBS(ns2)}/strict`, { method: "PATCH", contentType: "application/merge-patch+json", body: { spec: { unhealthyPodEvictionPolicy: "AlwaysAllow" } } });
    expect(patched.status).toBe(200);
    await budgetReaches(ns2, "strict", { observedGeneration: 2 });
    expect((await evict(ns2, "sick")).status).toBe(201);
    expect((await evict(ns2, "well")).status).toBe(429);
    await settleControllers();
  });

  it("refuses an invalid budget with the API server's 422", async () => {
    const res = await callJson<Status>(PDBS("default"), { method: "POST", body: { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "both" }, spec: { minAvailable: 1, maxUnavailable: "10%", selector: { matchLabels: { app: "x" } } } } });
    expect(res.status).toBe(422);
    expect(res.body.message).toMatch(/^PodDisruptionBudget\.policy "both" is invalid: spec: Invalid value: .*: minAvailable and maxUnavailable cannot be both set$/);
    expect((await call(`${PDBS("default")}/both`)).status).toBe(404);
  });
});
