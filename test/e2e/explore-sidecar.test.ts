// Exploring a pod of two containers with the real kubectl: one IP and one port space
// (the sidecar's curl to localhost:80 reaches nginx), one emptyDir seen by both, logs
// and exec per container, and the errors kubectl users meet, with the real messages.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startCluster, eventually, type Cluster } from "./cluster";
import { startProxy, type Proxy } from "./kubectl-proxy";

const DUO = `apiVersion: v1
kind: Pod
metadata:
  name: duo
spec:
  volumes:
  - name: shared-data
    emptyDir: {}
  containers:
  - name: nginx
    image: nginx:1.27
    ports:
    - containerPort: 80
    volumeMounts:
    - name: shared-data
      mountPath: /usr/share/nginx/html
  - name: sidecar
    image: gcr.io/google-samples/kubernetes-bootcamp:v1
    ports:
    - containerPort: 8080
    volumeMounts:
    - name: shared-data
      mountPath: /pod-data
`;

const CLASH = `apiVersion: v1
kind: Pod
metadata:
  name: clash
spec:
  containers:
  - name: first
    image: nginx:1.27
  - name: second
    image: nginx:1.27
`;

describe("a pod with a sidecar and a shared emptyDir", () => {
  let c: Cluster;
  let proxy: Proxy;

  beforeAll(async () => {
    c = await startCluster();
    const file = join(c.dir, "duo.yaml");
    writeFileSync(file, DUO);
    await c.kubectl(["apply", "-f", file]);
    await eventually(async () => (await c.kubectl(["get", "pod", "duo"])).stdout.match(/duo\s+2\/2\s+Running/), 60_000, "duo to run");
    proxy = await startProxy(c);
  });
  afterAll(async () => {
    proxy?.stop();
    await c?.stop();
  });

  it("shares files: written by one container, read by the other", async () => {
    await c.kubectl(["exec", "duo", "-c", "sidecar", "--", "sh", "-c", "echo 'Hello from the sidecar' > /pod-data/index.html"]);
    const read = await c.kubectl(["exec", "duo", "-c", "nginx", "--", "cat", "/usr/share/nginx/html/index.html"]);
    expect(read.stdout).toBe("Hello from the sidecar\n");
  });

  it("shares the network: the sidecar's curl localhost:80 reaches nginx, and back", async () => {
    const fromSidecar = await c.kubectl(["exec", "duo", "-c", "sidecar", "--", "curl", "-s", "localhost:80"]);
    expect(fromSidecar.stdout).toBe("Hello from the sidecar\n");
    const fromNginx = await c.kubectl(["exec", "duo", "-c", "nginx", "--", "curl", "-s", "http://localhost:8080"]);
    expect(fromNginx.stdout).toBe("Hello Kubernetes bootcamp! | Running on: duo | v=1\n");
    const ip = (await c.kubectl(["get", "pod", "duo", "-o", "jsonpath={.status.podIP}"])).stdout;
    expect((await c.kubectl(["exec", "duo", "-c", "nginx", "--", "hostname", "-i"])).stdout.trim()).toBe(ip);
  });

  it("answers through kubectl proxy on either port", async () => {
    expect(await (await fetch(`${proxy.url}/api/v1/namespaces/default/pods/duo:80/proxy/`)).text()).toBe("Hello from the sidecar\n");
    // No port: the first declared containerPort (80).
    expect(await (await fetch(`${proxy.url}/api/v1/namespaces/default/pods/duo/proxy/`)).text()).toBe("Hello from the sidecar\n");
    expect(await (await fetch(`${proxy.url}/api/v1/namespaces/default/pods/duo:8080/proxy/`)).text()).toBe("Hello Kubernetes bootcamp! | Running on: duo | v=1\n");
  });

  it("logs per container; the first container by default", async () => {
    const nginx = await c.kubectl(["logs", "duo"]);
    expect(nginx.stderr).toContain('Defaulted container "nginx" out of: nginx, sidecar');
    expect(nginx.stdout).toMatch(/^\/docker-entrypoint\.sh: /);
    expect(nginx.stdout).toMatch(/"GET \/ HTTP\/1\.1" 200 23 "-" "curl\/[\d.]+"/);
    const sidecar = await c.kubectl(["logs", "duo", "-c", "sidecar"]);
    expect(sidecar.stdout).toMatch(/^Kubernetes Bootcamp App Started At: .* \| Running On:  duo \n/);
    const tail = await c.kubectl(["logs", "duo", "-c", "nginx", "--tail=1", "--timestamps"]);
    expect(tail.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \S+ - - \[/);
  });

  it("describes both containers, the emptyDir, node and IP", async () => {
    const d = (await c.kubectl(["describe", "pod", "duo"])).stdout;
    expect(d).toMatch(/^ {2}nginx:\n {4}Container ID:\s+\S+:\/\/[0-9a-f]{64}\n {4}Image:\s+nginx:1\.27\n {4}Image ID:\s+docker\.io\/library\/nginx@sha256:[0-9a-f]{64}\n {4}Port:\s+80\/TCP/m);
    expect(d).toMatch(/^ {2}sidecar:\n/m);
    expect(d).toMatch(/^ {6}\/pod-data from shared-data \(rw\)$/m);
    expect(d).toMatch(/^ {2}shared-data:\n {4}Type:\s+EmptyDir \(a temporary directory that shares a pod's lifetime\)/m);
    expect(d).toMatch(/^IP:\s+10\.244\.\d+\.\d+$/m);
    expect(d).toMatch(/^Node:\s+node-\d\//m);
  });

  it("gives the real errors: unknown container, no previous instance, closed port", async () => {
    const execNope = await c.kubectl(["exec", "duo", "-c", "nope", "--", "env"], { allowFail: true });
    expect(execNope.code).not.toBe(0);
    expect(execNope.stderr).toContain("container nope is not valid for pod duo");
    const logsNope = await c.kubectl(["logs", "duo", "-c", "nope"], { allowFail: true });
    expect(logsNope.code).not.toBe(0);
    expect(logsNope.stderr).toContain("container nope is not valid for pod duo");
    const previous = await c.kubectl(["logs", "duo", "-c", "nginx", "--previous"], { allowFail: true });
    expect(previous.code).not.toBe(0);
    expect(previous.stderr.trim()).toBe('Error from server (BadRequest): previous terminated container "nginx" in pod "duo" not found');
    const closed = await fetch(`${proxy.url}/api/v1/namespaces/default/pods/duo:9999/proxy/`);
    expect(closed.status).toBe(503);
    const body = (await closed.json()) as { message: string; reason: string };
    expect(body.reason).toBe("ServiceUnavailable");
    expect(body.message).toMatch(/^error trying to reach service: dial tcp 10\.244\.\d+\.\d+:9999: connect: connection refused$/);
  });

  it("two containers on one port: the second fails to bind and crash-loops", async () => {
    const file = join(c.dir, "clash.yaml");
    writeFileSync(file, CLASH);
    await c.kubectl(["apply", "-f", file]);
    const status = await eventually(async () => {
      const r = await c.kubectl(["get", "pod", "clash", "-o", "jsonpath={.status.containerStatuses[1].lastState.terminated.exitCode}"]);
      return r.stdout ? r.stdout : undefined;
    }, 60_000, "the second container to fail");
    expect(status).toBe("1");
    const logs = await c.kubectl(["logs", "clash", "-c", "second", "--previous"]);
    expect(logs.stdout).toContain("bind() to 0.0.0.0:80 failed (98: Address already in use)");
    // nginx retries bind() for 2.5 s before it gives up, so READY flips between 1/2 and 2/2.
    const get = await c.kubectl(["get", "pod", "clash"]);
    expect(get.stdout).toMatch(/clash\s+[12]\/2\s+(Error|CrashLoopBackOff|Running)\s+[1-9]/);
  });

  it("exec into a completed pod is refused", async () => {
    const file = join(c.dir, "once.yaml");
    writeFileSync(file, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: once\nspec:\n  restartPolicy: Never\n  containers:\n  - name: main\n    image: busybox:1.37\n    command: [\"sh\", \"-c\", \"echo done\"]\n");
    await c.kubectl(["apply", "-f", file]);
    await eventually(async () => (await c.kubectl(["get", "pod", "once"])).stdout.match(/once\s+0\/1\s+Completed/), 60_000, "once to complete");
    expect((await c.kubectl(["logs", "once"])).stdout).toBe("done\n");
    const r = await c.kubectl(["exec", "once", "--", "env"], { allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("cannot exec into a container in a completed pod; current phase is Succeeded");
  });

  it("deletes the pod gracefully", async () => {
    const r = await c.kubectl(["delete", "pod", "clash", "--wait=true"], { timeoutMs: 90_000 });
    expect(r.stdout.trim()).toBe('pod "clash" deleted');
    const gone = await c.kubectl(["get", "pod", "clash"], { allowFail: true });
    expect(gone.stderr).toContain('pods "clash" not found');
  });
});
