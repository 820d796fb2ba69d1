// A statement whose SQL drizzle builds once, from the schema, and that is then only
// bound. Building a query (walking its builder, quoting names, collecting parameters)
// costs more JavaScript than the SQLite work of a small write: on the hot paths (a
// commit is several statements per object) the text is built the first time and each
// call binds the values in place of drizzle's placeholders.
import { Param, Placeholder } from "drizzle-orm";

/** A built query as drizzle's `toSQL()` returns it. */
interface Built {
  sql: string;
  params: unknown[];
}

/** A D1 value: what the binding accepts (drizzle would map booleans and dates; these statements take none). */
export type SqlValue = string | number | null;

export class PreparedSql<N extends string = never> {
  private readonly text: string;
  /** Per parameter: a placeholder's name, or a constant the builder inlined. */
  private readonly slots: ({ name: N } | { value: unknown })[];

  constructor(built: Built) {
    this.text = built.sql;
    this.slots = built.params.map((param) => {
      // An insert's values come wrapped with their column (for drizzle's value mapping).
      const p = param instanceof Param ? (param.value as unknown) : param;
      return p instanceof Placeholder ? { name: p.name as N } : { value: p };
    });
  }

  /** The statement bound to `values`. */
  bind(d1: D1Database, values: Record<N, SqlValue>): D1PreparedStatement {
    return d1.prepare(this.text).bind(...this.args(values));
  }

  /** The parameters in the text's order (every placeholder must be given: a missing one is a bug, not a NULL). */
  args(values: Record<N, SqlValue>): unknown[] {
    return this.slots.map((s) => {
      if ("value" in s) return s.value;
      const v = values[s.name];
      if (v === undefined) throw new Error(`no value for placeholder ${s.name} in ${this.text}`);
      return v;
    });
  }

  get sql(): string {
    return this.text;
  }
}

/** Built on first use: the text is the same for every store of the isolate. */
export function lazily<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}
