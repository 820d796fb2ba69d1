// sort and uniq, the line filters that scripts and client tests pipe through:
// sort -r -n -u -k N[,M] -t SEP, uniq -c -d -u. Text compares by code point (the C
// locale that containers run in), numbers by their leading numeric value.
import { readInputs, splitLines } from "./input";
import { parseOpts, type CommandFn } from "./types";

function key(line: string, field: number | undefined, sep: string | undefined): string {
  if (field === undefined) return line;
  // Without -t, fields are separated by runs of blanks that stay with the field after them.
  const parts = sep === undefined ? line.split(/(?=[ \t]+)/) : line.split(sep);
  return parts.slice(field - 1).join(sep ?? "").trimStart();
}

const numeric = (s: string) => {
  const m = /^\s*-?\d+(\.\d+)?/.exec(s);
  return m ? Number(m[0]) : 0;
};

export const sort: CommandFn = (ctx) => {
  const { flags, operands, bad } = parseOpts(ctx.argv.slice(1), "kt");
  if (bad) {
    ctx.io.err(`sort: option requires an argument -- '${bad}'\n`);
    return 2;
  }
  const field = typeof flags.k === "string" ? Number.parseInt(flags.k, 10) : undefined;
  const sep = typeof flags.t === "string" ? flags.t : undefined;
  const { inputs, failed } = readInputs(ctx, "sort", operands);
  if (failed) return 2;
  const lines = inputs.flatMap((i) => splitLines(i.text));
  const cmp = (a: string, b: string): number => {
    const ka = key(a, field, sep);
    const kb = key(b, field, sep);
    let c = flags.n ? numeric(ka) - numeric(kb) : 0;
    if (c === 0 && !flags.n) c = ka < kb ? -1 : ka > kb ? 1 : 0;
    // The last-resort comparison of whole lines, as sort does without -s.
    if (c === 0 && !flags.u) c = a < b ? -1 : a > b ? 1 : 0;
    return flags.r ? -c : c;
  };
  const sorted = [...lines].sort(cmp);
  const out = flags.u ? sorted.filter((l, i) => i === 0 || cmp(sorted[i - 1], l) !== 0) : sorted;
  ctx.io.out(out.map((l) => l + "\n").join(""));
  return 0;
};

export const uniq: CommandFn = (ctx) => {
  const { flags, operands } = parseOpts(ctx.argv.slice(1));
  const { inputs, failed } = readInputs(ctx, "uniq", operands.slice(0, 1));
  if (failed) return 1;
  const lines = inputs.flatMap((i) => splitLines(i.text));
  const groups: { line: string; n: number }[] = [];
  for (const line of lines) {
    const last = groups[groups.length - 1];
    if (last && last.line === line) last.n++;
    else groups.push({ line, n: 1 });
  }
  const kept = groups.filter((g) => (flags.d ? g.n > 1 : flags.u ? g.n === 1 : true));
  ctx.io.out(kept.map((g) => (flags.c ? `${String(g.n).padStart(7)} ${g.line}\n` : `${g.line}\n`)).join(""));
  return 0;
};
