// The dropped-frame race of client-go's WebSocket exec client (kubectl <= 1.32), made
// deterministic with fake timers: a client that creates its streams some time after
// the upgrade discards every frame that arrives before, as client-go does ("Unknown
// stream id 2, discarding message"). The server's timing rules must lose nothing.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Channel, DEFAULT_EXEC_TIMING, ExecChannels, type ExecTiming } from "../../src/node/explore/exec-channels";

interface Sent {
  at: number;
  channel: number;
  text: string;
}

class FakeSocket {
  readonly sent: Sent[] = [];
  closedAt: number | undefined;
  send(frame: Uint8Array): void {
    this.sent.push({ at: Date.now(), channel: frame[0], text: new TextDecoder().decode(frame.subarray(1)) });
  }
  close(): void {
    this.closedAt = Date.now();
  }
}

/** What a client that creates its streams `readyAt` ms after the upgrade keeps. */
function kept(ws: FakeSocket, readyAt: number): Sent[] {
  return ws.sent.filter((s) => s.at >= readyAt);
}

function execWith(timing: ExecTiming, clientSpeaksFirst: boolean) {
  const ws = new FakeSocket();
  const ch = new ExecChannels(ws as unknown as WebSocket, timing, clientSpeaksFirst);
  return { ws, ch };
}

describe("exec channels", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("reproduces the race: output sent at once is lost by a client 50 ms slow to create its streams", async () => {
    const { ws, ch } = execWith({ ...DEFAULT_EXEC_TIMING, startDelayMs: 0 }, false);
    ch.send(Channel.Stdout, "out\n");
    ch.send(Channel.Stderr, "err\n");
    const done = ch.finish({ status: "Success" });
    await vi.runAllTimersAsync();
    await done;
    expect(ws.sent.map((s) => s.channel)).toEqual([1, 2, 3]);
    expect(kept(ws, 50).map((s) => s.channel)).not.toContain(Channel.Stderr);
  });

  it("without stdin, output waits the runtime's exec start: the same client keeps every frame", async () => {
    const { ws, ch } = execWith(DEFAULT_EXEC_TIMING, false);
    ch.send(Channel.Stdout, "out\n");
    ch.send(Channel.Stderr, "err\n");
    const done = ch.finish({ status: "Success" });
    await vi.runAllTimersAsync();
    await done;
    expect(kept(ws, 50)).toEqual(ws.sent);
    expect(ws.sent.map((s) => [s.channel, s.text])).toEqual([
      [1, "out\n"],
      [2, "err\n"],
      [3, '{"status":"Success"}'],
    ]);
  });

  it("with stdin or a tty, output is held until the client's first frame, however slow the client", async () => {
    const { ws, ch } = execWith(DEFAULT_EXEC_TIMING, true);
    ch.send(Channel.Stdout, "root@pod:/# ");
    // The client takes most of the fallback wait to create its streams, then sends a resize.
    const readyAt = DEFAULT_EXEC_TIMING.firstFrameWaitMs - 1;
    await vi.advanceTimersByTimeAsync(readyAt);
    expect(ws.sent).toEqual([]);
    ch.clientReady();
    await vi.advanceTimersByTimeAsync(0);
    expect(kept(ws, readyAt).map((s) => s.text)).toEqual(["root@pod:/# "]);
  });

  it("a client that waits for output before it speaks still gets it, after the fallback wait", async () => {
    const { ws, ch } = execWith(DEFAULT_EXEC_TIMING, true);
    ch.send(Channel.Stdout, "prompt ");
    await vi.advanceTimersByTimeAsync(DEFAULT_EXEC_TIMING.firstFrameWaitMs);
    expect(ws.sent.map((s) => s.text)).toEqual(["prompt "]);
  });

  it("sends frames one at a time and closes only after a longer pause behind the status frame", async () => {
    const { ws, ch } = execWith(DEFAULT_EXEC_TIMING, false);
    ch.send(Channel.Stdout, "x".repeat(70 * 1024));
    const done = ch.finish({ status: "Success" });
    await vi.runAllTimersAsync();
    await done;
    // 70 KiB in 32 KiB frames, then the status; no two frames in the same instant.
    expect(ws.sent.map((s) => s.text.length)).toEqual([32 * 1024, 32 * 1024, 6 * 1024, 20]);
    const times = ws.sent.map((s) => s.at);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]);
    // The clock is the fake one: the close waits its own gap, not just a frame's.
    expect(ws.closedAt! - times[times.length - 1]).toBeGreaterThanOrEqual(DEFAULT_EXEC_TIMING.closeGapMs);
    expect(DEFAULT_EXEC_TIMING.closeGapMs).toBeGreaterThan(DEFAULT_EXEC_TIMING.frameGapMs);
  });

  it("sends nothing once the client has hung up", async () => {
    const { ws, ch } = execWith(DEFAULT_EXEC_TIMING, false);
    ch.markClosed();
    ch.send(Channel.Stdout, "late\n");
    await ch.finish({ status: "Success" });
    await vi.runAllTimersAsync();
    expect(ws.sent).toEqual([]);
    expect(ws.closedAt).toBeUndefined();
  });
});
