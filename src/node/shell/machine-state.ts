// What a container's main process is when it is not running: plain JSON, stored with
// the container between runtime calls. The machine (machine.ts) runs it.
import type { AndOr, For, If, List, Loop, Node } from "./ast";
import type { ShellState } from "./host";
import type { JsonValue, LogStream, Signal } from "../images/types";

type Control =
  | { k: "eval"; node: Node }
  | { k: "ret"; status: number }
  /** Run a command vector as a process (container entrypoint, exec'd program). */
  | { k: "argv"; argv: string[]; pid: number; initial?: boolean };

export type Frame =
  | { k: "list"; items: AndOr[]; i: number }
  | { k: "andor"; node: AndOr; i: number }
  | { k: "not" }
  | { k: "loop"; node: Loop; phase: "cond" | "body"; last: number; mark?: { t: number; fp: string; run: number; n: number } }
  | { k: "for"; node: For; values: string[]; i: number; last: number }
  | { k: "if"; node: If; i: number }
  /** A subshell or a new shell process: its state is dropped when it returns. */
  | { k: "scope"; saved: ShellState; process: boolean; pid: number; argv: string[] }
  /** `exec cmd`: when cmd returns, the shell exits with its status. */
  | { k: "exitAfter" };

export interface ProgramRun {
  /** Key of the program in the image's `programs`. */
  cmd: string;
  argv: string[];
  pid: number;
  startedAt: number;
  /** Timeline entries not reached yet, absolute times, in order. */
  pending: { at: number; stream?: LogStream; text?: string; exit?: number }[];
  ports: number[];
  state?: JsonValue;
  signalled?: Signal;
  env: Record<string, string>;
  cwd: string;
}

type Wait =
  | { k: "sleep"; until: number; pid: number; argv: string[] }
  | { k: "program"; run: ProgramRun }
  /** A shell reading a stdin that stays open and silent (container `stdin: true`). */
  | { k: "stdin"; pid: number }
  /** A loop that never sleeps used up its step budget: it resumes SPIN_MS later. */
  | { k: "spin"; until: number };

export interface MachineExit {
  code: number;
  at: number;
  signal?: Signal;
  /** The `exit` builtin ended it (interactive sessions close on that). */
  explicit?: boolean;
}

export interface MachineState {
  shell: ShellState;
  stack: Frame[];
  control: Control | null;
  /** Virtual time the machine has run up to (ms since epoch). */
  clock: number;
  wait: Wait | null;
  exit: MachineExit | null;
  startedAt: number;
}

export function newMachine(argv: string[], shell: ShellState, now: number): MachineState {
  return {
    shell,
    stack: [],
    control: { k: "argv", argv, pid: 1, initial: true },
    clock: now,
    wait: null,
    exit: null,
    startedAt: now,
  };
}

/** A machine that runs a parsed script in an existing shell (exec sessions). */
export function scriptMachine(list: List, shell: ShellState, now: number): MachineState {
  return { shell, stack: [], control: { k: "eval", node: list }, clock: now, wait: null, exit: null, startedAt: now };
}
