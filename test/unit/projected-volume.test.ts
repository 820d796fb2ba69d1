import { describe, expect, it } from "vitest";
import { renderVolume, type RenderDeps } from "../../src/node/kubelet/projected-volume";
import type { ConfigMap, Pod } from "../../src/model/types";
import { TokenError } from "../../src/node/kubelet/service-account-token";

const pod: Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", namespace: "default", uid: "u-1" },
  spec: { containers: [{ name: "c", image: "nginx" }] },
};

function configMap(name: string, data: Record<string, string>): ConfigMap {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data } as ConfigMap;
}

/** A promise settled from outside, to make a source answer after another. */
function later<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function deps(over: Partial<RenderDeps>): RenderDeps {
  return { read: () => Promise.resolve(null), node: { cpu: "2", memory: "4Gi", ephemeralStorage: "10Gi" }, now: 0, cache: {}, ...over };
}

const volume = (sources: unknown[]) => ({ name: "kube-api-access", projected: { sources } }) as NonNullable<Pod["spec"]["volumes"]>[number];

describe("a projected volume", () => {
  it("asks for the token and reads the ConfigMap at once, then merges the files in the volume's order", async () => {
    const token = later<{ token: string }>();
    const asked: string[] = [];
    const render = renderVolume(
      pod,
      volume([{ serviceAccountToken: { path: "token" } }, { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } }, { configMap: { name: "other", items: [{ key: "k", path: "token" }] } }]),
      deps({
        tokens: () => {
          asked.push("token");
          return token.promise;
        },
        read: (_r, _ns, name) => {
          asked.push(name);
          return Promise.resolve(name === "other" ? configMap(name, { k: "from-config" }) : configMap(name, { "ca.crt": "PEM" }));
        },
      }),
    );
    // The reads went out while the token was still being signed.
    await Promise.resolve();
    expect(asked).toEqual(["token", "kube-root-ca.crt", "other"]);
    token.resolve({ token: "jwt" });
    // A later source's file wins a path an earlier one also wrote, as when read in turn.
    expect(await render).toEqual({ "ca.crt": "PEM", token: "from-config" });
  });

  it("reports every source that failed, in the volume's order, whichever failed first", async () => {
    const token = later<{ token: string }>();
    const render = renderVolume(
      pod,
      volume([{ serviceAccountToken: { path: "token" } }, { configMap: { name: "missing" } }]),
      deps({ tokens: () => token.promise }),
    );
    await Promise.resolve();
    token.reject(new TokenError("serviceaccounts \"default\" not found"));
    await expect(render).rejects.toThrow(
      'MountVolume.SetUp failed for volume "kube-api-access" : [failed to fetch token: serviceaccounts "default" not found, configmap "missing" not found]',
    );
  });

  it("does not turn an unexpected error into a mount failure", async () => {
    const render = renderVolume(pod, volume([{ configMap: { name: "x" } }, { serviceAccountToken: { path: "token" } }]), deps({ read: () => Promise.reject(new Error("D1 is down")), tokens: () => Promise.resolve({ token: "jwt" }) }));
    await expect(render).rejects.toThrow("D1 is down");
  });
});
