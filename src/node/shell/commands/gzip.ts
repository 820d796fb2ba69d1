// gzip, gunzip and zcat: real DEFLATE streams (fflate), so that what leaves a container
// through `kubectl exec ... | gzip` is a file the host's own gunzip reads. Files are
// replaced by their .gz (or back) unless -c or -k, as GNU gzip and busybox do; exit 1
// is an error, 2 a warning (a file skipped), as in GNU gzip.
import { gunzipSync, gzipSync } from "fflate";
import { FsError, normalizePath } from "../../runtime/fs";
import { decodeBytes, encodeBytes } from "../../../util/byte-text";
import { isBusybox } from "./input";
import { errnoText, parseOpts, type CommandContext, type CommandFn } from "./types";

type Level = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

interface Mode {
  decompress: boolean;
  toStdout: boolean;
  keep: boolean;
  force: boolean;
  level: Level;
}

/** gzip's default level, as in GNU gzip and busybox. */
const DEFAULT_LEVEL: Level = 6;

function compress(text: string, level: Level, meta: { name?: string; mtime: number }): string {
  // A stream from stdin carries no name and time 0, as GNU gzip writes it for a pipe.
  return decodeBytes(gzipSync(encodeBytes(text), { level, mtime: meta.mtime, filename: meta.name }));
}

/** Whether the bytes start with gzip's magic number. */
export const isGzip = (bytes: Uint8Array) => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** The original bytes of a gzip stream, or undefined when it is not a whole one. */
export function gunzipBytes(bytes: Uint8Array): Uint8Array | undefined {
  if (!isGzip(bytes)) return undefined;
  try {
    return gunzipSync(bytes);
  } catch {
    return undefined;
  }
}

function decompress(text: string): string | undefined {
  const out = gunzipBytes(encodeBytes(text));
  return out && decodeBytes(out);
}

function notGzip(ctx: CommandContext, name: string, label: string): void {
  ctx.io.err(isBusybox(ctx) ? `${name}: invalid magic\n` : `gzip: ${label}: not in gzip format\n`);
}

/** Filter stdin to stdout. */
function filterStdin(ctx: CommandContext, name: string, mode: Mode): number {
  const input = ctx.io.stdin.readAll();
  if (!mode.decompress) {
    ctx.io.out(compress(input, mode.level, { mtime: 0 }));
    return 0;
  }
  const out = decompress(input);
  if (out === undefined) {
    notGzip(ctx, name, "stdin");
    return 1;
  }
  ctx.io.out(out);
  return 0;
}

/** One file operand: 0 done, 1 error, 2 skipped with a warning. */
function one(ctx: CommandContext, name: string, mode: Mode, file: string): number {
  const fs = ctx.host.fs;
  const path = normalizePath(file, ctx.shell.cwd);
  let text: string | undefined;
  try {
    text = fs.read(path);
  } catch (e) {
    if (e instanceof FsError && e.code === "EISDIR") {
      ctx.io.err(isBusybox(ctx) ? `${name}: ${file}: Is a directory\n` : `gzip: ${file} is a directory -- ignored\n`);
      return 2;
    }
    throw e;
  }
  if (text === undefined) {
    ctx.io.err(isBusybox(ctx) ? `${name}: can't open '${file}': No such file or directory\n` : `gzip: ${file}: No such file or directory\n`);
    return 1;
  }
  let target: string;
  let out: string | undefined;
  if (mode.decompress) {
    if (!mode.toStdout && !/\.gz$|\.tgz$|-gz$|\.z$|-z$|_z$/i.test(file)) {
      ctx.io.err(isBusybox(ctx) ? `${name}: ${file}: unknown suffix - ignored\n` : `gzip: ${file}: unknown suffix -- ignored\n`);
      return isBusybox(ctx) ? 1 : 2;
    }
    out = decompress(text);
    if (out === undefined) {
      notGzip(ctx, name, file);
      return 1;
    }
    target = /\.tgz$/i.test(path) ? path.replace(/\.tgz$/i, ".tar") : path.replace(/(\.gz|-gz|\.z|-z|_z)$/i, "");
  } else {
    if (!mode.toStdout && /\.gz$/i.test(file)) {
      if (isBusybox(ctx)) return 0;
      ctx.io.err(`gzip: ${file} already has .gz suffix -- unchanged\n`);
      return 2;
    }
    const base = path.slice(path.lastIndexOf("/") + 1);
    out = compress(text, mode.level, { name: base, mtime: fs.mtime(path) ?? ctx.now });
    target = path + ".gz";
  }
  if (mode.toStdout) {
    ctx.io.out(out);
    return 0;
  }
  const shown = mode.decompress ? file.replace(/(\.gz|\.tgz|-gz|\.z|-z|_z)$/i, "") : file + ".gz";
  if (fs.stat(target) && !mode.force) {
    ctx.io.err(isBusybox(ctx) ? `${name}: can't open '${shown}': File exists\n` : `gzip: ${shown} already exists; not overwritten\n`);
    return isBusybox(ctx) ? 1 : 2;
  }
  try {
    fs.write(target, out, false, fs.mtime(path) ?? ctx.now);
    if (!mode.keep) fs.remove(path, false);
  } catch (e) {
    const code = e instanceof FsError ? e.code : "EIO";
    ctx.io.err(`${isBusybox(ctx) ? name : "gzip"}: ${shown}: ${errnoText(code)}\n`);
    return 1;
  }
  return 0;
}

function run(ctx: CommandContext, name: string, preset: Partial<Mode>): number {
  // parseOpts reads "-9" as a number operand (for head -5); for gzip it is the level.
  const args = ctx.argv.slice(1);
  const levels = args.filter((a) => /^-[1-9]$/.test(a));
  const { flags, operands } = parseOpts(args.filter((a) => !/^-[1-9]$/.test(a)));
  const digits = [...levels.map((a) => a.slice(1)), ...Object.keys(flags).filter((f) => /^[1-9]$/.test(f))];
  const mode: Mode = {
    decompress: !!flags.d,
    toStdout: !!flags.c,
    keep: !!flags.k,
    force: !!flags.f,
    level: digits.length ? (Number(digits[digits.length - 1]) as Level) : DEFAULT_LEVEL,
    ...preset,
  };
  if (!operands.length) return filterStdin(ctx, name, mode);
  let status = 0;
  for (const file of operands) {
    const s = file === "-" ? filterStdin(ctx, name, mode) : one(ctx, name, mode, file);
    // An error (1) outranks a warning (2), as GNU gzip reports it.
    if (s === 1 || (s === 2 && status === 0)) status = s;
  }
  return status;
}

export const gzip: CommandFn = (ctx) => run(ctx, "gzip", {});
export const gunzip: CommandFn = (ctx) => run(ctx, "gunzip", { decompress: true });
export const zcat: CommandFn = (ctx) => run(ctx, "zcat", { decompress: true, toStdout: true });
