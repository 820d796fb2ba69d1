// The custom resources the CustomResourceDefinitions define, as the API server serves
// them: a CRD is served once Established, under its accepted names, at each served
// version; its objects are stored at the storage version under the storage key
// "<plural>.<group>" (the CRD's own name). A catalog is built from a list of CRDs and
// answers the router, discovery, OpenAPI and the registry.
import { apiVersionOf, findResource, RESOURCES, type ResourceInfo } from "./resources";
import { isCRDConditionTrue, type CustomResourceDefinition, type CustomResourceType, type CustomResourceVersion, type JSONSchemaProps } from "./crd-types";

const CUSTOM_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

/** The type a CRD defines, once it is Established (undefined before). */
export function customResourceTypeOf(crd: CustomResourceDefinition): CustomResourceType | undefined {
  if (!isCRDConditionTrue(crd, "Established")) return undefined;
  const accepted = crd.status?.acceptedNames;
  if (!accepted?.plural || !accepted.kind) return undefined;
  const storage = crd.spec.versions.find((v) => v.storage);
  if (!storage) return undefined;
  return {
    crdName: crd.metadata.name ?? "",
    uid: crd.metadata.uid ?? "",
    group: crd.spec.group,
    names: {
      plural: accepted.plural,
      singular: accepted.singular || accepted.kind.toLowerCase(),
      kind: accepted.kind,
      listKind: accepted.listKind || `${accepted.kind}List`,
      shortNames: accepted.shortNames,
      categories: accepted.categories,
    },
    namespaced: crd.spec.scope === "Namespaced",
    storageVersion: storage.name,
    versions: crd.spec.versions.map((v) => ({
      name: v.name,
      served: !!v.served,
      schema: v.schema?.openAPIV3Schema ?? { type: "object", "x-kubernetes-preserve-unknown-fields": true },
      columns: v.additionalPrinterColumns ?? [],
      status: !!v.subresources?.status,
      scale: v.subresources?.scale,
      deprecated: v.deprecated,
      deprecationWarning: v.deprecationWarning,
    })),
    terminating: !!crd.metadata.deletionTimestamp,
    storageKey: `${accepted.plural}.${crd.spec.group}`,
  };
}

export function customResourceInfo(type: CustomResourceType, version: CustomResourceVersion): ResourceInfo {
  return {
    group: type.group,
    version: version.name,
    resource: type.names.plural,
    singular: type.names.singular,
    kind: type.names.kind,
    namespaced: type.namespaced,
    shortNames: type.names.shortNames,
    categories: type.names.categories,
    verbs: CUSTOM_VERBS,
    subresources: [...(version.status ? ["status"] : []), ...(version.scale ? ["scale"] : [])],
    custom: { type, version },
  };
}

/** The apiVersion objects of a custom resource are stored with. */
export function storageApiVersion(type: CustomResourceType): string {
  return apiVersionOf({ group: type.group, version: type.storageVersion });
}

export class CustomResourceCatalog {
  private readonly types: CustomResourceType[];

  constructor(crds: readonly CustomResourceDefinition[]) {
    this.types = crds.map(customResourceTypeOf).filter((t): t is CustomResourceType => t !== undefined);
  }

  all(): readonly CustomResourceType[] {
    return this.types;
  }

  byStorageKey(key: string): CustomResourceType | undefined {
    return this.types.find((t) => t.storageKey === key);
  }

  /** A served version of a custom resource, as a ResourceInfo (built-ins win a clash). */
  find(group: string, version: string, resource: string): ResourceInfo | undefined {
    if (findResource(group, version, resource)) return undefined;
    const type = this.types.find((t) => t.group === group && t.names.plural === resource);
    const v = type?.versions.find((x) => x.name === version && x.served);
    return type && v ? customResourceInfo(type, v) : undefined;
  }

  /** Every served (group, version) with its resources, for discovery and OpenAPI. */
  served(): ResourceInfo[] {
    return this.types.flatMap((t) => t.versions.filter((v) => v.served).map((v) => customResourceInfo(t, v)));
  }

  /**
   * The structural schema of (group, version, kind): what a schema-driven merge
   * (server-side apply) or a client-side validator needs of a custom resource.
   */
  schemaFor(group: string, version: string, kind: string): JSONSchemaProps | undefined {
    const type = this.types.find((t) => t.group === group && t.names.kind === kind);
    return type?.versions.find((v) => v.name === version)?.schema;
  }
}

/** Is this plural (or singular, kind, short name) of `group` taken by a built-in? */
export function builtInNameTaken(group: string, name: string): boolean {
  return RESOURCES.some((r) => r.group === group && (r.resource === name || r.singular === name || r.kind.toLowerCase() === name.toLowerCase() || r.shortNames?.includes(name)));
}

const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/**
 * Kubernetes version priority (what discovery prefers): GA before beta before alpha,
 * higher numbers first, then names that are not Kubernetes versions, alphabetically.
 */
export function compareKubeVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] | undefined => {
    const m = KUBE_VERSION.exec(v);
    if (!m) return undefined;
    const stage = m[2] === "alpha" ? 0 : m[2] === "beta" ? 1 : 2;
    return [stage, Number(m[1]), Number(m[3] ?? 0)];
  };
  const ra = rank(a);
  const rb = rank(b);
  if (ra && rb) return rb[0] - ra[0] || rb[1] - ra[1] || rb[2] - ra[2];
  if (ra) return -1;
  if (rb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
