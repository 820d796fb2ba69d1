// Recursive-descent parser for the shell subset: lists, && ||, pipelines, simple
// commands with assignments and redirections, while/until/for/if, { } and ( ).
import type { AndOr, Command, List, Pipeline, Redirect, SimpleCommand, Word, WordPart } from "./ast";
import { ShellSyntaxError, tokenize, type Token } from "./lexer";

const TERMINATORS = new Set(["do", "done", "then", "else", "elif", "fi", "}"]);
const ASSIGN_RE = /^([A-Za-z_][A-Za-z0-9_]*)=/;

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private isOp(op: string, t = this.peek()): boolean {
    return t?.type === "op" && t.op === op;
  }

  private isKeyword(kw: string, t = this.peek()): boolean {
    return t?.type === "word" && t.plain === kw;
  }

  private describe(t: Token | undefined): string {
    if (!t) return "end of file";
    if (t.type === "newline") return "newline";
    if (t.type === "op") return t.op;
    if (t.type === "io") return `${t.fd}${t.op}`;
    return t.plain ?? "word";
  }

  private fail(): never {
    throw new ShellSyntaxError(this.describe(this.peek()));
  }

  private skipNewlines(): void {
    while (this.peek()?.type === "newline") this.i++;
  }

  private expectKeyword(kw: string): void {
    this.skipNewlines();
    if (!this.isKeyword(kw)) this.fail();
    this.i++;
  }

  parseProgram(): List {
    const list = this.parseList();
    if (this.peek()) this.fail();
    return list;
  }

  /** and-or lists separated by ; & or newlines, up to a terminator keyword, `)` or the end. */
  parseList(): List {
    const items: AndOr[] = [];
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (!t || this.isOp(")") || (t.type === "word" && t.plain && TERMINATORS.has(t.plain))) break;
      items.push(this.parseAndOr());
      const sep = this.peek();
      if (sep && (this.isOp(";", sep) || this.isOp("&", sep) || sep.type === "newline")) {
        this.i++;
        continue;
      }
      break;
    }
    return { type: "list", items };
  }

  private parseAndOr(): AndOr {
    const first = this.parsePipeline();
    const rest: AndOr["rest"] = [];
    while (this.isOp("&&") || this.isOp("||")) {
      const op = (this.peek() as { op: "&&" | "||" }).op;
      this.i++;
      this.skipNewlines();
      rest.push({ op, pipeline: this.parsePipeline() });
    }
    return { type: "andor", first, rest };
  }

  private parsePipeline(): Pipeline {
    let negate = false;
    if (this.isKeyword("!")) {
      negate = true;
      this.i++;
    }
    const commands = [this.parseCommand()];
    while (this.isOp("|")) {
      this.i++;
      this.skipNewlines();
      commands.push(this.parseCommand());
    }
    return { type: "pipeline", negate, commands };
  }

  private parseCommand(): Command {
    const t = this.peek();
    if (!t) this.fail();
    if (this.isOp("(")) {
      this.i++;
      const body = this.parseList();
      if (!this.isOp(")")) this.fail();
      this.i++;
      return { type: "group", subshell: true, body };
    }
    if (t.type === "word" && t.plain) {
      switch (t.plain) {
        case "while":
        case "until": {
          this.i++;
          const cond = this.parseList();
          this.expectKeyword("do");
          const body = this.parseList();
          this.expectKeyword("done");
          return { type: "loop", until: t.plain === "until", cond, body };
        }
        case "for": {
          this.i++;
          const nameTok = this.peek();
          if (nameTok?.type !== "word" || !nameTok.plain || !/^[A-Za-z_]\w*$/.test(nameTok.plain)) this.fail();
          this.i++;
          let words: Word[] | null = null;
          this.skipNewlines();
          if (this.isKeyword("in")) {
            this.i++;
            words = [];
            for (let w = this.peek(); w?.type === "word"; w = this.peek()) {
              words.push(w.word);
              this.i++;
            }
          }
          if (this.isOp(";")) this.i++;
          this.expectKeyword("do");
          const body = this.parseList();
          this.expectKeyword("done");
          return { type: "for", name: nameTok.plain, words, body };
        }
        case "if": {
          this.i++;
          const clauses: { cond: List; body: List }[] = [];
          let otherwise: List | undefined;
          for (;;) {
            const cond = this.parseList();
            this.expectKeyword("then");
            const body = this.parseList();
            clauses.push({ cond, body });
            this.skipNewlines();
            if (this.isKeyword("elif")) {
              this.i++;
              continue;
            }
            if (this.isKeyword("else")) {
              this.i++;
              otherwise = this.parseList();
            }
            this.expectKeyword("fi");
            return { type: "if", clauses, otherwise };
          }
        }
        case "{": {
          this.i++;
          const body = this.parseList();
          this.expectKeyword("}");
          return { type: "group", subshell: false, body };
        }
        default:
          if (TERMINATORS.has(t.plain)) this.fail();
      }
    }
    return this.parseSimple();
  }

  private parseSimple(): SimpleCommand {
    const cmd: SimpleCommand = { type: "simple", assigns: [], words: [], redirects: [] };
    for (let t = this.peek(); t; t = this.peek()) {
      if (t.type === "io" || (t.type === "op" && [">", ">>", "<", ">&", "&>"].includes(t.op))) {
        this.i++;
        const target = this.peek();
        if (target?.type !== "word") this.fail();
        this.i++;
        const fd = t.type === "io" ? t.fd : t.op === "<" ? 0 : 1;
        cmd.redirects.push({ fd, op: t.op as Redirect["op"], target: target.word });
        continue;
      }
      if (t.type !== "word") break;
      this.i++;
      const first = t.word.parts[0];
      const m = first?.t === "lit" && !first.q ? ASSIGN_RE.exec(first.v) : null;
      if (m && first.t === "lit" && cmd.words.length === 0) {
        const head: WordPart = { t: "lit", v: first.v.slice(m[0].length), q: false };
        const restParts = [head, ...t.word.parts.slice(1)];
        cmd.assigns.push({ name: m[1], value: { parts: restParts.filter((p) => !(p.t === "lit" && p.v === "" && !p.q)) } });
      } else {
        cmd.words.push(t.word);
      }
    }
    if (!cmd.words.length && !cmd.assigns.length && !cmd.redirects.length) this.fail();
    return cmd;
  }
}

export function parseScript(src: string): List {
  return new Parser(tokenize(src)).parseProgram();
}
