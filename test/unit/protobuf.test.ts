import { describe, it, expect } from "vitest";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { decodeKubernetesProtobuf, isProtobuf, PROTOBUF_CONTENT_TYPE } from "../../src/api/protobuf";
import { ApiError } from "../../src/model/errors";
import type { KubeObject } from "../../src/model/types";

// The unit project runs in plain Node, but the repo's tsconfig only has Workers types
// (pulling @types/node into the shared program would hide Node-only APIs used by
// mistake in src/). So node:fs is imported through a non-literal specifier with the
// one function we need typed by hand, and import.meta.url is typed the same way.
const { readFileSync } = (await import(["node", "fs"].join(":"))) as {
  readFileSync(path: URL, encoding?: "utf8"): Uint8Array & { toString(): string };
};

const FIXTURES = new URL("../fixtures/kubectl-protobuf/", (import.meta as { url: string }).url);
const fixtureBody = (name: string) => new Uint8Array(readFileSync(new URL(`${name}.pb`, FIXTURES)));
const fixtureJson = (name: string) => JSON.parse(readFileSync(new URL(`${name}.decoded.json`, FIXTURES), "utf8").toString());

/** What the captured JSON means once the encoder's zero values are gone (status is server-owned). */
function meaningful(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(meaningful);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === "status") continue;
      const m = meaningful(x);
      if (m === null || m === 0 || m === "" || m === false) continue;
      if (m && typeof m === "object" && !Array.isArray(m) && Object.keys(m).length === 0) continue;
      out[k] = m;
    }
    return out;
  }
  return v;
}

/** Paths of zero values left in a decoded object (none expected when no pointer field is zero). */
function zeroPaths(v: unknown, path = ""): string[] {
  if (v === 0 || v === "" || v === false || v === null) return [path];
  if (Array.isArray(v)) return v.flatMap((x, i) => zeroPaths(x, `${path}[${i}]`));
  if (v && typeof v === "object") {
    if (Object.keys(v).length === 0) return [path];
    return Object.entries(v).flatMap(([k, x]) => zeroPaths(x, `${path}.${k}`));
  }
  return [];
}

// ---- a tiny proto2 encoder, only for building extra cases ----

type Value = string | number | boolean | Uint8Array | Msg | { fixed32: number } | { fixed64: number };
class Msg {
  constructor(readonly fields: [number, Value][]) {}
}
const m = (...fields: [number, Value][]) => new Msg(fields);
/** A map<string, V> entry. */
const entry = (key: string, value: Value) => m([1, key], [2, value]);
const entries = (no: number, map: Record<string, Value>): [number, Value][] =>
  Object.entries(map).map(([k, v]) => [no, entry(k, v)]);

function encode(msg: Msg): Uint8Array {
  const w = new BinaryWriter();
  for (const [no, v] of msg.fields) {
    if (typeof v === "string") w.tag(no, WireType.LengthDelimited).string(v);
    else if (typeof v === "number") w.tag(no, WireType.Varint).int64(v); // int32 negatives are sign-extended too
    else if (typeof v === "boolean") w.tag(no, WireType.Varint).bool(v);
    else if (v instanceof Uint8Array) w.tag(no, WireType.LengthDelimited).bytes(v);
    else if (v instanceof Msg) w.tag(no, WireType.LengthDelimited).bytes(encode(v));
    else if ("fixed32" in v) w.tag(no, WireType.Bit32).fixed32(v.fixed32);
    else w.tag(no, WireType.Bit64).fixed64(v.fixed64);
  }
  return w.finish();
}

const MAGIC = new Uint8Array([0x6b, 0x38, 0x73, 0x00]);
function envelope(apiVersion: string, kind: string, obj: Msg, extra: [number, Value][] = []): Uint8Array {
  // runtime.Unknown {1 typeMeta, 2 raw, 3 contentEncoding, 4 contentType}, as kubectl writes it.
  const unknown = encode(m([1, m([1, apiVersion], [2, kind])], [2, encode(obj)], [3, ""], [4, ""], ...extra));
  const out = new Uint8Array(MAGIC.length + unknown.length);
  out.set(MAGIC);
  out.set(unknown, MAGIC.length);
  return out;
}

/** ObjectMeta the way the Go encoder writes it: every string, generation 0, empty Time. */
const goMeta = (name: string, labels: Record<string, string> = {}, ...more: [number, Value][]) =>
  m([1, name], [2, ""], [3, ""], [4, ""], [5, ""], [6, ""], [7, 0], [8, m()], ...entries(11, labels), ...more);

function decodeError(body: Uint8Array): ApiError {
  try {
    decodeKubernetesProtobuf(body);
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error("expected decodeKubernetesProtobuf to throw");
}

// ---- captured kubectl bodies ----

/** Just enough of the spec shapes to read the fixtures' fields without `any`. */
type WithSpec = KubeObject & {
  spec: {
    replicas?: number;
    selector?: unknown;
    strategy?: unknown;
    template: { metadata?: unknown; spec: { containers: unknown[] } };
  };
};

describe("kubectl protobuf fixtures", () => {
  const names = [
    "1-kubectl-create-deployment",
    "2-kubectl-create-deployment",
    "3-kubectl-create-service-nodeport",
    "4-kubectl-create-namespace",
    "5-kubectl-create-configmap",
    "6-kubectl-create-configmap-from-file",
    "7-kubectl-create-secret-generic",
    "8-kubectl-create-secret-tls",
    "9-kubectl-create-secret-docker-registry",
    "10-kubectl-create-serviceaccount",
    "11-kubectl-create-role",
    "12-kubectl-create-rolebinding",
    "13-kubectl-create-clusterrole",
    "14-kubectl-create-clusterrole-aggregation",
    "15-kubectl-create-clusterrole-nonresource",
    "16-kubectl-create-clusterrolebinding",
    "17-kubectl-create-token",
    "18-kubectl-auth-can-i",
    "19-kubectl-auth-can-i-nonresource",
    "20-kubectl-auth-can-i-list",
    "21-kubectl-auth-whoami",
    "22-kubectl-create-job",
    "23-kubectl-create-cronjob",
    "24-kubectl-create-job-from-cronjob",
    "25-kubectl-autoscale",
    "26-kubectl-autoscale-no-cpu",
    "27-kubectl-create-quota",
    "28-kubectl-create-quota-scopes",
    "29-kubectl-create-quota-compute",
    "30-kubectl-create-pdb",
    "31-kubectl-create-pdb-max-unavailable",
    "32-kubectl-create-priorityclass",
    "33-kubectl-create-priorityclass-nonpreempting",
    "34-kubectl-create-ingress",
    "35-kubectl-create-ingress-two-paths",
    "36-kubectl-create-ingress-default-backend-tls",
  ];

  // Checked one by one below instead: their rules hold the core group "" (an empty
  // string that means something), and the reviews carry an empty metadata.
  const ownChecks = new Set([names[10], names[12], ...names.slice(16, 21)]);

  it.each(names.filter((n) => !ownChecks.has(n)))("%s decodes to the captured object minus zero values", (name) => {
    const got = decodeKubernetesProtobuf(fixtureBody(name));
    expect(got).toEqual(meaningful(fixtureJson(name)));
    // The Go encoder wrote generation 0, empty strings, stdin false, nodePort 0,
    // empty resources/strategy/securityContext...: none of it may survive.
    expect(zeroPaths(got)).toEqual([]);
  });

  it("create quota: the hard caps as quantities, the scopes in order, and no status", () => {
    expect(decodeKubernetesProtobuf(fixtureBody(names[27]))).toEqual({
      kind: "ResourceQuota",
      apiVersion: "v1",
      metadata: { name: "best-effort", namespace: "demo" },
      spec: { hard: { pods: "100" }, scopes: ["BestEffort", "NotTerminating"] },
    });
    const compute = decodeKubernetesProtobuf(fixtureBody(names[28])) as KubeObject & { spec: { hard: Record<string, string> } };
    // kubectl sends the quantity as it parsed it: 1.5Gi arrives as 1536Mi.
    expect(compute.spec.hard).toEqual({ "count/deployments.apps": "2", "limits.cpu": "2", "limits.memory": "2Gi", "requests.cpu": "500m", "requests.memory": "1536Mi" });
  });

  it("autoscale: an autoscaling/v1 HPA with its CPU target; without --min and --cpu-percent, neither field", () => {
    expect(decodeKubernetesProtobuf(fixtureBody(names[24]))).toEqual({
      kind: "HorizontalPodAutoscaler",
      apiVersion: "autoscaling/v1",
      metadata: { name: "php-apache" },
      spec: { scaleTargetRef: { kind: "Deployment", name: "php-apache", apiVersion: "apps/v1" }, minReplicas: 1, maxReplicas: 10, targetCPUUtilizationPercentage: 50 },
    });
    const bare = decodeKubernetesProtobuf(fixtureBody(names[25])) as KubeObject & { spec: Record<string, unknown> };
    expect(bare.spec).toEqual({ scaleTargetRef: { kind: "Deployment", name: "php-apache", apiVersion: "apps/v1" }, maxReplicas: 5 });
  });

  it("create priorityclass: value, description and the policy kubectl always sends; --global-default and --preemption-policy=Never", () => {
    expect(decodeKubernetesProtobuf(fixtureBody("32-kubectl-create-priorityclass"))).toEqual({
      kind: "PriorityClass",
      apiVersion: "scheduling.k8s.io/v1",
      metadata: { name: "high-priority" },
      value: 1000000,
      description: "This priority class should be used for XYZ service pods only.",
      preemptionPolicy: "PreemptLowerPriority",
    });
    const never = decodeKubernetesProtobuf(fixtureBody("33-kubectl-create-priorityclass-nonpreempting"));
    expect(never).toMatchObject({ metadata: { name: "high-priority-nonpreempting" }, value: 1000000, globalDefault: true, preemptionPolicy: "Never" });
  });

  it("create pdb: minAvailable as a count, maxUnavailable as a percentage, the selector from --selector", () => {
    expect(decodeKubernetesProtobuf(fixtureBody("30-kubectl-create-pdb"))).toEqual({
      kind: "PodDisruptionBudget",
      apiVersion: "policy/v1",
      metadata: { name: "my-pdb" },
      spec: { minAvailable: 2, selector: { matchLabels: { app: "nginx" } } },
    });
    const zk = decodeKubernetesProtobuf(fixtureBody("31-kubectl-create-pdb-max-unavailable")) as KubeObject & { spec: Record<string, unknown> };
    expect(zk.spec).toEqual({ maxUnavailable: "50%", selector: { matchLabels: { app: "zookeeper" } } });
  });

  it("create ingress: a class, rules by host with Exact and Prefix paths, a default backend by port name, TLS", () => {
    expect(decodeKubernetesProtobuf(fixtureBody("34-kubectl-create-ingress"))).toEqual({
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "example-ingress" },
      spec: {
        ingressClassName: "nginx",
        rules: [{ host: "hello-world.example", http: { paths: [{ path: "/", pathType: "Exact", backend: { service: { name: "web", port: { number: 8080 } } } }] } }],
      },
    });
    const two = decodeKubernetesProtobuf(fixtureBody("35-kubectl-create-ingress-two-paths")) as KubeObject & { spec: { rules: { http: { paths: { path: string }[] } }[] } };
    expect(two.metadata.annotations).toEqual({ "nginx.ingress.kubernetes.io/rewrite-target": "/" });
    expect(two.spec.rules.map((r) => r.http.paths.map((p) => p.path))).toEqual([["/", "/v2"]]); // kubectl merges the rules of one host
    const catchAll = decodeKubernetesProtobuf(fixtureBody("36-kubectl-create-ingress-default-backend-tls")) as KubeObject & { spec: Record<string, unknown> };
    expect(catchAll.spec.defaultBackend).toEqual({ service: { name: "web", port: { name: "http" } } });
    expect(catchAll.spec.tls).toEqual([{ hosts: ["*.foo.com"], secretName: "my-cert" }]);
    expect(catchAll.spec.rules).toEqual([
      { host: "*.foo.com", http: { paths: [{ path: "/api", pathType: "Prefix", backend: { service: { name: "api", port: { name: "grpc" } } } }] } },
      { http: { paths: [{ path: "/exact", pathType: "Exact", backend: { service: { name: "web", port: { number: 8080 } } } }] } },
    ]);
  });

  it("create deployment (bootcamp)", () => {
    const d = decodeKubernetesProtobuf(fixtureBody(names[0])) as WithSpec;
    expect(d.apiVersion).toBe("apps/v1");
    expect(d.kind).toBe("Deployment");
    expect(d.metadata).toEqual({ name: "kubernetes-bootcamp2", labels: { app: "kubernetes-bootcamp2" } });
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.selector).toEqual({ matchLabels: { app: "kubernetes-bootcamp2" } });
    expect(d.spec.template.metadata).toEqual({ labels: { app: "kubernetes-bootcamp2" } });
    expect(d.spec.template.spec.containers).toEqual([
      { name: "kubernetes-bootcamp", image: "gcr.io/google-samples/kubernetes-bootcamp:v1" },
    ]);
    expect(d.spec.strategy).toBeUndefined();
    expect(d.status).toBeUndefined();
    expect(Object.keys(d).slice(0, 3)).toEqual(["apiVersion", "kind", "metadata"]);
  });

  it("create deployment with --replicas, --port and a command", () => {
    const d = decodeKubernetesProtobuf(fixtureBody(names[1])) as WithSpec;
    expect(d.metadata.name).toBe("web3");
    expect(d.spec.replicas).toBe(3);
    const [c] = d.spec.template.spec.containers;
    expect(c).toEqual({ name: "nginx", image: "nginx:1.27", command: ["nginx", "-g", "daemon off;"], ports: [{ containerPort: 80 }] });
  });

  it("create service nodeport", () => {
    const s = decodeKubernetesProtobuf(fixtureBody(names[2]));
    expect(s.apiVersion).toBe("v1");
    expect(s.kind).toBe("Service");
    expect(s.metadata).toEqual({ name: "svc2", labels: { app: "svc2" } });
    expect(s.spec).toEqual({
      ports: [{ name: "8080-8080", protocol: "TCP", port: 8080, targetPort: 8080 }], // nodePort 0 dropped
      selector: { app: "svc2" },
      type: "NodePort",
    });
  });

  it("create namespace", () => {
    expect(decodeKubernetesProtobuf(fixtureBody(names[3]))).toEqual({ apiVersion: "v1", kind: "Namespace", metadata: { name: "demo" } });
  });

  it("create configmap --from-literal and --from-file", () => {
    expect(decodeKubernetesProtobuf(fixtureBody(names[4]))).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "special-config" },
      data: { "special.how": "very", "special.type": "charm" },
    });
    const fromFile = decodeKubernetesProtobuf(fixtureBody(names[5]));
    expect(fromFile.data).toEqual({ "game.properties": "color=blue\nshape=round\n", "ui.properties": "lives=3\n" });
  });

  const bytesOf = (b64: string) => atob(b64);

  it("create secret generic: data is bytes, carried as base64", () => {
    const s = decodeKubernetesProtobuf(fixtureBody(names[6]));
    expect(s.kind).toBe("Secret");
    expect(s.type).toBeUndefined(); // generic sends no type: the server defaults Opaque
    const data = s.data as Record<string, string>;
    expect(bytesOf(data.username)).toBe("admin");
    expect(bytesOf(data.password)).toBe("S!B\\*d$zDsb=");
  });

  it("create secret tls and docker-registry carry the keys their types require", () => {
    const tls = decodeKubernetesProtobuf(fixtureBody(names[7]));
    expect(tls.type).toBe("kubernetes.io/tls");
    const tlsData = tls.data as Record<string, string>;
    expect(Object.keys(tlsData).sort()).toEqual(["tls.crt", "tls.key"]);
    expect(bytesOf(tlsData["tls.crt"])).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    const reg = decodeKubernetesProtobuf(fixtureBody(names[8]));
    expect(reg.type).toBe("kubernetes.io/dockerconfigjson");
    const config = JSON.parse(bytesOf((reg.data as Record<string, string>)[".dockerconfigjson"])) as { auths: Record<string, { username: string }> };
    expect(config.auths["registry.example.com"].username).toBe("tiger");
  });

  it("create job, create cronjob and create job --from=cronjob/NAME", () => {
    const job = decodeKubernetesProtobuf(fixtureBody(names[21])) as WithSpec;
    expect(job).toMatchObject({ apiVersion: "batch/v1", kind: "Job", metadata: { name: "hello", namespace: "default" } });
    expect(job.spec.template.spec).toEqual({ containers: [{ name: "hello", image: "busybox", command: ["echo", "hi"] }], restartPolicy: "Never" });
    const cj = decodeKubernetesProtobuf(fixtureBody(names[22]));
    expect(cj).toEqual({
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "hello", namespace: "default" },
      spec: {
        schedule: "*/1 * * * *",
        jobTemplate: { metadata: { name: "hello" }, spec: { template: { spec: { containers: [{ name: "hello", image: "busybox", command: ["date"] }], restartPolicy: "OnFailure" } } } },
      },
    });
    const manual = decodeKubernetesProtobuf(fixtureBody(names[23]));
    expect(manual.metadata).toEqual({
      name: "manual",
      namespace: "default",
      annotations: { "cronjob.kubernetes.io/instantiate": "manual" },
      ownerReferences: [{ apiVersion: "batch/v1", kind: "CronJob", name: "hello", uid: "0f4ac2a8-2f52-4b0f-9e36-4a3c1d2e5b11", controller: true }],
    });
  });

  it("create serviceaccount", () => {
    expect(decodeKubernetesProtobuf(fixtureBody(names[9]))).toEqual({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "build-robot" } });
  });

  it("create role and rolebinding: rules with subresources, a ServiceAccount subject", () => {
    expect(decodeKubernetesProtobuf(fixtureBody(names[10]))).toEqual({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "reader" },
      // The core group is the empty string: a repeated string keeps it.
      rules: [{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods", "pods/log"] }],
    });
    expect(decodeKubernetesProtobuf(fixtureBody(names[11]))).toMatchObject({
      kind: "RoleBinding",
      subjects: [{ kind: "ServiceAccount", name: "reader", namespace: "default" }],
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
    });
  });

  it("create clusterrole: resourceNames, an aggregationRule, non-resource URLs", () => {
    expect(decodeKubernetesProtobuf(fixtureBody(names[12])).rules).toEqual([{ verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods"], resourceNames: ["a", "b"] }]);
    expect(decodeKubernetesProtobuf(fixtureBody(names[13])).aggregationRule).toEqual({ clusterRoleSelectors: [{ matchLabels: { "rbac.example.com/aggregate-to-monitoring": "true" } }] });
    expect(decodeKubernetesProtobuf(fixtureBody(names[14])).rules).toEqual([{ verbs: ["get"], nonResourceURLs: ["/logs/*"] }]);
  });

  it("create token, auth can-i, can-i --list and whoami", () => {
    expect(decodeKubernetesProtobuf(fixtureBody(names[16])).spec).toEqual({ audiences: ["https://example.com"], expirationSeconds: 600 });
    expect(decodeKubernetesProtobuf(fixtureBody(names[17])).spec).toEqual({ resourceAttributes: { namespace: "default", verb: "create", resource: "pods" } });
    expect(decodeKubernetesProtobuf(fixtureBody(names[18])).spec).toEqual({ nonResourceAttributes: { path: "/logs", verb: "get" } });
    expect(decodeKubernetesProtobuf(fixtureBody(names[19])).spec).toEqual({ namespace: "default" });
    expect(decodeKubernetesProtobuf(fixtureBody(names[20]))).toEqual({ apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview", metadata: {} });
  });
});

// ---- built cases: pointer fields, special types, other kinds ----

describe("decodeKubernetesProtobuf", () => {
  it("keeps zero pointer fields and drops zero plain fields (Deployment)", () => {
    const container = m(
      [1, "app"], [2, "busybox"], [3, "sh"], [3, "-c"], [4, ""], [5, ""],
      [6, m([1, "http"], [2, 0], [3, 8080], [4, "TCP"], [5, ""])],
      [7, m([1, "MODE"], [2, "prod"])], [7, m([1, "EMPTY"], [2, ""])],
      [8, m(...entries(1, { cpu: m([1, "500m"]), memory: m([1, "128Mi"]) }), ...entries(2, { cpu: m([1, "100m"]) }))],
      [9, m([1, "data"], [2, false], [3, "/data"], [4, ""], [6, ""])],
      [13, "/dev/termination-log"], [20, "File"], [14, "IfNotPresent"],
      [16, false], [17, false], [18, true],
    );
    const podSpec = m(
      [1, m([1, "scratch"], [2, m([2, m()])])], // emptyDir: {}
      [1, m([1, "conf"], [2, m([19, m([1, m([1, "app-config"])], [3, 420])])])],
      [1, m([1, "creds"], [2, m([6, m([1, "app-secret"], [4, false])])])],
      [20, m([1, "init"], [2, "busybox"], [16, false])],
      [2, container],
      [3, "Always"], [4, 0], [6, "ClusterFirst"],
      ...entries(7, { "kubernetes.io/os": "linux" }),
      [8, ""], [10, ""], [11, false],
      [14, m()], // securityContext: {}
      [18, m([1, m([1, m([1, m([1, m([1, "zone"], [2, "In"], [3, "a"], [3, "b"])])])])])],
      [19, "default-scheduler"],
      [22, m([1, "dedicated"], [2, "Equal"], [3, "edge"], [4, "NoExecute"], [5, 0])],
      [25, 0], [30, false],
    );
    const spec = m(
      [1, 0], // replicas: 0 is a real request
      [2, m(...entries(1, { app: "w" }), [2, m([1, "tier"], [2, "In"], [3, "web"])])],
      [3, m([1, goMeta("", { app: "w" })], [2, podSpec])],
      [4, m([1, "RollingUpdate"], [2, m([1, m([1, 0], [2, 0], [3, ""])], [2, m([1, 1], [2, 0], [3, "25%"])])])],
      [5, 0], [6, 0], [7, false], [9, 600],
    );
    const meta = goMeta(
      "w", { app: "w", empty: "" },
      ...entries(12, { note: "x" }),
      [13, m([5, "apps/v1"], [1, "ReplicaSet"], [3, "w-1"], [4, "u-1"], [6, true], [7, false])],
      [14, "example.com/f"],
    );
    const d = decodeKubernetesProtobuf(envelope("apps/v1", "Deployment", m([1, meta], [2, spec], [3, m([1, 0], [2, 0])])));
    expect(d).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        name: "w",
        labels: { app: "w", empty: "" }, // empty label values are kept
        annotations: { note: "x" },
        ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "w-1", uid: "u-1", controller: true, blockOwnerDeletion: false }],
        finalizers: ["example.com/f"],
      },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: "w" }, matchExpressions: [{ key: "tier", operator: "In", values: ["web"] }] },
        template: {
          metadata: { labels: { app: "w" } },
          spec: {
            volumes: [
              { name: "scratch", emptyDir: {} },
              { name: "conf", configMap: { name: "app-config", defaultMode: 420 } },
              { name: "creds", secret: { secretName: "app-secret", optional: false } },
            ],
            initContainers: [{ name: "init", image: "busybox" }],
            containers: [
              {
                name: "app",
                image: "busybox",
                command: ["sh", "-c"],
                args: [""], // list elements are kept even when empty
                ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
                env: [{ name: "MODE", value: "prod" }, { name: "EMPTY" }],
                resources: { limits: { cpu: "500m", memory: "128Mi" }, requests: { cpu: "100m" } },
                volumeMounts: [{ name: "data", mountPath: "/data" }],
                terminationMessagePath: "/dev/termination-log",
                terminationMessagePolicy: "File",
                imagePullPolicy: "IfNotPresent",
                tty: true,
              },
            ],
            restartPolicy: "Always",
            terminationGracePeriodSeconds: 0,
            dnsPolicy: "ClusterFirst",
            nodeSelector: { "kubernetes.io/os": "linux" },
            securityContext: {},
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["a", "b"] }] }],
                },
              },
            },
            schedulerName: "default-scheduler",
            tolerations: [{ key: "dedicated", operator: "Equal", value: "edge", effect: "NoExecute", tolerationSeconds: 0 }],
            priority: 0,
            enableServiceLinks: false,
          },
        },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
        revisionHistoryLimit: 0,
        progressDeadlineSeconds: 600,
      },
    });
  });

  it("turns Time into RFC3339 and drops the zero Time", () => {
    const meta = goMeta("t", {}, [9, m([1, 1700000000], [2, 123456789])]);
    const withTime = m([1, "t"], [5, "abc"], [6, "42"], [7, 3], [8, m([1, 1700000000], [2, 0])]);
    const d = decodeKubernetesProtobuf(envelope("v1", "Namespace", m([1, withTime])));
    expect(d.metadata).toEqual({ name: "t", uid: "abc", resourceVersion: "42", generation: 3, creationTimestamp: "2023-11-14T22:13:20Z" });
    const e = decodeKubernetesProtobuf(envelope("v1", "Namespace", m([1, meta], [2, m([1, "kubernetes"])])));
    expect(e.metadata).toEqual({ name: "t", deletionTimestamp: "2023-11-14T22:13:20Z" });
    expect(e.spec).toEqual({ finalizers: ["kubernetes"] });
  });

  it("decodes a Service with a named targetPort and a nodePort", () => {
    const spec = m(
      [1, m([1, "web"], [2, "TCP"], [3, 80], [4, m([1, 1], [2, 0], [3, "http"])], [5, 30080])],
      ...entries(2, { app: "web" }),
      [3, "None"], [4, "NodePort"], [7, "None"], [13, false],
      [14, m([1, m([1, 0])])],
    );
    const s = decodeKubernetesProtobuf(envelope("v1", "Service", m([1, goMeta("web")], [2, spec])));
    expect(s.spec).toEqual({
      ports: [{ name: "web", protocol: "TCP", port: 80, targetPort: "http", nodePort: 30080 }],
      selector: { app: "web" },
      clusterIP: "None",
      type: "NodePort",
      sessionAffinity: "None",
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } },
    });
  });

  it("decodes ConfigMap and Secret bytes as base64", () => {
    const bin = new Uint8Array([0, 1, 2, 253, 254, 255]);
    const cm = decodeKubernetesProtobuf(
      envelope("v1", "ConfigMap", m([1, goMeta("cm")], ...entries(2, { "a.txt": "hello", blank: "" }), ...entries(3, { "b.bin": bin }), [4, false])),
    );
    expect(cm).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cm" },
      data: { "a.txt": "hello", blank: "" },
      binaryData: { "b.bin": "AAEC/f7/" },
      immutable: false,
    });
    const secret = decodeKubernetesProtobuf(
      envelope("v1", "Secret", m([1, goMeta("s")], ...entries(2, { password: new TextEncoder().encode("s3cr3t"), empty: new Uint8Array(0) }), [3, "Opaque"])),
    );
    expect(secret).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s" },
      data: { password: "czNjcjN0", empty: "" },
      type: "Opaque",
    });
    const withStringData = decodeKubernetesProtobuf(envelope("v1", "Secret", m([1, goMeta("s2")], ...entries(4, { user: "admin" }), [3, ""])));
    expect(withStringData).toEqual({ apiVersion: "v1", kind: "Secret", metadata: { name: "s2" }, stringData: { user: "admin" } });
  });

  it("decodes Pod and ReplicaSet", () => {
    const podSpec = m([2, m([1, "c"], [2, "nginx"], [10, m([1, m([2, m([1, "/healthz"], [2, m([1, 0], [2, 8080])])])], [3, 1], [4, 10])])], [10, "node-1"]);
    const pod = decodeKubernetesProtobuf(envelope("v1", "Pod", m([1, goMeta("p", {}, [3, "default"])], [2, podSpec], [3, m([1, "Pending"])])));
    expect(pod).toEqual({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "default" },
      spec: {
        containers: [{ name: "c", image: "nginx", livenessProbe: { httpGet: { path: "/healthz", port: 8080 }, timeoutSeconds: 1, periodSeconds: 10 } }],
        nodeName: "node-1",
      },
    });
    const rs = decodeKubernetesProtobuf(
      envelope("apps/v1", "ReplicaSet", m([1, goMeta("rs")], [2, m([1, 2], [2, m(...entries(1, { a: "b" }))], [3, m([2, m([2, m([1, "c"])])])], [4, 0])])),
    );
    expect(rs.spec).toEqual({ replicas: 2, selector: { matchLabels: { a: "b" } }, template: { spec: { containers: [{ name: "c" }] } } });
  });

  it("skips unknown fields of every wire type", () => {
    const meta = m([1, "n"], [900, 7], [901, "junk"], [902, m([1, "nested"])], [903, { fixed32: 1 }], [904, { fixed64: 2 }]);
    const ns = decodeKubernetesProtobuf(envelope("v1", "Namespace", m([1, meta], [77, "future field"]), [[9, "unknown envelope field"]]));
    expect(ns).toEqual({ apiVersion: "v1", kind: "Namespace", metadata: { name: "n" } });
  });

  it("gives every object a metadata", () => {
    expect(decodeKubernetesProtobuf(envelope("v1", "Namespace", m()))).toEqual({ apiVersion: "v1", kind: "Namespace", metadata: {} });
  });
});

describe("malformed and unsupported bodies", () => {
  const body = fixtureBody("1-kubectl-create-deployment");

  it("rejects a body without the k8s\\0 prefix", () => {
    expect(decodeError(new TextEncoder().encode('{"kind":"Deployment"}')).code).toBe(400);
    expect(decodeError(body.slice(4)).code).toBe(400); // the envelope without its magic
    expect(decodeError(new Uint8Array(0)).code).toBe(400);
    expect(decodeError(new Uint8Array([0x6b, 0x38, 0x73])).code).toBe(400);
  });

  it("rejects truncated bodies", () => {
    // Every cut inside the raw object leaves its length prefix pointing past the end.
    for (const len of [30, 100, body.length / 2, body.length - 10]) {
      const err = decodeError(body.slice(0, len));
      expect(err.code).toBe(400);
      expect(err.message).toMatch(/invalid protobuf body/);
    }
  });

  it("rejects a field with the wrong wire type", () => {
    const err = decodeError(envelope("v1", "Namespace", m([1, m([1, 5])])));
    expect(err.code).toBe(400);
    expect(err.message).toMatch(/ObjectMeta\.name/);
  });

  it("refuses kinds it has no descriptor for", () => {
    const sts = decodeError(envelope("apps/v1", "StatefulSet", m([1, goMeta("s")])));
    expect(sts.code).toBe(415);
    expect(sts.message).toContain("StatefulSet");
    // A known kind under another apiVersion is a different schema.
    const old = decodeError(envelope("extensions/v1beta1", "Deployment", m()));
    expect(old.code).toBe(415);
    expect(old.message).toContain("extensions/v1beta1");
    expect(decodeError(envelope("v1", "", m())).code).toBe(400);
  });

  it("refuses encoded or non-protobuf payloads", () => {
    const gz = envelope("v1", "Namespace", m(), [[3, "gzip"]]);
    expect(decodeError(gz).code).toBe(415);
    const json = envelope("v1", "Namespace", m(), [[4, "application/json"]]);
    expect(decodeError(json).code).toBe(415);
  });
});

describe("isProtobuf", () => {
  it("matches the media type, with or without parameters", () => {
    expect(PROTOBUF_CONTENT_TYPE).toBe("application/vnd.kubernetes.protobuf");
    expect(isProtobuf("application/vnd.kubernetes.protobuf")).toBe(true);
    expect(isProtobuf("Application/VND.Kubernetes.Protobuf; charset=utf-8")).toBe(true);
    expect(isProtobuf("application/vnd.kubernetes.protobuf;stream=watch")).toBe(true);
    expect(isProtobuf("application/json")).toBe(false);
    expect(isProtobuf("application/vnd.kubernetes.protobuf+json")).toBe(false);
    expect(isProtobuf("")).toBe(false);
    expect(isProtobuf(undefined)).toBe(false);
    expect(isProtobuf(null)).toBe(false);
  });
});
