// HorizontalPodAutoscalers: autoscaling/v2 (the full form, and how they are stored) and
// autoscaling/v1 (one CPU target; what `kubectl autoscale` writes).
import { META, QUANTITY, def, kind, str, int32, int64, ref, list, time, type Definition } from "./dsl";

const V2 = (n: string) => `io.k8s.api.autoscaling.v2.${n}`;
const V1 = (n: string) => `io.k8s.api.autoscaling.v1.${n}`;
const SELECTOR = `${META}.LabelSelector`;

const crossVersionRef = (name: string) =>
  def(name, "Which object to scale (or to read a metric of), by kind and name in the autoscaler's namespace.", {
    kind: str("Kind of the referent, e.g. Deployment, ReplicaSet or StatefulSet."),
    name: str("Name of the referent."),
    apiVersion: str("API version of the referent, e.g. apps/v1."),
  }, { required: ["kind", "name"] });

const conditionDef = (name: string) =>
  def(name, "One condition of a HorizontalPodAutoscaler.", {
    type: str("The condition: AbleToScale (can it read and change the scale), ScalingActive (can it compute a replica count from its metrics) or ScalingLimited (was the count held by the min/max bounds or a rate limit)."),
    status: str("True, False or Unknown."),
    reason: str("A short CamelCase reason for its last change, e.g. SucceededRescale, ValidMetricFound or TooFewReplicas."),
    message: str("A human-readable explanation."),
    lastTransitionTime: time("When its status last changed."),
  }, { required: ["type", "status"] });

export const AUTOSCALING_DEFINITIONS: Definition[] = [
  kind("autoscaling", "v2", "HorizontalPodAutoscaler", V2("HorizontalPodAutoscaler"), "A HorizontalPodAutoscaler changes the replica count of a Deployment, ReplicaSet or StatefulSet to keep a metric, such as the pods' CPU use as a share of what they request, near a target.", {
    spec: ref(V2("HorizontalPodAutoscalerSpec"), "What to scale, within which bounds, on which metrics and how fast."),
    status: ref(V2("HorizontalPodAutoscalerStatus"), "What the autoscaler last measured and decided. Read-only."),
  }),
  def(V2("HorizontalPodAutoscalerSpec"), "What an autoscaler scales and on what.", {
    scaleTargetRef: ref(V2("CrossVersionObjectReference"), "The object whose scale subresource is changed; its pods are the ones measured."),
    minReplicas: int32("The fewest replicas it scales down to. Defaults to 1."),
    maxReplicas: int32("The most replicas it scales up to. Required, at least minReplicas."),
    metrics: list(V2("MetricSpec"), "The metrics to follow; the largest replica count any of them asks for wins. Defaults to 80% average CPU utilization."),
    behavior: ref(V2("HorizontalPodAutoscalerBehavior"), "How fast it may scale up and down. Unset: up by at most 4 pods or double every 15 s, down after 5 minutes of lower recommendations."),
  }, { required: ["scaleTargetRef", "maxReplicas"] }),
  crossVersionRef(V2("CrossVersionObjectReference")),
  def(V2("MetricSpec"), "One metric to scale on: its type names the one source field that is set.", {
    type: str("Which source is set: Resource, ContainerResource, Pods, Object or External.", ["ContainerResource", "External", "Object", "Pods", "Resource"]),
    resource: ref(V2("ResourceMetricSource"), "A resource (cpu, memory) of the pods, summed over their containers."),
    containerResource: ref(V2("ContainerResourceMetricSource"), "A resource of one named container in each pod."),
    pods: ref(V2("PodsMetricSource"), "A custom metric of each pod, averaged."),
    object: ref(V2("ObjectMetricSource"), "A custom metric of another object (an Ingress's requests per second)."),
    external: ref(V2("ExternalMetricSource"), "A metric from outside the cluster (a queue's length)."),
  }, { required: ["type"] }),
  def(V2("ResourceMetricSource"), "A resource metric of the pods, as the resource metrics API (kubectl top) reports it.", {
    name: str("The resource: cpu or memory."),
    target: ref(V2("MetricTarget"), "The target: an average utilization (percent of the pods' requests) or an average value."),
  }, { required: ["name", "target"] }),
  def(V2("ContainerResourceMetricSource"), "A resource metric of one container of each pod.", {
    name: str("The resource: cpu or memory."),
    container: str("The container's name."),
    target: ref(V2("MetricTarget"), "The target: an average utilization or an average value."),
  }, { required: ["name", "target", "container"] }),
  def(V2("PodsMetricSource"), "A custom metric of each pod, averaged over the pods.", {
    metric: ref(V2("MetricIdentifier"), "Which metric."),
    target: ref(V2("MetricTarget"), "The target average value."),
  }, { required: ["metric", "target"] }),
  def(V2("ObjectMetricSource"), "A metric describing another object.", {
    describedObject: ref(V2("CrossVersionObjectReference"), "The object the metric describes."),
    metric: ref(V2("MetricIdentifier"), "Which metric."),
    target: ref(V2("MetricTarget"), "The target value or average value."),
  }, { required: ["describedObject", "target", "metric"] }),
  def(V2("ExternalMetricSource"), "A metric not tied to any object of the cluster.", {
    metric: ref(V2("MetricIdentifier"), "Which metric."),
    target: ref(V2("MetricTarget"), "The target value or average value."),
  }, { required: ["metric", "target"] }),
  def(V2("MetricIdentifier"), "A metric's name and, optionally, a selector narrowing it.", {
    name: str("The metric's name."),
    selector: ref(SELECTOR, "Labels that select which series of the metric count."),
  }, { required: ["name"] }),
  def(V2("MetricTarget"), "The value a metric should stay near.", {
    type: str("Utilization, Value or AverageValue.", ["AverageValue", "Utilization", "Value"]),
    value: ref(QUANTITY, "The target value (type Value)."),
    averageValue: ref(QUANTITY, "The target value averaged over the pods (type AverageValue)."),
    averageUtilization: int32("The target average, in percent of the pods' requests (type Utilization, resource metrics only)."),
  }, { required: ["type"] }),
  def(V2("HorizontalPodAutoscalerBehavior"), "How fast an autoscaler may scale in each direction.", {
    scaleUp: ref(V2("HPAScalingRules"), "Rules for scaling up. Default: no stabilization window; at most 4 pods or 100% more every 15 s, whichever is more."),
    scaleDown: ref(V2("HPAScalingRules"), "Rules for scaling down. Default: a 300 s stabilization window; up to 100% fewer every 15 s."),
  }),
  def(V2("HPAScalingRules"), "Rules for one direction of scaling.", {
    stabilizationWindowSeconds: int32("Seconds of past recommendations considered: scaling down uses the highest of them, scaling up the lowest, so a brief swing changes nothing. 0 to 3600."),
    selectPolicy: str("Which policy wins when several apply: Max (the one allowing the biggest change), Min, or Disabled (no scaling in this direction).", ["Disabled", "Max", "Min"]),
    policies: list(V2("HPAScalingPolicy"), "How much may change per period."),
  }),
  def(V2("HPAScalingPolicy"), "One limit on the change of replicas within a period.", {
    type: str("Pods (a number of pods) or Percent (of the replicas at the start of the period).", ["Percent", "Pods"]),
    value: int32("How many pods, or what percent. Greater than zero."),
    periodSeconds: int32("The length of the period, 1 to 1800 seconds."),
  }, { required: ["type", "value", "periodSeconds"] }),
  def(V2("HorizontalPodAutoscalerStatus"), "What the autoscaler last measured and decided.", {
    observedGeneration: int64("The generation of the spec this status describes."),
    lastScaleTime: time("When the autoscaler last changed the replica count."),
    currentReplicas: int32("Replicas of the target when last measured."),
    desiredReplicas: int32("Replicas the autoscaler last asked for."),
    currentMetrics: list(V2("MetricStatus"), "The last measured value of each metric, in the order of spec.metrics."),
    conditions: list(V2("HorizontalPodAutoscalerCondition"), "AbleToScale, ScalingActive and ScalingLimited, with why."),
  }, { required: ["desiredReplicas"] }),
  def(V2("MetricStatus"), "The last measured value of one metric; its type names the field that is set.", {
    type: str("Resource, ContainerResource, Pods, Object or External.", ["ContainerResource", "External", "Object", "Pods", "Resource"]),
    resource: ref(V2("ResourceMetricStatus"), "A resource metric of the pods."),
    containerResource: ref(V2("ContainerResourceMetricStatus"), "A resource metric of one container."),
    pods: ref(V2("PodsMetricStatus"), "A custom metric of the pods."),
    object: ref(V2("ObjectMetricStatus"), "A metric of another object."),
    external: ref(V2("ExternalMetricStatus"), "An external metric."),
  }, { required: ["type"] }),
  def(V2("ResourceMetricStatus"), "A resource metric as last measured.", {
    name: str("The resource."),
    current: ref(V2("MetricValueStatus"), "The measured average utilization and value."),
  }, { required: ["name", "current"] }),
  def(V2("ContainerResourceMetricStatus"), "A container's resource metric as last measured.", {
    name: str("The resource."),
    container: str("The container."),
    current: ref(V2("MetricValueStatus"), "The measured average utilization and value."),
  }, { required: ["name", "current", "container"] }),
  def(V2("PodsMetricStatus"), "A pods metric as last measured.", {
    metric: ref(V2("MetricIdentifier"), "Which metric."),
    current: ref(V2("MetricValueStatus"), "The measured average value."),
  }, { required: ["metric", "current"] }),
  def(V2("ObjectMetricStatus"), "An object metric as last measured.", {
    metric: ref(V2("MetricIdentifier"), "Which metric."),
    current: ref(V2("MetricValueStatus"), "The measured value."),
    describedObject: ref(V2("CrossVersionObjectReference"), "The object it describes."),
  }, { required: ["metric", "current", "describedObject"] }),
  def(V2("ExternalMetricStatus"), "An external metric as last measured.", {
    metric: ref(V2("MetricIdentifier"), "Which metric."),
    current: ref(V2("MetricValueStatus"), "The measured value."),
  }, { required: ["metric", "current"] }),
  def(V2("MetricValueStatus"), "A measured value of a metric.", {
    value: ref(QUANTITY, "The value."),
    averageValue: ref(QUANTITY, "The value averaged over the pods."),
    averageUtilization: int32("The average, in percent of the pods' requests."),
  }),
  conditionDef(V2("HorizontalPodAutoscalerCondition")),
  kind("autoscaling", "v1", "HorizontalPodAutoscaler", V1("HorizontalPodAutoscaler"), "A HorizontalPodAutoscaler in its first form: one target, the pods' average CPU utilization. Everything autoscaling/v2 adds is kept in annotations of this form.", {
    spec: ref(V1("HorizontalPodAutoscalerSpec"), "What to scale, within which bounds, and the CPU target."),
    status: ref(V1("HorizontalPodAutoscalerStatus"), "What the autoscaler last measured and decided. Read-only."),
  }),
  def(V1("HorizontalPodAutoscalerSpec"), "What an autoscaler scales, in autoscaling/v1.", {
    scaleTargetRef: ref(V1("CrossVersionObjectReference"), "The object whose scale subresource is changed."),
    minReplicas: int32("The fewest replicas it scales down to. Defaults to 1."),
    maxReplicas: int32("The most replicas it scales up to."),
    targetCPUUtilizationPercentage: int32("The target average CPU use of the pods, in percent of what they request. Unset: 80%."),
  }, { required: ["scaleTargetRef", "maxReplicas"] }),
  crossVersionRef(V1("CrossVersionObjectReference")),
  def(V1("HorizontalPodAutoscalerStatus"), "What the autoscaler last measured and decided, in autoscaling/v1.", {
    observedGeneration: int64("The generation of the spec this status describes."),
    lastScaleTime: time("When the autoscaler last changed the replica count."),
    currentReplicas: int32("Replicas of the target when last measured."),
    desiredReplicas: int32("Replicas the autoscaler last asked for."),
    currentCPUUtilizationPercentage: int32("The pods' average CPU use, in percent of what they request, when last measured."),
  }, { required: ["currentReplicas", "desiredReplicas"] }),
];
