// The interpreter: one step of a shell script at a time. The script's position is a
// stack of frames in the machine's JSON state (a list's next item, a loop's phase, a
// subshell's saved variables), so evaluation can stop after any step and resume after
// the state has been stored. Pipeline stages and `$(...)` run to completion at once,
// each in a nested machine.
import type { Frame, MachineState } from "./machine-state";
import type { Node, SimpleCommand } from "./ast";
import { parseScript } from "./parser";
import { ShellSyntaxError } from "./lexer";
import { expandFields, expandString, type ExpandContext } from "./expand";
import { exportedEnv, type ShellState } from "./host";
import { stdinFrom, type Stdin } from "./commands/types";
import { defaultFds, flushFiles, openRedirects, RedirectError, type Fds } from "./redirect";
import { syntaxErrorText } from "./messages";
import { ArithError } from "./arith";
import { ExecNotFoundError, Launcher } from "./launch";
import type { MachineIo, MachineOptions } from "./processes";

export abstract class Interpreter extends Launcher {
  private substStatus: number | undefined;

  /** A machine on the same host, for a pipeline stage or a `$(...)` to run to completion. */
  protected abstract nested(state: MachineState, opts: MachineOptions): { run(until: number): Promise<void>; readonly st: MachineState };

  /** A loop is about to start a new turn: the run loop may skip turns that repeat. */
  protected abstract skipRepeats(f: Extract<Frame, { k: "loop" }>): void;

  protected async step(): Promise<void> {
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

  private expandCtx(): ExpandContext {
    return {
      shell: this.st.shell,
      pid: this.currentShellPid(),
      fs: this.host.fs,
      runSubst: (src) => this.runSubst(src),
    };
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
    const nested = this.nested(
      { shell, stack: [], control: { k: "eval", node }, clock: this.st.clock, wait: null, exit: null, startedAt: this.st.clock },
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
}
