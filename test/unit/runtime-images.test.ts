// Image references, the catalog, pulls and their errors, the image cache.
import { describe, expect, it } from "vitest";
import { isLatest, parseImageRef, resolveImage } from "../../src/node/images";
import { isCriError } from "../../src/node/runtime";
import { sandboxConfig, testRuntime } from "../../src/node/runtime/testing";

describe("image references", () => {
  it("normalises like containerd", () => {
    expect(parseImageRef("nginx").normalized).toBe("docker.io/library/nginx:latest");
    expect(parseImageRef("nginx:1.27").normalized).toBe("docker.io/library/nginx:1.27");
    expect(parseImageRef("jocatalin/kubernetes-bootcamp:v2").normalized).toBe("docker.io/jocatalin/kubernetes-bootcamp:v2");
    expect(parseImageRef("gcr.io/google-samples/kubernetes-bootcamp:v1").normalized).toBe("gcr.io/google-samples/kubernetes-bootcamp:v1");
    expect(parseImageRef("localhost:5000/app").normalized).toBe("localhost:5000/app:latest");
    expect(() => parseImageRef("Nginx")).toThrow(/must be lowercase/);
  });

  it("knows which references are :latest", () => {
    expect(isLatest("nginx")).toBe(true);
    expect(isLatest("nginx:latest")).toBe(true);
    expect(isLatest("nginx:1.27")).toBe(false);
    expect(isLatest(`nginx@sha256:${"a".repeat(64)}`)).toBe(false);
  });

  it("resolves aliases to one image with a stable digest", () => {
    const a = resolveImage("nginx:1.27");
    const b = resolveImage("docker.io/library/nginx:1.27.5");
    if (!a.ok || !b.ok) throw new Error("unresolved");
    expect(a.image.digest).toBe(b.image.digest);
    expect(a.image.repoDigest).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    const byDigest = resolveImage(`nginx@${a.image.digest}`);
    expect(byDigest.ok && byDigest.image.config.canonical).toBe(a.image.config.canonical);
    expect(resolveImage("nginx:alpine").ok).toBe(true);
    expect(resolveImage("busybox:1.36").ok).toBe(true);
    expect(resolveImage("redis:7").ok).toBe(true);
    expect(resolveImage("ghcr.io/edgekube/crasher:latest").ok).toBe(true);
  });
});

describe("pulling", () => {
  it("returns the image by digest and records it", async () => {
    const { images } = testRuntime();
    const ref = await images.pullImage("gcr.io/google-samples/kubernetes-bootcamp:v1");
    expect(ref).toBe("gcr.io/google-samples/kubernetes-bootcamp@sha256:0d6b8ee63bb57c5f5b6156f446b3bc3b3c143d233037f3a2f00e279c8fcc64af");
    const st = await images.imageStatus("gcr.io/google-samples/kubernetes-bootcamp:v1");
    expect(st?.repoTags).toEqual(["gcr.io/google-samples/kubernetes-bootcamp:v1"]);
    expect(st?.size).toBeGreaterThan(0);
    expect(await images.imageStatus("nginx")).toBeNull();
  });

  it("keeps one image for two tags of it, and forgets it on removal", async () => {
    const { images } = testRuntime();
    await images.pullImage("nginx:1.27");
    await images.pullImage("nginx:1.27.5");
    const list = await images.listImages();
    expect(list).toHaveLength(1);
    expect(list[0].repoTags.sort()).toEqual(["docker.io/library/nginx:1.27", "docker.io/library/nginx:1.27.5"]);
    // Same image, but pulled under other names only: nginx:latest is not present.
    expect(await images.imageStatus("nginx:latest")).toBeNull();
    await images.removeImage("nginx:1.27");
    expect(await images.listImages()).toEqual([]);
  });

  it("fails an unknown tag like containerd", async () => {
    const { images } = testRuntime("containerd");
    const err = await images.pullImage("docker.io/jocatalin/kubernetes-bootcamp:v10").catch((e: unknown) => e);
    expect(isCriError(err, "ImageNotFound")).toBe(true);
    expect(String((err as Error).message)).toBe(
      'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/jocatalin/kubernetes-bootcamp:v10": failed to resolve reference "docker.io/jocatalin/kubernetes-bootcamp:v10": docker.io/jocatalin/kubernetes-bootcamp:v10: not found',
    );
  });

  it("fails an unknown repository like Docker Hub answers containerd", async () => {
    const { images } = testRuntime("containerd");
    await expect(images.pullImage("foo")).rejects.toThrow(
      'rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/foo:latest": failed to resolve reference "docker.io/library/foo:latest": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
    );
  });

  it("fails with CRI-O's wording on a CRI-O node", async () => {
    const { images } = testRuntime("cri-o");
    await expect(images.pullImage("nginx:v10")).rejects.toThrow(
      "rpc error: code = Unknown desc = initializing source docker://docker.io/library/nginx:v10: reading manifest v10 in docker.io/library/nginx: manifest unknown",
    );
  });

  it("rejects a reference that does not parse", async () => {
    const { images } = testRuntime();
    const err = await images.pullImage("Bad:Name").catch((e: unknown) => e);
    expect(isCriError(err, "InvalidImageName")).toBe(true);
  });
});

describe("the tutorial's images run as the tutorial shows them", () => {
  it.each([
    ["gcr.io/google-samples/kubernetes-bootcamp:v1", "v=1"],
    ["docker.io/jocatalin/kubernetes-bootcamp:v2", "v=2"],
    ["jocatalin/kubernetes-bootcamp:v2", "v=2"],
  ])("%s answers %s on 8080", async (image, version) => {
    const rt = testRuntime();
    await rt.images.pullImage(image);
    const sb = await rt.runtime.runPodSandbox(sandboxConfig("kubernetes-bootcamp-7d44784b7c-x2x9q"));
    const c = await rt.runtime.createContainer(sb, { metadata: { name: "app", attempt: 0 }, image });
    await rt.runtime.startContainer(c);
    const r = await rt.runtime.podHttp(sb, 8080);
    expect(r.kind === "response" && r.response.body).toBe(`Hello Kubernetes bootcamp! | Running on: kubernetes-bootcamp-7d44784b7c-x2x9q | ${version}\n`);
  });

  it("redis answers redis-cli and not HTTP", async () => {
    const rt = testRuntime();
    await rt.images.pullImage("redis:7");
    const sb = await rt.runtime.runPodSandbox(sandboxConfig("cache"));
    const c = await rt.runtime.createContainer(sb, { metadata: { name: "redis", attempt: 0 }, image: "redis:7" });
    await rt.runtime.startContainer(c);
    rt.clock.advance(10);
    expect((await rt.runtime.containerLogs(c)).at(-1)!.text).toMatch(/^1:M 25 Nov 2025 09:19:00\.002 \* Ready to accept connections tcp$/);
    expect(await rt.runtime.execSync(c, ["redis-cli", "ping"])).toEqual({ stdout: "PONG\n", stderr: "", exitCode: 0 });
    expect(await rt.runtime.podHttp(sb, 6379)).toEqual({ kind: "not-http" });
    expect((await rt.runtime.containerLogs(c)).at(-1)!.text).toContain("Possible SECURITY ATTACK detected");
  });
});
