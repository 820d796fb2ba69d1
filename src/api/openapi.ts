// OpenAPI v3, as the API server publishes it: /openapi/v3 lists each group-version's
// document under a URL carrying the hash of its content; the document itself is
// served with that hash as its ETag, and cached for ever by clients that ask with the
// current hash (kubectl keeps them in its cache directory). An old hash is redirected
// to the current one. /openapi/v2, the one document older clients read, is openapi-v2.ts.
import { Hono, type Context } from "hono";
import { api, type AppEnv } from "./context";
import { customGroupDocument, groupDocument, groupPath, groupVersions } from "./openapi-schema";
import { hashOf, notModified } from "./openapi-cache";
import { serveOpenAPIv2 } from "./openapi-v2";
import type { CustomResourceCatalog } from "../model/custom-resources";
import type { ResourceInfo } from "../model/resources";

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

/** Documents of the custom resources, once per catalog (a new one whenever a CRD changes). */
const customPublished = new WeakMap<CustomResourceCatalog, Map<string, Published>>();

async function customDocuments(catalog: CustomResourceCatalog): Promise<Map<string, Published>> {
  const known = customPublished.get(catalog);
  if (known) return known;
  const byPath = new Map<string, ResourceInfo[]>();
  for (const r of catalog.served()) {
    const p = groupPath(r.group, r.version);
    byPath.set(p, [...(byPath.get(p) ?? []), r]);
  }
  const out = new Map<string, Published>();
  for (const [p, served] of byPath) {
    const body = JSON.stringify(customGroupDocument(served));
    out.set(p, { body, hash: await hashOf(body) });
  }
  customPublished.set(catalog, out);
  return out;
}

/** Every document: the built-in groups' and those of the custom resources served now. */
async function allDocuments(c: Context<AppEnv>): Promise<Map<string, Published>> {
  const custom = await customDocuments(await api(c).registry.customTypes.catalog());
  const builtIn = await documents();
  return custom.size ? new Map([...custom, ...builtIn]) : builtIn;
}

export const openapi = new Hono<AppEnv>();

openapi.get("/openapi/v2", serveOpenAPIv2);

openapi.get("/openapi/v3", async (c) => {
  const docs = await allDocuments(c);
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
  const doc = (await allDocuments(c)).get(p);
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
