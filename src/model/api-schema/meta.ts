// Schemas shared by every kind: object metadata, label selectors and the scalar types
// (Quantity, Time, IntOrString) that are strings on the wire.
import { META, QUANTITY, INT_OR_STRING, TIME, MICRO_TIME, def, str, bool, int64, list, object, strList, strMap, time, type Definition } from "./dsl";

export const META_DEFINITIONS: Definition[] = [
  def(
    `${META}.ObjectMeta`,
    "What every persisted object carries besides its spec and status: its identity (name, namespace, uid), its labels and annotations, and what the server records about it.",
    {
      name: str("The object's name, unique among objects of its kind in its namespace. Most kinds need a DNS subdomain (lowercase letters, digits, '-' and '.'). It cannot be changed."),
      generateName: str("A prefix the server completes with random characters to make a unique name, used when `name` is empty."),
      selfLink: str("Deprecated and no longer set: the object's URL path."),
      namespace: str("The namespace the object lives in; empty for cluster-scoped kinds. Objects of a namespaced kind default to \"default\"."),
      uid: str("A unique id the server gives the object when it is created; a new object with the same name gets a new uid. Read-only."),
      resourceVersion: str("An opaque version of the object, changed on every write. Send it back on an update and the write fails with a Conflict if someone changed the object meanwhile. Read-only."),
      generation: int64("A number the server increases each time the desired state (spec) changes. Controllers report the generation they last acted on as status.observedGeneration. Read-only."),
      creationTimestamp: time("When the server created the object, in UTC. Read-only."),
      deletionTimestamp: time("When the object will be (or started being) deleted: set by the server when a delete is asked for and finalizers or a grace period keep it around. Read-only."),
      deletionGracePeriodSeconds: int64("Seconds the object is given to terminate gracefully once deletion started. Read-only."),
      labels: strMap("Key/value pairs used to organise and select objects: Services, ReplicaSets and Deployments find their pods by labels, and `kubectl get -l` filters by them."),
      annotations: strMap("Key/value pairs for tools and people to store non-identifying information on the object; not used to select objects."),
      ownerReferences: list(`${META}.OwnerReference`, "The objects this one depends on. When every owner is gone the garbage collector deletes it; at most one owner is its controller (a pod's ReplicaSet, a ReplicaSet's Deployment)."),
      finalizers: strList("Names of cleanups that must finish before the object is removed from storage. While any remain, a deleted object stays with its deletionTimestamp set."),
      managedFields: list(`${META}.ManagedFieldsEntry`, "Which client (field manager) set which fields, for server-side apply. Mostly for internal housekeeping."),
    },
  ),
  def(`${META}.OwnerReference`, "Points at an object that owns this one, in the same namespace (or cluster-scoped).", {
    apiVersion: str("API version of the owner."),
    kind: str("Kind of the owner."),
    name: str("Name of the owner."),
    uid: str("UID of the owner: a re-created owner with the same name is a different owner."),
    controller: bool("True when the owner is this object's managing controller; only one owner can be."),
    blockOwnerDeletion: bool("With foreground deletion, the owner is not removed until this object is gone."),
  }, { required: ["apiVersion", "kind", "name", "uid"] }),
  def(`${META}.ManagedFieldsEntry`, "One field manager's share of an object's fields.", {
    manager: str("Name of the client that manages these fields."),
    operation: str("The kind of write that set them: Apply or Update."),
    apiVersion: str("Version of the object the fields are described in."),
    time: time("When these fields were last changed."),
    fieldsType: str("Format of fieldsV1; always FieldsV1."),
    fieldsV1: object("The fields owned, as a tree of f:<field>, k:<list-map key>, v:<set value> and i:<index> entries."),
    subresource: str("The subresource written (status, scale), or empty for the object itself."),
  }),
  def(`${META}.LabelSelector`, "A query over labels. matchLabels and matchExpressions are ANDed; an empty selector matches everything, a null one nothing.", {
    matchLabels: strMap("Labels an object must have with exactly these values."),
    matchExpressions: list(`${META}.LabelSelectorRequirement`, "Further requirements, all of which must hold."),
  }, { atomic: true }),
  def(`${META}.LabelSelectorRequirement`, "One requirement of a label selector: a key, an operator and values.", {
    key: str("The label key the requirement is about."),
    operator: str("How the key relates to the values: In, NotIn, Exists or DoesNotExist.", ["DoesNotExist", "Exists", "In", "NotIn"]),
    values: strList("The values for In and NotIn (not empty); empty for Exists and DoesNotExist."),
  }, { required: ["key", "operator"] }),
  def(QUANTITY, "A fixed-point number with a unit suffix, as resources are measured: CPU in cores (\"250m\" is a quarter of a core, \"2\" two cores), memory in bytes (\"128Mi\", \"1Gi\", \"500M\").", {}, { scalar: { type: "string", oneOf: ["string", "number"] } }),
  def(INT_OR_STRING, "Either an integer or a string: a port number or a port name, a count or a percentage (\"25%\").", {}, { scalar: { type: "string", format: "int-or-string", intOrString: true, oneOf: ["integer", "string"] } }),
  def(TIME, "A timestamp in RFC 3339 form with second precision, in UTC (\"2024-05-01T10:00:00Z\").", {}, { scalar: { type: "string", format: "date-time" } }),
  def(MICRO_TIME, "A timestamp in RFC 3339 form with microsecond precision.", {}, { scalar: { type: "string", format: "date-time" } }),
];
