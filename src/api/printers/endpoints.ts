// core/v1 Endpoints columns as printEndpoints prints them: the ready ip:port
// pairs that `kubectl get endpoints` shows, at most three of them.
import type { Endpoints, KubeObject } from "../../model/types";
import { AGE_COLUMN, NAME_COLUMN, col, formatAge } from "./common";
import type { Printer } from "./types";

const COLUMNS = [
  NAME_COLUMN,
  col(
    "Endpoints",
    "string",
    "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.",
  ),
  AGE_COLUMN,
] as const;

const MAX_SHOWN = 3;

/** The first three items comma-joined, then " + N more..." for the rest, as the printers cap long lists. */
export function joinFirstThree(items: readonly string[]): string {
  const shown = items.slice(0, MAX_SHOWN).join(",");
  return items.length > MAX_SHOWN ? `${shown} + ${items.length - MAX_SHOWN} more...` : shown;
}

/** net.JoinHostPort: an IPv6 address is bracketed so its colons stay apart from the port's. */
function joinHostPort(ip: string, port: number): string {
  return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/**
 * formatEndpoints with no port filter: ready addresses only, each paired with
 * every port of its subset. "<none>" only when there are no subsets; subsets
 * holding just not-ready addresses print an empty cell, as upstream does.
 */
function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return "<none>";
  const items: string[] = [];
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    // A headless Service may have no ports: its addresses print as bare IPs.
    if (ports.length === 0) items.push(...addresses.map((a) => a.ip));
    for (const p of ports) items.push(...addresses.map((a) => joinHostPort(a.ip, p.port)));
  }
  return joinFirstThree(items);
}

export const endpointsPrinter: Printer = {
  columns: COLUMNS,
  cells(obj: KubeObject, now: number): unknown[] {
    const ep = obj as Endpoints;
    return [ep.metadata.name ?? "", formatEndpoints(ep), formatAge(ep.metadata.creationTimestamp, now)];
  },
};
