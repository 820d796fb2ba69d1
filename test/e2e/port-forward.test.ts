// `kubectl port-forward` (1.31+: SPDY/3.1 tunneled in a WebSocket) and the Python
// client's portforward (v4.channel.k8s.io) against one cluster: nginx's page through a
// local port, sequential, kept-alive and concurrent connections, a Service resolved to
// its pod by kubectl, Ctrl-C, and the runtime's error for a port nobody listens on,
// which makes kubectl drop the session as upstream's does.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { startCluster, eventually, kubectlArgs, kubectlEnv, LOCAL_TOKEN, type Cluster } from "./cluster";
import { freePort, portTaken } from "../../scripts/free-port.mjs";

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL("./python/portforward_checks.py", import.meta.url));
const PYTHON = "/usr/bin/python3";

interface Forward {
  child: ChildProcess;
  /** The local port forwarded to each remote port asked for, in order. */
  locals: number[];
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** `kubectl port-forward TARGET LOCAL:REMOTE...` on free local ports, once it says it is forwarding every one. */
async function portForward(c: Cluster, target: string, remotes: number[]): Promise<Forward> {
  for (let attempt = 1; ; attempt++) {
    const locals: number[] = [];
    for (const _ of remotes) locals.push(await freePort());
    const child = spawn("kubectl", kubectlArgs(c, ["port-forward", target, ...remotes.map((r, i) => `${locals[i]}:${r}`)]), { env: kubectlEnv(c), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout!.on("data", (d) => (out += String(d)));
    child.stderr!.on("data", (d) => (err += String(d)));
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    forwards.push(child);
    // A Service's port is shown as the pod's port kubectl resolved it to.
    await eventually(async () => locals.every((l) => out.includes(`Forwarding from 127.0.0.1:${l} -> `)) || child.exitCode !== null || portTaken(err), 30_000, `port-forward ${target} ready`);
    // Another process bound a drawn port between the draw and kubectl's listen: draw again.
    if (portTaken(err) && attempt < 5) {
      child.kill("SIGKILL");
      await exited;
      continue;
    }
    expect(child.exitCode, err).toBeNull();
    return { child, locals, stdout: () => out, stderr: () => err, exited };
  }
}

const forwards: ChildProcess[] = [];

describe("port-forward", () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster();
    await c.kubectl(["run", "web", "--image=nginx:1.27", "--port=80"]);
    await c.kubectl(["expose", "pod", "web", "--port=8080", "--target-port=80"]);
    await eventually(async () => (await c.kubectl(["get", "pod", "web", "-o", "jsonpath={.status.phase}"])).stdout === "Running", 90_000, "pod web Running");
  }, 150_000);
  afterAll(async () => {
    for (const f of forwards) if (f.exitCode === null) f.kill("SIGKILL");
    await c?.stop();
  });

  it("kubectl port-forward pod/web LOCAL:80 LOCAL2:80: nginx's page, connection after connection, several at once; Ctrl-C ends it", async () => {
    const f = await portForward(c, "pod/web", [80, 80]);
    const [local, second] = f.locals;
    for (let i = 0; i < 3; i++) {
      // fetch keeps its connection alive: these share one forwarded connection or several.
      const res = await fetch(`http://127.0.0.1:${local}/`);
      expect(res.status).toBe(200);
      expect(res.headers.get("server")).toMatch(/^nginx\//);
      expect(await res.text()).toContain("<title>Welcome to nginx!</title>");
    }
    const many = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => fetch(`http://127.0.0.1:${i % 2 ? local : second}/missing-${i}`, { headers: { connection: "close" } })));
    expect(many.map((r) => r.status)).toEqual([404, 404, 404, 404, 404, 404]);
    await Promise.all(many.map((r) => r.text()));
    expect(f.stdout()).toContain(`Handling connection for ${local}`);
    f.child.kill("SIGINT");
    expect(await f.exited).toBe(0);
    expect(f.stderr()).toBe("");
    // nginx logged each request as coming from inside the pod.
    const log = (await c.kubectl(["logs", "web"])).stdout;
    expect(log).toMatch(/^127\.0\.0\.1 - - \[[^\]]+\] "GET \/missing-6 HTTP\/1\.1" 404 /m);
  }, 90_000);

  it("svc/web: kubectl resolves the Service to its pod and its targetPort", async () => {
    const f = await portForward(c, "svc/web", [8080]);
    const [local] = f.locals;
    expect(f.stdout()).toContain(`Forwarding from 127.0.0.1:${local} -> 80\n`);
    const res = await fetch(`http://127.0.0.1:${local}/`);
    expect(await res.text()).toContain("Welcome to nginx!");
    f.child.kill("SIGINT");
    expect(await f.exited).toBe(0);
  }, 60_000);

  it("a port nobody listens on: kubectl prints the runtime's error and loses the connection to the pod", async () => {
    const f = await portForward(c, "pod/web", [81]);
    const [local] = f.locals;
    await fetch(`http://127.0.0.1:${local}/`).then(
      (r) => r.text(),
      () => "",
    );
    expect(await f.exited).toBe(1);
    // The node's runtime words it (containerd or CRI-O); the kubelet's prefix and kubectl's around it.
    expect(f.stderr()).toMatch(new RegExp(`an error occurred forwarding ${local} -> 81: error forwarding port 81 to pod [0-9a-f]{64}, uid : .*failed to connect to localhost:81 inside namespace .*connect: connection refused`));
    expect(f.stderr()).toContain("error: lost connection to pod");
  }, 60_000);

  it("the Python client's portforward reads nginx's page (v4.channel.k8s.io)", async () => {
    const { stdout } = await run(PYTHON, [SCRIPT, c.url, LOCAL_TOKEN, "web"], { timeout: 60_000, env: { ...process.env, PYTHONWARNINGS: "ignore" } });
    expect(JSON.parse(stdout.trim().split("\n").pop()!)).toEqual({ status: "HTTP/1.1 200 OK", welcome: true, error: null });
  }, 60_000);
});
