// metadata.managedFields: who owns which fields of an object, and how each write
// changes that (the API server's field manager over structured-merge-diff's Updater).
// An Update (create, update, a non-apply patch) takes the fields it added or changed
// from everyone and keeps them; an Apply owns exactly the fields of its configuration,
// fails on fields it would change that others own (unless forced), and removes the
// fields it applied before and no longer applies when nobody else owns them.
import { mergeApplied, removeFields } from "./apply-merge";
import type { SchemaNode } from "./field-schema";
import { difference, intersection, isEmpty, members, normalize, pathString, restrictTo, union, without, type FieldSet } from "./field-set";
import { compareFields, fieldSetOf } from "./field-walk";
import type { KubeObject } from "./types";

export type Operation = "Apply" | "Update";

export interface ManagedFieldsEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time?: string;
  fieldsType: "FieldsV1";
  fieldsV1: FieldSet;
  subresource?: string;
}

/** Which part of the object a write may change, and so own (the strategies' reset fields). */
export type Scope = "object" | "object-with-status-subresource" | "status";

export interface Writer {
  manager: string;
  apiVersion: string;
  subresource?: string;
  /** When the write happens, as managedFields records it (RFC 3339, seconds). */
  time: string;
}

/** The manager that owns what was there before tracking began, as upstream names it. */
export const BEFORE_FIRST_APPLY = "before-first-apply";

const sameManager = (e: ManagedFieldsEntry, w: Writer, op: Operation) =>
  e.manager === w.manager && e.operation === op && (e.subresource ?? "") === (w.subresource ?? "") && (op === "Apply" || e.apiVersion === w.apiVersion);

/** What a write in this scope may own. */
function scoped(s: FieldSet, scope: Scope): FieldSet {
  if (scope === "status") return restrictTo(s, ["f:status", "f:metadata"]);
  if (scope === "object-with-status-subresource") return without(s, ["f:status"]);
  return s;
}

/** The entries as stored; what cannot be read as entries counts as none. */
export function decodeManagedFields(value: unknown): ManagedFieldsEntry[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: ManagedFieldsEntry[] = [];
  for (const e of value) {
    if (!e || typeof e !== "object") return undefined;
    const m = e as Partial<ManagedFieldsEntry>;
    if (typeof m.manager !== "string" || (m.operation !== "Apply" && m.operation !== "Update")) return undefined;
    if (m.fieldsType !== undefined && m.fieldsType !== "FieldsV1") return undefined;
    const fields = m.fieldsV1 ?? {};
    if (!fields || typeof fields !== "object" || Array.isArray(fields)) return undefined;
    out.push({ ...m, manager: m.manager, operation: m.operation, apiVersion: m.apiVersion ?? "", fieldsType: "FieldsV1", fieldsV1: fields });
  }
  return out;
}

/** What the request's own managedFields mean (decodeLiveOrNew): [] or [{}] resets, absent or unreadable keeps the live ones. */
export function managedFromRequest(requested: unknown, live: ManagedFieldsEntry[]): ManagedFieldsEntry[] {
  if (Array.isArray(requested) && (requested.length === 0 || (requested.length === 1 && requested[0] && typeof requested[0] === "object" && Object.keys(requested[0] as object).length === 0))) return [];
  const decoded = decodeManagedFields(requested);
  return decoded && decoded.length ? decoded : live;
}

/** Entries in upstream's order (Apply before Update, then by time, manager, version, subresource), empty ones dropped. */
export function encodeManagedFields(entries: ManagedFieldsEntry[]): ManagedFieldsEntry[] {
  const out = entries.filter((e) => !isEmpty(e.fieldsV1));
  return out.sort(
    (p, q) =>
      cmp(p.operation, q.operation) || cmp(p.time ?? "", q.time ?? "") || cmp(p.manager, q.manager) || cmp(p.apiVersion, q.apiVersion) || cmp(p.subresource ?? "", q.subresource ?? ""),
  );
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function entryFor(w: Writer, op: Operation, fields: FieldSet): ManagedFieldsEntry {
  return { manager: w.manager, operation: op, apiVersion: w.apiVersion, time: w.time, fieldsType: "FieldsV1", fieldsV1: fields, ...(w.subresource ? { subresource: w.subresource } : {}) };
}

/**
 * The managed fields after an Update from `before` (undefined on create) to `after`: the
 * writer takes what it added or changed; removed fields leave every entry.
 */
export function updateManagedFields(entries: ManagedFieldsEntry[], before: KubeObject | undefined, after: KubeObject, schema: SchemaNode, w: Writer, scope: Scope): ManagedFieldsEntry[] {
  const { changed: all, removed } = compareFields(before, after, schema);
  // In upstream's order once here: unions and differences of ordered sets stay ordered.
  const changed = normalize(scoped(all, scope));
  if (isEmpty(changed) && isEmpty(removed)) return entries;
  const out: ManagedFieldsEntry[] = [];
  let mine: FieldSet = {};
  for (const e of entries) {
    if (sameManager(e, w, "Update")) mine = e.fieldsV1;
    else {
      const rest = difference(difference(e.fieldsV1, changed), removed);
      out.push(rest === e.fieldsV1 ? e : { ...e, fieldsV1: rest });
    }
  }
  out.push(entryFor(w, "Update", difference(union(mine, changed), removed)));
  return encodeManagedFields(out);
}

export interface Conflict {
  manager: ManagedFieldsEntry;
  path: string[];
}

/** An apply that would change fields others own, without force. */
export class ApplyConflicts extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super("apply conflicts");
  }
}

export interface ApplyResult {
  object: KubeObject;
  managedFields: ManagedFieldsEntry[];
}

/**
 * An Apply of `config` by `w` to `live` (undefined: the apply creates the object):
 * the merged object, the fields the writer gave up removed where no one else owns them,
 * and its managed fields. Throws ApplyConflicts when it changes what others own, unless forced.
 */
export function applyConfiguration(live: KubeObject | undefined, config: KubeObject, schema: SchemaNode, w: Writer, scope: Scope, force: boolean): ApplyResult {
  let entries = live ? (decodeManagedFields(live.metadata.managedFields) ?? []) : [];
  if (live && !entries.length) {
    // An object nobody tracked yet: what it holds is owned by one stand-in manager, so
    // an apply that changes it conflicts, as upstream does.
    entries = [{ manager: BEFORE_FIRST_APPLY, operation: "Update", apiVersion: w.apiVersion, fieldsType: "FieldsV1", fieldsV1: scoped(fieldSetOf(live, schema), scope) }];
  }
  const configSet = normalize(scoped(fieldSetOf(config, schema), scope));
  const lastApplied = entries.find((e) => sameManager(e, w, "Apply"))?.fieldsV1 ?? {};
  const others = entries.filter((e) => !sameManager(e, w, "Apply"));
  const base = live ? stripManaged(live) : undefined;
  let merged = mergeApplied(base ?? {}, config, schema) as KubeObject;
  const givenUp = difference(difference(lastApplied, configSet), others.reduce((s, e) => union(s, e.fieldsV1), {} as FieldSet));
  if (!isEmpty(givenUp)) merged = removeFields(merged, givenUp, schema) as KubeObject;
  const compared = compareFields(base, merged, schema);
  const changed = scoped(compared.changed, scope);
  const removed = compared.removed;
  const conflicts: Conflict[] = [];
  for (const e of others) for (const path of members(intersection(e.fieldsV1, changed))) conflicts.push({ manager: e, path });
  if (conflicts.length && !force) throw new ApplyConflicts(conflicts);
  const out: ManagedFieldsEntry[] = [];
  for (const e of others) {
    const rest = difference(difference(e.fieldsV1, changed), removed);
    out.push(rest === e.fieldsV1 ? e : { ...e, fieldsV1: rest });
  }
  const previous = entries.find((e) => sameManager(e, w, "Apply"));
  const unchanged = previous && isEmpty(changed) && isEmpty(removed) && JSON.stringify(configSet) === JSON.stringify(previous.fieldsV1);
  out.push(unchanged ? previous : entryFor(w, "Apply", configSet));
  merged.metadata = { ...merged.metadata, managedFields: encodeManagedFields(out) };
  return { object: merged, managedFields: merged.metadata.managedFields as ManagedFieldsEntry[] };
}

function stripManaged(o: KubeObject): KubeObject {
  const { managedFields: _drop, ...metadata } = o.metadata;
  return { ...o, metadata };
}

/** A manager as a conflict names it (printManager): `"x" using apps/v1` for an Update, `"x"` for an Apply. */
export function printManager(e: ManagedFieldsEntry): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === "Update") s += ` using ${e.apiVersion}`;
  return s;
}

/** The 409 message and causes of an apply's conflicts (NewConflictError). */
export function conflictReport(conflicts: Conflict[]): { message: string; causes: { type: string; message: string; field: string }[] } {
  const sorted = [...conflicts].sort((a, b) => cmp(printManager(a.manager), printManager(b.manager)));
  const causes = sorted.map((c) => ({ type: "FieldManagerConflict", message: `conflict with ${printManager(c.manager)}`, field: pathString(c.path) }));
  let detail: string;
  if (sorted.length === 1) detail = `conflict with ${printManager(sorted[0].manager)}: ${pathString(sorted[0].path)}`;
  else {
    const lines: string[] = [];
    let last = "";
    for (const c of sorted) {
      const m = printManager(c.manager);
      if (m !== last) lines.push(`conflicts with ${m}:`);
      last = m;
      lines.push(`- ${pathString(c.path)}`);
    }
    detail = lines.join("\n");
  }
  const n = sorted.length;
  return { message: `Apply failed with ${n} conflict${n === 1 ? "" : "s"}: ${detail}`, causes };
}
