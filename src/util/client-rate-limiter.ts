// A component's writes paced as its API client's are upstream (rest.Config QPS and
// Burst: kube-controller-manager --kube-api-qps/--kube-api-burst, the scheduler's
// clientConnection, the kubelet's kubeAPIQPS/kubeAPIBurst): before a write of n
// requests the writer waits its turn in a token bucket. Waiting is a timer, so the
// thread is free meanwhile: in a local runtime where every component and the API share
// one JavaScript thread, that is what leaves room for the API's own requests.
import { TokenBucket } from "./token-bucket";

export interface RateLimit {
  qps: number;
  burst: number;
}

export interface ClientRateLimiterStats {
  /** Requests that went through the limiter. */
  requests: number;
  /** Of them, how many had to wait. */
  throttled: number;
  /** Milliseconds waited in all. */
  waitedMs: number;
}

export class ClientRateLimiter {
  private readonly bucket: TokenBucket;
  readonly stats: ClientRateLimiterStats = { requests: 0, throttled: 0, waitedMs: 0 };

  constructor(
    limit: RateLimit,
    private readonly now: () => number = () => Date.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.bucket = new TokenBucket(limit.qps, limit.burst, now());
  }

  /** The largest write that never waits longer than its own tokens take (Infinity: no limit). */
  get burst(): number {
    return this.bucket.unlimited ? Infinity : Math.max(1, this.bucket.burst);
  }

  /** Wait until `requests` more may be sent. */
  async wait(requests: number): Promise<void> {
    if (requests <= 0) return;
    this.stats.requests += requests;
    const ms = this.bucket.reserve(requests, this.now());
    if (ms <= 0) return;
    this.stats.throttled += requests;
    this.stats.waitedMs += ms;
    await this.sleep(ms);
  }
}
