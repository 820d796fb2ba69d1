// Jobs end to end inside workerd: the API worker pokes the ControllerManager, whose Job
// controller creates pods, counts them as they finish and sets the conditions. Pods
// carry a nodeSelector no node has, so nothing schedules them; the tests play kubelet
// by writing Succeeded or Failed through the /status subresource.
import { describe, it, expect } from "vitest";
import { callJson, waitFor } from "./helpers";
import { settleControllers } from "./controller-helpers";
import type { Event, Job, Pod } from "../../src/model/types";

const BATCH = "/apis/batch/v1/namespaces";

async function namespace(name: string): Promise<void> {
  const res = await callJson("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name } } });
  expect(res.status).toBe(201);
}

function job(name: string, spec: Record<string, unknown> = {}, podSpec: Record<string, unknown> = {}) {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name },
    spec: {
      template: { spec: { restartPolicy: "Never", nodeSelector: { "edgekube.test/unschedulable": "yes" }, containers: [{ name: "work", image: "busybox", command: ["echo", "hi"] }], ...podSpec } },
      ...spec,
    },
  };
}

const getJob = async (ns: string, name: string) => (await callJson<Job>(`${BATCH}/${ns}/jobs/${name}`)).body;
const jobPods = async (ns: string, name: string) =>
  (await callJson<{ items: Pod[] }>(`/api/v1/namespaces/${ns}/pods?labelSelector=batch.kubernetes.io%2Fjob-name%3D${name}`)).body.items;
const events = async (ns: string, name: string) => (await callJson<{ items: Event[] }>(`/api/v1/namespaces/${ns}/events?fieldSelector=involvedObject.name%3D${name}`)).body.items;
const reasons = (evs: Event[]) => evs.map((e) => e.reason).sort();
const condition = (j: Job, type: string) => j.status?.conditions?.find((c) => c.type === type);

/** Play kubelet: the pod ran to `phase`. */
async function finish(ns: string, pod: string, phase: "Succeeded" | "Failed"): Promise<void> {
  const exitCode = phase === "Succeeded" ? 0 : 1;
  const at = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const res = await callJson(`/api/v1/namespaces/${ns}/pods/${pod}/status`, {
    method: "PATCH",
    contentType: "application/merge-patch+json",
    body: { status: { phase, containerStatuses: [{ name: "work", ready: false, restartCount: 0, image: "busybox", imageID: "", state: { terminated: { exitCode, reason: exitCode ? "Error" : "Completed", finishedAt: at } } }] } },
  });
  expect(res.status).toBe(200);
}

const running = (pods: Pod[]) => pods.filter((p) => !p.status?.phase || p.status.phase === "Pending" || p.status.phase === "Running");

describe("job controller", () => {
  it("defaults the selector and labels from the Job's uid, and refuses restartPolicy Always", async () => {
    await namespace("job-defaults");
    const res = await callJson<Job>(`${BATCH}/job-defaults/jobs`, { method: "POST", body: job("pi") });
    expect(res.status).toBe(201);
    const j = res.body;
    const uid = j.metadata.uid!;
    expect(j.spec.selector).toEqual({ matchLabels: { "batch.kubernetes.io/controller-uid": uid } });
    expect(j.spec.template.metadata?.labels).toEqual({ "batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": "pi", "controller-uid": uid, "job-name": "pi" });
    expect(j.metadata.labels).toEqual(j.spec.template.metadata?.labels);
    expect(j.spec).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 6, completionMode: "NonIndexed", suspend: false, podReplacementPolicy: "TerminatingOrFailed" });

    const bad = await callJson<{ message: string; reason: string }>(`${BATCH}/job-defaults/jobs`, { method: "POST", body: job("always", {}, { restartPolicy: "Always" }) });
    expect(bad.status).toBe(422);
    expect(bad.body.reason).toBe("Invalid");
    expect(bad.body.message).toBe('Job.batch "always" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"');
    expect((await callJson(`${BATCH}/job-defaults/jobs/always`)).status).toBe(404);

    // The template of a Job never changes.
    const put = await callJson(`${BATCH}/job-defaults/jobs/pi`, { method: "PUT", body: { ...j, spec: { ...j.spec, template: { ...j.spec.template, spec: { ...j.spec.template.spec, containers: [{ name: "work", image: "busybox:1.36" }] } } } } });
    expect(put.status).toBe(422);
  });

  it("runs completions pods parallelism at a time, counts them once and completes", { timeout: 120_000 }, async () => {
    await namespace("job-complete");
    expect((await callJson(`${BATCH}/job-complete/jobs`, { method: "POST", body: job("twice", { completions: 3, parallelism: 2 }) })).status).toBe(201);
    const firstTwo = await waitFor(async () => {
      const pods = await jobPods("job-complete", "twice");
      return pods.length === 2 && pods;
    }, "two pods");
    await settleControllers();
    expect(await jobPods("job-complete", "twice")).toHaveLength(2);
    for (const p of firstTwo) {
      expect(p.metadata.finalizers).toEqual(["batch.kubernetes.io/job-tracking"]);
      expect(p.metadata.ownerReferences?.[0]).toMatchObject({ kind: "Job", name: "twice", controller: true, blockOwnerDeletion: true });
      expect(p.metadata.generateName).toBe("twice-");
    }
    expect(await getJob("job-complete", "twice")).toMatchObject({ status: { active: 2, ready: 0, terminating: 0 } });

    await finish("job-complete", firstTwo[0].metadata.name!, "Succeeded");
    // One more pod for the last completion; the other still runs.
    const third = await waitFor(async () => {
      const pods = await jobPods("job-complete", "twice");
      return pods.length === 3 && pods.find((p) => !firstTwo.some((f) => f.metadata.uid === p.metadata.uid));
    }, "the third pod");
    await finish("job-complete", firstTwo[1].metadata.name!, "Succeeded");
    await finish("job-complete", third.metadata.name!, "Succeeded");
    const done = await waitFor(async () => {
      const j = await getJob("job-complete", "twice");
      return condition(j, "Complete")?.status === "True" && j;
    }, "the Complete condition");
    await settleControllers();
    const final = await getJob("job-complete", "twice");
    expect(final.status).toMatchObject({ succeeded: 3, ready: 0, terminating: 0, uncountedTerminatedPods: {} });
    expect(final.status?.active).toBeUndefined();
    expect(final.status?.failed).toBeUndefined();
    expect(final.status?.completionTime).toBeDefined();
    expect(condition(done, "SuccessCriteriaMet")).toMatchObject({ status: "True", reason: "CompletionsReached", message: "Reached expected number of succeeded pods" });
    expect(condition(done, "Complete")).toMatchObject({ status: "True", reason: "CompletionsReached", message: "Reached expected number of succeeded pods" });
    for (const p of await jobPods("job-complete", "twice")) expect(p.metadata.finalizers).toBeUndefined();
    expect(reasons(await events("job-complete", "twice"))).toEqual(["Completed", "SuccessfulCreate", "SuccessfulCreate", "SuccessfulCreate"]);
  });

  it("replaces failed pods after a back-off and fails with BackoffLimitExceeded past backoffLimit", { timeout: 120_000 }, async () => {
    await namespace("job-fail");
    expect((await callJson(`${BATCH}/job-fail/jobs`, { method: "POST", body: job("flaky", { backoffLimit: 2 }) })).status).toBe(201);
    const failedNames = new Set<string>();
    for (let attempt = 0; attempt < 3; attempt++) {
      const pod = await waitFor(async () => running(await jobPods("job-fail", "flaky"))[0], `attempt ${attempt + 1}`);
      expect(running(await jobPods("job-fail", "flaky"))).toHaveLength(1);
      await finish("job-fail", pod.metadata.name!, "Failed");
      failedNames.add(pod.metadata.name!);
    }
    const failed = await waitFor(async () => {
      const j = await getJob("job-fail", "flaky");
      return condition(j, "Failed")?.status === "True" && j;
    }, "the Failed condition");
    await settleControllers();
    expect(failedNames.size).toBe(3);
    expect(await jobPods("job-fail", "flaky")).toHaveLength(3);
    expect(condition(failed, "FailureTarget")).toMatchObject({ status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" });
    expect(condition(failed, "Failed")).toMatchObject({ status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" });
    const final = await getJob("job-fail", "flaky");
    expect(final.status).toMatchObject({ failed: 3 });
    expect(final.status?.succeeded).toBeUndefined();
    expect(final.status?.completionTime).toBeUndefined();
    const evs = await events("job-fail", "flaky");
    expect(reasons(evs)).toEqual(["BackoffLimitExceeded", "SuccessfulCreate", "SuccessfulCreate", "SuccessfulCreate"]);
    expect(evs.find((e) => e.reason === "BackoffLimitExceeded")).toMatchObject({ type: "Warning", message: "Job has reached the specified backoff limit" });
  });

  it("gives Indexed pods their index, hostname and JOB_COMPLETION_INDEX, and records completed indexes", { timeout: 120_000 }, async () => {
    await namespace("job-indexed");
    expect((await callJson(`${BATCH}/job-indexed/jobs`, { method: "POST", body: job("idx", { completions: 3, parallelism: 3, completionMode: "Indexed" }) })).status).toBe(201);
    const pods = await waitFor(async () => {
      const l = await jobPods("job-indexed", "idx");
      return l.length === 3 && l;
    }, "three indexed pods");
    const byIndex = new Map(pods.map((p) => [p.metadata.annotations?.["batch.kubernetes.io/job-completion-index"], p]));
    expect([...byIndex.keys()].sort()).toEqual(["0", "1", "2"]);
    for (const [i, p] of byIndex) {
      expect(p.metadata.labels?.["batch.kubernetes.io/job-completion-index"]).toBe(i);
      expect(p.spec.hostname).toBe(`idx-${i}`);
      expect(p.metadata.name?.startsWith(`idx-${i}-`)).toBe(true);
      expect(p.spec.containers[0].env).toContainEqual({ name: "JOB_COMPLETION_INDEX", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } });
    }
    await finish("job-indexed", byIndex.get("2")!.metadata.name!, "Succeeded");
    await finish("job-indexed", byIndex.get("0")!.metadata.name!, "Succeeded");
    await waitFor(async () => (await getJob("job-indexed", "idx")).status?.completedIndexes === "0,2", "indexes 0 and 2 completed");
    // A failed index is run again with the same index.
    await finish("job-indexed", byIndex.get("1")!.metadata.name!, "Failed");
    const again = await waitFor(async () => running(await jobPods("job-indexed", "idx"))[0], "index 1 again");
    expect(again.metadata.annotations?.["batch.kubernetes.io/job-completion-index"]).toBe("1");
    await finish("job-indexed", again.metadata.name!, "Succeeded");
    const done = await waitFor(async () => {
      const j = await getJob("job-indexed", "idx");
      return condition(j, "Complete")?.status === "True" && j;
    }, "the Complete condition");
    expect(done.status).toMatchObject({ succeeded: 3, failed: 1, completedIndexes: "0-2" });
  });

  it("fails a Job past activeDeadlineSeconds with DeadlineExceeded, deleting its pods", { timeout: 120_000 }, async () => {
    await namespace("job-deadline");
    expect((await callJson(`${BATCH}/job-deadline/jobs`, { method: "POST", body: job("slow", { activeDeadlineSeconds: 1 }) })).status).toBe(201);
    const failed = await waitFor(async () => {
      const j = await getJob("job-deadline", "slow");
      return condition(j, "Failed")?.status === "True" && j;
    }, "the Failed condition");
    expect(condition(failed, "Failed")).toMatchObject({ reason: "DeadlineExceeded", message: "Job was active longer than specified deadline" });
    // Its pod was unbound: deleting it was immediate once the finalizer went.
    await waitFor(async () => (await jobPods("job-deadline", "slow")).length === 0, "the pod gone");
  });

  it("suspends and resumes, and deletes a finished Job after ttlSecondsAfterFinished with its pods", { timeout: 120_000 }, async () => {
    await namespace("job-ttl");
    expect((await callJson(`${BATCH}/job-ttl/jobs`, { method: "POST", body: job("short", { suspend: true, ttlSecondsAfterFinished: 1 }) })).status).toBe(201);
    const suspended = await waitFor(async () => {
      const j = await getJob("job-ttl", "short");
      return condition(j, "Suspended")?.status === "True" && j;
    }, "the Suspended condition");
    expect(condition(suspended, "Suspended")).toMatchObject({ reason: "JobSuspended", message: "Job suspended" });
    await settleControllers();
    expect(await jobPods("job-ttl", "short")).toHaveLength(0);
    const res = await callJson(`${BATCH}/job-ttl/jobs/short`, { method: "PATCH", contentType: "application/merge-patch+json", body: { spec: { suspend: false } } });
    expect(res.status).toBe(200);
    const pod = await waitFor(async () => (await jobPods("job-ttl", "short"))[0], "a pod once resumed");
    expect(condition(await getJob("job-ttl", "short"), "Suspended")).toMatchObject({ status: "False", reason: "JobResumed", message: "Job resumed" });
    await finish("job-ttl", pod.metadata.name!, "Succeeded");
    await waitFor(async () => (await callJson(`${BATCH}/job-ttl/jobs/short`)).status === 404, "the Job deleted after its TTL");
    await waitFor(async () => (await jobPods("job-ttl", "short")).length === 0, "its pod deleted");
  });
});
