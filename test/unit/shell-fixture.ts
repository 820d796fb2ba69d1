// A running container of a busybox image and of a Debian (GNU) one, for tests of the
// shell's commands: `run` executes a command line with `sh -c`, stdin optional.
import { sandboxConfig, testRuntime, type TestRuntime } from "../../src/node/runtime/testing";
import { expect } from "vitest";
import type { ExecSyncResult, NetworkHook } from "../../src/node/runtime";

const IMAGES = { busybox: "busybox:1.37", gnu: "nginx:1.27" } as const;
export type Userland = keyof typeof IMAGES;

interface Box {
  rt: TestRuntime;
  id: string;
  run(script: string, stdin?: string): Promise<ExecSyncResult>;
}

export async function box(userland: Userland, opts: { image?: string; network?: NetworkHook; podIP?: string; name?: string } = {}): Promise<Box> {
  const rt = testRuntime("containerd", { network: opts.network });
  const image = opts.image ?? IMAGES[userland];
  await rt.images.pullImage(image);
  const sb = await rt.runtime.runPodSandbox(sandboxConfig(opts.name ?? "shell", opts.podIP ?? "10.244.1.7", { volumes: [{ name: "data" }] }));
  const id = await rt.runtime.createContainer(sb, { metadata: { name: "c", attempt: 0 }, image, command: ["sleep", "86400"], mounts: [{ containerPath: "/data", volume: "data" }] });
  await rt.runtime.startContainer(id);
  return { rt, id, run: (script, stdin) => rt.runtime.execSync(id, ["sh", "-c", script], stdin === undefined ? {} : { stdin }) };
}

/** One case of a table of shell scripts: what it prints and its exit code. */
export type ScriptCase = [script: string, stdout: string, stderr?: string, exitCode?: number];

/** Run the cases in turn in one container of `userland`, after the setup script. */
export async function checkScripts(userland: Userland, setup: string, cases: ScriptCase[]): Promise<void> {
  const b = await box(userland);
  await b.run(setup);
  for (const [script, stdout, stderr = "", exitCode = 0] of cases) {
    expect({ script, ...(await b.run(script)) }).toEqual({ script, stdout, stderr, exitCode });
  }
}
