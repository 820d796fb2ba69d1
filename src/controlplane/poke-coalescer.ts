// Pokes on their way to one component, merged while one is in flight. Every commit
// pokes the components its changes concern (dispatch.ts), and each poke is a call to a
// Durable Object: on one machine, where the API, the controllers, the scheduler and the
// kubelets share a thread, 32 clients creating pods sent the pods' watch cache, the
// scheduler and the controller manager a call per commit each, although a poke only says
// "look again, up to here" and the receiver folds overlapping ones into one read anyway
// (level-triggered: the watch cache and the scheduler re-read, the controllers queue
// keys).
//
// So in one isolate, a poke for a component that already has one in flight is merged
// into a follow-up (the watch cache's revisions by their maximum, the controllers'
// keys by concatenation) and the caller returns at once. The caller whose call is in
// flight sends the follow-up when its call returns, in its own context: nothing waits on
// another request's call, and only plain data passes between them (a Worker may not do
// I/O for another request). A flight takes at most MAX_FOLLOW_UPS follow-ups, so no
// caller keeps sending while the load lasts; after that, pokes go out on their own
// until the flight ends. A follow-up that fails is a lost poke, which the receivers'
// periodic resyncs cover, as they cover any other.

/** Follow-ups one caller sends after its own poke at most. */
export const MAX_FOLLOW_UPS = 8;

interface Flight {
  /** A poke merged in while the call was in flight, for the next follow-up. */
  pending: { value: unknown } | undefined;
  followUps: number;
}

export class PokeCoalescer {
  private readonly flights = new Map<string, Flight>();

  /**
   * Deliver `poke` to the component `key`, or merge it into the follow-up of the call in
   * flight to it. Resolves once this caller has nothing more to send; rejects with the
   * first failure of its own calls (after it has sent its follow-ups).
   */
  async send<T>(key: string, poke: T, merge: (a: T, b: T) => T, deliver: (poke: T) => Promise<void>): Promise<void> {
    const flight = this.flights.get(key);
    if (flight && flight.followUps < MAX_FOLLOW_UPS) {
      flight.pending = { value: flight.pending ? merge(flight.pending.value as T, poke) : poke };
      return;
    }
    // That flight has taken all the follow-ups it may: this poke goes on its own.
    if (flight) return deliver(poke);
    const mine: Flight = { pending: undefined, followUps: 0 };
    this.flights.set(key, mine);
    let failure: { error: unknown } | undefined;
    try {
      let next: { value: unknown } | undefined = { value: poke };
      while (next) {
        try {
          await deliver(next.value as T);
        } catch (error) {
          failure ??= { error };
        }
        next = mine.pending;
        mine.pending = undefined;
        if (next) mine.followUps++;
      }
    } finally {
      this.flights.delete(key);
    }
    if (failure) throw failure.error;
  }

  /** Components with a call in flight (for tests). */
  get inFlight(): number {
    return this.flights.size;
  }
}

/** The pokes of this isolate's commits. */
export const isolatePokes = new PokeCoalescer();
