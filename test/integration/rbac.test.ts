// RBAC through the worker: decisions for a ServiceAccount (verbs, subresources,
// resourceNames, non-resource URLs, role bindings made and removed), the default
// policy, escalation prevention with upstream's messages, the access reviews, and
// impersonation. Every refused write leaves the store as it was.
import { describe, it, expect, beforeAll } from "vitest";
import { env } from "cloudflare:workers";
import { call, callJson, pod, waitFor } from "./helpers";
import { binding, createAs, createNamespace, createServiceAccount, role, saSubject, tokenFor, type StatusBody } from "./rbac-helpers";

const NS = "rbac-it";
const RBAC = "/apis/rbac.authorization.k8s.io/v1";
const USER = `system:serviceaccount:${NS}:reader`;
let reader = "";

async function snapshot(): Promise<unknown[]> {
  const rows = await env.DB.prepare("SELECT resource, namespace, name, resource_version FROM objects WHERE namespace = ? OR resource LIKE '%.rbac.authorization.k8s.io' ORDER BY resource, namespace, name").bind(NS).all();
  return rows.results;
}

const as = (token: string, path: string, opts: { method?: string; body?: unknown; contentType?: string } = {}) => callJson<StatusBody>(path, { ...opts, token });

beforeAll(async () => {
  await createNamespace(NS);
  await createServiceAccount(NS, "reader");
  reader = await tokenFor(NS, "reader");
  expect((await callJson(`${RBAC}/namespaces/${NS}/roles`, { method: "POST", body: role(NS, "pod-reader", [{ verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods", "pods/log"] }]) })).status).toBe(201);
  expect((await callJson(`${RBAC}/namespaces/${NS}/rolebindings`, { method: "POST", body: binding(NS, "reader", "Role", "pod-reader", [saSubject(NS, "reader")]) })).status).toBe(201);
  expect((await callJson(`/api/v1/namespaces/${NS}/pods`, { method: "POST", body: pod("existing") })).status).toBe(201);
});

describe("authorization of a ServiceAccount", () => {
  it("allows what its Role grants", async () => {
    expect((await as(reader, `/api/v1/namespaces/${NS}/pods`)).status).toBe(200);
    expect((await as(reader, `/api/v1/namespaces/${NS}/pods/existing`)).status).toBe(200);
  });

  it.each([
    ["create a pod", "POST", `/api/v1/namespaces/${NS}/pods`, pod("nope"), `pods is forbidden: User "${USER}" cannot create resource "pods" in API group "" in the namespace "${NS}"`],
    ["delete a pod", "DELETE", `/api/v1/namespaces/${NS}/pods/existing`, undefined, `pods "existing" is forbidden: User "${USER}" cannot delete resource "pods" in API group "" in the namespace "${NS}"`],
    ["read pods elsewhere", "GET", "/api/v1/namespaces/default/pods", undefined, `pods is forbidden: User "${USER}" cannot list resource "pods" in API group "" in the namespace "default"`],
    ["list pods across namespaces", "GET", "/api/v1/pods", undefined, `pods is forbidden: User "${USER}" cannot list resource "pods" in API group "" at the cluster scope`],
    ["exec (a subresource not granted)", "GET", `/api/v1/namespaces/${NS}/pods/existing/exec?command=sh`, undefined, `pods "existing" is forbidden: User "${USER}" cannot get resource "pods/exec" in API group "" in the namespace "${NS}"`],
    ["read secrets", "GET", `/api/v1/namespaces/${NS}/secrets`, undefined, `secrets is forbidden: User "${USER}" cannot list resource "secrets" in API group "" in the namespace "${NS}"`],
    ["read deployments", "GET", `/apis/apps/v1/namespaces/${NS}/deployments`, undefined, `deployments.apps is forbidden: User "${USER}" cannot list resource "deployments" in API group "apps" in the namespace "${NS}"`],
    ["mint a node token", "GET", "/edgekube/v1/nodes/node-1/token", undefined, `forbidden: User "${USER}" cannot get path "/edgekube/v1/nodes/node-1/token"`],
  ])("refuses to %s with upstream's 403, changing nothing", async (_what, method, path, body, message) => {
    const before = await snapshot();
    const res = await as(reader, path, { method, body });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ kind: "Status", status: "Failure", reason: "Forbidden", code: 403, message });
    expect(await snapshot()).toEqual(before);
  });

  it("gets discovery, /version and its own identity from the default policy", async () => {
    for (const path of ["/api", "/apis", "/api/v1", "/apis/rbac.authorization.k8s.io/v1", "/openapi/v3"]) expect({ path, status: (await as(reader, path)).status }).toEqual({ path, status: 200 });
    const who = await as(reader, "/apis/authentication.k8s.io/v1/selfsubjectreviews", { method: "POST", body: {} });
    expect(who.status).toBe(201);
  });

  it("follows pods/log, resourceNames and bindings as they change", async () => {
    expect((await call(`/api/v1/namespaces/${NS}/pods/existing/log`, { token: reader })).status).not.toBe(403);
    const cm = (name: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { k: "v" } });
    for (const n of ["mine", "theirs"]) expect((await callJson(`/api/v1/namespaces/${NS}/configmaps`, { method: "POST", body: cm(n) })).status).toBe(201);
    expect((await as(reader, `/api/v1/namespaces/${NS}/configmaps/mine`)).status).toBe(403);
    await callJson(`${RBAC}/namespaces/${NS}/roles`, { method: "POST", body: role(NS, "one-cm", [{ verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["mine"] }]) });
    await callJson(`${RBAC}/namespaces/${NS}/rolebindings`, { method: "POST", body: binding(NS, "one-cm", "Role", "one-cm", [{ kind: "ServiceAccount", name: "reader" }]) });
    expect((await as(reader, `/api/v1/namespaces/${NS}/configmaps/mine`)).status).toBe(200);
    expect((await as(reader, `/api/v1/namespaces/${NS}/configmaps/theirs`)).status).toBe(403);
    expect((await as(reader, `/api/v1/namespaces/${NS}/configmaps`)).status).toBe(403);
    expect((await call(`${RBAC}/namespaces/${NS}/rolebindings/one-cm`, { method: "DELETE" })).status).toBe(200);
    expect((await as(reader, `/api/v1/namespaces/${NS}/configmaps/mine`)).status).toBe(403);
  });

  it("says which role could not be found", async () => {
    await callJson(`${RBAC}/namespaces/${NS}/rolebindings`, { method: "POST", body: binding(NS, "dangling", "Role", "missing-role", [saSubject(NS, "reader")]) });
    const res = await as(reader, `/api/v1/namespaces/${NS}/services`);
    expect(res.body.message).toBe(`services is forbidden: User "${USER}" cannot list resource "services" in API group "" in the namespace "${NS}": RBAC: role.rbac.authorization.k8s.io "missing-role" not found`);
    await call(`${RBAC}/namespaces/${NS}/rolebindings/dangling`, { method: "DELETE" });
  });

  it("allows non-resource URLs by ClusterRole", async () => {
    expect((await as(reader, "/edgekube/v1/nodes/node-1/token")).status).toBe(403);
    await callJson(`${RBAC}/clusterroles`, { method: "POST", body: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "rbac-it-urls" }, rules: [{ verbs: ["get"], nonResourceURLs: ["/edgekube/v1/nodes/*"] }] } });
    await callJson(`${RBAC}/clusterrolebindings`, { method: "POST", body: binding("", "rbac-it-urls", "ClusterRole", "rbac-it-urls", [saSubject(NS, "reader")]) });
    expect((await as(reader, "/edgekube/v1/nodes/node-1/token")).status).toBe(200);
    await call(`${RBAC}/clusterrolebindings/rbac-it-urls`, { method: "DELETE" });
    expect((await as(reader, "/edgekube/v1/nodes/node-1/token")).status).toBe(403);
  });
});

describe("the default policy", () => {
  it("has upstream's roles and bindings, and aggregates view into edit into admin", async () => {
    for (const name of ["cluster-admin", "admin", "edit", "view", "system:basic-user", "system:discovery", "system:public-info-viewer"]) {
      expect({ name, status: (await callJson(`${RBAC}/clusterroles/${name}`)).status }).toEqual({ name, status: 200 });
    }
    const crb = await callJson<{ subjects: unknown[] }>(`${RBAC}/clusterrolebindings/system:public-info-viewer`);
    expect(crb.body.subjects).toEqual([
      { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "system:authenticated" },
      { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "system:unauthenticated" },
    ]);
    const admin = await callJson<{ rules: { resources?: string[] }[] }>(`${RBAC}/clusterroles/admin`);
    expect(admin.body.rules.some((r) => r.resources?.includes("rolebindings"))).toBe(true);
  });

  it("aggregates a new labeled ClusterRole into view, edit and admin", async () => {
    const widgets = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "widgets-view", labels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" } }, rules: [{ verbs: ["get"], apiGroups: ["example.com"], resources: ["widgets"] }] };
    expect((await callJson(`${RBAC}/clusterroles`, { method: "POST", body: widgets })).status).toBe(201);
    for (const name of ["view", "edit", "admin"]) {
      await waitFor(async () => {
        const r = await callJson<{ rules: { resources?: string[] }[] }>(`${RBAC}/clusterroles/${name}`);
        return r.body.rules.some((x) => x.resources?.includes("widgets"));
      }, `widgets in ${name}`);
    }
  });

  it("lets a view binding read but not write, and a namespace admin bind view but not cluster-admin", async () => {
    await createServiceAccount(NS, "viewer");
    const viewer = await tokenFor(NS, "viewer");
    await callJson(`${RBAC}/namespaces/${NS}/rolebindings`, { method: "POST", body: binding(NS, "viewer", "ClusterRole", "view", [saSubject(NS, "viewer")]) });
    expect((await as(viewer, `/apis/apps/v1/namespaces/${NS}/deployments`)).status).toBe(200);
    expect((await as(viewer, `/api/v1/namespaces/${NS}/secrets`)).status).toBe(403);
    expect((await as(viewer, `/api/v1/namespaces/${NS}/configmaps`, { method: "POST", body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "v" } } })).status).toBe(403);
  });
});

describe("escalation prevention", () => {
  let author = "";
  const AUTHOR = `system:serviceaccount:${NS}:author`;
  const GROUPS = `["system:serviceaccounts" "system:serviceaccounts:${NS}" "system:authenticated"]`;

  beforeAll(async () => {
    await createServiceAccount(NS, "author");
    author = await tokenFor(NS, "author");
    await callJson(`${RBAC}/namespaces/${NS}/roles`, {
      method: "POST",
      body: role(NS, "role-author", [
        { verbs: ["create", "update", "patch"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"] },
        { verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] },
      ]),
    });
    await callJson(`${RBAC}/namespaces/${NS}/rolebindings`, { method: "POST", body: binding(NS, "author", "Role", "role-author", [saSubject(NS, "author")]) });
  });

  it("lets a user make a role with rights they hold", async () => {
    expect((await createAs(author, `${RBAC}/namespaces/${NS}/roles`, role(NS, "subset", [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }]))).status).toBe(201);
  });

  it("refuses a role with rights they lack, saying which", async () => {
    const before = await snapshot();
    const res = await createAs(author, `${RBAC}/namespaces/${NS}/roles`, role(NS, "more", [{ verbs: ["get", "delete"], apiGroups: [""], resources: ["pods", "secrets"] }]));
    expect(res.status).toBe(403);
    expect(res.body.message).toBe(
      `roles.rbac.authorization.k8s.io "more" is forbidden: user "${AUTHOR}" (groups=${GROUPS}) is attempting to grant RBAC permissions not currently held:\n` +
        `{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete"]}`,
    );
    expect(await snapshot()).toEqual(before);
  });

  it("refuses the same through a patch", async () => {
    const res = await callJson<StatusBody>(`${RBAC}/namespaces/${NS}/roles/subset`, {
      method: "PATCH",
      contentType: "application/merge-patch+json",
      body: { rules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }] },
      token: author,
    });
    expect(res.status).toBe(403);
    expect(res.body.message).toContain(`is attempting to grant RBAC permissions not currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}`);
  });

  it("refuses a binding to a role whose rights they lack, and allows one to a role they hold", async () => {
    const before = await snapshot();
    const res = await createAs(author, `${RBAC}/namespaces/${NS}/rolebindings`, binding(NS, "power", "ClusterRole", "cluster-admin", [saSubject(NS, "author")]));
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(new RegExp(`^rolebindings\\.rbac\\.authorization\\.k8s\\.io "power" is forbidden: user "${AUTHOR}" \\(groups=.*\\) is attempting to grant RBAC permissions not currently held:\n`));
    expect(await snapshot()).toEqual(before);
    expect((await createAs(author, `${RBAC}/namespaces/${NS}/rolebindings`, binding(NS, "subset", "Role", "subset", [saSubject(NS, "reader")]))).status).toBe(201);
  });

  it("allows both with the escalate and bind verbs", async () => {
    await callJson(`${RBAC}/namespaces/${NS}/roles`, {
      method: "POST",
      body: role(NS, "escalator", [
        { verbs: ["escalate"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"] },
        { verbs: ["bind"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], resourceNames: ["edit"] },
      ]),
    });
    await callJson(`${RBAC}/namespaces/${NS}/rolebindings`, { method: "POST", body: binding(NS, "escalator", "Role", "escalator", [saSubject(NS, "author")]) });
    expect((await createAs(author, `${RBAC}/namespaces/${NS}/roles`, role(NS, "more", [{ verbs: ["delete"], apiGroups: [""], resources: ["secrets"] }]))).status).toBe(201);
    expect((await createAs(author, `${RBAC}/namespaces/${NS}/rolebindings`, binding(NS, "editors", "ClusterRole", "edit", [saSubject(NS, "reader")]))).status).toBe(201);
    expect((await createAs(author, `${RBAC}/namespaces/${NS}/rolebindings`, binding(NS, "admins", "ClusterRole", "admin", [saSubject(NS, "reader")]))).status).toBe(403);
    await call(`${RBAC}/namespaces/${NS}/rolebindings/editors`, { method: "DELETE" });
  });
});

describe("validation through the API", () => {
  it("refuses a Role with a URL and a binding whose roleRef changes", async () => {
    const bad = await callJson<StatusBody>(`${RBAC}/namespaces/${NS}/roles`, { method: "POST", body: role(NS, "urls", [{ verbs: ["get"], nonResourceURLs: ["/healthz"] }]) });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toBe(`Role.rbac.authorization.k8s.io "urls" is invalid: rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs`);
    const change = await callJson<StatusBody>(`${RBAC}/namespaces/${NS}/rolebindings/reader`, { method: "PATCH", contentType: "application/merge-patch+json", body: { roleRef: { name: "other" } } });
    expect(change.status).toBe(422);
    expect(change.body.message).toContain("cannot change roleRef");
  });

  it("prints the ROLE of a binding", async () => {
    const table = await callJson<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>(`${RBAC}/namespaces/${NS}/rolebindings`, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" });
    expect(table.body.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Role", "Age", "Users", "Groups", "ServiceAccounts"]);
    expect(table.body.rows.find((r) => r.cells[0] === "reader")?.cells[1]).toBe("Role/pod-reader");
  });
});

describe("access reviews", () => {
  const SSAR = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
  const ssar = (resourceAttributes: unknown) => ({ apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec: { resourceAttributes } });

  it("answers can-i for the caller", async () => {
    const yes = await createAs<{ status: { allowed: boolean; reason?: string } }>(reader, SSAR, ssar({ namespace: NS, verb: "list", resource: "pods" }));
    expect(yes.status).toBe(201);
    expect(yes.body.status).toEqual({ allowed: true, reason: `RBAC: allowed by RoleBinding "reader/${NS}" of Role "pod-reader" to ServiceAccount "reader/${NS}"` });
    const no = await createAs<{ status: { allowed: boolean } }>(reader, SSAR, ssar({ namespace: NS, verb: "create", resource: "pods" }));
    expect(no.body.status.allowed).toBe(false);
    const url = await createAs<{ status: { allowed: boolean } }>(reader, SSAR, { spec: { nonResourceAttributes: { path: "/version", verb: "get" } } });
    expect(url.body.status.allowed).toBe(true);
    const admin = await callJson<{ status: { allowed: boolean } }>(SSAR, { method: "POST", body: ssar({ verb: "*", resource: "*", group: "*" }) });
    expect(admin.body.status.allowed).toBe(true);
  });

  it("refuses a review asking for both kinds of attributes, or neither", async () => {
    const both = await createAs(reader, SSAR, { spec: { resourceAttributes: { verb: "get", resource: "pods" }, nonResourceAttributes: { path: "/", verb: "get" } } });
    expect(both.status).toBe(422);
    expect(both.body.message).toBe(`SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.nonResourceAttributes: Invalid value: "": cannot be specified in combination with resourceAttributes`);
    const neither = await createAs(reader, SSAR, { spec: {} });
    expect(neither.body.message).toBe(`SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified`);
  });

  it("lists the caller's rules", async () => {
    const res = await createAs<{ status: { resourceRules: { verbs: string[]; resources?: string[] }[]; nonResourceRules: { nonResourceURLs: string[] }[]; incomplete: boolean } }>(
      reader,
      "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
      { spec: { namespace: NS } },
    );
    expect(res.status).toBe(201);
    expect(res.body.status.resourceRules).toContainEqual({ verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods", "pods/log"] });
    expect(res.body.status.resourceRules).toContainEqual({ verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"] });
    expect(res.body.status.nonResourceRules.some((r) => r.nonResourceURLs.includes("/api/*"))).toBe(true);
    expect(res.body.status.incomplete).toBe(false);
  });

  it("answers SubjectAccessReview for administrators only", async () => {
    const sar = { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec: { user: USER, groups: ["system:serviceaccounts"], resourceAttributes: { namespace: NS, verb: "get", resource: "pods" } } };
    const ok = await callJson<{ status: { allowed: boolean } }>("/apis/authorization.k8s.io/v1/subjectaccessreviews", { method: "POST", body: sar });
    expect(ok.body.status.allowed).toBe(true);
    const refused = await createAs(reader, "/apis/authorization.k8s.io/v1/subjectaccessreviews", sar);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(`subjectaccessreviews.authorization.k8s.io is forbidden: User "${USER}" cannot create resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope`);
    const nobody = await callJson<StatusBody>("/apis/authorization.k8s.io/v1/subjectaccessreviews", { method: "POST", body: { spec: { resourceAttributes: { verb: "get", resource: "pods" } } } });
    expect(nobody.status).toBe(422);
    expect(nobody.body.message).toBe(`SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified`);
  });
});

describe("impersonation", () => {
  it("lets the administrator act as the ServiceAccount", async () => {
    const headers = { "impersonate-user": USER };
    const list = await worker(`/api/v1/namespaces/${NS}/pods`, headers);
    expect(list.status).toBe(200);
    const create = await worker(`/api/v1/namespaces/${NS}/pods`, headers, { method: "POST", body: JSON.stringify(pod("as-reader")), headers: { "content-type": "application/json" } });
    expect(create.status).toBe(403);
    expect(((await create.json()) as StatusBody).message).toBe(`pods is forbidden: User "${USER}" cannot create resource "pods" in API group "" in the namespace "${NS}"`);
    const who = await worker("/apis/authentication.k8s.io/v1/selfsubjectreviews", headers, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    expect(((await who.json()) as { status: { userInfo: unknown } }).status.userInfo).toEqual({ username: USER, groups: ["system:serviceaccounts", `system:serviceaccounts:${NS}`, "system:authenticated"] });
  });

  it("refuses a ServiceAccount without the impersonate verb, with upstream's message", async () => {
    const user = await worker(`/api/v1/namespaces/${NS}/pods`, { "impersonate-user": "jane" }, {}, reader);
    expect(user.status).toBe(403);
    expect(((await user.json()) as StatusBody).message).toBe(`users "jane" is forbidden: User "${USER}" cannot impersonate resource "users" in API group "" at the cluster scope`);
    const group = await worker(`/api/v1/namespaces/${NS}/pods`, { "impersonate-user": USER, "impersonate-group": "system:masters" }, {}, reader);
    expect(group.status).toBe(403);
  });

  it("refuses groups without a user", async () => {
    const res = await worker(`/api/v1/namespaces/${NS}/pods`, { "impersonate-group": "system:masters" });
    expect(res.status).toBe(400);
  });
});

async function worker(path: string, impersonate: Record<string, string>, init: RequestInit = {}, token = "test-token"): Promise<Response> {
  const { exports } = await import("cloudflare:workers");
  const w = (exports as unknown as { default: { fetch(req: Request): Promise<Response> } }).default;
  return w.fetch(new Request(`https://edgekube.test${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...impersonate, ...(init.headers as Record<string, string>) } }));
}
