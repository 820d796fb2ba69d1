// Text commands: echo printf head tail wc grep seq, and test/[ .
import { FsError, normalizePath } from "../../runtime/fs";
import { errnoText, parseOpts, type CommandContext, type CommandFn } from "./types";

const busybox = (ctx: CommandContext) => ctx.host.image.userland === "busybox";

function unescape(s: string): { text: string; stop: boolean } {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== "\\" || i + 1 >= s.length) {
      out += s[i];
      continue;
    }
    const c = s[++i];
    const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", a: "\x07", b: "\b", e: "\x1b", f: "\f", v: "\v" };
    if (c === "c") return { text: out, stop: true };
    if (c === "0") {
      const m = /^[0-7]{0,3}/.exec(s.slice(i + 1))![0];
      out += String.fromCharCode(parseInt(m || "0", 8));
      i += m.length;
    } else out += map[c] ?? "\\" + c;
  }
  return { text: out, stop: false };
}

export const echo: CommandFn = (ctx) => {
  const args = ctx.argv.slice(1);
  let newline = true;
  // dash's echo always interprets escapes; bash's and busybox's only with -e.
  let escapes = ctx.shell.flavour === "dash";
  while (args.length && /^-[neE]+$/.test(args[0])) {
    const f = args.shift()!;
    if (f.includes("n")) newline = false;
    if (f.includes("e")) escapes = true;
    if (f.includes("E")) escapes = false;
  }
  let text = args.join(" ");
  if (escapes) {
    const u = unescape(text);
    text = u.text;
    if (u.stop) newline = false;
  }
  ctx.io.out(text + (newline ? "\n" : ""));
  return 0;
};

export const printf: CommandFn = (ctx) => {
  const [fmt, ...args] = ctx.argv.slice(1);
  if (fmt === undefined) {
    ctx.io.err("printf: usage: printf [-v var] format [arguments]\n");
    return 2;
  }
  let out = "";
  let ai = 0;
  do {
    out += fmt.replace(/%([-0-9.]*)([sdcbx%])|\\./g, (m, width: string | undefined, conv: string | undefined) => {
      if (m.startsWith("\\")) return unescape(m).text;
      if (conv === "%") return "%";
      const arg = args[ai++] ?? "";
      let v = conv === "d" ? String(Number.parseInt(arg || "0", 10) || 0) : conv === "x" ? (Number.parseInt(arg, 10) || 0).toString(16) : conv === "b" ? unescape(arg).text : conv === "c" ? arg.slice(0, 1) : arg;
      const w = Number.parseInt(width ?? "", 10);
      if (!Number.isNaN(w)) v = width!.startsWith("-") ? v.padEnd(-w) : v.padStart(w, width!.startsWith("0") ? "0" : " ");
      return v;
    });
  } while (ai > 0 && ai < args.length);
  ctx.io.out(out);
  return 0;
};

/** The inputs of a text filter: its file operands, or stdin. Reports missing files. */
function inputs(ctx: CommandContext, name: string, files: string[]): { label: string; text: string }[] | number {
  if (!files.length) return [{ label: "", text: ctx.io.stdin.readAll() }];
  const out: { label: string; text: string }[] = [];
  let failed = false;
  for (const f of files) {
    try {
      const t = f === "-" ? ctx.io.stdin.readAll() : ctx.host.fs.read(normalizePath(f, ctx.shell.cwd));
      if (t === undefined) throw new FsError("ENOENT", f);
      out.push({ label: f, text: t });
    } catch (e) {
      const code = e instanceof FsError ? e.code : "EIO";
      ctx.io.err(busybox(ctx) ? `${name}: can't open '${f}': ${errnoText(code)}\n` : `${name}: ${f}: ${errnoText(code)}\n`);
      failed = true;
    }
  }
  return failed && !out.length ? 1 : out;
}

const lines = (text: string) => {
  const l = text.split("\n");
  if (l[l.length - 1] === "") l.pop();
  return l;
};

function countOpt(ctx: CommandContext): { n: number; files: string[] } {
  const args = ctx.argv.slice(1);
  let n = 10;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-n") n = Number.parseInt(args[++i] ?? "10", 10);
    else if (/^-n\d+$/.test(a)) n = Number.parseInt(a.slice(2), 10);
    else if (/^-\d+$/.test(a)) n = Number.parseInt(a.slice(1), 10);
    else if (a === "-f" || a === "-F" || a === "-q") continue;
    else files.push(a);
  }
  return { n, files };
}

const headTail =
  (which: "head" | "tail"): CommandFn =>
  (ctx) => {
    const { n, files } = countOpt(ctx);
    const ins = inputs(ctx, which, files);
    if (typeof ins === "number") return ins;
    ins.forEach((f, i) => {
      if (ins.length > 1) ctx.io.out(`${i ? "\n" : ""}==> ${f.label} <==\n`);
      const l = lines(f.text);
      const sel = which === "head" ? l.slice(0, n) : l.slice(Math.max(0, l.length - n));
      if (sel.length) ctx.io.out(sel.join("\n") + "\n");
    });
    return 0;
  };
export const head = headTail("head");
export const tail = headTail("tail");

export const wc: CommandFn = (ctx) => {
  const { flags, operands } = parseOpts(ctx.argv.slice(1));
  const ins = inputs(ctx, "wc", operands);
  if (typeof ins === "number") return ins;
  const pick = flags.l || flags.w || flags.c ? flags : { l: true, w: true, c: true };
  const rows = ins.map((f) => ({
    label: f.label,
    l: (f.text.match(/\n/g) ?? []).length,
    w: f.text.split(/\s+/).filter(Boolean).length,
    c: new TextEncoder().encode(f.text).length,
  }));
  if (rows.length > 1) rows.push({ label: "total", ...["l", "w", "c"].reduce((acc, k) => ({ ...acc, [k]: rows.reduce((s, r) => s + (r as unknown as Record<string, number>)[k], 0) }), {} as { l: number; w: number; c: number }) });
  const single = Object.keys(pick).length === 1 && !operands.length;
  for (const r of rows) {
    const cols = (["l", "w", "c"] as const).filter((k) => pick[k]).map((k) => (single ? String(r[k]) : String(r[k]).padStart(busybox(ctx) ? 9 : 7)));
    ctx.io.out(cols.join(busybox(ctx) ? "" : " ").trimStart() + (r.label ? ` ${r.label}` : "") + "\n");
  }
  return 0;
};

export const grep: CommandFn = (ctx) => {
  const { flags, operands } = parseOpts(ctx.argv.slice(1), "e");
  const pattern = typeof flags.e === "string" ? flags.e : operands.shift();
  if (pattern === undefined) {
    ctx.io.err(busybox(ctx) ? "BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: grep [-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...\n" : "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n");
    return 2;
  }
  let source = pattern;
  if (flags.F) source = pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  else if (!flags.E) source = pattern.replace(/\\([|(){}+?])/g, "$1"); // BRE: \| \( are the operators
  if (flags.w) source = `\\b(?:${source})\\b`;
  if (flags.x) source = `^(?:${source})$`;
  let re: RegExp;
  try {
    re = new RegExp(source, flags.i ? "i" : "");
  } catch {
    ctx.io.err(`grep: Invalid regular expression\n`);
    return 2;
  }
  const ins = inputs(ctx, "grep", operands);
  if (typeof ins === "number") return 2;
  let matched = 0;
  for (const f of ins) {
    let count = 0;
    lines(f.text).forEach((line, i) => {
      if (re.test(line) === !flags.v) {
        count++;
        matched++;
        if (flags.q || flags.c || flags.l) return;
        const prefix = (ins.length > 1 ? `${f.label}:` : "") + (flags.n ? `${i + 1}:` : "");
        if (flags.o && !flags.v) {
          for (const m of line.match(new RegExp(re.source, re.flags + "g")) ?? []) ctx.io.out(prefix + m + "\n");
        } else ctx.io.out(prefix + line + "\n");
      }
    });
    if (flags.c) ctx.io.out((ins.length > 1 ? `${f.label}:` : "") + count + "\n");
    if (flags.l && count) ctx.io.out(f.label + "\n");
  }
  return matched ? 0 : 1;
};

export const seq: CommandFn = (ctx) => {
  const nums = ctx.argv.slice(1).map(Number);
  if (!nums.length || nums.some(Number.isNaN)) {
    ctx.io.err(`seq: invalid argument\n`);
    return 1;
  }
  const [first, step, last] = nums.length === 1 ? [1, 1, nums[0]] : nums.length === 2 ? [nums[0], 1, nums[1]] : nums;
  const out: string[] = [];
  for (let v = first; step > 0 ? v <= last : v >= last; v += step) {
    out.push(String(v));
    if (out.length > 100_000) break;
  }
  if (out.length) ctx.io.out(out.join("\n") + "\n");
  return 0;
};

export const trueCmd: CommandFn = () => 0;
export const falseCmd: CommandFn = () => 1;

/** test / [ : the file, string and integer tests scripts use in conditions. */
export const test: CommandFn = (ctx) => {
  let args = ctx.argv.slice(1);
  if (ctx.argv[0] === "[" || ctx.argv[0].endsWith("/[")) {
    if (args[args.length - 1] !== "]") {
      ctx.io.err(`${ctx.shell.flavour === "bash" ? "bash: " : "sh: "}[: missing ]\n`);
      return 2;
    }
    args = args.slice(0, -1);
  }
  const fs = ctx.host.fs;
  const path = (p: string) => normalizePath(p, ctx.shell.cwd);
  const unary: Record<string, (a: string) => boolean> = {
    "-e": (a) => !!fs.stat(path(a)),
    "-f": (a) => ["f", "x"].includes(fs.stat(path(a))?.k ?? ""),
    "-d": (a) => fs.stat(path(a))?.k === "d",
    "-s": (a) => !!fs.read(path(a))?.length,
    "-x": (a) => ["x", "d"].includes(fs.stat(path(a))?.k ?? ""),
    "-r": (a) => !!fs.stat(path(a)),
    "-w": (a) => !!fs.stat(path(a)),
    "-z": (a) => a.length === 0,
    "-n": (a) => a.length > 0,
  };
  const int = (s: string) => {
    const n = Number(s);
    if (!/^\s*-?\d+\s*$/.test(s)) throw new Error(`${s}: integer expression expected`);
    return n;
  };
  const binary: Record<string, (a: string, b: string) => boolean> = {
    "=": (a, b) => a === b,
    "==": (a, b) => a === b,
    "!=": (a, b) => a !== b,
    "-eq": (a, b) => int(a) === int(b),
    "-ne": (a, b) => int(a) !== int(b),
    "-lt": (a, b) => int(a) < int(b),
    "-le": (a, b) => int(a) <= int(b),
    "-gt": (a, b) => int(a) > int(b),
    "-ge": (a, b) => int(a) >= int(b),
  };
  const evalExpr = (a: string[]): boolean => {
    const orAt = a.indexOf("-o");
    if (orAt > 0) return evalExpr(a.slice(0, orAt)) || evalExpr(a.slice(orAt + 1));
    const andAt = a.indexOf("-a");
    if (andAt > 0) return evalExpr(a.slice(0, andAt)) && evalExpr(a.slice(andAt + 1));
    if (a[0] === "!") return !evalExpr(a.slice(1));
    if (a.length === 0) return false;
    if (a.length === 1) return a[0].length > 0;
    if (a.length === 2 && unary[a[0]]) return unary[a[0]](a[1]);
    if (a.length === 3 && binary[a[1]]) return binary[a[1]](a[0], a[2]);
    throw new Error(`${a[0]}: unary operator expected`);
  };
  try {
    return evalExpr(args) ? 0 : 1;
  } catch (e) {
    ctx.io.err(`${ctx.shell.flavour === "bash" ? "bash: " : "sh: "}${ctx.argv[0]}: ${(e as Error).message}\n`);
    return 2;
  }
};
