// The shell as a resumable machine. A container's main process is one of these: it
// starts from the container's argv (entrypoint + cmd), runs shell scripts step by step
// and suspends on `sleep` or on a long-running program (node, nginx...). Its whole
// state is JSON (stack of frames, variables, virtual clock), so the runtime persists it
// between alarms and resumes it later: nothing ticks, time is applied lazily.
//
// The same machine runs `kubectl exec` commands in "instant" mode, where sleep returns
// at once and a program that would run forever is cut short.
import type { List, Node, SimpleCommand } from "./ast";
import type { Frame, MachineExit, MachineState, ProgramRun } from "./machine-state";
import { parseScript } from "./parser";
import { ShellSyntaxError } from "./lexer";
import { expandFields, expandString, type ExpandContext } from "./expand";
import { exportedEnv, type ProcessInfo, type ShellFlavour, type ShellHost, type ShellState } from "./host";
import { COMMANDS, SHELL_BUILTINS } from "./commands";
import { stdinFrom, type CommandContext, type CommandIo, type Stdin } from "./commands/types";
import { findExecutable } from "./commands/files";
import { STATE_BUILTINS, shellPrefix, typeCmd } from "./builtins";
import { defaultFds, flushFiles, openRedirects, RedirectError, type Fds, type Sink } from "./redirect";
import { notFoundText, syntaxErrorText } from "./messages";
import { ArithError } from "./arith";
import { normalizePath } from "../runtime/fs";
import type { LogStream, Program, ProgramContext, Signal, TimelineEntry } from "../images/types";

export interface MachineIo {
  out(text: string, at: number): void;
  err(text: string, at: number): void;
}

export interface MachineOptions {
  /** "program": a container's main process; "instant": exec, where sleep is a no-op. */
  mode: "program" | "instant";
  io: MachineIo;
  stdin?: Stdin;
  /** The container was created with `stdin: true`: a bare `sh` waits instead of exiting. */
  stdinOpen?: boolean;
  tty?: boolean;
  /** Processes of the exec session above this machine (ps shows them). */
  ancestors?: ProcessInfo[];
}

/** The top-level argv of a container or an exec names no executable in the image. */
export class ExecNotFoundError extends Error {
  constructor(readonly executable: string) {
    super(`exec: "${executable}": executable file not found in $PATH`);
  }
}

/**
 * Steps per wake before a loop that never sleeps is suspended. A real busy loop prints
 * at full CPU speed; the model gives it SPIN_MS of virtual time per budget, which keeps
 * catching up an idle pod with a busy container affordable.
 */
const STEP_BUDGET = 2_000;
const SPIN_MS = 10_000;
/** Steps an exec may take before it is treated as never ending. */
const INSTANT_BUDGET = 500_000;
/** Iterations a periodic loop keeps when it catches up a long gap (logs are bounded anyway). */
const KEEP_ITERATIONS = 50;
/** Wakes one catch-up may replay before the process warps ahead (see warp()). */
const WARP_AFTER = 20_000;

const SIGNUM: Record<Signal, number> = { SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
export const signalExitCode = (s: Signal) => 128 + SIGNUM[s];

const nodeIds = new WeakMap<object, number>();
let nextNodeId = 0;
function nodeId(o: object): number {
  let id = nodeIds.get(o);
  if (id === undefined) nodeIds.set(o, (id = ++nextNodeId));
  return id;
}

/** Tells apart run() calls: a loop's repeat mark is only trusted within the run that made it. */
let runSeq = 0;

export class Machine {
  private runId = 0;
  private horizon = 0;
  private substStatus: number | undefined;
  private readonly stdin: Stdin;

  constructor(
    readonly st: MachineState,
    private readonly host: ShellHost,
    private readonly opts: MachineOptions,
  ) {
    this.stdin = opts.stdin ?? stdinFrom("");
  }

  get done(): boolean {
    return this.st.exit !== null;
  }

  /** When the machine next wants to run: now if runnable, Infinity when blocked for good. */
  nextWake(): number {
    const { st } = this;
    if (st.exit) return Infinity;
    if (!st.wait) return st.clock;
    switch (st.wait.k) {
      case "sleep":
      case "spin":
        return st.wait.until;
      case "program":
        return st.wait.run.pending[0]?.at ?? Infinity;
      case "stdin":
        return Infinity;
    }
  }

  /**
   * Run until nothing is due at or before `until`. `horizon` (>= until) is how far the
   * caller will eventually run: a loop that repeats identically may skip iterations that
   * would fall before horizon minus a few periods. With a `budget`, stop once it has
   * spent that many wakes (it is shared, so a caller can cap several machines together).
   */
  async run(until: number, horizon = until, budget?: { wakes: number; steps: number }): Promise<void> {
    this.horizon = Math.max(horizon, until);
    this.runId = ++runSeq;
    let steps = 0;
    let wakes = 0;
    let runStart = this.st.clock;
    for (;;) {
      const { st } = this;
      if (st.exit) return;
      if (st.wait) {
        const w = this.nextWake();
        if (w > until) return;
        if (budget && (budget.wakes <= 0 || budget.steps <= 0)) return;
        if (++wakes > WARP_AFTER) {
          this.warp(runStart, wakes);
          wakes = 0;
          runStart = st.clock;
          continue;
        }
        if (budget) budget.wakes--;
        st.clock = Math.max(st.clock, w);
        this.wake();
        continue;
      }
      if (!st.control) {
        this.finish(st.shell.status);
        return;
      }
      if (budget && --budget.steps <= 0) return;
      if (++steps > (this.opts.mode === "instant" ? INSTANT_BUDGET : STEP_BUDGET)) {
        if (this.opts.mode === "instant") {
          this.finish(130); // an exec that never ends: as if the user pressed Ctrl-C
          return;
        }
        st.wait = { k: "spin", until: st.clock + SPIN_MS };
        steps = 0;
        continue;
      }
      await this.step();
    }
  }

  /**
   * A loop whose state changes every turn (a counter) cannot be skipped exactly. To keep
   * catching up bounded, the process loses the time in between: its next wake moves to
   * a few turns before the horizon. Lossy on purpose: counters read low afterwards.
   */
  private warp(runStart: number, wakes: number): void {
    const w = this.st.wait;
    if (!w || (w.k !== "sleep" && w.k !== "spin")) return;
    const avg = (this.st.clock - runStart) / wakes;
    const target = Math.floor(this.horizon - avg * KEEP_ITERATIONS);
    if (target > w.until) w.until = target;
  }

  private wake(): void {
    const { st } = this;
    const w = st.wait!;
    if (w.k === "sleep") {
      st.wait = null;
      st.control = { k: "ret", status: 0 };
    } else if (w.k === "spin") {
      st.wait = null;
    } else if (w.k === "program") {
      const e = w.run.pending.shift()!;
      if (e.text !== undefined) this.emit(e.stream ?? "stdout", e.text);
      if (e.exit !== undefined) {
        this.host.releasePorts(w.run.ports);
        st.wait = null;
        st.control = { k: "ret", status: e.exit };
      }
    }
  }

  /** A program's timeline text is one printed line (console.log, puts): a newline follows it. */
  private emit(stream: LogStream, text: string): void {
    const line = text + "\n";
    if (stream === "stderr") this.opts.io.err(line, this.st.clock);
    else this.opts.io.out(line, this.st.clock);
  }

  private finish(code: number, extra: Partial<MachineExit> = {}): void {
    const { st } = this;
    if (st.wait?.k === "program") this.host.releasePorts(st.wait.run.ports);
    st.exit = { code, at: st.clock, ...extra };
    st.wait = null;
    st.control = null;
  }

  /** SIGKILL: no handler runs, the process is gone at `at`. */
  kill(at: number, signal: Signal = "SIGKILL"): void {
    if (this.st.exit) return;
    this.st.clock = Math.max(this.st.clock, at);
    this.finish(signalExitCode(signal), { signal });
  }

  /**
   * Deliver a catchable signal to PID 1 at time `at`. True when PID 1 handles it (its
   * program's own shutdown timeline now runs); false when it ignores it, as a PID 1
   * without a handler does (shells, sleep, node without a handler): the runtime then
   * kills it at the end of the grace period.
   */
  signal(sig: Signal, at: number): boolean {
    const { st } = this;
    if (st.exit) return true;
    st.clock = Math.max(st.clock, at);
    if (st.wait?.k !== "program" || st.wait.run.pid !== 1) return false;
    const run = st.wait.run;
    const program = this.host.image.programs[run.cmd];
    const entries = program?.signal?.(sig, { ...this.programContext(run.argv, run.env, run.cwd, run.startedAt, run.pid), state: run.state });
    if (!entries) return false;
    run.signalled = sig;
    run.pending = entries.map((e) => ({ ...e, at: st.clock + e.afterMs }));
    return true;
  }

  /** The processes this machine is made of, PID order (for ps). */
  processes(): ProcessInfo[] {
    const { st } = this;
    if (st.exit) return [];
    const tty = !!this.opts.tty;
    const procs: ProcessInfo[] = [];
    for (const f of st.stack) {
      if (f.k === "scope" && f.process) procs.push({ pid: f.pid, argv: f.argv, startedAt: st.startedAt, tty });
    }
    const w = st.wait;
    if (w?.k === "sleep") procs.push({ pid: w.pid, argv: w.argv, startedAt: st.startedAt, tty });
    if (w?.k === "program") procs.push({ pid: w.run.pid, argv: w.run.argv, startedAt: w.run.startedAt, tty });
    return procs.sort((a, b) => a.pid - b.pid);
  }

  /** The running program (if any) and what the runtime needs to talk to it. */
  get program(): { run: ProgramRun; program: Program } | undefined {
    const w = this.st.wait;
    if (w?.k !== "program") return undefined;
    const program = this.host.image.programs[w.run.cmd];
    return program ? { run: w.run, program } : undefined;
  }

  programContext(argv: string[], env: Record<string, string>, cwd: string, startedAt: number, pid = 1): ProgramContext {
    return {
      argv,
      pid,
      env,
      cwd,
      fs: this.host.fs,
      hostname: this.host.hostname,
      podIP: this.host.podIP,
      now: this.st.clock,
      startedAt,
      image: this.host.image,
    };
  }

  /**
   * A signal sent from inside the container (`kill`). PID 1 only gets the signals it
   * has a handler for (the kernel protects a namespace's init, even from SIGKILL);
   * a child without a handler dies. False when there is no such process.
   */
  signalPid(pid: number, sig: Signal, at: number): boolean {
    const { st } = this;
    if (!this.processes().some((p) => p.pid === pid)) return false;
    st.clock = Math.max(st.clock, at);
    if (pid === 1) {
      if (sig !== "SIGKILL") this.signal(sig, at);
      return true;
    }
    const w = st.wait;
    if (w?.k === "sleep" && w.pid === pid) {
      st.wait = null;
      st.control = { k: "ret", status: signalExitCode(sig) };
    } else if (w?.k === "program" && w.run.pid === pid) {
      const program = this.host.image.programs[w.run.cmd];
      const entries = sig === "SIGKILL" ? undefined : program?.signal?.(sig, { ...this.programContext(w.run.argv, w.run.env, w.run.cwd, w.run.startedAt, w.run.pid), state: w.run.state });
      if (entries) {
        w.run.signalled = sig;
        w.run.pending = entries.map((e) => ({ ...e, at: st.clock + e.afterMs }));
      } else {
        this.host.releasePorts(w.run.ports);
        st.wait = null;
        st.control = { k: "ret", status: signalExitCode(sig) };
      }
    }
    return true;
  }

  // ---- evaluation ----

  private async step(): Promise<void> {
    const { st } = this;
    const c = st.control!;
    st.control = null;
    if (c.k === "ret") return this.ret(c.status);
    if (c.k === "argv") {
      try {
        return await this.execArgv(c.argv, { pid: c.pid, viaShell: false, fds: defaultFds(), env: exportedEnv(st.shell) });
      } catch (e) {
        // The container's own argv: the runtime turns this into a StartError. An
        // entrypoint script's `exec "$@"` of a missing command fails like the script would.
        if (!(e instanceof ExecNotFoundError) || c.initial) throw e;
        this.emit("stderr", `${st.shell.args[0] ?? "sh"}: exec: ${c.argv[0]}: not found`);
        st.control = { k: "ret", status: 127 };
        return;
      }
    }
    const node = c.node;
    switch (node.type) {
      case "list":
        if (!node.items.length) return this.ret(0);
        if (node.items.length > 1) st.stack.push({ k: "list", items: node.items, i: 1 });
        st.control = { k: "eval", node: node.items[0] };
        return;
      case "andor":
        if (node.rest.length) st.stack.push({ k: "andor", node, i: 0 });
        st.control = { k: "eval", node: node.first };
        return;
      case "pipeline":
        if (node.commands.length === 1) {
          if (node.negate) st.stack.push({ k: "not" });
          st.control = { k: "eval", node: node.commands[0] };
          return;
        }
        {
          const status = await this.runPipeline(node.commands);
          st.control = { k: "ret", status: node.negate ? +(status === 0) : status };
        }
        return;
      case "simple":
        return this.runSimple(node);
      case "loop":
        st.stack.push({ k: "loop", node, phase: "cond", last: 0 });
        st.control = { k: "eval", node: node.cond };
        return;
      case "for": {
        let values: string[];
        if (node.words) {
          values = [];
          for (const w of node.words) values.push(...(await expandFields(w, this.expandCtx())));
        } else values = st.shell.args.slice(1);
        if (!values.length) return this.ret(0);
        st.shell.vars[node.name] = values[0];
        st.stack.push({ k: "for", node, values, i: 0, last: 0 });
        st.control = { k: "eval", node: node.body };
        return;
      }
      case "if":
        st.stack.push({ k: "if", node, i: 0 });
        st.control = { k: "eval", node: node.clauses[0].cond };
        return;
      case "group":
        if (node.subshell) st.stack.push({ k: "scope", saved: structuredClone(st.shell), process: false, pid: 0, argv: [] });
        st.control = { k: "eval", node: node.body };
        return;
    }
  }

  private ret(status: number): void {
    const { st } = this;
    st.shell.status = status;
    const f = st.stack.pop();
    if (!f) return this.finish(status);
    switch (f.k) {
      case "list": {
        if (f.i + 1 < f.items.length) st.stack.push({ ...f, i: f.i + 1 });
        st.control = { k: "eval", node: f.items[f.i] };
        return;
      }
      case "andor": {
        for (let j = f.i; j < f.node.rest.length; j++) {
          const r = f.node.rest[j];
          if ((r.op === "&&") === (status === 0)) {
            if (j + 1 < f.node.rest.length) st.stack.push({ ...f, i: j + 1 });
            st.control = { k: "eval", node: r.pipeline };
            return;
          }
        }
        st.control = { k: "ret", status };
        return;
      }
      case "not":
        st.control = { k: "ret", status: +(status === 0) };
        return;
      case "loop":
        if (f.phase === "cond") {
          if (f.node.until ? status !== 0 : status === 0) {
            st.stack.push({ ...f, phase: "body" });
            st.control = { k: "eval", node: f.node.body };
          } else st.control = { k: "ret", status: f.last };
        } else {
          f.last = status;
          this.skipRepeats(f);
          st.stack.push({ ...f, phase: "cond" });
          st.control = { k: "eval", node: f.node.cond };
        }
        return;
      case "for":
        f.last = status;
        f.i++;
        if (f.i < f.values.length) {
          st.shell.vars[f.node.name] = f.values[f.i];
          st.stack.push(f);
          st.control = { k: "eval", node: f.node.body };
        } else st.control = { k: "ret", status: f.last };
        return;
      case "if":
        if (status === 0) st.control = { k: "eval", node: f.node.clauses[f.i].body };
        else if (f.i + 1 < f.node.clauses.length) {
          st.stack.push({ ...f, i: f.i + 1 });
          st.control = { k: "eval", node: f.node.clauses[f.i + 1].cond };
        } else if (f.node.otherwise) st.control = { k: "eval", node: f.node.otherwise };
        else st.control = { k: "ret", status: 0 };
        return;
      case "scope":
        st.shell = { ...f.saved, status };
        st.control = { k: "ret", status };
        return;
      case "exitAfter":
        return this.exitShell(status, false);
    }
  }

  /**
   * A loop whose state at the top of an iteration is identical to the previous one, a
   * period later, will keep doing the same thing: when the machine must catch up a long
   * gap (a DO that slept for hours), jump over all but the last few iterations instead
   * of replaying them. Their log lines would have been rotated out anyway.
   *
   * Only marks made during this run() count: between runs, an exec or another container
   * may have changed a file the loop tests, and the next turn may not repeat at all.
   */
  private skipRepeats(f: Extract<Frame, { k: "loop" }>): void {
    const { st } = this;
    const fp = this.fingerprint(f);
    if (f.mark && f.mark.run === this.runId && f.mark.fp === fp) {
      const period = st.clock - f.mark.t;
      if (period <= 0) {
        f.mark.n++; // several turns in the same instant (a loop that never sleeps)
        return;
      }
      // Keep about KEEP_ITERATIONS turns before the horizon, and at least one period.
      const keep = Math.max(1, Math.ceil(KEEP_ITERATIONS / (f.mark.n + 1)));
      const backlog = this.horizon - st.clock;
      if (backlog > period * (keep + 1)) st.clock += (Math.floor(backlog / period) - keep) * period;
    }
    f.mark = { t: st.clock, fp, run: this.runId, n: 0 };
  }

  /**
   * The machine's state at the top of a loop turn, cheaply: syntax nodes by identity
   * (they are the same objects for the whole run), frames by their positions, and the
   * shell's variables.
   */
  private fingerprint(loop: Frame): string {
    const parts: (string | number)[] = [];
    for (const f of [...this.st.stack, loop]) {
      switch (f.k) {
        case "list":
          parts.push("l", nodeId(f.items), f.i);
          break;
        case "andor":
        case "if":
          parts.push(f.k, nodeId(f.node), f.i);
          break;
        case "loop":
          parts.push("w", nodeId(f.node), f.last);
          break;
        case "for":
          parts.push("f", nodeId(f.node), f.i, f.last, nodeId(f.values));
          break;
        case "scope":
          parts.push("s", f.pid, nodeId(f.saved));
          break;
        default:
          parts.push(f.k);
      }
    }
    const sh = this.st.shell;
    return parts.join(",") + "|" + sh.cwd + "|" + sh.status + "|" + JSON.stringify(sh.vars) + sh.exported.length + sh.args.join("\0");
  }

  /** `exit`: leave the innermost subshell or shell process. */
  private exitShell(code: number, explicit: boolean): void {
    const { st } = this;
    while (st.stack.length) {
      const f = st.stack.pop()!;
      if (f.k === "scope") {
        st.shell = { ...f.saved, status: code };
        st.control = { k: "ret", status: code };
        return;
      }
    }
    this.finish(code, explicit ? { explicit } : {});
  }

  private expandCtx(): ExpandContext {
    return {
      shell: this.st.shell,
      pid: this.currentShellPid(),
      fs: this.host.fs,
      runSubst: (src) => this.runSubst(src),
    };
  }

  private currentShellPid(): number {
    for (let i = this.st.stack.length - 1; i >= 0; i--) {
      const f = this.st.stack[i];
      if (f.k === "scope" && f.process) return f.pid;
    }
    return this.opts.ancestors?.at(-1)?.pid ?? 1;
  }

  private write(sink: Sink, text: string): void {
    switch (sink.k) {
      case "out":
        return this.opts.io.out(text, this.st.clock);
      case "err":
        return this.opts.io.err(text, this.st.clock);
      case "main":
        return this.host.writeMainLog(sink.stream, text, this.st.clock);
      case "file":
        sink.buf.push(text);
        return;
      case "null":
        return;
    }
  }

  private errText(text: string): void {
    this.opts.io.err(text, this.st.clock);
  }

  private prefix(): string {
    const s = this.st.shell;
    const name = s.args[0] ?? "sh";
    return s.flavour === "dash" ? `${name}: 1: ` : `${name}: `;
  }

  private async runSubst(src: string): Promise<string> {
    let out = "";
    const sub = await this.runNested(src, structuredClone(this.st.shell), stdinFrom(""), {
      out: (t) => {
        out += t;
      },
      err: (t, at) => this.opts.io.err(t, at),
    });
    this.substStatus = sub;
    return out;
  }

  /** Run source or a node to completion in a copy of the shell (subshells, pipelines). */
  private async runNested(what: string | Node, shell: ShellState, stdin: Stdin, io: MachineIo): Promise<number> {
    let node: Node;
    if (typeof what === "string") {
      try {
        node = parseScript(what);
      } catch (e) {
        if (!(e instanceof ShellSyntaxError)) throw e;
        io.err(syntaxErrorText(this.st.shell.flavour, this.prefix(), e), this.st.clock);
        return 2;
      }
    } else node = what;
    const nested = new Machine(
      { shell, stack: [], control: { k: "eval", node }, clock: this.st.clock, wait: null, exit: null, startedAt: this.st.clock },
      this.host,
      { ...this.opts, mode: "instant", io, stdin },
    );
    await nested.run(Infinity);
    return nested.st.exit?.code ?? 0;
  }

  private async runPipeline(commands: Node[]): Promise<number> {
    let input: Stdin = this.stdin;
    let status = 0;
    for (let i = 0; i < commands.length; i++) {
      const last = i === commands.length - 1;
      let captured = "";
      status = await this.runNested(commands[i], structuredClone(this.st.shell), input, {
        out: last ? (t, at) => this.opts.io.out(t, at) : (t) => void (captured += t),
        err: (t, at) => this.opts.io.err(t, at),
      });
      input = stdinFrom(captured);
    }
    return status;
  }

  private async runSimple(node: SimpleCommand): Promise<void> {
    const { st } = this;
    this.substStatus = undefined;
    const ectx = this.expandCtx();
    let argv: string[] = [];
    const assigns: [string, string][] = [];
    let fds: Fds;
    try {
      for (const w of node.words) argv.push(...(await expandFields(w, ectx)));
      for (const a of node.assigns) assigns.push([a.name, await expandString(a.value, ectx)]);
      fds = await openRedirects(node.redirects, { expand: (w) => expandString(w, ectx), fs: this.host.fs, cwd: st.shell.cwd, flavour: st.shell.flavour, prefix: this.prefix(), now: st.clock });
    } catch (e) {
      if (e instanceof ArithError) {
        this.errText(`${this.prefix()}arithmetic expression: ${e.message}\n`);
        return this.ret(st.shell.flavour === "bash" ? 1 : 2);
      }
      if (e instanceof RedirectError) {
        this.errText(e.message);
        return this.ret(1);
      }
      throw e;
    }
    if (!argv.length) {
      for (const [k, v] of assigns) st.shell.vars[k] = v;
      flushFiles(fds, this.host.fs, st.clock);
      return this.ret(this.substStatus ?? 0);
    }
    argv = argv.filter((a, i) => i > 0 || a !== "");
    const env = { ...exportedEnv(st.shell), ...Object.fromEntries(assigns) };
    await this.execArgv(argv, { pid: 0, viaShell: true, fds, env });
    flushFiles(fds, this.host.fs, st.clock);
  }

  private io(fds: Fds): CommandIo {
    return {
      stdin: fds.stdin ?? this.stdin,
      out: (t) => this.write(fds[1], t),
      err: (t) => this.write(fds[2], t),
    };
  }

  private commandContext(argv: string[], fds: Fds, env: Record<string, string>, pid: number): CommandContext {
    return {
      argv,
      io: this.io(fds),
      shell: this.st.shell,
      env,
      host: this.host,
      now: this.st.clock,
      tty: !!this.opts.tty,
      pid,
      ancestors: [...(this.opts.ancestors ?? []), ...this.processes().filter((p) => p.pid !== 1)],
    };
  }

  private async execArgv(argv: string[], c: { pid: number; viaShell: boolean; fds: Fds; env: Record<string, string> }): Promise<void> {
    const { st } = this;
    const name = argv[0];
    if (c.viaShell) {
      const handled = await this.specialBuiltin(argv, c.fds, c.env);
      if (handled) return;
      const builtin = STATE_BUILTINS[name] ?? SHELL_BUILTINS[name];
      if (builtin) {
        const status = await builtin(this.commandContext(argv, c.fds, c.env, this.currentShellPid()));
        st.control = { k: "ret", status };
        return;
      }
    }
    const lookup = { host: this.host, shell: st.shell, env: c.env };
    const path = findExecutable(lookup, name);
    const entry = path ? this.host.fs.stat(path) : undefined;
    if (!path || entry?.k !== "x") {
      if (!c.viaShell) throw new ExecNotFoundError(name);
      const exists = name.includes("/") && this.host.fs.stat(normalizePath(name, st.shell.cwd));
      // The shell reports it from the child, after its redirections: `cmd 2>/dev/null` hides it.
      if (exists && st.shell.flavour === "bash") {
        this.write(c.fds[2], `${this.prefix()}${name}: ${exists.k === "d" ? "Is a directory" : "Permission denied"}\n`);
        st.control = { k: "ret", status: 126 };
        return;
      }
      this.write(c.fds[2], notFoundText(st.shell.flavour, this.prefix(), name));
      st.control = { k: "ret", status: 127 };
      return;
    }
    const pid = c.pid || this.host.nextPid();
    const cmd = entry.cmd;
    if (cmd === "bash" || cmd === "dash" || cmd === "ash") return this.startShell(argv, cmd, pid, c.fds, c.env);
    if (cmd === "sleep") return this.sleep(argv, pid, c.fds);
    const program = this.host.image.programs[cmd];
    if (program) return this.startProgram(cmd, program, argv, pid, c.env);
    const fn = COMMANDS[cmd];
    if (!fn) throw new Error(`image executable ${path} runs "${cmd}", which no command implements`);
    const status = await fn(this.commandContext(argv, c.fds, c.env, pid));
    st.control = { k: "ret", status };
  }

  /** exit, break, continue, exec, eval, ., command: builtins that steer the machine. */
  private async specialBuiltin(argv: string[], fds: Fds, env: Record<string, string>): Promise<boolean> {
    const { st } = this;
    const [name, ...args] = argv;
    switch (name) {
      case "exit": {
        const code = args[0] === undefined ? st.shell.status : Number.parseInt(args[0], 10);
        if (Number.isNaN(code)) {
          this.errText(st.shell.flavour === "bash" ? `${this.prefix()}exit: ${args[0]}: numeric argument required\n` : `${this.prefix()}exit: Illegal number: ${args[0]}\n`);
          this.exitShell(st.shell.flavour === "bash" ? 255 : 2, true);
        } else this.exitShell(code & 255, true);
        return true;
      }
      case "break":
      case "continue": {
        const idx = st.stack.findLastIndex((f) => f.k === "loop" || f.k === "for");
        const barrier = st.stack.findLastIndex((f) => f.k === "scope");
        if (idx < 0 || idx < barrier) {
          st.control = { k: "ret", status: 0 };
          return true;
        }
        const loop = st.stack[idx];
        st.stack.length = idx;
        if (name === "break") st.control = { k: "ret", status: 0 };
        else {
          st.stack.push(loop);
          st.control = { k: "ret", status: 0 };
        }
        return true;
      }
      case "exec":
        if (!args.length) {
          st.control = { k: "ret", status: 0 };
          return true;
        }
        st.stack.push({ k: "exitAfter" });
        await this.execArgv(args, { pid: this.currentShellPid(), viaShell: false, fds, env }).catch((e) => {
          if (!(e instanceof ExecNotFoundError)) throw e;
          this.errText(`${this.prefix()}exec: ${args[0]}: not found\n`);
          st.control = { k: "ret", status: 127 };
        });
        return true;
      case "eval":
      case ".":
      case "source": {
        let src = args.join(" ");
        if (name !== "eval") {
          const data = args[0] ? this.host.fs.read(normalizePath(args[0], st.shell.cwd)) : undefined;
          if (data === undefined) {
            this.errText(`${this.prefix()}${name}: ${args[0] ?? ""}: file not found\n`);
            st.control = { k: "ret", status: 1 };
            return true;
          }
          src = data;
        }
        try {
          st.control = { k: "eval", node: parseScript(src) };
        } catch (e) {
          if (!(e instanceof ShellSyntaxError)) throw e;
          this.errText(syntaxErrorText(st.shell.flavour, this.prefix(), e));
          st.control = { k: "ret", status: 2 };
        }
        return true;
      }
      case "command":
        if (args[0] === "-v" || args[0] === "-V") {
          const status = await typeCmd(this.commandContext(["command", ...args.slice(1)], fds, env, this.currentShellPid()));
          st.control = { k: "ret", status };
          return true;
        }
        if (!args.length) {
          st.control = { k: "ret", status: 0 };
          return true;
        }
        await this.execArgv(args, { pid: 0, viaShell: true, fds, env });
        return true;
      default:
        return false;
    }
  }

  private startShell(argv: string[], flavour: ShellFlavour, pid: number, fds: Fds, env: Record<string, string>): void {
    const { st } = this;
    const args = argv.slice(1);
    let script: string | undefined;
    let positional: string[] = [argv[0]];
    let i = 0;
    let dashC = false;
    for (; i < args.length && args[i].startsWith("-") && args[i] !== "-"; i++) {
      if (args[i].includes("c")) dashC = true;
    }
    const prefix = `${argv[0]}: `;
    if (dashC) {
      script = args[i];
      if (script === undefined) {
        this.errText(flavour === "bash" ? `${prefix}-c: option requires an argument\n` : `${prefix}-c requires an argument\n`);
        st.control = { k: "ret", status: 2 };
        return;
      }
      positional = args.length > i + 1 ? args.slice(i + 1) : [argv[0]];
    } else if (i < args.length) {
      const file = args[i];
      const data = this.host.fs.stat(normalizePath(file, st.shell.cwd))?.k === "d" ? undefined : this.host.fs.read(normalizePath(file, st.shell.cwd));
      if (data === undefined) {
        this.errText(
          flavour === "bash" ? `${prefix}${file}: No such file or directory\n` : flavour === "dash" ? `${prefix}0: cannot open ${file}: No such file\n` : `${prefix}can't open '${file}': No such file or directory\n`,
        );
        st.control = { k: "ret", status: flavour === "bash" ? 127 : 2 };
        return;
      }
      script = data;
      positional = args.slice(i);
    } else if (this.opts.mode === "program") {
      if (this.opts.stdinOpen) {
        st.stack.push({ k: "scope", saved: structuredClone(st.shell), process: true, pid, argv });
        st.wait = { k: "stdin", pid };
        return;
      }
      // No script and stdin at EOF (no tty, no stdin): the shell exits at once, status 0.
      st.control = { k: "ret", status: 0 };
      return;
    } else {
      script = (fds.stdin ?? this.stdin).readAll();
    }
    let list: List;
    try {
      list = parseScript(script);
    } catch (e) {
      if (!(e instanceof ShellSyntaxError)) throw e;
      this.errText(syntaxErrorText(flavour, flavour === "dash" ? `${argv[0]}: 1: ` : prefix, e, dashC));
      st.control = { k: "ret", status: 2 };
      return;
    }
    st.stack.push({ k: "scope", saved: st.shell, process: true, pid, argv });
    const shlvl = String(Number.parseInt(env.SHLVL ?? "0", 10) + 1);
    const childEnv: Record<string, string> = { ...env, PWD: st.shell.cwd, SHLVL: shlvl };
    st.shell = {
      vars: childEnv,
      exported: Object.keys(childEnv),
      cwd: st.shell.cwd,
      status: 0,
      args: positional,
      flavour,
    };
    st.control = { k: "eval", node: list };
  }

  private sleep(argv: string[], pid: number, fds: Fds): void {
    const { st } = this;
    const busybox = this.host.image.userland === "busybox";
    if (argv.length < 2) {
      this.write(fds[2], busybox ? "BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: sleep [N]...\n" : "sleep: missing operand\nTry 'sleep --help' for more information.\n");
      st.control = { k: "ret", status: 1 };
      return;
    }
    let ms = 0;
    for (const a of argv.slice(1)) {
      const m = /^(\d+(?:\.\d*)?|\.\d+|inf(?:inity)?)([smhd]?)$/.exec(a);
      if (!m) {
        this.write(fds[2], busybox ? `sleep: invalid number '${a}'\n` : `sleep: invalid time interval '${a}'\nTry 'sleep --help' for more information.\n`);
        st.control = { k: "ret", status: 1 };
        return;
      }
      const n = m[1].startsWith("inf") ? Infinity : Number(m[1]);
      ms += n * { "": 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "" | "s"];
    }
    if (this.opts.mode === "instant") {
      st.control = { k: "ret", status: 0 };
      return;
    }
    st.wait = { k: "sleep", until: st.clock + ms, pid, argv };
  }

  private startProgram(cmd: string, program: Program, argv: string[], pid: number, env: Record<string, string>): void {
    const { st } = this;
    const cwd = st.shell.cwd;
    const start = program.start(this.programContext(argv, env, cwd, st.clock, pid));
    if (start.kind === "exec") {
      for (const e of start.output ?? []) if (e.text !== undefined) this.emit(e.stream ?? "stdout", e.text);
      // The script's `exec "$@"`: same process, same PID, no shell builtins.
      st.shell.args = [argv[0]];
      st.control = { k: "argv", argv: start.argv, pid };
      return;
    }
    const ports = start.listen ?? [];
    const conflict = ports.length ? this.host.bindPorts(ports) : null;
    const timeline: TimelineEntry[] =
      conflict === null
        ? start.timeline
        : (start.bindFailure?.(conflict) ?? [
            { afterMs: 0, stream: "stderr", text: `bind: address already in use (port ${conflict})` },
            { afterMs: 0, exit: 1 },
          ]);
    const bound = conflict === null ? ports : [];
    if (this.opts.mode === "instant") {
      // An exec'd program: print what it would print; one that keeps running is cut short.
      this.host.releasePorts(bound);
      for (const e of timeline) {
        if (e.text !== undefined) this.emit(e.stream ?? "stdout", e.text);
        if (e.exit !== undefined) {
          st.control = { k: "ret", status: e.exit };
          return;
        }
      }
      this.emit("stdout", "^C");
      st.control = { k: "ret", status: 130 };
      return;
    }
    st.wait = {
      k: "program",
      run: {
        cmd,
        argv,
        pid,
        startedAt: st.clock,
        pending: timeline.map((e) => ({ at: st.clock + e.afterMs, stream: e.stream, text: e.text, exit: e.exit })).sort((a, b) => a.at - b.at),
        ports: bound,
        state: conflict === null ? start.state : undefined,
        env,
        cwd,
      },
    };
  }
}

export { shellPrefix, syntaxErrorText };
export { newMachine, scriptMachine } from "./machine-state";
export type { Control, Frame, MachineExit, MachineState, ProgramRun, Wait } from "./machine-state";
