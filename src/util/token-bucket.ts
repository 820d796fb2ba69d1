// A client's token bucket (client-go's flowcontrol.NewTokenBucketRateLimiter, over
// golang.org/x/time/rate): `qps` tokens a second, at most `burst` saved up. A request of
// n tokens always gets its turn: the tokens it takes may go below zero, and the answer
// is how long the caller waits before sending, so requests queued one after another
// are spaced at `qps` in the order they asked (a reservation, as rate.Limiter.ReserveN).
// Pure: the caller passes the clock in.

export class TokenBucket {
  private tokens: number;
  private last: number;

  /** qps <= 0: no limit (every request goes at once). */
  constructor(
    readonly qps: number,
    readonly burst: number,
    now: number,
  ) {
    this.tokens = Math.max(1, burst);
    this.last = now;
  }

  get unlimited(): boolean {
    return !(this.qps > 0);
  }

  /** Take `n` tokens at `now`: the milliseconds to wait before the request may go (0: at once). */
  reserve(n: number, now: number): number {
    if (this.unlimited || n <= 0) return 0;
    this.advance(now);
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }

  /** Tokens saved up at `now` (negative: owed by requests still waiting). */
  available(now: number): number {
    if (this.unlimited) return Infinity;
    this.advance(now);
    return this.tokens;
  }

  private advance(now: number): void {
    // A clock that goes backwards (a test's stepped clock reset) adds nothing.
    const elapsed = Math.max(0, now - this.last);
    this.tokens = Math.min(Math.max(1, this.burst), this.tokens + (elapsed * this.qps) / 1000);
    this.last = Math.max(this.last, now);
  }
}
