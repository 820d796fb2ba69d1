// Ephemeral containers (`kubectl debug`), as upstream validates them: added only through
// pods/NAME/ephemeralcontainers, never on create, never changed or removed once there,
// and without the fields that only make sense for a container the pod was built with.
import type { Container, PodSpec, StatusCause } from "./types";
import { child, forbidden, notFound } from "./field-errors";

// Fields of a Container that an ephemeral container may not set (validateEphemeralContainers).
const NOT_FOR_EPHEMERAL = ["ports", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "resizePolicy", "restartPolicy"] as const;

function isSet(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

/** The rules of one ephemeral container beyond a container's own. */
export function validateEphemeralOnly(c: Container & { targetContainerName?: string }, spec: PodSpec, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  for (const f of NOT_FOR_EPHEMERAL) {
    if (isSet((c as unknown as Record<string, unknown>)[f])) errs.push(forbidden(child(path, f), "cannot be set for an Ephemeral Container"));
  }
  if (isSet(c.resources)) errs.push(forbidden(child(path, "resources"), "cannot be set for an Ephemeral Container"));
  if (c.targetContainerName && ![...spec.containers, ...(spec.initContainers ?? [])].some((x) => x.name === c.targetContainerName)) {
    errs.push(notFound(child(path, "targetContainerName"), c.targetContainerName));
  }
  return errs;
}

/** JSON with sorted keys: the same container whatever order a patch left its fields in. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}

/** A new pod has none (ValidatePodCreate). */
export function validateNoEphemeralOnCreate(spec: PodSpec | undefined): StatusCause[] {
  return spec?.ephemeralContainers?.length ? [forbidden("spec.ephemeralContainers", "cannot be set on create")] : [];
}

/** Ephemeral containers can only be added, not removed or modified (ValidatePodEphemeralContainersUpdate). */
export function validateEphemeralContainersUpdate(next: PodSpec | undefined, old: PodSpec | undefined): StatusCause[] {
  const errs: StatusCause[] = [];
  const byName = new Map((next?.ephemeralContainers ?? []).map((c) => [c.name, c]));
  for (const o of old?.ephemeralContainers ?? []) {
    const n = byName.get(o.name);
    if (!n) errs.push(forbidden("spec.ephemeralContainers", `existing ephemeral containers "${o.name}" may not be removed\n`));
    else if (canonical(n) !== canonical(o)) errs.push(forbidden("spec.ephemeralContainers", `existing ephemeral containers "${o.name}" may not be changed\n`));
  }
  return errs;
}
