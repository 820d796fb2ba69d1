// Exec with a stdin that arrives while the command runs (`kubectl exec -i`, a client's
// exec stream), without a tty. The model runs commands to completion in one go, so what
// a command does with stdin as it arrives is decided by what the command is:
// - a shell with no script reads its commands from stdin and runs each line as it comes
//   (what `sh` does reading a pipe: no prompt, stdout and stderr apart);
// - `cat` with no file operands copies each chunk to stdout at once;
// - anything else reads all of stdin, then runs (gzip, wc, tar, sort...: a filter that
//   needs its whole input answers when stdin closes).
import type { ExecOutput, ExecStream, ExecSyncResult } from "./cri";
import type { ShellSession } from "../shell/session";

/** A shell reading its script from stdin, one complete line at a time. */
export function lineShellStream(session: ShellSession): ExecStream {
  let partial = "";
  let exitCode: number | undefined;
  const runLines = async (lines: string[]): Promise<ExecOutput> => {
    const out: ExecOutput = { stdout: "", stderr: "" };
    for (const line of lines) {
      if (exitCode !== undefined) break;
      const r = await session.input(line);
      out.stdout += r.output;
      out.stderr += r.stderr ?? "";
      if (r.exited) exitCode = r.exitCode ?? 0;
    }
    if (exitCode !== undefined) out.exitCode = exitCode;
    return out;
  };
  return {
    write(text) {
      const lines = (partial + text).split("\n");
      partial = lines.pop()!;
      return runLines(lines);
    },
    async end() {
      const rest = partial ? await runLines([partial]) : { stdout: "", stderr: "" };
      partial = "";
      // At end of input a shell exits with the status of the last command it ran.
      return { stdout: rest.stdout, stderr: rest.stderr, exitCode: exitCode ?? session.status };
    },
  };
}

/** `cat` reading stdin: every chunk comes straight back. */
export function passThroughStream(): ExecStream {
  return {
    write: async (text) => ({ stdout: text, stderr: "" }),
    end: async () => ({ stdout: "", stderr: "", exitCode: 0 }),
  };
}

/** Everything else: stdin is gathered, and the command runs once it is closed. */
export function bufferedStream(run: (stdin: string) => Promise<ExecSyncResult>): ExecStream {
  let stdin = "";
  return {
    write: async (text) => {
      stdin += text;
      return { stdout: "", stderr: "" };
    },
    end: () => run(stdin),
  };
}
