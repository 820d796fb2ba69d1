// The kubelet's heartbeat, on the node's one alarm: every NODE_LEASE_RENEW_INTERVAL it
// tells the node lifecycle controller that the node is alive, unless a fault stops it
// or an external agent drives the node (that agent renews the Lease through the API).
// The node never judges itself: deadlines, taints and evictions are the controller's.
import type { Node } from "../../model/types";
import type { TimerTable } from "../../util/timer-table";
import { faultOf, isExternallyDriven, type Fault } from "./fault";

export const HEARTBEAT = "heartbeat";
const TIMER_KEY = "lifecycle:heartbeat";

interface HeartbeatDeps {
  kv: SyncKvStorage;
  timers: TimerTable;
  intervalMs: number;
  now: () => number;
  /** Registration: the renewal RPC to the node's lifecycle controller, sent at once. */
  register: (at: number) => Promise<void>;
  /** A heartbeat's renewal, which may ride in a batch with other nodes' (renewal-batches.ts). */
  renew: (at: number) => Promise<void>;
}

export class Heartbeat {
  /**
   * What storage holds, read once per instance: nodeChanged() is their only writer and
   * writes through, and every admission and poke asks (a storage read each was a
   * measurable share of a large scheduler backlog).
   */
  private faultValue: Fault | undefined;
  private externalValue: boolean | undefined;

  constructor(private readonly d: HeartbeatDeps) {}

  get fault(): Fault {
    return (this.faultValue ??= this.d.kv.get<Fault>("lifecycle:fault") ?? "none");
  }

  private get external(): boolean {
    return (this.externalValue ??= this.d.kv.get<boolean>("lifecycle:external") ?? false);
  }

  /**
   * The node came up (or restarted): register with the controller now, which writes the
   * Lease if there is none yet (so an external agent only ever renews it), then beat.
   */
  async start(): Promise<void> {
    const now = this.d.now();
    await this.d.register(now);
    await this.d.timers.set(TIMER_KEY, now + this.d.intervalMs, HEARTBEAT);
  }

  async stop(): Promise<void> {
    await this.d.timers.cancelPrefix("lifecycle:");
  }

  /** The Node object changed (e.g. its fault label): pick up faults and recoveries. */
  async nodeChanged(node: Node): Promise<void> {
    const fault = faultOf(node);
    const before = this.fault;
    const external = isExternallyDriven(node);
    if (external !== this.external) {
      this.externalValue = external;
      this.d.kv.put("lifecycle:external", external);
    }
    if (fault === before) return;
    this.faultValue = fault;
    this.d.kv.put("lifecycle:fault", fault);
    // Recovery: heartbeat at once rather than at the next interval.
    if (fault === "none") await this.d.timers.set(TIMER_KEY, this.d.now(), HEARTBEAT);
  }

  /** The heartbeat timer, set for `dueAt`, is due. */
  async beat(dueAt = this.d.now()): Promise<void> {
    const now = this.d.now();
    await this.d.timers.set(TIMER_KEY, nextBeat(dueAt, now, this.d.intervalMs), HEARTBEAT);
    if (this.fault !== "none" || this.external) return;
    try {
      await this.d.renew(now);
    } catch (e) {
      // A renewal that does not arrive is what the controller's deadline is for.
      console.error("heartbeat: renewal failed:", (e as Error)?.message ?? e);
    }
  }
}

/**
 * When to beat next: on the node's own grid (the time it was due, plus whole intervals),
 * the first slot after `now`. A heartbeat that fires late (its thread was busy) keeps
 * its place. Counting from the late firing instead would gather every node delayed by
 * the same stall into one wave, due together ever after: on one thread each wave of
 * renewals (and of the node objects woken for them) then becomes the next stall, and
 * the waves grow. Nodes on separate machines keep their own phases; so do these.
 */
export function nextBeat(dueAt: number, now: number, intervalMs: number): number {
  const missed = Math.floor(Math.max(0, now - dueAt) / intervalMs);
  return dueAt + (missed + 1) * intervalMs;
}
