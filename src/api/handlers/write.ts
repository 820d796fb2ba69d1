// create (POST), update (PUT) and patch (PATCH) of the main resource and of the
// status subresource: decoding and the request's own checks here, the rest (strategy,
// validation, namespace lifecycle, hooks) in the registry, so a bad request changes
// nothing.
import type { RequestInfo } from "../request-info";
import type { ApiContext } from "../context";
import { storageKey, apiVersionOf, type ResourceInfo } from "../../model/resources";
import type { KubeObject } from "../../model/types";
import { ApiError, badRequest, conflict } from "../../model/errors";
import { strictUnknownFields } from "../../model/validation";
import { applyPatch } from "../patch";
import { APPLY_PATCH_TYPE, readBody, readPatchBody, unsupportedMediaType } from "../body";
import { asServed, unknownCustomFields } from "../custom-resource-view";
import { fieldManagerOf } from "../field-manager";
import { appliedConfiguration, applyTo } from "../apply";
import { queryBool } from "../../model/query-bool";

/** The patch types a custom resource accepts, in upstream's order. */
const CUSTOM_PATCH_MEDIA_TYPES = ["application/json-patch+json", "application/merge-patch+json", APPLY_PATCH_TYPE];
import { json } from "../negotiate";
import { retryOnConflict } from "../../store/retry";
import type { WriteSubresource } from "../../registry/ops";
import { toStorageVersion } from "../../model/conversion";

function isDryRun(q: URLSearchParams): boolean {
  const d = q.getAll("dryRun");
  if (d.some((v) => v !== "All")) throw badRequest(`Invalid dryRun value: ${d.join(",")}; valid values are "All"`);
  return d.length > 0;
}

/** Checks kind/apiVersion/namespace of a body against the URL it was sent to. */
function checkBodyIdentity(info: ResourceInfo, ri: RequestInfo, body: unknown): KubeObject {
  if (!body || typeof body !== "object" || Array.isArray(body)) throw badRequest("the body of the request was not a JSON object");
  const obj = body as KubeObject;
  const apiVersion = apiVersionOf(info);
  if (obj.kind !== undefined && obj.kind !== info.kind) {
    throw badRequest(`the API version in the data (${obj.apiVersion ?? ""}) does not match the expected API version (${apiVersion})`);
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersion})`);
  }
  obj.kind = info.kind;
  // A custom object keeps the request's version until the registry has validated it.
  obj.apiVersion = apiVersion;
  obj.metadata = (obj.metadata && typeof obj.metadata === "object" ? obj.metadata : {}) as KubeObject["metadata"];
  if (info.namespaced) {
    if (obj.metadata.namespace && obj.metadata.namespace !== ri.namespace) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    obj.metadata.namespace = ri.namespace;
  } else {
    delete obj.metadata.namespace;
  }
  return obj;
}

const FIELD_VALIDATION = ["Ignore", "Strict", "Warn"];

/** ValidateFieldValidation: the directive is one of three (or absent), else the options are invalid. */
function fieldValidationOf(q: URLSearchParams, options: "CreateOptions" | "UpdateOptions" | "PatchOptions"): string {
  const v = q.get("fieldValidation") ?? "";
  if (v && !FIELD_VALIDATION.includes(v)) {
    const message = `Unsupported value: "${v}": supported values: ${FIELD_VALIDATION.map((d) => `"${d}"`).join(", ")}`;
    throw new ApiError(422, "Invalid", `${options}.meta.k8s.io "" is invalid: fieldValidation: ${message}`, {
      kind: options,
      group: "meta.k8s.io",
      causes: [{ reason: "FieldValueNotSupported", message, field: "fieldValidation" }],
    });
  }
  return v;
}

/** fieldValidation=Strict (what kubectl apply/create -f send): unknown fields are errors. */
function checkFieldValidation(info: ResourceInfo, q: URLSearchParams, body: unknown): void {
  if (q.get("fieldValidation") !== "Strict") return;
  // Fields are those of the version the request speaks.
  const unknown = info.custom ? unknownCustomFields(info, body) : strictUnknownFields(info.storedAs ? `${storageKey(info)}/${info.version}` : storageKey(info), body);
  if (unknown.length) {
    throw badRequest(`strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(", ")}`);
  }
}

export async function createObject(ctx: ApiContext, ri: RequestInfo, req: Request, q: URLSearchParams): Promise<Response> {
  const info = ri.info;
  fieldValidationOf(q, "CreateOptions");
  const fieldManager = fieldManagerOf(q, req, "CreateOptions");
  const body = await readBody(req);
  checkFieldValidation(info, q, body);
  const obj = toStorageVersion(info, checkBodyIdentity(info, ri, body));
  await ctx.admit?.(obj);
  return json(asServed(info, await ctx.registry.create(storageKey(info), obj, { dryRun: isDryRun(q), fieldManager })), 201);
}

export async function updateObject(ctx: ApiContext, ri: RequestInfo, req: Request, q: URLSearchParams): Promise<Response> {
  const info = ri.info;
  fieldValidationOf(q, "UpdateOptions");
  const fieldManager = fieldManagerOf(q, req, "UpdateOptions");
  const body = await readBody(req);
  checkFieldValidation(info, q, body);
  const next = checkBodyIdentity(info, ri, body);
  if (next.metadata.name && next.metadata.name !== ri.name) {
    throw badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${ri.name})`);
  }
  next.metadata.name = ri.name;
  const key = storageKey(info);
  const sent = next.metadata.resourceVersion;
  const update = async () => {
    const current = await ctx.store.mustGet(key, ri.namespace, ri.name!);
    if (sent && sent !== current.metadata.resourceVersion) throw conflict(key, ri.name!);
    await ctx.admit?.(next);
    // The strategy prepares (and may change) what it is given: each attempt gets the body afresh.
    return ctx.registry.update(key, toStorageVersion(info, structuredClone(next)), { old: current, expectedRv: Number(current.metadata.resourceVersion), subresource: subresourceOf(ri), dryRun: isDryRun(q), fieldManager });
  };
  // With a resourceVersion the update is conditional on it: a 409 when it is stale.
  // Without one it is unconditional, as in Kubernetes: applied to whatever version is
  // current, again if another write got in between (GuaranteedUpdate), never a 409.
  return json(asServed(info, sent ? await update() : await retryOnConflict(update)));
}

export async function patchObject(ctx: ApiContext, ri: RequestInfo, req: Request, q: URLSearchParams): Promise<Response> {
  const info = ri.info;
  const { patchType, patch } = await readPatchBody(req);
  // Custom objects have no Go struct to take merge keys from: no strategic merge.
  if (info.custom && patchType === "application/strategic-merge-patch+json") throw unsupportedMediaType(CUSTOM_PATCH_MEDIA_TYPES);
  fieldValidationOf(q, "PatchOptions");
  const fieldManager = fieldManagerOf(q, req, "PatchOptions", patchType === APPLY_PATCH_TYPE);
  if (patchType === APPLY_PATCH_TYPE) return applyObject(ctx, ri, q, patch, fieldManager);
  const key = storageKey(info);
  const dryRun = isDryRun(q);
  const stored = await ctx.registry.patch(
    key,
    ri.namespace,
    ri.name!,
    async (stored) => {
      // The patch applies to the object as the request's version shows it.
      const current = asServed(info, stored);
      const patched = applyPatch(patchType, current, patch, key);
      checkFieldValidation(info, q, patched);
      checkPatchedIdentity(info, ri, current, patched);
      patched.kind = info.kind;
      patched.apiVersion = apiVersionOf(info);
      const next = toStorageVersion(info, patched);
      await ctx.admit?.(next);
      return next;
    },
    { subresource: subresourceOf(ri), dryRun, fieldManager },
  );
  return json(asServed(info, stored));
}

/**
 * Server-side apply: merged into the live object, or creating it when there is none
 * (201); a create that loses a race to another is applied to the winner.
 */
async function applyObject(ctx: ApiContext, ri: RequestInfo, q: URLSearchParams, patch: unknown, manager: string): Promise<Response> {
  const info = ri.info;
  const key = storageKey(info);
  const dryRun = isDryRun(q);
  const subresource = subresourceOf(ri);
  const config = appliedConfiguration(patch);
  checkFieldValidation(info, q, config);
  const identity = checkBodyIdentity(info, ri, structuredClone(config));
  if (identity.metadata.name !== undefined && identity.metadata.name !== ri.name) {
    throw badRequest(`the name of the object (${String(identity.metadata.name)}) does not match the name on the URL (${ri.name})`);
  }
  identity.metadata.name = ri.name;
  const request = { info, resource: key, config: identity, manager, force: queryBool(q, "force"), subresource };
  for (let attempt = 0; ; attempt++) {
    let found = false;
    try {
      const stored = await ctx.registry.patch(
        key,
        ri.namespace,
        ri.name!,
        async (stored) => {
          found = true;
          // Applied to the object as the request's version shows it, stored in the storage version.
          const current = asServed(info, stored);
          const applied = applyTo(current, { ...request, now: ctx.now() });
          checkPatchedIdentity(info, ri, current, applied);
          const next = toStorageVersion(info, applied);
          await ctx.admit?.(next);
          return next;
        },
        { subresource, dryRun, fieldManager: manager, applied: true },
      );
      return json(asServed(info, stored));
    } catch (e) {
      if (found || subresource || !(e instanceof ApiError && e.code === 404)) throw e;
    }
    const created = toStorageVersion(info, applyTo(undefined, { ...request, now: ctx.now() }));
    await ctx.admit?.(created);
    try {
      return json(asServed(info, await ctx.registry.create(key, created, { dryRun, fieldManager: manager, applied: true })), 201);
    } catch (e) {
      if (attempt > 0 || !(e instanceof ApiError && e.reason === "AlreadyExists")) throw e;
    }
  }
}

/**
 * What a patch may not change (the API server's checkName and its decoding of the
 * patched object into the URL's type): name and namespace must still be the URL's,
 * kind and apiVersion the resource's.
 */
function checkPatchedIdentity(info: ResourceInfo, ri: RequestInfo, current: KubeObject, patched: KubeObject): void {
  const apiVersion = apiVersionOf(info);
  const kindOk = patched.kind === info.kind || patched.kind === current.kind;
  const versionOk = patched.apiVersion === apiVersion || patched.apiVersion === current.apiVersion;
  if (!kindOk || !versionOk) {
    throw badRequest(`the object provided is unrecognized (must be of type ${info.kind}): the patch changed its kind or apiVersion to ${String(patched.apiVersion)}/${String(patched.kind)}`);
  }
  const meta = (patched.metadata ?? {}) as KubeObject["metadata"];
  if (meta.name !== ri.name) throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${ri.name})`);
  if (info.namespaced && meta.namespace && meta.namespace !== ri.namespace) {
    throw badRequest(`the namespace of the object (${String(meta.namespace)}) does not match the namespace on the URL (${ri.namespace})`);
  }
}

function subresourceOf(ri: RequestInfo): WriteSubresource | undefined {
  return ri.subresource === "status" || ri.subresource === "ephemeralcontainers" ? ri.subresource : undefined;
}
