// What the lifecycle controller knows of each node it watches, in its own SQLite
// storage: the last renewal the kubelet sent, the Lease as this controller last wrote
// it to D1, and whether this controller marked the node unreachable. A renewal is one
// local row write; D1 hears of it only when the lease writer's batch runs.
//
// Two tables, because renewals are the hot path: a batch of renewals rewrites narrow
// rows (a node's name and three numbers, about a hundred to a page), while the Leases as
// written (about 900 bytes each, four to a page) change only when the lease writer runs;
// in one row with its Lease, each renewal would dirty a page of its own for the storage
// to commit. A batch is one statement (its rows passed as one JSON parameter).
import type { Lease } from "../../model/types";

export interface Renewal {
  node: string;
  /** The latest renewal received (ms, the kubelet's clock). */
  renewed: number;
  /** The Lease as last written to D1 by this controller (its resourceVersion makes the next write conditional). */
  lease?: Lease;
  /** renewTime of that Lease, in ms (0 when none was written). */
  written: number;
  /** This controller marked the node unreachable and has not seen it recover. */
  marked: boolean;
}

/** What a renewal found: enough to decide the deadline, the Lease write and a recovery. */
export interface RenewalOutcome {
  /** The latest renewal now recorded (a late one leaves the later one). */
  renewed: number;
  /** This controller holds a Lease it wrote for the node (its next write is a batch's). */
  leased: boolean;
  marked: boolean;
  /** The node is new here (or has never had its Lease written). */
  added: boolean;
}

interface Row {
  node: string;
  renewed: number;
  written: number;
  lease: string | null;
  marked: number;
  [key: string]: SqlStorageValue;
}

/** Leases recorded as written per statement: their JSON is one parameter, kept well under SQLite's string limits. */
const WRITTEN_PER_STATEMENT = 200;

const fromRow = (r: Row): Renewal => ({ node: r.node, renewed: r.renewed, written: r.written, lease: r.lease ? (JSON.parse(r.lease) as Lease) : undefined, marked: r.marked === 1 });

const SELECT_ROWS = "SELECT r.node AS node, r.renewed AS renewed, r.written AS written, l.lease AS lease, r.marked AS marked FROM node_renewals r LEFT JOIN node_leases l ON l.node = r.node";

export class RenewalTable {
  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS node_renewals (node TEXT PRIMARY KEY, renewed INTEGER NOT NULL, written INTEGER NOT NULL DEFAULT 0, marked INTEGER NOT NULL DEFAULT 0)");
    sql.exec("CREATE TABLE IF NOT EXISTS node_leases (node TEXT PRIMARY KEY, lease TEXT NOT NULL)");
    // The one-table layout of earlier versions: its nodes count as new here at their
    // next renewal (their Lease read from D1, a mark this controller set checked on the Node).
    sql.exec("DROP TABLE IF EXISTS renewals");
  }

  get(node: string): Renewal | undefined {
    const row = this.sql.exec<Row>(`${SELECT_ROWS} WHERE r.node = ?`, node).toArray()[0];
    return row ? fromRow(row) : undefined;
  }

  /** The latest renewal and the mark of each of `nodes` that has a row, in one query (no Lease read). */
  renewedOf(nodes: readonly string[]): Map<string, { renewed: number; marked: boolean }> {
    const rows = this.sql
      .exec<{ node: string; renewed: number; marked: number }>("SELECT node, renewed, marked FROM node_renewals WHERE node IN (SELECT value FROM json_each(?))", JSON.stringify(nodes))
      .toArray();
    return new Map(rows.map((r) => [r.node, { renewed: r.renewed, marked: r.marked === 1 }]));
  }

  /**
   * Record renewals (a late, older one never moves a node's back), in one statement
   * that returns only what the caller acts on: the Leases as written stay unread (the
   * lease writer reads them when it writes). A node renewed twice in the batch answers
   * once, with the later renewal.
   */
  renewAll(renewals: readonly { node: string; at: number }[]): Map<string, RenewalOutcome> {
    const rows = this.sql
      .exec<{ node: string; renewed: number; written: number; leased: number; marked: number }>(
        "INSERT INTO node_renewals (node, renewed) SELECT value ->> 0, value ->> 1 FROM json_each(?) WHERE true " +
          "ON CONFLICT(node) DO UPDATE SET renewed = max(renewed, excluded.renewed) " +
          "RETURNING node, renewed, written, EXISTS (SELECT 1 FROM node_leases l WHERE l.node = node_renewals.node) AS leased, marked",
        JSON.stringify(renewals.map((r) => [r.node, Math.floor(r.at)])),
      )
      .toArray();
    const out = new Map<string, RenewalOutcome>();
    for (const row of rows) {
      if ((out.get(row.node)?.renewed ?? -Infinity) > row.renewed) continue;
      const leased = row.leased === 1;
      // A row never given a Lease counts as new: the caller's check for a node to recover
      // is then only repeated while the Lease fails.
      out.set(row.node, { renewed: row.renewed, leased, marked: row.marked === 1, added: !leased && row.written === 0 });
    }
    return out;
  }

  written(node: string, lease: Lease, renewTime: number): void {
    this.writtenAll([{ node, lease, renewTime }]);
  }

  /** The Leases just written to D1 (each with its renewTime in ms), a statement pair per WRITTEN_PER_STATEMENT. */
  writtenAll(entries: readonly { node: string; lease: Lease; renewTime: number }[]): void {
    for (let i = 0; i < entries.length; i += WRITTEN_PER_STATEMENT) {
      const chunk = JSON.stringify(entries.slice(i, i + WRITTEN_PER_STATEMENT).map((e) => [e.node, e.lease, Math.floor(e.renewTime)]));
      // Only for nodes still here: one forgotten meanwhile comes back as new.
      this.sql.exec(
        "INSERT INTO node_leases (node, lease) SELECT value ->> 0, value -> 1 FROM json_each(?) WHERE EXISTS (SELECT 1 FROM node_renewals r WHERE r.node = value ->> 0) " +
          "ON CONFLICT(node) DO UPDATE SET lease = excluded.lease",
        chunk,
      );
      this.sql.exec("UPDATE node_renewals SET written = w.value ->> 2 FROM json_each(?) AS w WHERE node_renewals.node = w.value ->> 0", chunk);
    }
  }

  /** Forget the Lease as written (it changed under us, or is gone): the next write reads it afresh. */
  forgetLease(node: string): void {
    this.sql.exec("DELETE FROM node_leases WHERE node = ?", node);
  }

  mark(node: string, marked: boolean): void {
    this.sql.exec("UPDATE node_renewals SET marked = ? WHERE node = ?", marked ? 1 : 0, node);
  }

  /** Nodes renewed since their Lease was last written. */
  stale(): Renewal[] {
    return this.sql.exec<Row>(`${SELECT_ROWS} WHERE r.renewed > r.written ORDER BY r.node`).toArray().map(fromRow);
  }

  delete(node: string): void {
    this.sql.exec("DELETE FROM node_renewals WHERE node = ?", node);
    this.sql.exec("DELETE FROM node_leases WHERE node = ?", node);
  }
}
