// How a node reaches the API server: through the Worker's own fetch entrypoint (the
// node agent passes ctx.exports.default), so every request goes through the API's
// filter chain, authentication included; the node adds no credential to what a pod
// sends. Two callers:
// - the kubelet's token manager, which asks TokenRequest for a token bound to a pod,
//   as system:node:NAME (the API checks the pod runs here, as NodeRestriction does);
// - a pod's own HTTPS request to the `kubernetes` Service (kubernetes.default.svc,
//   10.96.0.1:443), answered with the certificate names the API server's has.
import type { HttpOutcome, HttpRequest } from "./images/types";
import type { ServerTls } from "./runtime/cri";
import { TokenError, type TokenSource } from "./kubelet/service-account-token";
import { KUBERNETES_SERVICE_IP } from "../model/cluster-addresses";

/** The API server's serving certificate names (kubeadm's, for the in-cluster ones). */
export const API_SERVER_NAMES = ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", KUBERNETES_SERVICE_IP];
const BASE = "https://kubernetes.default.svc";

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  201: "Created",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

interface ApiServerDeps {
  /** The API Worker's fetch. */
  fetch: (req: Request) => Promise<Response>;
  /** This node's credential (node-credentials.ts), for the kubelet's own calls. */
  credential: () => Promise<string>;
  /** The cluster CA, PEM: what the API server's certificate chains to. */
  caPem: () => Promise<string>;
}

export class ApiServerClient {
  constructor(private readonly d: ApiServerDeps) {}

  /** The kubelet's TokenRequest: POST serviceaccounts/NAME/token bound to the pod. */
  readonly tokens: TokenSource = async (ask) => {
    const body = {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { ...(ask.audiences ? { audiences: ask.audiences } : {}), expirationSeconds: ask.expirationSeconds, boundObjectRef: { kind: "Pod", apiVersion: "v1", name: ask.pod.name, uid: ask.pod.uid } },
    };
    const path = `/api/v1/namespaces/${encodeURIComponent(ask.namespace)}/serviceaccounts/${encodeURIComponent(ask.serviceAccount)}/token`;
    const res = await this.d.fetch(
      new Request(BASE + path, {
        method: "POST",
        headers: { authorization: `Bearer ${await this.d.credential()}`, "content-type": "application/json", accept: "application/json", "user-agent": "kubelet/v1.32.0 (linux/amd64) kubernetes" },
        body: JSON.stringify(body),
      }),
    );
    const answer = (await res.json().catch(() => null)) as { status?: { token?: string }; message?: string } | null;
    if (res.status !== 201 || !answer?.status?.token) throw new TokenError(answer?.message ?? `the server answered ${res.status}`);
    return { token: answer.status.token };
  };

  /** A pod's request to the API server, as it sent it. */
  async request(req: HttpRequest): Promise<HttpOutcome> {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (k.toLowerCase() !== "host") headers.set(k, v);
    }
    const hasBody = req.body !== undefined && req.method !== "GET" && req.method !== "HEAD";
    const res = await this.d.fetch(new Request(BASE + req.path, { method: req.method, headers, ...(hasBody ? { body: req.body } : {}) }));
    const body = req.method === "HEAD" ? "" : await res.text();
    const tls: ServerTls = { caPem: await this.d.caPem(), names: API_SERVER_NAMES };
    return { kind: "response", response: { status: res.status, statusText: res.statusText || STATUS_TEXT[res.status] || "", headers: [...res.headers], body }, tls };
  }
}
