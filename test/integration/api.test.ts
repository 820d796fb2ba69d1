import { describe, it, expect } from "vitest";
import { call, callJson, pod } from "./helpers";

type Obj = { kind: string; metadata: Record<string, unknown> & { name?: string; resourceVersion?: string; labels?: Record<string, string> }; spec?: Record<string, unknown>; status?: Record<string, unknown>; [k: string]: unknown };

describe("discovery and authentication", () => {
  it("reports Kubernetes 1.32 without credentials", async () => {
    const { status, body } = await callJson<{ major: string; minor: string }>("/version", { token: null });
    expect(status).toBe(200);
    expect(body.minor).toBe("32");
  });

  it("refuses API requests without the token with a 401 Status", async () => {
    const { status, body } = await callJson<{ kind: string; reason: string }>("/api/v1/namespaces", { token: null });
    expect(status).toBe(401);
    expect(body.kind).toBe("Status");
    expect(body.reason).toBe("Unauthorized");
    expect((await call("/api/v1/namespaces", { token: "wrong" })).status).toBe(401);
  });

  it("serves aggregated discovery only with its exact content type", async () => {
    const res = await call("/apis", { accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json" });
    expect(res.headers.get("content-type")).toBe("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    const body = (await res.json()) as { items: { metadata: { name: string } }[] };
    expect(body.items.map((g) => g.metadata.name).sort()).toEqual(["apiextensions.k8s.io", "apps", "authentication.k8s.io", "authorization.k8s.io", "autoscaling", "batch", "coordination.k8s.io", "discovery.k8s.io", "metrics.k8s.io", "networking.k8s.io", "policy", "rbac.authorization.k8s.io", "scheduling.k8s.io", "storage.k8s.io"]);
    const legacy = await callJson<{ resources: { name: string }[] }>("/api/v1");
    expect(legacy.body.resources.map((r) => r.name)).toContain("pods/eviction");
    expect(legacy.body.resources.map((r) => r.name)).toEqual(expect.arrayContaining(["resourcequotas", "resourcequotas/status", "limitranges"]));
  });

  it("starts with the four standard namespaces", async () => {
    const { body } = await callJson<{ items: Obj[] }>("/api/v1/namespaces");
    expect(body.items.map((n) => n.metadata.name)).toEqual(expect.arrayContaining(["default", "kube-system", "kube-public", "kube-node-lease"]));
  });
});

describe("pods through the API", () => {
  it("creates with defaults, gets, and 404s an unknown name as kubectl expects", async () => {
    const created = await callJson<Obj>("/api/v1/namespaces/default/pods", { method: "POST", body: pod("web") });
    expect(created.status).toBe(201);
    expect(created.body.metadata.uid).toBeTruthy();
    expect(created.body.spec?.restartPolicy).toBe("Always");
    expect((created.body.status as { phase: string }).phase).toBe("Pending");
    const tolerations = created.body.spec?.tolerations as { key: string; tolerationSeconds: number }[];
    expect(tolerations.map((t) => t.key)).toEqual(["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]);

    const got = await callJson<Obj>("/api/v1/namespaces/default/pods/web");
    expect(got.body.metadata.resourceVersion).toBe(created.body.metadata.resourceVersion);

    const missing = await callJson<{ message: string; reason: string; details: { name: string; kind: string } }>("/api/v1/namespaces/default/pods/nope");
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('pods "nope" not found');
    expect(missing.body.details).toEqual({ name: "nope", kind: "pods" });
  });

  it("refuses a duplicate name with 409 AlreadyExists", async () => {
    await call("/api/v1/namespaces/default/pods", { method: "POST", body: pod("dup") });
    const again = await callJson<{ reason: string; message: string }>("/api/v1/namespaces/default/pods", { method: "POST", body: pod("dup") });
    expect(again.status).toBe(409);
    expect(again.body.message).toBe('pods "dup" already exists');
  });

  it("rejects an invalid name with 422 and writes nothing", async () => {
    const bad = await callJson<{ reason: string; details: { causes: { field: string }[] } }>("/api/v1/namespaces/default/pods", { method: "POST", body: pod("Bad_Name") });
    expect(bad.status).toBe(422);
    expect(bad.body.reason).toBe("Invalid");
    expect(bad.body.details.causes[0].field).toBe("metadata.name");
    expect((await call("/api/v1/namespaces/default/pods/Bad_Name")).status).toBe(404);
  });

  it("answers a stale PUT with 409 Conflict", async () => {
    const { body: created } = await callJson<Obj>("/api/v1/namespaces/default/pods", { method: "POST", body: pod("stale") });
    const first = { ...created, metadata: { ...created.metadata, labels: { v: "1" } } };
    expect((await call("/api/v1/namespaces/default/pods/stale", { method: "PUT", body: first })).status).toBe(200);
    const second = { ...created, metadata: { ...created.metadata, labels: { v: "2" } } };
    const res = await callJson<{ reason: string }>("/api/v1/namespaces/default/pods/stale", { method: "PUT", body: second });
    expect(res.status).toBe(409);
    expect(res.body.reason).toBe("Conflict");
    const now = await callJson<Obj>("/api/v1/namespaces/default/pods/stale");
    expect(now.body.metadata.labels).toEqual({ v: "1" });
  });

  it("merge-patches labels (null removes) and refuses unknown patch types with 415", async () => {
    await call("/api/v1/namespaces/default/pods", { method: "POST", body: pod("patchme") });
    const patched = await callJson<Obj>("/api/v1/namespaces/default/pods/patchme", {
      method: "PATCH",
      contentType: "application/merge-patch+json",
      body: { metadata: { labels: { app: null, version: "v1" } } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.metadata.labels).toEqual({ version: "v1" });
    const odd = await call("/api/v1/namespaces/default/pods/patchme", { method: "PATCH", contentType: "application/x-unknown", body: {} });
    expect(odd.status).toBe(415);
  });

  it("lists with label selectors and as a server-side Table", async () => {
    await call("/api/v1/namespaces/default/pods", { method: "POST", body: pod("sel-a") });
    const list = await callJson<{ kind: string; items: Obj[]; metadata: { resourceVersion: string } }>("/api/v1/namespaces/default/pods?labelSelector=app%3Dsel-a");
    expect(list.body.kind).toBe("PodList");
    expect(list.body.items.map((p) => p.metadata.name)).toEqual(["sel-a"]);
    expect(Number(list.body.metadata.resourceVersion)).toBeGreaterThan(0);
    const table = await callJson<{ kind: string; columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>("/api/v1/namespaces/default/pods?labelSelector=app+in+(sel-a)", {
      accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
    });
    expect(table.body.kind).toBe("Table");
    expect(table.body.columnDefinitions.slice(0, 5).map((c) => c.name)).toEqual(["Name", "Ready", "Status", "Restarts", "Age"]);
    expect(table.body.rows[0].cells[0]).toBe("sel-a");
  });

  it("streams watch events from a resourceVersion", async () => {
    const { body: created } = await callJson<Obj>("/api/v1/namespaces/default/pods", { method: "POST", body: pod("watched") });
    await call("/api/v1/namespaces/default/pods/watched", { method: "PATCH", contentType: "application/merge-patch+json", body: { metadata: { labels: { x: "y" } } } });
    const res = await call(`/api/v1/namespaces/default/pods?watch=1&fieldSelector=metadata.name%3Dwatched&resourceVersion=${created.metadata.resourceVersion}&timeoutSeconds=1`);
    expect(res.headers.get("content-encoding")).toBe("identity");
    const lines = (await res.text()).split("\n").filter((l) => l.trim());
    const events = lines.map((l) => JSON.parse(l) as { type: string; object: Obj });
    expect(events[0].type).toBe("MODIFIED");
    expect(events[0].object.metadata.labels).toMatchObject({ x: "y" });
  });

  it("answers a watch from a compacted resourceVersion with a 410 ERROR event", async () => {
    const { env } = await import("cloudflare:workers");
    await env.DB.prepare("UPDATE revision SET compacted_rv = rv WHERE id = 1").run();
    const res = await call("/api/v1/namespaces/default/pods?watch=1&resourceVersion=1&timeoutSeconds=1");
    const first = JSON.parse((await res.text()).split("\n")[0]) as { type: string; object: { code: number; reason: string } };
    expect(first.type).toBe("ERROR");
    expect(first.object.code).toBe(410);
    expect(first.object.reason).toBe("Expired");
  });

  it("deletes an unscheduled pod at once and returns it", async () => {
    await call("/api/v1/namespaces/default/pods", { method: "POST", body: pod("bye") });
    const del = await callJson<Obj>("/api/v1/namespaces/default/pods/bye", { method: "DELETE", body: { propagationPolicy: "Background" } });
    expect(del.status).toBe(200);
    expect(del.body.kind).toBe("Pod");
    expect((await call("/api/v1/namespaces/default/pods/bye")).status).toBe(404);
  });

  it("refuses bodies over the size limit with 413", async () => {
    const huge = pod("huge", {});
    (huge.metadata as Record<string, unknown>).annotations = { big: "x".repeat(3 * 1024 * 1024) };
    const res = await callJson<{ reason: string }>("/api/v1/namespaces/default/pods", { method: "POST", body: huge });
    expect(res.status).toBe(413);
  });
});

describe("deployments and scale", () => {
  it("creates a deployment with defaults and scales it through the scale subresource", async () => {
    const dep = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", labels: { app: "web" } },
      spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx" }] } } },
    };
    const created = await callJson<Obj>("/apis/apps/v1/namespaces/default/deployments", { method: "POST", body: dep });
    expect(created.status).toBe(201);
    expect(created.body.spec?.replicas).toBe(1);
    const scaled = await callJson<{ kind: string; spec: { replicas: number }; status: { selector: string } }>("/apis/apps/v1/namespaces/default/deployments/web/scale", {
      method: "PATCH",
      contentType: "application/merge-patch+json",
      body: { spec: { replicas: 4 } },
    });
    expect(scaled.status).toBe(200);
    expect(scaled.body.kind).toBe("Scale");
    expect(scaled.body.spec.replicas).toBe(4);
    expect(scaled.body.status.selector).toBe("app=web");
    const negative = await callJson<{ code: number }>("/apis/apps/v1/namespaces/default/deployments/web/scale", {
      method: "PATCH",
      contentType: "application/merge-patch+json",
      body: { spec: { replicas: -1 } },
    });
    expect(negative.status).toBe(422);
    const after = await callJson<Obj>("/apis/apps/v1/namespaces/default/deployments/web");
    expect(after.body.spec?.replicas).toBe(4);
    expect(after.body.metadata.generation).toBe(2);
  });
});

describe("fieldValidation=Strict with the published schemas", () => {
  const DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments";
  const template = (podSpec: Record<string, unknown>) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "strict", labels: { app: "strict" } },
    spec: { selector: { matchLabels: { app: "strict" } }, template: { metadata: { labels: { app: "strict" } }, spec: { containers: [{ name: "app", image: "nginx", securityContext: { runAsNonRoot: true, capabilities: { drop: ["ALL"] } } }], ...podSpec } } },
  });
  const podSpec = {
    securityContext: { runAsUser: 1000, fsGroup: 2000, seccompProfile: { type: "RuntimeDefault" } },
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/os", operator: "In", values: ["linux"] }] }] } } },
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { app: "strict" } } }],
    dnsConfig: { options: [{ name: "ndots", value: "2" }] },
    volumes: [{ name: "token", projected: { sources: [{ serviceAccountToken: { path: "token", expirationSeconds: 600 } }, { downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] } }] } }],
  };

  it("creates a deployment using them, takes back what it returned, and names a misspelled field at any depth", async () => {
    const created = await callJson<Obj>(`${DEPLOYMENTS}?fieldValidation=Strict`, { method: "POST", body: template(podSpec) });
    expect(created.status).toBe(201);
    // What the server returned (defaults included) is accepted back as it is, as `kubectl edit` sends it.
    const live = (await callJson<Obj>(`${DEPLOYMENTS}/strict`)).body;
    delete live.metadata.resourceVersion;
    expect((await callJson(`${DEPLOYMENTS}/strict?fieldValidation=Strict`, { method: "PUT", body: live })).status).toBe(200);
    const typo = structuredClone(podSpec) as Record<string, unknown> & { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: Record<string, unknown>[] } } } };
    typo.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0] = { matchExpression: [] };
    const bad = await callJson<{ reason: string; message: string }>(`${DEPLOYMENTS}/strict?fieldValidation=Strict`, { method: "PATCH", contentType: "application/merge-patch+json", body: { spec: { template: { spec: typo } } } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('strict decoding error: unknown field "spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpression"');
  });
});
