// The pod sandbox: one network namespace (shared ports, shared localhost), volumes
// shared by the containers that mount them, surviving container restarts, gone with it.
import { describe, expect, it } from "vitest";
import { sandboxConfig, testRuntime } from "../../src/node/runtime/testing";
import type { ContainerConfig } from "../../src/node/runtime";

const container = (name: string, image: string, extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
  metadata: { name, attempt: 0 },
  image,
  ...extra,
});

describe("network namespace", () => {
  it("fails the second container that binds a port the first holds, as nginx would", async () => {
    const rt = testRuntime();
    await rt.images.pullImage("nginx:1.27");
    const sb = await rt.runtime.runPodSandbox(sandboxConfig("two-nginx"));
    const first = await rt.runtime.createContainer(sb, container("web", "nginx:1.27"));
    const second = await rt.runtime.createContainer(sb, container("web2", "nginx:1.27"));
    await rt.runtime.startContainer(first);
    await rt.runtime.startContainer(second);

    // nginx retries bind() for 2.5 s before giving up.
    expect((await rt.runtime.containerStatus(second)).state).toBe("CONTAINER_RUNNING");
    expect(await rt.runtime.nextEventAt()).toBe(rt.clock.now() + 2500);
    rt.clock.advance(2500);
    const events = await rt.runtime.advance(rt.clock.now());
    expect(events).toEqual([expect.objectContaining({ containerId: second, exitCode: 1, type: "CONTAINER_STOPPED_EVENT" })]);

    const st = await rt.runtime.containerStatus(second);
    expect([st.state, st.exitCode, st.reason]).toEqual(["CONTAINER_EXITED", 1, "Error"]);
    const logs = (await rt.runtime.containerLogs(second)).map((l) => l.text);
    expect(logs).toContain("nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)");
    expect(logs.at(-1)).toBe("nginx: [emerg] still could not bind()");
    // The first one still serves the port.
    const r = await rt.runtime.podHttp(sb, 80);
    expect(r.kind === "response" && r.response.body).toContain("<title>Welcome to nginx!</title>");
    const status = await rt.runtime.podSandboxStatus(sb);
    expect(status.listening).toEqual([{ port: 80, containerId: first }]);
  });

  it("fails node's listen with EADDRINUSE when 8080 is taken", async () => {
    const rt = testRuntime();
    await rt.images.pullImage("gcr.io/google-samples/kubernetes-bootcamp:v1");
    await rt.images.pullImage("docker.io/jocatalin/kubernetes-bootcamp:v2");
    const sb = await rt.runtime.runPodSandbox(sandboxConfig("two-apps"));
    const a = await rt.runtime.createContainer(sb, container("v1", "gcr.io/google-samples/kubernetes-bootcamp:v1"));
    const b = await rt.runtime.createContainer(sb, container("v2", "docker.io/jocatalin/kubernetes-bootcamp:v2"));
    await rt.runtime.startContainer(a);
    await rt.runtime.startContainer(b);
    rt.clock.advance(100);
    await rt.runtime.advance(rt.clock.now());
    const st = await rt.runtime.containerStatus(b);
    expect([st.state, st.exitCode]).toEqual(["CONTAINER_EXITED", 1]);
    expect((await rt.runtime.containerLogs(b)).map((l) => l.text)).toContain("Error: listen EADDRINUSE :::8080");
    const r = await rt.runtime.podHttp(sb, 8080);
    expect(r.kind === "response" && r.response.body).toBe("Hello Kubernetes bootcamp! | Running on: two-apps | v=1\n");
  });

  it("refuses connections to a port nothing listens on", async () => {
    const rt = testRuntime();
    const sb = await rt.runtime.runPodSandbox(sandboxConfig("empty"));
    expect(await rt.runtime.podHttp(sb, 9999)).toEqual({ kind: "refused" });
  });

  it("gives every container the pod's hostname and /etc/hosts entry", async () => {
    const rt = testRuntime();
    await rt.images.pullImage("busybox");
    const sb = await rt.runtime.runPodSandbox(sandboxConfig("hosty", "10.244.3.17"));
    const c = await rt.runtime.createContainer(sb, container("c", "busybox", { command: ["sleep", "3600"] }));
    await rt.runtime.startContainer(c);
    expect((await rt.runtime.execSync(c, ["hostname"])).stdout).toBe("hosty\n");
    expect((await rt.runtime.execSync(c, ["cat", "/etc/hosts"])).stdout).toContain("10.244.3.17\thosty\n");
    expect((await rt.runtime.execSync(c, ["hostname", "-i"])).stdout).toBe("10.244.3.17\n");
  });
});

describe("volumes", () => {
  async function podWithSharedDir() {
    const rt = testRuntime();
    await rt.images.pullImage("busybox");
    const sb = await rt.runtime.runPodSandbox(sandboxConfig("shared", "10.244.1.9", { volumes: [{ name: "data" }] }));
    const mount = [{ containerPath: "/data", volume: "data" }];
    const writer = await rt.runtime.createContainer(sb, container("writer", "busybox", { command: ["sh", "-c", "echo hello from writer > /data/msg; echo scratch > /tmp/scratch; sleep 3600"], mounts: mount }));
    const reader = await rt.runtime.createContainer(sb, container("reader", "busybox", { command: ["sleep", "3600"], mounts: [{ containerPath: "/in", volume: "data", readOnly: true }] }));
    await rt.runtime.startContainer(writer);
    await rt.runtime.startContainer(reader);
    return { rt, sb, writer, reader, mount };
  }

  it("shares an emptyDir between the containers that mount it", async () => {
    const { rt, writer, reader } = await podWithSharedDir();
    expect((await rt.runtime.execSync(reader, ["cat", "/in/msg"])).stdout).toBe("hello from writer\n");
    // Read-only for the reader, and private to the writer outside the volume.
    const ro = await rt.runtime.execSync(reader, ["sh", "-c", "echo x > /in/other"]);
    expect(ro).toEqual({ stdout: "", stderr: "sh: can't create /in/other: Read-only file system\n", exitCode: 1 });
    expect((await rt.runtime.execSync(writer, ["cat", "/tmp/scratch"])).stdout).toBe("scratch\n");
    expect((await rt.runtime.execSync(reader, ["cat", "/tmp/scratch"])).exitCode).toBe(1);
  });

  it("keeps emptyDir files across a container restart, but not its writable layer", async () => {
    const { rt, sb, writer, mount } = await podWithSharedDir();
    await rt.runtime.stopContainer(writer, 0);
    await rt.runtime.removeContainer(writer);
    // The kubelet's restart: a new container (attempt 1) in the same sandbox.
    const again = await rt.runtime.createContainer(sb, container("writer", "busybox", { metadata: { name: "writer", attempt: 1 }, command: ["sleep", "3600"], mounts: mount }));
    await rt.runtime.startContainer(again);
    expect((await rt.runtime.execSync(again, ["cat", "/data/msg"])).stdout).toBe("hello from writer\n");
    const gone = await rt.runtime.execSync(again, ["cat", "/tmp/scratch"]);
    expect(gone).toEqual({ stdout: "", stderr: "cat: can't open '/tmp/scratch': No such file or directory\n", exitCode: 1 });
  });

  it("removes volumes, containers and logs with the sandbox", async () => {
    const { rt, sb } = await podWithSharedDir();
    await rt.runtime.stopPodSandbox(sb);
    expect((await rt.runtime.podSandboxStatus(sb)).state).toBe("SANDBOX_NOTREADY");
    await rt.runtime.removePodSandbox(sb);
    expect(rt.storage.keys().filter((k) => !k.startsWith("rt/img/") && k !== "rt/due" && k !== "rt/events")).toEqual([]);
    expect(await rt.runtime.listPodSandbox()).toEqual([]);
    expect(await rt.runtime.nextEventAt()).toBeNull();
  });

  it("serves a sidecar's file from nginx through a shared volume", async () => {
    const rt = testRuntime();
    await rt.images.pullImage("busybox");
    await rt.images.pullImage("nginx");
    const sb = await rt.runtime.runPodSandbox(sandboxConfig("web", "10.244.1.10", { volumes: [{ name: "html" }] }));
    const web = await rt.runtime.createContainer(sb, container("nginx", "nginx", { mounts: [{ containerPath: "/usr/share/nginx/html", volume: "html" }] }));
    const side = await rt.runtime.createContainer(sb, container("writer", "busybox", { command: ["sh", "-c", "while true; do date >> /html/index.html; sleep 10; done"], mounts: [{ containerPath: "/html", volume: "html" }] }));
    await rt.runtime.startContainer(web);
    await rt.runtime.startContainer(side);
    rt.clock.advance(25_000);
    const r = await rt.runtime.podHttp(sb, 80, { headers: { "User-Agent": "curl/8.5.0" } });
    expect(r.kind === "response" && r.response.body).toBe("Tue Nov 25 09:19:00 UTC 2025\nTue Nov 25 09:19:10 UTC 2025\nTue Nov 25 09:19:20 UTC 2025\n");
    const access = (await rt.runtime.containerLogs(web)).at(-1)!;
    expect(access).toEqual({ time: rt.clock.now(), stream: "stdout", text: '10.244.1.1 - - [25/Nov/2025:09:19:25 +0000] "GET / HTTP/1.1" 200 87 "-" "curl/8.5.0" "-"' });
    // The writer's loop never ends by itself: no alarm for it.
    expect(await rt.runtime.nextEventAt()).toBeNull();
  });
});
