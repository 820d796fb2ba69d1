// pods/NAME/exec over a WebSocket, the way kubectl >= 1.30 speaks it: subprotocol
// v5.channel.k8s.io (v4 accepted), binary frames whose first byte is the channel
// (0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize; v5's 255 closes a channel). One
// `command=` per argv word. Without stdin the command runs to its end; with stdin it
// reads what arrives as it arrives (runtime/exec-stream.ts); with `-ti` an interactive
// session runs behind a terminal line discipline. When frames go out, and why then, is
// exec-channels.ts. The exit code travels in the status frame:
// kubectl prints `command terminated with exit code N` and exits N.
import type { Pod } from "../../model/types";
import type { Kubelet } from "../kubelet/kubelet";
import { isCriError, type RuntimeService } from "../runtime";
import { Channel, ExecChannels, type ExecTiming } from "./exec-channels";
import { acceptStream, streamProtocol, StreamStdin } from "./stream-upgrade";
import { execOptions, type ExecOptions } from "./exec-options";
import { crlf, TtyLine } from "./tty";
import { badRequest } from "./status";
import { pickContainer, recordOf } from "./target";

interface ExecRequest extends ExecOptions {
  containerId: string;
}

/** The Status kubectl reads on channel 3. */
function exitStatus(command: string[], code: number): object {
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

interface ExecDeps {
  waitUntil(p: Promise<unknown>): void;
  timing: ExecTiming;
}

export function podExec(req: Request, pod: Pod, kubelet: Kubelet, deps: ExecDeps): Response {
  const opts = execOptions(new URL(req.url).searchParams);
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  const c = pickContainer(pod, opts.container);
  const protocol = streamProtocol(req);
  const cur = recordOf(kubelet, pod)?.containers[c.name]?.current;
  const runtime = kubelet.runtime()?.runtime;
  if (!runtime || cur?.state !== "running") throw badRequest(`unable to upgrade connection: container not found ("${c.name}")`);

  return acceptStream(protocol, deps.waitUntil, (ws) => serve(ws, runtime, { ...opts, containerId: cur.id }, deps.timing));
}

async function serve(ws: WebSocket, runtime: RuntimeService, ex: ExecRequest, timing: ExecTiming): Promise<void> {
  // A client that sends stdin or a terminal size creates every stream before its first frame.
  const ch = new ExecChannels(ws, timing, ex.stdin || ex.tty);
  const stdin = new StreamStdin(ws, ch);
  const stdinDone = stdin.ended;
  const stdout = (text: string) => {
    if (ex.stdout) ch.send(Channel.Stdout, text);
  };
  const stderr = (text: string) => {
    if (ex.stderr) ch.send(Channel.Stderr, text);
  };

  try {
    if (ex.tty && ex.stdin) {
      const session = await runtime.execSession(ex.containerId, ex.command, { tty: true });
      if (session.initial) {
        stdout(crlf(session.initial.output));
        await ch.finish(exitStatus(ex.command, session.initial.exitCode ?? 0));
        return;
      }
      let finished!: (status: object) => void;
      const ended = new Promise<object>((r) => (finished = r));
      const tty = new TtyLine(
        session,
        (text) => stdout(text),
        (code) => finished(exitStatus(ex.command, code)),
        (e) => finished(errorStatus(e)),
      );
      stdin.onText = (text) => tty.feed(text);
      stdout(session.prompt());
      // The session ends with the shell, or when the client hangs up.
      const status = await Promise.race([ended, stdinDone.then(() => (ch.isOpen ? tty.idle() : undefined))]);
      if (status) await ch.finish(status);
      else await ch.close();
      return;
    }
    if (ex.stdin) {
      const stream = await runtime.execStream(ex.containerId, ex.command);
      let chain = Promise.resolve();
      let exitedEarly!: () => void;
      const exited = new Promise<void>((r) => (exitedEarly = r));
      let early: { code: number } | { error: unknown } | undefined;
      stdin.onText = (text) => {
        chain = chain
          .then(async () => {
            if (early) return;
            const r = await stream.write(text);
            stdout(r.stdout);
            stderr(r.stderr);
            if (r.exitCode !== undefined) {
              early = { code: r.exitCode };
              exitedEarly();
            }
          })
          .catch((error: unknown) => {
            early = { error };
            exitedEarly();
          });
      };
      await Promise.race([stdinDone, exited]);
      await chain;
      if (early && "error" in early) throw early.error;
      if (early) {
        await ch.finish(exitStatus(ex.command, early.code));
        return;
      }
      const r = await stream.end();
      stdout(r.stdout);
      stderr(r.stderr);
      await ch.finish(exitStatus(ex.command, r.exitCode));
      return;
    }
    const r = await runtime.execSync(ex.containerId, ex.command, { tty: ex.tty });
    stdout(ex.tty ? crlf(r.stdout) : r.stdout);
    stderr(r.stderr);
    await ch.finish(exitStatus(ex.command, r.exitCode));
  } catch (e) {
    await ch.finish(errorStatus(e));
  }
}
