// DefaultPreemption's PostFilter (pkg/scheduler/framework/plugins/defaultpreemption and
// framework/preemption): when no node fits a pod, find the nodes where evicting pods of
// lower priority would let it fit, the fewest and least important such pods on each
// (SelectVictimsOnNode), and the one node where that costs least
// (pickOneNodeForPreemption). Pure: over the scheduler's snapshot, with the profile's
// filters passed in; the loop writes what it decides (the nomination, the victims'
// DisruptionTarget condition and graceful deletion, their Preempted events) in one batch.
// PodDisruptionBudgets are honoured as upstream honours them, best effort: victims whose
// eviction would break a budget are reprieved first, and the node with the fewest such
// victims wins, but a budget never stops a preemption that has no other way.

import type { Pod } from "../model/types";
import type { PodDisruptionBudget } from "../model/policy-types";
import { splitByBudgetViolation } from "../model/disruption-budget";
import { Code, type NodeInfo, type PodInfo, type Status, unresolvable } from "./framework";
import { addPod, newNodeInfo, podPriority, removePod } from "./node-info";
import { fitErrorMessage } from "./messages";

const NO_PREEMPTION_VICTIMS = "No preemption victims found for incoming pod";
const PREEMPTION_NOT_HELPFUL = "Preemption is not helpful for scheduling";
export const NOT_ELIGIBLE_NEVER = "not eligible due to preemptionPolicy=Never.";
export const NOT_ELIGIBLE_TERMINATING = "not eligible due to a terminating pod on the nominated node.";

/** One node where preemption would help: the pods to evict there, most important first. */
export interface Candidate {
  node: string;
  victims: PodInfo[];
  /** Victims whose eviction breaks a PodDisruptionBudget (NumPDBViolations). */
  pdbViolations: number;
}

export interface PreemptionOutcome {
  /** The chosen node and its victims; absent when preemption cannot help (or may not be tried). */
  candidate?: Candidate;
  /** Why not, as PostFilter reports it ("preemption: ..."); absent when a candidate was found. */
  message?: string;
  /** Per node that was tried: its victims, or why evicting lower-priority pods there would not help. */
  nodes: { node: string; victims?: string[]; reasons?: string[] }[];
}

/** The victims' deletion was caused by preemption (podTerminatingByPreemption). */
export function terminatingByPreemption(pod: Pod): boolean {
  if (!pod.metadata.deletionTimestamp) return false;
  return (pod.status?.conditions ?? []).some((c) => c.type === "DisruptionTarget" && c.status === "True" && c.reason === "PreemptionByScheduler");
}

/** When the pod started (GetPodStartTime): a pod that has not started counts as starting now, the latest. */
function startTime(p: PodInfo): number {
  const t = p.pod.status?.startTime;
  const ms = typeof t === "string" ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? Infinity : ms;
}

/** MoreImportantPod: higher priority first, then the one that started earlier. */
function moreImportant(a: PodInfo, b: PodInfo): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return startTime(a) - startTime(b);
}

/**
 * PodEligibleToPreemptOthers: preemptionPolicy Never never preempts, and a pod whose
 * earlier preemption is still under way (a lower-priority pod it preempted is still
 * terminating on its nominated node) waits for that instead of evicting more.
 */
export function eligibleToPreempt(pod: Pod, snapshot: readonly NodeInfo[], nominatedNodeStatus?: Status): string | undefined {
  if (pod.spec.preemptionPolicy === "Never") return NOT_ELIGIBLE_NEVER;
  const nominated = pod.status?.nominatedNodeName;
  if (!nominated || nominatedNodeStatus?.code === Code.UnschedulableAndUnresolvable) return undefined;
  const ni = snapshot.find((n) => n.name === nominated);
  const prio = podPriority(pod);
  if (ni?.pods.some((p) => p.priority < prio && terminatingByPreemption(p.pod))) return NOT_ELIGIBLE_TERMINATING;
  return undefined;
}

/**
 * SelectVictimsOnNode: take every lower-priority pod off the node; if the pod then
 * fits, put them back one by one, most important first, keeping each one whose
 * return still lets the pod fit (reprieved). What could not go back are the victims.
 * `runFilters` runs the profile's filters (with the nominated pods) against a node.
 */
export function selectVictimsOnNode(
  pod: Pod,
  ni: NodeInfo,
  runFilters: (ni: NodeInfo) => Status,
  pdbs: readonly PodDisruptionBudget[] = [],
): { victims: PodInfo[]; pdbViolations: number } | { status: Status } {
  const prio = podPriority(pod);
  const potential = ni.pods.filter((p) => p.priority < prio);
  if (potential.length === 0) return { status: unresolvable(NO_PREEMPTION_VICTIMS) };
  const trial = newNodeInfo(ni.node, ni.pods.filter((p) => p.priority >= prio));
  const fits = runFilters(trial);
  if (fits.code !== Code.Success) return { status: fits };
  potential.sort(moreImportant);
  // Reprieve the pods a budget protects first, so they are evicted only when nothing else makes room.
  const byPod = new Map(potential.map((p) => [p.pod, p]));
  const split = splitByBudgetViolation(
    potential.map((p) => p.pod),
    pdbs,
  );
  const victims: PodInfo[] = [];
  let pdbViolations = 0;
  const reprieve = (p: PodInfo): boolean => {
    addPod(trial, p);
    if (runFilters(trial).code === Code.Success) return true;
    removePod(trial, p.key);
    victims.push(p);
    return false;
  };
  for (const p of split.violating) if (!reprieve(byPod.get(p)!)) pdbViolations++;
  for (const p of split.nonViolating) reprieve(byPod.get(p)!);
  victims.sort(moreImportant);
  return { victims, pdbViolations };
}

/** Sum of priorities shifted to be positive, as upstream (MaxInt32 + 1 per victim), so negative priorities count. */
function prioritySum(victims: readonly PodInfo[]): number {
  return victims.reduce((s, v) => s + v.priority + 2 ** 31, 0);
}

/** The earliest start among the highest-priority victims (GetEarliestPodStartTime). */
function earliestStartOfHighest(victims: readonly PodInfo[]): number {
  if (victims.length === 0) return Infinity;
  const top = victims[0].priority;
  let earliest = Infinity;
  for (const v of victims) if (v.priority === top) earliest = Math.min(earliest, startTime(v));
  return earliest;
}

/**
 * pickOneNodeForPreemption, criteria in order (ties go to the next): no victims at
 * all; the fewest PodDisruptionBudget violations; the lowest
 * highest-priority victim; the smallest sum of victims' priorities; the fewest
 * victims; the latest start among the highest-priority victims; then the first.
 */
export function pickOneNodeForPreemption(candidates: readonly Candidate[]): Candidate | undefined {
  if (candidates.length === 0) return undefined;
  const empty = candidates.find((c) => c.victims.length === 0);
  if (empty) return empty;
  const keepMin = (cs: readonly Candidate[], score: (c: Candidate) => number): Candidate[] => {
    const best = Math.min(...cs.map(score));
    return cs.filter((c) => score(c) === best);
  };
  let left = keepMin(candidates, (c) => c.pdbViolations);
  if (left.length > 1) left = keepMin(left, (c) => c.victims[0].priority);
  if (left.length > 1) left = keepMin(left, (c) => prioritySum(c.victims));
  if (left.length > 1) left = keepMin(left, (c) => c.victims.length);
  if (left.length > 1) left = keepMin(left, (c) => -earliestStartOfHighest(c.victims));
  return left[0];
}

/** minCandidateNodesPercentage and minCandidateNodesAbsolute, DefaultPreemption's defaults. */
const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
const MIN_CANDIDATE_NODES_ABSOLUTE = 100;

/** How many candidates are enough (calculateNumCandidates): 10% of the nodes that might help, at least 100. */
export function numCandidates(potentialNodes: number): number {
  return Math.min(potentialNodes, Math.max(MIN_CANDIDATE_NODES_ABSOLUTE, Math.trunc((potentialNodes * MIN_CANDIDATE_NODES_PERCENTAGE) / 100)));
}

/**
 * The PostFilter: eligibility, then a dry run over the nodes whose rejection was
 * Unschedulable (an UnschedulableAndUnresolvable node, a taint or a cordon, cannot be
 * helped by evicting pods) from a random offset, until numCandidates were found (so
 * a thousand-node cluster tries a few hundred nodes, not all), then the choice.
 */
export function preempt(
  pod: Pod,
  snapshot: readonly NodeInfo[],
  diagnosis: ReadonlyMap<string, Status>,
  runFilters: (ni: NodeInfo) => Status,
  random: () => number = Math.random,
  pdbs: readonly PodDisruptionBudget[] = [],
): PreemptionOutcome {
  const nominated = pod.status?.nominatedNodeName;
  const notEligible = eligibleToPreempt(pod, snapshot, nominated ? diagnosis.get(nominated) : undefined);
  if (notEligible) return { message: `preemption: ${notEligible}`, nodes: [] };
  const candidates: Candidate[] = [];
  const statuses = new Map<string, Status>();
  const nodes: PreemptionOutcome["nodes"] = [];
  const potential = snapshot.filter((ni) => diagnosis.get(ni.name)?.code === Code.Unschedulable);
  const enough = numCandidates(potential.length);
  const offset = Math.floor(random() * potential.length);
  for (let i = 0; i < potential.length && candidates.length < enough; i++) {
    const ni = potential[(offset + i) % potential.length];
    const r = selectVictimsOnNode(pod, ni, runFilters, pdbs);
    if ("victims" in r) {
      candidates.push({ node: ni.name, victims: r.victims, pdbViolations: r.pdbViolations });
      nodes.push({ node: ni.name, victims: r.victims.map((v) => v.key) });
    } else {
      statuses.set(ni.name, r.status);
      nodes.push({ node: ni.name, reasons: r.status.reasons });
    }
  }
  const candidate = pickOneNodeForPreemption(candidates);
  if (candidate) return { candidate, nodes };
  return { message: `preemption: ${fitErrorMessage(snapshot.length, statuses, { absent: unresolvable(PREEMPTION_NOT_HELPFUL) })}`, nodes };
}
