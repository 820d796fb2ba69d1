// The HorizontalPodAutoscaler controller (kube-controller-manager's
// horizontal-pod-autoscaler): every sync period it reads the HPA, its target's scale, the
// selected pods and their usage from the kubelets (the resource metrics pipeline,
// nothing stored), plans with planHPA, writes the new replica count through the
// target, then the HPA's status and events. Each HPA runs at most once per sync
// period, however often it changes (upstream's fixed-interval rate limiter), and asks
// to run again one period later. The recommendation history lives in memory, as
// upstream's does: a restarted controller starts a fresh stabilization window.
import type { HorizontalPodAutoscaler, KubeObject, Pod } from "../model/types";
import type { WriteOp } from "../registry/ops";
import { parseLabelSelector, matchesLabels } from "../model/selectors";
import type { ControllerContext } from "./context";
import type { ControllerKey } from "../controlplane/stubs";
import { namesOf, type Controller, type NamespacedName, type Result } from "./controller";
import { EventCorrelator } from "./event-correlator";
import { ApiError } from "../model/errors";
import { planHPA, rescaleEvent, rescaleFailed, type HPAPlan, type PodUsage, type ScaleView } from "./hpa-plan";
import { emptyHistory, type HPAHistory } from "./hpa-behavior";
import { DEFAULT_CALCULATOR_CONFIG } from "./hpa-replica-calculator";
import { errorText, scaleOf, scaleTargetResource, withReplicas } from "./scale-targets";

const HPAS = "horizontalpodautoscalers.autoscaling";

export class HorizontalPodAutoscalerController implements Controller {
  readonly name = "hpa";
  /** By namespace/name, tied to the HPA's uid: a re-created HPA starts afresh. */
  private readonly histories = new Map<string, { uid: string; history: HPAHistory }>();
  /** A persisting failure is one event whose count grows, as upstream's recorder does. */
  private readonly recorder = new EventCorrelator("horizontal-pod-autoscaler");

  constructor(private readonly ctx: ControllerContext) {}

  /** Upstream's fixed-interval rate limiter: one sync per period, whatever the changes (its own status writes included). */
  get minIntervalMs(): number {
    return this.ctx.config.hpaSyncPeriodMs;
  }

  keysFor(ch: ControllerKey): NamespacedName[] {
    return ch.resource === HPAS ? [{ namespace: ch.namespace, name: ch.name }] : [];
  }

  async resyncKeys(): Promise<NamespacedName[]> {
    return namesOf((await this.ctx.store.list(HPAS)).items);
  }

  async reconcile({ namespace, name }: NamespacedName): Promise<Result | void> {
    const { ctx } = this;
    const key = `${namespace}/${name}`;
    const hpa = (await ctx.store.get(HPAS, namespace, name)) as HorizontalPodAutoscaler | null;
    if (!hpa || hpa.metadata.deletionTimestamp) {
      this.recorder.forget(this.histories.get(key)?.uid);
      this.histories.delete(key);
      return;
    }
    let entry = this.histories.get(key);
    if (!entry || entry.uid !== hpa.metadata.uid) this.histories.set(key, (entry = { uid: hpa.metadata.uid ?? "", history: emptyHistory() }));

    const target = await this.readTarget(hpa);
    let pods: Pod[] = [];
    let usage = new Map<string, PodUsage>();
    if (!("error" in target.scale) && target.scale.selector) {
      pods = await this.selectedPods(namespace, target.scale.selector);
      usage = await this.usageByName(pods);
    }
    const now = ctx.now();
    // The history changes only if the sync goes through: plan on a copy.
    const history = structuredClone(entry.history);
    let plan = planHPA({
      hpa,
      scale: target.scale,
      pods,
      usage,
      history,
      now,
      calculator: { ...DEFAULT_CALCULATOR_CONFIG, cpuInitializationPeriodMs: ctx.config.hpaCpuInitializationPeriodMs },
      downscaleStabilizationMs: ctx.config.hpaDownscaleStabilizationMs,
    });
    if (plan.rescale !== undefined && target.object && target.resource) {
      try {
        await ctx.registry.update(target.resource, withReplicas(target.object, plan.rescale), { old: target.object, expectedRv: Number(target.object.metadata.resourceVersion) });
        plan = { ...plan, events: [...plan.events, rescaleEvent(plan)] };
      } catch (e) {
        plan = rescaleFailed(hpa, plan, errorText(e), now);
        await this.writeStatus(hpa, plan, now);
        throw e;
      }
    }
    entry.history = history;
    await this.writeStatus(hpa, plan, now);
    return { requeueAfterMs: ctx.config.hpaSyncPeriodMs };
  }

  private async readTarget(hpa: HorizontalPodAutoscaler): Promise<{ scale: ScaleView | { error: string }; resource?: string; object?: KubeObject }> {
    const ref = hpa.spec.scaleTargetRef;
    const resource = scaleTargetResource(ref);
    if (typeof resource !== "string") return { scale: resource };
    const object = await this.ctx.store.get(resource, hpa.metadata.namespace ?? "", ref.name);
    if (!object) return { scale: { error: `${resource} "${ref.name}" not found` }, resource };
    return { scale: scaleOf(object), resource, object };
  }

  private async selectedPods(namespace: string, selector: string): Promise<Pod[]> {
    let reqs;
    try {
      reqs = parseLabelSelector(selector);
    } catch {
      return [];
    }
    const { items } = await this.ctx.store.list("pods", { namespace, filter: (p) => matchesLabels(reqs, p.metadata.labels) });
    return items as Pod[];
  }

  /** The metrics API answers by pod name (PodMetrics); the scrape by UID. */
  private async usageByName(pods: Pod[]): Promise<Map<string, PodUsage>> {
    const running = pods.filter((p) => p.spec.nodeName && p.status?.phase === "Running");
    const byUid = running.length ? await this.ctx.podUsage(running) : new Map<string, PodUsage>();
    const out = new Map<string, PodUsage>();
    for (const p of running) {
      const u = byUid.get(p.metadata.uid ?? "");
      if (u) out.set(p.metadata.name ?? "", u);
    }
    return out;
  }

  /** The status (when it changed) and the sync's events, one batch. */
  private async writeStatus(hpa: HorizontalPodAutoscaler, plan: HPAPlan, now: number): Promise<void> {
    const ops: WriteOp[] = [];
    if (plan.statusChanged) ops.push({ op: "update", resource: HPAS, subresource: "status", object: { ...hpa, status: plan.status }, old: hpa, expectedRv: Number(hpa.metadata.resourceVersion) });
    const quiet = this.ctx.terminating.has(hpa.metadata.namespace ?? "");
    const events = quiet ? { ops: [], keys: [] } : this.recorder.ops(hpa, plan.events, now);
    if (!ops.length && !events.ops.length) return;
    try {
      const stored = await this.ctx.registry.commit([...ops, ...events.ops]);
      this.recorder.committed(events.keys, stored.slice(ops.length), now);
    } catch (e) {
      // An event to bump may have expired or been deleted: the retry writes new ones.
      if (e instanceof ApiError && (e.code === 404 || e.code === 409)) this.recorder.forget(hpa.metadata.uid);
      throw e;
    }
  }
}
