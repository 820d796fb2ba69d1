import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/config";

describe("readConfig", () => {
  it("parses an environment once and hands every caller the same frozen config", () => {
    const env = { NODE_LEASE_RENEW_INTERVAL: "2s", CONTROLLER_KUBE_API_QPS: "0" };
    const first = readConfig(env);
    expect(first.nodeLeaseRenewIntervalMs).toBe(2_000);
    expect(first.controllerKubeApi.qps).toBe(0);
    expect(readConfig(env)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => {
      (first as { nodeLeaseRenewIntervalMs: number }).nodeLeaseRenewIntervalMs = 1;
    }).toThrow(TypeError);
  });

  it("reads each environment object on its own", () => {
    expect(readConfig({ NODE_LEASE_RENEW_INTERVAL: "1m" }).nodeLeaseRenewIntervalMs).toBe(60_000);
    expect(readConfig({}).nodeLeaseRenewIntervalMs).toBe(10_000);
  });

  it("still refuses a malformed duration", () => {
    expect(() => readConfig({ NODE_MONITOR_GRACE_PERIOD: "6 seconds" })).toThrow(/invalid duration/);
  });
});
