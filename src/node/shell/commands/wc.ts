// wc: lines, words and bytes (-l -w -c; all three by default), in the column layout
// of each userland. GNU pads every count to the width of the inputs' total size (at
// least 7 when one is not a regular file), or to nothing for one count of one input;
// busybox pads to 9, or to nothing for one count of at most one file. Bytes are bytes.
import { isBusybox, readInputs } from "./input";
import { byteLength } from "../../../util/byte-text";
import { parseOpts, type CommandFn } from "./types";

const KINDS = ["l", "w", "c"] as const;
type Counts = Record<(typeof KINDS)[number], number>;

function count(text: string): Counts {
  let l = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) l++;
  return { l, w: (text.match(/[^ \t\n\v\f\r]+/g) ?? []).length, c: byteLength(text) };
}

export const wc: CommandFn = (ctx) => {
  const { flags, operands } = parseOpts(ctx.argv.slice(1));
  const chosen = KINDS.filter((k) => flags[k]);
  const kinds = chosen.length ? chosen : KINDS;
  const { inputs, failed } = readInputs(ctx, "wc", operands);
  const rows = inputs.map((input) => ({ label: input.label, counts: count(input.text) }));
  if (operands.length > 1) {
    const total = { l: 0, w: 0, c: 0 };
    for (const r of rows) for (const k of KINDS) total[k] += r.counts[k];
    rows.push({ label: "total", counts: total });
  }
  let width: number;
  if (isBusybox(ctx)) width = kinds.length === 1 && operands.length <= 1 ? 0 : 9;
  else if (kinds.length === 1 && Math.max(operands.length, 1) === 1) width = 0;
  else {
    const regular = inputs.filter((i) => !i.fromStdin).reduce((n, i) => n + byteLength(i.text), 0);
    width = Math.max(String(regular).length, inputs.some((i) => i.fromStdin) ? 7 : 1);
  }
  for (const r of rows) {
    const cols = kinds.map((k) => String(r.counts[k]).padStart(width));
    ctx.io.out(cols.join(" ") + (r.label ? ` ${r.label}` : "") + "\n");
  }
  return failed ? 1 : 0;
};
