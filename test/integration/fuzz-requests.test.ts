// Fuzz: requests that are wrong for what they address. Invalid patches of every patch
// type, patches that change what a patch may not (name, namespace, kind, uid, a stale
// resourceVersion), JSON patches over 10,000 operations, paths that climb or smuggle
// segments, unknown subresources and namespaces, and query parameters that do not
// parse. Each must be a 4xx Status that writes nothing.
import { describe, it } from "vitest";
import { startFuzz, HOSTILE } from "./fuzz-harness";

const POD = "/api/v1/namespaces/default/pods/fuzz-pod";
const DEPLOY = "/apis/apps/v1/namespaces/default/deployments/fuzz-deploy";
const JSON_PATCH = "application/json-patch+json";
const MERGE = "application/merge-patch+json";
const SMP = "application/strategic-merge-patch+json";

/** encodeURIComponent, except that a lone surrogate goes out as the bytes CESU-8 gives it (invalid UTF-8). */
function enc(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pair) {
      out += encodeURIComponent(s.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join("");
    else out += encodeURIComponent(s[i]);
  }
  return out;
}

describe("fuzz: requests wrong for what they address", () => {
  it("refuses bad patches, paths and query parameters with a 4xx Status and no write", async () => {
    const { run, rng } = await startFuzz(0xfa7c4);
    const patch = (category: string, what: string, contentType: string, body: unknown, path = POD, statuses?: number[], check?: (s: Record<string, unknown>) => string | undefined) =>
      run.refuse(category, what, { method: "PATCH", path, contentType, body: typeof body === "string" ? body : JSON.stringify(body) }, statuses, check);

    // ---- JSON patch (RFC 6902) that does not apply ----
    const jsonPatches: [string, unknown][] = [
      ["not a list", { op: "add", path: "/a", value: 1 }],
      ["a string", "add"],
      ["an op that is a string", ["add"]],
      ["an op that is null", [null]],
      ["unknown op", [{ op: "merge", path: "/metadata/labels/a", value: "b" }]],
      ["no op", [{ path: "/metadata/labels/a", value: "b" }]],
      ["no path", [{ op: "add", value: "b" }]],
      ["path without a leading slash", [{ op: "add", path: "metadata/labels/a", value: "b" }]],
      ["bad escape ~2", [{ op: "add", path: "/metadata/labels/a~2b", value: "b" }]],
      ["remove a missing field", [{ op: "remove", path: "/metadata/labels/missing" }]],
      ["replace a missing field", [{ op: "replace", path: "/spec/nothing/here", value: 1 }]],
      ["failing test", [{ op: "test", path: "/metadata/name", value: "other" }]],
      ["move from a missing path", [{ op: "move", from: "/nope", path: "/metadata/labels/x" }]],
      ["copy from a missing path", [{ op: "copy", from: "/nope", path: "/metadata/labels/x" }]],
      ["index out of range", [{ op: "add", path: "/spec/containers/5", value: { name: "b", image: "c" } }]],
      ["index not a number", [{ op: "add", path: "/spec/containers/x", value: { name: "b", image: "c" } }]],
      ["negative index", [{ op: "add", path: "/spec/containers/-1", value: { name: "b", image: "c" } }]],
      ["add under a string", [{ op: "add", path: "/metadata/name/x", value: "y" }]],
      ["replace the root with a list", [{ op: "replace", path: "", value: [] }]],
      ["replace the root with a string", [{ op: "replace", path: "", value: "pod" }]],
      ["remove the root", [{ op: "remove", path: "" }]],
      ["move a parent into its child", [{ op: "move", from: "/metadata", path: "/metadata/labels/m" }]],
      ["a valid op then a failing one", [{ op: "add", path: "/metadata/labels/ok", value: "1" }, { op: "test", path: "/metadata/uid", value: "x" }]],
      ["an invalid result: no containers", [{ op: "replace", path: "/spec/containers", value: [] }]],
      ["an invalid result: a bad label", [{ op: "add", path: "/metadata/labels/a b", value: "c" }]],
      ["__proto__ path", [{ op: "add", path: "/__proto__/polluted", value: "yes" }]],
      ["constructor prototype path", [{ op: "add", path: "/constructor/prototype/polluted", value: "yes" }]],
    ];
    for (const [what, body] of jsonPatches) await patch("patch: json-patch does not apply", what, JSON_PATCH, body);
    for (let i = 0; i < 30; i++) {
      const ops = Array.from({ length: rng.range(1, 4) }, () => ({
        op: rng.pick(["add", "remove", "replace", "move", "copy", "test", "bogus"]),
        path: rng.pick(["/spec/containers/0/ports/9/x", "/spec/nope/x", "/metadata/uid/x", "/status/phase/z", "/zz/y", "/spec/containers/-/name"]),
        from: rng.pick(["/missing", "/spec/q"]),
        value: rng.pick([1, "x", null, [], {}]),
      }));
      await patch("patch: json-patch does not apply", `random ${JSON.stringify(ops).slice(0, 60)}`, JSON_PATCH, ops);
    }
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ op: "add", path: `/metadata/labels/l${i}`, value: "v" }));
    for (const n of [10_001, 10_500, 20_000]) {
      await patch("patch: over 10000 operations", `${n} ops`, JSON_PATCH, many(n), POD, [413], (s) =>
        s.message === `Request entity too large: The allowed maximum operations in a JSON patch is 10000, got ${n}` ? undefined : `message: ${String(s.message)}`,
      );
    }

    // ---- merge patch (RFC 7386) and strategic merge patch ----
    const mergePatches: [string, unknown][] = [
      ["a list", [{ metadata: {} }]],
      ["a string", "x"],
      ["a number", 7],
      ["containers a string", { spec: { containers: "c" } }],
      ["containers emptied", { spec: { containers: [] } }],
      ["labels a list", { metadata: { labels: ["a"] } }],
      ["a bad label", { metadata: { labels: { "a b": "c" } } }],
      ["a label value of 64", { metadata: { labels: { a: "v".repeat(64) } } }],
      ["annotations over 256 KiB", { metadata: { annotations: { a: "z".repeat(262_145) } } }],
      ["spec a string", { spec: "s" }],
      ["metadata a string", { metadata: "m" }],
      ["finalizers a string", { metadata: { finalizers: "f" } }],
      ["a new container (pod spec is immutable)", { spec: { containers: [{ name: "a", image: "b" }, { name: "c", image: "d" }] } }],
    ];
    for (const [what, body] of mergePatches) await patch("patch: merge-patch invalid", what, MERGE, body);
    const smPatches: [string, unknown][] = [
      // (An empty containers list merges into the old one: a no-op for a strategic merge.)
      ...mergePatches.filter(([w]) => w !== "a string" && w !== "a number" && w !== "containers emptied"),
      ["unknown $patch", { metadata: { labels: { $patch: "explode" } } }],
      ["$patch in a list item that is not a map", { spec: { containers: [{ $patch: "delete" }] } }],
      ["$retainKeys not a list", { spec: { $retainKeys: "containers" } }],
      ["$retainKeys naming a key not in the patch", { spec: { $retainKeys: ["volumes"], containers: [{ name: "app", image: "x" }] } }],
      ["$setElementOrder not a list", { spec: { "$setElementOrder/containers": { name: "app" } } }],
      ["$setElementOrder without merge keys", { spec: { "$setElementOrder/containers": [{ image: "x" }] } }],
      ["list of lists", { spec: { containers: [[{ name: "x" }]] } }],
      ["container without its merge key", { spec: { containers: [{ image: "x" }] } }],
      ["a list where a map is", { metadata: [] }],
    ];
    for (const [what, body] of smPatches) await patch("patch: strategic-merge-patch invalid", what, SMP, body);
    for (let i = 0; i < 20; i++) {
      const key = rng.pick(["$patch", "$retainKeys", "$setElementOrder/containers", "$deleteFromPrimitiveList/args", "containers", "labels"]);
      const value = rng.pick([1, "x", [1], [[]], { $patch: "replace" }, [{ $patch: "merge" }], null, true]);
      await patch("patch: strategic-merge-patch invalid", `random ${key}: ${JSON.stringify(value)}`, SMP, { spec: { containers: [{ name: "app", [key]: value }], [key]: value }, metadata: { labels: { "bad key!": "v" } } });
    }
    for (const [what, ct, body] of [
      ["merge: empty", MERGE, ""],
      ["smp: empty", SMP, ""],
      ["json-patch: empty", JSON_PATCH, ""],
      ["merge: truncated", MERGE, '{"metadata":{"labels":'],
      ["json-patch: truncated", JSON_PATCH, '[{"op":"add","path":"/metadata/labels/a","value"'],
      ["smp: yaml body", SMP, "metadata:\n  labels:\n    a: b\n"],
    ]) {
      await patch("patch: body does not decode", what, ct, body, POD, [400]);
    }

    // ---- patches that change what may not change ----
    const identity: [string, unknown, number[]][] = [
      ["name", { metadata: { name: "renamed" } }, [400]],
      ["namespace", { metadata: { namespace: "kube-system" } }, [400]],
      ["kind", { kind: "Service" }, [400, 422]],
      ["apiVersion", { apiVersion: "v2" }, [400, 422]],
      ["uid", { metadata: { uid: "00000000-0000-0000-0000-000000000000" } }, [422]],
      ["stale resourceVersion", { metadata: { resourceVersion: "1", labels: { a: "b" } } }, [409]],
      ["resourceVersion not a number", { metadata: { resourceVersion: "abc", labels: { a: "b" } } }, [400, 409]],
      ["resourceVersion from the future", { metadata: { resourceVersion: "99999999", labels: { a: "b" } } }, [409]],
    ];
    for (const [what, body, statuses] of identity) {
      for (const [ct, path] of [[MERGE, POD], [SMP, POD], [MERGE, DEPLOY], [SMP, `${DEPLOY}/status`]]) {
        await patch("patch: changes identity", `${what} via ${ct.split("/")[1]} on ${path.split("/").slice(-2).join("/")}`, ct, body, path, statuses);
      }
      const [field, value] = Object.entries(body as Record<string, unknown>)[0];
      const ops = field === "metadata" ? Object.entries(value as Record<string, unknown>).map(([k, v]) => ({ op: "add", path: `/metadata/${k}`, value: v })) : [{ op: "replace", path: `/${field}`, value }];
      await patch("patch: changes identity", `${what} via json-patch`, JSON_PATCH, ops, POD, statuses);
    }
    for (const [what, body] of [["name", { metadata: { name: "x" }, spec: { replicas: 1 } }], ["resourceVersion", { metadata: { resourceVersion: "1" }, spec: { replicas: 1 } }], ["replicas a string", { spec: { replicas: "2" } }], ["replicas negative", { spec: { replicas: -2 } }]] as const) {
      await patch("patch: scale subresource", what, MERGE, body, `${DEPLOY}/scale`);
    }

    // ---- paths ----
    const paths = [
      "/api/v1/namespaces/default/pods/%2E%2E/fuzz-pod",
      "/api/v1/namespaces/default/pods/fuzz-pod/..%2f..%2fsecrets",
      "/api/v1/namespaces/default/pods/fuzz%2Fpod",
      "/api/v1/namespaces/default/pods/fuzz-pod%2Fstatus",
      "/api/v1/namespaces/default/pods/fuzz%252Dpod",
      "/api/v1/namespaces/default/pods/%66uzz-pod/x",
      "/api/v1/namespaces/default/pods/fuzz-pod/foo",
      "/api/v1/namespaces/default/pods/fuzz-pod/status/extra",
      "/api/v1/namespaces/default/pods/fuzz-pod/exec/extra",
      "/api/v1/namespaces/default/pods/fuzz-pod/scale",
      "/api/v1/namespaces/default/services/fuzz-svc/exec",
      "/api/v1/namespaces/default/pods/%E0%A4%A",
      "/api/v1/namespaces/%E0%A4%A/pods/x",
      "/api/v1/namespaces/default/pods/%00",
      "/api/v1/namespaces/default/pods/a%0d%0aSet-Cookie:%20x",
      "/api/v1/namespaces/no-such-ns/pods/fuzz-pod",
      "/api/v1/namespaces/..%2Fkube-system/pods/fuzz-pod",
      "/api/v1/namespaces//pods/fuzz-pod",
      "/api/v1/pods/fuzz-pod",
      "/api/v1/nodes/x/pods",
      "/api/v1/namespaces/default/nodes/x",
      "/api/v2/pods",
      "/api/v1/nothings",
      "/api/v1/namespaces/default/nothings/x",
      "/apis/apps/v2/deployments",
      "/apis/nope/v1/things",
      "/apis/apps/v1/namespaces/default/pods",
      "/apis/policy/v1/namespaces/default/evictions",
      "/api/v1/namespaces/default/pods/fuzz-pod/log/extra/more",
      "/api/v1/namespaces/default/pods/no-such-pod/log",
      "/api/v1/namespaces/default/pods/no-such-pod/exec",
      "/api/v1/namespaces/default/services/no-such-svc/proxy/x",
      "/api/v1/namespaces/default/deployments/fuzz-deploy",
      "/api//v1/namespaces",
    ];
    for (const path of paths) {
      for (const method of ["GET", "PUT", "DELETE", "POST"]) {
        const body = method === "PUT" || method === "POST" ? '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"fuzz-pod"},"spec":{"containers":[{"name":"a","image":"b"}]}}' : undefined;
        await run.refuse("paths", `${method} ${path}`, { method, path, body });
      }
    }
    // ("." and ".." never reach the server: clients resolve them in the URL.)
    for (const h of HOSTILE.slice(0, 30).filter((s) => s !== "." && s !== "..")) {
      const seg = enc(h).slice(0, 2000);
      await run.refuse("paths: hostile names", `GET ${h.slice(0, 30)}`, { path: `/api/v1/namespaces/default/pods/${seg}` }, [400, 404]);
      await run.refuse("paths: hostile names", `DELETE ${h.slice(0, 30)}`, { method: "DELETE", path: `/api/v1/namespaces/default/pods/${seg}` }, [400, 404]);
      await run.refuse("paths: hostile namespaces", `POST into ${h.slice(0, 30)}`, { method: "POST", path: `/api/v1/namespaces/${seg}/pods`, body: '{"metadata":{"name":"x"},"spec":{"containers":[{"name":"a","image":"b"}]}}' }, [400, 404, 422]);
    }
    for (const [method, path] of [["PUT", "/api/v1/namespaces/default/pods"], ["PATCH", "/api/v1/namespaces/default/pods"], ["POST", "/api/v1/namespaces/default/pods/fuzz-pod"], ["DELETE", "/api/v1/namespaces/default/pods/fuzz-pod/status"], ["POST", "/api/v1/namespaces/default/pods/fuzz-pod/status"], ["GET", "/api/v1/namespaces/default/pods/fuzz-pod/binding"], ["PUT", "/api/v1/namespaces/default/pods/fuzz-pod/eviction"], ["OPTIONS", POD], ["TRACE", POD], ["DELETE", "/api/v1/pods"], ["POST", "/api/v1/pods"], ["DELETE", "/api/v1/secrets"], ["DELETE", "/apis/apps/v1/deployments"]]) {
      await run.refuse("methods not allowed", `${method} ${path}`, { method, path, body: method === "GET" || method === "OPTIONS" || method === "TRACE" ? undefined : "{}" });
    }

    // ---- query parameters ----
    const list = "/api/v1/namespaces/default/pods";
    const badQueries: [string, string][] = [
      ["limit", "abc"], ["limit", "-1"], ["limit", "1.5"], ["limit", "1e3"], ["limit", "99999999999999999999999"], ["limit", "0x10"], ["limit", " 5"], ["limit", "NaN"], ["limit", "Infinity"],
      ["continue", "garbage"], ["continue", "%%%"], ["continue", btoa('{"v":2,"rv":1,"ns":"","name":""}')], ["continue", btoa('{"v":1,"rv":"1","ns":"","name":""}')], ["continue", btoa("[1,2]")], ["continue", btoa("null")],
      ["resourceVersion", "abc"], ["resourceVersion", "-5"], ["resourceVersion", "1.5"], ["resourceVersion", "1e9"], ["resourceVersion", "' OR 1=1 --"],
      ["timeoutSeconds", "abc"], ["timeoutSeconds", "1.5"], ["timeoutSeconds", "1e9999"],
      ["labelSelector", "a b"], ["labelSelector", "a=(b"], ["labelSelector", "!"], ["labelSelector", "a in (b"], ["labelSelector", "a=b,"], ["labelSelector", "a==b==c"], ["labelSelector", "a=" + "x".repeat(64)], ["labelSelector", "x".repeat(64) + "=a"],
      ["fieldSelector", "spec.unknown=x"], ["fieldSelector", "metadata.name"], ["fieldSelector", "metadata.name~x"], ["fieldSelector", "=x"], ["fieldSelector", "metadata.labels=x"],
      ["watch", "true&timeoutSeconds=abc"], ["watch", "true&resourceVersion=abc"], ["watch", "1&resourceVersion=-1"], ["watch", "true&labelSelector=a%20b"],
      ["dryRun", "true"], ["dryRun", "Some"], ["dryRun", ""],
    ];
    for (const [k, v] of badQueries) {
      const qs = k === "watch" ? `watch=${v}` : `${k}=${encodeURIComponent(v)}`;
      if (k !== "dryRun") await run.refuse("query parameters", `GET ?${qs}`, { path: `${list}?${qs}` }, [400, 422]);
      if (k === "dryRun") await run.refuse("query parameters", `POST ?${qs}`, { method: "POST", path: `${list}?${qs}`, body: '{"metadata":{"name":"dry"},"spec":{"containers":[{"name":"a","image":"b"}]}}' }, [400]);
    }
    for (const h of HOSTILE) {
      const e = enc(h).slice(0, 4000);
      // Valid label values ("null") and blanks (trimmed away) select nothing but are not errors.
      if (!/^[a-z]*$/.test(h.trim())) await run.refuse("query parameters: hostile", `labelSelector=app=${h.slice(0, 20)}`, { path: `${list}?labelSelector=app%3D${e}` }, [400]);
      await run.refuse("query parameters: hostile", `fieldSelector=${h.slice(0, 20)}=x`, { path: `${list}?fieldSelector=${e}%3Dx` }, [400]);
      await run.refuse("query parameters: hostile", `limit=${h.slice(0, 20)}`, { path: `${list}?limit=${e}` }, [400]);
      await run.refuse("query parameters: hostile", `continue=${h.slice(0, 20)}`, { path: `${list}?continue=${e || "%00"}` }, [400]);
      await run.refuse("query parameters: hostile", `resourceVersion=${h.slice(0, 20)}`, { path: `${list}?resourceVersion=${e || "%00"}` }, [400]);
      await run.refuse("query parameters: hostile", `watch timeoutSeconds=${h.slice(0, 20)}`, { path: `${list}?watch=true&timeoutSeconds=${e || "%00"}` }, [400]);
      await run.refuse("query parameters: hostile", `delete propagationPolicy=${h.slice(0, 20)}`, { method: "DELETE", path: `${POD}?propagationPolicy=${e || "%00"}` }, [400]);
      await run.refuse("query parameters: hostile", `delete gracePeriodSeconds=${h.slice(0, 20)}`, { method: "DELETE", path: `${POD}?gracePeriodSeconds=${e || "%00"}` }, [400]);
    }
    // Integers a client may send that no date or revision can hold.
    await run.refuse("query parameters", "delete gracePeriodSeconds past any date", { method: "DELETE", path: `${POD}?gracePeriodSeconds=999999999999999999` }, [400]);
    await run.refuse("query parameters", "delete body gracePeriodSeconds past any date", { method: "DELETE", path: POD, body: '{"gracePeriodSeconds":999999999999999999}' }, [400]);
    await run.refuse("query parameters", "watch from a revision past any integer", { path: `${list}?watch=true&resourceVersion=999999999999999999` }, [400]);
    const manyLabels = Array.from({ length: 150 }, (_, i) => `k${i}=v`).join(",");
    await run.refuse("query parameters", "150 label requirements that match nothing", { path: `${list}?labelSelector=${encodeURIComponent(manyLabels)},bad%20key` }, [400]);
    await run.refuse("query parameters", "delete with a body that is a list", { method: "DELETE", path: POD, body: "[]" }, [400]);
    await run.refuse("query parameters", "delete with a body that is not JSON", { method: "DELETE", path: POD, body: "{" }, [400]);
    await run.refuse("query parameters", "delete with a stale uid precondition", { method: "DELETE", path: POD, body: '{"preconditions":{"uid":"nope"}}' }, [409]);
    await run.refuse("query parameters", "delete with a stale resourceVersion precondition", { method: "DELETE", path: POD, body: '{"preconditions":{"resourceVersion":"1"}}' }, [409]);

    run.finish(500);
  }, 240_000);
});
