// A Durable Object's timers on its ONE alarm: a node's (heartbeat, restart and
// image-pull back-off, termination grace...) and the lifecycle controller's (lease
// deadlines, toleration expiry, batched lease writes).
//
// Timers live in the object's SQLite storage, keyed so that setting a timer again
// replaces it; the alarm is always set to the earliest. An alarm may fire twice or
// late: `takeDue` hands out each due timer once (one DELETE ... RETURNING: what it
// returns is gone in the same statement), and every handler re-checks state before
// acting.
//
// The heartbeat is the hot path (one alarm per node per NODE_LEASE_RENEW_INTERVAL, on
// an object that is usually rebuilt after eviction), so each step is one statement and
// nothing reads a payload it does not hand out. Setting a timer returns the earliest
// one in the same statement, and the alarm is pointed there at once: a handler that
// sets its next timer and then awaits a call (the heartbeat's renewal) has its
// storage writes and the alarm committed together, before the call goes out. Only
// what leaves the earliest timer unknown (taking the due ones, cancelling) moves the
// alarm later: at the end of the dispatch (`dispatch`), if nothing set since, whether
// the handlers returned or threw.

export interface Timer {
  key: string;
  at: number;
  kind: string;
  payload: unknown;
}

interface Row {
  key: string;
  at: number;
  kind: string;
  payload: string;
  [column: string]: SqlStorageValue;
}

/**
 * The version of the table's schema, kept in the object's key-value storage once its
 * statements ran: a rebuilt object then skips them. Both live in the same storage, so
 * deleteAll() drops them together. Bump it when the DDL changes.
 */
export const SCHEMA_KEY = "timer-table/schema";
const SCHEMA_VERSION = 1;

/** Setting a timer that exists moves it: its key is what makes it the same timer. */
const REPLACE_TIMER = "ON CONFLICT(key) DO UPDATE SET at = excluded.at, kind = excluded.kind, payload = excluded.payload";

const toTimer = (r: Row): Timer => ({ key: r.key, at: r.at, kind: r.kind, payload: JSON.parse(r.payload) });

/** Earliest first; timers due at the same moment by key, so the order never depends on storage. */
const byAtThenKey = (a: Row, b: Row): number => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

export class TimerTable {
  /** Dispatches running: while any is, cancelling timers leaves the alarm to the last one's end. */
  private dispatching = 0;
  /** During a dispatch: the alarm may not point at the earliest timer (it fired, or timers were cancelled) and no set has pointed it since. */
  private unarmed = false;

  /** `storage` is a SQLite-backed object's (its `sql` and `kv`). */
  constructor(private readonly storage: DurableObjectStorage) {
    if (storage.kv.get<number>(SCHEMA_KEY) === SCHEMA_VERSION) return;
    storage.sql.exec("CREATE TABLE IF NOT EXISTS timers (key TEXT PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL)");
    storage.sql.exec("CREATE INDEX IF NOT EXISTS timers_at ON timers (at)");
    storage.kv.put(SCHEMA_KEY, SCHEMA_VERSION);
  }

  /** Set (or move) a timer; the alarm follows the earliest timer. */
  async set(key: string, at: number, kind: string, payload: unknown = null): Promise<void> {
    // The same statement says which timer is now the earliest (its subquery sees the
    // row as written), so pointing the alarm needs no second query.
    const { next } = this.storage.sql
      .exec<{ next: number }>(
        `INSERT INTO timers (key, at, kind, payload) VALUES (?, ?, ?, ?) ${REPLACE_TIMER} RETURNING (SELECT MIN(at) FROM timers) AS next`,
        key,
        Math.floor(at),
        kind,
        JSON.stringify(payload ?? null),
      )
      .one();
    this.unarmed = false;
    await this.armAt(next);
  }

  /**
   * Set (or move) several timers in one statement, then point the alarm at the
   * earliest (read afterwards: a statement's RETURNING rows may not all see its last
   * write).
   */
  async setAll(timers: readonly { key: string; at: number; kind: string; payload?: unknown }[]): Promise<void> {
    if (timers.length === 0) return;
    this.storage.sql.exec(
      `INSERT INTO timers (key, at, kind, payload) SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(?) WHERE true ${REPLACE_TIMER}`,
      JSON.stringify(timers.map((t) => [t.key, Math.floor(t.at), t.kind, JSON.stringify(t.payload ?? null)])),
    );
    this.unarmed = false;
    await this.armAt(this.nextAt());
  }

  /** Set a timer only if it is not already set earlier. */
  async setIfEarlier(key: string, at: number, kind: string, payload: unknown = null): Promise<void> {
    const existing = this.atOf(key);
    if (existing !== undefined && existing <= Math.floor(at)) return;
    await this.set(key, at, kind, payload);
  }

  get(key: string): Timer | undefined {
    const row = this.storage.sql.exec<Row>("SELECT key, at, kind, payload FROM timers WHERE key = ?", key).toArray()[0];
    return row ? toTimer(row) : undefined;
  }

  /** When the timer is due (undefined when it is not set); its payload is not read. */
  atOf(key: string): number | undefined {
    return this.storage.sql.exec<{ at: number }>("SELECT at FROM timers WHERE key = ?", key).toArray()[0]?.at;
  }

  has(key: string): boolean {
    return this.atOf(key) !== undefined;
  }

  /** When each of `keys` is due, in one query whatever their number (a key not set is absent from the map). */
  atsOf(keys: readonly string[]): Map<string, number> {
    const rows = this.storage.sql.exec<{ key: string; at: number }>("SELECT key, at FROM timers WHERE key IN (SELECT value FROM json_each(?))", JSON.stringify(keys)).toArray();
    return new Map(rows.map((r) => [r.key, r.at]));
  }

  async cancel(key: string): Promise<void> {
    this.storage.sql.exec("DELETE FROM timers WHERE key = ?", key);
    await this.arm();
  }

  async cancelPrefix(prefix: string): Promise<void> {
    this.storage.sql.exec("DELETE FROM timers WHERE substr(key, 1, ?) = ?", prefix.length, prefix);
    await this.arm();
  }

  list(): Timer[] {
    return this.storage.sql.exec<Row>("SELECT key, at, kind, payload FROM timers ORDER BY at, key").toArray().map(toTimer);
  }

  /** Remove and return every timer due at `now`, earliest first (then by key). */
  takeDue(now: number): Timer[] {
    const rows = this.storage.sql.exec<Row>("DELETE FROM timers WHERE at <= ? RETURNING key, at, kind, payload", now).toArray();
    return rows.sort(byAtThenKey).map(toTimer);
  }

  nextAt(): number | undefined {
    const row = this.storage.sql.exec<{ at: number | null }>("SELECT MIN(at) AS at FROM timers").toArray()[0];
    return row?.at ?? undefined;
  }

  /** Point the alarm at the earliest timer (or clear it when there is none); during a dispatch, at its end. */
  async arm(): Promise<void> {
    if (this.dispatching > 0) this.unarmed = true;
    else await this.armNow();
  }

  /**
   * Run an alarm's dispatch of due timers: the alarm follows what its handlers took
   * and cancelled once, when it ends (also when it throws), unless a timer set since
   * already pointed it. Calls answered while it awaits (an object interleaves them)
   * share that: at most the dispatch's own duration later, and an alarm may always
   * fire late.
   */
  async dispatch<T>(run: () => Promise<T>): Promise<T> {
    // An alarm that found nothing due must still be re-pointed: it is spent.
    if (this.dispatching++ === 0) this.unarmed = true;
    try {
      return await run();
    } finally {
      if (--this.dispatching === 0 && this.unarmed) {
        this.unarmed = false;
        await this.armNow();
      }
    }
  }

  private armNow(): Promise<void> {
    return this.armAt(this.nextAt());
  }

  private async armAt(next: number | undefined): Promise<void> {
    if (next === undefined) {
      await this.storage.deleteAlarm();
      return;
    }
    const current = await this.storage.getAlarm();
    if (current !== next) await this.storage.setAlarm(next);
  }
}
