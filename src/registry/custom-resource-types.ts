// The custom resources defined now, read from the CustomResourceDefinitions in the
// store. Each isolate keeps the last catalog it built, stamped with the CRDs' content
// stamp (newest resourceVersion and count): every lookup checks the stamp (one cheap
// indexed query) and rebuilds on a change, so a CRD Established a moment ago through
// another isolate is served at once, and a deleted or changed one is never served from
// a stale copy.
import type { ObjectStore } from "../store/store";
import { CustomResourceCatalog } from "../model/custom-resources";
import { CRD_RESOURCE, type CustomResourceDefinition, type JSONSchemaProps } from "../model/crd-types";

interface Snapshot {
  stamp: string;
  catalog: CustomResourceCatalog;
}

/** Shared by every request this isolate serves. */
let isolateSnapshot: Snapshot | undefined;

export class CustomResourceTypes {
  constructor(private readonly store: ObjectStore) {}

  /** The catalog as the store has it now. */
  async catalog(): Promise<CustomResourceCatalog> {
    const stamp = await this.store.contentStamp(CRD_RESOURCE);
    const snap = isolateSnapshot;
    if (snap && snap.stamp === stamp) return snap.catalog;
    const { items } = await this.store.list(CRD_RESOURCE);
    const catalog = new CustomResourceCatalog(items as CustomResourceDefinition[]);
    // A newer stamp read meanwhile by another request wins; an older one never replaces it.
    isolateSnapshot = { stamp, catalog };
    return catalog;
  }

  /**
   * The structural schema of a custom kind at a version, as the store has it now: what
   * a schema-driven merge (server-side apply) or any validator of it needs.
   */
  async schemaFor(group: string, version: string, kind: string): Promise<JSONSchemaProps | undefined> {
    return (await this.catalog()).schemaFor(group, version, kind);
  }

  /** The last catalog this isolate built, without a read (may be stale or absent). */
  cached(): CustomResourceCatalog | undefined {
    return isolateSnapshot?.catalog;
  }
}
