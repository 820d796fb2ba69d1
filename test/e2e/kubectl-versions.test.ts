// Every kubectl bundled beside the one on the PATH (1.27 to 1.33) through the
// tutorial's core commands against one cluster, each version in a namespace of its own
// and all at once. 1.27 and 1.28 read /openapi/v2 (protobuf) for `apply`; exec streams
// over WebSocket from 1.30, and before that kubectl speaks SPDY/3.1, which a Worker
// cannot serve: those versions print the server's Status telling them what to use.
// attach streams over WebSocket from 1.30 too; port-forward from 1.31 (SPDY/3.1 tunneled
// in a WebSocket), and before that it is refused with the same clear words.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFile, spawn } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { startCluster, eventually, kubectlArgs, kubectlEnv, type Cluster } from "./cluster";

const VERSIONS = [27, 28, 29, 30, 31, 32, 33];
/** The first version whose kubectl streams exec over WebSocket by default. */
const EXEC_OVER_WEBSOCKET = 30;
/** The first kubectl that attaches over WebSocket (before it: SPDY only). */
const ATTACH_OVER_WEBSOCKET = 30;
/** The first kubectl whose port-forward tunnels SPDY through a WebSocket by default. */
const PORT_FORWARD_OVER_WEBSOCKET = 31;

const SPDY_REFUSAL =
  "Error from server (BadRequest): unable to upgrade connection: this server cannot serve SPDY/3.1; exec is served over WebSocket (v5.channel.k8s.io) only: use kubectl 1.30 or newer (kubectl 1.29: set KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true)";

/** The bundled kubectl.1.NN binaries sit beside the real kubectl the PATH leads to. */
function bundledDir(): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, "kubectl");
    if (existsSync(candidate)) return dirname(realpathSync(candidate));
  }
  throw new Error("no kubectl on the PATH");
}

const manifest = (replicas: number, greeting: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
        env:
        - {name: GREETING, value: ${greeting}}
`;

interface Run {
  stdout: string;
  stderr: string;
  code: number;
}

describe("kubectl 1.27 to 1.33", () => {
  let c: Cluster;
  const dir = bundledDir();
  /** version -> command -> "works" or "refused (clear Status)", printed at the end. */
  const matrix = new Map<number, Map<string, string>>();

  beforeAll(async () => {
    c = await startCluster();
    await eventually(async () => (await c.api<{ items: unknown[] }>("/api/v1/nodes")).body.items.length >= 3, 60_000, "3 nodes");
  });
  afterAll(async () => {
    const commands = [...(matrix.get(VERSIONS[0])?.keys() ?? [])];
    if (commands.length) {
      const rows = [...matrix].sort(([a], [b]) => a - b).map(([v, m]) => `| 1.${v} | ${commands.map((cmd) => m.get(cmd) ?? "-").join(" | ")} |`);
      console.log([`| kubectl | ${commands.join(" | ")} |`, `| --- |${commands.map(() => " --- |").join("")}`, ...rows].join("\n"));
    }
    await c?.stop();
  });

  describe.concurrent.each(VERSIONS)("kubectl 1.%i", (v) => {
    const ns = `kubectl-1-${v}`;
    const record = (cmd: string, outcome: string) => {
      if (!matrix.has(v)) matrix.set(v, new Map());
      matrix.get(v)!.set(cmd, outcome);
    };
    const kubectl = (args: string[], input?: string, timeoutMs = 60_000): Promise<Run> =>
      new Promise((resolve) => {
        const child = execFile(join(dir, `kubectl.1.${v}`), kubectlArgs({ kubeconfig: c.kubeconfig, dir: join(c.dir, `v${v}`) }, args), { env: kubectlEnv(c), timeout: timeoutMs }, (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
          resolve({ stdout, stderr, code });
        });
        child.stdin?.end(input ?? "");
      });
    /** Runs a command that must succeed, and records it. */
    const works = async (name: string, args: string[], input?: string): Promise<string> => {
      const r = await kubectl(args, input);
      expect(r.code, `kubectl 1.${v} ${args.join(" ")}: ${r.stderr}`).toBe(0);
      record(name, "works");
      return r.stdout;
    };

    it("runs the tutorial's commands, or prints a clear refusal", async () => {
      const version = await works("version", ["version"]);
      expect(version).toMatch(new RegExp(`v1\\.${v}\\.\\d+`));
      expect(version).toContain("v1.32.0-edgekube");
      expect(await works("get nodes", ["get", "nodes"])).toMatch(/^node-1\s+Ready\s+/m);

      await works("create namespace", ["create", "namespace", ns]);
      expect(await works("create deployment", ["-n", ns, "create", "deployment", "hello", "--image=nginx:1.27"])).toBe("deployment.apps/hello created\n");

      // apply twice: a create, then a strategic-merge patch of what changed.
      expect(await works("apply -f (create)", ["-n", ns, "apply", "-f", "-"], manifest(1, "hello"))).toBe("deployment.apps/web created\n");
      expect(await works("apply -f (patch)", ["-n", ns, "apply", "-f", "-"], manifest(2, "again"))).toBe("deployment.apps/web configured\n");
      const applied = (await kubectl(["-n", ns, "get", "deployment", "web", "-o", "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].env[0].value}"])).stdout;
      expect(applied).toBe("2 again");
      // 1.27 and 1.28 found the server's field validation in the protobuf OpenAPI v2.
      if (v <= 28) expect(c.logs()).toMatch(/GET \/openapi\/v2 200 OK/);

      // The second apply changed the template: wait until the rollout is over, so both
      // Running pods belong to the new ReplicaSet and none is about to be replaced.
      await works("rollout status", ["-n", ns, "rollout", "status", "deployment/web", "--timeout=120s"]);
      const pods = await eventually(
        async () => {
          const r = await kubectl(["-n", ns, "get", "pods", "-l", "app=web"]);
          const running = r.stdout.split("\n").filter((l) => /\s1\/1\s+Running\s/.test(l));
          return running.length === 2 && running.map((l) => l.split(/\s+/)[0]);
        },
        120_000,
        `kubectl 1.${v}: 2 pods running`,
      );
      record("get pods", "works");
      const pod = pods[0];

      const described = await works("describe pod", ["-n", ns, "describe", "pod", pod]);
      expect(described).toMatch(/^Status:\s+Running$/m);
      expect(described).toMatch(/^Controlled By:\s+ReplicaSet\/web-/m);
      expect(await works("logs", ["-n", ns, "logs", pod])).toContain("/docker-entrypoint.sh");
      expect(await works("explain", ["explain", "deployment.spec.replicas"])).toContain("How many pods to run.");
      expect(await works("explain (OpenAPI v2)", ["explain", "pod.spec.containers.ports", "--output=plaintext-openapiv2"])).toMatch(/RESOURCE: ports <\[\]Object>[\s\S]*Ports the container listens on/);

      const exec = await kubectl(["-n", ns, "exec", pod, "--", "echo", "hi"]);
      if (v >= EXEC_OVER_WEBSOCKET) {
        expect(exec, `kubectl 1.${v} exec`).toEqual({ stdout: "hi\n", stderr: "", code: 0 });
        record("exec", "works");
      } else {
        expect(exec.code).toBe(1);
        expect(exec.stderr.trim()).toBe(SPDY_REFUSAL);
        record("exec", "refused (clear Status)");
      }

      if (v >= ATTACH_OVER_WEBSOCKET) {
        // `run -i --rm` creates a pod whose shell keeps stdin open, attaches, and deletes it after.
        const run = await kubectl(["-n", ns, "run", "once", "-i", "--rm", "--restart=Never", "--image=busybox", "--", "sh"], "echo attached to $(hostname)\n", 120_000);
        expect(run.stdout, `kubectl 1.${v} run -i --rm`).toContain("attached to once\n");
        expect(run.code).toBe(0);
        record("attach (run -i --rm)", "works");
      } else {
        const attach = await kubectl(["-n", ns, "attach", pod], undefined, 20_000);
        expect(attach.code).toBe(1);
        expect(attach.stderr).toContain("Error from server (BadRequest): unable to upgrade connection: this server cannot serve SPDY/3.1; attach is served over WebSocket (v5.channel.k8s.io) only: use kubectl 1.30 or newer");
        record("attach (run -i --rm)", "refused (clear Status)");
      }
      if (v >= PORT_FORWARD_OVER_WEBSOCKET) {
        // kubectl resolves deploy/web to one of its pods; ":80" lets it pick a free local port.
        const child = spawn(join(dir, `kubectl.1.${v}`), kubectlArgs({ kubeconfig: c.kubeconfig, dir: join(c.dir, `v${v}`) }, ["-n", ns, "port-forward", "deploy/web", ":80"]), { env: kubectlEnv(c), stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        child.stdout.on("data", (d) => (out += String(d)));
        const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
        try {
          const local = await eventually(async () => /Forwarding from 127\.0\.0\.1:(\d+) -> 80/.exec(out)?.[1], 30_000, `kubectl 1.${v} port-forward ready`);
          expect(await (await fetch(`http://127.0.0.1:${local}/`)).text()).toContain("Welcome to nginx!");
        } finally {
          child.kill("SIGINT");
        }
        expect(await exited, `kubectl 1.${v} port-forward after Ctrl-C`).toBe(0);
        record("port-forward", "works");
      } else {
        const forward = await kubectl(["-n", ns, "port-forward", pod, ":80"], undefined, 20_000);
        expect(forward.code).toBe(1);
        expect(forward.stderr).toContain(
          "error: error upgrading connection: unable to upgrade connection: this server cannot serve SPDY/3.1; port-forward is served over WebSocket (SPDY/3.1+portforward.k8s.io, v4.channel.k8s.io) only: use kubectl 1.31 or newer",
        );
        record("port-forward", "refused (clear Status)");
      }

      expect(await works("scale", ["-n", ns, "scale", "deployment", "web", "--replicas=3"])).toBe("deployment.apps/web scaled\n");
      expect((await kubectl(["-n", ns, "get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"])).stdout).toBe("3");
      expect(await works("expose", ["-n", ns, "expose", "deployment", "web", "--port=80"])).toBe("service/web exposed\n");
      expect((await kubectl(["-n", ns, "get", "service", "web", "-o", "jsonpath={.spec.clusterIP}"])).stdout).toMatch(/^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/); // 10.96.0.0/12
      expect(await works("delete", ["-n", ns, "delete", "deployment", "web"])).toBe('deployment.apps "web" deleted\n');
    }, 240_000);
  });
});
