// GET pods/NAME/log: the container's log as text/plain, with the kubelet's options
// (container, previous, tailLines, sinceSeconds, sinceTime, timestamps, limitBytes,
// follow). A followed log is a chunked stream kept open until the container stops or
// the client goes away; it is sent with `Content-Encoding: identity` so no compressing
// proxy on the way holds it back.
import type { Pod } from "../../model/types";
import { queryBool } from "../../model/query-bool";
import { encodeBytes } from "../../util/byte-text";
import type { Kubelet } from "../kubelet/kubelet";
import type { LogLine, RuntimeService } from "../runtime";
import { isCriError } from "../runtime";
import { badRequest } from "./status";
import { logContainerId, pickContainer, recordOf } from "./target";

/** How often a followed log looks for new lines. */
const FOLLOW_POLL_MS = 1_000;

/** RFC3339NanoFixed, as the kubelet prefixes lines with `timestamps=true`. */
function rfc3339NanoFixed(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z");
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw badRequest(`invalid ${name}: ${v}`);
  return n;
}

interface LogOptions {
  since?: number;
  tail?: number;
  timestamps: boolean;
  limitBytes?: number;
  follow: boolean;
}

function format(lines: LogLine[], timestamps: boolean): string {
  return lines.map((l) => `${timestamps ? rfc3339NanoFixed(l.time) + " " : ""}${l.text}\n`).join("");
}

/** Cuts output at limitBytes, across the whole response. */
class Budget {
  constructor(private left: number | undefined) {}
  take(text: string): { bytes: Uint8Array; exhausted: boolean } {
    const bytes = encodeBytes(text);
    if (this.left === undefined) return { bytes, exhausted: false };
    const out = bytes.subarray(0, Math.max(0, this.left));
    this.left -= out.length;
    return { bytes: out, exhausted: this.left <= 0 };
  }
}

async function readLines(runtime: RuntimeService, id: string, since: number | undefined): Promise<LogLine[]> {
  try {
    return await runtime.containerLogs(id, { since });
  } catch (e) {
    if (isCriError(e, "NoSuchContainer")) return [];
    throw e;
  }
}

export async function podLogs(req: Request, pod: Pod, kubelet: Kubelet, waitUntil: (p: Promise<unknown>) => void): Promise<Response> {
  const q = new URL(req.url).searchParams;
  const c = pickContainer(pod, q.get("container"));
  const runtime = kubelet.runtime()?.runtime;
  const rec = recordOf(kubelet, pod);
  const id = logContainerId(pod, rec, c, queryBool(q, "previous"));
  if (!runtime) throw badRequest(`container "${c.name}" in pod "${pod.metadata.name}" is waiting to start - no logs yet`);
  const now = kubelet.now();
  const sinceSeconds = intParam(q, "sinceSeconds");
  const sinceTime = q.get("sinceTime");
  const opts: LogOptions = {
    since: sinceSeconds !== undefined ? now - sinceSeconds * 1000 : sinceTime ? Date.parse(sinceTime) : undefined,
    tail: intParam(q, "tailLines"),
    timestamps: queryBool(q, "timestamps"),
    limitBytes: intParam(q, "limitBytes"),
    follow: queryBool(q, "follow"),
  };
  if (opts.tail !== undefined && opts.tail < 0) opts.tail = undefined;
  const all = await readLines(runtime, id, opts.since);
  const lines = opts.tail === undefined ? all : opts.tail > 0 ? all.slice(-opts.tail) : [];
  const budget = new Budget(opts.limitBytes);
  const headers = { "Content-Type": "text/plain", "Cache-Control": "no-cache, private" };
  if (!opts.follow) return new Response(budget.take(format(lines, opts.timestamps)).bytes, { headers });

  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  // Following starts after the last line that exists now, whatever tailLines cut.
  const lastTime = all.length ? all[all.length - 1].time : (opts.since ?? 0);
  const position = { lastTime, sentAtLast: all.filter((l) => l.time === lastTime).length };
  waitUntil(follow(writable.getWriter(), runtime, id, lines, opts, budget, position));
  return new Response(readable, { headers: { ...headers, "Content-Encoding": "identity" } });
}

/** Stream what is there, then new lines as they come, until the container ends. */
async function follow(
  writer: WritableStreamDefaultWriter<Uint8Array>,
  runtime: RuntimeService,
  id: string,
  first: LogLine[],
  opts: LogOptions,
  budget: Budget,
  position: { lastTime: number; sentAtLast: number },
): Promise<void> {
  // Lines are ordered by time; several can share a millisecond, so remember how many
  // lines of the last millisecond were already sent.
  let gone = false;
  // The reader cancelling errors the writable side: stop even when there is nothing to write.
  writer.closed.catch(() => (gone = true));
  let { lastTime, sentAtLast } = position;
  const send = async (lines: LogLine[], advance = true): Promise<boolean> => {
    if (!lines.length) return true;
    for (const l of advance ? lines : []) {
      if (l.time === lastTime) sentAtLast++;
      else {
        lastTime = l.time;
        sentAtLast = 1;
      }
    }
    const { bytes, exhausted } = budget.take(format(lines, opts.timestamps));
    try {
      if (bytes.length) await writer.write(bytes);
    } catch {
      return false; // the client went away
    }
    return !exhausted;
  };
  try {
    // The first lines are already counted in `position`.
    if (!(await send(first, false))) return;
    for (;;) {
      await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS));
      if (gone) return;
      let running = false;
      try {
        running = (await runtime.containerStatus(id)).state === "CONTAINER_RUNNING";
      } catch (e) {
        if (!isCriError(e, "NoSuchContainer")) throw e;
      }
      // Skip the lines of lastTime already sent.
      let atLast = 0;
      const fresh = (await readLines(runtime, id, lastTime || undefined)).filter((l) => l.time !== lastTime || ++atLast > sentAtLast);
      if (!(await send(fresh))) return;
      if (!running || gone) return;
    }
  } catch {
    // Writing failed (client gone) or the container went away: end the stream.
  } finally {
    await writer.close().catch(() => undefined);
  }
}
