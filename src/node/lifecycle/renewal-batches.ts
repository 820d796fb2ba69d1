// Heartbeats on their way to a node lifecycle controller, sent together. Each renewal
// alone was one call waking the controller's shard and one commit of its storage: at
// 1,000 nodes on one machine that was a third of the idle cluster's cost, as much as the
// heartbeat alarms themselves. The nodes that run in one isolate (all of them under
// `wrangler dev`; on Cloudflare, those placed together) put their renewals for the same
// shard into one open batch; the node that opened it waits a short window, then sends
// the batch in one call, from its own alarm. Every renewal carries the time the kubelet
// sent it, so one that arrives a window later counts from when it was sent, as a Lease's
// renewTime does.
//
// Nothing waits on another node's call: a node that joins an open batch returns at once,
// and the batch's fate is its opener's. A batch that is lost (the call fails) is what
// the controller's grace period is for, as a lost renewal always was. A batch whose
// opener never closed it (its alarm was cut short) is left behind once it is stale, so
// one lost opener loses one batch, not every heartbeat of a shard after it.

export interface Renewal {
  node: string;
  /** When the kubelet renewed (ms). */
  at: number;
}

/** A batch is sent at this size even before its window ends. */
export const MAX_BATCH = 500;

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
   * Send `renewal` to the shard `key` within `windowMs`: join its open batch, or open
   * one, wait out the window and `deliver` it. Resolves once this renewal is either in
   * another node's batch or delivered (a delivery's failure rejects only the opener).
   */
  async send(key: string, renewal: Renewal, windowMs: number, deliver: (batch: Renewal[]) => Promise<void>): Promise<void> {
    if (windowMs <= 0) return deliver([renewal]);
    const now = this.now();
    const joined = this.open.get(key);
    // An opener waits one window; twice that and more, it is not coming back.
    if (joined && now - joined.openedAt <= 2 * windowMs) {
      joined.renewals.push(renewal);
      if (joined.renewals.length >= MAX_BATCH) this.open.delete(key);
      return;
    }
    // A stale batch stays its opener's to send (if it is only late, as every timer is
    // on a busy thread); a new one opens beside it. Its renewals are not carried over:
    // on a thread busy enough that every opener is late, carrying them from batch to
    // batch sent each renewal once per batch it passed through, and the extra work
    // made the thread busier still.
    const batch: OpenBatch = { renewals: [renewal], openedAt: now };
    this.open.set(key, batch);
    try {
      await this.wait(windowMs);
    } finally {
      if (this.open.get(key) === batch) this.open.delete(key);
    }
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
