// Binary files of megabytes in a node's real Durable Object storage: a 5 MiB file of
// random bytes written through exec's stdin and read back byte for byte (through
// decodeBytes/encodeBytes, as the exec endpoint converts), in a volume and in the
// writable layer, stored in chunks that each fit a stored value, and still there after
// the object is evicted and comes back.
import { describe, it, expect, beforeAll } from "vitest";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import type { NodeAgent } from "../../src/node/node-agent";
import type { Runtime } from "../../src/node/runtime";
import { serializedSizeBound } from "../../src/node/runtime/storage";
import { decodeBytes, encodeBytes } from "../../src/util/byte-text";
import { FakeClock, boundPod, createPod, runUntil, startNode, type AgentStub } from "./node-helpers";

const clock = new FakeClock();
const NODE = "kn-binary";
const MiB = 1024 * 1024;
let node: AgentStub;

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

const runtimeOf = (inst: NodeAgent) => (inst as unknown as { kubelet(): { runtime(): Runtime | undefined } }).kubelet().runtime()!;

async function containerId(): Promise<string> {
  return runInDurableObject(node, async (inst: NodeAgent) => {
    const running = await runtimeOf(inst).runtime.listContainers({ state: "CONTAINER_RUNNING" });
    return running.find((c) => c.labels["io.kubernetes.pod.name"] === "files")!.id;
  });
}

/** Run a command in the pod's container, stdin and stdout as bytes. */
async function exec(id: string, cmd: string[], stdin?: Uint8Array): Promise<{ stdout: Uint8Array; stderr: string; exitCode: number }> {
  return runInDurableObject(node, async (inst: NodeAgent) => {
    const r = await runtimeOf(inst).runtime.execSync(id, cmd, stdin ? { stdin: decodeBytes(stdin) } : {});
    return { stdout: encodeBytes(r.stdout), stderr: r.stderr, exitCode: r.exitCode };
  });
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

beforeAll(async () => {
  node = await startNode(NODE, clock);
  await createPod(
    boundPod("files", NODE, {
      volumes: [{ name: "data", emptyDir: {} }],
      containers: [{ name: "box", image: "busybox:1.37", command: ["sleep", "3600"], volumeMounts: [{ name: "data", mountPath: "/data" }] }],
    }),
  );
  await node.poke();
  await runUntil(node, clock, clock.t + 5_000);
});

describe("a 5 MiB binary file", () => {
  it("round-trips through exec's stdin and stdout, in a volume and in the writable layer, across an eviction", async () => {
    const data = randomBytes(5 * MiB);
    const id = await containerId();
    for (const path of ["/data/blob", "/tmp/blob"]) {
      expect(await exec(id, ["sh", "-c", `cat > ${path}`], data)).toEqual({ stdout: new Uint8Array(0), stderr: "", exitCode: 0 });
      const back = await exec(id, ["cat", path]);
      expect(back.exitCode).toBe(0);
      expect(same(back.stdout, data)).toBe(true);
    }
    expect(new TextDecoder().decode((await exec(id, ["wc", "-c", "/data/blob"])).stdout)).toBe("5242880 /data/blob\n");

    // No stored value anywhere near the 2 MB a SQLite-backed object accepts.
    const largest = await runInDurableObject(node, (_inst: NodeAgent, state) => {
      let max = 0;
      for (const [, v] of state.storage.kv.list({ prefix: "rt/" })) max = Math.max(max, serializedSizeBound(v));
      return max;
    });
    expect(largest).toBeLessThan(1.1 * MiB);

    await evictDurableObject(node);
    await runInDurableObject(node, (inst: NodeAgent) => inst.useClock(clock.now));
    for (const path of ["/data/blob", "/tmp/blob"]) expect(same((await exec(id, ["cat", path])).stdout, data)).toBe(true);
  });
});
