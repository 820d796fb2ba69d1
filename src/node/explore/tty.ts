// The terminal side of `kubectl exec -ti`: what a tty and a shell's line editor do with
// the keys kubectl sends in raw mode. Characters are echoed as the line is read (like
// readline), Enter runs the line, Backspace/^U edit it, ^C drops it, ^D on an empty
// line ends the shell; output gets CRLF line ends as a terminal's ONLCR gives it.
// Input typed ahead while a command runs waits its turn, as it would in the tty buffer.
import type { ShellSession } from "../runtime";

export const crlf = (s: string) => s.replace(/\r?\n/g, "\r\n");

export class TtyLine {
  private pending = "";
  private line = "";
  private done = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly session: ShellSession,
    private readonly out: (text: string) => void,
    private readonly finish: (exitCode: number) => void,
    private readonly fail: (e: unknown) => void,
  ) {}

  /** Keys from the client. Processing is sequential; `idle()` resolves when caught up. */
  feed(text: string): void {
    this.pending += text;
    this.chain = this.chain.then(() => this.pump()).catch((e) => {
      this.done = true;
      this.fail(e);
    });
  }

  idle(): Promise<void> {
    return this.chain;
  }

  get finished(): boolean {
    return this.done;
  }

  private async pump(): Promise<void> {
    while (!this.done && this.pending.length) {
      // Cursor keys and other escape sequences: a line editor would move; this one ignores them.
      const esc = /^\x1b(?:\[[0-9;?]*[@-~]|O.|.)?/.exec(this.pending);
      if (esc) {
        this.pending = this.pending.slice(esc[0].length || 1);
        continue;
      }
      const ch = this.pending[0];
      this.pending = this.pending.slice(1);
      switch (ch) {
        case "\r":
          if (this.pending.startsWith("\n")) this.pending = this.pending.slice(1);
          await this.enter();
          break;
        case "\n":
          await this.enter();
          break;
        case "\x7f":
        case "\b":
          if (this.line) {
            this.line = this.line.slice(0, -1);
            this.out("\b \b");
          }
          break;
        case "\x15": // ^U
          this.out("\b \b".repeat(this.line.length));
          this.line = "";
          break;
        case "\x03": // ^C
          this.out("^C\r\n" + this.session.prompt());
          this.line = "";
          break;
        case "\x04": // ^D: EOF on an empty line ends the shell, as `exit` would
          if (!this.line) await this.run("exit");
          break;
        default:
          if (ch >= " " || ch === "\t") {
            this.line += ch;
            this.out(ch);
          }
      }
    }
  }

  private async enter(): Promise<void> {
    this.out("\r\n");
    const line = this.line;
    this.line = "";
    await this.run(line);
  }

  private async run(line: string): Promise<void> {
    const reply = await this.session.input(line);
    if (reply.output) this.out(crlf(reply.output));
    if (reply.exited || this.session.closed) {
      this.done = true;
      this.finish(reply.exitCode ?? 0);
      return;
    }
    this.out(this.session.prompt());
  }
}
