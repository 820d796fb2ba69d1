// Nodes, Namespaces, Leases and core/v1 Events (k8s.io/kubernetes/pkg/apis/core/validation,
// .../coordination/validation). Events created through core/v1 get only the "legacy"
// checks upstream, so they are far more permissive than other kinds.
import type { Event, Lease, Namespace, Node, StatusCause, Taint } from "./types";
import { GoRepr, child, duplicate, index, invalidField, notSupported, required } from "./field-errors";
import { isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from "./name-rules";
import { TAINT_EFFECTS, validateQuantityValue } from "./validate-pod";

function goTaint(t: Taint): string {
  const added = t.timeAdded ? `&v1.Time{${JSON.stringify(t.timeAdded)}}` : "(*v1.Time)(nil)";
  return `core.Taint{Key:${JSON.stringify(t.key ?? "")}, Value:${JSON.stringify(t.value ?? "")}, Effect:${JSON.stringify(t.effect ?? "")}, TimeAdded:${added}}`;
}

function validateTaints(taints: Taint[] | undefined, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const seen = new Map<string, Set<string>>();
  (taints ?? []).forEach((t, i) => {
    const p = index(path, i);
    isQualifiedName(t.key ?? "").forEach((m) => errs.push(invalidField(child(p, "key"), t.key ?? "", m)));
    const ve = isValidLabelValue(t.value ?? "");
    if (ve.length) errs.push(invalidField(child(p, "value"), t.value ?? "", ve.join(";")));
    if (!t.effect) errs.push(required(child(p, "effect")));
    else if (!TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(child(p, "effect"), t.effect, TAINT_EFFECTS));
    const keys = seen.get(t.effect) ?? new Set<string>();
    if (keys.has(t.key)) {
      errs.push(duplicate(p, new GoRepr(goTaint(t)), "taints must be unique by key and effect pair"));
      return;
    }
    keys.add(t.key);
    seen.set(t.effect, keys);
  });
  return errs;
}

function validateResourceList(list: Record<string, unknown> | undefined, path: string): StatusCause[] {
  // Node resource lists print their keys as path children (status.capacity.cpu), as upstream.
  return Object.entries(list ?? {}).flatMap(([name, q]) => validateQuantityValue(name, q, child(path, name)));
}

export function validateNode(node: Node): StatusCause[] {
  return [
    ...validateTaints(node.spec?.taints, "spec.taints"),
    ...validateResourceList(node.status?.capacity, "status.capacity"),
    ...validateResourceList(node.status?.allocatable, "status.allocatable"),
  ];
}

export function validateNamespace(ns: Namespace): StatusCause[] {
  const errs: StatusCause[] = [];
  for (const f of ns.spec?.finalizers ?? []) {
    const msgs = isQualifiedName(f);
    msgs.forEach((m) => errs.push(invalidField("spec.finalizers", f, m)));
    if (!msgs.length && !f.includes("/") && f !== "kubernetes") {
      errs.push(invalidField("spec.finalizers", f, "name is neither a standard finalizer name nor is it fully qualified"));
    }
  }
  return errs;
}

export function validateLease(lease: Lease): StatusCause[] {
  const errs: StatusCause[] = [];
  const d = lease.spec?.leaseDurationSeconds;
  if (typeof d === "number" && d <= 0) errs.push(invalidField("spec.leaseDurationSeconds", d, "must be greater than 0"));
  const t = lease.spec?.leaseTransitions;
  if (typeof t === "number" && t < 0) errs.push(invalidField("spec.leaseTransitions", t, "must be greater than or equal to 0"));
  return errs;
}

/** legacyValidateEvent: the only validation core/v1 applies to Events. */
export function validateEvent(ev: Event): StatusCause[] {
  const errs: StatusCause[] = [];
  if (!ev.metadata?.name) errs.push(required("metadata.name", "name or generateName is required"));
  const ns = ev.metadata?.namespace ?? "";
  const involvedNs = ev.involvedObject?.namespace ?? "";
  if (!ev.eventTime) {
    // Old-style events: the event lives in its object's namespace (or default for cluster objects).
    const mismatch = involvedNs ? ns !== involvedNs : ns !== "" && ns !== "default";
    if (mismatch) errs.push(invalidField("involvedObject.namespace", involvedNs, "does not match event.namespace"));
  } else {
    if (!involvedNs && ns !== "default" && ns !== "kube-system") errs.push(invalidField("involvedObject.namespace", involvedNs, "does not match event.namespace"));
    if (!ev.reportingComponent) errs.push(required("reportingController"));
    else isQualifiedName(ev.reportingComponent).forEach((m) => errs.push(invalidField("reportingController", ev.reportingComponent!, m)));
    if (!ev.reportingInstance) errs.push(required("reportingInstance"));
    else if (ev.reportingInstance.length > 128) errs.push(invalidField("reportingInstance", "", "can have at most 128 characters"));
    const action = (ev as { action?: string }).action;
    if (!action) errs.push(required("action"));
    else if (action.length > 128) errs.push(invalidField("action", "", "can have at most 128 characters"));
    if (!ev.reason) errs.push(required("reason"));
    else if (ev.reason.length > 128) errs.push(invalidField("reason", "", "can have at most 128 characters"));
    if ((ev.message ?? "").length > 1024) errs.push(invalidField("message", "", "can have at most 1024 characters"));
  }
  isDNS1123Subdomain(ns).forEach((m) => errs.push(invalidField("namespace", ns, m)));
  return errs;
}
