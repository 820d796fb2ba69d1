// How a command name becomes something that runs: a builtin that steers the machine
// (exit, break, exec, eval...), a builtin that changes the shell, or an executable of
// the image, which is a new shell, sleep, a long-running program or a command.
import type { List } from "./ast";
import type { Program, TimelineEntry } from "../images/types";
import type { ShellFlavour } from "./host";
import { parseScript } from "./parser";
import { ShellSyntaxError } from "./lexer";
import { COMMANDS, SHELL_BUILTINS } from "./commands";
import type { CommandContext, CommandIo } from "./commands/types";
import { findExecutable } from "./commands/files";
import { STATE_BUILTINS, typeCmd } from "./builtins";
import type { Fds } from "./redirect";
import { notFoundText, syntaxErrorText } from "./messages";
import { normalizePath } from "../runtime/fs";
import { ProcessTable } from "./processes";

/** The top-level argv of a container or an exec names no executable in the image. */
export class ExecNotFoundError extends Error {
  constructor(readonly executable: string) {
    super(`exec: "${executable}": executable file not found in $PATH`);
  }
}

export abstract class Launcher extends ProcessTable {
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

  protected async execArgv(argv: string[], c: { pid: number; viaShell: boolean; fds: Fds; env: Record<string, string> }): Promise<void> {
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
