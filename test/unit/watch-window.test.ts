import { describe, it, expect } from "vitest";
import { EventWindow } from "../../src/watch/window";

const ev = (rv: number, size = 10) => ({ rv, type: "MODIFIED" as const, object: { apiVersion: "v1", kind: "Pod", metadata: { name: `o${rv}` } }, line: "x".repeat(size) });

describe("watch cache window", () => {
  it("keeps the last changes by count and moves its floor past what it dropped", () => {
    const w = new EventWindow(100, { maxEvents: 3, maxBytes: 1_000 });
    for (const rv of [101, 103, 104, 107]) w.append(ev(rv));
    expect(w.size).toBe(3);
    expect(w.floor).toBe(101);
    expect(w.head).toBe(107);
    expect(w.after(101).map((e) => e.rv)).toEqual([103, 104, 107]);
    expect(w.after(103).map((e) => e.rv)).toEqual([104, 107]);
    expect(w.after(105).map((e) => e.rv)).toEqual([107]);
    expect(w.after(107)).toEqual([]);
  });

  it("keeps within its byte budget, but always the latest change", () => {
    const w = new EventWindow(0, { maxEvents: 100, maxBytes: 25 });
    w.append(ev(1, 10));
    w.append(ev(2, 10));
    w.append(ev(3, 10));
    expect(w.after(0).map((e) => e.rv)).toEqual([2, 3]);
    w.append(ev(4, 40));
    expect(w.after(w.floor).map((e) => e.rv)).toEqual([4]);
    expect(w.floor).toBe(3);
  });

  it("ignores a change it already has, advances over quiet revisions and resets", () => {
    const w = new EventWindow(10, { maxEvents: 10, maxBytes: 1_000 });
    w.append(ev(12));
    w.append(ev(12));
    w.append(ev(11));
    expect(w.size).toBe(1);
    w.advance(20);
    expect(w.head).toBe(20);
    w.append(ev(15));
    expect(w.size).toBe(1);
    w.reset(50);
    expect([w.floor, w.head, w.size]).toEqual([50, 50, 0]);
  });

  it("stays correct after compacting its array", () => {
    const w = new EventWindow(0, { maxEvents: 5, maxBytes: 1_000_000 });
    for (let rv = 1; rv <= 5_000; rv++) w.append(ev(rv));
    expect(w.after(w.floor).map((e) => e.rv)).toEqual([4996, 4997, 4998, 4999, 5000]);
    expect(w.floor).toBe(4995);
  });
});
