// The HorizontalPodAutoscaler walkthrough with the real kubectl against `wrangler dev`:
// the php-apache Deployment and Service, `kubectl autoscale` (an autoscaling/v1
// protobuf body), `kubectl get hpa` showing the target, a busybox load generator
// driving the pods' CPU up until the HPA adds replicas, and its deletion letting them
// go after a short scale-down window set on the autoscaling/v2 object.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startCluster, eventually, type Cluster } from "./cluster";

const phpApache = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: php-apache
spec:
  selector:
    matchLabels:
      run: php-apache
  template:
    metadata:
      labels:
        run: php-apache
    spec:
      containers:
      - name: php-apache
        image: registry.k8s.io/hpa-example
        ports:
        - containerPort: 80
        resources:
          limits:
            cpu: 500m
          requests:
            cpu: 200m
---
apiVersion: v1
kind: Service
metadata:
  name: php-apache
  labels:
    run: php-apache
spec:
  ports:
  - port: 80
  selector:
    run: php-apache
`;

describe("HorizontalPodAutoscaler walkthrough", () => {
  let c: Cluster;
  const replicas = async () => Number((await c.kubectl(["get", "hpa", "php-apache", "-o", "jsonpath={.status.currentReplicas}"])).stdout.trim() || "0");
  const getHpa = async () => (await c.kubectl(["get", "hpa"])).stdout;

  beforeAll(async () => {
    // Short controller periods: a sync every 2 s, a new pod's CPU counted once it is ready.
    c = await startCluster({ DEFAULT_NODE_COUNT: "2", HPA_SYNC_PERIOD: "2s", HPA_CPU_INITIALIZATION_PERIOD: "1s" });
    await c.kubectl(["apply", "-f", "-"], { input: phpApache });
    await eventually(async () => (await c.kubectl(["get", "pods", "-l", "run=php-apache", "-o", "jsonpath={.items[*].status.phase}"])).stdout.trim() === "Running", 90_000, "php-apache running");
  }, 150_000);
  afterAll(async () => {
    await c?.stop();
  });

  it("kubectl autoscale creates the HPA and kubectl get hpa shows its target", async () => {
    const r = await c.kubectl(["autoscale", "deployment", "php-apache", "--cpu-percent=50", "--min=1", "--max=10"]);
    expect(r.stdout.trim()).toBe("horizontalpodautoscaler.autoscaling/php-apache autoscaled");
    const first = (await getHpa()).trim().split("\n");
    expect(first[0].split(/\s{2,}/)).toEqual(["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]);
    expect(first[1]).toMatch(/^php-apache\s+Deployment\/php-apache\s+cpu: (<unknown>|\d+%)\/50%\s+1\s+10\s+\d+\s+\S+$/);
    // Measured within a sync or two.
    await eventually(async () => /cpu: \d+%\/50%/.test(await getHpa()), 30_000, "a measured utilization");
    // A short scale-down window on the v2 object (kubectl patch uses the preferred version).
    const p = await c.kubectl(["patch", "hpa", "php-apache", "--type=merge", "-p", '{"spec":{"behavior":{"scaleDown":{"stabilizationWindowSeconds":5}}}}']);
    expect(p.stdout.trim()).toBe("horizontalpodautoscaler.autoscaling/php-apache patched");
    expect((await c.kubectl(["get", "hpa.v2.autoscaling", "php-apache", "-o", "jsonpath={.spec.behavior.scaleDown.stabilizationWindowSeconds}"])).stdout).toBe("5");
  }, 60_000);

  it("a load generator makes it scale up; without it, it scales back down; describe shows why", async () => {
    await c.kubectl(["run", "load-generator", "--image=busybox:1.28", "--restart=Never", "--", "/bin/sh", "-c", "while sleep 0.01; do wget -q -O- http://php-apache; done"]);
    let peak = "";
    await eventually(async () => {
      const out = await getHpa();
      const m = /cpu: (\d+)%\/50%/.exec(out);
      if (m && Number(m[1]) > 50) peak = m[0];
      return (await replicas()) > 1;
    }, 90_000, "the HPA to scale up");
    const up = await replicas();
    // (The walkthrough stops it with Ctrl-C; a shell as PID 1 ignores SIGTERM, so no grace period.)
    await c.kubectl(["delete", "pod", "load-generator", "--grace-period=1", "--wait=false"]);
    await eventually(async () => (await replicas()) === 1, 90_000, "the HPA to scale down");
    const describe = (await c.kubectl(["describe", "hpa", "php-apache"])).stdout;
    expect(describe).toMatch(/Reference:\s+Deployment\/php-apache/);
    expect(describe).toMatch(/SuccessfulRescale\s+.*New size: \d+; reason: cpu resource utilization \(percentage of request\) above target/);
    expect(describe).toMatch(/SuccessfulRescale\s+.*New size: 1; reason: All metrics below target/);
    expect(describe).toMatch(/AbleToScale\s+True/);
    console.log(`hpa walkthrough: peak ${peak}, scaled up to ${up} replicas, back to 1`);
  }, 200_000);
});
