// One scheduling decision for one pod over a snapshot of nodes, as upstream's
// schedule_one.go schedulePod: PreFilter, Filter from a round-robin start
// index until enough feasible nodes are found (numFeasibleNodesToFind), then
// PreScore/Score/Normalize, weighted sum, highest total wins, ties broken at
// random. Pure: the clock-free, binding-free core the Scheduler DO calls.

import type { PersistentVolumeClaim, Pod } from "../model/types";
import type { PodDisruptionBudget } from "../model/policy-types";
import {
  Code,
  CycleState,
  type FilterPlugin,
  MAX_NODE_SCORE,
  type NodeInfo,
  type PodInfo,
  type Profile,
  type Status,
  errorStatus,
  isRejected,
  success,
  unresolvable,
  withPlugin,
} from "./framework";
import { NO_NODES_AVAILABLE, fitErrorMessage } from "./messages";
import { addPod, newNodeInfo, podKey, podPriority } from "./node-info";
import { preempt, type PreemptionOutcome } from "./preemption";
import type { ScoringStrategy } from "./plugins/node-resources-fit";
import { defaultProfile } from "./profile";
import { CLAIMS_STATE_KEY } from "./plugins/volume-binding";

/** Below this many nodes every node is evaluated (minFeasibleNodesToFind). */
const MIN_FEASIBLE_NODES_TO_FIND = 100;
/** The adaptive percentage never drops below this (minFeasibleNodesPercentageToFind). */
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/**
 * How many feasible nodes are enough to stop filtering. Scoring every node of a
 * 5,000-node cluster costs more than the placement quality it buys, so upstream
 * stops early: all nodes below 100; otherwise `percentage` of them (adaptive
 * when 0/unset: 50% minus 1% per 125 nodes, at least 5%), and never fewer than 100.
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore?: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let percentage = Math.min(percentageOfNodesToScore ?? 0, 100);
  if (percentage <= 0) {
    percentage = 50 - Math.trunc(numAllNodes / 125);
    if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.trunc((numAllNodes * percentage) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

interface ScheduleOptions {
  /** Breaks ties between equally scored nodes; inject a seeded one in tests. */
  random: () => number;
  /** 0 or unset: adaptive, as upstream's default. */
  percentageOfNodesToScore?: number;
  scoringStrategy?: ScoringStrategy;
  /** Where filtering starts in the snapshot; pass back the previous result's nextStartIndex. */
  startIndex?: number;
  /** Overrides the default profile (scoringStrategy is then ignored). */
  profile?: Profile;
  /** Record every filter plugin's verdict for every evaluated node (for explain); costs allocations. */
  explain?: boolean;
  /** Run DefaultPreemption's PostFilter when no node fits (default true): a candidate, or its "preemption: ..." text. */
  postFilter?: boolean;
  /**
   * Pods nominated to each node (waiting for their victims to go). Those of equal or
   * higher priority count as placed when filtering that node, so the room a preemption
   * frees is not taken by a lesser pod first (upstream's RunFilterPluginsWithNominatedPods).
   */
  nominatedPods?: (node: string) => readonly PodInfo[] | undefined;
  /** The PersistentVolumeClaims the scheduler knows, "namespace/name" -> claim (VolumeBinding). */
  claims?: ReadonlyMap<string, PersistentVolumeClaim>;
  /** The PodDisruptionBudgets preemption tries not to break. */
  pdbs?: readonly PodDisruptionBudget[];
  /** How many nodes of the snapshot report each image (ClusterView.imageNodes); counted per pod when absent. */
  imageNodes?: ReadonlyMap<string, number>;
}

interface FilterVerdict {
  plugin: string;
  /** Success, Unschedulable, UnschedulableAndUnresolvable or Error. */
  status: Status;
}

export interface PluginScore {
  plugin: string;
  raw: number;
  normalized: number;
  weight: number;
  weighted: number;
}

export interface NodeScore {
  node: string;
  plugins: PluginScore[];
  total: number;
}

/**
 * Every score of a cycle as numbers: per score plugin (in profile order) its raw and
 * normalized score for each feasible node, and each node's weighted total. A cycle
 * scores hundreds of nodes, and an object per node and plugin was most of what the
 * scheduler allocated; `nodeScores` builds those objects when an explanation asks.
 */
export interface ScoreTable {
  /** The feasible nodes, in the order they were filtered. */
  nodes: readonly string[];
  plugins: readonly { plugin: string; weight: number }[];
  /** [plugin][node] */
  raw: readonly (readonly number[])[];
  /** [plugin][node] */
  normalized: readonly (readonly number[])[];
  /** [node]: the sum of normalized * weight over the plugins. */
  totals: readonly number[];
}

/** The table as one entry per node with each plugin's part. */
export function nodeScores(t: ScoreTable): NodeScore[] {
  return t.nodes.map((node, i) => ({
    node,
    total: t.totals[i],
    plugins: t.plugins.map(({ plugin, weight }, k) => {
      const normalized = t.normalized[k][i];
      return { plugin, raw: t.raw[k][i], normalized, weight, weighted: normalized * weight };
    }),
  }));
}

export interface ScheduleResult {
  /** The chosen node; undefined when none fits or on error. */
  node?: string;
  /** Success; Unschedulable (no node fits: FitError); UnschedulableAndUnresolvable (no nodes at all); Error. */
  status: Status;
  numAllNodes: number;
  numNodesToFind: number;
  /** Nodes that went through the filters (feasible + rejected). */
  evaluated: number;
  feasible: number;
  /** The deciding rejection of every rejected node (first failing filter, as upstream). */
  diagnosis: Map<string, Status>;
  /** Plugins that rejected some node: the queue re-activates the pod on events these care about. */
  unschedulablePlugins: Set<string>;
  /** With `explain`: each evaluated node's verdict from every filter plugin. */
  filterVerdicts?: Map<string, FilterVerdict[]>;
  /** Score plugins whose PreScore returned Skip (not in `scores`). */
  skippedScorePlugins?: string[];
  /** Every feasible node's scores, per plugin (raw and normalised) and weighted in total; absent when only one node was feasible. */
  scores?: ScoreTable;
  /** The FailedScheduling event / PodScheduled=False message. */
  message?: string;
  /** DefaultPreemption's verdict when no node fit: the node to nominate and its victims, or why not. */
  preemption?: PreemptionOutcome;
  /** Start index for the next pod's cycle (round robin over the snapshot). */
  nextStartIndex: number;
}

function callFilter(f: FilterPlugin, state: CycleState, pod: Pod, ni: NodeInfo): Status {
  try {
    const s = f.filter(state, pod, ni);
    // Success carries no plugin name: skipping the copy keeps the hot path allocation-free.
    return s.code === Code.Success ? s : withPlugin(s, f.name);
  } catch (e) {
    // A plugin must not throw; if one does (an unparsable quantity), it is an Error status, never an exception.
    return withPlugin(errorStatus(`running "${f.name}" filter plugin: ${(e as Error).message}`), f.name);
  }
}

/**
 * Runs the filters in order and returns the first non-success (upstream
 * RunFilterPlugins). With `record`, also runs the remaining filters for the
 * explanation only; the deciding status stays the first rejection.
 */
function runFilterPlugins(
  filters: readonly FilterPlugin[],
  state: CycleState,
  pod: Pod,
  ni: NodeInfo,
  record?: FilterVerdict[],
): Status {
  let decided: Status | undefined;
  for (const f of filters) {
    const s = callFilter(f, state, pod, ni);
    record?.push({ plugin: f.name, status: s });
    if (s.code !== Code.Success && !decided) {
      decided = s;
      if (!record || s.code === Code.Error) break;
    }
  }
  return decided ?? success();
}

function baseResult(numAllNodes: number, numNodesToFind: number, start: number): ScheduleResult {
  return {
    status: success(),
    numAllNodes,
    numNodesToFind,
    evaluated: 0,
    feasible: 0,
    diagnosis: new Map(),
    unschedulablePlugins: new Set(),
    nextStartIndex: start,
  };
}

export function schedulePod(pod: Pod, snapshot: readonly NodeInfo[], opts: ScheduleOptions): ScheduleResult {
  const profile = opts.profile ?? defaultProfile(opts.scoringStrategy);
  const n = snapshot.length;
  if (n === 0) {
    // ErrNoNodesAvailable: upstream reports it as UnschedulableAndUnresolvable with this text.
    const r = baseResult(0, 0, 0);
    r.status = { code: Code.UnschedulableAndUnresolvable, reasons: [NO_NODES_AVAILABLE] };
    r.message = NO_NODES_AVAILABLE;
    return r;
  }
  const start = (((opts.startIndex ?? 0) % n) + n) % n;
  const numToFind = numFeasibleNodesToFind(n, opts.percentageOfNodesToScore);
  const result = baseResult(n, numToFind, start);
  const state = new CycleState(snapshot, opts.imageNodes);
  if (opts.claims) state.write(CLAIMS_STATE_KEY, opts.claims);

  // PreFilter: once per pod. A rejection here applies to every node.
  for (const f of profile.filters) {
    if (!f.preFilter) continue;
    let s: Status;
    try {
      s = withPlugin(f.preFilter(state, pod), f.name);
    } catch (e) {
      s = withPlugin(errorStatus(`running PreFilter plugin "${f.name}": ${(e as Error).message}`), f.name);
    }
    if (s.code === Code.Success) continue;
    if (!isRejected(s)) return { ...result, status: s, message: s.reasons.join(", ") };
    for (const ni of snapshot) result.diagnosis.set(ni.name, s);
    result.unschedulablePlugins.add(f.name);
    // PostFilter still runs (upstream): preemption cannot help a pod no node passes PreFilter for.
    if (opts.postFilter !== false) result.preemption = preempt(pod, snapshot, result.diagnosis, () => s, opts.random, opts.pdbs);
    result.message = fitErrorMessage(n, result.diagnosis, { preFilterMsg: s.reasons.join(", "), postFilterMsg: result.preemption?.message });
    result.status = { code: Code.Unschedulable, reasons: [result.message] };
    return result;
  }

  // PreFilterResult: plugins that name the only nodes that can pass; the rest are not filtered.
  const narrow = preFilterNodes(profile.filters, pod);
  if (narrow && snapshot.some((ni) => !narrow.names.has(ni.name))) for (const p of narrow.by) result.unschedulablePlugins.add(p);

  // Filter: walk the snapshot from `start`, stop once enough feasible nodes are found.
  const withNominated = nominatedView(pod, opts.nominatedPods);
  const feasible: NodeInfo[] = [];
  if (opts.explain) result.filterVerdicts = new Map();
  let processed = 0;
  for (let i = 0; i < n && feasible.length < numToFind; i++) {
    const ni = snapshot[(start + i) % n];
    processed++;
    if (narrow && !narrow.names.has(ni.name)) {
      // SetAbsentNodesStatus: left out by PreFilter, rejected without running a filter.
      result.diagnosis.set(ni.name, narrow.absent);
      continue;
    }
    const record: FilterVerdict[] | undefined = opts.explain ? [] : undefined;
    const s = runFilterPlugins(profile.filters, state, pod, withNominated(ni), record);
    if (record) result.filterVerdicts!.set(ni.name, record);
    if (s.code === Code.Error) {
      return { ...result, evaluated: processed, nextStartIndex: (start + processed) % n, status: s, message: s.reasons.join(", ") };
    }
    if (s.code === Code.Success) feasible.push(ni);
    else {
      result.diagnosis.set(ni.name, s);
      if (s.plugin) result.unschedulablePlugins.add(s.plugin);
    }
  }
  result.evaluated = processed;
  result.feasible = feasible.length;
  result.nextStartIndex = (start + processed) % n;

  if (feasible.length === 0) {
    if (opts.postFilter !== false) {
      result.preemption = preempt(pod, snapshot, result.diagnosis, (ni) => runFilterPlugins(profile.filters, state, pod, withNominated(ni)), opts.random, opts.pdbs);
    }
    result.message = fitErrorMessage(n, result.diagnosis, { postFilterMsg: result.preemption?.message });
    result.status = { code: Code.Unschedulable, reasons: [result.message] };
    return result;
  }
  // One feasible node: nothing to compare, upstream does not score.
  if (feasible.length === 1) {
    result.node = feasible[0].name;
    return result;
  }

  const scored = scoreNodes(profile, state, pod, feasible);
  if ("error" in scored) return { ...result, status: scored.error, message: scored.error.reasons.join(", ") };
  result.scores = scored.scores;
  result.skippedScorePlugins = scored.skipped;
  result.node = selectHost(scored.scores, opts.random);
  return result;
}

/**
 * A node as `pod` should see it: with the pods nominated to it of at least its own
 * priority added (a copy; the snapshot stays as it is). Most nodes have none.
 */
function nominatedView(pod: Pod, nominatedPods: ScheduleOptions["nominatedPods"]): (ni: NodeInfo) => NodeInfo {
  if (!nominatedPods) return (ni) => ni;
  const key = podKey(pod);
  const prio = podPriority(pod);
  return (ni) => {
    const extra = nominatedPods(ni.name)?.filter((p) => p.key !== key && p.priority >= prio);
    if (!extra?.length) return ni;
    const copy = newNodeInfo(ni.node, ni.pods);
    for (const p of extra) addPod(copy, p);
    return copy;
  };
}

/**
 * The intersection of the plugins' PreFilterResult node names, and the status the
 * nodes left out get: "node(s) didn't satisfy plugin(s) [NodeAffinity]".
 */
function preFilterNodes(filters: readonly FilterPlugin[], pod: Pod): { names: ReadonlySet<string>; by: string[]; absent: Status } | undefined {
  let names: Set<string> | undefined;
  const by: string[] = [];
  for (const f of filters) {
    const r = f.preFilterNodes?.(pod);
    if (!r) continue;
    by.push(f.name);
    names = names ? new Set([...names].filter((x) => r.has(x))) : new Set(r);
  }
  if (!names) return undefined;
  by.sort();
  return { names, by, absent: withPlugin(unresolvable(`node(s) didn't satisfy plugin(s) [${by.join(" ")}]`), by[0]) };
}

/** PreScore, Score, Normalize and weight every score plugin over the feasible nodes. */
function scoreNodes(profile: Profile, state: CycleState, pod: Pod, nodes: readonly NodeInfo[]): { scores: ScoreTable; skipped: string[] } | { error: Status } {
  const n = nodes.length;
  const totals = new Array<number>(n).fill(0);
  const plugins: { plugin: string; weight: number }[] = [];
  const raws: number[][] = [];
  const normalizeds: number[][] = [];
  const skipped: string[] = [];
  for (const { plugin, weight } of profile.scores) {
    try {
      const pre = plugin.preScore?.(state, pod, nodes) ?? success();
      if (pre.code === Code.Skip) {
        skipped.push(plugin.name);
        continue;
      }
      if (pre.code !== Code.Success) return { error: withPlugin(pre, plugin.name) };
      const raw = new Array<number>(n);
      for (let i = 0; i < n; i++) raw[i] = plugin.score(state, pod, nodes[i]);
      const normalized = raw.slice();
      plugin.normalize?.(normalized);
      for (let i = 0; i < n; i++) {
        const v = normalized[i];
        if (!(v >= 0 && v <= MAX_NODE_SCORE)) {
          return {
            error: withPlugin(
              errorStatus(`plugin "${plugin.name}" returns an invalid score ${v}, it should in the range of [0, ${MAX_NODE_SCORE}] after normalizing`),
              plugin.name,
            ),
          };
        }
        totals[i] += v * weight;
      }
      plugins.push({ plugin: plugin.name, weight });
      raws.push(raw);
      normalizeds.push(normalized);
    } catch (e) {
      return { error: withPlugin(errorStatus(`running score plugin "${plugin.name}": ${(e as Error).message}`), plugin.name) };
    }
  }
  return { scores: { nodes: nodes.map((ni) => ni.name), plugins, raw: raws, normalized: normalizeds, totals }, skipped };
}

/**
 * Highest total wins; among equal totals each is equally likely (reservoir
 * sampling, as upstream's selectHost), so equal nodes share the load.
 */
function selectHost({ nodes, totals }: ScoreTable, random: () => number): string {
  let best = 0;
  let ties = 1;
  for (let i = 1; i < nodes.length; i++) {
    if (totals[i] > totals[best]) {
      best = i;
      ties = 1;
    } else if (totals[i] === totals[best]) {
      ties++;
      if (Math.floor(random() * ties) === 0) best = i;
    }
  }
  return nodes[best];
}
