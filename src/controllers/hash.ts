// The pod-template-hash: the suffix of a Deployment's ReplicaSet names and the label
// that keeps the pods of two revisions apart. Upstream (controller.ComputeHash) feeds
// the Go-printed template to FNV-32a, adds the collisionCount as 8 little-endian
// bytes, and maps the decimal digits of the sum through rand.SafeEncodeString so the
// result never spells a word. We hash canonical JSON instead of Go's dump, so values
// differ from a real cluster's but have the same shape and stability.
import type { PodTemplateSpec } from "../model/types";
import { defaultPodSpec } from "../registry/defaults";

/** The alphabet of rand.SafeEncodeString (no vowels, no 0/1/3 that read like letters). */
const SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

export const POD_TEMPLATE_HASH_LABEL = "pod-template-hash";

/** FNV-1a, 32 bits, over bytes. */
export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** rand.SafeEncodeString: each character becomes alphabet[code % 27]. */
export function safeEncodeString(s: string): string {
  let out = "";
  for (const ch of s) out += SAFE_ALPHABET[ch.codePointAt(0)! % SAFE_ALPHABET.length];
  return out;
}

/**
 * JSON with object keys sorted at every level, so key order never changes a hash. A
 * null field is left out like a missing one (`creationTimestamp: null` in a template
 * means the same as no field, as for Go's nil pointers).
 */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? "null" : canonicalJson(x))).join(",")}]`;
  const entries = Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== undefined && x !== null)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(",")}}`;
}

/**
 * The template as the controllers compare it: API defaults filled in (the API server
 * defaults on create but a later patch may carry a template without them) and the
 * pod-template-hash label removed (upstream EqualIgnoreHash).
 */
function normalizeTemplate(template: PodTemplateSpec | undefined): PodTemplateSpec {
  const t = structuredClone(template ?? { spec: { containers: [] } }) as PodTemplateSpec;
  t.spec ??= { containers: [] };
  defaultPodSpec(t.spec);
  if (t.metadata?.labels) {
    delete t.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    if (Object.keys(t.metadata.labels).length === 0) delete t.metadata.labels;
  }
  if (t.metadata && Object.keys(t.metadata).length === 0) delete t.metadata;
  return t;
}

/** Whether two pod templates are the same revision (upstream EqualIgnoreHash). */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalJson(normalizeTemplate(a)) === canonicalJson(normalizeTemplate(b));
}

/** controller.ComputeHash: FNV-32a of the template (+ collisionCount), safely encoded. */
export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  const bytes = new TextEncoder().encode(canonicalJson(normalizeTemplate(template)));
  let h = fnv32a(bytes);
  if (collisionCount !== undefined && collisionCount !== null) {
    // Go writes binary.LittleEndian.PutUint32 into an 8-byte buffer: 4 bytes, then 4 zeros.
    const extra = new Uint8Array(8);
    new DataView(extra.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(extra, h);
  }
  return safeEncodeString(String(h));
}

/**
 * HashControllerRevision: FNV-32a of the revision's data (canonical JSON here, raw
 * bytes upstream), then the collisionCount as decimal text, safely encoded.
 */
export function hashRevisionData(data: unknown, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJson(data)));
  if (collisionCount !== undefined && collisionCount !== null) h = fnv32a(new TextEncoder().encode(String(collisionCount)), h);
  return safeEncodeString(String(h));
}
