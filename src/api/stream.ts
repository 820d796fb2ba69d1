// Streamed responses (watch, followed logs). Miniflare's entry worker gzips
// compressible responses when the client accepts gzip, and the encoder then holds a
// streamed body back: `Content-Encoding: identity` keeps every line flowing.
interface LineStream {
  response: Response;
  /** Resolves false once the client has gone (a write failed or the request aborted). */
  write(text: string): Promise<boolean>;
  close(): Promise<void>;
  readonly closed: boolean;
}

export function openStream(req: Request, contentType: string): LineStream {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  let closed = false;
  req.signal?.addEventListener?.("abort", () => {
    closed = true;
  });
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
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
