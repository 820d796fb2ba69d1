// CustomResourceDefinitions: new resources declared at run time, with a schema the
// API server validates, prunes and defaults their objects by.
import { META, def, kind, str, ref, list, strList, bool, int32, object, time, type Definition, type Field } from "./dsl";

const X = (n: string) => `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.${n}`;
const propsMap = (d: string): Field => ({ type: { k: "map", of: { k: "ref", def: X("JSONSchemaProps") } }, description: d });

export const APIEXTENSIONS_DEFINITIONS: Definition[] = [
  kind("apiextensions.k8s.io", "v1", "CustomResourceDefinition", X("CustomResourceDefinition"), "A CustomResourceDefinition adds a resource to the API: once established, its objects are created, listed, watched and deleted like built-in ones, under /apis/<group>/<version>/<plural>. The name must be <plural>.<group>.", {
    spec: ref(X("CustomResourceDefinitionSpec"), "What the resource is: its group, names, scope and versions with their schemas."),
    status: ref(X("CustomResourceDefinitionStatus"), "What the server made of it: the names accepted, whether it is established, the versions objects were stored at."),
  }),
  def(X("CustomResourceDefinitionSpec"), "The resource a CRD defines.", {
    group: str("The API group of the resource, a DNS subdomain with at least one dot (stable.example.com)."),
    names: ref(X("CustomResourceDefinitionNames"), "The names the resource is known by in URLs, kinds and the command line."),
    scope: str("Whether objects live in a namespace (Namespaced) or in the cluster as a whole (Cluster).", ["Cluster", "Namespaced"]),
    versions: list(X("CustomResourceDefinitionVersion"), "The versions served; exactly one is the storage version objects are kept at."),
    conversion: ref(X("CustomResourceConversion"), "How objects change between versions; None only rewrites apiVersion."),
    preserveUnknownFields: bool("Deprecated: must be false; unknown fields are pruned unless the schema keeps them."),
  }, { required: ["group", "names", "scope", "versions"] }),
  def(X("CustomResourceDefinitionNames"), "Names of a custom resource.", {
    plural: str("The plural name used in URLs (crontabs); lower case."),
    singular: str("The singular name (crontab); the lower-cased kind by default."),
    kind: str("The kind of its objects (CronTab), CamelCase."),
    listKind: str("The kind of its lists; <kind>List by default."),
    shortNames: strList("Short aliases for the command line (ct)."),
    categories: strList("Groups of resources it belongs to; `kubectl get all` lists those in the category all."),
  }, { required: ["plural", "kind"] }),
  def(X("CustomResourceDefinitionVersion"), "One version of a custom resource.", {
    name: str("The version name (v1, v1beta1), as it appears in apiVersion."),
    served: bool("Whether the version is served through the API."),
    storage: bool("Whether objects are stored at this version; exactly one version is."),
    deprecated: bool("Whether clients are warned that this version is deprecated."),
    deprecationWarning: str("The warning returned to clients of a deprecated version."),
    schema: ref(X("CustomResourceValidation"), "The schema objects of this version are validated, pruned and defaulted by."),
    subresources: ref(X("CustomResourceSubresources"), "The status and scale subresources, when enabled."),
    additionalPrinterColumns: list(X("CustomResourceColumnDefinition"), "Columns `kubectl get` shows besides the name; NAME and AGE when none are given."),
  }, { required: ["name", "served", "storage"] }),
  def(X("CustomResourceValidation"), "A version's schema.", {
    openAPIV3Schema: ref(X("JSONSchemaProps"), "A structural OpenAPI v3 schema of the whole object."),
  }),
  def(X("JSONSchemaProps"), "A JSON schema (the structural subset of OpenAPI v3 Kubernetes accepts).", {
    type: str("The JSON type: object, array, string, integer, number or boolean."),
    format: str("A format of the type (int32, date-time...)."),
    description: str("What the field means; `kubectl explain` shows it."),
    properties: propsMap("The fields of an object."),
    items: ref(X("JSONSchemaProps"), "The schema of an array's items."),
    additionalProperties: object("The schema of the values of a map (an object without fixed fields)."),
    required: strList("Fields that must be present."),
    enum: { type: { k: "array", of: { k: "object" } }, description: "The values allowed." },
    pattern: str("A regular expression a string must match."),
    minimum: { type: { k: "number" }, description: "The smallest number allowed." },
    maximum: { type: { k: "number" }, description: "The largest number allowed." },
    minLength: int32("The fewest characters a string may have."),
    maxLength: int32("The most characters a string may have."),
    minItems: int32("The fewest items an array may have."),
    maxItems: int32("The most items an array may have."),
    nullable: bool("Whether null is accepted (and kept) as a value."),
    default: object("The value filled in when the field is absent."),
    "x-kubernetes-preserve-unknown-fields": bool("Keep fields the schema does not specify instead of pruning them."),
    "x-kubernetes-int-or-string": bool("The value may be an integer or a string."),
    "x-kubernetes-embedded-resource": bool("The value is an object with apiVersion, kind and metadata."),
  }),
  def(X("CustomResourceSubresources"), "Subresources of a custom resource.", {
    status: object("Enables /status: the main resource ignores status changes and the status endpoint ignores everything else."),
    scale: ref(X("CustomResourceSubresourceScale"), "Enables /scale (kubectl scale, autoscalers)."),
  }),
  def(X("CustomResourceSubresourceScale"), "Where a custom resource keeps its replicas.", {
    specReplicasPath: str("JSON path of the desired replicas, under .spec."),
    statusReplicasPath: str("JSON path of the observed replicas, under .status."),
    labelSelectorPath: str("JSON path of the label selector (a string) of the replicas."),
  }, { required: ["specReplicasPath", "statusReplicasPath"] }),
  def(X("CustomResourceColumnDefinition"), "A column of `kubectl get`.", {
    name: str("The column header."),
    type: str("The value's type.", ["boolean", "date", "integer", "number", "string"]),
    format: str("An optional format of the type."),
    description: str("What the column shows."),
    priority: int32("0 shows the column by default, higher only with -o wide."),
    jsonPath: str("A simple JSON path into the object (.spec.replicas)."),
  }, { required: ["name", "type", "jsonPath"] }),
  def(X("CustomResourceConversion"), "How objects are converted between versions.", {
    strategy: str("None: only apiVersion is rewritten.", ["None", "Webhook"]),
  }, { required: ["strategy"] }),
  def(X("CustomResourceDefinitionStatus"), "What the server made of a CRD.", {
    conditions: list(X("CustomResourceDefinitionCondition"), "NamesAccepted, Established and, while it is deleted, Terminating."),
    acceptedNames: ref(X("CustomResourceDefinitionNames"), "The names the resource is served under; a name another resource had first is not accepted."),
    storedVersions: strList("Every version objects have been stored at."),
  }),
  def(X("CustomResourceDefinitionCondition"), "One condition of a CRD.", {
    type: str("NamesAccepted, Established or Terminating."),
    status: str("True, False or Unknown."),
    lastTransitionTime: time("When the status last changed."),
    reason: str("A one-word CamelCase reason."),
    message: str("A human-readable explanation."),
  }, { required: ["type", "status"] }),
];

/** Used by the OpenAPI document of custom resources: metadata refers to ObjectMeta. */
export const OBJECT_META = `${META}.ObjectMeta`;
