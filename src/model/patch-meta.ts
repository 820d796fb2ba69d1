// Strategic-merge-patch metadata: which lists merge element-wise and by which key.
// Written from the `patchStrategy`/`patchMergeKey` struct tags of k8s.io/api
// (core/v1, apps/v1) and k8s.io/apimachinery (meta/v1 ObjectMeta) for the kinds served
// here. A list not listed is replaced wholesale by a patch (e.g. tolerations, taints,
// containerStatuses, args), which is also what upstream does for untagged lists.

export interface FieldMeta {
  /** "merge": lists merge (maps by mergeKey, primitives as a set); absent: replace. */
  strategy?: "merge";
  mergeKey?: string;
  /** Schema of the map, or of the list's elements. */
  sub?: StructMeta;
}

export type StructMeta = Record<string, FieldMeta>;

const merge = (mergeKey?: string, sub?: StructMeta): FieldMeta => ({ strategy: "merge", mergeKey, sub });
const nested = (sub: StructMeta): FieldMeta => ({ sub });

const OBJECT_META: StructMeta = {
  ownerReferences: merge("uid"),
  finalizers: merge(), // a set of strings
};

const CONTAINER: StructMeta = {
  ports: merge("containerPort"),
  env: merge("name"),
  volumeMounts: merge("mountPath"),
  volumeDevices: merge("devicePath"),
};

const POD_SPEC: StructMeta = {
  volumes: merge("name"), // upstream "merge,retainKeys": $retainKeys is honoured wherever sent
  initContainers: merge("name", CONTAINER),
  containers: merge("name", CONTAINER),
  ephemeralContainers: merge("name", CONTAINER),
  imagePullSecrets: merge("name"),
  hostAliases: merge("ip"),
  topologySpreadConstraints: merge("topologyKey"),
  schedulingGates: merge("name"),
  resourceClaims: merge("name"),
};

const CONTAINER_STATUS: StructMeta = {
  volumeMounts: merge("mountPath"),
  allocatedResourcesStatus: merge("name"),
};

const POD_STATUS: StructMeta = {
  conditions: merge("type"),
  podIPs: merge("ip"),
  hostIPs: merge("ip"),
  resourceClaimStatuses: merge("name"),
  // containerStatuses themselves are replaced as a whole (no patchStrategy upstream).
  containerStatuses: nested(CONTAINER_STATUS),
  initContainerStatuses: nested(CONTAINER_STATUS),
};

const POD_TEMPLATE: StructMeta = { metadata: nested(OBJECT_META), spec: nested(POD_SPEC) };

const CONDITIONS_STATUS: StructMeta = { conditions: merge("type") };

const root = (spec: StructMeta, status: StructMeta = {}): StructMeta => ({
  metadata: nested(OBJECT_META),
  spec: nested(spec),
  status: nested(status),
});

const ROOTS: Record<string, StructMeta> = {
  pods: root(POD_SPEC, POD_STATUS),
  // spec.strategy is "retainKeys" upstream: handled by the $retainKeys directive kubectl sends.
  "deployments.apps": root({ template: nested(POD_TEMPLATE) }, CONDITIONS_STATUS),
  replicationcontrollers: root({ template: nested(POD_TEMPLATE) }, CONDITIONS_STATUS),
  "replicasets.apps": root({ template: nested(POD_TEMPLATE) }, CONDITIONS_STATUS),
  "daemonsets.apps": root({ template: nested(POD_TEMPLATE) }, CONDITIONS_STATUS),
  // volumeClaimTemplates carry no patch strategy upstream: a patch replaces the list.
  "statefulsets.apps": root({ template: nested(POD_TEMPLATE) }, CONDITIONS_STATUS),
  "jobs.batch": root({ template: nested(POD_TEMPLATE) }, CONDITIONS_STATUS),
  "cronjobs.batch": root({ jobTemplate: nested({ metadata: nested(OBJECT_META), spec: nested({ template: nested(POD_TEMPLATE) }) }) }),
  // MetricSpecs and policies are atomic lists upstream; conditions merge by type.
  "horizontalpodautoscalers.autoscaling": root({}, CONDITIONS_STATUS),
  // Status conditions merge by type; disruptedPods is a map.
  "poddisruptionbudgets.policy": root({}, CONDITIONS_STATUS),
  nodes: root({ podCIDRs: merge() }, { conditions: merge("type"), addresses: merge("type") }),
  namespaces: root({}, CONDITIONS_STATUS),
  "leases.coordination.k8s.io": root({}),
  // ServiceSpec.ports: patchMergeKey "port" (kubectl apply/edit merge ports by number).
  services: root({ ports: merge("port") }, CONDITIONS_STATUS),
  persistentvolumes: root({}),
  persistentvolumeclaims: root({}, CONDITIONS_STATUS),
  // Ingress rules, paths and TLS sections are atomic lists upstream: a patch replaces them.
  "ingresses.networking.k8s.io": root({}),
  "ingressclasses.networking.k8s.io": root({}),
  // ResourceQuota and LimitRange lists (scopes, limits) are atomic upstream.
  resourcequotas: root({}),
  limitranges: root({}),
  events: { metadata: nested(OBJECT_META) },
  serviceaccounts: { metadata: nested(OBJECT_META), secrets: merge("name") },
};

/** The patch schema of a resource by storage key; unknown resources merge like JSON maps. */
export function patchMetaFor(resource: string): StructMeta {
  return Object.hasOwn(ROOTS, resource) ? ROOTS[resource] : { metadata: nested(OBJECT_META) };
}

export function lookupField(meta: StructMeta | undefined, field: string): FieldMeta {
  return meta && Object.hasOwn(meta, field) ? meta[field] : {};
}

/**
 * Upstream keys a few list-maps by more than the merge key (a port number can be taken
 * once per protocol); patch-meta names the merge key, these the whole map key, by
 * "<definition>.<field>".
 */
const EXTRA_MAP_KEYS: Record<string, string[]> = {
  "io.k8s.api.core.v1.Container.ports": ["containerPort", "protocol"],
  "io.k8s.api.core.v1.EphemeralContainer.ports": ["containerPort", "protocol"],
  "io.k8s.api.core.v1.PodSpec.topologySpreadConstraints": ["topologyKey", "whenUnsatisfiable"],
  "io.k8s.api.core.v1.ServiceSpec.ports": ["port", "protocol"],
};

/** The keys of a list-map field (x-kubernetes-list-map-keys) of a definition, given its merge key. */
export function listMapKeys(definition: string, field: string, mergeKey: string): string[] {
  return EXTRA_MAP_KEYS[`${definition}.${field}`] ?? [mergeKey];
}

/**
 * Lists upstream declares list-maps (+listType=map) without a patch strategy: server-side
 * apply merges their items by key, a strategic-merge patch replaces them whole. By
 * "<definition>.<field>", their keys.
 */
const APPLY_ONLY_LIST_MAPS: Record<string, string[]> = {
  "io.k8s.api.core.v1.ResourceRequirements.claims": ["name"],
};

/** The keys of a list-map that only server-side apply merges by key, or undefined. */
export function applyOnlyListMapKeys(definition: string, field: string): string[] | undefined {
  return APPLY_ONLY_LIST_MAPS[`${definition}.${field}`];
}
