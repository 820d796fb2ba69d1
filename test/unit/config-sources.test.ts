import { describe, it, expect } from "vitest";
import { ConfigError, configVolumeFiles, resolveConfigEnv, type ConfigReader } from "../../src/node/kubelet/config-sources";
import { podRefs } from "../../src/model/pod-config-refs";
import type { ConfigMap, Container, Pod, Secret } from "../../src/model/types";

// The objects a store would hold, read the way the kubelet reads them.
const objects = new Map<string, ConfigMap | Secret>([
  ["configmaps/default/app", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "app" }, data: { mode: "fast", level: "3" }, binaryData: { blob: btoa("\u00ff\u0000") } }],
  ["configmaps/default/override", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "override" }, data: { mode: "slow" } }],
  ["secrets/default/db", { apiVersion: "v1", kind: "Secret", metadata: { name: "db" }, type: "Opaque", data: { user: btoa("admin"), pass: btoa("p@ss") } }],
]);
const read: ConfigReader = (resource, ns, name) => Promise.resolve(objects.get(`${resource}/${ns}/${name}`) ?? null);

const pod = (container: Partial<Container>, volumes: unknown[] = []): Pod =>
  ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default" }, spec: { containers: [{ name: "c", image: "busybox", ...container }], volumes } }) as Pod;

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("environment from ConfigMaps and Secrets", () => {
  it("envFrom: every key, prefixed, later sources after earlier ones; valueFrom by key", async () => {
    const p = pod({
      envFrom: [{ configMapRef: { name: "app" }, prefix: "APP_" }, { configMapRef: { name: "override" }, prefix: "APP_" }, { secretRef: { name: "db" } }],
      env: [{ name: "USER", valueFrom: { secretKeyRef: { name: "db", key: "user" } } }, { name: "PLAIN", value: "x" }],
    });
    const env = await resolveConfigEnv(p, p.spec.containers[0], read);
    expect(env.fromSources).toEqual([["APP_mode", "fast"], ["APP_level", "3"], ["APP_blob", "\udcff\u0000"], ["APP_mode", "slow"], ["user", "admin"], ["pass", "p@ss"]]);
    expect([...env.fromKeys]).toEqual([[0, "admin"]]);
  });

  it.each([
    ["a missing ConfigMap", { env: [{ name: "A", valueFrom: { configMapKeyRef: { name: "nope", key: "k" } } }] }, 'configmap "nope" not found'],
    ["a missing Secret", { envFrom: [{ secretRef: { name: "nope" } }] }, 'secret "nope" not found'],
    ["a missing ConfigMap key", { env: [{ name: "A", valueFrom: { configMapKeyRef: { name: "app", key: "k" } } }] }, "couldn't find key k in ConfigMap default/app"],
    ["a missing Secret key", { env: [{ name: "A", valueFrom: { secretKeyRef: { name: "db", key: "token" } } }] }, "couldn't find key token in Secret default/db"],
  ])("%s fails with the kubelet's message", async (_, container, message) => {
    const p = pod(container as Partial<Container>);
    expect(await failure(resolveConfigEnv(p, p.spec.containers[0], read))).toBe(message);
  });

  it("optional references that are missing set nothing", async () => {
    const p = pod({
      envFrom: [{ configMapRef: { name: "nope", optional: true } }],
      env: [
        { name: "A", valueFrom: { configMapKeyRef: { name: "nope", key: "k", optional: true } } },
        { name: "B", valueFrom: { secretKeyRef: { name: "db", key: "token", optional: true } } },
      ],
    });
    expect(await resolveConfigEnv(p, p.spec.containers[0], read)).toEqual({ fromSources: [], fromKeys: new Map() });
  });
});

describe("configMap and secret volumes", () => {
  const files = (v: unknown) => {
    const p = pod({}, [v]);
    return configVolumeFiles(p, p.spec.volumes![0], read);
  };

  it("every key as a file, bytes decoded; only the listed items when items are given", async () => {
    expect(await files({ name: "v", configMap: { name: "app" } })).toEqual({ mode: "fast", level: "3", blob: "\udcff\u0000" }); // byte 0xff is not UTF-8: a lone surrogate stands for it (util/byte-text)
    expect(await files({ name: "v", secret: { secretName: "db", items: [{ key: "pass", path: "creds/password" }] } })).toEqual({ "creds/password": "p@ss" });
    expect(await files({ name: "v", emptyDir: {} })).toBeUndefined();
  });

  it("fails to mount a missing object or item, unless optional", async () => {
    expect(await failure(files({ name: "cfg", configMap: { name: "nope" } }))).toBe('MountVolume.SetUp failed for volume "cfg" : configmap "nope" not found');
    expect(await failure(files({ name: "cfg", configMap: { name: "app", items: [{ key: "zzz", path: "z" }] } }))).toBe(
      'MountVolume.SetUp failed for volume "cfg" : configmap references non-existent config key: zzz',
    );
    expect(await failure(files({ name: "s", secret: { secretName: "db", items: [{ key: "zzz", path: "z" }] } }))).toBe(
      'MountVolume.SetUp failed for volume "s" : references non-existent secret key: zzz',
    );
    expect(await files({ name: "s", secret: { secretName: "nope", optional: true } })).toEqual({});
  });
});

describe("which objects a pod refers to", () => {
  it("collects env, envFrom and volume references once each", () => {
    const p = pod(
      { envFrom: [{ secretRef: { name: "db" } }], env: [{ name: "A", valueFrom: { configMapKeyRef: { name: "app", key: "mode" } } }] },
      [{ name: "v", configMap: { name: "app" } }, { name: "w", secret: { secretName: "db" } }],
    );
    expect(podRefs(p).sort()).toEqual(["configmaps/default/app", "secrets/default/db"]);
  });
});
