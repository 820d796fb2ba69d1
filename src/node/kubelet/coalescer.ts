// One sync at a time, and no pile-up: a sync asked for while one runs is queued once;
// every ask made while it waits joins it (a "list" ask upgrades a queued local one).
// Syncs await D1, and a Durable Object delivers other requests during that wait, so
// without this two syncs could interleave on the same pod records.
export class Coalescer {
  private tail: Promise<void> = Promise.resolve();
  private queued: { list: boolean; done: Promise<void> } | undefined;

  constructor(private readonly fn: (list: boolean) => Promise<void>) {}

  run(list: boolean): Promise<void> {
    if (this.queued) {
      this.queued.list ||= list;
      return this.queued.done;
    }
    const q: { list: boolean; done: Promise<void> } = { list, done: Promise.resolve() };
    q.done = this.tail
      .catch(() => undefined)
      .then(() => {
        if (this.queued === q) this.queued = undefined;
        return this.fn(q.list);
      });
    this.queued = q;
    this.tail = q.done;
    return q.done;
  }
}
