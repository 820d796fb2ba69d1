// Where a pod may go: node affinity (rules over node labels), pod affinity and
// anti-affinity (rules over the pods already in a topology domain), topology spread
// constraints, and the gates that hold a pod back from scheduling.
import { CORE, META, def, str, int32, ref, list, strList, type Definition } from "./dsl";

const C = (n: string) => `${CORE}.${n}`;
const SELECTOR = `${META}.LabelSelector`;

const IGNORED = "Rules that no longer hold once the pod runs (labels changed) do not evict it.";

const podAffinity = (name: string, verb: string, opposite: string) =>
  def(C(name), `Rules that ${verb} the pod ${opposite} pods matching a label selector, within a topology domain (a node, a zone...).`, {
    requiredDuringSchedulingIgnoredDuringExecution: list(C("PodAffinityTerm"), `Terms that must all hold for a node to be chosen. ${IGNORED}`),
    preferredDuringSchedulingIgnoredDuringExecution: list(C("WeightedPodAffinityTerm"), "Terms the scheduler prefers to satisfy: for each node it adds up the weights of the terms that hold there, and favours the highest sum."),
  });

export const SCHEDULING_DEFINITIONS: Definition[] = [
  def(C("Affinity"), "A pod's affinity rules: towards nodes by their labels, and towards or away from other pods.", {
    nodeAffinity: ref(C("NodeAffinity"), "Which nodes the pod may, or would rather, run on, by their labels."),
    podAffinity: ref(C("PodAffinity"), "Put the pod in the same topology domain (node, zone...) as certain other pods."),
    podAntiAffinity: ref(C("PodAntiAffinity"), "Keep the pod out of the topology domains where certain other pods run."),
  }),
  def(C("NodeAffinity"), "Rules over node labels: hard requirements and weighted preferences.", {
    requiredDuringSchedulingIgnoredDuringExecution: ref(C("NodeSelector"), `The node must match this selector for the pod to be scheduled onto it. ${IGNORED}`),
    preferredDuringSchedulingIgnoredDuringExecution: list(C("PreferredSchedulingTerm"), "Preferences: for each node the scheduler adds up the weights of the terms it matches, and favours the highest sum."),
  }),
  def(C("NodeSelector"), "A selection of nodes: a node matches when it matches at least one of the terms (they are ORed).", {
    nodeSelectorTerms: list(C("NodeSelectorTerm"), "The terms, ORed."),
  }, { required: ["nodeSelectorTerms"], atomic: true }),
  def(C("NodeSelectorTerm"), "Requirements a node must all meet (ANDed). An empty term matches no node.", {
    matchExpressions: list(C("NodeSelectorRequirement"), "Requirements on the node's labels."),
    matchFields: list(C("NodeSelectorRequirement"), "Requirements on the node's fields (only metadata.name)."),
  }, { atomic: true }),
  def(C("NodeSelectorRequirement"), "One requirement on a node's label (or field): a key, an operator and values.", {
    key: str("The label key (or field) the requirement is about."),
    operator: str("How the value relates to the values: In, NotIn, Exists, DoesNotExist, Gt or Lt (an integer compared with the single value).", ["DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"]),
    values: strList("The values: at least one for In and NotIn, exactly one integer for Gt and Lt, none for Exists and DoesNotExist."),
  }, { required: ["key", "operator"] }),
  def(C("PreferredSchedulingTerm"), "A node selector term with the weight it carries when a node matches it.", {
    weight: int32("Weight of the term, 1-100."),
    preference: ref(C("NodeSelectorTerm"), "The term a node should match."),
  }, { required: ["weight", "preference"] }),
  podAffinity("PodAffinity", "place", "alongside"),
  podAffinity("PodAntiAffinity", "keep", "away from"),
  def(C("PodAffinityTerm"), "Pods to be near (or away from): those a label selector matches in some namespaces, counted per topology domain.", {
    labelSelector: ref(SELECTOR, "The pods the term is about. Unset matches none."),
    namespaces: strList("Namespaces to look for those pods in, with those namespaceSelector picks; both empty means the pod's own namespace."),
    namespaceSelector: ref(SELECTOR, "Namespaces, by their labels, to look for those pods in; empty ({}) means every namespace."),
    topologyKey: str("The node label whose value defines a domain, e.g. kubernetes.io/hostname (a node) or topology.kubernetes.io/zone. The term holds on a node when a matching pod runs on a node with the same value."),
    matchLabelKeys: strList("Label keys whose values, taken from the incoming pod, are added to labelSelector as key in (value): e.g. pod-template-hash to compare only pods of the same revision."),
    mismatchLabelKeys: strList("Label keys whose values, taken from the incoming pod, are added to labelSelector as key notin (value)."),
  }, { required: ["topologyKey"] }),
  def(C("WeightedPodAffinityTerm"), "A pod affinity term with the weight it carries when it holds.", {
    weight: int32("Weight of the term, 1-100."),
    podAffinityTerm: ref(C("PodAffinityTerm"), "The term."),
  }, { required: ["weight", "podAffinityTerm"] }),
  def(C("TopologySpreadConstraint"), "How evenly pods matching a selector must be spread over the domains of a topology (nodes, zones...).", {
    maxSkew: int32("How unevenly the pods may be spread: the most the count in one domain may exceed the lowest count of any eligible domain. At least 1."),
    topologyKey: str("The node label whose value defines a domain, e.g. topology.kubernetes.io/zone. Nodes without it are not counted."),
    whenUnsatisfiable: str("What happens when no node keeps the skew: DoNotSchedule (the pod stays Pending) or ScheduleAnyway (the scheduler only prefers nodes that reduce it).", ["DoNotSchedule", "ScheduleAnyway"]),
    labelSelector: ref(SELECTOR, "The pods counted in each domain."),
    minDomains: int32("With DoNotSchedule: the least number of eligible domains; below it, the global minimum counts as 0. At least 1; defaults to 1."),
    nodeAffinityPolicy: str("Whether the pod's nodeAffinity and nodeSelector limit the domains counted: Honor (the default) or Ignore.", ["Honor", "Ignore"]),
    nodeTaintsPolicy: str("Whether nodes with taints the pod does not tolerate are counted: Honor or Ignore (the default).", ["Honor", "Ignore"]),
    matchLabelKeys: strList("Label keys whose values, taken from the incoming pod, are added to labelSelector: e.g. pod-template-hash to spread each revision on its own."),
  }, { required: ["maxSkew", "topologyKey", "whenUnsatisfiable"] }),
  def(C("PodSchedulingGate"), "A gate holding a pod back from scheduling until it is removed.", {
    name: str("The gate's name, unique in the pod."),
  }, { required: ["name"] }),
];
