// At most one run of a job at a time, and no pile-up. A request while a run is in
// flight asks for exactly one more run after it; every request made meanwhile joins
// that one (their arguments merged). Each caller awaits the run that covers its
// request and sees that run's failure, so "poke, then await" means "a run that
// started after my poke has finished".
//
// Durable Objects need this because their input gate opens during every storage or
// D1 await: without it two runs would interleave on the same in-memory state.

interface Waiting<T> {
  arg: T;
  promise: Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

function waiting<T>(arg: T): Waiting<T> {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { arg, promise, resolve, reject };
}

export class SingleFlight<T = void> {
  private current: Promise<void> | undefined;
  private next: Waiting<T> | undefined;

  /**
   * @param fn the job; it may call `absorb()` while it runs.
   * @param merge how a request folds into one already waiting (default: the later wins).
   */
  constructor(
    private readonly fn: (arg: T) => Promise<void>,
    private readonly merge: (waiting: T, more: T) => T = (_waiting, more) => more,
  ) {}

  /** Resolves when a run that started after this call has finished. */
  run(arg: T): Promise<void> {
    if (!this.current) return this.start(arg);
    if (this.next) this.next.arg = this.merge(this.next.arg, arg);
    else this.next = waiting(arg);
    return this.next.promise;
  }

  /** A run is in flight. */
  get running(): boolean {
    return this.current !== undefined;
  }

  /**
   * For the job itself, at a point where it can still take more in: the requests
   * waiting for the next run are served by this one instead (their callers now await
   * it). Returns their merged argument, or undefined when nothing was waiting.
   */
  absorb(): { arg: T } | undefined {
    const w = this.next;
    if (!w || !this.current) return undefined;
    this.next = undefined;
    this.current.then(w.resolve, w.reject);
    return { arg: w.arg };
  }

  private start(arg: T): Promise<void> {
    const run = (async () => {
      // Registered as running before fn starts: a request fn makes at once waits, not nests.
      await undefined;
      try {
        await this.fn(arg);
      } finally {
        // Before this run's callers resume, so a request they make next starts a fresh run.
        this.current = undefined;
        const w = this.next;
        this.next = undefined;
        if (w) this.start(w.arg).then(w.resolve, w.reject);
      }
    })();
    this.current = run;
    return run;
  }
}
