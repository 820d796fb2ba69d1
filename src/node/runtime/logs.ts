// Per-container logs, bounded like a rotated log file: the newest lines win. Lines are
// appended in memory during an operation and merged into storage once at the end.
import type { LogLine } from "./cri";
import type { LogRecord } from "./records";

const MAX_LOG_LINES = 1000;
/** Keeps one log under Durable Object storage's 128 KiB value limit. */
const MAX_LOG_BYTES = 96 * 1024;

export function emptyLog(): LogRecord {
  return { lines: [], bytes: 0, dropped: 0 };
}

export function appendLines(rec: LogRecord, lines: LogLine[]): LogRecord {
  const out: LogRecord = { lines: [...rec.lines], bytes: rec.bytes, dropped: rec.dropped };
  for (const l of lines) {
    out.lines.push([l.time, l.stream === "stderr" ? 1 : 0, l.text]);
    out.bytes += l.text.length + 24;
  }
  while (out.lines.length > MAX_LOG_LINES || out.bytes > MAX_LOG_BYTES) {
    const [, , text] = out.lines.shift()!;
    out.bytes -= text.length + 24;
    out.dropped++;
  }
  return out;
}

export function toLogLines(rec: LogRecord | undefined): LogLine[] {
  return (rec?.lines ?? []).map(([time, s, text]) => ({ time, stream: s ? "stderr" : "stdout", text }));
}

/** Split program output into lines ("a\nb\n" is two lines; a final partial line counts). */
export function splitLines(text: string): string[] {
  const parts = text.split("\n");
  if (parts[parts.length - 1] === "") parts.pop();
  return parts;
}
