import { describe, it, expect } from "vitest";
import { OUT_OF_SERVICE_TAINT, outOfServiceOps } from "../../src/controllers/pod-gc";
import { mkPod, T0, uid } from "../../src/controllers/testing/fixtures";
import type { Node, Pod, Taint } from "../../src/model/types";

function node(ready: "True" | "Unknown", taints: Taint[]): Node {
  return { apiVersion: "v1", kind: "Node", metadata: { name: "n1", uid: uid("node") }, spec: { taints }, status: { conditions: [{ type: "Ready", status: ready }] } };
}

const OOS: Taint = { key: OUT_OF_SERVICE_TAINT, value: "nodeshutdown", effect: "NoExecute" };
const UNREACHABLE: Taint = { key: "node.kubernetes.io/unreachable", effect: "NoExecute" };

function pod(name: string, o: { deleting?: boolean; tolerateAll?: boolean } = {}): Pod {
  const p = mkPod(name, { node: "n1", ready: true, deleting: o.deleting });
  p.spec.tolerations = o.tolerateAll ? [{ operator: "Exists" }] : [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }];
  return p;
}

/** What each case deletes, and which deletions come with an eviction event. */
const CASES: { name: string; node: Node; pods: Pod[]; deleted: string[]; evicted: string[] }[] = [
  { name: "a not-Ready node without the taint: nothing (its pods may come back with it)", node: node("Unknown", [UNREACHABLE]), pods: [pod("a", { deleting: true }), pod("b")], deleted: [], evicted: [] },
  { name: "a Ready node with the taint: nothing (upstream requires both)", node: node("True", [OOS]), pods: [pod("a", { deleting: true })], deleted: [], evicted: [] },
  {
    name: "not Ready and out of service: terminating pods force-deleted, intolerant ones evicted and deleted, tolerant ones kept",
    node: node("Unknown", [UNREACHABLE, OOS]),
    pods: [pod("a", { deleting: true }), pod("b"), pod("c", { tolerateAll: true }), pod("d", { deleting: true, tolerateAll: true })],
    deleted: ["a", "b", "d"],
    evicted: ["b"],
  },
  { name: "a NoSchedule out-of-service taint evicts nothing, terminating pods still go", node: node("Unknown", [{ ...OOS, effect: "NoSchedule" }]), pods: [pod("a", { deleting: true }), pod("b")], deleted: ["a"], evicted: [] },
];

describe("pod GC on out-of-service nodes (gcTerminating)", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const ops = outOfServiceOps(c.node, c.pods, T0);
      expect(ops.filter((o) => o.op === "delete").map((o) => o.object.metadata.name)).toEqual(c.deleted);
      const events = ops.filter((o) => o.op === "create" && o.resource === "events").map((o) => o.object as { reason?: string; involvedObject?: { name?: string } });
      expect(events.map((e) => e.involvedObject?.name)).toEqual(c.evicted);
      expect(events.every((e) => e.reason === "TaintManagerEviction")).toBe(true);
    });
  }
});
