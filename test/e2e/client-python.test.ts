// Exec through the official Python client that Debian ships (python3-kubernetes v22,
// which speaks v4.channel.k8s.io): exit codes, stdin echoed line by line while the
// stream stays open, a shell reading its commands from stdin, a pipe through gzip.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { startCluster, eventually, LOCAL_TOKEN, type Cluster } from "./cluster";

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL("./python/exec_checks.py", import.meta.url));
// Debian's interpreter, where python3-kubernetes is installed (not a python3 earlier on PATH).
const PYTHON = "/usr/bin/python3";

interface Checks {
  exit: { open: boolean; code: number | null; stdout: string; stderr: string };
  cat: string[];
  shell: { stdout: string; stderr: string; gzip: string; gzipBytes: string; open: boolean; code: number | null };
}

describe("the official Python client", () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster();
    await c.kubectl(["run", "py", "--image=busybox:1.37", "--restart=Never", "--", "sleep", "3600"]);
    await eventually(async () => (await c.kubectl(["get", "pod", "py", "-o", "jsonpath={.status.phase}"])).stdout === "Running", 90_000, "pod py Running");
  });
  afterAll(async () => {
    await c?.stop();
  });

  it("execs with exit codes, streamed stdin and a pipe through gzip", async () => {
    const { stdout } = await run(PYTHON, [SCRIPT, c.url, LOCAL_TOKEN, "py"], { timeout: 170_000, env: { ...process.env, PYTHONWARNINGS: "ignore" } });
    const r = JSON.parse(stdout.trim().split("\n").pop()!) as Checks;
    expect(r.exit).toEqual({ open: false, code: 7, stdout: "out\n", stderr: "err\n" });
    expect(r.cat).toEqual(["first line", "second line"]);
    expect(r.shell).toMatchObject({ stdout: "test string 1", stderr: "test string 2", gzip: "through gzip", open: false, code: 3 });
    // gzip's header and trailer alone are 18 bytes: the text really went through it.
    expect(Number(r.shell.gzipBytes.trim())).toBeGreaterThan(18);
  });
});
