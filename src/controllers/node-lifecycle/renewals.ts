// What the lifecycle controller knows of each node it watches, in its own SQLite
// storage: the last renewal the kubelet sent, the Lease as this controller last wrote
// it to D1, and whether this controller marked the node unreachable. A renewal is one
// local row write; D1 hears of it only when the lease writer's batch runs.
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

const fromRow = (r: Row): Renewal => ({ node: r.node, renewed: r.renewed, written: r.written, lease: r.lease ? (JSON.parse(r.lease) as Lease) : undefined, marked: r.marked === 1 });

export class RenewalTable {
  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS renewals (node TEXT PRIMARY KEY, renewed INTEGER NOT NULL, written INTEGER NOT NULL DEFAULT 0, lease TEXT, marked INTEGER NOT NULL DEFAULT 0)");
  }

  get(node: string): Renewal | undefined {
    const row = this.sql.exec<Row>("SELECT node, renewed, written, lease, marked FROM renewals WHERE node = ?", node).toArray()[0];
    return row ? fromRow(row) : undefined;
  }

  /**
   * Record a renewal (a late, older one never moves it back). One statement per
   * heartbeat, which returns only what the caller acts on: the Lease as written stays
   * unread (the lease writer reads it when it writes).
   */
  renew(node: string, at: number): RenewalOutcome {
    const row = this.sql
      .exec<{ renewed: number; written: number; leased: number; marked: number }>(
        "INSERT INTO renewals (node, renewed) VALUES (?, ?) ON CONFLICT(node) DO UPDATE SET renewed = max(renewed, excluded.renewed) RETURNING renewed, written, lease IS NOT NULL AS leased, marked",
        node,
        Math.floor(at),
      )
      .one();
    const leased = row.leased === 1;
    // A row never given a Lease counts as new: the caller's check for a node to recover
    // is then only repeated while the Lease fails.
    return { renewed: row.renewed, leased, marked: row.marked === 1, added: !leased && row.written === 0 };
  }

  written(node: string, lease: Lease, renewTime: number): void {
    this.sql.exec("UPDATE renewals SET lease = ?, written = ? WHERE node = ?", JSON.stringify(lease), Math.floor(renewTime), node);
  }

  /** Forget the Lease as written (it changed under us, or is gone): the next write reads it afresh. */
  forgetLease(node: string): void {
    this.sql.exec("UPDATE renewals SET lease = NULL WHERE node = ?", node);
  }

  mark(node: string, marked: boolean): void {
    this.sql.exec("UPDATE renewals SET marked = ? WHERE node = ?", marked ? 1 : 0, node);
  }

  /** Nodes renewed since their Lease was last written. */
  stale(): Renewal[] {
    return this.sql.exec<Row>("SELECT node, renewed, written, lease, marked FROM renewals WHERE renewed > written ORDER BY node").toArray().map(fromRow);
  }

  delete(node: string): void {
    this.sql.exec("DELETE FROM renewals WHERE node = ?", node);
  }
}
