// An interactive shell (`kubectl exec -ti POD -- bash`): a prompt and one line at a
// time. The session keeps the shell's variables and directory between lines; every
// line runs against the container as it is at that moment, through `withHost`, which
// the runtime implements by opening the sandbox, running, and saving.
import { exportedEnv, newShellState, type ShellFlavour, type ShellHost, type ShellState } from "./host";
import { Machine } from "./machine";
import { scriptMachine } from "./machine-state";
import { syntaxErrorText } from "./messages";
import { parseScript } from "./parser";
import { ShellSyntaxError } from "./lexer";
import type { List } from "./ast";
import type { ShellReply, ShellSession } from "../runtime/cri";

// The session is the runtime's exec session: its shape is the CRI contract's.
export type { ShellReply, ShellSession } from "../runtime/cri";

interface ShellSessionOptions {
  /** How the shell was invoked, e.g. ["bash"] or ["/bin/sh"]. */
  argv: string[];
  flavour: ShellFlavour;
  /** The container's environment. */
  env: [string, string][] | Record<string, string>;
  cwd: string;
  hostname: string;
  /** PID of the shell in the container (ps shows it). */
  pid: number;
  tty: boolean;
  startedAt: number;
  withHost<T>(fn: (host: ShellHost, now: number) => Promise<T>): Promise<T>;
}

function promptFor(flavour: ShellFlavour, shell: ShellState, hostname: string): string {
  const home = shell.vars.HOME ?? "/root";
  const cwd = shell.cwd === home ? "~" : shell.cwd.startsWith(home + "/") ? "~" + shell.cwd.slice(home.length) : shell.cwd;
  if (flavour === "bash") return `root@${hostname}:${cwd}# `;
  if (flavour === "ash") return `${cwd} # `;
  return "# ";
}

export function createShellSession(opts: ShellSessionOptions): ShellSession {
  const shell0 = newShellState(opts.env, { cwd: opts.cwd, flavour: opts.flavour, args: [opts.argv[0]] });
  // A shell exports PWD and bumps SHLVL for the commands it starts.
  shell0.vars.PWD = opts.cwd;
  shell0.vars.SHLVL = String(Number.parseInt(exportedEnv(shell0).SHLVL ?? "0", 10) + 1);
  for (const v of ["PWD", "SHLVL"]) if (!shell0.exported.includes(v)) shell0.exported.push(v);
  let shell = shell0;
  let closed = false;
  let exitCode = 0;
  const self = { pid: opts.pid, argv: opts.argv, startedAt: opts.startedAt, tty: opts.tty };

  return {
    get closed() {
      return closed;
    },
    get status() {
      return shell.status;
    },
    prompt: () => promptFor(opts.flavour, shell, opts.hostname),
    async input(line: string): Promise<ShellReply> {
      if (closed) return { output: "", exited: true, exitCode };
      let list: List;
      try {
        list = parseScript(line);
      } catch (e) {
        if (!(e instanceof ShellSyntaxError)) throw e;
        shell.status = 2;
        const prefix = opts.flavour === "dash" ? `${opts.argv[0]}: 1: ` : `${opts.argv[0]}: `;
        const text = syntaxErrorText(opts.flavour, prefix, e);
        return opts.tty ? { output: text } : { output: "", stderr: text };
      }
      if (!list.items.length) return { output: "" };
      return opts.withHost(async (host, now) => {
        let output = "";
        let stderr = "";
        const write = (t: string) => {
          output += t;
        };
        const writeErr = (t: string) => {
          stderr += t;
        };
        const m = new Machine(scriptMachine(list, shell, now), host, {
          mode: "instant",
          io: { out: write, err: opts.tty ? write : writeErr },
          tty: opts.tty,
          ancestors: [self],
        });
        await m.run(Infinity);
        shell = m.st.shell;
        const exit = m.st.exit;
        if (exit?.explicit) {
          closed = true;
          exitCode = exit.code;
          // An interactive bash says so on its terminal; reading a pipe it says nothing.
          if (opts.flavour === "bash" && opts.tty) output += "exit\n";
          return opts.tty ? { output, exited: true, exitCode } : { output, stderr, exited: true, exitCode };
        }
        shell.status = exit?.code ?? shell.status;
        // A terminal has one stream: stderr went into output.
        return opts.tty ? { output } : { output, stderr };
      });
    },
  };
}
