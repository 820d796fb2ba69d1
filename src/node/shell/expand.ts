// Word expansion: parameters, command substitution, arithmetic, field splitting on
// whitespace for unquoted expansions, and pathname globbing (* ? [..] in the last
// path component, the cases `ls *.js` and `cat /data/*` need).
import type { Word, WordPart } from "./ast";
import { evalArith } from "./arith";
import type { ShellState } from "./host";
import type { ContainerFs } from "../runtime/fs";
import { normalizePath } from "../runtime/fs";

export interface ExpandContext {
  shell: ShellState;
  pid: number;
  fs: ContainerFs;
  /** Run `$(...)` and return its stdout (the trailing newlines are removed here). */
  runSubst(src: string): Promise<string>;
}

function getVar(shell: ShellState, name: string, pid: number): string | undefined {
  switch (name) {
    case "?":
      return String(shell.status);
    case "$":
      return String(pid);
    case "#":
      return String(Math.max(0, shell.args.length - 1));
    case "@":
    case "*":
      return shell.args.slice(1).join(" ");
    case "!":
      return "";
    case "-":
      return "hB";
    case "PWD":
      return shell.vars.PWD ?? shell.cwd;
  }
  if (/^\d$/.test(name)) return shell.args[Number(name)];
  return shell.vars[name];
}

async function partValue(p: WordPart, ctx: ExpandContext): Promise<string> {
  switch (p.t) {
    case "lit":
      return p.v;
    case "arith":
      return String(
        evalArith(await expandString({ parts: [{ t: "lit", v: "", q: true }, ...reparse(p.expr)] }, ctx), (n) =>
          getVar(ctx.shell, n, ctx.pid),
        ),
      );
    case "cmd":
      return (await ctx.runSubst(p.src)).replace(/\n+$/, "");
    case "var": {
      const v = getVar(ctx.shell, p.name, ctx.pid);
      switch (p.op) {
        case "#":
          return String((v ?? "").length);
        case ":-":
          return v ? v : await expandString(p.arg!, ctx);
        case "-":
          return v !== undefined ? v : await expandString(p.arg!, ctx);
        case ":=":
        case "=": {
          if (p.op === ":=" ? v : v !== undefined) return v!;
          const d = await expandString(p.arg!, ctx);
          ctx.shell.vars[p.name] = d;
          return d;
        }
        case ":+":
          return v ? await expandString(p.arg!, ctx) : "";
        case "+":
          return v !== undefined ? await expandString(p.arg!, ctx) : "";
        default:
          return v ?? "";
      }
    }
  }
}

/** $VAR inside $((...)) expands before evaluation; bare names are looked up by evalArith. */
function reparse(expr: string): WordPart[] {
  const parts: WordPart[] = [];
  const re = /\$\{?([A-Za-z_]\w*|[?$#0-9])\}?/g;
  let last = 0;
  for (let m = re.exec(expr); m; m = re.exec(expr)) {
    if (m.index > last) parts.push({ t: "lit", v: expr.slice(last, m.index), q: true });
    parts.push({ t: "var", name: m[1], q: true });
    last = m.index + m[0].length;
  }
  if (last < expr.length) parts.push({ t: "lit", v: expr.slice(last), q: true });
  return parts;
}

/** Expand to a single string, no splitting or globbing (assignments, redirection targets). */
export async function expandString(word: Word, ctx: ExpandContext): Promise<string> {
  let s = "";
  for (const p of word.parts) s += await partValue(p, ctx);
  return s;
}

interface Field {
  text: string;
  /** Pieces of the text and whether each may glob (unquoted literal text). */
  segs: { v: string; live: boolean }[];
  glob: boolean;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

function globToRe(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const end = s.indexOf("]", i + 1);
      if (end < 0) out += "\\[";
      else {
        out += "[" + s.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\") + "]";
        i = end;
      }
    } else out += escapeRe(c);
  }
  return out;
}

/** Expand to fields: what a command's argv gets from one word. */
export async function expandFields(word: Word, ctx: ExpandContext): Promise<string[]> {
  const fields: Field[] = [];
  let cur: Field | null = null;
  const start = (): Field => (cur ??= { text: "", segs: [], glob: false });
  const end = () => {
    if (cur) fields.push(cur);
    cur = null;
  };
  for (const p of word.parts) {
    const v = await partValue(p, ctx);
    if (p.q) {
      const f = start();
      f.text += v;
      f.segs.push({ v, live: false });
    } else if (p.t === "lit") {
      const f = start();
      f.text += v;
      f.segs.push({ v, live: true });
      if (/[*?[]/.test(v)) f.glob = true;
    } else {
      if (/^\s/.test(v)) end();
      const pieces = v.split(/\s+/).filter(Boolean);
      pieces.forEach((piece, i) => {
        if (i > 0) end();
        const f = start();
        f.text += piece;
        f.segs.push({ v: piece, live: false });
      });
      if (/\s$/.test(v)) end();
    }
  }
  end();
  const out: string[] = [];
  for (const f of fields) {
    const matches = f.glob ? glob(f, ctx) : [];
    if (matches.length) out.push(...matches);
    else out.push(f.text);
  }
  return out;
}

function glob(f: Field, ctx: ExpandContext): string[] {
  const slash = f.text.lastIndexOf("/");
  const dirText = slash >= 0 ? f.text.slice(0, slash + 1) : "";
  // The directory part must be literal; the pattern applies to the last component.
  const pattern = f.segs.map((s) => (s.live ? globToRe(s.v) : escapeRe(s.v))).join("");
  const patSlash = pattern.lastIndexOf("\\/");
  const namePattern = patSlash >= 0 ? pattern.slice(patSlash + 2) : pattern;
  const dir = normalizePath(dirText || ".", ctx.shell.cwd);
  const names = ctx.fs.list(dir) ?? [];
  const re = new RegExp(`^${namePattern}$`);
  return names.filter((n) => (n.startsWith(".") ? namePattern.startsWith("\\.") : true) && re.test(n)).map((n) => dirText + n);
}
