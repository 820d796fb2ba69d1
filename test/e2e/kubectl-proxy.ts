// `kubectl proxy` as a person runs it in a second terminal.
import { spawn, type ChildProcess } from "node:child_process";
import { kubectlArgs, kubectlEnv, type Cluster } from "./cluster";

export interface Proxy {
  url: string;
  stop(): void;
}

export async function startProxy(c: Cluster): Promise<Proxy> {
  const child: ChildProcess = spawn("kubectl", kubectlArgs(c, ["proxy", "--port=0"]), {
    env: kubectlEnv(c),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`kubectl proxy did not start: ${out}`)), 90_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /Starting to serve on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
  });
  return { url, stop: () => child.kill() };
}
