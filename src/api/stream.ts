// Streamed responses (watch, followed logs). Miniflare's entry worker gzips
// compressible responses when the client accepts gzip, and the encoder then holds a
// streamed body back: `Content-Encoding: identity` keeps every line flowing.
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
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  let closed = false;
  const goneHandlers: (() => void)[] = [];
  const gone = () => {
    closed = true;
    for (const fn of goneHandlers.splice(0)) fn();
  };
  req.signal?.addEventListener?.("abort", gone);
  // A client that cancels the body errors the writable side at once, not at the next write.
  writer.closed.then(gone, gone);
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
    async write(text: string) {
      if (closed) return false;
      try {
        await writer.write(encoder.encode(text));
        return true;
      } catch {
        closed = true;
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await writer.close();
      } catch {
        /* client already gone */
      }
    },
    get closed() {
      return closed;
    },
    onGone(fn) {
      if (closed) fn();
      else goneHandlers.push(fn);
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
