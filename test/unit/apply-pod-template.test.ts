// Server-side apply of a Deployment whose pod template uses the schemas of scheduling,
// security and volumes: two appliers share the template, each owning its own items of
// the list-maps (volumes by name, topology spread constraints by topologyKey and
// whenUnsatisfiable, resource claims by name), while atomic parts (a node selector, a
// projected volume's sources) are owned whole and conflict as a whole.
import { describe, it, expect } from "vitest";
import { applyConfiguration, ApplyConflicts, conflictReport, type ManagedFieldsEntry } from "../../src/model/managed-fields";
import { schemaFor } from "../../src/model/field-schema";
import type { KubeObject } from "../../src/model/types";

const schema = schemaFor("deployments.apps");

type Spec = Record<string, unknown>;

function deployment(podSpec: Spec): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx" }], ...podSpec } } },
  } as KubeObject;
}

const apply = (live: KubeObject | undefined, podSpec: Spec, manager: string) =>
  applyConfiguration(live, deployment(podSpec), schema, { manager, apiVersion: "apps/v1", time: "2026-01-01T00:00:00Z" }, "object-with-status-subresource", false).object;
const owned = (o: KubeObject, manager: string) => JSON.stringify((o.metadata.managedFields as ManagedFieldsEntry[]).find((e) => e.manager === manager)?.fieldsV1 ?? {});
const podSpec = (o: KubeObject) => (o.spec as { template: { spec: Spec } }).template.spec;

function conflictOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ApplyConflicts) return conflictReport(e.conflicts).message;
    throw e;
  }
  throw new Error("no conflict");
}

const tokens = (audience: string) => ({ name: "tokens", projected: { defaultMode: 0o440, sources: [{ serviceAccountToken: { path: "token", audience, expirationSeconds: 3600 } }, { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } }] } });
const zone = { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app: "web" } } };
const host = { maxSkew: 2, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway" };
const linuxOnly = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/os", operator: "In", values: ["linux"] }] }] } } };

const alice = { affinity: linuxOnly, topologySpreadConstraints: [zone], volumes: [tokens("api")], securityContext: { runAsNonRoot: true } };
const bob = { topologySpreadConstraints: [host], volumes: [{ name: "cache", emptyDir: { sizeLimit: "1Gi" } }], securityContext: { runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } } };

describe("apply of a pod template with affinity, spread constraints and a projected volume", () => {
  const shared = apply(apply(undefined, alice, "alice"), bob, "bob");

  it.each([
    ["alice", 'k:{\\"name\\":\\"tokens\\"}'],
    ["alice", '"f:projected":{"f:defaultMode":{},"f:sources":{}}'],
    ["alice", 'k:{\\"topologyKey\\":\\"topology.kubernetes.io/zone\\",\\"whenUnsatisfiable\\":\\"DoNotSchedule\\"}'],
    ["alice", '"f:affinity":{"f:nodeAffinity":{"f:requiredDuringSchedulingIgnoredDuringExecution":{}}}'],
    ["alice", '"f:securityContext":{"f:runAsNonRoot":{}}'],
    ["bob", 'k:{\\"name\\":\\"cache\\"}'],
    ["bob", 'k:{\\"topologyKey\\":\\"kubernetes.io/hostname\\",\\"whenUnsatisfiable\\":\\"ScheduleAnyway\\"}'],
    ["bob", '"f:securityContext":{"f:runAsUser":{},"f:seccompProfile":{"f:type":{}}}'],
  ])("%s owns %s", (manager, fields) => {
    expect(owned(shared, manager)).toContain(fields);
  });

  it("keeps both appliers' items of each list-map, and each one's fields of the security context", () => {
    const spec = podSpec(shared);
    expect((spec.volumes as { name: string }[]).map((v) => v.name)).toEqual(["tokens", "cache"]);
    expect((spec.topologySpreadConstraints as { topologyKey: string }[]).map((c) => c.topologyKey)).toEqual(["topology.kubernetes.io/zone", "kubernetes.io/hostname"]);
    expect(spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } });
  });

  it("removes only the applier's own items when it applies without them", () => {
    const o = apply(shared, { affinity: linuxOnly }, "alice");
    const spec = podSpec(o);
    expect((spec.volumes as { name: string }[]).map((v) => v.name)).toEqual(["cache"]);
    expect((spec.topologySpreadConstraints as { topologyKey: string }[]).map((c) => c.topologyKey)).toEqual(["kubernetes.io/hostname"]);
    expect(spec.securityContext).toEqual({ runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } });
    expect(spec.affinity).toEqual(linuxOnly);
  });

  it.each([
    ["a projected volume's sources, an atomic list", { volumes: [tokens("vault")] }, '.spec.template.spec.volumes[name="tokens"].projected.sources'],
    ["a node selector, an atomic struct", { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } }, ".spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"],
    ["a spread constraint's field, by its two keys", { topologySpreadConstraints: [{ ...zone, maxSkew: 3 }] }, '.spec.template.spec.topologySpreadConstraints[topologyKey="topology.kubernetes.io/zone",whenUnsatisfiable="DoNotSchedule"].maxSkew'],
  ])("conflicts on %s changed by another applier", (_what, change, path) => {
    expect(conflictOf(() => apply(shared, change, "carol"))).toBe(`Apply failed with 1 conflict: conflict with "alice": ${path}`);
  });

  it("merges a container's resource claims by name", () => {
    const claims = (names: string[]) => ({ resourceClaims: names.map((name) => ({ name, resourceClaimTemplateName: name })), containers: [{ name: "app", image: "nginx", resources: { claims: names.map((name) => ({ name })) } }] });
    const o = apply(apply(undefined, claims(["gpu"]), "alice"), claims(["fpga"]), "bob");
    const container = (podSpec(o).containers as { resources: { claims: { name: string }[] } }[])[0];
    expect(container.resources.claims.map((c) => c.name)).toEqual(["gpu", "fpga"]);
    expect(owned(o, "bob")).toContain('"f:claims":{"k:{\\"name\\":\\"fpga\\"}"');
  });
});
