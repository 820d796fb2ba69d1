// Endpoints and EndpointSlices, as k8s.io/kubernetes/pkg/apis/core/validation
// (ValidateEndpoints) and pkg/apis/discovery/validation (ValidateEndpointSlice,
// ValidateEndpointSliceUpdate) check them. Rules run on the object after v1 defaulting
// (SetDefaults_Endpoints, the discovery/v1 port defaults), so fields the server would
// have defaulted are treated as defaulted here even if the caller left them out.
import type { EndpointAddress, EndpointPort, EndpointSlice, Endpoints, StatusCause } from "./types";
import { child, duplicate, index, invalidField, notSupported, required } from "./field-errors";
import { isDNS1123Label, isDNS1123Subdomain, isValidLabelValue, isValidPortNum } from "./name-rules";
import { validateLabels } from "./validate-meta";
import { nonSpecialIP, parseIP, to4, validIP } from "./ip-address";
import { appProtocol, each, protocol } from "./validate-network-fields";

// Sorted as sets.List prints them in "supported values".
const ADDRESS_TYPES = ["FQDN", "IPv4", "IPv6"];

const SLICE_MAX_ENDPOINTS = 1000;
const SLICE_MAX_ADDRESSES = 100;
const SLICE_MAX_PORTS = 20000;
const SLICE_MAX_TOPOLOGY_LABELS = 16;
const SLICE_MAX_ZONE_HINTS = 8;

/** field.TooMany (the count prints through %#v, as a plain number). */
const tooMany = (field: string, actual: number, max: number): StatusCause => ({
  reason: "FieldValueTooMany",
  message: `Too many: ${actual}: must have at most ${max} ${max === 1 ? "item" : "items"}`,
  field,
});

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
