// Pod specs (also the templates inside Deployments and ReplicaSets), following
// k8s.io/kubernetes/pkg/apis/core/validation: containers, ports, env, volumes and
// mounts, resources, tolerations, and the rule that a running pod's spec is
// immutable except for images, activeDeadlineSeconds and added tolerations.
import { validateRenderedVolume } from "./validate-projected";
import type { Container, PodSpec, StatusCause, Toleration } from "./types";
import { child, duplicate, forbidden, index, invalidField, notFound, notSupported, required, type BadValue } from "./field-errors";
import { isDNS1123Label, isQualifiedName, isRelaxedEnvVarName, isValidLabelValue, isValidPortName, isValidPortNum } from "./name-rules";
import { compareQuantities, isValidQuantity, canonicalQuantity, QUANTITY_REGEX_MESSAGE } from "./quantity";
import { validateLabels } from "./validate-meta";
import { validateConfigVolume, validateEnvFrom, validateEnvValueFrom } from "./validate-pod-sources";
import { validateContainerProbes } from "./validate-probe";
import { validateEphemeralOnly } from "./validate-ephemeral";

const RESTART_POLICIES = ["Always", "OnFailure", "Never"];
const DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];
const TERMINATION_MESSAGE_POLICIES = ["File", "FallbackToLogsOnError"];
const PROTOCOLS = ["SCTP", "TCP", "UDP"];
export const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
const STANDARD_CONTAINER_RESOURCES = ["cpu", "memory", "ephemeral-storage"];
const MAX_INT32 = 2147483647;

const dns1123Label = (value: string, path: string): StatusCause[] => isDNS1123Label(value).map((m) => invalidField(path, value, m));

/** Quantities arrive as strings or JSON numbers; an unparsable one fails decoding upstream. */
function quantityText(v: unknown): string | undefined {
  if (typeof v === "number") return String(v);
  return typeof v === "string" ? v : undefined;
}

export function validateQuantityValue(resource: string, raw: unknown, path: string): StatusCause[] {
  const text = quantityText(raw);
  if (text === undefined || !isValidQuantity(text)) return [invalidField(path, (text ?? String(raw)) as BadValue, QUANTITY_REGEX_MESSAGE)];
  const canonical = canonicalQuantity(text);
  if (compareQuantities(text, 0) < 0) return [invalidField(path, canonical, "must be greater than or equal to 0")];
  // Countable resources take whole numbers only.
  if (resource === "pods" && !/^\d+$/.test(canonical)) return [invalidField(path, canonical, "must be an integer")];
  return [];
}

function validateContainerResourceName(name: string, path: string): StatusCause[] {
  const errs = isQualifiedName(name).map((m) => invalidField(path, name, m));
  if (errs.length) return errs;
  if (!name.includes("/") && !STANDARD_CONTAINER_RESOURCES.includes(name) && !name.startsWith("hugepages-")) {
    return [invalidField(path, name, "must be a standard resource for containers")];
  }
  return [];
}

function validateResources(res: Container["resources"], path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const limits = res?.limits ?? {};
  const requests = res?.requests ?? {};
  const limPath = child(path, "limits");
  const reqPath = child(path, "requests");
  for (const [name, q] of Object.entries(limits)) {
    const p = index(limPath, name);
    errs.push(...validateContainerResourceName(name, p), ...validateQuantityValue(name, q, p));
  }
  for (const [name, q] of Object.entries(requests)) {
    const p = index(reqPath, name);
    const qErrs = validateQuantityValue(name, q, p);
    errs.push(...validateContainerResourceName(name, p), ...qErrs);
    const limit = limits[name];
    const qt = quantityText(q);
    const lt = quantityText(limit);
    if (!qErrs.length && qt !== undefined && lt !== undefined && isValidQuantity(lt) && compareQuantities(qt, lt) > 0) {
      errs.push(invalidField(reqPath, canonicalQuantity(qt), `must be less than or equal to ${name} limit of ${canonicalQuantity(lt)}`));
    }
  }
  return errs;
}

function validatePorts(ports: Container["ports"], path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const p = index(path, i);
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length) msgs.forEach((m) => errs.push(invalidField(child(p, "name"), port.name!, m)));
      else if (names.has(port.name)) errs.push(duplicate(child(p, "name"), port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(required(child(p, "containerPort")));
    else isValidPortNum(port.containerPort).forEach((m) => errs.push(invalidField(child(p, "containerPort"), port.containerPort, m)));
    if (port.hostPort) isValidPortNum(port.hostPort).forEach((m) => errs.push(invalidField(child(p, "hostPort"), port.hostPort!, m)));
    // An absent protocol is defaulted to TCP.
    if (port.protocol && !PROTOCOLS.includes(port.protocol)) errs.push(notSupported(child(p, "protocol"), port.protocol, PROTOCOLS));
  });
  return errs;
}

function validateEnv(env: Container["env"], path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  (env ?? []).forEach((ev, i) => {
    const p = child(index(path, i), "name");
    if (!ev.name) errs.push(required(p));
    else isRelaxedEnvVarName(ev.name).forEach((m) => errs.push(invalidField(p, ev.name, m)));
    errs.push(...validateEnvValueFrom(ev, index(path, i)));
  });
  return errs;
}

function validateVolumeMounts(mounts: Container["volumeMounts"], volumes: Set<string>, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const mountPoints = new Set<string>();
  (mounts ?? []).forEach((m, i) => {
    const p = index(path, i);
    if (!m.name) errs.push(required(child(p, "name")));
    if (!volumes.has(m.name ?? "")) errs.push(notFound(child(p, "name"), m.name ?? ""));
    if (!m.mountPath) errs.push(required(child(p, "mountPath")));
    if (mountPoints.has(m.mountPath)) errs.push(invalidField(child(p, "mountPath"), m.mountPath, "must be unique"));
    mountPoints.add(m.mountPath);
  });
  return errs;
}

function validateContainer(c: Container, volumes: Set<string>, path: string, init = false): StatusCause[] {
  const errs: StatusCause[] = [];
  if (!c.name) errs.push(required(child(path, "name")));
  else errs.push(...dns1123Label(c.name, child(path, "name")));
  if (!c.image) errs.push(required(child(path, "image")));
  else if (c.image !== c.image.trim()) errs.push(invalidField(child(path, "image"), c.image, "must not have leading or trailing whitespace"));
  errs.push(...validatePorts(c.ports, child(path, "ports")));
  errs.push(...validateEnvFrom(c.envFrom, child(path, "envFrom")));
  errs.push(...validateEnv(c.env, child(path, "env")));
  errs.push(...validateVolumeMounts(c.volumeMounts, volumes, child(path, "volumeMounts")));
  if (c.imagePullPolicy && !PULL_POLICIES.includes(c.imagePullPolicy)) {
    errs.push(notSupported(child(path, "imagePullPolicy"), c.imagePullPolicy, PULL_POLICIES));
  }
  if (c.terminationMessagePolicy && !TERMINATION_MESSAGE_POLICIES.includes(c.terminationMessagePolicy)) {
    errs.push(notSupported(child(path, "terminationMessagePolicy"), c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES));
  }
  errs.push(...validateResources(c.resources, child(path, "resources")));
  errs.push(...validateContainerProbes(c, path, init));
  return errs;
}

function validateVolumes(volumes: PodSpec["volumes"], path: string, errs: StatusCause[]): Set<string> {
  const names = new Set<string>();
  (volumes ?? []).forEach((v, i) => {
    const p = child(index(path, i), "name");
    if (!v.name) errs.push(required(p));
    else errs.push(...dns1123Label(v.name, p));
    if (names.has(v.name)) errs.push(duplicate(p, v.name));
    names.add(v.name);
    errs.push(...validateConfigVolume(v, index(path, i)), ...validateRenderedVolume(v, index(path, i)));
  });
  return names;
}

function validateTolerations(tolerations: Toleration[] | undefined, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const p = index(path, i);
    if (t.key) isQualifiedName(t.key).forEach((m) => errs.push(invalidField(child(p, "key"), t.key!, m)));
    if (!t.key && t.operator !== "Exists") {
      errs.push(invalidField(child(p, "operator"), t.operator ?? "", 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== "NoExecute") {
      errs.push(invalidField(child(p, "effect"), t.effect ?? "", "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (!t.operator || t.operator === "Equal") {
      const ve = isValidLabelValue(t.value ?? "");
      if (ve.length) errs.push(invalidField(child(p, "operator"), t.value ?? "", ve.join(";")));
    } else if (t.operator === "Exists") {
      if (t.value) errs.push(forbiddenValueWithExists(child(p, "operator"), t));
    } else {
      errs.push(notSupported(child(p, "operator"), t.operator, ["Equal", "Exists"]));
    }
    if (t.effect && !TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(child(p, "effect"), t.effect, TAINT_EFFECTS));
  });
  return errs;
}

function forbiddenValueWithExists(path: string, t: Toleration): StatusCause {
  const secs = t.tolerationSeconds === undefined || t.tolerationSeconds === null ? "(*int64)(nil)" : `&${t.tolerationSeconds}`;
  const v = `core.Toleration{Key:${JSON.stringify(t.key ?? "")}, Operator:"Exists", Value:${JSON.stringify(t.value ?? "")}, Effect:${JSON.stringify(t.effect ?? "")}, TolerationSeconds:${secs}}`;
  return { reason: "FieldValueInvalid", field: path, message: `Invalid value: ${v}: value must be empty when \`operator\` is 'Exists'` };
}

/** ValidatePodSpec (the parts this model uses). `path` is "spec" or "spec.template.spec". */
export function validatePodSpec(spec: PodSpec | undefined, path: string): StatusCause[] {
  const s = spec ?? ({} as PodSpec);
  const errs: StatusCause[] = [];
  const volumes = validateVolumes(s.volumes, child(path, "volumes"), errs);
  const containersPath = child(path, "containers");
  const names = new Set<string>();
  if (!s.containers || s.containers.length === 0) errs.push(required(containersPath));
  (s.containers ?? []).forEach((c, i) => {
    const p = index(containersPath, i);
    errs.push(...validateContainer(c, volumes, p));
    if (names.has(c.name)) errs.push(duplicate(child(p, "name"), c.name));
    else names.add(c.name);
  });
  // Init container names share one namespace with the app containers.
  (s.initContainers ?? []).forEach((c, i) => {
    const p = index(child(path, "initContainers"), i);
    errs.push(...validateContainer(c, volumes, p, true));
    if (names.has(c.name)) errs.push(duplicate(child(p, "name"), c.name));
    else names.add(c.name);
  });
  // Ephemeral container names share that namespace too.
  (s.ephemeralContainers ?? []).forEach((c, i) => {
    const p = index(child(path, "ephemeralContainers"), i);
    errs.push(...validateContainer(c, volumes, p), ...validateEphemeralOnly(c, s, p));
    if (names.has(c.name)) errs.push(duplicate(child(p, "name"), c.name));
    else names.add(c.name);
  });
  // Empty strings are defaulted by the API server, so only set values are checked.
  if (s.restartPolicy && !RESTART_POLICIES.includes(s.restartPolicy)) errs.push(notSupported(child(path, "restartPolicy"), s.restartPolicy, RESTART_POLICIES));
  if (s.dnsPolicy && !DNS_POLICIES.includes(s.dnsPolicy)) errs.push(notSupported(child(path, "dnsPolicy"), s.dnsPolicy, DNS_POLICIES));
  errs.push(...validateLabels(s.nodeSelector, child(path, "nodeSelector")));
  const ads = s.activeDeadlineSeconds as number | undefined | null;
  if (typeof ads === "number" && (ads < 1 || ads > MAX_INT32)) {
    errs.push(invalidField(child(path, "activeDeadlineSeconds"), ads, `must be between 1 and ${MAX_INT32}, inclusive`));
  }
  errs.push(...validateTolerations(s.tolerations, child(path, "tolerations")));
  // The pod's DNS name is <hostname>.<subdomain>.<namespace>.svc: each part one label.
  for (const f of ["hostname", "subdomain"] as const) {
    const v = s[f];
    if (typeof v === "string" && v) for (const msg of isDNS1123Label(v)) errs.push(invalidField(child(path, f), v, msg));
  }
  return errs;
}

const POD_UPDATE_FORBIDDEN =
  "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

// Fields the API server fills in by defaulting or admission. Updates here are not
// re-defaulted, so an update that omits one keeps the stored value for the comparison.
const DEFAULTED_POD_FIELDS = [
  "restartPolicy",
  "terminationGracePeriodSeconds",
  "dnsPolicy",
  "schedulerName",
  "securityContext",
  "enableServiceLinks",
  "priority",
  "preemptionPolicy",
  "serviceAccountName",
  "serviceAccount",
  "tolerations",
];
const DEFAULTED_CONTAINER_FIELDS = ["imagePullPolicy", "terminationMessagePath", "terminationMessagePolicy", "resources"];

type Json = Record<string, unknown>;

function fillDefaultsFrom(next: Json, old: Json, keys: string[]): void {
  for (const k of keys) if (next[k] === undefined && old[k] !== undefined) next[k] = old[k];
}

/** JSON equality where absent and undefined are the same (semantic DeepEqual on decoded JSON). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ao = a as Json;
  const bo = b as Json;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!jsonEqual(ao[k], bo[k])) return false;
  return true;
}

function mungeContainers(next: unknown, old: unknown): unknown {
  if (!Array.isArray(next) || !Array.isArray(old) || next.length !== old.length) return next;
  return next.map((c: Json, i) => {
    const o = old[i] as Json;
    const out: Json = { ...c, image: o.image };
    fillDefaultsFrom(out, o, DEFAULTED_CONTAINER_FIELDS);
    if (Array.isArray(out.ports) && Array.isArray(o.ports)) {
      out.ports = (out.ports as Json[]).map((p, j) => (p.protocol === undefined && (o.ports as Json[])[j] ? { ...p, protocol: ((o.ports as Json[])[j] as Json).protocol } : p));
    }
    return out;
  });
}

const goFieldName = (k: string) => k.charAt(0).toUpperCase() + k.slice(1);

/** A short cmp.Diff-like listing of the spec fields that differ. */
function specDiff(old: Json, next: Json): string {
  const lines = ["  core.PodSpec{"];
  for (const k of [...new Set([...Object.keys(old), ...Object.keys(next)])].sort()) {
    if (jsonEqual(old[k], next[k])) continue;
    if (old[k] !== undefined) lines.push(`- \t${goFieldName(k)}: ${JSON.stringify(old[k])},`);
    if (next[k] !== undefined) lines.push(`+ \t${goFieldName(k)}: ${JSON.stringify(next[k])},`);
  }
  lines.push("  }");
  return lines.join("\n");
}

function validateOnlyAddedTolerations(next: Toleration[] | undefined, old: Toleration[] | undefined, path: string): StatusCause[] {
  for (const o of old ?? []) {
    // tolerationSeconds may change; everything else of an existing toleration must stay.
    const found = (next ?? []).some((n) => jsonEqual({ ...o, tolerationSeconds: n.tolerationSeconds }, n));
    if (!found) return [forbidden(path, "existing toleration can not be modified except its tolerationSeconds")];
  }
  return [];
}

/** ValidatePodUpdate's spec rule: everything but the updatable fields must be unchanged. */
export function validatePodSpecUpdate(next: PodSpec | undefined, old: PodSpec | undefined): StatusCause[] {
  const n = (next ?? {}) as Json;
  const o = (old ?? {}) as Json;
  const munged: Json = { ...n };
  fillDefaultsFrom(munged, o, DEFAULTED_POD_FIELDS);
  const errs = validateOnlyAddedTolerations(munged.tolerations as Toleration[] | undefined, o.tolerations as Toleration[] | undefined, "spec.tolerations");
  munged.containers = mungeContainers(n.containers, o.containers);
  munged.initContainers = mungeContainers(n.initContainers, o.initContainers);
  // They have their own subresource and rule (validate-ephemeral.ts).
  munged.ephemeralContainers = o.ephemeralContainers;
  munged.activeDeadlineSeconds = o.activeDeadlineSeconds;
  munged.tolerations = o.tolerations;
  munged.schedulingGates = o.schedulingGates;
  const oldGrace = o.terminationGracePeriodSeconds;
  if (typeof oldGrace === "number" && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldGrace;
  if (!jsonEqual(munged, o)) errs.push(forbidden("spec", `${POD_UPDATE_FORBIDDEN}\n${specDiff(o, munged)}`));
  return errs;
}
