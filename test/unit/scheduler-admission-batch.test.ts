// Grouping a batch's binds per node for the kubelets' admission and the commits, and reading the answers.
import { describe, it, expect } from "vitest";
import { groupByNode, nodeChunks, verdictsFor } from "../../src/scheduler/admission-batch";

describe("groupByNode", () => {
  const cases: { name: string; items: (string | undefined)[]; want: [string, number[]][] }[] = [
    { name: "empty batch", items: [], want: [] },
    { name: "no binds", items: [undefined, undefined], want: [] },
    { name: "one pod per node", items: ["a", "b", "c"], want: [["a", [0]], ["b", [1]], ["c", [2]]] },
    { name: "several pods per node keep batch order", items: ["a", "b", "a", undefined, "b", "a"], want: [["a", [0, 2, 5]], ["b", [1, 4]]] },
    { name: "nodes in order of first pod", items: ["z", "y", "z"], want: [["z", [0, 2]], ["y", [1]]] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect([...groupByNode(c.items, (n) => n)]).toEqual(c.want);
    });
  }
});

describe("verdictsFor", () => {
  const yes = { admitted: true } as const;
  const no = { admitted: false, reason: "OutOfcpu", message: "Node didn't have enough resource: cpu" } as const;

  it("passes one verdict per pod through", () => {
    expect(verdictsFor(3, [yes, no, yes])).toEqual([yes, no, yes]);
  });

  it("a failed call refuses every pod in it with the error", () => {
    expect(verdictsFor(2, new Error("connection reset"))).toEqual([
      { admitted: false, reason: "AdmitError", message: "connection reset" },
      { admitted: false, reason: "AdmitError", message: "connection reset" },
    ]);
  });

  it("a wrong number of verdicts binds nothing", () => {
    expect(verdictsFor(2, [yes])).toEqual([
      { admitted: false, reason: "AdmitError", message: "the node answered 1 verdict(s) for 2 pod(s)" },
      { admitted: false, reason: "AdmitError", message: "the node answered 1 verdict(s) for 2 pod(s)" },
    ]);
  });
});

describe("nodeChunks", () => {
  const cases: { name: string; items: (string | undefined)[]; max: number; want: (string | undefined)[][] }[] = [
    { name: "empty batch", items: [], max: 2, want: [] },
    { name: "one pod per node keeps batch order", items: ["a", "b", "c"], max: 2, want: [["a", "b"], ["c"]] },
    { name: "a node's pods together, nodes by first pod", items: ["a", "b", "a", "c", "b", "a"], max: 6, want: [["a", "a", "a", "b", "b", "c"]] },
    { name: "a node's pods never split across chunks", items: ["a", "b", "a", "b", "c"], max: 3, want: [["a", "a"], ["b", "b", "c"]] },
    { name: "one node's pods alone may pass max", items: ["a", "a", "a", "b"], max: 2, want: [["a", "a", "a"], ["b"]] },
    { name: "items with no node last, in order", items: [undefined, "z", undefined, "y", "z"], max: 3, want: [["z", "z", "y"], [undefined, undefined]] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const items = c.items.map((node, i) => ({ node, i }));
      const chunks = nodeChunks(items, (x) => x.node, c.max);
      expect(chunks.map((chunk) => chunk.map((x) => x.node))).toEqual(c.want);
      // Every item once, each node's items in input order.
      const flat = chunks.flat();
      expect(flat.map((x) => x.i).sort((a, b) => a - b)).toEqual(items.map((x) => x.i));
      for (const node of new Set(c.items)) {
        const order = flat.filter((x) => x.node === node).map((x) => x.i);
        expect(order).toEqual([...order].sort((a, b) => a - b));
      }
    });
  }
});
