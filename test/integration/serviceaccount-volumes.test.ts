// ServiceAccount tokens mounted into pods, on a real node Durable Object: the volume the
// ServiceAccount admission plugin adds, the files the kubelet renders into it (a token
// bound to the pod, the cluster CA the root-CA publisher keeps in every namespace, the
// namespace), projected and downwardAPI volumes, and a pod's own requests to the API
// server with its token, answered as RBAC allows.
import { describe, it, expect, beforeAll } from "vitest";
import { call, callJson, waitFor, TOKEN } from "./helpers";
import { FakeClock, boundPod, createPod, execWs, getPod, runUntil, startNode, type AgentStub } from "./node-helpers";
import { claimsOf, createServiceAccount, role, type StatusBody } from "./rbac-helpers";
import { nodeToken } from "../../src/api/node-token";

const NODE = "kn-satoken";
const clock = new FakeClock();
let node: AgentStub;
const NS = "/api/v1/namespaces/default";
const SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
const sleeper = { name: "app", image: "busybox:1.37", command: ["sh", "-c", "sleep 3600"] };

type Vol = { name: string; projected?: unknown };
type PodSpecView = { volumes?: Vol[]; containers: { volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] }[]; initContainers?: { volumeMounts?: { name: string; mountPath: string }[] }[] };

const running = async (pod: string) => !!(await getPod(pod))?.status?.containerStatuses?.[0]?.state?.running;
const sh = async (pod: string, script: string) => {
  const r = await execWs(pod, ["sh", "-c", script]);
  const code = r.exit?.status === "Success" ? 0 : Number(r.exit?.details?.causes?.find((c) => c.reason === "ExitCode")?.message);
  return { ...r, exitCode: code };
};

async function startPod(body: unknown): Promise<void> {
  const created = await createPod(body);
  await node.poke();
  await runUntil(node, clock, clock.t + 5_000);
  await waitFor(() => running(created.metadata.name!), `${created.metadata.name} to run`);
}

async function rootCA(ns = "default"): Promise<{ data: Record<string, string>; metadata: { uid: string; annotations?: Record<string, string>; resourceVersion: string } } | undefined> {
  const res = await callJson<{ data: Record<string, string>; metadata: { uid: string; resourceVersion: string } }>(`/api/v1/namespaces/${ns}/configmaps/kube-root-ca.crt`);
  return res.status === 200 ? res.body : undefined;
}

beforeAll(async () => {
  node = await startNode(NODE, clock);
  await waitFor(() => rootCA(), "kube-root-ca.crt in default");
  await waitFor(async () => (await callJson(`${NS}/serviceaccounts/default`)).status === 200, "the default ServiceAccount");
});

describe("the root CA publisher", () => {
  it("keeps kube-root-ca.crt in every namespace: made again when deleted, put back when changed", async () => {
    const first = (await rootCA())!;
    expect(first.data["ca.crt"]).toMatch(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/);
    expect(first.metadata.annotations?.["kubernetes.io/description"]).toMatch(/^Contains a CA bundle that can be used to verify the kube-apiserver/);
    expect((await call(`${NS}/configmaps/kube-root-ca.crt`, { method: "DELETE" })).status).toBe(200);
    const again = await waitFor(async () => {
      const cm = await rootCA();
      return cm && cm.metadata.uid !== first.metadata.uid && cm;
    }, "kube-root-ca.crt to be made again");
    expect(again.data).toEqual(first.data);
    const put = await callJson(`${NS}/configmaps/kube-root-ca.crt`, { method: "PUT", body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "kube-root-ca.crt", resourceVersion: again.metadata.resourceVersion }, data: { "ca.crt": "forged" } } });
    expect(put.status).toBe(200);
    await waitFor(async () => (await rootCA())?.data["ca.crt"] === first.data["ca.crt"], "the CA to be put back");
    // Another namespace gets the same CA.
    await callJson("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name: "ca-elsewhere" } } });
    const other = await waitFor(() => rootCA("ca-elsewhere"), "kube-root-ca.crt in a new namespace");
    expect(other.data["ca.crt"]).toBe(first.data["ca.crt"]);
  });
});

describe("the ServiceAccount admission plugin", () => {
  it("adds kube-api-access-XXXXX to every container and init container, as upstream writes it", async () => {
    const res = await callJson<{ spec: PodSpecView }>(`${NS}/pods`, {
      method: "POST",
      body: boundPod("sa-shape", "nowhere", {
        initContainers: [{ name: "init", image: "busybox:1.37", command: ["true"] }],
        containers: [sleeper, { name: "own", image: "busybox:1.37", volumeMounts: [{ name: "mine", mountPath: SA_DIR }] }],
        volumes: [{ name: "mine", emptyDir: {} }],
      }),
    });
    expect(res.status).toBe(201);
    const vol = res.body.spec.volumes!.find((v) => v.name.startsWith("kube-api-access-"))!;
    expect(vol.name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(vol.projected).toEqual({
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
      ],
    });
    const mount = { name: vol.name, readOnly: true, mountPath: SA_DIR };
    expect(res.body.spec.initContainers![0].volumeMounts).toEqual([mount]);
    expect(res.body.spec.containers[0].volumeMounts).toEqual([mount]);
    // A container that mounts something at the path keeps its own.
    expect(res.body.spec.containers[1].volumeMounts).toEqual([{ name: "mine", mountPath: SA_DIR }]);
  });

  it("mounts nothing when the pod or its ServiceAccount says automountServiceAccountToken: false", async () => {
    const byPod = await callJson<{ spec: PodSpecView }>(`${NS}/pods`, { method: "POST", body: boundPod("sa-off", "nowhere", { automountServiceAccountToken: false }) });
    expect(byPod.body.spec.volumes ?? []).toEqual([]);
    await callJson(`${NS}/serviceaccounts`, { method: "POST", body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "quiet" }, automountServiceAccountToken: false } });
    const bySA = await callJson<{ spec: PodSpecView }>(`${NS}/pods`, { method: "POST", body: boundPod("sa-quiet", "nowhere", { serviceAccountName: "quiet" }) });
    expect(bySA.body.spec.volumes ?? []).toEqual([]);
    // The pod's preference wins over its account's.
    const override = await callJson<{ spec: PodSpecView }>(`${NS}/pods`, { method: "POST", body: boundPod("sa-on", "nowhere", { serviceAccountName: "quiet", automountServiceAccountToken: true }) });
    expect(override.body.spec.volumes?.map((v) => v.name)).toEqual([expect.stringMatching(/^kube-api-access-/)]);
  });

  it("refuses a projected token that would live under ten minutes, with upstream's 422", async () => {
    const res = await callJson<StatusBody>(`${NS}/pods`, {
      method: "POST",
      body: boundPod("sa-short", "nowhere", { volumes: [{ name: "t", projected: { sources: [{ serviceAccountToken: { path: "token", expirationSeconds: 60 } }] } }] }),
    });
    expect(res.status).toBe(422);
    expect(res.body.message).toBe('Pod "sa-short" is invalid: spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes');
    expect((await call(`${NS}/pods/sa-short`)).status).toBe(404);
  });

  it("refuses a pod whose ServiceAccount does not exist, with upstream's 403, and stores nothing", async () => {
    const res = await callJson<StatusBody>(`${NS}/pods`, { method: "POST", body: boundPod("sa-missing", "nowhere", { serviceAccountName: "ghost" }) });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ kind: "Status", reason: "Forbidden", message: 'pods "sa-missing" is forbidden: error looking up service account default/ghost: serviceaccount "ghost" not found' });
    expect((await call(`${NS}/pods/sa-missing`)).status).toBe(404);
  });
});

describe("the token volume on a node", () => {
  beforeAll(() => startPod(boundPod("sa-files", NODE, { containers: [sleeper] })));

  it("holds a token bound to the pod, the cluster CA and the namespace", async () => {
    const pod = (await getPod("sa-files"))!;
    const token = (await sh("sa-files", `cat ${SA_DIR}/token`)).stdout;
    const claims = claimsOf(token);
    expect(claims.sub).toBe("system:serviceaccount:default:default");
    expect(claims.aud).toEqual(["https://kubernetes.default.svc.cluster.local"]);
    expect((claims.exp as number) - (claims.iat as number)).toBe(3607);
    expect(claims["kubernetes.io"]).toMatchObject({ namespace: "default", pod: { name: "sa-files", uid: pod.metadata.uid }, serviceaccount: { name: "default" } });
    expect((await sh("sa-files", `cat ${SA_DIR}/ca.crt`)).stdout).toBe((await rootCA())!.data["ca.crt"]);
    expect((await sh("sa-files", `cat ${SA_DIR}/namespace`)).stdout).toBe("default");
    expect((await sh("sa-files", `ls ${SA_DIR}`)).stdout.split(/\s+/).filter(Boolean).sort()).toEqual(["ca.crt", "namespace", "token"]);
    // The token authenticates as the pod's account, with the pod named in its extra.
    const review = await callJson<{ status: { authenticated: boolean; user: { username: string; extra: Record<string, string[]> } } }>("/apis/authentication.k8s.io/v1/tokenreviews", {
      method: "POST",
      body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token } },
    });
    expect(review.body.status.user.username).toBe("system:serviceaccount:default:default");
    expect(review.body.status.user.extra["authentication.kubernetes.io/pod-name"]).toEqual(["sa-files"]);
  });

  it("is read-only", async () => {
    const r = await sh("sa-files", `echo x > ${SA_DIR}/token`);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/Read-only file system/);
  });

  it("gets a new token once 80% of the old one's life has passed, and keeps it until then", async () => {
    const before = (await sh("sa-files", `cat ${SA_DIR}/token`)).stdout;
    await runUntil(node, clock, clock.t + 60_000);
    expect((await sh("sa-files", `cat ${SA_DIR}/token`)).stdout).toBe(before);
    await runUntil(node, clock, clock.t + 3607 * 800);
    const after = await waitFor(async () => {
      const t = (await sh("sa-files", `cat ${SA_DIR}/token`)).stdout;
      return t !== before && t;
    }, "a refreshed token");
    expect(claimsOf(after)["kubernetes.io"]).toMatchObject({ pod: { name: "sa-files" } });
  });
});

describe("projected and downwardAPI volumes", () => {
  beforeAll(async () => {
    await callJson(`${NS}/configmaps`, { method: "POST", body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "proj-cm" }, data: { colour: "blue", size: "L" } } });
    await callJson(`${NS}/secrets`, { method: "POST", body: { apiVersion: "v1", kind: "Secret", metadata: { name: "proj-secret" }, stringData: { password: "hunter2" } } });
    await startPod(
      boundPod(
        "proj",
        NODE,
        {
          containers: [
            {
              ...sleeper,
              resources: { requests: { cpu: "250m", memory: "64Mi" }, limits: { memory: "128Mi" } },
              volumeMounts: [
                { name: "all", mountPath: "/etc/all" },
                { name: "podinfo", mountPath: "/etc/podinfo" },
              ],
            },
          ],
          volumes: [
            {
              name: "all",
              projected: {
                sources: [
                  { configMap: { name: "proj-cm", items: [{ key: "colour", path: "config/colour" }] } },
                  { secret: { name: "proj-secret" } },
                  { secret: { name: "not-there", optional: true } },
                  { downwardAPI: { items: [{ path: "name", fieldRef: { fieldPath: "metadata.name" } }] } },
                  { serviceAccountToken: { path: "api-token", audience: "vault", expirationSeconds: 600 } },
                ],
              },
            },
            {
              name: "podinfo",
              downwardAPI: {
                items: [
                  { path: "labels", fieldRef: { fieldPath: "metadata.labels" } },
                  { path: "annotations", fieldRef: { fieldPath: "metadata.annotations" } },
                  { path: "uid", fieldRef: { fieldPath: "metadata.uid" } },
                  { path: "cpu_request", resourceFieldRef: { containerName: "app", resource: "requests.cpu", divisor: "1m" } },
                  { path: "mem_limit", resourceFieldRef: { containerName: "app", resource: "limits.memory", divisor: "1Mi" } },
                  { path: "cpu_limit", resourceFieldRef: { containerName: "app", resource: "limits.cpu" } },
                ],
              },
            },
          ],
        },
        { labels: { app: "proj", zone: "us-est-coast" }, annotations: { builder: "john-doe" } },
      ),
    );
  });

  it("puts every source's files in one directory", async () => {
    const r = await sh("proj", "cat /etc/all/config/colour; echo; cat /etc/all/password; echo; cat /etc/all/name; echo; ls /etc/all");
    expect(r.stdout.split("\n").slice(0, 3)).toEqual(["blue", "hunter2", "proj"]);
    expect(r.stdout.split("\n").slice(3).join(" ").split(/\s+/).filter(Boolean).sort()).toEqual(["api-token", "config", "name", "password"]);
    const claims = claimsOf((await sh("proj", "cat /etc/all/api-token")).stdout);
    expect(claims.aud).toEqual(["vault"]);
    expect((claims.exp as number) - (claims.iat as number)).toBe(600);
  });

  it("renders the pod's metadata and its container's resources, limits falling back to the node's", async () => {
    const pod = (await getPod("proj"))!;
    const read = async (f: string) => (await sh("proj", `cat /etc/podinfo/${f}`)).stdout;
    expect(await read("labels")).toBe('app="proj"\nzone="us-est-coast"');
    expect(await read("annotations")).toBe('builder="john-doe"');
    expect(await read("uid")).toBe(pod.metadata.uid);
    expect(await read("cpu_request")).toBe("250");
    expect(await read("mem_limit")).toBe("128");
    expect(await read("cpu_limit")).toBe("4");
  });

  it("follows label changes", async () => {
    const res = await callJson(`${NS}/pods/proj`, {
      method: "PATCH",
      body: { metadata: { labels: { zone: "eu-west" } } },
      contentType: "application/merge-patch+json",
    });
    expect(res.status).toBe(200);
    await waitFor(async () => (await sh("proj", "cat /etc/podinfo/labels")).stdout === 'app="proj"\nzone="eu-west"', "the labels file to follow the pod");
  });
});

describe("in-cluster access to the API", () => {
  const curl = (rest: string) => `curl -s --cacert ${SA_DIR}/ca.crt -H "Authorization: Bearer $(cat ${SA_DIR}/token)" ${rest}`;

  beforeAll(async () => {
    await createServiceAccount("default", "pod-reader");
    expect((await callJson("/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles", { method: "POST", body: role("default", "pod-reader", [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }]) })).status).toBe(201);
    const binding = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "pod-reader", namespace: "default" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "pod-reader" },
      subjects: [{ kind: "ServiceAccount", name: "pod-reader", namespace: "default" }],
    };
    expect((await callJson("/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", { method: "POST", body: binding })).status).toBe(201);
    await startPod(boundPod("in-cluster", NODE, { serviceAccountName: "pod-reader", containers: [{ ...sleeper, image: "nginx:1.27", command: undefined }] }));
  });

  it("lists pods as the pod's ServiceAccount through kubernetes.default.svc with the mounted CA", async () => {
    const r = await sh("in-cluster", curl("https://kubernetes.default.svc/api/v1/namespaces/default/pods"));
    expect(r.exitCode).toBe(0);
    const list = JSON.parse(r.stdout) as { kind: string; items: { metadata: { name: string } }[] };
    expect(list.kind).toBe("PodList");
    expect(list.items.map((p) => p.metadata.name)).toContain("in-cluster");
    // The same through the environment the kubelet gives every pod, and with -k.
    const viaEnv = await sh("in-cluster", curl('https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/api/v1/namespaces/default/pods/in-cluster -o /dev/null -w "%{http_code}"'));
    expect(viaEnv.stdout).toBe("200");
    const insecure = await sh("in-cluster", `curl -sk -o /dev/null -w "%{http_code}" -H "Authorization: Bearer $(cat ${SA_DIR}/token)" https://kubernetes/api/v1/namespaces/default/pods`);
    expect(insecure.stdout).toBe("200");
  });

  it("is refused what RBAC does not grant, with upstream's 403 Status", async () => {
    const r = await sh("in-cluster", curl("-X DELETE https://kubernetes.default.svc/api/v1/namespaces/default/pods/sa-files"));
    const status = JSON.parse(r.stdout) as StatusBody;
    expect(status).toMatchObject({
      kind: "Status",
      code: 403,
      reason: "Forbidden",
      message: 'pods "sa-files" is forbidden: User "system:serviceaccount:default:pod-reader" cannot delete resource "pods" in API group "" in the namespace "default"',
    });
    expect(await getPod("sa-files")).toBeDefined();
    // Without a token the request is anonymous: 401.
    const anonymous = await sh("in-cluster", `curl -s -o /dev/null -w "%{http_code}" --cacert ${SA_DIR}/ca.crt https://kubernetes.default.svc/api/v1/namespaces/default/pods`);
    expect(anonymous.stdout, JSON.stringify(anonymous)).toBe("401");
  });

  it("checks the server against the CA: no CA or the wrong one fails as curl fails", async () => {
    const noCA = await sh("in-cluster", "curl -sS https://kubernetes.default.svc/api");
    expect(noCA.exitCode).toBe(60);
    expect(noCA.stderr).toContain("curl: (60) SSL certificate problem: unable to get local issuer certificate");
    const missing = await sh("in-cluster", "curl -s --cacert /nope.crt https://kubernetes.default.svc/api");
    expect(missing.exitCode).toBe(77);
  });

  it("a node gets tokens only for pods bound to it that run as the account", async () => {
    const other = await createPod(boundPod("elsewhere", "some-other-node"));
    const as = async (name: string, uid: string, sa = "default") =>
      callJson<StatusBody>(`${NS}/serviceaccounts/${sa}/token`, {
        method: "POST",
        token: await nodeToken(TOKEN, NODE),
        body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { boundObjectRef: { kind: "Pod", apiVersion: "v1", name, uid } } },
      });
    const foreign = await as("elsewhere", other.metadata.uid!);
    expect(foreign.status).toBe(403);
    expect(foreign.body.message).toBe('serviceaccounts "default" is forbidden: node requested token bound to a pod scheduled on a different node');
    const mine = (await getPod("sa-files"))!;
    expect((await as("sa-files", mine.metadata.uid!)).status).toBe(201);
    const wrongAccount = await as("sa-files", mine.metadata.uid!, "pod-reader");
    expect(wrongAccount.status).toBe(403);
    expect(wrongAccount.body.message).toContain("no relationship found between node 'kn-satoken' and this object");
  });
});
