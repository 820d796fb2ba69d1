// Ingress and IngressClass columns as printIngress and printIngressClass print them:
// the class, up to three hosts ("*" for rules without one), the addresses the
// controller reported, "80" or "80, 443" when TLS is configured.
import type { KubeObject } from "../../model/types";
import type { Ingress, IngressClass } from "../../model/ingress-types";
import { AGE_COLUMN, NAME_COLUMN, col, formatAge } from "./common";
import type { Printer } from "./types";

const INGRESS_COLUMNS = [
  NAME_COLUMN,
  col("Class", "string", "The name of the IngressClass resource that should be used for ingress."),
  col("Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule"),
  col("Address", "string", "Address is a list containing ingress points for the load-balancer"),
  col("Ports", "string", "Ports of TLS configurations that open"),
  AGE_COLUMN,
] as const;

const MAX_HOSTS = 3;

function formatHosts(ing: Ingress): string {
  const rules = ing.spec?.rules ?? [];
  const hosts: string[] = [];
  let more = false;
  for (const r of rules) {
    if (hosts.length === MAX_HOSTS) more = true;
    if (!more && r.host) hosts.push(r.host);
  }
  if (hosts.length === 0) return "*";
  return more ? `${hosts.join(",")} + ${rules.length - MAX_HOSTS} more...` : hosts.join(",");
}

/** ingressLoadBalancerStatusStringer: each entry's IP, else its hostname; sorted, once each. */
function formatAddress(ing: Ingress): string {
  const seen = new Set<string>();
  for (const lb of ing.status?.loadBalancer?.ingress ?? []) {
    if (lb.ip) seen.add(lb.ip);
    else if (lb.hostname) seen.add(lb.hostname);
  }
  return [...seen].sort().join(",");
}

export const ingressPrinter: Printer = {
  columns: INGRESS_COLUMNS,
  cells(obj: KubeObject, now: number): unknown[] {
    const ing = obj as Ingress;
    const cls = ing.spec?.ingressClassName ?? "<none>";
    const ports = ing.spec?.tls?.length ? "80, 443" : "80";
    return [ing.metadata.name ?? "", cls, formatHosts(ing), formatAddress(ing), ports, formatAge(ing.metadata.creationTimestamp, now)];
  },
};

const CLASS_COLUMNS = [
  NAME_COLUMN,
  col("Controller", "string", "Controller that is responsible for handling this class"),
  col("Parameters", "string", "A reference to a resource with additional parameters"),
  AGE_COLUMN,
] as const;

export const ingressClassPrinter: Printer = {
  columns: CLASS_COLUMNS,
  cells(obj: KubeObject, now: number): unknown[] {
    const ic = obj as IngressClass;
    const p = ic.spec?.parameters;
    const parameters = p ? `${p.kind}${p.apiGroup ? `.${p.apiGroup}` : ""}/${p.name}` : "<none>";
    return [ic.metadata.name ?? "", ic.spec?.controller ?? "", parameters, formatAge(ic.metadata.creationTimestamp, now)];
  },
};
