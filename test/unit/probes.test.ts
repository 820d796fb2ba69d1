// The prober's pure parts: a worker's ticks and results (thresholds, initial delay,
// startup gating, hold after a liveness failure, a new instance), the handlers' output
// texts as upstream words them, port resolution, defaults and validation; and the
// images the docs' probe page uses answering their probes through the runtime model.
import { describe, expect, it } from "vitest";
import { newWorker, recordResult, tick, type ContainerView, type ProbeKind, type ProbeWorker } from "../../src/node/kubelet/probe-worker";
import { execProbeOutcome, grpcProbeOutcome, httpProbeOutcome, probeUrl, resolvePort, runProbe, tcpProbeOutcome } from "../../src/node/kubelet/probe-run";
import { defaultPodSpec } from "../../src/registry/defaults";
import { validateObject } from "../../src/model/validation";
import type { Container, KubeObject, PodSpec, Probe } from "../../src/model/types";
import { sandboxConfig, testRuntime } from "../../src/node/runtime/testing";

const T0 = 1_000_000;
const spec = (p: Partial<Probe> = {}): Probe => ({ exec: { command: ["true"] }, initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3, ...p });
const view = (v: Partial<ContainerView> = {}): ContainerView => ({ id: "c1", running: true, startedAt: T0, started: true, deleting: false, ...v });

/** Feed a worker a sequence of probe results; what it holds after each. */
function run(kind: ProbeKind, p: Probe, results: ("S" | "F" | "E")[]): string[] {
  let w = newWorker(kind, p, view(), T0);
  const out: string[] = [];
  for (const r of results) {
    w = recordResult(kind, p, w, r === "S" ? "Success" : r === "F" ? "Failure" : undefined);
    out.push(`${w.result}${w.onHold ? "/hold" : ""}`);
  }
  return out;
}

describe("probe worker: results and thresholds", () => {
  it.each<[string, ProbeKind, Partial<Probe>, ("S" | "F" | "E")[], string[]]>([
    ["liveness starts Success, fails on the 3rd failure in a row and holds", "liveness", {}, ["F", "F", "F"], ["Success", "Success", "Failure/hold"]],
    ["a success in between resets the failure run", "liveness", {}, ["F", "F", "S", "F", "F"], ["Success", "Success", "Success", "Success", "Success"]],
    ["failureThreshold 1 fails at once", "liveness", { failureThreshold: 1 }, ["F"], ["Failure/hold"]],
    ["readiness starts Failure and is ready after one success", "readiness", {}, ["S"], ["Success"]],
    ["readiness with successThreshold 3 needs three successes", "readiness", { successThreshold: 3 }, ["S", "S", "S"], ["Failure", "Failure", "Success"]],
    ["readiness failing past the threshold is unready but not held", "readiness", {}, ["S", "F", "F", "F", "S"], ["Success", "Success", "Success", "Failure", "Success"]],
    ["startup stays Unknown until a success", "startup", {}, ["F", "S"], ["Unknown", "Success"]],
    ["startup failing past its threshold holds (the container is killed)", "startup", { failureThreshold: 2 }, ["F", "F"], ["Unknown", "Failure/hold"]],
    ["a prober error is thrown away", "readiness", { failureThreshold: 1 }, ["E", "E", "S"], ["Failure", "Failure", "Success"]],
  ])("%s", (_name, kind, p, results, want) => {
    expect(run(kind, spec(p), results)).toEqual(want);
  });
});

describe("probe worker: ticks", () => {
  const w0 = (kind: ProbeKind, p = spec()): ProbeWorker => newWorker(kind, p, view(), T0);
  it.each<[string, ProbeKind, Partial<Probe>, Partial<ContainerView>, number, boolean, string?]>([
    ["probes a running, started container", "liveness", {}, {}, T0, true],
    ["waits out initialDelaySeconds", "liveness", { initialDelaySeconds: 5 }, {}, T0 + 4_999, false],
    ["probes once the initial delay is over", "liveness", { initialDelaySeconds: 5 }, {}, T0 + 5_000, true],
    ["holds liveness back until the startup probe succeeded", "liveness", {}, { started: false }, T0, false],
    ["holds readiness back until started", "readiness", {}, { started: false }, T0, false],
    ["runs startup until it succeeded", "startup", {}, { started: false }, T0, true],
    ["stops startup once started", "startup", {}, { started: true }, T0, false],
    ["does not probe a container that is not running, and fails it", "readiness", {}, { running: false }, T0, false, "Failure"],
    ["does not probe without an instance", "liveness", {}, { id: undefined }, T0, false, "Success"],
    ["stops liveness of a pod being deleted, reporting Success", "liveness", {}, { deleting: true }, T0, false, "Success"],
    ["keeps readiness of a pod being deleted", "readiness", {}, { deleting: true }, T0, true],
  ])("%s", (_name, kind, p, v, now, probe, result) => {
    const step = tick(kind, spec(p), w0(kind, spec(p)), view(v), now);
    expect(step.probe).toBe(probe);
    if (result) expect(step.worker.result).toBe(result);
  });

  it("starts over for a new instance: initial result, off hold, its own initial delay", () => {
    const p = spec({ failureThreshold: 1, initialDelaySeconds: 3 });
    const held = recordResult("liveness", p, w0("liveness", p), "Failure");
    expect(held).toMatchObject({ result: "Failure", onHold: true });
    expect(tick("liveness", p, held, view(), T0 + 10_000).probe).toBe(false);
    const fresh = tick("liveness", p, held, view({ id: "c2", startedAt: T0 + 20_000 }), T0 + 20_000);
    expect(fresh.worker).toMatchObject({ containerId: "c2", result: "Success", onHold: false, dueAt: T0 + 23_000 });
    expect(fresh.probe).toBe(false);
    expect(tick("liveness", p, fresh.worker, view({ id: "c2", startedAt: T0 + 20_000 }), T0 + 23_000).probe).toBe(true);
  });
});

describe("probe outcomes as upstream words them", () => {
  const ok = (status: number, body = "ok") => ({ kind: "response" as const, response: { status, statusText: "", headers: [], body } });
  it.each([
    ["200 succeeds with the body", httpProbeOutcome("http://10.244.0.5:8080/healthz", "10.244.0.5:8080", false, ok(200)), { result: "Success", output: "ok" }],
    ["a redirect succeeds", httpProbeOutcome("http://10.244.0.5:80/", "10.244.0.5:80", false, ok(302, "")), { result: "Success", output: "" }],
    ["500 fails with the status code", httpProbeOutcome("http://10.244.0.5:8080/healthz", "10.244.0.5:8080", false, ok(500)), { result: "Failure", output: "HTTP probe failed with statuscode: 500" }],
    ["404 fails", httpProbeOutcome("http://10.244.0.5:80/x", "10.244.0.5:80", false, ok(404)), { result: "Failure", output: "HTTP probe failed with statuscode: 404" }],
    [
      "a closed port is a refused dial",
      httpProbeOutcome("http://10.244.0.5:8080/healthz", "10.244.0.5:8080", false, { kind: "refused" }),
      { result: "Failure", output: 'Get "http://10.244.0.5:8080/healthz": dial tcp 10.244.0.5:8080: connect: connection refused' },
    ],
    [
      "HTTPS to a plain HTTP server",
      httpProbeOutcome("https://10.244.0.5:80/", "10.244.0.5:80", true, ok(200)),
      { result: "Failure", output: 'Get "https://10.244.0.5:80/": http: server gave HTTP response to HTTPS client' },
    ],
    ["tcp open", tcpProbeOutcome("10.244.0.5:8080", true), { result: "Success", output: "" }],
    ["tcp closed", tcpProbeOutcome("10.244.0.5:8080", false), { result: "Failure", output: "dial tcp 10.244.0.5:8080: connect: connection refused" }],
    ["exec 0", execProbeOutcome(0, ""), { result: "Success", output: "" }],
    ["exec 1 with its output", execProbeOutcome(1, "cat: can't open '/tmp/healthy': No such file or directory\n"), { result: "Failure", output: "cat: can't open '/tmp/healthy': No such file or directory\n" }],
    ["grpc SERVING", grpcProbeOutcome("10.244.0.5:2379", 1, { kind: "status", status: "SERVING" }), { result: "Success", output: "service healthy" }],
    ["grpc NOT_SERVING", grpcProbeOutcome("10.244.0.5:2379", 1, { kind: "status", status: "NOT_SERVING" }), { result: "Failure", output: 'service unhealthy (responded with "NOT_SERVING")' }],
    [
      "grpc to a closed port times out dialling",
      grpcProbeOutcome("10.244.0.5:2379", 1, { kind: "refused" }),
      { result: "Failure", output: 'timeout: failed to connect service "10.244.0.5:2379" within 1s: context deadline exceeded' },
    ],
    [
      "grpc unknown service",
      grpcProbeOutcome("10.244.0.5:2379", 1, { kind: "error", code: "NotFound", message: "unknown service" }),
      { result: "Failure", output: "error: health rpc probe failed: rpc error: code = NotFound desc = unknown service" },
    ],
  ])("%s", (_name, got, want) => {
    expect(got).toEqual(want);
  });

  it.each<[number | string, Container, number | string]>([
    [8080, { name: "c" }, 8080],
    ["http", { name: "c", ports: [{ name: "http", containerPort: 80 }] }, 80],
    ["8080", { name: "c" }, 8080],
    ["web", { name: "c" }, 'strconv.Atoi: parsing "web": invalid syntax'],
    [70000, { name: "c" }, "invalid port number: 70000"],
  ])("resolves port %s", (port, c, want) => {
    expect(resolvePort(port, c)).toBe(want);
  });

  it("formats the URL as formatURL does", () => {
    expect(probeUrl("HTTP", "10.244.0.5", 8080, "healthz")).toBe("http://10.244.0.5:8080/healthz");
  });
});

describe("probe defaults and validation", () => {
  function podWith(c: Partial<Container>, init = false): KubeObject {
    const container = { name: "app", image: "nginx:1.27", ...c } as Container;
    const spec = (init ? { containers: [{ name: "main", image: "nginx:1.27" }], initContainers: [container] } : { containers: [container] }) as PodSpec;
    defaultPodSpec(spec);
    return { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default" }, spec } as KubeObject;
  }
  const messages = (o: KubeObject) => validateObject("pods", o).map((c) => `${c.field}: ${c.message}`);

  it("fills in upstream's defaults", () => {
    const pod = podWith({ livenessProbe: { httpGet: { port: 8080 } } });
    expect((pod.spec as PodSpec).containers[0].livenessProbe).toEqual({
      httpGet: { port: 8080, path: "/", scheme: "HTTP" },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(messages(pod)).toEqual([]);
    expect((podWith({ livenessProbe: { grpc: { port: 2379 } } }).spec as PodSpec).containers[0].livenessProbe?.grpc).toEqual({ port: 2379, service: "" });
  });

  it.each<[string, Partial<Container>, string[], boolean?]>([
    ["liveness successThreshold must be 1", { livenessProbe: { tcpSocket: { port: 80 }, successThreshold: 2 } }, ["spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"]],
    ["startup successThreshold must be 1", { startupProbe: { tcpSocket: { port: 80 }, successThreshold: 3 } }, ["spec.containers[0].startupProbe.successThreshold: Invalid value: 3: must be 1"]],
    ["a handler is required", { readinessProbe: { periodSeconds: 5 } }, ["spec.containers[0].readinessProbe: Required value: must specify a handler type"]],
    [
      "one handler only",
      { readinessProbe: { tcpSocket: { port: 80 }, exec: { command: ["true"] } } },
      ["spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type"],
    ],
    ["negative timings", { readinessProbe: { tcpSocket: { port: 80 }, initialDelaySeconds: -1 } }, ["spec.containers[0].readinessProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0"]],
    ["port out of range", { livenessProbe: { httpGet: { port: 0 } } }, ["spec.containers[0].livenessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive"]],
    ["exec needs a command", { livenessProbe: { exec: {} } }, ["spec.containers[0].livenessProbe.exec.command: Required value"]],
    ["scheme", { livenessProbe: { httpGet: { port: 80, scheme: "FTP" as "HTTP" } } }, ['spec.containers[0].livenessProbe.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS"']],
    [
      "no grace period on readiness",
      { readinessProbe: { tcpSocket: { port: 80 }, terminationGracePeriodSeconds: 5 } },
      ["spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes"],
    ],
    ["grace period above 0", { livenessProbe: { tcpSocket: { port: 80 }, terminationGracePeriodSeconds: 0 } }, ["spec.containers[0].livenessProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0"]],
    [
      "no probes on a plain init container",
      { livenessProbe: { tcpSocket: { port: 80 } } },
      ["spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always"],
      true,
    ],
  ])("%s", (_name, c, want, init) => {
    expect(messages(podWith(c, init))).toEqual(want);
  });
});

describe("the docs' probe images answer their probes", () => {
  async function started(image: string, extra: Record<string, unknown> = {}) {
    const rt = testRuntime();
    await rt.images.pullImage(image);
    const sb = await rt.runtime.runPodSandbox(sandboxConfig("probed"));
    const id = await rt.runtime.createContainer(sb, { metadata: { name: "c", attempt: 0 }, image, ...extra });
    await rt.runtime.startContainer(id);
    return { rt, sb, id };
  }
  const target = (sb: string, id: string, c: Container = { name: "c" }) => ({ podIP: "10.244.0.5", sandboxId: sb, containerId: id, container: c });

  it("agnhost liveness: /healthz is 200 for 10 s, then 500", async () => {
    const { rt, sb, id } = await started("registry.k8s.io/e2e-test-images/agnhost:2.40", { args: ["liveness"] });
    const p = spec({ exec: undefined, httpGet: { path: "/healthz", port: 8080, httpHeaders: [{ name: "Custom-Header", value: "Awesome" }] } });
    expect(await runProbe(rt.runtime, p, target(sb, id))).toEqual({ result: "Success", output: "ok" });
    rt.clock.advance(10_500);
    expect(await runProbe(rt.runtime, p, target(sb, id))).toEqual({ result: "Failure", output: "HTTP probe failed with statuscode: 500" });
  });

  it("goproxy accepts TCP on 8080 and nothing on 8081", async () => {
    const { rt, sb, id } = await started("registry.k8s.io/goproxy:0.1");
    expect(await runProbe(rt.runtime, spec({ exec: undefined, tcpSocket: { port: 8080 } }), target(sb, id))).toEqual({ result: "Success", output: "" });
    expect(await runProbe(rt.runtime, spec({ exec: undefined, tcpSocket: { port: 8081 } }), target(sb, id))).toEqual({ result: "Failure", output: "dial tcp 10.244.0.5:8081: connect: connection refused" });
  });

  it("etcd is SERVING over gRPC on 2379; an unknown service is not", async () => {
    const { rt, sb, id } = await started("registry.k8s.io/etcd:3.5.1-0", {
      command: ["/usr/local/bin/etcd", "--data-dir", "/var/lib/etcd", "--listen-client-urls", "http://0.0.0.0:2379", "--advertise-client-urls", "http://127.0.0.1:2379", "--log-level", "debug"],
    });
    expect(await runProbe(rt.runtime, spec({ exec: undefined, grpc: { port: 2379 } }), target(sb, id))).toEqual({ result: "Success", output: "service healthy" });
    expect((await runProbe(rt.runtime, spec({ exec: undefined, grpc: { port: 2379, service: "kv" } }), target(sb, id)))).toMatchObject({ result: "Failure" });
    expect(await runProbe(rt.runtime, spec({ exec: undefined, grpc: { port: 2380 + 1 } }), target(sb, id))).toMatchObject({ output: 'timeout: failed to connect service "10.244.0.5:2381" within 1s: context deadline exceeded' });
  });

  it("busybox's cat /tmp/healthy follows the container's own timeline", async () => {
    const { rt, sb, id } = await started("busybox:1.36", { args: ["/bin/sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"] });
    const p = spec({ exec: { command: ["cat", "/tmp/healthy"] } });
    rt.clock.advance(29_000);
    expect(await runProbe(rt.runtime, p, target(sb, id))).toEqual({ result: "Success", output: "" });
    rt.clock.advance(2_000);
    expect(await runProbe(rt.runtime, p, target(sb, id))).toEqual({ result: "Failure", output: "cat: can't open '/tmp/healthy': No such file or directory\n" });
    expect(await runProbe(rt.runtime, spec({ exec: { command: ["no-such-tool"] } }), target(sb, id))).toMatchObject({ error: expect.stringContaining("no-such-tool") });
  });
});
