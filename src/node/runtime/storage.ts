// The runtime keeps ALL of its state (sandboxes, containers, image cache, logs, volume
// files) behind this small async key-value interface, so the NodeAgent Durable Object
// can hand it its own transactional storage and a restarted object resumes where it
// was. The shape is a subset of DurableObjectStorage (get/put/delete/list by prefix), so
// an adapter is a few lines; the in-memory implementation below serves unit tests.

export interface RuntimeStorage {
  get<T>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
  delete(key: string): Promise<unknown>;
  /** Every entry whose key starts with `prefix`, in key order. */
  list<T>(prefix: string): Promise<Map<string, T>>;
}

/** What a SQLite-backed Durable Object accepts as one value (its storage refuses more). */
const STORAGE_VALUE_LIMIT = 2 * 1024 * 1024;

/**
 * An upper bound of a value's serialised size: strings at two bytes per code unit (V8
 * writes them one- or two-byte), numbers and tags at nine. Enough to tell a value that
 * fits from one that does not; the platform only refuses what is over its limit.
 */
export function serializedSizeBound(value: unknown): number {
  switch (typeof value) {
    case "string":
      return 5 + 2 * value.length;
    case "number":
    case "boolean":
    case "undefined":
    case "bigint":
      return 9;
    case "object": {
      if (value === null) return 1;
      if (ArrayBuffer.isView(value)) return 9 + value.byteLength;
      let n = 5;
      for (const [k, v] of Object.entries(value)) n += serializedSizeBound(k) + serializedSizeBound(v);
      return n;
    }
    default:
      return 9;
  }
}

/**
 * In-memory storage for tests and tools. Values are deep-copied on the way in and out,
 * as a real storage would serialise them: code that mutates a loaded record without
 * putting it back is a bug that tests should catch, not hide. A value over the
 * platform's limit is refused, as a deployed Durable Object would refuse it.
 */
export class MemoryRuntimeStorage implements RuntimeStorage {
  private readonly data = new Map<string, unknown>();

  constructor(private readonly valueLimit = STORAGE_VALUE_LIMIT) {}

  async get<T>(key: string): Promise<T | undefined> {
    const v = this.data.get(key);
    return v === undefined ? undefined : (structuredClone(v) as T);
  }

  async put<T>(key: string, value: T): Promise<void> {
    const size = serializedSizeBound(value);
    if (size > this.valueLimit) throw new RangeError(`value of ${key} is too large to store (${size} bytes, the limit is ${this.valueLimit})`);
    this.data.set(key, structuredClone(value));
  }

  /** The largest stored value's size bound (tests check that nothing comes near the limit). */
  largestValue(): { key: string; bytes: number } | undefined {
    let best: { key: string; bytes: number } | undefined;
    for (const [key, v] of this.data) {
      const bytes = serializedSizeBound(v);
      if (!best || bytes > best.bytes) best = { key, bytes };
    }
    return best;
  }

  async delete(key: string): Promise<boolean> {
    return this.data.delete(key);
  }

  async list<T>(prefix: string): Promise<Map<string, T>> {
    const keys = [...this.data.keys()].filter((k) => k.startsWith(prefix)).sort();
    return new Map(keys.map((k) => [k, structuredClone(this.data.get(k)) as T]));
  }

  /** Number of stored keys (tests check that removal cleans up). */
  get size(): number {
    return this.data.size;
  }

  keys(): string[] {
    return [...this.data.keys()].sort();
  }
}
