// The Job planner as (Job, pods, now) -> actions, table-driven: what it creates and
// deletes, which finished pods it counts (and untracks), the conditions and events,
// and when it wants to look again.
import { describe, it, expect } from "vitest";
import { planJob, formatIndexes, parseIndexes, TRACKING_FINALIZER, COMPLETION_INDEX, type JobPlan } from "../../src/controllers/job-plan";
import type { Condition, Job, JobSpec, JobStatus, Pod } from "../../src/model/types";

const T0 = Date.parse("2026-06-01T12:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
const BACKOFF = { baseMs: 10_000, maxMs: 360_000 };

function job(spec: Partial<JobSpec> = {}, status: JobStatus = {}): Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "pi", namespace: "default", uid: "job-uid", creationTimestamp: iso(T0) },
    spec: { parallelism: 1, completions: 1, backoffLimit: 6, completionMode: "NonIndexed", template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] } }, ...spec },
    status,
  };
}

interface PodOpts {
  phase?: "Pending" | "Running" | "Succeeded" | "Failed";
  tracked?: boolean;
  deleting?: boolean;
  index?: number;
  finishedAt?: number;
  created?: number;
  restarts?: number;
  ready?: boolean;
}

let seq = 0;
function pod(o: PodOpts = {}): Pod {
  const n = seq++;
  const finished = o.phase === "Succeeded" || o.phase === "Failed";
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `pi-${n}`,
      uid: `pod-${n}`,
      namespace: "default",
      resourceVersion: "1",
      creationTimestamp: iso(o.created ?? T0),
      ...(o.tracked === false ? {} : { finalizers: [TRACKING_FINALIZER] }),
      ...(o.deleting ? { deletionTimestamp: iso(T0) } : {}),
      ...(o.index !== undefined ? { annotations: { [COMPLETION_INDEX]: String(o.index) } } : {}),
    },
    spec: { containers: [{ name: "c" }] },
    status: {
      phase: o.phase ?? "Running",
      ...(o.ready ? { conditions: [{ type: "Ready", status: "True" }] } : {}),
      containerStatuses: [
        {
          name: "c",
          ready: false,
          restartCount: o.restarts ?? 0,
          image: "busybox",
          imageID: "",
          state: finished ? { terminated: { exitCode: o.phase === "Failed" ? 1 : 0, finishedAt: iso(o.finishedAt ?? T0) } } : { running: {} },
        },
      ],
    },
  };
}

const cond = (type: string, reason: string, message: string, status: "True" | "False" = "True"): Condition => ({ type, status, reason, message, lastProbeTime: iso(T0), lastTransitionTime: iso(T0) });
const types = (p: JobPlan) => (p.status.conditions ?? []).filter((c) => c.status === "True").map((c) => c.type);
const reasons = (p: JobPlan) => p.events.map((e) => e.reason);

interface Case {
  name: string;
  job: Job;
  pods: Pod[];
  now?: number;
  expect: {
    create?: number;
    indexes?: number[];
    remove?: number;
    untrack?: number;
    conditions?: string[];
    events?: string[];
    status?: Partial<JobStatus>;
    requeueAfterMs?: number;
  };
}

const CASES: Case[] = [
  { name: "a new Job starts one pod and its clock", job: job(), pods: [], expect: { create: 1, conditions: [], events: [], status: { active: 1, startTime: iso(T0) } } },
  { name: "parallelism 3 of 5 completions starts 3", job: job({ parallelism: 3, completions: 5 }), pods: [], expect: { create: 3 } },
  { name: "the last 2 of 5 completions start only 2", job: job({ parallelism: 3, completions: 5 }, { succeeded: 3, startTime: iso(T0) }), pods: [], expect: { create: 2 } },
  { name: "a running pod is enough", job: job(), pods: [pod()], expect: { create: 0, remove: 0, status: { active: 1 } } },
  {
    name: "a succeeded pod is counted once, untracked, and the Job reaches SuccessCriteriaMet then Complete",
    job: job({}, { startTime: iso(T0) }),
    pods: [pod({ phase: "Succeeded" })],
    now: T0 + 5_000,
    expect: { create: 0, untrack: 1, conditions: ["SuccessCriteriaMet", "Complete"], events: ["Completed"], status: { succeeded: 1, completionTime: iso(T0 + 5_000) } },
  },
  {
    name: "an untracked succeeded pod is not counted again",
    job: job({ completions: 2 }, { succeeded: 1, startTime: iso(T0) }),
    pods: [pod({ phase: "Succeeded", tracked: false })],
    expect: { create: 1, untrack: 0, status: { succeeded: 1, active: 1 } },
  },
  {
    name: "a failed pod is replaced only after the back-off",
    job: job({}, { startTime: iso(T0) }),
    pods: [pod({ phase: "Failed", finishedAt: T0 })],
    now: T0 + 4_000,
    expect: { create: 0, untrack: 1, status: { failed: 1 }, requeueAfterMs: 6_100 },
  },
  {
    name: "the back-off doubles with consecutive failures",
    job: job({}, { startTime: iso(T0), failed: 2 }),
    pods: [pod({ phase: "Failed", finishedAt: T0, tracked: false }), pod({ phase: "Failed", finishedAt: T0 + 1_000, tracked: false }), pod({ phase: "Failed", finishedAt: T0 + 2_000 })],
    now: T0 + 3_000,
    expect: { create: 0, status: { failed: 3 }, requeueAfterMs: 39_100 },
  },
  {
    name: "after the back-off a failed pod is replaced",
    job: job({}, { startTime: iso(T0), failed: 1 }),
    pods: [pod({ phase: "Failed", finishedAt: T0, tracked: false })],
    now: T0 + 10_000,
    expect: { create: 1, status: { failed: 1, active: 1 } },
  },
  {
    name: "failures past backoffLimit: FailureTarget, then Failed once nothing runs",
    job: job({ backoffLimit: 1 }, { startTime: iso(T0), failed: 1 }),
    pods: [pod({ phase: "Failed", tracked: false }), pod({ phase: "Failed" })],
    expect: { create: 0, untrack: 1, conditions: ["FailureTarget", "Failed"], events: ["BackoffLimitExceeded"], status: { failed: 2 } },
  },
  {
    name: "past backoffLimit with a pod still running: it is deleted and Failed waits",
    job: job({ backoffLimit: 0, parallelism: 2, completions: 2 }, { startTime: iso(T0) }),
    pods: [pod({ phase: "Failed" }), pod()],
    expect: { create: 0, remove: 1, conditions: ["FailureTarget"], events: [], status: { failed: 1, terminating: 1 } },
  },
  {
    name: "OnFailure: container restarts count against backoffLimit",
    job: job({ backoffLimit: 2, template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "c" }] } } }, { startTime: iso(T0) }),
    pods: [pod({ restarts: 2 })],
    expect: { remove: 1, conditions: ["FailureTarget"] },
  },
  {
    name: "past activeDeadlineSeconds: DeadlineExceeded, its pod deleted",
    job: job({ activeDeadlineSeconds: 30 }, { startTime: iso(T0) }),
    pods: [pod()],
    now: T0 + 30_000,
    expect: { remove: 1, conditions: ["FailureTarget"] },
  },
  {
    name: "before activeDeadlineSeconds: look again when it passes",
    job: job({ activeDeadlineSeconds: 30 }, { startTime: iso(T0) }),
    pods: [pod()],
    now: T0 + 10_000,
    expect: { remove: 0, conditions: [], requeueAfterMs: 20_100 },
  },
  {
    name: "a deleted running pod counts as failed and is replaced",
    job: job({ backoffLimit: 6 }, { startTime: iso(T0) }),
    pods: [pod({ deleting: true })],
    now: T0 + 60_000,
    expect: { untrack: 1, create: 1, status: { failed: 1, terminating: 1 } },
  },
  {
    name: "suspended: its pods go, Suspended is set, the clock is reset",
    job: job({ suspend: true }, { startTime: iso(T0) }),
    pods: [pod()],
    expect: { create: 0, remove: 1, conditions: ["Suspended"], events: ["Suspended"] },
  },
  {
    name: "resumed: pods again, Suspended turns False",
    job: job({ suspend: false }, { conditions: [cond("Suspended", "JobSuspended", "Job suspended")] }),
    pods: [],
    now: T0 + 7_000,
    expect: { create: 1, conditions: [], events: ["Resumed"], status: { startTime: iso(T0 + 7_000) } },
  },
  {
    name: "no completions: the first success means no new pods, and the Job completes when the rest finish",
    job: job({ completions: null, parallelism: 2 }, { startTime: iso(T0) }),
    pods: [pod({ phase: "Succeeded" }), pod()],
    expect: { create: 0, remove: 0, conditions: [], status: { succeeded: 1, active: 1 } },
  },
  {
    name: "too many active pods for parallelism: the newest go first",
    job: job({ parallelism: 1, completions: 3 }, { startTime: iso(T0) }),
    pods: [pod({ created: T0 }), pod({ created: T0 + 1_000 })],
    expect: { remove: 1, create: 0 },
  },
  {
    name: "Indexed: the lowest pending indexes start, parallelism at a time",
    job: job({ completionMode: "Indexed", completions: 5, parallelism: 2 }, { startTime: iso(T0), completedIndexes: "0", succeeded: 1 }),
    pods: [pod({ index: 2 })],
    expect: { indexes: [1], status: { active: 2, completedIndexes: "0" } },
  },
  {
    name: "Indexed: a second pod of an index is deleted, a succeeded index recorded",
    job: job({ completionMode: "Indexed", completions: 3, parallelism: 3 }, { startTime: iso(T0) }),
    pods: [pod({ index: 0, created: T0 }), pod({ index: 0, created: T0 + 1 }), pod({ index: 1, phase: "Succeeded" })],
    expect: { remove: 1, indexes: [2], untrack: 1, status: { completedIndexes: "1", succeeded: 1 } },
  },
  {
    name: "a finished Job only lets go of its pods",
    job: job({}, { conditions: [cond("Complete", "CompletionsReached", "Reached expected number of succeeded pods")], succeeded: 1 }),
    pods: [pod({ phase: "Succeeded" })],
    expect: { create: 0, untrack: 1, events: [] },
  },
];

describe("planJob", () => {
  it.each(CASES)("$name", (c) => {
    const plan = planJob({ job: c.job, pods: c.pods, now: c.now ?? T0, backoff: BACKOFF });
    const e = c.expect;
    if (e.create !== undefined) expect(plan.create.length).toBe(e.create);
    if (e.indexes !== undefined) expect(plan.create.map((x) => x.index)).toEqual(e.indexes);
    if (e.remove !== undefined) expect(plan.remove.length).toBe(e.remove);
    if (e.untrack !== undefined) expect(plan.untrack.length).toBe(e.untrack);
    if (e.conditions !== undefined) expect(types(plan)).toEqual(e.conditions);
    if (e.events !== undefined) expect(reasons(plan)).toEqual(e.events);
    if (e.status !== undefined) expect(plan.status).toMatchObject(e.status);
    expect(plan.requeueAfterMs).toBe(e.requeueAfterMs);
  });

  it("gives the failure reason and message to both conditions and the event", () => {
    const plan = planJob({ job: job({ backoffLimit: 0 }, { startTime: iso(T0) }), pods: [pod({ phase: "Failed" })], now: T0, backoff: BACKOFF });
    for (const t of ["FailureTarget", "Failed"]) {
      expect(plan.status.conditions?.find((c) => c.type === t)).toMatchObject({ reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" });
    }
    expect(plan.events).toEqual([{ type: "Warning", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" }]);
  });

  it("plans nothing new when run twice on its own result", () => {
    const j = job({ completions: 2 }, {});
    const first = planJob({ job: j, pods: [], now: T0, backoff: BACKOFF });
    const again = planJob({ job: { ...j, status: first.status }, pods: [pod()], now: T0 + 1_000, backoff: BACKOFF });
    expect(first.create.length).toBe(1);
    // The pod it asked for now exists: nothing more to create, nothing in status to change.
    expect(again.create.length).toBe(0);
    expect(again.statusChanged).toBe(false);
  });

  it.each([
    ["", []],
    ["0", [0]],
    ["1,3-5,7", [1, 3, 4, 5, 7]],
    ["0-2", [0, 1, 2]],
  ])("completedIndexes %j", (text, list) => {
    expect([...parseIndexes(text)]).toEqual(list);
    expect(formatIndexes(list)).toBe(text);
  });
});
