// jsonChunks: a set statement's rows split so each JSON parameter stays under a size,
// in order, none lost, a row too large for any chunk alone in its own.
import { describe, expect, it } from "vitest";
import { jsonChunks, type SetRow } from "../../src/store/set-statements";

const row = (name: string, body = ""): SetRow => ({ back: 0, resource: "pods", namespace: "ns", name, body });
const size = (r: SetRow) => JSON.stringify(r).length;

describe("jsonChunks", () => {
  const small = ["a", "b", "c", "d"].map((n) => row(n));
  const one = size(small[0]);
  const cases: [string, SetRow[], number, string[][]][] = [
    ["nothing", [], 1000, []],
    ["all in one", small, 1000, [["a", "b", "c", "d"]]],
    ["two a chunk (brackets and commas counted)", small, 2 + 2 * one + 1, [["a", "b"], ["c", "d"]]],
    ["one a chunk", small, 2 + one + 1, [["a"], ["b"], ["c"], ["d"]]],
    ["a row larger than the limit alone", [row("a"), row("big", "x".repeat(100)), row("c")], 2 + one + 1, [["a"], ["big"], ["c"]]],
  ];
  it.each(cases)("%s", (_name, rows, max, want) => {
    const chunks = jsonChunks(rows, max);
    expect(chunks.map((c) => (JSON.parse(c) as SetRow[]).map((r) => r.name))).toEqual(want);
    for (const c of chunks) if (JSON.parse(c).length > 1) expect(c.length).toBeLessThanOrEqual(max);
  });
});
