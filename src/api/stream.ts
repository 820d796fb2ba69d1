// Streamed responses (watch, followed logs). Miniflare's entry worker gzips
// compressible responses when the client accepts gzip, and the encoder then holds a
// streamed body back: `Content-Encoding: identity` keeps every line flowing.
import { textWriter } from "../util/text-writer";

interface LineStream {
  response: Response;
  /** Resolves false once the client has gone (a write failed or the request aborted). */
  write(text: string): Promise<boolean>;
  close(): Promise<void>;
  readonly closed: boolean;
  /** Runs `fn` once the client has gone or the stream was closed, even between writes. */
  onGone(fn: () => void): void;
}

export function openStream(req: Request, contentType: string): LineStream {
  // The runtime's own byte pipe, not a JavaScript TransformStream: every event of every
  // watch passes here, and the standard stream's queues and promises cost the thread more
  // than the bytes do. A write still waits for the client's side to take it.
  const { readable, writable } = new IdentityTransformStream();
  const out = textWriter(writable);
  let aborted = false;
  const goneHandlers: (() => void)[] = [];
  const gone = () => {
    aborted = true;
    for (const fn of goneHandlers.splice(0)) fn();
  };
  req.signal?.addEventListener?.("abort", gone);
  void out.gone.then(gone);
  return {
    response: new Response(readable, {
      status: 200,
      headers: {
        "content-type": contentType,
        "content-encoding": "identity",
        "cache-control": "no-cache, private",
        "transfer-encoding": "chunked",
      },
    }),
    write: (text: string) => (aborted ? Promise.resolve(false) : out.write(text)),
    close: () => out.close(),
    get closed() {
      return aborted || out.closed;
    },
    onGone(fn) {
      if (aborted || out.closed) fn();
      else goneHandlers.push(fn);
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
