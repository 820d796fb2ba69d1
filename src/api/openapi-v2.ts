// GET /openapi/v2: the Swagger 2.0 document, in JSON or in gnostic's protobuf encoding,
// whichever the Accept header asks for first (client-go asks for protobuf; a browser or
// curl gets JSON), as the API server's OpenAPI handler negotiates it. Both encodings
// carry one ETag, the hash of the JSON text, so a client's cached copy of either is
// revalidated with a 304.
import type { Context } from "hono";
import type { AppEnv } from "./context";
import { ApiError } from "../model/errors";
import { swaggerDocument } from "./openapi-v2-schema";
import { encodeOpenAPIv2 } from "./openapi-v2-proto";
import { hashOf, notModified } from "./openapi-cache";

const JSON_TYPE = "application/json";
/** What client-go sends; answered with the current name of the type. */
const PROTOBUF_DEPRECATED = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
const PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
const OFFERED = [JSON_TYPE, PROTOBUF_DEPRECATED, PROTOBUF];

interface Published {
  json: string;
  protobuf: Uint8Array;
  etag: string;
}

let published: Promise<Published> | undefined;

/** The document never changes while the worker runs: build, encode and hash it once. */
function document(): Promise<Published> {
  return (published ??= (async () => {
    const doc = swaggerDocument();
    const json = JSON.stringify(doc);
    return { json, protobuf: encodeOpenAPIv2(doc), etag: `"${await hashOf(json)}"` };
  })());
}

/** The offered type the Accept header prefers, in its q order (ties keep their order), or undefined. */
export function negotiateOpenAPIv2(accept: string | undefined): string | undefined {
  const clauses = (accept?.trim() ? accept : "*/*")
    .split(",")
    .map((raw, i) => {
      const [type, ...params] = raw.split(";").map((p) => p.trim().toLowerCase());
      const q = params.find((p) => p.startsWith("q="));
      return { type, q: q ? Number(q.slice(2)) : 1, i };
    })
    .filter((c) => c.type && c.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { type } of clauses) {
    const [main, sub] = type.split("/");
    const match = OFFERED.find((o) => {
      const [om, os] = o.split("/");
      return (main === "*" || main === om) && (sub === "*" || sub === os);
    });
    if (match) return match;
  }
  return undefined;
}

export async function serveOpenAPIv2(c: Context<AppEnv>): Promise<Response> {
  const type = negotiateOpenAPIv2(c.req.header("accept"));
  if (!type) throw new ApiError(406, "NotAcceptable", `only the following media types are accepted: ${OFFERED.join(", ")}`);
  const doc = await document();
  const protobuf = type !== JSON_TYPE;
  const headers = { "content-type": protobuf ? PROTOBUF : JSON_TYPE, etag: doc.etag, vary: "Accept", "cache-control": "no-cache, private" };
  if (notModified(c, doc.etag)) return new Response(null, { status: 304, headers });
  return new Response(protobuf ? doc.protobuf : doc.json, { headers });
}
