// What a controller is to the controller manager (controller-runtime's Reconciler plus
// the watches that feed it): a name, the keys a change maps to, and a reconcile of one
// key that re-reads the state it needs. The manager owns everything else: the
// persistent queue, the workers, retries, back-off, the periodic resync and the alarm.
import type { ControllerKey } from "../controlplane/stubs";
import type { KubeObject, OwnerReference } from "../model/types";
import type { WorkKind } from "./keys";

/** The object a key names (types.NamespacedName; cluster-scoped objects have namespace ""). */
export interface NamespacedName {
  namespace: string;
  name: string;
}

/** reconcile.Result: run this key again after a while (without counting as a failure). */
export interface Result {
  requeueAfterMs?: number;
}

export interface Controller {
  /** The prefix of its work keys (`rs:NS/NAME`). */
  readonly name: WorkKind;
  /** The keys this controller should reconcile because `change` happened. */
  keysFor(change: ControllerKey): NamespacedName[];
  /** Reconcile one key from fresh reads. Throwing backs it off (a 409 or 404 retries at once). */
  reconcile(key: NamespacedName): Promise<Result | void>;
  /** The keys a periodic resync reconciles, so a lost poke is corrected. */
  resyncKeys?(): Promise<NamespacedName[]>;
  /** A key runs at most this often, however often it is asked for. */
  readonly minIntervalMs?: number;
}

/** The controller reference of a changed object (metav1.GetControllerOf). */
export function controllerOf(change: ControllerKey): OwnerReference | undefined {
  return change.ownerReferences?.find((o) => o.controller === true);
}

export function namesOf(objects: KubeObject[]): NamespacedName[] {
  return objects.map((o) => ({ namespace: o.metadata.namespace ?? "", name: o.metadata.name ?? "" }));
}
