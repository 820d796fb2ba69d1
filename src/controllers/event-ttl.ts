// Event expiry: the API server keeps an Event for --event-ttl (1 h) after it was last
// written (its etcd lease), then it is gone. Here a sweep deletes the Events last seen
// before the cutoff, in batches, so a long-running cluster's D1 keeps only the last
// hour of events. Deleting through the registry makes each expiry a DELETED watch
// event, as an etcd lease expiring is. An Event recorded again meanwhile (a newer
// lastTimestamp, a new resourceVersion) makes the conditional delete fail, and the
// next sweep reads it afresh.
import { isoSeconds } from "../config";
import type { WriteOp } from "../registry/ops";
import type { ControllerContext } from "./context";
import { commitChunked } from "./commit";
import type { Controller, NamespacedName, Result } from "./controller";

/** Events deleted per sweep; a full sweep asks for another at once. */
const SWEEP_LIMIT = 500;
/** The whole cluster is one key. */
const SWEEP: NamespacedName = { namespace: "", name: "" };

export class EventTTLController implements Controller {
  readonly name = "eventttl";
  /** Expiry is not urgent: a sweep runs at most every 10 s, however often asked. */
  readonly minIntervalMs = 10_000;

  constructor(private readonly ctx: ControllerContext) {}

  /** Changes never make an Event expire sooner: only time does, so only the resync asks. */
  keysFor(): NamespacedName[] {
    return [];
  }

  resyncKeys(): Promise<NamespacedName[]> {
    return Promise.resolve([SWEEP]);
  }

  async reconcile(): Promise<Result | void> {
    const { ctx } = this;
    const cutoff = isoSeconds(ctx.now() - ctx.config.eventTtlMs);
    const expired = await ctx.store.eventsLastSeenBefore(cutoff, SWEEP_LIMIT);
    const ops: WriteOp[] = expired.map((e) => ({ op: "delete", resource: "events", object: e, expectedRv: Number(e.metadata.resourceVersion) }));
    await commitChunked(ctx, ops);
    if (expired.length === SWEEP_LIMIT) return { requeueAfterMs: 0 };
  }
}
