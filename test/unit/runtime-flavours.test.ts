// containerd and CRI-O behind one interface: what a node reports, container IDs as pod
// status shows them, image IDs, and the same model underneath.
import { describe, expect, it } from "vitest";
import { createRuntime, MemoryRuntimeStorage, stripPrefix, type RuntimeKind } from "../../src/node/runtime";
import { fakeClock, sandboxConfig, testRuntime } from "../../src/node/runtime/testing";

describe.each([
  ["containerd", "containerd://2.1.4", "v2.1.4", /^containerd:\/\/[0-9a-f]{64}$/],
  ["cri-o", "cri-o://1.33.2", "1.33.2", /^cri-o:\/\/[0-9a-f]{64}$/],
] as const)("%s", (kind, nodeVersion, criVersion, idPattern) => {
  it("reports its name and version", async () => {
    const rt = testRuntime(kind as RuntimeKind);
    expect(rt.runtimeVersion).toBe(nodeVersion);
    expect(await rt.runtime.version()).toEqual({ version: "0.1.0", runtimeName: kind, runtimeVersion: criVersion, runtimeApiVersion: "v1" });
  });

  it("names containers and images as pod status shows them", async () => {
    const rt = testRuntime(kind as RuntimeKind);
    const imageRef = await rt.images.pullImage("nginx:1.27");
    expect(imageRef).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    const sb = await rt.runtime.runPodSandbox(sandboxConfig("web"));
    expect(sb).toMatch(/^[0-9a-f]{64}$/);
    const id = await rt.runtime.createContainer(sb, { metadata: { name: "nginx", attempt: 0 }, image: "nginx:1.27" });
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    await rt.runtime.startContainer(id);
    const st = await rt.runtime.containerStatus(id);
    expect(st.containerID).toMatch(idPattern);
    expect(st.containerID).toBe(rt.containerIdPrefix + id);
    expect(st.imageRef).toBe(imageRef);
    expect(st.image.image).toBe("nginx:1.27");
    // Either form of the ID works in every call.
    expect((await rt.runtime.containerStatus(st.containerID)).id).toBe(id);
    expect(stripPrefix(st.containerID)).toBe(id);
    const r = await rt.runtime.execSync(st.containerID, ["printenv", "NGINX_VERSION"]);
    expect(r).toEqual({ stdout: "1.27.5\n", stderr: "", exitCode: 0 });
  });
});

it("gives different IDs on different nodes and the same imageID for the same image", async () => {
  const a = createRuntime("containerd", { storage: new MemoryRuntimeStorage(), now: fakeClock().now });
  const b = createRuntime("cri-o", { storage: new MemoryRuntimeStorage(), now: fakeClock().now });
  expect(await a.images.pullImage("busybox:1.36")).toBe(await b.images.pullImage("busybox:1.36"));
  const sa = await a.runtime.runPodSandbox(sandboxConfig("x"));
  const sb = await b.runtime.runPodSandbox(sandboxConfig("x"));
  expect(sa).not.toBe(sb);
});

it("rejects an unknown runtime kind", () => {
  expect(() => createRuntime("docker" as RuntimeKind, { storage: new MemoryRuntimeStorage(), now: Date.now })).toThrow(/unknown container runtime/);
});
