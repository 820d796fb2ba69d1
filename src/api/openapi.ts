// OpenAPI v3, as the API server publishes it: /openapi/v3 lists each group-version's
// document under a URL carrying the hash of its content; the document itself is
// served with that hash as its ETag, and cached for ever by clients that ask with the
// current hash (kubectl keeps them in its cache directory). An old hash is redirected
// to the current one. /openapi/v2, the one document older clients read, is openapi-v2.ts.
import { Hono } from "hono";
import type { AppEnv } from "./context";
import { groupDocument, groupPath, groupVersions } from "./openapi-schema";
import { hashOf, notModified } from "./openapi-cache";
import { serveOpenAPIv2 } from "./openapi-v2";

interface Published {
  body: string;
  hash: string;
}

let published: Map<string, Published> | undefined;

/** The documents never change while the worker runs: build and hash them once. */
async function documents(): Promise<Map<string, Published>> {
  if (published) return published;
  const out = new Map<string, Published>();
  for (const gv of groupVersions()) {
    const body = JSON.stringify(groupDocument(gv.group, gv.version));
    out.set(groupPath(gv.group, gv.version), { body, hash: await hashOf(body) });
  }
  return (published = out);
}

export const openapi = new Hono<AppEnv>();

openapi.get("/openapi/v2", serveOpenAPIv2);

openapi.get("/openapi/v3", async (c) => {
  const docs = await documents();
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [p, d] of docs) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${d.hash}` };
  const body = JSON.stringify({ paths });
  const etag = `"${(await hashOf(body)).slice(0, 32)}"`;
  const headers = { "content-type": "application/json", etag, "cache-control": "no-cache, private", vary: "Accept" };
  if (notModified(c, etag)) return new Response(null, { status: 304, headers });
  return new Response(body, { headers });
});

openapi.get("/openapi/v3/*", async (c) => {
  const p = c.req.path.replace(/^\/openapi\/v3\//, "");
  const doc = (await documents()).get(p);
  if (!doc) return c.notFound();
  const etag = `"${doc.hash}"`;
  const asked = new URL(c.req.url).searchParams.get("hash");
  if (asked !== null && asked !== doc.hash) {
    // A stale link: send the client to the current document, and let it not cache this answer.
    return new Response(null, { status: 301, headers: { location: `/openapi/v3/${p}?hash=${doc.hash}`, "cache-control": "no-cache, private", vary: "Accept" } });
  }
  const headers: Record<string, string> = { "content-type": "application/json", etag, vary: "Accept" };
  if (asked === doc.hash) {
    headers["cache-control"] = "public, immutable";
    headers.expires = new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString();
  } else {
    headers["cache-control"] = "no-cache, private";
  }
  if (notModified(c, etag)) return new Response(null, { status: 304, headers });
  return new Response(doc.body, { headers });
});
