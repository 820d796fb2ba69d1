// Tutorial module 3, "Explore your app", word for word with the real kubectl against
// `wrangler dev`: the kubernetes-bootcamp pod of module 2, then get, describe, proxy,
// logs, exec (env, cat server.js, an interactive bash with curl) and exit codes.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startCluster, eventually, kubectlArgs, kubectlEnv, type Cluster } from "./cluster";
import { spawn } from "node:child_process";
import { startProxy, type Proxy } from "./kubectl-proxy";
import { randomBytes } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kubectlBytes, typeInto } from "./explore-helpers";

describe("tutorial module 3: explore your app", () => {
  let c: Cluster;
  let proxy: Proxy;
  let POD_NAME = "";

  beforeAll(async () => {
    c = await startCluster();
    // Module 2 made the app.
    await c.kubectl(["create", "deployment", "kubernetes-bootcamp", "--image=gcr.io/google-samples/kubernetes-bootcamp:v1"]);
    POD_NAME = await eventually(async () => {
      const r = await c.kubectl(["get", "pods", "-o", "go-template", "--template", '{{range .items}}{{.metadata.name}}{{"\\n"}}{{end}}']);
      const name = r.stdout.trim();
      if (!name) return undefined;
      const phase = (await c.kubectl(["get", "pod", name, "-o", "jsonpath={.status.phase}"])).stdout;
      return phase === "Running" ? name : undefined;
    }, 60_000, "the bootcamp pod to run");
    proxy = await startProxy(c);
  });
  afterAll(async () => {
    proxy?.stop();
    await c?.stop();
  });

  it("kubectl get pods", async () => {
    const r = await c.kubectl(["get", "pods"]);
    expect(r.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
    expect(r.stdout).toMatch(new RegExp(`^${POD_NAME}\\s+1/1\\s+Running\\s+0\\s+\\d+s\\n`, "m"));
  });

  it("kubectl describe pods", async () => {
    const r = await c.kubectl(["describe", "pods"]);
    const d = r.stdout;
    expect(d).toMatch(new RegExp(`^Name:\\s+${POD_NAME}$`, "m"));
    expect(d).toMatch(/^Node:\s+node-\d\/192\.168\.49\.\d+$/m);
    expect(d).toMatch(/^Start Time:\s+\w{3}, \d\d \w{3} \d{4} [\d:]+ \+0000$/m);
    expect(d).toMatch(/^Status:\s+Running$/m);
    expect(d).toMatch(/^IP:\s+10\.244\.\d+\.\d+$/m);
    expect(d).toMatch(/^Controlled By:\s+ReplicaSet\/kubernetes-bootcamp-\w+$/m);
    expect(d).toMatch(/^ {2}kubernetes-bootcamp:\n {4}Container ID:\s+(containerd|cri-o):\/\/[0-9a-f]{64}$/m);
    expect(d).toMatch(/^ {4}Image:\s+gcr\.io\/google-samples\/kubernetes-bootcamp:v1$/m);
    expect(d).toMatch(/^ {4}Image ID:\s+gcr\.io\/google-samples\/kubernetes-bootcamp@sha256:[0-9a-f]{64}$/m);
    expect(d).toMatch(/^ {4}State:\s+Running\n {6}Started:\s+\w{3}, /m);
    expect(d).toMatch(/^ {4}Ready:\s+True$/m);
    expect(d).toMatch(/^ {4}Restart Count:\s+0$/m);
    expect(d).toMatch(/Conditions:\n\s+Type\s+Status\n\s+PodReadyToStartContainers\s+True\s*\n\s+Initialized\s+True\s*\n\s+Ready\s+True\s*\n\s+ContainersReady\s+True\s*\n\s+PodScheduled\s+True/);
    // The token volume the ServiceAccount admission plugin adds, and its mount.
    expect(d).toMatch(
      /^Volumes:\n {2}kube-api-access-[a-z0-9]{5}:\n {4}Type:\s+Projected \(a volume that contains injected data from multiple sources\)\n {4}TokenExpirationSeconds:\s+3607\n {4}ConfigMapName:\s+kube-root-ca\.crt\n {4}ConfigMapOptional:\s+<nil>\n {4}DownwardAPI:\s+true$/m,
    );
    expect(d).toMatch(/^ {4}Mounts:\n {6}\/var\/run\/secrets\/kubernetes\.io\/serviceaccount from kube-api-access-[a-z0-9]{5} \(ro\)$/m);
    expect(d).toMatch(/Normal\s+Scheduled\s+.*default-scheduler\s+Successfully assigned default\/\S+ to node-\d/);
    expect(d).toMatch(/Normal\s+Pulling\s+\S+\s+kubelet\s+Pulling image "gcr\.io\/google-samples\/kubernetes-bootcamp:v1"/);
    expect(d).toMatch(/Normal\s+Pulled\s+\S+\s+kubelet\s+Successfully pulled image "gcr\.io\/google-samples\/kubernetes-bootcamp:v1" in [\d.]+m?s \([\d.]+m?s including waiting\)\. Image size: \d+ bytes\./);
    expect(d).toMatch(/Normal\s+Created\s+\S+\s+kubelet\s+Created container kubernetes-bootcamp/);
    expect(d).toMatch(/Normal\s+Started\s+\S+\s+kubelet\s+Started container kubernetes-bootcamp/);
  });

  it("kubectl proxy, then curl the pod through the API server", async () => {
    const res = await fetch(`${proxy.url}/api/v1/namespaces/default/pods/${POD_NAME}:8080/proxy/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(`Hello Kubernetes bootcamp! | Running on: ${POD_NAME} | v=1\n`);
  });

  it("kubectl logs $POD_NAME", async () => {
    const r = await c.kubectl(["logs", POD_NAME]);
    expect(r.stdout).toMatch(new RegExp(`^Kubernetes Bootcamp App Started At: \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\| Running On:  ${POD_NAME} \\n\\n`));
    // The request made through the proxy is logged too.
    expect(r.stdout).toMatch(new RegExp(`^Running On: ${POD_NAME} \\| Total Requests: 1 \\| App Uptime: [\\d.]+ seconds \\| Log Time: `, "m"));
  });

  it("kubectl exec $POD_NAME -- env", async () => {
    const r = await c.kubectl(["exec", POD_NAME, "--", "env"]);
    const env = r.stdout;
    expect(env).toMatch(/^PATH=\/usr\/local\/sbin:\/usr\/local\/bin:\/usr\/sbin:\/usr\/bin:\/sbin:\/bin$/m);
    expect(env).toMatch(new RegExp(`^HOSTNAME=${POD_NAME}$`, "m"));
    expect(env).toMatch(/^KUBERNETES_SERVICE_HOST=10\.96\.0\.1$/m);
    expect(env).toMatch(/^KUBERNETES_SERVICE_PORT=443$/m);
    expect(env).toMatch(/^KUBERNETES_PORT_443_TCP=tcp:\/\/10\.96\.0\.1:443$/m);
    expect(env).toMatch(/^NODE_VERSION=6\.3\.1$/m);
    expect(env).toMatch(/^NPM_CONFIG_LOGLEVEL=info$/m);
    expect(env).toMatch(/^HOME=\/root$/m);
  });

  it("kubectl exec $POD_NAME -- cat server.js", async () => {
    const r = await c.kubectl(["exec", POD_NAME, "--", "cat", "server.js"]);
    expect(r.stdout).toMatch(/^var http = require\('http'\);\n/);
    expect(r.stdout).toContain('response.write("Hello Kubernetes bootcamp! | Running on: ");');
    expect(r.stdout).toContain("www.listen(8080, function () {");
  });

  it("kubectl exec -ti $POD_NAME -- bash: cat server.js, curl http://localhost:8080, exit", async () => {
    const prompt = new RegExp(`root@${POD_NAME}:/# `);
    const r = await typeInto(c, ["exec", "-ti", POD_NAME, "--", "bash"], ["cat server.js", "curl http://localhost:8080", "exit"], prompt);
    expect(r.code).toBe(0);
    const out = r.output;
    expect(out).toContain(`root@${POD_NAME}:/# cat server.js\r\nvar http = require('http');\r\n`);
    expect(out).toContain(`root@${POD_NAME}:/# curl http://localhost:8080\r\nHello Kubernetes bootcamp! | Running on: ${POD_NAME} | v=1\r\n`);
    expect(out).toMatch(new RegExp(`root@${POD_NAME}:/# exit\\r\\nexit\\r\\n$`));
  });

  it("passes exit codes back: kubectl exits with them", async () => {
    const r = await c.kubectl(["exec", POD_NAME, "--", "sh", "-c", "exit 7"], { allowFail: true });
    expect(r.code).toBe(7);
    expect(r.stderr.trim()).toBe("command terminated with exit code 7");
    const tty = await typeInto(c, ["exec", "-ti", POD_NAME, "--", "bash"], ["exit 3"], new RegExp(`root@${POD_NAME}:/# `));
    expect(tty.code).toBe(3);
    expect(tty.output).toContain("command terminated with exit code 3");
  });

  it("kubectl run -i --rm: the pod's shell reads what is piped in, then the pod is deleted", async () => {
    const r = await c.kubectl(["run", "one-off", "-i", "--rm", "--restart=Never", "--image=busybox", "--", "sh"], { input: "echo hello from $(hostname)\n", timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("hello from one-off\n");
    expect(r.stdout).toMatch(/pod "one-off" deleted/);
    await eventually(async () => (await c.kubectl(["get", "pod", "one-off", "--ignore-not-found", "-o", "name"])).stdout.trim() === "", 60_000, "one-off gone");
  });

  it("kubectl run -it --rm, then kubectl attach to a shell that keeps running", async () => {
    const prompt = /If you don't see a command prompt, try pressing enter\.|\/ # /;
    const r = await typeInto(c, ["run", "shell", "-it", "--rm", "--restart=Never", "--image=busybox", "--", "sh"], ["echo hi from $(hostname)", "exit 0"], prompt, 120_000);
    expect(r.output).toContain("hi from shell\r\n");
    expect(r.output).toMatch(/pod "shell" deleted/);
    expect(r.code).toBe(0);
    // A shell without stdinOnce outlives the client: attach, type, detach, and it still runs.
    // --leave-stdin-open: without it kubectl sets stdinOnce, and the first attach's end would end the shell.
    await c.kubectl(["run", "keeper", "--image=busybox", "--stdin", "--leave-stdin-open", "--attach=false", "--", "sh"]);
    await eventually(async () => (await c.kubectl(["get", "pod", "keeper", "-o", "jsonpath={.status.phase}"])).stdout === "Running", 60_000, "keeper running");
    const a = await c.kubectl(["attach", "-i", "keeper"], { input: "echo attached to $(hostname)\n" });
    expect(a.stdout).toContain("attached to keeper\n");
    expect((await c.kubectl(["get", "pod", "keeper", "-o", "jsonpath={.status.phase}"])).stdout).toBe("Running");
    expect((await c.kubectl(["logs", "keeper"])).stdout).toContain("attached to keeper\n");
    expect((await c.kubectl(["get", "pod", "keeper", "-o", "jsonpath={.status.containerStatuses[0].restartCount}"])).stdout).toBe("0");
    await c.kubectl(["delete", "pod", "keeper", "--grace-period=0", "--force"], { allowFail: true });
  });

  it("a command the image does not have: 127 and `command not found` on stderr", async () => {
    const r = await c.kubectl(["exec", POD_NAME, "--", "bash", "-c", "nosuch"], { allowFail: true });
    expect(r.code).toBe(127);
    expect(r.stderr).toBe("bash: nosuch: command not found\ncommand terminated with exit code 127\n");
    const direct = await c.kubectl(["exec", POD_NAME, "--", "nosuch"], { allowFail: true });
    expect(direct.code).not.toBe(0);
    expect(direct.stderr).toContain('exec: "nosuch": executable file not found in $PATH');
  });

  it("kubectl logs -f streams new lines as they are logged", async () => {
    const child = spawn("kubectl", kubectlArgs(c, ["logs", "-f", "--tail=0", POD_NAME]), { env: kubectlEnv(c) });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    // kubectl may take a while to start following on a busy machine: ask until a line shows.
    await eventually(async () => {
      await fetch(`${proxy.url}/api/v1/namespaces/default/pods/${POD_NAME}:8080/proxy/`);
      return out.includes("Total Requests:");
    }, 60_000, "the followed log line");
    child.kill();
    // --tail=0: only what was logged after kubectl started following.
    expect(out).toMatch(new RegExp(`^(Running On: ${POD_NAME} \\| Total Requests: \\d+ \\| App Uptime: [\\d.]+ seconds \\| Log Time: \\S+\\n)+$`));
  });

  it("kubectl exec -i carries bytes unchanged: 5 MiB of random bytes in through stdin, back out with cat", async () => {
    const data = randomBytes(5 * 1024 * 1024);
    const write = await kubectlBytes(c, ["exec", "-i", POD_NAME, "--", "sh", "-c", "cat > /tmp/blob"], data);
    expect(write).toMatchObject({ code: 0, stderr: "" });
    const read = await kubectlBytes(c, ["exec", POD_NAME, "--", "cat", "/tmp/blob"]);
    expect(read.code).toBe(0);
    expect(read.stdout.length).toBe(data.length);
    expect(read.stdout.equals(data)).toBe(true);
  });

  it("kubectl cp copies a directory into the pod and back, bytes intact (tar in the container)", async () => {
    const local = mkdtempSync(join(tmpdir(), "edgekube-cp-"));
    try {
      const blob = randomBytes(200 * 1024);
      mkdirSync(join(local, "src", "sub"), { recursive: true });
      writeFileSync(join(local, "src", "hello.txt"), "hello from the host\n");
      writeFileSync(join(local, "src", "sub", "blob.bin"), blob);
      // Into the pod: kubectl runs `tar -xmf - -C /tmp` there with its own tar stream on stdin.
      const into = await c.kubectl(["cp", join(local, "src"), `${POD_NAME}:/tmp/copied`]);
      expect(into.code).toBe(0);
      const seen = await c.kubectl(["exec", POD_NAME, "--", "sh", "-c", "cat /tmp/copied/hello.txt; wc -c < /tmp/copied/sub/blob.bin"]);
      expect(seen.stdout).toBe(`hello from the host\n${blob.length}\n`);
      // And out again: `tar cf - tmp/copied` in the pod, unpacked by kubectl.
      const back = await c.kubectl(["cp", `${POD_NAME}:/tmp/copied`, join(local, "back")]);
      expect(back.code).toBe(0);
      expect(readFileSync(join(local, "back", "hello.txt"), "utf8")).toBe("hello from the host\n");
      expect(readFileSync(join(local, "back", "sub", "blob.bin")).equals(blob)).toBe(true);
    } finally {
      rmSync(local, { recursive: true, force: true });
    }
  });

  it("kubectl exec output piped through gzip is a gzip stream the host can read", async () => {
    const r = await kubectlBytes(c, ["exec", POD_NAME, "--", "sh", "-c", "echo hello through gzip | gzip"]);
    expect(r.code).toBe(0);
    expect([...r.stdout.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(r.stdout).toString()).toBe("hello through gzip\n");
  });

  // Last: from here on the pod has two containers, and kubectl names the one it defaults to.
  it("kubectl debug -i: an ephemeral busybox in the app's pod, attached", async () => {
    const r = await c.kubectl(["debug", "-i", POD_NAME, "--image=busybox", "--container=debugger", "--", "sh"], { input: "echo debugging $(hostname)\n", timeoutMs: 120_000 });
    expect(r.stdout).toContain(`debugging ${POD_NAME}\n`);
    const names = await c.kubectl(["get", "pod", POD_NAME, "-o", "jsonpath={.spec.ephemeralContainers[*].name} {.status.ephemeralContainerStatuses[*].name}"]);
    expect(names.stdout).toBe("debugger debugger");
    expect((await c.kubectl(["describe", "pod", POD_NAME])).stdout).toMatch(/Ephemeral Containers:\n\s+debugger:/);
  });
});
