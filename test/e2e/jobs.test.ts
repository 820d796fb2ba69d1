// Jobs and CronJobs with the real kubectl: `kubectl create job`, wait, logs job/,
// describe; a failing Job reaching BackoffLimitExceeded; and the docs' "Running
// Automated Tasks with a CronJob" (a CronJob on "* * * * *" whose Job's pod logs its
// greeting), `create job --from=cronjob/`, and deleting it with its Jobs. One cluster,
// with the Job back-off shortened to a second.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { join } from "node:path";
import { startCluster, eventually, type Cluster } from "./cluster";

const MANIFESTS = new URL("./manifests", import.meta.url).pathname;

interface JobJson {
  metadata: { name: string; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string }[] };
  status?: { succeeded?: number; conditions?: { type: string; status: string; reason?: string }[] };
}

const complete = (j: JobJson) => j.status?.conditions?.some((c) => c.type === "Complete" && c.status === "True");

describe("jobs and cronjobs with kubectl", () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster({ JOB_BACKOFF_BASE: "1s", JOB_BACKOFF_MAX: "2s" });
  });
  afterAll(async () => {
    await c?.stop();
  });

  async function jobs(): Promise<JobJson[]> {
    return JSON.parse((await c.kubectl(["get", "jobs", "-o", "json"])).stdout).items as JobJson[];
  }

  it("creates a job, waits for it to complete and reads its logs", async () => {
    expect((await c.kubectl(["create", "job", "hello", "--image=busybox", "--", "echo", "hi"])).stdout.trim()).toBe("job.batch/hello created");
    const wait = await c.kubectl(["wait", "--for=condition=complete", "job/hello", "--timeout=90s"], { timeoutMs: 100_000 });
    expect(wait.stdout.trim()).toBe("job.batch/hello condition met");
    expect((await c.kubectl(["logs", "job/hello"])).stdout).toBe("hi\n");

    const list = await c.kubectl(["get", "jobs"]);
    expect(list.stdout).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\n/);
    expect(list.stdout).toMatch(/\nhello\s+Complete\s+1\/1\s+\d+s\s+\d+s\n/);
    const wide = await c.kubectl(["get", "jobs", "-o", "wide"]);
    expect(wide.stdout).toMatch(/CONTAINERS\s+IMAGES\s+SELECTOR/);
    expect(wide.stdout).toMatch(/hello\s+busybox\s+batch\.kubernetes\.io\/controller-uid=[0-9a-f-]+/);
    const pods = await c.kubectl(["get", "pods", "-l", "job-name=hello"]);
    expect(pods.stdout).toMatch(/\nhello-[a-z0-9]{5}\s+0\/1\s+Completed\s+0\s/);

    const describe = await c.kubectl(["describe", "job", "hello"]);
    expect(describe.stdout).toMatch(/^Completions:\s+1$/m);
    expect(describe.stdout).toMatch(/^Pods Statuses:\s+0 Active \(0 Ready\) \/ 1 Succeeded \/ 0 Failed$/m);
    expect(describe.stdout).toMatch(/Normal\s+SuccessfulCreate\s+.*job-controller\s+Created pod: hello-[a-z0-9]{5}/);
    expect(describe.stdout).toMatch(/Normal\s+Completed\s+.*job-controller\s+Job completed/);
    expect((await c.kubectl(["get", "all"])).stdout).toMatch(/job\.batch\/hello\s+Complete\s+1\/1/);

    expect((await c.kubectl(["delete", "job", "hello"])).stdout.trim()).toBe('job.batch "hello" deleted');
    await eventually(async () => (await c.kubectl(["get", "pods", "-l", "job-name=hello", "-o", "name"])).stdout.trim() === "", 60_000, "the job's pod deleted with it");
  });

  it("fails a job whose pods keep failing with BackoffLimitExceeded", async () => {
    expect((await c.kubectl(["apply", "-f", join(MANIFESTS, "failing-job.yaml")])).stdout.trim()).toBe("job.batch/flaky created");
    const wait = await c.kubectl(["wait", "--for=condition=failed", "job/flaky", "--timeout=90s"], { timeoutMs: 100_000 });
    expect(wait.stdout.trim()).toBe("job.batch/flaky condition met");
    const job = JSON.parse((await c.kubectl(["get", "job", "flaky", "-o", "json"])).stdout);
    expect(job.status.failed).toBe(2);
    expect(job.status.conditions.find((x: { type: string }) => x.type === "Failed")).toMatchObject({ reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" });
    expect((await c.kubectl(["get", "job", "flaky"])).stdout).toMatch(/\nflaky\s+Failed\s+0\/1\s/);
    const pods = (await c.kubectl(["get", "pods", "-l", "job-name=flaky"])).stdout;
    expect(pods.match(/\sError\s/g)).toHaveLength(2);
    expect((await c.kubectl(["describe", "job", "flaky"])).stdout).toMatch(/Warning\s+BackoffLimitExceeded\s+.*job-controller\s+Job has reached the specified backoff limit/);
    const bad = await c.kubectl(["create", "-f", "-"], {
      input: JSON.stringify({ apiVersion: "batch/v1", kind: "Job", metadata: { name: "always" }, spec: { template: { spec: { restartPolicy: "Always", containers: [{ name: "c", image: "busybox" }] } } } }),
      allowFail: true,
    });
    expect(bad.stderr).toMatch(/The Job "always" is invalid: (\n\* )?spec\.template\.spec\.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"/);
  });

  it("runs the tutorial CronJob every minute, and a manual run from it", { timeout: 240_000 }, async () => {
    expect((await c.kubectl(["create", "-f", join(MANIFESTS, "cronjob.yaml")])).stdout.trim()).toBe("cronjob.batch/hello created");
    const cj = await c.kubectl(["get", "cronjob", "hello"]);
    expect(cj.stdout).toMatch(/^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE\n/);
    expect(cj.stdout).toMatch(/\nhello\s+\* \* \* \* \*\s+<none>\s+False\s+\d\s+\S+\s+\S+\n/);

    // The next minute starts a Job named after it; its pod greets.
    const job = await eventually(async () => (await jobs()).find((j) => j.metadata.ownerReferences?.[0]?.name === "hello" && complete(j)), 150_000, "a completed job of the cronjob");
    expect(job.metadata.name).toMatch(/^hello-\d{8}$/);
    expect(job.metadata.annotations?.["batch.kubernetes.io/cronjob-scheduled-timestamp"]).toBe(new Date(Number(job.metadata.name.slice(6)) * 60_000).toISOString().replace(".000Z", "Z"));
    const names = (await c.kubectl(["get", "pods", `--selector=job-name=${job.metadata.name}`, "--output=jsonpath={.items[*].metadata.name}"])).stdout.trim();
    expect(names).toMatch(/^hello-\d{8}-[a-z0-9]{5}$/);
    const logs = (await c.kubectl(["logs", names])).stdout;
    expect(logs).toMatch(/\nHello from the Kubernetes cluster\n$/);
    const after = await eventually(async () => {
      const out = (await c.kubectl(["get", "cronjob", "hello"])).stdout;
      return /\nhello\s+\* \* \* \* \*\s+<none>\s+False\s+\d\s+\d+s\s/.test(out) && out;
    }, 60_000, "a LAST SCHEDULE");
    expect(after).toBeTruthy();
    expect((await c.kubectl(["get", "cj"])).stdout).toMatch(/\nhello\s/);

    expect((await c.kubectl(["create", "job", "manual", "--from=cronjob/hello"])).stdout.trim()).toBe("job.batch/manual created");
    const manual = JSON.parse((await c.kubectl(["get", "job", "manual", "-o", "json"])).stdout) as JobJson;
    expect(manual.metadata.annotations?.["cronjob.kubernetes.io/instantiate"]).toBe("manual");
    expect(manual.metadata.ownerReferences?.[0]).toMatchObject({ kind: "CronJob", name: "hello" });
    await c.kubectl(["wait", "--for=condition=complete", "job/manual", "--timeout=90s"], { timeoutMs: 100_000 });

    expect((await c.kubectl(["create", "cronjob", "every", "--image=busybox", "--schedule=*/1 * * * *", "--", "date"])).stdout.trim()).toBe("cronjob.batch/every created");
    expect((await c.kubectl(["get", "cronjob", "every"])).stdout).toMatch(/\nevery\s+\*\/1 \* \* \* \*\s+<none>\s+False\s/);
    const tz = await c.kubectl(["create", "-f", "-"], {
      input: JSON.stringify({ apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "tz" }, spec: { schedule: "TZ=UTC * * * * *", jobTemplate: { spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] } } } } } }),
      allowFail: true,
    });
    expect(tz.stderr).toMatch(/cannot use TZ or CRON_TZ in schedule, use timeZone field instead/);

    expect((await c.kubectl(["delete", "cronjob", "hello", "every"])).stdout.trim()).toBe('cronjob.batch "hello" deleted\ncronjob.batch "every" deleted');
    await eventually(async () => (await jobs()).length === 0 || ((await jobs()).every((j) => j.metadata.name === "flaky") && "ok"), 90_000, "the cronjob's jobs deleted with it");
  });
});
