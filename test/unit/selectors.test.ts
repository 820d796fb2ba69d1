import { describe, it, expect } from "vitest";
import {
  parseLabelSelector,
  matchesLabels,
  equalityPushdown,
  selectorFromLabelSelector,
  formatLabelSelector,
  parseFieldSelector,
} from "../../src/model/selectors";
import { ApiError } from "../../src/model/errors";
import type { KubeObject } from "../../src/model/types";

function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error("expected an ApiError");
}

describe("parseLabelSelector", () => {
  it.each([
    ["", []],
    ["app=web", [{ key: "app", operator: "=", values: ["web"] }]],
    ["app==web", [{ key: "app", operator: "==", values: ["web"] }]],
    ["app!=web", [{ key: "app", operator: "!=", values: ["web"] }]],
    ["tier in (b,a,a)", [{ key: "tier", operator: "in", values: ["a", "b"] }]],
    ["tier notin (a)", [{ key: "tier", operator: "notin", values: ["a"] }]],
    ["app", [{ key: "app", operator: "exists", values: [] }]],
    ["!app", [{ key: "app", operator: "!", values: [] }]],
    ["app=", [{ key: "app", operator: "=", values: [""] }]],
    ["x in ()", [{ key: "x", operator: "in", values: [""] }]],
    ["x in (in)", [{ key: "x", operator: "in", values: ["in"] }]],
    ["n>5", [{ key: "n", operator: "gt", values: ["5"] }]],
    ["n<5", [{ key: "n", operator: "lt", values: ["5"] }]],
    ["example.com/app = web", [{ key: "example.com/app", operator: "=", values: ["web"] }]],
    [
      "z=1,a in (x),m",
      [
        { key: "a", operator: "in", values: ["x"] },
        { key: "m", operator: "exists", values: [] },
        { key: "z", operator: "=", values: ["1"] },
      ],
    ],
  ])("%j", (s, want) => {
    expect(parseLabelSelector(s)).toEqual(want);
  });

  it.each([
    ["app:monolith", `unable to parse requirement: <nil>: Invalid value: "app:monolith": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`],
    ["app=a@b", `unable to parse requirement: values[0][app]: Invalid value: "a@b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`],
    ["app in", "unable to parse requirement: found '' expected: '('"],
    ["app in (a", "unable to parse requirement: found '', expected: ',' or ')'"],
    ["app x", "unable to parse requirement: found 'x', expected: in, notin, =, ==, !=, gt, lt"],
    ["app=a b", "found 'b', expected: ',' or 'end of string'"],
    ["app=a,", "found '', expected: identifier after ','"],
    [",app", "found ',', expected: !, identifier, or 'end of string'"],
    ["n>x", `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`],
    ["!app=x", "found '=', expected: ',' or 'end of string'"],
  ])("%j is a 400 with the upstream message", (s, msg) => {
    const e = errorOf(() => parseLabelSelector(s));
    expect(e.code).toBe(400);
    expect(e.reason).toBe("BadRequest");
    expect(e.message).toBe(msg);
  });
});

describe("matchesLabels", () => {
  const labels = { app: "web", tier: "front", n: "7" };
  it.each([
    ["app=web", true],
    ["app=db", false],
    ["app!=db", true],
    ["missing!=x", true],
    ["tier in (front,back)", true],
    ["tier notin (front)", false],
    ["missing notin (x)", true],
    ["missing in (x)", false],
    ["app", true],
    ["!app", false],
    ["!missing", true],
    ["n>5", true],
    ["n<5", false],
    ["app=web,tier=back", false],
    ["", true],
  ])("%j -> %s", (s, want) => {
    expect(matchesLabels(parseLabelSelector(s), labels)).toBe(want);
  });

  it("null selects nothing, undefined labels are empty", () => {
    expect(matchesLabels(null, labels)).toBe(false);
    expect(matchesLabels(parseLabelSelector("!x"), undefined)).toBe(true);
  });
});

describe("equalityPushdown", () => {
  it("keeps only exact equalities", () => {
    expect(equalityPushdown(parseLabelSelector("app=web,tier in (a),env in (x,y),k!=v,e,!f,g==h"))).toEqual({ app: "web", tier: "a", g: "h" });
    expect(equalityPushdown(null)).toEqual({});
  });
});

describe("metav1.LabelSelector", () => {
  it("converts matchLabels and matchExpressions, sorted by key", () => {
    const reqs = selectorFromLabelSelector({
      matchLabels: { z: "1", app: "web" },
      matchExpressions: [
        { key: "tier", operator: "In", values: ["b", "a"] },
        { key: "env", operator: "DoesNotExist" },
      ],
    });
    expect(reqs).toEqual([
      { key: "app", operator: "=", values: ["web"] },
      { key: "env", operator: "!", values: [] },
      { key: "tier", operator: "in", values: ["a", "b"] },
      { key: "z", operator: "=", values: ["1"] },
    ]);
    expect(matchesLabels(reqs, { app: "web", tier: "a", z: "1" })).toBe(true);
    expect(matchesLabels(reqs, { app: "web", tier: "a", z: "1", env: "x" })).toBe(false);
  });

  it("nil selects nothing, empty selects everything", () => {
    expect(selectorFromLabelSelector(undefined)).toBeNull();
    expect(selectorFromLabelSelector({})).toEqual([]);
    expect(matchesLabels(selectorFromLabelSelector({}), { a: "b" })).toBe(true);
  });

  it("rejects unknown operators and empty In values", () => {
    expect(errorOf(() => selectorFromLabelSelector({ matchExpressions: [{ key: "a", operator: "Foo" as "In" }] })).message).toBe(
      `"Foo" is not a valid label selector operator`,
    );
    expect(errorOf(() => selectorFromLabelSelector({ matchExpressions: [{ key: "a", operator: "In", values: [] }] })).message).toContain(
      "values set can't be empty",
    );
  });

  it.each([
    [{ matchLabels: { app: "x" }, matchExpressions: [{ key: "tier", operator: "In" as const, values: ["b", "a"] }] }, "app=x,tier in (a,b)"],
    [{ matchExpressions: [{ key: "t", operator: "NotIn" as const, values: ["a"] }, { key: "e", operator: "Exists" as const }] }, "e,t notin (a)"],
    [{}, ""],
    [undefined, ""],
    [{ matchExpressions: [{ key: "a", operator: "Bad" as "In" }] }, "<error>"],
  ])("formatLabelSelector(%j) = %j", (sel, want) => {
    expect(formatLabelSelector(sel)).toBe(want);
  });

  it("formats parsed requirements back to the same text", () => {
    expect(formatLabelSelector(parseLabelSelector("b==1,a!=2,!c,d,n>3"))).toBe("a!=2,b==1,!c,d,n>3");
  });
});

const pod = (over: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p1", namespace: "default" },
  spec: { nodeName: "node-1", restartPolicy: "Always", schedulerName: "default-scheduler" },
  status: { phase: "Running", podIPs: [{ ip: "10.0.0.5" }] },
  ...over,
});

describe("parseFieldSelector", () => {
  it.each([
    ["metadata.name=p1", true],
    ["metadata.name==p1", true],
    ["metadata.name!=p1", false],
    ["metadata.namespace=default", true],
    ["spec.nodeName=node-1", true],
    ["spec.host=node-1", true],
    ["spec.nodeName=", false],
    ["status.phase!=Succeeded,status.phase!=Failed", true],
    ["status.podIP=10.0.0.5", true],
    ["spec.restartPolicy=Never", false],
    ["spec.schedulerName=default-scheduler", true],
    ["spec.hostNetwork=false", true],
    ["", true],
  ])("pods %j -> %s", (s, want) => {
    expect(parseFieldSelector(s, "pods").matches(pod())).toBe(want);
  });

  it("pushes down name, namespace and nodeName equalities only", () => {
    expect(parseFieldSelector("metadata.name=a,metadata.namespace=ns,spec.nodeName=n", "pods").pushdown).toEqual({ name: "a", namespace: "ns", nodeName: "n" });
    expect(parseFieldSelector("spec.nodeName=", "pods").pushdown).toEqual({ nodeName: "" });
    expect(parseFieldSelector("metadata.name!=a,status.phase=Running", "pods").pushdown).toEqual({});
  });

  it("events: involvedObject fields, reason, type, source", () => {
    const ev: KubeObject = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "e", namespace: "default" },
      involvedObject: { kind: "Pod", name: "p1", namespace: "default", uid: "u1" },
      reason: "Scheduled",
      type: "Normal",
      source: { component: "default-scheduler" },
      reportingComponent: "default-scheduler",
    };
    const sel = "involvedObject.name=p1,involvedObject.namespace=default,involvedObject.uid=u1,involvedObject.kind=Pod";
    expect(parseFieldSelector(sel, "events").matches(ev)).toBe(true);
    expect(parseFieldSelector("reason=Scheduled,type=Normal,source=default-scheduler", "events").matches(ev)).toBe(true);
    expect(parseFieldSelector("involvedObject.uid=other", "events").matches(ev)).toBe(false);
  });

  it("nodes and namespaces", () => {
    const node: KubeObject = { apiVersion: "v1", kind: "Node", metadata: { name: "n1" }, spec: { unschedulable: true } };
    expect(parseFieldSelector("spec.unschedulable=true", "nodes").matches(node)).toBe(true);
    expect(parseFieldSelector("spec.unschedulable=false", "nodes").matches({ ...node, spec: {} })).toBe(true);
    const ns: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "x" }, status: { phase: "Active" } };
    expect(parseFieldSelector("status.phase=Active,metadata.name=x", "namespaces").matches(ns)).toBe(true);
  });

  it("unescapes values", () => {
    const p = pod({ metadata: { name: "a,b=c\\d", namespace: "default" } });
    expect(parseFieldSelector("metadata.name=a\\,b\\=c\\\\d", "pods").matches(p)).toBe(true);
  });

  it.each([
    ["spec.foo=x", "pods", "field label not supported: spec.foo"],
    ["metadata.namespace=x", "nodes", "field label not supported: metadata.namespace"],
    ["status.replicas=1", "deployments.apps", `"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"`],
    ["spec.holderIdentity=x", "leases.coordination.k8s.io", `"spec.holderIdentity" is not a known field selector: only "metadata.name", "metadata.namespace"`],
    ["metadata.name", "pods", "invalid selector: 'metadata.name'; can't understand 'metadata.name'"],
    ["metadata.name=a\\x", "pods", "invalid field selector: invalid escape sequence: \\x"],
    ["metadata.name=a=b", "pods", "invalid field selector: unescaped character in value: 61"],
  ])("%j on %s -> 400 %j", (s, resource, msg) => {
    const e = errorOf(() => parseFieldSelector(s, resource));
    expect(e.code).toBe(400);
    expect(e.message).toBe(msg);
  });

  it("deployments accept metadata fields", () => {
    const d: KubeObject = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "default" } };
    expect(parseFieldSelector("metadata.name=web", "deployments.apps").matches(d)).toBe(true);
  });
});
