// fieldValidation=Strict and the published schemas know one set of fields: an object
// setting every field a kind's schema publishes, at every depth, has no unknown field;
// a misspelled field is found at any depth; and what the server itself writes on
// create (defaults) passes the check it applies to clients.
import { describe, it, expect } from "vitest";
import { RESOURCES, storageKey } from "../../src/model/resources";
import { DEFINITIONS, definitionOfKind, type FieldType } from "../../src/model/api-schema";
import { strictUnknownFields } from "../../src/model/validation";
import { defaultDeployment, defaultJob, defaultPod, defaultStatefulSetSpec } from "../../src/registry/defaults";
import type { Deployment, Job, Pod, StatefulSet } from "../../src/model/types";

/** A value for every field of the type, each definition expanded once along a path. */
function sample(t: FieldType, path: ReadonlySet<string>): unknown {
  switch (t.k) {
    case "ref": {
      const d = DEFINITIONS.get(t.def)!;
      if (d.scalar) return "1";
      if (path.has(d.name)) return {};
      const inner = new Set(path).add(d.name);
      return Object.fromEntries(Object.entries(d.properties).map(([k, f]) => [k, sample(f.type, inner)]));
    }
    case "array":
      return [sample(t.of, path)];
    case "map":
      return { key: sample(t.of, path) };
    case "object":
      return { anything: { goes: [1] } };
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return true;
    default:
      return "x";
  }
}

const checked = RESOURCES.filter((r) => !r.review && r.resource !== "customresourcedefinitions");
const keyOf = (r: (typeof RESOURCES)[number]) => (r.storedAs ? `${storageKey(r)}/${r.version}` : storageKey(r));

describe("strict field validation and the published schemas", () => {
  it.each(checked.map((r) => [keyOf(r), r] as const))("%s: every field its schema publishes is known", (key, r) => {
    const d = definitionOfKind(r.group, r.version, r.kind)!;
    const obj = sample({ k: "ref", def: d.name }, new Set());
    expect(JSON.stringify(obj).length).toBeGreaterThan(100);
    expect(strictUnknownFields(key, obj)).toEqual([]);
  });

  const deployment = (podSpec: Record<string, unknown>) => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: { selector: {}, template: { spec: { containers: [{ name: "a" }], ...podSpec } } } });

  it.each<[string, unknown, string[]]>([
    ["deployments.apps", deployment({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpression: [] }] } } } }), ["spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpression"]],
    ["deployments.apps", deployment({ affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { topologyKey: "k", labelSelector: { matchLabel: {} } } }] } } }), ["spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector.matchLabel"]],
    ["deployments.apps", deployment({ securityContext: { runAsUsr: 1, seccompProfile: { type: "RuntimeDefault" } } }), ["spec.template.spec.securityContext.runAsUsr"]],
    ["deployments.apps", deployment({ containers: [{ name: "a", securityContext: { capabilites: { add: ["NET_ADMIN"] } } }] }), ["spec.template.spec.containers[0].securityContext.capabilites"]],
    ["deployments.apps", deployment({ volumes: [{ name: "t", projected: { sources: [{ serviceAccountToken: { path: "t", expiration: 600 } }] } }] }), ["spec.template.spec.volumes[0].projected.sources[0].serviceAccountToken.expiration"]],
    ["deployments.apps", deployment({ volumes: [{ name: "d", downwardAPI: { items: [{ path: "l", fieldRef: { fieldPath: "metadata.labels", field: 1 } }] } }] }), ["spec.template.spec.volumes[0].downwardAPI.items[0].fieldRef.field"]],
    ["deployments.apps", deployment({ topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "z", whenUnsatisfiable: "DoNotSchedule", minDomain: 2 }] }), ["spec.template.spec.topologySpreadConstraints[0].minDomain"]],
    ["statefulsets.apps", { spec: { volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { resource: {} } }] } }, ["spec.volumeClaimTemplates[0].spec.resource"]],
    ["jobs.batch", { spec: { podFailurePolicy: { rules: [{ action: "Ignore", onExitCode: {} }] } } }, ["spec.podFailurePolicy.rules[0].onExitCode"]],
    ["persistentvolumes", { spec: { nfs: { server: "s", path: "/", readonly: true } } }, ["spec.nfs.readonly"]],
    ["leases.coordination.k8s.io", { spec: {}, status: {} }, ["status"]],
    ["pods", { status: { anything: { the: "kubelet writes" } } }, []],
    ["customresourcedefinitions.apiextensions.k8s.io", { spec: { anything: 1 } }, []],
  ])("%s: %j", (resource, obj, expected) => {
    expect(strictUnknownFields(resource, obj)).toEqual(expected);
  });

  it("accepts what the server writes when it defaults an object", () => {
    const podSpec = () => ({ containers: [{ name: "a", image: "nginx", ports: [{ containerPort: 80 }], livenessProbe: { httpGet: { port: 80 } } }], volumes: [{ name: "v" }] });
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: podSpec() } as unknown as Pod;
    defaultPod(pod, { notReadyTolerationSeconds: 300, unreachableTolerationSeconds: 300 });
    const d = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: { selector: {}, template: { spec: podSpec() } } } as unknown as Deployment;
    defaultDeployment(d);
    const sts = { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "s" }, spec: { selector: {}, template: { spec: podSpec() } } } as unknown as StatefulSet;
    defaultStatefulSetSpec(sts);
    const job = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "j", uid: "u" }, spec: { template: { metadata: {}, spec: { ...podSpec(), restartPolicy: "Never" } } } } as unknown as Job;
    defaultJob(job);
    expect(JSON.stringify(pod.spec)).toContain("terminationMessagePolicy");
    expect([strictUnknownFields("pods", pod), strictUnknownFields("deployments.apps", d), strictUnknownFields("statefulsets.apps", sts), strictUnknownFields("jobs.batch", job)]).toEqual([[], [], [], []]);
  });
});
