// Redirections of a simple command: where its stdout and stderr go (the shell's own
// streams, a file, /dev/null, PID 1's streams i.e. the container log) and where its
// stdin comes from. File output is buffered and written when the command returns;
// `>` truncates (and creates) the file before it runs, as a shell does.
import type { Redirect, Word } from "./ast";
import type { ShellFlavour } from "./host";
import { stdinFrom, type Stdin } from "./commands/types";
import { redirectFailureText } from "./messages";
import { FsError, normalizePath, type ContainerFs } from "../runtime/fs";
import type { LogStream } from "../images/types";

export type Sink =
  | { k: "out" }
  | { k: "err" }
  | { k: "null" }
  | { k: "main"; stream: LogStream }
  | { k: "file"; path: string; buf: string[] };

export interface Fds {
  1: Sink;
  2: Sink;
  stdin?: Stdin;
}

export class RedirectError extends Error {}

interface RedirectContext {
  expand(w: Word): Promise<string>;
  fs: ContainerFs;
  cwd: string;
  flavour: ShellFlavour;
  /** The shell's message prefix ("sh: ", "bash: ", "sh: 1: "). */
  prefix: string;
  /** When the command runs: files it creates or truncates are modified then. */
  now: number;
}

export function defaultFds(): Fds {
  return { 1: { k: "out" }, 2: { k: "err" } };
}

/** Apply redirections left to right (so `>f 2>&1` and `2>&1 >f` differ, as in a shell). */
export async function openRedirects(redirects: Redirect[], ctx: RedirectContext): Promise<Fds> {
  const fds = defaultFds();
  for (const r of redirects) {
    const target = await ctx.expand(r.target);
    if (r.op === "<") {
      const path = normalizePath(target, ctx.cwd);
      const data = ctx.fs.stat(path)?.k === "d" ? undefined : ctx.fs.read(path);
      if (data === undefined) throw new RedirectError(redirectFailureText(ctx.flavour, ctx.prefix, target, "open"));
      fds.stdin = stdinFrom(data);
      continue;
    }
    if (r.op === ">&" && /^\d$/.test(target)) {
      const n = Number(target);
      if (r.fd === 1 || r.fd === 2) fds[r.fd] = n === 1 || n === 2 ? fds[n] : { k: "null" };
      continue;
    }
    const sink = fileSink(target, r.op === ">>", fds, ctx);
    if (r.op === "&>" || r.op === ">&") {
      fds[1] = sink;
      fds[2] = sink;
    } else if (r.fd === 1 || r.fd === 2) fds[r.fd] = sink;
  }
  return fds;
}

function fileSink(target: string, append: boolean, fds: Fds, ctx: RedirectContext): Sink {
  switch (target) {
    case "/dev/null":
      return { k: "null" };
    case "/dev/stdout":
    case "/proc/self/fd/1":
      return fds[1];
    case "/dev/stderr":
    case "/proc/self/fd/2":
      return fds[2];
    case "/proc/1/fd/1":
      return { k: "main", stream: "stdout" };
    case "/proc/1/fd/2":
      return { k: "main", stream: "stderr" };
  }
  const path = normalizePath(target, ctx.cwd);
  try {
    if (!append || !ctx.fs.stat(path)) ctx.fs.write(path, "", false, ctx.now);
  } catch (e) {
    if (!(e instanceof FsError)) throw e;
    throw new RedirectError(redirectFailureText(ctx.flavour, ctx.prefix, target, "create", e.code));
  }
  return { k: "file", path, buf: [] };
}

/** Write what the command sent to files, modified at `at`. */
export function flushFiles(fds: Fds, fs: ContainerFs, at: number): void {
  const seen = new Set<Sink>();
  for (const sink of [fds[1], fds[2]]) {
    if (sink.k !== "file" || seen.has(sink) || !sink.buf.length) continue;
    seen.add(sink);
    try {
      fs.write(sink.path, sink.buf.join(""), true, at);
    } catch {
      // The file's directory went away while the command ran: the output is lost, as on a real system.
    }
    sink.buf.length = 0;
  }
}
