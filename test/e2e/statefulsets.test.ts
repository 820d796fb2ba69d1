// The docs' "StatefulSet Basics" through the real kubectl on a 3-node cluster: a
// headless Service and the StatefulSet `web` with a claim per pod; pods created in
// order (web-1 only once web-0 is Ready), each writing its hostname into its own
// volume; a deleted pod comes back with the same name and the same data; scale up and
// down in order; a rolling update from the highest ordinal down, followed by
// `rollout status`, listed by `rollout history`, undone, and restarted.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startCluster, eventually, type Cluster } from "./cluster";

const MANIFEST = `apiVersion: v1
kind: Service
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  ports:
  - port: 80
    name: web
  clusterIP: None
  selector:
    app: nginx
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: "nginx"
  replicas: 2
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
          name: web
        volumeMounts:
        - name: www
          mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: [ "ReadWriteOnce" ]
      resources:
        requests:
          storage: 1Gi
`;

interface PodJson {
  metadata: { name: string; uid: string; creationTimestamp: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { hostname?: string; subdomain?: string; containers: { image: string }[] };
  status: { phase?: string; conditions?: { type: string; status: string; lastTransitionTime?: string }[] };
}

describe("StatefulSet Basics with kubectl", () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster();
  }, 180_000);
  afterAll(async () => {
    await c?.stop();
  });

  async function pods(): Promise<PodJson[]> {
    return JSON.parse((await c.kubectl(["get", "pods", "-l", "app=nginx", "-o", "json"])).stdout).items as PodJson[];
  }
  const ready = (p: PodJson) => p.status.phase === "Running" && !p.metadata.deletionTimestamp && !!p.status.conditions?.some((x) => x.type === "Ready" && x.status === "True");
  const readyPods = (names: string[], image = "nginx:1.27") =>
    eventually(async () => {
      const l = await pods();
      return l.length === names.length && l.every((p) => ready(p) && p.spec.containers[0].image === image) && l.map((p) => p.metadata.name).sort().join() === names.join() ? l : undefined;
    }, 90_000, `${names.join(", ")} Running and Ready with ${image}`);
  const exec = async (pod: string, script: string) => (await c.kubectl(["exec", pod, "--", "sh", "-c", script])).stdout;

  it("creates web-0, then web-1 once web-0 is Ready, each with its identity and its own claim", { timeout: 180_000 }, async () => {
    const applied = await c.kubectl(["apply", "-f", "-"], { input: MANIFEST });
    expect(applied.stdout).toContain("statefulset.apps/web created");
    const l = await readyPods(["web-0", "web-1"]);
    const [web0, web1] = [...l].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const readySince = Date.parse(web0.status.conditions!.find((x) => x.type === "Ready")!.lastTransitionTime!);
    // Seconds resolution on both sides.
    expect(Date.parse(web1.metadata.creationTimestamp)).toBeGreaterThanOrEqual(Math.floor(readySince / 1000) * 1000);
    expect([web1.spec.hostname, web1.spec.subdomain, web1.metadata.labels?.["statefulset.kubernetes.io/pod-name"], web1.metadata.labels?.["apps.kubernetes.io/pod-index"]]).toEqual(["web-1", "nginx", "web-1", "1"]);

    const table = await eventually(async () => {
      const out = (await c.kubectl(["get", "statefulsets"])).stdout;
      return /^web\s+2\/2\s+\S+$/m.test(out) ? out : undefined;
    }, 30_000, "web 2/2");
    expect(table).toMatch(/^NAME\s+READY\s+AGE$/m);
    const pvcs = (await c.kubectl(["get", "pvc", "-l", "app=nginx", "-o", "name"])).stdout.trim().split("\n").sort();
    expect(pvcs).toEqual(["persistentvolumeclaim/www-web-0", "persistentvolumeclaim/www-web-1"]);
    const events = (await c.kubectl(["get", "events", "--field-selector", "involvedObject.name=web"])).stdout;
    expect(events).toContain("create Claim www-web-0 Pod web-0 in StatefulSet web success");
    expect(events).toContain("create Pod web-1 in StatefulSet web successful");

    for (const p of ["web-0", "web-1"]) await exec(p, 'echo "$(hostname)" > /usr/share/nginx/html/index.html');
    expect((await exec("web-0", "cat /usr/share/nginx/html/index.html")).trim()).toBe("web-0");
  });

  it("a deleted pod comes back with the same name and the same data", { timeout: 180_000 }, async () => {
    const before = (await pods()).find((p) => p.metadata.name === "web-1")!;
    // No --wait: kubectl before 1.36 gets the pod, then lists it by name and watches for its
    // deletion. When the StatefulSet has already made the new web-1 between the two, that
    // deletion never comes and kubectl waits for ever (on any cluster; upstream kubectl now
    // compares the uid). So the test waits for the new uid itself.
    expect((await c.kubectl(["delete", "pod", "web-1", "--wait=false"])).stdout).toContain('pod "web-1" deleted');
    await eventually(async () => ((await pods()).some((p) => p.metadata.name === "web-1" && p.metadata.uid !== before.metadata.uid) ? true : undefined), 90_000, "a new web-1");
    const after = await readyPods(["web-0", "web-1"]);
    expect(after.find((p) => p.metadata.name === "web-1")!.metadata.uid).not.toBe(before.metadata.uid);
    expect((await exec("web-1", "cat /usr/share/nginx/html/index.html")).trim()).toBe("web-1");
  });

  it("scales up in order and down from the highest ordinal, keeping the claims", { timeout: 180_000 }, async () => {
    expect((await c.kubectl(["scale", "sts", "web", "--replicas=4"])).stdout).toContain("statefulset.apps/web scaled");
    await readyPods(["web-0", "web-1", "web-2", "web-3"]);
    expect((await c.kubectl(["scale", "sts", "web", "--replicas=2"])).stdout).toContain("statefulset.apps/web scaled");
    await readyPods(["web-0", "web-1"]);
    const events = (await c.kubectl(["get", "events", "--field-selector", "involvedObject.name=web", "-o", "json"])).stdout;
    const deletes = (JSON.parse(events).items as { reason: string; message: string }[]).filter((e) => e.reason === "SuccessfulDelete").map((e) => e.message);
    expect(deletes).toEqual(["delete Pod web-3 in StatefulSet web successful", "delete Pod web-2 in StatefulSet web successful"]);
    const pvcs = (await c.kubectl(["get", "pvc", "-l", "app=nginx", "-o", "name"])).stdout.trim().split("\n");
    expect(pvcs).toHaveLength(4);
  });

  it("rolls out a new image from the highest ordinal down; rollout status, history and undo", { timeout: 240_000 }, async () => {
    await c.kubectl(["set", "image", "sts/web", "nginx=nginx:1.28"]);
    const status = await c.kubectl(["rollout", "status", "sts/web", "--timeout=180s"], { timeoutMs: 200_000 });
    expect(status.stdout).toContain("partitioned roll out complete: 2 new pods have been updated...");
    await readyPods(["web-0", "web-1"], "nginx:1.28");
    const history = (await c.kubectl(["rollout", "history", "sts/web"])).stdout;
    expect(history).toMatch(/^1\s+<none>$/m);
    expect(history).toMatch(/^2\s+<none>$/m);
    // The data outlived the update too.
    expect((await exec("web-0", "cat /usr/share/nginx/html/index.html")).trim()).toBe("web-0");
    expect((await c.kubectl(["rollout", "undo", "sts/web"])).stdout).toContain("statefulset.apps/web rolled back");
    const undone = await readyPods(["web-0", "web-1"], "nginx:1.27");
    // restart: a template annotation, so every pod is replaced again, names kept.
    expect((await c.kubectl(["rollout", "restart", "sts/web"])).stdout).toContain("statefulset.apps/web restarted");
    const old = new Set(undone.map((p) => p.metadata.uid));
    await eventually(async () => {
      const l = await readyPods(["web-0", "web-1"]);
      return l.every((p) => !old.has(p.metadata.uid)) ? l : undefined;
    }, 90_000, "both pods replaced by the restart");
  });
});
