// Grouping a batch's binds per node for the kubelets' admission, and reading their answers.
import { describe, it, expect } from "vitest";
import { groupByNode, verdictsFor } from "../../src/scheduler/admission-batch";

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
