// pods/NAME/attach over a WebSocket (`kubectl attach`, and `kubectl run -i`, which
// creates the pod and attaches): the kubelet's streams into the container's main
// process rather than a new one.
// - A main process that is a shell reading its open stdin (`stdin: true`, as
//   `kubectl run -i ... -- sh` makes it) takes the client's lines as its input; with a
//   tty behind a terminal line discipline, as exec -ti does. `exit`, or the end of the
//   client's stdin when the container has stdinOnce, ends the main process: the
//   container terminates with the shell's status and restartPolicy decides the rest.
// - Anything else: the client sees what the main process writes from now on (stdin, if
//   sent, goes nowhere: the process does not read it), until the container stops.
// What the attached shell answers goes to the container's log too, as a terminal's
// output does. The stream ends with a Success status, as the kubelet's does.
import type { Pod } from "../../model/types";
import { queryBool } from "../../model/query-bool";
import type { Kubelet } from "../kubelet/kubelet";
import { isCriError, type RuntimeService } from "../runtime";
import { lineShellStream } from "../runtime/exec-stream";
import { Channel, ExecChannels, type ExecTiming } from "./exec-channels";
import { acceptStream, streamProtocol, StreamStdin } from "./stream-upgrade";
import { crlf, TtyLine } from "./tty";
import { badRequest } from "./status";
import { pickContainer, recordOf } from "./target";

/** How often an attached client without a shell to type into looks for new output. */
const OUTPUT_POLL_MS = 500;

interface AttachOptions {
  container: string | null;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

interface AttachDeps {
  waitUntil(p: Promise<unknown>): void;
  timing: ExecTiming;
}

/** PodAttachOptions, read as the kubelet reads them (a tty has one output stream). */
function attachOptions(q: URLSearchParams): AttachOptions {
  const tty = queryBool(q, "tty");
  const stdin = queryBool(q, "stdin");
  const stdout = queryBool(q, "stdout");
  const stderr = queryBool(q, "stderr") && !tty;
  if (!stdin && !stdout && !stderr && !tty) throw badRequest("you must specify at least 1 of stdin, stdout, stderr");
  return { container: q.get("container"), stdin, stdout: stdout || tty, stderr, tty };
}

export function podAttach(req: Request, pod: Pod, kubelet: Kubelet, deps: AttachDeps): Response {
  const opts = attachOptions(new URL(req.url).searchParams);
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") throw badRequest(`cannot attach a container in a completed pod; current phase is ${phase}`);
  const c = pickContainer(pod, opts.container);
  const protocol = streamProtocol(req);
  const cur = recordOf(kubelet, pod)?.containers[c.name]?.current;
  const runtime = kubelet.runtime()?.runtime;
  if (!runtime || cur?.state !== "running") throw badRequest(`unable to upgrade connection: container not found ("${c.name}")`);
  const stdinOnce = !!c.stdinOnce;
  return acceptStream(protocol, deps.waitUntil, (ws) => serve(ws, runtime, kubelet, cur.id, { ...opts, stdinOnce }, deps.timing));
}

async function serve(ws: WebSocket, runtime: RuntimeService, kubelet: Kubelet, id: string, opts: AttachOptions & { stdinOnce: boolean }, timing: ExecTiming): Promise<void> {
  const ch = new ExecChannels(ws, timing, opts.stdin || opts.tty);
  const stdin = new StreamStdin(ws, ch);
  const stdout = (text: string) => {
    if (opts.stdout && text) ch.send(Channel.Stdout, text);
  };
  const stderr = (text: string) => {
    if (opts.stderr && text) ch.send(Channel.Stderr, text);
  };
  // The main process ends: the container terminates, and the kubelet reports it now.
  const endMain = async (code: number) => {
    await runtime.closeStdin(id, code);
    await kubelet.poke();
  };
  try {
    const session = opts.stdin ? await runtime.attachSession(id, { tty: opts.tty }) : null;
    if (session && opts.tty) {
      let exited!: (code: number) => void;
      let failed!: (e: unknown) => void;
      const ended = new Promise<number>((resolve, reject) => ((exited = resolve), (failed = reject)));
      const tty = new TtyLine(session, stdout, (code) => exited(code), (e) => failed(e));
      stdin.onText = (text) => tty.feed(text);
      const code = await Promise.race([ended, stdin.ended.then(() => (ch.isOpen ? tty.idle() : undefined)).then(() => undefined)]);
      if (code !== undefined) await endMain(code);
      else if (opts.stdinOnce) await endMain(session.status);
      await ch.finish({ metadata: {}, status: "Success" });
      return;
    }
    if (session) {
      const stream = lineShellStream(session);
      let chain = Promise.resolve();
      let exitCode: number | undefined;
      let exitedEarly!: () => void;
      const exited = new Promise<void>((r) => (exitedEarly = r));
      stdin.onText = (text) => {
        chain = chain.then(async () => {
          if (exitCode !== undefined) return;
          const r = await stream.write(text);
          stdout(r.stdout);
          stderr(r.stderr);
          if (r.exitCode !== undefined) {
            exitCode = r.exitCode;
            exitedEarly();
          }
        });
      };
      await Promise.race([stdin.ended, exited]);
      await chain;
      if (exitCode === undefined && opts.stdinOnce) {
        const r = await stream.end();
        stdout(r.stdout);
        stderr(r.stderr);
        exitCode = r.exitCode;
      }
      if (exitCode !== undefined) await endMain(exitCode);
      await ch.finish({ metadata: {}, status: "Success" });
      return;
    }
    await followOutput(runtime, id, ch, stdin.ended, (line) => (line.stream === "stderr" && !opts.tty ? stderr : stdout)(opts.tty ? crlf(line.text + "\n") : line.text + "\n"));
    await ch.finish({ metadata: {}, status: "Success" });
  } catch (e) {
    const message = isCriError(e) ? e.desc : e instanceof Error ? e.message : String(e);
    await ch.finish({ metadata: {}, status: "Failure", message: `Internal error occurred: error attaching to container: ${message}`, reason: "InternalError", code: 500 });
  }
}

/** What the main process writes from now on, until it stops or the client hangs up. */
async function followOutput(runtime: RuntimeService, id: string, ch: ExecChannels, hungUp: Promise<void>, send: (line: { stream: string; text: string }) => void): Promise<void> {
  let gone = false;
  void hungUp.then(() => (gone = true));
  const start = await runtime.containerLogs(id);
  let lastTime = start.length ? start[start.length - 1].time : 0;
  let sentAtLast = start.filter((l) => l.time === lastTime).length;
  while (!gone && ch.isOpen) {
    await new Promise((r) => setTimeout(r, OUTPUT_POLL_MS));
    const lines = await runtime.containerLogs(id, { since: lastTime });
    // Lines of the last millisecond already sent come first: skip them.
    for (const l of lines.slice(sentAtLast)) send(l);
    if (lines.length) {
      lastTime = lines[lines.length - 1].time;
      sentAtLast = lines.filter((l) => l.time === lastTime).length;
    }
    const status = await runtime.containerStatus(id).catch(() => undefined);
    if (!status || status.state !== "CONTAINER_RUNNING") return;
  }
}
