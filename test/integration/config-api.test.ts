import { describe, it, expect } from "vitest";
import { call, callJson } from "./helpers";

type Obj = { kind: string; metadata: { name?: string; resourceVersion?: string; labels?: Record<string, string> }; data?: Record<string, string>; type?: string; stringData?: unknown; [k: string]: unknown };
type StatusBody = { kind: string; code: number; reason: string; message: string };

const NS = "/api/v1/namespaces/default";
const TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
const b64 = (s: string) => btoa(s);

const configMap = (name: string, fields: Record<string, unknown> = {}) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, ...fields });
const secret = (name: string, fields: Record<string, unknown> = {}) => ({ apiVersion: "v1", kind: "Secret", metadata: { name }, ...fields });

describe("ConfigMaps through the API", () => {
  it("creates, lists as a Table with NAME DATA AGE, updates and deletes", async () => {
    const created = await callJson<Obj>(`${NS}/configmaps`, { method: "POST", body: configMap("special-config", { data: { "special.how": "very" }, binaryData: { blob: b64("\u0001\u0002") } }) });
    expect(created.status).toBe(201);
    const table = await callJson<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>(`${NS}/configmaps?fieldSelector=metadata.name%3Dspecial-config`, { accept: TABLE });
    expect(table.body.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Data", "Age"]);
    expect(table.body.rows[0].cells.slice(0, 2)).toEqual(["special-config", 2]);

    const updated = await callJson<Obj>(`${NS}/configmaps/special-config`, { method: "PUT", body: { ...created.body, data: { "special.how": "less" } } });
    expect(updated.status).toBe(200);
    expect(updated.body.data).toEqual({ "special.how": "less" });
    expect((await call(`${NS}/configmaps/special-config`, { method: "DELETE" })).status).toBe(200);
    expect((await call(`${NS}/configmaps/special-config`)).status).toBe(404);
  });

  it("refuses a bad key with 422 and upstream's message, and stores nothing", async () => {
    const res = await callJson<StatusBody>(`${NS}/configmaps`, { method: "POST", body: configMap("bad-key", { data: { "a/b": "x" } }) });
    expect(res.status).toBe(422);
    expect(res.body.message).toBe(
      `ConfigMap "bad-key" is invalid: data[a/b]: Invalid value: "a/b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key_name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    );
    expect((await call(`${NS}/configmaps/bad-key`)).status).toBe(404);
  });

  it("refuses more than 1 MiB of data", async () => {
    const res = await callJson<StatusBody>(`${NS}/configmaps`, { method: "POST", body: configMap("big", { data: { a: "x".repeat(1024 * 1024), b: "y" } }) });
    expect(res.status).toBe(422);
    expect(res.body.message).toBe('ConfigMap "big" is invalid: : Too long: must have at most 1048576 bytes');
    expect((await call(`${NS}/configmaps/big`)).status).toBe(404);
  });

  it("honours immutable: data is frozen, metadata is not, and the flag cannot be unset", async () => {
    const created = await callJson<Obj>(`${NS}/configmaps`, { method: "POST", body: configMap("frozen", { data: { a: "1" }, immutable: true }) });
    const patch = (body: unknown) => callJson<StatusBody & Obj>(`${NS}/configmaps/frozen`, { method: "PATCH", body, contentType: "application/merge-patch+json" });
    const data = await patch({ data: { a: "2" } });
    expect(data.status).toBe(422);
    expect(data.body.message).toBe('ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set');
    const unset = await patch({ immutable: false });
    expect(unset.body.message).toBe('ConfigMap "frozen" is invalid: immutable: Forbidden: field is immutable when `immutable` is set');
    const label = await patch({ metadata: { labels: { tier: "web" } } });
    expect(label.status).toBe(200);
    const now = await callJson<Obj>(`${NS}/configmaps/frozen`);
    expect(now.body.data).toEqual({ a: "1" });
    expect(now.body.metadata.labels).toEqual({ tier: "web" });
    expect(Number(now.body.metadata.resourceVersion)).toBeGreaterThan(Number(created.body.metadata.resourceVersion));
  });
});

describe("Secrets through the API", () => {
  it("folds stringData into data, defaults Opaque, prints NAME TYPE DATA AGE", async () => {
    const created = await callJson<Obj>(`${NS}/secrets`, { method: "POST", body: secret("db-user-pass", { data: { username: b64("admin") }, stringData: { password: "S!B*d$zDsb=" } }) });
    expect(created.status).toBe(201);
    expect(created.body.stringData).toBeUndefined();
    expect(created.body.type).toBe("Opaque");
    expect(created.body.data).toEqual({ username: b64("admin"), password: b64("S!B*d$zDsb=") });
    const table = await callJson<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>(`${NS}/secrets?fieldSelector=metadata.name%3Ddb-user-pass`, { accept: TABLE });
    expect(table.body.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Type", "Data", "Age"]);
    expect(table.body.rows[0].cells.slice(0, 3)).toEqual(["db-user-pass", "Opaque", 2]);
  });

  it("refuses bad base64 with the decoder's 400", async () => {
    const res = await callJson<StatusBody>(`${NS}/secrets`, { method: "POST", body: secret("bad-b64", { data: { a: "not base64!" } }) });
    expect(res.status).toBe(400);
    expect(res.body.reason).toBe("BadRequest");
    expect(res.body.message).toBe('Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3');
    expect((await call(`${NS}/secrets/bad-b64`)).status).toBe(404);
  });

  it("requires tls.crt and tls.key for kubernetes.io/tls, and keeps type immutable", async () => {
    const res = await callJson<StatusBody>(`${NS}/secrets`, { method: "POST", body: secret("tls", { type: "kubernetes.io/tls", data: { "tls.crt": b64("c") } }) });
    expect(res.status).toBe(422);
    expect(res.body.message).toBe('Secret "tls" is invalid: data[tls.key]: Required value');
    await callJson(`${NS}/secrets`, { method: "POST", body: secret("plain", { stringData: { a: "b" } }) });
    const retype = await callJson<StatusBody>(`${NS}/secrets/plain`, { method: "PATCH", body: { type: "kubernetes.io/tls" }, contentType: "application/merge-patch+json" });
    expect(retype.status).toBe(422);
    expect(retype.body.message).toContain('type: Invalid value: "kubernetes.io/tls": field is immutable');
  });

  it("stringData on an immutable Secret is a data change, refused", async () => {
    await callJson(`${NS}/secrets`, { method: "POST", body: secret("frozen-secret", { stringData: { a: "1" }, immutable: true }) });
    const res = await callJson<StatusBody>(`${NS}/secrets/frozen-secret`, { method: "PATCH", body: { stringData: { a: "2" } }, contentType: "application/merge-patch+json" });
    expect(res.status).toBe(422);
    expect(res.body.message).toBe('Secret "frozen-secret" is invalid: data: Forbidden: field is immutable when `immutable` is set');
    expect((await callJson<Obj>(`${NS}/secrets/frozen-secret`)).body.data).toEqual({ a: b64("1") });
  });
});
