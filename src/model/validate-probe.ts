// A container's probes, as pkg/apis/core/validation checks them (validateProbe,
// validateHandler and the per-kind rules of validateContainers): exactly one handler,
// non-negative timings, successThreshold 1 for liveness and startup, no grace period
// on a readiness probe, and no probes at all on an init container that is no sidecar.
import type { Container, IntOrString, Probe, StatusCause } from "./types";
import { child, forbidden, invalidField, nonNegative, notSupported, required } from "./field-errors";
import { isValidPortName, isValidPortNum, regexError } from "./name-rules";

const HTTP_SCHEMES = ["HTTP", "HTTPS"];
const PROBE_KINDS = ["livenessProbe", "readinessProbe", "startupProbe"] as const;
/** IsHTTPHeaderName. */
const HEADER_NAME = /^[-A-Za-z0-9]+$/;
const HEADER_NAME_MESSAGE = regexError("a valid HTTP header must consist of alphanumeric characters or '-'", "[-A-Za-z0-9]+", "X-Header-Name");

/** ValidatePortNumOrName. */
function portNumOrName(port: IntOrString | undefined, path: string): StatusCause[] {
  if (typeof port === "number") return isValidPortNum(port).map((m) => invalidField(path, port, m));
  if (typeof port === "string") return isValidPortName(port).map((m) => invalidField(path, port, m));
  return isValidPortNum(0).map((m) => invalidField(path, 0, m));
}

function handlerErrors(p: Probe, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  let handlers = 0;
  const one = (name: string, check: () => StatusCause[]) => {
    if (handlers > 0) errs.push(forbidden(child(path, name), "may not specify more than 1 handler type"));
    else {
      handlers++;
      errs.push(...check());
    }
  };
  if (p.exec) one("exec", () => (p.exec?.command?.length ? [] : [required(child(path, "exec", "command"))]));
  if (p.httpGet) {
    const h = p.httpGet;
    one("httpGet", () => {
      const hp = child(path, "httpGet");
      const out: StatusCause[] = [];
      if (!h.path) out.push(required(child(hp, "path")));
      out.push(...portNumOrName(h.port, child(hp, "port")));
      if (!HTTP_SCHEMES.includes(h.scheme ?? "")) out.push(notSupported(child(hp, "scheme"), h.scheme ?? "", HTTP_SCHEMES));
      for (const header of h.httpHeaders ?? []) {
        if (!HEADER_NAME.test(header.name ?? "")) out.push(invalidField(child(hp, "httpHeaders"), header.name ?? "", HEADER_NAME_MESSAGE));
      }
      return out;
    });
  }
  if (p.tcpSocket) one("tcpSocket", () => portNumOrName(p.tcpSocket?.port, child(path, "tcpSocket", "port")));
  if (p.grpc) one("grpc", () => portNumOrName(p.grpc?.port ?? 0, child(path, "grpc", "port")));
  if (handlers === 0) errs.push(required(path, "must specify a handler type"));
  return errs;
}

/** validateProbe: the handler, then the timings. */
function probeErrors(p: Probe, path: string): StatusCause[] {
  const errs = handlerErrors(p, path);
  for (const f of ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"] as const) {
    errs.push(...nonNegative(p[f], child(path, f)));
  }
  const grace = p.terminationGracePeriodSeconds;
  if (typeof grace === "number" && grace <= 0) errs.push(invalidField(child(path, "terminationGracePeriodSeconds"), grace, "must be greater than 0"));
  return errs;
}

/** The probes of one container; `init` for init containers (which only a sidecar may probe). */
export function validateContainerProbes(c: Container, path: string, init: boolean): StatusCause[] {
  const errs: StatusCause[] = [];
  if (init && c.restartPolicy !== "Always") {
    for (const kind of PROBE_KINDS) if (c[kind]) errs.push(forbidden(child(path, kind), "may not be set for init containers without restartPolicy=Always"));
    return errs;
  }
  for (const kind of PROBE_KINDS) {
    const p = c[kind];
    if (p && typeof p === "object") errs.push(...probeErrors(p, child(path, kind)));
  }
  if (c.livenessProbe && c.livenessProbe.successThreshold !== 1) {
    errs.push(invalidField(child(path, "livenessProbe", "successThreshold"), c.livenessProbe.successThreshold ?? 0, "must be 1"));
  }
  if (c.readinessProbe && typeof c.readinessProbe.terminationGracePeriodSeconds === "number") {
    errs.push(invalidField(child(path, "readinessProbe", "terminationGracePeriodSeconds"), c.readinessProbe.terminationGracePeriodSeconds, "must not be set for readinessProbes"));
  }
  if (c.startupProbe && c.startupProbe.successThreshold !== 1) {
    errs.push(invalidField(child(path, "startupProbe", "successThreshold"), c.startupProbe.successThreshold ?? 0, "must be 1"));
  }
  return errs;
}
