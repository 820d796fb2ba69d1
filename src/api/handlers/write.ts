// create (POST), update (PUT) and patch (PATCH) of the main resource and of the
// status/scale subresources' parents. Every path validates before it writes, so a
// bad request changes nothing.
import type { RequestInfo } from "../request-info";
import type { ApiContext } from "../context";
import { storageKey, apiVersionOf, type ResourceInfo } from "../../model/resources";
import type { KubeObject, Service } from "../../model/types";
import { allocateServiceAddresses, releaseServiceAddresses } from "../../controlplane/service-addresses";
import { ApiError, badRequest, invalid, conflict } from "../../model/errors";
import { validateObject, strictUnknownFields } from "../../model/validation";
import { applyPatch } from "../patch";
import { readBody } from "../body";
import { json } from "../negotiate";
import { prepareForCreate, prepareForUpdate, prepareForStatusUpdate } from "../../registry/strategy";

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

function validateOrThrow(info: ResourceInfo, obj: KubeObject, old?: KubeObject): void {
  const causes = validateObject(storageKey(info), obj, old);
  if (causes.length) throw invalid(info.kind, obj.metadata.name ?? "", causes, info.group);
}

/** fieldValidation=Strict (what kubectl apply/create -f send): unknown fields are errors. */
function checkFieldValidation(info: ResourceInfo, q: URLSearchParams, body: unknown): void {
  if (q.get("fieldValidation") !== "Strict") return;
  const unknown = strictUnknownFields(storageKey(info), body);
  if (unknown.length) {
    throw badRequest(`strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(", ")}`);
  }
}

async function ensureNamespaceActive(ctx: ApiContext, info: ResourceInfo, namespace: string): Promise<void> {
  if (!info.namespaced) return;
  const ns = await ctx.store.get("namespaces", "", namespace);
  if (!ns) throw new ApiError(404, "NotFound", `namespaces "${namespace}" not found`, { name: namespace, kind: "namespaces" });
  if (ns.metadata.deletionTimestamp) {
    throw new ApiError(403, "Forbidden", `${info.resource} "${""}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, { kind: info.resource });
  }
}

export async function createObject(ctx: ApiContext, ri: RequestInfo, req: Request, q: URLSearchParams): Promise<Response> {
  const info = ri.info;
  const body = await readBody(req);
  checkFieldValidation(info, q, body);
  const obj = checkBodyIdentity(info, ri, body);
  if (!obj.metadata.name && !obj.metadata.generateName) {
    throw invalid(info.kind, "", [{ reason: "FieldValueRequired", message: "Required value: name or generateName is required", field: "metadata.name" }], info.group);
  }
  prepareForCreate(info, obj, { now: ctx.now(), defaults: { notReadyTolerationSeconds: ctx.config.notReadyTolerationSeconds, unreachableTolerationSeconds: ctx.config.unreachableTolerationSeconds } });
  validateOrThrow(info, obj);
  await ensureNamespaceActive(ctx, info, ri.namespace);
  if (storageKey(info) === "services") await allocateServiceAddresses(ctx.env, obj as Service, isDryRun(q));
  if (isDryRun(q)) {
    if (await ctx.store.get(storageKey(info), ri.namespace, obj.metadata.name!)) {
      throw new ApiError(409, "AlreadyExists", `${storageKey(info)} "${obj.metadata.name}" already exists`, { name: obj.metadata.name, kind: info.resource });
    }
    return json(obj, 201);
  }
  try {
    return json(await ctx.store.create(storageKey(info), obj), 201);
  } catch (e) {
    // The addresses just allocated belong to this attempt's uid alone: give them back.
    if (storageKey(info) === "services") await releaseServiceAddresses(ctx.env, obj);
    throw e;
  }
}

/** Apply an update computed from the current object, conditional on what was read. */
async function writeUpdate(ctx: ApiContext, ri: RequestInfo, q: URLSearchParams, current: KubeObject, next: KubeObject, expectedRv: number): Promise<KubeObject> {
  const info = ri.info;
  const prepared = ri.subresource === "status" ? prepareForStatusUpdate(next, current) : prepareForUpdate(info, next, current);
  validateOrThrow(info, prepared, current);
  const key = storageKey(info);
  // A Service being deleted keeps what it has; it only waits for its finalizers.
  if (key === "services" && ri.subresource !== "status" && !prepared.metadata.deletionTimestamp) await allocateServiceAddresses(ctx.env, prepared as Service, isDryRun(q));
  if (isDryRun(q)) return prepared;
  // The last finalizer gone from an object being deleted: the update deletes it.
  if (prepared.metadata.deletionTimestamp && !(prepared.metadata.finalizers?.length) && key !== "pods") {
    const removed = await ctx.store.remove(key, { ...prepared, metadata: { ...prepared.metadata, resourceVersion: String(expectedRv) } });
    if (key === "services") await releaseServiceAddresses(ctx.env, removed);
    return removed;
  }
  return ctx.store.update(key, prepared, expectedRv);
}

export async function updateObject(ctx: ApiContext, ri: RequestInfo, req: Request, q: URLSearchParams): Promise<Response> {
  const info = ri.info;
  const body = await readBody(req);
  checkFieldValidation(info, q, body);
  const next = checkBodyIdentity(info, ri, body);
  if (next.metadata.name && next.metadata.name !== ri.name) {
    throw badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${ri.name})`);
  }
  next.metadata.name = ri.name;
  const key = storageKey(info);
  const current = await ctx.store.mustGet(key, ri.namespace, ri.name!);
  const sent = next.metadata.resourceVersion;
  // A PUT without resourceVersion is an unconditional update, as in Kubernetes.
  const expected = sent ? Number(sent) : Number(current.metadata.resourceVersion);
  if (sent && sent !== current.metadata.resourceVersion) throw conflict(key, ri.name!);
  const stored = await writeUpdate(ctx, ri, q, current, next, expected);
  return json(stored);
}

export async function patchObject(ctx: ApiContext, ri: RequestInfo, req: Request, q: URLSearchParams): Promise<Response> {
  const info = ri.info;
  const contentType = (req.headers.get("content-type") ?? "").split(";")[0].trim();
  const patch = await readBody(req);
  const key = storageKey(info);
  // Retry on conflict unless the patch itself pins a resourceVersion.
  for (let attempt = 0; ; attempt++) {
    const current = await ctx.store.mustGet(key, ri.namespace, ri.name!);
    const patched = applyPatch(contentType, structuredClone(current), patch, key);
    checkFieldValidation(info, q, patched);
    const pinned = patched.metadata?.resourceVersion;
    if (pinned && pinned !== current.metadata.resourceVersion) throw conflict(key, ri.name!);
    patched.kind = info.kind;
    patched.apiVersion = apiVersionOf(info);
    try {
      const stored = await writeUpdate(ctx, ri, q, current, patched, Number(current.metadata.resourceVersion));
      return json(stored);
    } catch (e) {
      if (e instanceof ApiError && e.reason === "Conflict" && !pinned && attempt < 8) continue;
      throw e;
    }
  }
}
