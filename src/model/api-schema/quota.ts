// Policy a namespace's administrator sets: ResourceQuotas (what the namespace may use in
// all) and LimitRanges (what each container, pod or claim may ask for, and its defaults).
import { CORE, def, kind, list, quantityMap, ref, str, strList, type Definition } from "./dsl";

const C = (n: string) => `${CORE}.${n}`;

const SCOPES = ["BestEffort", "CrossNamespacePodAffinity", "NotBestEffort", "NotTerminating", "PriorityClass", "Terminating"];

export const QUOTA_DEFINITIONS: Definition[] = [
  kind("", "v1", "ResourceQuota", C("ResourceQuota"), "A ResourceQuota caps what the objects of one namespace may use in all: how many of each kind (pods, services, count/deployments.apps) and how much compute and storage (requests.cpu, limits.memory, requests.storage). A create that would go over a cap is refused with 403 Forbidden.", {
    spec: ref(C("ResourceQuotaSpec"), "The caps, and which pods they apply to."),
    status: ref(C("ResourceQuotaStatus"), "The caps in force and what is used of them now, kept by the API server on each charged write and by the resourcequota controller when objects go away. Read-only."),
  }),
  def(C("ResourceQuotaSpec"), "What a ResourceQuota caps.", {
    hard: quantityMap("The cap for each named resource: object counts (pods, services, configmaps, secrets, persistentvolumeclaims, count/<resource>.<group>), compute (requests.cpu or cpu, requests.memory or memory, limits.cpu, limits.memory) and storage (requests.storage). While a quota caps cpu or memory, every container must set that request or limit."),
    scopes: strList("Only pods in all of these scopes count: Terminating (activeDeadlineSeconds set), NotTerminating, BestEffort (no requests or limits; may cap only pods), NotBestEffort. A scoped quota caps pods only."),
    scopeSelector: ref(C("ScopeSelector"), "Scopes as expressions; every one must hold for a pod to count."),
  }),
  def(C("ScopeSelector"), "A list of scope requirements, all of which must hold.", {
    matchExpressions: list(C("ScopedResourceSelectorRequirement"), "The requirements."),
  }),
  def(C("ScopedResourceSelectorRequirement"), "One requirement on a quota scope.", {
    scopeName: str("The scope.", SCOPES),
    operator: str("In or NotIn (with values; PriorityClass only), Exists or DoesNotExist.", ["DoesNotExist", "Exists", "In", "NotIn"]),
    values: strList("The values for In and NotIn; empty for Exists and DoesNotExist."),
  }, { required: ["scopeName", "operator"] }),
  def(C("ResourceQuotaStatus"), "What is used of a ResourceQuota.", {
    hard: quantityMap("The caps in force (spec.hard as last counted)."),
    used: quantityMap("What the namespace uses now of each capped resource."),
  }),
  kind("", "v1", "LimitRange", C("LimitRange"), "A LimitRange sets, for each container, pod or claim created in its namespace, the least and most it may ask for, the most its limit may exceed its request by, and the requests and limits a container gets when it names none.", {
    spec: ref(C("LimitRangeSpec"), "The limits, one item per kind of object."),
  }),
  def(C("LimitRangeSpec"), "The limits of a LimitRange.", {
    limits: list(C("LimitRangeItem"), "One item per type (Container, Pod, PersistentVolumeClaim)."),
  }, { required: ["limits"] }),
  def(C("LimitRangeItem"), "The limits for one type of object.", {
    type: str("What the item constrains: Container (each container), Pod (the sum of its containers) or PersistentVolumeClaim (its storage request).", ["Container", "PersistentVolumeClaim", "Pod"]),
    max: quantityMap("The most a request or limit may be."),
    min: quantityMap("The least a request or limit may be."),
    default: quantityMap("The limit a container gets for a resource it sets no limit for (Container only)."),
    defaultRequest: quantityMap("The request a container gets for a resource it sets no request for (Container only)."),
    maxLimitRequestRatio: quantityMap("The most a limit may be as a multiple of its request."),
  }, { required: ["type"] }),
];
