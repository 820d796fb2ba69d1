// A CronJob's next run is held on the controller manager's alarm, on an injected
// clock: once created, its key waits in the persistent queue for the next minute and
// the Durable Object's alarm is set no later than that; when the alarm comes (once,
// twice, or five minutes late), exactly one Job is started, named after the most
// recent scheduled minute, and the CronJob's status records it.
import { describe, it, expect, beforeAll } from "vitest";
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { callJson, waitFor } from "./helpers";
import { FakeClock } from "./node-helpers";
import { DELIVERIES, LATE_MS, deliver, eventCounts, type Delivery } from "./fault-helpers";
import type { ControllerManager } from "../../src/controllers/controller-manager";
import type { CronJob, Event, Job } from "../../src/model/types";

const clock = new FakeClock();
const cm = env.CONTROLLERS.get(env.CONTROLLERS.idFromName("kube-controller-manager"));
const MINUTE = 60_000;
const BATCH = "/apis/batch/v1/namespaces/default";

function cronJob(name: string) {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name },
    spec: {
      schedule: "* * * * *",
      jobTemplate: {
        spec: { template: { spec: { restartPolicy: "OnFailure", nodeSelector: { "edgekube.test/unschedulable": "yes" }, containers: [{ name: "hello", image: "busybox:1.28", command: ["sh", "-c", "date; echo Hello from the Kubernetes cluster"] }] } } },
      },
    },
  };
}

const ownedJobs = async (cj: CronJob) =>
  (await callJson<{ items: Job[] }>(`${BATCH}/jobs`)).body.items.filter((j) => j.metadata.ownerReferences?.some((r) => r.uid === cj.metadata.uid));
const events = async (name: string) => (await callJson<{ items: Event[] }>(`/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3D${name}`)).body.items;
const flush = () => runInDurableObject(cm, (m: ControllerManager) => m.flush());
/** The API's poke has reached the manager and the CronJob's key waits in its queue. */
const queued = (name: string) => waitFor(async () => (await flush()).keys.includes(`cronjob:default/${name}`), `${name}'s key in the queue`);

async function scenario(delivery: Delivery): Promise<void> {
  const name = `cron-${delivery}`;
  // Start each scenario on the real clock, so the CronJob's creation is "now" for it too.
  clock.t = Math.floor(Date.now() / 1000) * 1000;
  const created = await callJson<CronJob>(`${BATCH}/cronjobs`, { method: "POST", body: cronJob(name) });
  expect(created.status).toBe(201);
  const cj = created.body;
  expect(cj.spec).toMatchObject({ concurrencyPolicy: "Allow", suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
  await queued(name);
  expect(await ownedJobs(cj)).toEqual([]);

  // The next run waits in the queue, and the alarm is set for it (or for something sooner).
  const since = Math.max(Date.parse(cj.metadata.creationTimestamp!), clock.t);
  const due = (Math.floor(since / MINUTE) + 1) * MINUTE;
  const state = await runInDurableObject(cm, async (m: ControllerManager, s) => ({ queue: await m.state(), alarm: await s.storage.getAlarm() }));
  expect(state.queue.keys).toContain(`cronjob:default/${name}`);
  expect(state.alarm).not.toBeNull();
  expect(state.alarm!).toBeLessThanOrEqual(due + 100);

  await deliver(cm, clock, due + 100, delivery);
  await flush();
  const jobs = await ownedJobs(cj);
  const minute = Math.floor((delivery === "late" ? due + 100 + LATE_MS : due) / MINUTE);
  expect(jobs.map((j) => j.metadata.name)).toEqual([`${name}-${minute}`]);
  const [job] = jobs;
  expect(job.metadata.annotations?.["batch.kubernetes.io/cronjob-scheduled-timestamp"]).toBe(new Date(minute * MINUTE).toISOString().replace(".000Z", "Z"));
  expect(job.metadata.ownerReferences).toEqual([{ apiVersion: "batch/v1", kind: "CronJob", name, uid: cj.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  expect(job.spec.template.spec.restartPolicy).toBe("OnFailure");

  const live = (await callJson<CronJob>(`${BATCH}/cronjobs/${name}`)).body;
  expect(live.status?.lastScheduleTime).toBe(new Date(minute * MINUTE).toISOString().replace(".000Z", "Z"));
  expect(live.status?.active?.map((r) => r.name)).toEqual([job.metadata.name]);
  expect(eventCounts(await events(name))).toEqual({ SuccessfulCreate: 1 });
  // The following minute is what it waits for now.
  expect((await runInDurableObject(cm, (m: ControllerManager) => m.state())).keys).toContain(`cronjob:default/${name}`);
}

describe("the CronJob controller on the manager's alarm", () => {
  beforeAll(async () => {
    expect((await callJson("/api/v1/namespaces/default")).status).toBe(200);
    await runInDurableObject(cm, (m: ControllerManager) => m.useClock(clock.now));
  });
  for (const delivery of DELIVERIES) {
    it(`${delivery}: one Job for the scheduled minute`, () => scenario(delivery));
  }

  it("Forbid skips a run while the last one is still active", async () => {
    clock.t = Math.floor(Date.now() / 1000) * 1000;
    const body = cronJob("cron-forbid");
    const created = await callJson<CronJob>(`${BATCH}/cronjobs`, { method: "POST", body: { ...body, spec: { ...body.spec, concurrencyPolicy: "Forbid" } } });
    expect(created.status).toBe(201);
    await queued("cron-forbid");
    const first = (Math.floor(Math.max(Date.parse(created.body.metadata.creationTimestamp!), clock.t) / MINUTE) + 1) * MINUTE;
    await deliver(cm, clock, first + 100, "once");
    await flush();
    expect(await ownedJobs(created.body)).toHaveLength(1);
    // Its pod never runs (nothing schedules it): the next minute finds it active.
    await deliver(cm, clock, first + MINUTE + 100, "once");
    await flush();
    expect(await ownedJobs(created.body)).toHaveLength(1);
    expect(eventCounts(await events("cron-forbid"))).toMatchObject({ SuccessfulCreate: 1, JobAlreadyActive: 1 });
  });
});
