// Content negotiation for responses: kubectl get asks for a server-side Table with
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io,...`.
import type { IncludeObject } from "./printers";

interface TableRequest {
  includeObject: IncludeObject;
}

/** The media type the API server answers a Table with. */
export const TABLE_CONTENT_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io";

export function wantsTable(accept: string | null | undefined, query: URLSearchParams): TableRequest | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(",")) {
    const params = part.split(";").map((p) => p.trim());
    if (params.includes("as=Table") && params.includes("g=meta.k8s.io")) {
      const io = query.get("includeObject");
      return { includeObject: io === "Object" || io === "None" ? io : "Metadata" };
    }
  }
  return undefined;
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}
