// What a filter command reads: its file operands in turn ("-" is stdin), or stdin when
// there are none, with each userland's message for a file it cannot open; and the
// small helpers filters share to take text apart by lines and by bytes.
import { FsError, normalizePath } from "../../runtime/fs";
import { decodeBytes, encodeBytes } from "../../../util/byte-text";
import { errnoText, type CommandContext } from "./types";

interface Input {
  /** The operand as given ("" for stdin without operands). */
  label: string;
  text: string;
  fromStdin: boolean;
}

export const isBusybox = (ctx: CommandContext) => ctx.host.image.userland === "busybox";

/** How GNU tools word a file they cannot open: "wc: f: No such..." or "head: cannot open 'f' for reading: No such...". */
type GnuOpenStyle = "plain" | "for-reading";

function readInput(ctx: CommandContext, name: string, file: string, style: GnuOpenStyle = "plain"): Input | undefined {
  if (file === "-") return { label: file, text: ctx.io.stdin.readAll(), fromStdin: true };
  try {
    const text = ctx.host.fs.read(normalizePath(file, ctx.shell.cwd));
    if (text === undefined) throw new FsError("ENOENT", file);
    return { label: file, text, fromStdin: false };
  } catch (e) {
    const code = e instanceof FsError ? e.code : "EIO";
    if (isBusybox(ctx)) ctx.io.err(code === "EISDIR" ? `${name}: read error: Is a directory\n` : `${name}: can't open '${file}': ${errnoText(code)}\n`);
    else if (code === "EISDIR" && style === "for-reading") ctx.io.err(`${name}: error reading '${file}': Is a directory\n`);
    else ctx.io.err(style === "for-reading" ? `${name}: cannot open '${file}' for reading: ${errnoText(code)}\n` : `${name}: ${file}: ${errnoText(code)}\n`);
    return undefined;
  }
}

/** The inputs of a filter: its file operands, or stdin. `failed` tells whether one could not be read. */
export function readInputs(ctx: CommandContext, name: string, files: string[], style: GnuOpenStyle = "plain"): { inputs: Input[]; failed: boolean } {
  if (!files.length) return { inputs: [{ label: "", text: ctx.io.stdin.readAll(), fromStdin: true }], failed: false };
  const inputs: Input[] = [];
  let failed = false;
  for (const f of files) {
    const input = readInput(ctx, name, f, style);
    if (input) inputs.push(input);
    else failed = true;
  }
  return { inputs, failed };
}

/** Lines without their newlines; a last line without one still counts. */
export function splitLines(text: string): string[] {
  const l = text.split("\n");
  if (l[l.length - 1] === "") l.pop();
  return l;
}

/** Whether every code unit is one byte as it is (ASCII): then code units and bytes coincide. */
const ascii = (text: string) => !/[^\x00-\x7f]/.test(text);

/** The first `n` bytes of the text's bytes (a cut multi-byte character stays as its bytes). */
export function firstBytes(text: string, n: number): string {
  if (ascii(text)) return text.slice(0, n);
  return decodeBytes(encodeBytes(text).subarray(0, n));
}

/** The bytes of the text from byte `from` on. */
export function bytesFrom(text: string, from: number): string {
  if (ascii(text)) return text.slice(from);
  return decodeBytes(encodeBytes(text).subarray(from));
}
