// Ingress and IngressClass validation (pkg/apis/networking/validation), in the API
// server's words: rules with DNS or `*.` wildcard hosts (never an IP), paths that are
// absolute and clean for Exact and Prefix, backends that are a Service (a name and a
// port number or name) or a resource but not both, TLS hosts and secret names, and an
// IngressClass's domain-prefixed controller (immutable) and parameters.
import type { StatusCause } from "./types";
import type { Ingress, IngressBackend, IngressClass, IngressClassParametersReference, IngressLoadBalancerIngress } from "./ingress-types";
import { GoRepr, child, forbidden, index, invalidField, notSupported, required, tooLong } from "./field-errors";
import { isDNS1123Label, isDNS1123Subdomain, isValidPortName, isValidPortNum, nameIsDNS1035Label, nameIsDNSSubdomain, regexError } from "./name-rules";
import { nameIsPathSegment } from "./validate-rbac";
import { parseIP, validIP } from "./ip-address";
import { INGRESS_CLASS_ANNOTATION } from "./ingress";

const PATH_TYPES = ["Exact", "ImplementationSpecific", "Prefix"];
const INVALID_PATH_SEQUENCES = ["//", "/./", "/../", "%2f", "%2F"];
const INVALID_PATH_SUFFIXES = ["/..", "/."];
const MAX_CONTROLLER_LENGTH = 250;
const SCOPES = ["Cluster", "Namespace"];

const WILDCARD_FMT = "\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const wildcardSubdomain = new RegExp(`^${WILDCARD_FMT}$`);
const HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const httpPath = new RegExp(`^${HTTP_PATH_FMT}$`);

/** validation.IsWildcardDNS1123Subdomain. */
export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push("must be no more than 253 characters");
  if (!wildcardSubdomain.test(value)) {
    errs.push(
      regexError(
        "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
        WILDCARD_FMT,
        "*.example.com",
      ),
    );
  }
  return errs;
}

/** A rule's or a TLS section's host: a DNS subdomain, or `*.` and one. */
function hostErrors(host: string, path: string): StatusCause[] {
  const msgs = host.includes("*") ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
  return msgs.map((m) => invalidField(path, host, m));
}

function typedReference(ref: { apiGroup?: string | null; kind?: string; name?: string }, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  if (ref.apiGroup !== undefined && ref.apiGroup !== null) for (const m of isDNS1123Subdomain(ref.apiGroup)) errs.push(invalidField(child(path, "apiGroup"), ref.apiGroup, m));
  if (!ref.kind) errs.push(required(child(path, "kind"), "kind is required"));
  else for (const m of nameIsPathSegment(ref.kind, false)) errs.push(invalidField(child(path, "kind"), ref.kind, m));
  if (!ref.name) errs.push(required(child(path, "name"), "name is required"));
  else for (const m of nameIsPathSegment(ref.name, false)) errs.push(invalidField(child(path, "name"), ref.name, m));
  return errs;
}

function validateBackend(b: IngressBackend, path: string): StatusCause[] {
  const hasResource = b.resource !== undefined && b.resource !== null;
  const hasService = b.service !== undefined && b.service !== null;
  if (hasResource && hasService) return [invalidField(path, "", "cannot set both resource and service backends")];
  if (hasResource) return typedReference(b.resource!, child(path, "resource"));
  if (!hasService) return [invalidField(path, "", "resource or service backend is required")];
  const svc = b.service!;
  const errs: StatusCause[] = [];
  if (!svc.name) errs.push(required(child(path, "service.name")));
  else for (const m of nameIsDNS1035Label(svc.name, false)) errs.push(invalidField(child(path, "service.name"), svc.name, m));
  const portName = svc.port?.name ?? "";
  const portNumber = svc.port?.number ?? 0;
  if (portName && portNumber) errs.push(invalidField(path, "", "cannot set both port name & port number"));
  else if (portName) for (const m of isValidPortName(portName)) errs.push(invalidField(child(path, "service.port.name"), portName, m));
  else if (portNumber) for (const m of isValidPortNum(portNumber)) errs.push(invalidField(child(path, "service.port.number"), portNumber, m));
  else errs.push(required(path, "port name or number is required"));
  return errs;
}

function validatePath(p: { path?: string; pathType?: string; backend: IngressBackend }, path: string): StatusCause[] {
  if (p.pathType === undefined || p.pathType === null) return [required(child(path, "pathType"), "pathType must be specified")];
  const errs: StatusCause[] = [];
  const value = p.path ?? "";
  const at = child(path, "path");
  if (p.pathType === "Exact" || p.pathType === "Prefix") {
    if (!value.startsWith("/")) errs.push(invalidField(at, value, "must be an absolute path"));
    for (const seq of INVALID_PATH_SEQUENCES) if (value.includes(seq)) errs.push(invalidField(at, value, `must not contain '${seq}'`));
    for (const suffix of INVALID_PATH_SUFFIXES) if (value.endsWith(suffix)) errs.push(invalidField(at, value, `cannot end with '${suffix}'`));
  } else if (p.pathType === "ImplementationSpecific") {
    if (value && !value.startsWith("/")) errs.push(invalidField(at, value, "must be an absolute path"));
  } else {
    errs.push(notSupported(child(path, "pathType"), p.pathType, PATH_TYPES));
  }
  errs.push(...validateBackend(p.backend ?? {}, child(path, "backend")));
  return errs;
}

function validateSpec(spec: Ingress["spec"]): StatusCause[] {
  const errs: StatusCause[] = [];
  const rules = spec.rules ?? [];
  if (rules.length === 0 && !spec.defaultBackend) {
    // The value is printed as Go's %#v prints the slice.
    const value = new GoRepr(Array.isArray(spec.rules) ? "[]networking.IngressRule{}" : "[]networking.IngressRule(nil)");
    errs.push(invalidField("spec", value, "either `defaultBackend` or `rules` must be specified"));
  }
  if (spec.defaultBackend) errs.push(...validateBackend(spec.defaultBackend, "spec.defaultBackend"));
  rules.forEach((rule, i) => {
    const at = index("spec.rules", i);
    const host = rule.host ?? "";
    if (host) {
      if (parseIP(host)) errs.push(invalidField(child(at, "host"), host, "must be a DNS name, not an IP address"));
      errs.push(...hostErrors(host, child(at, "host")));
    }
    if (rule.http) {
      const paths = rule.http.paths ?? [];
      if (paths.length === 0) errs.push(required(child(at, "http.paths")));
      paths.forEach((p, j) => errs.push(...validatePath(p, index(child(at, "http.paths"), j))));
    }
  });
  (spec.tls ?? []).forEach((tls, i) => {
    const at = index("spec.tls", i);
    (tls.hosts ?? []).forEach((h, j) => errs.push(...hostErrors(h, index(child(at, "hosts"), j))));
    if (tls.secretName) for (const m of nameIsDNSSubdomain(tls.secretName, false)) errs.push(invalidField(child(at, "secretName"), tls.secretName, m));
  });
  const cls = spec.ingressClassName;
  if (cls !== undefined && cls !== null) for (const m of nameIsDNSSubdomain(cls, false)) errs.push(invalidField("spec.ingressClassName", cls, m));
  return errs;
}

/** ValidateLoadBalancerStatus: what a controller may report as the Ingress's address. */
function validateLoadBalancer(items: IngressLoadBalancerIngress[], path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  items.forEach((lb, i) => {
    const at = index(child(path, "ingress"), i);
    if (lb.ip) errs.push(...validIP(child(at, "ip"), lb.ip));
    if (lb.hostname) {
      for (const m of isDNS1123Subdomain(lb.hostname)) errs.push(invalidField(child(at, "hostname"), lb.hostname, m));
      if (parseIP(lb.hostname)) errs.push(invalidField(child(at, "hostname"), lb.hostname, "must be a DNS name, not an IP address"));
    }
  });
  return errs;
}

export function validateIngress(ing: Ingress, old?: Ingress): StatusCause[] {
  const errs = validateSpec(ing.spec ?? {});
  // Naming a class both ways is refused on create only (an old object may carry both).
  const annotation = ing.metadata.annotations?.[INGRESS_CLASS_ANNOTATION];
  if (!old && annotation !== undefined && ing.spec?.ingressClassName !== undefined && ing.spec.ingressClassName !== null) {
    errs.push(invalidField(`annotations.${INGRESS_CLASS_ANNOTATION}`, annotation, "can not be set when the class field is also set"));
  }
  errs.push(...validateLoadBalancer(ing.status?.loadBalancer?.ingress ?? [], "status.loadBalancer"));
  return errs;
}

function validateParameters(p: IngressClassParametersReference, path: string): StatusCause[] {
  const errs = typedReference(p, path);
  if (p.scope === undefined || p.scope === null) return [...errs, required(child(path, "scope"))];
  if (!SCOPES.includes(p.scope)) return [...errs, notSupported(child(path, "scope"), p.scope, SCOPES)];
  const ns = p.namespace;
  if (p.scope === "Namespace") {
    if (ns === undefined || ns === null) errs.push(required(child(path, "namespace"), "`parameters.scope` is set to 'Namespace'"));
    else for (const m of isDNS1123Label(ns)) errs.push(invalidField(child(path, "namespace"), ns, m));
  } else if (ns !== undefined && ns !== null) {
    errs.push(forbidden(child(path, "namespace"), "`parameters.scope` is set to 'Cluster'"));
  }
  return errs;
}

/** validation.IsDomainPrefixedPath: "acme.io/foo". */
function domainPrefixedPath(value: string, path: string): StatusCause[] {
  if (!value) return [required(path)];
  const slash = value.indexOf("/");
  const host = slash > 0 ? value.slice(0, slash) : "";
  const rest = slash > 0 ? value.slice(slash + 1) : "";
  if (!host || !rest) return [invalidField(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = isDNS1123Subdomain(host).map((m) => invalidField(path, host, m));
  if (!httpPath.test(rest)) errs.push(invalidField(path, rest, regexError("Invalid path", HTTP_PATH_FMT)));
  return errs;
}

export function validateIngressClass(ic: IngressClass, old?: IngressClass): StatusCause[] {
  const errs: StatusCause[] = [];
  const controller = ic.spec?.controller ?? "";
  if (old && controller !== (old.spec?.controller ?? "")) errs.push(invalidField("spec.controller", controller, "field is immutable"));
  if (controller.length > MAX_CONTROLLER_LENGTH) errs.push(tooLong("spec.controller", MAX_CONTROLLER_LENGTH));
  errs.push(...domainPrefixedPath(controller, "spec.controller"));
  if (ic.spec?.parameters) errs.push(...validateParameters(ic.spec.parameters, "spec.parameters"));
  return errs;
}
