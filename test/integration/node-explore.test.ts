// Exploring pods through the API, answered by the node's Durable Object: logs (with
// the kubelet's options), exec over a WebSocket (v5.channel.k8s.io, exit codes,
// interactive shells) and proxy to a pod's port, with the real error messages.
import { describe, it, expect, beforeAll } from "vitest";
import { call } from "./helpers";
import { FakeClock, boundPod, createPod, execWs, fetchManual, getPod, runUntil, startNode, type AgentStub } from "./node-helpers";

const clock = new FakeClock();
let node: AgentStub;
let podIP = "";

const BOOTCAMP = "gcr.io/google-samples/kubernetes-bootcamp:v1";

async function text(path: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await call(path);
  return { status: res.status, body: await res.text(), type: res.headers.get("content-type") };
}

beforeAll(async () => {
  node = await startNode("kn-explore", clock);
  await createPod(boundPod("bc", "kn-explore", { containers: [{ name: "app", image: BOOTCAMP, ports: [{ containerPort: 8080 }] }] }));
  await createPod(
    boundPod("duo", "kn-explore", {
      volumes: [{ name: "shared", emptyDir: {} }],
      containers: [
        { name: "nginx", image: "nginx:1.27", ports: [{ containerPort: 80 }], volumeMounts: [{ name: "shared", mountPath: "/usr/share/nginx/html" }] },
        { name: "sidecar", image: "busybox:1.37", command: ["sh", "-c", "echo sidecar up; sleep 3600"], volumeMounts: [{ name: "shared", mountPath: "/pod-data" }] },
      ],
    }),
  );
  await createPod(boundPod("done", "kn-explore", { restartPolicy: "Never", containers: [{ name: "app", image: "busybox:1.37", command: ["sh", "-c", "echo finished"] }] }));
  await node.poke();
  await runUntil(node, clock, clock.t + 10_000);
  podIP = (await getPod("bc"))!.status!.podIP!;
});

describe("logs", () => {
  it("returns the container's log as text/plain", async () => {
    const r = await text("/api/v1/namespaces/default/pods/bc/log");
    expect(r.status).toBe(200);
    expect(r.type).toBe("text/plain");
    expect(r.body).toMatch(/^Kubernetes Bootcamp App Started At: \d{4}-\d\d-\d\dT[\d:.]+Z \| Running On:  bc \n\n$/);
  });

  it("supports container, tailLines, timestamps, limitBytes and sinceSeconds", async () => {
    expect((await text("/api/v1/namespaces/default/pods/duo/log?container=sidecar")).body).toBe("sidecar up\n");
    expect((await text("/api/v1/namespaces/default/pods/bc/log?tailLines=1")).body).toBe("\n");
    const ts = (await text("/api/v1/namespaces/default/pods/bc/log?timestamps=true")).body;
    expect(ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z Kubernetes Bootcamp/);
    expect((await text("/api/v1/namespaces/default/pods/bc/log?limitBytes=10")).body).toBe("Kubernetes");
    expect((await text("/api/v1/namespaces/default/pods/bc/log?sinceSeconds=1")).body).toBe("");
  });

  it("defaults to the first container of a multi-container pod", async () => {
    expect((await text("/api/v1/namespaces/default/pods/duo/log")).body).toMatch(/docker-entrypoint/);
  });

  it("answers a container that does not exist, or no previous instance, with 400 and the real message", async () => {
    const nope = await call("/api/v1/namespaces/default/pods/bc/log?container=nope");
    expect(nope.status).toBe(400);
    expect(await nope.json()).toMatchObject({ kind: "Status", status: "Failure", reason: "BadRequest", code: 400, message: "container nope is not valid for pod bc" });
    const prev = await call("/api/v1/namespaces/default/pods/bc/log?previous=true");
    expect(prev.status).toBe(400);
    expect(((await prev.json()) as { message: string }).message).toBe('previous terminated container "app" in pod "bc" not found');
  });

  it("follows a log: a chunked stream that gets new lines", async () => {
    const res = await call("/api/v1/namespaces/default/pods/bc/log?follow=true&tailLines=0");
    expect(res.headers.get("content-encoding")).toBe("identity");
    const reader = res.body!.getReader();
    await call("/api/v1/namespaces/default/pods/bc:8080/proxy/");
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toMatch(/^Running On: bc \| Total Requests: \d+ \| App Uptime: [\d.]+ seconds \| Log Time: /);
    await reader.cancel();
  });
});

describe("proxy", () => {
  it("forwards to the pod's port and answers with the program's response", async () => {
    const r = await text("/api/v1/namespaces/default/pods/bc:8080/proxy/");
    expect(r.status).toBe(200);
    expect(r.body).toBe("Hello Kubernetes bootcamp! | Running on: bc | v=1\n");
    expect(r.type).toBe("text/plain");
    // No port: the first declared containerPort.
    expect((await text("/api/v1/namespaces/default/pods/bc/proxy/")).body).toBe("Hello Kubernetes bootcamp! | Running on: bc | v=1\n");
    expect((await text("/api/v1/namespaces/default/pods/http:duo:80/proxy/")).status).toBe(403); // empty emptyDir over nginx's html: no index
  });

  it("redirects .../proxy to .../proxy/", async () => {
    const res = await fetchManual("/api/v1/namespaces/default/pods/bc:8080/proxy");
    expect(res.status).toBe(301);
    expect(res.headers.get("location")).toBe("/api/v1/namespaces/default/pods/bc:8080/proxy/");
  });

  it("answers 503 when nothing listens on the port", async () => {
    const res = await call("/api/v1/namespaces/default/pods/bc:9999/proxy/");
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      kind: "Status",
      reason: "ServiceUnavailable",
      code: 503,
      message: `error trying to reach service: dial tcp ${podIP}:9999: connect: connection refused`,
    });
  });
});

describe("exec", () => {
  it("negotiates v5.channel.k8s.io and runs a command: env as a real pod has it", async () => {
    const r = await execWs("bc", ["env"]);
    expect(r.status).toBe(101);
    expect(r.protocol).toBe("v5.channel.k8s.io");
    expect(r.stdout).toMatch(/^HOSTNAME=bc$/m);
    expect(r.stdout).toMatch(/^KUBERNETES_SERVICE_HOST=10\.96\.0\.1$/m);
    expect(r.stdout).toMatch(/^KUBERNETES_PORT=tcp:\/\/10\.96\.0\.1:443$/m);
    expect(r.stdout).toMatch(/^NODE_VERSION=6\.3\.1$/m);
    expect(r.exit).toEqual({ metadata: {}, status: "Success" });
  });

  it("passes the exit code back", async () => {
    const r = await execWs("bc", ["sh", "-c", "exit 7"]);
    expect(r.exit).toEqual({
      metadata: {},
      status: "Failure",
      message: "command terminated with non-zero exit code: error executing command [sh -c exit 7], exit code 7",
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: "7" }] },
    });
  });

  it("reports a command the image does not have: 127 from a shell, an exec error otherwise", async () => {
    const viaShell = await execWs("bc", ["bash", "-c", "nosuch"]);
    expect(viaShell.stderr).toBe("bash: nosuch: command not found\n");
    expect(viaShell.exit?.details?.causes?.[0].message).toBe("127");
    const direct = await execWs("bc", ["nosuch"]);
    expect(direct.exit?.status).toBe("Failure");
    expect(direct.exit?.message).toMatch(/exec: "nosuch": executable file not found in \$PATH/);
  });

  it("feeds stdin to a command until the client closes it", async () => {
    const r = await execWs("bc", ["cat"], { stdin: ["hello\n", "world\n"], closeStdin: true });
    expect(r.stdout).toBe("hello\nworld\n");
  });

  it("carries bytes through cat unchanged, a character cut short by the last frame included", async () => {
    // Frames split a UTF-8 sequence and stdin ends on a lead byte that never completes.
    const frames = [new Uint8Array([0x61, 0xe2, 0x82]), new Uint8Array([0xac, 0xff, 0x00, 0xf0, 0x9f]), new Uint8Array([0x98, 0x80, 0xe2])];
    const r = await execWs("bc", ["cat"], { stdin: frames, closeStdin: true });
    expect([...r.stdoutBytes]).toEqual(frames.flatMap((f) => [...f]));
    expect(r.exit?.status).toBe("Success");
  });

  it("answers stdin as it arrives: cat echoes a line before the next is sent", async () => {
    // The second line goes only once the first is back: a cat that waited for the end of stdin would never answer.
    const r = await execWs("bc", ["cat"], { stdin: ["one\n", "two\n"], waitFor: [undefined, "one\n"], closeStdin: true });
    expect(r.stdout).toBe("one\ntwo\n");
    expect(r.exit?.status).toBe("Success");
  });

  it("runs a shell's commands from stdin line by line, stdout and stderr apart; exit ends the exec", async () => {
    const r = await execWs("bc", ["sh"], { stdin: ["echo one\n", "echo two >&2; echo three\n", "exit 4\n"], waitFor: [undefined, "one\n", "three\n"] });
    expect(r.stdout).toBe("one\nthree\n");
    expect(r.stderr).toBe("two\n");
    expect(r.exit?.details?.causes?.[0].message).toBe("4");
  });

  it("reads its boolean options as the API server does: True is true, false and 0 are false", async () => {
    const python = await execWs("bc", ["cat"], { stdin: ["hi\n"], closeStdin: true, query: { stdin: "True", stdout: "True", stderr: "True" } });
    expect(python.stdout).toBe("hi\n");
    const quiet = await execWs("bc", ["sh", "-c", "echo out; echo err >&2"], { query: { stdout: "false", stderr: "1" } });
    expect([quiet.stdout, quiet.stderr]).toEqual(["", "err\n"]);
    const none = await execWs("bc", ["env"], { query: { stdout: "0", stderr: "FALSE" } });
    expect(none.status).toBe(400);
    expect(none.body?.message).toBe("you must specify at least 1 of stdin, stdout, stderr");
  });

  it("runs an interactive shell behind a tty: prompt, echo, curl to the app, exit", async () => {
    const r = await execWs("bc", ["bash"], {
      tty: true,
      stdin: ["curl http://localhost:8080\r", "exit 3\r"],
      waitFor: ["root@bc:/# ", "v=1\r\nroot@bc:/# "],
    });
    expect(r.stdout).toBe("root@bc:/# curl http://localhost:8080\r\nHello Kubernetes bootcamp! | Running on: bc | v=1\r\nroot@bc:/# exit 3\r\nexit\r\n");
    expect(r.exit?.details?.causes?.[0].message).toBe("3");
  });

  it("shares the pod's files and network between containers", async () => {
    const w = await execWs("duo", ["sh", "-c", "echo shared-hello > /pod-data/index.html"], { container: "sidecar" });
    expect(w.exit?.status).toBe("Success");
    const read = await execWs("duo", ["cat", "/usr/share/nginx/html/index.html"], { container: "nginx" });
    expect(read.stdout).toBe("shared-hello\n");
    const curl = await execWs("duo", ["wget", "-qO-", "http://localhost:80"], { container: "sidecar" });
    expect(curl.stdout).toBe("shared-hello\n");
  });

  it("refuses a container that does not exist and a completed pod with 400", async () => {
    const nope = await execWs("bc", ["env"], { container: "nope" });
    expect(nope.status).toBe(400);
    expect(nope.body?.message).toBe("container nope is not valid for pod bc");
    expect((await getPod("done"))!.status?.phase).toBe("Succeeded");
    const done = await execWs("done", ["env"]);
    expect(done.status).toBe(400);
    expect(done.body?.message).toBe("cannot exec into a container in a completed pod; current phase is Succeeded");
  });
});
