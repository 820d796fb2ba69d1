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

  /** Record a renewal (a late, older one never moves it back); returns the row and whether the node is new here. */
  renew(node: string, at: number): { row: Renewal; added: boolean } {
    // One statement per heartbeat. A row never given a Lease counts as new: the
    // caller's check for a node to recover is then only repeated while the Lease fails.
    const row = this.sql
      .exec<Row>("INSERT INTO renewals (node, renewed) VALUES (?, ?) ON CONFLICT(node) DO UPDATE SET renewed = max(renewed, excluded.renewed) RETURNING node, renewed, written, lease, marked", node, Math.floor(at))
      .one();
    return { row: fromRow(row), added: row.lease === null && row.written === 0 };
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
