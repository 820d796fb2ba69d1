// `kubectl get jobs` and `kubectl get cronjobs` columns as kubectl 1.32 prints them.
import { describe, it, expect } from "vitest";
import { toTable } from "../../src/api/printers";
import type { CronJob, Job, JobSpec, JobStatus, KubeObject } from "../../src/model/types";

const NOW = Date.parse("2026-06-01T12:00:00Z");
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString().replace(".000Z", "Z");
const cellsOf = (resource: string, obj: KubeObject) => toTable(resource, [obj], { now: NOW }).rows[0].cells;
const columnsOf = (resource: string) => toTable(resource, [], { now: NOW }).columnDefinitions.map((c) => [c.name, c.priority]);

function job(spec: Partial<JobSpec>, status: JobStatus, deleting = false): Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "pi", creationTimestamp: ago(300), ...(deleting ? { deletionTimestamp: ago(1) } : {}) },
    spec: { selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "u1" } }, template: { spec: { containers: [{ name: "pi", image: "perl:5.34" }] } }, ...spec },
    status,
  };
}
const on = (type: string) => ({ type, status: "True" as const });

describe("jobs", () => {
  it("has NAME STATUS COMPLETIONS DURATION AGE, and CONTAINERS IMAGES SELECTOR wide", () => {
    expect(columnsOf("jobs.batch")).toEqual([
      ["Name", 0], ["Status", 0], ["Completions", 0], ["Duration", 0], ["Age", 0], ["Containers", 1], ["Images", 1], ["Selector", 1],
    ]);
  });

  it.each([
    ["running, 1 of 3", job({ completions: 3 }, { succeeded: 1, startTime: ago(90) }), ["Running", "1/3", "90s"]],
    ["complete, took 65s", job({ completions: 1 }, { succeeded: 1, startTime: ago(100), completionTime: ago(35), conditions: [on("SuccessCriteriaMet"), on("Complete")] }), ["Complete", "1/1", "65s"]],
    ["failed", job({ completions: 1 }, { failed: 7, startTime: ago(200), conditions: [on("FailureTarget"), on("Failed")] }), ["Failed", "0/1", "3m20s"]],
    ["failure target first", job({ completions: 1 }, { startTime: ago(10), conditions: [on("FailureTarget")] }), ["FailureTarget", "0/1", "10s"]],
    ["success criteria first", job({ completions: 1 }, { succeeded: 1, startTime: ago(10), conditions: [on("SuccessCriteriaMet")] }), ["SuccessCriteriaMet", "1/1", "10s"]],
    ["suspended, never started", job({ completions: 1, suspend: true }, { conditions: [on("Suspended")] }), ["Suspended", "0/1", ""]],
    ["terminating", job({ completions: 1 }, { startTime: ago(10) }, true), ["Terminating", "0/1", "10s"]],
    ["work queue with parallelism 4", job({ completions: null, parallelism: 4 }, { succeeded: 2, startTime: ago(5) }), ["Running", "2/1 of 4", "5s"]],
    ["work queue", job({ completions: null, parallelism: 1 }, {}), ["Running", "0/1", ""]],
  ])("%s", (_name, j, cells) => {
    const row = cellsOf("jobs.batch", j);
    expect(row.slice(1, 4)).toEqual(cells);
    expect(row[0]).toBe("pi");
    expect(row.slice(5)).toEqual(["pi", "perl:5.34", "batch.kubernetes.io/controller-uid=u1"]);
  });
});

describe("cronjobs", () => {
  const cj = (extra: Partial<CronJob["spec"]>, status: CronJob["status"] = {}): CronJob => ({
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "hello", creationTimestamp: ago(600) },
    spec: { schedule: "* * * * *", suspend: false, jobTemplate: { spec: { template: { spec: { containers: [{ name: "hello", image: "busybox:1.28" }] } } } }, ...extra },
    status,
  });

  it("has NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE, and CONTAINERS IMAGES SELECTOR wide", () => {
    expect(columnsOf("cronjobs.batch")).toEqual([
      ["Name", 0], ["Schedule", 0], ["Timezone", 0], ["Suspend", 0], ["Active", 0], ["Last Schedule", 0], ["Age", 0], ["Containers", 1], ["Images", 1], ["Selector", 1],
    ]);
  });

  it.each([
    ["never run", cj({}), ["hello", "* * * * *", "<none>", "False", 0, "<none>", "10m", "hello", "busybox:1.28", "<none>"]],
    ["ran 42s ago, one active, in a zone", cj({ timeZone: "Etc/UTC" }, { lastScheduleTime: ago(42), active: [{ name: "hello-1" }] }), ["hello", "* * * * *", "Etc/UTC", "False", 1, "42s", "10m", "hello", "busybox:1.28", "<none>"]],
    ["suspended", cj({ suspend: true }), ["hello", "* * * * *", "<none>", "True", 0, "<none>", "10m", "hello", "busybox:1.28", "<none>"]],
  ])("%s", (_name, c, cells) => {
    expect(cellsOf("cronjobs.batch", c)).toEqual(cells);
  });
});
