// The docs' "Configure a Pod to Use a ConfigMap" and "Distribute Credentials Securely
// Using Secrets" with the real kubectl: create from literals and files (protobuf
// bodies), pods taking them as environment and files, `exec env` / `cat`, get and
// describe, the default ServiceAccount, and a pod that waits for its ConfigMap.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startCluster, eventually, type Cluster } from "./cluster";

interface PodJson {
  status: { phase?: string; containerStatuses?: { state?: { running?: unknown; waiting?: { reason?: string; message?: string } } }[] };
}

const DAPI_POD = `apiVersion: v1
kind: Pod
metadata:
  name: dapi-test-pod
spec:
  containers:
    - name: test-container
      image: busybox:1.37
      command: ["sh", "-c", "sleep 3600"]
      env:
        - name: SPECIAL_LEVEL_KEY
          valueFrom:
            configMapKeyRef:
              name: special-config
              key: special.how
      envFrom:
        - configMapRef:
            name: env-config
      volumeMounts:
        - name: config-volume
          mountPath: /etc/config
  volumes:
    - name: config-volume
      configMap:
        name: game-config
`;

const SECRET_POD = `apiVersion: v1
kind: Pod
metadata:
  name: secret-test-pod
spec:
  containers:
    - name: test-container
      image: nginx
      env:
        - name: SECRET_USERNAME
          valueFrom:
            secretKeyRef:
              name: test-secret
              key: username
      volumeMounts:
        - name: secret-volume
          mountPath: /etc/secret-volume
          readOnly: true
  volumes:
    - name: secret-volume
      secret:
        secretName: test-secret
`;

const LATE_POD = `apiVersion: v1
kind: Pod
metadata:
  name: late-pod
spec:
  containers:
    - name: app
      image: busybox:1.37
      command: ["sh", "-c", "sleep 3600"]
      env:
        - name: LOG_LEVEL
          valueFrom:
            configMapKeyRef:
              name: late-config
              key: log_level
`;

describe("ConfigMaps, Secrets and ServiceAccounts with kubectl", () => {
  let c: Cluster;
  const podJson = async (name: string) => JSON.parse((await c.kubectl(["get", "pod", name, "-o", "json"])).stdout) as PodJson;
  const runningPod = (name: string) =>
    eventually(async () => ((await podJson(name)).status.containerStatuses?.[0]?.state?.running ? true : undefined), 90_000, `${name} Running`);

  beforeAll(async () => {
    c = await startCluster();
  });
  afterAll(async () => {
    await c?.stop();
  });

  it("creates ConfigMaps from a directory and from literals, and describes them", async () => {
    const dir = join(c.dir, "configmap");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "game.properties"), "enemies=aliens\nlives=3\n");
    writeFileSync(join(dir, "ui.properties"), "color.good=purple\nallow.textmode=true\n");
    expect((await c.kubectl(["create", "configmap", "game-config", `--from-file=${dir}/`])).stdout.trim()).toBe("configmap/game-config created");
    await c.kubectl(["create", "configmap", "special-config", "--from-literal=special.how=very"]);
    await c.kubectl(["create", "configmap", "env-config", "--from-literal=log_level=INFO"]);

    const described = (await c.kubectl(["describe", "configmaps", "game-config"])).stdout;
    expect(described).toMatch(/^Name:\s+game-config$/m);
    expect(described).toMatch(/^game\.properties:\n----\nenemies=aliens\nlives=3\n/m);
    const got = (await c.kubectl(["get", "cm"])).stdout;
    expect(got).toMatch(/^NAME\s+DATA\s+AGE\n/);
    expect(got).toMatch(/^game-config\s+2\s+\d+s$/m);
    expect(got).toMatch(/^special-config\s+1\s+\d+s$/m);

    const bad = await c.kubectl(["create", "configmap", "bad", "--from-literal=a/b=x"], { allowFail: true });
    expect(bad.code).not.toBe(0);
  });

  it("a pod sees a ConfigMap's keys as environment variables and files", async () => {
    await c.kubectl(["apply", "-f", "-"], { input: DAPI_POD });
    await runningPod("dapi-test-pod");
    const env = (await c.kubectl(["exec", "dapi-test-pod", "--", "env"])).stdout.split("\n");
    expect(env).toEqual(expect.arrayContaining(["SPECIAL_LEVEL_KEY=very", "log_level=INFO"]));
    const files = (await c.kubectl(["exec", "dapi-test-pod", "--", "ls", "/etc/config/"])).stdout.split(/\s+/).filter(Boolean);
    expect(files.sort()).toEqual(["game.properties", "ui.properties"]);
    expect((await c.kubectl(["exec", "dapi-test-pod", "--", "cat", "/etc/config/ui.properties"])).stdout).toBe("color.good=purple\nallow.textmode=true\n");
  });

  it("creates Secrets (generic, docker-registry) and shows them as kubectl does", async () => {
    expect((await c.kubectl(["create", "secret", "generic", "test-secret", "--from-literal=username=my-app", "--from-literal=password=39528$vdg7Jb"])).stdout.trim()).toBe(
      "secret/test-secret created",
    );
    await c.kubectl(["create", "secret", "docker-registry", "regcred", "--docker-server=registry.example.com", "--docker-username=tiger", "--docker-password=pass1234"]);
    const got = (await c.kubectl(["get", "secret", "test-secret", "regcred"])).stdout;
    expect(got).toMatch(/^NAME\s+TYPE\s+DATA\s+AGE\n/);
    expect(got).toMatch(/^test-secret\s+Opaque\s+2\s+\d+s$/m);
    expect(got).toMatch(/^regcred\s+kubernetes\.io\/dockerconfigjson\s+1\s+\d+s$/m);
    const described = (await c.kubectl(["describe", "secret", "test-secret"])).stdout;
    expect(described).toMatch(/^Type:\s+Opaque$/m);
    expect(described).toMatch(/^password:\s+12 bytes$/m);
    expect(described).toMatch(/^username:\s+6 bytes$/m);
    const json = JSON.parse((await c.kubectl(["get", "secret", "test-secret", "-o", "json"])).stdout) as { data: Record<string, string> };
    expect(Buffer.from(json.data.password, "base64").toString()).toBe("39528$vdg7Jb");
  });

  it("a pod sees a Secret as files and as an environment variable", async () => {
    await c.kubectl(["apply", "-f", "-"], { input: SECRET_POD });
    await runningPod("secret-test-pod");
    expect((await c.kubectl(["exec", "secret-test-pod", "--", "ls", "/etc/secret-volume"])).stdout.split(/\s+/).filter(Boolean).sort()).toEqual(["password", "username"]);
    expect((await c.kubectl(["exec", "secret-test-pod", "--", "cat", "/etc/secret-volume/password"])).stdout).toBe("39528$vdg7Jb");
    expect((await c.kubectl(["exec", "secret-test-pod", "--", "env"])).stdout.split("\n")).toContain("SECRET_USERNAME=my-app");
  });

  it("every namespace has a default ServiceAccount; kubectl create serviceaccount works", async () => {
    expect((await c.kubectl(["create", "serviceaccount", "build-robot"])).stdout.trim()).toBe("serviceaccount/build-robot created");
    const sa = (await c.kubectl(["get", "sa"])).stdout;
    expect(sa).toMatch(/^NAME\s+SECRETS\s+AGE\n/);
    expect(sa).toMatch(/^default\s+0\s+\d+s$/m);
    expect(sa).toMatch(/^build-robot\s+0\s+\d+s$/m);
    expect((await c.kubectl(["describe", "sa", "build-robot"])).stdout).toMatch(/^Name:\s+build-robot$/m);
    const spec = JSON.parse((await c.kubectl(["get", "pod", "dapi-test-pod", "-o", "json"])).stdout) as { spec: { serviceAccountName: string } };
    expect(spec.spec.serviceAccountName).toBe("default");
    const all = (await c.kubectl(["get", "cm,secret,sa"])).stdout;
    expect(all).toMatch(/^configmap\/game-config\s+2\s+/m);
    expect(all).toMatch(/^secret\/test-secret\s+Opaque\s+2\s+/m);
    expect(all).toMatch(/^serviceaccount\/default\s+0\s+/m);
  });

  it("apply of manifests: stringData is stored as data; an immutable ConfigMap refuses new data", async () => {
    const manifest = [
      "apiVersion: v1",
      "kind: Secret",
      "metadata:",
      "  name: mysecret",
      "type: Opaque",
      "stringData:",
      "  config.yaml: |",
      "    apiUrl: https://my.api.com/api/v1",
      "---",
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata:",
      "  name: frozen",
      "immutable: true",
      "data:",
      "  a: \"1\"",
      "",
    ].join("\n");
    expect((await c.kubectl(["apply", "-f", "-"], { input: manifest })).stdout).toBe("secret/mysecret created\nconfigmap/frozen created\n");
    const secret = JSON.parse((await c.kubectl(["get", "secret", "mysecret", "-o", "json"])).stdout) as { data: Record<string, string>; stringData?: unknown };
    expect(secret.stringData).toBeUndefined();
    expect(Buffer.from(secret.data["config.yaml"], "base64").toString()).toBe("apiUrl: https://my.api.com/api/v1\n");
    const patched = await c.kubectl(["patch", "configmap", "frozen", "-p", '{"data":{"a":"2"}}'], { allowFail: true });
    expect(patched.code).not.toBe(0);
    expect(patched.stderr.trim()).toBe('The ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set');
  });

  it("a pod whose ConfigMap is missing waits in CreateContainerConfigError, then starts", async () => {
    await c.kubectl(["apply", "-f", "-"], { input: LATE_POD });
    const listed = await eventually(async () => {
      const out = (await c.kubectl(["get", "pod", "late-pod"])).stdout;
      return /late-pod\s+0\/1\s+CreateContainerConfigError\s+0\s+/.test(out) ? out : undefined;
    }, 90_000, "CreateContainerConfigError");
    expect(listed).toMatch(/^NAME\s+READY\s+STATUS/);
    const described = await eventually(async () => {
      const out = (await c.kubectl(["describe", "pod", "late-pod"])).stdout;
      return out.includes('Error: configmap "late-config" not found') ? out : undefined;
    }, 60_000, "the Failed event");
    expect(described).toMatch(/Reason:\s+CreateContainerConfigError/);
    await c.kubectl(["create", "configmap", "late-config", "--from-literal=log_level=DEBUG"]);
    await runningPod("late-pod");
    expect((await c.kubectl(["exec", "late-pod", "--", "env"])).stdout.split("\n")).toContain("LOG_LEVEL=DEBUG");
  });
});
