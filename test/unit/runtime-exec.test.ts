// kubectl exec on the model: the tutorial's module 3 commands, a sidecar reaching the
// app over localhost, the shell's language, and the errors real runtimes give.
import { beforeEach, describe, expect, it } from "vitest";
import { isCriError } from "../../src/node/runtime";
import { sandboxConfig, testRuntime, type TestRuntime } from "../../src/node/runtime/testing";

const POD = "kubernetes-bootcamp-5485cc6795-cdwz7";

async function bootcampPod(kind: "containerd" | "cri-o" = "containerd") {
  const rt = testRuntime(kind);
  await rt.images.pullImage("gcr.io/google-samples/kubernetes-bootcamp:v1");
  await rt.images.pullImage("busybox");
  const sb = await rt.runtime.runPodSandbox(sandboxConfig(POD, "10.244.1.5"));
  const app = await rt.runtime.createContainer(sb, {
    metadata: { name: "kubernetes-bootcamp", attempt: 0 },
    image: "gcr.io/google-samples/kubernetes-bootcamp:v1",
    envs: [
      { key: "KUBERNETES_SERVICE_HOST", value: "10.96.0.1" },
      { key: "KUBERNETES_SERVICE_PORT", value: "443" },
    ],
  });
  const sidecar = await rt.runtime.createContainer(sb, { metadata: { name: "sidecar", attempt: 0 }, image: "busybox", command: ["sleep", "infinity"] });
  await rt.runtime.startContainer(app);
  await rt.runtime.startContainer(sidecar);
  return { rt, sb, app, sidecar };
}

describe("tutorial module 3", () => {
  let rt: TestRuntime;
  let app: string;
  let sidecar: string;
  beforeEach(async () => ({ rt, app, sidecar } = await bootcampPod()));

  it("kubectl exec POD -- env", async () => {
    expect(await rt.runtime.execSync(app, ["env"])).toEqual({
      stdout: [
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        `HOSTNAME=${POD}`,
        "NPM_CONFIG_LOGLEVEL=info",
        "NODE_VERSION=6.3.1",
        "KUBERNETES_SERVICE_HOST=10.96.0.1",
        "KUBERNETES_SERVICE_PORT=443",
        "HOME=/root",
        "",
      ].join("\n"),
      stderr: "",
      exitCode: 0,
    });
  });

  it("kubectl exec POD -- cat server.js (relative to the working directory)", async () => {
    const r = await rt.runtime.execSync(app, ["cat", "server.js"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("www.listen(8080");
    expect(r.stdout).toContain('console.log("Kubernetes Bootcamp App Started At:", startTime, "| Running On: ", host, "\\n");');
  });

  it("kubectl exec -ti POD -- bash, then cat server.js, curl localhost:8080, exit", async () => {
    const sh = await rt.runtime.execSession(app, ["bash"], { tty: true });
    expect(sh.prompt()).toBe(`root@${POD}:/# `);
    expect((await sh.input("cat server.js")).output).toContain("Hello Kubernetes bootcamp! | Running on: ");
    expect(await sh.input("curl http://localhost:8080")).toEqual({ output: `Hello Kubernetes bootcamp! | Running on: ${POD} | v=1\n` });
    expect(await sh.input("cd /tmp && export GREETING='hi there' && echo \"$GREETING from $(pwd)\"")).toEqual({ output: "hi there from /tmp\n" });
    expect(sh.prompt()).toBe(`root@${POD}:/tmp# `);
    expect(await sh.input("foo")).toEqual({ output: "bash: foo: command not found\n" });
    expect(await sh.input("echo $?")).toEqual({ output: "127\n" });
    // `exit` without a status uses the last command's: echo succeeded.
    expect(await sh.input("exit")).toEqual({ output: "exit\n", exited: true, exitCode: 0 });
    expect(sh.closed).toBe(true);
    // Each request the shell made shows in the app's log.
    const logs = (await rt.runtime.containerLogs(app)).map((l) => l.text);
    expect(logs[0]).toBe(`Kubernetes Bootcamp App Started At: 2025-11-25T09:19:00.000Z | Running On:  ${POD} `);
    expect(logs[1]).toBe("");
    expect(logs[2]).toBe(`Running On: ${POD} | Total Requests: 1 | App Uptime: 0 seconds | Log Time: 2025-11-25T09:19:00.000Z`);
  });

  it("reaches the app from a sidecar over localhost and the pod IP", async () => {
    rt.clock.advance(1500);
    const viaLocalhost = await rt.runtime.execSync(sidecar, ["wget", "-qO-", "http://localhost:8080"]);
    expect(viaLocalhost).toEqual({ stdout: `Hello Kubernetes bootcamp! | Running on: ${POD} | v=1\n`, stderr: "", exitCode: 0 });
    const viaIp = await rt.runtime.execSync(app, ["curl", "-s", "http://10.244.1.5:8080/"]);
    expect(viaIp.stdout).toBe(`Hello Kubernetes bootcamp! | Running on: ${POD} | v=1\n`);
    const logs = (await rt.runtime.containerLogs(app)).map((l) => l.text);
    expect(logs.at(-1)).toBe(`Running On: ${POD} | Total Requests: 2 | App Uptime: 1.5 seconds | Log Time: 2025-11-25T09:19:01.500Z`);
  });

  it("curl to a closed port fails with exit 7", async () => {
    expect(await rt.runtime.execSync(app, ["curl", "-s", "http://localhost:9999"])).toEqual({ stdout: "", stderr: "", exitCode: 7 });
    const sh = await rt.runtime.execSession(app, ["bash"], { tty: true });
    expect(await sh.input("curl localhost:9999")).toEqual({ output: "curl: (7) Failed to connect to localhost port 9999 after 0 ms: Couldn't connect to server\n" });
    // Without a tty, curl shows its progress meter on stderr, as through `kubectl exec`.
    const r = await rt.runtime.execSync(app, ["curl", "http://localhost:8080"]);
    expect(r.stderr).toMatch(/^ {2}% Total {4}% Received/);
  });

  it("commands the image does not have: 127 from a shell, an OCI error from exec", async () => {
    expect(await rt.runtime.execSync(app, ["bash", "-c", "nosuch --flag"])).toEqual({ stdout: "", stderr: "bash: nosuch: command not found\n", exitCode: 127 });
    expect(await rt.runtime.execSync(app, ["sh", "-c", "nosuch"])).toEqual({ stdout: "", stderr: "sh: 1: nosuch: not found\n", exitCode: 127 });
    expect(await rt.runtime.execSync(sidecar, ["sh", "-c", "nosuch"])).toEqual({ stdout: "", stderr: "sh: nosuch: not found\n", exitCode: 127 });
    const err = await rt.runtime.execSync(sidecar, ["bash"]).catch((e: unknown) => e);
    expect(isCriError(err, "ExecutableNotFound")).toBe(true);
    expect((err as Error).message).toMatch(
      /^rpc error: code = Unknown desc = failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "bash": executable file not found in \$PATH: unknown$/,
    );
    await expect(rt.runtime.execSession(sidecar, ["bash"], { tty: true })).rejects.toThrow(/executable file not found/);
  });

  it("runs a busybox shell session", async () => {
    const sh = await rt.runtime.execSession(sidecar, ["sh"], { tty: true });
    expect(sh.prompt()).toBe("/ # ");
    expect(await sh.input("cd /root; pwd")).toEqual({ output: "/root\n" });
    expect(sh.prompt()).toBe("~ # ");
    expect(await sh.input("exit 3")).toEqual({ output: "", exited: true, exitCode: 3 });
  });

  it("shows the pod's processes", async () => {
    const ps = await rt.runtime.execSync(app, ["ps", "aux"]);
    const lines = ps.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^USER +PID %CPU/);
    expect(lines[1]).toMatch(/ 1 .* \/bin\/sh -c node server\.js$/);
    expect(lines[2]).toMatch(/ node server\.js$/);
    expect(lines.at(-1)).toMatch(/ ps aux$/);
  });
});

describe("the shell language", () => {
  let rt: TestRuntime;
  let sidecar: string;
  beforeEach(async () => ({ rt, sidecar } = await bootcampPod()));
  const sh = (script: string) => rt.runtime.execSync(sidecar, ["sh", "-c", script]);

  it.each([
    ["echo 'single $X' \"double $HOSTNAME\" esc\\ aped", `single $X double ${POD} esc aped\n`],
    ["X=1; Y=$X$X; echo ${Y} ${UNSET:-dflt} ${#Y}", "11 dflt 2\n"],
    ["false || echo or; true && echo and; false && echo never; echo $?", "or\nand\n1\n"],
    ["env | grep HOSTNAME", `HOSTNAME=${POD}\n`],
    ["echo a > /tmp/f; echo b >> /tmp/f; cat /tmp/f | wc -l", "2\n"],
    ["for i in 1 2 3; do echo n$i; done | tail -n 1", "n3\n"],
    ["i=0; while [ $i -lt 3 ]; do i=$((i+1)); done; echo $i", "3\n"],
    ["if [ -f /etc/hostname ]; then cat /etc/hostname; else echo no; fi", `${POD}\n`],
    ["echo $(echo nested $(echo deep))", "nested deep\n"],
    ["cd /etc && ls host*", "hostname\nhosts\n"],
    ["echo out; echo err >&2", "out\n"],
    ["(cd /tmp; exit 4); echo $? $(pwd)", "4 /\n"],
    ["printf '%s-%d\\n' a 5", "a-5\n"],
    ["date +%Y-%m-%dT%H:%M:%S", "2025-11-25T09:19:00\n"],
    ["seq 3 | grep -v 2", "1\n3\n"],
    ["ls /nonexistent 2>&1; echo after", "ls: /nonexistent: No such file or directory\nafter\n"],
  ])("%s", async (script, stdout) => {
    expect((await sh(script)).stdout).toBe(stdout);
  });

  it("reports syntax errors like the shell", async () => {
    expect(await sh("do echo")).toEqual({ stdout: "", stderr: 'sh: syntax error: unexpected "do"\n', exitCode: 2 });
  });

  it("exits with the script's status", async () => {
    expect((await sh("exit 42")).exitCode).toBe(42);
    expect((await rt.runtime.execSync(sidecar, ["false"])).exitCode).toBe(1);
  });

  it("runs a script from stdin (kubectl exec -i POD -- sh < script)", async () => {
    expect(await rt.runtime.execSync(sidecar, ["sh"], { stdin: "echo from stdin\nhostname\n" })).toEqual({ stdout: `from stdin\n${POD}\n`, stderr: "", exitCode: 0 });
  });
});

describe("exec errors", () => {
  it("refuses to exec into a container that is not running", async () => {
    const { rt, sidecar } = await bootcampPod();
    await rt.runtime.stopContainer(sidecar, 0);
    const err = await rt.runtime.execSync(sidecar, ["ls"]).catch((e: unknown) => e);
    expect(isCriError(err, "NotRunning")).toBe(true);
    expect((err as Error).message).toBe("rpc error: code = FailedPrecondition desc = failed to exec in container: container is in CONTAINER_EXITED state");
  });

  it("uses CRI-O's wording on a CRI-O node", async () => {
    const { rt, sidecar } = await bootcampPod("cri-o");
    await expect(rt.runtime.execSync(sidecar, ["bash"])).rejects.toThrow(
      'rpc error: code = Unknown desc = command error: exec failed: unable to start container process: exec: "bash": executable file not found in $PATH, stdout: , stderr: , exit code -1',
    );
  });
});
