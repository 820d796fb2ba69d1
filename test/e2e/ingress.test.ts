// The docs' "Set up Ingress on Minikube with the NGINX Ingress Controller", adapted:
// the real kubectl creates the hello-app Deployments, exposes them, creates the
// Ingress (a protobuf body) and extends it with `kubectl apply`; curl reaches the pods
// through the Worker by host and path, with no token; kubectl shows the address, the
// rules with their endpoints and the controller's events; a Deployment scaled to zero
// answers 503.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { startCluster, eventually, type Cluster } from "./cluster";

const run = promisify(execFile);

const INGRESS = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: example-ingress
spec:
  ingressClassName: nginx
  rules:
    - host: hello-world.example
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  number: 8080
          - path: /v2
            pathType: Prefix
            backend:
              service:
                name: web2
                port:
                  number: 8080
`;

describe("Ingress with kubectl and curl", () => {
  let c: Cluster;
  /** curl as the docs use it: the cluster's address, the app's host in the Host header, no credentials. */
  const curl = async (path: string, ...extra: string[]) => {
    const { stdout } = await run("curl", ["-sk", "-w", "\n%{http_code}", ...extra, `https://127.0.0.1:${c.port}${path}`], { timeout: 30_000 });
    const at = stdout.lastIndexOf("\n");
    return { body: stdout.slice(0, at), status: Number(stdout.slice(at + 1)) };
  };
  const hello = (path: string) => curl(path, "-H", "Host: hello-world.example");

  beforeAll(async () => {
    c = await startCluster();
  }, 180_000);
  afterAll(async () => {
    await c?.stop();
  });

  it("routes hello-world.example to web, then /v2 to web2, and answers 503 once web has no pods", async () => {
    await c.kubectl(["create", "deployment", "web", "--image=gcr.io/google-samples/hello-app:1.0"]);
    await c.kubectl(["create", "deployment", "web2", "--image=gcr.io/google-samples/hello-app:2.0"]);
    await c.kubectl(["expose", "deployment", "web", "--type=NodePort", "--port=8080"]);
    await c.kubectl(["expose", "deployment", "web2", "--type=NodePort", "--port=8080"]);
    expect((await c.kubectl(["get", "ingressclass"])).stdout).toMatch(/^NAME\s+CONTROLLER\s+PARAMETERS\s+AGE\nnginx\s+edgekube\.dev\/ingress\s+<none>\s+\S+\n$/);
    const created = await c.kubectl(["create", "ingress", "example-ingress", "--class=nginx", "--rule=hello-world.example/*=web:8080"]);
    expect(created.stdout).toBe("ingress.networking.k8s.io/example-ingress created\n");

    const get = await eventually(async () => {
      const out = (await c.kubectl(["get", "ingress"])).stdout;
      return out.includes("127.0.0.1") && out;
    }, 30_000, "the Ingress's address");
    expect(get).toMatch(/^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE\nexample-ingress\s+nginx\s+hello-world\.example\s+127\.0\.0\.1\s+80\s+\S+\n$/);

    const v1 = await eventually(async () => {
      const r = await hello("/");
      return r.status === 200 && r;
    }, 60_000, "curl through the Ingress");
    expect(v1.body).toMatch(/^Hello, world!\nVersion: 1\.0\.0\nHostname: web-[a-z0-9]+-[a-z0-9]{5}\n$/);
    // The same with the name resolved to the cluster's address (SNI and Host both the app's).
    const resolved = await run("curl", ["-sk", "--resolve", `hello-world.example:${c.port}:127.0.0.1`, `https://hello-world.example:${c.port}/`], { timeout: 30_000 });
    expect(resolved.stdout).toContain("Version: 1.0.0");
    // The cluster's own host is the API's, whatever the Ingresses say.
    expect((await curl("/")).status).toBe(401);

    await c.kubectl(["apply", "-f", "-"], { input: INGRESS });
    const v2 = await eventually(async () => {
      const r = await hello("/v2");
      return r.body.includes("Version: 2.0.0") && r;
    }, 30_000, "the /v2 rule");
    expect(v2.body).toMatch(/^Hello, world!\nVersion: 2\.0\.0\nHostname: web2-[a-z0-9]+-[a-z0-9]{5}\n$/);
    expect((await hello("/")).body).toContain("Version: 1.0.0");

    const ips = (await c.kubectl(["get", "pods", "-o", "jsonpath={range .items[*]}{.metadata.labels.app}={.status.podIP} {end}"])).stdout;
    const ipOf = (app: string) => new RegExp(`(?:^| )${app}=([\\d.]+)`).exec(ips)![1];
    const describe = await eventually(async () => {
      const out = (await c.kubectl(["describe", "ingress", "example-ingress"])).stdout;
      return out.includes("Scheduled for sync") && out;
    }, 30_000, "the Sync event in describe");
    expect(describe).toMatch(/Ingress Class:\s+nginx\n/);
    expect(describe).toMatch(/Address:\s+127\.0\.0\.1\n/);
    expect(describe).toMatch(new RegExp(`hello-world\\.example\\s*\\n\\s+/\\s+web:8080 \\(${ipOf("web").replaceAll(".", "\\.")}:8080\\)\\n\\s+/v2\\s+web2:8080 \\(${ipOf("web2").replaceAll(".", "\\.")}:8080\\)`));
    expect(describe).toMatch(/Normal\s+Sync\s+.*edgekube-ingress-controller\s+Scheduled for sync/);

    await c.kubectl(["scale", "deployment", "web", "--replicas=0"]);
    const gone = await eventually(async () => {
      const r = await hello("/");
      return r.status === 503 && r;
    }, 60_000, "503 without endpoints");
    expect(gone.body).toContain("503 Service Temporarily Unavailable");
    expect((await hello("/v2")).status).toBe(200);
  }, 240_000);
});
