// The server side of the remotecommand channel protocol (v4/v5.channel.k8s.io): binary
// frames whose first byte is the channel. Two timing rules make delivery certain for
// the clients people have:
//
// - Output waits for the client to be ready. client-go's WebSocket client (kubectl up
//   to 1.32) starts reading before it has created its streams, and discards a frame for
//   a stream it has not created yet ("Unknown stream id 2, discarding message"; fixed
//   upstream after 1.32 by kubernetes/kubernetes#131203). It creates every stream before
//   it writes anything, so the client's first frame (stdin data, stdin close, a tty
//   resize) proves it is ready: output is held until then. A client that asked for no
//   stdin never speaks first; its output waits the runtime's exec start latency instead
//   (EXEC_START_DELAY), the time a real runtime takes to start the process, which is
//   what keeps this race rare on real clusters.
// - Frames leave one at a time, and the close comes after a pause. The released Python
//   client reads at most one frame per readiness of its socket, so frames that arrive
//   together in one TLS record wait there; a status frame stuck behind another would
//   never be read and the exit code would look missing (kubernetes-client/python#2414).
//   The close is the last thing sent, so if it shares a record with the frame before
//   it, nothing arrives after it to wake the client: its port-forward then waits
//   forever with the close unread in its TLS buffer. Locally, wrangler's dev proxy
//   forwards whatever it finds on its upstream socket in one write, and on a busy
//   machine it found a frame and a close sent 5 ms apart together in 3 of 194
//   port-forwards (two busy loops on two cores), so the close waits longer.
import { encodeBytes } from "../../util/byte-text";

export const enum Channel {
  Stdin = 0,
  Stdout = 1,
  Stderr = 2,
  Status = 3,
  Resize = 4,
  Close = 255,
}

export interface ExecTiming {
  /** Output waits this long when the client is not expected to speak first. */
  startDelayMs: number;
  /** Longest wait for the first frame of a client expected to speak first (it may wait for a prompt). */
  firstFrameWaitMs: number;
  /** Pause between frames, so each one reaches the client on its own. */
  frameGapMs: number;
  /** Pause before the close, longer: a close stuck behind the last frame is never read. */
  closeGapMs: number;
}

export const DEFAULT_EXEC_TIMING: ExecTiming = { startDelayMs: 100, firstFrameWaitMs: 1_000, frameGapMs: 5, closeGapMs: 100 };

/** Frames at most this big, as the kubelet's copy buffer sends them. */
const FRAME_BYTES = 32 * 1024;

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class ExecChannels {
  private open = true;
  private ready!: () => void;
  private readonly readyP = new Promise<void>((r) => (this.ready = r));
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ws: WebSocket,
    private readonly timing: ExecTiming,
    clientSpeaksFirst: boolean,
  ) {
    setTimeout(() => this.ready(), clientSpeaksFirst ? timing.firstFrameWaitMs : timing.startDelayMs);
  }

  /** The client sent a frame: all its streams exist. */
  clientReady(): void {
    this.ready();
  }

  /** Queues text (a byte string, see util/byte-text) on a channel; empty text sends nothing. */
  send(channel: Channel, text: string): void {
    if (!text) return;
    const bytes = encodeBytes(text);
    for (let at = 0; at < bytes.length; at += FRAME_BYTES) this.push(channel, bytes.subarray(at, at + FRAME_BYTES));
  }

  /** The exit status on channel 3, then the close. Resolves once the socket is closed. */
  finish(status: object): Promise<void> {
    this.push(Channel.Status, new TextEncoder().encode(JSON.stringify(status)));
    return this.close();
  }

  close(): Promise<void> {
    this.queue = this.queue.then(async () => {
      if (!this.open) return;
      await pause(this.timing.closeGapMs);
      this.open = false;
      try {
        this.ws.close(1000, "");
      } catch {
        /* already closed */
      }
    });
    return this.queue;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** The client hung up: nothing more is sent. */
  markClosed(): void {
    this.open = false;
    this.ready();
  }

  private push(channel: Channel, payload: Uint8Array): void {
    const frame = new Uint8Array(payload.length + 1);
    frame[0] = channel;
    frame.set(payload, 1);
    this.queue = this.queue.then(async () => {
      await this.readyP;
      if (!this.open) return;
      try {
        this.ws.send(frame);
      } catch {
        this.open = false;
        return;
      }
      await pause(this.timing.frameGapMs);
    });
  }
}
