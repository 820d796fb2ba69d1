// Which objects of a kind each namespace holds (namespace -> names), for the pod fan-out:
// every pod change asks, and most namespaces hold none. Filled from one list, kept by
// the owning controller's reconciles (a new object is reconciled, so seen, before or
// after any pod change that matters to it) and dropped at each resync.
import type { KubeObject } from "../model/types";
import type { SelectingObjects } from "./pod-fan-out";

export class NamespaceIndex implements SelectingObjects {
  private known: Map<string, Set<string>> | undefined;
  /** Reconciles that finish while the list is read: applied after it, which may predate them. */
  private seenWhileLoading: [string, string, boolean][] | undefined;

  constructor(private readonly list: () => Promise<KubeObject[]>) {}

  /** The owning controller reconciled this object: it exists, or no longer does. */
  observe(namespace: string, name: string, exists: boolean): void {
    if (this.known) note(this.known, namespace, name, exists);
    else this.seenWhileLoading?.push([namespace, name, exists]);
  }

  /** Forget everything (the resync re-reads it). */
  forget(): void {
    this.known = undefined;
  }

  /** False only when the namespace is known to hold none: its pod changes need no work. */
  mayHave(namespace: string): boolean {
    return this.known ? this.known.has(namespace) : true;
  }

  async namesIn(namespace: string): Promise<string[]> {
    if (!this.known) {
      const during: [string, string, boolean][] = (this.seenWhileLoading ??= []);
      const known = new Map<string, Set<string>>();
      for (const o of await this.list()) note(known, o.metadata.namespace ?? "", o.metadata.name ?? "", true);
      for (const [ns, name, exists] of during) note(known, ns, name, exists);
      this.seenWhileLoading = undefined;
      this.known ??= known;
    }
    return [...(this.known.get(namespace) ?? [])];
  }
}

function note(known: Map<string, Set<string>>, namespace: string, name: string, exists: boolean): void {
  const names = known.get(namespace) ?? new Set<string>();
  if (exists) names.add(name);
  else names.delete(name);
  if (names.size) known.set(namespace, names);
  else known.delete(namespace);
}
