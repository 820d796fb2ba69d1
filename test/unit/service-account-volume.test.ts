import { describe, it, expect } from "vitest";
import { apiAccessSource, mountServiceAccountToken, SERVICE_ACCOUNT_MOUNT_PATH, shouldAutomount } from "../../src/model/service-account-volume";
import type { Pod, ServiceAccount } from "../../src/model/types";

const pod = (spec: Partial<Pod["spec"]> & Record<string, unknown> = {}): Pod =>
  ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default" }, spec: { containers: [{ name: "app", image: "nginx" }], ...spec } }) as Pod;
const sa = (automount?: boolean): ServiceAccount => ({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default" }, ...(automount === undefined ? {} : { automountServiceAccountToken: automount }) });
const mount = (name: string) => ({ name, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH });

describe("shouldAutomount: the pod's preference, then the account's, then yes", () => {
  it.each([
    [undefined, undefined, true],
    [undefined, false, false],
    [undefined, true, true],
    [true, false, true],
    [false, true, false],
    [false, undefined, false],
  ])("pod %s, account %s: %s", (podSays, accountSays, expected) => {
    expect(shouldAutomount(sa(accountSays), pod(podSays === undefined ? {} : { automountServiceAccountToken: podSays }))).toBe(expected);
  });
});

describe("mountServiceAccountToken", () => {
  it("adds the projected volume and a read-only mount to init and app containers, in that order", () => {
    const p = pod({ initContainers: [{ name: "init", image: "busybox" }], containers: [{ name: "a", image: "nginx" }, { name: "b", image: "nginx", volumeMounts: [{ name: "data", mountPath: "/data" }] }], volumes: [{ name: "data", emptyDir: {} }] });
    mountServiceAccountToken(p, "x2v4z");
    expect(p.spec.volumes).toEqual([{ name: "data", emptyDir: {} }, { name: "kube-api-access-x2v4z", projected: apiAccessSource() }]);
    expect(p.spec.initContainers![0].volumeMounts).toEqual([mount("kube-api-access-x2v4z")]);
    expect(p.spec.containers[0].volumeMounts).toEqual([mount("kube-api-access-x2v4z")]);
    expect(p.spec.containers[1].volumeMounts).toEqual([{ name: "data", mountPath: "/data" }, mount("kube-api-access-x2v4z")]);
  });

  it("writes upstream's source: a 3607 s token, the root CA, the namespace, mode 0644", () => {
    expect(apiAccessSource()).toEqual({
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
      ],
    });
  });

  it("leaves a container that mounts something at the path alone, and adds no volume when none needs it", () => {
    const p = pod({ containers: [{ name: "a", image: "nginx", volumeMounts: [{ name: "mine", mountPath: SERVICE_ACCOUNT_MOUNT_PATH }] }], volumes: [{ name: "mine", secret: { secretName: "s" } }] });
    mountServiceAccountToken(p, "aaaaa");
    expect(p.spec.containers[0].volumeMounts).toEqual([{ name: "mine", mountPath: SERVICE_ACCOUNT_MOUNT_PATH }]);
    expect(p.spec.volumes?.map((v) => v.name)).toEqual(["mine"]);
  });

  it("reuses a kube-api-access volume the spec already has (a pod copied from another)", () => {
    const p = pod({ volumes: [{ name: "kube-api-access-old12", projected: apiAccessSource() }] });
    mountServiceAccountToken(p, "new34");
    expect(p.spec.volumes?.map((v) => v.name)).toEqual(["kube-api-access-old12"]);
    expect(p.spec.containers[0].volumeMounts).toEqual([mount("kube-api-access-old12")]);
  });
});
