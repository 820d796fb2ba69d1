// A small OpenAPI v3: just enough for `kubectl apply -f` / `create -f` / `replace -f`.
// kubectl looks up each kind's patch operation (x-kubernetes-group-version-kind) and,
// when it advertises a fieldValidation parameter, sends fieldValidation=Strict and
// leaves validation to the server. No schemas are served, so `kubectl explain` says
// the resource is not supported. /openapi/v2 is not served: kubectl only accepts it
// as protobuf.
import { Hono } from "hono";
import { RESOURCES, type ResourceInfo } from "../model/resources";
import type { AppEnv } from "./context";

function groupPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function itemPath(r: ResourceInfo): string {
  const base = "/" + groupPath(r.group, r.version);
  return r.namespaced ? `${base}/namespaces/{namespace}/${r.resource}/{name}` : `${base}/${r.resource}/{name}`;
}

function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) seen.set(groupPath(r.group, r.version), { group: r.group, version: r.version });
  return [...seen.values()];
}

/** A stable hash of the document so clients can cache it. */
function hashOf(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).toUpperCase().padStart(8, "0");
}

function groupDocument(group: string, version: string) {
  const paths: Record<string, unknown> = {};
  for (const r of RESOURCES.filter((x) => x.group === group && x.version === version)) {
    paths[itemPath(r)] = {
      patch: {
        operationId: `patch${r.group ? r.group.split(".")[0] : "Core"}${r.version}${r.kind}`,
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": { group: r.group, version: r.version, kind: r.kind },
        parameters: [
          { name: "fieldValidation", in: "query", schema: { type: "string", uniqueItems: true } },
          { name: "dryRun", in: "query", schema: { type: "string", uniqueItems: true } },
          { name: "fieldManager", in: "query", schema: { type: "string", uniqueItems: true } },
        ],
        responses: { "200": { description: "OK" } },
      },
    };
  }
  return { openapi: "3.0.0", info: { title: "Kubernetes", version: "v1.32.0" }, paths, components: { schemas: {} } };
}

export const openapi = new Hono<AppEnv>();

openapi.get("/openapi/v3", (c) => {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of groupVersions()) {
    const doc = JSON.stringify(groupDocument(gv.group, gv.version));
    const p = groupPath(gv.group, gv.version);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hashOf(doc)}` };
  }
  return c.json({ paths });
});

openapi.get("/openapi/v3/*", (c) => {
  const p = c.req.path.replace(/^\/openapi\/v3\//, "");
  const gv = groupVersions().find((x) => groupPath(x.group, x.version) === p);
  if (!gv) return c.notFound();
  return c.json(groupDocument(gv.group, gv.version));
});
