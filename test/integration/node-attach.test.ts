// pods/attach over a WebSocket, answered by the node's Durable Object: typing into a
// main shell that keeps stdin open (`kubectl run -i ... -- sh`), the container ending
// when that shell does, and following the output of a main process that reads no stdin.
import { describe, it, expect, beforeAll } from "vitest";
import { FakeClock, boundPod, createPod, execWs, getPod, runUntil, startNode, type AgentStub } from "./node-helpers";

const clock = new FakeClock();
let node: AgentStub;

const BUSYBOX = "busybox:1.37";

async function terminated(name: string): Promise<{ exitCode?: number; reason?: string } | undefined> {
  await runUntil(node, clock, clock.t + 2_000);
  return (await getPod(name))?.status?.containerStatuses?.[0]?.state?.terminated;
}

beforeAll(async () => {
  node = await startNode("kn-attach", clock);
  // What `kubectl run -i --rm --restart=Never` creates: stdin kept open, once.
  await createPod(boundPod("once", "kn-attach", { restartPolicy: "Never", containers: [{ name: "once", image: BUSYBOX, command: ["sh"], stdin: true, stdinOnce: true }] }));
  await createPod(boundPod("term", "kn-attach", { restartPolicy: "Never", containers: [{ name: "term", image: BUSYBOX, command: ["sh"], stdin: true, stdinOnce: true, tty: true }] }));
  await createPod(boundPod("keep", "kn-attach", { containers: [{ name: "keep", image: BUSYBOX, command: ["sh"], stdin: true }] }));
  await createPod(boundPod("ticker", "kn-attach", { containers: [{ name: "ticker", image: BUSYBOX, command: ["sh", "-c", "echo started; while true; do echo tick; sleep 1; done"] }] }));
  await node.poke();
  await runUntil(node, clock, clock.t + 10_000);
});

describe("attach", () => {
  it("a shell waiting on its open stdin stays Running", async () => {
    for (const name of ["once", "term", "keep"]) expect((await getPod(name))?.status?.phase).toBe("Running");
  });

  it("runs the attached client's lines in the main shell; the end of stdin (stdinOnce) ends the container with the shell's status", async () => {
    const r = await execWs("once", [], { subresource: "attach", stdin: ["echo hello from $(hostname)\n", "ls /nope\n"], waitFor: [undefined, "hello"], closeStdin: true });
    expect(r.status).toBe(101);
    expect(r.stdout).toBe("hello from once\n");
    expect(r.stderr).toMatch(/No such file or directory/);
    expect(r.exit?.status).toBe("Success");
    // The last command failed: sh exits with its status, the container with sh's.
    expect(await terminated("once")).toMatchObject({ exitCode: 1, reason: "Error" });
    expect((await getPod("once"))?.status?.phase).toBe("Failed");
  });

  it("with a tty: the line discipline's echo, a prompt after each line, and `exit 3` ends the container with 3", async () => {
    // As upstream, attaching prints no prompt of its own (kubectl says to press enter).
    const r = await execWs("term", [], { subresource: "attach", tty: true, stdin: ["echo hi\r", "exit 3\r"], waitFor: [undefined, "hi\r\n"] });
    expect(r.stdout).toMatch(/^echo hi\r\nhi\r\n/);
    expect(r.exit?.status).toBe("Success");
    expect(await terminated("term")).toMatchObject({ exitCode: 3 });
  });

  it("a client that hangs up leaves a shell without stdinOnce running, and its output is in the log", async () => {
    const r = await execWs("keep", [], { subresource: "attach", stdin: ["echo kept\n"], hangUpAfter: "kept\n" });
    expect(r.stdout).toBe("kept\n");
    await runUntil(node, clock, clock.t + 2_000);
    const pod = await getPod("keep");
    expect(pod?.status?.phase).toBe("Running");
    expect(pod?.status?.containerStatuses?.[0]?.restartCount).toBe(0);
    const again = await execWs("keep", [], { subresource: "attach", stdin: ["echo still here\n"], hangUpAfter: "still here\n" });
    expect(again.stdout).toBe("still here\n");
  });

  it("to a main process that reads no stdin: its output from now on, not what it wrote before", async () => {
    const pending = execWs("ticker", [], { subresource: "attach", hangUpAfter: "tick\n" });
    // The output that reaches the client is written after it attached.
    const advance = (async () => {
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 100));
        await runUntil(node, clock, clock.t + 1_000);
      }
    })();
    const r = await pending;
    await advance;
    expect(r.stdout).toMatch(/^(tick\n)+$/);
    expect(r.stdout).not.toContain("started");
  });

  it("refuses what the kubelet refuses, with its messages", async () => {
    const done = await execWs("once", [], { subresource: "attach" });
    expect(done.status).toBe(400);
    expect(done.body?.message).toBe("cannot attach a container in a completed pod; current phase is Failed");
    const none = await execWs("keep", [], { subresource: "attach", query: { stdout: "false", stderr: "false" } });
    expect(none.status).toBe(400);
    expect(none.body?.message).toBe("you must specify at least 1 of stdin, stdout, stderr");
    const container = await execWs("keep", [], { subresource: "attach", container: "nope" });
    expect(container.status).toBe(400);
    expect(container.body?.message).toBe("container nope is not valid for pod keep");
  });
});
