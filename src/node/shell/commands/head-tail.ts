// head and tail: lines (-n N, GNU's `head -n -N` for all but the last N, `tail -n +N`
// from the Nth on) or bytes (-c, the same forms), the old `-N`, headers between
// several files (-q, -v). A last line without a newline stays without one, and byte
// counts are bytes, so binary data passes through as it is. `tail -f` ends with its
// input here: an exec does not wait for more.
import { bytesFrom, firstBytes, isBusybox, readInputs } from "./input";
import { byteLength } from "../../../util/byte-text";
import type { CommandContext, CommandFn } from "./types";

type Which = "head" | "tail";

interface Count {
  unit: "lines" | "bytes";
  n: number;
  /** head: "-N" takes all but the last N; tail: "+N" starts at the Nth. */
  sign: "" | "-" | "+";
}

const SUFFIXES: Record<string, number> = { "": 1, b: 512, k: 1024, K: 1024, KiB: 1024, kB: 1000, KB: 1000, m: 1024 ** 2, M: 1024 ** 2, MiB: 1024 ** 2, MB: 1000 ** 2, G: 1024 ** 3, GiB: 1024 ** 3, GB: 1000 ** 3 };

function parseCount(raw: string, unit: Count["unit"]): Count | undefined {
  const m = /^([+-]?)(\d+)([a-zA-Z]*)$/.exec(raw);
  if (!m || !(m[3] in SUFFIXES)) return undefined;
  return { unit, n: Number(m[2]) * SUFFIXES[m[3]], sign: m[1] as Count["sign"] };
}

/** Index just past the nth newline (the whole text when it has fewer). */
function afterLines(text: string, n: number): number {
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const nl = text.indexOf("\n", pos);
    if (nl < 0) return text.length;
    pos = nl + 1;
  }
  return pos;
}

/** Index where the last n lines begin (a last line without a newline counts). */
function lastLines(text: string, n: number): number {
  if (n <= 0) return text.length;
  let pos = text.endsWith("\n") ? text.length - 1 : text.length;
  for (let i = 0; i < n; i++) {
    const nl = text.lastIndexOf("\n", pos - 1);
    if (nl < 0) return 0;
    pos = nl;
  }
  return pos + 1;
}

function select(which: Which, text: string, c: Count): string {
  if (c.unit === "bytes") {
    const size = byteLength(text);
    if (which === "head") return firstBytes(text, c.sign === "-" ? Math.max(0, size - c.n) : c.n);
    return bytesFrom(text, c.sign === "+" ? Math.max(0, c.n - 1) : Math.max(0, size - c.n));
  }
  if (which === "head") return c.sign === "-" ? text.slice(0, lastLines(text, c.n)) : text.slice(0, afterLines(text, c.n));
  return c.sign === "+" ? text.slice(afterLines(text, Math.max(0, c.n - 1))) : text.slice(lastLines(text, c.n));
}

function invalid(ctx: CommandContext, which: Which, unit: Count["unit"], raw: string): number {
  ctx.io.err(isBusybox(ctx) ? `${which}: invalid number '${raw}'\n` : `${which}: invalid number of ${unit}: '${raw}'\n`);
  return 1;
}

const headTail =
  (which: Which): CommandFn =>
  (ctx) => {
    const args = ctx.argv.slice(1);
    let count: Count = { unit: "lines", n: 10, sign: "" };
    let headers: boolean | undefined;
    const files: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      const long = /^--(lines|bytes)=(.*)$/.exec(a);
      const short = /^-([nc])(.*)$/.exec(a);
      if (long || short) {
        const unit = (long ? long[1] : short![1] === "n" ? "lines" : "bytes") as Count["unit"];
        const raw = long ? long[2] : short![2] || args[++i];
        if (raw === undefined) {
          ctx.io.err(isBusybox(ctx) ? `${which}: option requires an argument -- '${short![1]}'\n` : `${which}: option requires an argument -- '${short![1]}'\nTry '${which} --help' for more information.\n`);
          return 1;
        }
        const c = parseCount(raw, unit);
        if (!c) return invalid(ctx, which, unit, raw);
        count = c;
      } else if (/^-\d+$/.test(a)) count = { unit: "lines", n: Number(a.slice(1)), sign: "" };
      else if (a === "-q" || a === "--quiet" || a === "--silent") headers = false;
      else if (a === "-v" || a === "--verbose") headers = true;
      else if (a === "-f" || a === "-F" || a === "--follow") continue;
      else if (a === "-s") i++;
      else if (a === "--") {
        files.push(...args.slice(i + 1));
        break;
      } else files.push(a);
    }
    const { inputs, failed } = readInputs(ctx, which, files, "for-reading");
    const show = headers ?? files.length > 1;
    inputs.forEach((input, i) => {
      if (show) ctx.io.out(`${i ? "\n" : ""}==> ${input.fromStdin ? "standard input" : input.label} <==\n`);
      ctx.io.out(select(which, input.text, count));
    });
    return failed ? 1 : 0;
  };

export const head = headTail("head");
export const tail = headTail("tail");
