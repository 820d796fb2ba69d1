// tar: create (c), extract (x) and list (t) ustar archives of the container's files,
// through stdin/stdout (`f -`) or a file, optionally gzipped (z). This is what
// `kubectl cp` runs: `tar cf - <path>` to copy out of a pod, `tar -xmf - -C <dir>` to
// copy in, so archives are real (the host's tar and kubectl read and write them).
// The archive format itself is nanotar's; member names lose a leading "/", as both
// GNU tar and busybox do, and say so on stderr.
import { createTar, parseTar, type ParsedTarFileItem, type TarFileInput } from "nanotar";
import { gzipSync } from "fflate";
import { FsError, normalizePath, type ContainerFs } from "../../runtime/fs";
import { decodeBytes, encodeBytes } from "../../../util/byte-text";
import { isBusybox } from "./input";
import { gunzipBytes, isGzip } from "./gzip";
import { errnoText, type CommandContext, type CommandFn } from "./types";

type Op = "c" | "x" | "t";

interface TarArgs {
  op?: Op;
  file?: string;
  dir?: string;
  gzip: boolean;
  verbose: boolean;
  toStdout: boolean;
  keepMtime: boolean;
  operands: string[];
  bad?: string;
}

const LONG_IGNORED = new Set(["--no-same-permissions", "--no-same-owner", "--same-owner", "--preserve-permissions", "--numeric-owner", "--overwrite"]);

/** tar's argument forms: a first word of bundled letters with or without "-" ("cf", "-xmf"), short and long options. */
export function parseTarArgs(argv: string[]): TarArgs {
  const a: TarArgs = { gzip: false, verbose: false, toStdout: false, keepMtime: true, operands: [] };
  const words = [...argv];
  // The traditional form: the first word is letters without a dash.
  if (words[0] && !words[0].startsWith("-")) words[0] = "-" + words[0];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === "--") {
      a.operands.push(...words.slice(i + 1));
      break;
    }
    if (w.startsWith("--")) {
      const [name, value] = w.includes("=") ? [w.slice(0, w.indexOf("=")), w.slice(w.indexOf("=") + 1)] : [w, undefined];
      if (name === "--file") a.file = value ?? words[++i];
      else if (name === "--directory") a.dir = value ?? words[++i];
      else if (name === "--gzip" || name === "--gunzip") a.gzip = true;
      else if (name === "--create") a.op = "c";
      else if (name === "--extract" || name === "--get") a.op = "x";
      else if (name === "--list") a.op = "t";
      else if (name === "--verbose") a.verbose = true;
      else if (name === "--to-stdout") a.toStdout = true;
      else if (name === "--touch") a.keepMtime = false;
      else if (!LONG_IGNORED.has(name)) a.bad = w;
      continue;
    }
    if (w.startsWith("-") && w.length > 1) {
      for (let j = 1; j < w.length; j++) {
        const f = w[j];
        if (f === "c" || f === "x" || f === "t") a.op = f;
        else if (f === "f" || f === "C") {
          const v = w.slice(j + 1) || words[++i];
          if (f === "f") a.file = v;
          else a.dir = v;
          break;
        } else if (f === "z") a.gzip = true;
        else if (f === "v") a.verbose = true;
        else if (f === "O") a.toStdout = true;
        else if (f === "m") a.keepMtime = false;
        else if (f === "p" || f === "o") continue;
        else {
          a.bad = `-${f}`;
          break;
        }
      }
      continue;
    }
    a.operands.push(w);
  }
  return a;
}

/** What a file entry holds as a member; executables are the image's stand-in bytes. */
function collect(fs: ContainerFs, path: string, name: string, out: TarFileInput[], now: number): void {
  const e = fs.stat(path);
  if (!e) throw new FsError("ENOENT", path);
  const mtime = fs.mtime(path) ?? now;
  if (e.k === "d") {
    out.push({ name: name.endsWith("/") ? name : `${name}/`, attrs: { mode: "755", mtime, uid: 0, gid: 0, user: "root", group: "root" } });
    for (const child of fs.list(path) ?? []) collect(fs, path === "/" ? `/${child}` : `${path}/${child}`, name.endsWith("/") ? name + child : `${name}/${child}`, out, now);
    return;
  }
  const data = encodeBytes(fs.read(path) ?? "");
  out.push({ name, data, attrs: { mode: e.k === "x" ? "755" : "644", mtime, uid: 0, gid: 0, user: "root", group: "root" } });
}

/** The end of a run in which something failed: GNU tar says so once more and exits 2. */
function failedStatus(ctx: CommandContext): number {
  if (!isBusybox(ctx)) ctx.io.err("tar: Exiting with failure status due to previous errors\n");
  return isBusybox(ctx) ? 1 : 2;
}

function fail(ctx: CommandContext, text: string): number {
  ctx.io.err(`tar: ${text}\n`);
  return failedStatus(ctx);
}

function create(ctx: CommandContext, a: TarArgs, base: string): number {
  if (!a.operands.length) {
    ctx.io.err(isBusybox(ctx) ? "tar: empty archive\n" : "tar: Cowardly refusing to create an empty archive\nTry 'tar --help' or 'tar --usage' for more information.\n");
    return isBusybox(ctx) ? 1 : 2;
  }
  const members: TarFileInput[] = [];
  let failed = false;
  let warnedSlash = false;
  for (const op of a.operands) {
    let name = op.replace(/^\/+/, "");
    if (name !== op && !warnedSlash) {
      warnedSlash = true;
      ctx.io.err(isBusybox(ctx) ? "tar: removing leading '/' from member names\n" : "tar: Removing leading `/' from member names\n");
    }
    if (!name) name = "/";
    try {
      collect(ctx.host.fs, normalizePath(op, base), name, members, ctx.now);
    } catch (e) {
      const code = e instanceof FsError ? e.code : "EIO";
      ctx.io.err(isBusybox(ctx) ? `tar: can't stat '${op}': ${errnoText(code)}\n` : `tar: ${op}: Cannot stat: ${errnoText(code)}\n`);
      failed = true;
    }
  }
  if (a.verbose) for (const m of members) (a.file === "-" || !a.file ? ctx.io.err : ctx.io.out)(m.name + "\n");
  let archive = withEndBlocks(createTar(members));
  if (a.gzip) archive = gzipSync(archive, { mtime: 0 });
  const text = decodeBytes(archive);
  if (!a.file || a.file === "-") ctx.io.out(text);
  else {
    try {
      ctx.host.fs.write(normalizePath(a.file, ctx.shell.cwd), text, false, ctx.now);
    } catch (e) {
      return fail(ctx, `${a.file}: Cannot open: ${errnoText(e instanceof FsError ? e.code : "EIO")}`);
    }
  }
  return failed ? failedStatus(ctx) : 0;
}

/** Two zero blocks end an archive; nanotar leaves them out when its data fills its last record. */
function withEndBlocks(archive: Uint8Array): Uint8Array {
  const tail = archive.subarray(Math.max(0, archive.length - 1024));
  if (tail.length === 1024 && tail.every((b) => b === 0)) return archive;
  const out = new Uint8Array(archive.length + 10240);
  out.set(archive);
  return out;
}

function readArchive(ctx: CommandContext, a: TarArgs): Uint8Array | string {
  if (!a.file || a.file === "-") return encodeBytes(ctx.io.stdin.readAll());
  try {
    const text = ctx.host.fs.read(normalizePath(a.file, ctx.shell.cwd));
    if (text === undefined) throw new FsError("ENOENT", a.file);
    return encodeBytes(text);
  } catch (e) {
    const code = e instanceof FsError ? e.code : "EIO";
    return isBusybox(ctx) ? `can't open '${a.file}': ${errnoText(code)}` : `${a.file}: Cannot open: ${errnoText(code)}`;
  }
}

/** The members of an archive, or an error message; a gzipped archive is read as GNU tar and busybox detect it. */
function members(ctx: CommandContext, a: TarArgs): ParsedTarFileItem[] | string {
  let bytes = readArchive(ctx, a);
  if (typeof bytes === "string") return bytes;
  if (isGzip(bytes)) {
    const plain = gunzipBytes(bytes);
    if (!plain) return isBusybox(ctx) ? "corrupted data" : "Child returned status 1";
    bytes = plain;
  }
  if (!bytes.length) return [];
  const looksLikeTar = bytes.length >= 512 && (bytes.every((b) => b === 0) || validChecksum(bytes));
  if (!looksLikeTar) return isBusybox(ctx) ? "invalid tar magic" : "This does not look like a tar archive";
  // parseTar reads from the start of the buffer: give it one of its own.
  return parseTar(bytes.slice());
}

/** A ustar header's checksum: the sum of its bytes with the checksum field as spaces. */
function validChecksum(block: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  const field = decodeBytes(block.subarray(148, 156)).replace(/[\0 ]/g, "");
  return field !== "" && parseInt(field, 8) === sum;
}

function extract(ctx: CommandContext, a: TarArgs, base: string, items: ParsedTarFileItem[]): number {
  const fs = ctx.host.fs;
  const wanted = a.operands.map((o) => o.replace(/^\/+/, "").replace(/\/+$/, ""));
  const picked = (name: string) => !wanted.length || wanted.some((w) => name === w || name.startsWith(w + "/") || name === w + "/");
  let failed = false;
  for (const item of items) {
    const name = item.name.replace(/^\/+/, "");
    if (!name || !picked(name)) continue;
    if (a.verbose) ctx.io.out(name + "\n");
    const at = a.keepMtime && item.attrs?.mtime !== undefined ? item.attrs.mtime * 1000 : ctx.now;
    const target = normalizePath(name, base);
    try {
      if (item.type === "directory") {
        if (!a.toStdout) fs.mkdir(target, true, at);
        continue;
      }
      if (item.type !== "file" && item.type !== "contiguousFile") continue;
      const text = decodeBytes(item.data ?? new Uint8Array(0));
      if (a.toStdout) {
        ctx.io.out(text);
        continue;
      }
      const parent = target.slice(0, target.lastIndexOf("/")) || "/";
      if (!fs.isDir(parent)) fs.mkdir(parent, true, ctx.now);
      fs.write(target, text, false, at);
    } catch (e) {
      const code = e instanceof FsError ? e.code : "EIO";
      ctx.io.err(isBusybox(ctx) ? `tar: can't open '${name}': ${errnoText(code)}\n` : `tar: ${name}: Cannot open: ${errnoText(code)}\n`);
      failed = true;
    }
  }
  return failed ? failedStatus(ctx) : 0;
}

export const tar: CommandFn = (ctx) => {
  const a = parseTarArgs(ctx.argv.slice(1));
  if (a.bad) {
    ctx.io.err(isBusybox(ctx) ? `tar: unrecognized option '${a.bad}'\n` : `tar: unrecognized option '${a.bad}'\nTry 'tar --help' or 'tar --usage' for more information.\n`);
    return isBusybox(ctx) ? 1 : 64;
  }
  if (!a.op) {
    ctx.io.err(isBusybox(ctx) ? "tar: need one of 'c', 'x' or 't'\n" : "tar: You must specify one of the '-Acdtrux', '--delete' or '--test-label' options\nTry 'tar --help' or 'tar --usage' for more information.\n");
    return isBusybox(ctx) ? 1 : 2;
  }
  const base = a.dir ? normalizePath(a.dir, ctx.shell.cwd) : ctx.shell.cwd;
  if (a.dir && !ctx.host.fs.isDir(base)) {
    return fail(ctx, isBusybox(ctx) ? `can't change directory to '${a.dir}': No such file or directory` : `${a.dir}: Cannot open: No such file or directory`);
  }
  if (a.op === "c") return create(ctx, a, base);
  const items = members(ctx, a);
  if (typeof items === "string") return fail(ctx, items);
  if (a.op === "t") {
    for (const item of items) ctx.io.out(item.name + "\n");
    return 0;
  }
  return extract(ctx, a, base, items);
};
