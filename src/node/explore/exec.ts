// pods/NAME/exec over a WebSocket, the way kubectl >= 1.31 speaks it: subprotocol
// v5.channel.k8s.io (v4 accepted), binary frames whose first byte is the channel
// (0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize; v5's 255 closes a channel). One
// `command=` per argv word. Without a tty the command runs to its end (stdin, if asked
// for, is read until the client closes it); with `-ti` an interactive session runs
// behind a terminal line discipline. The exit code travels in the status frame:
// kubectl prints `command terminated with exit code N` and exits N.
import type { Pod } from "../../model/types";
import type { Kubelet } from "../kubelet/kubelet";
import { isCriError, type RuntimeService } from "../runtime";
import { crlf, TtyLine } from "./tty";
import { badRequest } from "./status";
import { pickContainer, recordOf } from "./target";

const PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"];
const encoder = new TextEncoder();

const enum Channel {
  Stdin = 0,
  Stdout = 1,
  Stderr = 2,
  Status = 3,
  Resize = 4,
  Close = 255,
}

interface ExecRequest {
  containerId: string;
  command: string[];
  stdin: boolean;
  tty: boolean;
}

/** The Status kubectl reads on channel 3. */
export function exitStatus(command: string[], code: number): object {
  if (code === 0) return { metadata: {}, status: "Success" };
  return {
    metadata: {},
    status: "Failure",
    message: `command terminated with non-zero exit code: error executing command [${command.join(" ")}], exit code ${code}`,
    reason: "NonZeroExitCode",
    details: { causes: [{ reason: "ExitCode", message: String(code) }] },
  };
}

function errorStatus(e: unknown): object {
  const message = isCriError(e) ? e.desc : e instanceof Error ? e.message : String(e);
  return {
    metadata: {},
    status: "Failure",
    message: `Internal error occurred: error executing command in container: ${message}`,
    reason: "InternalError",
    details: { causes: [{ message: `error executing command in container: ${message}` }] },
    code: 500,
  };
}

class Channels {
  private open = true;
  constructor(private readonly ws: WebSocket) {}

  send(channel: Channel, data: string): void {
    if (!this.open || (!data && channel !== Channel.Status)) return;
    const bytes = encoder.encode(data);
    const frame = new Uint8Array(bytes.length + 1);
    frame[0] = channel;
    frame.set(bytes, 1);
    try {
      this.ws.send(frame);
    } catch {
      this.open = false;
    }
  }

  finish(status: object): void {
    this.send(Channel.Status, JSON.stringify(status));
    this.close();
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    try {
      this.ws.close(1000, "");
    } catch {
      /* already closed */
    }
  }

  get isOpen(): boolean {
    return this.open;
  }

  markClosed(): void {
    this.open = false;
  }
}

export function podExec(req: Request, pod: Pod, kubelet: Kubelet, waitUntil: (p: Promise<unknown>) => void): Response {
  const q = new URL(req.url).searchParams;
  const command = q.getAll("command");
  if (!command.length) throw badRequest("you must specify at least one command for the container");
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  const c = pickContainer(pod, q.get("container"));
  if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") throw badRequest("Upgrade request required");
  const offered = (req.headers.get("sec-websocket-protocol") ?? "").split(",").map((s) => s.trim());
  const protocol = PROTOCOLS.find((p) => offered.includes(p));
  if (!protocol) throw badRequest(`unable to upgrade connection: none of the offered subprotocols (${offered.join(", ")}) is supported; use ${PROTOCOLS[0]}`);
  const cur = recordOf(kubelet, pod)?.containers[c.name]?.current;
  const runtime = kubelet.runtime()?.runtime;
  if (!runtime || cur?.state !== "running") throw badRequest(`unable to upgrade connection: container not found ("${c.name}")`);

  const pair = new WebSocketPair();
  const [client, server] = Object.values(pair);
  server.accept();
  server.binaryType = "arraybuffer";
  const truthy = (v: string | null) => v === "true" || v === "1";
  const exec: ExecRequest = { containerId: cur.id, command, stdin: truthy(q.get("stdin")), tty: truthy(q.get("tty")) };
  waitUntil(serve(server, runtime, exec));
  return new Response(null, { status: 101, webSocket: client, headers: { "Sec-WebSocket-Protocol": protocol } });
}

async function serve(ws: WebSocket, runtime: RuntimeService, ex: ExecRequest): Promise<void> {
  const ch = new Channels(ws);
  const decoder = new TextDecoder();
  let onStdin: (text: string) => void = () => undefined;
  let stdinText = "";
  let stdinClosed!: () => void;
  const stdinDone = new Promise<void>((r) => (stdinClosed = r));
  ws.addEventListener("message", (ev) => {
    const data = ev.data;
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : typeof data === "string" ? encoder.encode(data) : new Uint8Array(0);
    if (!bytes.length) return;
    const payload = bytes.subarray(1);
    if (bytes[0] === Channel.Stdin) onStdin(decoder.decode(payload, { stream: true }));
    else if (bytes[0] === Channel.Close && payload[0] === Channel.Stdin) stdinClosed();
    // Channel.Resize: the model's programs do not care about the window size.
  });
  ws.addEventListener("close", () => {
    ch.markClosed();
    stdinClosed();
  });

  try {
    if (ex.tty && ex.stdin) {
      const session = await runtime.execSession(ex.containerId, ex.command, { tty: true });
      if (session.initial) {
        ch.send(Channel.Stdout, crlf(session.initial.output));
        ch.finish(exitStatus(ex.command, session.initial.exitCode ?? 0));
        return;
      }
      let finished!: () => void;
      const ended = new Promise<void>((r) => (finished = r));
      const tty = new TtyLine(
        session,
        (text) => ch.send(Channel.Stdout, text),
        (code) => {
          ch.finish(exitStatus(ex.command, code));
          finished();
        },
        (e) => {
          ch.finish(errorStatus(e));
          finished();
        },
      );
      onStdin = (text) => tty.feed(text);
      ch.send(Channel.Stdout, session.prompt());
      // The session ends with the shell, or when the client hangs up.
      await Promise.race([ended, stdinDone.then(() => (ch.isOpen ? tty.idle() : undefined))]);
      ch.close();
      return;
    }
    if (ex.stdin) {
      onStdin = (text) => void (stdinText += text);
      await stdinDone;
    }
    const r = await runtime.execSync(ex.containerId, ex.command, { tty: ex.tty, ...(ex.stdin ? { stdin: stdinText } : {}) });
    ch.send(Channel.Stdout, ex.tty ? crlf(r.stdout) : r.stdout);
    ch.send(Channel.Stderr, r.stderr);
    ch.finish(exitStatus(ex.command, r.exitCode));
  } catch (e) {
    ch.finish(errorStatus(e));
  }
}
