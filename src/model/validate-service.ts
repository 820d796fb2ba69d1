// Services, as k8s.io/kubernetes/pkg/apis/core/validation (ValidateService,
// ValidateServiceUpdate, ValidateServiceClusterIPsRelatedFields) checks them, with the
// registry's NormalizeClusterIPs (pkg/registry/core/service) and the node-port range
// check that upstream makes in the registry's port allocator rather than in
// validation. Rules run on the object as the API server sees it after v1 defaulting
// (SetDefaults_Service) and after clusterIP/clusterIPs are brought in sync, so fields
// the server would have defaulted are treated as defaulted here even if the caller
// left them out.
import type { Service, ServicePort, ServiceSpec, StatusCause } from "./types";
import { GoRepr, child, duplicate, forbidden, index, invalidField, notSupported, required } from "./field-errors";
import { goStringSlice } from "./go-format";
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPortName, isValidPortNum } from "./name-rules";
import { validateLabels } from "./validate-meta";
import { CIDR_MESSAGE, isIPv6String, nonSpecialIP, parseCIDR, validIP } from "./ip-address";
import { appProtocol, each, protocol } from "./validate-network-fields";

// Enumerations, sorted as sets.List prints them in "supported values".
const SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const SESSION_AFFINITIES = ["ClientIP", "None"];
const IP_FAMILIES = ["IPv4", "IPv6"];
const IP_FAMILY_POLICIES = ["PreferDualStack", "RequireDualStack", "SingleStack"];
const TRAFFIC_POLICIES = ["Cluster", "Local"];

const DEFAULT_AFFINITY_SECONDS = 10800;
const MAX_AFFINITY_SECONDS = 86400;

const TOPOLOGY_MODE_ANNOTATION = "service.kubernetes.io/topology-mode";
const TOPOLOGY_HINTS_ANNOTATION = "service.kubernetes.io/topology-aware-hints";
const SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges";

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

// ---- Go formatting of reported values ----

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

interface NodePortRange {
  min: number;
  max: number;
}

const DEFAULT_NODE_PORT_RANGE: NodePortRange = { min: 30000, max: 32767 };

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
