// Driving `kubectl exec -ti` as a person at a terminal does: kubectl only uses a tty
// when its stdin is one, so it runs under `script` (a pseudo-terminal), and each line
// is typed after the shell's prompt shows, as a person would wait for it.
import { execFile, spawn } from "node:child_process";
import { kubectlArgs, kubectlEnv, type Cluster } from "./cluster";

interface TtyRun {
  /** What the terminal showed (CRLF line ends, as a terminal gets them). */
  output: string;
  code: number;
}

export async function typeInto(c: Cluster, args: string[], lines: string[], prompt: RegExp, timeoutMs = 60_000): Promise<TtyRun> {
  const kubectl = ["kubectl", ...kubectlArgs(c, args)].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const child = spawn("script", ["-qec", kubectl, "/dev/null"], { env: kubectlEnv(c, { TERM: "xterm" }), stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  let waiter: (() => void) | undefined;
  const onData = (d: Buffer) => {
    output += d.toString();
    waiter?.();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  let seen = 0;
  for (const line of lines) {
    // Wait for the next prompt (one more than the lines typed so far).
    await Promise.race([
      new Promise<void>((resolve) => {
        waiter = () => {
          if ((output.match(new RegExp(prompt.source, "g")) ?? []).length > seen) resolve();
        };
        waiter();
      }),
      exited,
    ]);
    seen++;
    child.stdin.write(line + "\r");
  }
  const code = await exited;
  clearTimeout(timer);
  child.stdin.end();
  return { output, code };
}

/** kubectl with bytes in and out (exec carrying binary data), not text. */
export function kubectlBytes(c: Cluster, args: string[], input?: Buffer): Promise<{ stdout: Buffer; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const child = execFile(
      "kubectl",
      kubectlArgs(c, args),
      { encoding: "buffer", maxBuffer: 64 * 1024 * 1024, timeout: 120_000, env: kubectlEnv(c) },
      (err, stdout, stderr) => resolve({ stdout, stderr: stderr.toString(), code: err ? (typeof err.code === "number" ? err.code : 1) : 0 }),
    );
    child.stdin?.end(input);
  });
}
