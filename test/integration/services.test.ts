// Services inside workerd: the registry allocates cluster IPs and node ports through
// the ControllerManager Durable Object (unique, 422 when taken, free again on delete),
// the `kubernetes` Service exists from the start, and the service controller keeps
// Endpoints and an EndpointSlice in step with the pods a selector picks. Pods here
// stay unbound (a scheduler name nobody answers to); the tests play kubelet through /status.
import { describe, it, expect } from "vitest";
import { callJson, waitFor } from "./helpers";
import type { EndpointSlice, Endpoints, Pod, Service, Status } from "../../src/model/types";

async function namespace(name: string): Promise<void> {
  const res = await callJson("/api/v1/namespaces", { method: "POST", body: { apiVersion: "v1", kind: "Namespace", metadata: { name } } });
  expect(res.status).toBe(201);
}

function service(name: string, spec: Record<string, unknown>) {
  return { apiVersion: "v1", kind: "Service", metadata: { name, labels: { app: name } }, spec };
}

/** A Service, or the Status that refused it. */
type Answer = Service & Pick<Status, "reason" | "message">;

async function createService(ns: string, body: unknown) {
  return callJson<Answer>(`/api/v1/namespaces/${ns}/services`, { method: "POST", body });
}

function ipInt(ip: string): number {
  return ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
}

async function podWithIP(ns: string, name: string, app: string, ip: string, ready: boolean, containerPort = 8080): Promise<void> {
  const created = await callJson(`/api/v1/namespaces/${ns}/pods`, {
    method: "POST",
    body: { apiVersion: "v1", kind: "Pod", metadata: { name, labels: { app } }, spec: { schedulerName: "nobody", containers: [{ name: "app", image: "nginx:1.27", ports: [{ name: "http", containerPort }] }] } },
  });
  expect(created.status).toBe(201);
  const status = await callJson(`/api/v1/namespaces/${ns}/pods/${name}/status`, {
    method: "PATCH",
    contentType: "application/merge-patch+json",
    body: { status: { phase: "Running", podIP: ip, podIPs: [{ ip }], conditions: [{ type: "Ready", status: ready ? "True" : "False" }] } },
  });
  expect(status.status, JSON.stringify(status.body)).toBe(200);
}

describe("services", () => {
  it("has the kubernetes Service from the start, at the first address of the range", async () => {
    const { status, body } = await callJson<Service>("/api/v1/namespaces/default/services/kubernetes");
    expect(status).toBe(200);
    expect(body.spec).toMatchObject({ type: "ClusterIP", clusterIP: "10.96.0.1", clusterIPs: ["10.96.0.1"], ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 8443 }] });
    const ep = await callJson<Endpoints>("/api/v1/namespaces/default/endpoints/kubernetes");
    expect(ep.body.subsets?.[0]).toMatchObject({ addresses: [{ ip: "192.168.49.2" }], ports: [{ name: "https", port: 8443, protocol: "TCP" }] });
  });

  it("allocates a cluster IP and a node port, distinct per Service, with the upstream defaults", async () => {
    await namespace("svc-alloc");
    const a = await createService("svc-alloc", service("web", { type: "NodePort", selector: { app: "web" }, ports: [{ port: 8080 }] }));
    expect(a.status).toBe(201);
    const b = await createService("svc-alloc", service("api", { type: "NodePort", selector: { app: "api" }, ports: [{ port: 80, targetPort: "http" }] }));
    expect(b.status).toBe(201);
    for (const svc of [a.body, b.body]) {
      const ip = svc.spec.clusterIP!;
      expect(ipInt(ip)).toBeGreaterThan(ipInt("10.96.0.1"));
      expect(ipInt(ip)).toBeLessThan(ipInt("10.112.0.0"));
      expect(svc.spec.clusterIPs).toEqual([ip]);
      expect(svc.spec.ports![0].nodePort).toBeGreaterThanOrEqual(30000);
      expect(svc.spec.ports![0].nodePort).toBeLessThanOrEqual(32767);
      expect(svc.spec).toMatchObject({ sessionAffinity: "None", ipFamilies: ["IPv4"], ipFamilyPolicy: "SingleStack", internalTrafficPolicy: "Cluster", externalTrafficPolicy: "Cluster" });
    }
    expect(a.body.spec.ports![0]).toMatchObject({ protocol: "TCP", targetPort: 8080 });
    expect(b.body.spec.ports![0].targetPort).toBe("http");
    expect(a.body.spec.clusterIP).not.toBe(b.body.spec.clusterIP);
    expect(a.body.spec.ports![0].nodePort).not.toBe(b.body.spec.ports![0].nodePort);

    // A ClusterIP Service gets no node port.
    const c = await createService("svc-alloc", service("internal", { selector: { app: "x" }, ports: [{ port: 80 }] }));
    expect(c.status).toBe(201);
    expect(c.body.spec.type).toBe("ClusterIP");
    expect(c.body.spec.ports![0].nodePort).toBeUndefined();
  });

  it("refuses an address that is taken, stores nothing, and frees a deleted Service's addresses", async () => {
    await namespace("svc-taken");
    const first = await createService("svc-taken", service("one", { type: "NodePort", selector: { app: "one" }, ports: [{ port: 80, nodePort: 30080 }], clusterIP: "10.96.0.50" }));
    expect(first.status).toBe(201);
    expect(first.body.spec.ports![0].nodePort).toBe(30080);

    const port = await createService("svc-taken", service("two", { type: "NodePort", selector: { app: "two" }, ports: [{ port: 80, nodePort: 30080 }] }));
    expect(port.status).toBe(422);
    expect(port.body.reason).toBe("Invalid");
    expect(port.body.message).toBe('Service "two" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
    const ip = await createService("svc-taken", service("three", { selector: { app: "three" }, ports: [{ port: 80 }], clusterIP: "10.96.0.50" }));
    expect(ip.status).toBe(422);
    expect(ip.body.message).toBe('Service "three" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.50"}: failed to allocate IP 10.96.0.50: provided IP is already allocated');
    const range = await createService("svc-taken", service("four", { type: "NodePort", selector: { app: "four" }, ports: [{ port: 80, nodePort: 8080 }] }));
    expect(range.status).toBe(422);
    expect(range.body.message).toContain("spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767");
    for (const name of ["two", "three", "four"]) expect((await callJson(`/api/v1/namespaces/svc-taken/services/${name}`)).status).toBe(404);

    expect((await callJson("/api/v1/namespaces/svc-taken/services/one", { method: "DELETE" })).status).toBe(200);
    const again = await createService("svc-taken", service("five", { type: "NodePort", selector: { app: "five" }, ports: [{ port: 80, nodePort: 30080 }], clusterIP: "10.96.0.50" }));
    expect(again.status).toBe(201);
  });

  it("keeps its addresses through an update that leaves them out, and refuses to change the cluster IP", async () => {
    await namespace("svc-update");
    const created = (await createService("svc-update", service("web", { type: "NodePort", selector: { app: "web" }, ports: [{ port: 8080 }] }))).body;
    const put = structuredClone(created);
    delete put.spec.clusterIP;
    delete put.spec.clusterIPs;
    delete put.spec.ports![0].nodePort;
    put.metadata.labels = { app: "web", tier: "front" };
    const updated = await callJson<Service>("/api/v1/namespaces/svc-update/services/web", { method: "PUT", body: put });
    expect(updated.status).toBe(200);
    expect(updated.body.spec.clusterIP).toBe(created.spec.clusterIP);
    expect(updated.body.spec.ports![0].nodePort).toBe(created.spec.ports![0].nodePort);

    const moved = await callJson<Status>("/api/v1/namespaces/svc-update/services/web", { method: "PATCH", contentType: "application/merge-patch+json", body: { spec: { clusterIP: "10.96.0.77", clusterIPs: ["10.96.0.77"] } } });
    expect(moved.status).toBe(422);
    expect(moved.body.message).toContain(`spec.clusterIPs[0]: Invalid value: []string{"10.96.0.77"}: may not change once set`);
  });

  it("keeps Endpoints and an EndpointSlice in step with the selected pods", { timeout: 120_000 }, async () => {
    await namespace("svc-ep");
    await podWithIP("svc-ep", "web-1", "web", "10.244.1.5", true);
    await podWithIP("svc-ep", "web-2", "web", "10.244.2.7", false);
    await podWithIP("svc-ep", "other", "other", "10.244.1.9", true);
    const svc = (await createService("svc-ep", service("web", { type: "NodePort", selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }] }))).body;

    const ep = await waitFor(async () => {
      const r = await callJson<Endpoints>("/api/v1/namespaces/svc-ep/endpoints/web");
      return r.status === 200 && r.body.subsets?.length ? r.body : undefined;
    }, "the Endpoints of web");
    expect(ep.metadata.labels).toEqual({ app: "web" });
    expect(ep.subsets).toEqual([
      {
        addresses: [{ ip: "10.244.1.5", targetRef: { kind: "Pod", namespace: "svc-ep", name: "web-1", uid: expect.any(String) } }],
        notReadyAddresses: [{ ip: "10.244.2.7", targetRef: { kind: "Pod", namespace: "svc-ep", name: "web-2", uid: expect.any(String) } }],
        ports: [{ name: "http", port: 8080, protocol: "TCP" }],
      },
    ]);
    const slices = (await callJson<{ items: EndpointSlice[] }>("/apis/discovery.k8s.io/v1/namespaces/svc-ep/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb")).body.items;
    expect(slices).toHaveLength(1);
    expect(slices[0].metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(slices[0].metadata.ownerReferences?.[0]).toMatchObject({ kind: "Service", name: "web", uid: svc.metadata.uid, controller: true });
    expect(slices[0].addressType).toBe("IPv4");
    expect(slices[0].ports).toEqual([{ name: "http", port: 8080, protocol: "TCP" }]);
    expect(slices[0].endpoints?.map((e) => [e.addresses[0], e.conditions?.ready])).toEqual([
      ["10.244.1.5", true],
      ["10.244.2.7", false],
    ]);

    // web-2 becomes ready: it moves to the ready addresses.
    const ready = await callJson(`/api/v1/namespaces/svc-ep/pods/web-2/status`, { method: "PATCH", contentType: "application/merge-patch+json", body: { status: { conditions: [{ type: "Ready", status: "True" }] } } });
    expect(ready.status).toBe(200);
    await waitFor(async () => {
      const r = await callJson<Endpoints>("/api/v1/namespaces/svc-ep/endpoints/web");
      return r.body.subsets?.[0]?.addresses?.length === 2 && !r.body.subsets[0].notReadyAddresses ? r.body : undefined;
    }, "web-2 among the ready addresses");

    // The Service goes: so do its Endpoints and slices.
    expect((await callJson("/api/v1/namespaces/svc-ep/services/web", { method: "DELETE" })).status).toBe(200);
    await waitFor(async () => ((await callJson("/api/v1/namespaces/svc-ep/endpoints/web")).status === 404 ? true : undefined), "the Endpoints to go");
    await waitFor(async () => {
      const r = await callJson<{ items: EndpointSlice[] }>("/apis/discovery.k8s.io/v1/namespaces/svc-ep/endpointslices");
      return r.body.items.length === 0 ? true : undefined;
    }, "the slices to go");
    // Pods are untouched.
    expect((await callJson<{ items: Pod[] }>("/api/v1/namespaces/svc-ep/pods")).body.items).toHaveLength(3);
  });

  it("a namespace with Services and their endpoints deletes completely, and its addresses are given back", { timeout: 120_000 }, async () => {
    await namespace("svc-gone");
    await podWithIP("svc-gone", "web-1", "web", "10.244.3.5", true);
    const svc = (await createService("svc-gone", service("web", { type: "NodePort", selector: { app: "web" }, ports: [{ port: 80, nodePort: 31999 }], clusterIP: "10.96.0.99" }))).body;
    expect(svc.spec.ports![0].nodePort).toBe(31999);
    await waitFor(async () => ((await callJson("/api/v1/namespaces/svc-gone/endpoints/web")).status === 200 ? true : undefined), "the Endpoints of web");
    expect((await callJson("/api/v1/namespaces/svc-gone", { method: "DELETE" })).status).toBe(200);
    await waitFor(async () => ((await callJson("/api/v1/namespaces/svc-gone")).status === 404 ? true : undefined), "the namespace to go", 45_000);
    // The namespace controller deleted the Service: its node port and IP are free again.
    await namespace("svc-after");
    const again = await createService("svc-after", service("again", { type: "NodePort", selector: { app: "again" }, ports: [{ port: 80, nodePort: 31999 }], clusterIP: "10.96.0.99" }));
    expect(again.status, again.body.message).toBe(201);
  });

  it("changes type both ways: what only the old type used goes, what the new one needs is allocated", async () => {
    await namespace("svc-type");
    const patch = (body: unknown) => callJson<Answer>("/api/v1/namespaces/svc-type/services/web", { method: "PATCH", contentType: "application/merge-patch+json", body });
    const created = (await createService("svc-type", service("web", { type: "NodePort", selector: { app: "web" }, ports: [{ port: 80 }] }))).body;
    const toClusterIP = await patch({ spec: { type: "ClusterIP" } });
    expect(toClusterIP.status, toClusterIP.body.message).toBe(200);
    expect(toClusterIP.body.spec.ports![0].nodePort).toBeUndefined();
    expect(toClusterIP.body.spec.externalTrafficPolicy).toBeUndefined();
    expect(toClusterIP.body.spec.clusterIP).toBe(created.spec.clusterIP);

    const toExternal = await patch({ spec: { type: "ExternalName", externalName: "db.example.com" } });
    expect(toExternal.status, toExternal.body.message).toBe(200);
    expect(toExternal.body.spec.clusterIP).toBeUndefined();
    expect(toExternal.body.spec.ipFamilies).toBeUndefined();

    const back = await patch({ spec: { type: "NodePort", externalName: null } });
    expect(back.status, back.body.message).toBe(200);
    expect(back.body.spec.clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\./);
    expect(back.body.spec.ports![0].nodePort).toBeGreaterThanOrEqual(30000);
  });

  it("answers malformed Services and the reserved address with 422, never 500", async () => {
    await namespace("svc-bad");
    for (const ports of [[null], 5, {}]) {
      const r = await createService("svc-bad", service("bad", { ports }));
      expect(r.status, JSON.stringify(ports)).toBe(422);
    }
    const reserved = await createService("svc-bad", service("mine", { selector: { app: "x" }, ports: [{ port: 80 }], clusterIP: "10.96.0.1" }));
    expect(reserved.status).toBe(422);
    expect(reserved.body.message).toContain("failed to allocate IP 10.96.0.1: provided IP is already allocated");
  });

  it("a Service made again under the same name gets its own EndpointSlice", { timeout: 120_000 }, async () => {
    await namespace("svc-again");
    await podWithIP("svc-again", "web-1", "web", "10.244.4.5", true);
    const body = service("web", { selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }] });
    const sliceOwners = async () => ((await callJson<{ items: EndpointSlice[] }>("/apis/discovery.k8s.io/v1/namespaces/svc-again/endpointslices")).body.items).map((s) => s.metadata.ownerReferences?.[0]?.uid);
    const first = (await createService("svc-again", body)).body;
    await waitFor(async () => ((await sliceOwners()).includes(first.metadata.uid) ? true : undefined), "the first slice");
    expect((await callJson("/api/v1/namespaces/svc-again/services/web", { method: "DELETE" })).status).toBe(200);
    const second = (await createService("svc-again", body)).body;
    expect(second.metadata.uid).not.toBe(first.metadata.uid);
    await waitFor(async () => {
      const owners = await sliceOwners();
      return owners.length === 1 && owners[0] === second.metadata.uid ? true : undefined;
    }, "one slice, owned by the new Service");
  });

  it("groups endpoints into slices by the ports their named targetPort resolves to", { timeout: 120_000 }, async () => {
    await namespace("svc-ports");
    await podWithIP("svc-ports", "old-1", "web", "10.244.5.1", true, 8080);
    await podWithIP("svc-ports", "new-1", "web", "10.244.5.2", true, 9090);
    await createService("svc-ports", service("web", { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }] }));
    const slices = await waitFor(async () => {
      const items = (await callJson<{ items: EndpointSlice[] }>("/apis/discovery.k8s.io/v1/namespaces/svc-ports/endpointslices")).body.items;
      return items.length === 2 ? items : undefined;
    }, "two slices");
    const byPort = Object.fromEntries(slices.map((s) => [s.ports![0].port, s.endpoints!.map((e) => e.addresses[0])]));
    expect(byPort).toEqual({ 8080: ["10.244.5.1"], 9090: ["10.244.5.2"] });
    const ep = (await callJson<Endpoints>("/api/v1/namespaces/svc-ports/endpoints/web")).body;
    expect(ep.subsets?.map((s) => [s.ports?.[0].port, s.addresses?.map((a) => a.ip)]).sort()).toEqual([
      [8080, ["10.244.5.1"]],
      [9090, ["10.244.5.2"]],
    ]);
  });

  it("keeps a named port's node port when its number changes", async () => {
    await namespace("svc-rename");
    const created = (await createService("svc-rename", service("web", { type: "NodePort", selector: { app: "web" }, ports: [{ name: "http", port: 80 }] }))).body;
    const put = structuredClone(created);
    put.spec.ports = [{ name: "http", port: 81 }];
    const updated = await callJson<Answer>("/api/v1/namespaces/svc-rename/services/web", { method: "PUT", body: put });
    expect(updated.status, updated.body.message).toBe(200);
    expect(updated.body.spec.ports![0]).toMatchObject({ name: "http", port: 81, nodePort: created.spec.ports![0].nodePort });
  });

  it("mirrors a selectorless Service's own Endpoints into a slice, which the cluster's consumers read", { timeout: 120_000 }, async () => {
    await namespace("svc-manual");
    await createService("svc-manual", service("db", { ports: [{ name: "pg", port: 5432 }] }));
    const ep = await callJson("/api/v1/namespaces/svc-manual/endpoints", {
      method: "POST",
      body: { apiVersion: "v1", kind: "Endpoints", metadata: { name: "db" }, subsets: [{ addresses: [{ ip: "192.168.10.5" }], notReadyAddresses: [{ ip: "192.168.10.6" }], ports: [{ name: "pg", port: 5432 }] }] },
    });
    expect(ep.status).toBe(201);
    const slice = await waitFor(async () => {
      const items = (await callJson<{ items: EndpointSlice[] }>("/apis/discovery.k8s.io/v1/namespaces/svc-manual/endpointslices")).body.items;
      return items.length === 1 ? items[0] : undefined;
    }, "the mirrored slice");
    expect(slice.metadata.labels).toMatchObject({ "kubernetes.io/service-name": "db", "endpointslice.kubernetes.io/managed-by": "endpointslicemirroring-controller.k8s.io" });
    expect(slice.ports).toEqual([{ name: "pg", port: 5432, protocol: "TCP" }]);
    expect(slice.endpoints?.map((e) => [e.addresses[0], e.conditions?.ready])).toEqual([
      ["192.168.10.5", true],
      ["192.168.10.6", false],
    ]);
    // The user's Endpoints stay as written; removing them removes the mirror.
    expect((await callJson("/api/v1/namespaces/svc-manual/endpoints/db", { method: "DELETE" })).status).toBe(200);
    await waitFor(async () => ((await callJson<{ items: EndpointSlice[] }>("/apis/discovery.k8s.io/v1/namespaces/svc-manual/endpointslices")).body.items.length === 0 ? true : undefined), "the mirror to go");
  });

  it("prints Services as kubectl get shows them", async () => {
    const res = await callJson<{ rows: { cells: unknown[] }[]; columnDefinitions: { name: string }[] }>("/api/v1/namespaces/default/services", { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" });
    expect(res.body.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"]);
    const row = res.body.rows.find((r) => r.cells[0] === "kubernetes")!;
    expect(row.cells.slice(0, 5)).toEqual(["kubernetes", "ClusterIP", "10.96.0.1", "<none>", "443/TCP"]);
  });
});
