// Starts a real local cluster (`npm run dev` = D1 migrations + `wrangler dev` over
// https) on its own port with its own state directory, and drives it with the real
// kubectl through a kubeconfig written for that port.
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort, portTaken } from "../../scripts/free-port.mjs";

const run = promisify(execFile);
const ROOT = new URL("../..", import.meta.url).pathname;

export const LOCAL_TOKEN = /API_TOKEN=(.*)/.exec(readFileSync(join(ROOT, ".dev.vars"), "utf8"))![1].trim();

/** The README's fast lifecycle profile: a failure noticed in 6 s, pods evicted 5 s later. */
export const FAST_PROFILE = {
  NODE_MONITOR_GRACE_PERIOD: "6s",
  NODE_LEASE_DURATION_SECONDS: "4",
  NODE_LEASE_RENEW_INTERVAL: "2s",
  NODE_LEASE_WRITE_INTERVAL: "4s",
  DEFAULT_NOT_READY_TOLERATION_SECONDS: "5",
  DEFAULT_UNREACHABLE_TOLERATION_SECONDS: "5",
};

export interface Cluster {
  port: number;
  url: string;
  kubeconfig: string;
  dir: string;
  kubectl(args: string[], opts?: { input?: string; allowFail?: boolean; timeoutMs?: number }): Promise<{ stdout: string; stderr: string; code: number }>;
  /** Authenticated JSON request straight to the API. */
  api<T = unknown>(path: string, init?: RequestInit): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
  /** Stop `wrangler dev` and start it again on the same port and state. */
  restart(): Promise<void>;
  logs(): string;
}

// wrangler dev serves a self-signed certificate.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";

function spawnDev(port: number, dir: string, varArgs: string[], onOutput: (s: string) => void): ChildProcess {
  const child = spawn(
    process.execPath,
    [join(ROOT, "scripts/dev.mjs"), "--port", String(port), "--persist-to", join(dir, "state"), "--inspector-port", "0", ...varArgs],
    { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", FORCE_COLOR: "0" }, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  child.stdout?.on("data", (d) => onOutput(String(d)));
  child.stderr?.on("data", (d) => onOutput(String(d)));
  return child;
}

/** wrangler dev stopped because something else holds its port: start it on another. */
class PortTakenError extends Error {}

async function waitUp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) {
      const out = output();
      if (portTaken(out)) throw new PortTakenError(`wrangler dev found its port taken:\n${out}`);
      throw new Error(`wrangler dev exited early:\n${out}`);
    }
    try {
      const res = await fetch(`${url}/version`);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`wrangler dev did not start:\n${output()}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function killGroup(child: ChildProcess): Promise<void> {
  if (!child.pid || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    /* already gone */
  }
  await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    /* already gone */
  }
}

/** kubectl's arguments against a cluster: its kubeconfig and a discovery cache of its own. */
export function kubectlArgs(c: Pick<Cluster, "kubeconfig" | "dir">, args: string[]): string[] {
  return ["--kubeconfig", c.kubeconfig, "--cache-dir", join(c.dir, "kube-cache"), ...args];
}

/** The environment kubectl runs in for a cluster (a HOME of the cluster's, nothing of the user's). */
export function kubectlEnv(c: Pick<Cluster, "kubeconfig" | "dir">, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, HOME: c.dir, KUBECONFIG: c.kubeconfig, ...extra };
}

/** How many ports a start tries before it gives up. */
const START_ATTEMPTS = 5;

export async function startCluster(vars: Record<string, string> = {}): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), "edgekube-e2e-"));
  const varArgs = Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  let output = "";
  // One spawn's output, so a retry judges only what the latest wrangler printed.
  const launch = async (port: number): Promise<ChildProcess> => {
    const from = output.length;
    const child = spawnDev(port, dir, varArgs, (s) => (output += s));
    try {
      await waitUp(`https://127.0.0.1:${port}`, child, () => output.slice(from));
      return child;
    } catch (e) {
      await killGroup(child);
      throw e;
    }
  };

  const onFreePort = async (): Promise<{ port: number; child: ChildProcess }> => {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        return { port, child: await launch(port) };
      } catch (e) {
        if (!(e instanceof PortTakenError) || attempt >= START_ATTEMPTS) throw e;
      }
    }
  };
  const started = await onFreePort();
  const port = started.port;
  let child = started.child;
  const url = `https://127.0.0.1:${port}`;
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      "- name: e2e",
      "  cluster:",
      `    server: ${url}`,
      "    insecure-skip-tls-verify: true",
      "users:",
      "- name: e2e",
      "  user:",
      `    token: ${LOCAL_TOKEN}`,
      "contexts:",
      "- name: e2e",
      "  context: {cluster: e2e, user: e2e, namespace: default}",
      "current-context: e2e",
      "",
    ].join("\n"),
  );

  const cluster: Cluster = {
    port,
    url,
    kubeconfig,
    dir,
    async kubectl(args, opts = {}) {
      try {
        const p = run("kubectl", kubectlArgs({ kubeconfig, dir }, args), {
          timeout: opts.timeoutMs ?? 60_000,
          env: kubectlEnv({ kubeconfig, dir }),
          maxBuffer: 16 * 1024 * 1024,
        });
        if (opts.input !== undefined) p.child.stdin?.end(opts.input);
        const { stdout, stderr } = await p;
        return { stdout, stderr, code: 0 };
      } catch (e) {
        const err = e as { stdout?: string; stderr?: string; code?: number };
        if (!opts.allowFail) throw new Error(`kubectl ${args.join(" ")} failed (${err.code}):\n${err.stderr}\n${err.stdout}`);
        return { stdout: err.stdout ?? "", stderr: err.stderr ?? "", code: typeof err.code === "number" ? err.code : 1 };
      }
    },
    async api(path, init = {}) {
      const res = await fetch(url + path, { ...init, headers: { authorization: `Bearer ${LOCAL_TOKEN}`, "content-type": "application/json", ...(init.headers ?? {}) } });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as never };
    },
    async stop() {
      await killGroup(child);
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await killGroup(child);
      // The same port, as the kubeconfig and the test hold it: if another start drew it
      // while it was free, wait for that one to move on (its own retry takes another).
      const deadline = Date.now() + 60_000;
      for (;;) {
        try {
          child = await launch(port);
          return;
        } catch (e) {
          if (!(e instanceof PortTakenError) || Date.now() > deadline) throw e;
          await new Promise((r) => setTimeout(r, 1_000));
        }
      }
    },
    logs: () => output,
  };
  return cluster;
}

/** Poll until `check` returns a truthy value (or throw with the last value seen). */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 60_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
