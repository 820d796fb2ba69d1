import { describe, it, expect } from "vitest";
import { evictionTime, tolerates } from "../../src/controllers/node-lifecycle/taint-eviction";
import { markUnreachable, markReachable, isReady, hasTaint, UNREACHABLE_TAINT } from "../../src/controllers/node-lifecycle/node-health";
import { faultOf } from "../../src/node/lifecycle/fault";
import { buildNode } from "../../src/node/node-object";
import type { Pod, Taint, Toleration } from "../../src/model/types";

const T0 = Date.parse("2026-11-25T10:00:00Z");
const taint: Taint = { key: UNREACHABLE_TAINT, effect: "NoExecute", timeAdded: "2026-11-25T10:00:00Z" };

function pod(tolerations: Toleration[]): Pod {
  return { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c" }], tolerations } };
}

describe("taint eviction", () => {
  it.each([
    ["default 300 s toleration", [{ key: UNREACHABLE_TAINT, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }], T0 + 300_000],
    ["no matching toleration: at once", [{ key: "other", operator: "Exists" }], T0 + 5_000],
    ["tolerated forever", [{ key: UNREACHABLE_TAINT, operator: "Exists", effect: "NoExecute" }], null],
    ["shortest of several", [{ key: UNREACHABLE_TAINT, operator: "Exists", tolerationSeconds: 60 }, { operator: "Exists", tolerationSeconds: 30 }], T0 + 30_000],
    ["negative seconds evict at taint time", [{ key: UNREACHABLE_TAINT, operator: "Exists", tolerationSeconds: -5 }], T0],
  ] as [string, Toleration[], number | null][])("%s", (_name, tolerations, expected) => {
    expect(evictionTime(pod(tolerations), [taint], T0 + 5_000)).toBe(expected);
  });

  it("ignores NoSchedule taints and matches effect and value", () => {
    expect(evictionTime(pod([]), [{ key: "x", effect: "NoSchedule" }], T0)).toBeNull();
    expect(tolerates({ key: "k", operator: "Equal", value: "v", effect: "NoExecute" }, { key: "k", value: "v", effect: "NoExecute" })).toBe(true);
    expect(tolerates({ key: "k", operator: "Equal", value: "w" }, { key: "k", value: "v", effect: "NoExecute" })).toBe(false);
    expect(tolerates({ key: "k", operator: "Exists", effect: "NoSchedule" }, { key: "k", effect: "NoExecute" })).toBe(false);
  });
});

describe("node health transitions", () => {
  const node = buildNode({ name: "node-1", cpu: "4", memory: "8Gi", pods: 110, ephemeralStorage: "100Gi", runtime: "containerd" }, 1, T0, "boot");

  it("marks an unreachable node Unknown with the NoExecute taint, once", () => {
    const down = markUnreachable(node, T0 + 60_000)!;
    expect(isReady(down)).toBe(false);
    const ready = down.status!.conditions!.find((c) => c.type === "Ready")!;
    expect(ready).toMatchObject({ status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." });
    expect(hasTaint(down, UNREACHABLE_TAINT)).toBe(true);
    expect(down.spec.taints?.map((t) => `${t.key}:${t.effect}`)).toEqual([`${UNREACHABLE_TAINT}:NoSchedule`, `${UNREACHABLE_TAINT}:NoExecute`]);
    expect(markUnreachable(down, T0 + 120_000)).toBeNull();
  });

  it("recovers: Ready again and the taint removed; nothing to do when already healthy", () => {
    const down = markUnreachable(node, T0 + 60_000)!;
    const up = markReachable(down, T0 + 90_000)!;
    expect(isReady(up)).toBe(true);
    expect(hasTaint(up, UNREACHABLE_TAINT)).toBe(false);
    expect(up.spec.taints).toBeUndefined();
    expect(markReachable(up, T0 + 100_000)).toBeNull();
  });

  it("reads the fault label", () => {
    expect(faultOf({ metadata: { labels: { "sim.edgekube.io/fault": "crash" } } })).toBe("crash");
    expect(faultOf({ metadata: { labels: { "sim.edgekube.io/fault": "weird" } } })).toBe("none");
    expect(faultOf(null)).toBe("none");
  });
});
