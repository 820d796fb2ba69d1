// Persistent storage through the real kubectl: a claim from a manifest is provisioned
// and bound, `kubectl get pv,pvc,sc` prints upstream's columns, a pod writes to the
// claim with `kubectl exec`, is deleted, and a new pod on another node reads the file.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startCluster, eventually, type Cluster } from "./cluster";

const CLAIM = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: 1Gi
`;

const pod = (name: string, node?: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  ${node ? `nodeName: ${node}` : ""}
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox:1.36
    command: ["sleep", "3600"]
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: data
`;

/** The header row of `kubectl get`, split on the runs of spaces between columns. */
const header = (out: string) => out.split("\n")[0].trim().split(/\s{2,}/);

describe("persistent volumes with kubectl", () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster();
  }, 180_000);
  afterAll(async () => {
    await c?.stop();
  });

  it("provisions a claim, and a file written by one pod is read by the next on another node", async () => {
    await c.kubectl(["apply", "-f", "-"], { input: CLAIM });
    const volume = await eventually(async () => {
      const r = await c.kubectl(["get", "pvc", "data", "-o", "jsonpath={.status.phase} {.spec.volumeName}"]);
      const [phase, name] = r.stdout.split(" ");
      return phase === "Bound" ? name : undefined;
    }, 30_000, "the claim Bound");
    expect(volume).toMatch(/^pvc-[0-9a-f-]{36}$/);

    const pvc = await c.kubectl(["get", "pvc"]);
    expect(header(pvc.stdout)).toEqual(["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "AGE"]);
    expect(pvc.stdout).toMatch(new RegExp(`data\\s+Bound\\s+${volume}\\s+1Gi\\s+RWO\\s+standard\\s+<unset>`));
    const pv = await c.kubectl(["get", "pv"]);
    expect(header(pv.stdout)).toEqual(["NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"]);
    expect(pv.stdout).toMatch(new RegExp(`${volume}\\s+1Gi\\s+RWO\\s+Delete\\s+Bound\\s+default/data\\s+standard\\s+<unset>`));
    const sc = await c.kubectl(["get", "sc"]);
    expect(header(sc.stdout)).toEqual(["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"]);
    expect(sc.stdout).toMatch(/standard \(default\)\s+edgekube\.dev\/volume\s+Delete\s+Immediate\s+false/);

    await c.kubectl(["apply", "-f", "-"], { input: pod("writer") });
    await c.kubectl(["wait", "--for=condition=Ready", "pod/writer", "--timeout=60s"], { timeoutMs: 70_000 });
    await c.kubectl(["exec", "writer", "--", "sh", "-c", "echo hi > /data/f"]);
    const first = (await c.kubectl(["get", "pod", "writer", "-o", "jsonpath={.spec.nodeName}"])).stdout;
    await c.kubectl(["delete", "pod", "writer"], { timeoutMs: 60_000 });

    const nodes = (await c.kubectl(["get", "nodes", "-o", "jsonpath={.items[*].metadata.name}"])).stdout.split(" ");
    const other = nodes.find((n) => n !== first)!;
    await c.kubectl(["apply", "-f", "-"], { input: pod("reader", other) });
    await c.kubectl(["wait", "--for=condition=Ready", "pod/reader", "--timeout=60s"], { timeoutMs: 70_000 });
    const read = await c.kubectl(["exec", "reader", "--", "cat", "/data/f"]);
    expect(read.stdout).toBe("hi\n");

    // In use: deleting the claim leaves it Terminating until the pod is gone.
    await c.kubectl(["delete", "pvc", "data", "--wait=false"]);
    expect((await c.kubectl(["get", "pvc", "data"])).stdout).toMatch(/data\s+Terminating/);
    await c.kubectl(["delete", "pod", "reader"], { timeoutMs: 60_000 });
    await eventually(async () => {
      const r = await c.kubectl(["get", "pv,pvc", "--no-headers"], { allowFail: true });
      return r.stdout.trim() === "" ? true : undefined;
    }, 30_000, "the claim and its volume deleted");
  }, 170_000);
});
