// Heartbeats on their way to a node lifecycle controller, sent together. Each renewal
// alone was one call waking the controller's shard and one commit of its storage: at
// 1,000 nodes on one machine that was a third of the idle cluster's cost (the README's
// "Nodes: bring-up and idle cost" takes it apart). The nodes that run in one isolate
// (all of them under `wrangler dev`; on Cloudflare, those placed together) put their
// renewals for the same shard into one open batch, and it goes out in one call once its
// window is over: sent by the first node whose renewal comes after the window, or, when
// none comes, by the node that opened it, when its timer fires. Every renewal carries
// the time the kubelet sent it, so one that arrives a window later counts from when it
// was sent, as a Lease's renewTime does.
//
// The arrivals send, not only the opener's timer: on a busy thread (a thousand nodes
// joining) timers fire seconds late, and a batch that waited for one held every
// renewal in it past the grace period, so the controller marked hundreds of live nodes
// and then recovered them, which made the thread busier still. Heartbeats keep coming
// on such a thread, and the first one past the window sends the batch.
//
// Nothing waits on another node's call: a node that joins an open batch returns at
// once, and the batch's fate is that of the call that sends it. A lost batch (the call
// fails) is what the controller's grace period is for, as a lost renewal always was. A
// batch whose opener never comes back (its alarm was cut short) is sent by the next
// arrival after its window like any other.

import type { NodeRenewal as Renewal } from "../../controlplane/stubs";
export type { Renewal };

/**
 * A batch is sent at this size even before its window ends, by the node that filled
 * it. Kept small: a thousand nodes joining at once put their first heartbeats into a
 * few batches of hundreds, and a batch that large reached the controller as one late
 * wave of renewals (after deadlines had passed) instead of a steady stream.
 */
export const MAX_BATCH = 64;

interface OpenBatch {
  renewals: Renewal[];
  /** The opener's clock when it opened the batch. */
  openedAt: number;
}

export class RenewalBatches {
  private readonly open = new Map<string, OpenBatch>();

  constructor(
    private readonly wait: (ms: number) => Promise<void>,
    private readonly now: () => number,
  ) {}

  /**
   * Send `renewal` to the shard `key` within about `windowMs`: join its open batch (and
   * send it, if its window is over or it is full), or open one, and send it when the
   * window ends unless a later arrival has. Resolves once this renewal is in another
   * node's batch or delivered (a delivery's failure rejects only the node that sent it).
   */
  async send(key: string, renewal: Renewal, windowMs: number, deliver: (batch: Renewal[]) => Promise<void>): Promise<void> {
    if (windowMs <= 0) return deliver([renewal]);
    const now = this.now();
    const open = this.open.get(key);
    if (open) {
      open.renewals.push(renewal);
      if (now - open.openedAt < windowMs && open.renewals.length < MAX_BATCH) return;
      this.open.delete(key);
      return deliver(open.renewals);
    }
    const batch: OpenBatch = { renewals: [renewal], openedAt: now };
    this.open.set(key, batch);
    await this.wait(windowMs);
    // Sent already, by a node that came after the window.
    if (this.open.get(key) !== batch) return;
    this.open.delete(key);
    await deliver(batch.renewals);
  }

  /** The batches open now (for tests). */
  get openBatches(): number {
    return this.open.size;
  }
}

/**
 * The batches of this isolate: every node object in it shares them, which is the point.
 * Only renewals (plain data) cross from one object to another; each call is made by the
 * object that opened the batch, in its own alarm.
 */
export const isolateRenewals = new RenewalBatches(
  (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  () => Date.now(),
);
