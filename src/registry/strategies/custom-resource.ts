// Custom objects (apiextensions' customResourceStrategy): pruned and defaulted by the
// CRD's structural schema, validated against it; with a status subresource the main
// resource does not write status and generation moves on any change outside metadata
// and status, without one on any change outside metadata.
import type { KubeObject, StatusCause } from "../../model/types";
import type { CustomResourceType } from "../../model/crd-types";
import { prune, applyDefaults } from "../../model/schema-defaulting";
import { validateAgainstSchema } from "../../model/schema-validation";
import { validateObjectMeta, validateObjectMetaUpdate } from "../../model/validate-meta";
import { nameIsDNSSubdomain } from "../../model/name-rules";
import type { ResourceStrategy } from "./types";

export function customResourceStrategy(type: CustomResourceType): ResourceStrategy {
  const storage = type.versions.find((v) => v.name === type.storageVersion) ?? type.versions[0];
  const statusSubresource = storage.status;
  /** The schema of the version an object was sent at (the request's), else the storage version's. */
  const schemaOf = (obj: KubeObject) => (type.versions.find((v) => obj.apiVersion === `${type.group}/${v.name}`) ?? storage).schema;
  const normalize = (obj: KubeObject) => {
    const schema = schemaOf(obj);
    prune(schema, obj);
    applyDefaults(schema, obj);
  };
  /** What generation follows: the object but its metadata, apiVersion (and status, when a subresource). */
  const content = (o: KubeObject) => {
    const rest: Record<string, unknown> = { ...o, metadata: undefined, apiVersion: undefined };
    if (statusSubresource) delete rest.status;
    return JSON.stringify(rest);
  };
  return {
    tracksGeneration: true,
    generationChanged: (next, old) => content(next) !== content(old),
    prepareForCreate(obj) {
      if (statusSubresource) delete obj.status;
      normalize(obj);
    },
    prepareForUpdate: (next) => normalize(next),
    prepareForStatusUpdate: (next) => normalize(next),
    validate(obj, old): StatusCause[] {
      const errs = validateObjectMeta(obj.metadata, type.namespaced, nameIsDNSSubdomain);
      if (old) errs.push(...validateObjectMetaUpdate(obj.metadata, old.metadata));
      const { metadata: _metadata, ...body } = obj;
      errs.push(...validateAgainstSchema(schemaOf(obj), body));
      return errs;
    },
  };
}
