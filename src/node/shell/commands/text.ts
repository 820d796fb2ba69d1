// Text commands: echo printf grep seq, and test/[ .
import { normalizePath } from "../../runtime/fs";
import { decodeBytes, encodeBytes } from "../../../util/byte-text";
import { readInputs, splitLines } from "./input";
import { parseOpts, type CommandContext, type CommandFn } from "./types";

const busybox = (ctx: CommandContext) => ctx.host.image.userland === "busybox";

const SIMPLE_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", a: "\x07", b: "\b", e: "\x1b", f: "\f", v: "\v" };

/** A byte written by an escape: bytes above 0x7F stand as their lone surrogate until normalised. */
const byteChar = (v: number) => String.fromCharCode((v & 0xff) < 0x80 ? v & 0xff : 0xdc00 + (v & 0xff));

/**
 * Backslash escapes. "echo" (echo -e, printf %b) takes octal as \0NNN; "format" (a
 * printf format) as \NNN. Both take \xHH. \c stops all output.
 */
function unescape(s: string, mode: "echo" | "format"): { text: string; stop: boolean } {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== "\\" || i + 1 >= s.length) {
      out += s[i];
      continue;
    }
    const c = s[++i];
    if (c === "c") return { text: out, stop: true };
    const octal = mode === "echo" ? (c === "0" ? /^[0-7]{0,3}/.exec(s.slice(i + 1))![0] : null) : /^[0-7]{1,3}/.exec(s.slice(i))?.[0];
    const hex = c === "x" ? /^[0-9a-fA-F]{1,2}/.exec(s.slice(i + 1))?.[0] : undefined;
    if (octal !== null && octal !== undefined) {
      out += byteChar(parseInt(octal || "0", 8));
      i += mode === "echo" ? octal.length : octal.length - 1;
    } else if (hex) {
      out += byteChar(parseInt(hex, 16));
      i += hex.length;
    } else out += SIMPLE_ESCAPES[c] ?? "\\" + c;
  }
  return { text: out, stop: false };
}

/** Output that escapes wrote bytes into: bytes that spell UTF-8 together become its text. */
const normalise = (text: string) => (/[\udc80-\udcff]/.test(text) ? decodeBytes(encodeBytes(text)) : text);

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
    const u = unescape(text, "echo");
    text = normalise(u.text);
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
  let ai = 0;
  let stop = false;
  const expand = (m: string, width: string | undefined, conv: string | undefined): string => {
    if (m.startsWith("\\")) {
      const u = unescape(m, "format");
      stop = u.stop;
      return u.text;
    }
    if (conv === "%") return "%";
    const arg = args[ai++] ?? "";
    const int = () => Number.parseInt(arg || "0", 10) || 0;
    let v: string;
    if (conv === "d" || conv === "i" || conv === "u") v = String(int());
    else if (conv === "x" || conv === "X" || conv === "o") v = int().toString(conv === "o" ? 8 : 16)[conv === "X" ? "toUpperCase" : "toLowerCase"]();
    else if (conv === "b") {
      const u = unescape(arg, "echo");
      stop = u.stop;
      v = u.text;
    } else v = conv === "c" ? arg.slice(0, 1) : arg;
    const w = Number.parseInt(width ?? "", 10);
    if (!Number.isNaN(w)) v = width!.startsWith("-") ? v.padEnd(-w) : v.padStart(w, width!.startsWith("0") ? "0" : " ");
    return v;
  };
  let out = "";
  const directive = /%([-0-9.]*)([sdiucbxXo%])|\\(?:[0-7]{1,3}|x[0-9a-fA-F]{1,2}|.)/g;
  // The format is used again for arguments left over, as printf does.
  do {
    let last = 0;
    for (let m = directive.exec(fmt); m && !stop; m = directive.exec(fmt)) {
      out += fmt.slice(last, m.index);
      last = m.index + m[0].length;
      out += expand(m[0], m[1], m[2]);
    }
    if (!stop) out += fmt.slice(last);
    directive.lastIndex = 0;
  } while (!stop && ai > 0 && ai < args.length);
  ctx.io.out(normalise(out));
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
  const { inputs: ins, failed } = readInputs(ctx, "grep", operands);
  if (failed && !ins.length) return 2;
  let matched = 0;
  for (const f of ins) {
    let count = 0;
    splitLines(f.text).forEach((line, i) => {
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
  // An unreadable file is an error (2), unless -q found a match anyway.
  return failed && !(flags.q && matched) ? 2 : matched ? 0 : 1;
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
