// Running one probe handler against the pod (pkg/kubelet/prober/prober.go runProbe and
// pkg/probe/{http,tcp,exec,grpc}): the port resolved by number or container port name,
// then an HTTP GET with kube-probe's headers, a TCP connect, a command through the
// runtime's ExecSync (exit code 0 is success), or a grpc.health.v1 Check. What comes
// back is upstream's result and output text, word for word, because events quote it
// ("Liveness probe failed: HTTP probe failed with statuscode: 500"). The texts are pure
// functions of what the pod answered, tested on their own.
import type { Container, IntOrString, Probe } from "../../model/types";
import type { GrpcHealthOutcome, HttpOutcome, RuntimeService } from "../runtime/cri";
import { isCriError } from "../runtime";

/** The kubelet's minor version, for kube-probe's User-Agent. */
const KUBE_PROBE_UA = "kube-probe/1.32";
/** Upstream reads at most this much of a probe's output. */
const MAX_OUTPUT = 10 * 1024;

export type ProbeOutcome = { result: "Success" | "Failure"; output: string } | { error: string };

export interface ProbeTarget {
  podIP: string;
  sandboxId: string;
  containerId: string;
  container: Container;
}

/** extractPort: a number, a container port's name, or a number written as a string. */
export function resolvePort(port: IntOrString | undefined, c: Container): number | string {
  let n: number;
  if (typeof port === "number") n = port;
  else {
    const named = (c.ports ?? []).find((p) => p.name === port);
    if (named) n = named.containerPort;
    else if (/^[-+]?\d+$/.test(port ?? "")) n = Number(port);
    else return `strconv.Atoi: parsing ${JSON.stringify(port ?? "")}: invalid syntax`;
  }
  return n > 0 && n < 65536 ? n : `invalid port number: ${n}`;
}

/** The URL the HTTP prober asks for (formatURL). */
export function probeUrl(scheme: string, host: string, port: number, path: string): string {
  return `${scheme.toLowerCase()}://${host}:${port}${path.startsWith("/") ? path : `/${path}`}`;
}

/** pkg/probe/http DoHTTPProbe: 2xx and 3xx succeed with the body; anything else fails. */
export function httpProbeOutcome(url: string, hostPort: string, https: boolean, outcome: HttpOutcome): ProbeOutcome {
  switch (outcome.kind) {
    case "response": {
      const r = outcome.response;
      if (https) return { result: "Failure", output: `Get ${JSON.stringify(url)}: http: server gave HTTP response to HTTPS client` };
      if (r.status >= 200 && r.status < 400) return { result: "Success", output: r.body.slice(0, MAX_OUTPUT) };
      return { result: "Failure", output: `HTTP probe failed with statuscode: ${r.status}` };
    }
    case "not-http":
      return { result: "Failure", output: `Get ${JSON.stringify(url)}: net/http: HTTP/1.x transport connection broken: malformed HTTP response` };
    default:
      return { result: "Failure", output: `Get ${JSON.stringify(url)}: dial tcp ${hostPort}: connect: connection refused` };
  }
}

/** pkg/probe/tcp: a connect that is accepted succeeds. */
export function tcpProbeOutcome(hostPort: string, open: boolean): ProbeOutcome {
  return open ? { result: "Success", output: "" } : { result: "Failure", output: `dial tcp ${hostPort}: connect: connection refused` };
}

/** pkg/probe/exec: exit code 0 succeeds; the output is stdout and stderr together. */
export function execProbeOutcome(exitCode: number, output: string): ProbeOutcome {
  return { result: exitCode === 0 ? "Success" : "Failure", output: output.slice(0, MAX_OUTPUT) };
}

/** pkg/probe/grpc: SERVING succeeds; the dial blocks, so a port that never answers gRPC times out. */
export function grpcProbeOutcome(hostPort: string, timeoutSeconds: number, outcome: GrpcHealthOutcome): ProbeOutcome {
  const timedOut = { result: "Failure" as const, output: `timeout: failed to connect service ${JSON.stringify(hostPort)} within ${timeoutSeconds}s: context deadline exceeded` };
  if (outcome.kind === "refused") return timedOut;
  if (outcome.kind === "error") {
    if (outcome.code === "Unavailable") return timedOut;
    if (outcome.code === "Unimplemented") return { result: "Failure", output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${outcome.message}` };
    return { result: "Failure", output: `error: health rpc probe failed: rpc error: code = ${outcome.code} desc = ${outcome.message}` };
  }
  if (outcome.status !== "SERVING") return { result: "Failure", output: `service unhealthy (responded with ${JSON.stringify(outcome.status)})` };
  return { result: "Success", output: "service healthy" };
}

function headersOf(spec: NonNullable<Probe["httpGet"]>): Record<string, string> {
  const headers: Record<string, string> = { "User-Agent": KUBE_PROBE_UA, Accept: "*/*" };
  for (const h of spec.httpHeaders ?? []) {
    // A header set in the probe replaces kube-probe's own of the same name.
    for (const k of Object.keys(headers)) if (k.toLowerCase() === h.name.toLowerCase()) delete headers[k];
    headers[h.name] = h.value;
  }
  return headers;
}

/** Run the probe's handler once. */
export async function runProbe(rt: RuntimeService, spec: Probe, t: ProbeTarget): Promise<ProbeOutcome> {
  if (spec.exec) {
    try {
      const r = await rt.execSync(t.containerId, spec.exec.command ?? []);
      return execProbeOutcome(r.exitCode, r.stdout + r.stderr);
    } catch (e) {
      // The runtime could not run it at all: the probe errored (its result is thrown away).
      if (isCriError(e)) return { error: e.message };
      throw e;
    }
  }
  if (spec.httpGet) {
    const port = resolvePort(spec.httpGet.port, t.container);
    if (typeof port === "string") return { error: port };
    const host = spec.httpGet.host || t.podIP;
    const scheme = spec.httpGet.scheme ?? "HTTP";
    const path = spec.httpGet.path ?? "/";
    const url = probeUrl(scheme, host, port, path);
    const outcome = await rt.podHttp(t.sandboxId, port, { method: "GET", path: path.startsWith("/") ? path : `/${path}`, headers: headersOf(spec.httpGet) });
    return httpProbeOutcome(url, `${host}:${port}`, scheme === "HTTPS", outcome);
  }
  if (spec.tcpSocket) {
    const port = resolvePort(spec.tcpSocket.port, t.container);
    if (typeof port === "string") return { error: port };
    return tcpProbeOutcome(`${spec.tcpSocket.host || t.podIP}:${port}`, await rt.podTcpConnect(t.sandboxId, port));
  }
  if (spec.grpc) {
    const port = spec.grpc.port;
    return grpcProbeOutcome(`${t.podIP}:${port}`, spec.timeoutSeconds ?? 1, await rt.podGrpcHealth(t.sandboxId, port, spec.grpc.service ?? ""));
  }
  return { error: "missing probe handler" };
}
