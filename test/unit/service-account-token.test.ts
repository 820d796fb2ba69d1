import { describe, it, expect } from "vitest";
import { reusable, tokenAsk, tokenRefreshAt } from "../../src/node/kubelet/service-account-token";

const T0 = Date.UTC(2026, 0, 1);
const pod = { name: "web", uid: "u-1" };

describe("the kubelet's token refresh", () => {
  it.each([
    [3607, 3607 * 800],
    [3600, 2880_000],
    [600, 480_000],
    // A long-lived token is still renewed after a day.
    [365 * 24 * 3600, 24 * 3600_000],
  ])("a %i s token is renewed %i ms after it was fetched", (ttl, after) => {
    expect(tokenRefreshAt(T0, ttl) - T0).toBe(after);
  });

  it("reuses a cached token until then, and never one asked with other parameters", () => {
    const ask = tokenAsk("default", "default", pod, { path: "token", expirationSeconds: 3607 });
    const cached = { token: "t", fetchedAt: T0, expirationSeconds: 3607, ask: JSON.stringify(ask) };
    expect(reusable(cached, ask, T0 + 3607 * 800 - 1)).toBe(cached);
    expect(reusable(cached, ask, T0 + 3607 * 800)).toBeUndefined();
    expect(reusable(cached, tokenAsk("default", "default", pod, { path: "token", audience: "vault", expirationSeconds: 3607 }), T0)).toBeUndefined();
    expect(reusable(cached, tokenAsk("default", "other", pod, { path: "token", expirationSeconds: 3607 }), T0)).toBeUndefined();
    expect(reusable(undefined, ask, T0)).toBeUndefined();
  });

  it("asks for an hour and the API's audiences unless the projection says otherwise", () => {
    expect(tokenAsk("ns", "sa", pod, { path: "token" })).toEqual({ namespace: "ns", serviceAccount: "sa", pod, expirationSeconds: 3600 });
    expect(tokenAsk("ns", "sa", pod, { path: "t", audience: "vault", expirationSeconds: 600 })).toEqual({ namespace: "ns", serviceAccount: "sa", pod, audiences: ["vault"], expirationSeconds: 600 });
  });
});
