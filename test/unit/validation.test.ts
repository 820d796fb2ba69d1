import { describe, it, expect } from "vitest";
import { validateObject, strictUnknownFields } from "../../src/model/validation";
import { invalid } from "../../src/model/errors";
import type { KubeObject, StatusCause } from "../../src/model/types";

const clone = <T>(v: T): T => structuredClone(v);

function pod(spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", namespace: "default", ...meta },
    spec: { containers: [{ name: "app", image: "nginx:1.25" }], ...spec },
  };
}

function deployment(spec: Record<string, unknown> = {}, labels: Record<string, string> | undefined = { app: "x" }): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default" },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "x" } },
      template: { metadata: { labels }, spec: { containers: [{ name: "app", image: "nginx" }] } },
      ...spec,
    },
  };
}

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

const byField = (causes: StatusCause[]) => causes.map((c) => `${c.field}: ${c.message}`);

describe("metadata", () => {
  it("accepts a valid pod", () => {
    expect(validateObject("pods", pod())).toEqual([]);
  });

  it("rejects a bad pod name with the upstream message and cause", () => {
    expect(validateObject("pods", pod({}, { name: "Bad_Name" }))).toEqual([
      { reason: "FieldValueInvalid", field: "metadata.name", message: `Invalid value: "Bad_Name": ${SUBDOMAIN_MSG}` },
    ]);
  });

  it("produces the Invalid Status message kubectl prints", () => {
    const causes = validateObject("pods", pod({}, { name: "Bad_Name" }));
    expect(invalid("Pod", "Bad_Name", causes).message).toBe(`Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN_MSG}`);
  });

  it.each([
    ["namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "a.b" } }, 'metadata.name: Invalid value: "a.b": must not contain dots'],
    ["namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "Bad" } }, `metadata.name: Invalid value: "Bad": ${LABEL_MSG}`],
    ["nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "node_1" } }, `metadata.name: Invalid value: "node_1": ${SUBDOMAIN_MSG}`],
    ["pods", pod({}, { name: "" }), "metadata.name: Required value: name or generateName is required"],
    ["pods", pod({}, { namespace: undefined }), "metadata.namespace: Required value"],
    ["pods", pod({}, { name: "x".repeat(254) }), `metadata.name: Invalid value: "${"x".repeat(254)}": must be no more than 253 characters`],
    [
      "pods",
      pod({}, { labels: { "bad key": "v" } }),
      `metadata.labels: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    ],
    [
      "pods",
      pod({}, { labels: { app: "-x" } }),
      `metadata.labels: Invalid value: "-x": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
    ["pods", pod({}, { labels: { "/x": "v" } }), 'metadata.labels: Invalid value: "/x": prefix part must be non-empty'],
    ["pods", pod({}, { annotations: { "a/b/c": "v" } }), "a qualified name must consist of"],
    ["pods", pod({}, { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: "" }] }), 'metadata.ownerReferences.uid: Invalid value: "": must not be empty'],
  ])("%s: %j", (resource, obj, expected) => {
    const got = byField(validateObject(resource, obj as KubeObject));
    expect(got.some((m) => m.includes(expected as string))).toBe(true);
  });

  it("allows a generateName with a trailing dash", () => {
    expect(validateObject("pods", pod({}, { name: "web-abcde", generateName: "web-" }))).toEqual([]);
  });

  it("update: name and namespace are immutable, uid if given", () => {
    const old = pod({}, { uid: "u1" });
    expect(byField(validateObject("pods", pod({}, { name: "other" }), old))).toContain('metadata.name: Invalid value: "other": field is immutable');
    expect(byField(validateObject("pods", pod({}, { uid: "u2" }), old))).toContain('metadata.uid: Invalid value: "u2": field is immutable');
    expect(validateObject("pods", pod(), old)).toEqual([]);
  });
});

describe("JSON types", () => {
  it.each([
    ["deployments.apps", deployment({ replicas: "3" }), "spec.replicas", 'Invalid value: "3": must be of type integer'],
    ["deployments.apps", deployment({ replicas: 1.5 }), "spec.replicas", "Invalid value: 1.5: must be of type integer"],
    ["pods", pod({ containers: { name: "x" } }), "spec.containers", "must be of type array"],
    ["pods", pod({ containers: [{ name: "a", image: 5 }] }), "spec.containers[0].image", "Invalid value: 5: must be of type string"],
    ["pods", pod({}, { labels: { a: 1 } }), "metadata.labels.a", "must be of type string"],
  ])("%s %j", (resource, obj, field, msg) => {
    const causes = validateObject(resource, obj);
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ reason: "FieldValueTypeInvalid", field });
    expect(causes[0].message).toContain(msg);
  });

  it("accepts nulls and numeric quantities", () => {
    expect(validateObject("pods", pod({ nodeName: null, containers: [{ name: "a", image: "x", resources: { requests: { cpu: 1 } } }] }))).toEqual([]);
  });
});

describe("pods", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["no containers", { containers: [] }, "spec.containers: Required value"],
    ["container name", { containers: [{ name: "App", image: "x" }] }, `spec.containers[0].name: Invalid value: "App": ${LABEL_MSG}`],
    ["container name required", { containers: [{ image: "x" }] }, "spec.containers[0].name: Required value"],
    ["duplicate names", { containers: [{ name: "a", image: "x" }, { name: "a", image: "y" }] }, 'spec.containers[1].name: Duplicate value: "a"'],
    ["init/app name clash", { initContainers: [{ name: "app", image: "x" }] }, 'spec.initContainers[0].name: Duplicate value: "app"'],
    ["image required", { containers: [{ name: "a" }] }, "spec.containers[0].image: Required value"],
    ["port 0", { containers: [{ name: "a", image: "x", ports: [{ containerPort: 0 }] }] }, "spec.containers[0].ports[0].containerPort: Required value"],
    [
      "port range",
      { containers: [{ name: "a", image: "x", ports: [{ containerPort: 70000 }] }] },
      "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
    ],
    [
      "protocol",
      { containers: [{ name: "a", image: "x", ports: [{ containerPort: 80, protocol: "HTTP" }] }] },
      'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
    ],
    [
      "duplicate port names",
      { containers: [{ name: "a", image: "x", ports: [{ name: "http", containerPort: 80 }, { name: "http", containerPort: 81 }] }] },
      'spec.containers[0].ports[1].name: Duplicate value: "http"',
    ],
    ["restartPolicy", { restartPolicy: "Sometimes" }, 'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
    ["dnsPolicy", { dnsPolicy: "X" }, 'spec.dnsPolicy: Unsupported value: "X": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"'],
    ["duplicate volumes", { volumes: [{ name: "v", emptyDir: {} }, { name: "v", emptyDir: {} }] }, 'spec.volumes[1].name: Duplicate value: "v"'],
    [
      "mount of missing volume",
      { containers: [{ name: "a", image: "x", volumeMounts: [{ name: "data", mountPath: "/d" }] }] },
      'spec.containers[0].volumeMounts[0].name: Not found: "data"',
    ],
    [
      "duplicate mountPath",
      { volumes: [{ name: "v" }], containers: [{ name: "a", image: "x", volumeMounts: [{ name: "v", mountPath: "/d" }, { name: "v", mountPath: "/d" }] }] },
      'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/d": must be unique',
    ],
    [
      "bad quantity",
      { containers: [{ name: "a", image: "x", resources: { requests: { cpu: "lots" } } }] },
      `spec.containers[0].resources.requests[cpu]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    ],
    [
      "negative quantity",
      { containers: [{ name: "a", image: "x", resources: { limits: { memory: "-1Mi" } } }] },
      'spec.containers[0].resources.limits[memory]: Invalid value: "-1Mi": must be greater than or equal to 0',
    ],
    [
      "request above limit",
      { containers: [{ name: "a", image: "x", resources: { requests: { cpu: "2" }, limits: { cpu: "1000m" } } }] },
      'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
    ],
    [
      "non-standard resource",
      { containers: [{ name: "a", image: "x", resources: { requests: { gpu: "1" } } }] },
      'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
    ],
    [
      "env name",
      { containers: [{ name: "a", image: "x", env: [{ name: "A=B" }] }] },
      `spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
    ],
    ["pull policy", { containers: [{ name: "a", image: "x", imagePullPolicy: "Sometimes" }] }, 'spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"'],
    ["activeDeadlineSeconds", { activeDeadlineSeconds: 0 }, "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"],
    [
      "toleration operator",
      { tolerations: [{ key: "k", operator: "Maybe" }] },
      'spec.tolerations[0].operator: Unsupported value: "Maybe": supported values: "Equal", "Exists"',
    ],
    [
      "toleration effect",
      { tolerations: [{ key: "k", operator: "Exists", effect: "Sometimes" }] },
      'spec.tolerations[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ],
    [
      "tolerationSeconds needs NoExecute",
      { tolerations: [{ key: "k", operator: "Exists", effect: "NoSchedule", tolerationSeconds: 5 }] },
      `spec.tolerations[0].effect: Invalid value: "NoSchedule": effect must be 'NoExecute' when \`tolerationSeconds\` is set`,
    ],
    ["nodeSelector", { nodeSelector: { "a b": "c" } }, 'spec.nodeSelector: Invalid value: "a b"'],
  ];

  it.each(cases)("%s", (_name, spec, expected) => {
    const got = byField(validateObject("pods", pod(spec)));
    expect(got.some((m) => m.startsWith(expected)), got.join("\n")).toBe(true);
  });

  it("cause reasons follow the error type", () => {
    const causes = validateObject("pods", pod({ containers: [{ name: "a" }], restartPolicy: "X", volumes: [{ name: "v" }, { name: "v" }] }));
    expect(new Set(causes.map((c) => c.reason))).toEqual(new Set(["FieldValueRequired", "FieldValueNotSupported", "FieldValueDuplicate"]));
  });

  describe("update", () => {
    const old = pod({
      restartPolicy: "Always",
      tolerations: [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }],
      containers: [{ name: "app", image: "nginx:1.25", imagePullPolicy: "IfNotPresent", ports: [{ containerPort: 80, protocol: "TCP" }] }],
    });

    it("allows image changes, activeDeadlineSeconds and added tolerations", () => {
      const next = clone(old);
      const spec = next.spec as { containers: { image: string }[]; activeDeadlineSeconds?: number; tolerations: unknown[] };
      spec.containers[0].image = "nginx:1.26";
      spec.activeDeadlineSeconds = 30;
      spec.tolerations.push({ key: "x", operator: "Exists" });
      expect(validateObject("pods", next, old)).toEqual([]);
    });

    it("tolerates omitted server-defaulted fields", () => {
      const next = pod({ containers: [{ name: "app", image: "nginx:1.26", ports: [{ containerPort: 80 }] }] });
      expect(validateObject("pods", next, old)).toEqual([]);
    });

    it("forbids other spec changes with the upstream message", () => {
      const next = clone(old);
      (next.spec as { restartPolicy: string }).restartPolicy = "Never";
      const causes = validateObject("pods", next, old);
      expect(causes).toHaveLength(1);
      expect(causes[0].reason).toBe("FieldValueForbidden");
      expect(causes[0].field).toBe("spec");
      expect(causes[0].message).toContain(
        "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n",
      );
      expect(causes[0].message).toContain('- \tRestartPolicy: "Always"');
      expect(causes[0].message).toContain('+ \tRestartPolicy: "Never"');
    });

    it("forbids changing a container port", () => {
      const next = clone(old);
      (next.spec as { containers: { ports: { containerPort: number }[] }[] }).containers[0].ports[0].containerPort = 81;
      expect(validateObject("pods", next, old).map((c) => c.field)).toEqual(["spec"]);
    });

    it("forbids removing or changing a toleration", () => {
      const next = clone(old);
      (next.spec as { tolerations: { effect: string }[] }).tolerations[0].effect = "NoSchedule";
      expect(byField(validateObject("pods", next, old))).toContain("spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds");
    });
  });
});

describe("deployments and replicasets", () => {
  it("accepts a valid deployment", () => {
    expect(validateObject("deployments.apps", deployment())).toEqual([]);
  });

  it.each([
    [deployment({ replicas: -1 }), "spec.replicas: Invalid value: -1: must be greater than or equal to 0"],
    [deployment({}, { app: "y" }), 'spec.template.metadata.labels: Invalid value: map[string]string{"app":"y"}: `selector` does not match template `labels`'],
    [
      deployment({ template: { spec: { containers: [{ name: "a", image: "x" }] } } }),
      "spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`",
    ],
    [deployment({ selector: undefined }), "spec.selector: Required value"],
    [
      deployment({ selector: {} }),
      "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment",
    ],
    [
      deployment({ strategy: { type: "Foo" } }),
      'spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"Foo", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"',
    ],
    [
      deployment({ strategy: { type: "Recreate", rollingUpdate: { maxSurge: 1 } } }),
      "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
    ],
    [
      deployment({ strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }),
      "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0",
    ],
    [
      deployment({ strategy: { rollingUpdate: { maxSurge: "abc" } } }),
      "spec.strategy.rollingUpdate.maxSurge: Invalid value: abc: a valid percent string must be a numeric string followed by an ending '%'",
    ],
    [deployment({ strategy: { rollingUpdate: { maxUnavailable: "150%" } } }), "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 150%: must not be greater than 100%"],
    [deployment({ progressDeadlineSeconds: 5, minReadySeconds: 10 }), "spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds"],
    [
      deployment({ template: { metadata: { labels: { app: "x" } }, spec: { restartPolicy: "Never", containers: [{ name: "a", image: "x" }] } } }),
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ],
    [deployment({ template: { metadata: { labels: { app: "x" } }, spec: { containers: [{ name: "a" }] } } }), "spec.template.spec.containers[0].image: Required value"],
    [
      deployment({ selector: { matchExpressions: [{ key: "app", operator: "In", values: [] }] } }),
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    ],
    [
      deployment({ selector: { matchExpressions: [{ key: "app", operator: "Is", values: ["x"] }] } }),
      'spec.selector.matchExpressions[0].operator: Invalid value: "Is": not a valid selector operator',
    ],
  ])("%#", (obj, expected) => {
    const got = byField(validateObject("deployments.apps", obj));
    expect(got.some((m) => m.startsWith(expected)), got.join("\n")).toBe(true);
  });

  it("matchExpressions select template labels", () => {
    const d = deployment({ selector: { matchExpressions: [{ key: "app", operator: "In", values: ["x", "z"] }] } });
    expect(validateObject("deployments.apps", d)).toEqual([]);
  });

  it("selector is immutable on update (apps/v1)", () => {
    const old = deployment();
    const next = deployment({ selector: { matchLabels: { app: "x", tier: "web" } } }, { app: "x", tier: "web" });
    expect(byField(validateObject("deployments.apps", next, old))).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"x", "tier":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
    expect(validateObject("deployments.apps", deployment({ replicas: 5 }), old)).toEqual([]);
  });

  it("replicasets share the rules", () => {
    const rs: KubeObject = { ...deployment({ replicas: -2 }, { app: "other" }), kind: "ReplicaSet" };
    expect(byField(validateObject("replicasets.apps", rs))).toEqual([
      "spec.replicas: Invalid value: -2: must be greater than or equal to 0",
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
    ]);
    expect(byField(validateObject("replicasets", rs)).length).toBe(2);
  });
});

describe("pod hostname and subdomain", () => {
  it("are each one DNS label", () => {
    expect(validateObject("pods", pod({ hostname: "web-0", subdomain: "nginx" }))).toEqual([]);
    expect(byField(validateObject("pods", pod({ hostname: "Web_0", subdomain: "a.b" })))).toEqual([
      `spec.hostname: Invalid value: "Web_0": ${LABEL_MSG}`,
      `spec.subdomain: Invalid value: "a.b": must not contain dots`,
    ]);
  });
});

describe("nodes, namespaces, leases, events", () => {
  const node = (spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}): KubeObject => ({
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "node-1" },
    spec,
    status,
  });

  it.each([
    [node({}, { capacity: { cpu: "4", memory: "8Gi", pods: "110" } }), []],
    [node({}, { capacity: { cpu: "four" } }), ["status.capacity.cpu"]],
    [node({}, { allocatable: { memory: "-1" } }), ["status.allocatable.memory"]],
    [node({}, { capacity: { pods: "1.5" } }), ["status.capacity.pods"]],
    [node({ taints: [{ key: "k", effect: "Sometimes" }] }), ["spec.taints[0].effect"]],
    [node({ taints: [{ key: "k", effect: "NoSchedule" }, { key: "k", effect: "NoSchedule" }] }), ["spec.taints[1]"]],
    [node({ taints: [{ key: "k" }] }), ["spec.taints[0].effect"]],
  ])("node %#", (obj, fields) => {
    expect(validateObject("nodes", obj).map((c) => c.field)).toEqual(fields);
  });

  it("duplicate taint message", () => {
    const causes = validateObject("nodes", node({ taints: [{ key: "k", effect: "NoSchedule" }, { key: "k", effect: "NoSchedule" }] }));
    expect(causes[0].message).toBe(
      'Duplicate value: core.Taint{Key:"k", Value:"", Effect:"NoSchedule", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair',
    );
  });

  it("cluster-scoped objects need no namespace", () => {
    expect(validateObject("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "dev" }, spec: { finalizers: ["kubernetes"] } })).toEqual([]);
    expect(byField(validateObject("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "dev" }, spec: { finalizers: ["foo"] } }))).toEqual([
      'spec.finalizers: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified',
    ]);
  });

  it.each([
    [{ leaseDurationSeconds: 40, holderIdentity: "node-1" }, []],
    [{ leaseDurationSeconds: 0 }, ["spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"]],
    [{ leaseTransitions: -1 }, ["spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0"]],
  ])("lease %j", (spec, expected) => {
    const lease: KubeObject = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "node-1", namespace: "kube-node-lease" }, spec };
    expect(byField(validateObject("leases.coordination.k8s.io", lease))).toEqual(expected);
  });

  it("events: only the legacy checks, names are free-form", () => {
    const ev = (ns: string, involvedNs: string): KubeObject => ({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "web.17a_B", namespace: ns },
      involvedObject: { kind: "Pod", name: "web", namespace: involvedNs },
      reason: "Scheduled",
    });
    expect(validateObject("events", ev("default", "default"))).toEqual([]);
    expect(byField(validateObject("events", ev("default", "other")))).toEqual(['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
    expect(validateObject("events", ev("default", ""))).toEqual([]);
  });

  it("unknown resources are not validated", () => {
    expect(validateObject("widgets.example.com", { apiVersion: "example.com/v1", kind: "Widget", metadata: {} })).toEqual([]);
  });
});

describe("strictUnknownFields", () => {
  it.each([
    ["pods", pod(), []],
    ["pods", { ...pod(), extra: 1 }, ["extra"]],
    ["pods", pod({ foo: 1 }), ["spec.foo"]],
    ["pods", pod({ containers: [{ name: "a", imagee: "x", ports: [{ containerPort: 80, hostport: 1 }] }] }), ["spec.containers[0].imagee", "spec.containers[0].ports[0].hostport"]],
    ["pods", pod({}, { labelz: {} }), ["metadata.labelz"]],
    ["pods", pod({}, { labels: { anything: "goes" }, annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" } }), []],
    ["pods", { ...pod(), status: { whatever: true } }, []],
    ["pods", pod({ volumes: [{ name: "v", emptyDir: {}, configMap: { name: "c" } }, { name: "w", bogus: {} }] }), ["spec.volumes[1].bogus"]],
    ["deployments.apps", deployment({ replica: 3 }), ["spec.replica"]],
    ["deployments.apps", deployment({ template: { metadata: {}, spec: { containers: [{ name: "a", image: "x", resource: {} }] } } }), ["spec.template.spec.containers[0].resource"]],
    ["deployments.apps", deployment({ strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, surge: 2 } } }), ["spec.strategy.rollingUpdate.surge"]],
    ["nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "n" }, spec: { unschedulable: true, taint: [] } }, ["spec.taint"]],
    ["events", { apiVersion: "v1", kind: "Event", metadata: { name: "e" }, involvedObject: {}, reason: "x", spec: {} }, ["spec"]],
    ["widgets.example.com", { spec: { anything: 1 } }, []],
    ["configmaps", { data: { anyKey: "v" }, binaryData: {}, immutable: true, spec: {} }, ["spec"]],
    ["secrets", { stringData: { k: "v" }, type: "Opaque", typo: 1 }, ["typo"]],
    ["serviceaccounts", { secrets: [{ name: "s", nope: 1 }], automountServiceAccountToken: false }, ["secrets[0].nope"]],
  ])("%s %#", (resource, obj, expected) => {
    expect(strictUnknownFields(resource, obj)).toEqual(expected);
  });
});
