// Fuzz: objects that decode but must not be stored. Kinds and apiVersions that do not
// match the URL, names and labels past every limit, annotations over 256 KiB, unknown
// fields under fieldValidation=Strict, wrong JSON types, and hostile strings (SQL,
// markup, CRLF and ANSI escapes, NUL, lone surrogates) in every field that has a
// syntax. Each must be a 4xx Status that writes nothing.
import { describe, it, expect } from "vitest";
import { startFuzz, HOSTILE } from "./fuzz-harness";
import { callJson } from "./helpers";

const PODS = "/api/v1/namespaces/default/pods";
const DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments";

type Obj = Record<string, unknown> & { metadata?: Record<string, unknown> };

const pod = (name: unknown, extra: Obj = {}): Obj => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name },
  spec: { schedulerName: "fuzz-scheduler", containers: [{ name: "app", image: "nginx:1.27" }] },
  ...extra,
});
const withMeta = (meta: Record<string, unknown>, base: Obj = pod("bad")): Obj => ({ ...base, metadata: { ...(base.metadata ?? {}), ...meta } });
const withContainer = (c: Record<string, unknown>): Obj => ({ ...pod("bad"), spec: { schedulerName: "fuzz-scheduler", containers: [{ name: "app", image: "nginx:1.27", ...c }] } });

describe("fuzz: objects that must not be stored", () => {
  it("refuses wrong kinds, bad names, labels, annotations, types, unknown fields and hostile strings", async () => {
    const { run, rng } = await startFuzz(0x0b1ec7);
    const post = (category: string, what: string, obj: unknown, path = PODS, statuses?: number[]) => run.refuse(category, what, { method: "POST", path, body: JSON.stringify(obj) }, statuses);

    // ---- kinds and apiVersions that do not match the URL ----
    const kinds: [string, string][] = [
      ["v1", "Service"], ["v1", "pod"], ["v1", "POD"], ["apps/v1", "Pod"], ["v2", "Pod"], ["v1beta1", "Pod"], ["", "Pod"], ["v1", "Deployment"],
      ["apps/v1", "ReplicaSet"], ["core/v1", "Pod"], ["/v1", "Pod"], ["v1/", "Pod"], ["v1", "Pod "], [" v1", "Pod"], ["v1", "Namespace"], ["v1", "List"], ["v1", "Status"],
    ];
    for (const [apiVersion, kind] of kinds) await post("kind and apiVersion", `${apiVersion}/${kind} to pods`, { ...pod("kinds"), apiVersion, kind }, PODS, [400]);
    for (const [apiVersion, kind] of [["v1", "Pod"], ["apps/v1", "ReplicaSet"], ["extensions/v1beta1", "Deployment"], ["apps/v1beta2", "Deployment"]]) {
      await post("kind and apiVersion", `${apiVersion}/${kind} to deployments`, { apiVersion, kind, metadata: { name: "kinds" } }, DEPLOYMENTS, [400]);
    }
    for (const [what, value] of [["kind a number", 5], ["kind an object", { a: 1 }], ["kind null and invalid name", null], ["apiVersion an array", ["v1"]]] as const) {
      await post("kind and apiVersion", what, { ...pod(what.includes("name") ? "Bad Name" : "kinds"), kind: value }, PODS);
    }
    // Missing kind/apiVersion default to the URL's, as upstream; what is left must still be refused.
    await post("kind and apiVersion", "missing kind, invalid name", { apiVersion: "v1", metadata: { name: "Bad_Name" }, spec: {} }, PODS, [422]);
    await post("kind and apiVersion", "missing kind and apiVersion, no name", { metadata: {}, spec: { containers: [{ name: "a", image: "b" }] } }, PODS, [422]);
    await post("kind and apiVersion", "missing kind, no containers", { apiVersion: "v1", metadata: { name: "nokind" } }, PODS, [422]);
    await post("kind and apiVersion", "namespace in the body differs from the URL", withMeta({ namespace: "kube-system" }), PODS, [400]);

    // ---- names ----
    const badSubdomains = ["", "-a", "a-", ".a", "a.", "A", "a_b", "a b", "a..b", "a/b", "..", ".", "a".repeat(254), `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(64)}`, "é", "a\u0000", "a\nb", "%2e%2e"];
    for (const name of badSubdomains) await post("names: pods (DNS-1123 subdomain)", JSON.stringify(name).slice(0, 40), pod(name), PODS, [422]);
    for (let i = 0; i < 20; i++) {
      const name = rng.string(rng.range(1, 300), "abcXYZ019-._ /~!@#$%^&*()") + rng.pick(["-", "_", "A", "."]);
      await post("names: pods (DNS-1123 subdomain)", `random ${name.slice(0, 30)}`, pod(name), PODS, [422]);
    }
    const badLabels = ["a.b", "a".repeat(64), "-a", "A", "1".repeat(64), "a_b", ""];
    for (const name of badLabels) {
      await post("names: namespaces (DNS-1123 label)", name.slice(0, 40) || "empty", { apiVersion: "v1", kind: "Namespace", metadata: { name } }, "/api/v1/namespaces", [422]);
      await post("names: services (DNS-1035 label)", name.slice(0, 40) || "empty", { apiVersion: "v1", kind: "Service", metadata: { name }, spec: { ports: [{ port: 80 }] } }, "/api/v1/namespaces/default/services", [422]);
    }
    for (const name of ["1abc", "9"]) await post("names: services (DNS-1035 label)", name, { apiVersion: "v1", kind: "Service", metadata: { name }, spec: { ports: [{ port: 80 }] } }, "/api/v1/namespaces/default/services", [422]);
    for (const generateName of ["Bad_", "a".repeat(300), "-x", "x y"]) await post("names: generateName", generateName.slice(0, 30), withMeta({ name: undefined, generateName }), PODS, [422]);
    await post("names: generateName", "neither name nor generateName", withMeta({ name: undefined }), PODS, [422]);

    // ---- labels ----
    const badKeys = [
      "", "/", "a/", "/a", "a/b/c", `${"p".repeat(254)}/a`, `p/${"n".repeat(64)}`, "n".repeat(64), "-a", "a-", "a b", "Ä", "a:b", "pre_fix/a", "UPPER.example.com/a", "a//b", "kubernetes.io/",
    ];
    for (const k of badKeys) await post("labels: keys", JSON.stringify(k).slice(0, 40), withMeta({ labels: { [k]: "v" } }), PODS, [422]);
    const badValues = ["v".repeat(64), "-v", "v-", "v v", "v/v", "Ä", "v\u0000", "v\n"];
    for (const v of badValues) await post("labels: values", JSON.stringify(v).slice(0, 40), withMeta({ labels: { app: v } }), PODS, [422]);
    for (let i = 0; i < 15; i++) {
      const k = rng.string(rng.range(1, 80), "ab.-_/Z9 ") + "/";
      await post("labels: keys", `random ${k.slice(0, 30)}`, withMeta({ labels: { [k]: "v" } }), PODS, [422]);
    }
    await post("labels: in a deployment's selector", "matchLabels value too long", {
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "sel" },
      spec: { selector: { matchLabels: { app: "x".repeat(64) } }, template: { metadata: { labels: { app: "x".repeat(64) } }, spec: { containers: [{ name: "a", image: "b" }] } } },
    }, DEPLOYMENTS, [422]);

    // ---- annotations: keys as label keys, 256 KiB in total (bytes, as upstream counts) ----
    for (const k of ["", "a b", `${"p".repeat(254)}/a`, "/a", "a/"]) await post("annotations", `key ${JSON.stringify(k).slice(0, 30)}`, withMeta({ annotations: { [k]: "v" } }), PODS, [422]);
    await post("annotations", "one value of 256 KiB + 1", withMeta({ annotations: { a: "x".repeat(256 * 1024) } }), PODS, [422]);
    await post("annotations", "many values over 256 KiB", withMeta({ annotations: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, "y".repeat(7_000)])) }), PODS, [422]);
    await post("annotations", "three-byte characters, 90,000 of them (270,000 bytes)", withMeta({ annotations: { a: "€".repeat(90_000) } }), PODS, [422]);
    await post("annotations", "four-byte characters, 70,000 of them (280,000 bytes)", withMeta({ annotations: { a: "😀".repeat(70_000) } }), PODS, [422]);

    // ---- JSON types ----
    const typeCases: [string, Obj][] = [
      ["metadata.name a number", withMeta({ name: 5 })],
      ["metadata.name an array", withMeta({ name: ["a"] })],
      ["labels an array", withMeta({ labels: ["a"] })],
      ["label value a number", withMeta({ labels: { a: 1 } })],
      ["annotation value an object", withMeta({ annotations: { a: { b: 1 } } })],
      ["finalizers a string", withMeta({ finalizers: "x" })],
      ["ownerReferences an object", withMeta({ ownerReferences: { a: 1 } })],
      ["spec a string", { ...pod("t"), spec: "spec" }],
      ["spec an array", { ...pod("t"), spec: [] }],
      ["containers an object", { ...pod("t"), spec: { containers: { name: "a" } } }],
      ["containers a string", { ...pod("t"), spec: { containers: "c" } }],
      ["container a string", { ...pod("t"), spec: { containers: ["c"] } }],
      ["container name a number", withContainer({ name: 1 })],
      ["image an object", withContainer({ image: {} })],
      ["args a string", withContainer({ args: "-v" })],
      ["env an object", withContainer({ env: { A: "1" } })],
      ["env value a number", withContainer({ env: [{ name: "A", value: 1 }] })],
      ["port a string", withContainer({ ports: [{ containerPort: "80" }] })],
      ["port a float", withContainer({ ports: [{ containerPort: 80.5 }] })],
      ["resources limits a list", withContainer({ resources: { limits: ["1"] } })],
      ["status a string", { ...pod("t"), status: "Running" }],
      ["metadata a string", { ...pod("t"), metadata: "m" as unknown as Record<string, unknown> }],
      ["generation a string", withMeta({ generation: "1" })],
    ];
    for (const [what, obj] of typeCases) await post("JSON types", what, obj, PODS);
    for (const [what, spec] of [["replicas a string", { replicas: "3" }], ["replicas negative", { replicas: -1 }], ["selector a string", { selector: "app=x" }], ["template a list", { template: [] }], ["strategy type unknown", { strategy: { type: "Sideways" } }]] as const) {
      await post("JSON types", `deployment ${what}`, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "t" }, spec }, DEPLOYMENTS, [422]);
    }

    // ---- fieldValidation ----
    const unknowns: [string, Obj][] = [
      ["spec.foo", { ...pod("strict"), spec: { schedulerName: "x", containers: [{ name: "a", image: "b" }], foo: 1 } }],
      ["top-level foo", { ...pod("strict"), foo: 1 }],
      ["metadata.foo", withMeta({ foo: "bar" }, pod("strict"))],
      ["containers[0].imagee", withContainer({ imagee: "typo" })],
      ["containers[0].ports[0].port", withContainer({ ports: [{ port: 80 }] })],
      ["env[0].val", withContainer({ env: [{ name: "A", val: "1" }] })],
    ];
    for (const [what, obj] of unknowns) {
      await run.refuse("fieldValidation=Strict", what, { method: "POST", path: `${PODS}?fieldValidation=Strict`, body: JSON.stringify(obj) }, [400], (s) => (String(s.message).startsWith("strict decoding error: unknown field") ? undefined : `message: ${String(s.message)}`));
      await run.refuse("fieldValidation=Strict", `${what} (update)`, { method: "PUT", path: `${PODS}/fuzz-pod?fieldValidation=Strict`, body: JSON.stringify({ ...obj, metadata: { ...(obj.metadata as object), name: "fuzz-pod" } }) }, [400]);
      await run.refuse("fieldValidation=Strict", `${what} (merge patch)`, { method: "PATCH", path: `${PODS}/fuzz-pod?fieldValidation=Strict`, contentType: "application/merge-patch+json", body: JSON.stringify({ metadata: { labels: { a: "b" } }, foo: { bar: 1 } }) }, [400]);
    }
    for (const value of ["strict", "STRICT", "Error", "Strict,Warn", "1", "ignore"]) {
      await run.refuse("fieldValidation values", JSON.stringify(value), { method: "POST", path: `${PODS}?fieldValidation=${encodeURIComponent(value)}`, body: JSON.stringify(pod(`fv-${value.length}`)) }, [422]);
      await run.refuse("fieldValidation values", `${JSON.stringify(value)} (patch)`, { method: "PATCH", path: `${PODS}/fuzz-pod?fieldValidation=${encodeURIComponent(value)}`, contentType: "application/merge-patch+json", body: '{"metadata":{"labels":{"x":"y"}}}' }, [422]);
    }
    for (const value of ["Warn", "Ignore"]) {
      // Unknown fields pass under Warn/Ignore; the object is refused for its name alone.
      await run.refuse("fieldValidation values", `${value} with an unknown field and a bad name`, { method: "POST", path: `${PODS}?fieldValidation=${value}`, body: JSON.stringify({ ...pod("Bad_Name"), foo: 1 }) }, [422]);
    }

    // ---- hostile strings, everywhere a syntax applies ----
    // ("null", "undefined" and "constructor" are valid names: only the others must be refused.)
    for (const h of HOSTILE.filter((s) => !/^[a-z]+$/.test(s))) {
      const label = JSON.stringify(h).slice(0, 40);
      await post("hostile: names", label, pod(h), PODS, [422]);
      await post("hostile: namespace names", label, { apiVersion: "v1", kind: "Namespace", metadata: { name: h } }, "/api/v1/namespaces", [422]);
      await post("hostile: label keys", label, withMeta({ labels: { [h]: "v" } }), PODS, [422]);
      await post("hostile: label values", label, withMeta({ labels: { app: h } }), PODS, [422]);
      await post("hostile: annotation keys", label, withMeta({ annotations: { [h]: "v" } }), PODS, [422]);
      await post("hostile: container names", label, withContainer({ name: h }), PODS, [422]);
      await post("hostile: env names", label, withContainer({ env: [{ name: h === "" ? "" : `${h}=`, value: "v" }] }), PODS, [422]);
      await post("hostile: port names", label, withContainer({ ports: [{ name: h, containerPort: 80 }] }), PODS, [422]);
      await post("hostile: finalizers", label, withMeta({ finalizers: [h] }), PODS, [422]);
      await post("hostile: restartPolicy", label, { ...pod("h"), spec: { containers: [{ name: "a", image: "b" }], restartPolicy: h } }, PODS, [422]);
    }
    for (const image of ["", " ", " nginx", "nginx ", "\t"]) await post("hostile: images", JSON.stringify(image), withContainer({ image }), PODS, [422]);

    run.finish(400);
  }, 240_000);

  it("stores hostile strings verbatim where any string is valid, and finds nothing with them in selectors", async () => {
    for (const [i, h] of HOSTILE.filter((s) => !/[\ud800-\udfff]/.test(s) || /[\ud800-\udbff][\udc00-\udfff]/.test(s)).entries()) {
      const body = withContainer({ args: [h], env: [{ name: "V", value: h }] });
      (body.metadata as Record<string, unknown>).name = `hostile-${i}`;
      (body.metadata as Record<string, unknown>).annotations = { note: h };
      const created = await callJson<{ metadata: { annotations: Record<string, string> }; spec: { containers: { args: string[]; env: { value: string }[] }[] } }>(PODS, { method: "POST", body });
      expect(created.status, h.slice(0, 40)).toBe(201);
      const got = await callJson<typeof created.body>(`${PODS}/hostile-${i}`);
      expect(got.body.metadata.annotations.note).toBe(h);
      expect(got.body.spec.containers[0].args[0]).toBe(h);
      expect(got.body.spec.containers[0].env[0].value).toBe(h);
      const byField = await callJson<{ items: unknown[] }>(`${PODS}?fieldSelector=${encodeURIComponent(`metadata.name=${h}`)}`);
      if (byField.status === 200) expect(byField.body.items).toEqual([]);
      else expect(byField.status).toBe(400);
    }
    const all = await callJson<{ items: unknown[] }>(PODS);
    expect(all.body.items.length).toBeGreaterThanOrEqual(30);
    // More label equalities than D1 takes parameters in one statement: still an answer.
    const many = Array.from({ length: 150 }, (_, i) => `k${i}=v`).join(",");
    const none = await callJson<{ items: unknown[] }>(`${PODS}?labelSelector=${encodeURIComponent(many)}`);
    expect(none.status).toBe(200);
    expect(none.body.items).toEqual([]);
    const labelled = withContainer({});
    labelled.metadata = { name: "many-labels", labels: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, "v"])) };
    expect((await callJson(PODS, { method: "POST", body: labelled })).status).toBe(201);
    const sixty = Array.from({ length: 60 }, (_, i) => `k${i}=v`).join(",");
    const found = await callJson<{ items: { metadata: { name: string } }[] }>(`${PODS}?labelSelector=${encodeURIComponent(sixty)}`);
    expect(found.body.items.map((p) => p.metadata.name)).toEqual(["many-labels"]);
    const sixtyOneOff = sixty.replace("k59=v", "k59=w");
    expect((await callJson<{ items: unknown[] }>(`${PODS}?labelSelector=${encodeURIComponent(sixtyOneOff)}`)).body.items).toEqual([]);
  });
});
