// The pure scheduler's public surface. The pod resource arithmetic it shares with the
// kubelet's admission is in src/model/pod-resources.ts.

export * from "./framework";
export { schedulePod, numFeasibleNodesToFind, runFilterPlugins, selectHost } from "./schedule-one";
export type { ScheduleOptions, ScheduleResult, NodeScore, PluginScore, FilterVerdict } from "./schedule-one";
export { defaultProfile } from "./profile";
export { buildSnapshot, newNodeInfo, newPodInfo, addPod, removePod, podKey, podPriority, isTerminal } from "./node-info";
export { SchedulingQueue } from "./queue";
export type { QueuedPodInfo, QueueOptions, QueueLocation } from "./queue";
export { nodeUpdateEvents, isEventRelevant, EVENTS_BY_PLUGIN } from "./events";
export type { ClusterEvent } from "./events";
export { explainSchedule } from "./explain";
export type { Explanation, ExplainedNode } from "./explain";
export { fitErrorMessage, scheduledMessage, truncateMessage, NO_NODES_AVAILABLE } from "./messages";
export { toleratesTaint, tolerationsTolerateTaint, findUntoleratedTaint } from "./tolerations";
export type { ScoringStrategy } from "./plugins/node-resources-fit";
