// The published OpenAPI schemas: every served kind has one, named as upstream names it
// and tagged with its group-version-kind; every reference resolves; every field says
// what it is; list fields carry exactly the strategic-merge keys patch-meta uses; and
// the pod and workload fields resolve as upstream v1.32 publishes them (types, formats,
// enums, list types and keys, required fields, atomic structs, every volume source).
import { describe, it, expect } from "vitest";
import { RESOURCES, storageKey } from "../../src/model/resources";
import { DEFINITIONS, definitionOfKind, type Definition, type FieldType } from "../../src/model/api-schema";
import { definitionSchema, groupDocument, groupPath, groupVersions } from "../../src/api/openapi-schema";
import { patchMetaFor, type StructMeta } from "../../src/model/patch-meta";

type Json = Record<string, unknown>;

function target(t: FieldType): string | undefined {
  return t.k === "ref" ? t.def : t.k === "array" || t.k === "map" ? target(t.of) : undefined;
}

describe("schemas", () => {
  it("has a schema for every served kind, named after its upstream package", () => {
    for (const r of RESOURCES) {
      const d = definitionOfKind(r.group, r.version, r.kind);
      expect(d, r.kind).toBeDefined();
      expect(d!.name.endsWith(`.${r.version}.${r.kind}`)).toBe(true);
      expect(d!.name).toMatch(/^io\.k8s\.(api|apiextensions-apiserver\.pkg\.apis\.apiextensions\.v1)\./);
      const s = definitionSchema(d!);
      expect(s["x-kubernetes-group-version-kind"]).toEqual([{ group: r.group, version: r.version, kind: r.kind }]);
      expect(Object.keys(s.properties as Json)).toEqual(expect.arrayContaining(["apiVersion", "kind", "metadata"]));
    }
  });

  it("resolves every reference and describes every definition and field", () => {
    for (const d of DEFINITIONS.values()) {
      expect(d.description.length, d.name).toBeGreaterThan(10);
      for (const [name, f] of Object.entries(d.properties)) {
        expect(f.description.length, `${d.name}.${name}`).toBeGreaterThan(3);
        const t = target(f.type);
        if (t) expect(DEFINITIONS.has(t), `${d.name}.${name} -> ${t}`).toBe(true);
      }
    }
  });

  it("puts patch-meta's merge keys on the list fields, as upstream's list-map keys", () => {
    let checked = 0;
    const walk = (d: Definition, meta: StructMeta, path: string) => {
      const props = definitionSchema(d).properties as Record<string, Json>;
      for (const [name, fm] of Object.entries(meta)) {
        const field = d.properties[name];
        if (!field) continue; // a field the schema does not publish (status lists it only patches)
        if (fm.strategy === "merge") {
          expect(props[name]["x-kubernetes-patch-strategy"], `${path}.${name}`).toBe("merge");
          if (fm.mergeKey) {
            expect(props[name]["x-kubernetes-patch-merge-key"], `${path}.${name}`).toBe(fm.mergeKey);
            expect(props[name]["x-kubernetes-list-type"]).toBe("map");
            expect((props[name]["x-kubernetes-list-map-keys"] as string[])[0]).toBe(fm.mergeKey);
          } else {
            expect(props[name]["x-kubernetes-list-type"]).toBe("set");
          }
          checked++;
        }
        const t = target(field.type);
        if (fm.sub && t) walk(DEFINITIONS.get(t)!, fm.sub, `${path}.${name}`);
      }
    };
    for (const r of RESOURCES) walk(definitionOfKind(r.group, r.version, r.kind)!, patchMetaFor(storageKey(r)), r.kind);
    expect(checked).toBeGreaterThan(20);
    // A list patch-meta does not merge is not marked as one.
    const container = definitionSchema(DEFINITIONS.get("io.k8s.api.core.v1.Container")!).properties as Record<string, Json>;
    expect(container.args["x-kubernetes-patch-strategy"]).toBeUndefined();
    expect(container.ports["x-kubernetes-list-map-keys"]).toEqual(["containerPort", "protocol"]);
  });
});

describe("schema files", () => {
  it("define each upstream type once: no two files publish a definition of the same name", async () => {
    // node:fs through a non-literal specifier, typed by hand: the shared tsconfig has Workers types only.
    const { readdirSync } = (await import(["node", "fs"].join(":"))) as { readdirSync(path: URL): string[] };
    const dir = new URL("../../src/model/api-schema/", (import.meta as { url: string }).url);
    const byName = new Map<string, Set<Definition>>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const mod = (await import(new URL(file, dir).href)) as Record<string, unknown>;
      for (const value of Object.values(mod)) {
        if (!Array.isArray(value)) continue;
        for (const d of value as Definition[]) if (d && typeof d.name === "string" && d.properties) byName.set(d.name, (byName.get(d.name) ?? new Set()).add(d));
      }
    }
    expect(byName.size).toBe(DEFINITIONS.size);
    expect([...byName].filter(([, defs]) => defs.size > 1).map(([name]) => name)).toEqual([]);
  });
});

describe("group documents", () => {
  it("lists each kind's patch operation with its group-version-kind and the fieldValidation parameter", () => {
    expect(groupVersions().map((gv) => groupPath(gv.group, gv.version)).sort()).toEqual(["api/v1", "apis/apiextensions.k8s.io/v1", "apis/apps/v1", "apis/authentication.k8s.io/v1", "apis/authorization.k8s.io/v1", "apis/autoscaling/v1", "apis/autoscaling/v2", "apis/batch/v1", "apis/coordination.k8s.io/v1", "apis/discovery.k8s.io/v1", "apis/networking.k8s.io/v1", "apis/policy/v1", "apis/rbac.authorization.k8s.io/v1", "apis/scheduling.k8s.io/v1", "apis/storage.k8s.io/v1"]);
    const doc = groupDocument("apps", "v1");
    const op = (doc.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"] as { patch: Json }).patch;
    expect(op["x-kubernetes-group-version-kind"]).toEqual({ group: "apps", version: "v1", kind: "Deployment" });
    expect((op.parameters as { name: string }[]).map((p) => p.name)).toContain("fieldValidation");
    // The document carries what its kinds refer to, in other groups too.
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(["io.k8s.api.apps.v1.Deployment", "io.k8s.api.core.v1.PodSpec", "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]));
    const probe = doc.components.schemas["io.k8s.api.core.v1.Probe"] as { properties: Record<string, Json> };
    expect(probe.properties.httpGet.allOf).toEqual([{ $ref: "#/components/schemas/io.k8s.api.core.v1.HTTPGetAction" }]);
  });
});

/**
 * The schema a dotted path reaches in a group's v3 document, following refs (allOf),
 * list items ("[]") and map values ("{}"); the last step is the field's own schema.
 */
function resolvePath(doc: { components: { schemas: Record<string, unknown> } }, root: string, path: string): Json {
  const schemas = doc.components.schemas as Record<string, Json>;
  const deref = (s: Json): Json => {
    const ref = (s.allOf as Json[] | undefined)?.[0]?.$ref as string | undefined;
    return ref ? schemas[ref.replace("#/components/schemas/", "")] : s;
  };
  let field: Json = { allOf: [{ $ref: `#/components/schemas/${root}` }] };
  for (const step of path.split(".")) {
    const [name, ...suffixes] = step.split(/(?=\[\]|\{\})/);
    const props = deref(field).properties as Record<string, Json> | undefined;
    expect(props?.[name], `${root}.${path}: ${name}`).toBeDefined();
    field = props![name];
    for (const s of suffixes) field = (s === "[]" ? field.items : field.additionalProperties) as Json;
  }
  return field;
}

const POD_SPEC = "io.k8s.api.core.v1.PodSpec";
const VOLUME = "io.k8s.api.core.v1.Volume";

describe("pod and workload fields, compared with upstream v1.32", () => {
  // [group/version, root, path, what the field's schema must carry]
  it.each<[string, string, string, Json]>([
    ["v1", POD_SPEC, "securityContext.runAsUser", { type: "integer", format: "int64" }],
    ["v1", POD_SPEC, "securityContext.fsGroupChangePolicy", { type: "string", enum: ["Always", "OnRootMismatch"] }],
    ["v1", POD_SPEC, "securityContext.supplementalGroups", { type: "array", items: { type: "integer", format: "int64" }, "x-kubernetes-list-type": "atomic" }],
    ["v1", POD_SPEC, "securityContext.sysctls[].value", { type: "string" }],
    ["v1", POD_SPEC, "securityContext.seccompProfile.type", { type: "string", enum: ["Localhost", "RuntimeDefault", "Unconfined"] }],
    ["v1", POD_SPEC, "securityContext.windowsOptions.hostProcess", { type: "boolean" }],
    ["v1", POD_SPEC, "containers[].securityContext.capabilities.drop", { type: "array", "x-kubernetes-list-type": "atomic" }],
    ["v1", POD_SPEC, "containers[].securityContext.appArmorProfile.localhostProfile", { type: "string" }],
    ["v1", POD_SPEC, "initContainers[].securityContext.procMount", { type: "string", enum: ["Default", "Unmasked"] }],
    ["v1", POD_SPEC, "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[].matchExpressions[].operator", { type: "string", enum: ["DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"] }],
    ["v1", POD_SPEC, "affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[].weight", { type: "integer", format: "int32" }],
    ["v1", POD_SPEC, "affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.topologyKey", { type: "string" }],
    ["v1", POD_SPEC, "affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[].namespaceSelector.matchLabels{}", { type: "string" }],
    ["v1", POD_SPEC, "topologySpreadConstraints", { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["topologyKey", "whenUnsatisfiable"], "x-kubernetes-patch-merge-key": "topologyKey" }],
    ["v1", POD_SPEC, "topologySpreadConstraints[].whenUnsatisfiable", { enum: ["DoNotSchedule", "ScheduleAnyway"] }],
    ["v1", POD_SPEC, "topologySpreadConstraints[].minDomains", { type: "integer", format: "int32" }],
    ["v1", POD_SPEC, "dnsConfig.options[].value", { type: "string" }],
    ["v1", POD_SPEC, "hostAliases", { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["ip"] }],
    ["v1", POD_SPEC, "readinessGates[].conditionType", { type: "string" }],
    ["v1", POD_SPEC, "schedulingGates", { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"] }],
    ["v1", POD_SPEC, "resourceClaims[].resourceClaimTemplateName", { type: "string" }],
    ["v1", POD_SPEC, "os.name", { type: "string" }],
    ["v1", POD_SPEC, "overhead{}", { allOf: [{ $ref: "#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity" }] }],
    ["v1", POD_SPEC, "preemptionPolicy", { enum: ["Never", "PreemptLowerPriority"] }],
    ["v1", POD_SPEC, "containers[].lifecycle.preStop.sleep.seconds", { type: "integer", format: "int64" }],
    ["v1", POD_SPEC, "containers[].resizePolicy[].restartPolicy", { type: "string" }],
    ["v1", POD_SPEC, "containers[].resources.claims", { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"] }],
    ["v1", POD_SPEC, "containers[].volumeDevices", { "x-kubernetes-list-type": "map", "x-kubernetes-patch-merge-key": "devicePath" }],
    ["v1", POD_SPEC, "containers[].volumeMounts[].mountPropagation", { enum: ["Bidirectional", "HostToContainer", "None"] }],
    ["v1", POD_SPEC, "ephemeralContainers[].securityContext.privileged", { type: "boolean" }],
    ["v1", POD_SPEC, "tolerations", { type: "array", "x-kubernetes-list-type": "atomic" }],
    ["v1", VOLUME, "projected.sources[].serviceAccountToken.expirationSeconds", { type: "integer", format: "int64" }],
    ["v1", VOLUME, "projected.sources[].configMap.items[].mode", { type: "integer", format: "int32" }],
    ["v1", VOLUME, "projected.sources[].downwardAPI.items[].resourceFieldRef.divisor", { allOf: [{ $ref: "#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity" }] }],
    ["v1", VOLUME, "projected.sources[].clusterTrustBundle.labelSelector.matchExpressions[].operator", { type: "string" }],
    ["v1", VOLUME, "projected.sources", { "x-kubernetes-list-type": "atomic" }],
    ["v1", VOLUME, "downwardAPI.items[].fieldRef.fieldPath", { type: "string" }],
    ["v1", VOLUME, "hostPath.type", { enum: ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"] }],
    ["v1", VOLUME, "ephemeral.volumeClaimTemplate.spec.resources.requests{}", { allOf: [{ $ref: "#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity" }] }],
    ["v1", VOLUME, "ephemeral.volumeClaimTemplate.spec.dataSourceRef.namespace", { type: "string" }],
    ["v1", VOLUME, "csi.nodePublishSecretRef.name", { type: "string" }],
    ["v1", VOLUME, "image.pullPolicy", { enum: ["Always", "IfNotPresent", "Never"] }],
    ["v1", VOLUME, "nfs.server", { type: "string" }],
    ["v1", VOLUME, "iscsi.lun", { type: "integer", format: "int32" }],
    ["v1", VOLUME, "rbd.monitors", { type: "array", "x-kubernetes-list-type": "atomic" }],
    ["v1", VOLUME, "scaleIO.secretRef.name", { type: "string" }],
    ["v1", "io.k8s.api.core.v1.PersistentVolumeSpec", "nodeAffinity.required.nodeSelectorTerms[].matchFields[].key", { type: "string" }],
    ["v1", "io.k8s.api.core.v1.PersistentVolumeSpec", "iscsi.secretRef.namespace", { type: "string" }],
    ["v1", "io.k8s.api.core.v1.PersistentVolumeSpec", "local.path", { type: "string" }],
    ["apps/v1", "io.k8s.api.apps.v1.DeploymentSpec", "template.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[].matchLabelKeys", { type: "array", "x-kubernetes-list-type": "atomic" }],
    ["apps/v1", "io.k8s.api.apps.v1.StatefulSetSpec", "template.spec.volumes[].projected.sources[].secret.optional", { type: "boolean" }],
    ["batch/v1", "io.k8s.api.batch.v1.JobSpec", "podFailurePolicy.rules[].onExitCodes.values", { type: "array", items: { type: "integer", format: "int32" } }],
    ["batch/v1", "io.k8s.api.batch.v1.JobSpec", "podFailurePolicy.rules[].action", { enum: ["Count", "FailIndex", "FailJob", "Ignore"] }],
    ["batch/v1", "io.k8s.api.batch.v1.CronJobSpec", "jobTemplate.spec.successPolicy.rules[].succeededCount", { type: "integer", format: "int32" }],
  ])("%s %s.%s", (gv, root, path, expected) => {
    const [group, version] = gv.includes("/") ? gv.split("/") : ["", gv];
    expect(resolvePath(groupDocument(group, version), root, path)).toMatchObject(expected);
  });

  it.each<[string, string[]]>([
    ["io.k8s.api.core.v1.NodeSelectorRequirement", ["key", "operator"]],
    ["io.k8s.api.core.v1.PodAffinityTerm", ["topologyKey"]],
    ["io.k8s.api.core.v1.WeightedPodAffinityTerm", ["weight", "podAffinityTerm"]],
    ["io.k8s.api.core.v1.TopologySpreadConstraint", ["maxSkew", "topologyKey", "whenUnsatisfiable"]],
    ["io.k8s.api.core.v1.ServiceAccountTokenProjection", ["path"]],
    ["io.k8s.api.core.v1.SeccompProfile", ["type"]],
    ["io.k8s.api.core.v1.Sysctl", ["name", "value"]],
    ["io.k8s.api.core.v1.ISCSIVolumeSource", ["targetPortal", "iqn", "lun"]],
    ["io.k8s.api.core.v1.PersistentVolumeClaimTemplate", ["spec"]],
  ])("%s requires %j", (name, required) => {
    expect(definitionSchema(DEFINITIONS.get(name)!).required).toEqual(required);
  });

  it.each([
    "io.k8s.api.core.v1.NodeSelector",
    "io.k8s.api.core.v1.NodeSelectorTerm",
    "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
    "io.k8s.api.core.v1.ObjectFieldSelector",
    "io.k8s.api.core.v1.LocalObjectReference",
  ])("%s is an atomic struct", (name) => {
    expect(definitionSchema(DEFINITIONS.get(name)!)["x-kubernetes-map-type"]).toBe("atomic");
  });

  it("has every source of a pod volume that upstream's v1.32 Volume has", () => {
    expect(Object.keys(DEFINITIONS.get(VOLUME)!.properties).sort()).toEqual([
      "awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "fc", "flexVolume", "flocker",
      "gcePersistentDisk", "gitRepo", "glusterfs", "hostPath", "image", "iscsi", "name", "nfs", "persistentVolumeClaim", "photonPersistentDisk", "portworxVolume",
      "projected", "quobyte", "rbd", "scaleIO", "secret", "storageos", "vsphereVolume",
    ]);
  });
});
