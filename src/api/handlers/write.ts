// create (POST), update (PUT) and patch (PATCH) of the main resource and of the
// status subresource: decoding and the request's own checks here, the rest (strategy,
// validation, namespace lifecycle, hooks) in the registry, so a bad request changes
// nothing.
import type { RequestInfo } from "../request-info";
import type { ApiContext } from "../context";
import { storageKey, apiVersionOf, type ResourceInfo } from "../../model/resources";
import type { KubeObject } from "../../model/types";
import { badRequest, conflict } from "../../model/errors";
import { strictUnknownFields } from "../../model/validation";
import { applyPatch } from "../patch";
import { readBody, readPatchBody } from "../body";
import { json } from "../negotiate";

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

/** fieldValidation=Strict (what kubectl apply/create -f send): unknown fields are errors. */
function checkFieldValidation(info: ResourceInfo, q: URLSearchParams, body: unknown): void {
  if (q.get("fieldValidation") !== "Strict") return;
  const unknown = strictUnknownFields(storageKey(info), body);
  if (unknown.length) {
    throw badRequest(`strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(", ")}`);
  }
}

export async function createObject(ctx: ApiContext, ri: RequestInfo, req: Request, q: URLSearchParams): Promise<Response> {
  const info = ri.info;
  const body = await readBody(req);
  checkFieldValidation(info, q, body);
  const obj = checkBodyIdentity(info, ri, body);
  return json(await ctx.registry.create(storageKey(info), obj, { dryRun: isDryRun(q) }), 201);
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
  const expectedRv = sent ? Number(sent) : Number(current.metadata.resourceVersion);
  if (sent && sent !== current.metadata.resourceVersion) throw conflict(key, ri.name!);
  const stored = await ctx.registry.update(key, next, { old: current, expectedRv, subresource: subresourceOf(ri), dryRun: isDryRun(q) });
  return json(stored);
}

export async function patchObject(ctx: ApiContext, ri: RequestInfo, req: Request, q: URLSearchParams): Promise<Response> {
  const info = ri.info;
  const { patchType, patch } = await readPatchBody(req);
  const key = storageKey(info);
  const dryRun = isDryRun(q);
  const stored = await ctx.registry.patch(
    key,
    ri.namespace,
    ri.name!,
    (current) => {
      const patched = applyPatch(patchType, current, patch, key);
      checkFieldValidation(info, q, patched);
      patched.kind = info.kind;
      patched.apiVersion = apiVersionOf(info);
      return patched;
    },
    { subresource: subresourceOf(ri), dryRun },
  );
  return json(stored);
}

function subresourceOf(ri: RequestInfo): "status" | undefined {
  return ri.subresource === "status" ? "status" : undefined;
}
