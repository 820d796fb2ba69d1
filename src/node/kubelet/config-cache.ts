// The ConfigMaps and Secrets a node's pods refer to, kept between syncs, as upstream's
// kubelet keeps them in its watch-based configmap and secret managers instead of asking
// the API server for every pod it starts (every pod's projected token volume names the
// namespace's kube-root-ca.crt). Upstream keeps an object while a pod on the node refers
// to it and a watch keeps it current; here:
// - the kubelet's list of its pods checks every kept object in the same D1 round trip
//   (ObjectStore.listAgainst's `held`), so a sync that lists starts new pods with objects
//   as fresh as the list itself;
// - a ConfigMap or Secret that changed (configChanged, and the periodic remount that
//   names every reference) is dropped, so the sync it wakes reads it again;
// - objects no pod here refers to any more are dropped before each check.
// Objects are shared between the pods that read them: readers must not change them.
import type { ConfigMap, Secret } from "../../model/types";
import type { ConfigResource } from "../../model/pod-config-refs";
import { configRef } from "../../model/pod-config-refs";
import type { HeldAnswer, HeldObject } from "../../store/store";
import type { ConfigReader } from "./config-sources";

type ConfigObject = ConfigMap | Secret;

interface Entry {
  resource: ConfigResource;
  namespace: string;
  name: string;
  obj: ConfigObject;
}

export class ConfigCache {
  private entries = new Map<string, Entry>();

  /** How many objects are kept. */
  get size(): number {
    return this.entries.size;
  }

  /** Drop what no pod refers to any more (`refs`: "configmaps/NS/NAME"), then say what is kept, to check with the list. */
  held(refs: ReadonlySet<string>): HeldObject[] {
    for (const ref of this.entries.keys()) if (!refs.has(ref)) this.entries.delete(ref);
    return [...this.entries.values()].map((e) => ({ resource: e.resource, namespace: e.namespace, name: e.name, heldRv: Number(e.obj.metadata.resourceVersion) }));
  }

  /** The list's answers for what held() returned, in its order. */
  checked(held: HeldObject[], answers: HeldAnswer[]): void {
    held.forEach((h, i) => {
      const ref = configRef(h.resource as ConfigResource, h.namespace, h.name);
      const entry = this.entries.get(ref);
      const answer = answers[i];
      // An entry replaced or dropped while the list was out is left as it is now.
      if (!entry || Number(entry.obj.metadata.resourceVersion) !== h.heldRv || answer === "unchanged") return;
      if (answer === null) this.entries.delete(ref);
      else entry.obj = answer as ConfigObject;
    });
  }

  /** Objects that changed: the next read of each goes to the store. */
  forget(refs: Iterable<string>): void {
    for (const ref of refs) this.entries.delete(ref);
  }

  /**
   * A sync's reader: kept objects from memory, the rest from `read` (the store), each at
   * most once per sync; objects found are kept. A missing one is not kept: its creation
   * is a change the pods that wait for it are told of.
   */
  reader(read: ConfigReader): ConfigReader {
    const inSync = new Map<string, Promise<ConfigObject | null>>();
    return (resource, namespace, name) => {
      const ref = configRef(resource, namespace, name);
      const kept = this.entries.get(ref);
      if (kept) return Promise.resolve(kept.obj);
      let pending = inSync.get(ref);
      if (!pending) {
        pending = read(resource, namespace, name).then((obj) => {
          // Not over a newer copy the list brought in meanwhile.
          const now = this.entries.get(ref);
          if (obj && (!now || Number(now.obj.metadata.resourceVersion) < Number(obj.metadata.resourceVersion))) this.entries.set(ref, { resource, namespace, name, obj });
          return obj;
        });
        inSync.set(ref, pending);
      }
      return pending;
    };
  }
}
