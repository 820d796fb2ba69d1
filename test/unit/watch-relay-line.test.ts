// The lines between a watch cache and the API worker's relay: what the relay reads
// without parsing the object (revision, key, type) must agree with the event's JSON,
// which it forwards to a client unchanged.
import { describe, expect, it } from "vitest";
import { errorLine, eventLine, parseRelayLine, progressLine } from "../../src/controlplane/watch-relay-line";
import type { KubeObject, Status } from "../../src/model/types";

const pod: KubeObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "web-1", namespace: "default", resourceVersion: "42", labels: { app: "web\tx" } }, spec: { note: 'a "quoted"\nline' } };
const node: KubeObject = { apiVersion: "v1", kind: "Node", metadata: { name: "node-1", resourceVersion: "7" } };

const strip = (line: string) => {
  expect(line.endsWith("\n")).toBe(true);
  expect(line.slice(0, -1)).not.toContain("\n");
  return line.slice(0, -1);
};

describe("watch relay lines", () => {
  it.each([
    ["ADDED", pod, 42, "default/web-1"],
    ["MODIFIED", pod, 42, "default/web-1"],
    ["DELETED", node, 7, "/node-1"],
  ] as const)("%s: revision, key and type read off the front; the JSON is the watch event", (type, object, rv, key) => {
    const got = parseRelayLine(strip(eventLine(type, object)));
    expect(got).toMatchObject({ rv, key, type });
    expect(JSON.parse(got!.json)).toEqual({ type, object });
    expect(got!.json).toBe(JSON.stringify({ type, object }));
  });

  it("progress and errors carry no key; an error's revision is 0", () => {
    expect(parseRelayLine(strip(progressLine(99)))).toMatchObject({ rv: 99, key: "", type: "BOOKMARK" });
    const status: Status = { apiVersion: "v1", kind: "Status", status: "Failure", message: "too old resource version: 1 (5)", reason: "Expired", code: 410, metadata: {} };
    const err = parseRelayLine(strip(errorLine(status)));
    expect(err).toMatchObject({ rv: 0, key: "", type: "ERROR" });
    expect(JSON.parse(err!.json).object).toEqual(status);
  });

  it.each([["plain JSON", '{"type":"ADDED","object":{}}'], ["no key", '12\t{"type":"ADDED"}'], ["a revision that is not a number", 'x\t/a\t{"type":"ADDED","object":{}}'], ["not an event", '3\t/a\t{"kind":"Pod"}']])(
    "refuses %s",
    (_, line) => {
      expect(parseRelayLine(line)).toBeUndefined();
    },
  );
});
