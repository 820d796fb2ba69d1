// Who may do what, with the real kubectl and the official Python client against a real
// `wrangler dev`: a ServiceAccount, a Role that allows reading pods and its
// RoleBinding (all made with kubectl create), `kubectl create token`, a kubeconfig user
// with that token reading pods and refused creating one, `auth can-i` (with --list),
// `auth whoami`, and the administrator acting --as the ServiceAccount. A pod running as
// the ServiceAccount reaches the API from inside with its mounted token and CA (curl to
// kubernetes.default.svc), and @kubernetes/client-node uses that token from outside.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import * as k8s from "@kubernetes/client-node";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startCluster, kubectlArgs, kubectlEnv, type Cluster } from "./cluster";

const run = promisify(execFile);
const PYTHON = "/usr/bin/python3";
const SCRIPT = fileURLToPath(new URL("./python/rbac_checks.py", import.meta.url));
const USER = "system:serviceaccount:default:reader";
const SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

describe("RBAC with ServiceAccount tokens", () => {
  let c: Cluster;
  let token = "";
  /** kubectl as the ServiceAccount: a kubeconfig whose user is its token. */
  let asReader: (args: string[]) => Promise<{ stdout: string; stderr: string; code: number }>;

  beforeAll(async () => {
    c = await startCluster();
    await c.kubectl(["create", "serviceaccount", "reader"]);
    await c.kubectl(["create", "role", "pod-reader", "--verb=get,list,watch", "--resource=pods,pods/log"]);
    await c.kubectl(["create", "rolebinding", "reader", "--role=pod-reader", "--serviceaccount=default:reader"]);
    await c.kubectl(["run", "web", "--image=nginx:1.27", "--restart=Never"]);
    await c.kubectl(["run", "in-cluster", "--image=nginx:1.27", "--restart=Never", '--overrides={"spec":{"serviceAccountName":"reader"}}']);
    token = (await c.kubectl(["create", "token", "reader", "--duration=30m"])).stdout.trim();
    const kubeconfig = join(c.dir, "reader.kubeconfig");
    writeFileSync(
      kubeconfig,
      [
        "apiVersion: v1",
        "kind: Config",
        `clusters: [{name: e2e, cluster: {server: "${c.url}", insecure-skip-tls-verify: true}}]`,
        `users: [{name: reader, user: {token: "${token}"}}]`,
        "contexts: [{name: reader, context: {cluster: e2e, user: reader, namespace: default}}]",
        "current-context: reader",
        "",
      ].join("\n"),
    );
    const cfg = { kubeconfig, dir: join(c.dir, "reader") };
    asReader = async (args) => {
      try {
        const { stdout, stderr } = await run("kubectl", kubectlArgs(cfg, args), { timeout: 60_000, env: kubectlEnv(cfg) });
        return { stdout, stderr, code: 0 };
      } catch (e) {
        const err = e as { stdout?: string; stderr?: string; code?: number };
        return { stdout: err.stdout ?? "", stderr: err.stderr ?? "", code: typeof err.code === "number" ? err.code : 1 };
      }
    };
  });
  afterAll(async () => {
    await c?.stop();
  });

  it("kubectl create made the Role and the RoleBinding, printed with their columns", async () => {
    const role = JSON.parse((await c.kubectl(["get", "role", "pod-reader", "-o", "json"])).stdout) as { rules: unknown[] };
    expect(role.rules).toEqual([{ verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods", "pods/log"] }]);
    const bindings = (await c.kubectl(["get", "rolebinding", "reader"])).stdout;
    expect(bindings.split("\n")[0]).toMatch(/^NAME\s+ROLE\s+AGE$/);
    expect(bindings).toMatch(/^reader\s+Role\/pod-reader\s+\S+$/m);
    const wide = (await c.kubectl(["get", "rolebinding", "reader", "-o", "wide"])).stdout;
    expect(wide).toMatch(/default\/reader/);
  });

  it("kubectl create token gives a JWT for the ServiceAccount", () => {
    const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()) as { sub: string; exp: number; iat: number };
    expect(claims.sub).toBe(USER);
    expect(claims.exp - claims.iat).toBe(1800);
  });

  it("the token reads pods and is refused creating one with kubectl's Forbidden", async () => {
    const pods = await asReader(["get", "pods"]);
    expect(pods.code).toBe(0);
    expect(pods.stdout).toMatch(/^web\s/m);
    const create = await asReader(["run", "nope", "--image=nginx:1.27", "--restart=Never"]);
    expect(create.code).not.toBe(0);
    expect(create.stderr.trim()).toBe(`Error from server (Forbidden): pods is forbidden: User "${USER}" cannot create resource "pods" in API group "" in the namespace "default"`);
    const secrets = await asReader(["get", "secrets"]);
    expect(secrets.stderr.trim()).toBe(`Error from server (Forbidden): secrets is forbidden: User "${USER}" cannot list resource "secrets" in API group "" in the namespace "default"`);
  });

  it("auth can-i answers yes and no", async () => {
    expect((await asReader(["auth", "can-i", "list", "pods"])).stdout.trim()).toBe("yes");
    expect((await asReader(["auth", "can-i", "get", "pods/log"])).stdout.trim()).toBe("yes");
    const no = await asReader(["auth", "can-i", "create", "pods"]);
    expect(no.stdout.trim()).toBe("no");
    expect(no.code).toBe(1);
    expect((await asReader(["auth", "can-i", "list", "pods", "-n", "kube-system"])).stdout.trim()).toBe("no");
    expect((await c.kubectl(["auth", "can-i", "create", "pods", `--as=${USER}`], { allowFail: true })).stdout.trim()).toBe("no");
    expect((await c.kubectl(["auth", "can-i", "*", "*"])).stdout.trim()).toBe("yes");
  });

  it("auth can-i --list shows the ServiceAccount's rules", async () => {
    const out = (await asReader(["auth", "can-i", "--list"])).stdout;
    expect(out.split("\n")[0]).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/);
    expect(out).toMatch(/^pods\/log\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    expect(out).toMatch(/^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    expect(out).toMatch(/^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
    expect(out).toMatch(/^\s+\[\/api\/\*\]\s+\[\]\s+\[get\]$/m);
  });

  it("auth whoami names the ServiceAccount and its groups", async () => {
    const out = (await asReader(["auth", "whoami"])).stdout;
    expect(out).toMatch(new RegExp(`^Username\\s+${USER}$`, "m"));
    expect(out).toMatch(/^Groups\s+\[system:serviceaccounts system:serviceaccounts:default system:authenticated\]$/m);
    const admin = (await c.kubectl(["auth", "whoami"])).stdout;
    expect(admin).toMatch(/^Username\s+kubernetes-admin$/m);
  });

  it("--as acts as the ServiceAccount, and the ServiceAccount may not impersonate", async () => {
    const pods = await c.kubectl(["get", "pods", `--as=${USER}`]);
    expect(pods.stdout).toMatch(/^web\s/m);
    const create = await c.kubectl(["run", "nope", "--image=nginx:1.27", "--restart=Never", `--as=${USER}`], { allowFail: true });
    expect(create.stderr.trim()).toBe(`Error from server (Forbidden): pods is forbidden: User "${USER}" cannot create resource "pods" in API group "" in the namespace "default"`);
    const escalate = await asReader(["get", "pods", "--as=jane"]);
    // Discovery is impersonated too: kubectl first logs that it failed, then the refusal.
    expect(escalate.stderr.trim().split("\n").pop()).toBe(`Error from server (Forbidden): users "jane" is forbidden: User "${USER}" cannot impersonate resource "users" in API group "" at the cluster scope`);
  });

  it("the Python client lists pods with the token and gets a 403 ApiException creating one", async () => {
    const { stdout } = await run(PYTHON, [SCRIPT, c.url, token, "default"], { timeout: 120_000, env: { ...process.env, PYTHONWARNINGS: "ignore" } });
    const r = JSON.parse(stdout.trim().split("\n").pop()!) as { pods: string[]; create: { status: number; reason?: string; message?: string } };
    expect(r.pods).toContain("web");
    expect(r.create).toEqual({ status: 403, reason: "Forbidden", message: `pods is forbidden: User "${USER}" cannot create resource "pods" in API group "" in the namespace "default"` });
  });

  describe("from inside a pod running as the ServiceAccount", () => {
    beforeAll(async () => {
      await c.kubectl(["wait", "--for=condition=Ready", "pod/in-cluster", "--timeout=90s"], { timeoutMs: 100_000 });
    });

    it("kubectl exec reads the mounted namespace, and curl lists pods through kubernetes.default.svc with the token and CA", async () => {
      expect((await c.kubectl(["exec", "in-cluster", "--", "cat", `${SA_DIR}/namespace`])).stdout).toBe("default");
      const curl = `curl -s --cacert ${SA_DIR}/ca.crt -H "Authorization: Bearer $(cat ${SA_DIR}/token)"`;
      const list = JSON.parse((await c.kubectl(["exec", "in-cluster", "--", "sh", "-c", `${curl} https://kubernetes.default.svc/api/v1/namespaces/default/pods`])).stdout) as { kind: string; items: { metadata: { name: string } }[] };
      expect(list.kind).toBe("PodList");
      expect(list.items.map((p) => p.metadata.name).sort()).toEqual(expect.arrayContaining(["in-cluster", "web"]));
      const refused = JSON.parse((await c.kubectl(["exec", "in-cluster", "--", "sh", "-c", `${curl} -X DELETE https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/api/v1/namespaces/default/pods/web`])).stdout) as { code: number; reason: string; message: string };
      expect(refused).toMatchObject({ code: 403, reason: "Forbidden", message: `pods "web" is forbidden: User "${USER}" cannot delete resource "pods" in API group "" in the namespace "default"` });
    });

    it("client-node with the token read from the pod's file lists pods and is refused a write", async () => {
      const mounted = (await c.kubectl(["exec", "in-cluster", "--", "cat", `${SA_DIR}/token`])).stdout;
      const claims = JSON.parse(Buffer.from(mounted.split(".")[1], "base64url").toString()) as { sub: string; "kubernetes.io": { pod: { name: string } } };
      expect(claims.sub).toBe(USER);
      expect(claims["kubernetes.io"].pod.name).toBe("in-cluster");
      const kc = new k8s.KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: "e2e", server: c.url, skipTLSVerify: true }],
        users: [{ name: "pod", token: mounted }],
        contexts: [{ name: "pod", cluster: "e2e", user: "pod" }],
        currentContext: "pod",
      });
      const core = kc.makeApiClient(k8s.CoreV1Api);
      const pods = await core.listNamespacedPod({ namespace: "default" });
      expect(pods.items.map((p) => p.metadata?.name)).toContain("in-cluster");
      const refused = await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "nope" }, data: { a: "b" } } }).then(
        () => undefined,
        (e: { code?: number; body?: string }) => e,
      );
      expect(refused?.code).toBe(403);
      expect(JSON.parse(refused?.body ?? "{}")).toMatchObject({ reason: "Forbidden", message: `configmaps is forbidden: User "${USER}" cannot create resource "configmaps" in API group "" in the namespace "default"` });
    });
  });

  it("a deleted ServiceAccount's token stops working", async () => {
    await c.kubectl(["create", "serviceaccount", "temp"]);
    await c.kubectl(["create", "rolebinding", "temp", "--role=pod-reader", "--serviceaccount=default:temp"]);
    const temp = (await c.kubectl(["create", "token", "temp"])).stdout.trim();
    const ok = await fetch(`${c.url}/api/v1/namespaces/default/pods`, { headers: { authorization: `Bearer ${temp}` } });
    expect(ok.status).toBe(200);
    await c.kubectl(["delete", "serviceaccount", "temp"]);
    const gone = await fetch(`${c.url}/api/v1/namespaces/default/pods`, { headers: { authorization: `Bearer ${temp}` } });
    expect(gone.status).toBe(401);
  });
});
