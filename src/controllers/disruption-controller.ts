// The disruption controller (kube-controller-manager's "disruption"): keeps each
// PodDisruptionBudget's status true to its pods, so the eviction subresource can
// decide from the budget alone. A reconcile reads the budget, the pods its selector
// picks and the scale of their controllers (Deployment, ReplicaSet, StatefulSet,
// ReplicationController), plans with planDisruption, and writes the status and the
// events in one batch. A pod change wakes the budgets of its namespace (known from
// memory, so namespaces without budgets cost nothing); an eviction awaiting its pod's
// termination is looked at again when it expires.
import type { KubeObject, Pod, PodDisruptionBudget } from "../model/types";
import type { WriteOp } from "../registry/ops";
import type { ControllerKey } from "../controlplane/stubs";
import type { ControllerContext } from "./context";
import { namesOf, type Controller, type NamespacedName, type Result } from "./controller";
import { NamespaceIndex } from "./namespace-index";
import { EventCorrelator } from "./event-correlator";
import { ApiError } from "../model/errors";
import { PDB_RESOURCE } from "../model/disruption-budget";
import { equalityPushdown, matchesLabels, selectorFromLabelSelector } from "../model/selectors";
import { controllerRefOf, planDisruption, type ScaleLookup } from "./disruption-plan";
import { RESOURCES, storageKey } from "../model/resources";

/** A budget whose counts could not be made is tried again after this long. */
const FAILED_SYNC_RETRY_MS = 10_000;
/** Past an expiry, so the entry is gone when the sync runs. */
const RECHECK_MARGIN_MS = 1_000;

const groupOf = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.split("/")[0] : "");
const replicasOf = (o: KubeObject | null) => (o?.spec as { replicas?: number } | undefined)?.replicas ?? 1;

export class DisruptionController implements Controller {
  readonly name = "pdb";
  /** The budgets of each namespace, for the pod fan-out. */
  readonly index = new NamespaceIndex(async () => (await this.ctx.store.list(PDB_RESOURCE)).items);
  private readonly recorder = new EventCorrelator("controllermanager");

  constructor(private readonly ctx: ControllerContext) {}

  keysFor(ch: ControllerKey): NamespacedName[] {
    return ch.resource === PDB_RESOURCE ? [{ namespace: ch.namespace, name: ch.name }] : [];
  }

  async resyncKeys(): Promise<NamespacedName[]> {
    this.index.forget();
    return namesOf((await this.ctx.store.list(PDB_RESOURCE)).items);
  }

  async reconcile({ namespace, name }: NamespacedName): Promise<Result | void> {
    const { ctx } = this;
    const pdb = (await ctx.store.get(PDB_RESOURCE, namespace, name)) as PodDisruptionBudget | null;
    this.index.observe(namespace, name, pdb !== null);
    if (!pdb || pdb.metadata.deletionTimestamp) {
      this.recorder.forget(pdb?.metadata.uid);
      return;
    }
    const pods = await this.podsOf(pdb);
    const now = ctx.now();
    const plan = planDisruption({ pdb, pods, scales: await this.scalesOf(pods), now });

    const ops: WriteOp[] = [];
    if (plan.status) ops.push({ op: "update", resource: PDB_RESOURCE, subresource: "status", object: { ...pdb, status: plan.status }, old: pdb, expectedRv: Number(pdb.metadata.resourceVersion) });
    const eventOps: WriteOp[] = [];
    const eventKeys: string[] = [];
    if (!ctx.terminating.has(namespace)) {
      for (const e of plan.events) {
        const about: KubeObject | undefined = e.pod ? pods.find((p) => p.metadata.name === e.pod) : pdb;
        if (!about) continue;
        const written = this.recorder.ops(about, [e], now);
        eventOps.push(...written.ops);
        eventKeys.push(...written.keys);
      }
    }
    if (ops.length || eventOps.length) {
      try {
        const stored = await ctx.registry.commit([...ops, ...eventOps]);
        this.recorder.committed(eventKeys, stored.slice(ops.length), now);
      } catch (e) {
        if (e instanceof ApiError && (e.code === 404 || e.code === 409)) this.recorder.forget(pdb.metadata.uid);
        throw e;
      }
    }
    if (plan.failed) return { requeueAfterMs: FAILED_SYNC_RETRY_MS };
    if (plan.recheckAfterMs !== undefined) return { requeueAfterMs: plan.recheckAfterMs + RECHECK_MARGIN_MS };
  }

  /** getPodsForPdb: LabelSelectorAsSelector, so an empty selector counts every pod and a null one none. */
  private async podsOf(pdb: PodDisruptionBudget): Promise<Pod[]> {
    let reqs;
    try {
      reqs = selectorFromLabelSelector(pdb.spec?.selector);
    } catch {
      return [];
    }
    if (reqs === null) return [];
    const { items } = await this.ctx.store.list("pods", { namespace: pdb.metadata.namespace, labelEquals: equalityPushdown(reqs), filter: (p) => matchesLabels(reqs, p.metadata.labels) });
    return items as Pod[];
  }

  /** The finders of upstream: ReplicationController, Deployment (through its ReplicaSet), ReplicaSet, StatefulSet. */
  private async scalesOf(pods: readonly Pod[]): Promise<Map<string, ScaleLookup>> {
    const out = new Map<string, ScaleLookup>();
    for (const pod of pods) {
      const ref = controllerRefOf(pod);
      if (!ref || out.has(ref.uid)) continue;
      out.set(ref.uid, await this.scaleOf(pod.metadata.namespace ?? "", ref.kind, groupOf(ref.apiVersion), ref.name, ref.uid));
    }
    return out;
  }

  private async scaleOf(namespace: string, kind: string, group: string, name: string, uid: string): Promise<ScaleLookup> {
    const { store } = this.ctx;
    const found = async (resource: string) => {
      const o = await store.get(resource, namespace, name);
      return o && o.metadata.uid === uid ? o : null;
    };
    if (kind === "ReplicationController" && group === "") {
      const rc = await found("replicationcontrollers");
      return rc ? { uid, replicas: replicasOf(rc) } : null;
    }
    if (kind === "StatefulSet" && group === "apps") {
      const sts = await found("statefulsets.apps");
      return sts ? { uid, replicas: replicasOf(sts) } : null;
    }
    if (kind === "ReplicaSet" && group === "apps") {
      const rs = await found("replicasets.apps");
      if (!rs) return null;
      // A Deployment's ReplicaSet counts as the Deployment: its scale is the one wanted.
      const owner = rs.metadata.ownerReferences?.find((o) => o.controller === true);
      if (owner?.kind === "Deployment" && groupOf(owner.apiVersion) === "apps") {
        const d = await store.get("deployments.apps", namespace, owner.name);
        return d && d.metadata.uid === owner.uid ? { uid: owner.uid, replicas: replicasOf(d) } : null;
      }
      return { uid, replicas: replicasOf(rs) };
    }
    // Upstream falls back to the scale subresource: a kind served without one (a Job, a DaemonSet) has no scale to count.
    const served = RESOURCES.find((r) => r.kind === kind && r.group === group);
    if (served && !served.subresources.includes("scale")) return { error: `${storageKey(served)} does not implement the scale subresource` };
    return null;
  }
}

