// Shared by the ServiceAccount-token and RBAC tests: a ServiceAccount's token from
// the TokenRequest API, and requests made with it.
import { expect } from "vitest";
import { callJson } from "./helpers";

export type StatusBody = { kind: string; status: string; reason: string; message: string; code: number; details?: Record<string, unknown> };

export async function createNamespace(name: string): Promise<void> {
  const res = await callJson("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name } } });
  expect([201, 409]).toContain(res.status);
}

export async function createServiceAccount(ns: string, name: string): Promise<{ uid: string }> {
  const res = await callJson<{ metadata: { uid: string } }>(`/api/v1/namespaces/${ns}/serviceaccounts`, {
    method: "POST",
    body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name } },
  });
  expect(res.status).toBe(201);
  return { uid: res.body.metadata.uid };
}

export async function tokenFor(ns: string, sa: string, spec: Record<string, unknown> = {}): Promise<string> {
  const res = await callJson<{ status: { token: string } }>(`/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`, {
    method: "POST",
    body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec },
  });
  expect(res.status).toBe(201);
  return res.body.status.token;
}

export function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(payload + "=".repeat((4 - (payload.length % 4)) % 4))) as Record<string, unknown>;
}

export async function createAs<T = StatusBody>(token: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  return callJson<T>(path, { method: "POST", body, token, ...headers });
}

export const role = (ns: string, name: string, rules: unknown[]) => ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name, namespace: ns }, rules });

export const binding = (ns: string, name: string, roleKind: string, roleName: string, subjects: unknown[]) => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: ns ? "RoleBinding" : "ClusterRoleBinding",
  metadata: ns ? { name, namespace: ns } : { name },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: roleKind, name: roleName },
  subjects,
});

export const saSubject = (ns: string, name: string) => ({ kind: "ServiceAccount", name, namespace: ns });
