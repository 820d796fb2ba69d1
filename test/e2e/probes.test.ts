// The docs' "Configure Liveness, Readiness and Startup Probes" with the real kubectl on a
// real local cluster, its four example pods as the page writes them, all at once: the
// exec liveness pod restarts once /tmp/healthy is gone, the agnhost HTTP liveness pod
// once /healthz answers 500, the goproxy pod turns ready on its TCP readiness probe, and
// the etcd pod stays healthy on its gRPC liveness probe. `kubectl describe` shows the
// Unhealthy events, `kubectl get pod` the restarts.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startCluster, eventually, type Cluster } from "./cluster";

const EXEC_LIVENESS = `apiVersion: v1
kind: Pod
metadata:
  labels:
    test: liveness
  name: liveness-exec
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/busybox:1.27.2
    args:
    - /bin/sh
    - -c
    - touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600
    livenessProbe:
      exec:
        command:
        - cat
        - /tmp/healthy
      initialDelaySeconds: 5
      periodSeconds: 5
`;

const HTTP_LIVENESS = `apiVersion: v1
kind: Pod
metadata:
  labels:
    test: liveness
  name: liveness-http
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/e2e-test-images/agnhost:2.40
    args:
    - liveness
    livenessProbe:
      httpGet:
        path: /healthz
        port: 8080
        httpHeaders:
        - name: Custom-Header
          value: Awesome
      initialDelaySeconds: 3
      periodSeconds: 3
`;

const TCP_LIVENESS_READINESS = `apiVersion: v1
kind: Pod
metadata:
  name: goproxy
  labels:
    app: goproxy
spec:
  containers:
  - name: goproxy
    image: registry.k8s.io/goproxy:0.1
    ports:
    - containerPort: 8080
    readinessProbe:
      tcpSocket:
        port: 8080
      initialDelaySeconds: 15
      periodSeconds: 10
    livenessProbe:
      tcpSocket:
        port: 8080
      initialDelaySeconds: 15
      periodSeconds: 10
`;

const GRPC_LIVENESS = `apiVersion: v1
kind: Pod
metadata:
  name: etcd-with-grpc
spec:
  containers:
  - name: etcd
    image: registry.k8s.io/etcd:3.5.1-0
    command: [ "/usr/local/bin/etcd", "--data-dir",  "/var/lib/etcd", "--listen-client-urls", "http://0.0.0.0:2379", "--advertise-client-urls", "http://127.0.0.1:2379", "--log-level", "debug"]
    ports:
    - containerPort: 2379
    livenessProbe:
      grpc:
        port: 2379
      initialDelaySeconds: 10
`;

/** RESTARTS of `kubectl get pod NAME` ("1 (5s ago)" -> 1). */
async function restarts(c: Cluster, name: string): Promise<number> {
  const out = (await c.kubectl(["get", "pod", name, "--no-headers"])).stdout;
  return Number(out.trim().split(/\s+/)[3]);
}

describe("Configure Liveness, Readiness and Startup Probes", () => {
  let c: Cluster;

  beforeAll(async () => {
    c = await startCluster();
    for (const [name, yaml] of Object.entries({ EXEC_LIVENESS, HTTP_LIVENESS, TCP_LIVENESS_READINESS, GRPC_LIVENESS })) {
      const file = join(c.dir, `${name}.yaml`);
      writeFileSync(file, yaml);
      await c.kubectl(["apply", "-f", file]);
    }
  }, 180_000);
  afterAll(async () => {
    await c?.stop();
  });

  it("the agnhost HTTP liveness pod is restarted once /healthz answers 500", async () => {
    await eventually(async () => (await restarts(c, "liveness-http")) >= 1, 90_000, "liveness-http to restart");
    const describe = (await c.kubectl(["describe", "pod", "liveness-http"])).stdout;
    expect(describe).toMatch(/Warning\s+Unhealthy\s+.*Liveness probe failed: HTTP probe failed with statuscode: 500/);
    expect(describe).toMatch(/Normal\s+Killing\s+.*Container liveness failed liveness probe, will be restarted/);
    expect(describe).toMatch(/Liveness:\s+http-get http:\/\/:8080\/healthz delay=3s timeout=1s period=3s #success=1 #failure=3/);
  });

  it("the goproxy pod turns ready on its TCP readiness probe and stays live", async () => {
    await eventually(async () => /goproxy\s+1\/1\s+Running\s+0/.test((await c.kubectl(["get", "pod", "goproxy", "--no-headers"])).stdout), 90_000, "goproxy to be ready");
    const describe = (await c.kubectl(["describe", "pod", "goproxy"])).stdout;
    expect(describe).toMatch(/Readiness:\s+tcp-socket :8080 delay=15s timeout=1s period=10s #success=1 #failure=3/);
    expect(describe).not.toMatch(/Unhealthy/);
  });

  it("the etcd pod passes its gRPC liveness probe", async () => {
    // Past its 10 s initial delay and a few probes: running, ready, never restarted.
    const pod = await eventually(async () => {
      const r = await c.api<{ status?: { containerStatuses?: { ready: boolean; restartCount: number; state?: { running?: { startedAt: string } } }[] } }>(
        "/api/v1/namespaces/default/pods/etcd-with-grpc",
      );
      const cs = r.body.status?.containerStatuses?.[0];
      const since = cs?.state?.running ? Date.now() - Date.parse(cs.state.running.startedAt) : 0;
      return cs && since > 25_000 ? cs : undefined;
    }, 90_000, "etcd to run past a few probes");
    expect(pod).toMatchObject({ ready: true, restartCount: 0 });
    const describe = (await c.kubectl(["describe", "pod", "etcd-with-grpc"])).stdout;
    expect(describe).toMatch(/Liveness:\s+grpc <pod>:2379\s+delay=10s timeout=1s period=10s #success=1 #failure=3/);
    expect(describe).not.toMatch(/Unhealthy/);
  });

  it("the exec liveness pod is restarted once /tmp/healthy is gone", async () => {
    // The file goes at 30 s, three failed probes 5 s apart condemn the container, and
    // `sh` as PID 1 ignores SIGTERM, so it is killed when the 30 s grace period ends.
    await eventually(async () => (await restarts(c, "liveness-exec")) >= 1, 150_000, "liveness-exec to restart");
    const describe = (await c.kubectl(["describe", "pod", "liveness-exec"])).stdout;
    expect(describe).toMatch(/Warning\s+Unhealthy\s+.*Liveness probe failed: cat: can't open '\/tmp\/healthy': No such file or directory/);
    expect(describe).toMatch(/Normal\s+Killing\s+.*Container liveness failed liveness probe, will be restarted/);
    expect(describe).toMatch(/Last State:\s+Terminated\s+Reason:\s+Error\s+Exit Code:\s+137/);
    expect((await c.kubectl(["get", "pod", "liveness-exec"])).stdout).toMatch(/liveness-exec\s+1\/1\s+Running\s+1 \(\d+s ago\)/);
  }, 170_000);
});
