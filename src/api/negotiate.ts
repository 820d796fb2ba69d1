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

/**
 * The size from which the API server compresses a response for a client that accepts
 * it (defaultGzipThresholdBytes in the apiserver's response writers, 128 KiB).
 */
export const COMPRESS_FROM_BYTES = 128 * 1024;

/**
 * A JSON response. One under COMPRESS_FROM_BYTES says `Content-Encoding: identity`, so
 * it goes as it is, as the API server sends it: the platform (Cloudflare's edge, and
 * locally Miniflare's entry worker) compresses every JSON response whose encoding is not
 * set, and for the small bodies most requests answer with that costs the one thread more
 * than it saves. Larger ones are left to it (gzip or br, as the client accepts). The
 * length in UTF-16 units is a lower bound on the bytes: only a body near the threshold
 * can be judged on the small side.
 */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  const text = JSON.stringify(body);
  const encoding: Record<string, string> = text.length < COMPRESS_FROM_BYTES ? { "content-encoding": "identity" } : {};
  return new Response(text, { status, headers: { "content-type": "application/json", ...encoding, ...headers } });
}
