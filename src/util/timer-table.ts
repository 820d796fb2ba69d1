// A Durable Object's timers on its ONE alarm: a node's (heartbeat, restart and
// image-pull back-off, termination grace...) and the lifecycle controller's (lease
// deadlines, toleration expiry, batched lease writes).
//
// Timers live in the object's SQLite storage, keyed so that setting a timer again
// replaces it; the alarm is always set to the earliest. An alarm may fire twice or
// late: `takeDue` hands out each due timer once (it deletes what it returns in the
// same synchronous step), and every handler re-checks state before acting.

export interface Timer {
  key: string;
  at: number;
  kind: string;
  payload: unknown;
}

export class TimerTable {
  constructor(private readonly storage: DurableObjectStorage) {
    storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS timers (key TEXT PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL)",
    );
    storage.sql.exec("CREATE INDEX IF NOT EXISTS timers_at ON timers (at)");
  }

  /** Set (or move) a timer; the alarm follows the earliest timer. */
  async set(key: string, at: number, kind: string, payload: unknown = null): Promise<void> {
    this.storage.sql.exec(
      "INSERT INTO timers (key, at, kind, payload) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET at = excluded.at, kind = excluded.kind, payload = excluded.payload",
      key,
      Math.floor(at),
      kind,
      JSON.stringify(payload ?? null),
    );
    await this.arm();
  }

  /** Set a timer only if it is not already set earlier. */
  async setIfEarlier(key: string, at: number, kind: string, payload: unknown = null): Promise<void> {
    const existing = this.get(key);
    if (existing && existing.at <= at) return;
    await this.set(key, at, kind, payload);
  }

  get(key: string): Timer | undefined {
    const row = this.storage.sql.exec<{ key: string; at: number; kind: string; payload: string }>("SELECT key, at, kind, payload FROM timers WHERE key = ?", key).toArray()[0];
    return row ? { key: row.key, at: row.at, kind: row.kind, payload: JSON.parse(row.payload) } : undefined;
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
    return this.storage.sql
      .exec<{ key: string; at: number; kind: string; payload: string }>("SELECT key, at, kind, payload FROM timers ORDER BY at, key")
      .toArray()
      .map((r) => ({ key: r.key, at: r.at, kind: r.kind, payload: JSON.parse(r.payload) }));
  }

  /** Remove and return every timer due at `now`, earliest first. */
  takeDue(now: number): Timer[] {
    const rows = this.storage.sql
      .exec<{ key: string; at: number; kind: string; payload: string }>("SELECT key, at, kind, payload FROM timers WHERE at <= ? ORDER BY at, key", now)
      .toArray();
    if (rows.length) this.storage.sql.exec("DELETE FROM timers WHERE at <= ?", now);
    return rows.map((r) => ({ key: r.key, at: r.at, kind: r.kind, payload: JSON.parse(r.payload) }));
  }

  nextAt(): number | undefined {
    const row = this.storage.sql.exec<{ at: number | null }>("SELECT MIN(at) AS at FROM timers").toArray()[0];
    return row?.at ?? undefined;
  }

  /** Point the alarm at the earliest timer (or clear it when there is none). */
  async arm(): Promise<void> {
    const next = this.nextAt();
    if (next === undefined) {
      await this.storage.deleteAlarm();
      return;
    }
    const current = await this.storage.getAlarm();
    if (current !== next) await this.storage.setAlarm(next);
  }
}
