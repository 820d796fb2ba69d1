// Tokens of the POSIX shell language, the subset containers and `kubectl exec` use:
// words with '...', "...", \ escapes, $VAR/${VAR...}/$(...)/`...`/$((...)); operators
// ; & | && || ( ) and redirections > >> < >& &> with an optional descriptor number.
import type { Word, WordPart } from "./ast";

export type Token =
  | { type: "word"; word: Word; /** the text when it is one unquoted literal (keywords) */ plain?: string }
  | { type: "op"; op: string }
  | { type: "io"; fd: number; op: string }
  | { type: "newline" };

export class ShellSyntaxError extends Error {
  constructor(
    /** The offending token as the shell quotes it ("done", "newline", "end of file"). */
    readonly near: string,
    readonly kind: "unexpected" | "unterminated" = "unexpected",
  ) {
    super(kind === "unterminated" ? `unterminated ${near}` : `syntax error near unexpected token \`${near}'`);
  }
}

const OPERATORS = ["&&", "||", ";;", ">>", ">&", "&>", ";", "&", "|", "(", ")", ">", "<"];
const SPECIAL_VARS = new Set(["?", "$", "#", "@", "*", "!", "-", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);

/** Index just past the `)` closing a `$(` whose body starts at `i`. */
function matchParen(src: string, i: number): number {
  let depth = 1;
  while (i < src.length) {
    const c = src[i];
    if (c === "\\") i += 2;
    else if (c === "'") {
      const j = src.indexOf("'", i + 1);
      if (j < 0) throw new ShellSyntaxError("'", "unterminated");
      i = j + 1;
    } else if (c === '"') {
      i++;
      while (i < src.length && src[i] !== '"') i += src[i] === "\\" ? 2 : 1;
      i++;
    } else {
      if (c === "(") depth++;
      else if (c === ")" && --depth === 0) return i + 1;
      i++;
    }
  }
  throw new ShellSyntaxError("(", "unterminated");
}

/** Parse one `$...` expansion at src[i] === "$". Returns the part and the next index. */
function lexDollar(src: string, i: number, q: boolean): [WordPart, number] {
  const next = src[i + 1];
  if (next === "(" && src[i + 2] === "(") {
    const end = src.indexOf("))", i + 3);
    if (end < 0) throw new ShellSyntaxError("((", "unterminated");
    return [{ t: "arith", expr: src.slice(i + 3, end), q }, end + 2];
  }
  if (next === "(") {
    const end = matchParen(src, i + 2);
    return [{ t: "cmd", src: src.slice(i + 2, end - 1), q }, end];
  }
  if (next === "{") {
    const end = src.indexOf("}", i + 2);
    if (end < 0) throw new ShellSyntaxError("${", "unterminated");
    const body = src.slice(i + 2, end);
    if (body.startsWith("#") && body.length > 1) return [{ t: "var", name: body.slice(1), q, op: "#" }, end + 1];
    const m = /^([A-Za-z_][A-Za-z0-9_]*|[?$#@*!0-9-])(:-|:=|:\+|-|=|\+)?([\s\S]*)$/.exec(body);
    if (!m) throw new ShellSyntaxError(`\${${body}}`);
    if (!m[2]) return [{ t: "var", name: m[1], q }, end + 1];
    return [{ t: "var", name: m[1], q, op: m[2] as ":-", arg: lexWord(m[3], q) }, end + 1];
  }
  const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i + 1));
  if (m) return [{ t: "var", name: m[0], q }, i + 1 + m[0].length];
  if (next !== undefined && SPECIAL_VARS.has(next)) return [{ t: "var", name: next, q }, i + 2];
  return [{ t: "lit", v: "$", q }, i + 1];
}

/** Lex a whole string as the inside of one word (used for ${VAR:-word} arguments). */
function lexWord(src: string, quoted: boolean): Word {
  const parts: WordPart[] = [];
  let i = 0;
  let buf = "";
  const flush = () => {
    if (buf) parts.push({ t: "lit", v: buf, q: quoted });
    buf = "";
  };
  while (i < src.length) {
    const c = src[i];
    if (c === "$") {
      flush();
      const [p, n] = lexDollar(src, i, quoted);
      parts.push(p);
      i = n;
    } else if (c === "\\" && i + 1 < src.length) {
      buf += src[i + 1];
      i += 2;
    } else {
      buf += c;
      i++;
    }
  }
  flush();
  return { parts };
}

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      continue;
    }
    if (c === "\\" && src[i + 1] === "\n") {
      i += 2;
      continue;
    }
    if (c === "\n") {
      tokens.push({ type: "newline" });
      i++;
      continue;
    }
    if (c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op) {
      tokens.push({ type: "op", op });
      i += op.length;
      continue;
    }
    // A word: runs until unquoted whitespace or an operator character.
    const parts: WordPart[] = [];
    let buf = "";
    let bufQuoted = false;
    const flush = () => {
      if (buf || bufQuoted) parts.push({ t: "lit", v: buf, q: bufQuoted });
      buf = "";
      bufQuoted = false;
    };
    const pushLit = (text: string, q: boolean) => {
      if (q !== bufQuoted && buf) flush();
      bufQuoted = q;
      buf += text;
    };
    while (i < src.length) {
      const ch = src[i];
      if (" \t\r\n".includes(ch) || ";&|()<>".includes(ch)) break;
      if (ch === "'") {
        const end = src.indexOf("'", i + 1);
        if (end < 0) throw new ShellSyntaxError("'", "unterminated");
        flush();
        parts.push({ t: "lit", v: src.slice(i + 1, end), q: true });
        i = end + 1;
      } else if (ch === '"') {
        flush();
        i++;
        let s = "";
        let closed = false;
        const emit = () => {
          if (s) parts.push({ t: "lit", v: s, q: true });
          s = "";
        };
        let any = false;
        while (i < src.length) {
          const d = src[i];
          if (d === '"') {
            closed = true;
            i++;
            break;
          }
          if (d === "\\" && i + 1 < src.length && '$`"\\\n'.includes(src[i + 1])) {
            if (src[i + 1] !== "\n") s += src[i + 1];
            i += 2;
          } else if (d === "$") {
            emit();
            const [p, n] = lexDollar(src, i, true);
            parts.push(p);
            any = true;
            i = n;
          } else if (d === "`") {
            emit();
            const end = src.indexOf("`", i + 1);
            if (end < 0) throw new ShellSyntaxError("`", "unterminated");
            parts.push({ t: "cmd", src: src.slice(i + 1, end), q: true });
            any = true;
            i = end + 1;
          } else {
            s += d;
            i++;
          }
        }
        if (!closed) throw new ShellSyntaxError('"', "unterminated");
        if (s || !any) parts.push({ t: "lit", v: s, q: true });
      } else if (ch === "\\") {
        if (i + 1 < src.length) pushLit(src[i + 1], true);
        i += 2;
      } else if (ch === "$") {
        flush();
        const [p, n] = lexDollar(src, i, false);
        parts.push(p);
        i = n;
      } else if (ch === "`") {
        flush();
        const end = src.indexOf("`", i + 1);
        if (end < 0) throw new ShellSyntaxError("`", "unterminated");
        parts.push({ t: "cmd", src: src.slice(i + 1, end), q: false });
        i = end + 1;
      } else {
        pushLit(ch, false);
        i++;
      }
    }
    flush();
    // "2>" "2>>" "2>&1": a descriptor number glued to a redirection operator.
    if (parts.length === 1 && parts[0].t === "lit" && !parts[0].q && /^\d$/.test(parts[0].v) && (src[i] === ">" || src[i] === "<")) {
      const rop = [">>", ">&", ">", "<"].find((o) => src.startsWith(o, i))!;
      tokens.push({ type: "io", fd: Number(parts[0].v), op: rop });
      i += rop.length;
      continue;
    }
    const plain = parts.length === 1 && parts[0].t === "lit" && !parts[0].q ? parts[0].v : undefined;
    tokens.push({ type: "word", word: { parts }, plain });
  }
  return tokens;
}
