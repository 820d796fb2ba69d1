// The processes a machine is made of, and what reaches them from outside. A machine is
// PID 1 (or an exec's shell) plus whatever it is waiting on: a sleep, a program. ps
// lists them, signals and `kill` reach them, and `exit` unwinds to the process that
// owns the innermost shell. Also where every process's output goes: the machine's io,
// a redirected file, or PID 1's log.
import type { MachineExit, MachineState, ProgramRun } from "./machine-state";
import type { ProcessInfo, ShellHost } from "./host";
import { stdinFrom, type Stdin } from "./commands/types";
import type { Sink } from "./redirect";
import type { LogStream, Program, ProgramContext, Signal } from "../images/types";

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

const SIGNUM: Record<Signal, number> = { SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
const signalExitCode = (s: Signal) => 128 + SIGNUM[s];

export abstract class ProcessTable {
  protected readonly stdin: Stdin;

  constructor(
    readonly st: MachineState,
    protected readonly host: ShellHost,
    protected readonly opts: MachineOptions,
  ) {
    this.stdin = opts.stdin ?? stdinFrom("");
  }

  get done(): boolean {
    return this.st.exit !== null;
  }

  /** A program's timeline text is one printed line (console.log, puts): a newline follows it. */
  protected emit(stream: LogStream, text: string): void {
    const line = text + "\n";
    if (stream === "stderr") this.opts.io.err(line, this.st.clock);
    else this.opts.io.out(line, this.st.clock);
  }

  protected finish(code: number, extra: Partial<MachineExit> = {}): void {
    const { st } = this;
    if (st.wait?.k === "program") this.host.releasePorts(st.wait.run.ports);
    st.exit = { code, at: st.clock, ...extra };
    st.wait = null;
    st.control = null;
  }

  /**
   * The stdin a main shell was waiting on reached its end (an attached client with
   * stdinOnce went away) or the attached shell ran `exit`: the shell ends with `code`.
   * False when the process was not waiting on stdin.
   */
  endOfStdin(code: number, at: number): boolean {
    const { st } = this;
    if (st.exit || st.wait?.k !== "stdin") return false;
    st.clock = Math.max(st.clock, at);
    this.finish(code);
    return true;
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

  /** `exit`: leave the innermost subshell or shell process. */
  protected exitShell(code: number, explicit: boolean): void {
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

  protected currentShellPid(): number {
    for (let i = this.st.stack.length - 1; i >= 0; i--) {
      const f = this.st.stack[i];
      if (f.k === "scope" && f.process) return f.pid;
    }
    return this.opts.ancestors?.at(-1)?.pid ?? 1;
  }

  protected write(sink: Sink, text: string): void {
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

  protected errText(text: string): void {
    this.opts.io.err(text, this.st.clock);
  }

  protected prefix(): string {
    const s = this.st.shell;
    const name = s.args[0] ?? "sh";
    return s.flavour === "dash" ? `${name}: 1: ` : `${name}: `;
  }
}
