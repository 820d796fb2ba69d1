// ls: names (one per line off a tty, -1, -a) and the long listing (-l): mode, links,
// owner, group, size in bytes, modification time, name, with a "total" of 1 KiB
// blocks per directory. GNU aligns each column to its widest entry; busybox prints
// fixed widths. Times within six months show the hour, older ones the year.
import { normalizePath } from "../../runtime/fs";
import { IMAGE_FILES_MTIME } from "../../images/rootfs";
import { byteLength } from "../../../util/byte-text";
import { isBusybox } from "./input";
import { parseOpts, type CommandContext, type CommandFn } from "./types";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const HALF_YEAR_MS = (365.2425 / 2) * 86_400_000;
/** What an executable of the image weighs when the model has no content for it. */
const PROGRAM_BYTES = 64 * 1024;
const BLOCK = 4096;

interface LongEntry {
  mode: string;
  links: number;
  size: number;
  time: number;
  name: string;
}

const abs = (ctx: CommandContext, p: string) => normalizePath(p, ctx.shell.cwd);

function entryOf(ctx: CommandContext, path: string, name: string): LongEntry {
  const fs = ctx.host.fs;
  const e = fs.stat(path);
  const time = fs.mtime(path) ?? IMAGE_FILES_MTIME;
  if (e?.k === "d") {
    const subdirs = (fs.list(path) ?? []).filter((n) => fs.isDir(normalizePath(n, path))).length;
    return { mode: "drwxr-xr-x", links: 2 + subdirs, size: BLOCK, time, name };
  }
  if (e?.k === "x") return { mode: "-rwxr-xr-x", links: 1, size: e.data !== undefined ? byteLength(e.data) : PROGRAM_BYTES, time, name };
  return { mode: "-rw-r--r--", links: 1, size: e?.k === "f" ? byteLength(e.data) : 0, time, name };
}

function when(ms: number, now: number): string {
  const d = new Date(ms);
  const day = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)}`;
  const age = now - ms;
  const recent = age < HALF_YEAR_MS && age > -15 * 60_000;
  return recent ? `${day} ${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}` : `${day}  ${d.getUTCFullYear()}`;
}

function longListing(ctx: CommandContext, entries: LongEntry[]): string[] {
  if (isBusybox(ctx)) {
    return entries.map((e) => `${e.mode} ${String(e.links).padStart(4)} ${"root".padEnd(8)} ${"root".padEnd(8)} ${String(e.size).padStart(9)} ${when(e.time, ctx.now)} ${e.name}`);
  }
  const linkWidth = Math.max(...entries.map((e) => String(e.links).length));
  const sizeWidth = Math.max(...entries.map((e) => String(e.size).length));
  return entries.map((e) => `${e.mode} ${String(e.links).padStart(linkWidth)} root root ${String(e.size).padStart(sizeWidth)} ${when(e.time, ctx.now)} ${e.name}`);
}

/** 1 KiB blocks a listing's entries take (4 KiB file system blocks). */
const blocks = (entries: LongEntry[]) => entries.reduce((n, e) => n + Math.ceil(e.size / BLOCK) * (BLOCK / 1024), 0);

export const ls: CommandFn = (ctx) => {
  const { flags, operands } = parseOpts(ctx.argv.slice(1));
  const long = !!flags.l;
  const all = !!flags.a;
  const one = !!flags["1"] || !ctx.tty;
  const targets = operands.length ? operands : ["."];
  let status = 0;
  const sections: string[] = [];
  const render = (names: string[], dir: string | null): string => {
    if (!long) return names.join(one ? "\n" : "  ");
    const entries = names.map((n) => entryOf(ctx, dir === null ? abs(ctx, n) : normalizePath(n, dir), n));
    const lines = entries.length ? longListing(ctx, entries) : [];
    return (dir === null ? lines : [`total ${blocks(entries)}`, ...lines]).join("\n");
  };
  const fileOps: string[] = [];
  const dirOps: string[] = [];
  for (const t of targets) {
    const e = ctx.host.fs.stat(abs(ctx, t));
    if (!e) {
      ctx.io.err(isBusybox(ctx) ? `ls: ${t}: No such file or directory\n` : `ls: cannot access '${t}': No such file or directory\n`);
      status = isBusybox(ctx) ? 1 : 2;
    } else if (e.k === "d") dirOps.push(t);
    else fileOps.push(t);
  }
  if (fileOps.length) sections.push(render(fileOps, null));
  for (const d of dirOps) {
    const path = abs(ctx, d);
    let names = ctx.host.fs.list(path) ?? [];
    if (all) names = [".", "..", ...names];
    else names = names.filter((n) => !n.startsWith("."));
    const header = targets.length > 1 ? `${d}:\n` : "";
    sections.push(header + render(names, path));
  }
  const text = sections.filter((s, i) => s !== "" || i > 0).join("\n\n");
  if (text) ctx.io.out(text + "\n");
  return status;
};
