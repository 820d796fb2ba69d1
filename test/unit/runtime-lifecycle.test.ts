// Containers' lives in time: programs that exit after a while, stop signals and grace
// periods, the single alarm (nextEventAt/advance), loops modelled lazily, and a
// restarted Durable Object resuming from storage.
import { describe, expect, it } from "vitest";
import { isCriError, type ContainerConfig } from "../../src/node/runtime";
import { sandboxConfig, testRuntime } from "../../src/node/runtime/testing";

const busybox = (name: string, command: string[], extra: Partial<ContainerConfig> = {}): ContainerConfig => ({ metadata: { name, attempt: 0 }, image: "busybox", command, ...extra });

async function withBusybox(kind: "containerd" | "cri-o" = "containerd") {
  const rt = testRuntime(kind);
  await rt.images.pullImage("busybox");
  const sb = await rt.runtime.runPodSandbox(sandboxConfig("bb", "10.244.2.3"));
  return { rt, sb };
}

describe("programs that end", () => {
  it("exits with the script's code after its sleep, found by the alarm", async () => {
    const { rt, sb } = await withBusybox();
    const c = await rt.runtime.createContainer(sb, busybox("job", ["sh", "-c", "echo start; sleep 10; echo done; exit 3"]));
    await rt.runtime.startContainer(c);
    const started = rt.clock.now();
    expect(await rt.runtime.nextEventAt()).toBe(started + 10_000);

    rt.clock.advance(9_999);
    expect(await rt.runtime.advance(rt.clock.now())).toEqual([]);
    expect((await rt.runtime.containerStatus(c)).state).toBe("CONTAINER_RUNNING");

    rt.clock.advance(1);
    expect(await rt.runtime.advance(rt.clock.now())).toEqual([{ type: "CONTAINER_STOPPED_EVENT", containerId: c, podSandboxId: sb, at: started + 10_000, exitCode: 3 }]);
    const st = await rt.runtime.containerStatus(c);
    expect(st).toMatchObject({ state: "CONTAINER_EXITED", exitCode: 3, reason: "Error", startedAt: started, finishedAt: started + 10_000 });
    expect(await rt.runtime.containerLogs(c)).toEqual([
      { time: started, stream: "stdout", text: "start" },
      { time: started + 10_000, stream: "stdout", text: "done" },
    ]);
    expect(await rt.runtime.nextEventAt()).toBeNull();
  });

  it("applies an exit that happened while nobody looked, at its own time", async () => {
    const { rt, sb } = await withBusybox();
    const c = await rt.runtime.createContainer(sb, busybox("job", ["sleep", "5"]));
    await rt.runtime.startContainer(c);
    const t0 = rt.clock.now();
    rt.clock.advance(3_600_000); // the alarm came an hour late
    expect(await rt.runtime.containerStatus(c)).toMatchObject({ state: "CONTAINER_EXITED", exitCode: 0, reason: "Completed", finishedAt: t0 + 5000 });
    // The event is still handed over by the next advance().
    expect(await rt.runtime.advance(rt.clock.now())).toEqual([expect.objectContaining({ containerId: c, exitCode: 0, at: t0 + 5000 })]);
  });

  it("completes busybox's default `sh` at once (no tty, no stdin), and waits with stdin open", async () => {
    const { rt, sb } = await withBusybox();
    const plain = await rt.runtime.createContainer(sb, { metadata: { name: "plain", attempt: 0 }, image: "busybox" });
    await rt.runtime.startContainer(plain);
    expect(await rt.runtime.containerStatus(plain)).toMatchObject({ state: "CONTAINER_EXITED", exitCode: 0, reason: "Completed" });
    const interactive = await rt.runtime.createContainer(sb, { metadata: { name: "tty", attempt: 0 }, image: "busybox", stdin: true, tty: true });
    await rt.runtime.startContainer(interactive);
    rt.clock.advance(60_000);
    expect((await rt.runtime.containerStatus(interactive)).state).toBe("CONTAINER_RUNNING");
  });

  it("crashes the crasher image two seconds after start", async () => {
    const rt = testRuntime();
    await rt.images.pullImage("ghcr.io/edgekube/crasher:latest");
    const sb = await rt.runtime.runPodSandbox(sandboxConfig("crash"));
    const c = await rt.runtime.createContainer(sb, { metadata: { name: "crasher", attempt: 0 }, image: "ghcr.io/edgekube/crasher:latest" });
    await rt.runtime.startContainer(c);
    expect(await rt.runtime.nextEventAt()).toBe(rt.clock.now() + 2000);
    rt.clock.advance(2000);
    expect(await rt.runtime.advance(rt.clock.now())).toEqual([expect.objectContaining({ containerId: c, exitCode: 1 })]);
    const logs = await rt.runtime.containerLogs(c);
    expect(logs.at(-1)).toMatchObject({ stream: "stderr", text: expect.stringContaining("fatal: dial tcp") });
    // Distroless: nothing to exec into.
    const restarted = await rt.runtime.createContainer(sb, { metadata: { name: "crasher", attempt: 1 }, image: "ghcr.io/edgekube/crasher:latest", envs: [{ key: "CRASH_AFTER", value: "30" }] });
    await rt.runtime.startContainer(restarted);
    await expect(rt.runtime.execSync(restarted, ["sh"])).rejects.toThrow(/executable file not found/);
    expect(await rt.runtime.nextEventAt()).toBe(rt.clock.now() + 30_000);
  });

  it("fails to start a command the image does not have: StartError 128 (containerd)", async () => {
    const { rt, sb } = await withBusybox();
    const c = await rt.runtime.createContainer(sb, busybox("bad", ["nosuch"]));
    const err = await rt.runtime.startContainer(c).catch((e: unknown) => e);
    expect(isCriError(err, "ExecutableNotFound")).toBe(true);
    expect(await rt.runtime.containerStatus(c)).toMatchObject({
      state: "CONTAINER_EXITED",
      exitCode: 128,
      reason: "StartError",
      startedAt: 0,
      message: expect.stringContaining('exec: "nosuch": executable file not found in $PATH'),
    });
  });

  it("fails it at create on CRI-O", async () => {
    const { rt, sb } = await withBusybox("cri-o");
    await expect(rt.runtime.createContainer(sb, busybox("bad", ["nosuch"]))).rejects.toThrow(/container create failed: .*exec: "nosuch": executable file not found in \$PATH/);
  });
});

describe("reads between events", () => {
  it("save only the clock: the prediction of the next event stands until something runs", async () => {
    const { rt, sb } = await withBusybox();
    const c = await rt.runtime.createContainer(sb, busybox("job", ["sh", "-c", "sleep 10; echo done; exit 3"]));
    await rt.runtime.startContainer(c);
    const started = rt.clock.now();
    const written: string[] = [];
    const put = rt.storage.put.bind(rt.storage);
    rt.storage.put = (key, value) => (written.push(key), put(key, value));

    rt.clock.advance(4_000);
    expect((await rt.runtime.containerStatus(c)).state).toBe("CONTAINER_RUNNING");
    expect(written).toEqual([`rt/sb/${sb}`]);
    expect(await rt.runtime.nextEventAt()).toBe(started + 10_000);

    // The sleep ending is something running: the next read predicts again (nothing more is due).
    written.length = 0;
    rt.clock.advance(6_000);
    expect(await rt.runtime.containerStatus(c)).toMatchObject({ state: "CONTAINER_EXITED", exitCode: 3 });
    expect(written).toContain("rt/due");
    expect(await rt.runtime.nextEventAt()).toBeNull();
  });
});

describe("stopping", () => {
  it("kills a program that ignores SIGTERM when the grace period ends (the bootcamp app)", async () => {
    const rt = testRuntime();
    await rt.images.pullImage("gcr.io/google-samples/kubernetes-bootcamp:v1");
    const sb = await rt.runtime.runPodSandbox(sandboxConfig("app"));
    const c = await rt.runtime.createContainer(sb, { metadata: { name: "app", attempt: 0 }, image: "gcr.io/google-samples/kubernetes-bootcamp:v1" });
    await rt.runtime.startContainer(c);
    await rt.runtime.stopContainer(c, 30);
    const killAt = rt.clock.now() + 30_000;
    expect(await rt.runtime.containerStatus(c)).toMatchObject({ state: "CONTAINER_RUNNING", killAt });
    expect(await rt.runtime.nextEventAt()).toBe(killAt);
    rt.clock.set(killAt);
    expect(await rt.runtime.advance(killAt)).toEqual([expect.objectContaining({ containerId: c, exitCode: 137, at: killAt })]);
    expect(await rt.runtime.containerStatus(c)).toMatchObject({ state: "CONTAINER_EXITED", exitCode: 137, reason: "Error", signal: "SIGKILL" });
    expect(await rt.runtime.podHttp(sb, 8080)).toEqual({ kind: "refused" });
  });

  it("lets nginx shut down gracefully on its stop signal (SIGQUIT), exit 0", async () => {
    const rt = testRuntime();
    await rt.images.pullImage("nginx");
    const sb = await rt.runtime.runPodSandbox(sandboxConfig("web"));
    const c = await rt.runtime.createContainer(sb, { metadata: { name: "nginx", attempt: 0 }, image: "nginx" });
    await rt.runtime.startContainer(c);
    await rt.runtime.stopContainer(c, 30);
    const next = await rt.runtime.nextEventAt();
    expect(next).toBeGreaterThan(rt.clock.now());
    expect(next).toBeLessThan(rt.clock.now() + 1000);
    rt.clock.set(next!);
    expect(await rt.runtime.advance(next!)).toEqual([expect.objectContaining({ exitCode: 0 })]);
    const logs = (await rt.runtime.containerLogs(c)).map((l) => l.text);
    expect(logs.some((l) => l.endsWith("signal 3 (SIGQUIT) received from 0, shutting down"))).toBe(true);
    expect(logs.at(-1)).toMatch(/\[notice\] 1#1: exit$/);
  });

  it("lets a container restart itself through `kill 1` from an exec (nginx handles SIGTERM)", async () => {
    const rt = testRuntime();
    await rt.images.pullImage("nginx");
    const sb = await rt.runtime.runPodSandbox(sandboxConfig("web"));
    const c = await rt.runtime.createContainer(sb, { metadata: { name: "nginx", attempt: 0 }, image: "nginx" });
    await rt.runtime.startContainer(c);
    expect((await rt.runtime.execSync(c, ["sh", "-c", "kill 1"])).exitCode).toBe(0);
    rt.clock.advance(10);
    expect(await rt.runtime.advance(rt.clock.now())).toEqual([expect.objectContaining({ containerId: c, exitCode: 0 })]);
  });
});

describe("loops, lazily", () => {
  it("logs a line every N seconds without any alarm, computed when looked at", async () => {
    const { rt, sb } = await withBusybox();
    const c = await rt.runtime.createContainer(sb, busybox("ticker", ["sh", "-c", "while true; do echo tick $(date +%T); sleep 5; done"]));
    await rt.runtime.startContainer(c);
    expect(await rt.runtime.nextEventAt()).toBeNull();
    rt.clock.advance(12_000);
    expect((await rt.runtime.containerLogs(c)).map((l) => l.text)).toEqual(["tick 09:19:00", "tick 09:19:05", "tick 09:19:10"]);
  });

  it("catches up a day without replaying it all (bounded log)", async () => {
    const { rt, sb } = await withBusybox();
    const c = await rt.runtime.createContainer(sb, busybox("ticker", ["sh", "-c", "while true; do echo tick; sleep 1; done"]));
    await rt.runtime.startContainer(c);
    rt.clock.advance(24 * 3600_000);
    const t0 = performance.now();
    const logs = await rt.runtime.containerLogs(c);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(logs.length).toBeGreaterThan(10);
    expect(logs.at(-1)!.time).toBe(rt.clock.now());
  });

  it("predicts the end of a finite loop", async () => {
    const { rt, sb } = await withBusybox();
    const c = await rt.runtime.createContainer(sb, busybox("count", ["sh", "-c", "for i in 1 2 3; do echo $i; sleep 2; done; exit 4"]));
    await rt.runtime.startContainer(c);
    expect(await rt.runtime.nextEventAt()).toBe(rt.clock.now() + 6000);
  });

  it("notices that an exec unblocked a waiting loop", async () => {
    const { rt, sb } = await withBusybox();
    const c = await rt.runtime.createContainer(sb, busybox("wait", ["sh", "-c", "until [ -f /tmp/go ]; do sleep 1; done; echo go"]));
    await rt.runtime.startContainer(c);
    rt.clock.advance(5_500);
    expect(await rt.runtime.nextEventAt()).toBeNull();
    await rt.runtime.execSync(c, ["touch", "/tmp/go"]);
    expect(await rt.runtime.nextEventAt()).toBe(rt.clock.now() + 500);
  });

  it("notices a sidecar's write that another container waits for", async () => {
    const rt = testRuntime();
    await rt.images.pullImage("busybox");
    const sb = await rt.runtime.runPodSandbox(sandboxConfig("pair", "10.244.2.4", { volumes: [{ name: "v" }] }));
    const mounts = [{ containerPath: "/v", volume: "v" }];
    const waiter = await rt.runtime.createContainer(sb, busybox("waiter", ["sh", "-c", "until [ -f /v/ready ]; do sleep 1; done"], { mounts }));
    const maker = await rt.runtime.createContainer(sb, busybox("maker", ["sh", "-c", "sleep 10; touch /v/ready; sleep 3600"], { mounts }));
    await rt.runtime.startContainer(waiter);
    await rt.runtime.startContainer(maker);
    expect(await rt.runtime.nextEventAt()).toBe(rt.clock.now() + 11_000);
  });
});

describe("persistence", () => {
  it("resumes from storage in a new runtime (a restarted Durable Object)", async () => {
    const rt = testRuntime();
    await rt.images.pullImage("busybox");
    await rt.images.pullImage("gcr.io/google-samples/kubernetes-bootcamp:v1");
    const sb = await rt.runtime.runPodSandbox(sandboxConfig("p", "10.244.1.7", { volumes: [{ name: "v" }] }));
    const app = await rt.runtime.createContainer(sb, { metadata: { name: "app", attempt: 0 }, image: "gcr.io/google-samples/kubernetes-bootcamp:v1" });
    const job = await rt.runtime.createContainer(sb, busybox("job", ["sh", "-c", "echo saved > /v/f; sleep 20; exit 5"], { mounts: [{ containerPath: "/v", volume: "v" }] }));
    await rt.runtime.startContainer(app);
    await rt.runtime.startContainer(job);
    await rt.runtime.podHttp(sb, 8080);

    const again = rt.restart();
    expect(await again.images.imageStatus("busybox")).not.toBeNull();
    expect(await again.runtime.nextEventAt()).toBe(rt.clock.now() + 20_000);
    const r = await again.runtime.podHttp(sb, 8080);
    expect(r.kind === "response" && r.response.body).toBe("Hello Kubernetes bootcamp! | Running on: p | v=1\n");
    expect((await again.runtime.containerLogs(app)).at(-1)!.text).toContain("Total Requests: 2");
    expect((await again.runtime.execSync(app, ["ls", "/proc/../tmp"])).exitCode).toBe(0);
    rt.clock.advance(20_000);
    expect(await again.runtime.advance(rt.clock.now())).toEqual([expect.objectContaining({ containerId: job, exitCode: 5 })]);
    const list = await again.runtime.listContainers({ podSandboxId: sb, state: "CONTAINER_RUNNING" });
    expect(list.map((c) => c.id)).toEqual([app]);
  });
});
