// A client's write pacing: the token bucket (client-go's flowcontrol over x/time/rate),
// the limiter that sleeps on it, and how a controller's writes are cut into batches
// (the client's burst, upstream's slowStartBatch).
import { describe, it, expect } from "vitest";
import { TokenBucket } from "../../src/util/token-bucket";
import { ClientRateLimiter } from "../../src/util/client-rate-limiter";
import { readConfig } from "../../src/config";
import { requestCount, writeBatches } from "../../src/controllers/write-batches";

describe("TokenBucket", () => {
  // Each row: qps, burst, then requests [at ms, tokens] and the wait each is told.
  it.each<[string, number, number, [number, number][], number[]]>([
    ["a full bucket lets the burst through at once", 20, 30, [[0, 10], [0, 10], [0, 10]], [0, 0, 0]],
    ["past the burst each request waits 1/qps more", 20, 30, [[0, 30], [0, 1], [0, 1], [0, 2]], [0, 50, 100, 200]],
    ["tokens come back at qps", 20, 30, [[0, 30], [1000, 20], [1000, 1]], [0, 0, 50]],
    ["saved tokens stop at the burst", 10, 5, [[0, 5], [60_000, 6]], [0, 100]],
    ["a request larger than the burst waits for the rest", 10, 5, [[0, 25]], [2000]],
    ["waits queue in the order asked", 1, 1, [[0, 1], [0, 1], [0, 1], [500, 1]], [0, 1000, 2000, 2500]],
    ["qps 0 is no limit", 0, 1, [[0, 1000], [0, 1000]], [0, 0]],
    ["nothing asked, nothing taken", 1, 1, [[0, 0], [0, 1]], [0, 0]],
    ["a clock that steps back adds nothing", 1, 1, [[10_000, 1], [0, 1]], [0, 1000]],
  ])("%s", (_name, qps, burst, requests, waits) => {
    const bucket = new TokenBucket(qps, burst, requests[0]?.[0] ?? 0);
    expect(requests.map(([at, n]) => bucket.reserve(n, at))).toEqual(waits);
  });

  it("paces a long run of requests at qps however they are asked for", () => {
    const bucket = new TokenBucket(20, 30, 0);
    let now = 0;
    // 1,000 single requests, each sent once its wait is over.
    for (let i = 0; i < 1000; i++) now += bucket.reserve(1, now);
    // The first 30 went at once, the other 970 at 20 a second.
    expect(now).toBe(Math.ceil((970 / 20) * 1000));
  });
});

describe("ClientRateLimiter", () => {
  it("sleeps the bucket's wait on the clock it is given, and counts what it held back", async () => {
    let now = 0;
    const slept: number[] = [];
    const limiter = new ClientRateLimiter({ qps: 10, burst: 2 }, () => now, async (ms) => {
      slept.push(ms);
      now += ms;
    });
    for (const n of [2, 1, 1, 0, 3]) await limiter.wait(n);
    expect(slept).toEqual([100, 100, 300]);
    expect(limiter.stats).toEqual({ requests: 7, throttled: 5, waitedMs: 500 });
    expect(limiter.burst).toBe(2);
  });

  it("never sleeps without a limit", async () => {
    const limiter = new ClientRateLimiter({ qps: 0, burst: 1 }, () => 0, () => Promise.reject(new Error("slept")));
    await limiter.wait(10_000);
    expect(limiter.burst).toBe(Infinity);
    expect(limiter.stats.throttled).toBe(0);
  });
});

describe("rate limit configuration", () => {
  it("defaults to upstream's: controller manager 20/30, scheduler 50/100, kubelet 50/100", () => {
    const c = readConfig({});
    expect([c.controllerKubeApi, c.schedulerKubeApi, c.kubeletKubeApi]).toEqual([
      { qps: 20, burst: 30 },
      { qps: 50, burst: 100 },
      { qps: 50, burst: 100 },
    ]);
  });

  it("reads the vars; 0 turns a limit off, a burst is at least 1", () => {
    const c = readConfig({ CONTROLLER_KUBE_API_QPS: "0", SCHEDULER_KUBE_API_QPS: "5.5", SCHEDULER_KUBE_API_BURST: "0", KUBELET_KUBE_API_BURST: "7" });
    expect(c.controllerKubeApi.qps).toBe(0);
    expect(c.schedulerKubeApi).toEqual({ qps: 5.5, burst: 1 });
    expect(c.kubeletKubeApi).toEqual({ qps: 50, burst: 7 });
  });
});

describe("writeBatches", () => {
  const pod = (i: number) => [{ resource: "pods", i }, { resource: "events", i }];
  const pods = (n: number) => Array.from({ length: n }, (_, i) => pod(i));
  const sizes = (batches: { resource: string }[][]) => batches.map(requestCount);

  it.each<[string, number, { maxOps: number; maxRequests: number; slowStart?: boolean }, number[]]>([
    ["no limit: chunks of maxOps (pod and event together)", 250, { maxOps: 200, maxRequests: Infinity }, [100, 100, 50]],
    ["the client's burst caps the requests per batch, events aside", 100, { maxOps: 200, maxRequests: 30 }, [30, 30, 30, 10]],
    ["slow start: 1, 2, 4, 8... up to the burst", 100, { maxOps: 200, maxRequests: 30, slowStart: true }, [1, 2, 4, 8, 16, 30, 30, 9]],
    ["slow start without a limit stops at maxOps", 300, { maxOps: 200, maxRequests: Infinity, slowStart: true }, [1, 2, 4, 8, 16, 32, 64, 100, 73]],
    ["a burst of 1 is one pod per batch", 3, { maxOps: 200, maxRequests: 1 }, [1, 1, 1]],
  ])("%s", (_name, n, limits, expected) => {
    const batches = writeBatches(pods(n), limits);
    expect(sizes(batches)).toEqual(expected);
    // Every op once, in order, and no pod parted from its event.
    expect(batches.flat()).toEqual(pods(n).flat());
    for (const b of batches) expect(b.length % 2).toBe(0);
  });

  it("a group larger than the limits goes alone, and empty groups are dropped", () => {
    const big = Array.from({ length: 5 }, () => ({ resource: "pods" }));
    const batches = writeBatches([[{ resource: "pods" }], [], big, [{ resource: "events" }]], { maxOps: 3, maxRequests: 2 });
    expect(batches.map((b) => b.length)).toEqual([1, 5, 1]);
  });
});
