// pods/NAME[:PORT]/proxy/PATH: an HTTP request to a port in the pod's network
// namespace, answered by whatever program listens there (kubectl proxy, then curl).
// The port defaults to the first declared containerPort, as the API server does;
// nothing listening is a 503 with the message a real dial gives.
import type { Pod } from "../../model/types";
import type { Kubelet } from "../kubelet/kubelet";
import { ApiError } from "../../model/errors";
import { badRequest } from "./status";
import { recordOf } from "./target";

/** Headers that describe one hop (or the API server's own business), not the request. */
const NOT_FORWARDED = new Set(["authorization", "host", "connection", "keep-alive", "transfer-encoding", "upgrade", "content-length", "te", "trailer", "proxy-connection"]);
const NOT_RETURNED = new Set(["connection", "keep-alive", "transfer-encoding", "content-length"]);

function portOf(pod: Pod, text: string): number {
  if (text === "") {
    for (const c of pod.spec.containers) if (c.ports?.length) return c.ports[0].containerPort;
    return 80;
  }
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n > 0 && n < 65536) return n;
  }
  for (const c of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) {
    const p = c.ports?.find((x) => x.name === text);
    if (p) return p.containerPort;
  }
  throw badRequest(`invalid port "${text}" for pod ${pod.metadata.name}`);
}

const unavailable = (message: string) => new ApiError(503, "ServiceUnavailable", `error trying to reach service: ${message}`);

export async function podProxy(req: Request, pod: Pod, kubelet: Kubelet): Promise<Response> {
  const url = new URL(req.url);
  const target = req.headers.get("x-edgekube-proxy-target") ?? "";
  const parts = target.split(":");
  const port = portOf(pod, parts.length === 3 ? parts[2] : parts.length === 2 ? parts[1] : "");
  const rest = req.headers.get("x-edgekube-proxy-path") || "/";
  // `.../proxy` without the slash: the API server redirects, so relative links work.
  if (rest === "/" && !url.pathname.endsWith("/")) {
    return new Response(null, { status: 301, headers: { Location: `${url.pathname}/${url.search}` } });
  }
  const rec = recordOf(kubelet, pod);
  const podIP = rec?.podIP ?? pod.status?.podIP ?? "";
  const runtime = kubelet.runtime()?.runtime;
  if (!rec?.sandboxId || rec.terminal || !runtime || !podIP) throw unavailable(`dial tcp ${podIP}:${port}: connect: ${podIP ? "connection refused" : "no route to host"}`);

  const headers: Record<string, string> = {};
  req.headers.forEach((v, k) => {
    if (!NOT_FORWARDED.has(k) && !k.startsWith("x-edgekube-") && !k.startsWith("cf-")) headers[k] = v;
  });
  const method = req.method.toUpperCase();
  const body = method === "GET" || method === "HEAD" ? undefined : await req.text();
  const outcome = await runtime.podHttp(rec.sandboxId, port, { method, path: rest + url.search, headers, ...(body ? { body } : {}) });
  switch (outcome.kind) {
    case "response": {
      const r = outcome.response;
      const out = new Headers();
      for (const [k, v] of r.headers) if (!NOT_RETURNED.has(k.toLowerCase())) out.append(k, v);
      const empty = method === "HEAD" || r.status === 204 || r.status === 304;
      return new Response(empty ? null : r.body, { status: r.status, statusText: r.statusText, headers: out });
    }
    case "not-http":
      throw unavailable("net/http: HTTP/1.x transport connection broken: malformed HTTP response");
    default:
      throw unavailable(`dial tcp ${podIP}:${port}: connect: connection refused`);
  }
}
