import { describe, expect, it } from "vitest";
import type { NodeSelectorRequirement, PersistentVolumeClaim, Pod, Taint, Toleration } from "../../src/model/types";
import { Code, CycleState, type NodeInfo, type Status } from "../../src/scheduler/framework";
import { container, makeNode, makePod, type NodeOptions } from "../../src/scheduler/fixtures";
import { buildSnapshot, newNodeInfo } from "../../src/scheduler/node-info";
import { NodeAffinity } from "../../src/scheduler/plugins/node-affinity";
import { NodeName } from "../../src/scheduler/plugins/node-name";
import { NodePorts } from "../../src/scheduler/plugins/node-ports";
import { NodeResourcesFit } from "../../src/scheduler/plugins/node-resources-fit";
import { NodeUnschedulable } from "../../src/scheduler/plugins/node-unschedulable";
import { TaintToleration } from "../../src/scheduler/plugins/taint-toleration";
import { CLAIMS_STATE_KEY, VolumeBinding } from "../../src/scheduler/plugins/volume-binding";
import { schedulePod } from "../../src/scheduler/schedule-one";

function ni(opts: NodeOptions = {}, pods: Pod[] = [], name = "n1"): NodeInfo {
  return newNodeInfo(makeNode(name, opts), pods);
}
const state = () => new CycleState();
const verdict = (s: Status) => [s.code, ...s.reasons];

describe("NodeUnschedulable", () => {
  const plugin = new NodeUnschedulable();
  it.each<{ name: string; unschedulable: boolean; tolerations?: Toleration[]; want: string[] }>([
    { name: "schedulable node", unschedulable: false, want: [Code.Success] },
    { name: "cordoned node", unschedulable: true, want: [Code.UnschedulableAndUnresolvable, "node(s) were unschedulable"] },
    {
      name: "cordoned, pod tolerates the unschedulable taint",
      unschedulable: true,
      tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" }],
      want: [Code.Success],
    },
    { name: "cordoned, pod tolerates everything", unschedulable: true, tolerations: [{ operator: "Exists" }], want: [Code.Success] },
    {
      name: "cordoned, toleration for another effect",
      unschedulable: true,
      tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoExecute" }],
      want: [Code.UnschedulableAndUnresolvable, "node(s) were unschedulable"],
    },
  ])("$name", ({ unschedulable, tolerations, want }) => {
    const pod = makePod("p", { spec: tolerations ? { tolerations } : {} });
    expect(verdict(plugin.filter(state(), pod, ni({ unschedulable })))).toEqual(want);
  });
});

describe("NodeName", () => {
  const plugin = new NodeName();
  it("passes any node when the pod names none, only the named node otherwise", () => {
    expect(plugin.filter(state(), makePod("p"), ni()).code).toBe(Code.Success);
    expect(plugin.filter(state(), makePod("p", { spec: { nodeName: "n1" } }), ni()).code).toBe(Code.Success);
    expect(verdict(plugin.filter(state(), makePod("p", { spec: { nodeName: "n2" } }), ni()))).toEqual([
      Code.UnschedulableAndUnresolvable,
      "node(s) didn't match the requested node name",
    ]);
  });
});

describe("NodeResourcesFit filter", () => {
  const plugin = new NodeResourcesFit();
  const used = (cpu: string, memory = "0") => makePod(`used-${cpu}-${memory}`, { cpu, memory, spec: { nodeName: "n1" } });

  it.each<{ name: string; node: NodeOptions; onNode?: Pod[]; pod: Pod; want: string[] }>([
    { name: "empty node, small pod", node: {}, pod: makePod("p", { cpu: "1", memory: "1Gi" }), want: [Code.Success] },
    { name: "zero cpu capacity", node: { cpu: "0" }, pod: makePod("p", { cpu: "100m" }), want: [Code.Unschedulable, "Insufficient cpu"] },
    { name: "zero capacity, pod requesting nothing still fits", node: { cpu: "0", memory: "0" }, pod: makePod("p"), want: [Code.Success] },
    { name: "zero pod capacity", node: { pods: "0" }, pod: makePod("p"), want: [Code.Unschedulable, "Too many pods"] },
    { name: "exactly full after the pod", node: { cpu: "2" }, onNode: [used("1500m")], pod: makePod("p", { cpu: "500m" }), want: [Code.Success] },
    { name: "one millicore over", node: { cpu: "2" }, onNode: [used("1500m")], pod: makePod("p", { cpu: "501m" }), want: [Code.Unschedulable, "Insufficient cpu"] },
    { name: "memory exactly full", node: { memory: "1Gi" }, onNode: [used("0", "512Mi")], pod: makePod("p", { memory: "512Mi" }), want: [Code.Success] },
    {
      name: "short of cpu and memory: both reasons",
      node: { cpu: "1", memory: "1Gi" },
      pod: makePod("p", { cpu: "2", memory: "2Gi" }),
      want: [Code.Unschedulable, "Insufficient cpu", "Insufficient memory"],
    },
    { name: "pod count limit reached", node: { pods: "1" }, onNode: [used("100m")], pod: makePod("p", { cpu: "100m" }), want: [Code.Unschedulable, "Too many pods"] },
    {
      name: "init container larger than the node although the app fits",
      node: { cpu: "2" },
      pod: makePod("p", { spec: { initContainers: [container("init", { cpu: "3" })], containers: [container("a", { cpu: "1" })] } }),
      want: [Code.Unschedulable, "Insufficient cpu"],
    },
    {
      name: "init container equal to the node fits (init and app never run together)",
      node: { cpu: "2" },
      pod: makePod("p", { spec: { initContainers: [container("init", { cpu: "2" })], containers: [container("a", { cpu: "1" })] } }),
      want: [Code.Success],
    },
    {
      name: "ephemeral-storage",
      node: { ephemeralStorage: "10Gi" },
      pod: makePod("p", { ephemeralStorage: "11Gi" }),
      want: [Code.Unschedulable, "Insufficient ephemeral-storage"],
    },
    {
      name: "extended resource the node lacks",
      node: {},
      pod: makePod("p", { requests: { "example.com/gpu": "1" } }),
      want: [Code.Unschedulable, "Insufficient example.com/gpu"],
    },
    { name: "extended resource the node has", node: { extra: { "example.com/gpu": "2" } }, pod: makePod("p", { requests: { "example.com/gpu": "2" } }), want: [Code.Success] },
  ])("$name", ({ node, onNode, pod, want }) => {
    expect(verdict(plugin.filter(state(), pod, ni(node, onNode ?? [])))).toEqual(want);
  });

  it("uses capacity when a node reports no allocatable", () => {
    const node = makeNode("n1", { cpu: "1" });
    delete node.status!.allocatable;
    expect(plugin.filter(state(), makePod("p", { cpu: "1" }), newNodeInfo(node)).code).toBe(Code.Success);
    expect(plugin.filter(state(), makePod("p", { cpu: "1001m" }), newNodeInfo(node)).code).toBe(Code.Unschedulable);
  });

  it("a snapshot does not count Succeeded/Failed pods or pods bound elsewhere", () => {
    const done = { ...used("1"), status: { phase: "Succeeded" as const } };
    const elsewhere = makePod("x", { cpu: "1", spec: { nodeName: "n2" } });
    const [n1] = buildSnapshot([makeNode("n1", { cpu: "1" })], [done, elsewhere]);
    expect(n1.pods).toHaveLength(0);
    expect(plugin.filter(state(), makePod("p", { cpu: "1" }), n1).code).toBe(Code.Success);
    const [busy] = buildSnapshot([makeNode("n1", { cpu: "1" })], [used("1")]);
    expect(plugin.filter(state(), makePod("p", { cpu: "1m" }), busy).code).toBe(Code.Unschedulable);
  });
});

describe("TaintToleration filter", () => {
  const plugin = new TaintToleration();
  const gpu: Taint = { key: "dedicated", value: "gpu", effect: "NoSchedule" };
  const unreachable: Taint = { key: "node.kubernetes.io/unreachable", effect: "NoExecute" };
  const soft: Taint = { key: "spot", value: "true", effect: "PreferNoSchedule" };

  it.each<{ name: string; taints: Taint[]; tolerations?: Toleration[]; want: string[] }>([
    { name: "no taints", taints: [], want: [Code.Success] },
    { name: "untolerated NoSchedule", taints: [gpu], want: [Code.UnschedulableAndUnresolvable, "node(s) had untolerated taint {dedicated: gpu}"] },
    { name: "untolerated NoExecute without value", taints: [unreachable], want: [Code.UnschedulableAndUnresolvable, "node(s) had untolerated taint {node.kubernetes.io/unreachable: }"] },
    { name: "PreferNoSchedule never filters", taints: [soft], want: [Code.Success] },
    { name: "Equal with key, value and effect", taints: [gpu], tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }], want: [Code.Success] },
    { name: "operator omitted means Equal", taints: [gpu], tolerations: [{ key: "dedicated", value: "gpu" }], want: [Code.Success] },
    {
      name: "Equal with another value",
      taints: [gpu],
      tolerations: [{ key: "dedicated", operator: "Equal", value: "cpu", effect: "NoSchedule" }],
      want: [Code.UnschedulableAndUnresolvable, "node(s) had untolerated taint {dedicated: gpu}"],
    },
    { name: "Exists on the key", taints: [gpu], tolerations: [{ key: "dedicated", operator: "Exists" }], want: [Code.Success] },
    { name: "Exists with empty key tolerates everything", taints: [gpu, unreachable], tolerations: [{ operator: "Exists" }], want: [Code.Success] },
    { name: "empty effect matches every effect", taints: [gpu], tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "" }], want: [Code.Success] },
    {
      name: "toleration for another effect",
      taints: [gpu],
      tolerations: [{ key: "dedicated", operator: "Exists", effect: "NoExecute" }],
      want: [Code.UnschedulableAndUnresolvable, "node(s) had untolerated taint {dedicated: gpu}"],
    },
    {
      name: "one of two taints tolerated: the other is reported",
      taints: [gpu, unreachable],
      tolerations: [{ key: "dedicated", operator: "Exists" }],
      want: [Code.UnschedulableAndUnresolvable, "node(s) had untolerated taint {node.kubernetes.io/unreachable: }"],
    },
    {
      name: "NoExecute toleration with tolerationSeconds still admits",
      taints: [unreachable],
      tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }],
      want: [Code.Success],
    },
  ])("$name", ({ taints, tolerations, want }) => {
    const pod = makePod("p", { spec: tolerations ? { tolerations } : {} });
    expect(verdict(plugin.filter(state(), pod, ni({ taints })))).toEqual(want);
  });
});

describe("NodeAffinity filter", () => {
  const plugin = new NodeAffinity();
  const labels = { zone: "a", disk: "ssd", cpus: "8" };
  const REJECT = [Code.UnschedulableAndUnresolvable, "node(s) didn't match Pod's node affinity/selector"];
  const required = (...terms: { matchExpressions?: NodeSelectorRequirement[]; matchFields?: NodeSelectorRequirement[] }[]) =>
    makePod("p", { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } } });
  const expr = (key: string, operator: NodeSelectorRequirement["operator"], values?: string[]) => required({ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] });

  it.each<{ name: string; pod: Pod; pass: boolean }>([
    { name: "no selector, no affinity", pod: makePod("p"), pass: true },
    { name: "nodeSelector matches", pod: makePod("p", { spec: { nodeSelector: { zone: "a", disk: "ssd" } } }), pass: true },
    { name: "nodeSelector value differs", pod: makePod("p", { spec: { nodeSelector: { zone: "b" } } }), pass: false },
    { name: "nodeSelector label missing", pod: makePod("p", { spec: { nodeSelector: { gpu: "true" } } }), pass: false },
    { name: "In matches", pod: expr("zone", "In", ["b", "a"]), pass: true },
    { name: "In does not match", pod: expr("zone", "In", ["b"]), pass: false },
    { name: "In on a missing label", pod: expr("gpu", "In", ["true"]), pass: false },
    { name: "NotIn excludes", pod: expr("zone", "NotIn", ["a"]), pass: false },
    { name: "NotIn passes other values", pod: expr("zone", "NotIn", ["b"]), pass: true },
    { name: "NotIn passes a missing label", pod: expr("gpu", "NotIn", ["true"]), pass: true },
    { name: "Exists", pod: expr("disk", "Exists"), pass: true },
    { name: "Exists on a missing label", pod: expr("gpu", "Exists"), pass: false },
    { name: "DoesNotExist", pod: expr("gpu", "DoesNotExist"), pass: true },
    { name: "DoesNotExist on a present label", pod: expr("disk", "DoesNotExist"), pass: false },
    { name: "Gt true", pod: expr("cpus", "Gt", ["4"]), pass: true },
    { name: "Gt is strict", pod: expr("cpus", "Gt", ["8"]), pass: false },
    { name: "Lt true", pod: expr("cpus", "Lt", ["10"]), pass: true },
    { name: "Lt is strict", pod: expr("cpus", "Lt", ["8"]), pass: false },
    { name: "Gt on a non-integer label", pod: expr("zone", "Gt", ["1"]), pass: false },
    { name: "Gt with a non-integer value is invalid", pod: expr("cpus", "Gt", ["four"]), pass: false },
    { name: "Gt on a missing label", pod: expr("gpu", "Gt", ["1"]), pass: false },
    { name: "In without values is invalid", pod: expr("zone", "In", []), pass: false },
    { name: "Exists with values is invalid", pod: expr("zone", "Exists", ["a"]), pass: false },
    {
      name: "expressions in a term are ANDed",
      pod: required({ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }, { key: "disk", operator: "In", values: ["hdd"] }] }),
      pass: false,
    },
    {
      name: "terms are ORed",
      pod: required({ matchExpressions: [{ key: "zone", operator: "In", values: ["b"] }] }, { matchExpressions: [{ key: "disk", operator: "Exists" }] }),
      pass: true,
    },
    { name: "an empty term matches nothing", pod: required({}), pass: false },
    { name: "no terms matches nothing", pod: required(), pass: false },
    { name: "matchFields metadata.name In", pod: required({ matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }] }), pass: true },
    { name: "matchFields metadata.name NotIn", pod: required({ matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["n1"] }] }), pass: false },
    { name: "matchFields metadata.name In another node", pod: required({ matchFields: [{ key: "metadata.name", operator: "In", values: ["n2"] }] }), pass: false },
    { name: "matchFields with two values is invalid", pod: required({ matchFields: [{ key: "metadata.name", operator: "In", values: ["n1", "n2"] }] }), pass: false },
    { name: "matchFields on another field is invalid", pod: required({ matchFields: [{ key: "metadata.uid", operator: "In", values: ["n1"] }] }), pass: false },
    {
      name: "a daemon pod's term: matchFields and the template's expressions are ANDed",
      pod: required({ matchExpressions: [{ key: "zone", operator: "In", values: ["b"] }], matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }] }),
      pass: false,
    },
    {
      name: "a daemon pod's term matching both",
      pod: required({ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }], matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }] }),
      pass: true,
    },
    {
      name: "nodeSelector and affinity must both match",
      pod: makePod("p", {
        spec: {
          nodeSelector: { zone: "b" },
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "disk", operator: "Exists" }] }] } } },
        },
      }),
      pass: false,
    },
  ])("$name", ({ pod, pass }) => {
    expect(verdict(plugin.filter(state(), pod, ni({ labels })))).toEqual(pass ? [Code.Success] : REJECT);
  });
});

describe("NodeAffinity PreFilter (PreFilterResult.NodeNames)", () => {
  const plugin = new NodeAffinity();
  type Term = { matchExpressions?: NodeSelectorRequirement[]; matchFields?: NodeSelectorRequirement[] };
  const pod = (...terms: Term[]) => makePod("p", { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } } });
  const name = (operator: NodeSelectorRequirement["operator"], ...values: string[]): NodeSelectorRequirement => ({ key: "metadata.name", operator, values });

  it.each<{ name: string; pod: Pod; nodes: string[] | undefined; verdict: (Code | string)[] }>([
    { name: "no affinity: every node", pod: makePod("p"), nodes: undefined, verdict: [Code.Success] },
    { name: "a daemon pod's term: its node only", pod: pod({ matchFields: [name("In", "n1")] }), nodes: ["n1"], verdict: [Code.Success] },
    { name: "ORed terms: the union", pod: pod({ matchFields: [name("In", "n1")] }, { matchFields: [name("In", "n2")] }), nodes: ["n1", "n2"], verdict: [Code.Success] },
    { name: "a term without names lets every node through", pod: pod({ matchFields: [name("In", "n1")] }, { matchExpressions: [{ key: "zone", operator: "Exists" }] }), nodes: undefined, verdict: [Code.Success] },
    { name: "NotIn does not narrow", pod: pod({ matchFields: [name("NotIn", "n1")] }), nodes: undefined, verdict: [Code.Success] },
    { name: "ANDed names that never meet conflict", pod: pod({ matchFields: [name("In", "n1"), name("In", "n2")] }), nodes: [], verdict: [Code.UnschedulableAndUnresolvable, "pod affinity terms conflict"] },
  ])("$name", ({ pod, nodes, verdict: want }) => {
    const got = plugin.preFilterNodes(pod);
    expect(got === undefined ? undefined : [...got].sort()).toEqual(nodes);
    expect(verdict(plugin.preFilter(state(), pod))).toEqual(want);
  });
});

describe("NodePorts filter", () => {
  const plugin = new NodePorts();
  const withPorts = (name: string, ports: { hostPort: number; protocol?: string; hostIP?: string }[], nodeName?: string) =>
    makePod(name, { ports: ports.map((p) => ({ containerPort: p.hostPort, ...p })), spec: nodeName ? { nodeName } : {} });
  const REJECT = [Code.Unschedulable, "node(s) didn't have free ports for the requested pod ports"];

  it.each<{ name: string; used: { hostPort: number; protocol?: string; hostIP?: string }[]; want: { hostPort: number; protocol?: string; hostIP?: string }[]; pass: boolean }>([
    { name: "no host ports wanted", used: [{ hostPort: 8080 }], want: [], pass: true },
    { name: "same port, all IPs", used: [{ hostPort: 8080 }], want: [{ hostPort: 8080 }], pass: false },
    { name: "same port, other protocol", used: [{ hostPort: 8080 }], want: [{ hostPort: 8080, protocol: "UDP" }], pass: true },
    { name: "other port", used: [{ hostPort: 8080 }], want: [{ hostPort: 8081 }], pass: true },
    { name: "specific IP against 0.0.0.0", used: [{ hostPort: 8080 }], want: [{ hostPort: 8080, hostIP: "10.0.0.1" }], pass: false },
    { name: "0.0.0.0 against a specific IP", used: [{ hostPort: 8080, hostIP: "10.0.0.1" }], want: [{ hostPort: 8080 }], pass: false },
    { name: "two different specific IPs", used: [{ hostPort: 8080, hostIP: "10.0.0.1" }], want: [{ hostPort: 8080, hostIP: "10.0.0.2" }], pass: true },
    { name: "one of several ports taken", used: [{ hostPort: 9000 }], want: [{ hostPort: 8080 }, { hostPort: 9000 }], pass: false },
  ])("$name", ({ used, want, pass }) => {
    const node = ni({}, [withPorts("used", used, "n1")]);
    expect(verdict(plugin.filter(state(), withPorts("p", want), node))).toEqual(pass ? [Code.Success] : REJECT);
  });

  it("a sidecar's host port counts, a plain init container's does not", () => {
    const onNode = makePod("used", {
      spec: {
        nodeName: "n1",
        initContainers: [
          container("side", { restartPolicy: "Always", ports: [{ containerPort: 1, hostPort: 7000 }] }),
          container("init", { ports: [{ containerPort: 2, hostPort: 7001 }] }),
        ],
      },
    });
    const node = ni({}, [onNode]);
    expect(plugin.filter(state(), withPorts("p", [{ hostPort: 7000 }]), node).code).toBe(Code.Unschedulable);
    expect(plugin.filter(state(), withPorts("p", [{ hostPort: 7001 }]), node).code).toBe(Code.Success);
  });
});

describe("VolumeBinding", () => {
  const plugin = new VolumeBinding();
  const claim = (name: string, extra: { volumeName?: string; deleting?: boolean } = {}): PersistentVolumeClaim => ({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name, namespace: "default", ...(extra.deleting ? { deletionTimestamp: "2024-01-01T00:00:00Z" } : {}) },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...(extra.volumeName ? { volumeName: extra.volumeName } : {}) },
  });
  const withClaims = (...claims: PersistentVolumeClaim[]) => {
    const s = new CycleState();
    s.write(CLAIMS_STATE_KEY, new Map(claims.map((c) => [`${c.metadata.namespace}/${c.metadata.name}`, c])));
    return s;
  };
  const mounting = (...names: string[]) => makePod("p", { spec: { volumes: names.map((n) => ({ name: n, persistentVolumeClaim: { claimName: n } })) } });

  it.each<{ name: string; pod: Pod; claims: PersistentVolumeClaim[]; want: string[] }>([
    { name: "no claims", pod: makePod("p"), claims: [], want: [Code.Success] },
    { name: "a bound claim", pod: mounting("data"), claims: [claim("data", { volumeName: "pvc-1" })], want: [Code.Success] },
    { name: "a missing claim", pod: mounting("data"), claims: [], want: [Code.UnschedulableAndUnresolvable, 'persistentvolumeclaim "data" not found'] },
    { name: "a claim being deleted", pod: mounting("data"), claims: [claim("data", { volumeName: "pvc-1", deleting: true })], want: [Code.UnschedulableAndUnresolvable, 'persistentvolumeclaim "data" is being deleted'] },
    { name: "an unbound claim", pod: mounting("data"), claims: [claim("data")], want: [Code.UnschedulableAndUnresolvable, "pod has unbound immediate PersistentVolumeClaims"] },
    { name: "one bound, one unbound", pod: mounting("a", "b"), claims: [claim("a", { volumeName: "pvc-1" }), claim("b")], want: [Code.UnschedulableAndUnresolvable, "pod has unbound immediate PersistentVolumeClaims"] },
    { name: "a claim of another namespace does not count", pod: mounting("data"), claims: [{ ...claim("data", { volumeName: "pvc-1" }), metadata: { name: "data", namespace: "other" } }], want: [Code.UnschedulableAndUnresolvable, 'persistentvolumeclaim "data" not found'] },
  ])("$name", ({ pod, claims, want }) => {
    const s = withClaims(...claims);
    expect(verdict(plugin.preFilter(s, pod))).toEqual(want);
    // Network storage: once the claims are bound, every node will do.
    expect(verdict(plugin.filter(s, pod, ni()))).toEqual([Code.Success]);
  });

  it("fails the whole cycle with upstream's message", () => {
    const r = schedulePod(mounting("data"), buildSnapshot([makeNode("n1"), makeNode("n2")], []), { random: () => 0.5, claims: new Map([["default/data", claim("data")]]) });
    expect(r.node).toBeUndefined();
    expect(r.message).toBe("0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.");
    const ok = schedulePod(mounting("data"), buildSnapshot([makeNode("n1")], []), { random: () => 0.5, claims: new Map([["default/data", claim("data", { volumeName: "pvc-1" })]]) });
    expect(ok.node).toBe("n1");
  });
});
