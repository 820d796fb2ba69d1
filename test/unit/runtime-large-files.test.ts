// Files of any bytes and of megabytes: written from exec's stdin, read back exactly,
// stored in chunks so that no stored value comes near the platform's limit, still there
// after a restart, and gone with the file, the container or the sandbox.
import { describe, expect, it } from "vitest";
import { sandboxConfig, testRuntime, type TestRuntime } from "../../src/node/runtime/testing";
import { keepTail, MAX_FILE_BYTES } from "../../src/node/runtime/fs";
import { CHUNK_UNITS } from "../../src/node/runtime/file-chunks";
import { byteLength, decodeBytes, encodeBytes } from "../../src/util/byte-text";
import { randomBytes } from "./seeded-bytes";

const MiB = 1024 * 1024;

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

async function busyboxPod(): Promise<{ rt: TestRuntime; sb: string; id: string }> {
  const rt = testRuntime();
  await rt.images.pullImage("busybox");
  const sb = await rt.runtime.runPodSandbox(sandboxConfig("files", "10.244.1.9", { volumes: [{ name: "data" }] }));
  const id = await rt.runtime.createContainer(sb, {
    metadata: { name: "box", attempt: 0 },
    image: "busybox",
    command: ["sleep", "3600"],
    mounts: [{ containerPath: "/data", volume: "data" }],
  });
  await rt.runtime.startContainer(id);
  return { rt, sb, id };
}

const chunkKeys = (rt: TestRuntime) => rt.storage.keys().filter((k) => k.startsWith("rt/chunk/"));

describe("a 5 MiB binary file", () => {
  it.each([
    ["in a volume", "/data/blob"],
    ["in the writable layer", "/tmp/blob"],
  ])("%s: cat > f from stdin, then cat f, byte for byte; also after a restart", async (_where, path) => {
    const { rt, id } = await busyboxPod();
    const data = randomBytes(5 * MiB);
    const put = await rt.runtime.execSync(id, ["sh", "-c", `cat > ${path}`], { stdin: decodeBytes(data) });
    expect(put).toEqual({ stdout: "", stderr: "", exitCode: 0 });
    expect(same(encodeBytes((await rt.runtime.execSync(id, ["cat", path])).stdout), data)).toBe(true);
    expect((await rt.runtime.execSync(id, ["wc", "-c", path])).stdout).toBe(`5242880 ${path}\n`);

    // Stored in chunks, every value well under the 2 MB a Durable Object accepts.
    expect(chunkKeys(rt).length).toBeGreaterThanOrEqual(Math.ceil(decodeBytes(data).length / CHUNK_UNITS));
    expect(rt.storage.largestValue()!.bytes).toBeLessThan(1.1 * MiB);

    const again = rt.restart();
    expect(same(encodeBytes((await again.runtime.execSync(id, ["cat", path])).stdout), data)).toBe(true);
  });

  it("appending a line rewrites only the last chunk", async () => {
    const { rt, id } = await busyboxPod();
    await rt.runtime.execSync(id, ["sh", "-c", "cat > /data/log"], { stdin: "x".repeat(3 * CHUNK_UNITS - 10) });
    const written: string[] = [];
    const put = rt.storage.put.bind(rt.storage);
    rt.storage.put = async (key, value) => {
      if (key.startsWith("rt/chunk/")) written.push(key);
      return put(key, value);
    };
    await rt.runtime.execSync(id, ["sh", "-c", "echo more >> /data/log"]);
    expect(written).toEqual([expect.stringMatching(/\/2$/)]);
    expect((await rt.runtime.execSync(id, ["tail", "-c", "16", "/data/log"])).stdout).toBe("xxxxxxxxxxxmore\n");
  });

  it("its chunks go with the file, with the container, and with the sandbox", async () => {
    const { rt, sb, id } = await busyboxPod();
    const data = decodeBytes(randomBytes(2 * MiB));
    await rt.runtime.execSync(id, ["sh", "-c", "cat > /data/a; cat /data/a > /data/b; cat /data/a > /tmp/c"], { stdin: data });
    const all = chunkKeys(rt).length;
    expect(all).toBeGreaterThanOrEqual(6);
    await rt.runtime.execSync(id, ["rm", "/data/b"]);
    expect(chunkKeys(rt).length).toBe((all / 3) * 2);
    // A small file again: back in its record.
    await rt.runtime.execSync(id, ["sh", "-c", "echo small > /data/a"]);
    expect(chunkKeys(rt).length).toBe(all / 3);
    await rt.runtime.stopContainer(id, 0);
    await rt.runtime.removeContainer(id);
    expect(chunkKeys(rt)).toEqual([]);

    const other = await rt.runtime.createContainer(sb, { metadata: { name: "box", attempt: 1 }, image: "busybox", command: ["sleep", "3600"], mounts: [{ containerPath: "/data", volume: "data" }] });
    await rt.runtime.startContainer(other);
    await rt.runtime.execSync(other, ["sh", "-c", "cat > /data/a"], { stdin: data });
    expect(chunkKeys(rt).length).toBeGreaterThan(0);
    await rt.runtime.stopPodSandbox(sb);
    await rt.runtime.removePodSandbox(sb);
    expect(rt.storage.keys().filter((k) => !k.startsWith("rt/img/") && k !== "rt/due" && k !== "rt/events")).toEqual([]);
  });

  it("many medium files in one volume keep its record small", async () => {
    const { rt, id } = await busyboxPod();
    const text = "y".repeat(12 * 1024 - 1) + "\n";
    await rt.runtime.execSync(id, ["sh", "-c", "cat > /data/seed; for i in $(seq 1 120); do cat /data/seed > /data/f$i; done"], { stdin: text });
    expect(rt.storage.largestValue()!.bytes).toBeLessThan(1.1 * MiB);
    expect((await rt.runtime.execSync(id, ["cat", "/data/f77"])).stdout).toBe(text);
  });
});

describe("the size limit", () => {
  it("is 16 MiB, counted in bytes", () => {
    expect(MAX_FILE_BYTES).toBe(16 * MiB);
  });

  it.each<[string, string, number, string]>([
    ["under the limit: unchanged", "abcdef", 6, "abcdef"],
    ["ASCII: the last bytes", "abcdef", 4, "cdef"],
    ["multi-byte characters are not cut", "aé€", 4, "€"],
    ["nor surrogate pairs", "a😀b", 4, "b"],
    ["escaped bytes count one each", "ab\udcff\udc80", 3, "b\udcff\udc80"],
  ])("keepTail: %s", (_name, text, max, tail) => {
    expect(keepTail(text, max)).toBe(tail);
    expect(byteLength(keepTail(text, max))).toBeLessThanOrEqual(max);
  });

  it("a runaway append keeps the file's tail", async () => {
    const { rt, id } = await busyboxPod();
    const block = "z".repeat(MiB - 1) + "\n";
    await rt.runtime.execSync(id, ["sh", "-c", "cat > /data/block; for i in $(seq 1 17); do cat /data/block >> /data/big; done; echo end >> /data/big"], { stdin: block });
    const size = (await rt.runtime.execSync(id, ["wc", "-c", "/data/big"])).stdout;
    expect(size).toBe(`${MAX_FILE_BYTES} /data/big\n`);
    expect((await rt.runtime.execSync(id, ["tail", "-n", "1", "/data/big"])).stdout).toBe("end\n");
  });
});
