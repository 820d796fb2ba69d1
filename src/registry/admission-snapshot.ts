// What the pod admission plugins read on every create (the namespace's LimitRanges, the
// pod's ServiceAccount, the PriorityClasses), kept per isolate between creates.
//
// Upstream's plugins (LimitRanger, ServiceAccount, Priority) read informer caches, with
// a live lookup only when the cache lacks the object; an informer may lag a write that
// has already returned. Here a cached read is never trusted blindly: it carries the
// fingerprint of what it found (store.ts Fingerprint: count and highest resourceVersion
// of the set), and the create's own D1 batch checks that fingerprint inside its
// transaction. A set changed meanwhile, by any isolate, fails the batch with 409
// (CHANGED_SINCE_READ); the entry is dropped and the create runs again from fresh reads
// (Registry.create). So an answer never rests on a state older than a write that
// completed before the create committed, and a steady cluster pays no round trip for
// these reads, only one indexed statement each in the batch it makes anyway.
import type { KubeObject } from "../model/types";
import { ApiError } from "../model/errors";
import { CHANGED_SINCE_READ, fingerprintOf, type Fingerprint, type ObjectStore } from "../store/store";
import type { AdmissionMemo } from "./strategies/types";

interface Entry {
  items: KubeObject[];
  fingerprint: Fingerprint;
}

const SNAPSHOTS = new Map<string, Entry>();
/** A bound on memory: namespaces come and go; a full map starts over. */
const SNAPSHOTS_MAX = 10_000;

/** The memo key under which a write's admission collects the fingerprints its batch must check. */
const GUARDS = "admission-snapshot:guards";
/** The memo key that asks for fresh reads (a dry run has no batch to check a snapshot in). */
const FRESH = "admission-snapshot:fresh";

const keyOf = (resource: string, namespace: string, name?: string) => `${resource}\u0000${namespace}\u0000${name ?? "\u0000*"}`;

/** A memo for one write's admission; `fresh` when no batch will check what it reads. */
export function admissionMemo(fresh = false): AdmissionMemo {
  const memo: AdmissionMemo = new Map();
  if (fresh) memo.set(FRESH, true);
  return memo;
}

/** The fingerprints the write's batch must check (store.commit's `unchanged`). */
export function snapshotGuards(memo: AdmissionMemo | undefined): Fingerprint[] {
  return [...((memo?.get(GUARDS) as Map<string, Fingerprint> | undefined)?.values() ?? [])];
}

function useSnapshot(memo: AdmissionMemo | undefined): memo is AdmissionMemo {
  return !!memo && !memo.get(FRESH);
}

function remember(memo: AdmissionMemo, key: string, entry: Entry): void {
  let guards = memo.get(GUARDS) as Map<string, Fingerprint> | undefined;
  if (!guards) memo.set(GUARDS, (guards = new Map()));
  guards.set(key, entry.fingerprint);
}

function store(key: string, entry: Entry): void {
  if (SNAPSHOTS.size >= SNAPSHOTS_MAX) SNAPSHOTS.clear();
  SNAPSHOTS.set(key, entry);
}

/** Every object of `resource` in `namespace`, from the snapshot when the memo allows one. */
export async function snapshotList(db: ObjectStore, resource: string, namespace: string, memo: AdmissionMemo | undefined): Promise<KubeObject[]> {
  if (!useSnapshot(memo)) return (await db.list(resource, { namespace })).items;
  const key = keyOf(resource, namespace);
  let entry = SNAPSHOTS.get(key);
  if (!entry) {
    const { items } = await db.list(resource, { namespace });
    entry = { items, fingerprint: fingerprintOf(resource, namespace, items) };
    store(key, entry);
  }
  remember(memo, key, entry);
  // Callers may default from the objects but never change them.
  return entry.items;
}

/** One object, from the snapshot when the memo allows one; absence is never kept (the caller waits or refuses). */
export async function snapshotGet(db: ObjectStore, resource: string, namespace: string, name: string, memo: AdmissionMemo | undefined): Promise<KubeObject | null> {
  if (!useSnapshot(memo)) return db.get(resource, namespace, name);
  const key = keyOf(resource, namespace, name);
  let entry = SNAPSHOTS.get(key);
  if (!entry) {
    const found = await db.get(resource, namespace, name);
    if (!found) return null;
    entry = { items: [found], fingerprint: fingerprintOf(resource, namespace, [found], name) };
    store(key, entry);
  }
  remember(memo, key, entry);
  return entry.items[0];
}

/** Drop what these fingerprints came from: the next read is a fresh one. */
export function forgetSnapshots(fingerprints: Fingerprint[]): void {
  for (const f of fingerprints) SNAPSHOTS.delete(keyOf(f.resource, f.namespace, f.name));
}

/** A batch that failed because a snapshot it relied on is out of date. */
export function isSnapshotConflict(e: unknown): boolean {
  return e instanceof ApiError && e.reason === "Conflict" && e.message.endsWith(CHANGED_SINCE_READ);
}
