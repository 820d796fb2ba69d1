// The contract between the shell and the commands an image provides.
import type { ProcessInfo, ShellHost, ShellState } from "../host";

export interface Stdin {
  /** Everything not read yet. */
  readAll(): string;
  /** The next line without its newline, or null at end of input. */
  readLine(): string | null;
}

export interface CommandIo {
  stdin: Stdin;
  out(text: string): void;
  err(text: string): void;
}

export interface CommandContext {
  argv: string[];
  io: CommandIo;
  /** The calling shell's state (cd and export change it). */
  shell: ShellState;
  /** Environment the command sees: exported variables plus `VAR=x cmd` prefixes. */
  env: Record<string, string>;
  host: ShellHost;
  /** Time the command runs at (virtual in a container's main program). */
  now: number;
  tty: boolean;
  /** This command's PID, and the exec'd processes above it (for ps). */
  pid: number;
  ancestors: ProcessInfo[];
}

export type CommandFn = (ctx: CommandContext) => number | Promise<number>;

export function stdinFrom(text: string): Stdin {
  let pos = 0;
  return {
    readAll() {
      const s = text.slice(pos);
      pos = text.length;
      return s;
    },
    readLine() {
      if (pos >= text.length) return null;
      const nl = text.indexOf("\n", pos);
      const end = nl < 0 ? text.length : nl;
      const line = text.slice(pos, end);
      pos = end + 1;
      return line;
    },
  };
}

/** Split "-abc" style flags from operands; `--` ends options. Flags with a value list them in `withValue`. */
export function parseOpts(
  args: string[],
  withValue: string = "",
): { flags: Record<string, string | true>; operands: string[]; bad?: string } {
  const flags: Record<string, string | true> = {};
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith("-") && a.length > 1 && !/^-\d+$/.test(a)) {
      for (let j = 1; j < a.length; j++) {
        const f = a[j];
        if (withValue.includes(f)) {
          const v = a.slice(j + 1) || args[++i];
          if (v === undefined) return { flags, operands, bad: f };
          flags[f] = v;
          break;
        }
        flags[f] = true;
      }
    } else operands.push(a);
  }
  return { flags, operands };
}

export function errnoText(code: string): string {
  switch (code) {
    case "ENOENT":
      return "No such file or directory";
    case "EISDIR":
      return "Is a directory";
    case "ENOTDIR":
      return "Not a directory";
    case "EROFS":
      return "Read-only file system";
    case "EEXIST":
      return "File exists";
    case "ENOTEMPTY":
      return "Directory not empty";
    default:
      return code;
  }
}
