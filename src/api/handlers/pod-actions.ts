// pods/binding (the scheduler's decision) and pods/eviction (drain).
import type { RequestInfo } from "../request-info";
import type { ApiContext } from "../context";
import { badRequest } from "../../model/errors";
import { readBody } from "../body";
import { json } from "../negotiate";
import { deleteOptionsOf } from "./delete";

export async function createBinding(ctx: ApiContext, ri: RequestInfo, req: Request): Promise<Response> {
  const body = (await readBody(req)) as { target?: { kind?: string; name?: string }; metadata?: { name?: string } };
  const target = body?.target;
  if (!target?.name) throw badRequest("Binding.target.name is required");
  if (target.kind && target.kind !== "Node") throw badRequest(`Binding.target.kind must be Node, got ${target.kind}`);
  if (body.metadata?.name && body.metadata.name !== ri.name) throw badRequest("the name of the binding does not match the pod");
  await ctx.registry.bind(ri.namespace, ri.name!, target.name);
  return json({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 }, 201);
}

export async function createEviction(ctx: ApiContext, ri: RequestInfo, req: Request): Promise<Response> {
  const body = (await readBody(req)) as { kind?: string; metadata?: { name?: string }; deleteOptions?: Record<string, unknown> | null };
  if (body?.metadata?.name && body.metadata.name !== ri.name) {
    throw badRequest(`name in URL does not match name in Eviction object`);
  }
  // The budgets guarding the pod decide (429 when none is left); see registry/eviction.ts.
  const opts = body?.deleteOptions;
  if (opts !== undefined && opts !== null && (typeof opts !== "object" || Array.isArray(opts))) throw badRequest("Eviction.deleteOptions must be an object");
  // dryRun may come as the create's query parameter or in the DeleteOptions (propagateDryRun).
  await ctx.registry.evict(ri.namespace, ri.name!, deleteOptionsOf(opts ?? {}, new URL(req.url).searchParams));
  return json({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 }, 201);
}

