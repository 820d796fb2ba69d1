// policy/v1: PodDisruptionBudgets (and the metav1.Condition their status carries).
import { META, def, kind, str, int32, int64, ref, list, time, intOrString, type Definition } from "./dsl";

const P = (n: string) => `io.k8s.api.policy.v1.${n}`;
const CONDITION = `${META}.Condition`;

export const POLICY_DEFINITIONS: Definition[] = [
  kind("policy", "v1", "PodDisruptionBudget", P("PodDisruptionBudget"), "A PodDisruptionBudget limits how many pods of an application may be down at once because of voluntary disruptions: evictions by kubectl drain, by preemption or by an autoscaler. The eviction API refuses (429) an eviction that would break it.", {
    spec: ref(P("PodDisruptionBudgetSpec"), "Which pods it guards and how many must stay available."),
    status: ref(P("PodDisruptionBudgetStatus"), "What the disruption controller last counted, and the evictions it still expects. Read-only."),
  }),
  def(P("PodDisruptionBudgetSpec"), "Which pods a budget guards, and its bound: minAvailable or maxUnavailable, never both.", {
    minAvailable: intOrString("An eviction is allowed only if at least this many of the selected pods are still available after it: a count, or a percentage of the pods their controllers want (\"100%\" blocks every eviction)."),
    selector: ref(`${META}.LabelSelector`, "The pods guarded. A null selector guards none; an empty one ({}) counts every pod of the namespace."),
    maxUnavailable: intOrString("An eviction is allowed only if at most this many of the selected pods are unavailable after it: a count, or a percentage of the pods their controllers want (0 blocks every eviction)."),
    unhealthyPodEvictionPolicy: str("Whether a pod that is running but not Ready may be evicted. IfHealthyBudget (the default): only while the budget is met without it. AlwaysAllow: always, spending nothing of the budget.", ["AlwaysAllow", "IfHealthyBudget"]),
  }),
  def(P("PodDisruptionBudgetStatus"), "A budget's counts, as the disruption controller last saw its pods.", {
    observedGeneration: int64("The generation of the spec these counts were made for. The eviction API answers 429 until it reaches metadata.generation."),
    disruptedPods: { type: { k: "map", of: { k: "ref", def: `${META}.Time` } }, description: "Pods the eviction API let go but that were not yet seen terminating, with when. The controller drops an entry once the pod terminates, or after 2 minutes if it never does." },
    disruptionsAllowed: int32("How many more pods may be evicted now."),
    currentHealthy: int32("How many of the selected pods are Ready and not terminating or about to be."),
    desiredHealthy: int32("How many must stay healthy."),
    expectedPods: int32("How many pods the budget counts: the replicas its pods' controllers want, or the pods selected for an integer minAvailable."),
    conditions: list(CONDITION, "DisruptionAllowed: True (SufficientPods) while an eviction would be allowed, False (InsufficientPods, or SyncFailed when the counts could not be made) otherwise."),
  }, { required: ["disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"] }),
  def(CONDITION, "One condition of an object's status, in the shape newer APIs share.", {
    type: str("The condition, in CamelCase (DisruptionAllowed)."),
    status: str("True, False or Unknown.", ["False", "True", "Unknown"]),
    observedGeneration: int64("The metadata.generation the condition was set for."),
    lastTransitionTime: time("When its status last changed."),
    reason: str("A short CamelCase reason for its last change."),
    message: str("A human-readable explanation; may be empty."),
  }, { required: ["type", "status", "lastTransitionTime", "reason", "message"] }),
];
