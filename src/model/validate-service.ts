// Services, Endpoints and EndpointSlices, as k8s.io/kubernetes/pkg/apis/core/validation
// (ValidateService, ValidateServiceUpdate, ValidateEndpoints) and
// pkg/apis/discovery/validation (ValidateEndpointSlice) check them, with the node-port
// range check that upstream makes in the registry's port allocator rather than in
// validation. Rules run on the object as the API server sees it after v1 defaulting
// (SetDefaults_Service, SetDefaults_Endpoints, the discovery/v1 port defaults) and
// after clusterIP/clusterIPs are brought in sync, so fields the server would have
// defaulted are treated as defaulted here even if the caller left them out.
import type { EndpointAddress, EndpointPort, EndpointSlice, Endpoints, Service, ServicePort, ServiceSpec, StatusCause } from "./types";
import { GoRepr, child, duplicate, forbidden, index, invalidField, notSupported, required, type BadValue } from "./field-errors";
import { goStringSlice } from "./go-format";
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isValidPortName, isValidPortNum } from "./name-rules";
import { validateLabels } from "./validate-meta";

// Enumerations, sorted as sets.List prints them in "supported values".
const PROTOCOLS = ["SCTP", "TCP", "UDP"];
const SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const SESSION_AFFINITIES = ["ClientIP", "None"];
const IP_FAMILIES = ["IPv4", "IPv6"];
const IP_FAMILY_POLICIES = ["PreferDualStack", "RequireDualStack", "SingleStack"];
const TRAFFIC_POLICIES = ["Cluster", "Local"];
const ADDRESS_TYPES = ["FQDN", "IPv4", "IPv6"];

const DEFAULT_AFFINITY_SECONDS = 10800;
const MAX_AFFINITY_SECONDS = 86400;
const SLICE_MAX_ENDPOINTS = 1000;
const SLICE_MAX_ADDRESSES = 100;
const SLICE_MAX_PORTS = 20000;
const SLICE_MAX_TOPOLOGY_LABELS = 16;
const SLICE_MAX_ZONE_HINTS = 8;

const TOPOLOGY_MODE_ANNOTATION = "service.kubernetes.io/topology-mode";
const TOPOLOGY_HINTS_ANNOTATION = "service.kubernetes.io/topology-aware-hints";
const SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges";

const IP_MESSAGE = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
const CIDR_MESSAGE = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";
const LB_ONLY = "may only be used when `type` is 'LoadBalancer'";

/** ServiceSpec fields the shared type leaves out but validation reads. */
interface ServiceSpecFull extends Omit<ServiceSpec, "type" | "sessionAffinity" | "externalTrafficPolicy" | "internalTrafficPolicy" | "ipFamilyPolicy"> {
  type?: string | null;
  sessionAffinity?: string | null;
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number | null } | null } | null;
  externalTrafficPolicy?: string | null;
  internalTrafficPolicy?: string | null;
  ipFamilyPolicy?: string | null;
  healthCheckNodePort?: number | null;
  loadBalancerSourceRanges?: string[] | null;
  loadBalancerClass?: string | null;
}

type PortIn = Omit<ServicePort, "protocol" | "port"> & { protocol?: string | null; port?: number | null; appProtocol?: string | null };

// ---- IP addresses, parsed the way Go's (sloppy) net.ParseIP does ----

/** Dotted quad; leading zeros are accepted, as netutils.ParseIPSloppy does. */
function parseIPv4(s: string): number[] | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[0-9]+$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

const V4_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function parseIPv6(input: string): number[] | null {
  const ip = new Array<number>(16).fill(0);
  let s = input;
  let ellipsis = -1;
  let i = 0;
  if (s.startsWith("::")) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === "") return ip;
  }
  while (i < 16) {
    const hex = /^[0-9a-fA-F]+/.exec(s)?.[0];
    if (!hex) return null;
    if (s[hex.length] === ".") {
      // An IPv4 address in the last 32 bits.
      if (ellipsis < 0 && i !== 12) return null;
      if (i + 4 > 16) return null;
      const v4 = parseIPv4(s);
      if (!v4) return null;
      ip.splice(i, 4, ...v4);
      i += 4;
      s = "";
      break;
    }
    const n = parseInt(hex, 16);
    if (n > 0xffff) return null;
    ip[i] = n >> 8;
    ip[i + 1] = n & 0xff;
    i += 2;
    s = s.slice(hex.length);
    if (s === "") break;
    if (s[0] !== ":" || s.length === 1) return null;
    s = s.slice(1);
    if (s[0] === ":") {
      if (ellipsis >= 0) return null;
      ellipsis = i;
      s = s.slice(1);
      if (s === "") break;
    }
  }
  if (s !== "") return null;
  if (i < 16) {
    if (ellipsis < 0) return null;
    const tail = ip.slice(ellipsis, i);
    ip.fill(0, ellipsis);
    ip.splice(16 - tail.length, tail.length, ...tail);
  } else if (ellipsis >= 0) {
    return null;
  }
  return ip;
}

/** 16-byte form (IPv4 as ::ffff:a.b.c.d), or null when Go would not parse it. */
function parseIP(s: string): number[] | null {
  for (const ch of s) {
    if (ch === ".") {
      const v4 = parseIPv4(s);
      return v4 ? [...V4_PREFIX, ...v4] : null;
    }
    if (ch === ":") return parseIPv6(s);
  }
  return null;
}

/** net.IP.To4: the last four bytes of an IPv4(-mapped) address. */
function to4(ip: number[]): number[] | null {
  return V4_PREFIX.every((b, i) => ip[i] === b) ? ip.slice(12) : null;
}

function isIPv6String(s: string): boolean {
  const ip = parseIP(s);
  return ip !== null && to4(ip) === null;
}

function parseCIDR(s: string): boolean {
  const slash = s.indexOf("/");
  if (slash < 0) return false;
  const addr = s.slice(0, slash);
  const mask = s.slice(slash + 1);
  const ip = parseIP(addr);
  if (!ip || !/^[0-9]+$/.test(mask)) return false;
  const bits = parseIPv4(addr) ? 32 : 128;
  return Number(mask) <= bits;
}

/** validation.IsValidIP. */
function validIP(path: string, value: string): StatusCause[] {
  return parseIP(value) ? [] : [invalidField(path, value, IP_MESSAGE)];
}

/** ValidateNonSpecialIP / ValidateEndpointIP: addresses that make no sense as a destination. */
function nonSpecialIP(value: string, path: string): StatusCause[] {
  const ip = parseIP(value);
  if (!ip) return [invalidField(path, value, "must be a valid IP address")];
  const v4 = to4(ip);
  const errs: StatusCause[] = [];
  const unspecified = v4 ? v4.every((b) => b === 0) : ip.every((b) => b === 0);
  const loopback = v4 ? v4[0] === 127 : ip.slice(0, 15).every((b) => b === 0) && ip[15] === 1;
  const linkLocal = v4 ? v4[0] === 169 && v4[1] === 254 : ip[0] === 0xfe && (ip[1] & 0xc0) === 0x80;
  const linkLocalMulticast = v4 ? v4[0] === 224 && v4[1] === 0 && v4[2] === 0 : ip[0] === 0xff && (ip[1] & 0x0f) === 0x02;
  if (unspecified) errs.push(invalidField(path, value, `may not be unspecified (${value})`));
  if (loopback) errs.push(invalidField(path, value, "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
  if (linkLocal) errs.push(invalidField(path, value, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
  if (linkLocalMulticast) errs.push(invalidField(path, value, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"));
  return errs;
}

// ---- shared field checks ----

const each = (msgs: string[], path: string, value: BadValue): StatusCause[] => msgs.map((m) => invalidField(path, value, m));

/** field.TooMany (the count prints through %#v, as a plain number). */
const tooMany = (field: string, actual: number, max: number): StatusCause => ({
  reason: "FieldValueTooMany",
  message: `Too many: ${actual}: must have at most ${max} ${max === 1 ? "item" : "items"}`,
  field,
});

/** %#v of []core.IPFamily. */
const goIPFamilies = (f: readonly string[] | null | undefined): string => (f ? `[]core.IPFamily{${f.map((x) => JSON.stringify(x)).join(", ")}}` : "[]core.IPFamily(nil)");

const goSlice = (s: readonly string[] | null | undefined) => new GoRepr(goStringSlice(s));

/** %#v of the (protocol, port) key upstream reports for a duplicate service port. */
function goServicePortKey(protocol: string, port: number): string {
  return (
    `core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol)}, AppProtocol:(*string)(nil), Port:${port}, ` +
    `TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`
  );
}

function appProtocol(value: string | null | undefined, path: string): StatusCause[] {
  return value === undefined || value === null ? [] : each(isQualifiedName(value), path, value);
}

function protocol(value: string | null | undefined, path: string): StatusCause[] {
  if (!value) return [required(path)];
  return PROTOCOLS.includes(value) ? [] : [notSupported(path, value, PROTOCOLS)];
}

// ---- Services ----

const isHeadless = (spec: ServiceSpecFull) => spec.clusterIPs?.length === 1 && spec.clusterIPs[0] === "None";

const sameIPs = (a: readonly string[] | null | undefined, b: readonly string[] | null | undefined) =>
  (a?.length ?? 0) === (b?.length ?? 0) && (a ?? []).every((ip, i) => ip === b?.[i]);

/**
 * What the registry does to spec.clusterIPs before anything looks at it (NormalizeClusterIPs):
 * an old client that sets only clusterIP gets clusterIPs = [clusterIP], and one that
 * patches without clusterIPs keeps the stored list. Returns the list to use.
 */
function normalizedClusterIPs(next: ServiceSpecFull, old?: ServiceSpecFull): string[] | undefined {
  const ip = next.clusterIP ?? "";
  let ips = next.clusterIPs ?? undefined;
  if (!old) return ip && !ips?.length ? [ip] : ips;
  const oldIP = old.clusterIP ?? "";
  if (old.clusterIPs?.length && !ips?.length && oldIP === ip) ips = [...old.clusterIPs];
  if (oldIP !== ip) {
    if (oldIP && !ip) {
      if (sameIPs(old.clusterIPs, ips)) ips = undefined;
    } else if (sameIPs(old.clusterIPs, ips)) {
      ips = [ip];
    }
  }
  return ips;
}

/** Bring spec.clusterIPs in sync with spec.clusterIP in place, as the registry does on create and update. */
export function normalizeClusterIPs(svc: Service, old?: Service): void {
  const spec = svc.spec as ServiceSpecFull | undefined;
  if (!spec) return;
  const ips = normalizedClusterIPs(spec, old?.spec as ServiceSpecFull | undefined);
  if (ips === undefined) delete spec.clusterIPs;
  else spec.clusterIPs = ips;
}

const externallyAccessible = (spec: ServiceSpecFull) =>
  spec.type === "LoadBalancer" || spec.type === "NodePort" || (spec.type === "ClusterIP" && (spec.externalIPs?.length ?? 0) > 0);

const needsHealthCheck = (spec: ServiceSpecFull) => spec.type === "LoadBalancer" && spec.externalTrafficPolicy === "Local";

/** The spec as validation sees it: SetDefaults_Service applied, clusterIPs normalized. */
function serviceView(svc: Service, old?: Service): ServiceSpecFull {
  const src = (svc.spec ?? {}) as ServiceSpecFull;
  const spec: ServiceSpecFull = { ...src };
  spec.clusterIPs = normalizedClusterIPs(src, old?.spec as ServiceSpecFull | undefined);
  if (!spec.sessionAffinity) spec.sessionAffinity = "None";
  if (spec.sessionAffinity === "None") spec.sessionAffinityConfig = undefined;
  if (spec.sessionAffinity === "ClientIP" && typeof spec.sessionAffinityConfig?.clientIP?.timeoutSeconds !== "number") {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_AFFINITY_SECONDS } };
  }
  if (!spec.type) spec.type = "ClusterIP";
  spec.ports = (src.ports ?? undefined)?.map((p) => {
    const port = { ...p } as PortIn;
    if (!port.protocol) port.protocol = "TCP";
    if (port.targetPort === undefined || port.targetPort === null || port.targetPort === 0 || port.targetPort === "") port.targetPort = port.port ?? 0;
    return port as ServicePort;
  });
  if (externallyAccessible(spec) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = "Cluster";
  if ((spec.internalTrafficPolicy ?? null) === null && ["NodePort", "LoadBalancer", "ClusterIP"].includes(spec.type)) spec.internalTrafficPolicy = "Cluster";
  if (spec.type === "LoadBalancer" && (spec.allocateLoadBalancerNodePorts ?? null) === null) spec.allocateLoadBalancerNodePorts = true;
  return spec;
}

/** ValidatePortNumOrName. */
function portNumOrName(value: number | string, path: string): StatusCause[] {
  if (typeof value === "number") return each(isValidPortNum(value), path, value);
  return each(isValidPortName(value), path, value);
}

function validateServicePort(sp: PortIn, requireName: boolean, names: Set<string>, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const name = sp.name ?? "";
  if (requireName && !name) errs.push(required(child(path, "name")));
  else if (name) {
    errs.push(...each(isDNS1123Label(name), child(path, "name"), name));
    if (names.has(name)) errs.push(duplicate(child(path, "name"), name));
    else names.add(name);
  }
  const port = sp.port ?? 0;
  errs.push(...each(isValidPortNum(port), child(path, "port"), port));
  errs.push(...protocol(sp.protocol, child(path, "protocol")));
  errs.push(...portNumOrName(sp.targetPort ?? 0, child(path, "targetPort")));
  errs.push(...appProtocol(sp.appProtocol, child(path, "appProtocol")));
  return errs;
}

function validateClientIPAffinity(config: ServiceSpecFull["sessionAffinityConfig"], path: string): StatusCause[] {
  const detail = "when session affinity type is ClientIP";
  if (!config) return [required(path, detail)];
  if (!config.clientIP) return [required(child(path, "clientIP"), detail)];
  const timeout = config.clientIP.timeoutSeconds;
  const tPath = child(path, "clientIP", "timeoutSeconds");
  if (typeof timeout !== "number") return [required(tPath, detail)];
  if (timeout <= 0 || timeout > MAX_AFFINITY_SECONDS) return [invalidField(tPath, timeout, `must be greater than 0 and less than ${MAX_AFFINITY_SECONDS}`)];
  return [];
}

/**
 * ValidateServiceClusterIPsRelatedFields: clusterIP/clusterIPs agreement, IP syntax,
 * dual-stack shape, ipFamilies and ipFamilyPolicy, on the normalized clusterIPs.
 * Exported because upstream also runs it before allocating cluster IPs (the
 * allocator's loose pre-validation); pass the stored object on update.
 */
export function validateServiceClusterIPsRelatedFields(svc: Service, old?: Service): StatusCause[] {
  const spec = svc.spec as ServiceSpecFull | undefined;
  if (!spec || spec.type === "ExternalName") return [];
  return clusterIPsRelated({ ...spec, clusterIPs: normalizedClusterIPs(spec, old?.spec as ServiceSpecFull | undefined) });
}

function clusterIPsRelated(spec: ServiceSpecFull): StatusCause[] {
  if (spec.type === "ExternalName") return [];
  const errs: StatusCause[] = [];
  const ipsPath = "spec.clusterIPs";
  const famPath = "spec.ipFamilies";
  const ips = spec.clusterIPs ?? undefined;
  if (spec.clusterIP) {
    if (!ips?.length) errs.push(required(ipsPath));
    else if (ips[0] !== spec.clusterIP) errs.push(invalidField(ipsPath, goSlice(ips), "first value must match `clusterIP`"));
  } else if (ips?.length) {
    errs.push(invalidField(ipsPath, goSlice(ips), "must be empty when `clusterIP` is not specified"));
  }

  const seen = new Set<string>();
  (spec.ipFamilies ?? []).forEach((fam, i) => {
    if (!IP_FAMILIES.includes(fam)) errs.push(notSupported(index(famPath, i), fam, IP_FAMILIES));
    if (seen.has(fam)) errs.push(duplicate(index(famPath, i), fam));
    seen.add(fam);
  });
  const policy = spec.ipFamilyPolicy ?? null;
  if (policy !== null && !IP_FAMILY_POLICIES.includes(policy)) errs.push(notSupported("spec.ipFamilyPolicy", policy, IP_FAMILY_POLICIES));

  let hasInvalidIPs = false;
  (ips ?? []).forEach((ip, i) => {
    if (i === 0 && ip === "None") {
      if (ips!.length > 1) {
        hasInvalidIPs = true;
        errs.push(invalidField(ipsPath, goSlice(ips), "'None' must be the first and only value"));
      }
      return;
    }
    const ipErrs = validIP(index(ipsPath, i), ip);
    if (ipErrs.length) hasInvalidIPs = true;
    errs.push(...ipErrs);
  });
  if ((ips?.length ?? 0) > 2) errs.push(invalidField(ipsPath, goSlice(ips), "may only hold up to 2 values"));
  if (hasInvalidIPs) return errs;

  if (ips && ips.length > 1) {
    const v6 = ips.filter(isIPv6String).length;
    if (v6 === 0 || v6 === ips.length) errs.push(invalidField(ipsPath, goSlice(ips), "may specify no more than one IP for each IP family"));
  }
  const families = spec.ipFamilies ?? [];
  if (!isHeadless(spec) && ips?.length && families.length) {
    ips.forEach((ip, i) => {
      if (i > families.length - 1) return;
      if (families[i] === "IPv4" && isIPv6String(ip)) errs.push(invalidField(index(ipsPath, i), ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (families[i] === "IPv6" && !isIPv6String(ip)) errs.push(invalidField(index(ipsPath, i), ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

function loadBalancerClass(spec: ServiceSpecFull, old?: ServiceSpecFull): StatusCause[] {
  const path = "spec.loadBalancerClass";
  const cls = spec.loadBalancerClass ?? null;
  const errs: StatusCause[] = [];
  if (old && old.type === "LoadBalancer" && spec.type === "LoadBalancer" && (old.loadBalancerClass ?? null) !== cls) {
    errs.push(invalidField(path, cls, "may not change once set"));
  }
  if (spec.type === "LoadBalancer") {
    if (cls !== null) errs.push(...each(isQualifiedName(cls), path, cls));
  } else if (cls !== null) {
    errs.push(forbidden(path, LB_ONLY));
  }
  return errs;
}

function sourceRanges(spec: ServiceSpecFull, annotations: Record<string, string> | undefined): StatusCause[] {
  const errs: StatusCause[] = [];
  const ranges = spec.loadBalancerSourceRanges ?? [];
  if (ranges.length) {
    // Upstream's path really is capitalised here.
    const path = "spec.LoadBalancerSourceRanges";
    if (spec.type !== "LoadBalancer") errs.push(forbidden(path, LB_ONLY));
    ranges.forEach((r, i) => {
      const v = r.trim();
      if (!parseCIDR(v)) errs.push(invalidField(index(path, i), v, CIDR_MESSAGE));
    });
  } else if (annotations && SOURCE_RANGES_ANNOTATION in annotations) {
    const path = `metadata.annotations[${SOURCE_RANGES_ANNOTATION}]`;
    if (spec.type !== "LoadBalancer") errs.push(forbidden(path, LB_ONLY));
    const val = annotations[SOURCE_RANGES_ANNOTATION].trim();
    if (val !== "") {
      for (const part of val.split(",")) {
        const v = part.trim();
        if (!parseCIDR(v)) errs.push(invalidField(path, v, CIDR_MESSAGE));
      }
    }
  }
  return errs;
}

/** The body of ValidateService, on the defaulted view of the spec. */
function serviceRules(svc: Service, spec: ServiceSpecFull, old?: ServiceSpecFull): StatusCause[] {
  const errs: StatusCause[] = [];
  const annotations = svc.metadata?.annotations;
  const mode = annotations?.[TOPOLOGY_MODE_ANNOTATION];
  const hints = annotations?.[TOPOLOGY_HINTS_ANNOTATION];
  if (mode !== undefined && hints !== undefined && mode !== hints) {
    errs.push(invalidField(`metadata.annotations[${TOPOLOGY_MODE_ANNOTATION}]`, mode, `must match annotations[${TOPOLOGY_HINTS_ANNOTATION}] when both are specified`));
  }

  const ports = (spec.ports ?? []) as PortIn[];
  const headless = isHeadless(spec);
  if (ports.length === 0 && !headless && spec.type !== "ExternalName") errs.push(required("spec.ports"));
  switch (spec.type) {
    case "LoadBalancer":
    case "NodePort":
      if (headless) errs.push(invalidField("spec.clusterIPs[0]", spec.clusterIPs![0], `may not be set to 'None' for ${spec.type} services`));
      break;
    case "ExternalName": {
      if (spec.clusterIPs?.length) errs.push(forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
      if (spec.ipFamilies?.length) errs.push(forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
      if ((spec.ipFamilyPolicy ?? null) !== null) errs.push(forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
      // A trailing dot marks the CNAME as fully qualified.
      const cname = (spec.externalName ?? "").replace(/\.$/, "");
      if (cname) errs.push(...each(isDNS1123Subdomain(cname), "spec.externalName", cname));
      else errs.push(required("spec.externalName"));
      break;
    }
  }

  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, index("spec.ports", i))));

  if (spec.selector) errs.push(...validateLabels(spec.selector, "spec.selector"));

  const affinity = spec.sessionAffinity;
  if (!affinity) errs.push(required("spec.sessionAffinity"));
  else if (!SESSION_AFFINITIES.includes(affinity)) errs.push(notSupported("spec.sessionAffinity", affinity, SESSION_AFFINITIES));
  if (affinity === "ClientIP") errs.push(...validateClientIPAffinity(spec.sessionAffinityConfig, "spec.sessionAffinityConfig"));
  else if (affinity === "None" && spec.sessionAffinityConfig) {
    errs.push(forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"));
  }

  errs.push(...clusterIPsRelated(spec));

  (spec.externalIPs ?? []).forEach((ip, i) => {
    const p = index("spec.externalIPs", i);
    const ipErrs = validIP(p, ip);
    errs.push(...(ipErrs.length ? ipErrs : nonSpecialIP(ip, p)));
  });

  if (!spec.type) errs.push(required("spec.type"));
  else if (!SERVICE_TYPES.includes(spec.type)) errs.push(notSupported("spec.type", spec.type, SERVICE_TYPES));

  if (spec.type === "ClusterIP") {
    ports.forEach((p, i) => {
      if (p.nodePort) errs.push(forbidden(child(index("spec.ports", i), "nodePort"), "may not be used when `type` is 'ClusterIP'"));
    });
  }

  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p.nodePort) return;
    const key = `${p.protocol}/${p.nodePort}`;
    if (nodePorts.has(key)) errs.push(duplicate(child(index("spec.ports", i), "nodePort"), p.nodePort));
    nodePorts.add(key);
  });

  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const port = p.port ?? 0;
    const key = `${p.protocol}/${port}`;
    if (portKeys.has(key)) errs.push(duplicate(index("spec.ports", i), new GoRepr(goServicePortKey(p.protocol ?? "", port))));
    portKeys.add(key);
  });

  errs.push(...sourceRanges(spec, annotations));

  const allocate = spec.allocateLoadBalancerNodePorts ?? null;
  if (allocate !== null && spec.type !== "LoadBalancer") errs.push(forbidden("spec.allocateLoadBalancerNodePorts", LB_ONLY));
  // Upstream reports this one without the "spec." prefix.
  if (spec.type === "LoadBalancer" && allocate === null) errs.push(required("allocateLoadBalancerNodePorts"));

  errs.push(...loadBalancerClass(spec, old));

  // External traffic policy and the health-check node port that goes with Local.
  const etp = spec.externalTrafficPolicy ?? "";
  if (!externallyAccessible(spec)) {
    if (etp) errs.push(invalidField("spec.externalTrafficPolicy", etp, "may only be set for externally-accessible services"));
  } else if (!etp) {
    errs.push(required("spec.externalTrafficPolicy"));
  } else if (!TRAFFIC_POLICIES.includes(etp)) {
    errs.push(notSupported("spec.externalTrafficPolicy", etp, TRAFFIC_POLICIES));
  }
  const hcnp = spec.healthCheckNodePort ?? 0;
  if (!needsHealthCheck(spec)) {
    if (hcnp !== 0) {
      errs.push(invalidField("spec.healthCheckNodePort", hcnp, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
    }
  } else if (hcnp !== 0) {
    // A zero here is the allocator's to fill in, so it is not reported as missing.
    errs.push(...each(isValidPortNum(hcnp), "spec.healthCheckNodePort", hcnp));
  }

  const itp = spec.internalTrafficPolicy ?? null;
  if (itp === null) {
    if (spec.type === "NodePort" || spec.type === "LoadBalancer" || spec.type === "ClusterIP") errs.push(required("spec.internalTrafficPolicy"));
  } else if (!TRAFFIC_POLICIES.includes(itp)) {
    errs.push(notSupported("spec.internalTrafficPolicy", itp, TRAFFIC_POLICIES));
  }
  return errs;
}

/** ValidateService (metadata is checked by the caller, as for every kind). */
export function validateService(svc: Service): StatusCause[] {
  return serviceRules(svc, serviceView(svc));
}

/** validateUpgradeDowngradeClusterIPs: the primary cluster IP never changes once set. */
function clusterIPsUpdate(spec: ServiceSpecFull, old: ServiceSpecFull): StatusCause[] {
  if (spec.type === "ExternalName" || old.type === "ExternalName") return [];
  if (isHeadless(old) && isHeadless(spec)) return [];
  const errs: StatusCause[] = [];
  const now = spec.clusterIPs ?? undefined;
  const before = old.clusterIPs ?? [];
  const n = now?.length ?? 0;
  const first = "spec.clusterIPs[0]";
  if (before.length === n) {
    before.forEach((ip, i) => {
      if (ip !== now![i]) errs.push(invalidField(index("spec.clusterIPs", i), goSlice(now), "may not change once set"));
    });
  } else if (before.length > n) {
    if (n === 0) errs.push(invalidField(first, goSlice(now), "primary clusterIP can not be unset"));
    if (before.length > 0 && n > 0 && now![0] !== before[0]) errs.push(invalidField(first, goSlice(now), "may not change once set"));
    if (n === 1 && spec.ipFamilyPolicy !== "SingleStack") {
      errs.push(invalidField("spec.ipFamilyPolicy", spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (before.length > 0 && now![0] !== before[0]) {
    errs.push(invalidField(first, goSlice(now), "may not change once set"));
  }
  return errs;
}

/** validateUpgradeDowngradeIPFamilies (including upstream's choice of which list to print). */
function ipFamiliesUpdate(spec: ServiceSpecFull, old: ServiceSpecFull): StatusCause[] {
  if (spec.type === "ExternalName" || old.type === "ExternalName") return [];
  if (isHeadless(spec) || isHeadless(old)) return [];
  const errs: StatusCause[] = [];
  const now = spec.ipFamilies ?? undefined;
  const before = old.ipFamilies ?? [];
  const n = now?.length ?? 0;
  const first = "spec.ipFamilies[0]";
  if (before.length === n) {
    before.forEach((fam, i) => {
      if (fam !== now![i]) errs.push(invalidField(first, new GoRepr(goIPFamilies(now)), "may not change once set"));
    });
  } else if (before.length > n) {
    if (!spec.clusterIPs?.length) errs.push(invalidField(first, new GoRepr(goIPFamilies(now)), "primary ipFamily can not be unset"));
    if (n > 0 && now![0] !== before[0]) errs.push(invalidField(first, goSlice(spec.clusterIPs), "may not change once set"));
    if (n === 1 && spec.ipFamilyPolicy !== "SingleStack") {
      errs.push(invalidField("spec.ipFamilyPolicy", spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
    }
  } else if (before.length > 0 && n > 0 && now![0] !== before[0]) {
    errs.push(invalidField(first, goSlice(spec.clusterIPs), "may not change once set"));
  }
  return errs;
}

/** ValidateServiceUpdate: the update-only rules, then everything ValidateService checks. */
export function validateServiceUpdate(svc: Service, old: Service): StatusCause[] {
  const spec = serviceView(svc, old);
  const before = serviceView(old);
  const errs = [...clusterIPsUpdate(spec, before), ...ipFamiliesUpdate(spec, before)];
  // validateLoadBalancerClassField(old, new) runs here and again inside ValidateService.
  errs.push(...loadBalancerClass(spec, before));
  if (needsHealthCheck(before) && needsHealthCheck(spec) && (spec.healthCheckNodePort ?? 0) !== (before.healthCheckNodePort ?? 0)) {
    errs.push(forbidden("spec.healthCheckNodePort", "field is immutable"));
  }
  errs.push(...serviceRules(svc, spec));
  return errs;
}

export interface NodePortRange {
  min: number;
  max: number;
}

export const DEFAULT_NODE_PORT_RANGE: NodePortRange = { min: 30000, max: 32767 };

/**
 * The node-port allocator's range check (pkg/registry/core/service/portallocator),
 * which upstream runs after validation when it reserves requested node ports: the
 * first requested port outside the range fails the request, as the allocator stops
 * there. On update, ports the old object already held are not re-reserved.
 */
export function validateNodePortRange(svc: Service, old?: Service, range: NodePortRange = DEFAULT_NODE_PORT_RANGE): StatusCause[] {
  const spec = svc.spec as ServiceSpecFull | undefined;
  if (!spec || (spec.type !== "NodePort" && spec.type !== "LoadBalancer")) return [];
  const held = new Set((old?.spec?.ports ?? []).map((p) => p.nodePort).filter((p): p is number => !!p));
  const ports = spec.ports ?? [];
  for (let i = 0; i < ports.length; i++) {
    const np = ports[i].nodePort;
    if (!np || held.has(np)) continue;
    if (np < range.min || np > range.max) {
      return [
        invalidField(
          child(index("spec.ports", i), "nodePort"),
          np,
          `provided port is not in the valid range. The range of valid ports is ${range.min}-${range.max}`,
        ),
      ];
    }
  }
  return [];
}

// ---- Endpoints ----

function validateEndpointAddress(addr: EndpointAddress, path: string): StatusCause[] {
  const ip = addr.ip ?? "";
  const ipPath = child(path, "ip");
  const errs = validIP(ipPath, ip);
  if (addr.hostname) errs.push(...each(isDNS1123Label(addr.hostname), child(path, "hostname"), addr.hostname));
  const nodeName = addr.nodeName ?? null;
  if (nodeName !== null) errs.push(...each(isDNS1123Subdomain(nodeName), child(path, "nodeName"), nodeName));
  errs.push(...nonSpecialIP(ip, ipPath));
  return errs;
}

function validateEndpointPort(port: EndpointPort, requireName: boolean, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const name = port.name ?? "";
  if (requireName && !name) errs.push(required(child(path, "name")));
  else if (name) errs.push(...each(isDNS1123Label(name), child(path, "name"), name));
  const num = port.port ?? 0;
  errs.push(...each(isValidPortNum(num), child(path, "port"), num));
  // SetDefaults_Endpoints fills an empty protocol with TCP before validation.
  errs.push(...protocol((port.protocol as string | null | undefined) || "TCP", child(path, "protocol")));
  errs.push(...appProtocol(port.appProtocol, child(path, "appProtocol")));
  return errs;
}

/** ValidateEndpoints (the same rules on create and update). */
export function validateEndpoints(ep: Endpoints): StatusCause[] {
  const errs: StatusCause[] = [];
  (ep.subsets ?? []).forEach((ss, i) => {
    const p = index("subsets", i);
    const addresses = ss.addresses ?? [];
    const notReady = ss.notReadyAddresses ?? [];
    const ports = ss.ports ?? [];
    if (addresses.length === 0 && notReady.length === 0) errs.push(required(p, "must specify `addresses` or `notReadyAddresses`"));
    addresses.forEach((a, j) => errs.push(...validateEndpointAddress(a, index(child(p, "addresses"), j))));
    notReady.forEach((a, j) => errs.push(...validateEndpointAddress(a, index(child(p, "notReadyAddresses"), j))));
    ports.forEach((port, j) => errs.push(...validateEndpointPort(port, ports.length > 1, index(child(p, "ports"), j))));
  });
  return errs;
}

// ---- EndpointSlices ----

/** validation.IsFullyQualifiedDomainName. */
function fullyQualifiedDomainName(path: string, value: string): StatusCause[] {
  if (value.length === 0) return [required(path)];
  const name = value.replace(/\.$/, "");
  const sub = isDNS1123Subdomain(name);
  if (sub.length) return [invalidField(path, name, sub.join(","))];
  const labels = name.split(".");
  if (labels.length < 2) return [invalidField(path, name, "should be a domain with at least two segments separated by dots")];
  for (const label of labels) {
    const le = isDNS1123Label(label);
    if (le.length) return [invalidField(path, label, le.join(","))];
  }
  return [];
}

type SliceEndpointIn = NonNullable<EndpointSlice["endpoints"]>[number] & {
  deprecatedTopology?: Record<string, string> | null;
  hints?: { forZones?: { name?: string }[] | null } | null;
};

function validateSliceEndpoints(endpoints: SliceEndpointIn[], addressType: string): StatusCause[] {
  if (endpoints.length > SLICE_MAX_ENDPOINTS) return [tooMany("endpoints", endpoints.length, SLICE_MAX_ENDPOINTS)];
  const errs: StatusCause[] = [];
  endpoints.forEach((ep, i) => {
    const p = index("endpoints", i);
    const aPath = child(p, "addresses");
    const addresses = ep.addresses ?? [];
    if (addresses.length === 0) errs.push(required(aPath, "must contain at least 1 address"));
    else if (addresses.length > SLICE_MAX_ADDRESSES) errs.push(tooMany(aPath, addresses.length, SLICE_MAX_ADDRESSES));
    addresses.forEach((addr, j) => {
      const ap = index(aPath, j);
      const ip = parseIP(addr);
      switch (addressType) {
        case "IPv4":
          if (!ip || !to4(ip)) errs.push(invalidField(ap, addr, "must be a valid IPv4 address"));
          errs.push(...nonSpecialIP(addr, ap));
          break;
        case "IPv6":
          if (!ip || to4(ip)) errs.push(invalidField(ap, addr, "must be a valid IPv6 address"));
          errs.push(...nonSpecialIP(addr, ap));
          break;
        case "FQDN":
          errs.push(...fullyQualifiedDomainName(ap, addr));
          break;
      }
    });
    const nodeName = ep.nodeName ?? null;
    if (nodeName !== null) errs.push(...each(isDNS1123Subdomain(nodeName), child(p, "nodeName"), nodeName));
    const topology = ep.deprecatedTopology ?? {};
    const tPath = child(p, "deprecatedTopology");
    if (Object.keys(topology).length > SLICE_MAX_TOPOLOGY_LABELS) errs.push(tooMany(tPath, Object.keys(topology).length, SLICE_MAX_TOPOLOGY_LABELS));
    errs.push(...validateLabels(topology, tPath));
    const hostname = ep.hostname ?? null;
    if (hostname !== null) errs.push(...each(isDNS1123Label(hostname), child(p, "hostname"), hostname));
    const zones = ep.hints?.forZones ?? [];
    const zPath = child(p, "hints", "forZones");
    if (zones.length > SLICE_MAX_ZONE_HINTS) {
      errs.push(tooMany(zPath, zones.length, SLICE_MAX_ZONE_HINTS));
    } else {
      const seen = new Set<string>();
      zones.forEach((z, k) => {
        const name = z.name ?? "";
        const np = child(index(zPath, k), "name");
        if (seen.has(name)) errs.push(duplicate(np, name));
        else seen.add(name);
        errs.push(...each(isValidLabelValue(name), np, name));
      });
    }
  });
  return errs;
}

function validateSlicePorts(ports: EndpointPort[]): StatusCause[] {
  if (ports.length > SLICE_MAX_PORTS) return [tooMany("ports", ports.length, SLICE_MAX_PORTS)];
  const errs: StatusCause[] = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = index("ports", i);
    // discovery/v1 defaulting: a missing name is "", a missing protocol TCP.
    const name = port.name ?? "";
    if (name) errs.push(...each(isDNS1123Label(name), child(p, "name"), name));
    if (names.has(name)) errs.push(duplicate(child(p, "name"), name));
    else names.add(name);
    errs.push(...protocol((port.protocol as string | null | undefined) ?? "TCP", child(p, "protocol")));
    errs.push(...appProtocol(port.appProtocol, child(p, "appProtocol")));
  });
  return errs;
}

/** ValidateEndpointSlice, plus ValidateEndpointSliceUpdate's immutable addressType when `old` is given. */
export function validateEndpointSlice(slice: EndpointSlice, old?: EndpointSlice): StatusCause[] {
  const errs: StatusCause[] = [];
  const addressType = (slice.addressType as string | null | undefined) ?? "";
  if (!addressType) errs.push(required("addressType"));
  else if (!ADDRESS_TYPES.includes(addressType)) errs.push(notSupported("addressType", addressType, ADDRESS_TYPES));
  errs.push(...validateSliceEndpoints((slice.endpoints ?? []) as SliceEndpointIn[], addressType));
  errs.push(...validateSlicePorts(slice.ports ?? []));
  if (old && addressType !== ((old.addressType as string | null | undefined) ?? "")) errs.push(invalidField("addressType", addressType, "field is immutable"));
  return errs;
}
