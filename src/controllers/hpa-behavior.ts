// How the HPA turns a metric's recommendation into the replica count it writes
// (horizontal.go's normalizeDesiredReplicas*): a stabilization window over recent
// recommendations (scaling down uses the highest of them, scaling up the lowest), then
// the rate limits (behavior policies; without a behavior, at most double or +4), then
// minReplicas/maxReplicas. The history is the controller's memory, as upstream keeps it.
import type { HPAScalingRules, HorizontalPodAutoscalerBehavior } from "../model/types";
import { scaleDownRules, scaleUpRules } from "../model/hpa-defaults";

export interface Recommendation {
  t: number;
  replicas: number;
}

export interface ScaleEvent {
  t: number;
  change: number;
  outdated: boolean;
}

/** What the controller remembers of one HPA between syncs. */
export interface HPAHistory {
  recommendations: Recommendation[];
  scaleUp: ScaleEvent[];
  scaleDown: ScaleEvent[];
}

export const emptyHistory = (): HPAHistory => ({ recommendations: [], scaleUp: [], scaleDown: [] });

export interface Limited {
  replicas: number;
  /** AbleToScale: ReadyForNewScale, or ScaleUpStabilized/ScaleDownStabilized. */
  ableReason: string;
  ableMessage: string;
  /** ScalingLimited: True when the limits changed the stabilized count. */
  limited: boolean;
  limitReason: string;
  limitMessage: string;
}

const READY = { reason: "ReadyForNewScale", message: "recommended size matches current size" };
const WITHIN = { reason: "DesiredWithinRange", message: "the desired count is within the acceptable range" };
const TOO_MANY = { reason: "TooManyReplicas", message: "the desired replica count is more than the maximum replica count" };
const TOO_FEW = { reason: "TooFewReplicas", message: "the desired replica count is less than the minimum replica count" };
const UP_LIMIT = { reason: "ScaleUpLimit", message: "the desired replica count is increasing faster than the maximum scale rate" };
const DOWN_LIMIT = { reason: "ScaleDownLimit", message: "the desired replica count is decreasing faster than the maximum scale rate" };
const UP_STABILIZED = { reason: "ScaleUpStabilized", message: "recent recommendations were lower than current one, applying the lowest recent recommendation" };
const DOWN_STABILIZED = { reason: "ScaleDownStabilized", message: "recent recommendations were higher than current one, applying the highest recent recommendation" };

/** Without a behavior: scale up to at most twice the replicas, or 4, whichever is more. */
const SCALE_UP_LIMIT_FACTOR = 2;
const SCALE_UP_LIMIT_MINIMUM = 4;

export interface NormalizeInput {
  history: HPAHistory;
  now: number;
  currentReplicas: number;
  /** What the metrics recommend. */
  desiredReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  behavior?: HorizontalPodAutoscalerBehavior;
  /** --horizontal-pod-autoscaler-downscale-stabilization (5 min). */
  downscaleStabilizationMs: number;
}

/** recordInitialRecommendation: the first sync remembers the current size. */
export function recordInitial(history: HPAHistory, current: number, now: number): void {
  if (history.recommendations.length === 0) history.recommendations.push({ t: now, replicas: current });
}

/** Keeps `rec` in the history, reusing the slot of one older than `obsoleteBefore`. */
function remember(history: HPAHistory, rec: Recommendation, obsoleteBefore: number): void {
  const old = history.recommendations.findLastIndex((r) => r.t < obsoleteBefore);
  if (old >= 0) history.recommendations[old] = rec;
  else history.recommendations.push(rec);
}

function result(replicas: number, stabilized: number, desired: number, able: { reason: string; message: string }, limit: { reason: string; message: string }): Limited {
  const a = stabilized !== desired ? able : READY;
  return { replicas, ableReason: a.reason, ableMessage: a.message, limited: replicas !== stabilized, limitReason: limit.reason, limitMessage: limit.message };
}

/** normalizeDesiredReplicas: the downscale window, the scale-up limit, then min and max. */
function normalizeClassic(i: NormalizeInput): Limited {
  const cutoff = i.now - i.downscaleStabilizationMs;
  let stabilized = i.desiredReplicas;
  for (const r of i.history.recommendations) if (r.t >= cutoff && r.replicas > stabilized) stabilized = r.replicas;
  remember(i.history, { t: i.now, replicas: i.desiredReplicas }, cutoff);
  const scaleUpLimit = Math.max(SCALE_UP_LIMIT_FACTOR * i.currentReplicas, SCALE_UP_LIMIT_MINIMUM);
  const [max, maxWhy] = i.maxReplicas > scaleUpLimit ? [scaleUpLimit, UP_LIMIT] : [i.maxReplicas, TOO_MANY];
  let replicas = stabilized;
  let why = WITHIN;
  if (stabilized < i.minReplicas) [replicas, why] = [i.minReplicas, TOO_FEW];
  else if (stabilized > max) [replicas, why] = [max, maxWhy];
  return result(replicas, stabilized, i.desiredReplicas, DOWN_STABILIZED, why);
}

/** getReplicasChangePerPeriod: replicas added (or removed) within the last period. */
function changeInPeriod(events: ScaleEvent[], periodSeconds: number, now: number): number {
  const from = now - periodSeconds * 1000;
  return events.reduce((n, e) => (e.t > from ? n + e.change : n), 0);
}

/** calculateScaleUpLimitWithScalingRules. */
function scaleUpLimit(current: number, history: HPAHistory, rules: HPAScalingRules, now: number): number {
  if (rules.selectPolicy === "Disabled") return current;
  const pick = rules.selectPolicy === "Min" ? Math.min : Math.max;
  let limit = rules.selectPolicy === "Min" ? Infinity : -Infinity;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(history.scaleUp, p.periodSeconds, now) + changeInPeriod(history.scaleDown, p.periodSeconds, now);
    const proposed = p.type === "Pods" ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    limit = pick(limit, proposed);
  }
  return limit;
}

/** calculateScaleDownLimitWithBehaviors. */
function scaleDownLimit(current: number, history: HPAHistory, rules: HPAScalingRules, now: number): number {
  if (rules.selectPolicy === "Disabled") return current;
  const pick = rules.selectPolicy === "Min" ? Math.max : Math.min;
  let limit = rules.selectPolicy === "Min" ? -Infinity : Infinity;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(history.scaleUp, p.periodSeconds, now) + changeInPeriod(history.scaleDown, p.periodSeconds, now);
    const proposed = p.type === "Pods" ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    limit = pick(limit, proposed);
  }
  return limit;
}

/** normalizeDesiredReplicasWithBehaviors: the windows of both directions, then the policies' rates, then min and max. */
function normalizeWithBehavior(i: NormalizeInput, behavior: HorizontalPodAutoscalerBehavior): Limited {
  const up = scaleUpRules(behavior.scaleUp);
  const down = scaleDownRules(behavior.scaleDown);
  const upWindow = up.stabilizationWindowSeconds ?? 0;
  const downWindow = down.stabilizationWindowSeconds ?? i.downscaleStabilizationMs / 1000;
  const scalingUp = i.desiredReplicas >= i.currentReplicas;
  const cutoff = i.now - (scalingUp ? upWindow : downWindow) * 1000;
  const obsolete = i.now - Math.max(upWindow, downWindow) * 1000;
  let stabilized = i.desiredReplicas;
  for (const r of i.history.recommendations) {
    if (r.t > cutoff) stabilized = scalingUp ? Math.min(stabilized, r.replicas) : Math.max(stabilized, r.replicas);
  }
  remember(i.history, { t: i.now, replicas: i.desiredReplicas }, obsolete);

  let replicas = stabilized;
  let why = WITHIN;
  if (stabilized > i.currentReplicas) {
    const limit = Math.max(scaleUpLimit(i.currentReplicas, i.history, up, i.now), i.currentReplicas);
    const [max, maxWhy] = i.maxReplicas > limit ? [limit, UP_LIMIT] : [i.maxReplicas, TOO_MANY];
    if (stabilized > max) [replicas, why] = [max, maxWhy];
  } else if (stabilized < i.currentReplicas) {
    const limit = Math.min(scaleDownLimit(i.currentReplicas, i.history, down, i.now), i.currentReplicas);
    const [min, minWhy] = i.minReplicas < limit ? [limit, DOWN_LIMIT] : [i.minReplicas, TOO_FEW];
    if (stabilized < min) [replicas, why] = [min, minWhy];
  }
  return result(replicas, stabilized, i.desiredReplicas, scalingUp ? UP_STABILIZED : DOWN_STABILIZED, why);
}

export function normalizeReplicas(i: NormalizeInput): Limited {
  return i.behavior ? normalizeWithBehavior(i, i.behavior) : normalizeClassic(i);
}

/** storeScaleEvent: remember a rescale for the policies' periods (only with a behavior). */
export function recordScaleEvent(history: HPAHistory, behavior: HorizontalPodAutoscalerBehavior | undefined, now: number, from: number, to: number): void {
  if (!behavior || from === to) return;
  const up = to > from;
  const rules = up ? scaleUpRules(behavior.scaleUp) : scaleDownRules(behavior.scaleDown);
  const longest = Math.max(0, ...(rules.policies ?? []).map((p) => p.periodSeconds));
  const events = up ? history.scaleUp : history.scaleDown;
  for (const e of events) if (e.t < now - longest * 1000) e.outdated = true;
  const event = { t: now, change: Math.abs(to - from), outdated: false };
  const slot = events.findIndex((e) => e.outdated);
  if (slot >= 0) events[slot] = event;
  else events.push(event);
}
