// CustomResourceDefinitions: defaults (singular, listKind, conversion), a status the
// server owns (conditions and acceptedNames from the CRD controller; the storage
// version recorded in storedVersions from the first write on).
import type { KubeObject } from "../../model/types";
import type { CustomResourceDefinition } from "../../model/crd-types";
import type { ResourceStrategy } from "./types";

/** SetDefaults_CustomResourceDefinitionSpec. */
export function defaultCRD(crd: CustomResourceDefinition): void {
  const spec = crd.spec;
  if (!spec || typeof spec !== "object") return;
  const names = spec.names;
  if (names && typeof names === "object") {
    if (!names.singular && typeof names.kind === "string") names.singular = names.kind.toLowerCase();
    if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  }
  spec.conversion ??= { strategy: "None" };
  for (const v of Array.isArray(spec.versions) ? spec.versions : []) {
    for (const c of v.additionalPrinterColumns ?? []) {
      // apiextensions v1 defaulting leaves columns as written; a missing priority is 0.
      if (c.priority === 0) delete c.priority;
    }
  }
}

function storageVersion(crd: CustomResourceDefinition): string | undefined {
  return Array.isArray(crd.spec?.versions) ? crd.spec.versions.find((v) => v.storage)?.name : undefined;
}

export const crdStrategy: ResourceStrategy = {
  tracksGeneration: true,
  prepareForCreate(obj: KubeObject) {
    const crd = obj as CustomResourceDefinition;
    defaultCRD(crd);
    const storage = storageVersion(crd);
    crd.status = { conditions: [], acceptedNames: { plural: "", kind: "" }, storedVersions: storage ? [storage] : [] };
  },
  prepareForUpdate(next: KubeObject) {
    const crd = next as CustomResourceDefinition;
    defaultCRD(crd);
    // A new storage version is recorded at once in the status the server owns.
    const storage = storageVersion(crd);
    const status = crd.status;
    if (storage && status && !(status.storedVersions ?? []).includes(storage)) status.storedVersions = [...(status.storedVersions ?? []), storage];
  },
};
