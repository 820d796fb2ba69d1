// discovery.k8s.io EndpointSlice columns as printEndpointSlice prints them, so
// `kubectl get endpointslices` shows ADDRESSTYPE, PORTS and ENDPOINTS as upstream.
import type { EndpointSlice, KubeObject } from "../../model/types";
import { AGE_COLUMN, NAME_COLUMN, col, formatAge } from "./common";
import { joinFirstThree } from "./endpoints";
import type { Printer } from "./types";

// Upstream still takes these descriptions from discovery/v1beta1's field docs.
const COLUMNS = [
  NAME_COLUMN,
  col(
    "AddressType",
    "string",
    "addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.",
  ),
  col(
    "Ports",
    "string",
    "ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates \"all ports\". Each slice may include a maximum of 100 ports.",
  ),
  col("Endpoints", "string", "endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints."),
  AGE_COLUMN,
] as const;

/** In a slice the port number and name are optional: a nil port means "all ports". */
interface SlicePort { port?: number | null; name?: string | null }

/** listWithMoreString: an empty list prints "<unset>". */
function listWithMore(items: readonly string[]): string {
  return joinFirstThree(items) || "<unset>";
}

/** formatDiscoveryPorts: the number, else the name, else "*". */
function formatSlicePorts(ports: readonly SlicePort[] | null | undefined): string {
  return listWithMore((ports ?? []).map((p) => (p.port != null ? String(p.port) : (p.name ?? "*"))));
}

/** formatDiscoveryEndpoints: every address of every endpoint, ready or not. */
function formatSliceEndpoints(slice: EndpointSlice): string {
  return listWithMore((slice.endpoints ?? []).flatMap((e) => e.addresses ?? []));
}

export const endpointSlicePrinter: Printer = {
  columns: COLUMNS,
  cells(obj: KubeObject, now: number): unknown[] {
    const slice = obj as EndpointSlice;
    return [
      slice.metadata.name ?? "",
      slice.addressType ?? "",
      formatSlicePorts(slice.ports),
      formatSliceEndpoints(slice),
      formatAge(slice.metadata.creationTimestamp, now),
    ];
  },
};
