// Small helpers shared by the benchmark scripts.

import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const TICKS_PER_S = 100; // USER_HZ on Linux

export const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The command line as [flag, value] pairs: `--k v` and `--k=v` alike; a flag named in
 * `booleans` takes no value and comes as [flag, true].
 */
export function* cliArgs(argv, booleans = []) {
  for (let i = 0; i < argv.length; i++) {
    if (booleans.includes(argv[i])) yield [argv[i], true];
    else if (argv[i].includes("=")) yield argv[i].split("=", 2);
    else yield [argv[i], argv[++i]];
  }
}

/** Polls `check` every `everyMs` until it is truthy; errors are logged and polled past, the deadline throws. */
export async function until(check, timeoutMs, what, everyMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch (e) {
      log(`  (${what}: ${e.message})`);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Right-aligned plain-text table; the first row is the header. */
export function textTable(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padStart(widths[i])).join("  ")).join("\n");
}

/** `results/<name>-<timestamp>.<ext>` next to this file. */
export function resultFile(name, ext, stamp = new Date()) {
  return new URL(`./results/${name}-${stamp.toISOString().replace(/[:.]/g, "-")}.${ext}`, import.meta.url);
}

/** The events of a watch response body, one parsed line at a time (keepalive newlines skipped). */
export async function* watchEvents(body) {
  const decoder = new TextDecoder();
  let buf = "";
  for await (const chunk of body) {
    buf += decoder.decode(chunk, { stream: true });
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield JSON.parse(line);
    }
  }
}

/** workerd processes in the cluster's process group: their CPU ticks and memory. */
export function runtimeStats(pgid) {
  let ticks = 0;
  let hwmKiB = 0;
  let rssKiB = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // fields[0] is field 3 (state): pgrp is field 5, utime 14, stime 15.
      if (Number(fields[2]) !== pgid || !stat.includes("(workerd)")) continue;
      ticks += Number(fields[11]) + Number(fields[12]);
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      hwmKiB += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      rssKiB += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      /* gone meanwhile */
    }
  }
  return { cpuS: ticks / TICKS_PER_S, hwmMiB: hwmKiB / 1024, rssMiB: rssKiB / 1024 };
}

const ROOT = new URL("..", import.meta.url).pathname;

/**
 * A checkout of `ref` in a temporary git worktree beside this one, sharing its
 * node_modules, with `copies` (paths in the repository) copied in from this tree: a
 * comparison runs the same benchmark against the sources of both.
 */
export function checkoutRef(ref, copies = []) {
  const dir = mkdtempSync(join(tmpdir(), "edgekube-baseline-"));
  rmSync(dir, { recursive: true });
  execFileSync("git", ["-C", ROOT, "worktree", "add", "--detach", dir, ref], { stdio: "ignore" });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  for (const path of copies) copyFileSync(join(ROOT, path), join(dir, path));
  const commit = execFileSync("git", ["-C", dir, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  return { dir, commit, remove: () => execFileSync("git", ["-C", ROOT, "worktree", "remove", "--force", dir], { stdio: "ignore" }) };
}
