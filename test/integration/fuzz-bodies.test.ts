// Fuzz: request bodies that do not decode. Malformed JSON, YAML and protobuf (real
// kubectl bodies mutated), deep nesting past the API server's 10,000 levels, YAML
// alias bombs and media types the server does not read. Every case must come back as
// a 4xx Kubernetes Status and change nothing. Mutated bodies may still decode into a
// valid object, so they are sent to a namespace that does not exist: whatever decodes
// is then refused too, after validation has seen it.
import { describe, it } from "vitest";
import { env } from "cloudflare:workers";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { startFuzz } from "./fuzz-harness";
import { concatBytes } from "../../src/util/bytes";

const VOID = "/api/v1/namespaces/fuzz-void/pods";
const VOID_DEPLOYMENTS = "/apis/apps/v1/namespaces/fuzz-void/deployments";
const PB = "application/vnd.kubernetes.protobuf";

const pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "fuzz", labels: { app: "fuzz", tier: "web" }, annotations: { note: "a [b] {c}" } },
  spec: {
    containers: [{ name: "app", image: "nginx:1.27", args: ["-c", "echo 'hi' \"there\""], env: [{ name: "A", value: "1" }], ports: [{ containerPort: 80 }] }],
    nodeSelector: { zone: "a" },
  },
};
const POD_JSON = JSON.stringify(pod, null, 1);
const POD_YAML = `apiVersion: v1
kind: Pod
metadata:
  name: fuzz
  labels:
    app: fuzz
    tier: web
  annotations:
    note: "a [b] {c}"
spec:
  containers:
  - name: app
    image: nginx:1.27
    args: ["-c", "echo 'hi'"]
    env:
    - name: A
      value: "1"
    ports:
    - containerPort: 80
  nodeSelector:
    zone: a
`;

const fixture = (name: string) => Uint8Array.from(atob(env.TEST_PROTOBUF_FIXTURES[name]), (c) => c.charCodeAt(0));

/** A protobuf envelope: "k8s\0" + runtime.Unknown{typeMeta{apiVersion, kind}, raw, contentEncoding, contentType}. */
function envelope(apiVersion: string, kind: string, raw: Uint8Array, contentEncoding = "", contentType = ""): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(apiVersion).tag(2, WireType.LengthDelimited).string(kind).join();
  w.tag(2, WireType.LengthDelimited).bytes(raw);
  if (contentEncoding) w.tag(3, WireType.LengthDelimited).string(contentEncoding);
  if (contentType) w.tag(4, WireType.LengthDelimited).string(contentType);
  const body = w.finish();
  const out = new Uint8Array(4 + body.length);
  out.set([0x6b, 0x38, 0x73, 0x00]);
  out.set(body, 4);
  return out;
}

const nested = (depth: number, open: string, close: string, leaf = "1") => open.repeat(depth) + leaf + close.repeat(depth);

describe("fuzz: bodies that do not decode", () => {
  it("refuses every malformed, too deep or unsupported body with a 4xx Status and no write", async () => {
    const { run, rng } = await startFuzz(0x5eed_b0d1);
    const text = new TextEncoder();

    // ---- JSON ----
    for (let i = 0; i < 40; i++) {
      const cut = rng.range(1, POD_JSON.length - 2);
      await run.refuse("json: truncated", `cut at ${cut}`, { method: "POST", path: VOID, body: POD_JSON.slice(0, cut) }, [400]);
    }
    for (let i = 0; i < 30; i++) {
      const bytes = rng.bytes(rng.range(1, 300));
      await run.refuse("json: random bytes", `${bytes.length} bytes`, { method: "POST", path: VOID, body: bytes });
    }
    for (let i = 0; i < 40; i++) {
      const bytes = text.encode(POD_JSON);
      const flips = rng.range(1, 4);
      for (let f = 0; f < flips; f++) bytes[rng.int(bytes.length)] ^= 1 << rng.int(8);
      await run.refuse("json: bit flips", `${flips} flips`, { method: "POST", path: VOID, body: bytes });
    }
    for (const body of ["[]", `[${POD_JSON}]`, '"a pod"', "42", "null", "true", "", "   \n", "{", "}", "{}}", '{"a":1}{"b":2}', "\u0000", '{"kind":"Pod",}', "{'kind':'Pod'}", "NaN", "[1,2,"]) {
      await run.refuse("json: wrong shape", JSON.stringify(body), { method: "POST", path: VOID, body });
    }
    for (const [what, value] of [
      ["replicas 1e400", '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"},"spec":{"replicas":1e400}}'],
      ["replicas -0.5", '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"},"spec":{"replicas":-0.5}}'],
      ["replicas 2^63", '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"},"spec":{"replicas":9223372036854775808}}'],
      ["lone surrogate escape in name", '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"\\ud800"}}'],
    ]) {
      await run.refuse("json: odd numbers and escapes", what, { method: "POST", path: "/apis/apps/v1/namespaces/default/deployments", body: value }, [400, 422]);
    }

    // Nesting: the API server's JSON decoder stops at 10,000 levels, this one at 500.
    for (const depth of [501, 1_000, 5_000, 10_001, 20_000, 100_000, 1_000_000]) {
      for (const [open, close, leaf] of [["[", "]", "1"], ['{"a":', "}", "1"]] as const) {
        const deep = nested(depth, open, close, leaf);
        const body = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"deep"},"spec":{"containers":[{"name":"a","image":"b"}]},"x":${deep}}`;
        // Past 3 MiB the body is refused for its size before it is parsed.
        await run.refuse("json: nesting too deep", `${open} x ${depth} in an unknown field`, { method: "POST", path: "/api/v1/namespaces/default/pods", body }, body.length > 3 * 1024 * 1024 ? [413] : [400]);
      }
    }
    await run.refuse("json: nesting too deep", "unbalanced [ x 3,000,000", { method: "POST", path: "/api/v1/namespaces/default/pods", body: "[".repeat(3_000_000) }, [400]);
    await run.refuse("json: nesting too deep", "top-level [ x 10,001", { method: "POST", path: "/api/v1/namespaces/default/pods", body: nested(10_001, "[", "]") }, [400]);
    await run.refuse("json: nesting too deep", "deep labels value", { method: "POST", path: "/api/v1/namespaces/default/pods", body: `{"metadata":{"name":"x","labels":{"a":${nested(20_000, "[", "]")}}}}` }, [400]);
    await run.refuse("json: nesting too deep", "deep patch", { method: "PATCH", path: "/api/v1/namespaces/default/pods/fuzz-pod", contentType: "application/merge-patch+json", body: `{"metadata":{"annotations":${nested(30_000, '{"a":', "}")}}}` }, [400]);
    await run.refuse("json: nesting too deep", "deep json-patch value", { method: "PATCH", path: "/api/v1/namespaces/default/pods/fuzz-pod", contentType: "application/json-patch+json", body: `[{"op":"add","path":"/x","value":${nested(30_000, "[", "]")}}]` }, [400]);
    await run.refuse("json: nesting too deep", "deep delete options", { method: "DELETE", path: "/api/v1/namespaces/default/pods/fuzz-pod", body: `{"x":${nested(50_000, "[", "]")}}` }, [400]);

    // ---- YAML ----
    for (let i = 0; i < 30; i++) {
      const cut = rng.range(1, POD_YAML.length - 2);
      await run.refuse("yaml: truncated", `cut at ${cut}`, { method: "POST", path: VOID, body: POD_YAML.slice(0, cut), contentType: "application/yaml" });
    }
    for (let i = 0; i < 25; i++) {
      const bytes = rng.bytes(rng.range(1, 300));
      await run.refuse("yaml: random bytes", `${bytes.length} bytes`, { method: "POST", path: VOID, body: bytes, contentType: "application/yaml" });
    }
    for (let i = 0; i < 25; i++) {
      const chars = POD_YAML.split("");
      for (let f = rng.range(1, 3); f > 0; f--) chars[rng.int(chars.length)] = rng.pick([":", "-", " ", "\t", "[", "{", "'", '"', "&", "*", "!", "|", ">", "%", "@", "`", "#", "\n"]);
      await run.refuse("yaml: mutated", chars.join("").slice(0, 40), { method: "POST", path: VOID, body: chars.join(""), contentType: "application/yaml" });
    }
    const yamlOdd = [
      "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: tab",
      "apiVersion: v1\nkind: Pod\nkind: Pod\nmetadata: {name: dup}",
      "apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Pod\n",
      "apiVersion: v1\nkind: Pod\nmetadata: {name: 'unclosed}",
      "apiVersion: v1\nkind: Pod\nmetadata: *nowhere",
      "apiVersion: v1\nkind: Pod\nmetadata: !!binary aGVsbG8=",
      "apiVersion: v1\nkind: Pod\nmetadata: !custom {name: x}",
      "apiVersion: v1\nkind: Pod\nmetadata:\n  <<: {name: merged}",
      "%YAML 9.9\n---\nkind: Pod",
      "? [complex, key]\n: value",
      "- a\n- b",
      "just a string",
      "~",
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [not, a, string]",
      "apiVersion: v1\nkind: Pod\nmetadata:\n  labels: [a, b]",
    ];
    for (const body of yamlOdd) await run.refuse("yaml: odd documents", body.slice(0, 50), { method: "POST", path: VOID, body, contentType: "application/yaml" });

    // Alias bombs (CVE-2019-11253): refused before the aliases are expanded.
    const laughs = (levels: number, width: number, map: boolean) => {
      let s = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: lol\nspec:\n  lol0: &l0 [" + Array(width).fill('"lol"').join(",") + "]\n";
      for (let l = 1; l < levels; l++) {
        const items = Array(width).fill(`*l${l - 1}`);
        s += map ? `  lol${l}: &l${l} {${items.map((it, i) => `k${i}: ${it}`).join(", ")}}\n` : `  lol${l}: &l${l} [${items.join(",")}]\n`;
      }
      return s;
    };
    for (const [levels, width, map] of [[9, 9, false], [9, 9, true], [12, 10, false], [30, 2, false], [5, 40, false], [3, 200, true]] as const) {
      await run.refuse("yaml: alias bombs", `${levels} levels x ${width}${map ? " (maps)" : ""}`, { method: "POST", path: "/api/v1/namespaces/default/pods", body: laughs(levels, width, map), contentType: "application/yaml" }, [400]);
    }
    await run.refuse("yaml: alias bombs", "one anchor, 5000 aliases", { method: "POST", path: "/api/v1/namespaces/default/pods", contentType: "application/yaml", body: "a: &a [x]\nb: [" + Array(5000).fill("*a").join(",") + "]\n" }, [400]);

    // Deep YAML: flow collections, compact sequences and indentation.
    for (const depth of [501, 1_000, 10_001, 100_000, 1_000_000]) {
      const tooBig = depth * 5 > 3 * 1024 * 1024 ? [400, 413] : [400];
      await run.refuse("yaml: nesting too deep", `flow [ x ${depth}`, { method: "POST", path: "/api/v1/namespaces/default/pods", contentType: "application/yaml", body: `metadata: {name: x}\nx: ${nested(depth, "[", "]")}` }, [400]);
      await run.refuse("yaml: nesting too deep", `flow {a: x ${depth}`, { method: "POST", path: "/api/v1/namespaces/default/pods", contentType: "application/yaml", body: `metadata: {name: x}\nx: ${nested(depth, "{a: ", "}")}` }, tooBig);
      await run.refuse("yaml: nesting too deep", `unclosed [ x ${depth}`, { method: "POST", path: "/api/v1/namespaces/default/pods", contentType: "application/yaml", body: `x: ${"[".repeat(depth)}` }, [400]);
      await run.refuse("yaml: nesting too deep", `compact sequence - x ${depth}`, { method: "POST", path: "/api/v1/namespaces/default/pods", contentType: "application/yaml", body: `x:\n${"- ".repeat(depth)}x\n` }, [400]);
    }
    await run.refuse("yaml: nesting too deep", "unclosed [ x 3,000,000", { method: "POST", path: "/api/v1/namespaces/default/pods", contentType: "application/yaml", body: "a: " + "[".repeat(3_000_000) }, [400]);
    {
      let deepIndent = "";
      for (let i = 0; i < 2_400; i++) deepIndent += " ".repeat(i) + "k:\n";
      await run.refuse("yaml: nesting too deep", "2,400 indentation levels (as deep as 3 MiB allows)", { method: "POST", path: VOID, contentType: "application/yaml", body: deepIndent });
    }

    // ---- protobuf: kubectl's own bodies, mutated ----
    const targets: [string, string][] = [
      ["1-kubectl-create-deployment.pb", VOID_DEPLOYMENTS],
      ["2-kubectl-create-deployment.pb", VOID_DEPLOYMENTS],
      ["3-kubectl-create-service-nodeport.pb", "/api/v1/namespaces/fuzz-void/services"],
      ["4-kubectl-create-namespace.pb", VOID],
    ];
    for (const [name, path] of targets) {
      const good = fixture(name);
      for (let i = 0; i < 20; i++) {
        const bytes = good.slice();
        const flips = rng.range(1, 3);
        for (let f = 0; f < flips; f++) {
          const at = rng.range(4, bytes.length - 1);
          bytes[at] ^= 1 << rng.int(8);
        }
        await run.refuse("protobuf: bit flips", `${name} x${flips}`, { method: "POST", path, body: bytes, contentType: PB });
      }
      for (let i = 0; i < 12; i++) {
        const cut = rng.range(0, good.length - 1);
        await run.refuse("protobuf: truncated", `${name} at ${cut}`, { method: "POST", path, body: good.slice(0, cut), contentType: PB });
      }
      for (let i = 0; i < 10; i++) {
        const bytes = good.slice();
        const at = rng.range(4, bytes.length - 1);
        bytes[at] = rng.pick([0x00, 0x7f, 0x80, 0xff, rng.int(256)]);
        await run.refuse("protobuf: wrong lengths and tags", `${name} byte ${at} = ${bytes[at]}`, { method: "POST", path, body: bytes, contentType: PB });
      }
      for (let i = 0; i < 6; i++) {
        const at = rng.range(4, good.length);
        const overflow = new Uint8Array(rng.range(10, 14)).fill(0xff);
        await run.refuse("protobuf: varint overflow", `${name} at ${at}`, { method: "POST", path, body: concatBytes([good.slice(0, at), overflow, good.slice(at)]), contentType: PB });
      }
    }
    const rawPod = new BinaryWriter().tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string("p").join().finish();
    const envelopes: [string, Uint8Array][] = [
      ["no magic", rawPod],
      ["magic only", new Uint8Array([0x6b, 0x38, 0x73, 0x00])],
      ["wrong magic", concatBytes([new Uint8Array([0x6b, 0x38, 0x73, 0x01]), rawPod])],
      ["no kind", envelope("v1", "", rawPod)],
      ["unknown kind", envelope("v1", "Secretive", rawPod)],
      ["kind of another group", envelope("apps/v1", "Pod", rawPod)],
      ["gzip contentEncoding", envelope("v1", "Pod", rawPod, "gzip")],
      ["JSON inside the envelope", envelope("v1", "Pod", new TextEncoder().encode(POD_JSON), "", "application/json")],
      ["random raw", envelope("v1", "Pod", rng.bytes(64))],
      ["raw length past the end", concatBytes([new Uint8Array([0x6b, 0x38, 0x73, 0x00, 0x12, 0xff, 0xff, 0x03]), rawPod])],
      ["nested length past the end", envelope("v1", "Pod", new Uint8Array([0x0a, 0x7f, 0x0a, 0x01]))],
      ["group tags (wire type 3)", envelope("v1", "Pod", new Uint8Array([0x0b, 0x0a, 0x01, 0x61, 0x0c]))],
      ["wire type 7", envelope("v1", "Pod", new Uint8Array([0x0f, 0x00]))],
      ["field number 0", envelope("v1", "Pod", new Uint8Array([0x02, 0x00]))],
      ["Pod body to deployments", envelope("v1", "Pod", rawPod)],
      ["Deployment body to pods", fixture("1-kubectl-create-deployment.pb")],
      ["empty body", new Uint8Array()],
      ["timestamp out of range", envelope("v1", "Pod", new BinaryWriter().tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string("t").tag(8, WireType.LengthDelimited).fork().tag(1, WireType.Varint).int64(9_000_000_000_000_000n).join().join().finish())],
    ];
    for (const [what, body] of envelopes) {
      const path = what === "Pod body to deployments" ? VOID_DEPLOYMENTS : VOID;
      await run.refuse("protobuf: wrong envelope", what, { method: "POST", path, body, contentType: PB });
    }

    // ---- media types the server does not read: a valid pod, so accepting it would show ----
    let n = 0;
    for (const contentType of ["text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/cbor", "application/json-patch+json", "application/merge-patch+json", "image/png", "*/*", "application/jsonx", "text/yaml"]) {
      const body = JSON.stringify({ ...pod, metadata: { name: `ct-${n++}` } });
      await run.refuse("media types not served", contentType, { method: "POST", path: "/api/v1/namespaces/default/pods", body, contentType }, [415]);
    }
    for (const contentType of ["application/json", "text/plain", "application/yaml", "application/apply-patch+cbor"]) {
      await run.refuse("media types not served", `PATCH as ${contentType}`, { method: "PATCH", path: "/api/v1/namespaces/default/pods/fuzz-pod", body: '{"metadata":{"labels":{"x":"y"}}}', contentType }, [415], (s) =>
        String(s.message).endsWith("application/strategic-merge-patch+json, application/apply-patch+yaml") ? undefined : "the message does not list the patch types served",
      );
    }
    // ---- server-side apply bodies that must change nothing ----
    const APPLY = "application/apply-patch+yaml";
    const applyPath = "/api/v1/namespaces/default/pods/fuzz-pod";
    await run.refuse("apply", "without a field manager", { method: "PATCH", path: applyPath, body: "metadata:\n  labels: {x: y}\n", contentType: APPLY }, [422]);
    await run.refuse("apply", "with managedFields", { method: "PATCH", path: `${applyPath}?fieldManager=f`, body: '{"apiVersion":"v1","kind":"Pod","metadata":{"managedFields":[]}}', contentType: APPLY }, [400]);
    await run.refuse("apply", "a list", { method: "PATCH", path: `${applyPath}?fieldManager=f`, body: "- a\n- b\n", contentType: APPLY }, [400]);
    await run.refuse("apply", "another kind", { method: "PATCH", path: `${applyPath}?fieldManager=f`, body: "apiVersion: apps/v1\nkind: Deployment\n", contentType: APPLY }, [400]);
    await run.refuse("apply", "another name", { method: "PATCH", path: `${applyPath}?fieldManager=f`, body: "apiVersion: v1\nkind: Pod\nmetadata: {name: other}\n", contentType: APPLY }, [400]);
    await run.refuse("apply", "bad YAML", { method: "PATCH", path: `${applyPath}?fieldManager=f`, body: "a: [b\n", contentType: APPLY }, [400]);
    await run.refuse("apply", "force on a merge patch", { method: "PATCH", path: `${applyPath}?force=true`, body: "{}", contentType: "application/merge-patch+json" }, [422]);
    await run.refuse("apply", "a manager too long", { method: "PATCH", path: `${applyPath}?fieldManager=${"m".repeat(129)}`, body: "{}", contentType: APPLY }, [422]);
    await run.refuse("media types not served", "PATCH without a content type", { method: "PATCH", path: "/api/v1/namespaces/default/pods/fuzz-pod", body: '{"metadata":{"labels":{"x":"y"}}}', contentType: null }, [415]);

    run.finish(400);
  }, 240_000);
});
