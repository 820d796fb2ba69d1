// A test cluster's port is drawn, let go and then bound by wrangler dev; on a busy
// machine another process can bind it in between. The start must see wrangler's
// "Address already in use" and come up on another port instead of failing the file.
import { describe, it, expect, vi, afterAll } from "vitest";
import { createServer, type Server } from "node:net";
import { readFileSync } from "node:fs";

const held: Server = createServer();
const heldPort = await new Promise<number>((resolve) => held.listen(0, "127.0.0.1", () => resolve((held.address() as { port: number }).port)));

// The first draw hands out the port this file holds; later draws are the real ones.
vi.mock("../../scripts/free-port.mjs", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../scripts/free-port.mjs")>();
  let first = true;
  return {
    ...real,
    freePort: async () => {
      if (!first) return real.freePort();
      first = false;
      return heldPort;
    },
  };
});

const { startCluster } = await import("./cluster");

describe("starting a test cluster", () => {
  let stop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await stop?.();
    held.close();
  });

  it("a port taken before wrangler binds it: the cluster starts on another and its kubeconfig says so", async () => {
    const c = await startCluster();
    stop = () => c.stop();
    expect(c.logs()).toMatch(/Address already in use \(127\.0\.0\.1:\d+\)/);
    expect(c.port).not.toBe(heldPort);
    expect(readFileSync(c.kubeconfig, "utf8")).toContain(`server: https://127.0.0.1:${c.port}\n`);
    const { stdout } = await c.kubectl(["get", "namespace", "default", "-o", "jsonpath={.status.phase}"]);
    expect(stdout).toBe("Active");
  });
});
