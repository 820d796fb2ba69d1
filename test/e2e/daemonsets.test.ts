// DaemonSets through the real kubectl on a 3-node cluster: the docs' fluentd-elasticsearch
// example runs one pod per node, rolls out a new image (`rollout status` follows it),
// shows its ControllerRevisions in `rollout history` and goes back with `rollout undo`;
// `rollout restart|history|undo|pause|resume` on a Deployment; and `drain` leaves the
// DaemonSet's pod on its node with --ignore-daemonsets and refuses without it.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startCluster, eventually, type Cluster } from "./cluster";

const MANIFEST = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: fluentd-elasticsearch
  namespace: kube-system
  labels:
    k8s-app: fluentd-logging
spec:
  selector:
    matchLabels:
      name: fluentd-elasticsearch
  template:
    metadata:
      labels:
        name: fluentd-elasticsearch
    spec:
      tolerations:
      - key: node-role.kubernetes.io/control-plane
        operator: Exists
        effect: NoSchedule
      - key: node-role.kubernetes.io/master
        operator: Exists
        effect: NoSchedule
      containers:
      - name: fluentd-elasticsearch
        image: registry.k8s.io/fluentd-elasticsearch:1.20
        resources:
          limits:
            memory: 200Mi
          requests:
            cpu: 100m
            memory: 200Mi
        volumeMounts:
        - name: varlog
          mountPath: /var/log
      terminationGracePeriodSeconds: 30
      volumes:
      - name: varlog
        hostPath:
          path: /var/log
`;

interface PodJson {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string; containers: { image: string }[]; tolerations?: { key?: string; effect?: string; tolerationSeconds?: number }[] };
  status: { phase?: string; containerStatuses?: { ready: boolean }[] };
}

const DS = ["-n", "kube-system"];

describe("DaemonSets and kubectl rollout", () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster();
  }, 180_000);
  afterAll(async () => {
    await c?.stop();
  });

  async function daemonPods(): Promise<PodJson[]> {
    const r = await c.kubectl(["get", "pods", ...DS, "-l", "name=fluentd-elasticsearch", "-o", "json"]);
    return (JSON.parse(r.stdout).items as PodJson[]).filter((p) => !p.metadata.deletionTimestamp);
  }
  const running = (p: PodJson) => p.status.phase === "Running" && (p.status.containerStatuses ?? []).every((s) => s.ready);
  /** One running pod of `image` on each of the 3 nodes, and nothing else. */
  const onePerNode = (image: string) =>
    eventually(async () => {
      const pods = await daemonPods();
      const nodes = new Set(pods.map((p) => p.spec.nodeName));
      return pods.length === 3 && nodes.size === 3 && !nodes.has(undefined) && pods.every((p) => running(p) && p.spec.containers[0].image === image) ? pods : undefined;
    }, 120_000, `one running ${image} pod per node`);

  it("applies the docs' DaemonSet: one pod per node, pinned by node affinity, with the daemon tolerations", { timeout: 180_000 }, async () => {
    const applied = await c.kubectl(["apply", "-f", "-"], { input: MANIFEST });
    expect(applied.stdout).toContain("daemonset.apps/fluentd-elasticsearch created");
    const pods = await onePerNode("registry.k8s.io/fluentd-elasticsearch:1.20");
    for (const p of pods) {
      expect(p.metadata.labels?.["controller-revision-hash"]).toMatch(/^[a-z0-9]+$/);
      expect(p.metadata.labels?.["pod-template-generation"]).toBe("1");
      expect(p.spec.tolerations).toContainEqual({ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" });
    }
    const table = await eventually(async () => {
      const out = (await c.kubectl(["get", "ds", ...DS])).stdout;
      return /^fluentd-elasticsearch\s+3\s+3\s+3\s+3\s+3\s+<none>\s+\S+$/m.test(out) ? out : undefined;
    }, 60_000, "the DaemonSet's status 3/3/3/3/3");
    expect(table).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE$/m);
    const wide = (await c.kubectl(["get", "daemonsets", ...DS, "-o", "wide"])).stdout;
    expect(wide).toMatch(/CONTAINERS\s+IMAGES\s+SELECTOR/);
    expect(wide).toMatch(/fluentd-elasticsearch\s+registry\.k8s\.io\/fluentd-elasticsearch:1\.20\s+name=fluentd-elasticsearch/);
    const revisions = (await c.kubectl(["get", "controllerrevisions", ...DS])).stdout;
    expect(revisions).toMatch(/^NAME\s+CONTROLLER\s+REVISION\s+AGE$/m);
    expect(revisions).toMatch(new RegExp(`^fluentd-elasticsearch-${pods[0].metadata.labels!["controller-revision-hash"]}\\s+daemonset\\.apps/fluentd-elasticsearch\\s+1\\s`, "m"));
    const all = (await c.kubectl(["get", "all", ...DS])).stdout;
    expect(all).toContain("daemonset.apps/fluentd-elasticsearch");
  });

  it("rolls out a new image node by node; rollout status follows it to the end", { timeout: 240_000 }, async () => {
    await c.kubectl(["annotate", "ds/fluentd-elasticsearch", ...DS, "kubernetes.io/change-cause=fluentd 1.22"]);
    await c.kubectl(["set", "image", "ds/fluentd-elasticsearch", ...DS, "fluentd-elasticsearch=registry.k8s.io/fluentd-elasticsearch:1.22"]);
    const status = await c.kubectl(["rollout", "status", "ds/fluentd-elasticsearch", ...DS, "--timeout=180s"], { timeoutMs: 200_000 });
    expect(status.stdout).toContain('daemon set "fluentd-elasticsearch" successfully rolled out');
    const pods = await onePerNode("registry.k8s.io/fluentd-elasticsearch:1.22");
    expect(pods.every((p) => p.metadata.labels?.["pod-template-generation"] === "2")).toBe(true);
    const events = (await c.kubectl(["get", "events", ...DS, "--field-selector", "involvedObject.name=fluentd-elasticsearch"])).stdout;
    expect(events).toMatch(/SuccessfulDelete\s+daemonset\/fluentd-elasticsearch\s+Deleted pod: fluentd-elasticsearch-/);
    expect(events).toMatch(/SuccessfulCreate\s+daemonset\/fluentd-elasticsearch\s+Created pod: fluentd-elasticsearch-/);
  });

  it("rollout history lists the revisions and undo goes back to the previous template", { timeout: 240_000 }, async () => {
    const history = (await c.kubectl(["rollout", "history", "ds/fluentd-elasticsearch", ...DS])).stdout;
    expect(history).toMatch(/^REVISION\s+CHANGE-CAUSE$/m);
    expect(history).toMatch(/^1\s+<none>$/m);
    expect(history).toMatch(/^2\s+fluentd 1\.22$/m);
    const one = (await c.kubectl(["rollout", "history", "ds/fluentd-elasticsearch", ...DS, "--revision=1"])).stdout;
    expect(one).toContain("registry.k8s.io/fluentd-elasticsearch:1.20");

    const undo = await c.kubectl(["rollout", "undo", "ds/fluentd-elasticsearch", ...DS]);
    expect(undo.stdout).toContain("daemonset.apps/fluentd-elasticsearch rolled back");
    const status = await c.kubectl(["rollout", "status", "ds/fluentd-elasticsearch", ...DS, "--timeout=180s"], { timeoutMs: 200_000 });
    expect(status.stdout).toContain("successfully rolled out");
    await onePerNode("registry.k8s.io/fluentd-elasticsearch:1.20");
    // Revision 1 came back as revision 3.
    const after = await eventually(async () => {
      const out = (await c.kubectl(["rollout", "history", "ds/fluentd-elasticsearch", ...DS])).stdout;
      return /^2\s/m.test(out) && /^3\s/m.test(out) && !/^1\s/m.test(out) ? out : undefined;
    }, 30_000, "revisions 2 and 3");
    expect(after).toMatch(/^2\s+fluentd 1\.22$/m);

    const pause = await c.kubectl(["rollout", "pause", "ds/fluentd-elasticsearch", ...DS], { allowFail: true });
    expect(pause.code).not.toBe(0);
    expect(pause.stderr).toContain('daemonsets.apps "fluentd-elasticsearch" pausing is not supported');
  });

  it("rollout restart, history, undo, pause and resume on a Deployment", { timeout: 240_000 }, async () => {
    await c.kubectl(["create", "deployment", "web", "--image=nginx:1.27", "--replicas=2"]);
    await c.kubectl(["rollout", "status", "deployment/web", "--timeout=120s"], { timeoutMs: 130_000 });
    const restart = await c.kubectl(["rollout", "restart", "deployment/web"]);
    expect(restart.stdout).toContain("deployment.apps/web restarted");
    const done = await c.kubectl(["rollout", "status", "deployment/web", "--timeout=120s"], { timeoutMs: 130_000 });
    expect(done.stdout).toContain('deployment "web" successfully rolled out');
    const template = JSON.parse((await c.kubectl(["get", "deployment", "web", "-o", "json"])).stdout).spec.template.metadata.annotations;
    expect(template["kubectl.kubernetes.io/restartedAt"]).toMatch(/^\d{4}-\d\d-\d\dT/);
    const history = (await c.kubectl(["rollout", "history", "deployment/web"])).stdout;
    expect(history).toMatch(/^1\s+<none>$/m);
    expect(history).toMatch(/^2\s+<none>$/m);

    const undo = await c.kubectl(["rollout", "undo", "deployment/web"]);
    expect(undo.stdout).toContain("deployment.apps/web rolled back");
    await c.kubectl(["rollout", "status", "deployment/web", "--timeout=120s"], { timeoutMs: 130_000 });
    const back = JSON.parse((await c.kubectl(["get", "deployment", "web", "-o", "json"])).stdout);
    expect(back.spec.template.metadata.annotations?.["kubectl.kubernetes.io/restartedAt"]).toBeUndefined();
    expect(back.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("3");

    expect((await c.kubectl(["rollout", "pause", "deployment/web"])).stdout).toContain("deployment.apps/web paused");
    expect(JSON.parse((await c.kubectl(["get", "deployment", "web", "-o", "json"])).stdout).spec.paused).toBe(true);
    expect((await c.kubectl(["rollout", "resume", "deployment/web"])).stdout).toContain("deployment.apps/web resumed");
  });

  it("drain refuses DaemonSet pods without --ignore-daemonsets and leaves them with it", { timeout: 240_000 }, async () => {
    const refused = await c.kubectl(["drain", "node-2", "--timeout=60s"], { allowFail: true, timeoutMs: 90_000 });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/cannot delete DaemonSet-managed Pods \(use --ignore-daemonsets to ignore\): kube-system\/fluentd-elasticsearch-\w+/);
    await c.kubectl(["uncordon", "node-2"]);

    const before = (await daemonPods()).find((p) => p.spec.nodeName === "node-3")!;
    const drained = await c.kubectl(["drain", "node-3", "--ignore-daemonsets", "--timeout=120s"], { timeoutMs: 150_000 });
    expect(drained.stderr + drained.stdout).toMatch(/Warning: ignoring DaemonSet-managed Pods: kube-system\/fluentd-elasticsearch-\w+/);
    expect(drained.stdout).toContain("node/node-3 drained");
    // The web pods left node-3; the daemon pod is the same one, still running there.
    const web = JSON.parse((await c.kubectl(["get", "pods", "-l", "app=web", "-o", "json"])).stdout).items as PodJson[];
    expect(web.filter((p) => !p.metadata.deletionTimestamp).every((p) => p.spec.nodeName !== "node-3")).toBe(true);
    const after = (await daemonPods()).find((p) => p.spec.nodeName === "node-3");
    expect(after?.metadata.name).toBe(before.metadata.name);
    expect(running(after!)).toBe(true);
    const ds = (await c.kubectl(["get", "ds", ...DS])).stdout;
    expect(ds).toMatch(/^fluentd-elasticsearch\s+3\s+3\s+3\s/m);
    await c.kubectl(["uncordon", "node-3"]);
  });
});
